/* test-neural.c: neural quantisation: every backend against ref (encode
 * codes within one step, scales and decoded values within tolerance, the
 * row API equal to the flat decode), the PCA fit recovering a planted
 * low-rank subspace, and rejected input. */
#include "vl-test-util.h"

#include <math.h>
#include <string.h>

typedef struct
{
  const char *name;
  size_t      n, d, m, pad;
} NeuralCase;

static const NeuralCase cases[] = {
  { "d1-m1",            5,   1,   1,  0 },
  { "d17-m5",         100,  17,   5,  0 },
  { "d17-m17-strided", 77,  17,  17,  9 },
  { "d769-m128",      300, 769, 128, 31 },
  { "d768-m64-n4099", 4099, 768, 64,  0 },
  { "d384-m1",         33, 384,   1,  0 },
};

typedef struct
{
  float *w_enc, *b_enc, *w_dec, *b_dec;
} Weights;

static void
weights_random (Weights *w, size_t d, size_t m, GRand *rand)
{
  w->w_enc = g_new (float, m * d);
  w->b_enc = g_new (float, m);
  w->w_dec = g_new (float, d * m);
  w->b_dec = g_new (float, d);
  for (size_t i = 0; i < m * d; i++)
    {
      w->w_enc[i] = (float) g_rand_double_range (rand, -1.0, 1.0);
      w->w_dec[i] = (float) g_rand_double_range (rand, -1.0, 1.0);
    }
  /* A positive encoder bias keeps some activations alive after the ReLU,
   * a few negative ones make it clip. */
  for (size_t j = 0; j < m; j++)
    w->b_enc[j] = (float) g_rand_double_range (rand, -0.5, 2.0);
  for (size_t i = 0; i < d; i++)
    w->b_dec[i] = (float) g_rand_double_range (rand, -1.0, 1.0);
}

static void
weights_clear (Weights *w)
{
  g_free (w->w_enc);
  g_free (w->b_enc);
  g_free (w->w_dec);
  g_free (w->b_dec);
}

static void
test_case (const VlTestRun *run)
{
  const NeuralCase *c = run->data;
  g_autoptr (GRand) rand = g_rand_new_with_seed ((guint32) (c->d * 31 + c->m));
  VlContext *ctx = vl_test_context (run->device), *ref = vl_test_context ("ref");
  VlMatrix x = vl_test_matrix_new (c->n, c->d, c->d + c->pad);
  VlMatrix got = vl_test_matrix_new (c->n, c->d, c->d + c->pad + 3);
  VlMatrix want = vl_test_matrix_new (c->n, c->d, c->d);
  g_autofree uint8_t *codes = g_new (uint8_t, c->n * c->m);
  g_autofree uint8_t *ref_codes = g_new (uint8_t, c->n * c->m);
  g_autofree float *scales = g_new (float, c->n);
  g_autofree float *ref_scales = g_new (float, c->n);
  g_autofree float *row = g_new (float, c->d);
  VlNeuralModel *model = NULL, *ref_model = NULL;
  VlError *error = NULL;
  Weights w;

  weights_random (&w, c->d, c->m, rand);
  vl_test_matrix_fill (&x, rand, -1.0f, 1.0f);
  /* One component that always clips. */
  w.b_enc[0] = -1e6f;
  model = vl_neural_model_new (ctx, c->d, c->m, w.w_enc, w.b_enc, w.w_dec,
                               w.b_dec, &error);
  if (!vl_test_check_ok (model ? VL_STATUS_OK : error->status, error))
    goto out;
  error = NULL;
  ref_model = vl_neural_model_new (ref, c->d, c->m, w.w_enc, w.b_enc, w.w_dec,
                                   w.b_dec, &error);
  if (!vl_test_check_ok (ref_model ? VL_STATUS_OK : error->status, error))
    goto out;
  g_assert_cmpuint (vl_neural_model_get_dim (model), ==, c->d);
  g_assert_cmpuint (vl_neural_model_get_latent_dim (model), ==, c->m);

  if (!vl_test_check_ok (vl_neural_encode (model, &x, codes, scales, &error),
                         error)
      || !vl_test_check_ok (vl_neural_encode (ref_model, &x, ref_codes,
                                              ref_scales, &error), error))
    goto out;
  for (size_t r = 0; r < c->n; r++)
    {
      if (!vl_test_check_close (scales[r], ref_scales[r], 0.0, "scale %zu", r))
        goto out;
      for (size_t j = 0; j < c->m; j++)
        if (abs ((int) codes[r * c->m + j] - (int) ref_codes[r * c->m + j]) > 1)
          {
            g_test_fail_printf ("code (%zu, %zu) is %u, ref %u", r, j,
                                codes[r * c->m + j], ref_codes[r * c->m + j]);
            goto out;
          }
    }

  /* Decode ref's codes on both, so that a one-step code difference does not
   * show up as a decoding error. */
  if (!vl_test_check_ok (vl_neural_decode (model, ref_codes, ref_scales, &got,
                                           &error), error)
      || !vl_test_check_ok (vl_neural_decode (ref_model, ref_codes, ref_scales,
                                              &want, &error), error))
    goto out;
  for (size_t r = 0; r < c->n; r++)
    for (size_t i = 0; i < c->d; i++)
      {
        double mag = fabs (w.b_dec[i]);

        for (size_t j = 0; j < c->m; j++)
          mag += fabs (w.w_dec[i * c->m + j]) * ref_codes[r * c->m + j]
                 * ref_scales[r];
        if (!vl_test_check_close (vl_test_row (&got, r)[i],
                                  vl_test_row (&want, r)[i], mag,
                                  "decoded (%zu, %zu)", r, i))
          goto out;
      }
  /* The row API gives the flat decode's row. */
  if (!vl_test_check_ok (vl_neural_decode_row (model, ref_codes + (c->n - 1) * c->m,
                                               ref_scales[c->n - 1], row,
                                               &error), error))
    goto out;
  for (size_t i = 0; i < c->d; i++)
    if (!vl_test_check_close (row[i], vl_test_row (&got, c->n - 1)[i], 1.0,
                              "row API element %zu", i))
      goto out;

out:
  vl_neural_model_free (model);
  vl_neural_model_free (ref_model);
  weights_clear (&w);
  vl_test_matrix_free (&x);
  vl_test_matrix_free (&got);
  vl_test_matrix_free (&want);
}

