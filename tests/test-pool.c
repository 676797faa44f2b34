/* test-pool.c: masked mean and attention pooling: ref against hand-worked
 * cases, every backend against ref, all-masked rows pooling to exactly 0. */
#include "vl-test-util.h"

#include <math.h>

static gboolean
check_out (const float *got, const double *want, size_t n, const char *what)
{
  for (size_t i = 0; i < n; i++)
    if (!vl_test_check_close (got[i], want[i], 0.0, "%s [%zu]", what, i))
      return FALSE;
  return TRUE;
}

/* Batch 0: [1,2],[3,4] with mask 1,0; batch 1: the same with mask 1,1;
 * batch 2: [5,6],[7,8] all masked. */
static void
test_hand (const VlTestRun *run)
{
  float tokens[] = { 1, 2, 3, 4, 1, 2, 3, 4, 5, 6, 7, 8 };
  const uint8_t mask[] = { 1, 0, 1, 1, 0, 0 };
  const float zero_w[] = { 0, 0 };
  const double mean[] = { 1, 2, 2, 3, 0, 0 };
  VlContext *ctx = vl_test_context (run->device);
  VlMatrix tm = vl_matrix_f32 (tokens, 6, 2);
  float out[6];
  VlMatrix om = vl_matrix_f32 (out, 3, 2);
  VlError *error = NULL;

  if (!vl_test_check_ok (vl_pool_mean (ctx, &tm, 2, mask, &om, &error), error)
      || !check_out (out, mean, 6, "mean"))
    return;
  g_assert_cmpfloat (out[4], ==, 0.0f);
  g_assert_cmpfloat (out[5], ==, 0.0f);

  /* Equal logits make attention pooling a mean. */
  if (!vl_test_check_ok (vl_pool_attention (ctx, &tm, 2, mask, zero_w, &om,
                                            &error), error)
      || !check_out (out, mean, 6, "attention with w = 0"))
    return;
  g_assert_cmpfloat (out[4], ==, 0.0f);
  g_assert_cmpfloat (out[5], ==, 0.0f);
}

/* Tokens [1,0], [0,1] and w = [ln 3, 0]: logits ln 3 and 0, softmax 3/4 and
 * 1/4, so the pooled vector is [0.75, 0.25]. */
static void
test_hand_attention (const VlTestRun *run)
{
  float tokens[] = { 1, 0, 0, 1 };
  const uint8_t mask[] = { 1, 1 };
  const float w[] = { (float) log (3.0), 0 };
  const double expected[] = { 0.75, 0.25 };
  VlMatrix tm = vl_matrix_f32 (tokens, 2, 2);
  float out[2];
  VlMatrix om = vl_matrix_f32 (out, 1, 2);
  VlError *error = NULL;

  if (vl_test_check_ok (vl_pool_attention (vl_test_context (run->device), &tm,
                                           2, mask, w, &om, &error), error))
    check_out (out, expected, 2, "attention");
}

typedef struct
{
  const char *name;
  size_t      batch, seq, d, pad;
  double      logit_scale;  /* typical |token . w| */
} PoolCase;

static const PoolCase cases[] = {
  { "b1-s1-d1",            1,   1,   1,  0,  1 },
  { "b5-s3-d1",            5,   3,   1,  0,  1 },
  { "b3-s5-d17",           3,   5,  17,  0,  1 },
  { "b40-s7-d17-strided", 40,   7,  17,  6,  2 },
  { "b2-s300-d17",         2, 300,  17,  0,  1 },
  { "b1000-s4-d17",     1000,   4,  17,  0,  1 },
  { "b64-s33-d769",       64,  33, 769,  0,  1 },
  { "b9-s20-d769-strided", 9,  20, 769, 25,  1 },
  /* Logits far beyond exp's fp32 range unless the softmax subtracts the
   * maximum first. */
  { "b8-s16-d17-sharp",    8,  16,  17,  0, 200 },
};

