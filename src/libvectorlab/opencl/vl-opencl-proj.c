/* vl-opencl-proj.c: weight tensors in pooled device buffers and the
 * projection kernel of proj.cl, streamed over row blocks so that device
 * buffers stay within the scratch budget whatever the input size. */
#include "vl-opencl-stream.h"
#include "vl-proj-private.h"

static VlStatus
opencl_tensor_new (VlContext *ctx, const void *data, size_t bytes,
                   void **storage, VlError **error)
{
  cl_mem buffer = NULL;
  VlStatus status;

  if ((status = vl_opencl_buffer_get (ctx, bytes, &buffer, "weight tensor",
                                      error)) != VL_STATUS_OK)
    return status;
  status = vl_opencl_upload (ctx, buffer, bytes, data, error);
  if ((status = vl_opencl_finish (ctx, status, error)) != VL_STATUS_OK)
    {
      vl_opencl_buffer_put (ctx, buffer);
      return status;
    }
  *storage = buffer;
  return VL_STATUS_OK;
}

static void
opencl_tensor_free (VlContext *ctx, void *storage)
{
  vl_opencl_buffer_put (ctx, storage);
}

static VlStatus
opencl_tensor_read (VlContext *ctx, void *storage, void *data, size_t bytes,
                    VlError **error)
{
  VlStatus status = vl_opencl_download (ctx, storage, bytes, data, error);

  return vl_opencl_finish (ctx, status, error);
}

/* Slices of the d axis for projecting @n rows to @p: enough blocks for two
 * work-groups a compute unit, in whole chunks of d, with the partial
 * blocks within the scratch budget; 1 (no split) for many rows. */
static size_t
proj_slices (VlContext *ctx, size_t wg, size_t n, size_t d, size_t p,
             size_t ldo)
{
  size_t ts = 4 * vl_opencl_square_side (wg);
  size_t blocks = ((n + ts - 1) / ts) * ((p + ts - 1) / ts);
  size_t want = 2 * (ctx->device.compute_units > 0 ? ctx->device.compute_units : 1);
  size_t chunks = (d + VL_OPENCL_SQUARE_TK - 1) / VL_OPENCL_SQUARE_TK;
  size_t fit = VL_OPENCL_SCRATCH_FLOATS / (n * ldo);
  size_t slices = (want + blocks - 1) / blocks;

  if (slices > chunks)
    slices = chunks;
  if (slices > fit)
    slices = fit;
  return slices > 1 ? slices : 1;
}

VlStatus
vl_opencl_project_rows (VlContext *ctx, cl_mem x, size_t n, size_t d,
                        cl_mem w, size_t p, float scale, cl_mem dst,
                        size_t ldo, VlError **error)
{
  cl_kernel kernel, sum;
  cl_mem partial = NULL;
  size_t wg, slices, items = n * p;
  cl_uint a_n = (cl_uint) n, a_d = (cl_uint) d, a_p = (cl_uint) p;
  cl_uint a_ldo = (cl_uint) ldo, a_slices;
  VlStatus status;

  VL_OPENCL_TRY (vl_opencl_kernel (ctx, VL_OPENCL_PROJ, "proj_rows", &kernel,
                                   &wg, error));
  slices = proj_slices (ctx, wg, n, d, p, ldo);
  a_slices = (cl_uint) slices;
  if (slices > 1)
    VL_OPENCL_TRY (vl_opencl_buffer_get (ctx, slices * n * ldo * sizeof (float),
                                         &partial, "projection slices",
                                         error));
  VL_OPENCL_TRY (vl_opencl_set_args (kernel, error, sizeof x, &x,
                                     sizeof a_n, &a_n, sizeof a_d, &a_d,
                                     sizeof w, &w, sizeof a_p, &a_p,
                                     sizeof scale, &scale, sizeof dst,
                                     slices > 1 ? &partial : &dst,
                                     sizeof a_ldo, &a_ldo, (size_t) 0));
  VL_OPENCL_TRY (vl_opencl_enqueue_block_slices (ctx, kernel, wg, n, p,
                                                 slices, error));
  if (slices > 1)
    {
      VL_OPENCL_TRY (vl_opencl_kernel (ctx, VL_OPENCL_PROJ, "proj_sum", &sum,
                                       &wg, error));
      VL_OPENCL_TRY (vl_opencl_set_args (sum, error, sizeof partial, &partial,
                                         sizeof a_n, &a_n, sizeof a_p, &a_p,
                                         sizeof a_ldo, &a_ldo,
                                         sizeof a_slices, &a_slices,
                                         sizeof dst, &dst, (size_t) 0));
      VL_OPENCL_TRY (vl_opencl_enqueue_kernel (ctx, sum, 1, &items, NULL,
                                               error));
    }
out:
  /* The in-order queue runs proj_sum before anything reuses partial. */
  vl_opencl_buffer_put (ctx, partial);
  return status;
}

typedef struct
{
  const VlWeightTensor *w;
  size_t                d;
  float                 scale;
} Project;

static VlStatus
project_chunk (VlContext *ctx, size_t r0, size_t rows, const cl_mem *in,
               cl_mem *out, void *data, VlError **error)
{
  const Project *pr = data;
  size_t p = pr->w->shape.dims[0];

  (void) r0;
  return vl_opencl_project_rows (ctx, in[0], rows, pr->d, pr->w->storage, p,
                                 pr->scale, out[0], p, error);
}

/* Streamed (vl-opencl-stream.c): projecting a whole database moves its
 * rows to the device and the projected ones back, most of the time. */
static VlStatus
opencl_project (VlContext *ctx, const VlWeightTensor *w, const VlMatrix *x,
                float scale, VlMatrix *out, VlError **error)
{
  size_t n = x->rows, d = x->cols, p = w->shape.dims[0];
  size_t block = VL_OPENCL_SCRATCH_FLOATS / (d + p);
  VlOpenclStreamPort pin = { x->data, d * sizeof (float),
                             x->stride * sizeof (float) };
  VlOpenclStreamPort pout = { out->data, p * sizeof (float),
                              out->stride * sizeof (float) };
  Project pr = { w, d, scale };
  VlStatus status;

  VL_OPENCL_TRY (vl_opencl_check_dims (n, d, "input", error));
  VL_OPENCL_TRY (vl_opencl_check_dims (p, d, "projection", error));
  VL_OPENCL_TRY (vl_opencl_stream_run (ctx, n, block > 0 ? block : 1, &pin, 1,
                                       &pout, 1, project_chunk, &pr, error));
out:
  return vl_opencl_finish (ctx, status, error);
}

static VlStatus
opencl_search (VlIndex *index, const VlWeightTensor *w, float scale,
               const VlMatrix *queries, size_t k, int64_t *ids, float *scores,
               VlError **error)
{
  return vl_opencl_index_search_projected (index, w->storage,
                                           w->shape.dims[0], scale, queries,
                                           k, ids, scores, error);
}

const VlProjOps vl_opencl_proj_ops = {
  .tensor_new = opencl_tensor_new,
  .tensor_free = opencl_tensor_free,
  .tensor_read = opencl_tensor_read,
  .project = opencl_project,
  .search = opencl_search,
};