typedef struct
{
  const char *name;
  size_t      n, d, rank, m;
  double      max_rel_mse;  /* MSE / mean squared deviation of the data */
  double      min_rel_mse;
} FitCase;

static const FitCase fit_cases[] = {
  /* m >= rank: only the 8-bit rounding of the codes remains. */
  { "d64-r8-m8",    2000,  64, 8,  8, 1e-3, 0.0 },
  { "d64-r8-m16",   2000,  64, 8, 16, 1e-3, 0.0 },
  { "d769-r20-m64", 1500, 769, 20, 64, 1e-3, 0.0 },
  /* m < rank: the dropped components' variance must show. */
  { "d64-r8-m4",    2000,  64, 8,  4, 1.0, 0.05 },
  { "d1-r1-m1",      100,   1, 1,  1, 1e-3, 0.0 },
};

static void
test_fit (const VlTestRun *run)
{
  const FitCase *c = run->data;
  g_autoptr (GRand) rand = g_rand_new_with_seed ((guint32) (c->d + c->rank));
  VlContext *ctx = vl_test_context (run->device);
  VlMatrix x = vl_test_matrix_new (c->n, c->d, c->d + 5);
  VlMatrix y = vl_test_matrix_new (c->n, c->d, c->d);
  g_autofree float *basis = g_new (float, c->rank * c->d);
  g_autofree float *offset = g_new (float, c->d);
  g_autofree uint8_t *codes = g_new (uint8_t, c->n * c->m);
  g_autofree float *scales = g_new (float, c->n);
  VlNeuralModel *model;
  VlError *error = NULL;
  double err = 0.0, var = 0.0;

  /* x = offset + sum_k z_k sigma_k b_k with decaying sigma, a planted
   * rank-r subspace away from the origin. */
  for (size_t i = 0; i < c->rank * c->d; i++)
    basis[i] = (float) g_rand_double_range (rand, -1.0, 1.0);
  for (size_t i = 0; i < c->d; i++)
    offset[i] = (float) g_rand_double_range (rand, 2.0, 3.0);
  for (size_t r = 0; r < c->n; r++)
    {
      float *row = vl_test_row (&x, r);

      memcpy (row, offset, c->d * sizeof (float));
      for (size_t k = 0; k < c->rank; k++)
        {
          float z = (float) (g_rand_double_range (rand, -1.0, 1.0)
                             / (1.0 + k));

          for (size_t i = 0; i < c->d; i++)
            row[i] += z * basis[k * c->d + i];
        }
    }

  model = vl_neural_model_fit (ctx, &x, c->m, &error);
  if (!vl_test_check_ok (model ? VL_STATUS_OK : error->status, error))
    goto out;
  if (!vl_test_check_ok (vl_neural_encode (model, &x, codes, scales, &error), error)
      || !vl_test_check_ok (vl_neural_decode (model, codes, scales, &y, &error), error))
    goto out;
  for (size_t r = 0; r < c->n; r++)
    for (size_t i = 0; i < c->d; i++)
      {
        double a = vl_test_row (&x, r)[i], b = vl_test_row (&y, r)[i];
        double mean = 0.0;

        err += (a - b) * (a - b);
        mean = offset[i];
        var += (a - mean) * (a - mean);
      }
  err /= var;
  if (err > c->max_rel_mse || err < c->min_rel_mse)
    g_test_fail_printf ("relative reconstruction MSE %g is outside "
                        "[%g, %g]", err, c->min_rel_mse, c->max_rel_mse);
  g_test_message ("relative MSE %g", err);
  vl_neural_model_free (model);
out:
  vl_test_matrix_free (&x);
  vl_test_matrix_free (&y);
}

