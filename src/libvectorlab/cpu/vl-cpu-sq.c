/* vl-cpu-sq.c: scalar quantisation on the cpu backend.
 *
 * Encode and decode are threaded loops over rows with the fp32 constants
 * of VlSqParams.  A search splits the codes between threads; each decodes
 * a tile of rows at a time into a small float block that stays in L1/L2
 * and scores every query against it, so decoding is paid once a row
 * whatever the number of queries and nothing of size n is ever decoded.
 * Each thread keeps its own heaps, merged at the end.  Many queries (with
 * OpenBLAS): larger decoded tiles scored by one sgemm from the calling
 * thread, then the heaps split by query between our threads, as the flat
 * index does; L2 then ranks by |x|^2 - 2 q.x and rescores the k kept
 * rows from differences. */
#include "vl-cpu.h"
#include "vl-sq-private.h"

#include "vl-cpu-kernels.h"
#include "vl-cpu-threads.h"
#include "vl-cpu-topk.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Rows decoded at a time: the tile and its scores for a few queries stay
 * in cache. */
#define TILE 64
/* Rows a thread gets at least, for encode/decode and for the scan. */
#define ROW_GRAIN 1024
/* Queries from which one sgemm a tile beats the fused scan; floats of
 * scores an sgemm tile may hold (16 MiB); queries of one sgemm block. */
#define GEMM_MIN_QUERIES 32
#define GEMM_TILE_FLOATS ((size_t) 1 << 22)
#define GEMM_MAX_QUERIES 1024

/* Dimensions whose SQ4 levels are staged before packing. */
#define PACK_CHUNK 256

/* -O2's "very cheap" vectoriser cost model leaves these loops scalar (an
 * epilogue is needed for any d); they are memory bound once vectorised. */
#if defined(__GNUC__) && !defined(__clang__)
#define VECTORISE __attribute__ ((optimize ("tree-vectorize", \
                                            "vect-cost-model=dynamic")))
#else
#define VECTORISE
#endif

/* The row loops take restrict pointers and have no branch or shift that
 * depends on the dimension, so that they vectorise (codes are bytes,
 * which may alias anything otherwise).  The clamps are selects: t > 0 is
 * false for NaN too, as vl-sq-private.h asks. */
VECTORISE static void
quantize (const float *restrict x, const float *restrict min,
          const float *restrict inv, float levels, size_t d,
          uint8_t *restrict out)
{
  for (size_t i = 0; i < d; i++)
    {
      float t = (x[i] - min[i]) * inv[i];

      t = t > 0.0f ? t : 0.0f;
      t = t < levels ? t : levels;
      out[i] = (uint8_t) (t + 0.5f);
    }
}

VECTORISE static void
pack_nibbles (const uint8_t *restrict levels, size_t pairs,
              uint8_t *restrict out)
{
  for (size_t b = 0; b < pairs; b++)
    out[b] = (uint8_t) (levels[2 * b] | levels[2 * b + 1] << 4);
}

VECTORISE static void
decode8 (const uint8_t *restrict codes, const float *restrict min,
         const float *restrict step, size_t d, float *restrict out)
{
  for (size_t i = 0; i < d; i++)
    out[i] = min[i] + (float) codes[i] * step[i];
}

VECTORISE static void
decode4 (const uint8_t *restrict codes, const float *restrict min,
         const float *restrict step, size_t d, float *restrict out)
{
  size_t pairs = d / 2;

  for (size_t b = 0; b < pairs; b++)
    {
      out[2 * b] = min[2 * b] + (float) (codes[b] & 0xfu) * step[2 * b];
      out[2 * b + 1] = min[2 * b + 1] + (float) (codes[b] >> 4) * step[2 * b + 1];
    }
  if (d % 2 == 1)
    out[d - 1] = min[d - 1] + (float) (codes[pairs] & 0xfu) * step[d - 1];
}

static void
decode_row (const VlSqParams *p, const uint8_t *codes, float *out)
{
  if (p->type == VL_SQ_8)
    decode8 (codes, p->min, p->step, p->d, out);
  else
    decode4 (codes, p->min, p->step, p->d, out);
}

