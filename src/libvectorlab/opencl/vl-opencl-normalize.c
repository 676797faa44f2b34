/* vl-opencl-normalize.c: row normalisation and the cosine similarity
 * matrix. */
#include "vl-opencl-stream.h"

#include <stdint.h>

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
  VlStatus status;

  VL_OPENCL_TRY (vl_opencl_check_dims (in->rows, d, "input", error));
  VL_OPENCL_TRY (vl_opencl_stream_run (ctx, in->rows, SIZE_MAX, &pin, 1,
                                       &pout, 1, normalize_chunk, &d, error));
out:
  return vl_opencl_finish (ctx, status, error);
}

/* Rows [i0, i0 + ni) of the similarity matrix of the @n unit rows in @x,
 * into @a (ni rows of n floats). */
static VlStatus
similarity_rows (VlContext *ctx, cl_mem x, size_t n, size_t d, size_t i0,
                 size_t ni, cl_mem a, VlError **error)
{
  cl_kernel kernel;
  size_t wg;
  cl_uint a_d = (cl_uint) d, a_i0 = (cl_uint) i0, a_ni = (cl_uint) ni;
  cl_uint a_n = (cl_uint) n;
  VlStatus status;

  if ((status = vl_opencl_kernel (ctx, VL_OPENCL_SIMILARITY, "similarity_rows",
                                  &kernel, &wg, error)) != VL_STATUS_OK
      || (status = vl_opencl_set_args (kernel, error, sizeof x, &x,
                                       sizeof a_d, &a_d, sizeof a_i0, &a_i0,
                                       sizeof a_ni, &a_ni, sizeof a_n, &a_n,
                                       sizeof a, &a, (size_t) 0)) != VL_STATUS_OK)
    return status;
  return vl_opencl_enqueue_blocks (ctx, kernel, wg, ni, n, error);
}

/* Where k-NN inner products run on tensor cores (knn_gemm MMA=1), so do
 * the similarity's: knn_mma_ip computes rows [i0, i0 + ni) of the Gram
 * matrix into @a (rows of whole float4s only), then similarity_diagonal
 * makes the diagonal exact. */
static bool
on_tensor_cores (VlContext *ctx, size_t d)
{
  const char *tuning = vl_opencl_tuning (ctx, VL_OPENCL_KNN_GEMM);

  return d % 4 == 0 && vl_opencl_tuning_value (tuning, "MMA", 0) == 1;
}

static VlStatus
similarity_rows_mma (VlContext *ctx, cl_mem x, size_t n, size_t d,
                     size_t i0, size_t ni, cl_mem a, VlError **error)
{
  cl_kernel mma, diagonal;
  size_t wg;
  cl_uint a_i0 = (cl_uint) i0, a_ni = (cl_uint) ni, a_n = (cl_uint) n;
  cl_uint a_x0 = 0, a_ld4 = (cl_uint) (d / 4);
  /* knn_mma_ip: a 16 x 16 group a 128 x 128 block. */
  size_t local[2] = { 16, 16 };
  size_t global[2] = { (n + 127) / 128 * 16, (ni + 127) / 128 * 16 };
  VlStatus status;

  if ((status = vl_opencl_kernel (ctx, VL_OPENCL_KNN_GEMM, "knn_mma_ip",
                                  &mma, &wg, error)) != VL_STATUS_OK
      || (status = vl_opencl_kernel (ctx, VL_OPENCL_SIMILARITY,
                                     "similarity_diagonal", &diagonal, &wg,
                                     error)) != VL_STATUS_OK
      || (status = vl_opencl_set_args (mma, error, sizeof x, &x,
                                       sizeof a_i0, &a_i0, sizeof a_ni, &a_ni,
                                       sizeof x, &x, sizeof a_x0, &a_x0,
                                       sizeof a_n, &a_n, sizeof a_ld4, &a_ld4,
                                       sizeof a, &a, sizeof a_n, &a_n,
                                       (size_t) 0)) != VL_STATUS_OK
      || (status = vl_opencl_enqueue_kernel (ctx, mma, 2, global, local,
                                             error)) != VL_STATUS_OK
      || (status = vl_opencl_set_args (diagonal, error, sizeof a, &a,
                                       sizeof a_i0, &a_i0, sizeof a_ni, &a_ni,
                                       sizeof a_n, &a_n, (size_t) 0)) != VL_STATUS_OK)
    return status;
  return vl_opencl_enqueue_kernel (ctx, diagonal, 1, &ni, NULL, error);
}

typedef struct
{
  cl_mem x;  /* unit rows */
  size_t n, d;
} Similarity;

static VlStatus
similarity_chunk (VlContext *ctx, size_t r0, size_t rows, const cl_mem *in,
                  cl_mem *out, void *data, VlError **error)
{
  const Similarity *s = data;

  (void) in;
  if (on_tensor_cores (ctx, s->d))
    return similarity_rows_mma (ctx, s->x, s->n, s->d, r0, rows, out[0],
                                error);
  return similarity_rows (ctx, s->x, s->n, s->d, r0, rows, out[0], error);
}

/* Streamed by rows of the output (vl-opencl-stream.c): the n x n floats
 * coming back are most of the time, so each block of rows is computed
 * whole, both halves, which costs the GPU less than the transfers it
 * lets overlap. */
VlStatus
vl_opencl_similarity_matrix (VlContext *ctx, const VlMatrix *xm,
                             VlMatrix *out, VlError **error)
{
  size_t n = xm->rows, d = xm->cols;
  VlOpenclStreamPort port = { out->data, n * sizeof (float),
                              out->stride * sizeof (float) };
  Similarity s = { NULL, n, d };
  VlStatus status;

  VL_OPENCL_TRY (vl_opencl_check_dims (n, d, "input", error));
  VL_OPENCL_TRY (vl_opencl_buffer_get (ctx, n * d * sizeof (float), &s.x, "input", error));
  VL_OPENCL_TRY (vl_opencl_upload_rows (ctx, s.x, xm, 0, n, error));
  /* The Gram matrix of unit rows: no product overflows. */
  VL_OPENCL_TRY (vl_opencl_unit_rows (ctx, s.x, n, d, d, error));
  VL_OPENCL_TRY (vl_opencl_stream_run (ctx, n,
                                       VL_OPENCL_SCRATCH_FLOATS / n > 0
                                       ? VL_OPENCL_SCRATCH_FLOATS / n : 1,
                                       NULL, 0, &port, 1, similarity_chunk,
                                       &s, error));
out:
  status = vl_opencl_finish (ctx, status, error);
  vl_opencl_buffer_put (ctx, s.x);
  return status;
}
