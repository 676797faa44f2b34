/* test-knn.c: exact k-NN (vl_index_search and vl_knn) under L2, IP and
 * cosine.  ref is checked against hand-worked cases and against its own
 * distance matrix; every backend against ref.
 *
 * Top-k is compared as a set by value, because two backends may round a tie
 * differently: each returned id must be in range and unique, results sorted
 * best first (exactly equal scores by lower id), each rank's score must match
 * ref's score at that rank, each returned id's oracle score must match the
 * returned score and be no worse than ref's k-th score, all within
 * tolerance.  Where the data makes every score exact in any summation order
 * (small integers, zero vectors) ties are real in every backend and the ids
 * must equal ref's one for one. */
#include "vl-test-util.h"

#include <math.h>
#include <string.h>

typedef enum
{
  DATA_UNIFORM,
  DATA_DUPLICATES,  /* the database repeats a few rows many times */
  DATA_INTEGER,     /* small integers with duplicates: exact scores */
  DATA_ZERO_ROWS,   /* query 0 and every 7th database row are zero */
  DATA_SCALED,      /* row norms spread over six orders of magnitude */
  DATA_OFFSET,      /* a tight cluster far from the origin (L2 only) */
  DATA_IMPROVING,   /* later database rows score better, by trend */
} DataKind;

typedef struct
{
  const char *name;
  size_t      n, d, nq, k;
  size_t      pad;       /* stride - d of queries and database */
  DataKind    kind;
} KnnCase;

