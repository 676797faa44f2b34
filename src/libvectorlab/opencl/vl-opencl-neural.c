/* vl-opencl-neural.c: neural quantisation on OpenCL.  The weights live on
 * the device for the model's lifetime; both GEMMs run on distance.cl's
 * tiled inner-product kernel and neural.cl does the rest.  Work goes in
 * chunks of rows whose scratch fits VL_OPENCL_SCRATCH_FLOATS, all from
 * the context's buffer pool, so a call allocates nothing per row, and
 * nothing at all once the pool is warm.
 *
 * Decoding into host memory is built for throughput (the founding
 * documents lost 99 % of the time there): on a GPU each decoded chunk is
 * read by DMA into one of two pinned staging buffers (CL_MEM_ALLOC_HOST_PTR,
 * mapped once for the model's lifetime, which is how drivers give full
 * PCIe speed), and while the device decodes and transfers the next chunk,
 * host threads copy the previous one into the caller's matrix, row by row
 * when it is strided.  A device that shares host memory (PoCL on the CPU)
 * gains nothing from pinning, so there chunks are read straight into the
 * caller's matrix. */
#include "vl-opencl-private.h"
#include "vl-opencl-stream.h"
#include "vl-host-copy.h"
#include "vl-neural-private.h"

#include <stdlib.h>

