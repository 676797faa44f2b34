/* vl-verify-cases.c: the verification table: one checker per op family and
 * the cases that run it.  Shapes are chosen to be awkward (d = 1, 17, 769;
 * one query and many; sizes that are multiples of nothing) and small enough
 * that the whole table takes a few seconds on ref. */
#include "vl-verify.h"
#include "vl-verify-neural.h"
#include "vl-verify-private.h"
#include "vl-verify-proj.h"

#include <math.h>
#include <string.h>

#include "vl-verify-sq.h"

static float *
row_of (const VlMatrix *m, gsize r)
{
  return (float *) m->data + r * m->stride;
}

static void
zero_row (VlMatrix *m, gsize r)
{
  memset (row_of (m, r), 0, m->cols * sizeof (float));
}

static double
max_rel_error (const float *x, const float *ref, gsize count)
{
  double worst = 0.0;

  for (gsize i = 0; i < count; i++)
    worst = MAX (worst, vl_verify_rel_error (x[i], ref[i]));
  return worst;
}

static char *
describe_flags (const VlVerifyCase *self, char *shape)
{
  GString *str = g_string_new (shape);

  g_free (shape);
  if (self->flags & VL_VERIFY_ZERO_ROW)
    g_string_append (str, " +zero row");
  if (self->flags & VL_VERIFY_TIES)
    g_string_append (str, " +duplicate rows");
  if (self->flags & VL_VERIFY_STRIDED)
    g_string_append (str, " strided");
  return g_string_free (str, FALSE);
}

static char *
describe_search (const VlVerifyCase *self)
{
  if (self->k > 0)
    return describe_flags (self, g_strdup_printf ("nq=%zu n=%zu d=%zu k=%zu",
                                                  self->rows, self->n, self->d,
                                                  self->k));
  return describe_flags (self, g_strdup_printf ("nq=%zu n=%zu d=%zu",
                                                self->rows, self->n, self->d));
}

static char *
describe_rows (const VlVerifyCase *self)
{
  return describe_flags (self, g_strdup_printf ("n=%zu d=%zu", self->rows,
                                                self->d));
}

static char *
describe_pool (const VlVerifyCase *self)
{
  return describe_flags (self, g_strdup_printf ("batch=%zu seq=%zu d=%zu",
                                                self->rows, self->n, self->d));
}

static gboolean
run_distance (const VlVerifyCase *self, VlContext *device, VlContext *ref,
              GRand *rand, double *value, char **problem, GError **error)
{
  VlMatrix q, db, out, expect;
  g_autofree float *q_data = vl_verify_random_view (rand, self->rows, self->d,
                                          self->flags, &q);
  g_autofree float *db_data = vl_verify_random_view (rand, self->n, self->d,
                                           self->flags, &db);
  g_autofree float *out_data = g_new (float, self->rows * self->n);
  g_autofree float *expect_data = g_new (float, self->rows * self->n);
  VlError *vl_error = NULL;

  if (self->flags & VL_VERIFY_ZERO_ROW)
    {
      zero_row (&db, self->n / 2);
      zero_row (&q, self->rows - 1);
    }
  out = vl_matrix_f32 (out_data, self->rows, self->n);
  expect = vl_matrix_f32 (expect_data, self->rows, self->n);

  if (vl_distance_matrix (device, self->metric, &q, &db, &out, &vl_error)
      != VL_STATUS_OK)
    return vl_verify_op_failed (device, vl_error, error);
  if (vl_distance_matrix (ref, self->metric, &q, &db, &expect, &vl_error)
      != VL_STATUS_OK)
    return vl_verify_op_failed (ref, vl_error, error);
  *value = max_rel_error (out_data, expect_data, self->rows * self->n);
  return TRUE;
}

/* With VL_VERIFY_TIES a third of the database is unique and the rest
 * repeats it, and query 0 is a database row, so equal scores straddle the
 * k-th place. */
static void
make_ties (VlMatrix *db, VlMatrix *q)
{
  gsize unique = MAX (db->rows / 3, 1);

  for (gsize j = unique; j < db->rows; j++)
    memcpy (row_of (db, j), row_of (db, (j * 7) % unique),
            db->cols * sizeof (float));
  memcpy (row_of (q, 0), row_of (db, 1 % db->rows),
          q->cols * sizeof (float));
}

