/* test-devices.c: device discovery, id resolution, and the breakdown and
 * buffer-pool counters a context reports after an op. */
#include "vl-test-util.h"

#include <string.h>

static void
test_list (void)
{
  VlDeviceInfo *list = NULL;
  VlError *error = NULL;
  size_t n = 0;
  g_autoptr (GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);

  if (!vl_test_check_ok (vl_devices_list (&list, &n, &error), error))
    return;
  g_assert_cmpuint (n, >=, 2);
  g_assert_cmpstr (list[0].id, ==, "ref");
  g_assert_cmpint (list[0].backend, ==, VL_BACKEND_REF);
  g_assert_cmpstr (list[1].id, ==, "cpu");
  g_assert_cmpint (list[1].backend, ==, VL_BACKEND_CPU);

  for (size_t i = 0; i < n; i++)
    {
      const VlDeviceInfo *d = &list[i];

      g_test_message ("%s: %s / %s / %s / %s, %u CUs, %" G_GUINT64_FORMAT
                      " bytes", d->id, d->name, d->vendor, d->driver,
                      d->platform, d->compute_units, d->global_mem_bytes);
      g_assert_true (memchr (d->id, '\0', sizeof d->id) != NULL);
      g_assert_cmpstr (d->id, !=, "");
      g_assert_true (g_hash_table_add (ids, (gpointer) d->id));
      g_assert_true (memchr (d->name, '\0', sizeof d->name) != NULL);
      g_assert_cmpstr (d->name, !=, "");
      g_assert_cmpstr (d->vendor, !=, "");
      g_assert_cmpstr (d->driver, !=, "");
      g_assert_cmpuint (d->compute_units, >=, 1);
      g_assert_cmpuint (d->max_work_group_size, >=, 1);
      g_assert_cmpstr (vl_backend_kind_to_string (d->backend), !=, "unknown");

      if (d->backend == VL_BACKEND_OPENCL)
        {
          g_autofree char *want = g_strdup_printf ("opencl:%zu", i - 2);

          /* OpenCL devices follow ref and cpu, numbered in order. */
          g_assert_cmpuint (i, >=, 2);
          g_assert_cmpstr (d->id, ==, want);
          g_assert_cmpstr (d->platform, !=, "");
          g_assert_cmpuint (d->global_mem_bytes, >, 0);
          g_assert_cmpuint (d->local_mem_bytes, >, 0);
        }
      else
        {
          g_assert_cmpuint (i, <, 2);
          g_assert_false (d->is_gpu);
        }
    }
  vl_devices_free (list);
}

static gboolean
device_listed (const char *id)
{
  const GPtrArray *devices = vl_test_devices ();

  for (guint i = 0; i < devices->len; i++)
    if (g_str_equal (g_ptr_array_index (devices, i), id))
      return TRUE;
  return FALSE;
}

static void
test_resolve (void)
{
  char resolved[32];
  VlError *error = NULL;
  g_autofree char *saved = g_strdup (g_getenv ("VL_DEVICE"));
  VlContext *ctx;

  g_unsetenv ("VL_DEVICE");
  if (!vl_test_check_ok (vl_device_resolve ("auto", resolved, &error), error))
    goto out;
  g_assert_true (device_listed (resolved));
  /* auto is the first OpenCL GPU, else cpu. */
  g_assert_true (g_str_equal (resolved, "cpu")
                 || g_str_has_prefix (resolved, "opencl:"));
  if (!vl_test_check_ok (vl_device_resolve (NULL, resolved, &error), error))
    goto out;
  g_assert_true (device_listed (resolved));

  g_setenv ("VL_DEVICE", "ref", TRUE);
  if (!vl_test_check_ok (vl_device_resolve ("auto", resolved, &error), error))
    goto out;
  g_assert_cmpstr (resolved, ==, "ref");
  ctx = vl_context_new ("auto", &error);
  g_assert_nonnull (ctx);
  g_assert_null (error);
  g_assert_cmpstr (vl_context_get_device (ctx)->id, ==, "ref");
  vl_context_free (ctx);

  /* An explicit id wins over the environment. */
  if (!vl_test_check_ok (vl_device_resolve ("cpu", resolved, &error), error))
    goto out;
  g_assert_cmpstr (resolved, ==, "cpu");

  if (!vl_test_check_ok (vl_device_resolve ("opencl", resolved, &error),
                         error))
    goto out;
  g_assert_cmpstr (resolved, ==, "opencl:0");

out:
  if (saved != NULL)
    g_setenv ("VL_DEVICE", saved, TRUE);
  else
    g_unsetenv ("VL_DEVICE");
}

