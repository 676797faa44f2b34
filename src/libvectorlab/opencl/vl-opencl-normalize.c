/* vl-opencl-normalize.c: row normalisation and the cosine similarity
 * matrix. */
#include "vl-opencl-stream.h"

#include <stdint.h>

/* Side of the square output blocks of the similarity matrix when n x n
 * floats exceed the scratch budget: two 2048^2 buffers, 32 MiB. */
#define SIMILARITY_BLOCK 2048

/* Normalises the chunk in place, where the stream downloads it from. */
static VlStatus
normalize_chunk (VlContext *ctx, size_t r0, size_t rows, const cl_mem *in,
                 cl_mem *out, void *data, VlError **error)
{
  size_t d = *(const size_t *) data;

  (void) r0;
  out[0] = in[0];
  return vl_opencl_unit_rows (ctx, in[0], rows, d, d, error);
}

VlStatus
vl_opencl_normalize_rows (VlContext *ctx, const VlMatrix *in, VlMatrix *out,
                          VlError **error)
{
  size_t d = in->cols;
  /* @out may alias @in: each chunk's rows are read before they are
   * written, and chunks do not overlap. */
  VlOpenclStreamPort pin = {
    in->data, d * sizeof (float), in->stride * sizeof (float)
  };
  VlOpenclStreamPort pout = {
    out->data, d * sizeof (float), out->stride * sizeof (float)
  };
  VlOpenclStream stream = { 0 };
  VlStatus status;

  VL_OPENCL_TRY (vl_opencl_check_dims (in->rows, d, "input", error));
  VL_OPENCL_TRY (vl_opencl_stream_init (&stream, ctx, false, error));
  VL_OPENCL_TRY (vl_opencl_stream_run (&stream, in->rows, SIZE_MAX, &pin, 1,
                                       &pout, 1, normalize_chunk, &d, error));
out:
  vl_opencl_stream_clear (&stream);
  return vl_opencl_finish (ctx, status, error);
}

static VlStatus
similarity_block (VlContext *ctx, cl_mem x, size_t d, size_t i0, size_t ni,
                  size_t j0, size_t nj, cl_mem a, cl_mem b, VlError **error)
{
  cl_kernel kernel;
  size_t wg, side = 1, ts, global[2], local[2];
  cl_int diag = i0 == j0;
  cl_uint a_d = (cl_uint) d, a_i0 = (cl_uint) i0, a_ni = (cl_uint) ni;
  cl_uint a_j0 = (cl_uint) j0, a_nj = (cl_uint) nj;
  cl_uint lda = (cl_uint) nj, ldb = diag ? (cl_uint) nj : (cl_uint) ni;
  cl_mem bb = diag ? a : b;
  VlStatus status;

  if ((status = vl_opencl_kernel (ctx, VL_OPENCL_SIMILARITY, "similarity_block",
                                  &kernel, &wg, error)) != VL_STATUS_OK
      || (status = vl_opencl_set_args (kernel, error, sizeof x, &x,
                                       sizeof a_d, &a_d, sizeof a_d, &a_d,
                                       sizeof a_i0, &a_i0,
                                       sizeof a_ni, &a_ni, sizeof a_j0, &a_j0,
                                       sizeof a_nj, &a_nj, sizeof diag, &diag,
                                       sizeof a, &a, sizeof lda, &lda,
                                       sizeof bb, &bb, sizeof ldb, &ldb,
                                       (size_t) 0)) != VL_STATUS_OK)
    return status;
  while (side * side < wg)
    side *= 2;
  ts = 4 * side;
  global[0] = (nj + ts - 1) / ts * side;
  global[1] = (ni + ts - 1) / ts * side;
  local[0] = local[1] = side;
  return vl_opencl_enqueue_kernel (ctx, kernel, 2, global, local, error);
}

VlStatus
vl_opencl_similarity_matrix (VlContext *ctx, const VlMatrix *xm,
                             VlMatrix *out, VlError **error)
{
  size_t n = xm->rows, d = xm->cols;
  size_t s = n * n <= VL_OPENCL_SCRATCH_FLOATS ? n : SIMILARITY_BLOCK;
  cl_mem x = NULL, a = NULL, b = NULL;
  double t0 = vl_now_ms ();
  VlStatus status;

  VL_OPENCL_TRY (vl_opencl_check_dims (n, d, "input", error));
  VL_OPENCL_TRY (vl_opencl_buffer_get (ctx, n * d * sizeof (float), &x, "input", error));
  VL_OPENCL_TRY (vl_opencl_buffer_get (ctx, s * s * sizeof (float), &a, "similarity block", error));
  if (s < n)
    VL_OPENCL_TRY (vl_opencl_buffer_get (ctx, s * s * sizeof (float), &b, "similarity block", error));
  VL_OPENCL_TRY (vl_opencl_upload_rows (ctx, x, xm, 0, n, error));
  /* The Gram matrix of unit rows: no product overflows. */
  VL_OPENCL_TRY (vl_opencl_unit_rows (ctx, x, n, d, d, error));

  /* Only blocks on or above the diagonal: each writes its mirror too. */
  for (size_t i0 = 0; i0 < n; i0 += s)
    for (size_t j0 = i0; j0 < n; j0 += s)
      {
        size_t ni = n - i0 < s ? n - i0 : s;
        size_t nj = n - j0 < s ? n - j0 : s;

        VL_OPENCL_TRY (similarity_block (ctx, x, d, i0, ni, j0, nj, a, b, error));
        VL_OPENCL_TRY (vl_opencl_download_rect (ctx, a, nj, ni, nj,
                                                vl_row_f32_mut (out, i0) + j0,
                                                out->stride, error));
        if (i0 != j0)
          VL_OPENCL_TRY (vl_opencl_download_rect (ctx, b, ni, nj, ni,
                                                  vl_row_f32_mut (out, j0) + i0,
                                                  out->stride, error));
      }
out:
  ctx->breakdown.host_prep_ms = vl_now_ms () - t0;
  status = vl_opencl_finish (ctx, status, error);
  vl_opencl_buffer_put (ctx, x);
  vl_opencl_buffer_put (ctx, a);
  vl_opencl_buffer_put (ctx, b);
  return status;
}