typedef struct
{
  gsize  good;      /* returned ids that belong in the top-k by value */
  double score_err; /* returned scores against ref's score of that id */
  gboolean sorted;
} KnnTally;

static void
tally_query (const VlVerifyCase *self, const gint64 *ids, const float *scores,
             const float *ref_row, float kth, guint8 *seen, KnnTally *t)
{
  gboolean similarity = vl_metric_is_similarity (self->metric);
  double slack = VL_VERIFY_TOLERANCE * MAX (fabs (kth), 1.0);

  for (gsize i = 0; i < self->k; i++)
    {
      gint64 id = ids[i];
      double r;

      if (i > 0 && (similarity ? scores[i] > scores[i - 1]
                               : scores[i] < scores[i - 1]))
        t->sorted = FALSE;
      if (id < 0 || (guint64) id >= self->n || seen[id])
        continue;
      seen[id] = 1;
      r = ref_row[id];
      if (similarity ? r >= kth - slack : r <= kth + slack)
        t->good++;
      t->score_err = MAX (t->score_err, vl_verify_rel_error (scores[i], r));
    }
  for (gsize i = 0; i < self->k; i++)
    if (ids[i] >= 0 && (guint64) ids[i] < self->n)
      seen[ids[i]] = 0;
}

static gboolean
run_knn (const VlVerifyCase *self, VlContext *device, VlContext *ref,
         GRand *rand, double *value, char **problem, GError **error)
{
  gsize nq = self->rows, n = self->n, k = self->k;
  VlMatrix q, db, all;
  g_autofree float *q_data = vl_verify_random_view (rand, nq, self->d,
                                                     self->flags, &q);
  g_autofree float *db_data = vl_verify_random_view (rand, n, self->d,
                                                      self->flags, &db);
  g_autofree float *all_data = g_new (float, nq * n);
  g_autofree gint64 *ids = g_new (gint64, nq * k);
  g_autofree float *scores = g_new (float, nq * k);
  g_autofree gint64 *ref_ids = g_new (gint64, nq * k);
  g_autofree float *ref_scores = g_new (float, nq * k);
  g_autofree guint8 *seen = g_new0 (guint8, n);
  KnnTally t = { 0, 0.0, TRUE };
  VlError *vl_error = NULL;

  if (self->flags & VL_VERIFY_TIES)
    make_ties (&db, &q);
  if (self->flags & VL_VERIFY_ZERO_ROW)
    {
      zero_row (&db, n / 2);
      zero_row (&q, nq - 1);
    }
  all = vl_matrix_f32 (all_data, nq, n);

  if (vl_knn (device, self->metric, &q, &db, k, (int64_t *) ids, scores,
              &vl_error) != VL_STATUS_OK)
    return vl_verify_op_failed (device, vl_error, error);
  if (vl_knn (ref, self->metric, &q, &db, k, (int64_t *) ref_ids, ref_scores,
              &vl_error) != VL_STATUS_OK
      || vl_distance_matrix (ref, self->metric, &q, &db, &all, &vl_error)
         != VL_STATUS_OK)
    return vl_verify_op_failed (ref, vl_error, error);

  for (gsize i = 0; i < nq; i++)
    tally_query (self, ids + i * k, scores + i * k, all_data + i * n,
                 ref_scores[i * k + k - 1], seen, &t);

  *value = (double) t.good / (double) (nq * k);
  if (!t.sorted)
    *problem = g_strdup ("results are not sorted best first");
  else if (t.score_err > VL_VERIFY_TOLERANCE)
    *problem = g_strdup_printf ("returned scores differ from ref by %.2e",
                                t.score_err);
  return TRUE;
}