static const KnnCase cases[] = {
  { "d1-n1-k1",                  1,   1,   1,    1,  0, DATA_UNIFORM },
  { "d1-n100-nq7-k5",          100,   1,   7,    5,  0, DATA_UNIFORM },
  { "d1-n64-dup-k10",           64,   1,   5,   10,  0, DATA_DUPLICATES },
  { "d17-n20-k20",              20,  17,   5,   20,  0, DATA_UNIFORM },
  { "d17-n500-nq300-k10",      500,  17, 300,   10,  0, DATA_UNIFORM },
  { "d17-n300-strided-k7",     300,  17,  13,    7,  6, DATA_UNIFORM },
  { "d17-n400-dup-k25",        400,  17,  20,   25,  0, DATA_DUPLICATES },
  { "d17-n300-int-k30",        300,  17,  10,   30,  0, DATA_INTEGER },
  { "d17-n200-zero-k15",       200,  17,   6,   15,  0, DATA_ZERO_ROWS },
  { "d17-n2500-k2048",        2500,  17,   3, 2048,  0, DATA_UNIFORM },
  { "d17-n5000-int-k1000",    5000,  17,   4, 1000,  0, DATA_INTEGER },
  { "d17-n3000-scaled-k50",   3000,  17,   8,   50,  0, DATA_SCALED },
  { "d769-n3000-nq1-k1",      3000, 769,   1,    1,  0, DATA_UNIFORM },
  { "d769-n50-k2",              50, 769,   4,    2,  0, DATA_UNIFORM },
  { "d769-n200-nq300-k10",     200, 769, 300,   10,  0, DATA_UNIFORM },
  { "d769-n2048-k2048",       2048, 769,   2, 2048,  0, DATA_UNIFORM },
  { "d769-n1000-strided-k16", 1000, 769,   9,   16, 31, DATA_ZERO_ROWS },
  { "d769-n10000-nq2-k10",   10000, 769,   2,   10,  0, DATA_UNIFORM },
  { "d769-n300-int-k40",       300, 769,   5,   40,  0, DATA_INTEGER },
  { "d769-n500-dup-k64",       500, 769,   6,   64,  0, DATA_DUPLICATES },
  /* d a multiple of 4 is where OpenCL takes its two k-NN paths: the scan
   * (up to 32 queries, k <= 128, blocks of 1, 4 and 16 queries) and the
   * GEMM tiles (more queries or larger k). */
  { "d768-n3000-nq1-k10",     3000, 768,   1,   10,  0, DATA_UNIFORM },
  { "d64-n5000-nq3-dup-k10",  5000,  64,   3,   10,  0, DATA_DUPLICATES },
  { "d128-n2000-nq16-int-k100", 2000, 128, 16,  100,  0, DATA_INTEGER },
  { "d96-n1500-nq20-k10",     1500,  96,  20,   10,  5, DATA_UNIFORM },
  { "d32-n1000-nq32-k128",    1000,  32,  32,  128,  0, DATA_ZERO_ROWS },
  { "d256-n20000-nq2-k10",   20000, 256,   2,   10,  0, DATA_UNIFORM },
  { "d32-n1000-nq5-k129",     1000,  32,   5,  129,  0, DATA_UNIFORM },
  { "d128-n700-nq130-k10",     700, 128, 130,   10,  0, DATA_UNIFORM },
  { "d32-n300-nq40-dup-k64",   300,  32,  40,   64,  0, DATA_DUPLICATES },
  { "d12-n9000-nq33-zero-k20", 9000, 12,  33,   20,  0, DATA_ZERO_ROWS },
  /* A block's lists beyond the 4,096 candidates the host merges alone
   * (16 queries, 40 each, from every group of a CPU): the device merges
   * them first. */
  { "d32-n20000-nq16-k40",   20000, 32,  16,   40,  0, DATA_UNIFORM },
  /* More rows than one GEMM tile holds (65536): tiles of 8192, 16384,
   * ... rows, each merged into the running top-k, ties across them. */
  { "d4-n70000-nq40-dup-k10", 70000,  4,  40,   10,  0, DATA_DUPLICATES },
  /* One query scanned by a GPU's thousand work-groups, whose lists are
   * merged in parts of dozens (33 lists of 128 on an H100, 4,224
   * candidates): with this many ties a part can hold more candidates
   * below its lists' best k-th key than topk.cl's merge_sorted_lists
   * gathers (4096), and then goes through its radix select; on a CPU's
   * few groups it does not. */
  { "d4-n200000-dup-k128", 200000, 4,   1,  128,  0, DATA_DUPLICATES },
  /* Rows that improve with their index beat the running k-th all along:
   * the GEMM path's merges then take more candidates than local memory
   * holds (after a first tile's first part, and in every later tile) and
   * fall back to the radix select; the scans cut their lists often. */
  { "d8-n20000-nq40-improving-k10", 20000, 8, 40, 10, 0, DATA_IMPROVING },
  { "d8-n20000-nq3-improving-k10", 20000, 8,  3,  10,  0, DATA_IMPROVING },
};

/* The largest k, once, on L2 only: its cost is the sort, not the metric. */
static const KnnCase max_k_case =
  { "d17-n4096-k4096",        4096,  17,   2, 4096,  0, DATA_UNIFORM };

/* Points 100 +- 0.01 apart by about 0.05: |q|^2 + |x|^2 - 2 q.x cancels
 * catastrophically in fp32 (|x|^2 is 7.7e6, its rounding error ~0.5), while
 * summing the squared differences keeps the error relative to the distance.
 * Ranking must follow the true distances, so this case is compared with a
 * tolerance relative to the scores alone (magnitude 0). */
static const KnnCase offset_case =
  { "d769-n500-offset-k5",     500, 769,   4,    5,  0, DATA_OFFSET };

static const VlMetric metrics[] = { VL_METRIC_L2, VL_METRIC_IP,
                                    VL_METRIC_COSINE };

typedef struct
{
  const KnnCase *c;
  VlMetric       metric;
} KnnRun;

static KnnRun runs[G_N_ELEMENTS (cases) * G_N_ELEMENTS (metrics) + 2];

/* The data and ref's answers of one run, computed once and shared by the
 * runs of every backend, which are registered one after the other. */
typedef struct
{
  const KnnRun *run;
  VlMatrix      q, x;
  VlMatrix      full;      /* ref distance matrix, nq x n */
  double       *mag;       /* per query, see VL_TEST_REL_TOL */
  double       *xnorm;
  int64_t      *ids;       /* ref top-k */
  float        *scores;
  guint8       *seen;      /* n flags, scratch for uniqueness */
} Oracle;

