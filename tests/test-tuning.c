/* test-tuning.c: the kernels' tunables.  Every tunable set the tune command
 * may choose must give the same k-NN as the ref oracle; malformed or
 * impossible tunables are refused and change nothing; the user's tuning
 * cache stores what was set for this device only and survives garbage. */
#include <glib/gstdio.h>
#include <string.h>

#include "vl-test-util.h"

/* Alternatives to the built-in tunables, each run through both k-NN
 * paths: knn_scan for few queries, knn_gemm for many; the sq8_scan
 * families' through k-NN on SQ8 codes. */
static const struct
{
  const char *family;
  const char *tuning;
  size_t      d;        /* dimension of the rows; 0 for 40 */
  size_t      n;        /* rows; 0 for 3000 */
} alternatives[] = {
  { "knn_scan1", "WG=64 RPI=1 TK=32 GROUPS_PER_CU=2" },
  { "knn_scan1", "WG=256 RPI=3 TK=8 GROUPS_PER_CU=1" },
  { "knn_scan4", "WG=64 RPI=1 TK=4 GROUPS_PER_CU=3" },
  { "knn_scan16", "WG=32 RPI=1 TK=32 GROUPS_PER_CU=2" },
  { "knn_scan16", "WG=128 RPI=2 TK=8 GROUPS_PER_CU=1" },
  { "knn_scan4", "WG=16 RPI=8 TK=4 GROUPS_PER_CU=5" },
  { "knn_gemm", "GM=64 GN=64 GK=16 WM=4 WN=4 MMA=0" },
  { "knn_gemm", "GM=256 GN=128 GK=8 WM=16 WN=8 MMA=0" },
  { "knn_gemm", "GM=128 GN=64 GK=16 WM=8 WN=4 MMA=0" },
  /* Tensor cores: only NVIDIA devices from compute capability 8.0 take
   * these, and the others must refuse them (see test_alternatives). */
  { "knn_gemm", "GM=128 GN=128 GK=8 WM=8 WN=8 MMA=1" },
  { "knn_scan_mma", "WG=64 NR=2 CW=2 GROUPS_PER_CU=3 STAGES=2" },
  { "knn_scan_mma", "WG=96 NR=1 CW=3 GROUPS_PER_CU=2 STAGES=7" },
  { "team_scan4", "WG=32 RPT=8 GROUPS_PER_CU=3" },
  { "team_scan4", "WG=64 RPT=1 GROUPS_PER_CU=2" },
  { "sq8_scan1", "WG=64 GROUPS_PER_CU=3 PRMT=0 VEC=1" },
  { "sq8_scan1", "WG=256 GROUPS_PER_CU=1 PRMT=0 VEC=1" },
  { "sq8_scan4", "WG=32 GROUPS_PER_CU=5 PRMT=0 VEC=1" },
  { "sq8_scan4", "WG=64 GROUPS_PER_CU=2 PRMT=0 VEC=1" },
  /* Cells a load: rows of 10 cells (d = 40) take pairs but not fours, which
   * then load single cells; 12 cells (d = 48) take both, 9 (d = 36) neither. */
  { "sq8_scan1", "WG=64 GROUPS_PER_CU=3 PRMT=0 VEC=2", 0 },
  { "sq8_scan1", "WG=64 GROUPS_PER_CU=3 PRMT=0 VEC=2", 36 },
  { "sq8_scan1", "WG=128 GROUPS_PER_CU=2 PRMT=0 VEC=4", 0 },
  { "sq8_scan1", "WG=128 GROUPS_PER_CU=2 PRMT=0 VEC=4", 48 },
  { "sq8_scan4", "WG=64 GROUPS_PER_CU=2 PRMT=0 VEC=4", 48 },
  { "sq8_scan4", "WG=32 GROUPS_PER_CU=4 PRMT=0 VEC=2", 0 },
  /* PTX byte permutes: NVIDIA's driver alone takes these. */
  { "sq8_scan1", "WG=128 GROUPS_PER_CU=3 PRMT=1 VEC=1" },
  { "sq8_scan4", "WG=64 GROUPS_PER_CU=4 PRMT=1 VEC=1" },
  { "sq8_scan1", "WG=128 GROUPS_PER_CU=3 PRMT=1 VEC=2", 0 },
  { "sq8_scan1", "WG=128 GROUPS_PER_CU=3 PRMT=1 VEC=4", 48 },
  /* More groups than a merge's work-group has items, as on a GPU (792 to
   * 1,056 over 1M rows): their lists are merged on the device. */
  { "knn_scan1", "WG=16 RPI=1 TK=16 GROUPS_PER_CU=1000", 0, 40000 },
  { "knn_scan16", "WG=16 RPI=1 TK=16 GROUPS_PER_CU=1000", 0, 40000 },
  { "sq8_scan1", "WG=32 GROUPS_PER_CU=1000 PRMT=0 VEC=1", 0, 40000 },
};

static gboolean
needs_tensor_cores (const char *family, const char *tuning)
{
  return strstr (tuning, "MMA=1") != NULL
         || g_str_has_prefix (family, "knn_scan_mma");
}

