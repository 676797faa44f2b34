/* test-proj.c: learned projections (vl-proj.h) on every backend against an
 * oracle computed here in double: vl_project, the projected-distance index
 * under L2, IP and cosine, and attention similarity written per head (the
 * mean over heads of (Wq q)_h . (Wk k)_h / sqrt (dh)), so that the library's
 * folding of the heads into one inner product is checked too.  Top-k is
 * judged as in test-knn.c: sorted, each rank's score matches the oracle's at
 * that rank, each returned id's oracle score matches the returned score;
 * with small-integer data every score is exact and ids must match one for
 * one (ties to the lower id). */
#include "vl-test-util.h"

#include <math.h>
#include <string.h>

typedef struct
{
  const char *name;
  size_t      n, d, p, nq, k;
  size_t      heads;    /* attention: p = heads * dh */
  size_t      pad;      /* stride - d of the inputs */
  gboolean    integer;  /* small integers: exact scores, real ties */
} ProjCase;

static const ProjCase cases[] = {
  { "d1-p1",           50,   1,   1,  3,  5, 1,  0, FALSE },
  { "d17-p5",         300,  17,   5,  7, 10, 1,  3, FALSE },
  { "d17-p6-int",     200,  17,   6,  5, 40, 3,  0, TRUE },
  { "d769-p128",      500, 769, 128,  9, 10, 2, 31, FALSE },
  { "d769-p768-h12", 300, 769, 768,  4, 16, 12, 0, FALSE },
};

static void
fill (VlMatrix *m, GRand *rand, gboolean integer)
{
  if (integer)
    vl_test_matrix_fill_int (m, rand, 3);
  else
    vl_test_matrix_fill (m, rand, -1.0f, 1.0f);
}

static VlWeights *
weights_with (VlContext *ctx, const char *name, const VlMatrix *w)
{
  VlWeightsShape shape = vl_weights_shape_2d (w->rows, w->cols);
  VlWeights *weights = vl_weights_new (ctx, NULL);

  OK (vl_weights_set (weights, name, &shape, w->data, &error));
  return weights;
}

/* out[i][j] = scale * x_i . w_j in double. */
static double *
oracle_project (const VlMatrix *x, const VlMatrix *w, double scale)
{
  double *out = g_new (double, x->rows * w->rows);

  for (size_t i = 0; i < x->rows; i++)
    for (size_t j = 0; j < w->rows; j++)
      {
        double s = 0.0;

        for (size_t c = 0; c < x->cols; c++)
          s += (double) vl_test_row (x, i)[c] * vl_test_row (w, j)[c];
        out[i * w->rows + j] = scale * s;
      }
  return out;
}

static double
oracle_score (VlMetric metric, const double *a, const double *b, size_t p)
{
  double s = 0.0, na = 0.0, nb = 0.0;

  for (size_t c = 0; c < p; c++)
    {
      s += metric == VL_METRIC_L2 ? (a[c] - b[c]) * (a[c] - b[c])
                                  : a[c] * b[c];
      na += a[c] * a[c];
      nb += b[c] * b[c];
    }
  if (metric == VL_METRIC_COSINE)
    return na > 0 && nb > 0 ? s / sqrt (na * nb) : 0.0;
  return s;
}

static int
compare_desc (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? 1 : x > y ? -1 : 0;
}

/* Checks one query's top-k against the oracle scores @all (n of them). */
static gboolean
check_topk (const ProjCase *c, gboolean similarity, const double *all,
            const int64_t *ids, const float *scores, double magnitude,
            size_t q)
{
  g_autofree double *sorted = g_new (double, c->n);

  for (size_t j = 0; j < c->n; j++)
    sorted[j] = similarity ? all[j] : -all[j];
  qsort (sorted, c->n, sizeof *sorted, compare_desc);
  for (size_t r = 0; r < c->k; r++)
    {
      double want = similarity ? sorted[r] : -sorted[r];

      if (ids[r] < 0 || (size_t) ids[r] >= c->n)
        {
          g_test_fail_printf ("query %zu rank %zu: id %" G_GINT64_FORMAT
                              " out of range", q, r, ids[r]);
          return FALSE;
        }
      if (r > 0 && (similarity ? scores[r] > scores[r - 1]
                               : scores[r] < scores[r - 1]))
        {
          g_test_fail_printf ("query %zu: rank %zu is out of order", q, r);
          return FALSE;
        }
      if (r > 0 && scores[r] == scores[r - 1] && ids[r] < ids[r - 1])
        {
          g_test_fail_printf ("query %zu: tie at rank %zu not by lower id",
                              q, r);
          return FALSE;
        }
      if (!vl_test_check_close (scores[r], want, magnitude,
                                "query %zu rank %zu", q, r)
          || !vl_test_check_close (scores[r], all[ids[r]], magnitude,
                                   "query %zu rank %zu id %" G_GINT64_FORMAT,
                                   q, r, ids[r]))
        return FALSE;
    }
  return TRUE;
}

