/* test-errors.c: bad input to every entry point returns the right status
 * with a message, on every backend, and never crashes. */
#include "vl-test-util.h"

#include <float.h>
#include <math.h>
#include <string.h>

/* Runs @call, which reports into `err`, and checks its status. */
#define EXPECT(expected, call)                                    \
  G_STMT_START {                                                  \
    VlError *err = NULL;                                          \
    VlStatus status_ = (call);                                    \
    vl_test_check_error (status_, err, (expected));               \
  } G_STMT_END

#define INVALID  VL_STATUS_INVALID_ARGUMENT
#define MISMATCH VL_STATUS_SHAPE_MISMATCH
#define NONFINITE VL_STATUS_NON_FINITE

/* 4 x 3 queries, 5 x 3 database, and outputs of the right shapes. */
typedef struct
{
  float    qd[12], xd[15], od[20], nd[12];
  VlMatrix q, x, out, norm_out;
} Operands;

static void
operands_init (Operands *o)
{
  for (guint i = 0; i < G_N_ELEMENTS (o->qd); i++)
    o->qd[i] = (float) i - 5.0f;
  for (guint i = 0; i < G_N_ELEMENTS (o->xd); i++)
    o->xd[i] = (float) (i % 4) + 0.5f;
  o->q = vl_matrix_f32 (o->qd, 4, 3);
  o->x = vl_matrix_f32 (o->xd, 5, 3);
  o->out = vl_matrix_f32 (o->od, 4, 5);
  o->norm_out = vl_matrix_f32 (o->nd, 4, 3);
}

static void
test_distance (const VlTestRun *run)
{
  VlContext *ctx = vl_test_context (run->device);
  Operands o;
  VlMatrix bad;

  operands_init (&o);
  EXPECT (INVALID, vl_distance_matrix (NULL, VL_METRIC_L2, &o.q, &o.x, &o.out,
                                       &err));
  EXPECT (INVALID, vl_distance_matrix (ctx, VL_METRIC_L2, NULL, &o.x, &o.out,
                                       &err));
  EXPECT (INVALID, vl_distance_matrix (ctx, VL_METRIC_L2, &o.q, NULL, &o.out,
                                       &err));
  EXPECT (INVALID, vl_distance_matrix (ctx, VL_METRIC_L2, &o.q, &o.x, NULL,
                                       &err));
  EXPECT (INVALID, vl_distance_matrix (ctx, (VlMetric) 3, &o.q, &o.x, &o.out,
                                       &err));
  EXPECT (INVALID, vl_distance_matrix (ctx, (VlMetric) -1, &o.q, &o.x, &o.out,
                                       &err));

  bad = o.q, bad.data = NULL;
  EXPECT (INVALID, vl_distance_matrix (ctx, VL_METRIC_L2, &bad, &o.x, &o.out,
                                       &err));
  bad = o.q, bad.rows = 0;
  EXPECT (INVALID, vl_distance_matrix (ctx, VL_METRIC_L2, &bad, &o.x, &o.out,
                                       &err));
  bad = o.x, bad.cols = 0;
  EXPECT (INVALID, vl_distance_matrix (ctx, VL_METRIC_L2, &o.q, &bad, &o.out,
                                       &err));
  bad = o.q, bad.stride = 2;
  EXPECT (INVALID, vl_distance_matrix (ctx, VL_METRIC_L2, &bad, &o.x, &o.out,
                                       &err));
  bad = o.q, bad.dtype = VL_DTYPE_U8;
  EXPECT (INVALID, vl_distance_matrix (ctx, VL_METRIC_L2, &bad, &o.x, &o.out,
                                       &err));
  bad = o.q, bad.rows = SIZE_MAX / 2;
  EXPECT (INVALID, vl_distance_matrix (ctx, VL_METRIC_L2, &bad, &o.x, &o.out,
                                       &err));

  /* Queries of 2 columns against a database of 3. */
  bad = vl_matrix_f32 (o.qd, 4, 2);
  EXPECT (MISMATCH, vl_distance_matrix (ctx, VL_METRIC_IP, &bad, &o.x, &o.out,
                                        &err));
  bad = vl_matrix_f32 (o.od, 5, 4);
  EXPECT (MISMATCH, vl_distance_matrix (ctx, VL_METRIC_IP, &o.q, &o.x, &bad,
                                        &err));
  bad = vl_matrix_f32 (o.od, 4, 4);
  EXPECT (MISMATCH, vl_distance_matrix (ctx, VL_METRIC_COSINE, &o.q, &o.x,
                                        &bad, &err));

  o.qd[7] = NAN;
  EXPECT (NONFINITE, vl_distance_matrix (ctx, VL_METRIC_L2, &o.q, &o.x,
                                         &o.out, &err));
  o.qd[7] = 1.0f;
  o.xd[14] = -INFINITY;
  EXPECT (NONFINITE, vl_distance_matrix (ctx, VL_METRIC_COSINE, &o.q, &o.x,
                                         &o.out, &err));

  /* Without an error pointer the status alone comes back. */
  g_assert_cmpint (vl_distance_matrix (ctx, VL_METRIC_L2, &o.q, &o.x, &o.out,
                                       NULL), ==, NONFINITE);
}