typedef struct
{
  const VlSqParams *p;
  const VlMatrix   *m;
  uint8_t          *codes;
  const uint8_t    *in;
} Rows;

static void
encode_range (size_t begin, size_t end, unsigned worker, void *data)
{
  const Rows *r = data;
  const VlSqParams *p = r->p;
  float levels = (float) p->levels;

  for (size_t row = begin; row < end; row++)
    {
      const float *x = vl_row_f32 (r->m, row);
      uint8_t *dst = r->codes + row * p->code_size;

      if (p->type == VL_SQ_8)
        {
          quantize (x, p->min, p->inv, levels, p->d, dst);
          continue;
        }
      /* Levels of a chunk first, then packed. */
      for (size_t c0 = 0; c0 < p->d; c0 += PACK_CHUNK)
        {
          uint8_t staged[PACK_CHUNK];
          size_t len = p->d - c0 < PACK_CHUNK ? p->d - c0 : PACK_CHUNK;

          quantize (x + c0, p->min + c0, p->inv + c0, levels, len, staged);
          if (len % 2 == 1)
            staged[len++] = 0;
          pack_nibbles (staged, len / 2, dst + c0 / 2);
        }
    }
}

static void
decode_range (size_t begin, size_t end, unsigned worker, void *data)
{
  const Rows *r = data;

  for (size_t row = begin; row < end; row++)
    decode_row (r->p, r->in + row * r->p->code_size,
                vl_row_f32_mut ((VlMatrix *) r->m, row));
}

static VlStatus
cpu_sq_encode (VlContext *ctx, const VlSqParams *p, const VlMatrix *x,
               uint8_t *codes, VlError **error)
{
  Rows r = { p, x, codes, NULL };
  double t0 = vl_now_ms ();

  vl_cpu_parallel_for (x->rows, ROW_GRAIN, encode_range, &r);
  ctx->breakdown.kernel_ms = vl_now_ms () - t0;
  return VL_STATUS_OK;
}

static VlStatus
cpu_sq_decode (VlContext *ctx, const VlSqParams *p, const uint8_t *codes,
               VlMatrix *out, VlError **error)
{
  Rows r = { p, out, NULL, codes };
  double t0 = vl_now_ms ();

  vl_cpu_parallel_for (out->rows, ROW_GRAIN, decode_range, &r);
  ctx->breakdown.kernel_ms = vl_now_ms () - t0;
  return VL_STATUS_OK;
}

typedef struct
{
  uint8_t *codes;  /* n x code_size */
  float   *inv;    /* cosine: inverse norms of the decoded rows, else NULL */
} CpuSqIndex;

static VlStatus
cpu_sq_index_build (VlSqIndex *index, const uint8_t *codes, VlError **error)
{
  const VlSqParams *p = &index->params;
  size_t bytes = index->n * p->code_size;
  CpuSqIndex *ci = calloc (1, sizeof *ci);
  float *row = NULL;
  double t0 = vl_now_ms ();

  if (ci == NULL)
    return vl_set_error (error, VL_STATUS_OUT_OF_MEMORY, "out of memory");
  index->priv = ci;
  ci->codes = malloc (bytes);
  if (index->metric == VL_METRIC_COSINE)
    {
      ci->inv = vl_cpu_alloc_floats (index->n);
      row = vl_cpu_alloc_floats (p->d);
    }
  if (ci->codes == NULL
      || (index->metric == VL_METRIC_COSINE && (ci->inv == NULL || row == NULL)))
    {
      free (row);
      return vl_set_error (error, VL_STATUS_OUT_OF_MEMORY,
                           "out of memory copying %zu bytes of codes", bytes);
    }
  memcpy (ci->codes, codes, bytes);
  if (ci->inv != NULL)
    for (size_t j = 0; j < index->n; j++)
      {
        double norm;

        decode_row (p, codes + j * p->code_size, row);
        norm = sqrt (vl_cpu_sum_squares (row, p->d));
        ci->inv[j] = norm > 0.0 ? (float) (1.0 / norm) : 0.0f;
      }
  free (row);
  index->ctx->breakdown.host_prep_ms = vl_now_ms () - t0;
  return VL_STATUS_OK;
}

