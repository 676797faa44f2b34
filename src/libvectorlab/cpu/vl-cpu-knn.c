/* vl-cpu-knn.c: the flat k-NN index of the cpu backend.
 *
 * The database is scanned in tiles of rows whose scores feed per-query
 * heaps at once, so memory is bounded by a tile whatever the number of
 * queries.  Few queries: a fused scan, the database split between threads,
 * each with its own heaps, merged at the end; the scan streams the database
 * once, which is what bounds it.  Many queries (with OpenBLAS): one sgemm a
 * tile from the calling thread, which OpenBLAS parallelises itself, then
 * the heaps split by query between our threads.  Never both pools at
 * once: two cores shared by two busy pools run slower than either. */
#include "vl-cpu.h"

#include "vl-cpu-kernels.h"
#include "vl-cpu-threads.h"
#include "vl-cpu-topk.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Rows a fused-scan tile: its scores for every query stay in L1, the rows
 * in L2. */
#define SCAN_TILE 128
/* Rows a worker gets at least in the fused scan, so that small databases
 * do not pay for threads. */
#define SCAN_GRAIN 4096
/* Queries from which one sgemm per tile beats the fused scan. */
#define GEMM_MIN_QUERIES 32
/* Floats of scores one sgemm tile may hold (16 MiB), and the queries of
 * one sgemm block, which bound its rows from below. */
#define GEMM_TILE_FLOATS ((size_t) 1 << 22)
#define GEMM_MAX_QUERIES 1024
/* Queries a group in the scan without BLAS: they share each tile of rows. */
#define QUERY_GROUP 16

typedef struct
{
  float *data;    /* n rows, vl_cpu_padded (d) apart: L2 centred, cosine
                   * unit length, IP as given */
  float *center;  /* L2: vl_cpu_center () of the database; else NULL */
  float *norms;   /* L2: squared norms of the centred rows; else NULL */
} CpuIndex;

VlStatus
vl_cpu_index_build (VlIndex *index, const VlMatrix *database, VlError **error)
{
  CpuIndex *ci = calloc (1, sizeof *ci);
  bool l2 = index->metric == VL_METRIC_L2;
  VlCpuCopyOptions copy = { NULL, index->metric == VL_METRIC_COSINE, 1.0f,
                            NULL };

  if (ci == NULL)
    return vl_set_error (error, VL_STATUS_OUT_OF_MEMORY, "out of memory");
  index->priv = ci;
  ci->data = vl_cpu_alloc_floats (index->n * vl_cpu_padded (index->d));
  if (l2)
    {
      ci->center = vl_cpu_alloc_floats (index->d);
      ci->norms = vl_cpu_alloc_floats (index->n);
    }
  if (ci->data == NULL || (l2 && (ci->center == NULL || ci->norms == NULL
                                  || !vl_cpu_center (database, ci->center))))
    return vl_set_error (error, VL_STATUS_OUT_OF_MEMORY,
                         "out of memory copying a %zu x %zu database",
                         index->n, index->d);

  copy.shift = ci->center;
  copy.norms = ci->norms;
  vl_cpu_copy_rows (database, ci->data, &copy);
  return VL_STATUS_OK;
}

void
vl_cpu_index_free (VlIndex *index)
{
  CpuIndex *ci = index->priv;

  if (ci == NULL)
    return;
  free (ci->data);
  free (ci->center);
  free (ci->norms);
  free (ci);
  index->priv = NULL;
}

/* One search: the prepared queries and where their heaps live. */
typedef struct
{
  const VlIndex *index;
  const CpuIndex *ci;
  size_t         ld;        /* row length of data and queries */
  const float   *q;         /* nq prepared queries, see query_scale () */
  VlCpuKeyMode   mode;
  size_t         nq;
  size_t         k;
  VlCpuTopk     *heaps;     /* workers x nq; worker 0's write the output */
  float         *scores;    /* per-worker tiles, or the shared sgemm tile */
  size_t         block_i0;  /* first query of the sgemm block */
  size_t         tile_ld;   /* floats between a tile's rows of scores */
  size_t         tile_j0;   /* first database row of the sgemm tile */
  size_t         tile_n;    /* rows of the sgemm tile */
} Search;