static void
test_project (const VlTestRun *run)
{
  const ProjCase *c = run->data;
  VlContext *ctx = vl_test_context (run->device);
  GRand *rand = g_rand_new_with_seed (11);
  VlMatrix x = vl_test_matrix_new (c->nq, c->d, c->d + c->pad);
  VlMatrix w = vl_test_matrix_new (c->p, c->d, c->d);
  VlMatrix out = vl_test_matrix_new (c->nq, c->p, c->p + 1);
  VlWeights *weights;
  g_autofree double *want = NULL;

  fill (&x, rand, c->integer);
  fill (&w, rand, c->integer);
  weights = weights_with (ctx, "P", &w);
  want = oracle_project (&x, &w, 1.0);
  OK (vl_project (ctx, weights, "P", &x, &out, &error));
  for (size_t i = 0; i < c->nq; i++)
    for (size_t j = 0; j < c->p; j++)
      if (!vl_test_check_close (vl_test_row (&out, i)[j], want[i * c->p + j],
                                vl_test_row_norm (&x, i)
                                * vl_test_row_norm (&w, j),
                                "row %zu feature %zu", i, j))
        goto out;
out:
  vl_weights_free (weights);
  vl_test_matrix_free (&x);
  vl_test_matrix_free (&w);
  vl_test_matrix_free (&out);
  g_rand_free (rand);
}

static void
run_proj_search (const VlTestRun *run, VlMetric metric)
{
  const ProjCase *c = run->data;
  VlContext *ctx = vl_test_context (run->device);
  GRand *rand = g_rand_new_with_seed (13);
  VlMatrix db = vl_test_matrix_new (c->n, c->d, c->d + c->pad);
  VlMatrix q = vl_test_matrix_new (c->nq, c->d, c->d + c->pad);
  VlMatrix w = vl_test_matrix_new (c->p, c->d, c->d);
  g_autofree int64_t *ids = g_new (int64_t, c->nq * c->k);
  g_autofree float *scores = g_new (float, c->nq * c->k);
  g_autofree double *pdb = NULL, *pq = NULL, *all = NULL;
  gboolean similarity = vl_metric_is_similarity (metric);
  VlWeights *weights;
  VlProjIndex *index;
  VlError *err = NULL;

  fill (&db, rand, c->integer);
  fill (&q, rand, c->integer);
  fill (&w, rand, c->integer);
  if (c->integer)  /* duplicate rows: ties the lower id must win */
    for (size_t j = 1; j < c->n; j += 3)
      memcpy (vl_test_row (&db, j), vl_test_row (&db, j - 1),
              c->d * sizeof (float));
  weights = weights_with (ctx, "P", &w);
  index = vl_proj_index_new (ctx, metric, weights, "P", &db, &err);
  /* The index holds its own reference to the projection. */
  OK (vl_weights_remove (weights, "P", &error));
  if (index == NULL)
    {
      vl_test_check_ok (err->status, err);
      goto out;
    }
  g_assert_cmpuint (vl_proj_index_get_projected_dim (index), ==, c->p);
  g_assert_cmpuint (vl_proj_index_get_size (index), ==, c->n);
  g_assert_cmpuint (vl_proj_index_get_dim (index), ==, c->d);
  OK (vl_proj_index_search (index, &q, c->k, ids, scores, &error));

  pdb = oracle_project (&db, &w, 1.0);
  pq = oracle_project (&q, &w, 1.0);
  all = g_new (double, c->n);
  for (size_t i = 0; i < c->nq; i++)
    {
      double nq = 0.0, nmax = 0.0;

      for (size_t j = 0; j < c->n; j++)
        {
          double nj = oracle_score (VL_METRIC_IP, pdb + j * c->p,
                                    pdb + j * c->p, c->p);

          all[j] = oracle_score (metric, pq + i * c->p, pdb + j * c->p, c->p);
          nmax = MAX (nmax, nj);
        }
      nq = oracle_score (VL_METRIC_IP, pq + i * c->p, pq + i * c->p, c->p);
      if (!check_topk (c, similarity, all, ids + i * c->k,
                       scores + i * c->k,
                       vl_test_score_magnitude (metric, sqrt (nq),
                                                sqrt (nmax)), i))
        break;
    }
out:
  vl_proj_index_free (index);
  vl_weights_free (weights);
  vl_test_matrix_free (&db);
  vl_test_matrix_free (&q);
  vl_test_matrix_free (&w);
  g_rand_free (rand);
}