static Oracle oracle;

static void
oracle_clear (void)
{
  vl_test_matrix_free (&oracle.q);
  vl_test_matrix_free (&oracle.x);
  vl_test_matrix_free (&oracle.full);
  g_clear_pointer (&oracle.mag, g_free);
  g_clear_pointer (&oracle.xnorm, g_free);
  g_clear_pointer (&oracle.ids, g_free);
  g_clear_pointer (&oracle.scores, g_free);
  g_clear_pointer (&oracle.seen, g_free);
  oracle.run = NULL;
}

static void
fill_data (const KnnCase *c, VlMatrix *q, VlMatrix *x)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed ((guint32) (c->n * 131
                                                            + c->d * 7
                                                            + c->kind));
  size_t distinct = MAX (c->n / 5, 1);

  if (c->kind == DATA_INTEGER)
    {
      vl_test_matrix_fill_int (q, rand, 2);
      vl_test_matrix_fill_int (x, rand, 2);
    }
  else
    {
      vl_test_matrix_fill (q, rand, -1.0f, 1.0f);
      vl_test_matrix_fill (x, rand, -1.0f, 1.0f);
    }

  if (c->kind == DATA_DUPLICATES || c->kind == DATA_INTEGER)
    {
      for (size_t r = distinct; r < c->n; r++)
        memcpy (vl_test_row (x, r), vl_test_row (x, r % distinct),
                c->d * sizeof (float));
      /* A query equal to a duplicated row: many exact L2 zeros. */
      memcpy (vl_test_row (q, 0), vl_test_row (x, 0), c->d * sizeof (float));
    }
  if (c->kind == DATA_OFFSET)
    {
      vl_test_matrix_fill (q, rand, 99.99f, 100.01f);
      vl_test_matrix_fill (x, rand, 99.99f, 100.01f);
    }
  if (c->kind == DATA_IMPROVING)
    {
      /* Positive queries; row r shrunk by (r + 1) / n toward 0: a larger
       * inner product and, the queries being away from 0, a smaller
       * distance as r grows. */
      vl_test_matrix_fill (q, rand, 0.5f, 1.0f);
      vl_test_matrix_fill (x, rand, 0.5f, 1.0f);
      for (size_t r = 0; r < c->n; r++)
        for (size_t k = 0; k < c->d; k++)
          vl_test_row (x, r)[k] *= (float) (r + 1) / (float) c->n;
    }
  if (c->kind == DATA_SCALED)
    for (size_t r = 0; r < c->n; r++)
      for (size_t k = 0; k < c->d; k++)
        vl_test_row (x, r)[k] *= powf (10.0f, (float) (r % 7) - 3.0f);
  if (c->kind == DATA_ZERO_ROWS)
    {
      vl_test_matrix_zero_row (q, 0);
      for (size_t r = 3; r < c->n; r += 7)
        vl_test_matrix_zero_row (x, r);
    }
}

