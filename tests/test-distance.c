/* test-distance.c: vl_distance_matrix under L2, IP and cosine: ref against
 * hand-computed values, every other backend against ref. */
#include "vl-test-util.h"

#include <math.h>

static const VlMetric metrics[] = { VL_METRIC_L2, VL_METRIC_IP,
                                    VL_METRIC_COSINE };

/* Q = [[1,2,3],[4,5,6]], X = [[1,0,0],[0,1,1]], worked out by hand. */
static void
test_hand (const VlTestRun *run)
{
  float q[] = { 1, 2, 3, 4, 5, 6 };
  float x[] = { 1, 0, 0, 0, 1, 1 };
  const double expected[3][4] = {
    /* L2: |(0,2,3)|^2, |(1,1,2)|^2, |(3,5,6)|^2, |(4,4,5)|^2 */
    { 13, 6, 70, 57 },
    /* IP */
    { 1, 5, 4, 11 },
    /* cosine: IP / (|q| |x|) with |q| = sqrt 14, sqrt 77 and |x| = 1, sqrt 2 */
    { 1 / sqrt (14), 5 / sqrt (28), 4 / sqrt (77), 11 / sqrt (154) },
  };
  VlContext *ctx = vl_test_context (run->device);
  VlMatrix qm = vl_matrix_f32 (q, 2, 3), xm = vl_matrix_f32 (x, 2, 3);

  for (guint m = 0; m < G_N_ELEMENTS (metrics); m++)
    {
      float out[4];
      VlMatrix om = vl_matrix_f32 (out, 2, 2);
      VlError *error = NULL;

      if (!vl_test_check_ok (vl_distance_matrix (ctx, metrics[m], &qm, &xm,
                                                 &om, &error), error))
        return;
      for (guint i = 0; i < 4; i++)
        if (!vl_test_check_close (out[i], expected[m][i], 0.0, "%s [%u]",
                                  vl_metric_to_string (metrics[m]), i))
          return;
    }
}

/* Orthogonal, parallel, anti-parallel and zero vectors under cosine. */
static void
test_hand_cosine (const VlTestRun *run)
{
  float q[] = { 1, 0, 1, 2 };
  float x[] = { 0, 1, 2, 4, -3, -6, 0, 0 };
  const double expected[] = { 0, 2 / sqrt (20), -3 / sqrt (45), 0,
                              2 / sqrt (5), 1, -1, 0 };
  VlContext *ctx = vl_test_context (run->device);
  VlMatrix qm = vl_matrix_f32 (q, 2, 2), xm = vl_matrix_f32 (x, 4, 2);
  float out[8];
  VlMatrix om = vl_matrix_f32 (out, 2, 4);
  VlError *error = NULL;

  if (!vl_test_check_ok (vl_distance_matrix (ctx, VL_METRIC_COSINE, &qm, &xm,
                                             &om, &error), error))
    return;
  for (guint i = 0; i < G_N_ELEMENTS (out); i++)
    if (!vl_test_check_close (out[i], expected[i], 0.0, "cosine [%u]", i))
      return;
  /* A zero vector's products are exactly 0 in any summation order. */
  g_assert_cmpfloat (out[3], ==, 0.0f);
  g_assert_cmpfloat (out[7], ==, 0.0f);
}

typedef struct
{
  const char *name;
  size_t      nq, n, d;
  size_t      q_pad, x_pad;   /* stride - cols */
  gboolean    zero_rows;      /* zero some query and database rows */
} DistanceCase;

static const DistanceCase cases[] = {
  { "d1",                 1,    1,   1,  0,  0, FALSE },
  { "d1-n40",             9,   40,   1,  0,  0, FALSE },
  { "d17",                7,   13,  17,  0,  0, FALSE },
  { "d17-nq300",        300,   50,  17,  0,  0, FALSE },
  { "d17-strided",       11,   29,  17,  6,  3, FALSE },
  { "d17-zero-rows",     12,   31,  17,  0,  0, TRUE },
  { "d769-nq1",           1, 2000, 769,  0,  0, FALSE },
  { "d769-strided",      33,  300, 769, 31, 11, TRUE },
  { "d769-nq300",       300,   40, 769,  0,  0, FALSE },
  { "d769-n1-nq300",    300,    1, 769,  0,  0, FALSE },
  { "d33-n1031-nq129",  129, 1031,  33,  0,  0, FALSE },
};

