/* vl-ref-neural.c: the scalar oracle of neural quantisation: one row at a
 * time, dot products in double, the weights read straight from the model's
 * host copy. */
#include "vl-neural-private.h"

#include <stdlib.h>

static VlStatus
ref_model_init (VlNeuralModel *model, VlError **error)
{
  return VL_STATUS_OK;
}

static void
ref_model_free (VlNeuralModel *model)
{
}

static VlStatus
ref_encode (VlNeuralModel *model, const VlMatrix *x, uint8_t *codes,
            float *scales, VlError **error)
{
  size_t d = model->d, m = model->m;
  float *h = malloc (m * sizeof *h);

  if (h == NULL)
    return vl_set_error (error, VL_STATUS_OUT_OF_MEMORY, "out of memory");
  for (size_t r = 0; r < x->rows; r++)
    {
      const float *row = vl_row_f32 (x, r);

      for (size_t j = 0; j < m; j++)
        {
          const float *w = model->w_enc + j * d;
          double s = model->b_enc[j];

          for (size_t i = 0; i < d; i++)
            s += (double) w[i] * (double) row[i];
          h[j] = s > 0.0 ? (float) s : 0.0f;
        }
      scales[r] = vl_neural_quantise_row (h, m, codes + r * m);
    }
  free (h);
  return VL_STATUS_OK;
}

static VlStatus
ref_decode (VlNeuralModel *model, const uint8_t *codes, const float *scales,
            VlMatrix *out, VlError **error)
{
  size_t d = model->d, m = model->m;

  for (size_t r = 0; r < out->rows; r++)
    {
      const uint8_t *c = codes + r * m;
      float *dst = vl_row_f32_mut (out, r);

      for (size_t i = 0; i < d; i++)
        {
          const float *w = model->w_dec + i * m;
          double s = 0.0;

          for (size_t j = 0; j < m; j++)
            s += (double) w[j] * (double) c[j];
          dst[i] = (float) (s * scales[r] + model->b_dec[i]);
        }
    }
  return VL_STATUS_OK;
}

const VlNeuralOps vl_ref_neural_ops = {
  .model_init = ref_model_init,
  .model_free = ref_model_free,
  .encode = ref_encode,
  .decode = ref_decode,
};