static gboolean
oracle_prepare (const KnnRun *kr)
{
  const KnnCase *c = kr->c;
  VlContext *ref = vl_test_context ("ref");
  VlError *error = NULL;
  double xmax = 0.0;

  if (oracle.run == kr)
    return TRUE;
  oracle_clear ();

  oracle.q = vl_test_matrix_new (c->nq, c->d, c->d + c->pad);
  oracle.x = vl_test_matrix_new (c->n, c->d, c->d + c->pad);
  oracle.full = vl_test_matrix_new (c->nq, c->n, c->n);
  oracle.mag = g_new (double, c->nq);
  oracle.xnorm = g_new (double, c->n);
  oracle.ids = g_new (int64_t, c->nq * c->k);
  oracle.scores = g_new (float, c->nq * c->k);
  oracle.seen = g_new0 (guint8, c->n);
  fill_data (c, &oracle.q, &oracle.x);

  for (size_t j = 0; j < c->n; j++)
    {
      oracle.xnorm[j] = vl_test_row_norm (&oracle.x, j);
      xmax = MAX (xmax, oracle.xnorm[j]);
    }
  /* Any score of a query is bounded by its norm against the largest
   * database norm; the offset case is judged on the scores alone. */
  for (size_t i = 0; i < c->nq; i++)
    oracle.mag[i] = c->kind == DATA_OFFSET
                    ? 0.0
                    : vl_test_score_magnitude (kr->metric,
                                               vl_test_row_norm (&oracle.q, i),
                                               xmax);

  if (!vl_test_check_ok (vl_distance_matrix (ref, kr->metric, &oracle.q,
                                             &oracle.x, &oracle.full, &error),
                         error)
      || !vl_test_check_ok (vl_knn (ref, kr->metric, &oracle.q, &oracle.x,
                                    c->k, oracle.ids, oracle.scores, &error),
                            error))
    {
      oracle_clear ();
      return FALSE;
    }
  oracle.run = kr;
  return TRUE;
}

static gboolean
ranks_before (gboolean similarity, float a, float b)
{
  return similarity ? a > b : a < b;
}

/* Checks the k results of query @qi (@ids and @scores point at them). */
static gboolean
check_query (const KnnRun *kr, size_t qi, const int64_t *ids,
             const float *scores)
{
  const KnnCase *c = kr->c;
  gboolean sim = vl_metric_is_similarity (kr->metric);
  gboolean exact = (c->kind == DATA_INTEGER && kr->metric != VL_METRIC_COSINE)
                   || (c->kind == DATA_ZERO_ROWS && qi == 0
                       && kr->metric != VL_METRIC_L2);
  const int64_t *rids = oracle.ids + qi * c->k;
  const float *rscores = oracle.scores + qi * c->k;
  const float *full = vl_test_row (&oracle.full, qi);
  float kth = rscores[c->k - 1];
  double mag = oracle.mag[qi];
  gboolean ok = TRUE;
  size_t i;

  for (i = 0; ok && i < c->k; i++)
    {
      int64_t id = ids[i];

      if (id < 0 || (size_t) id >= c->n || oracle.seen[id])
        {
          g_test_fail_printf ("query %zu rank %zu: id %" G_GINT64_FORMAT
                              " is out of range or repeated", qi, i, id);
          ok = FALSE;
          break;
        }
      oracle.seen[id] = 1;

      if (i > 0 && (ranks_before (sim, scores[i], scores[i - 1])
                    || (scores[i] == scores[i - 1] && id < ids[i - 1])))
        {
          g_test_fail_printf ("query %zu: rank %zu (id %" G_GINT64_FORMAT
                              ", %.9g) should come before rank %zu (id %"
                              G_GINT64_FORMAT ", %.9g)", qi, i, id,
                              scores[i], i - 1, ids[i - 1], scores[i - 1]);
          ok = FALSE;
        }
      else if (exact && (id != rids[i] || scores[i] != rscores[i]))
        {
          g_test_fail_printf ("query %zu rank %zu: exact data gives id %"
                              G_GINT64_FORMAT " (%.9g), ref id %"
                              G_GINT64_FORMAT " (%.9g)", qi, i, id,
                              scores[i], rids[i], rscores[i]);
          ok = FALSE;
        }
      else if (!vl_test_check_close (scores[i], rscores[i], mag,
                                     "query %zu rank %zu score", qi, i)
               || !vl_test_check_close (scores[i], full[id], mag,
                                        "query %zu id %" G_GINT64_FORMAT
                                        " score", qi, id))
        ok = FALSE;
      else if (ranks_before (sim, kth, full[id])
               && !vl_test_close (full[id], kth, mag))
        {
          g_test_fail_printf ("query %zu: id %" G_GINT64_FORMAT " scores "
                              "%.9g, worse than ref's k-th %.9g", qi, id,
                              full[id], kth);
          ok = FALSE;
        }
      else if (kr->metric == VL_METRIC_L2 && !(scores[i] >= 0.0f))
        {
          g_test_fail_printf ("query %zu rank %zu: squared distance %.9g",
                              qi, i, scores[i]);
          ok = FALSE;
        }
      else if (kr->metric == VL_METRIC_COSINE && oracle.xnorm[id] == 0.0
               && scores[i] != 0.0f)
        {
          g_test_fail_printf ("query %zu: zero row %" G_GINT64_FORMAT
                              " has cosine %.9g, not 0", qi, id, scores[i]);
          ok = FALSE;
        }
    }
  for (size_t j = 0; j < i; j++)
    oracle.seen[ids[j]] = 0;
  return ok;
}

