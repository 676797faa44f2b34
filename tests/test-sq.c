/* test-sq.c: scalar quantisation (SQ8, SQ4): training, encode, decode,
 * saved ranges, and k-NN search on codes, on every backend against ref;
 * hand-worked codes on ref; bad input everywhere.
 *
 * Rules against ref: ranges are equal exactly (training is exact); codes
 * are equal or one level apart, the latter only where fp32 and double
 * round a value at a half step differently (rare: at most 1 % of them);
 * decoded values and search scores are within VL_TEST_REL_TOL; top-k is
 * compared by value as in test-knn.c, since near ties may swap. */
#include "vl-test-util.h"

#include <math.h>
#include <string.h>

typedef enum
{
  DATA_UNIFORM,
  DATA_CONST_DIMS,  /* every third dimension is constant */
  DATA_DUPLICATES,  /* a few rows repeated many times */
  DATA_ZERO_ROWS,   /* values in [0, 1), every 7th row and query 0 zero */
  DATA_WIDE,        /* trained on a narrow sample, so encoding clamps */
} DataKind;

typedef struct
{
  const char *name;
  VlSqType    type;
  size_t      n, d, nq, k, pad;
  DataKind    kind;
} SqCase;

static const SqCase cases[] = {
  { "sq8/d1-n50-k5",            VL_SQ_8,   50,   1,   3,   5, 0, DATA_UNIFORM },
  { "sq4/d1-n50-k5",            VL_SQ_4,   50,   1,   3,   5, 0, DATA_UNIFORM },
  { "sq8/d17-n500-k10",         VL_SQ_8,  500,  17,  20,  10, 0, DATA_UNIFORM },
  { "sq4/d17-n500-k10",         VL_SQ_4,  500,  17,  20,  10, 0, DATA_UNIFORM },
  { "sq8/d17-n300-strided-k7",  VL_SQ_8,  300,  17,   9,   7, 5, DATA_UNIFORM },
  { "sq4/d17-n300-strided-k7",  VL_SQ_4,  300,  17,   9,   7, 5, DATA_UNIFORM },
  { "sq8/d17-n400-const-k12",   VL_SQ_8,  400,  17,   6,  12, 0, DATA_CONST_DIMS },
  { "sq4/d17-n400-const-k12",   VL_SQ_4,  400,  17,   6,  12, 0, DATA_CONST_DIMS },
  { "sq8/d17-n400-dup-k25",     VL_SQ_8,  400,  17,   8,  25, 0, DATA_DUPLICATES },
  { "sq4/d17-n400-dup-k25",     VL_SQ_4,  400,  17,   8,  25, 0, DATA_DUPLICATES },
  { "sq8/d17-n200-zero-k15",    VL_SQ_8,  200,  17,   5,  15, 0, DATA_ZERO_ROWS },
  { "sq4/d17-n200-zero-k15",    VL_SQ_4,  200,  17,   5,  15, 0, DATA_ZERO_ROWS },
  { "sq8/d17-n300-wide-k10",    VL_SQ_8,  300,  17,   5,  10, 0, DATA_WIDE },
  { "sq4/d17-n300-wide-k10",    VL_SQ_4,  300,  17,   5,  10, 0, DATA_WIDE },
  { "sq8/d17-n9000-k300",       VL_SQ_8, 9000,  17,   3, 300, 0, DATA_UNIFORM },
  { "sq4/d17-n2500-k2048",      VL_SQ_4, 2500,  17,   2, 2048, 0, DATA_UNIFORM },
  /* 32 queries and more take the cpu backend's sgemm path. */
  { "sq4/d17-n3000-nq40-dup-k500", VL_SQ_4, 3000, 17,  40, 500, 0, DATA_DUPLICATES },
  { "sq8/d33-n5000-nq64-zero-k50", VL_SQ_8, 5000, 33,  64,  50, 3, DATA_ZERO_ROWS },
  { "sq8/d769-n300-k10",        VL_SQ_8,  300, 769,  40,  10, 0, DATA_UNIFORM },
  { "sq4/d769-n300-k10",        VL_SQ_4,  300, 769,  40,  10, 0, DATA_UNIFORM },
  { "sq4/d769-n200-strided-k3", VL_SQ_4,  200, 769,   4,   3, 7, DATA_ZERO_ROWS },
  /* SQ8 with d a multiple of 4 and up to 32 queries: OpenCL's one-pass
   * scan over the codes (blocks of 1, 4 and 16 queries). */
  { "sq8/d768-n3000-nq1-k10",   VL_SQ_8, 3000, 768,   1,  10, 0, DATA_UNIFORM },
  { "sq8/d64-n5000-nq20-dup-k30", VL_SQ_8, 5000, 64, 20,  30, 2, DATA_DUPLICATES },
  { "sq8/d32-n4000-nq3-zero-k128", VL_SQ_8, 4000, 32,  3, 128, 0, DATA_ZERO_ROWS },
  { "sq8/d16-n900-nq7-const-k9", VL_SQ_8,  900,  16,   7,   9, 0, DATA_CONST_DIMS },
  /* On NVIDIA tensor cores, 2 or more queries' inner products over rows
   * of whole 16-byte cells take knn_scan_mma.cl's SQ8 pass (as do the
   * d64 and d16 cases above): here over several steps of a row. */
  { "sq8/d384-n4000-nq6-k16",   VL_SQ_8, 4000, 384,   6,  16, 0, DATA_UNIFORM },
  /* sq8_scan.cl (1 to 4 queries): rows of d neither a multiple of 128
   * nor of 16 (a team's last column pass is partial, for d 36 even its
   * first), databases ending in part of a round, k from 1 to the largest
   * it takes (the work-group size, 128 in the built-in tunings), ties,
   * and enough rounds a group that its lists are cut during the pass. */
  { "sq8/d36-n1000-nq1-k1",     VL_SQ_8, 1000,  36,   1,   1, 0, DATA_UNIFORM },
  { "sq8/d36-n9000-nq1-dup-k128", VL_SQ_8, 9000, 36,  1, 128, 0, DATA_DUPLICATES },
  { "sq8/d36-n333-nq4-dup-k1",  VL_SQ_8,  333,  36,   4,   1, 0, DATA_DUPLICATES },
  { "sq8/d200-n777-nq3-k128",   VL_SQ_8,  777, 200,   3, 128, 3, DATA_UNIFORM },
  { "sq8/d200-n9999-nq4-zero-k100", VL_SQ_8, 9999, 200, 4, 100, 0, DATA_ZERO_ROWS },
  { "sq8/d200-n1001-nq1-const-k7", VL_SQ_8, 1001, 200, 1,  7, 0, DATA_CONST_DIMS },
};