static void
test_normalize_similarity (const VlTestRun *run)
{
  VlContext *ctx = vl_test_context (run->device);
  Operands o;
  VlMatrix bad;
  float sd[16];
  VlMatrix sim = vl_matrix_f32 (sd, 4, 4);

  operands_init (&o);
  EXPECT (INVALID, vl_normalize_rows (NULL, &o.q, &o.norm_out, &err));
  EXPECT (INVALID, vl_normalize_rows (ctx, NULL, &o.norm_out, &err));
  EXPECT (INVALID, vl_normalize_rows (ctx, &o.q, NULL, &err));
  bad = o.q, bad.stride = 1;
  EXPECT (INVALID, vl_normalize_rows (ctx, &bad, &o.norm_out, &err));
  bad = o.norm_out, bad.rows = 3;
  EXPECT (MISMATCH, vl_normalize_rows (ctx, &o.q, &bad, &err));
  o.qd[0] = INFINITY;
  EXPECT (NONFINITE, vl_normalize_rows (ctx, &o.q, &o.norm_out, &err));
  o.qd[0] = 0.0f;

  EXPECT (INVALID, vl_similarity_matrix (NULL, &o.q, &sim, &err));
  EXPECT (INVALID, vl_similarity_matrix (ctx, NULL, &sim, &err));
  EXPECT (INVALID, vl_similarity_matrix (ctx, &o.q, NULL, &err));
  bad = o.q, bad.cols = 0;
  EXPECT (INVALID, vl_similarity_matrix (ctx, &bad, &sim, &err));
  /* The output must be n x n, not n x d. */
  EXPECT (MISMATCH, vl_similarity_matrix (ctx, &o.q, &o.norm_out, &err));
  o.qd[11] = NAN;
  EXPECT (NONFINITE, vl_similarity_matrix (ctx, &o.q, &sim, &err));
}

