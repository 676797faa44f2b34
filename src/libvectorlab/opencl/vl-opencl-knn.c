/* vl-opencl-knn.c: the flat index.  The database lives on the device in
 * rows padded to a multiple of 4 floats (float4 loads; the zero padding
 * adds nothing to any score).  A search takes one of two paths:
 *   few queries and a k the scan serves: knn_scan.cl streams the database
 *     once for a block of up to 16 queries (on tensor cores, inner
 *     products through knn_scan_mma.cl), each work-group keeping its own top-k,
 *     which topk_merge_lists then merges (vl-opencl-knn-scan.c);
 *   otherwise: knn_gemm.cl computes a block of queries against a tile of
 *     database rows into a bounded scratch, and topk_merge folds the tile
 *     into each query's running top-k (compute bound).  Inner products go
 *     through tensor cores (knn_mma.cl) where the tuning says MMA=1. */
#include "vl-opencl-private.h"

#include <stdlib.h>

/* Database rows a tile of the GEMM path at least: large enough that the
 * running top-k (up to 4096) is re-read a few times per tile at most, small
 * enough that the scratch holds a useful query block.  Tiles are multiples
 * of it, so of every GEMM block width. */
#define TILE_ROWS 8192
/* Floats of scores a GEMM tile holds at most (128 MiB) and rows it spans at
 * most: few, large tiles keep the device busy between launches, while a
 * merge work-group (one a query) reads at most GEMM_MAX_ROWS scores. */
#define GEMM_SCRATCH_FLOATS ((size_t) 32 << 20)
#define GEMM_MAX_ROWS 65536
typedef struct
{
  cl_mem x;   /* n rows of ld floats; unit rows under cosine */
  size_t ld;  /* d rounded up to a multiple of 4 */
} IndexData;

typedef struct
{
  VlIndex     *index;
  cl_mem       q;         /* nq rows of ld floats */
  size_t       nq, k;
  VlMetric     metric;    /* cosine turned into IP of unit rows */
  VlOpenclTopk topk;
  cl_ulong    *found;     /* nq x k results, downloaded */
} Search;