static const VlMetric metrics[] = { VL_METRIC_L2, VL_METRIC_IP,
                                    VL_METRIC_COSINE };

static void
fill_data (const SqCase *c, VlMatrix *x, VlMatrix *q)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed ((guint32) (c->n * 31 + c->d
                                                            + c->kind * 7
                                                            + c->type));
  float lo = c->kind == DATA_ZERO_ROWS ? 0.0f : -1.0f;

  vl_test_matrix_fill (x, rand, lo, 1.0f);
  vl_test_matrix_fill (q, rand, lo, 1.0f);
  if (c->kind == DATA_CONST_DIMS)
    for (size_t r = 0; r < c->n; r++)
      for (size_t i = 0; i < c->d; i += 3)
        vl_test_row (x, r)[i] = 0.25f;
  if (c->kind == DATA_DUPLICATES)
    {
      for (size_t r = 5; r < c->n; r++)
        memcpy (vl_test_row (x, r), vl_test_row (x, r % 5),
                c->d * sizeof (float));
      memcpy (vl_test_row (q, 0), vl_test_row (x, 0), c->d * sizeof (float));
    }
  if (c->kind == DATA_ZERO_ROWS)
    {
      vl_test_matrix_zero_row (q, 0);
      for (size_t r = 0; r < c->n; r += 7)
        vl_test_matrix_zero_row (x, r);
    }
  if (c->kind == DATA_WIDE)
    for (size_t r = c->n / 2; r < c->n; r++)
      for (size_t i = 0; i < c->d; i++)
        vl_test_row (x, r)[i] *= 3.0f;
}

static unsigned
level_at (VlSqType type, const uint8_t *row, size_t i)
{
  if (type == VL_SQ_8)
    return row[i];
  return (row[i / 2] >> (4 * (i & 1))) & 0xfu;
}

/* Encodes and decodes on @ctx; checks codes against @ref_codes, and the
 * round trip against @x. */
