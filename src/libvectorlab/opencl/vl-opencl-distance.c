/* vl-opencl-distance.c: norms, distance tiles and the distance matrix. */
#include "vl-opencl-private.h"

#include <limits.h>

/* Database rows per tile when the output is too large for one. */
#define TILE_ROWS 8192

VlStatus
vl_opencl_check_dims (size_t rows, size_t cols, const char *what,
                      VlError **error)
{
  if (rows >= UINT_MAX || cols >= UINT_MAX / 2)
    return vl_set_error (error, VL_STATUS_UNSUPPORTED,
                         "%s of %zu x %zu is too large for the OpenCL "
                         "backend (32-bit row and column indices)",
                         what, rows, cols);
  return VL_STATUS_OK;
}

VlStatus
vl_opencl_inv_norms (VlContext *ctx, cl_mem x, size_t rows, size_t d,
                     cl_mem inv, VlError **error)
{
  cl_kernel kernel;
  size_t wg, global;
  cl_uint ld = (cl_uint) d;
  VlStatus status;

  if ((status = vl_opencl_kernel (ctx, VL_OPENCL_NORMALIZE, "row_inv_norms",
                                  &kernel, &wg, error)) != VL_STATUS_OK
      || (status = vl_opencl_set_args (kernel, error, sizeof x, &x,
                                       sizeof ld, &ld, sizeof ld, &ld,
                                       sizeof inv, &inv, (size_t) 0)) != VL_STATUS_OK)
    return status;
  global = rows * wg;
  return vl_opencl_enqueue_kernel (ctx, kernel, 1, &global, &wg, error);
}

VlStatus
vl_opencl_unit_rows (VlContext *ctx, cl_mem x, size_t rows, size_t ld,
                     size_t d, VlError **error)
{
  cl_kernel kernel;
  size_t wg, global;
  cl_uint a_ld = (cl_uint) ld, a_d = (cl_uint) d;
  VlStatus status;

  if ((status = vl_opencl_kernel (ctx, VL_OPENCL_NORMALIZE, "unit_rows",
                                  &kernel, &wg, error)) != VL_STATUS_OK
      || (status = vl_opencl_set_args (kernel, error, sizeof x, &x,
                                       sizeof a_ld, &a_ld, sizeof a_d, &a_d,
                                       (size_t) 0)) != VL_STATUS_OK)
    return status;
  global = rows * wg;
  return vl_opencl_enqueue_kernel (ctx, kernel, 1, &global, &wg, error);
}

VlStatus
vl_opencl_distance_tile (VlContext *ctx, VlMetric metric, cl_mem q,
                         size_t q0, size_t nq, cl_mem x, size_t x0,
                         size_t nx, size_t d, cl_mem qinv, cl_mem xinv,
                         cl_mem out, size_t ldo, VlError **error)
{
  const char *name = metric == VL_METRIC_L2 ? "distance_l2" : "distance_ip";
  cl_kernel kernel;
  size_t wg;
  cl_uint a_q0 = (cl_uint) q0, a_nq = (cl_uint) nq, a_x0 = (cl_uint) x0;
  cl_uint a_nx = (cl_uint) nx, a_d = (cl_uint) d, a_ldo = (cl_uint) ldo;
  VlStatus status;

  if ((status = vl_opencl_kernel (ctx, VL_OPENCL_DISTANCE, name, &kernel, &wg,
                                  error)) != VL_STATUS_OK)
    return status;
  status = vl_opencl_set_args (kernel, error,
                               sizeof q, &q, sizeof a_q0, &a_q0,
                               sizeof a_d, &a_d, sizeof a_nq, &a_nq,
                               sizeof x, &x, sizeof a_x0, &a_x0,
                               sizeof a_d, &a_d, sizeof a_nx, &a_nx,
                               sizeof a_d, &a_d, sizeof out, &out,
                               sizeof a_ldo, &a_ldo, (size_t) 0);
  if (status == VL_STATUS_OK && metric != VL_METRIC_L2)
    {
      /* A NULL value sets a NULL pointer: plain inner products. */
      cl_int err = clSetKernelArg (kernel, 11, sizeof (cl_mem),
                                   metric == VL_METRIC_COSINE ? &qinv : NULL);
      if (err == CL_SUCCESS)
        err = clSetKernelArg (kernel, 12, sizeof (cl_mem),
                              metric == VL_METRIC_COSINE ? &xinv : NULL);
      status = vl_opencl_check (err, "clSetKernelArg", error);
    }
  if (status != VL_STATUS_OK)
    return status;
  return vl_opencl_enqueue_blocks (ctx, kernel, wg, nq, nx, error);
}

