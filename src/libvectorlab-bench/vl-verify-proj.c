/* vl-verify-proj.c: verification of learned projections (see
 * vl-verify-proj.h). */
#include "vl-verify-proj.h"

#include <math.h>
#include <string.h>

#include "vl-verify-private.h"

#define MULTI_HEADS 4

static gsize
projected_dim (gsize d)
{
  return d / 6 + 1;
}

static gsize
head_rows (gsize d, gsize heads)
{
  return heads == 1 ? projected_dim (d) : heads * (d / 24 + 1);
}

static float *
random_view (GRand *rand, gsize rows, gsize cols, VlVerifyFlags flags,
             VlMatrix *view)
{
  float *data = vl_verify_random_view (rand, rows, cols, flags, view);
  gsize stride = view->stride;

  if (flags & VL_VERIFY_TIES)
    for (gsize r = 1; r < rows; r += 3)
      memcpy (data + r * stride, data + (r - 1) * stride,
              cols * sizeof (float));
  if (flags & VL_VERIFY_ZERO_ROW)
    memset (data + rows / 2 * stride, 0, cols * sizeof (float));
  return data;
}

/* Registers random @names (each @rows x @d) on both contexts, uniform in
 * +-1 / sqrt (d) as trained projections are initialised, so that projected
 * rows keep the inputs' scale and errors are judged at a realistic one. */
static gboolean
make_weights (VlContext *device, VlContext *ref, GRand *rand,
              const char *const *names, gsize rows, gsize d,
              VlWeights **on_device, VlWeights **on_ref, GError **error)
{
  VlWeightsShape shape = vl_weights_shape_2d (rows, d);
  VlError *vl_error = NULL;

  *on_device = vl_weights_new (device, &vl_error);
  if (*on_device == NULL)
    return vl_verify_op_failed (device, vl_error, error);
  *on_ref = vl_weights_new (ref, &vl_error);
  if (*on_ref == NULL)
    return vl_verify_op_failed (ref, vl_error, error);
  for (; *names != NULL; names++)
    {
      VlMatrix w;
      g_autofree float *data = random_view (rand, rows, d, 0, &w);

      for (gsize i = 0; i < rows * d; i++)
        data[i] /= sqrtf ((float) d);

      if (vl_weights_set (*on_device, *names, &shape, data, &vl_error)
          != VL_STATUS_OK)
        return vl_verify_op_failed (device, vl_error, error);
      if (vl_weights_set (*on_ref, *names, &shape, data, &vl_error)
          != VL_STATUS_OK)
        return vl_verify_op_failed (ref, vl_error, error);
    }
  return TRUE;
}

/* Recall by value of @ids against @all (nq x n ref scores); the worst
 * score error goes into *@score_err, unsorted results into *@sorted. */
static double
recall_by_value (const VlVerifyCase *self, gboolean similarity,
                 const gint64 *ids, const float *scores, const float *all,
                 double *score_err, gboolean *sorted)
{
  gsize nq = self->rows, n = self->n, k = self->k, good = 0;
  g_autofree float *row = g_new (float, n);

  *score_err = 0.0;
  *sorted = TRUE;
  for (gsize i = 0; i < nq; i++)
    {
      const float *ref_row = all + i * n;
      double kth, slack;

      /* The k-th best ref score, by a partial selection on a copy. */
      memcpy (row, ref_row, n * sizeof (float));
      for (gsize a = 0; a < k; a++)
        for (gsize b = a + 1; b < n; b++)
          if (similarity ? row[b] > row[a] : row[b] < row[a])
            {
              float t = row[a];
              row[a] = row[b];
              row[b] = t;
            }
      kth = row[k - 1];
      slack = VL_VERIFY_TOLERANCE * MAX (fabs (kth), 1.0);
      for (gsize r = 0; r < k; r++)
        {
          gint64 id = ids[i * k + r];
          double s;

          if (id < 0 || (guint64) id >= n)
            continue;
          s = ref_row[id];
          if (similarity ? s >= kth - slack : s <= kth + slack)
            good++;
          *score_err = MAX (*score_err,
                            vl_verify_rel_error (scores[i * k + r], s));
          if (r > 0 && (similarity ? scores[i * k + r] > scores[i * k + r - 1]
                                   : scores[i * k + r] < scores[i * k + r - 1]))
            *sorted = FALSE;
        }
    }
  return (double) good / (double) (nq * k);
}

static void
report (double score_err, gboolean sorted, char **problem)
{
  if (!sorted)
    *problem = g_strdup ("results are not sorted best first");
  else if (score_err > VL_VERIFY_TOLERANCE)
    *problem = g_strdup_printf ("returned scores differ from ref by %.2e",
                                score_err);
}