static gboolean
check_codec (const SqCase *c, VlSqCodec *codec, const VlMatrix *x,
             const uint8_t *codes, const uint8_t *ref_codes,
             const float *min, const float *max)
{
  VlContext *ref = vl_test_context ("ref");
  size_t cs = vl_sq_codec_get_code_size (codec);
  unsigned levels = c->type == VL_SQ_8 ? 255 : 15;
  size_t off_by_one = 0;
  VlMatrix out = vl_test_matrix_new (c->n, c->d, c->d + c->pad);
  VlMatrix want = vl_test_matrix_new (c->n, c->d, c->d);
  VlSqCodec *ref_codec = vl_sq_codec_new (ref, c->type, c->d, min, max, NULL);
  VlError *error = NULL;
  gboolean ok = FALSE;

  for (size_t r = 0; r < c->n; r++)
    {
      if (c->type == VL_SQ_4 && c->d % 2 == 1
          && (codes[r * cs + cs - 1] & 0xf0) != 0)
        {
          g_test_fail_printf ("row %zu: the unused high nibble is not 0", r);
          goto out;
        }
      for (size_t i = 0; i < c->d; i++)
        {
          int a = (int) level_at (c->type, codes + r * cs, i);
          int b = (int) level_at (c->type, ref_codes + r * cs, i);

          if (abs (a - b) > 1)
            {
              g_test_fail_printf ("row %zu dim %zu: level %d, ref %d", r, i,
                                  a, b);
              goto out;
            }
          off_by_one += a != b;
        }
    }
  if (off_by_one > c->n * c->d / 100 + 1)
    {
      g_test_fail_printf ("%zu levels differ from ref by one", off_by_one);
      goto out;
    }

  if (!vl_test_check_ok (vl_sq_decode (codec, codes, c->n * cs, &out, &error),
                         error)
      || !vl_test_check_ok (vl_sq_decode (ref_codec, codes, c->n * cs, &want,
                                          &error), error))
    goto out;
  for (size_t r = 0; r < c->n; r++)
    for (size_t i = 0; i < c->d; i++)
      {
        double got = vl_test_row (&out, r)[i], exp = vl_test_row (&want, r)[i];
        double step = ((double) max[i] - min[i]) / levels;
        double clamped = fmin (fmax (vl_test_row (x, r)[i], min[i]), max[i]);

        if (!vl_test_check_close (got, exp, fabs (min[i]) + fabs (max[i]),
                                  "decoded row %zu dim %zu", r, i))
          goto out;
        /* One level off moves a value by a step; 1e-5 absorbs rounding. */
        if (fabs (got - clamped) > 1.5 * step + 1e-5)
          {
            g_test_fail_printf ("row %zu dim %zu: %g decodes to %g (step %g)",
                                r, i, clamped, got, step);
            goto out;
          }
        if (min[i] == max[i] && got != min[i])
          {
            g_test_fail_printf ("constant dim %zu decodes to %g, not %g", i,
                                got, min[i]);
            goto out;
          }
      }
  ok = TRUE;
out:
  vl_sq_codec_free (ref_codec);
  vl_test_matrix_free (&out);
  vl_test_matrix_free (&want);
  return ok;
}