static gboolean
needs_nvidia (const char *tuning)
{
  return strstr (tuning, "PRMT=1") != NULL;
}

static gboolean
is_opencl (const char *device)
{
  return g_str_has_prefix (device, "opencl:");
}

/* Ids of the k-NN of @nq queries over uniform data on @device, searched
 * over the data's SQ8 codes when @sq8, with their scores in @scores. */
static gint64 *
search (const char *device, gboolean sq8, size_t nq, size_t n, size_t d,
        size_t k, float **scores_out)
{
  VlContext *ctx = vl_test_context (device);
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  VlMatrix x = vl_test_matrix_new (n, d, d);
  VlMatrix q = vl_test_matrix_new (nq, d, d + 3);
  gint64 *ids = g_new (gint64, nq * k);
  float *scores = g_new (float, nq * k);
  VlError *error = NULL;

  vl_test_matrix_fill (&x, rand, -1.0f, 1.0f);
  vl_test_matrix_fill (&q, rand, -1.0f, 1.0f);
  if (sq8)
    {
      VlSqCodec *codec = vl_sq_train (ctx, VL_SQ_8, &x, &error);
      VlSqIndex *index;

      g_assert_nonnull (codec);
      index = vl_sq_index_new_from_floats (codec, VL_METRIC_IP, &x, &error);
      g_assert_nonnull (index);
      g_assert_cmpint (vl_sq_index_search (index, &q, k, (int64_t *) ids,
                                           scores, &error), ==, VL_STATUS_OK);
      vl_sq_index_free (index);
      vl_sq_codec_free (codec);
    }
  else
    {
      VlIndex *index = vl_index_new (ctx, VL_METRIC_IP, &x, &error);

      g_assert_nonnull (index);
      g_assert_cmpint (vl_index_search (index, &q, k, (int64_t *) ids, scores,
                                        &error), ==, VL_STATUS_OK);
      vl_index_free (index);
    }
  vl_test_matrix_free (&x);
  vl_test_matrix_free (&q);
  *scores_out = scores;
  return ids;
}

static void
test_alternatives (const VlTestRun *run)
{
  VlContext *ctx = vl_test_context (run->device);
  /* d = 40: the GEMM's k chunks do not divide it; n = 3000: partial
   * tiles and blocks everywhere. */
  const size_t k = 7;
  static const size_t nq[] = { 1, 3, 7, 16, 70 };

  if (!is_opencl (run->device))
    {
      g_assert_null (vl_context_tuning_families (ctx)[0]);
      return;
    }
  for (gsize a = 0; a < G_N_ELEMENTS (alternatives); a++)
    {
      gboolean listed = g_strv_contains (vl_context_tuning_families (ctx),
                                         alternatives[a].family);
      gboolean sq8 = g_str_has_prefix (alternatives[a].family, "sq8_scan");
      gboolean nvidia = strstr (vl_context_get_device (ctx)->platform,
                                "NVIDIA") != NULL;
      const size_t d = alternatives[a].d != 0 ? alternatives[a].d : 40;
      const size_t n = alternatives[a].n != 0 ? alternatives[a].n : 3000;
      const char *why = NULL;
      VlError *error = NULL;

      if (needs_nvidia (alternatives[a].tuning) && !nvidia)
        why = "NVIDIA's OpenCL driver";
      else if (needs_tensor_cores (alternatives[a].family,
                                   alternatives[a].tuning) && !nvidia)
        why = "compute capability";
      if (why != NULL)
        {
          /* Families for tensor cores alone are not offered to tune here;
           * the others are. */
          g_assert_true (listed == !g_str_has_prefix (alternatives[a].family,
                                                      "knn_scan_mma"));
          g_assert_cmpint (vl_context_set_tuning (ctx, alternatives[a].family,
                                                  alternatives[a].tuning,
                                                  &error),
                           ==, VL_STATUS_INVALID_ARGUMENT);
          g_assert_nonnull (strstr (error->message, why));
          vl_error_free (error);
          continue;
        }
      g_assert_true (listed);
      g_assert_cmpint (vl_context_set_tuning (ctx, alternatives[a].family,
                                              alternatives[a].tuning, &error),
                       ==, VL_STATUS_OK);
      g_assert_cmpstr (vl_context_get_tuning (ctx, alternatives[a].family), ==,
                       alternatives[a].tuning);
      for (gsize i = 0; i < G_N_ELEMENTS (nq); i++)
        {
          g_autofree float *want_scores = NULL, *got_scores = NULL;
          g_autofree gint64 *want = search ("ref", sq8, nq[i], n, d, k,
                                            &want_scores);
          g_autofree gint64 *got = search (run->device, sq8, nq[i], n, d, k,
                                           &got_scores);

          /* Codes decode to floats summed in another order than ref's:
           * two rows whose scores tie within that may swap. */
          for (size_t j = 0; j < nq[i] * k; j++)
            if (got[j] != want[j]
                && (!sq8 || !vl_test_close (got_scores[j], want_scores[j],
                                            (double) d)))
              {
                g_test_fail_printf ("%s '%s', %zu queries: id %zu is %"
                                    G_GINT64_FORMAT ", ref has %"
                                    G_GINT64_FORMAT, alternatives[a].family,
                                    alternatives[a].tuning, nq[i], j, got[j],
                                    want[j]);
                return;
              }
        }
      g_assert_cmpint (vl_context_set_tuning (ctx, alternatives[a].family,
                                              NULL, &error), ==, VL_STATUS_OK);
    }
}