gboolean
vl_verify_project (const VlVerifyCase *self, VlContext *device,
                   VlContext *ref, GRand *rand, double *value,
                   char **problem, GError **error)
{
  static const char *const names[] = { "P", NULL };
  gsize p = projected_dim (self->d), count = self->rows * p;
  VlMatrix x, out, expect;
  g_autofree float *x_data = random_view (rand, self->rows, self->d,
                                          self->flags, &x);
  g_autofree float *out_data = g_new (float, count);
  g_autofree float *expect_data = g_new (float, count);
  VlWeights *wd = NULL, *wr = NULL;
  VlError *vl_error = NULL;
  gboolean ok = FALSE;

  out = vl_matrix_f32 (out_data, self->rows, p);
  expect = vl_matrix_f32 (expect_data, self->rows, p);
  if (!make_weights (device, ref, rand, names, p, self->d, &wd, &wr, error))
    goto out;
  if (vl_project (device, wd, "P", &x, &out, &vl_error) != VL_STATUS_OK)
    {
      vl_verify_op_failed (device, vl_error, error);
      goto out;
    }
  if (vl_project (ref, wr, "P", &x, &expect, &vl_error) != VL_STATUS_OK)
    {
      vl_verify_op_failed (ref, vl_error, error);
      goto out;
    }
  *value = 0.0;
  for (gsize i = 0; i < count; i++)
    *value = MAX (*value, vl_verify_rel_error (out_data[i], expect_data[i]));
  ok = TRUE;
out:
  vl_weights_free (wd);
  vl_weights_free (wr);
  return ok;
}

gboolean
vl_verify_proj_knn (const VlVerifyCase *self, VlContext *device,
                    VlContext *ref, GRand *rand, double *value,
                    char **problem, GError **error)
{
  static const char *const names[] = { "P", NULL };
  gsize nq = self->rows, n = self->n, k = self->k;
  gsize p = projected_dim (self->d);
  VlMatrix q, db, pq, pdb, all;
  g_autofree float *q_data = random_view (rand, nq, self->d, self->flags, &q);
  g_autofree float *db_data = random_view (rand, n, self->d, self->flags,
                                           &db);
  g_autofree float *pq_data = g_new (float, nq * p);
  g_autofree float *pdb_data = g_new (float, n * p);
  g_autofree float *all_data = g_new (float, nq * n);
  g_autofree gint64 *ids = g_new (gint64, nq * k);
  g_autofree float *scores = g_new (float, nq * k);
  VlWeights *wd = NULL, *wr = NULL;
  VlProjIndex *index = NULL;
  VlError *vl_error = NULL;
  double score_err;
  gboolean sorted, ok = FALSE;

  pq = vl_matrix_f32 (pq_data, nq, p);
  pdb = vl_matrix_f32 (pdb_data, n, p);
  all = vl_matrix_f32 (all_data, nq, n);
  if (!make_weights (device, ref, rand, names, p, self->d, &wd, &wr, error))
    goto out;
  if ((index = vl_proj_index_new (device, self->metric, wd, "P", &db,
                                  &vl_error)) == NULL
      || vl_proj_index_search (index, &q, k, (int64_t *) ids, scores,
                               &vl_error) != VL_STATUS_OK)
    {
      vl_verify_op_failed (device, vl_error, error);
      goto out;
    }
  if (vl_project (ref, wr, "P", &q, &pq, &vl_error) != VL_STATUS_OK
      || vl_project (ref, wr, "P", &db, &pdb, &vl_error) != VL_STATUS_OK
      || vl_distance_matrix (ref, self->metric, &pq, &pdb, &all, &vl_error)
         != VL_STATUS_OK)
    {
      vl_verify_op_failed (ref, vl_error, error);
      goto out;
    }
  *value = recall_by_value (self, vl_metric_is_similarity (self->metric),
                            ids, scores, all_data, &score_err, &sorted);
  report (score_err, sorted, problem);
  ok = TRUE;
out:
  vl_proj_index_free (index);
  vl_weights_free (wd);
  vl_weights_free (wr);
  return ok;
}

