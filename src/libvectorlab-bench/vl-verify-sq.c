/* vl-verify-sq.c: verification of scalar quantisation (see
 * vl-verify-sq.h). */
#include "vl-verify-sq.h"

#include <math.h>
#include <string.h>

#include "vl-verify-private.h"

/* How close to a half step ref's unrounded level must be for a one-level
 * difference to count as rounding. */
#define HALF_STEP_SLACK 1e-4

/* rows x cols uniform in [-1, 1), strided with NaN padding when asked;
 * with VL_VERIFY_ZERO_ROW the middle row is zero, with VL_VERIFY_TIES the
 * rows repeat a third of them. */
static float *
random_view (GRand *rand, gsize rows, gsize cols, VlVerifyFlags flags,
             VlMatrix *view)
{
  float *data = vl_verify_random_view (rand, rows, cols, flags, view);
  gsize stride = view->stride;

  if (flags & VL_VERIFY_ZERO_ROW)
    memset (data + rows / 2 * stride, 0, cols * sizeof (float));
  if (flags & VL_VERIFY_TIES)
    for (gsize r = MAX (rows / 3, 1); r < rows; r++)
      memcpy (data + r * stride, data + (r % MAX (rows / 3, 1)) * stride,
              cols * sizeof (float));
  return data;
}

static unsigned
level_at (VlSqType type, const guint8 *row, gsize i)
{
  if (type == VL_SQ_8)
    return row[i];
  return (row[i / 2] >> (4 * (i & 1))) & 0xfu;
}

/* Data of @rows x d, a codec trained on it on @device, and its codes
 * encoded on @device. */
typedef struct
{
  VlMatrix   x;
  float     *data;
  VlSqCodec *codec;
  guint8    *codes;
  gsize      code_size;
} Encoded;

static void
encoded_clear (Encoded *e)
{
  g_free (e->data);
  vl_sq_codec_free (e->codec);
  g_free (e->codes);
}

static gboolean
encode_on (VlContext *ctx, VlSqType type, const VlVerifyCase *self,
           gsize rows, GRand *rand, Encoded *e, GError **error)
{
  VlError *vl_error = NULL;

  memset (e, 0, sizeof *e);
  e->data = random_view (rand, rows, self->d, self->flags, &e->x);
  e->codec = vl_sq_train (ctx, type, &e->x, &vl_error);
  if (e->codec == NULL)
    return vl_verify_op_failed (ctx, vl_error, error);
  e->code_size = vl_sq_codec_get_code_size (e->codec);
  e->codes = g_malloc (rows * e->code_size);
  if (vl_sq_encode (e->codec, &e->x, e->codes, rows * e->code_size,
                    &vl_error) != VL_STATUS_OK)
    return vl_verify_op_failed (ctx, vl_error, error);
  return TRUE;
}

/* The same ranges as @codec, on @ctx. */
static VlSqCodec *
codec_on (VlContext *ctx, VlSqCodec *codec, VlError **vl_error)
{
  gsize d = vl_sq_codec_get_dim (codec);
  g_autofree float *min = g_new (float, d);
  g_autofree float *max = g_new (float, d);

  if (vl_sq_codec_get_range (codec, min, max, vl_error) != VL_STATUS_OK)
    return NULL;
  return vl_sq_codec_new (ctx, vl_sq_codec_get_sq_type (codec), d, min, max,
                          vl_error);
}

static gboolean
run_encode (const VlVerifyCase *self, VlSqType type, VlContext *device,
            VlContext *ref, GRand *rand, double *value, GError **error)
{
  gsize rows = self->rows, d = self->d, good = 0;
  unsigned levels = type == VL_SQ_8 ? 255 : 15;
  Encoded e;
  VlSqCodec *ref_codec = NULL;
  g_autofree guint8 *ref_codes = NULL;
  g_autofree float *min = g_new (float, d);
  g_autofree float *max = g_new (float, d);
  VlError *vl_error = NULL;
  gboolean ok = FALSE;

  if (!encode_on (device, type, self, rows, rand, &e, error))
    goto out;
  ref_codec = codec_on (ref, e.codec, &vl_error);
  if (ref_codec == NULL)
    {
      vl_verify_op_failed (ref, vl_error, error);
      goto out;
    }
  ref_codes = g_malloc (rows * e.code_size);
  if (vl_sq_encode (ref_codec, &e.x, ref_codes, rows * e.code_size,
                    &vl_error) != VL_STATUS_OK)
    {
      vl_verify_op_failed (ref, vl_error, error);
      goto out;
    }
  vl_sq_codec_get_range (ref_codec, min, max, NULL);
  for (gsize r = 0; r < rows; r++)
    for (gsize i = 0; i < d; i++)
      {
        int a = (int) level_at (type, e.codes + r * e.code_size, i);
        int b = (int) level_at (type, ref_codes + r * e.code_size, i);
        double range = (double) max[i] - min[i];
        double x = e.data[r * e.x.stride + i];
        double t = range > 0.0 ? (x - min[i]) / range * levels : 0.0;

        if (a == b || (abs (a - b) == 1
                       && fabs (t - floor (t) - 0.5) < HALF_STEP_SLACK))
          good++;
      }
  *value = (double) good / (double) (rows * d);
  ok = TRUE;
out:
  vl_sq_codec_free (ref_codec);
  encoded_clear (&e);
  return ok;
}

