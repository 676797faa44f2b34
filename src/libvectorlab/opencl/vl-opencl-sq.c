/* vl-opencl-sq.c: scalar quantisation on the OpenCL backend (sq.cl).
 *
 * Encode and decode stream rows through the device (vl-opencl-stream.c)
 * in chunks bounded by VL_OPENCL_SCRATCH_FLOATS.  An index keeps its
 * codes, the codec constants and (cosine) the decoded rows' inverse norms
 * on the device; a search scores a query block against a tile of codes
 * decoded on the fly (sq_scores) and folds the tile into each query's
 * running top-k with topk.cl's topk_merge, as the flat index does. */
#include "vl-opencl-stream.h"
#include "vl-sq-private.h"

#include <math.h>
#include <stdlib.h>

/* Code rows per tile of scores: as in the flat index. */
#define TILE_ROWS 8192

/* The codec constants on the device: min, then step or inv. */
static VlStatus
upload_constants (VlContext *ctx, const VlSqParams *p, const float *second,
                  cl_mem *min, cl_mem *other, VlError **error)
{
  size_t bytes = p->d * sizeof (float);
  VlStatus status;

  if ((status = vl_opencl_buffer_get (ctx, bytes, min, "codec minima", error)) != VL_STATUS_OK
      || (status = vl_opencl_buffer_get (ctx, bytes, other, "codec steps", error)) != VL_STATUS_OK
      || (status = vl_opencl_upload (ctx, *min, bytes, p->min, error)) != VL_STATUS_OK)
    return status;
  return vl_opencl_upload (ctx, *other, bytes, second, error);
}

/* Rows a chunk of encode or decode: its floats stay within the scratch
 * bound (which also keeps the kernels' 32-bit item ids in range). */
static size_t
chunk_rows (const VlSqParams *p, size_t rows)
{
  size_t chunk = VL_OPENCL_SCRATCH_FLOATS / p->d;

  if (chunk == 0)
    chunk = 1;
  return chunk < rows ? chunk : rows;
}

/* What a chunk of encode or decode needs besides its rows. */
typedef struct
{
  const VlSqParams *p;
  cl_kernel         kernel;
  size_t            wg;
  cl_mem            min, other;  /* min, then inv (encode) or step */
} Codec;

static VlStatus
encode_chunk (VlContext *ctx, size_t r0, size_t rows, const cl_mem *in,
              cl_mem *out, void *data, VlError **error)
{
  const Codec *c = data;
  cl_uint a_n = (cl_uint) rows, a_d = (cl_uint) c->p->d;
  cl_uint a_levels = c->p->levels, a_size = (cl_uint) c->p->code_size;
  cl_int sq4 = c->p->type == VL_SQ_4;
  size_t global = vl_opencl_round_up (rows * c->p->code_size, c->wg);
  VlStatus status;

  (void) r0;
  status = vl_opencl_set_args (c->kernel, error, sizeof in[0], &in[0],
                               sizeof a_n, &a_n, sizeof a_d, &a_d,
                               sizeof c->min, &c->min,
                               sizeof c->other, &c->other,
                               sizeof a_levels, &a_levels, sizeof sq4, &sq4,
                               sizeof a_size, &a_size, sizeof out[0], &out[0],
                               (size_t) 0);
  if (status != VL_STATUS_OK)
    return status;
  return vl_opencl_enqueue_kernel (ctx, c->kernel, 1, &global, &c->wg, error);
}

static VlStatus
decode_chunk (VlContext *ctx, size_t r0, size_t rows, const cl_mem *in,
              cl_mem *out, void *data, VlError **error)
{
  const Codec *c = data;
  cl_uint a_n = (cl_uint) rows, a_d = (cl_uint) c->p->d;
  cl_uint a_size = (cl_uint) c->p->code_size;
  cl_int sq4 = c->p->type == VL_SQ_4;
  size_t global = vl_opencl_round_up (rows * c->p->d, c->wg);
  VlStatus status;

  (void) r0;
  status = vl_opencl_set_args (c->kernel, error, sizeof in[0], &in[0],
                               sizeof a_n, &a_n, sizeof a_d, &a_d,
                               sizeof a_size, &a_size, sizeof sq4, &sq4,
                               sizeof c->min, &c->min,
                               sizeof c->other, &c->other,
                               sizeof out[0], &out[0], (size_t) 0);
  if (status != VL_STATUS_OK)
    return status;
  return vl_opencl_enqueue_kernel (ctx, c->kernel, 1, &global, &c->wg, error);
}