/* Searches @codes on the device and on ref and compares by value. */
static gboolean
check_search (const SqCase *c, VlMetric metric, VlSqCodec *codec,
              VlSqCodec *ref_codec, const VlMatrix *x, const VlMatrix *q,
              const uint8_t *codes)
{
  VlContext *ref = vl_test_context ("ref");
  size_t cs = vl_sq_codec_get_code_size (codec), k = c->k;
  VlSqIndex *index = NULL, *ref_index = NULL, *floats = NULL;
  VlMatrix decoded = vl_test_matrix_new (c->n, c->d, c->d);
  VlMatrix full = vl_test_matrix_new (c->nq, c->n, c->n);
  g_autofree int64_t *ids = g_new (int64_t, c->nq * k);
  g_autofree int64_t *ids2 = g_new (int64_t, c->nq * k);
  g_autofree int64_t *ref_ids = g_new (int64_t, c->nq * k);
  g_autofree float *scores = g_new (float, c->nq * k);
  g_autofree float *scores2 = g_new (float, c->nq * k);
  g_autofree float *ref_scores = g_new (float, c->nq * k);
  g_autofree guint8 *seen = g_new0 (guint8, c->n);
  gboolean similarity = vl_metric_is_similarity (metric);
  double xmax = 0.0;
  VlError *error = NULL;
  gboolean ok = FALSE;

  index = vl_sq_index_new (codec, metric, codes, c->n, c->n * cs, &error);
  if (!vl_test_check_ok (index != NULL ? VL_STATUS_OK : error->status, error))
    goto out;
  ref_index = vl_sq_index_new (ref_codec, metric, codes, c->n, c->n * cs,
                               &error);
  if (!vl_test_check_ok (ref_index != NULL ? VL_STATUS_OK : error->status,
                         error))
    goto out;
  floats = vl_sq_index_new_from_floats (codec, metric, x, &error);
  if (!vl_test_check_ok (floats != NULL ? VL_STATUS_OK : error->status, error))
    goto out;
  if (!vl_test_check_ok (vl_sq_index_search (index, q, k, ids, scores,
                                             &error), error)
      || !vl_test_check_ok (vl_sq_index_search (floats, q, k, ids2, scores2,
                                                &error), error)
      || !vl_test_check_ok (vl_sq_index_search (ref_index, q, k, ref_ids,
                                                ref_scores, &error), error)
      || !vl_test_check_ok (vl_sq_decode (ref_codec, codes, c->n * cs,
                                          &decoded, &error), error)
      || !vl_test_check_ok (vl_distance_matrix (ref, metric, q, &decoded,
                                                &full, &error), error))
    goto out;

  /* The same codes on the same device: the same answer, exactly. */
  if (memcmp (ids, ids2, c->nq * k * sizeof *ids) != 0
      || memcmp (scores, scores2, c->nq * k * sizeof *scores) != 0)
    {
      g_test_fail_printf ("an index built from floats answers differently "
                          "from one built from the same codes");
      goto out;
    }

  for (size_t j = 0; j < c->n; j++)
    xmax = MAX (xmax, vl_test_row_norm (&decoded, j));
  for (size_t i = 0; i < c->nq; i++)
    {
      const int64_t *row_ids = ids + i * k;
      const float *row_scores = scores + i * k;
      double mag = vl_test_score_magnitude (metric, vl_test_row_norm (q, i),
                                            xmax);
      double kth = ref_scores[i * k + k - 1];

      for (size_t r = 0; r < k; r++)
        {
          int64_t id = row_ids[r];
          double oracle;

          if (id < 0 || (size_t) id >= c->n || seen[id])
            {
              g_test_fail_printf ("query %zu rank %zu: id %" G_GINT64_FORMAT
                                  " is out of range or repeated", i, r, id);
              goto out;
            }
          seen[id] = 1;
          oracle = vl_test_row (&full, i)[id];
          if (r > 0 && (similarity ? row_scores[r] > row_scores[r - 1]
                                   : row_scores[r] < row_scores[r - 1]))
            {
              g_test_fail_printf ("query %zu: results are not sorted at rank "
                                  "%zu", i, r);
              goto out;
            }
          if (r > 0 && row_scores[r] == row_scores[r - 1]
              && row_ids[r] < row_ids[r - 1])
            {
              g_test_fail_printf ("query %zu: a tie at rank %zu is not by "
                                  "lower id", i, r);
              goto out;
            }
          if (!vl_test_check_close (row_scores[r], ref_scores[i * k + r], mag,
                                    "query %zu rank %zu score", i, r)
              || !vl_test_check_close (row_scores[r], oracle, mag,
                                       "query %zu id %" G_GINT64_FORMAT
                                       " score", i, id))
            goto out;
          if (similarity ? oracle < kth && !vl_test_close (oracle, kth, mag)
                         : oracle > kth && !vl_test_close (oracle, kth, mag))
            {
              g_test_fail_printf ("query %zu: id %" G_GINT64_FORMAT " scores "
                                  "%g, outside ref's top-k (k-th %g)", i, id,
                                  oracle, kth);
              goto out;
            }
        }
      for (size_t r = 0; r < k; r++)
        seen[row_ids[r]] = 0;
    }
  ok = TRUE;
out:
  vl_sq_index_free (index);
  vl_sq_index_free (ref_index);
  vl_sq_index_free (floats);
  vl_test_matrix_free (&decoded);
  vl_test_matrix_free (&full);
  return ok;
}

