/* vl-cpu-knn.c: the flat k-NN index of the cpu backend.
 *
 * The database is kept only in the packed layout of vl-cpu-kernels.h, so
 * that a scan holds each query's scores of a block of rows in registers:
 * every loaded column feeds every query of a group with no horizontal
 * sums.  Rows are split between threads, each with its own heaps, merged
 * at the end.  Each thread walks its rows in tiles that stay in L2 while
 * every group of up to 64 queries takes its turn; a group's scores of the
 * tile stay in L1 and go straight to its heaps.  One query streams the
 * database once, which is what bounds it; a thousand are bound by the
 * FMAs, where this beats one sgemm a tile by skipping its packing and its
 * score matrix. */
#include "vl-cpu.h"

#include "vl-cpu-kernels.h"
#include "vl-cpu-threads.h"
#include "vl-cpu-topk.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Blocks of rows a scan tile: its rows stay in L2 while the query groups
 * pass over them. */
#define TILE_BLOCKS 6
#define TILE_ROWS (TILE_BLOCKS * VL_CPU_BLOCK)
/* Blocks a worker gets at least, so that small databases do not pay for
 * threads. */
#define SCAN_GRAIN 256
/* Queries a group: one vl_cpu_dot_packed () call, in which each few
 * blocks' columns serve them all from L1. */
#define QUERY_GROUP 64
/* Rows copied at once while building, before they are packed: the
 * row-major copy is bounded by this, not by the database. */
#define BUILD_ROWS 4096

typedef struct
{
  float *data;    /* the rows, packed, see vl-cpu-kernels.h: L2 centred,
                   * cosine unit length, IP as given; the last block's
                   * missing rows are zero */
  float *center;  /* L2: vl_cpu_center () of the database; else NULL */
  float *norms;   /* L2: squared norms of the centred rows; else NULL */
} CpuIndex;

static size_t
blocks_of (size_t n)
{
  return (n + VL_CPU_BLOCK - 1) / VL_CPU_BLOCK;
}

typedef struct
{
  const float *rows;     /* row-major, ld apart */
  size_t       ld, n, d;
  float       *out;      /* the block of the first row */
} Pack;

static void
pack_range (size_t begin, size_t end, unsigned worker, void *data)
{
  const Pack *p = data;

  for (size_t b = begin; b < end; b++)
    {
      size_t r0 = b * VL_CPU_BLOCK;

      vl_cpu_pack_block (p->rows + r0 * p->ld, p->ld,
                         p->n - r0 < VL_CPU_BLOCK ? p->n - r0 : VL_CPU_BLOCK,
                         p->d, p->out + r0 * p->d);
    }
}

