/* vl-bench-similarity-job.c: load or generate, order by cluster, compute
 * the pairwise cosine similarity on the chosen device. */
#include "vl-bench-similarity-job.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "vl-bench-cluster.h"
#include "vl-bench-context.h"
#include "vl-bench-error.h"
#include "vl-bench-runner-private.h"
#include "vl-tensor-file.h"

void
vl_bench_similarity_result_free (VlBenchSimilarityResult *result)
{
  if (result == NULL)
    return;
  g_free (result->source);
  g_free (result->matrix);
  g_free (result);
}

void
vl_bench_similarity_request_clear (VlBenchSimilarityRequest *request)
{
  g_clear_pointer (&request->device_id, g_free);
  g_clear_pointer (&request->path, g_free);
}

/* What the worker owns; freed with the task. */
typedef struct
{
  VlBenchSimilarityRequest  request;
  GMainContext             *main_context;
} JobData;

static void
job_data_free (JobData *data)
{
  vl_bench_similarity_request_clear (&data->request);
  g_main_context_unref (data->main_context);
  g_free (data);
}

static void
post (GTask *task, double fraction, const char *what, VlContext *ctx)
{
  JobData *data = g_task_get_task_data (task);

  /* A cancelled job has already returned; its caller may have started
   * another on the same runner. */
  if (!g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    vl_bench_runner_post_progress (g_task_get_source_object (task),
                                   data->main_context, fraction, what, -1.0,
                                   ctx);
}

/* Fills @result->matrix; the rows of @x are already in cluster order. */
static gboolean
compute (GTask *task, const char *device_id, float *x,
         VlBenchSimilarityResult *result, GError **error)
{
  g_autoptr(VlContext) ctx = NULL;
  g_autofree char *what = NULL;
  VlError *vl_error = NULL;
  VlMatrix in = vl_matrix_f32 (x, result->n, result->d);
  VlMatrix out;
  gint64 start;
  VlStatus status;

  ctx = vl_bench_context_new (device_id, error);
  if (ctx == NULL)
    return FALSE;
  g_strlcpy (result->device_id, vl_context_get_device (ctx)->id,
             sizeof result->device_id);
  /* Translators: progress of the similarity job, e.g.
   * "similarity 512 × 64". */
  what = g_strdup_printf (_("similarity %u × %u"), result->n, result->d);
  post (task, 0.5, what, ctx);

  result->matrix = g_new (float, (gsize) result->n * result->n);
  out = vl_matrix_f32 (result->matrix, result->n, result->n);
  start = g_get_monotonic_time ();
  status = vl_similarity_matrix (ctx, &in, &out, &vl_error);
  result->op_ms = (g_get_monotonic_time () - start) / 1000.0;
  vl_context_get_breakdown (ctx, &result->breakdown);
  vl_context_get_pool_stats (ctx, &result->pool);
  if (status != VL_STATUS_OK)
    return vl_bench_propagate_vl_error (error, vl_error,
                                        _("The similarity matrix failed"));
  post (task, 1.0, what, ctx);
  return TRUE;
}

static float *
load_rows (GTask *task, const VlBenchSimilarityRequest *request,
           VlBenchSimilarityResult *result, guint **labels_out,
           GCancellable *cancellable, GError **error)
{
  g_autoptr(VlTensor) tensor = NULL;
  g_autofree guint *labels = NULL;
  g_autofree float *x = NULL;

  result->source = g_path_get_basename (request->path);
  post (task, 0.0, result->source, NULL);
  tensor = vl_tensor_load (request->path, error);
  if (tensor == NULL)
    return NULL;
  result->total_rows = vl_tensor_get_rows (tensor);
  result->n = MIN (result->total_rows, VL_BENCH_SIMILARITY_MAX_ROWS);
  result->d = vl_tensor_get_cols (tensor);
  if (result->n < 2)
    {
      g_set_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_INVALID_FILE,
                   _("%s holds fewer than 2 vectors; a similarity matrix "
                     "needs at least 2"), result->source);
      return NULL;
    }

  x = g_memdup2 (vl_tensor_get_f32 (tensor),
                 (gsize) result->n * result->d * sizeof (float));
  labels = g_new (guint, result->n);
  result->n_clusters = MIN (request->clusters, result->n);
  post (task, 0.1, _("clustering"), NULL);
  if (!vl_bench_cluster_kmeans (x, result->n, result->d, result->n_clusters,
                                request->seed, labels, cancellable))
    {
      g_cancellable_set_error_if_cancelled (cancellable, error);
      return NULL;
    }
  *labels_out = g_steal_pointer (&labels);
  return g_steal_pointer (&x);
}