VlStatus
vl_opencl_index_build (VlIndex *index, const VlMatrix *database,
                       VlError **error)
{
  VlContext *ctx = index->ctx;
  IndexData *data;
  double t0 = vl_now_ms ();
  VlStatus status;

  if ((status = vl_opencl_check_dims (index->n, index->d + 3, "database", error)) != VL_STATUS_OK)
    return status;
  data = calloc (1, sizeof *data);
  if (data == NULL)
    return vl_set_error (error, VL_STATUS_OUT_OF_MEMORY, "out of memory");
  index->priv = data;
  data->ld = vl_opencl_round_up (index->d, 4);

  VL_OPENCL_TRY (vl_opencl_buffer_get (ctx, index->n * data->ld * sizeof (float),
                                       &data->x, "the index database", error));
  VL_OPENCL_TRY (vl_opencl_upload_rows_ld (ctx, data->x, data->ld, database, 0,
                                           index->n, error));
  /* Cosine is the inner product of unit rows, which cannot overflow. */
  if (index->metric == VL_METRIC_COSINE)
    VL_OPENCL_TRY (vl_opencl_unit_rows (ctx, data->x, index->n, data->ld,
                                        index->d, error));
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

/* The GEMM path: query blocks against tiles of TILE_ROWS rows. */
static VlStatus
search_gemm (Search *s, VlError **error)
{
  VlContext *ctx = s->index->ctx;
  IndexData *data = s->index->priv;
  size_t n = s->index->n, k = s->k, nq = s->nq;
  size_t qb = VL_OPENCL_SCRATCH_FLOATS / TILE_ROWS < nq ? VL_OPENCL_SCRATCH_FLOATS / TILE_ROWS : nq;
  /* Fewer queries a block get wider tiles, so that a launch still has
   * blocks for every compute unit. */
  size_t tn = GEMM_SCRATCH_FLOATS / qb / TILE_ROWS * TILE_ROWS;
  const char *tuning = vl_opencl_tuning (ctx, VL_OPENCL_KNN_GEMM);
  size_t gm = vl_opencl_tuning_value (tuning, "GM", 64);
  size_t gn = vl_opencl_tuning_value (tuning, "GN", 64);
  size_t wm = vl_opencl_tuning_value (tuning, "WM", 4);
  size_t wn = vl_opencl_tuning_value (tuning, "WN", 4);
  /* Tensor cores multiply; L2 keeps its exact differences on fp32 units. */
  bool mma = vl_opencl_tuning_value (tuning, "MMA", 0) == 1
             && s->metric != VL_METRIC_L2;
  bool similarity = vl_metric_is_similarity (s->index->metric);
  cl_mem scratch = NULL, running = NULL;
  cl_kernel kernel;
  size_t wg;
  VlStatus status;

  if (tn > GEMM_MAX_ROWS)
    tn = GEMM_MAX_ROWS;
  if (tn >= n)
    tn = vl_opencl_round_up (n, 4);

  VL_OPENCL_TRY (vl_opencl_kernel (ctx, VL_OPENCL_KNN_GEMM,
                                   mma ? "knn_mma_ip"
                                   : s->metric == VL_METRIC_L2 ? "knn_gemm_l2" : "knn_gemm_ip",
                                   &kernel, &wg, error));
  VL_OPENCL_TRY (vl_opencl_buffer_get (ctx, qb * tn * sizeof (float), &scratch, "distance tile", error));
  VL_OPENCL_TRY (vl_opencl_buffer_get (ctx, qb * k * sizeof (cl_ulong), &running, "running top-k", error));

  for (size_t q0 = 0; q0 < nq; q0 += qb)
    {
      size_t rows = nq - q0 < qb ? nq - q0 : qb;
      size_t have = 0, width = n > tn ? TILE_ROWS : tn;

      /* A database of several tiles is walked in tiles that widen from
       * TILE_ROWS to tn, doubling: the first merge, which selects among
       * all its scores, is then over few, and each later tile has about
       * as many rows as came before it, so few of its scores beat the
       * running top-k and its merge stays cheap.  One tile's worth is one
       * tile: a launch and a merge less. */
      for (size_t x0 = 0; x0 < n; x0 += width, width = 2 * width < tn ? 2 * width : tn)
        {
          size_t cols = n - x0 < width ? n - x0 : width;
          cl_uint a_q0 = (cl_uint) q0, a_rows = (cl_uint) rows;
          cl_uint a_x0 = (cl_uint) x0, a_cols = (cl_uint) cols;
          cl_uint a_ld4 = (cl_uint) (data->ld / 4), a_ldo = (cl_uint) tn;
          size_t local[2] = { gn / wn, gm / wm };
          size_t global[2] = { (cols + gn - 1) / gn * local[0],
                               (rows + gm - 1) / gm * local[1] };

          VL_OPENCL_TRY (vl_opencl_set_args (kernel, error,
                                             sizeof s->q, &s->q, sizeof a_q0, &a_q0,
                                             sizeof a_rows, &a_rows,
                                             sizeof data->x, &data->x,
                                             sizeof a_x0, &a_x0, sizeof a_cols, &a_cols,
                                             sizeof a_ld4, &a_ld4,
                                             sizeof scratch, &scratch,
                                             sizeof a_ldo, &a_ldo, (size_t) 0));
          VL_OPENCL_TRY (vl_opencl_enqueue_kernel (ctx, kernel, 2, global, local, error));
          VL_OPENCL_TRY (vl_opencl_topk_merge (ctx, &s->topk, running, k, have,
                                               scratch, tn, rows, cols, x0,
                                               similarity, error));
          /* The device starts on what is queued while the host enqueues
           * the next tiles, instead of waiting for the last of them. */
          clFlush (((VlOpenclContext *) ctx->priv)->queue);
          have = have + cols < k ? have + cols : k;
        }
      VL_OPENCL_TRY (vl_opencl_topk_download (ctx, running, q0, rows, nq, k,
                                              s->found, error));
    }
out:
  vl_opencl_buffer_put (ctx, scratch);
  vl_opencl_buffer_put (ctx, running);
  return status;
}

/* Where a search's queries come from: host rows, or host rows projected
 * on the device by @w (@p x queries->cols) times @scale. */
typedef struct
{
  cl_mem w;
  size_t p;
  float  scale;
} Projection;

/* Fills s->q (nq rows of ld floats, zero padding) from @queries. */
static VlStatus
queries_to_device (Search *s, const VlMatrix *queries,
                   const Projection *proj, VlError **error)
{
  VlContext *ctx = s->index->ctx;
  VlOpenclContext *priv = ctx->priv;
  IndexData *data = s->index->priv;
  cl_mem raw = NULL;
  cl_float zero = 0.0f;
  VlStatus status;

  if (proj == NULL)
    return vl_opencl_upload_queries (ctx, s->q, data->ld, queries, error);
  VL_OPENCL_TRY (vl_opencl_check_dims (s->nq, queries->cols, "queries", error));
  VL_OPENCL_TRY (vl_opencl_buffer_get (ctx, s->nq * queries->cols * sizeof (float),
                                       &raw, "queries to project", error));
  VL_OPENCL_TRY (vl_opencl_upload_rows (ctx, raw, queries, 0, s->nq, error));
  if (data->ld != proj->p)
    VL_OPENCL_TRY (vl_opencl_check (clEnqueueFillBuffer (priv->queue, s->q, &zero,
                                                         sizeof zero, 0,
                                                         s->nq * data->ld * sizeof (float),
                                                         0, NULL, NULL),
                                    "clEnqueueFillBuffer", error));
  VL_OPENCL_TRY (vl_opencl_project_rows (ctx, raw, s->nq, queries->cols,
                                         proj->w, proj->p, proj->scale, s->q,
                                         data->ld, error));
out:
  /* The in-order queue runs the projection before anything reuses raw. */
  vl_opencl_buffer_put (ctx, raw);
  return status;
}

static VlStatus
search (VlIndex *index, const VlMatrix *queries, const Projection *proj,
        size_t k, int64_t *ids, float *scores, VlError **error)
{
  VlContext *ctx = index->ctx;
  IndexData *data = index->priv;
  Search s = { index, NULL, queries->rows, k, index->metric, { 0 }, NULL };
  double t0 = vl_now_ms ();
  VlStatus status;

  VL_OPENCL_TRY (vl_opencl_check_dims (s.nq, data->ld, "queries", error));
  VL_OPENCL_TRY (vl_opencl_topk_init (ctx, k, &s.topk, error));
  s.found = malloc (s.nq * k * sizeof *s.found);
  if (s.found == NULL)
    {
      status = vl_set_error (error, VL_STATUS_OUT_OF_MEMORY,
                             "out of memory for %zu x %zu results", s.nq, k);
      goto out;
    }

  VL_OPENCL_TRY (vl_opencl_buffer_get (ctx, s.nq * data->ld * sizeof (float), &s.q, "queries", error));
  VL_OPENCL_TRY (queries_to_device (&s, queries, proj, error));
  if (s.metric == VL_METRIC_COSINE)
    {
      VL_OPENCL_TRY (vl_opencl_unit_rows (ctx, s.q, s.nq, data->ld, index->d, error));
      s.metric = VL_METRIC_IP;
    }

  {
    VlOpenclScan scan = { data->x, index->n, data->ld / 4,
                          s.metric == VL_METRIC_L2, NULL, NULL, NULL, NULL };

    if (vl_opencl_knn_scan_serves (ctx, &scan, s.nq, k))
      status = vl_opencl_knn_scan (ctx, &scan, s.q, s.nq, k, &s.topk,
                                   s.found, error);
    else
      status = search_gemm (&s, error);
  }

out:
  status = vl_opencl_topk_finish (ctx, status, t0, s.found, s.nq * k,
                                  vl_metric_is_similarity (index->metric),
                                  ids, scores, error);
  free (s.found);
  vl_opencl_buffer_put (ctx, s.q);
  return status;
}

VlStatus
vl_opencl_index_search (VlIndex *index, const VlMatrix *queries, size_t k,
                        int64_t *ids, float *scores, VlError **error)
{
  return search (index, queries, NULL, k, ids, scores, error);
}

VlStatus
vl_opencl_index_search_projected (VlIndex *index, cl_mem w, size_t p,
                                  float scale, const VlMatrix *queries,
                                  size_t k, int64_t *ids, float *scores,
                                  VlError **error)
{
  Projection proj = { w, p, scale };

  return search (index, queries, &proj, k, ids, scores, error);
}