static void
cpu_sq_index_free (VlSqIndex *index)
{
  CpuSqIndex *ci = index->priv;

  if (ci == NULL)
    return;
  free (ci->codes);
  free (ci->inv);
  free (ci);
  index->priv = NULL;
}

typedef struct
{
  const VlSqIndex  *index;
  const CpuSqIndex *ci;
  const float      *q;        /* nq queries, ld apart; unit under cosine */
  size_t            ld;
  size_t            nq;
  VlCpuTopk        *heaps;    /* workers x nq */
  float            *scratch;  /* per worker: TILE x ld rows + nq x TILE */
} SqSearch;

static void
offer (VlCpuTopk *heap, float key, int64_t id)
{
  if (key <= vl_cpu_topk_threshold (heap))
    vl_cpu_topk_push (heap, key, id);
}

/* Keys are smaller-is-better: the L2 distance, or the negated
 * similarity. */
static void
scan_rows (size_t begin, size_t end, unsigned worker, void *data)
{
  const SqSearch *s = data;
  const VlSqParams *p = &s->index->params;
  VlMetric metric = s->index->metric;
  VlCpuTopk *heaps = s->heaps + (size_t) worker * s->nq;
  float *tile = s->scratch + (size_t) worker * (TILE * s->ld + s->nq * TILE);
  float *sc = tile + TILE * s->ld;

  for (size_t j0 = begin; j0 < end; j0 += TILE)
    {
      size_t n = end - j0 < TILE ? end - j0 : TILE;

      for (size_t j = 0; j < n; j++)
        decode_row (p, s->ci->codes + (j0 + j) * p->code_size,
                    tile + j * s->ld);
      if (metric == VL_METRIC_L2)
        {
          for (size_t i = 0; i < s->nq; i++)
            for (size_t j = 0; j < n; j++)
              offer (&heaps[i], vl_cpu_l2sq (s->q + i * s->ld,
                                             tile + j * s->ld, p->d),
                     (int64_t) (j0 + j));
          continue;
        }
      vl_cpu_dot_tile (tile, s->ld, n, s->q, s->ld, s->nq, p->d, sc, TILE);
      for (size_t i = 0; i < s->nq; i++)
        for (size_t j = 0; j < n; j++)
          {
            float score = sc[i * TILE + j];

            if (metric == VL_METRIC_COSINE)
              score *= s->ci->inv[j0 + j];
            offer (&heaps[i], -score, (int64_t) (j0 + j));
          }
    }
}

#ifdef VL_HAVE_BLAS
/* One sgemm tile: rows j0 .. j0 + tn decoded, against queries i0 .. */
typedef struct
{
  const SqSearch *s;
  float          *tile;     /* tile_ld rows, s->ld apart */
  float          *norms;    /* L2: squared norms of the decoded rows */
  float          *scores;   /* queries x tile_ld */
  size_t          tile_ld;
  size_t          j0;
  size_t          tn;
  size_t          i0;
} Gemm;

static void
decode_tile (size_t begin, size_t end, unsigned worker, void *data)
{
  const Gemm *g = data;
  const VlSqParams *p = &g->s->index->params;

  for (size_t j = begin; j < end; j++)
    {
      float *row = g->tile + j * g->s->ld;

      decode_row (p, g->s->ci->codes + (g->j0 + j) * p->code_size, row);
      if (g->norms != NULL)
        g->norms[j] = (float) vl_cpu_sum_squares (row, p->d);
    }
}

/* Offers the tile's scores of queries [begin, end) of the block; L2
 * scores are -2 q.x, so the key |x|^2 - 2 q.x ranks as the distance. */
static void
push_tile (size_t begin, size_t end, unsigned worker, void *data)
{
  const Gemm *g = data;
  VlMetric metric = g->s->index->metric;

  for (size_t i = begin; i < end; i++)
    {
      VlCpuTopk *heap = &g->s->heaps[g->i0 + i];
      const float *sc = g->scores + i * g->tile_ld;

      for (size_t j = 0; j < g->tn; j++)
        {
          float key;

          if (metric == VL_METRIC_L2)
            key = g->norms[j] + sc[j];
          else if (metric == VL_METRIC_COSINE)
            key = -(sc[j] * g->s->ci->inv[g->j0 + j]);
          else
            key = -sc[j];
          offer (heap, key, (int64_t) (g->j0 + j));
        }
    }
}