static void
test_knn (const VlTestRun *run)
{
  const KnnRun *kr = run->data;
  const KnnCase *c = kr->c;
  VlContext *ctx = vl_test_context (run->device);
  g_autofree int64_t *ids = g_new (int64_t, c->nq * c->k);
  g_autofree float *scores = g_new (float, c->nq * c->k);
  VlMatrix last;
  VlError *error = NULL;
  VlIndex *index;

  if (!oracle_prepare (kr))
    return;

  index = vl_index_new (ctx, kr->metric, &oracle.x, &error);
  if (!vl_test_check_ok (index != NULL ? VL_STATUS_OK : error->status, error))
    return;
  g_assert_cmpuint (vl_index_get_size (index), ==, c->n);
  g_assert_cmpuint (vl_index_get_dim (index), ==, c->d);

  if (vl_test_check_ok (vl_index_search (index, &oracle.q, c->k, ids, scores,
                                         &error), error))
    for (size_t qi = 0; qi < c->nq; qi++)
      if (!check_query (kr, qi, ids + qi * c->k, scores + qi * c->k))
        break;

  /* The same index searched again with k = 1 gives ref's best score. */
  if (vl_test_check_ok (vl_index_search (index, &oracle.q, 1, ids, scores,
                                         &error), error))
    for (size_t qi = 0; qi < c->nq; qi++)
      if (ids[qi] < 0 || (size_t) ids[qi] >= c->n
          || !vl_test_check_close (scores[qi], oracle.scores[qi * c->k],
                                   oracle.mag[qi], "k = 1, query %zu", qi)
          || !vl_test_check_close (vl_test_row (&oracle.full, qi)[ids[qi]],
                                   oracle.scores[qi * c->k], oracle.mag[qi],
                                   "k = 1, query %zu: oracle score of id %"
                                   G_GINT64_FORMAT, qi, ids[qi]))
        {
          g_test_fail_printf ("k = 1, query %zu: wrong id %" G_GINT64_FORMAT,
                              qi, ids[qi]);
          break;
        }
  vl_index_free (index);

  /* The one-shot path with a single query, which batched backends treat
   * differently. */
  last = oracle.q;
  last.rows = 1;
  last.data = vl_test_row (&oracle.q, c->nq - 1);
  memset (ids, 0xff, c->k * sizeof *ids);
  if (vl_test_check_ok (vl_knn (ctx, kr->metric, &last, &oracle.x, c->k, ids,
                                scores, &error), error))
    check_query (kr, c->nq - 1, ids, scores);
}