typedef struct
{
  const DistanceCase *c;
  VlMetric            metric;
} DistanceRun;

static DistanceRun runs[G_N_ELEMENTS (cases) * G_N_ELEMENTS (metrics)];

static void
test_case (const VlTestRun *run)
{
  const DistanceRun *dr = run->data;
  const DistanceCase *c = dr->c;
  g_autoptr (GRand) rand = g_rand_new_with_seed ((guint32) (c->n * 31 + c->d));
  VlMatrix q = vl_test_matrix_new (c->nq, c->d, c->d + c->q_pad);
  VlMatrix x = vl_test_matrix_new (c->n, c->d, c->d + c->x_pad);
  /* The output is strided too: backends must honour out->stride. */
  VlMatrix got = vl_test_matrix_new (c->nq, c->n, c->n + 5);
  VlMatrix want = vl_test_matrix_new (c->nq, c->n, c->n);
  VlError *error = NULL;
  g_autofree double *qn = g_new (double, c->nq);
  g_autofree double *xn = g_new (double, c->n);

  vl_test_matrix_fill (&q, rand, -1.0f, 1.0f);
  vl_test_matrix_fill (&x, rand, -1.0f, 1.0f);
  if (c->zero_rows)
    {
      vl_test_matrix_zero_row (&q, 0);
      vl_test_matrix_zero_row (&x, c->n / 2);
    }
  for (size_t i = 0; i < c->nq; i++)
    qn[i] = vl_test_row_norm (&q, i);
  for (size_t j = 0; j < c->n; j++)
    xn[j] = vl_test_row_norm (&x, j);

  if (!vl_test_check_ok (vl_distance_matrix (vl_test_context ("ref"),
                                             dr->metric, &q, &x, &want,
                                             &error), error)
      || !vl_test_check_ok (vl_distance_matrix (vl_test_context (run->device),
                                                dr->metric, &q, &x, &got,
                                                &error), error))
    goto out;

  for (size_t i = 0; i < c->nq; i++)
    for (size_t j = 0; j < c->n; j++)
      {
        double g = vl_test_row (&got, i)[j], w = vl_test_row (&want, i)[j];

        if (!vl_test_check_close (g, w, vl_test_score_magnitude (dr->metric,
                                                                 qn[i], xn[j]),
                                  "score [%zu][%zu]", i, j))
          goto out;
        if (dr->metric == VL_METRIC_L2 && !(g >= 0.0))
          {
            g_test_fail_printf ("squared distance [%zu][%zu] is %g", i, j, g);
            goto out;
          }
        if (dr->metric == VL_METRIC_COSINE && (qn[i] == 0 || xn[j] == 0)
            && g != 0.0)
          {
            g_test_fail_printf ("cosine with a zero row [%zu][%zu] is %g, "
                                "not 0", i, j, g);
            goto out;
          }
      }
  /* Padding of the output must be left alone. */
  for (size_t i = 0; i < c->nq; i++)
    if (!isnan (vl_test_row (&got, i)[c->n]))
      {
        g_test_fail_printf ("output padding of row %zu was written", i);
        break;
      }

out:
  vl_test_matrix_free (&q);
  vl_test_matrix_free (&x);
  vl_test_matrix_free (&got);
  vl_test_matrix_free (&want);
}

int
main (int argc, char **argv)
{
  guint r = 0;

  vl_test_init (&argc, &argv);
  vl_test_add ("/vectorlab/distance/hand", NULL, test_hand);
  vl_test_add ("/vectorlab/distance/hand-cosine", NULL, test_hand_cosine);
  for (guint m = 0; m < G_N_ELEMENTS (metrics); m++)
    for (guint i = 0; i < G_N_ELEMENTS (cases); i++, r++)
      {
        g_autofree char *prefix = NULL;

        runs[r].c = &cases[i];
        runs[r].metric = metrics[m];
        prefix = g_strdup_printf ("/vectorlab/distance/%s/%s",
                                  vl_metric_to_string (metrics[m]),
                                  cases[i].name);
        vl_test_add (prefix, &runs[r], test_case);
      }
  return vl_test_run ();
}
