/* vl-opencl-knn-scan.c: the path for a few queries: one pass over the
 * database for each block of queries, each work-group keeping its own
 * top-k, then topk_merge_lists merges the work-groups' lists into a few
 * parts' lists (unless they are few already), which the host merges.
 * knn_scan.cl passes over 1, 4 or 16 queries, over floats or SQ8 codes;
 * team_scan.cl over 4 queries' floats or 1 or 4 queries' SQ8 codes,
 * unstaged; on tensor cores, knn_scan_mma.cl over 16 queries' inner
 * products of floats or SQ8 codes.  knn_scan.cl's 4-query pass serves
 * where team_scan.cl's constants do not fit (rows of thousands of
 * dimensions in 48 KiB of local memory). */
#include "vl-opencl-private.h"

#include <string.h>

typedef struct
{
  VlOpenclFamily family;
  const char    *ip, *l2;  /* kernels (knn_scan_mma.cl: inner products) */
  size_t         qb;       /* queries a launch */
  size_t         wg;       /* items a group */
  size_t         tile;     /* rows a tile (knn_scan.cl) or a round */
  size_t         local;    /* local memory bytes */
  size_t         groups_per_cu;
  size_t         cst;      /* bytes of team_scan.cl's `cst` argument */
  size_t         max_k;
} Variant;

size_t
vl_opencl_knn_scan_local (size_t qb, size_t wg, size_t rpi, size_t tk)
{
  /* SCAN_LOCALS in knn_scan.cl. */
  return qb * 2 * wg * 8 + tk * (wg * rpi + 2) * 4 + tk * qb * 4 + qb * 12;
}

size_t
vl_opencl_team_scan_local (size_t qb, size_t wg)
{
  /* TEAM_SCAN_LOCALS in team_scan.cl: candidates, the teams' partial sums,
   * counts and thresholds. */
  return qb * 2 * wg * 8 + wg * 33 * 4 + qb * 12;
}

size_t
vl_opencl_knn_scan_mma_local (size_t wg, size_t nr, size_t cw,
                              size_t stages)
{
  /* knn_scan_mma.cl: a list of two rounds (rounded up to a power of two),
   * a count, a threshold and a score for each of 16 queries, 3 flags, and
   * each warp's ring of steps (NR * 8 rows of CW * 16 floats). */
  size_t cap = 32;

  while (cap < 2 * (wg / 32) * nr * 8)
    cap *= 2;
  return 16 * (cap * 8 + 16) + 3 * 4 + wg / 32 * stages * nr * 8 * cw * 64;
}

/* The variant of @family for @qb queries of @scan. */
static Variant
variant (VlContext *ctx, VlOpenclFamily family, size_t qb,
         const VlOpenclScan *scan)
{
  const char *tuning = vl_opencl_tuning (ctx, family);
  size_t rpi = vl_opencl_tuning_value (tuning, "RPI", 1);
  Variant v = { family, "knn_scan_ip", "knn_scan_l2", qb,
                vl_opencl_tuning_wg (tuning), 0, 0,
                vl_opencl_tuning_value (tuning, "GROUPS_PER_CU", 4), 0, 0 };

  v.tile = v.wg * rpi;
  v.max_k = v.wg;
  if (family == VL_OPENCL_KNN_SCAN_MMA || family == VL_OPENCL_SQ8_SCAN_MMA)
    {
      size_t nr = vl_opencl_tuning_value (tuning, "NR", 1);

      v.ip = family == VL_OPENCL_SQ8_SCAN_MMA ? "sq8_scan_mma_ip"
                                              : "knn_scan_mma_ip";
      v.l2 = NULL;
      v.tile = v.wg / 32 * nr * 8;
      v.max_k = v.tile;
      v.local = vl_opencl_knn_scan_mma_local (
          v.wg, nr, vl_opencl_tuning_value (tuning, "CW", 1),
          vl_opencl_tuning_value (tuning, "STAGES", 2));
    }
  else if (family == VL_OPENCL_SQ8_TEAM1 || family == VL_OPENCL_SQ8_TEAM4
           || family == VL_OPENCL_TEAM_SCAN4)
    {
      bool sq8 = family != VL_OPENCL_TEAM_SCAN4;

      v.ip = "team_scan_ip";
      v.l2 = "team_scan_l2";
      /* A round: ROWS rows of each team of 32. */
      v.tile = v.wg / 32 * (sq8 ? 32 / qb
                                : vl_opencl_tuning_value (tuning, "RPT", 1));
      /* A float4 a column for each query, and for step under L2 over
       * codes. */
      v.cst = (qb + (sq8 && scan->l2)) * scan->ld4 * 16;
      v.local = vl_opencl_team_scan_local (qb, v.wg) + v.cst;
    }
  else
    v.local = vl_opencl_knn_scan_local (qb, v.wg, rpi,
                                        vl_opencl_tuning_value (tuning, "TK", 16));
  return v;
}

