/* test-normalize.c: vl_normalize_rows, out of place and in place: ref
 * against hand-worked rows, every backend against ref. */
#include "vl-test-util.h"

#include <math.h>
#include <string.h>

static void
test_hand (const VlTestRun *run)
{
  float in[] = { 3, 4, 0, 0, -2, 0, 1, 1 };
  const double expected[] = { 0.6, 0.8, 0, 0, -1, 0, 1 / sqrt (2),
                              1 / sqrt (2) };
  float out[8];
  VlMatrix im = vl_matrix_f32 (in, 4, 2), om = vl_matrix_f32 (out, 4, 2);
  VlError *error = NULL;

  if (!vl_test_check_ok (vl_normalize_rows (vl_test_context (run->device),
                                            &im, &om, &error), error))
    return;
  for (guint i = 0; i < G_N_ELEMENTS (out); i++)
    if (!vl_test_check_close (out[i], expected[i], 0.0, "element %u", i))
      return;
  /* The zero row stays exactly zero. */
  g_assert_cmpfloat (out[2], ==, 0.0f);
  g_assert_cmpfloat (out[3], ==, 0.0f);
}

typedef struct
{
  const char *name;
  size_t      rows, cols, pad;
  gboolean    in_place;
} NormalizeCase;

static const NormalizeCase cases[] = {
  { "d1",                1,   1,  0, FALSE },
  { "d1-n50",           50,   1,  0, FALSE },
  { "d17",             100,  17,  0, FALSE },
  { "d3-n4099",       4099,   3,  0, FALSE },
  { "d17-strided",      77,  17,  9, FALSE },
  { "d17-in-place",     40,  17,  0, TRUE },
  { "d769",            300, 769,  0, FALSE },
  { "d769-strided",     65, 769, 31, FALSE },
  { "d769-in-place",    33, 769,  7, TRUE },
};

static void
test_case (const VlTestRun *run)
{
  const NormalizeCase *c = run->data;
  g_autoptr (GRand) rand = g_rand_new_with_seed ((guint32) (c->rows * 17
                                                            + c->cols));
  size_t stride = c->cols + c->pad;
  VlMatrix in = vl_test_matrix_new (c->rows, c->cols, stride);
  VlMatrix want = vl_test_matrix_new (c->rows, c->cols, c->cols);
  VlMatrix got = c->in_place ? in : vl_test_matrix_new (c->rows, c->cols,
                                                         stride + 3);
  VlError *error = NULL;

  /* Scaled rows, so that results do not rely on inputs near unit norm. */
  vl_test_matrix_fill (&in, rand, -1.0f, 1.0f);
  for (size_t r = 0; r < c->rows; r++)
    for (size_t k = 0; k < c->cols; k++)
      vl_test_row (&in, r)[k] *= (float) (1 + r % 5) * (r % 2 ? 1e3f : 1e-3f);
  for (size_t r = 1; r < c->rows; r += 4)
    vl_test_matrix_zero_row (&in, r);

  if (!vl_test_check_ok (vl_normalize_rows (vl_test_context ("ref"), &in,
                                            &want, &error), error)
      || !vl_test_check_ok (vl_normalize_rows (vl_test_context (run->device),
                                               &in, &got, &error), error))
    goto out;

  for (size_t r = 0; r < c->rows; r++)
    {
      gboolean zero = r % 4 == 1;

      for (size_t k = 0; k < c->cols; k++)
        {
          float g = vl_test_row (&got, r)[k];

          /* Each output is the input times one factor: its error is
           * relative, hence magnitude 0. */
          if (!vl_test_check_close (g, vl_test_row (&want, r)[k], 0.0,
                                    "row %zu column %zu", r, k))
            goto out;
          if (zero && g != 0.0f)
            {
              g_test_fail_printf ("zero row %zu became %g", r, g);
              goto out;
            }
        }
      if (!zero && !vl_test_check_close (vl_test_row_norm (&got, r), 1.0, 0.0,
                                         "norm of row %zu", r))
        goto out;
      if (!c->in_place && !isnan (vl_test_row (&got, r)[c->cols]))
        {
          g_test_fail_printf ("output padding of row %zu was written", r);
          goto out;
        }
    }

out:
  vl_test_matrix_free (&in);
  vl_test_matrix_free (&want);
  if (!c->in_place)
    vl_test_matrix_free (&got);
}

int
main (int argc, char **argv)
{
  vl_test_init (&argc, &argv);
  vl_test_add ("/vectorlab/normalize/hand", NULL, test_hand);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *prefix = g_strdup_printf ("/vectorlab/normalize/%s",
                                                 cases[i].name);

      vl_test_add (prefix, &cases[i], test_case);
    }
  return vl_test_run ();
}