/* Queries are prepared so that q.x is a key that ranks like the metric,
 * smaller first: -2 q.x + |x|^2 for L2 (both centred; |q|^2 is the same
 * for every row), -q.x for IP and cosine (unit rows). */
static float
query_scale (VlMetric metric)
{
  return metric == VL_METRIC_L2 ? -2.0f : -1.0f;
}

/* Offers database rows j0 .. j0 + n of one query, scored in @sc. */
static void
push_scores (const Search *s, VlCpuTopk *heap, const float *sc, size_t j0,
             size_t n)
{
  const float *norms = s->ci->norms != NULL ? s->ci->norms + j0 : NULL;
  size_t j = 0;
  float thr;

  /* Filling first keeps the fast path to a finite threshold, or to
   * infinite keys it need not see (inf - inf is NaN). */
  for (; j < n && heap->len < heap->k; j++)
    vl_cpu_topk_push (heap, vl_cpu_key (s->mode, sc[j], norms, j),
                      (int64_t) (j0 + j));
  thr = vl_cpu_topk_threshold (heap);
  for (;
       (j += vl_cpu_find_key_le (s->mode, sc + j, norms != NULL ? norms + j : NULL,
                                 n - j, thr)) < n;
       j++)
    {
      vl_cpu_topk_push (heap, vl_cpu_key (s->mode, sc[j], norms, j),
                        (int64_t) (j0 + j));
      thr = vl_cpu_topk_threshold (heap);
    }
}

/* Fused scan of database rows [begin, end) against every query. */
static void
scan_rows (size_t begin, size_t end, unsigned worker, void *data)
{
  const Search *s = data;
  VlCpuTopk *heaps = s->heaps + (size_t) worker * s->nq;
  float *tile = s->scores + (size_t) worker * s->nq * SCAN_TILE;

  for (size_t j0 = begin; j0 < end; j0 += SCAN_TILE)
    {
      size_t n = end - j0 < SCAN_TILE ? end - j0 : SCAN_TILE;

      vl_cpu_dot_tile (s->ci->data + j0 * s->ld, s->ld, n, s->q, s->ld,
                       s->nq, s->index->d, tile, SCAN_TILE);
      for (size_t i = 0; i < s->nq; i++)
        push_scores (s, &heaps[i], tile + i * SCAN_TILE, j0, n);
    }
}

#ifndef VL_HAVE_BLAS
/* Scan without BLAS for many queries: each worker owns queries
 * [begin, end) and walks the database once a group of them. */
static void
scan_queries (size_t begin, size_t end, unsigned worker, void *data)
{
  const Search *s = data;
  float *tile = s->scores + (size_t) worker * QUERY_GROUP * SCAN_TILE;

  for (size_t i0 = begin; i0 < end; i0 += QUERY_GROUP)
    {
      size_t nq = end - i0 < QUERY_GROUP ? end - i0 : QUERY_GROUP;

      for (size_t j0 = 0; j0 < s->index->n; j0 += SCAN_TILE)
        {
          size_t n = s->index->n - j0 < SCAN_TILE ? s->index->n - j0 : SCAN_TILE;

          vl_cpu_dot_tile (s->ci->data + j0 * s->ld, s->ld, n,
                           s->q + i0 * s->ld, s->ld, nq, s->index->d, tile,
                           SCAN_TILE);
          for (size_t i = 0; i < nq; i++)
            push_scores (s, &s->heaps[i0 + i], tile + i * SCAN_TILE, j0, n);
        }
    }
}
#endif

#ifdef VL_HAVE_BLAS
/* Heaps of queries [begin, end) of the current block take its sgemm
 * tile. */
