/* vl-opencl-topk.c: the running top-k that the tiled searches (flat index,
 * SQ index) fold each tile of scores into with topk.cl's topk_merge. */
#include "vl-opencl-private.h"

#include <string.h>

/* Static local memory of topk_merge beside `best`: histogram, scan of WG
 * items, counters (MERGE_WORK in topk.cl). */
#define TOPK_LOCAL_FIXED(wg) (256 * 4 + 4 * (wg) + 64)
/* Candidates a merge may gather below its bound and sort in local memory
 * (merge_few, merge_sorted_lists in topk.cl), at most: the first tiles of
 * a search leave many scores below the running k-th (a database stored
 * cluster by cluster gave hundreds a query for the tile after 57,344
 * rows), and many lists leave thousands of their candidates below the
 * best of their k-th keys; each of those would otherwise go through the
 * radix select (330 us for 128 queries' tile of 65,536 rows on an H100,
 * against 22 us when few pass). */
#define BEST_LEN_MAX 4096

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
   * them skip the radix select. */
  while (topk->best_len < BEST_LEN_MAX
         && 2 * topk->best_len * sizeof (cl_ulong) + TOPK_LOCAL_FIXED (topk->wg)
            <= ctx->device.local_mem_bytes)
    topk->best_len *= 2;
  return VL_STATUS_OK;
}

/* Scores of a query's first tile merged before the rest of it: that tile
 * has no running list to filter it, and the radix select's histogram
 * passes over all of its scores cost tens of us (64 us for 128 queries x
 * 10,000 on an H100).  The k-th best of the first part filters the rest
 * (merge_few in topk.cl), of which few pass while k is small against the
 * part. */
#define FIRST_PART 1024

/* Merges scores [@from, @from + @n) of each row of @scratch. */
static VlStatus
enqueue_merge (VlContext *ctx, const VlOpenclTopk *topk, cl_mem running,
               size_t k, size_t have, cl_mem scratch, size_t lds, size_t rows,
               size_t from, size_t n, size_t tile0, bool similarity,
               VlError **error)
{
  cl_uint a_k = (cl_uint) k, a_have = (cl_uint) have, a_n = (cl_uint) n;
  cl_uint a_lds = (cl_uint) lds, a_from = (cl_uint) from;
  cl_uint a_tile0 = (cl_uint) tile0, a_len = (cl_uint) topk->best_len;
  cl_int negate = similarity;
  size_t global = rows * topk->wg;
  VlStatus status;

  status = vl_opencl_set_args (topk->kernel, error, sizeof running, &running,
                               sizeof a_k, &a_k, sizeof a_have, &a_have,
                               sizeof scratch, &scratch, sizeof a_lds, &a_lds,
                               sizeof a_from, &a_from, sizeof a_n, &a_n,
                               sizeof a_tile0, &a_tile0,
                               sizeof negate, &negate,
                               topk->best_len * sizeof (cl_ulong), NULL,
                               sizeof a_len, &a_len, (size_t) 0);
  if (status != VL_STATUS_OK)
    return status;
  return vl_opencl_enqueue_kernel (ctx, topk->kernel, 1, &global, &topk->wg,
                                   error);
}

VlStatus
vl_opencl_topk_merge (VlContext *ctx, const VlOpenclTopk *topk,
                      cl_mem running, size_t k, size_t have, cl_mem scratch,
                      size_t lds, size_t rows, size_t cols, size_t tile0,
                      bool similarity, VlError **error)
{
  VlStatus status;

  if (have > 0 || 4 * k > FIRST_PART || cols <= 2 * FIRST_PART)
    return enqueue_merge (ctx, topk, running, k, have, scratch, lds, rows, 0,
                          cols, tile0, similarity, error);
  status = enqueue_merge (ctx, topk, running, k, 0, scratch, lds, rows, 0,
                          FIRST_PART, tile0, similarity, error);
  if (status != VL_STATUS_OK)
    return status;
  return enqueue_merge (ctx, topk, running, k, k, scratch, lds, rows,
                        FIRST_PART, cols - FIRST_PART, tile0, similarity,
                        error);
}

VlStatus
vl_opencl_topk_merge_lists (VlContext *ctx, const VlOpenclTopk *topk,
                            cl_mem running, size_t k, cl_mem lists,
                            size_t rows, size_t per_row, VlError **error)
{
  cl_uint a_k = (cl_uint) k, a_have = 0, a_n = (cl_uint) per_row;
  cl_uint a_len = (cl_uint) topk->best_len;
  size_t global = rows * topk->wg;
  VlStatus status;

  status = vl_opencl_set_args (topk->kernel_lists, error,
                               sizeof running, &running, sizeof a_k, &a_k,
                               sizeof a_have, &a_have, sizeof lists, &lists,
                               sizeof a_n, &a_n, sizeof a_n, &a_n,
                               topk->best_len * sizeof (cl_ulong), NULL,
                               sizeof a_len, &a_len, (size_t) 0);
  if (status != VL_STATUS_OK)
    return status;
  return vl_opencl_enqueue_kernel (ctx, topk->kernel_lists, 1, &global,
                                   &topk->wg, error);
}

VlStatus
vl_opencl_topk_download (VlContext *ctx, cl_mem running, size_t q0,
                         size_t rows, size_t nq, size_t k, cl_ulong *found,
                         VlError **error)
{
  return (q0 + rows < nq ? vl_opencl_download : vl_opencl_download_wait)
         (ctx, running, rows * k * sizeof (cl_ulong), found + q0 * k, error);
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
  VlOpenclContext *priv = ctx->priv;
  double t1;

  ctx->breakdown.host_prep_ms = vl_now_ms () - t0 - priv->blocked_ms;
  priv->blocked_ms = 0.0;
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
