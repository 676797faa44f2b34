/* vl-neural.c: the neural quantisation front end: validates every argument
 * once, clears the breakdown and dispatches to the backend's table. */
#include "vl-neural-private.h"
#include "vl-validate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static VlStatus
check_ops (VlContext *ctx, VlError **error)
{
  VL_TRY (vl_check_context (ctx, error));
  if (ctx->backend->neural == NULL)
    return vl_set_error (error, VL_STATUS_UNSUPPORTED,
                         "device %s has no neural quantisation",
                         ctx->device.id);
  return VL_STATUS_OK;
}

static VlStatus
check_weights (const float *w, size_t rows, size_t cols, const char *what,
               VlError **error)
{
  VlMatrix view;

  if (w == NULL)
    return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT, "%s is NULL",
                         what);
  view = vl_matrix_f32 ((float *) w, rows, cols);
  return vl_check_finite (&view, what, error);
}

static VlNeuralModel *
model_alloc (VlContext *ctx, size_t d, size_t m, VlError **error)
{
  VlNeuralModel *model;

  if (m > SIZE_MAX / sizeof (float) / d)
    {
      vl_set_error (error, VL_STATUS_INVALID_ARGUMENT,
                    "neural model %zu -> %zu is too large to address", d, m);
      return NULL;
    }
  model = calloc (1, sizeof *model);
  if (model == NULL)
    {
      vl_set_error (error, VL_STATUS_OUT_OF_MEMORY, "out of memory");
      return NULL;
    }
  model->ctx = ctx;
  model->d = d;
  model->m = m;
  model->w_enc = malloc (m * d * sizeof (float));
  model->b_enc = malloc (m * sizeof (float));
  model->w_dec = malloc (d * m * sizeof (float));
  model->b_dec = malloc (d * sizeof (float));
  if (model->w_enc == NULL || model->b_enc == NULL || model->w_dec == NULL
      || model->b_dec == NULL)
    {
      vl_neural_model_free (model);
      vl_set_error (error, VL_STATUS_OUT_OF_MEMORY,
                    "out of memory for a %zu -> %zu neural model", d, m);
      return NULL;
    }
  return model;
}

static VlNeuralModel *
model_init (VlNeuralModel *model, VlError **error)
{
  VlContext *ctx = model->ctx;

  memset (&ctx->breakdown, 0, sizeof ctx->breakdown);
  if (ctx->backend->neural->model_init (model, error) != VL_STATUS_OK)
    {
      vl_neural_model_free (model);
      return NULL;
    }
  return model;
}

VlNeuralModel *
vl_neural_model_new (VlContext *ctx, size_t d, size_t m, const float *w_enc,
                     const float *b_enc, const float *w_dec,
                     const float *b_dec, VlError **error)
{
  VlNeuralModel *model;

  if (check_ops (ctx, error) != VL_STATUS_OK)
    return NULL;
  if (d == 0 || m == 0)
    {
      vl_set_error (error, VL_STATUS_INVALID_ARGUMENT,
                    "neural model %zu -> %zu has a zero dimension", d, m);
      return NULL;
    }
  if ((model = model_alloc (ctx, d, m, error)) == NULL)
    return NULL;
  if (check_weights (w_enc, m, d, "encoder weights", error) != VL_STATUS_OK
      || check_weights (b_enc, 1, m, "encoder bias", error) != VL_STATUS_OK
      || check_weights (w_dec, d, m, "decoder weights", error) != VL_STATUS_OK
      || check_weights (b_dec, 1, d, "decoder bias", error) != VL_STATUS_OK)
    {
      vl_neural_model_free (model);
      return NULL;
    }
  memcpy (model->w_enc, w_enc, m * d * sizeof (float));
  memcpy (model->b_enc, b_enc, m * sizeof (float));
  memcpy (model->w_dec, w_dec, d * m * sizeof (float));
  memcpy (model->b_dec, b_dec, d * sizeof (float));
  return model_init (model, error);
}

/* Reads tensor @prefix@suffix of @rows x @cols floats into @dst.  A
 * vector (@rows == 1) may be stored 1-D or as one row. */
