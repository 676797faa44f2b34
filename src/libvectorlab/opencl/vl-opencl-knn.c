/* vl-opencl-knn.c: the flat index: the database lives on the device, and a
 * search streams it in tiles: distances of a query block against a tile into
 * a bounded scratch, then topk_merge folds the tile into each query's
 * running top-k. */
#include "vl-opencl-private.h"

#include <stdlib.h>

/* Database rows per tile: large enough that the running top-k (up to 4096)
 * is re-read a few times per tile at most, small enough that the scratch
 * holds a useful query block. */
#define TILE_ROWS 8192

typedef struct
{
  cl_mem x;  /* n x d, contiguous; unit rows under cosine */
} IndexData;

VlStatus
vl_opencl_index_build (VlIndex *index, const VlMatrix *database,
                       VlError **error)
{
  VlContext *ctx = index->ctx;
  IndexData *data;
  double t0 = vl_now_ms ();
  VlStatus status;

  if ((status = vl_opencl_check_dims (index->n, index->d, "database", error)) != VL_STATUS_OK)
    return status;
  data = calloc (1, sizeof *data);
  if (data == NULL)
    return vl_set_error (error, VL_STATUS_OUT_OF_MEMORY, "out of memory");
  index->priv = data;

  VL_OPENCL_TRY (vl_opencl_buffer_get (ctx, index->n * index->d * sizeof (float),
                                       &data->x, "the index database", error));
  VL_OPENCL_TRY (vl_opencl_upload_rows (ctx, data->x, database, 0, index->n, error));
  /* Cosine is the inner product of unit rows, which cannot overflow. */
  if (index->metric == VL_METRIC_COSINE)
    VL_OPENCL_TRY (vl_opencl_unit_rows (ctx, data->x, index->n, index->d, error));
out:
  ctx->breakdown.host_prep_ms = vl_now_ms () - t0;
  return vl_opencl_finish (ctx, status, error);
}

void
vl_opencl_index_free (VlIndex *index)
{
  IndexData *data = index->priv;

  if (data == NULL)
    return;
  vl_opencl_buffer_put (index->ctx, data->x);
  free (data);
  index->priv = NULL;
}

VlStatus
vl_opencl_index_search (VlIndex *index, const VlMatrix *queries, size_t k,
                        int64_t *ids, float *scores, VlError **error)
{
  VlContext *ctx = index->ctx;
  IndexData *data = index->priv;
  size_t nq = queries->rows, n = index->n, d = index->d;
  size_t tn = n < TILE_ROWS ? n : TILE_ROWS;
  size_t qb = VL_OPENCL_SCRATCH_FLOATS / tn < nq ? VL_OPENCL_SCRATCH_FLOATS / tn : nq;
  bool similarity = vl_metric_is_similarity (index->metric);
  VlMetric metric = index->metric;
  cl_mem q = NULL, scratch = NULL, running = NULL;
  VlOpenclTopk topk;
  cl_ulong *found = NULL;
  double t0 = vl_now_ms ();
  VlStatus status;

  VL_OPENCL_TRY (vl_opencl_check_dims (nq, d, "queries", error));
  VL_OPENCL_TRY (vl_opencl_topk_init (ctx, k, &topk, error));
  found = malloc (nq * k * sizeof *found);
  if (found == NULL)
    {
      status = vl_set_error (error, VL_STATUS_OUT_OF_MEMORY,
                             "out of memory for %zu x %zu results", nq, k);
      goto out;
    }

  VL_OPENCL_TRY (vl_opencl_buffer_get (ctx, nq * d * sizeof (float), &q, "queries", error));
  VL_OPENCL_TRY (vl_opencl_buffer_get (ctx, qb * tn * sizeof (float), &scratch, "distance tile", error));
  VL_OPENCL_TRY (vl_opencl_buffer_get (ctx, qb * k * sizeof (cl_ulong), &running, "running top-k", error));
  VL_OPENCL_TRY (vl_opencl_upload_rows (ctx, q, queries, 0, nq, error));
  if (metric == VL_METRIC_COSINE)
    {
      VL_OPENCL_TRY (vl_opencl_unit_rows (ctx, q, nq, d, error));
      metric = VL_METRIC_IP;
    }

  for (size_t q0 = 0; q0 < nq; q0 += qb)
    {
      size_t rows = nq - q0 < qb ? nq - q0 : qb;
      size_t have = 0;

      for (size_t x0 = 0; x0 < n; x0 += tn)
        {
          size_t cols = n - x0 < tn ? n - x0 : tn;

          VL_OPENCL_TRY (vl_opencl_distance_tile (ctx, metric, q, q0, rows,
                                                  data->x, x0, cols, d, NULL,
                                                  NULL, scratch, cols, error));
          VL_OPENCL_TRY (vl_opencl_topk_merge (ctx, &topk, running, k, have,
                                               scratch, rows, cols, x0,
                                               similarity, error));
          have = have + cols < k ? have + cols : k;
        }
      VL_OPENCL_TRY (vl_opencl_download (ctx, running, rows * k * sizeof (cl_ulong),
                                         found + q0 * k, error));
    }

out:
  status = vl_opencl_topk_finish (ctx, status, t0, found, nq * k, similarity,
                                  ids, scores, error);
  free (found);
  vl_opencl_buffer_put (ctx, q);
  vl_opencl_buffer_put (ctx, scratch);
  vl_opencl_buffer_put (ctx, running);
  return status;
}
