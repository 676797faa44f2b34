/* vl-similarity-task.c: load or generate, order by cluster, compute the
 * pairwise cosine similarity on the chosen device. */
#include "vl-workbench-config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "vl-cluster-data.h"
#include "vl-similarity-task.h"
#include "vl-tensor-file.h"

void
vl_similarity_result_free (VlSimilarityResult *result)
{
  if (result == NULL)
    return;
  g_free (result->source);
  g_free (result->matrix);
  g_free (result);
}

void
vl_similarity_request_clear (VlSimilarityRequest *request)
{
  g_clear_pointer (&request->device_id, g_free);
  g_clear_pointer (&request->path, g_free);
}

static VlSimilarityRequest *
request_copy (const VlSimilarityRequest *request)
{
  VlSimilarityRequest *copy = g_memdup2 (request, sizeof *request);

  copy->device_id = g_strdup (request->device_id);
  copy->path = g_strdup (request->path);
  return copy;
}

static void
request_free (VlSimilarityRequest *request)
{
  vl_similarity_request_clear (request);
  g_free (request);
}

static gboolean
return_vl_error (GTask      *task,
                 const char *what,
                 VlError    *error)
{
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s (%s)", what,
                           error->message, vl_status_to_string (error->status));
  vl_error_free (error);
  return FALSE;
}

/* Fills @result->matrix; the rows of @x are already in cluster order. */
static gboolean
compute (GTask              *task,
         const char         *device_id,
         float              *x,
         VlSimilarityResult *result)
{
  VlContext *ctx;
  VlError *error = NULL;
  VlMatrix in = vl_matrix_f32 (x, result->n, result->d);
  VlMatrix out;
  gint64 start;
  VlStatus status;

  ctx = vl_context_new (device_id, &error);
  if (ctx == NULL)
    return return_vl_error (task, _("Could not open the device"), error);
  g_strlcpy (result->device_id, vl_context_get_device (ctx)->id, sizeof result->device_id);

  result->matrix = g_new (float, (gsize) result->n * result->n);
  out = vl_matrix_f32 (result->matrix, result->n, result->n);
  start = g_get_monotonic_time ();
  status = vl_similarity_matrix (ctx, &in, &out, &error);
  result->op_ms = (g_get_monotonic_time () - start) / 1000.0;
  vl_context_get_breakdown (ctx, &result->breakdown);
  vl_context_get_pool_stats (ctx, &result->pool);
  vl_context_free (ctx);
  if (status != VL_STATUS_OK)
    return return_vl_error (task, _("The similarity matrix failed"), error);
  return TRUE;
}

static float *
load_rows (GTask                     *task,
           const VlSimilarityRequest *request,
           VlSimilarityResult        *result,
           guint                    **labels_out,
           GCancellable              *cancellable)
{
  g_autoptr(VlTensor) tensor = NULL;
  g_autofree guint *labels = NULL;
  float *x;
  GError *error = NULL;

  tensor = vl_tensor_load (request->path, &error);
  if (tensor == NULL)
    {
      g_task_return_error (task, error);
      return NULL;
    }
  result->total_rows = vl_tensor_get_rows (tensor);
  result->n = MIN (result->total_rows, VL_SIMILARITY_MAX_ROWS);
  result->d = vl_tensor_get_cols (tensor);
  result->source = g_path_get_basename (request->path);
  if (result->n < 2)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               _("%s holds fewer than 2 vectors; a similarity matrix needs at least 2"),
                               result->source);
      return NULL;
    }

  x = g_memdup2 (vl_tensor_get_f32 (tensor), (gsize) result->n * result->d * sizeof (float));
  labels = g_new (guint, result->n);
  result->n_clusters = MIN (request->clusters, result->n);
  if (!vl_cluster_data_kmeans (x, result->n, result->d, result->n_clusters, request->seed,
                               labels, cancellable))
    {
      g_free (x);
      g_task_return_error_if_cancelled (task);
      return NULL;
    }
  *labels_out = g_steal_pointer (&labels);
  return x;
}

static float *
generate_rows (const VlSimilarityRequest *request,
               VlSimilarityResult        *result,
               guint                    **labels_out)
{
  guint *labels = g_new (guint, request->n);
  float *x;

  result->n = result->total_rows = request->n;
  result->d = request->d;
  result->n_clusters = request->clusters;
  /* Translators: the data source of a heatmap; %u is the random seed. */
  result->source = g_strdup_printf (_("generated clusters, seed %u"), request->seed);
  x = vl_cluster_data_generate (request->n, request->d, request->clusters, request->seed, labels);
  *labels_out = labels;
  return x;
}

static void
run_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  const VlSimilarityRequest *request = task_data;
  g_autoptr(VlSimilarityResult) result = g_new0 (VlSimilarityResult, 1);
  g_autofree float *x = NULL;
  g_autofree float *ordered = NULL;
  g_autofree guint *order = NULL;
  g_autofree guint *labels = NULL;

  x = request->path != NULL ? load_rows (task, request, result, &labels, cancellable)
                            : generate_rows (request, result, &labels);
  if (x == NULL)
    return;
  if (g_task_return_error_if_cancelled (task))
    return;

  /* Rows and columns in cluster order make each cluster a block on the
   * diagonal; permuting the input does both at once. */
  order = vl_cluster_data_order (labels, result->n);
  ordered = g_new (float, (gsize) result->n * result->d);
  for (guint r = 0; r < result->n; r++)
    memcpy (ordered + (gsize) r * result->d, x + (gsize) order[r] * result->d,
            result->d * sizeof (float));

  if (!compute (task, request->device_id, ordered, result))
    return;
  if (g_task_return_error_if_cancelled (task))
    return;
  g_task_return_pointer (task, g_steal_pointer (&result),
                         (GDestroyNotify) vl_similarity_result_free);
}

void
vl_similarity_task_run_async (const VlSimilarityRequest *request,
                              GCancellable              *cancellable,
                              GAsyncReadyCallback        callback,
                              gpointer                   user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (request != NULL && request->device_id != NULL);
  g_return_if_fail (request->path != NULL
                    || (request->n >= 2 && request->n <= VL_SIMILARITY_MAX_ROWS
                        && request->d > 0 && request->clusters > 0));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, vl_similarity_task_run_async);
  g_task_set_task_data (task, request_copy (request), (GDestroyNotify) request_free);
  /* The worker owns copies of everything, so the caller may go at once;
   * a matrix that is half computed is simply dropped. */
  g_task_set_return_on_cancel (task, TRUE);
  g_task_run_in_thread (task, run_thread);
}

VlSimilarityResult *
vl_similarity_task_run_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == vl_similarity_task_run_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
