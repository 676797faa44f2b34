/* vl-verify-neural.c: neural quantisation against ref. */
#include "vl-verify-neural.h"

#include <math.h>

#include "vl-verify-private.h"

typedef struct
{
  float *w_enc, *b_enc, *w_dec, *b_dec;
} Weights;

static void
weights_clear (Weights *w)
{
  g_free (w->w_enc);
  g_free (w->b_enc);
  g_free (w->w_dec);
  g_free (w->b_dec);
}

static float *
uniform (GRand *rand, gsize n, double lo, double hi)
{
  float *v = g_new (float, n);

  for (gsize i = 0; i < n; i++)
    v[i] = (float) g_rand_double_range (rand, lo, hi);
  return v;
}

char *
vl_verify_neural_describe (const VlVerifyCase *self)
{
  return g_strdup_printf ("n=%zu d=%zu m=%zu", self->rows, self->d, self->k);
}

gboolean
vl_verify_neural_encode (const VlVerifyCase *self, VlContext *device,
                         VlContext *ref, GRand *rand, double *value,
                         char **problem, GError **error)
{
  gsize n = self->rows, d = self->d, m = self->k;
  g_autofree float *x = uniform (rand, n * d, -1.0, 1.0);
  g_autofree uint8_t *codes = g_new (uint8_t, n * m);
  g_autofree uint8_t *ref_codes = g_new (uint8_t, n * m);
  g_autofree float *scales = g_new (float, n);
  g_autofree float *ref_scales = g_new (float, n);
  Weights w = { uniform (rand, m * d, -1.0, 1.0), uniform (rand, m, -0.5, 2.0),
                uniform (rand, d * m, -1.0, 1.0), uniform (rand, d, -1.0, 1.0) };
  VlMatrix xm = vl_matrix_f32 (x, n, d);
  VlNeuralModel *model = NULL, *ref_model = NULL;
  VlError *vl_error = NULL;
  gboolean ok = FALSE;

  if ((model = vl_neural_model_new (device, d, m, w.w_enc, w.b_enc, w.w_dec,
                                    w.b_dec, &vl_error)) == NULL
      || vl_neural_encode (model, &xm, codes, scales, &vl_error) != VL_STATUS_OK)
    {
      vl_verify_op_failed (device, vl_error, error);
      goto out;
    }
  if ((ref_model = vl_neural_model_new (ref, d, m, w.w_enc, w.b_enc, w.w_dec,
                                        w.b_dec, &vl_error)) == NULL
      || vl_neural_encode (ref_model, &xm, ref_codes, ref_scales,
                           &vl_error) != VL_STATUS_OK)
    {
      vl_verify_op_failed (ref, vl_error, error);
      goto out;
    }
  *value = 0.0;
  for (gsize r = 0; r < n; r++)
    *value = MAX (*value, vl_verify_rel_error (scales[r], ref_scales[r]));
  for (gsize i = 0; i < n * m && *problem == NULL; i++)
    if (ABS ((int) codes[i] - (int) ref_codes[i]) > 1)
      *problem = g_strdup_printf ("code %zu of row %zu is %u, ref %u",
                                  i % m, i / m, codes[i], ref_codes[i]);
  ok = TRUE;
out:
  vl_neural_model_free (model);
  vl_neural_model_free (ref_model);
  weights_clear (&w);
  return ok;
}

gboolean
vl_verify_neural_decode (const VlVerifyCase *self, VlContext *device,
                         VlContext *ref, GRand *rand, double *value,
                         char **problem, GError **error)
{
  gsize n = self->rows, d = self->d, m = self->k;
  g_autofree float *x = uniform (rand, n * d, -1.0, 1.0);
  g_autofree float *out = g_new (float, n * d);
  g_autofree float *expect = g_new (float, n * d);
  g_autofree uint8_t *codes = g_new (uint8_t, n * m);
  g_autofree float *scales = g_new (float, n);
  VlMatrix xm = vl_matrix_f32 (x, n, d);
  VlMatrix om = vl_matrix_f32 (out, n, d), em = vl_matrix_f32 (expect, n, d);
  VlNeuralModel *model = NULL, *ref_model = NULL;
  const float *we, *be, *wd, *bd;
  VlError *vl_error = NULL;
  gboolean ok = FALSE;

  if ((ref_model = vl_neural_model_fit (ref, &xm, m, &vl_error)) == NULL
      || vl_neural_encode (ref_model, &xm, codes, scales, &vl_error) != VL_STATUS_OK
      || vl_neural_decode (ref_model, codes, scales, &em, &vl_error) != VL_STATUS_OK)
    {
      vl_verify_op_failed (ref, vl_error, error);
      goto out;
    }
  vl_neural_model_get_weights (ref_model, &we, &be, &wd, &bd);
  if ((model = vl_neural_model_new (device, d, m, we, be, wd, bd,
                                    &vl_error)) == NULL
      || vl_neural_decode (model, codes, scales, &om, &vl_error) != VL_STATUS_OK)
    {
      vl_verify_op_failed (device, vl_error, error);
      goto out;
    }
  *value = 0.0;
  for (gsize i = 0; i < n * d; i++)
    *value = MAX (*value, vl_verify_rel_error (out[i], expect[i]));
  ok = TRUE;
out:
  vl_neural_model_free (model);
  vl_neural_model_free (ref_model);
  return ok;
}