static void
test_case (const VlTestRun *run)
{
  const SqCase *c = run->data;
  VlContext *ctx = vl_test_context (run->device);
  VlContext *ref = vl_test_context ("ref");
  VlMatrix x = vl_test_matrix_new (c->n, c->d, c->d + c->pad);
  VlMatrix q = vl_test_matrix_new (c->nq, c->d, c->d + c->pad);
  VlMatrix sample;
  VlSqCodec *codec = NULL, *ref_codec = NULL, *loaded = NULL;
  g_autofree float *min = g_new (float, c->d);
  g_autofree float *max = g_new (float, c->d);
  g_autofree float *ref_min = g_new (float, c->d);
  g_autofree float *ref_max = g_new (float, c->d);
  g_autofree uint8_t *codes = NULL, *ref_codes = NULL, *loaded_codes = NULL;
  VlError *error = NULL;
  size_t cs;

  fill_data (c, &x, &q);
  sample = x;
  if (c->kind == DATA_WIDE)
    sample.rows = c->n / 2;

  codec = vl_sq_train (ctx, c->type, &sample, &error);
  if (!vl_test_check_ok (codec != NULL ? VL_STATUS_OK : error->status, error))
    goto out;
  ref_codec = vl_sq_train (ref, c->type, &sample, &error);
  if (!vl_test_check_ok (ref_codec != NULL ? VL_STATUS_OK : error->status,
                         error))
    goto out;
  cs = vl_sq_codec_get_code_size (codec);
  g_assert_cmpuint (cs, ==, c->type == VL_SQ_8 ? c->d : (c->d + 1) / 2);
  g_assert_cmpuint (vl_sq_codec_get_dim (codec), ==, c->d);
  g_assert_cmpint (vl_sq_codec_get_sq_type (codec), ==, c->type);

  if (!vl_test_check_ok (vl_sq_codec_get_range (codec, min, max, &error), error)
      || !vl_test_check_ok (vl_sq_codec_get_range (ref_codec, ref_min, ref_max,
                                                   &error), error))
    goto out;
  if (memcmp (min, ref_min, c->d * sizeof *min) != 0
      || memcmp (max, ref_max, c->d * sizeof *max) != 0)
    {
      g_test_fail_printf ("trained ranges differ from ref's");
      goto out;
    }

  codes = g_malloc (c->n * cs);
  ref_codes = g_malloc (c->n * cs);
  loaded_codes = g_malloc (c->n * cs);
  if (!vl_test_check_ok (vl_sq_encode (codec, &x, codes, c->n * cs, &error),
                         error)
      || !vl_test_check_ok (vl_sq_encode (ref_codec, &x, ref_codes, c->n * cs,
                                          &error), error)
      || !check_codec (c, codec, &x, codes, ref_codes, min, max))
    goto out;

  /* Saved ranges give the same codec. */
  loaded = vl_sq_codec_new (ctx, c->type, c->d, min, max, &error);
  if (!vl_test_check_ok (loaded != NULL ? VL_STATUS_OK : error->status, error)
      || !vl_test_check_ok (vl_sq_encode (loaded, &x, loaded_codes, c->n * cs,
                                          &error), error))
    goto out;
  if (memcmp (codes, loaded_codes, c->n * cs) != 0)
    {
      g_test_fail_printf ("a codec rebuilt from its ranges encodes "
                          "differently");
      goto out;
    }

  for (size_t m = 0; m < G_N_ELEMENTS (metrics); m++)
    if (!check_search (c, metrics[m], codec, ref_codec, &x, &q, codes))
      {
        g_test_message ("metric %s", vl_metric_to_string (metrics[m]));
        break;
      }
out:
  vl_sq_codec_free (codec);
  vl_sq_codec_free (ref_codec);
  vl_sq_codec_free (loaded);
  vl_test_matrix_free (&x);
  vl_test_matrix_free (&q);
}