static bool
fits (VlContext *ctx, const Variant *v, size_t k)
{
  return v->local <= ctx->device.local_mem_bytes && k <= v->max_k;
}

/* The variant for the next @rows queries of @scan with @k: on tensor cores
 * (inner products of floats, more than 4 queries) knn_scan_mma.cl; else
 * the largest variant the device can run, team_scan.cl's where its
 * constants fit in local memory, else knn_scan.cl's. */
static bool
choose (VlContext *ctx, const VlOpenclScan *scan, size_t rows, size_t k,
        Variant *out)
{
  static const struct
  {
    VlOpenclFamily family, sq8, team, sq8_team;
    size_t         qb;
  } all[] = {
    { VL_OPENCL_KNN_SCAN16, VL_OPENCL_SQ8_SCAN16, VL_OPENCL_N_FAMILIES,
      VL_OPENCL_N_FAMILIES, 16 },
    { VL_OPENCL_KNN_SCAN4, VL_OPENCL_SQ8_SCAN4, VL_OPENCL_TEAM_SCAN4,
      VL_OPENCL_SQ8_TEAM4, 4 },
    /* For one query over floats knn_scan.cl keeps up with memory better
     * (0.82 against 0.89 ms or more over 1M x 768 on the H200). */
    { VL_OPENCL_KNN_SCAN1, VL_OPENCL_SQ8_SCAN1, VL_OPENCL_N_FAMILIES,
      VL_OPENCL_SQ8_TEAM1, 1 },
  };
  VlOpenclContext *priv = ctx->priv;
  bool sq8 = scan->min != NULL;
  VlOpenclFamily team;
  Variant v;

  /* Up to 4 queries, knn_scan.cl's fp32 sums keep up with memory. */
  if (priv->tensor_cores && !sq8 && !scan->l2 && scan->qinv == NULL
      && scan->xinv == NULL && rows > 4)
    {
      v = variant (ctx, VL_OPENCL_KNN_SCAN_MMA, 16, scan);
      if (fits (ctx, &v, k))
        goto found;
    }
  /* Over SQ8 codes team_scan.cl decodes at three instructions a code,
   * which bounds it by arithmetic from 4 queries; the tensor cores' pass
   * decodes at one and took 1.10 against 2.31 ms for 16 queries over 1M x
   * 768 codes on an H100 (same run), but 0.96 against 0.31 for one, which
   * stays on team_scan.cl.  It needs rows of whole 16-byte cells. */
  if (priv->tensor_cores && sq8 && !scan->l2 && scan->qinv == NULL
      && scan->xinv == NULL && scan->ld4 % 4 == 0 && rows > 1)
    {
      v = variant (ctx, VL_OPENCL_SQ8_SCAN_MMA, 16, scan);
      if (fits (ctx, &v, k))
        goto found;
    }
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
    {
      bool smaller_fits = i + 1 < sizeof all / sizeof all[0]
                          && rows <= all[i + 1].qb;

      if (smaller_fits)
        continue;
      team = sq8 ? all[i].sq8_team : all[i].team;
      if (team != VL_OPENCL_N_FAMILIES)
        {
          v = variant (ctx, team, all[i].qb, scan);
          if (fits (ctx, &v, k))
            goto found;
        }
      v = variant (ctx, sq8 ? all[i].sq8 : all[i].family, all[i].qb, scan);
      if (fits (ctx, &v, k))
        goto found;
    }
  return false;

found:
  *out = v;
  return true;
}

/* Arguments @first .. @first + 3: min, step, qinv, xinv, a NULL pointer
 * where unset. */
static VlStatus
set_optional_buffers (cl_kernel kernel, cl_uint first, const VlOpenclScan *scan,
                      VlError **error)
{
  const cl_mem *bufs[] = { &scan->min, &scan->step, &scan->qinv, &scan->xinv };
  cl_int err = CL_SUCCESS;

  for (cl_uint i = 0; i < 4 && err == CL_SUCCESS; i++)
    err = clSetKernelArg (kernel, first + i, sizeof (cl_mem),
                          *bufs[i] != NULL ? bufs[i] : NULL);
  return vl_opencl_check (err, "clSetKernelArg", error);
}