static gboolean
run_decode (const VlVerifyCase *self, VlSqType type, VlContext *device,
            VlContext *ref, GRand *rand, double *value, GError **error)
{
  gsize rows = self->rows, d = self->d;
  Encoded e;
  VlSqCodec *ref_codec = NULL;
  VlMatrix out, expect;
  g_autofree float *out_data = NULL;
  g_autofree float *expect_data = g_new (float, rows * d);
  VlError *vl_error = NULL;
  gboolean ok = FALSE;

  if (!encode_on (device, type, self, rows, rand, &e, error))
    goto out;
  ref_codec = codec_on (ref, e.codec, &vl_error);
  if (ref_codec == NULL)
    {
      vl_verify_op_failed (ref, vl_error, error);
      goto out;
    }
  /* The output takes the case's stride, so a backend that ignores it
   * shows up as a large error. */
  out_data = random_view (rand, rows, d, self->flags & VL_VERIFY_STRIDED,
                          &out);
  expect = vl_matrix_f32 (expect_data, rows, d);
  if (vl_sq_decode (e.codec, e.codes, rows * e.code_size, &out, &vl_error)
      != VL_STATUS_OK)
    {
      vl_verify_op_failed (device, vl_error, error);
      goto out;
    }
  if (vl_sq_decode (ref_codec, e.codes, rows * e.code_size, &expect,
                    &vl_error) != VL_STATUS_OK)
    {
      vl_verify_op_failed (ref, vl_error, error);
      goto out;
    }
  *value = 0.0;
  for (gsize r = 0; r < rows; r++)
    for (gsize i = 0; i < d; i++)
      *value = MAX (*value, vl_verify_rel_error (out_data[r * out.stride + i],
                                       expect_data[r * d + i]));
  ok = TRUE;
out:
  vl_sq_codec_free (ref_codec);
  encoded_clear (&e);
  return ok;
}

/* Searches the same codes on @device and on ref; recall by value as in
 * the flat k-NN rows. */