static gboolean
run_normalize (const VlVerifyCase *self, VlContext *device, VlContext *ref,
               GRand *rand, double *value, char **problem, GError **error)
{
  VlMatrix in, out, expect;
  g_autofree float *in_data = vl_verify_random_view (rand, self->rows, self->d,
                                           self->flags, &in);
  g_autofree float *out_data = g_new (float, self->rows * self->d);
  g_autofree float *expect_data = g_new (float, self->rows * self->d);
  VlError *vl_error = NULL;

  if (self->flags & VL_VERIFY_ZERO_ROW)
    zero_row (&in, self->rows / 2);
  out = vl_matrix_f32 (out_data, self->rows, self->d);
  expect = vl_matrix_f32 (expect_data, self->rows, self->d);

  if (vl_normalize_rows (device, &in, &out, &vl_error) != VL_STATUS_OK)
    return vl_verify_op_failed (device, vl_error, error);
  if (vl_normalize_rows (ref, &in, &expect, &vl_error) != VL_STATUS_OK)
    return vl_verify_op_failed (ref, vl_error, error);
  *value = max_rel_error (out_data, expect_data, self->rows * self->d);
  return TRUE;
}

static gboolean
run_similarity (const VlVerifyCase *self, VlContext *device, VlContext *ref,
                GRand *rand, double *value, char **problem, GError **error)
{
  VlMatrix x, out, expect;
  g_autofree float *x_data = vl_verify_random_view (rand, self->rows, self->d,
                                          self->flags, &x);
  g_autofree float *out_data = g_new (float, self->rows * self->rows);
  g_autofree float *expect_data = g_new (float, self->rows * self->rows);
  VlError *vl_error = NULL;

  if (self->flags & VL_VERIFY_ZERO_ROW)
    zero_row (&x, self->rows / 2);
  out = vl_matrix_f32 (out_data, self->rows, self->rows);
  expect = vl_matrix_f32 (expect_data, self->rows, self->rows);

  if (vl_similarity_matrix (device, &x, &out, &vl_error) != VL_STATUS_OK)
    return vl_verify_op_failed (device, vl_error, error);
  if (vl_similarity_matrix (ref, &x, &expect, &vl_error) != VL_STATUS_OK)
    return vl_verify_op_failed (ref, vl_error, error);
  *value = max_rel_error (out_data, expect_data, self->rows * self->rows);
  return TRUE;
}

/* Pooling: rows = batch, n = sequence length.  Masks are random with the
 * first sequence complete and, with VL_VERIFY_ZERO_ROW, the last one all
 * padding. */
static gboolean
run_pool (const VlVerifyCase *self, VlContext *device, VlContext *ref,
          GRand *rand, gboolean attention, double *value, GError **error)
{
  gsize batch = self->rows, seq = self->n, d = self->d;
  VlMatrix tokens, out, expect, wv;
  g_autofree float *tokens_data = vl_verify_random_view (rand, batch * seq, d,
                                               self->flags, &tokens);
  g_autofree float *w = vl_verify_random_view (rand, 1, d, 0, &wv);
  g_autofree guint8 *mask = g_new (guint8, batch * seq);
  g_autofree float *out_data = g_new (float, batch * d);
  g_autofree float *expect_data = g_new (float, batch * d);
  VlError *vl_error = NULL;
  VlStatus status;

  for (gsize i = 0; i < batch * seq; i++)
    mask[i] = i < seq || g_rand_double (rand) < 0.7;
  if ((self->flags & VL_VERIFY_ZERO_ROW) && batch > 1)
    memset (mask + (batch - 1) * seq, 0, seq);
  /* Attention logits of O(1), as after the usual 1/sqrt(d) scaling. */
  for (gsize c = 0; c < d; c++)
    w[c] /= sqrtf ((float) d);
  out = vl_matrix_f32 (out_data, batch, d);
  expect = vl_matrix_f32 (expect_data, batch, d);

  status = attention
           ? vl_pool_attention (device, &tokens, seq, mask, w, &out, &vl_error)
           : vl_pool_mean (device, &tokens, seq, mask, &out, &vl_error);
  if (status != VL_STATUS_OK)
    return vl_verify_op_failed (device, vl_error, error);
  status = attention
           ? vl_pool_attention (ref, &tokens, seq, mask, w, &expect, &vl_error)
           : vl_pool_mean (ref, &tokens, seq, mask, &expect, &vl_error);
  if (status != VL_STATUS_OK)
    return vl_verify_op_failed (ref, vl_error, error);
  *value = max_rel_error (out_data, expect_data, batch * d);
  return TRUE;
}

static gboolean
run_pool_mean (const VlVerifyCase *self, VlContext *device, VlContext *ref,
               GRand *rand, double *value, char **problem, GError **error)
{
  return run_pool (self, device, ref, rand, FALSE, value, error);
}