static void
test_pool (const VlTestRun *run)
{
  VlContext *ctx = vl_test_context (run->device);
  /* 2 sequences of 3 tokens of 2 dimensions. */
  float td[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
  float od[4];
  uint8_t mask[6] = { 1, 1, 0, 1, 0, 0 };
  float w[2] = { 0.5f, -0.5f };
  VlMatrix t = vl_matrix_f32 (td, 6, 2), out = vl_matrix_f32 (od, 2, 2);
  VlMatrix bad;

  EXPECT (INVALID, vl_pool_mean (NULL, &t, 3, mask, &out, &err));
  EXPECT (INVALID, vl_pool_mean (ctx, NULL, 3, mask, &out, &err));
  EXPECT (INVALID, vl_pool_mean (ctx, &t, 3, NULL, &out, &err));
  EXPECT (INVALID, vl_pool_mean (ctx, &t, 3, mask, NULL, &err));
  EXPECT (MISMATCH, vl_pool_mean (ctx, &t, 0, mask, &out, &err));
  EXPECT (MISMATCH, vl_pool_mean (ctx, &t, 4, mask, &out, &err));
  bad = vl_matrix_f32 (od, 1, 2);
  EXPECT (MISMATCH, vl_pool_mean (ctx, &t, 3, mask, &bad, &err));
  bad = vl_matrix_f32 (od, 2, 1);
  EXPECT (MISMATCH, vl_pool_attention (ctx, &t, 3, mask, w, &bad, &err));
  EXPECT (INVALID, vl_pool_attention (ctx, &t, 3, mask, NULL, &out, &err));

  mask[4] = 2;
  EXPECT (INVALID, vl_pool_mean (ctx, &t, 3, mask, &out, &err));
  mask[4] = 255;
  EXPECT (INVALID, vl_pool_attention (ctx, &t, 3, mask, w, &out, &err));
  mask[4] = 0;

  td[5] = NAN;
  EXPECT (NONFINITE, vl_pool_mean (ctx, &t, 3, mask, &out, &err));
  /* A masked-out token is still input: NaN is rejected, not ignored. */
  td[5] = 6;
  td[11] = INFINITY;
  EXPECT (NONFINITE, vl_pool_attention (ctx, &t, 3, mask, w, &out, &err));
  td[11] = 12;

  w[1] = NAN;
  EXPECT (NONFINITE, vl_pool_attention (ctx, &t, 3, mask, w, &out, &err));
  w[1] = -INFINITY;
  EXPECT (NONFINITE, vl_pool_attention (ctx, &t, 3, mask, w, &out, &err));
}

static void
test_knn (const VlTestRun *run)
{
  VlContext *ctx = vl_test_context (run->device);
  Operands o;
  VlMatrix bad;
  int64_t ids[4 * 6];
  float scores[4 * 6];
  VlIndex *index;
  VlError *error = NULL;

  operands_init (&o);
  EXPECT (INVALID, vl_knn (NULL, VL_METRIC_L2, &o.q, &o.x, 1, ids, scores,
                           &err));
  EXPECT (INVALID, vl_knn (ctx, VL_METRIC_L2, NULL, &o.x, 1, ids, scores,
                           &err));
  EXPECT (INVALID, vl_knn (ctx, VL_METRIC_L2, &o.q, NULL, 1, ids, scores,
                           &err));
  EXPECT (INVALID, vl_knn (ctx, VL_METRIC_L2, &o.q, &o.x, 1, NULL, scores,
                           &err));
  EXPECT (INVALID, vl_knn (ctx, VL_METRIC_L2, &o.q, &o.x, 1, ids, NULL,
                           &err));
  EXPECT (INVALID, vl_knn (ctx, (VlMetric) 7, &o.q, &o.x, 1, ids, scores,
                           &err));
  EXPECT (INVALID, vl_knn (ctx, VL_METRIC_IP, &o.q, &o.x, 0, ids, scores,
                           &err));
  /* n < k: 5 database rows. */
  EXPECT (INVALID, vl_knn (ctx, VL_METRIC_IP, &o.q, &o.x, 6, ids, scores,
                           &err));
  bad = vl_matrix_f32 (o.qd, 6, 2);
  EXPECT (MISMATCH, vl_knn (ctx, VL_METRIC_COSINE, &bad, &o.x, 1, ids, scores,
                            &err));
  bad = o.x, bad.stride = 2;
  EXPECT (INVALID, vl_knn (ctx, VL_METRIC_L2, &o.q, &bad, 1, ids, scores,
                           &err));

  EXPECT (INVALID, vl_index_search (NULL, &o.q, 1, ids, scores, &err));
  index = vl_index_new (ctx, VL_METRIC_L2, &o.x, &error);
  if (!vl_test_check_ok (index != NULL ? VL_STATUS_OK : error->status, error))
    return;
  EXPECT (INVALID, vl_index_search (index, NULL, 1, ids, scores, &err));
  EXPECT (INVALID, vl_index_search (index, &o.q, 0, ids, scores, &err));
  EXPECT (INVALID, vl_index_search (index, &o.q, 6, ids, scores, &err));
  bad = vl_matrix_f32 (o.qd, 6, 2);
  EXPECT (MISMATCH, vl_index_search (index, &bad, 1, ids, scores, &err));
  bad = vl_matrix_f32 (o.qd, 3, 4);
  EXPECT (MISMATCH, vl_index_search (index, &bad, 1, ids, scores, &err));
  o.qd[4] = NAN;
  EXPECT (NONFINITE, vl_index_search (index, &o.q, 2, ids, scores, &err));
  o.qd[4] = INFINITY;
  EXPECT (NONFINITE, vl_knn (ctx, VL_METRIC_IP, &o.q, &o.x, 2, ids, scores,
                             &err));
  o.qd[4] = 0.0f;
  /* The index is still usable after rejected searches. */
  vl_test_check_ok (vl_index_search (index, &o.q, 5, ids, scores, &error),
                    error);
  vl_index_free (index);

  /* A non-finite database is rejected when the index is built. */
  o.xd[9] = NAN;
  index = vl_index_new (ctx, VL_METRIC_COSINE, &o.x, &error);
  g_assert_null (index);
  vl_test_check_error (error != NULL ? error->status : VL_STATUS_OK, error,
                       NONFINITE);
  o.xd[9] = -INFINITY;
  EXPECT (NONFINITE, vl_knn (ctx, VL_METRIC_L2, &o.q, &o.x, 1, ids, scores,
                             &err));

  index = vl_index_new (NULL, VL_METRIC_L2, &o.x, &error);
  g_assert_null (index);
  vl_test_check_error (error != NULL ? error->status : VL_STATUS_OK, error,
                       INVALID);
  index = vl_index_new (ctx, (VlMetric) 3, &o.x, NULL);
  g_assert_null (index);
}

/* k above VL_MAX_K with a database large enough that only the cap fails. */
static void
test_max_k (const VlTestRun *run)
{
  VlContext *ctx = vl_test_context (run->device);
  size_t n = VL_MAX_K + 3;
  g_autofree float *xd = g_new0 (float, n);
  g_autofree int64_t *ids = g_new (int64_t, n);
  g_autofree float *scores = g_new (float, n);
  float qd[1] = { 1 };
  VlMatrix x = vl_matrix_f32 (xd, n, 1), q = vl_matrix_f32 (qd, 1, 1);

  EXPECT (INVALID, vl_knn (ctx, VL_METRIC_L2, &q, &x, VL_MAX_K + 1, ids,
                           scores, &err));
}

static void
check_lists_devices (VlStatus status, VlError *error)
{
  if (error != NULL && status == VL_STATUS_DEVICE_NOT_FOUND
      && (strstr (error->message, "ref") == NULL
          || strstr (error->message, "cpu") == NULL))
    g_test_fail_printf ("message does not list the available devices: %s",
                        error->message);
  vl_test_check_error (status, error, VL_STATUS_DEVICE_NOT_FOUND);
}

static void
test_devices (void)
{
  const char *bad_ids[] = { "nosuch", "opencl:99", "cpu:1", "",
                            "a-device-id-far-longer-than-thirty-two-bytes" };
  g_autofree char *saved = g_strdup (g_getenv ("VL_DEVICE"));
  VlError *error = NULL;
  VlContext *ctx;
  size_t n;

  for (guint i = 0; i < G_N_ELEMENTS (bad_ids); i++)
    {
      ctx = vl_context_new (bad_ids[i], &error);
      g_assert_null (ctx);
      if (strlen (bad_ids[i]) < 32)
        check_lists_devices (error != NULL ? error->status : VL_STATUS_OK,
                             error);
      else
        vl_test_check_error (error != NULL ? error->status : VL_STATUS_OK,
                             error, VL_STATUS_DEVICE_NOT_FOUND);
      error = NULL;
    }

  /* $VL_DEVICE decides what "auto" means, and a bad one is an error, not a
   * silent fallback. */
  g_setenv ("VL_DEVICE", "garbage!", TRUE);
  ctx = vl_context_new ("auto", &error);
  g_assert_null (ctx);
  check_lists_devices (error != NULL ? error->status : VL_STATUS_OK, error);
  error = NULL;
  ctx = vl_context_new (NULL, NULL);
  g_assert_null (ctx);
  if (saved != NULL)
    g_setenv ("VL_DEVICE", saved, TRUE);
  else
    g_unsetenv ("VL_DEVICE");

  EXPECT (INVALID, vl_devices_list (NULL, &n, &err));
  EXPECT (INVALID, vl_device_resolve ("cpu", NULL, &err));

  /* Freeing nothing is fine. */
  vl_error_free (NULL);
  vl_context_free (NULL);
  vl_index_free (NULL);
  vl_devices_free (NULL);
  g_assert_null (vl_context_get_device (NULL));
  g_assert_cmpuint (vl_index_get_size (NULL), ==, 0);
}

static void
test_strings (void)
{
  VlMetric metric;

  for (int s = VL_STATUS_OK; s <= VL_STATUS_UNSUPPORTED; s++)
    g_assert_cmpstr (vl_status_to_string ((VlStatus) s), !=, "");
  g_assert_true (vl_metric_from_string ("cosine", &metric));
  g_assert_cmpint (metric, ==, VL_METRIC_COSINE);
  g_assert_false (vl_metric_from_string ("manhattan", &metric));
  g_assert_false (vl_metric_from_string (NULL, &metric));
  g_assert_cmpstr (vl_metric_to_string ((VlMetric) 42), ==, "unknown");
}

/* The finiteness check splits large inputs over threads: the error must
 * still name the first bad element, whichever worker saw it, and catch
 * NaN payloads, both infinities and nothing else (FLT_MAX, denormals). */
static void
test_non_finite_scan (void)
{
  VlContext *ctx = vl_test_context ("ref");
  /* 4 M floats: several workers whenever there are several threads. */
  const size_t rows = 4099, cols = 1023;
  VlMatrix m = vl_test_matrix_new (rows, cols, cols);
  VlMatrix out = vl_test_matrix_new (rows, cols, cols);
  static const uint32_t bad_bits[] = {
    0x7fc00000u, 0xffc00001u, 0x7f800001u, 0x7f800000u, 0xff800000u,
  };

  for (size_t r = 0; r < rows; r++)
    for (size_t c = 0; c < cols; c++)
      vl_test_row (&m, r)[c] = (c % 3 == 0) ? FLT_MAX : (c % 3 == 1) ? 1e-40f : -1.0f;
  OK (vl_normalize_rows (ctx, &m, &out, &error));

  for (gsize i = 0; i < G_N_ELEMENTS (bad_bits); i++)
    {
      VlError *error = NULL;
      float bad, saved_late, saved_early;
      g_autofree char *want = NULL;

      memcpy (&bad, &bad_bits[i], sizeof bad);
      saved_late = vl_test_row (&m, rows - 2)[5];
      saved_early = vl_test_row (&m, 2000)[cols - 1];
      vl_test_row (&m, rows - 2)[5] = bad;
      vl_test_row (&m, 2000)[cols - 1] = bad;
      g_assert_cmpint (vl_normalize_rows (ctx, &m, &out, &error), ==,
                       VL_STATUS_NON_FINITE);
      want = g_strdup_printf ("input row 2000 column %zu is %s", cols - 1,
                              isnan (bad) ? "NaN" : "infinite");
      g_assert_cmpstr (error->message, ==, want);
      vl_error_free (error);
      vl_test_row (&m, rows - 2)[5] = saved_late;
      vl_test_row (&m, 2000)[cols - 1] = saved_early;
    }
  vl_test_matrix_free (&m);
  vl_test_matrix_free (&out);
}

int
main (int argc, char **argv)
{
  vl_test_init (&argc, &argv);
  g_test_add_func ("/vectorlab/errors/devices", test_devices);
  g_test_add_func ("/vectorlab/errors/strings", test_strings);
  g_test_add_func ("/vectorlab/errors/non-finite-scan", test_non_finite_scan);
  vl_test_add ("/vectorlab/errors/distance", NULL, test_distance);
  vl_test_add ("/vectorlab/errors/normalize-similarity", NULL,
               test_normalize_similarity);
  vl_test_add ("/vectorlab/errors/pool", NULL, test_pool);
  vl_test_add ("/vectorlab/errors/knn", NULL, test_knn);
  vl_test_add ("/vectorlab/errors/max-k", NULL, test_max_k);
  return vl_test_run ();
}