static VlStatus
read_tensor (VlWeights *weights, const char *prefix, const char *suffix,
             size_t rows, size_t cols, float *dst, VlError **error)
{
  char name[VL_WEIGHTS_MAX_NAME + 1];
  VlWeightsShape shape, want = vl_weights_shape_2d (rows, cols);
  VlStatus status;
  int len = snprintf (name, sizeof name, "%s%s", prefix ? prefix : "",
                      suffix);

  if (len < 0 || (size_t) len >= sizeof name)
    return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT,
                         "tensor name prefix '%s' is too long", prefix);
  if (rows == 1 && vl_weights_get_shape (weights, name, &shape, NULL) == VL_STATUS_OK
      && shape.n_dims == 1)
    {
      want.n_dims = 1;
      want.dims[0] = cols;
      want.dims[1] = 0;
    }
  if ((status = vl_weights_check (weights, name, &want, error)) != VL_STATUS_OK)
    return status;
  return vl_weights_read (weights, name, dst, rows * cols * sizeof (float),
                          error);
}

VlNeuralModel *
vl_neural_model_new_from_weights (VlContext *ctx, VlWeights *weights,
                                  const char *prefix, VlError **error)
{
  char name[VL_WEIGHTS_MAX_NAME + 1];
  VlWeightsShape shape;
  VlNeuralModel *model;

  if (check_ops (ctx, error) != VL_STATUS_OK)
    return NULL;
  if (weights == NULL)
    {
      vl_set_error (error, VL_STATUS_INVALID_ARGUMENT, "weights are NULL");
      return NULL;
    }
  /* The encoder's shape gives m and d; the other tensors must agree. */
  snprintf (name, sizeof name, "%sw_enc", prefix ? prefix : "");
  if (vl_weights_get_shape (weights, name, &shape, error) != VL_STATUS_OK)
    return NULL;
  if (shape.n_dims != 2 || shape.dtype != VL_DTYPE_F32 || shape.dims[0] == 0
      || shape.dims[1] == 0)
    {
      vl_set_error (error, VL_STATUS_SHAPE_MISMATCH,
                    "tensor '%s': expected f32 [m, d], found a %zu-D %s "
                    "tensor", name, shape.n_dims,
                    shape.dtype == VL_DTYPE_F32 ? "f32" : "u8");
      return NULL;
    }
  if ((model = model_alloc (ctx, shape.dims[1], shape.dims[0], error)) == NULL)
    return NULL;
  if (read_tensor (weights, prefix, "w_enc", model->m, model->d, model->w_enc, error) != VL_STATUS_OK
      || read_tensor (weights, prefix, "b_enc", 1, model->m, model->b_enc, error) != VL_STATUS_OK
      || read_tensor (weights, prefix, "w_dec", model->d, model->m, model->w_dec, error) != VL_STATUS_OK
      || read_tensor (weights, prefix, "b_dec", 1, model->d, model->b_dec, error) != VL_STATUS_OK)
    {
      vl_neural_model_free (model);
      return NULL;
    }
  return model_init (model, error);
}

VlNeuralModel *
vl_neural_model_fit (VlContext *ctx, const VlMatrix *sample, size_t m,
                     VlError **error)
{
  VlNeuralModel *model;

  if (check_ops (ctx, error) != VL_STATUS_OK
      || vl_check_matrix (sample, "sample", error) != VL_STATUS_OK)
    return NULL;
  if (sample->rows < 2)
    {
      vl_set_error (error, VL_STATUS_INVALID_ARGUMENT,
                    "sample has %zu row, the fit needs at least 2",
                    sample->rows);
      return NULL;
    }
  if (m == 0 || m > sample->cols)
    {
      vl_set_error (error, VL_STATUS_INVALID_ARGUMENT,
                    "latent size %zu is out of range 1..%zu (the sample's "
                    "dimensions)", m, sample->cols);
      return NULL;
    }
  if (vl_check_finite (sample, "sample", error) != VL_STATUS_OK
      || (model = model_alloc (ctx, sample->cols, m, error)) == NULL)
    return NULL;
  if (vl_neural_fit_pca (sample, m, model->w_enc, model->b_enc, model->w_dec,
                         model->b_dec, error) != VL_STATUS_OK)
    {
      vl_neural_model_free (model);
      return NULL;
    }
  return model_init (model, error);
}