VlStatus
vl_opencl_distance_matrix (VlContext *ctx, VlMetric metric,
                           const VlMatrix *queries, const VlMatrix *database,
                           VlMatrix *out, VlError **error)
{
  size_t nq = queries->rows, n = database->rows, d = queries->cols;
  size_t qb, tn;
  cl_mem q = NULL, x = NULL, scratch = NULL;
  double t0 = vl_now_ms ();
  VlStatus status;

  VL_OPENCL_TRY (vl_opencl_check_dims (nq, d, "queries", error));
  VL_OPENCL_TRY (vl_opencl_check_dims (n, d, "database", error));
  /* Bounded scratch: the whole output if it fits, else query blocks
   * against database tiles of TILE_ROWS. */
  if (nq * n <= VL_OPENCL_SCRATCH_FLOATS)
    {
      qb = nq;
      tn = n;
    }
  else
    {
      tn = n < TILE_ROWS ? n : TILE_ROWS;
      qb = VL_OPENCL_SCRATCH_FLOATS / tn;
      if (qb > nq)
        qb = nq;
    }

  VL_OPENCL_TRY (vl_opencl_buffer_get (ctx, nq * d * sizeof (float), &q, "queries", error));
  VL_OPENCL_TRY (vl_opencl_buffer_get (ctx, n * d * sizeof (float), &x, "database", error));
  VL_OPENCL_TRY (vl_opencl_buffer_get (ctx, qb * tn * sizeof (float), &scratch, "distance tile", error));
  VL_OPENCL_TRY (vl_opencl_upload_rows (ctx, q, queries, 0, nq, error));
  VL_OPENCL_TRY (vl_opencl_upload_rows (ctx, x, database, 0, n, error));
  /* Cosine is the inner product of unit rows: scaling the product by
   * inverse norms afterwards overflows for rows whose products do. */
  if (metric == VL_METRIC_COSINE)
    {
      VL_OPENCL_TRY (vl_opencl_unit_rows (ctx, q, nq, d, d, error));
      VL_OPENCL_TRY (vl_opencl_unit_rows (ctx, x, n, d, d, error));
      metric = VL_METRIC_IP;
    }

  for (size_t q0 = 0; q0 < nq; q0 += qb)
    for (size_t x0 = 0; x0 < n; x0 += tn)
      {
        size_t rows = nq - q0 < qb ? nq - q0 : qb;
        size_t cols = n - x0 < tn ? n - x0 : tn;

        /* The in-order queue runs each read before the next tile
         * overwrites the scratch. */
        VL_OPENCL_TRY (vl_opencl_distance_tile (ctx, metric, q, q0, rows, x, x0,
                                                cols, d, NULL, NULL, scratch,
                                                cols, error));
        VL_OPENCL_TRY (vl_opencl_download_rect (ctx, scratch, cols, rows, cols,
                                                vl_row_f32_mut (out, q0) + x0,
                                                out->stride, error));
      }

out:
  ctx->breakdown.host_prep_ms = vl_now_ms () - t0;
  status = vl_opencl_finish (ctx, status, error);
  vl_opencl_buffer_put (ctx, q);
  vl_opencl_buffer_put (ctx, x);
  vl_opencl_buffer_put (ctx, scratch);
  return status;
}