/* min = (0, -2, 5), max = (1, 2, 5): dimension 2 is constant. */
static void
test_hand_worked (const VlTestRun *run)
{
  VlContext *ctx = vl_test_context (run->device);
  float sample_data[] = { 0.0f, 0.0f, 5.0f, 1.0f, 2.0f, 5.0f,
                          0.5f, -2.0f, 5.0f };
  float x_data[] = { 0.5f, 0.0f, 5.0f, 2.0f, -3.0f, 7.0f };
  VlMatrix sample = vl_matrix_f32 (sample_data, 3, 3);
  VlMatrix x = vl_matrix_f32 (x_data, 2, 3);
  static const uint8_t want8[] = { 128, 128, 0, 255, 0, 0 };
  static const uint8_t want4[] = { 0x88, 0x00, 0x0f, 0x00 };
  float out_data[6];
  VlMatrix out = vl_matrix_f32 (out_data, 2, 3);
  uint8_t codes[6];
  VlError *error = NULL;
  VlSqCodec *sq8 = vl_sq_train (ctx, VL_SQ_8, &sample, NULL);
  VlSqCodec *sq4 = vl_sq_train (ctx, VL_SQ_4, &sample, NULL);

  g_assert_nonnull (sq8);
  g_assert_nonnull (sq4);
  if (vl_test_check_ok (vl_sq_encode (sq8, &x, codes, 6, &error), error)
      && memcmp (codes, want8, 6) != 0)
    g_test_fail_printf ("SQ8 codes %u %u %u %u %u %u", codes[0], codes[1],
                        codes[2], codes[3], codes[4], codes[5]);
  if (vl_test_check_ok (vl_sq_decode (sq8, want8, 6, &out, &error), error))
    {
      vl_test_check_close (out_data[0], 128.0 / 255.0, 1.0, "SQ8 dim 0");
      vl_test_check_close (out_data[1], -2.0 + 128.0 * 4.0 / 255.0, 1.0,
                           "SQ8 dim 1");
      vl_test_check_close (out_data[2], 5.0, 0.0, "SQ8 constant dim");
      vl_test_check_close (out_data[3], 1.0, 1.0, "SQ8 clamped high");
      vl_test_check_close (out_data[4], -2.0, 1.0, "SQ8 clamped low");
    }
  if (vl_test_check_ok (vl_sq_encode (sq4, &x, codes, 4, &error), error)
      && memcmp (codes, want4, 4) != 0)
    g_test_fail_printf ("SQ4 codes %02x %02x %02x %02x", codes[0], codes[1],
                        codes[2], codes[3]);
  if (vl_test_check_ok (vl_sq_decode (sq4, want4, 4, &out, &error), error))
    {
      vl_test_check_close (out_data[0], 8.0 / 15.0, 1.0, "SQ4 dim 0");
      vl_test_check_close (out_data[1], -2.0 + 8.0 * 4.0 / 15.0, 1.0,
                           "SQ4 dim 1");
      vl_test_check_close (out_data[2], 5.0, 0.0, "SQ4 constant dim");
    }
  vl_sq_codec_free (sq8);
  vl_sq_codec_free (sq4);
}

/* The call is sequenced before @error is read. */
#define EXPECT(call, status) \
  G_STMT_START { \
    VlStatus got_; \
    error = NULL; \
    got_ = (call); \
    vl_test_check_error (got_, error, (status)); \
  } G_STMT_END
#define EXPECT_NULL(call, status) EXPECT (failed ((call), &error), status)

/* A constructor's failure as a status, so EXPECT can judge it. */
static VlStatus
failed (void *object, VlError **error)
{
  if (object != NULL)
    {
      g_test_fail_printf ("a constructor succeeded on bad input");
      return VL_STATUS_OK;
    }
  return *error != NULL ? (*error)->status : VL_STATUS_OK;
}