static void
push_gemm_tile (size_t begin, size_t end, unsigned worker, void *data)
{
  const Search *s = data;

  for (size_t i = begin; i < end; i++)
    push_scores (s, &s->heaps[s->block_i0 + i], s->scores + i * s->tile_ld,
                 s->tile_j0, s->tile_n);
}

static void
scan_gemm (Search *s, double *kernel_ms, double *extract_ms)
{
  size_t n = s->index->n;

  for (size_t i0 = 0; i0 < s->nq; i0 += GEMM_MAX_QUERIES)
    {
      size_t nqb = s->nq - i0 < GEMM_MAX_QUERIES ? s->nq - i0 : GEMM_MAX_QUERIES;
      size_t tile = (GEMM_TILE_FLOATS / nqb) & ~(size_t) 15;

      if (tile > n)
        tile = n;
      s->block_i0 = i0;
      s->tile_ld = tile;
      for (size_t j0 = 0; j0 < n; j0 += tile)
        {
          double t0 = vl_now_ms (), t1;

          s->tile_j0 = j0;
          s->tile_n = n - j0 < tile ? n - j0 : tile;
          cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) nqb,
                       (int) s->tile_n, (int) s->index->d,
                       1.0f, s->q + i0 * s->ld,
                       (int) s->ld, s->ci->data + j0 * s->ld, (int) s->ld,
                       0.0f, s->scores, (int) s->tile_ld);
          t1 = vl_now_ms ();
          vl_cpu_parallel_for (nqb, 8, push_gemm_tile, s);
          *kernel_ms += t1 - t0;
          *extract_ms += vl_now_ms () - t1;
        }
    }
}
#endif

typedef struct
{
  const Search *s;
  VlCpuPair    *pairs;   /* k per worker */
  float        *query;   /* ld per worker */
} Finish;

/* Orders each query's results best first and writes the final scores.  L2
 * is rescored directly: the norm expansion loses the small distances of
 * near neighbours to cancellation. */
static void
finish_queries (size_t begin, size_t end, unsigned worker, void *data)
{
  const Finish *f = data;
  const Search *s = f->s;
  VlCpuPair *pairs = f->pairs + (size_t) worker * s->k;
  float *query = f->query + (size_t) worker * s->ld;

  for (size_t qi = begin; qi < end; qi++)
    {
      VlCpuTopk *heap = &s->heaps[qi];

      vl_cpu_topk_sort (heap);
      if (s->index->metric != VL_METRIC_L2)
        {
          /* 0 - key, not -key: a zero score stays +0. */
          for (size_t i = 0; i < heap->len; i++)
            heap->keys[i] = 0.0f - heap->keys[i];
          continue;
        }
      /* The centred query, exactly: the prepared one is -2 times it. */
      for (size_t c = 0; c < s->ld; c++)
        query[c] = -0.5f * s->q[qi * s->ld + c];
      for (size_t i = 0; i < heap->len; i++)
        {
          pairs[i].id = heap->ids[i];
          pairs[i].score = vl_cpu_l2sq (query,
                                        s->ci->data + (size_t) pairs[i].id * s->ld,
                                        s->index->d);
        }
      qsort (pairs, heap->len, sizeof *pairs, vl_cpu_pair_compare);
      for (size_t i = 0; i < heap->len; i++)
        {
          heap->keys[i] = pairs[i].score;
          heap->ids[i] = pairs[i].id;
        }
    }
}