/* Hand-worked: W_e = [[1, 0], [0, 1], [1, 1]], no biases, W_d = W_e^T. */
static void
test_hand (const VlTestRun *run)
{
  VlContext *ctx = vl_test_context (run->device);
  const float we[6] = { 1, 0, 0, 1, 1, 1 }, be[3] = { 0, 0, 0 };
  const float wd[6] = { 1, 0, 1, 0, 1, 1 }, bd[2] = { 0.5f, -0.5f };
  float xs[4] = { 1, 2, -1, -3 }, out[4], scales[2];
  uint8_t codes[6];
  VlMatrix x = vl_matrix_f32 (xs, 2, 2), o = vl_matrix_f32 (out, 2, 2);
  VlError *error = NULL;
  VlNeuralModel *model = vl_neural_model_new (ctx, 2, 3, we, be, wd, bd,
                                              &error);

  if (!vl_test_check_ok (model ? VL_STATUS_OK : error->status, error))
    return;
  if (vl_test_check_ok (vl_neural_encode (model, &x, codes, scales, &error), error)
      && vl_test_check_ok (vl_neural_decode (model, codes, scales, &o, &error), error))
    {
      /* h = (1, 2, 3): max 3, codes 85, 170, 255. */
      g_assert_cmpuint (codes[0], ==, 85);
      g_assert_cmpuint (codes[1], ==, 170);
      g_assert_cmpuint (codes[2], ==, 255);
      vl_test_check_close (scales[0], 3.0 / 255.0, 0.0, "scale 0");
      vl_test_check_close (out[0], 0.5 + 1 + 3, 1.0, "out 0");
      vl_test_check_close (out[1], -0.5 + 2 + 3, 1.0, "out 1");
      /* Every activation clipped: codes 0, scale 0, output b_d. */
      g_assert_cmpuint (codes[3] | codes[4] | codes[5], ==, 0);
      g_assert_cmpfloat (scales[1], ==, 0.0f);
      g_assert_cmpfloat (out[2], ==, 0.5f);
      g_assert_cmpfloat (out[3], ==, -0.5f);
    }
  vl_neural_model_free (model);
}

/* A model from a weight registry decodes as the one from the same arrays;
 * wrong shapes and missing tensors are named. */