static void
test_proj_l2 (const VlTestRun *run)
{
  run_proj_search (run, VL_METRIC_L2);
}

static void
test_proj_ip (const VlTestRun *run)
{
  run_proj_search (run, VL_METRIC_IP);
}

static void
test_proj_cosine (const VlTestRun *run)
{
  run_proj_search (run, VL_METRIC_COSINE);
}

/* The attention score written as the documents define it, head by head. */
static double *
oracle_attention (const VlMatrix *q, const VlMatrix *keys, const VlMatrix *wq,
                  const VlMatrix *wk, size_t heads)
{
  size_t dh = wq->rows / heads;
  g_autofree double *pq = oracle_project (q, wq, 1.0);
  g_autofree double *pk = oracle_project (keys, wk, 1.0);
  double *out = g_new (double, q->rows * keys->rows);

  for (size_t i = 0; i < q->rows; i++)
    for (size_t j = 0; j < keys->rows; j++)
      {
        double mean = 0.0;

        for (size_t h = 0; h < heads; h++)
          {
            double s = 0.0;

            for (size_t c = h * dh; c < (h + 1) * dh; c++)
              s += pq[i * wq->rows + c] * pk[j * wq->rows + c];
            mean += s / sqrt ((double) dh);
          }
        out[i * keys->rows + j] = mean / (double) heads;
      }
  return out;
}

static void
test_attention (const VlTestRun *run)
{
  const ProjCase *c = run->data;
  VlContext *ctx = vl_test_context (run->device);
  GRand *rand = g_rand_new_with_seed (17);
  VlMatrix keys = vl_test_matrix_new (c->n, c->d, c->d + c->pad);
  VlMatrix q = vl_test_matrix_new (c->nq, c->d, c->d + c->pad);
  VlMatrix wq = vl_test_matrix_new (c->p, c->d, c->d);
  VlMatrix wk = vl_test_matrix_new (c->p, c->d, c->d);
  VlMatrix all = vl_test_matrix_new (c->nq, c->n, c->n);
  VlWeightsShape shape = vl_weights_shape_2d (c->p, c->d);
  g_autofree int64_t *ids = g_new (int64_t, c->nq * c->k);
  g_autofree float *scores = g_new (float, c->nq * c->k);
  g_autofree double *want = NULL;
  VlWeights *weights = vl_weights_new (ctx, NULL);
  VlAttentionIndex *index = NULL;
  VlError *err = NULL;
  double magnitude, kmax = 0.0;

  fill (&keys, rand, c->integer);
  fill (&q, rand, c->integer);
  fill (&wq, rand, c->integer);
  fill (&wk, rand, c->integer);
  if (c->integer)
    for (size_t j = 1; j < c->n; j += 3)
      memcpy (vl_test_row (&keys, j), vl_test_row (&keys, j - 1),
              c->d * sizeof (float));
  OK (vl_weights_set (weights, "Wq", &shape, wq.data, &error));
  OK (vl_weights_set (weights, "Wk", &shape, wk.data, &error));
  want = oracle_attention (&q, &keys, &wq, &wk, c->heads);
  /* Every rounding is bounded relative to |q| |k| sum_c |Wq_c| |Wk_c| /
   * (h sqrt (dh)), the sum of the magnitudes of the terms. */
  magnitude = 0.0;
  for (size_t c2 = 0; c2 < c->p; c2++)
    magnitude += vl_test_row_norm (&wq, c2) * vl_test_row_norm (&wk, c2);
  magnitude /= c->heads * sqrt ((double) c->p / c->heads);
  for (size_t j = 0; j < c->n; j++)
    kmax = MAX (kmax, vl_test_row_norm (&keys, j));

  OK (vl_attention_scores (ctx, weights, "Wq", "Wk", c->heads, &q, &keys,
                           &all, &error));
  for (size_t i = 0; i < c->nq; i++)
    for (size_t j = 0; j < c->n; j++)
      if (!vl_test_check_close (vl_test_row (&all, i)[j], want[i * c->n + j],
                                magnitude * vl_test_row_norm (&q, i)
                                * vl_test_row_norm (&keys, j),
                                "query %zu key %zu", i, j))
        goto out;

  index = vl_attention_index_new (ctx, weights, "Wq", "Wk", c->heads, &keys,
                                  &err);
  if (index == NULL)
    {
      vl_test_check_ok (err->status, err);
      goto out;
    }
  g_assert_cmpuint (vl_attention_index_get_heads (index), ==, c->heads);
  g_assert_cmpuint (vl_attention_index_get_size (index), ==, c->n);
  OK (vl_attention_index_search (index, &q, c->k, ids, scores, &error));
  for (size_t i = 0; i < c->nq; i++)
    if (!check_topk (c, TRUE, want + i * c->n, ids + i * c->k,
                     scores + i * c->k,
                     magnitude * vl_test_row_norm (&q, i) * kmax, i))
      break;
out:
  vl_attention_index_free (index);
  vl_weights_free (weights);
  vl_test_matrix_free (&keys);
  vl_test_matrix_free (&q);
  vl_test_matrix_free (&wq);
  vl_test_matrix_free (&wk);
  vl_test_matrix_free (&all);
  g_rand_free (rand);
}

