/* vl-opencl-neural.c: neural quantisation on OpenCL.  The weights live on
 * the device for the model's lifetime; both GEMMs run on distance.cl's
 * tiled inner-product kernel and neural.cl does the rest.  Work goes in
 * chunks of rows whose scratch fits VL_OPENCL_SCRATCH_FLOATS, all from
 * the context's buffer pool, so a call allocates nothing per row, and
 * nothing at all once the pool is warm.
 *
 * Encoding and decoding stream their rows from and to host memory
 * (vl-opencl-stream.c).  Decoding into host memory is built for throughput
 * (the founding documents lost 99 % of the time there): on a GPU each
 * decoded chunk is read by DMA into the context's pinned staging while
 * host threads copy the previous one into the caller's matrix. */
#include "vl-opencl-private.h"
#include "vl-opencl-stream.h"
#include "vl-neural-private.h"

#include <stdlib.h>

typedef struct
{
  cl_mem w_enc;      /* m x d */
  cl_mem b_enc;      /* m */
  cl_mem w_dec;      /* d x (m + 1): W_d with b_d as its last column */
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

  vl_opencl_buffer_put (model->ctx, p->w_enc);
  vl_opencl_buffer_put (model->ctx, p->b_enc);
  vl_opencl_buffer_put (model->ctx, p->w_dec);
  free (p);
  model->priv = NULL;
}

/* Rows per chunk: the widest scratch row is @width floats. */
static size_t
chunk_rows (size_t n, size_t width)
{
  size_t rows = VL_OPENCL_SCRATCH_FLOATS / width;

  rows = rows > 0 ? rows : 1;
  return rows < n ? rows : n;
}

/* What encode_chunk needs besides the stream's buffers. */
typedef struct
{
  VlNeuralModel *model;
  cl_mem         h;       /* activations, a chunk's rows x m */
  cl_kernel      quantise;
  size_t         wg;
} EncodeChunk;

/* Codes and scales of a chunk of input rows: h = x W_e^T, then
 * neural_quantise. */
static VlStatus
encode_chunk (VlContext *ctx, size_t r0, size_t rows, const cl_mem *in,
              cl_mem *out, void *data, VlError **error)
{
  EncodeChunk *e = data;
  OpenclNeural *p = e->model->priv;
  cl_uint a_m = (cl_uint) e->model->m;
  size_t global = rows * e->wg;
  VlStatus status;

  (void) r0;
  if ((status = vl_opencl_distance_tile (ctx, VL_METRIC_IP, in[0], 0, rows,
                                         p->w_enc, 0, e->model->m,
                                         e->model->d, NULL, NULL, e->h,
                                         e->model->m, error)) != VL_STATUS_OK
      || (status = vl_opencl_set_args (e->quantise, error, sizeof e->h, &e->h,
                                       sizeof a_m, &a_m, sizeof p->b_enc,
                                       &p->b_enc, sizeof out[0], &out[0],
                                       sizeof out[1], &out[1],
                                       (size_t) 0)) != VL_STATUS_OK)
    return status;
  return vl_opencl_enqueue_kernel (ctx, e->quantise, 1, &global, &e->wg,
                                   error);
}

/* Streamed (vl-opencl-stream.c): the input is most of the bytes, and on a
 * GPU its upload from pageable memory is most of the time. */
static VlStatus
ocl_encode (VlNeuralModel *model, const VlMatrix *x, uint8_t *codes,
            float *scales, VlError **error)
{
  VlContext *ctx = model->ctx;
  size_t n = x->rows, d = model->d, m = model->m;
  size_t cr = chunk_rows (n, d > m ? d : m);
  VlOpenclStreamPort in = { x->data, d * sizeof (float),
                            x->stride * sizeof (float) };
  VlOpenclStreamPort out[2] = { { codes, m, m },
                                { scales, sizeof (float), sizeof (float) } };
  EncodeChunk e = { model, NULL, NULL, 0 };
  VlStatus status;

  VL_OPENCL_TRY (vl_opencl_check_dims (n, d, "input", error));
  VL_OPENCL_TRY (vl_opencl_buffer_get (ctx, cr * m * sizeof (float), &e.h, "activations", error));
  VL_OPENCL_TRY (vl_opencl_kernel (ctx, VL_OPENCL_NEURAL, "neural_quantise", &e.quantise, &e.wg, error));
  VL_OPENCL_TRY (vl_opencl_stream_run (ctx, n, cr, &in, 1, out, 2,
                                       encode_chunk, &e, error));
out:
  status = vl_opencl_finish (ctx, status, error);
  vl_opencl_buffer_put (ctx, e.h);
  return status;
}

