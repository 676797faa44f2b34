/* test-verify.c: the verification table as the workbench uses it: run
 * asynchronously into a GListModel of VlVerifyResult, with errors and
 * cancellation reported through GError. */
#include <string.h>

#include "vectorlab-bench.h"

static void
on_verified (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GListModel **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = vl_verify_run_finish (result, &error);
  g_assert_no_error (error);
}

static void
test_async_ref (void)
{
  g_autoptr(GListModel) results = NULL;
  gsize n_cases;
  const VlVerifyCase *cases = vl_verify_get_cases (&n_cases);

  vl_verify_run_async ("ref", NULL, on_verified, &results);
  while (results == NULL)
    g_main_context_iteration (NULL, TRUE);

  g_assert_true (g_list_model_get_item_type (results) == VL_TYPE_VERIFY_RESULT);
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, n_cases);
  for (guint i = 0; i < n_cases; i++)
    {
      g_autoptr(VlVerifyResult) r = g_list_model_get_item (results, i);

      g_assert_cmpstr (vl_verify_result_get_name (r), ==, cases[i].name);
      g_assert_nonnull (vl_verify_result_get_shape (r));
      g_assert_true (vl_verify_result_get_ok (r));
      g_assert_null (vl_verify_result_get_message (r));
      /* ref against itself is exact. */
      if (vl_verify_result_get_measure (r) == VL_VERIFY_MEASURE_RECALL)
        g_assert_cmpfloat (vl_verify_result_get_value (r), ==, 1.0);
      else
        g_assert_cmpfloat (vl_verify_result_get_value (r), ==, 0.0);
    }
}

static void
test_errors (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) results = NULL;

  results = vl_verify_run ("nosuchdev", NULL, &error);
  g_assert_null (results);
  g_assert_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_DEVICE_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "nosuchdev"));
  g_clear_error (&error);

  g_cancellable_cancel (cancellable);
  results = vl_verify_run ("ref", cancellable, &error);
  g_assert_null (results);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* Every case names its op first, so views can group by it. */
static void
test_table (void)
{
  const char *ops[] = {
    "distance-matrix/", "knn/", "normalize", "similarity-matrix",
    "pool-mean", "pool-attention",
  };
  gsize n_cases;
  const VlVerifyCase *cases = vl_verify_get_cases (&n_cases);

  for (gsize o = 0; o < G_N_ELEMENTS (ops); o++)
    {
      gboolean found = FALSE;

      for (gsize i = 0; i < n_cases; i++)
        found |= g_str_has_prefix (cases[i].name, ops[o]);
      g_assert_true (found);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/bench/verify/async-ref", test_async_ref);
  g_test_add_func ("/bench/verify/errors", test_errors);
  g_test_add_func ("/bench/verify/table", test_table);

  return g_test_run ();
}