/* Streams @n rows from @in to @out through @kernel_name, run by @chunk
 * with min and @second (inv or step) on the device. */
static VlStatus
run_codec (VlContext *ctx, const VlSqParams *p, const char *kernel_name,
           const float *second, size_t n, const VlOpenclStreamPort *in,
           const VlOpenclStreamPort *out, VlOpenclStreamFunc chunk,
           VlError **error)
{
  Codec c = { p, NULL, 0, NULL, NULL };
  VlStatus status;

  VL_OPENCL_TRY (vl_opencl_kernel (ctx, VL_OPENCL_SQ, kernel_name, &c.kernel, &c.wg, error));
  VL_OPENCL_TRY (upload_constants (ctx, p, second, &c.min, &c.other, error));
  VL_OPENCL_TRY (vl_opencl_stream_run (ctx, n, chunk_rows (p, n), in, 1, out,
                                       1, chunk, &c, error));
out:
  status = vl_opencl_finish (ctx, status, error);
  vl_opencl_buffer_put (ctx, c.min);
  vl_opencl_buffer_put (ctx, c.other);
  return status;
}

static VlStatus
opencl_sq_encode (VlContext *ctx, const VlSqParams *p, const VlMatrix *x,
                  uint8_t *codes, VlError **error)
{
  VlOpenclStreamPort pin = { x->data, p->d * sizeof (float),
                             x->stride * sizeof (float) };
  VlOpenclStreamPort pout = { codes, p->code_size, p->code_size };
  VlStatus status = vl_opencl_check_dims (x->rows, p->d, "vectors to encode",
                                          error);

  if (status != VL_STATUS_OK)
    return status;
  return run_codec (ctx, p, "sq_encode", p->inv, x->rows, &pin, &pout,
                    encode_chunk, error);
}

static VlStatus
opencl_sq_decode (VlContext *ctx, const VlSqParams *p, const uint8_t *codes,
                  VlMatrix *out, VlError **error)
{
  VlOpenclStreamPort pin = { (void *) codes, p->code_size, p->code_size };
  VlOpenclStreamPort pout = { out->data, p->d * sizeof (float),
                              out->stride * sizeof (float) };
  VlStatus status = vl_opencl_check_dims (out->rows, p->d, "decode output",
                                          error);

  if (status != VL_STATUS_OK)
    return status;
  return run_codec (ctx, p, "sq_decode", p->step, out->rows, &pin, &pout,
                    decode_chunk, error);
}

typedef struct
{
  cl_mem codes;  /* n x code_size bytes */
  cl_mem min;    /* d floats */
  cl_mem step;   /* d floats */
  cl_mem xinv;   /* cosine: n inverse norms of the decoded rows, else NULL */
} SqIndexData;

/* Inverse norms of the decoded rows, computed on the host where the codes
 * already are: one pass, in double. */
static float *
decoded_inv_norms (const VlSqParams *p, const uint8_t *codes, size_t n)
{
  float *inv = malloc (n * sizeof *inv);

  if (inv == NULL)
    return NULL;
  for (size_t j = 0; j < n; j++)
    {
      const uint8_t *row = codes + j * p->code_size;
      double sum = 0.0;

      for (size_t i = 0; i < p->d; i++)
        {
          float v = p->min[i] + (float) vl_sq_code_at (p, row, i) * p->step[i];

          sum += (double) v * v;
        }
      inv[j] = sum > 0.0 ? (float) (1.0 / sqrt (sum)) : 0.0f;
    }
  return inv;
}