typedef struct
{
  cl_mem w_enc;      /* m x d */
  cl_mem b_enc;      /* m */
  cl_mem w_dec;      /* d x (m + 1): W_d with b_d as its last column */
  /* Pinned staging, GPU only, made on the first decode. */
  cl_mem stage[2];
  float *stage_ptr[2];
  size_t stage_rows;
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
  VlOpenclContext *cl = model->ctx->priv;

  for (int i = 0; i < 2; i++)
    if (p->stage[i] != NULL)
      {
        if (p->stage_ptr[i] != NULL)
          clEnqueueUnmapMemObject (cl->queue, p->stage[i], p->stage_ptr[i],
                                   0, NULL, NULL);
        clFinish (cl->queue);
        clReleaseMemObject (p->stage[i]);
      }
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

/* Two pinned buffers of @rows x @d floats, mapped for good. */
static VlStatus
ensure_staging (VlNeuralModel *model, size_t rows, VlError **error)
{
  OpenclNeural *p = model->priv;
  VlOpenclContext *cl = model->ctx->priv;
  size_t bytes = rows * model->d * sizeof (float);
  cl_int err;

  if (p->stage_rows >= rows)
    return VL_STATUS_OK;
  for (int i = 0; i < 2; i++)
    {
      if (p->stage[i] != NULL)
        {
          clEnqueueUnmapMemObject (cl->queue, p->stage[i], p->stage_ptr[i], 0,
                                   NULL, NULL);
          clFinish (cl->queue);
          clReleaseMemObject (p->stage[i]);
          p->stage[i] = NULL;
          p->stage_ptr[i] = NULL;
        }
      p->stage_rows = 0;
    }
  for (int i = 0; i < 2; i++)
    {
      p->stage[i] = clCreateBuffer (cl->context, CL_MEM_READ_WRITE
                                    | CL_MEM_ALLOC_HOST_PTR, bytes, NULL,
                                    &err);
      if (err != CL_SUCCESS)
        return vl_opencl_check (err, "clCreateBuffer (pinned staging)", error);
      p->stage_ptr[i] = clEnqueueMapBuffer (cl->queue, p->stage[i], CL_TRUE,
                                            CL_MAP_READ | CL_MAP_WRITE, 0,
                                            bytes, 0, NULL, NULL, &err);
      if (err != CL_SUCCESS)
        return vl_opencl_check (err, "clEnqueueMapBuffer (pinned staging)",
                                error);
    }
  p->stage_rows = rows;
  return VL_STATUS_OK;
}

/* Waits for @marker (the end of a chunk's read into staging) and copies the
 * chunk into the caller's rows. */
static VlStatus
drain_chunk (VlContext *ctx, cl_event *marker, const float *stage,
             size_t rows, size_t d, VlMatrix *out, size_t r0,
             VlError **error)
{
  cl_int err = clWaitForEvents (1, marker);
  double t0;

  clReleaseEvent (*marker);
  *marker = NULL;
  if (err != CL_SUCCESS)
    return vl_opencl_check (err, "clWaitForEvents", error);
  t0 = vl_now_ms ();
  vl_host_copy_rows (stage, d * sizeof (float), vl_row_f32_mut (out, r0),
                       out->stride * sizeof (float), rows,
                       d * sizeof (float));
  ctx->breakdown.host_extract_ms += vl_now_ms () - t0;
  return VL_STATUS_OK;
}

static VlStatus
ocl_decode (VlNeuralModel *model, const uint8_t *codes, const float *scales,
            VlMatrix *out, VlError **error)
{
  VlContext *ctx = model->ctx;
  VlOpenclContext *cl = ctx->priv;
  OpenclNeural *p = model->priv;
  size_t n = out->rows, d = model->d, m = model->m, k = m + 1;
  size_t cr = chunk_rows (n, d > k ? d : k), prev_r0 = 0, prev_rows = 0;
  bool staged = ctx->device.is_gpu;
  cl_mem cb = NULL, sb = NULL, a = NULL, y = NULL;
  cl_event marker = NULL;
  cl_kernel kernel;
  size_t wg, global[2], local[2], chunk = 0;
  cl_uint a_m = (cl_uint) m, a_rows;
  double t0 = vl_now_ms ();
  VlStatus status;
  cl_int err;

  VL_OPENCL_TRY (vl_opencl_check_dims (n, d, "output", error));
  if (staged)
    {
      VL_OPENCL_TRY (ensure_staging (model, cr, error));
      vl_host_will_fill (out->data,
                         ((n - 1) * out->stride + d) * sizeof (float));
    }
  VL_OPENCL_TRY (vl_opencl_buffer_get (ctx, cr * m, &cb, "codes", error));
  VL_OPENCL_TRY (vl_opencl_buffer_get (ctx, cr * sizeof (float), &sb, "scales", error));
  VL_OPENCL_TRY (vl_opencl_buffer_get (ctx, cr * k * sizeof (float), &a, "latents", error));
  VL_OPENCL_TRY (vl_opencl_buffer_get (ctx, cr * d * sizeof (float), &y, "decoded chunk", error));
  VL_OPENCL_TRY (vl_opencl_kernel (ctx, VL_OPENCL_NEURAL, "neural_unpack", &kernel, &wg, error));
  local[0] = wg < 64 ? wg : 64;
  local[1] = 1;
  global[0] = vl_opencl_round_up (k, local[0]);
  /* The host idles until the first chunk is in: a quarter of one comes
   * sooner. */
  for (size_t r0 = 0, rows; r0 < n; r0 += rows, chunk++)
    {
      size_t want = chunk == 0 && staged ? (cr + 3) / 4 : cr;
      cl_event next = NULL;

      rows = n - r0 < want ? n - r0 : want;

      a_rows = (cl_uint) rows;
      global[1] = rows;
      VL_OPENCL_TRY (vl_opencl_upload (ctx, cb, rows * m, codes + r0 * m, error));
      VL_OPENCL_TRY (vl_opencl_upload (ctx, sb, rows * sizeof (float), scales + r0, error));
      VL_OPENCL_TRY (vl_opencl_set_args (kernel, error, sizeof cb, &cb, sizeof sb, &sb,
                                         sizeof a_m, &a_m, sizeof a_rows, &a_rows,
                                         sizeof a, &a, (size_t) 0));
      VL_OPENCL_TRY (vl_opencl_enqueue_kernel (ctx, kernel, 2, global, local, error));
      VL_OPENCL_TRY (vl_opencl_distance_tile (ctx, VL_METRIC_IP, a, 0, rows,
                                              p->w_dec, 0, d, k, NULL, NULL,
                                              y, d, error));
      if (!staged)
        {
          VL_OPENCL_TRY (vl_opencl_download_rect (ctx, y, d, rows, d,
                                                  vl_row_f32_mut (out, r0),
                                                  out->stride, error));
          continue;
        }
      /* Chunk i goes to staging buffer i % 2; the host copies chunk i - 1
       * out of the other one meanwhile. */
      VL_OPENCL_TRY (vl_opencl_download (ctx, y, rows * d * sizeof (float),
                                         p->stage_ptr[chunk % 2], error));
      err = clEnqueueMarkerWithWaitList (cl->queue, 0, NULL, &next);
      VL_OPENCL_TRY (vl_opencl_check (err, "clEnqueueMarkerWithWaitList", error));
      clFlush (cl->queue);
      if (marker != NULL)
        {
          status = drain_chunk (ctx, &marker, p->stage_ptr[(chunk - 1) % 2],
                                prev_rows, d, out, prev_r0, error);
          if (status != VL_STATUS_OK)
            {
              clReleaseEvent (next);
              goto out;
            }
        }
      marker = next;
      prev_r0 = r0;
      prev_rows = rows;
    }
  if (marker != NULL)
    VL_OPENCL_TRY (drain_chunk (ctx, &marker, p->stage_ptr[(chunk - 1) % 2],
                                prev_rows, d, out, prev_r0, error));
out:
  if (marker != NULL)
    clReleaseEvent (marker);
  ctx->breakdown.host_prep_ms = vl_now_ms () - t0
                                - ctx->breakdown.host_extract_ms;
  status = vl_opencl_finish (ctx, status, error);
  vl_opencl_buffer_put (ctx, cb);
  vl_opencl_buffer_put (ctx, sb);
  vl_opencl_buffer_put (ctx, a);
  vl_opencl_buffer_put (ctx, y);
  return status;
}

const VlNeuralOps vl_opencl_neural_ops = {
  .model_init = ocl_model_init,
  .model_free = ocl_model_free,
  .encode = ocl_encode,
  .decode = ocl_decode,
};