void
vl_neural_model_free (VlNeuralModel *model)
{
  if (model == NULL)
    return;
  if (model->priv != NULL)
    model->ctx->backend->neural->model_free (model);
  free (model->w_enc);
  free (model->b_enc);
  free (model->w_dec);
  free (model->b_dec);
  free (model);
}

size_t
vl_neural_model_get_dim (const VlNeuralModel *model)
{
  return model != NULL ? model->d : 0;
}

size_t
vl_neural_model_get_latent_dim (const VlNeuralModel *model)
{
  return model != NULL ? model->m : 0;
}

void
vl_neural_model_get_weights (const VlNeuralModel *model, const float **w_enc,
                             const float **b_enc, const float **w_dec,
                             const float **b_dec)
{
  if (w_enc != NULL)
    *w_enc = model != NULL ? model->w_enc : NULL;
  if (b_enc != NULL)
    *b_enc = model != NULL ? model->b_enc : NULL;
  if (w_dec != NULL)
    *w_dec = model != NULL ? model->w_dec : NULL;
  if (b_dec != NULL)
    *b_dec = model != NULL ? model->b_dec : NULL;
}

static VlStatus
check_model (VlNeuralModel *model, VlError **error)
{
  if (model == NULL)
    return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT,
                         "neural model is NULL");
  return VL_STATUS_OK;
}

VlStatus
vl_neural_encode (VlNeuralModel *model, const VlMatrix *x, uint8_t *codes,
                  float *scales, VlError **error)
{
  VL_TRY (check_model (model, error));
  VL_TRY (vl_check_matrix (x, "input", error));
  if (x->cols != model->d)
    return vl_set_error (error, VL_STATUS_SHAPE_MISMATCH,
                         "input is %zu x %zu, the model encodes %zu "
                         "dimensions", x->rows, x->cols, model->d);
  if (codes == NULL)
    return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT, "codes are NULL");
  if (scales == NULL)
    return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT,
                         "scales are NULL");
  if (x->rows > SIZE_MAX / model->m)
    return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT,
                         "%zu x %zu codes are too large to address", x->rows,
                         model->m);
  VL_TRY (vl_check_finite (x, "input", error));

  memset (&model->ctx->breakdown, 0, sizeof model->ctx->breakdown);
  return model->ctx->backend->neural->encode (model, x, codes, scales, error);
}

VlStatus
vl_neural_decode (VlNeuralModel *model, const uint8_t *codes,
                  const float *scales, VlMatrix *out, VlError **error)
{
  VL_TRY (check_model (model, error));
  VL_TRY (vl_check_matrix (out, "output", error));
  if (out->cols != model->d)
    return vl_set_error (error, VL_STATUS_SHAPE_MISMATCH,
                         "output is %zu x %zu, the model decodes %zu "
                         "dimensions", out->rows, out->cols, model->d);
  if (codes == NULL)
    return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT, "codes are NULL");
  if (scales == NULL)
    return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT,
                         "scales are NULL");
  if (out->rows > SIZE_MAX / model->m)
    return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT,
                         "%zu x %zu codes are too large to address",
                         out->rows, model->m);
  for (size_t i = 0; i < out->rows; i++)
    if (!isfinite (scales[i]))
      return vl_set_error (error, VL_STATUS_NON_FINITE, "scale %zu is %s", i,
                           isnan (scales[i]) ? "NaN" : "infinite");
    else if (scales[i] < 0.0f)
      return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT,
                           "scale %zu is %g, expected >= 0", i,
                           (double) scales[i]);

  memset (&model->ctx->breakdown, 0, sizeof model->ctx->breakdown);
  return model->ctx->backend->neural->decode (model, codes, scales, out,
                                              error);
}

VlStatus
vl_neural_decode_row (VlNeuralModel *model, const uint8_t *codes,
                      float scale, float *out, VlError **error)
{
  VlMatrix view;

  VL_TRY (check_model (model, error));
  if (out == NULL)
    return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT,
                         "output is NULL");
  view = vl_matrix_f32 (out, 1, model->d);
  return vl_neural_decode (model, codes, &scale, &view, error);
}
