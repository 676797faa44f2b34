/* vl-opencl-topk.c: the running top-k that the tiled searches (flat index,
 * SQ index) fold each tile of scores into with topk.cl's topk_merge. */
#include "vl-opencl-private.h"

#include <string.h>

/* Static local memory of topk_merge beside `best`: histogram, scan of WG
 * items, counters (MERGE_WORK in topk.cl). */
#define TOPK_LOCAL_FIXED(wg) (256 * 4 + 4 * (wg) + 64)
/* Candidates topk_merge_lists may gather below the best of the lists'
 * k-th keys and sort in local memory (merge_sorted_lists), at most: many
 * lists leave far more than 2 k candidates there (thousands of the 10,560
 * of 1,056 lists of 10), which would otherwise go through the radix
 * select. */
#define LISTS_LEN_MAX 4096

static size_t
ceil_pow2 (size_t x)
{
  size_t p = 1;

  while (p < x)
    p *= 2;
  return p;
}

VlStatus
vl_opencl_topk_init (VlContext *ctx, size_t k, VlOpenclTopk *topk,
                     VlError **error)
{
  size_t wg;
  VlStatus status;

  topk->best_len = ceil_pow2 (k);
  if ((status = vl_opencl_kernel (ctx, VL_OPENCL_TOPK, "topk_merge",
                                  &topk->kernel, &topk->wg, error)) != VL_STATUS_OK
      || (status = vl_opencl_kernel (ctx, VL_OPENCL_TOPK, "topk_merge_lists",
                                     &topk->kernel_lists, &wg, error)) != VL_STATUS_OK)
    return status;
  if (topk->best_len * sizeof (cl_ulong) + TOPK_LOCAL_FIXED (topk->wg)
      > ctx->device.local_mem_bytes)
    return vl_set_error (error, VL_STATUS_UNSUPPORTED,
                         "k = %zu needs %zu bytes of local memory for the "
                         "top-k merge; %s has %llu", k,
                         topk->best_len * sizeof (cl_ulong)
                         + TOPK_LOCAL_FIXED (topk->wg), ctx->device.name,
                         (unsigned long long) ctx->device.local_mem_bytes);
  /* Room for candidates beside the running list lets a merge with few of
   * them skip the radix select (merge_few in topk.cl). */
  if (2 * topk->best_len * sizeof (cl_ulong) + TOPK_LOCAL_FIXED (topk->wg)
      <= ctx->device.local_mem_bytes)
    topk->best_len *= 2;
  topk->lists_len = topk->best_len;
  while (topk->lists_len < LISTS_LEN_MAX
         && 2 * topk->lists_len * sizeof (cl_ulong)
            + TOPK_LOCAL_FIXED (topk->wg) <= ctx->device.local_mem_bytes)
    topk->lists_len *= 2;
  return VL_STATUS_OK;
}

VlStatus
vl_opencl_topk_merge (VlContext *ctx, const VlOpenclTopk *topk,
                      cl_mem running, size_t k, size_t have, cl_mem scratch,
                      size_t lds, size_t rows, size_t cols, size_t tile0,
                      bool similarity, VlError **error)
{
  cl_uint a_k = (cl_uint) k, a_have = (cl_uint) have, a_cols = (cl_uint) cols;
  cl_uint a_lds = (cl_uint) lds, a_tile0 = (cl_uint) tile0;
  cl_uint a_len = (cl_uint) topk->best_len;
  cl_int negate = similarity;
  size_t global = rows * topk->wg;
  VlStatus status;

  status = vl_opencl_set_args (topk->kernel, error, sizeof running, &running,
                               sizeof a_k, &a_k, sizeof a_have, &a_have,
                               sizeof scratch, &scratch, sizeof a_lds, &a_lds,
                               sizeof a_cols, &a_cols, sizeof a_tile0, &a_tile0,
                               sizeof negate, &negate,
                               topk->best_len * sizeof (cl_ulong), NULL,
                               sizeof a_len, &a_len, (size_t) 0);
  if (status != VL_STATUS_OK)
    return status;
  return vl_opencl_enqueue_kernel (ctx, topk->kernel, 1, &global, &topk->wg,
                                   error);
}

VlStatus
vl_opencl_topk_merge_lists (VlContext *ctx, const VlOpenclTopk *topk,
                            cl_mem running, size_t k, cl_mem lists,
                            size_t rows, size_t per_row, VlError **error)
{
  cl_uint a_k = (cl_uint) k, a_have = 0, a_n = (cl_uint) per_row;
  cl_uint a_len = (cl_uint) topk->lists_len;
  size_t global = rows * topk->wg;
  VlStatus status;

  status = vl_opencl_set_args (topk->kernel_lists, error,
                               sizeof running, &running, sizeof a_k, &a_k,
                               sizeof a_have, &a_have, sizeof lists, &lists,
                               sizeof a_n, &a_n, sizeof a_n, &a_n,
                               topk->lists_len * sizeof (cl_ulong), NULL,
                               sizeof a_len, &a_len, (size_t) 0);
  if (status != VL_STATUS_OK)
    return status;
  return vl_opencl_enqueue_kernel (ctx, topk->kernel_lists, 1, &global,
                                   &topk->wg, error);
}

/* Inverse of score_key in topk.cl. */
static float
key_score (uint32_t key, bool similarity)
{
  uint32_t bits = (key & 0x80000000u) ? (key & 0x7fffffffu) : ~key;
  float s;

  memcpy (&s, &bits, sizeof s);
  if (similarity)
    s = -s;
  return s == 0.0f ? 0.0f : s;
}

VlStatus
vl_opencl_topk_finish (VlContext *ctx, VlStatus status, double t0,
                       const cl_ulong *found, size_t n, bool similarity,
                       int64_t *ids, float *scores, VlError **error)
{
  double t1;

  ctx->breakdown.host_prep_ms = vl_now_ms () - t0;
  status = vl_opencl_finish (ctx, status, error);
  if (status != VL_STATUS_OK)
    return status;
  t1 = vl_now_ms ();
  for (size_t i = 0; i < n; i++)
    {
      ids[i] = (int64_t) (found[i] & 0xffffffffu);
      scores[i] = key_score ((uint32_t) (found[i] >> 32), similarity);
    }
  ctx->breakdown.host_extract_ms = vl_now_ms () - t1;
  return VL_STATUS_OK;
}