static void
test_context_device (const VlTestRun *run)
{
  VlContext *ctx = vl_test_context (run->device);

  g_assert_cmpstr (vl_context_get_device (ctx)->id, ==, run->device);
}

static void
test_opencl_alias (void)
{
  VlError *error = NULL;
  VlContext *ctx;

  ctx = vl_context_new ("opencl", &error);
  if (!vl_test_check_ok (ctx != NULL ? VL_STATUS_OK : error->status, error))
    return;
  g_assert_cmpstr (vl_context_get_device (ctx)->id, ==, "opencl:0");
  vl_context_free (ctx);
}

/* A distance matrix big enough that every backend takes measurable time. */
static void
run_distance (VlContext *ctx, VlMatrix *q, VlMatrix *x, VlMatrix *out)
{
  VlError *error = NULL;

  vl_test_check_ok (vl_distance_matrix (ctx, VL_METRIC_L2, q, x, out, &error),
                    error);
}

static void
test_breakdown (const VlTestRun *run)
{
  VlContext *ctx = vl_test_context (run->device);
  g_autoptr (GRand) rand = g_rand_new_with_seed (7);
  VlMatrix q = vl_test_matrix_new (128, 256, 256);
  VlMatrix x = vl_test_matrix_new (1024, 256, 256);
  VlMatrix out = vl_test_matrix_new (128, 1024, 1024);
  VlBreakdown b;
  VlPoolStats first, second;

  vl_test_matrix_fill (&q, rand, -1.0f, 1.0f);
  vl_test_matrix_fill (&x, rand, -1.0f, 1.0f);

  run_distance (ctx, &q, &x, &out);
  vl_context_get_breakdown (ctx, &b);
  g_test_message ("%s: prep %.3f upload %.3f kernel %.3f download %.3f "
                  "extract %.3f ms", run->device, b.host_prep_ms, b.upload_ms,
                  b.kernel_ms, b.download_ms, b.host_extract_ms);
  g_assert_cmpfloat (b.host_prep_ms, >=, 0.0);
  g_assert_cmpfloat (b.upload_ms, >=, 0.0);
  g_assert_cmpfloat (b.kernel_ms, >, 0.0);
  g_assert_cmpfloat (b.download_ms, >=, 0.0);
  g_assert_cmpfloat (b.host_extract_ms, >=, 0.0);

  vl_context_get_pool_stats (ctx, &first);
  run_distance (ctx, &q, &x, &out);
  vl_context_get_pool_stats (ctx, &second);
  g_test_message ("%s: pool hits %" G_GUINT64_FORMAT " -> %" G_GUINT64_FORMAT
                  ", misses %" G_GUINT64_FORMAT " -> %" G_GUINT64_FORMAT
                  ", kernels %" G_GUINT64_FORMAT " -> %" G_GUINT64_FORMAT,
                  run->device, first.hits, second.hits, first.misses,
                  second.misses, first.kernels_run, second.kernels_run);
  if (g_str_has_prefix (run->device, "opencl"))
    {
      /* The first run fills the pool, the repeat reuses its buffers. */
      g_assert_cmpuint (first.misses, >, 0);
      g_assert_cmpuint (second.hits, >, first.hits);
      g_assert_cmpuint (second.misses, ==, first.misses);
      g_assert_cmpuint (second.kernels_run, >, first.kernels_run);
      g_assert_cmpuint (second.bytes_peak, >=, second.bytes_cached);
      g_assert_cmpuint (second.bytes_peak, >, 0);
    }
  else
    {
      g_assert_cmpuint (second.hits, ==, 0);
      g_assert_cmpuint (second.misses, ==, 0);
      g_assert_cmpuint (second.bytes_live, ==, 0);
    }

  vl_test_matrix_free (&q);
  vl_test_matrix_free (&x);
  vl_test_matrix_free (&out);
}