static gboolean
run_pool_attention (const VlVerifyCase *self, VlContext *device,
                    VlContext *ref, GRand *rand, double *value,
                    char **problem, GError **error)
{
  return run_pool (self, device, ref, rand, TRUE, value, error);
}

#define ERR VL_VERIFY_MEASURE_REL_ERROR, VL_VERIFY_TOLERANCE
#define RECALL VL_VERIFY_MEASURE_RECALL, VL_VERIFY_MIN_RECALL
#define DISTANCE run_distance, describe_search, ERR
#define KNN run_knn, describe_search, RECALL
/* These take no metric. */
#define NORMALIZE run_normalize, describe_rows, ERR, 0
#define SIMILARITY run_similarity, describe_rows, ERR, 0
#define POOL_MEAN run_pool_mean, describe_pool, ERR, 0
#define POOL_ATTENTION run_pool_attention, describe_pool, ERR, 0
#define ZERO_ROW VL_VERIFY_ZERO_ROW
#define TIES VL_VERIFY_TIES
#define STRIDED VL_VERIFY_STRIDED
#define NEURAL_ENCODE vl_verify_neural_encode, vl_verify_neural_describe, ERR, 0
#define NEURAL_DECODE vl_verify_neural_decode, vl_verify_neural_describe, ERR, 0
#define SQ_CODES VL_VERIFY_MEASURE_RECALL, 1.0
#define SQ8_ENCODE vl_verify_sq8_encode, vl_verify_sq_describe, SQ_CODES, 0
#define SQ4_ENCODE vl_verify_sq4_encode, vl_verify_sq_describe, SQ_CODES, 0
#define SQ8_DECODE vl_verify_sq8_decode, vl_verify_sq_describe, ERR, 0
#define SQ4_DECODE vl_verify_sq4_decode, vl_verify_sq_describe, ERR, 0
#define SQ8_KNN vl_verify_sq8_knn, vl_verify_sq_describe, RECALL
#define SQ4_KNN vl_verify_sq4_knn, vl_verify_sq_describe, RECALL
#define PROJECT vl_verify_project, vl_verify_proj_describe, ERR, 0
#define PROJ_KNN vl_verify_proj_knn, vl_verify_proj_describe, RECALL
#define ATT_SCORES vl_verify_attention_scores, vl_verify_attention_describe, ERR, 0
#define ATT_TOPK vl_verify_attention_topk, vl_verify_attention_describe, RECALL, 0
#define ATT_SCORES_H vl_verify_attention_scores_heads, vl_verify_attention_heads_describe, ERR, 0
#define ATT_TOPK_H vl_verify_attention_topk_heads, vl_verify_attention_heads_describe, RECALL, 0