bool
vl_opencl_knn_scan_serves (VlContext *ctx, const VlOpenclScan *scan,
                           size_t nq, size_t k)
{
  Variant v;

  /* Up to two passes beat scoring tiles. */
  return choose (ctx, scan, nq, k, &v) && nq <= 2 * v.qb;
}

/* Candidates of a block's parts at most, which the host merges: 32 KiB
 * to download. */
#define HOST_MERGE_CANDIDATES 4096

/* Parts a query's @groups lists of @k are merged into on the device, a
 * work-group a part, before the host merges the parts' lists: the largest
 * divisor of @groups (the lists must split evenly, and the groups fill
 * the device) that leaves a part 8 lists or more and the @rows queries'
 * parts HOST_MERGE_CANDIDATES candidates at most; 1 where none does;
 * @groups, a part a list (nothing merged on the device), where all the
 * lists are that few.
 * Two merges on the device took 11.5 + 8 us of a one-query search of 1M
 * x 768 on an H100 (792 groups, 8 parts of 99 lists), the second mostly
 * a launch's latency; with the host merging 99 parts of 8 lists the
 * search took 1.028 against 1.042 ms in the same run, 16 queries 1.156
 * against 1.181 (24 parts), SQ8 codes 0.304 against 0.313.  One
 * work-group merging the 1,056 lists of a scan took 59 us on the H200;
 * the scan's last groups merging them after tickets and device-wide
 * fences were no faster than the launches on an H100, and neither were
 * pools of the candidates under the best k-th key of the groups so far
 * (the groups end as one wave: 2,900 of 7,920 candidates reached the
 * pool, whose one merge took 50 us).  Without the device's merge a
 * one-query search of 1M x 768 SQ8 codes (396 lists, 3,960 candidates)
 * took 0.2995 against 0.3085 ms in the same H100 run (median of 30); one
 * of floats (792 lists, 63 KB) 1.079 against 1.069, with a wider spread,
 * hence the budget. */
static size_t
merge_parts (size_t groups, size_t rows, size_t k)
{
  size_t most = groups / 8;

  if (groups * rows * k <= HOST_MERGE_CANDIDATES)
    return groups;

  if (most > HOST_MERGE_CANDIDATES / (rows * k))
    most = HOST_MERGE_CANDIDATES / (rows * k);
  for (size_t parts = most; parts > 1; parts--)
    if (groups % parts == 0)
      return parts;
  return 1;
}

/* The next block of at most @left queries: its variant, queries,
 * work-groups (tiles, at most GROUPS_PER_CU a compute unit) and merge
 * parts.  The groups take the tiles in turn (g, g + groups, ...), so some
 * have one tile more; contiguous ranges of n / groups rows a group, which
 * even that out, were slower in the same H100 run over 1M x 768: one
 * query 1.122 against 1.069 ms, 16 queries 1.253 against 1.226. */
static void
plan_block (VlContext *ctx, const VlOpenclScan *scan, size_t k, size_t left,
            Variant *v, size_t *rows, size_t *groups, size_t *parts)
{
  size_t cu = ctx->device.compute_units > 0 ? ctx->device.compute_units : 1;

  choose (ctx, scan, left, k, v);
  *rows = left < v->qb ? left : v->qb;
  *groups = (scan->n + v->tile - 1) / v->tile;
  if (cu * v->groups_per_cu < *groups)
    *groups = cu * v->groups_per_cu;
  *parts = merge_parts (*groups, *rows, k);
}

/* Merges the @parts sorted lists of k of each of @rows queries in @lists
 * (a query's contiguous) into its best k in @found: the first list, then
 * each other's candidates that beat the k-th so far, inserted in order
 * (a list's rest is no better).  Few beat it after the first lists: 0.6
 * us for one query's 99 parts, 2.4 us for 16 queries' 24 (a sort of each
 * query's candidates up to the best of the lists' k-th took 12 and 34). */
static void
merge_parts_on_host (const cl_ulong *lists, size_t rows, size_t parts,
                     size_t k, cl_ulong *found)
{
  for (size_t r = 0; r < rows; r++)
    {
      const cl_ulong *own = lists + r * parts * k;
      cl_ulong *best = found + r * k;

      memcpy (best, own, k * sizeof *best);
      for (size_t p = 1; p < parts; p++)
        for (size_t i = 0; i < k && own[p * k + i] < best[k - 1]; i++)
          {
            const cl_ulong c = own[p * k + i];
            size_t j = k - 1;

            for (; j > 0 && best[j - 1] > c; j--)
              best[j] = best[j - 1];
            best[j] = c;
          }
    }
}

