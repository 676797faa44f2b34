/* vl-test-util.c: shared helpers of the core test programs. */
#include "vl-test-util.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

static GPtrArray  *devices;   /* of char *, the ids */
static GHashTable *contexts;  /* id -> VlContext */
static char      **keep_going_argv;

static void
test_opencl_device_present (void)
{
  g_test_fail_printf ("no OpenCL device: install pocl-opencl-icd");
}

void
vl_test_init (int *argc, char ***argv)
{
  VlDeviceInfo *list = NULL;
  VlError *error = NULL;
  size_t n = 0;
  gboolean have_opencl = FALSE;

  /* GLib stops at the first failing test unless told to keep going; one
   * failing backend must not hide the results of the others. */
  keep_going_argv = g_new0 (char *, *argc + 2);
  for (int i = 0; i < *argc; i++)
    keep_going_argv[i] = (*argv)[i];
  keep_going_argv[(*argc)++] = (char *) "--keep-going";
  *argv = keep_going_argv;
  g_test_init (argc, argv, NULL);

  if (vl_devices_list (&list, &n, &error) != VL_STATUS_OK)
    g_error ("vl_devices_list failed: %s", error->message);
  devices = g_ptr_array_new_with_free_func (g_free);
  for (size_t i = 0; i < n; i++)
    {
      g_ptr_array_add (devices, g_strdup (list[i].id));
      have_opencl |= list[i].backend == VL_BACKEND_OPENCL;
    }
  vl_devices_free (list);

#ifdef VL_TEST_EXPECT_OPENCL
  if (!have_opencl)
    g_test_add_func ("/vectorlab/opencl-device-present",
                     test_opencl_device_present);
#else
  (void) have_opencl;
  (void) test_opencl_device_present;
#endif

  contexts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                    (GDestroyNotify) vl_context_free);
}

const GPtrArray *
vl_test_devices (void)
{
  return devices;
}

static void
run_trampoline (gconstpointer data)
{
  const VlTestRun *run = data;
  VlTestFunc func = *(VlTestFunc *) (run + 1);

  func (run);
}

static void
add_one (const char *prefix, gconstpointer data, VlTestFunc func,
         const char *device)
{
  /* The function pointer rides behind the run, so one allocation carries
   * everything and GLib frees it with the test case. */
  VlTestRun *run = g_malloc0 (sizeof *run + sizeof func);
  g_autofree char *path = g_strdup_printf ("%s/%s", prefix, device);

  run->data = data;
  g_strlcpy (run->device, device, sizeof run->device);
  memcpy (run + 1, &func, sizeof func);
  g_test_add_data_func_full (path, run, run_trampoline, g_free);
}

void
vl_test_add (const char *prefix, gconstpointer data, VlTestFunc func)
{
  for (guint i = 0; i < devices->len; i++)
    add_one (prefix, data, func, g_ptr_array_index (devices, i));
}

void
vl_test_add_ref (const char *prefix, gconstpointer data, VlTestFunc func)
{
  add_one (prefix, data, func, "ref");
}

int
vl_test_run (void)
{
  int result = g_test_run ();

  g_hash_table_destroy (contexts);
  g_ptr_array_unref (devices);
  g_free (keep_going_argv);
  return result;
}

VlContext *
vl_test_context (const char *device)
{
  VlContext *ctx = g_hash_table_lookup (contexts, device);
  VlError *error = NULL;

  if (ctx != NULL)
    return ctx;
  ctx = vl_context_new (device, &error);
  if (ctx == NULL)
    g_error ("vl_context_new (\"%s\") failed: %s", device,
             error != NULL ? error->message : "(no error)");
  g_hash_table_insert (contexts, g_strdup (device), ctx);
  return ctx;
}