VlStatus
vl_cpu_index_search (VlIndex *index, const VlMatrix *queries, size_t k,
                     int64_t *ids, float *scores, VlError **error)
{
  Search s = { index, index->priv, vl_cpu_padded (index->d), NULL,
               VL_CPU_KEY_PLAIN, queries->rows, k, NULL, NULL, 0, 0, 0, 0 };
  VlBreakdown *bd = &index->ctx->breakdown;
  bool fused = s.nq < GEMM_MIN_QUERIES;
  unsigned workers = fused ? vl_cpu_workers_for (index->n, SCAN_GRAIN) : 1;
  unsigned query_workers = vl_cpu_workers_for (s.nq, 1);
  size_t n_scores;
  float *q, *extra_keys = NULL;
  int64_t *extra_ids = NULL;
  Finish finish = { &s, NULL, NULL };
  VlCpuCopyOptions prepare = { NULL, false, 1.0f, NULL };
  VlStatus status = VL_STATUS_OK;
  double t0 = vl_now_ms (), t1;

#ifdef VL_HAVE_BLAS
  n_scores = fused ? (size_t) workers * s.nq * SCAN_TILE : GEMM_TILE_FLOATS;
#else
  n_scores = fused ? (size_t) workers * s.nq * SCAN_TILE
                   : (size_t) query_workers * QUERY_GROUP * SCAN_TILE;
#endif
  s.q = q = vl_cpu_alloc_floats (s.nq * s.ld);
  s.heaps = calloc ((size_t) workers * s.nq, sizeof *s.heaps);
  s.scores = vl_cpu_alloc_floats (n_scores);
  finish.pairs = malloc ((size_t) query_workers * k * sizeof *finish.pairs);
  finish.query = vl_cpu_alloc_floats ((size_t) query_workers * s.ld);
  if (workers > 1)
    {
      extra_keys = malloc ((workers - 1) * s.nq * k * sizeof *extra_keys);
      extra_ids = malloc ((workers - 1) * s.nq * k * sizeof *extra_ids);
    }
  if (q == NULL || s.heaps == NULL || s.scores == NULL || finish.pairs == NULL
      || finish.query == NULL
      || (workers > 1 && (extra_keys == NULL || extra_ids == NULL)))
    {
      status = vl_set_error (error, VL_STATUS_OUT_OF_MEMORY,
                             "out of memory searching %zu queries for k = %zu",
                             s.nq, k);
      goto out;
    }

  /* Cosine searches with unit queries, so a zero query scores 0
   * everywhere, as the oracle says. */
  prepare.shift = s.ci->center;
  prepare.normalize = index->metric == VL_METRIC_COSINE;
  prepare.scale = query_scale (index->metric);
  vl_cpu_copy_rows (queries, q, &prepare);
  s.mode = index->metric == VL_METRIC_L2 ? VL_CPU_KEY_ADD : VL_CPU_KEY_PLAIN;
  for (size_t i = 0; i < s.nq; i++)
    vl_cpu_topk_init (&s.heaps[i], scores + i * k, ids + i * k, k);
  for (unsigned w = 1; w < workers; w++)
    for (size_t i = 0; i < s.nq; i++)
      {
        size_t at = ((w - 1) * s.nq + i) * k;

        vl_cpu_topk_init (&s.heaps[w * s.nq + i], extra_keys + at,
                          extra_ids + at, k);
      }
  t1 = vl_now_ms ();
  bd->host_prep_ms = t1 - t0;

  if (fused)
    {
      vl_cpu_parallel_for (index->n, SCAN_GRAIN, scan_rows, &s);
      for (unsigned w = 1; w < workers; w++)
        for (size_t i = 0; i < s.nq; i++)
          vl_cpu_topk_merge (&s.heaps[i], &s.heaps[w * s.nq + i]);
      bd->kernel_ms = vl_now_ms () - t1;
    }
  else
    {
#ifdef VL_HAVE_BLAS
      scan_gemm (&s, &bd->kernel_ms, &bd->host_extract_ms);
#else
      vl_cpu_parallel_for (s.nq, 1, scan_queries, &s);
      bd->kernel_ms = vl_now_ms () - t1;
#endif
    }

  t1 = vl_now_ms ();
  vl_cpu_parallel_for (s.nq, 1, finish_queries, &finish);
  bd->host_extract_ms += vl_now_ms () - t1;

out:
  free (q);
  free (s.heaps);
  free (s.scores);
  free (finish.pairs);
  free (finish.query);
  free (extra_keys);
  free (extra_ids);
  return status;
}