static bool
scan_gemm (SqSearch *s, double *kernel_ms, double *extract_ms)
{
  size_t n = s->index->n, d = s->index->params.d;
  size_t nqb_max = s->nq < GEMM_MAX_QUERIES ? s->nq : GEMM_MAX_QUERIES;
  size_t tile = (GEMM_TILE_FLOATS / nqb_max) & ~(size_t) 15;
  bool l2 = s->index->metric == VL_METRIC_L2;
  Gemm g = { s, NULL, NULL, NULL, 0, 0, 0, 0 };

  if (tile > n)
    tile = n;
  g.tile_ld = tile;
  g.tile = vl_cpu_alloc_floats (tile * s->ld);
  g.scores = vl_cpu_alloc_floats (nqb_max * tile);
  g.norms = l2 ? vl_cpu_alloc_floats (tile) : NULL;
  if (g.tile == NULL || g.scores == NULL || (l2 && g.norms == NULL))
    {
      free (g.tile);
      free (g.scores);
      free (g.norms);
      return false;
    }
  for (size_t j0 = 0; j0 < n; j0 += tile)
    {
      g.j0 = j0;
      g.tn = n - j0 < tile ? n - j0 : tile;
      vl_cpu_parallel_for (g.tn, ROW_GRAIN, decode_tile, &g);
      for (size_t i0 = 0; i0 < s->nq; i0 += GEMM_MAX_QUERIES)
        {
          size_t nqb = s->nq - i0 < GEMM_MAX_QUERIES ? s->nq - i0 : GEMM_MAX_QUERIES;
          double t0 = vl_now_ms (), t1;

          g.i0 = i0;
          cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) nqb,
                       (int) g.tn, (int) d, l2 ? -2.0f : 1.0f,
                       s->q + i0 * s->ld, (int) s->ld, g.tile, (int) s->ld,
                       0.0f, g.scores, (int) g.tile_ld);
          t1 = vl_now_ms ();
          vl_cpu_parallel_for (nqb, 8, push_tile, &g);
          *kernel_ms += t1 - t0;
          *extract_ms += vl_now_ms () - t1;
        }
    }
  free (g.tile);
  free (g.scores);
  free (g.norms);
  return true;
}
#endif

/* The k rows kept for one query under L2, rescored from differences (the
 * norm expansion loses near distances to cancellation) and re-sorted. */
static void
rescore_l2 (const SqSearch *s, size_t qi, size_t k, int64_t *ids,
            float *scores, VlCpuPair *pairs, float *row)
{
  const VlSqParams *p = &s->index->params;

  for (size_t i = 0; i < k; i++)
    {
      decode_row (p, s->ci->codes + (size_t) ids[i] * p->code_size, row);
      pairs[i].id = ids[i];
      pairs[i].score = vl_cpu_l2sq (s->q + qi * s->ld, row, p->d);
    }
  qsort (pairs, k, sizeof *pairs, vl_cpu_pair_compare);
  for (size_t i = 0; i < k; i++)
    {
      ids[i] = pairs[i].id;
      scores[i] = pairs[i].score;
    }
}