/* Database [0], [1], [2], [3] (d = 1), worked out by hand. */
static void
test_hand (const VlTestRun *run)
{
  float x[] = { 0, 1, 2, 3 };
  float q[] = { 1.2f, -1.0f };
  VlMatrix xm = vl_matrix_f32 (x, 4, 1), qm = vl_matrix_f32 (q, 2, 1);
  VlContext *ctx = vl_test_context (run->device);
  int64_t ids[2 * 4];
  float scores[2 * 4];
  VlError *error = NULL;

  /* L2 from 1.2: 0.04 (id 1), 0.64 (id 2); from -1: 1 (id 0), 4 (id 1). */
  if (!vl_test_check_ok (vl_knn (ctx, VL_METRIC_L2, &qm, &xm, 2, ids, scores,
                                 &error), error))
    return;
  g_assert_cmpint (ids[0], ==, 1);
  g_assert_cmpint (ids[1], ==, 2);
  g_assert_cmpint (ids[2], ==, 0);
  g_assert_cmpint (ids[3], ==, 1);
  vl_test_check_close (scores[0], 0.04, 0.0, "L2 rank 0");
  vl_test_check_close (scores[1], 0.64, 0.0, "L2 rank 1");
  vl_test_check_close (scores[2], 1.0, 0.0, "L2 rank 0 of query 1");
  vl_test_check_close (scores[3], 4.0, 0.0, "L2 rank 1 of query 1");

  /* IP with 1.2: 3.6 (id 3), 2.4 (id 2); with -1: 0 (id 0), -1 (id 1). */
  if (!vl_test_check_ok (vl_knn (ctx, VL_METRIC_IP, &qm, &xm, 2, ids, scores,
                                 &error), error))
    return;
  g_assert_cmpint (ids[0], ==, 3);
  g_assert_cmpint (ids[1], ==, 2);
  g_assert_cmpint (ids[2], ==, 0);
  g_assert_cmpint (ids[3], ==, 1);
  vl_test_check_close (scores[0], 3.6, 0.0, "IP rank 0");
  vl_test_check_close (scores[3], -1.0, 0.0, "IP rank 1 of query 1");

  /* Cosine in one dimension is the sign: ids 1, 2, 3 tie at 1 for the
   * positive query and the zero row 0 scores 0; the negative query ranks
   * the zero row first. */
  if (!vl_test_check_ok (vl_knn (ctx, VL_METRIC_COSINE, &qm, &xm, 4, ids,
                                 scores, &error), error))
    return;
  g_assert_cmpint (ids[3], ==, 0);
  g_assert_cmpfloat (scores[3], ==, 0.0f);
  vl_test_check_close (scores[0], 1.0, 0.0, "cosine rank 0");
  g_assert_cmpint (ids[4], ==, 0);
  g_assert_cmpfloat (scores[4], ==, 0.0f);
  vl_test_check_close (scores[5], -1.0, 0.0, "cosine rank 1 of query 1");
}

/* All rows equal: every L2 and IP score ties exactly (integer data), so the
 * top-k is the k lowest ids in order, on every backend.  Cosine divides by
 * rounded norms, so its ties are covered by value in the duplicate cases. */
static void
test_all_ties (const VlTestRun *run)
{
  VlContext *ctx = vl_test_context (run->device);
  VlMatrix x = vl_test_matrix_new (300, 17, 17);
  VlMatrix q = vl_test_matrix_new (2, 17, 17);
  int64_t ids[2 * 40];
  float scores[2 * 40];
  VlError *error = NULL;

  for (size_t r = 0; r < x.rows; r++)
    for (size_t c = 0; c < x.cols; c++)
      vl_test_row (&x, r)[c] = (float) (c % 3) - 1.0f;
  for (size_t c = 0; c < q.cols; c++)
    {
      vl_test_row (&q, 0)[c] = 1.0f;
      vl_test_row (&q, 1)[c] = (float) (c % 3) - 1.0f;
    }

  for (guint m = 0; m < 2; m++)
    {
      if (!vl_test_check_ok (vl_knn (ctx, metrics[m], &q, &x, 40, ids, scores,
                                     &error), error))
        break;
      for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
        if (ids[i] != (int64_t) (i % 40) || scores[i] != scores[i - i % 40])
          {
            g_test_fail_printf ("%s: result %u is id %" G_GINT64_FORMAT
                                " (%.9g), expected id %u with equal scores",
                                vl_metric_to_string (metrics[m]), i, ids[i],
                                scores[i], i % 40);
            break;
          }
    }
  vl_test_matrix_free (&x);
  vl_test_matrix_free (&q);
}