static VlStatus
opencl_sq_index_build (VlSqIndex *index, const uint8_t *codes,
                       VlError **error)
{
  VlContext *ctx = index->ctx;
  const VlSqParams *p = &index->params;
  SqIndexData *data;
  float *inv = NULL;
  double t0 = vl_now_ms ();
  VlStatus status;

  if ((status = vl_opencl_check_dims (index->n, p->d, "codes", error)) != VL_STATUS_OK)
    return status;
  data = calloc (1, sizeof *data);
  if (data == NULL)
    return vl_set_error (error, VL_STATUS_OUT_OF_MEMORY, "out of memory");
  index->priv = data;

  VL_OPENCL_TRY (vl_opencl_buffer_get (ctx, index->n * p->code_size, &data->codes, "the index codes", error));
  VL_OPENCL_TRY (vl_opencl_upload (ctx, data->codes, index->n * p->code_size, codes, error));
  VL_OPENCL_TRY (upload_constants (ctx, p, p->step, &data->min, &data->step, error));
  if (index->metric == VL_METRIC_COSINE)
    {
      if ((inv = decoded_inv_norms (p, codes, index->n)) == NULL)
        {
          status = vl_set_error (error, VL_STATUS_OUT_OF_MEMORY,
                                 "out of memory for %zu row norms", index->n);
          goto out;
        }
      VL_OPENCL_TRY (vl_opencl_buffer_get (ctx, index->n * sizeof (float), &data->xinv, "the index norms", error));
      VL_OPENCL_TRY (vl_opencl_upload (ctx, data->xinv, index->n * sizeof (float), inv, error));
    }
out:
  ctx->breakdown.host_prep_ms = vl_now_ms () - t0;
  status = vl_opencl_finish (ctx, status, error);
  free (inv);
  return status;
}

static void
opencl_sq_index_free (VlSqIndex *index)
{
  SqIndexData *data = index->priv;

  if (data == NULL)
    return;
  vl_opencl_buffer_put (index->ctx, data->codes);
  vl_opencl_buffer_put (index->ctx, data->min);
  vl_opencl_buffer_put (index->ctx, data->step);
  vl_opencl_buffer_put (index->ctx, data->xinv);
  free (data);
  index->priv = NULL;
}

typedef struct
{
  cl_kernel    scores;
  size_t       wg;     /* sq_scores' work-group size */
  VlOpenclTopk topk;
  cl_mem       q;
  cl_mem       qinv;
  cl_mem       scratch;
  cl_mem       running;
} SqSearch;

static VlStatus
score_tile (VlSqIndex *index, SqSearch *s, size_t q0, size_t nq, size_t x0,
            size_t nx, VlError **error)
{
  SqIndexData *data = index->priv;
  const VlSqParams *p = &index->params;
  cl_uint a_q0 = (cl_uint) q0, a_nq = (cl_uint) nq, a_d = (cl_uint) p->d;
  cl_uint a_x0 = (cl_uint) x0, a_nx = (cl_uint) nx;
  cl_uint a_size = (cl_uint) p->code_size, a_ldo = (cl_uint) nx;
  cl_int sq4 = p->type == VL_SQ_4, metric = (cl_int) index->metric;
  /* Unused under L2 and IP, but an argument must be a valid buffer. */
  cl_mem qinv = s->qinv != NULL ? s->qinv : s->q;
  cl_mem xinv = data->xinv != NULL ? data->xinv : data->min;
  VlStatus status;

  status = vl_opencl_set_args (s->scores, error, sizeof s->q, &s->q,
                               sizeof a_q0, &a_q0, sizeof a_nq, &a_nq,
                               sizeof a_d, &a_d,
                               sizeof data->codes, &data->codes,
                               sizeof a_x0, &a_x0, sizeof a_nx, &a_nx,
                               sizeof a_size, &a_size, sizeof sq4, &sq4,
                               sizeof data->min, &data->min,
                               sizeof data->step, &data->step,
                               sizeof metric, &metric,
                               sizeof qinv, &qinv, sizeof xinv, &xinv,
                               sizeof s->scratch, &s->scratch,
                               sizeof a_ldo, &a_ldo, (size_t) 0);
  if (status != VL_STATUS_OK)
    return status;
  return vl_opencl_enqueue_blocks (index->ctx, s->scores, s->wg, nq, nx,
                                   error);
}