/* Phase timing off: the same results; on OpenCL the device phases read 0
 * and the host phases are still timed; back on, the kernels are timed
 * again. */
static void
test_phase_timing (const VlTestRun *run)
{
  VlContext *ctx = vl_test_context (run->device);
  g_autoptr (GRand) rand = g_rand_new_with_seed (11);
  VlMatrix q = vl_test_matrix_new (64, 100, 100);
  VlMatrix x = vl_test_matrix_new (700, 100, 100);
  VlMatrix timed = vl_test_matrix_new (64, 700, 700);
  VlMatrix untimed = vl_test_matrix_new (64, 700, 700);
  VlError *error = NULL;
  VlBreakdown b;

  vl_test_matrix_fill (&q, rand, -1.0f, 1.0f);
  vl_test_matrix_fill (&x, rand, -1.0f, 1.0f);
  run_distance (ctx, &q, &x, &timed);

  g_assert_true (vl_context_get_phase_timing (ctx));
  vl_test_check_ok (vl_context_set_phase_timing (ctx, false, &error), error);
  /* Host backends time phases whatever was set. */
  g_assert_true (vl_context_get_phase_timing (ctx)
                 == !g_str_has_prefix (run->device, "opencl"));
  run_distance (ctx, &q, &x, &untimed);
  vl_context_get_breakdown (ctx, &b);
  g_assert_cmpmem (timed.data, 64 * 700 * sizeof (float), untimed.data,
                   64 * 700 * sizeof (float));
  if (g_str_has_prefix (run->device, "opencl"))
    {
      g_assert_cmpfloat (b.host_prep_ms, >, 0.0);
      g_assert_cmpfloat (b.upload_ms, ==, 0.0);
      g_assert_cmpfloat (b.kernel_ms, ==, 0.0);
      g_assert_cmpfloat (b.download_ms, ==, 0.0);
    }
  else
    /* Host backends time every phase on the host, at no cost. */
    g_assert_cmpfloat (b.kernel_ms, >, 0.0);

  vl_test_check_ok (vl_context_set_phase_timing (ctx, true, &error), error);
  g_assert_true (vl_context_get_phase_timing (ctx));
  run_distance (ctx, &q, &x, &untimed);
  vl_context_get_breakdown (ctx, &b);
  g_assert_cmpfloat (b.kernel_ms, >, 0.0);

  g_assert_cmpint (vl_context_set_phase_timing (NULL, true, &error), ==,
                   VL_STATUS_INVALID_ARGUMENT);
  g_assert_false (vl_context_get_phase_timing (NULL));
  vl_error_free (error);
  vl_test_matrix_free (&q);
  vl_test_matrix_free (&x);
  vl_test_matrix_free (&timed);
  vl_test_matrix_free (&untimed);
}

int
main (int argc, char **argv)
{
  vl_test_init (&argc, &argv);
  g_test_add_func ("/vectorlab/devices/list", test_list);
  g_test_add_func ("/vectorlab/devices/resolve", test_resolve);
  /* Without a device there is nothing to alias; a build that expects
   * OpenCL already fails in vl_test_init's device check. */
  if (device_listed ("opencl:0"))
    g_test_add_func ("/vectorlab/devices/opencl-alias", test_opencl_alias);
  vl_test_add ("/vectorlab/devices/context", NULL, test_context_device);
  vl_test_add ("/vectorlab/breakdown/distance", NULL, test_breakdown);
  vl_test_add ("/vectorlab/breakdown/phase-timing", NULL, test_phase_timing);
  return vl_test_run ();
}
