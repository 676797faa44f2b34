/* vl-opencl-neural.c: neural quantisation on OpenCL.  The weights live on
 * the device for the model's lifetime; both GEMMs run on distance.cl's
 * tiled inner-product kernel and neural.cl does the rest.  Encoding and
 * decoding stream their rows through the model's VlOpenclStream (pinned
 * staging on a GPU, made on first use and kept), in chunks whose scratch
 * fits VL_OPENCL_SCRATCH_FLOATS, all from the context's buffer pool, so a
 * call allocates nothing per row, and nothing at all once the pool is
 * warm. */
#include "vl-opencl-stream.h"
#include "vl-neural-private.h"

#include <stdlib.h>

typedef struct
{
  cl_mem w_enc;      /* m x d */
  cl_mem b_enc;      /* m */
  cl_mem w_dec;      /* d x (m + 1): W_d with b_d as its last column */
  VlOpenclStream stream;  /* up == NULL until the first encode or decode */
} OpenclNeural;

static VlStatus
ocl_model_init (VlNeuralModel *model, VlError **error)
{
  VlContext *ctx = model->ctx;
  size_t d = model->d, m = model->m, k = m + 1;
  OpenclNeural *p = calloc (1, sizeof *p);
  float *w_dec = NULL;
  VlStatus status;

  if (p == NULL)
    return vl_set_error (error, VL_STATUS_OUT_OF_MEMORY, "out of memory");
  model->priv = p;
  VL_OPENCL_TRY (vl_opencl_check_dims (m, d, "encoder weights", error));
  VL_OPENCL_TRY (vl_opencl_check_dims (d, k, "decoder weights", error));
  if ((w_dec = malloc (d * k * sizeof *w_dec)) == NULL)
    {
      status = vl_set_error (error, VL_STATUS_OUT_OF_MEMORY,
                             "out of memory for a %zu -> %zu neural model",
                             d, m);
      goto out;
    }
  for (size_t i = 0; i < d; i++)
    {
      for (size_t j = 0; j < m; j++)
        w_dec[i * k + j] = model->w_dec[i * m + j];
      w_dec[i * k + m] = model->b_dec[i];
    }
  VL_OPENCL_TRY (vl_opencl_buffer_get (ctx, m * d * sizeof (float), &p->w_enc, "encoder weights", error));
  VL_OPENCL_TRY (vl_opencl_buffer_get (ctx, m * sizeof (float), &p->b_enc, "encoder bias", error));
  VL_OPENCL_TRY (vl_opencl_buffer_get (ctx, d * k * sizeof (float), &p->w_dec, "decoder weights", error));
  VL_OPENCL_TRY (vl_opencl_upload (ctx, p->w_enc, m * d * sizeof (float), model->w_enc, error));
  VL_OPENCL_TRY (vl_opencl_upload (ctx, p->b_enc, m * sizeof (float), model->b_enc, error));
  VL_OPENCL_TRY (vl_opencl_upload (ctx, p->w_dec, d * k * sizeof (float), w_dec, error));
out:
  /* The uploads read w_dec until the queue drains. */
  status = vl_opencl_finish (ctx, status, error);
  free (w_dec);
  return status;
}

static void
ocl_model_free (VlNeuralModel *model)
{
  OpenclNeural *p = model->priv;

  vl_opencl_stream_clear (&p->stream);
  vl_opencl_buffer_put (model->ctx, p->w_enc);
  vl_opencl_buffer_put (model->ctx, p->b_enc);
  vl_opencl_buffer_put (model->ctx, p->w_dec);
  free (p);
  model->priv = NULL;
}

/* The most rows a chunk may have: the widest scratch row is @width
 * floats. */
static size_t
chunk_rows (size_t n, size_t width)
{
  size_t rows = VL_OPENCL_SCRATCH_FLOATS / width;

  rows = rows > 0 ? rows : 1;
  return rows < n ? rows : n;
}

/* What a chunk of encode or decode needs besides its streamed buffers. */
typedef struct
{
  OpenclNeural *p;
  size_t        d, m;
  cl_kernel     kernel;   /* neural_quantise or neural_unpack */
  size_t        wg;
  cl_mem        scratch;  /* activations, or latents */
} NeuralChunk;

static VlStatus
ensure_stream (VlNeuralModel *model, VlError **error)
{
  OpenclNeural *p = model->priv;

  if (p->stream.up != NULL)
    return VL_STATUS_OK;
  return vl_opencl_stream_init (&p->stream, model->ctx, true, error);
}

/* x -> activations -> codes and scales. */
static VlStatus
encode_chunk (VlContext *ctx, size_t r0, size_t rows, const cl_mem *in,
              cl_mem *out, void *data, VlError **error)
{
  const NeuralChunk *c = data;
  size_t global = rows * c->wg, wg = c->wg;
  cl_uint a_m = (cl_uint) c->m;
  VlStatus status;

  (void) r0;
  if ((status = vl_opencl_distance_tile (ctx, VL_METRIC_IP, in[0], 0, rows,
                                         c->p->w_enc, 0, c->m, c->d, NULL,
                                         NULL, c->scratch, c->m, error))
      != VL_STATUS_OK
      || (status = vl_opencl_set_args (c->kernel, error,
                                       sizeof c->scratch, &c->scratch,
                                       sizeof a_m, &a_m,
                                       sizeof c->p->b_enc, &c->p->b_enc,
                                       sizeof out[0], &out[0],
                                       sizeof out[1], &out[1],
                                       (size_t) 0)) != VL_STATUS_OK)
    return status;
  return vl_opencl_enqueue_kernel (ctx, c->kernel, 1, &global, &wg, error);
}