static VlStatus
opencl_sq_index_search (VlSqIndex *index, const VlMatrix *queries, size_t k,
                        int64_t *ids, float *scores, VlError **error)
{
  VlContext *ctx = index->ctx;
  size_t nq = queries->rows, n = index->n, d = index->params.d;
  size_t tn = n < TILE_ROWS ? n : TILE_ROWS;
  size_t qb = VL_OPENCL_SCRATCH_FLOATS / tn < nq ? VL_OPENCL_SCRATCH_FLOATS / tn : nq;
  bool similarity = vl_metric_is_similarity (index->metric);
  SqSearch s = { 0 };
  cl_ulong *found = NULL;
  double t0 = vl_now_ms ();
  VlStatus status;

  VL_OPENCL_TRY (vl_opencl_check_dims (nq, d, "queries", error));
  VL_OPENCL_TRY (vl_opencl_kernel (ctx, VL_OPENCL_SQ, "sq_scores", &s.scores, &s.wg, error));
  VL_OPENCL_TRY (vl_opencl_topk_init (ctx, k, &s.topk, error));
  found = malloc (nq * k * sizeof *found);
  if (found == NULL)
    {
      status = vl_set_error (error, VL_STATUS_OUT_OF_MEMORY,
                             "out of memory for %zu x %zu results", nq, k);
      goto out;
    }

  VL_OPENCL_TRY (vl_opencl_buffer_get (ctx, nq * d * sizeof (float), &s.q, "queries", error));
  VL_OPENCL_TRY (vl_opencl_upload_queries (ctx, s.q, d, queries, error));
  if (index->metric == VL_METRIC_COSINE)
    {
      VL_OPENCL_TRY (vl_opencl_buffer_get (ctx, nq * sizeof (float), &s.qinv, "query norms", error));
      VL_OPENCL_TRY (vl_opencl_inv_norms (ctx, s.q, nq, d, s.qinv, error));
    }

  /* SQ8 rows of whole 4-byte words go through the one-pass scan, as the
   * flat index's few queries do. */
  if (index->params.type == VL_SQ_8 && index->params.code_size % 4 == 0)
    {
      SqIndexData *data = index->priv;
      VlOpenclScan scan = { data->codes, n, index->params.code_size / 4,
                            index->metric == VL_METRIC_L2, data->min,
                            data->step, s.qinv, data->xinv };

      if (vl_opencl_knn_scan_serves (ctx, &scan, nq, k))
        {
          status = vl_opencl_knn_scan (ctx, &scan, s.q, nq, k, &s.topk, found,
                                       error);
          goto out;
        }
    }

  /* The tiles of scores only the other searches need. */
  VL_OPENCL_TRY (vl_opencl_buffer_get (ctx, qb * tn * sizeof (float), &s.scratch, "score tile", error));
  VL_OPENCL_TRY (vl_opencl_buffer_get (ctx, qb * k * sizeof (cl_ulong), &s.running, "running top-k", error));

  for (size_t q0 = 0; q0 < nq; q0 += qb)
    {
      size_t rows = nq - q0 < qb ? nq - q0 : qb;
      size_t have = 0;

      for (size_t x0 = 0; x0 < n; x0 += tn)
        {
          size_t cols = n - x0 < tn ? n - x0 : tn;

          VL_OPENCL_TRY (score_tile (index, &s, q0, rows, x0, cols, error));
          VL_OPENCL_TRY (vl_opencl_topk_merge (ctx, &s.topk, s.running, k,
                                               have, s.scratch, cols, rows,
                                               cols, x0, similarity, error));
          have = have + cols < k ? have + cols : k;
        }
      VL_OPENCL_TRY (vl_opencl_topk_download (ctx, s.running, q0, rows, nq, k,
                                              found, error));
    }

out:
  status = vl_opencl_topk_finish (ctx, status, t0, found, nq * k, similarity,
                                  ids, scores, error);
  free (found);
  vl_opencl_buffer_put (ctx, s.q);
  vl_opencl_buffer_put (ctx, s.qinv);
  vl_opencl_buffer_put (ctx, s.scratch);
  vl_opencl_buffer_put (ctx, s.running);
  return status;
}

const VlSqOps vl_opencl_sq_ops = {
  .encode = opencl_sq_encode,
  .decode = opencl_sq_decode,
  .index_build = opencl_sq_index_build,
  .index_free = opencl_sq_index_free,
  .index_search = opencl_sq_index_search,
};
