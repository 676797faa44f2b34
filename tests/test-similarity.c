/* test-similarity.c: vl_similarity_matrix: ref against hand-worked cosines,
 * every backend against ref; symmetric, 1 on the diagonal, 0 for zero rows. */
#include "vl-test-util.h"

#include <math.h>

/* Rows [1,0], [0,2], [3,3], [0,0]. */
static void
test_hand (const VlTestRun *run)
{
  float x[] = { 1, 0, 0, 2, 3, 3, 0, 0 };
  const double h = 1 / sqrt (2);
  const double expected[] = { 1, 0, h, 0,
                              0, 1, h, 0,
                              h, h, 1, 0,
                              0, 0, 0, 0 };
  float out[16];
  VlMatrix xm = vl_matrix_f32 (x, 4, 2), om = vl_matrix_f32 (out, 4, 4);
  VlError *error = NULL;

  if (!vl_test_check_ok (vl_similarity_matrix (vl_test_context (run->device),
                                               &xm, &om, &error), error))
    return;
  for (guint i = 0; i < G_N_ELEMENTS (out); i++)
    if (!vl_test_check_close (out[i], expected[i], 0.0, "element %u", i))
      return;
  for (guint i = 12; i < 16; i++)
    g_assert_cmpfloat (out[i], ==, 0.0f);
}

typedef struct
{
  const char *name;
  size_t      n, d, pad;
} SimilarityCase;

static const SimilarityCase cases[] = {
  { "n1-d1",           1,   1,  0 },
  { "n9-d1",           9,   1,  0 },
  { "n50-d17",        50,  17,  0 },
  { "n257-d33",      257,  33,  0 },
  { "n65-d17-strided", 65, 17,  5 },
  { "n200-d769",     200, 769,  0 },
  { "n129-d769-strided", 129, 769, 13 },
  /* More output than OpenCL's scratch holds (8 Mi floats): its rows are
   * streamed in two chunks. */
  { "n3000-d3-chunks", 3000,   3,  1 },
};

static void
test_case (const VlTestRun *run)
{
  const SimilarityCase *c = run->data;
  g_autoptr (GRand) rand = g_rand_new_with_seed ((guint32) (c->n * 3 + c->d));
  VlMatrix x = vl_test_matrix_new (c->n, c->d, c->d + c->pad);
  VlMatrix want = vl_test_matrix_new (c->n, c->n, c->n);
  VlMatrix got = vl_test_matrix_new (c->n, c->n, c->n + 2);
  VlError *error = NULL;
  size_t zero = c->n / 2;

  vl_test_matrix_fill (&x, rand, -1.0f, 1.0f);
  if (c->n > 2)
    {
      /* A zero row, and a duplicate of row 0 (cosine exactly 1 in ref). */
      vl_test_matrix_zero_row (&x, zero);
      for (size_t k = 0; k < c->d; k++)
        vl_test_row (&x, c->n - 1)[k] = vl_test_row (&x, 0)[k];
    }

  if (!vl_test_check_ok (vl_similarity_matrix (vl_test_context ("ref"), &x,
                                               &want, &error), error)
      || !vl_test_check_ok (vl_similarity_matrix (vl_test_context (run->device),
                                                  &x, &got, &error), error))
    goto out;

  for (size_t i = 0; i < c->n; i++)
    {
      gboolean zero_i = c->n > 2 && i == zero;

      for (size_t j = 0; j < c->n; j++)
        {
          float g = vl_test_row (&got, i)[j];

          if (!vl_test_check_close (g, vl_test_row (&want, i)[j], 1.0,
                                    "[%zu][%zu]", i, j)
              || !vl_test_check_close (g, vl_test_row (&got, j)[i], 1.0,
                                       "symmetry of [%zu][%zu]", i, j))
            goto out;
          if ((zero_i || (c->n > 2 && j == zero)) && g != 0.0f)
            {
              g_test_fail_printf ("zero row: [%zu][%zu] is %g", i, j, g);
              goto out;
            }
        }
      if (!zero_i && !vl_test_check_close (vl_test_row (&got, i)[i], 1.0, 1.0,
                                           "diagonal [%zu]", i))
        goto out;
      if (!isnan (vl_test_row (&got, i)[c->n]))
        {
          g_test_fail_printf ("output padding of row %zu was written", i);
          goto out;
        }
    }

out:
  vl_test_matrix_free (&x);
  vl_test_matrix_free (&want);
  vl_test_matrix_free (&got);
}

int
main (int argc, char **argv)
{
  vl_test_init (&argc, &argv);
  vl_test_add ("/vectorlab/similarity/hand", NULL, test_hand);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *prefix = g_strdup_printf ("/vectorlab/similarity/%s",
                                                 cases[i].name);

      vl_test_add (prefix, &cases[i], test_case);
    }
  return vl_test_run ();
}
