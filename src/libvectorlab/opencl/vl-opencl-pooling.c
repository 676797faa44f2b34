/* vl-opencl-pooling.c: masked mean and attention pooling. */
#include "vl-opencl-private.h"

VlStatus
vl_opencl_pool (VlContext *ctx, const VlMatrix *tokens, size_t seq,
                const uint8_t *mask, const float *w, VlMatrix *out,
                VlError **error)
{
  size_t rows = tokens->rows, d = tokens->cols, batch = rows / seq;
  cl_mem t = NULL, m = NULL, wb = NULL, logits = NULL, weights = NULL, o = NULL;
  cl_kernel kernel;
  size_t wg, global[2], local[2];
  cl_uint a_d = (cl_uint) d, a_seq = (cl_uint) seq, a_batch = (cl_uint) batch;
  double t0 = vl_now_ms ();
  VlStatus status;

  VL_OPENCL_TRY (vl_opencl_check_dims (rows, d, "tokens", error));
  VL_OPENCL_TRY (vl_opencl_buffer_get (ctx, rows * d * sizeof (float), &t, "tokens", error));
  VL_OPENCL_TRY (vl_opencl_buffer_get (ctx, rows, &m, "mask", error));
  VL_OPENCL_TRY (vl_opencl_buffer_get (ctx, rows * sizeof (float), &weights, "token weights", error));
  VL_OPENCL_TRY (vl_opencl_buffer_get (ctx, batch * d * sizeof (float), &o, "pooled output", error));
  VL_OPENCL_TRY (vl_opencl_upload_rows (ctx, t, tokens, 0, rows, error));
  VL_OPENCL_TRY (vl_opencl_upload (ctx, m, rows, mask, error));

  if (w != NULL)
    {
      VL_OPENCL_TRY (vl_opencl_buffer_get (ctx, d * sizeof (float), &wb, "attention weights", error));
      VL_OPENCL_TRY (vl_opencl_buffer_get (ctx, rows * sizeof (float), &logits, "logits", error));
      VL_OPENCL_TRY (vl_opencl_upload (ctx, wb, d * sizeof (float), w, error));
      VL_OPENCL_TRY (vl_opencl_kernel (ctx, VL_OPENCL_POOL, "pool_logits", &kernel, &wg, error));
      VL_OPENCL_TRY (vl_opencl_set_args (kernel, error, sizeof t, &t, sizeof a_d, &a_d,
                                         sizeof a_d, &a_d, sizeof wb, &wb,
                                         sizeof logits, &logits, (size_t) 0));
      global[0] = rows * wg;
      VL_OPENCL_TRY (vl_opencl_enqueue_kernel (ctx, kernel, 1, global, &wg, error));
    }

  /* NULL logits: equal logits, i.e. the mean of the unmasked tokens. */
  VL_OPENCL_TRY (vl_opencl_kernel (ctx, VL_OPENCL_POOL, "pool_softmax", &kernel, &wg, error));
  VL_OPENCL_TRY (vl_opencl_set_args (kernel, error, sizeof logits,
                                     logits != NULL ? (const void *) &logits : NULL,
                                     sizeof m, &m, sizeof a_seq, &a_seq,
                                     sizeof weights, &weights, (size_t) 0));
  global[0] = batch * wg;
  VL_OPENCL_TRY (vl_opencl_enqueue_kernel (ctx, kernel, 1, global, &wg, error));

  VL_OPENCL_TRY (vl_opencl_kernel (ctx, VL_OPENCL_POOL, "pool_weighted", &kernel, &wg, error));
  VL_OPENCL_TRY (vl_opencl_set_args (kernel, error, sizeof t, &t, sizeof a_d, &a_d,
                                     sizeof a_d, &a_d, sizeof a_seq, &a_seq,
                                     sizeof a_batch, &a_batch,
                                     sizeof weights, &weights, sizeof o, &o,
                                     sizeof a_d, &a_d, (size_t) 0));
  local[0] = wg < 64 ? wg : 64;
  local[1] = 1;
  global[0] = vl_opencl_round_up (d, local[0]);
  global[1] = batch;
  VL_OPENCL_TRY (vl_opencl_enqueue_kernel (ctx, kernel, 2, global, local, error));
  VL_OPENCL_TRY (vl_opencl_download_rect (ctx, o, d, batch, d,
                                          vl_row_f32_mut (out, 0), out->stride,
                                          error));
out:
  ctx->breakdown.host_prep_ms = vl_now_ms () - t0;
  status = vl_opencl_finish (ctx, status, error);
  vl_opencl_buffer_put (ctx, t);
  vl_opencl_buffer_put (ctx, m);
  vl_opencl_buffer_put (ctx, wb);
  vl_opencl_buffer_put (ctx, logits);
  vl_opencl_buffer_put (ctx, weights);
  vl_opencl_buffer_put (ctx, o);
  return status;
}