static void
test_from_weights (const VlTestRun *run)
{
  VlContext *ctx = vl_test_context (run->device);
  g_autoptr (GRand) rand = g_rand_new_with_seed (7);
  const size_t d = 17, m = 5, n = 9;
  VlWeightsShape vec_m = { 1, { m }, VL_DTYPE_F32 };
  VlWeightsShape row_d = vl_weights_shape_2d (1, d);
  VlWeightsShape enc = vl_weights_shape_2d (m, d), dec = vl_weights_shape_2d (d, m);
  VlWeights *weights = NULL;
  VlNeuralModel *a = NULL, *b = NULL;
  VlMatrix x = vl_test_matrix_new (n, d, d);
  float got[9 * 17], want[9 * 17], scales[9];
  VlMatrix gm = vl_matrix_f32 (got, n, d), wm = vl_matrix_f32 (want, n, d);
  uint8_t codes[9 * 5];
  VlError *error = NULL;
  Weights w;

  weights_random (&w, d, m, rand);
  vl_test_matrix_fill (&x, rand, -1.0f, 1.0f);
  weights = vl_weights_new (ctx, &error);
  if (!vl_test_check_ok (weights ? VL_STATUS_OK : error->status, error))
    goto out;
  if (!vl_test_check_ok (vl_weights_set (weights, "nq.w_enc", &enc, w.w_enc, &error), error)
      || !vl_test_check_ok (vl_weights_set (weights, "nq.b_enc", &vec_m, w.b_enc, &error), error)
      || !vl_test_check_ok (vl_weights_set (weights, "nq.w_dec", &dec, w.w_dec, &error), error)
      || !vl_test_check_ok (vl_weights_set (weights, "nq.b_dec", &row_d, w.b_dec, &error), error))
    goto out;
  a = vl_neural_model_new_from_weights (ctx, weights, "nq.", &error);
  if (!vl_test_check_ok (a ? VL_STATUS_OK : error->status, error))
    goto out;
  b = vl_neural_model_new (ctx, d, m, w.w_enc, w.b_enc, w.w_dec, w.b_dec,
                           &error);
  if (!vl_test_check_ok (b ? VL_STATUS_OK : error->status, error))
    goto out;
  if (!vl_test_check_ok (vl_neural_encode (b, &x, codes, scales, &error), error)
      || !vl_test_check_ok (vl_neural_decode (a, codes, scales, &gm, &error), error)
      || !vl_test_check_ok (vl_neural_decode (b, codes, scales, &wm, &error), error))
    goto out;
  g_assert_cmpmem (got, sizeof got, want, sizeof want);

  /* The decoder stored transposed, then missing. */
  if (!vl_test_check_ok (vl_weights_set (weights, "nq.w_dec", &enc, w.w_enc, &error), error))
    goto out;
  g_assert_null (vl_neural_model_new_from_weights (ctx, weights, "nq.", &error));
  g_assert_nonnull (strstr (error->message, "nq.w_dec"));
  vl_test_check_error (error->status, error, VL_STATUS_SHAPE_MISMATCH);
  error = NULL;
  g_assert_null (vl_neural_model_new_from_weights (ctx, weights, NULL, &error));
  g_assert_nonnull (strstr (error->message, "w_enc"));
  vl_test_check_error (error->status, error, VL_STATUS_INVALID_ARGUMENT);

out:
  vl_neural_model_free (a);
  vl_neural_model_free (b);
  vl_weights_free (weights);
  weights_clear (&w);
  vl_test_matrix_free (&x);
}

/* Evaluates @call before reading the error it set. */
#define EXPECT(call, expected)                              \
  do {                                                      \
      VlStatus status_ = (call);                            \
      vl_test_check_error (status_, error, (expected));     \
      error = NULL;                                         \
  } while (0)