/* Exact scores: the ids must be the oracle's, ties by lower id. */
static void
test_attention_ties (const VlTestRun *run)
{
  VlContext *ctx = vl_test_context (run->device);
  /* 2 heads of dh 4: the scale 1 / (2 * 2) is exact. */
  enum { N = 40, D = 5, P = 8, K = N };
  float wq[P * D], wk[P * D], keys[N * D], q[D];
  VlWeightsShape shape = vl_weights_shape_2d (P, D);
  VlMatrix km = vl_matrix_f32 (keys, N, D), qm = vl_matrix_f32 (q, 1, D);
  int64_t ids[K];
  float scores[K];
  VlWeights *weights = vl_weights_new (ctx, NULL);
  VlAttentionIndex *index;

  for (size_t i = 0; i < P * D; i++)
    {
      wq[i] = (float) ((int) (i % 5) - 2);
      wk[i] = (float) ((int) (i % 3) - 1);
    }
  for (size_t j = 0; j < N; j++)
    for (size_t c = 0; c < D; c++)
      keys[j * D + c] = (float) ((int) ((j % 4) * (c + 1) % 5) - 2);
  for (size_t c = 0; c < D; c++)
    q[c] = (float) c - 1.0f;
  OK (vl_weights_set (weights, "Wq", &shape, wq, &error));
  OK (vl_weights_set (weights, "Wk", &shape, wk, &error));
  index = vl_attention_index_new (ctx, weights, "Wq", "Wk", 2, &km, NULL);
  g_assert_nonnull (index);
  OK (vl_attention_index_search (index, &qm, K, ids, scores, &error));
  for (size_t r = 1; r < K; r++)
    {
      g_assert_cmpfloat (scores[r], <=, scores[r - 1]);
      if (scores[r] == scores[r - 1])
        g_assert_cmpint (ids[r], >, ids[r - 1]);
    }
  /* Keys repeat every 4 rows, so each score class lists ids j, j+4, ... */
  g_assert_cmpint (ids[1] - ids[0], ==, 4);
  vl_attention_index_free (index);
  vl_weights_free (weights);
}

