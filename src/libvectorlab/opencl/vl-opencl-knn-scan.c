/* vl-opencl-knn-scan.c: the flat index's path for a few queries: one pass
 * of knn_scan.cl over the database for each block of up to 16 queries,
 * then topk_merge_lists merges the work-groups' lists. */
#include "vl-opencl-private.h"

typedef struct
{
  VlOpenclFamily family;
  size_t         qb;       /* queries a launch */
  size_t         wg;       /* items a group */
  size_t         tile;     /* rows a tile: wg x rows an item */
  size_t         local;    /* local memory bytes */
  size_t         groups_per_cu;
  size_t         whole;    /* bytes of the `whole` argument (DIRECT) */
} Variant;

size_t
vl_opencl_knn_scan_local (size_t qb, size_t wg, size_t rpi, size_t tk)
{
  /* SCAN_LOCALS in knn_scan.cl. */
  return qb * 2 * wg * 8 + tk * (wg * rpi + 2) * 4 + tk * qb * 4 + qb * 12;
}

/* @ld4: float4 (or 4 codes) a row, which the DIRECT families keep whole. */
static Variant
variant (VlContext *ctx, VlOpenclFamily family, size_t qb, size_t ld4)
{
  const char *tuning = vl_opencl_tuning (ctx, family);
  size_t rpi = vl_opencl_tuning_value (tuning, "RPI", 1);
  bool direct = family == VL_OPENCL_SQ8_DIRECT1 || family == VL_OPENCL_SQ8_DIRECT4;
  Variant v = { family, qb, vl_opencl_tuning_wg (tuning), 0, 0,
                vl_opencl_tuning_value (tuning, "GROUPS_PER_CU", 4), 16 };

  v.tile = v.wg * rpi;
  if (direct)
    {
      /* SCAN_LOCALS under DIRECT, and min, step and the queries. */
      v.whole = (2 + qb) * ld4 * 16;
      v.local = qb * 2 * v.wg * 8 + qb * 12 + v.whole;
    }
  else
    v.local = vl_opencl_knn_scan_local (qb, v.wg, rpi,
                                        vl_opencl_tuning_value (tuning, "TK", 16));
  return v;
}

/* The largest variant for @rows queries that the device can run with @k;
 * over SQ8 codes with @sq8, reading them straight from global memory
 * (DIRECT) when rows are whole uint4 (@ld4 a multiple of 4) and the
 * queries fit in local memory. */