/* The index owns a copy of its database: scribbling NaN over the caller's
 * memory after the build changes nothing.  Two indexes of one context,
 * searched in turns, do not disturb each other's buffers. */
static void
test_index_lifetime (const VlTestRun *run)
{
  VlContext *ctx = vl_test_context (run->device);
  g_autoptr (GRand) rand = g_rand_new_with_seed (99);
  VlMatrix x = vl_test_matrix_new (700, 33, 33);
  VlMatrix y = vl_test_matrix_new (500, 33, 40);
  VlMatrix q = vl_test_matrix_new (20, 33, 33);
  int64_t want_x[20 * 8], want_y[20 * 8], got[20 * 8];
  float scores[20 * 8];
  VlIndex *ix = NULL, *iy = NULL;
  VlError *error = NULL;

  vl_test_matrix_fill (&x, rand, -1.0f, 1.0f);
  vl_test_matrix_fill (&y, rand, -1.0f, 1.0f);
  vl_test_matrix_fill (&q, rand, -1.0f, 1.0f);
  if (!vl_test_check_ok (vl_knn (vl_test_context ("ref"), VL_METRIC_IP, &q, &x,
                                 8, want_x, scores, &error), error)
      || !vl_test_check_ok (vl_knn (vl_test_context ("ref"), VL_METRIC_L2, &q,
                                    &y, 8, want_y, scores, &error), error))
    goto out;

  ix = vl_index_new (ctx, VL_METRIC_IP, &x, &error);
  if (!vl_test_check_ok (ix != NULL ? VL_STATUS_OK : error->status, error))
    goto out;
  iy = vl_index_new (ctx, VL_METRIC_L2, &y, &error);
  if (!vl_test_check_ok (iy != NULL ? VL_STATUS_OK : error->status, error))
    goto out;
  for (size_t i = 0; i < x.rows * x.stride; i++)
    ((float *) x.data)[i] = NAN;
  for (size_t i = 0; i < y.rows * y.stride; i++)
    ((float *) y.data)[i] = NAN;

  for (int round = 0; round < 2; round++)
    {
      /* Random data: no ties, so the ids must equal ref's. */
      if (!vl_test_check_ok (vl_index_search (ix, &q, 8, got, scores, &error),
                             error))
        goto out;
      if (memcmp (got, want_x, sizeof got) != 0)
        {
          g_test_fail_printf ("round %d: IP index results differ from ref",
                              round);
          goto out;
        }
      if (!vl_test_check_ok (vl_index_search (iy, &q, 8, got, scores, &error),
                             error))
        goto out;
      if (memcmp (got, want_y, sizeof got) != 0)
        {
          g_test_fail_printf ("round %d: L2 index results differ from ref",
                              round);
          goto out;
        }
    }

out:
  vl_index_free (ix);
  vl_index_free (iy);
  vl_test_matrix_free (&x);
  vl_test_matrix_free (&y);
  vl_test_matrix_free (&q);
}

static void
add_run (guint r, const KnnCase *c, VlMetric metric)
{
  g_autofree char *prefix = g_strdup_printf ("/vectorlab/knn/%s/%s",
                                             vl_metric_to_string (metric),
                                             c->name);

  runs[r].c = c;
  runs[r].metric = metric;
  vl_test_add (prefix, &runs[r], test_knn);
}

int
main (int argc, char **argv)
{
  guint r = 0;
  int result;

  vl_test_init (&argc, &argv);
  vl_test_add ("/vectorlab/knn/hand", NULL, test_hand);
  vl_test_add ("/vectorlab/knn/all-ties", NULL, test_all_ties);
  vl_test_add ("/vectorlab/knn/index-lifetime", NULL, test_index_lifetime);
  for (guint m = 0; m < G_N_ELEMENTS (metrics); m++)
    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      add_run (r++, &cases[i], metrics[m]);
  add_run (r++, &max_k_case, VL_METRIC_L2);
  add_run (r++, &offset_case, VL_METRIC_L2);

  result = vl_test_run ();
  oracle_clear ();
  return result;
}