static gboolean
attention (const VlVerifyCase *self, VlContext *device, VlContext *ref,
           GRand *rand, gsize heads, gboolean topk, double *value,
           char **problem, GError **error)
{
  static const char *const names[] = { "Wq", "Wk", NULL };
  gsize nq = self->rows, n = self->n, k = self->k;
  VlMatrix q, keys, out, all;
  g_autofree float *q_data = random_view (rand, nq, self->d, self->flags, &q);
  g_autofree float *keys_data = random_view (rand, n, self->d, self->flags,
                                             &keys);
  g_autofree float *out_data = g_new (float, nq * n);
  g_autofree float *all_data = g_new (float, nq * n);
  g_autofree gint64 *ids = g_new (gint64, nq * MAX (k, 1));
  g_autofree float *scores = g_new (float, nq * MAX (k, 1));
  VlWeights *wd = NULL, *wr = NULL;
  VlAttentionIndex *index = NULL;
  VlError *vl_error = NULL;
  double score_err;
  gboolean sorted, ok = FALSE;

  out = vl_matrix_f32 (out_data, nq, n);
  all = vl_matrix_f32 (all_data, nq, n);
  if (!make_weights (device, ref, rand, names, head_rows (self->d, heads),
                     self->d, &wd, &wr, error))
    goto out;
  if (vl_attention_scores (ref, wr, "Wq", "Wk", heads, &q, &keys, &all,
                           &vl_error) != VL_STATUS_OK)
    {
      vl_verify_op_failed (ref, vl_error, error);
      goto out;
    }
  if (!topk)
    {
      if (vl_attention_scores (device, wd, "Wq", "Wk", heads, &q, &keys,
                               &out, &vl_error) != VL_STATUS_OK)
        {
          vl_verify_op_failed (device, vl_error, error);
          goto out;
        }
      *value = 0.0;
      for (gsize i = 0; i < nq * n; i++)
        *value = MAX (*value, vl_verify_rel_error (out_data[i], all_data[i]));
      ok = TRUE;
      goto out;
    }
  if ((index = vl_attention_index_new (device, wd, "Wq", "Wk", heads, &keys,
                                       &vl_error)) == NULL
      || vl_attention_index_search (index, &q, k, (int64_t *) ids, scores,
                                    &vl_error) != VL_STATUS_OK)
    {
      vl_verify_op_failed (device, vl_error, error);
      goto out;
    }
  *value = recall_by_value (self, TRUE, ids, scores, all_data, &score_err,
                            &sorted);
  report (score_err, sorted, problem);
  ok = TRUE;
out:
  vl_attention_index_free (index);
  vl_weights_free (wd);
  vl_weights_free (wr);
  return ok;
}

gboolean
vl_verify_attention_scores (const VlVerifyCase *self, VlContext *device,
                            VlContext *ref, GRand *rand, double *value,
                            char **problem, GError **error)
{
  return attention (self, device, ref, rand, 1, FALSE, value, problem, error);
}

gboolean
vl_verify_attention_topk (const VlVerifyCase *self, VlContext *device,
                          VlContext *ref, GRand *rand, double *value,
                          char **problem, GError **error)
{
  return attention (self, device, ref, rand, 1, TRUE, value, problem, error);
}

gboolean
vl_verify_attention_scores_heads (const VlVerifyCase *self,
                                  VlContext *device, VlContext *ref,
                                  GRand *rand, double *value, char **problem,
                                  GError **error)
{
  return attention (self, device, ref, rand, MULTI_HEADS, FALSE, value,
                    problem, error);
}

gboolean
vl_verify_attention_topk_heads (const VlVerifyCase *self, VlContext *device,
                                VlContext *ref, GRand *rand, double *value,
                                char **problem, GError **error)
{
  return attention (self, device, ref, rand, MULTI_HEADS, TRUE, value,
                    problem, error);
}

static char *
describe (const VlVerifyCase *self, const char *extra)
{
  GString *str = g_string_new (NULL);

  g_string_append_printf (str, "nq=%zu n=%zu d=%zu %s", self->rows, self->n,
                          self->d, extra);
  if (self->k > 0)
    g_string_append_printf (str, " k=%zu", self->k);
  if (self->flags & VL_VERIFY_TIES)
    g_string_append (str, " +duplicate rows");
  if (self->flags & VL_VERIFY_ZERO_ROW)
    g_string_append (str, " +zero row");
  if (self->flags & VL_VERIFY_STRIDED)
    g_string_append (str, " strided");
  return g_string_free (str, FALSE);
}

char *
vl_verify_proj_describe (const VlVerifyCase *self)
{
  g_autofree char *p = g_strdup_printf ("p=%zu", projected_dim (self->d));

  return describe (self, p);
}

char *
vl_verify_attention_describe (const VlVerifyCase *self)
{
  g_autofree char *h = g_strdup_printf ("heads=1 dh=%zu",
                                        head_rows (self->d, 1));

  return describe (self, h);
}

char *
vl_verify_attention_heads_describe (const VlVerifyCase *self)
{
  g_autofree char *h = g_strdup_printf ("heads=%d dh=%zu", MULTI_HEADS,
                                        head_rows (self->d, MULTI_HEADS)
                                        / MULTI_HEADS);

  return describe (self, h);
}
