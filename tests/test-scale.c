/* test-scale.c: finite input at the edges of fp32's range.  Rows of about
 * 3e19 have squared norms beyond FLT_MAX, rows of about 1e-25 squared norms
 * below the smallest float; their cosines and directions are nonetheless
 * well defined and ref (which accumulates in double) computes them.  A
 * backend must agree with ref or refuse with a status and a message: a NaN,
 * or a zero where the row is not zero, is a silent wrong answer. */
#include "vl-test-util.h"

#include <math.h>

typedef struct
{
  const char *name;
  float       scale;
} ScaleCase;

static const ScaleCase cases[] = {
  { "huge", 3e19f },
  { "tiny", 1e-25f },
};

/* Rows [s, s, 0], [-s, 0, s], [s, 2s, 3s], [s, 0, 0]. */
static VlMatrix
make_rows (float s, float data[12])
{
  const float pattern[12] = { 1, 1, 0, -1, 0, 1, 1, 2, 3, 1, 0, 0 };

  for (guint i = 0; i < 12; i++)
    data[i] = pattern[i] * s;
  return vl_matrix_f32 (data, 4, 3);
}

/* TRUE when the backend refused honestly, after which there is nothing to
 * compare; fails the test when it failed without a message. */
static gboolean
refused (VlStatus status, VlError *error, const char *what)
{
  if (status == VL_STATUS_OK)
    {
      vl_error_free (error);
      return FALSE;
    }
  if (error == NULL || error->message == NULL || error->message[0] == '\0')
    g_test_fail_printf ("%s failed with '%s' and no message", what,
                        vl_status_to_string (status));
  else
    g_test_message ("%s refused: %s", what, error->message);
  vl_error_free (error);
  return TRUE;
}

static gboolean
check_all (const float *got, const float *want, size_t n, const char *what)
{
  for (size_t i = 0; i < n; i++)
    if (!vl_test_check_close (got[i], want[i], 1.0, "%s [%zu]", what, i))
      return FALSE;
  return TRUE;
}

static void
test_cosine (const VlTestRun *run)
{
  const ScaleCase *c = run->data;
  float data[12], got[16], want[16];
  VlMatrix x = make_rows (c->scale, data);
  VlMatrix gm = vl_matrix_f32 (got, 4, 4), wm = vl_matrix_f32 (want, 4, 4);
  VlError *error = NULL;
  VlStatus status;

  if (!vl_test_check_ok (vl_distance_matrix (vl_test_context ("ref"),
                                             VL_METRIC_COSINE, &x, &x, &wm,
                                             &error), error))
    return;
  status = vl_distance_matrix (vl_test_context (run->device), VL_METRIC_COSINE,
                               &x, &x, &gm, &error);
  if (!refused (status, error, "cosine distance matrix"))
    check_all (got, want, 16, "cosine");
}

static void
test_similarity (const VlTestRun *run)
{
  const ScaleCase *c = run->data;
  float data[12], got[16], want[16];
  VlMatrix x = make_rows (c->scale, data);
  VlMatrix gm = vl_matrix_f32 (got, 4, 4), wm = vl_matrix_f32 (want, 4, 4);
  VlError *error = NULL;
  VlStatus status;

  if (!vl_test_check_ok (vl_similarity_matrix (vl_test_context ("ref"), &x,
                                               &wm, &error), error))
    return;
  status = vl_similarity_matrix (vl_test_context (run->device), &x, &gm,
                                 &error);
  if (!refused (status, error, "similarity matrix"))
    check_all (got, want, 16, "similarity");
}

static void
test_normalize (const VlTestRun *run)
{
  const ScaleCase *c = run->data;
  float data[12], got[12], want[12];
  VlMatrix x = make_rows (c->scale, data);
  VlMatrix gm = vl_matrix_f32 (got, 4, 3), wm = vl_matrix_f32 (want, 4, 3);
  VlError *error = NULL;
  VlStatus status;

  if (!vl_test_check_ok (vl_normalize_rows (vl_test_context ("ref"), &x, &wm,
                                            &error), error))
    return;
  status = vl_normalize_rows (vl_test_context (run->device), &x, &gm, &error);
  if (!refused (status, error, "normalize"))
    check_all (got, want, 12, "normalized");
}

static void
test_knn_cosine (const VlTestRun *run)
{
  const ScaleCase *c = run->data;
  float data[12], want_scores[16], got_scores[16];
  int64_t want_ids[16], got_ids[16];
  VlMatrix x = make_rows (c->scale, data);
  VlError *error = NULL;
  VlStatus status;

  if (!vl_test_check_ok (vl_knn (vl_test_context ("ref"), VL_METRIC_COSINE,
                                 &x, &x, 4, want_ids, want_scores, &error),
                         error))
    return;
  status = vl_knn (vl_test_context (run->device), VL_METRIC_COSINE, &x, &x, 4,
                   got_ids, got_scores, &error);
  if (refused (status, error, "cosine k-NN"))
    return;
  /* These cosines are distinct, so ids must agree too. */
  for (guint i = 0; i < 16; i++)
    {
      if (!vl_test_check_close (got_scores[i], want_scores[i], 1.0,
                                "rank %u score", i))
        return;
      if (got_ids[i] != want_ids[i])
        {
          g_test_fail_printf ("rank %u: id %" G_GINT64_FORMAT ", ref id %"
                              G_GINT64_FORMAT, i, got_ids[i], want_ids[i]);
          return;
        }
    }
}

int
main (int argc, char **argv)
{
  vl_test_init (&argc, &argv);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *n = cases[i].name;
      g_autofree char *cosine = g_strdup_printf ("/vectorlab/scale/%s/cosine",
                                                 n);
      g_autofree char *sim = g_strdup_printf ("/vectorlab/scale/%s/similarity",
                                              n);
      g_autofree char *norm = g_strdup_printf ("/vectorlab/scale/%s/normalize",
                                               n);
      g_autofree char *knn = g_strdup_printf ("/vectorlab/scale/%s/knn-cosine",
                                              n);

      vl_test_add (cosine, &cases[i], test_cosine);
      vl_test_add (sim, &cases[i], test_similarity);
      vl_test_add (norm, &cases[i], test_normalize);
      vl_test_add (knn, &cases[i], test_knn_cosine);
    }
  return vl_test_run ();
}