/* knn_scan_mma.cl over SQ8 codes: sets @kernel's arguments for the block
 * of @rows queries from @q0 after enqueueing sq8_scan_mma_prep, which
 * writes the block's query fragments into *@qf and their q.min and
 * scales into *@qs (buffers got on first use, returned by the caller). */
static VlStatus
sq8_mma_block (VlContext *ctx, const VlOpenclScan *scan, cl_mem q, size_t q0,
               size_t rows, size_t k, cl_mem lists, cl_kernel kernel,
               cl_mem *qf, cl_mem *qs, VlError **error)
{
  const char *tuning = vl_opencl_tuning (ctx, VL_OPENCL_SQ8_SCAN_MMA);
  size_t cw = vl_opencl_tuning_value (tuning, "CW", 1);
  size_t cells = scan->ld4 / 4, steps = (cells + 4 * cw - 1) / (4 * cw);
  /* A chunk of 64 columns: 8 x 4 lanes' 8 fragments of 16 bytes. */
  size_t chunk_bytes = 8 * 4 * 8 * 16, wg, global;
  cl_uint a_q0 = (cl_uint) q0, a_nb = (cl_uint) rows;
  cl_uint a_d = (cl_uint) (scan->ld4 * 4), a_chunks = (cl_uint) (steps * cw);
  cl_uint a_n = (cl_uint) scan->n, a_cells = (cl_uint) cells, a_zero = 0;
  cl_uint a_k = (cl_uint) k;
  cl_kernel prep;
  VlStatus status;

  if (*qf == NULL)
    VL_OPENCL_TRY (vl_opencl_buffer_get (ctx, steps * cw * chunk_bytes, qf,
                                         "SQ8 query fragments", error));
  if (*qs == NULL)
    VL_OPENCL_TRY (vl_opencl_buffer_get (ctx, 16 * sizeof (cl_float2), qs,
                                         "SQ8 query bases", error));
  VL_OPENCL_TRY (vl_opencl_kernel (ctx, VL_OPENCL_SQ8_SCAN_MMA,
                                   "sq8_scan_mma_prep", &prep, &wg, error));
  VL_OPENCL_TRY (vl_opencl_set_args (prep, error, sizeof q, &q,
                                     sizeof a_q0, &a_q0, sizeof a_nb, &a_nb,
                                     sizeof a_d, &a_d,
                                     sizeof scan->min, &scan->min,
                                     sizeof scan->step, &scan->step,
                                     sizeof a_chunks, &a_chunks,
                                     sizeof *qf, qf, sizeof *qs, qs,
                                     (size_t) 0));
  global = 16 * wg;
  VL_OPENCL_TRY (vl_opencl_enqueue_kernel (ctx, prep, 1, &global, &wg, error));
  /* The fragments are the block's own: its first query is row 0. */
  VL_OPENCL_TRY (vl_opencl_set_args (kernel, error, sizeof scan->x, &scan->x,
                                     sizeof a_n, &a_n, sizeof a_cells, &a_cells,
                                     sizeof *qf, qf, sizeof a_zero, &a_zero,
                                     sizeof a_nb, &a_nb, sizeof a_k, &a_k,
                                     sizeof lists, &lists, sizeof *qs, qs,
                                     (size_t) 0));
out:
  return status;
}