VlStatus
vl_cpu_index_build (VlIndex *index, const VlMatrix *database, VlError **error)
{
  CpuIndex *ci = calloc (1, sizeof *ci);
  bool l2 = index->metric == VL_METRIC_L2;
  VlCpuCopyOptions copy = { NULL, index->metric == VL_METRIC_COSINE, 1.0f,
                            NULL };
  size_t ld = vl_cpu_padded (index->d);
  size_t chunk = index->n < BUILD_ROWS ? index->n : BUILD_ROWS;
  float *rows;

  if (ci == NULL)
    return vl_set_error (error, VL_STATUS_OUT_OF_MEMORY, "out of memory");
  index->priv = ci;
  ci->data = vl_cpu_alloc_floats (blocks_of (index->n) * VL_CPU_BLOCK
                                  * index->d);
  rows = vl_cpu_alloc_floats (chunk * ld);
  if (l2)
    {
      ci->center = vl_cpu_alloc_floats (index->d);
      ci->norms = vl_cpu_alloc_floats (index->n);
    }
  if (ci->data == NULL || rows == NULL
      || (l2 && (ci->center == NULL || ci->norms == NULL
                 || !vl_cpu_center (database, ci->center))))
    {
      free (rows);
      return vl_set_error (error, VL_STATUS_OUT_OF_MEMORY,
                           "out of memory copying a %zu x %zu database",
                           index->n, index->d);
    }

  copy.shift = ci->center;
  for (size_t r0 = 0; r0 < index->n; r0 += chunk)
    {
      VlMatrix part = *database;
      Pack pack = { rows, ld, index->n - r0 < chunk ? index->n - r0 : chunk,
                    index->d, ci->data + r0 * index->d };

      part.rows = pack.n;
      part.data = (float *) database->data + r0 * database->stride;
      copy.norms = ci->norms != NULL ? ci->norms + r0 : NULL;
      vl_cpu_copy_rows (&part, rows, &copy);
      vl_cpu_parallel_for (blocks_of (pack.n), 64, pack_range, &pack);
    }
  free (rows);
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
  size_t         ld;        /* row length of q */
  const float   *q;         /* nq prepared queries, see query_scale () */
  const float   *qt;        /* the same, packed for vl_cpu_dot_packed () */
  VlCpuKeyMode   mode;
  size_t         nq;
  size_t         k;
  VlCpuTopk     *heaps;     /* workers x nq; worker 0's write the output */
  float         *scores;    /* per worker, QUERY_GROUP x TILE_ROWS */
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

/* Scans blocks [begin, end) against every query. */
static void
scan_blocks (size_t begin, size_t end, unsigned worker, void *data)
{
  const Search *s = data;
  VlCpuTopk *heaps = s->heaps + (size_t) worker * s->nq;
  float *tile = s->scores + (size_t) worker * QUERY_GROUP * TILE_ROWS;
  size_t d = s->index->d;

  for (size_t b0 = begin; b0 < end; b0 += TILE_BLOCKS)
    {
      size_t nb = end - b0 < TILE_BLOCKS ? end - b0 : TILE_BLOCKS;
      size_t j0 = b0 * VL_CPU_BLOCK;
      size_t n = s->index->n - j0 < nb * VL_CPU_BLOCK ? s->index->n - j0
                                                        : nb * VL_CPU_BLOCK;

      for (size_t i0 = 0; i0 < s->nq; i0 += QUERY_GROUP)
        {
          size_t nq = s->nq - i0 < QUERY_GROUP ? s->nq - i0 : QUERY_GROUP;

          vl_cpu_dot_packed (s->ci->data + j0 * d, nb, end - b0 - nb, d,
                             s->qt + i0 * d, nq, tile, TILE_ROWS);
          for (size_t i = 0; i < nq; i++)
            push_scores (s, &heaps[i0 + i], tile + i * TILE_ROWS, j0, n);
        }
    }
}

typedef struct
{
  const Search *s;
  VlCpuPair    *pairs;   /* k per worker */
  float        *query;   /* ld per worker */
  float        *row;     /* ld per worker */
} Finish;

/* Row @id of the packed database into @row. */
static void
unpack_row (const CpuIndex *ci, size_t d, int64_t id, float *row)
{
  const float *block = ci->data + (size_t) id / VL_CPU_BLOCK * VL_CPU_BLOCK * d
                       + (size_t) id % VL_CPU_BLOCK;

  for (size_t c = 0; c < d; c++)
    row[c] = block[c * VL_CPU_BLOCK];
}

/* Orders each query's results best first and writes the final scores.  L2
 * is rescored directly: the norm expansion loses the small distances of
 * near neighbours to cancellation. */
static void
finish_queries (size_t begin, size_t end, unsigned worker, void *data)
{
  const Finish *f = data;
  const Search *s = f->s;
  size_t d = s->index->d;
  VlCpuPair *pairs = f->pairs + (size_t) worker * s->k;
  float *query = f->query + (size_t) worker * s->ld;
  float *row = f->row + (size_t) worker * s->ld;

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
      for (size_t c = 0; c < d; c++)
        query[c] = -0.5f * s->q[qi * s->ld + c];
      for (size_t i = 0; i < heap->len; i++)
        {
          pairs[i].id = heap->ids[i];
          unpack_row (s->ci, d, pairs[i].id, row);
          pairs[i].score = vl_cpu_l2sq (query, row, d);
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
  Search s = { index, index->priv, vl_cpu_padded (index->d), NULL, NULL,
               VL_CPU_KEY_PLAIN, queries->rows, k, NULL, NULL };
  VlBreakdown *bd = &index->ctx->breakdown;
  size_t nb = blocks_of (index->n);
  unsigned workers = vl_cpu_workers_for (nb, SCAN_GRAIN);
  unsigned query_workers = vl_cpu_workers_for (s.nq, 1);
  size_t packed_nq = blocks_of (s.nq) * VL_CPU_BLOCK;
  float *q, *qt, *extra_keys = NULL;
  int64_t *extra_ids = NULL;
  Finish finish = { &s, NULL, NULL, NULL };
  VlCpuCopyOptions prepare = { NULL, false, 1.0f, NULL };
  VlStatus status = VL_STATUS_OK;
  double t0 = vl_now_ms (), t1;

  s.q = q = vl_cpu_alloc_floats (s.nq * s.ld);
  s.qt = qt = vl_cpu_alloc_floats (packed_nq * index->d);
  s.heaps = calloc ((size_t) workers * s.nq, sizeof *s.heaps);
  s.scores = vl_cpu_alloc_floats ((size_t) workers * QUERY_GROUP * TILE_ROWS);
  finish.pairs = malloc ((size_t) query_workers * k * sizeof *finish.pairs);
  finish.query = vl_cpu_alloc_floats ((size_t) query_workers * s.ld);
  finish.row = vl_cpu_alloc_floats ((size_t) query_workers * s.ld);
  if (workers > 1)
    {
      extra_keys = malloc ((workers - 1) * s.nq * k * sizeof *extra_keys);
      extra_ids = malloc ((workers - 1) * s.nq * k * sizeof *extra_ids);
    }
  if (q == NULL || qt == NULL || s.heaps == NULL || s.scores == NULL
      || finish.pairs == NULL || finish.query == NULL || finish.row == NULL
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
  for (size_t i0 = 0; i0 < s.nq; i0 += VL_CPU_BLOCK)
    vl_cpu_pack_block (q + i0 * s.ld, s.ld,
                       s.nq - i0 < VL_CPU_BLOCK ? s.nq - i0 : VL_CPU_BLOCK,
                       index->d, qt + i0 * index->d);
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

  vl_cpu_parallel_for (nb, SCAN_GRAIN, scan_blocks, &s);
  for (unsigned w = 1; w < workers; w++)
    for (size_t i = 0; i < s.nq; i++)
      vl_cpu_topk_merge (&s.heaps[i], &s.heaps[w * s.nq + i]);
  bd->kernel_ms = vl_now_ms () - t1;

  t1 = vl_now_ms ();
  vl_cpu_parallel_for (s.nq, 1, finish_queries, &finish);
  bd->host_extract_ms = vl_now_ms () - t1;

out:
  free (q);
  free (qt);
  free (s.heaps);
  free (s.scores);
  free (finish.pairs);
  free (finish.query);
  free (finish.row);
  free (extra_keys);
  free (extra_ids);
  return status;
}
