/* vl-neural-private.h: the neural quantisation family's backend table and
 * the model as the front end (vl-neural.c) and the backends share it. */
#pragma once

#include "vl-private.h"
#include "vl-neural.h"

struct _VlNeuralModel
{
  VlContext *ctx;
  size_t     d;
  size_t     m;
  float     *w_enc;  /* m x d */
  float     *b_enc;  /* m */
  float     *w_dec;  /* d x m */
  float     *b_dec;  /* d */
  void      *priv;   /* backend copy of the weights and scratch */
};

/* Every entry gets validated arguments and fills ctx->breakdown (zeroed by
 * the front end). */
struct _VlNeuralOps
{
  /* Prepares model->priv from the host weights (already set). */
  VlStatus (*model_init) (VlNeuralModel *model, VlError **error);
  /* Frees model->priv; must accept NULL priv. */
  void     (*model_free) (VlNeuralModel *model);
  /* codes: x->rows x m bytes; scales: x->rows floats. */
  VlStatus (*encode) (VlNeuralModel *model, const VlMatrix *x,
                      uint8_t *codes, float *scales, VlError **error);
  /* out->rows vectors from contiguous codes and scales. */
  VlStatus (*decode) (VlNeuralModel *model, const uint8_t *codes,
                      const float *scales, VlMatrix *out, VlError **error);
};

extern const VlNeuralOps vl_ref_neural_ops;
extern const VlNeuralOps vl_cpu_neural_ops;
#ifdef VL_HAVE_OPENCL
extern const VlNeuralOps vl_opencl_neural_ops;
#endif

/* The PCA fit (vl-neural-fit.c): fills the four weight arrays of a model
 * of latent size m from @sample. */
VlStatus vl_neural_fit_pca (const VlMatrix *sample, size_t m, float *w_enc,
                            float *b_enc, float *w_dec, float *b_dec,
                            VlError **error);

/* The quantisation rule of vl-neural.h for one row of m activations
 * (ReLU already applied): shared so that every host backend rounds the
 * same way. */
static inline float
vl_neural_quantise_row (const float *h, size_t m, uint8_t *codes)
{
  float part[8] = { 0 }, max = 0.0f, inv;
  size_t m8 = m - m % 8;

  /* Eight running maxima, so that the loop is not one long dependency
   * chain and vectorises; the maximum is the same in any order. */
  for (size_t b = 0; b < m8; b += 8)
    for (size_t u = 0; u < 8; u++)
      part[u] = h[b + u] > part[u] ? h[b + u] : part[u];
  for (size_t t = m8; t < m; t++)
    max = h[t] > max ? h[t] : max;
  for (size_t u = 0; u < 8; u++)
    max = part[u] > max ? part[u] : max;
  if (max <= 0.0f)
    {
      for (size_t j = 0; j < m; j++)
        codes[j] = 0;
      return 0.0f;
    }
  inv = 255.0f / max;
  for (size_t j = 0; j < m; j++)
    {
      float q = h[j] * inv + 0.5f;

      codes[j] = q >= 255.0f ? 255 : (uint8_t) q;
    }
  return max / 255.0f;
}