/* What decode_chunk needs besides the stream's buffers. */
typedef struct
{
  VlNeuralModel *model;
  cl_mem         a;       /* latents and a 1 each, a chunk's rows x (m + 1) */
  cl_kernel      unpack;
  size_t         wg;
} DecodeChunk;

/* Decodes a chunk of rows: neural_unpack makes a = [codes * scale, 1],
 * and the output is a [W_d, b_d]^T. */
static VlStatus
decode_chunk (VlContext *ctx, size_t r0, size_t rows, const cl_mem *in,
              cl_mem *out, void *data, VlError **error)
{
  DecodeChunk *e = data;
  OpenclNeural *p = e->model->priv;
  size_t d = e->model->d, k = e->model->m + 1;
  cl_uint a_m = (cl_uint) e->model->m, a_rows = (cl_uint) rows;
  size_t local[2] = { e->wg < 64 ? e->wg : 64, 1 };
  size_t global[2] = { vl_opencl_round_up (k, local[0]), rows };
  VlStatus status;

  (void) r0;
  if ((status = vl_opencl_set_args (e->unpack, error, sizeof in[0], &in[0],
                                    sizeof in[1], &in[1], sizeof a_m, &a_m,
                                    sizeof a_rows, &a_rows, sizeof e->a,
                                    &e->a, (size_t) 0)) != VL_STATUS_OK
      || (status = vl_opencl_enqueue_kernel (ctx, e->unpack, 2, global, local,
                                             error)) != VL_STATUS_OK)
    return status;
  return vl_opencl_distance_tile (ctx, VL_METRIC_IP, e->a, 0, rows, p->w_dec,
                                  0, d, k, NULL, NULL, out[0], d, error);
}

static VlStatus
ocl_decode (VlNeuralModel *model, const uint8_t *codes, const float *scales,
            VlMatrix *out, VlError **error)
{
  VlContext *ctx = model->ctx;
  size_t n = out->rows, d = model->d, m = model->m, k = m + 1;
  size_t cr = chunk_rows (n, d > k ? d : k);
  /* Input ports are only read. */
  VlOpenclStreamPort in[2] = { { (void *) codes, m, m },
                               { (void *) scales, sizeof (float),
                                 sizeof (float) } };
  VlOpenclStreamPort decoded = { out->data, d * sizeof (float),
                                 out->stride * sizeof (float) };
  DecodeChunk e = { model, NULL, NULL, 0 };
  VlStatus status;

  VL_OPENCL_TRY (vl_opencl_check_dims (n, d, "output", error));
  VL_OPENCL_TRY (vl_opencl_buffer_get (ctx, cr * k * sizeof (float), &e.a, "latents", error));
  VL_OPENCL_TRY (vl_opencl_kernel (ctx, VL_OPENCL_NEURAL, "neural_unpack", &e.unpack, &e.wg, error));
  VL_OPENCL_TRY (vl_opencl_stream_run (ctx, n, cr, in, 2, &decoded, 1,
                                       decode_chunk, &e, error));
out:
  status = vl_opencl_finish (ctx, status, error);
  vl_opencl_buffer_put (ctx, e.a);
  return status;
}

const VlNeuralOps vl_opencl_neural_ops = {
  .model_init = ocl_model_init,
  .model_free = ocl_model_free,
  .encode = ocl_encode,
  .decode = ocl_decode,
};