static VlStatus
ocl_encode (VlNeuralModel *model, const VlMatrix *x, uint8_t *codes,
            float *scales, VlError **error)
{
  VlContext *ctx = model->ctx;
  size_t n = x->rows, d = model->d, m = model->m;
  size_t cr = chunk_rows (n, d > m ? d : m);
  NeuralChunk c = { model->priv, d, m, NULL, 0, NULL };
  VlOpenclStreamPort in = {
    x->data, d * sizeof (float), x->stride * sizeof (float)
  };
  VlOpenclStreamPort out[2] = {
    { codes, m, m }, { scales, sizeof (float), sizeof (float) },
  };
  double t0 = vl_now_ms ();
  VlStatus status;

  VL_OPENCL_TRY (vl_opencl_check_dims (n, d, "input", error));
  VL_OPENCL_TRY (ensure_stream (model, error));
  VL_OPENCL_TRY (vl_opencl_buffer_get (ctx, cr * m * sizeof (float), &c.scratch, "activations", error));
  VL_OPENCL_TRY (vl_opencl_kernel (ctx, VL_OPENCL_NEURAL, "neural_quantise", &c.kernel, &c.wg, error));
  ctx->breakdown.host_prep_ms += vl_now_ms () - t0;
  VL_OPENCL_TRY (vl_opencl_stream_run (&c.p->stream, n, cr, &in, 1, out, 2,
                                       encode_chunk, &c, error));
out:
  status = vl_opencl_finish (ctx, status, error);
  vl_opencl_buffer_put (ctx, c.scratch);
  return status;
}

/* codes and scales -> latents (with a 1 for the bias) -> rows. */
static VlStatus
decode_chunk (VlContext *ctx, size_t r0, size_t rows, const cl_mem *in,
              cl_mem *out, void *data, VlError **error)
{
  const NeuralChunk *c = data;
  size_t k = c->m + 1, global[2], local[2];
  cl_uint a_m = (cl_uint) c->m, a_rows = (cl_uint) rows;
  VlStatus status;

  (void) r0;
  local[0] = c->wg < 64 ? c->wg : 64;
  local[1] = 1;
  global[0] = vl_opencl_round_up (k, local[0]);
  global[1] = rows;
  if ((status = vl_opencl_set_args (c->kernel, error, sizeof in[0], &in[0],
                                    sizeof in[1], &in[1], sizeof a_m, &a_m,
                                    sizeof a_rows, &a_rows,
                                    sizeof c->scratch, &c->scratch,
                                    (size_t) 0)) != VL_STATUS_OK
      || (status = vl_opencl_enqueue_kernel (ctx, c->kernel, 2, global, local,
                                             error)) != VL_STATUS_OK)
    return status;
  return vl_opencl_distance_tile (ctx, VL_METRIC_IP, c->scratch, 0, rows,
                                  c->p->w_dec, 0, c->d, k, NULL, NULL, out[0],
                                  c->d, error);
}

static VlStatus
ocl_decode (VlNeuralModel *model, const uint8_t *codes, const float *scales,
            VlMatrix *out, VlError **error)
{
  VlContext *ctx = model->ctx;
  size_t n = out->rows, d = model->d, m = model->m, k = m + 1;
  size_t cr = chunk_rows (n, d > k ? d : k);
  NeuralChunk c = { model->priv, d, m, NULL, 0, NULL };
  VlOpenclStreamPort in[2] = {
    { (void *) codes, m, m },
    { (void *) scales, sizeof (float), sizeof (float) },
  };
  VlOpenclStreamPort pout = {
    out->data, d * sizeof (float), out->stride * sizeof (float)
  };
  double t0 = vl_now_ms ();
  VlStatus status;

  VL_OPENCL_TRY (vl_opencl_check_dims (n, d, "output", error));
  VL_OPENCL_TRY (ensure_stream (model, error));
  VL_OPENCL_TRY (vl_opencl_buffer_get (ctx, cr * k * sizeof (float), &c.scratch, "latents", error));
  VL_OPENCL_TRY (vl_opencl_kernel (ctx, VL_OPENCL_NEURAL, "neural_unpack", &c.kernel, &c.wg, error));
  ctx->breakdown.host_prep_ms += vl_now_ms () - t0;
  VL_OPENCL_TRY (vl_opencl_stream_run (&c.p->stream, n, cr, in, 2, &pout, 1,
                                       decode_chunk, &c, error));
out:
  status = vl_opencl_finish (ctx, status, error);
  vl_opencl_buffer_put (ctx, c.scratch);
  return status;
}
const VlNeuralOps vl_opencl_neural_ops = {
  .model_init = ocl_model_init,
  .model_free = ocl_model_free,
  .encode = ocl_encode,
  .decode = ocl_decode,
};