static float *
generate_rows (const VlBenchSimilarityRequest *request,
               VlBenchSimilarityResult *result, guint **labels_out)
{
  guint *labels = g_new (guint, request->n);
  float *x;

  result->n = result->total_rows = request->n;
  result->d = request->d;
  result->n_clusters = request->clusters;
  /* Translators: the data source of a heatmap; %u is the random seed. */
  result->source = g_strdup_printf (_("generated clusters, seed %u"),
                                    request->seed);
  x = vl_bench_cluster_generate (request->n, request->d, request->clusters,
                                 request->seed, labels);
  *labels_out = labels;
  return x;
}

static void
job_thread (GTask *task, gpointer source_object, gpointer task_data,
            GCancellable *cancellable)
{
  const JobData *data = task_data;
  const VlBenchSimilarityRequest *request = &data->request;
  g_autoptr(VlBenchSimilarityResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree float *x = NULL;
  g_autofree float *ordered = NULL;
  g_autofree guint *order = NULL;
  g_autofree guint *labels = NULL;

  result = g_new0 (VlBenchSimilarityResult, 1);
  x = request->path != NULL
        ? load_rows (task, request, result, &labels, cancellable, &error)
        : generate_rows (request, result, &labels);
  if (x == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;

  /* Rows and columns in cluster order make each cluster a block on the
   * diagonal; permuting the input does both at once. */
  order = vl_bench_cluster_order (labels, result->n);
  ordered = g_new (float, (gsize) result->n * result->d);
  for (guint r = 0; r < result->n; r++)
    memcpy (ordered + (gsize) r * result->d,
            x + (gsize) order[r] * result->d, result->d * sizeof (float));

  if (!compute (task, request->device_id, ordered, result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;
  g_task_return_pointer (task, g_steal_pointer (&result),
                         (GDestroyNotify) vl_bench_similarity_result_free);
}

void
vl_bench_runner_similarity_async (VlBenchRunner *self,
                                  const VlBenchSimilarityRequest *request,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  g_autoptr(GTask) task = NULL;
  JobData *data;

  g_return_if_fail (VL_IS_BENCH_RUNNER (self));
  g_return_if_fail (request != NULL && request->device_id != NULL);
  g_return_if_fail (request->path != NULL
                    || (request->n >= 2
                        && request->n <= VL_BENCH_SIMILARITY_MAX_ROWS
                        && request->d > 0 && request->clusters > 0));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vl_bench_runner_similarity_async);
  data = g_new0 (JobData, 1);
  data->request = *request;
  data->request.device_id = g_strdup (request->device_id);
  data->request.path = g_strdup (request->path);
  data->main_context = g_main_context_ref_thread_default ();
  g_task_set_task_data (task, data, (GDestroyNotify) job_data_free);
  /* The worker owns copies of everything, so the caller may go at once;
   * a matrix that is half computed is simply dropped. */
  g_task_set_return_on_cancel (task, TRUE);
  g_task_run_in_thread (task, job_thread);
}

VlBenchSimilarityResult *
vl_bench_runner_similarity_finish (VlBenchRunner *self, GAsyncResult *result,
                                   GError **error)
{
  g_return_val_if_fail (VL_IS_BENCH_RUNNER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                        == vl_bench_runner_similarity_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