static void
test_case (const VlTestRun *run)
{
  const PoolCase *c = run->data;
  g_autoptr (GRand) rand = g_rand_new_with_seed ((guint32) (c->batch * 7
                                                            + c->seq * 3
                                                            + c->d));
  size_t n = c->batch * c->seq;
  VlMatrix tokens = vl_test_matrix_new (n, c->d, c->d + c->pad);
  VlMatrix want = vl_test_matrix_new (c->batch, c->d, c->d);
  VlMatrix got = vl_test_matrix_new (c->batch, c->d, c->d + 1);
  VlMatrix mean = vl_test_matrix_new (c->batch, c->d, c->d);
  g_autofree uint8_t *mask = g_new (uint8_t, n);
  g_autofree float *w = g_new (float, c->d);
  g_autofree float *zero_w = g_new0 (float, c->d);
  g_autofree double *mag = g_new0 (double, c->batch);
  VlContext *ref = vl_test_context ("ref");
  VlContext *ctx = vl_test_context (run->device);
  VlError *error = NULL;

  vl_test_matrix_fill (&tokens, rand, -1.0f, 1.0f);
  for (size_t i = 0; i < n; i++)
    mask[i] = g_rand_double (rand) < 0.7;
  /* Row 0 keeps at least one token; row 1 (when there is one) none. */
  mask[0] = 1;
  for (size_t t = 0; c->batch > 1 && t < c->seq; t++)
    mask[c->seq + t] = 0;
  for (size_t k = 0; k < c->d; k++)
    w[k] = (float) (g_rand_double_range (rand, -1, 1) * c->logit_scale
                    * sqrt (3.0 / c->d));
  /* A pooled value is a weighted mean of token values: its rounding error
   * scales with the largest of them. */
  for (size_t i = 0; i < n; i++)
    for (size_t k = 0; mask[i] && k < c->d; k++)
      mag[i / c->seq] = MAX (mag[i / c->seq],
                             fabs (vl_test_row (&tokens, i)[k]));

  for (int attention = 0; attention < 2; attention++)
    {
      const char *op = attention ? "attention" : "mean";

      if (attention)
        {
          if (!vl_test_check_ok (vl_pool_attention (ref, &tokens, c->seq, mask,
                                                    w, &want, &error), error)
              || !vl_test_check_ok (vl_pool_attention (ctx, &tokens, c->seq,
                                                       mask, w, &got, &error),
                                    error))
            goto out;
        }
      else if (!vl_test_check_ok (vl_pool_mean (ref, &tokens, c->seq, mask,
                                                &want, &error), error)
               || !vl_test_check_ok (vl_pool_mean (ctx, &tokens, c->seq, mask,
                                                   &got, &error), error))
        goto out;

      for (size_t b = 0; b < c->batch; b++)
        for (size_t k = 0; k < c->d; k++)
          {
            float g = vl_test_row (&got, b)[k];

            if (!vl_test_check_close (g, vl_test_row (&want, b)[k], mag[b],
                                      "%s [%zu][%zu]", op, b, k))
              goto out;
            if (c->batch > 1 && b == 1 && g != 0.0f)
              {
                g_test_fail_printf ("%s: all-masked row 1 pooled to %g", op,
                                    g);
                goto out;
              }
          }
      for (size_t b = 0; b < c->batch; b++)
        if (!isnan (vl_test_row (&got, b)[c->d]))
          {
            g_test_fail_printf ("%s: output padding of row %zu was written",
                                op, b);
            goto out;
          }
    }

  /* On this backend, attention with w = 0 is its mean pooling. */
  if (!vl_test_check_ok (vl_pool_mean (ctx, &tokens, c->seq, mask, &mean,
                                       &error), error)
      || !vl_test_check_ok (vl_pool_attention (ctx, &tokens, c->seq, mask,
                                               zero_w, &got, &error), error))
    goto out;
  for (size_t b = 0; b < c->batch; b++)
    for (size_t k = 0; k < c->d; k++)
      if (!vl_test_check_close (vl_test_row (&got, b)[k],
                                vl_test_row (&mean, b)[k], mag[b],
                                "attention with w = 0 [%zu][%zu]", b, k))
        goto out;

out:
  vl_test_matrix_free (&tokens);
  vl_test_matrix_free (&want);
  vl_test_matrix_free (&got);
  vl_test_matrix_free (&mean);
}

int
main (int argc, char **argv)
{
  vl_test_init (&argc, &argv);
  vl_test_add ("/vectorlab/pool/hand", NULL, test_hand);
  vl_test_add ("/vectorlab/pool/hand-attention", NULL, test_hand_attention);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *prefix = g_strdup_printf ("/vectorlab/pool/%s",
                                                 cases[i].name);

      vl_test_add (prefix, &cases[i], test_case);
    }
  return vl_test_run ();
}