VlMatrix
vl_test_matrix_new (size_t rows, size_t cols, size_t stride)
{
  VlMatrix m = { rows, cols, stride, VL_DTYPE_F32, NULL };
  float *data;

  g_assert_cmpuint (stride, >=, cols);
  data = g_new (float, rows * stride);
  for (size_t i = 0; i < rows * stride; i++)
    data[i] = i % stride < cols ? 0.0f : NAN;
  m.data = data;
  return m;
}

void
vl_test_matrix_free (VlMatrix *m)
{
  g_clear_pointer (&m->data, g_free);
}

float *
vl_test_row (const VlMatrix *m, size_t r)
{
  return (float *) m->data + r * m->stride;
}

void
vl_test_matrix_fill (VlMatrix *m, GRand *rand, float lo, float hi)
{
  for (size_t r = 0; r < m->rows; r++)
    for (size_t c = 0; c < m->cols; c++)
      vl_test_row (m, r)[c] = (float) g_rand_double_range (rand, lo, hi);
}

void
vl_test_matrix_fill_int (VlMatrix *m, GRand *rand, int range)
{
  for (size_t r = 0; r < m->rows; r++)
    for (size_t c = 0; c < m->cols; c++)
      vl_test_row (m, r)[c] = (float) g_rand_int_range (rand, -range,
                                                         range + 1);
}

void
vl_test_matrix_zero_row (VlMatrix *m, size_t r)
{
  memset (vl_test_row (m, r), 0, m->cols * sizeof (float));
}

double
vl_test_row_norm (const VlMatrix *m, size_t r)
{
  const float *row = vl_test_row (m, r);
  double s = 0.0;

  for (size_t c = 0; c < m->cols; c++)
    s += (double) row[c] * row[c];
  return sqrt (s);
}

double
vl_test_score_magnitude (VlMetric metric, double norm_a, double norm_b)
{
  switch (metric)
    {
    case VL_METRIC_L2: return norm_a * norm_a + norm_b * norm_b;
    case VL_METRIC_IP: return norm_a * norm_b;
    case VL_METRIC_COSINE:
    default: return 1.0;
    }
}

gboolean
vl_test_close (double got, double want, double magnitude)
{
  /* Written so that NaN compares as not close. */
  return fabs (got - want) <= VL_TEST_REL_TOL * (fabs (want) + magnitude)
                              + VL_TEST_ABS_FLOOR;
}

gboolean
vl_test_check_close_ (const char *loc, double got, double want,
                      double magnitude, const char *format, ...)
{
  g_autofree char *what = NULL;
  va_list args;

  if (vl_test_close (got, want, magnitude))
    return TRUE;
  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_test_fail_printf ("%s: %s: got %.9g, expected %.9g (magnitude %.3g, "
                      "tolerance %.3g)", loc, what, got, want, magnitude,
                      VL_TEST_REL_TOL * (fabs (want) + magnitude)
                      + VL_TEST_ABS_FLOOR);
  return FALSE;
}

gboolean
vl_test_check_ok_ (const char *loc, VlStatus status, VlError *error)
{
  if (status == VL_STATUS_OK && error == NULL)
    return TRUE;
  g_test_fail_printf ("%s: expected success, got status '%s' (%s)", loc,
                      vl_status_to_string (status),
                      error != NULL ? error->message : "no message");
  vl_error_free (error);
  return FALSE;
}

gboolean
vl_test_check_error_ (const char *loc, VlStatus status, VlError *error,
                      VlStatus expected)
{
  gboolean ok = status == expected && error != NULL
                && error->status == expected && error->message != NULL
                && error->message[0] != '\0';

  if (!ok)
    g_test_fail_printf ("%s: expected status '%s' with a message, got '%s' "
                        "(error %s, message '%s')", loc,
                        vl_status_to_string (expected),
                        vl_status_to_string (status),
                        error != NULL ? vl_status_to_string (error->status)
                                      : "NULL",
                        error != NULL && error->message != NULL
                          ? error->message : "(none)");
  else
    g_test_message ("%s: %s", loc, error->message);
  vl_error_free (error);
  return ok;
}