static void
test_bad_input (const VlTestRun *run)
{
  VlContext *ctx = vl_test_context (run->device);
  float w[3 * 4] = { 0 }, x[2 * 4] = { 1, 2, 3, 4, 5, 6, 7, 8 };
  float wide[3 * 5] = { 0 }, out[2 * 3], scores[2 * 3];
  int64_t ids[2 * 3];
  VlWeightsShape s34 = vl_weights_shape_2d (3, 4), s35 = vl_weights_shape_2d (3, 5);
  VlMatrix xm = vl_matrix_f32 (x, 2, 4), om = vl_matrix_f32 (out, 2, 3);
  VlMatrix bad_out = vl_matrix_f32 (out, 2, 2), x5 = vl_matrix_f32 (wide, 3, 5);
  VlMatrix square = bad_out;  /* queries x keys of the attention calls */
  VlWeights *weights = vl_weights_new (ctx, NULL);
  VlProjIndex *index;
  VlError *err = NULL;

  OK (vl_weights_set (weights, "P", &s34, w, &error));
  OK (vl_weights_set (weights, "W5", &s35, wide, &error));

  FAILS (VL_STATUS_INVALID_ARGUMENT,
         vl_project (NULL, weights, "P", &xm, &om, &error));
  FAILS (VL_STATUS_INVALID_ARGUMENT,
         vl_project (ctx, NULL, "P", &xm, &om, &error));
  FAILS (VL_STATUS_INVALID_ARGUMENT,
         vl_project (ctx, weights, "missing", &xm, &om, &error));
  FAILS (VL_STATUS_SHAPE_MISMATCH,
         vl_project (ctx, weights, "W5", &xm, &om, &error));
  FAILS (VL_STATUS_SHAPE_MISMATCH,
         vl_project (ctx, weights, "P", &xm, &bad_out, &error));

  /* The message names the tensor and both shapes. */
  g_assert_null (vl_proj_index_new (ctx, VL_METRIC_L2, weights, "W5", &xm,
                                    &err));
  g_assert_cmpstr (err->message, ==,
                   "tensor 'W5': expected f32 [*, 4], found f32 [3, 5]");
  vl_error_free (err);
  err = NULL;
  g_assert_null (vl_proj_index_new (ctx, (VlMetric) 7, weights, "P", &xm,
                                    NULL));

  index = vl_proj_index_new (ctx, VL_METRIC_L2, weights, "P", &xm, NULL);
  g_assert_nonnull (index);
  FAILS (VL_STATUS_INVALID_ARGUMENT,
         vl_proj_index_search (NULL, &xm, 1, ids, scores, &error));
  FAILS (VL_STATUS_INVALID_ARGUMENT,
         vl_proj_index_search (index, &xm, 0, ids, scores, &error));
  FAILS (VL_STATUS_INVALID_ARGUMENT,
         vl_proj_index_search (index, &xm, 3, ids, scores, &error));
  FAILS (VL_STATUS_INVALID_ARGUMENT,
         vl_proj_index_search (index, &xm, 1, NULL, scores, &error));
  FAILS (VL_STATUS_SHAPE_MISMATCH,
         vl_proj_index_search (index, &x5, 1, ids, scores, &error));
  x[5] = NAN;
  FAILS (VL_STATUS_NON_FINITE,
         vl_proj_index_search (index, &xm, 1, ids, scores, &error));
  g_assert_null (vl_proj_index_new (ctx, VL_METRIC_L2, weights, "P", &xm,
                                    NULL));
  x[5] = 6;
  vl_proj_index_free (index);

  /* Attention: heads must divide the rows; Wk must match Wq. */
  FAILS (VL_STATUS_SHAPE_MISMATCH,
         vl_attention_scores (ctx, weights, "P", "P", 2, &xm, &xm, &square,
                              &error));
  FAILS (VL_STATUS_INVALID_ARGUMENT,
         vl_attention_scores (ctx, weights, "P", "P", 0, &xm, &xm, &square,
                              &error));
  FAILS (VL_STATUS_SHAPE_MISMATCH,
         vl_attention_scores (ctx, weights, "P", "W5", 1, &xm, &xm, &square,
                              &error));
  FAILS (VL_STATUS_SHAPE_MISMATCH,
         vl_attention_scores (ctx, weights, "P", "P", 1, &xm, &xm, &om,
                              &error));
  g_assert_null (vl_attention_index_new (ctx, weights, "P", "missing", 1,
                                         &xm, NULL));
  FAILS (VL_STATUS_INVALID_ARGUMENT,
         vl_attention_index_search (NULL, &xm, 1, ids, scores, &error));
  vl_weights_free (weights);
}

int
main (int argc, char **argv)
{
  vl_test_init (&argc, &argv);
  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      static const struct { const char *op; VlTestFunc func; } ops[] = {
        { "project", test_project }, { "l2", test_proj_l2 },
        { "ip", test_proj_ip }, { "cosine", test_proj_cosine },
        { "attention", test_attention },
      };

      for (size_t o = 0; o < G_N_ELEMENTS (ops); o++)
        {
          g_autofree char *path = g_strdup_printf ("/vectorlab/proj/%s/%s",
                                                   ops[o].op, cases[i].name);
          vl_test_add (path, &cases[i], ops[o].func);
        }
    }
  vl_test_add ("/vectorlab/proj/attention-ties", NULL, test_attention_ties);
  vl_test_add ("/vectorlab/proj/bad-input", NULL, test_bad_input);
  return vl_test_run ();
}