static void
test_refused (const VlTestRun *run)
{
  VlContext *ctx = vl_test_context (run->device);
  static const char *const bad[][2] = {
    { "knn_nope", "WG=64" },
    { "knn_scan1", "WG" },
    { "knn_scan1", "WG=-4" },
    { "knn_scan1", "WG=64x" },
    { "knn_scan1", "GM=64" },          /* not a tunable of the family */
    { "knn_scan1", "WG=96" },          /* not a power of two */
    { "knn_scan1", "TK=6" },           /* not a multiple of 4 */
    { "knn_scan4", "RPI=9" },
    { "knn_scan4", "TK=12" },          /* TK / 4 does not divide WG */
    { "knn_scan16", "WG=65536" },      /* larger than any work-group */
    { "knn_gemm", "WM=6" },
    { "knn_gemm", "GM=64 GN=64 GK=8 WM=4 WN=4 MMA=0" },  /* loads not whole */
    { "knn_gemm", "WM=0" },
    { "knn_gemm", "MMA=2" },
    { "knn_gemm", "GM=64 GN=64 GK=16 WM=4 WN=4 MMA=1" },  /* not 128 x 128 */
    { "knn_scan4", "RPI=0" },
    { "knn_scan1", "WG=0" },
    { "knn_gemm", "GK=99999999999999999999" },
    { "sq8_scan4", "WG=160" },         /* not a power of two */
    { "sq8_scan1", "WG=16" },          /* less than a team */
    { "sq8_scan1", "PRMT=2" },
    { "sq8_scan4", "VEC=3" },
    { "team_scan4", "VEC=2" },         /* floats load whole float4s */
    { "sq8_scan1", "TK=16" },          /* not a tunable of the family */
    { "team_scan4", "RPT=9" },         /* a team sums 32 outputs at most */
    { "team_scan4", "RPT=0" },
    { "knn_scan_mma", "STAGES=1" },    /* a ring of at least two steps */
    { "knn_scan_mma", "STAGES=8" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *before = g_strdup (vl_context_get_tuning (ctx, bad[i][0]));
      FAILS (VL_STATUS_INVALID_ARGUMENT,
             vl_context_set_tuning (ctx, bad[i][0], bad[i][1], &error));
      g_assert_cmpstr (vl_context_get_tuning (ctx, bad[i][0]), ==, before);
    }
}

static void
test_cache (const VlTestRun *run)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  g_autofree char *sub = NULL;
  const char *other = "Other Platform\tOther GPU\t1.0\tknn_gemm\tGM=64\n";
  VlError *error = NULL;
  VlContext *ctx;

  if (!is_opencl (run->device))
    return;
  dir = g_dir_make_tmp ("vl-tuning-XXXXXX", NULL);
  g_assert_nonnull (dir);
  g_setenv ("XDG_CACHE_HOME", dir, TRUE);
  sub = g_build_filename (dir, "vectorlab", NULL);
  path = g_build_filename (sub, "tuning", NULL);
  g_assert_cmpint (g_mkdir_with_parents (sub, 0700), ==, 0);
  /* Another device's line stays; garbage is ignored. */
  text = g_strconcat (other, "garbage\n\t\t\t\t\nknn_scan1\tWG=64\n", NULL);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  g_clear_pointer (&text, g_free);

  ctx = vl_context_new (run->device, &error);
  g_assert_nonnull (ctx);
  g_assert_cmpint (vl_context_set_tuning (ctx, "knn_scan4",
                                          "GROUPS_PER_CU=3", &error), ==,
                   VL_STATUS_OK);
  g_assert_cmpint (vl_context_save_tuning (ctx, &error), ==, VL_STATUS_OK);
  vl_context_free (ctx);

  ctx = vl_context_new (run->device, &error);
  g_assert_nonnull (strstr (vl_context_get_tuning (ctx, "knn_scan4"),
                           "GROUPS_PER_CU=3"));
  vl_context_free (ctx);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, other));
  g_assert_null (strstr (text, "garbage"));

  g_unsetenv ("XDG_CACHE_HOME");
  g_unlink (path);
  g_rmdir (sub);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  vl_test_init (&argc, &argv);
  vl_test_add ("/vectorlab/tuning/alternatives", NULL, test_alternatives);
  vl_test_add ("/vectorlab/tuning/refused", NULL, test_refused);
  vl_test_add ("/vectorlab/tuning/cache", NULL, test_cache);
  return vl_test_run ();
}