VlStatus
vl_opencl_knn_scan (VlContext *ctx, const VlOpenclScan *scan, cl_mem q,
                    size_t nq, size_t k, const VlOpenclTopk *topk,
                    cl_ulong *found, VlError **error)
{
  VlOpenclContext *priv = ctx->priv;
  size_t max_lists = 0, max_parts = 0, all_parts = 0, rows, groups, parts;
  cl_mem lists = NULL, partial = NULL, qf = NULL, qs = NULL;
  cl_ulong *host_parts = NULL;
  Variant v;
  VlStatus status = VL_STATUS_OK;

  /* Buffers for the largest block; every block's parts on the host. */
  for (size_t q0 = 0; q0 < nq; q0 += rows)
    {
      plan_block (ctx, scan, k, nq - q0, &v, &rows, &groups, &parts);
      if (rows * groups > max_lists)
        max_lists = rows * groups;
      if (parts < groups && rows * parts > max_parts)
        max_parts = rows * parts;
      all_parts += rows * parts;
    }
  VL_OPENCL_TRY (vl_opencl_buffer_get (ctx, max_lists * k * sizeof (cl_ulong),
                                       &lists, "scan candidates", error));
  if (max_parts > 0)
    VL_OPENCL_TRY (vl_opencl_buffer_get (ctx, max_parts * k * sizeof (cl_ulong),
                                         &partial, "merged parts", error));
  /* Two blocks' parts at least (64 KiB), so that it is made once. */
  VL_OPENCL_TRY (vl_opencl_pinned_get (ctx, &priv->results,
                                       all_parts * k * sizeof *host_parts,
                                       2 * HOST_MERGE_CANDIDATES
                                       * sizeof *host_parts,
                                       (void **) &host_parts, error));

  all_parts = 0;
  for (size_t q0 = 0; q0 < nq; q0 += rows)
    {
      cl_kernel kernel;
      size_t wg;
      cl_uint a_n = (cl_uint) scan->n, a_ld4 = (cl_uint) scan->ld4;
      cl_uint a_q0 = (cl_uint) q0, a_nb, a_k = (cl_uint) k;
      size_t bytes;

      plan_block (ctx, scan, k, nq - q0, &v, &rows, &groups, &parts);
      a_nb = (cl_uint) rows;
      VL_OPENCL_TRY (vl_opencl_kernel (ctx, v.family, scan->l2 ? v.l2 : v.ip,
                                       &kernel, &wg, error));
      if (v.family == VL_OPENCL_SQ8_SCAN_MMA)
        VL_OPENCL_TRY (sq8_mma_block (ctx, scan, q, q0, rows, k, lists,
                                      kernel, &qf, &qs, error));
      else
        VL_OPENCL_TRY (vl_opencl_set_args (kernel, error,
                                           sizeof scan->x, &scan->x,
                                           sizeof a_n, &a_n,
                                           sizeof a_ld4, &a_ld4,
                                           sizeof q, &q, sizeof a_q0, &a_q0,
                                           sizeof a_nb, &a_nb,
                                           sizeof a_k, &a_k,
                                           sizeof lists, &lists, (size_t) 0));
      /* knn_scan_mma.cl has none of them: inner products, no cosine. */
      if (v.family != VL_OPENCL_KNN_SCAN_MMA
          && v.family != VL_OPENCL_SQ8_SCAN_MMA)
        VL_OPENCL_TRY (set_optional_buffers (kernel, 8, scan, error));
      if (v.cst > 0)
        VL_OPENCL_TRY (vl_opencl_check (clSetKernelArg (kernel, 12, v.cst, NULL),
                                        "clSetKernelArg", error));
      {
        size_t global = groups * wg;

        VL_OPENCL_TRY (vl_opencl_enqueue_kernel (ctx, kernel, 1, &global, &wg,
                                                 error));
      }
      /* The device starts on the scan while the host enqueues the rest. */
      VL_OPENCL_TRY (vl_opencl_check (clFlush (priv->queue), "clFlush",
                                      error));
      /* A query's lists are contiguous: part i of it is row i of the
       * merge. */
      if (parts < groups)
        VL_OPENCL_TRY (vl_opencl_topk_merge_lists (ctx, topk, partial, k,
                                                   lists, rows * parts,
                                                   groups / parts * k, error));
      /* The in-order queue has every block's parts by the last block's
       * wait. */
      bytes = rows * parts * k * sizeof (cl_ulong);
      VL_OPENCL_TRY ((q0 + rows < nq ? vl_opencl_download
                                     : vl_opencl_download_pinned_wait)
                     (ctx, parts < groups ? partial : lists, bytes,
                      host_parts + all_parts * k, error));
      all_parts += rows * parts;
    }

  all_parts = 0;
  for (size_t q0 = 0; q0 < nq; q0 += rows)
    {
      plan_block (ctx, scan, k, nq - q0, &v, &rows, &groups, &parts);
      merge_parts_on_host (host_parts + all_parts * k, rows, parts, k,
                           found + q0 * k);
      all_parts += rows * parts;
    }
out:
  vl_opencl_buffer_put (ctx, lists);
  vl_opencl_buffer_put (ctx, partial);
  vl_opencl_buffer_put (ctx, qf);
  vl_opencl_buffer_put (ctx, qs);
  return status;
}