static gboolean
run_knn (const VlVerifyCase *self, VlSqType type, VlContext *device,
         VlContext *ref, GRand *rand, double *value, char **problem,
         GError **error)
{
  gsize nq = self->rows, n = self->n, d = self->d, k = self->k, good = 0;
  gboolean similarity = vl_metric_is_similarity (self->metric);
  gboolean sorted = TRUE;
  double score_err = 0.0;
  Encoded e;
  VlSqCodec *ref_codec = NULL;
  VlSqIndex *index = NULL, *ref_index = NULL;
  VlMatrix q, decoded, all;
  g_autofree float *q_data = NULL;
  g_autofree float *decoded_data = g_new (float, n * d);
  g_autofree float *all_data = g_new (float, nq * n);
  g_autofree gint64 *ids = g_new (gint64, nq * k);
  g_autofree float *scores = g_new (float, nq * k);
  g_autofree gint64 *ref_ids = g_new (gint64, nq * k);
  g_autofree float *ref_scores = g_new (float, nq * k);
  g_autofree guint8 *seen = g_new0 (guint8, n);
  VlError *vl_error = NULL;
  gboolean ok = FALSE;

  if (!encode_on (device, type, self, n, rand, &e, error))
    goto out;
  q_data = random_view (rand, nq, d, self->flags & VL_VERIFY_STRIDED, &q);
  /* With ties, query 0 is a database row. */
  if (self->flags & VL_VERIFY_TIES)
    memcpy (q_data, e.data + e.x.stride, d * sizeof (float));
  decoded = vl_matrix_f32 (decoded_data, n, d);
  all = vl_matrix_f32 (all_data, nq, n);

  ref_codec = codec_on (ref, e.codec, &vl_error);
  if (ref_codec == NULL
      || (ref_index = vl_sq_index_new (ref_codec, self->metric, e.codes, n,
                                       n * e.code_size, &vl_error)) == NULL
      || vl_sq_index_search (ref_index, &q, k, (int64_t *) ref_ids,
                             ref_scores, &vl_error) != VL_STATUS_OK
      || vl_sq_decode (ref_codec, e.codes, n * e.code_size, &decoded,
                       &vl_error) != VL_STATUS_OK
      || vl_distance_matrix (ref, self->metric, &q, &decoded, &all,
                             &vl_error) != VL_STATUS_OK)
    {
      vl_verify_op_failed (ref, vl_error, error);
      goto out;
    }
  index = vl_sq_index_new (e.codec, self->metric, e.codes, n,
                           n * e.code_size, &vl_error);
  if (index == NULL
      || vl_sq_index_search (index, &q, k, (int64_t *) ids, scores,
                             &vl_error) != VL_STATUS_OK)
    {
      vl_verify_op_failed (device, vl_error, error);
      goto out;
    }

  for (gsize i = 0; i < nq; i++)
    {
      double kth = ref_scores[i * k + k - 1];
      double slack = VL_VERIFY_TOLERANCE * MAX (fabs (kth), 1.0);

      for (gsize r = 0; r < k; r++)
        {
          gint64 id = ids[i * k + r];
          double s;

          if (r > 0 && (similarity ? scores[i * k + r] > scores[i * k + r - 1]
                                   : scores[i * k + r] < scores[i * k + r - 1]))
            sorted = FALSE;
          if (id < 0 || (guint64) id >= n || seen[id])
            continue;
          seen[id] = 1;
          s = all_data[i * n + id];
          if (similarity ? s >= kth - slack : s <= kth + slack)
            good++;
          score_err = MAX (score_err,
                           vl_verify_rel_error (scores[i * k + r], s));
        }
      for (gsize r = 0; r < k; r++)
        if (ids[i * k + r] >= 0 && (guint64) ids[i * k + r] < n)
          seen[ids[i * k + r]] = 0;
    }
  *value = (double) good / (double) (nq * k);
  if (!sorted)
    *problem = g_strdup ("results are not sorted best first");
  else if (score_err > VL_VERIFY_TOLERANCE)
    *problem = g_strdup_printf ("returned scores differ from ref by %.2e",
                                score_err);
  ok = TRUE;
out:
  vl_sq_index_free (index);
  vl_sq_index_free (ref_index);
  vl_sq_codec_free (ref_codec);
  encoded_clear (&e);
  return ok;
}

gboolean
vl_verify_sq8_encode (const VlVerifyCase *self, VlContext *device,
                      VlContext *ref, GRand *rand, double *value,
                      char **problem, GError **error)
{
  return run_encode (self, VL_SQ_8, device, ref, rand, value, error);
}

gboolean
vl_verify_sq4_encode (const VlVerifyCase *self, VlContext *device,
                      VlContext *ref, GRand *rand, double *value,
                      char **problem, GError **error)
{
  return run_encode (self, VL_SQ_4, device, ref, rand, value, error);
}

gboolean
vl_verify_sq8_decode (const VlVerifyCase *self, VlContext *device,
                      VlContext *ref, GRand *rand, double *value,
                      char **problem, GError **error)
{
  return run_decode (self, VL_SQ_8, device, ref, rand, value, error);
}

gboolean
vl_verify_sq4_decode (const VlVerifyCase *self, VlContext *device,
                      VlContext *ref, GRand *rand, double *value,
                      char **problem, GError **error)
{
  return run_decode (self, VL_SQ_4, device, ref, rand, value, error);
}

gboolean
vl_verify_sq8_knn (const VlVerifyCase *self, VlContext *device,
                   VlContext *ref, GRand *rand, double *value,
                   char **problem, GError **error)
{
  return run_knn (self, VL_SQ_8, device, ref, rand, value, problem, error);
}

gboolean
vl_verify_sq4_knn (const VlVerifyCase *self, VlContext *device,
                   VlContext *ref, GRand *rand, double *value,
                   char **problem, GError **error)
{
  return run_knn (self, VL_SQ_4, device, ref, rand, value, problem, error);
}

char *
vl_verify_sq_describe (const VlVerifyCase *self)
{
  const char *strided = (self->flags & VL_VERIFY_STRIDED) ? " strided" : "";
  const char *zero = (self->flags & VL_VERIFY_ZERO_ROW) ? " +zero row" : "";
  const char *ties = (self->flags & VL_VERIFY_TIES) ? " +duplicate rows" : "";

  if (self->k > 0)
    return g_strdup_printf ("nq=%zu n=%zu d=%zu k=%zu%s%s%s", self->rows,
                            self->n, self->d, self->k, zero, ties, strided);
  return g_strdup_printf ("n=%zu d=%zu%s%s%s", self->rows, self->d, zero,
                          ties, strided);
}