static void
test_bad_input (const VlTestRun *run)
{
  VlContext *ctx = vl_test_context (run->device);
  float data[4 * 3] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };
  float nan_data[4 * 3];
  float min[3] = { 0, 0, 0 }, max[3] = { 1, 1, 1 };
  VlMatrix x = vl_matrix_f32 (data, 4, 3), bad;
  VlMatrix x2 = vl_matrix_f32 (data, 3, 4);
  VlMatrix out;
  float out_data[4 * 4];
  uint8_t codes[16];
  int64_t ids[8];
  float scores[8];
  VlError *error;
  VlSqCodec *codec = vl_sq_train (ctx, VL_SQ_4, &x, NULL);
  VlSqIndex *index;

  g_assert_nonnull (codec);
  memcpy (nan_data, data, sizeof data);
  nan_data[7] = NAN;
  bad = vl_matrix_f32 (nan_data, 4, 3);

  /* Training and saved ranges. */
  EXPECT_NULL (vl_sq_train (NULL, VL_SQ_8, &x, &error),
               VL_STATUS_INVALID_ARGUMENT);
  EXPECT_NULL (vl_sq_train (ctx, VL_SQ_8, NULL, &error),
               VL_STATUS_INVALID_ARGUMENT);
  EXPECT_NULL (vl_sq_train (ctx, (VlSqType) 7, &x, &error),
               VL_STATUS_INVALID_ARGUMENT);
  EXPECT_NULL (vl_sq_train (ctx, VL_SQ_8, &bad, &error),
               VL_STATUS_NON_FINITE);
  EXPECT_NULL (vl_sq_codec_new (ctx, VL_SQ_8, 0, min, max, &error),
               VL_STATUS_INVALID_ARGUMENT);
  EXPECT_NULL (vl_sq_codec_new (ctx, VL_SQ_8, 3, NULL, max, &error),
               VL_STATUS_INVALID_ARGUMENT);
  max[1] = -1.0f;
  EXPECT_NULL (vl_sq_codec_new (ctx, VL_SQ_8, 3, min, max, &error),
               VL_STATUS_INVALID_ARGUMENT);
  max[1] = INFINITY;
  EXPECT_NULL (vl_sq_codec_new (ctx, VL_SQ_8, 3, min, max, &error),
               VL_STATUS_NON_FINITE);
  EXPECT (vl_sq_codec_get_range (NULL, min, max, &error),
          VL_STATUS_INVALID_ARGUMENT);
  EXPECT (vl_sq_codec_get_range (codec, NULL, max, &error),
          VL_STATUS_INVALID_ARGUMENT);

  /* Encode: d = 3, SQ4 rows are 2 bytes. */
  EXPECT (vl_sq_encode (NULL, &x, codes, 8, &error),
          VL_STATUS_INVALID_ARGUMENT);
  EXPECT (vl_sq_encode (codec, NULL, codes, 8, &error),
          VL_STATUS_INVALID_ARGUMENT);
  EXPECT (vl_sq_encode (codec, &x, NULL, 8, &error),
          VL_STATUS_INVALID_ARGUMENT);
  EXPECT (vl_sq_encode (codec, &x, codes, 7, &error),
          VL_STATUS_SHAPE_MISMATCH);
  EXPECT (vl_sq_encode (codec, &x, codes, 12, &error),
          VL_STATUS_SHAPE_MISMATCH);
  EXPECT (vl_sq_encode (codec, &x2, codes, 6, &error),
          VL_STATUS_SHAPE_MISMATCH);
  EXPECT (vl_sq_encode (codec, &bad, codes, 8, &error),
          VL_STATUS_NON_FINITE);

  /* Decode. */
  out = vl_matrix_f32 (out_data, 4, 3);
  g_assert_cmpint (vl_sq_encode (codec, &x, codes, 8, NULL), ==,
                   VL_STATUS_OK);
  EXPECT (vl_sq_decode (codec, NULL, 8, &out, &error),
          VL_STATUS_INVALID_ARGUMENT);
  EXPECT (vl_sq_decode (codec, codes, 8, NULL, &error),
          VL_STATUS_INVALID_ARGUMENT);
  EXPECT (vl_sq_decode (codec, codes, 9, &out, &error),
          VL_STATUS_SHAPE_MISMATCH);
  out = vl_matrix_f32 (out_data, 4, 4);
  EXPECT (vl_sq_decode (codec, codes, 8, &out, &error),
          VL_STATUS_SHAPE_MISMATCH);
  out = vl_matrix_f32 (out_data, 4, 3);
  out.dtype = VL_DTYPE_U8;
  EXPECT (vl_sq_decode (codec, codes, 8, &out, &error),
          VL_STATUS_INVALID_ARGUMENT);

  /* Indexes and search. */
  EXPECT_NULL (vl_sq_index_new (NULL, VL_METRIC_L2, codes, 4, 8, &error),
               VL_STATUS_INVALID_ARGUMENT);
  EXPECT_NULL (vl_sq_index_new (codec, VL_METRIC_L2, NULL, 4, 8, &error),
               VL_STATUS_INVALID_ARGUMENT);
  EXPECT_NULL (vl_sq_index_new (codec, VL_METRIC_L2, codes, 0, 0, &error),
               VL_STATUS_INVALID_ARGUMENT);
  EXPECT_NULL (vl_sq_index_new (codec, VL_METRIC_L2, codes, 4, 12, &error),
               VL_STATUS_SHAPE_MISMATCH);
  EXPECT_NULL (vl_sq_index_new (codec, (VlMetric) 9, codes, 4, 8, &error),
               VL_STATUS_INVALID_ARGUMENT);
  EXPECT_NULL (vl_sq_index_new_from_floats (codec, VL_METRIC_L2, &bad,
                                            &error),
               VL_STATUS_NON_FINITE);
  EXPECT_NULL (vl_sq_index_new_from_floats (codec, VL_METRIC_L2, &x2,
                                            &error),
               VL_STATUS_SHAPE_MISMATCH);

  index = vl_sq_index_new (codec, VL_METRIC_COSINE, codes, 4, 8, NULL);
  g_assert_nonnull (index);
  g_assert_cmpuint (vl_sq_index_get_size (index), ==, 4);
  g_assert_cmpuint (vl_sq_index_get_dim (index), ==, 3);
  EXPECT (vl_sq_index_search (NULL, &x, 1, ids, scores, &error),
          VL_STATUS_INVALID_ARGUMENT);
  EXPECT (vl_sq_index_search (index, NULL, 1, ids, scores, &error),
          VL_STATUS_INVALID_ARGUMENT);
  EXPECT (vl_sq_index_search (index, &x, 0, ids, scores, &error),
          VL_STATUS_INVALID_ARGUMENT);
  EXPECT (vl_sq_index_search (index, &x, 5, ids, scores, &error),
          VL_STATUS_INVALID_ARGUMENT);
  EXPECT (vl_sq_index_search (index, &x, 1, NULL, scores, &error),
          VL_STATUS_INVALID_ARGUMENT);
  EXPECT (vl_sq_index_search (index, &x2, 1, ids, scores, &error),
          VL_STATUS_SHAPE_MISMATCH);
  EXPECT (vl_sq_index_search (index, &bad, 1, ids, scores, &error),
          VL_STATUS_NON_FINITE);
  vl_sq_index_free (index);

  /* k beyond VL_MAX_K on an index large enough to allow it otherwise. */
  {
    size_t n = VL_MAX_K + 1;
    g_autofree uint8_t *many = g_malloc0 (n * 2);
    g_autofree int64_t *many_ids = g_new (int64_t, 4 * n);
    g_autofree float *many_scores = g_new (float, 4 * n);

    index = vl_sq_index_new (codec, VL_METRIC_L2, many, n, n * 2, NULL);
    g_assert_nonnull (index);
    EXPECT (vl_sq_index_search (index, &x, n, many_ids, many_scores, &error),
            VL_STATUS_INVALID_ARGUMENT);
    vl_sq_index_free (index);
  }

  /* The index holds its own copies: the codec may go first. */
  index = vl_sq_index_new (codec, VL_METRIC_COSINE, codes, 4, 8, NULL);
  g_assert_nonnull (index);
  vl_sq_codec_free (codec);
  error = NULL;
  vl_test_check_ok (vl_sq_index_search (index, &x, 2, ids, scores, &error),
                    error);
  vl_sq_index_free (index);
}

static void
test_type_names (const VlTestRun *run)
{
  VlSqType type;

  g_assert_cmpstr (vl_sq_type_to_string (VL_SQ_8), ==, "sq8");
  g_assert_cmpstr (vl_sq_type_to_string (VL_SQ_4), ==, "sq4");
  g_assert_true (vl_sq_type_from_string ("sq4", &type));
  g_assert_cmpint (type, ==, VL_SQ_4);
  g_assert_false (vl_sq_type_from_string ("sq2", &type));
}

int
main (int argc, char **argv)
{
  vl_test_init (&argc, &argv);
  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strconcat ("/vectorlab/sq/", cases[i].name,
                                           NULL);

      vl_test_add (path, &cases[i], test_case);
    }
  vl_test_add ("/vectorlab/sq/hand-worked", NULL, test_hand_worked);
  vl_test_add ("/vectorlab/sq/bad-input", NULL, test_bad_input);
  vl_test_add_ref ("/vectorlab/sq/type-names", NULL, test_type_names);
  return vl_test_run ();
}