static bool
choose (VlContext *ctx, size_t rows, size_t k, bool sq8, size_t ld4,
        Variant *out)
{
  static const struct { VlOpenclFamily family, sq8, direct; size_t qb; } all[] = {
    { VL_OPENCL_KNN_SCAN16, VL_OPENCL_SQ8_SCAN16, VL_OPENCL_N_FAMILIES, 16 },
    { VL_OPENCL_KNN_SCAN4, VL_OPENCL_SQ8_SCAN4, VL_OPENCL_SQ8_DIRECT4, 4 },
    { VL_OPENCL_KNN_SCAN1, VL_OPENCL_SQ8_SCAN1, VL_OPENCL_SQ8_DIRECT1, 1 },
  };

  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
    {
      bool smaller_fits = i + 1 < sizeof all / sizeof all[0]
                          && rows <= all[i + 1].qb;
      Variant v;

      if (smaller_fits)
        continue;
      if (sq8 && ld4 % 4 == 0 && all[i].direct != VL_OPENCL_N_FAMILIES)
        {
          v = variant (ctx, all[i].direct, all[i].qb, ld4);
          if (v.local <= ctx->device.local_mem_bytes && k <= v.wg)
            {
              *out = v;
              return true;
            }
        }
      v = variant (ctx, sq8 ? all[i].sq8 : all[i].family, all[i].qb, ld4);
      if (v.local > ctx->device.local_mem_bytes || k > v.wg)
        continue;
      *out = v;
      return true;
    }
  return false;
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
vl_opencl_knn_scan_fits (VlContext *ctx, size_t k)
{
  Variant v;

  return choose (ctx, 1, k, false, 0, &v);
}

/* The next block of at most @left queries: its variant, queries and
 * work-groups (tiles, at most GROUPS_PER_CU a compute unit). */
static void
plan_block (VlContext *ctx, const VlOpenclScan *scan, size_t k, size_t left,
            Variant *v, size_t *rows, size_t *groups)
{
  size_t cu = ctx->device.compute_units > 0 ? ctx->device.compute_units : 1;

  *rows = left < 16 ? left : 16;
  choose (ctx, *rows, k, scan->min != NULL, scan->ld4, v);
  *rows = *rows < v->qb ? *rows : v->qb;
  *groups = (scan->n + v->tile - 1) / v->tile;
  if (cu * v->groups_per_cu < *groups)
    *groups = cu * v->groups_per_cu;
}

VlStatus
vl_opencl_knn_scan (VlContext *ctx, const VlOpenclScan *scan, cl_mem q,
                    size_t nq, size_t k, const VlOpenclTopk *topk,
                    cl_ulong *found, VlError **error)
{
  size_t max_groups = 0, rows, groups;
  cl_mem lists = NULL, running = NULL;
  Variant v;
  VlStatus status = VL_STATUS_OK;

  /* Buffers for the largest block. */
  for (size_t q0 = 0; q0 < nq; q0 += rows)
    {
      plan_block (ctx, scan, k, nq - q0, &v, &rows, &groups);
      if (groups > max_groups)
        max_groups = groups;
    }
  VL_OPENCL_TRY (vl_opencl_buffer_get (ctx, 16 * max_groups * k * sizeof (cl_ulong),
                                       &lists, "scan candidates", error));
  VL_OPENCL_TRY (vl_opencl_buffer_get (ctx, 16 * k * sizeof (cl_ulong),
                                       &running, "top-k", error));

  for (size_t q0 = 0; q0 < nq; q0 += rows)
    {
      cl_kernel kernel;
      size_t wg;
      cl_uint a_n = (cl_uint) scan->n, a_ld4 = (cl_uint) scan->ld4;
      cl_uint a_q0 = (cl_uint) q0, a_nb, a_k = (cl_uint) k;

      plan_block (ctx, scan, k, nq - q0, &v, &rows, &groups);
      a_nb = (cl_uint) rows;
      VL_OPENCL_TRY (vl_opencl_kernel (ctx, v.family,
                                       scan->l2 ? "knn_scan_l2" : "knn_scan_ip",
                                       &kernel, &wg, error));
      VL_OPENCL_TRY (vl_opencl_set_args (kernel, error, sizeof scan->x, &scan->x,
                                         sizeof a_n, &a_n, sizeof a_ld4, &a_ld4,
                                         sizeof q, &q, sizeof a_q0, &a_q0,
                                         sizeof a_nb, &a_nb, sizeof a_k, &a_k,
                                         sizeof lists, &lists, (size_t) 0));
      VL_OPENCL_TRY (set_optional_buffers (kernel, 8, scan, error));
      VL_OPENCL_TRY (vl_opencl_check (clSetKernelArg (kernel, 12, v.whole, NULL),
                                      "clSetKernelArg", error));
      {
        size_t global = groups * wg;

        VL_OPENCL_TRY (vl_opencl_enqueue_kernel (ctx, kernel, 1, &global, &wg,
                                                 error));
      }
      VL_OPENCL_TRY (vl_opencl_topk_merge_lists (ctx, topk, running, k, lists,
                                                 rows, groups * k, error));
      VL_OPENCL_TRY (vl_opencl_download (ctx, running,
                                         rows * k * sizeof (cl_ulong),
                                         found + q0 * k, error));
    }
out:
  vl_opencl_buffer_put (ctx, lists);
  vl_opencl_buffer_put (ctx, running);
  return status;
}