/* name, checker..., metric, rows, n, d, k, flags */
static const VlVerifyCase cases[] = {
  { "distance-matrix/l2", DISTANCE, VL_METRIC_L2, 1, 1000, 17, 0, 0 },
  { "distance-matrix/l2", DISTANCE, VL_METRIC_L2, 33, 517, 769, 0, STRIDED },
  { "distance-matrix/ip", DISTANCE, VL_METRIC_IP, 7, 1001, 1, 0, 0 },
  { "distance-matrix/ip", DISTANCE, VL_METRIC_IP, 33, 517, 769, 0, 0 },
  { "distance-matrix/cosine", DISTANCE, VL_METRIC_COSINE, 7, 1001, 17, 0, ZERO_ROW },
  { "distance-matrix/cosine", DISTANCE, VL_METRIC_COSINE, 33, 517, 769, 0, 0 },
  { "knn/l2", KNN, VL_METRIC_L2, 1, 1000, 17, 10, 0 },
  { "knn/l2", KNN, VL_METRIC_L2, 33, 2049, 769, 10, STRIDED },
  { "knn/l2", KNN, VL_METRIC_L2, 5, 999, 1, 5, 0 },
  { "knn/l2-ties", KNN, VL_METRIC_L2, 9, 301, 17, 7, TIES },
  { "knn/ip", KNN, VL_METRIC_IP, 33, 2049, 769, 10, 0 },
  { "knn/ip-large-k", KNN, VL_METRIC_IP, 3, 4500, 17, VL_MAX_K, 0 },
  { "knn/ip-ties", KNN, VL_METRIC_IP, 9, 301, 17, 7, TIES },
  { "knn/cosine", KNN, VL_METRIC_COSINE, 33, 2049, 769, 10, ZERO_ROW },
  { "knn/cosine-ties", KNN, VL_METRIC_COSINE, 9, 301, 17, 100, TIES },
  { "normalize", NORMALIZE, 1003, 0, 769, 0, ZERO_ROW },
  { "normalize", NORMALIZE, 1, 0, 1, 0, 0 },
  { "normalize", NORMALIZE, 257, 0, 17, 0, STRIDED },
  { "similarity-matrix", SIMILARITY, 257, 0, 17, 0, ZERO_ROW },
  { "similarity-matrix", SIMILARITY, 64, 0, 769, 0, 0 },
  { "similarity-matrix", SIMILARITY, 1, 0, 1, 0, 0 },
  { "pool-mean", POOL_MEAN, 5, 13, 769, 0, ZERO_ROW },
  { "pool-mean", POOL_MEAN, 1, 1, 17, 0, STRIDED },
  { "pool-attention", POOL_ATTENTION, 5, 13, 769, 0, ZERO_ROW },
  { "pool-attention", POOL_ATTENTION, 3, 7, 1, 0, 0 },
  { "sq8/encode", SQ8_ENCODE, 1000, 0, 17, 0, STRIDED },
  { "sq4/encode", SQ4_ENCODE, 1000, 0, 17, 0, STRIDED },
  { "sq4/encode", SQ4_ENCODE, 77, 0, 769, 0, 0 },
  { "sq8/decode", SQ8_DECODE, 500, 0, 769, 0, STRIDED },
  { "sq4/decode", SQ4_DECODE, 1001, 0, 1, 0, 0 },
  { "sq8/knn-l2", SQ8_KNN, VL_METRIC_L2, 33, 2049, 769, 10, STRIDED },
  { "sq4/knn-l2-ties", SQ4_KNN, VL_METRIC_L2, 9, 301, 17, 7, TIES },
  { "sq8/knn-ip", SQ8_KNN, VL_METRIC_IP, 5, 999, 1, 5, 0 },
  { "sq4/knn-ip-large-k", SQ4_KNN, VL_METRIC_IP, 3, 4500, 17, VL_MAX_K, 0 },
  { "sq8/knn-cosine", SQ8_KNN, VL_METRIC_COSINE, 9, 301, 17, 100, TIES },
  { "sq4/knn-cosine", SQ4_KNN, VL_METRIC_COSINE, 33, 2049, 769, 10, ZERO_ROW },
  { "neural-encode", NEURAL_ENCODE, 300, 0, 769, 128, 0 },
  { "neural-encode", NEURAL_ENCODE, 5, 0, 1, 1, 0 },
  { "neural-decode", NEURAL_DECODE, 300, 0, 768, 64, 0 },
  { "neural-decode", NEURAL_DECODE, 33, 0, 17, 5, 0 },
  { "project", PROJECT, 300, 0, 769, 0, STRIDED },
  { "project", PROJECT, 7, 0, 1, 0, 0 },
  { "proj-knn/l2", PROJ_KNN, VL_METRIC_L2, 33, 2049, 769, 10, STRIDED },
  { "proj-knn/l2-ties", PROJ_KNN, VL_METRIC_L2, 9, 301, 17, 7, TIES },
  { "proj-knn/cosine", PROJ_KNN, VL_METRIC_COSINE, 9, 999, 17, 5, ZERO_ROW },
  { "attention/scores", ATT_SCORES, 7, 301, 769, 0, 0 },
  { "attention/scores-heads", ATT_SCORES_H, 9, 301, 769, 0, STRIDED },
  { "attention/topk", ATT_TOPK, 33, 2049, 769, 10, 0 },
  { "attention/topk-heads", ATT_TOPK_H, 5, 999, 17, 20, TIES },
  { "attention/topk-heads", ATT_TOPK_H, 3, 500, 1, 5, 0 },
};

const VlVerifyCase *
vl_verify_get_cases (gsize *n_cases)
{
  if (n_cases != NULL)
    *n_cases = G_N_ELEMENTS (cases);
  return cases;
}
