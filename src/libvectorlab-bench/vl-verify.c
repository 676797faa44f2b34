/* vl-verify.c: running the verification table (see vl-verify.h). */
#include "vl-verify.h"

#include <math.h>

#include "vl-bench-context.h"

/* Each case draws from its own generator seeded by its name, so a case's
 * data does not change when cases are added or reordered. */
#define VL_VERIFY_SEED 0x5eed1234u

VlVerifyResult *
vl_verify_case_run (const VlVerifyCase *self, VlContext *device,
                    VlContext *ref)
{
  g_autoptr(GRand) rand = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *shape = NULL;
  g_autofree char *problem = NULL;
  double value = NAN;
  gboolean ok;

  g_return_val_if_fail (self != NULL, NULL);

  rand = g_rand_new_with_seed (VL_VERIFY_SEED ^ g_str_hash (self->name));
  shape = self->describe (self);
  if (!self->func (self, device, ref, rand, &value, &problem, &error))
    return vl_verify_result_new (self->name, shape, self->measure, NAN,
                                 self->tolerance, FALSE, error->message);

  if (self->measure == VL_VERIFY_MEASURE_RECALL)
    ok = value >= self->tolerance;
  else
    ok = value <= self->tolerance;
  return vl_verify_result_new (self->name, shape, self->measure, value,
                               self->tolerance, ok && problem == NULL,
                               problem);
}

GListModel *
vl_verify_run (const char *device_id, GCancellable *cancellable,
               GError **error)
{
  g_autoptr(GListStore) results = NULL;
  g_autoptr(VlContext) device = NULL;
  g_autoptr(VlContext) ref = NULL;
  const VlVerifyCase *cases;
  gsize n_cases;

  g_return_val_if_fail (device_id != NULL, NULL);

  if ((device = vl_bench_context_new (device_id, error)) == NULL
      || (ref = vl_bench_context_new ("ref", error)) == NULL)
    return NULL;

  results = g_list_store_new (VL_TYPE_VERIFY_RESULT);
  cases = vl_verify_get_cases (&n_cases);
  for (gsize i = 0; i < n_cases; i++)
    {
      g_autoptr(VlVerifyResult) result = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      result = vl_verify_case_run (&cases[i], device, ref);
      g_list_store_append (results, result);
    }

  return G_LIST_MODEL (g_steal_pointer (&results));
}

static void
run_thread (GTask *task, gpointer source_object, gpointer task_data,
            GCancellable *cancellable)
{
  GError *error = NULL;
  GListModel *results = vl_verify_run (task_data, cancellable, &error);

  if (results == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, results, g_object_unref);
}

void
vl_verify_run_async (const char *device_id, GCancellable *cancellable,
                     GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (device_id != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, vl_verify_run_async);
  g_task_set_task_data (task, g_strdup (device_id), g_free);
  g_task_run_in_thread (task, run_thread);
}

GListModel *
vl_verify_run_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                        == vl_verify_run_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