static void
test_errors (const VlTestRun *run)
{
  VlContext *ctx = vl_test_context (run->device);
  float w[6] = { 1, 0, 0, 1, 0.5f, 0.5f }, b[3] = { 0, 0, 0 };
  float xs[6] = { 1, 2, 3, 4, 5, 6 }, out[6], scales[3] = { 1, 1, 1 };
  uint8_t codes[9] = { 0 };
  VlMatrix x = vl_matrix_f32 (xs, 3, 2), o = vl_matrix_f32 (out, 3, 2);
  VlMatrix wide = vl_matrix_f32 (xs, 2, 3);
  VlNeuralModel *model;
  VlError *error = NULL;

  /* Model creation. */
  g_assert_null (vl_neural_model_new (NULL, 2, 3, w, b, w, b, &error));
  vl_test_check_error (error->status, error, VL_STATUS_INVALID_ARGUMENT);
  error = NULL;
  g_assert_null (vl_neural_model_new (ctx, 2, 0, w, b, w, b, &error));
  vl_test_check_error (error->status, error, VL_STATUS_INVALID_ARGUMENT);
  error = NULL;
  g_assert_null (vl_neural_model_new (ctx, 2, 3, NULL, b, w, b, &error));
  vl_test_check_error (error->status, error, VL_STATUS_INVALID_ARGUMENT);
  error = NULL;
  w[2] = NAN;
  g_assert_null (vl_neural_model_new (ctx, 2, 3, w, b, w, b, &error));
  g_assert_nonnull (strstr (error->message, "encoder weights"));
  vl_test_check_error (error->status, error, VL_STATUS_NON_FINITE);
  error = NULL;
  w[2] = 0;

  /* Fit. */
  g_assert_null (vl_neural_model_fit (ctx, &x, 3, &error));
  vl_test_check_error (error->status, error, VL_STATUS_INVALID_ARGUMENT);
  error = NULL;
  g_assert_null (vl_neural_model_fit (ctx, &x, 0, &error));
  vl_test_check_error (error->status, error, VL_STATUS_INVALID_ARGUMENT);
  error = NULL;
  {
    VlMatrix one = vl_matrix_f32 (xs, 1, 2);

    g_assert_null (vl_neural_model_fit (ctx, &one, 1, &error));
    vl_test_check_error (error->status, error, VL_STATUS_INVALID_ARGUMENT);
    error = NULL;
  }
  xs[3] = INFINITY;
  g_assert_null (vl_neural_model_fit (ctx, &x, 1, &error));
  vl_test_check_error (error->status, error, VL_STATUS_NON_FINITE);
  error = NULL;
  xs[3] = 4;

  model = vl_neural_model_new (ctx, 2, 3, w, b, w, b, &error);
  if (!vl_test_check_ok (model ? VL_STATUS_OK : error->status, error))
    return;
  error = NULL;

  /* Encode. */
  EXPECT (vl_neural_encode (NULL, &x, codes, scales, &error), VL_STATUS_INVALID_ARGUMENT);
  EXPECT (vl_neural_encode (model, &wide, codes, scales, &error), VL_STATUS_SHAPE_MISMATCH);
  EXPECT (vl_neural_encode (model, &x, NULL, scales, &error), VL_STATUS_INVALID_ARGUMENT);
  EXPECT (vl_neural_encode (model, &x, codes, NULL, &error), VL_STATUS_INVALID_ARGUMENT);
  xs[5] = NAN;
  EXPECT (vl_neural_encode (model, &x, codes, scales, &error), VL_STATUS_NON_FINITE);
  xs[5] = 6;

  /* Decode. */
  EXPECT (vl_neural_decode (model, codes, scales, &wide, &error), VL_STATUS_SHAPE_MISMATCH);
  EXPECT (vl_neural_decode (model, NULL, scales, &o, &error), VL_STATUS_INVALID_ARGUMENT);
  scales[1] = NAN;
  EXPECT (vl_neural_decode (model, codes, scales, &o, &error), VL_STATUS_NON_FINITE);
  scales[1] = -1.0f;
  EXPECT (vl_neural_decode (model, codes, scales, &o, &error), VL_STATUS_INVALID_ARGUMENT);
  scales[1] = 1.0f;
  EXPECT (vl_neural_decode_row (model, codes, 1.0f, NULL, &error), VL_STATUS_INVALID_ARGUMENT);
  vl_test_check_ok (vl_neural_decode (model, codes, scales, &o, &error), error);
  vl_neural_model_free (model);
}

int
main (int argc, char **argv)
{
  vl_test_init (&argc, &argv);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/neural/encode-decode/%s",
                                               cases[i].name);

      vl_test_add (path, &cases[i], test_case);
    }
  for (guint i = 0; i < G_N_ELEMENTS (fit_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/neural/fit/%s",
                                               fit_cases[i].name);

      vl_test_add (path, &fit_cases[i], test_fit);
    }
  vl_test_add ("/neural/hand", NULL, test_hand);
  vl_test_add ("/neural/from-weights", NULL, test_from_weights);
  vl_test_add ("/neural/errors", NULL, test_errors);
  return vl_test_run ();
}