static VlStatus
cpu_sq_index_search (VlSqIndex *index, const VlMatrix *queries, size_t k,
                     int64_t *ids, float *scores, VlError **error)
{
  size_t d = index->params.d, nq = queries->rows;
  bool gemm = false;
  unsigned workers;
  SqSearch s = { index, index->priv, NULL, vl_cpu_padded (d), nq, NULL,
                 NULL };
  float *q = vl_cpu_alloc_floats (nq * s.ld);
  float *row = vl_cpu_alloc_floats (s.ld);
  VlCpuPair *pairs = malloc (k * sizeof *pairs);
  float *extra_keys = NULL;
  int64_t *extra_ids = NULL;
  VlStatus status = VL_STATUS_OK;
  double t0 = vl_now_ms (), t1;

#ifdef VL_HAVE_BLAS
  gemm = nq >= GEMM_MIN_QUERIES;
#endif
  workers = gemm ? 1 : vl_cpu_workers_for (index->n, ROW_GRAIN);
  s.q = q;
  s.heaps = calloc ((size_t) workers * nq, sizeof *s.heaps);
  s.scratch = gemm ? NULL
                   : vl_cpu_alloc_floats ((size_t) workers
                                          * (TILE * s.ld + nq * TILE));
  if (workers > 1)
    {
      extra_keys = malloc ((workers - 1) * nq * k * sizeof *extra_keys);
      extra_ids = malloc ((workers - 1) * nq * k * sizeof *extra_ids);
    }
  if (q == NULL || row == NULL || pairs == NULL || s.heaps == NULL
      || (!gemm && s.scratch == NULL)
      || (workers > 1 && (extra_keys == NULL || extra_ids == NULL)))
    {
      status = vl_set_error (error, VL_STATUS_OUT_OF_MEMORY,
                             "out of memory searching %zu queries for k = %zu",
                             nq, k);
      goto out;
    }

  /* Cosine scores unit queries against the rows' inverse norms, so a zero
   * query scores 0 everywhere, as the oracle says. */
  for (size_t i = 0; i < nq; i++)
    {
      const float *src = vl_row_f32 (queries, i);
      float *dst = q + i * s.ld;
      double norm = index->metric == VL_METRIC_COSINE
                    ? sqrt (vl_cpu_sum_squares (src, d)) : 1.0;
      float scale = norm > 0.0 ? (float) (1.0 / norm) : 0.0f;

      for (size_t c = 0; c < d; c++)
        dst[c] = index->metric == VL_METRIC_COSINE ? src[c] * scale : src[c];
      memset (dst + d, 0, (s.ld - d) * sizeof *dst);
    }
  for (size_t i = 0; i < nq; i++)
    vl_cpu_topk_init (&s.heaps[i], scores + i * k, ids + i * k, k);
  for (unsigned w = 1; w < workers; w++)
    for (size_t i = 0; i < nq; i++)
      {
        size_t at = ((w - 1) * nq + i) * k;

        vl_cpu_topk_init (&s.heaps[w * nq + i], extra_keys + at,
                          extra_ids + at, k);
      }
  t1 = vl_now_ms ();
  index->ctx->breakdown.host_prep_ms = t1 - t0;

  if (!gemm)
    {
      vl_cpu_parallel_for (index->n, ROW_GRAIN, scan_rows, &s);
      index->ctx->breakdown.kernel_ms = vl_now_ms () - t1;
    }
#ifdef VL_HAVE_BLAS
  else if (!scan_gemm (&s, &index->ctx->breakdown.kernel_ms,
                       &index->ctx->breakdown.host_extract_ms))
    {
      status = vl_set_error (error, VL_STATUS_OUT_OF_MEMORY,
                             "out of memory for the score tiles of %zu "
                             "queries", nq);
      goto out;
    }
#endif

  t1 = vl_now_ms ();
  for (size_t i = 0; i < nq; i++)
    {
      for (unsigned w = 1; w < workers; w++)
        vl_cpu_topk_merge (&s.heaps[i], &s.heaps[w * nq + i]);
      vl_cpu_topk_sort (&s.heaps[i]);
      if (gemm && index->metric == VL_METRIC_L2)
        rescore_l2 (&s, i, k, ids + i * k, scores + i * k, pairs, row);
      /* 0 - key, not -key: a zero similarity stays +0. */
      if (index->metric != VL_METRIC_L2)
        for (size_t j = 0; j < k; j++)
          scores[i * k + j] = 0.0f - scores[i * k + j];
    }
  index->ctx->breakdown.host_extract_ms += vl_now_ms () - t1;

out:
  free (q);
  free (row);
  free (pairs);
  free (s.heaps);
  free (s.scratch);
  free (extra_keys);
  free (extra_ids);
  return status;
}

const VlSqOps vl_cpu_sq_ops = {
  .encode = cpu_sq_encode,
  .decode = cpu_sq_decode,
  .index_build = cpu_sq_index_build,
  .index_free = cpu_sq_index_free,
  .index_search = cpu_sq_index_search,
};
