/* vl-cli-tune.c: `vectorlab-bench tune`: searches the kernels' tunables on
 * a device and stores the fastest in the user's tuning cache, so that later
 * runs on that device use them. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "vectorlab-bench.h"
#include "vl-bench-data.h"
#include "vl-cli.h"

static char *opt_device;
static char *opt_family;
static int opt_n;
static int opt_d = 768;
static int opt_repetitions = 5;
static gboolean opt_dry_run;

static const GOptionEntry entries[] = {
  { "device", 'd', 0, G_OPTION_ARG_STRING, &opt_device,
    N_("Device to tune (default: auto)"), N_("DEVICE") },
  { "family", 'f', 0, G_OPTION_ARG_STRING, &opt_family,
    N_("Tune this kernel family only (default: all)"), N_("FAMILY") },
  { "n", 'n', 0, G_OPTION_ARG_INT, &opt_n,
    N_("Database rows (default: 1000000 on a GPU, else 100000)"), N_("N") },
  { "dim", 0, 0, G_OPTION_ARG_INT, &opt_d,
    N_("Vector dimension (default: 768)"), N_("D") },
  { "repetitions", 'r', 0, G_OPTION_ARG_INT, &opt_repetitions,
    N_("Timed searches per candidate; the median counts (default: 5)"),
    N_("R") },
  { "dry-run", 0, 0, G_OPTION_ARG_NONE, &opt_dry_run,
    N_("Report the winners without storing them"), NULL },
  { NULL }
};

/* What each family is timed on, and the candidates tried besides the
 * tunables it has now.  knn_scan4 is not searched: 4 queries go to
 * team_scan4, and knn_scan4 only where that does not fit. */
typedef struct
{
  const char *family;
  gsize       nq;              /* queries a search (GEMM on a CPU: a quarter) */
  gboolean    sq8;             /* searches SQ8 codes of the database */
  const char *candidates[20];
} Search;

static const Search searches[] = {
  { "knn_scan1", 1, FALSE, {
      "WG=64 TK=16 GROUPS_PER_CU=16", "WG=128 TK=16 GROUPS_PER_CU=4",
      "WG=128 TK=16 GROUPS_PER_CU=8", "WG=128 TK=16 GROUPS_PER_CU=16",
      "WG=128 TK=32 GROUPS_PER_CU=8", "WG=128 TK=32 GROUPS_PER_CU=16",
      "WG=256 TK=16 GROUPS_PER_CU=4", "WG=256 TK=16 GROUPS_PER_CU=8",
      "WG=256 TK=32 GROUPS_PER_CU=4", "WG=256 TK=32 GROUPS_PER_CU=8",
      "WG=256 TK=8 GROUPS_PER_CU=8", "WG=128 TK=64 GROUPS_PER_CU=4",
      "WG=128 TK=64 GROUPS_PER_CU=8", "WG=64 TK=64 GROUPS_PER_CU=16",
      "WG=64 RPI=2 TK=64 GROUPS_PER_CU=8", "WG=128 RPI=2 TK=32 GROUPS_PER_CU=8",
      "WG=128 TK=64 GROUPS_PER_CU=6", "WG=128 TK=64 GROUPS_PER_CU=7",
      "WG=128 TK=64 GROUPS_PER_CU=12", NULL } },
  { "knn_scan16", 16, FALSE, {
      "WG=64 RPI=2 TK=16 GROUPS_PER_CU=4", "WG=64 RPI=4 TK=8 GROUPS_PER_CU=4",
      "WG=64 RPI=4 TK=16 GROUPS_PER_CU=2", "WG=64 RPI=4 TK=16 GROUPS_PER_CU=8",
      "WG=32 RPI=4 TK=16 GROUPS_PER_CU=8", "WG=64 RPI=8 TK=8 GROUPS_PER_CU=4",
      "WG=128 RPI=2 TK=8 GROUPS_PER_CU=4", "WG=128 RPI=1 TK=16 GROUPS_PER_CU=4",
      "WG=64 RPI=1 TK=16 GROUPS_PER_CU=4", NULL } },
  { "knn_scan_mma", 16, FALSE, {
      "WG=64 NR=2 CW=2 GROUPS_PER_CU=8 STAGES=3",
      "WG=128 NR=2 CW=2 GROUPS_PER_CU=4 STAGES=2",
      "WG=128 NR=2 CW=2 GROUPS_PER_CU=4 STAGES=3",
      "WG=64 NR=2 CW=2 GROUPS_PER_CU=7 STAGES=5",
      "WG=32 NR=2 CW=2 GROUPS_PER_CU=16 STAGES=4",
      "WG=128 NR=1 CW=2 GROUPS_PER_CU=6 STAGES=4",
      "WG=128 NR=2 CW=3 GROUPS_PER_CU=4 STAGES=2",
      "WG=64 NR=4 CW=2 GROUPS_PER_CU=4 STAGES=2", NULL } },
  { "knn_gemm", 1024, FALSE, {
      "GM=128 GN=128 GK=8 WM=8 WN=8 MMA=1",
      "GM=128 GN=128 GK=8 WM=8 WN=8 MMA=0", "GM=128 GN=128 GK=16 WM=8 WN=8 MMA=0",
      "GM=128 GN=64 GK=16 WM=8 WN=4 MMA=0", "GM=64 GN=128 GK=16 WM=4 WN=8 MMA=0",
      "GM=64 GN=64 GK=16 WM=4 WN=4 MMA=0",
      "GM=256 GN=128 GK=8 WM=16 WN=8 MMA=0", "GM=128 GN=256 GK=8 WM=8 WN=16 MMA=0",
      NULL } },
  { "team_scan4", 4, FALSE, {
      "WG=64 RPT=4 GROUPS_PER_CU=8", "WG=128 RPT=2 GROUPS_PER_CU=8",
      "WG=128 RPT=4 GROUPS_PER_CU=2", "WG=128 RPT=4 GROUPS_PER_CU=3",
      "WG=128 RPT=4 GROUPS_PER_CU=6", "WG=128 RPT=8 GROUPS_PER_CU=2",
      "WG=128 RPT=8 GROUPS_PER_CU=4", "WG=256 RPT=4 GROUPS_PER_CU=2",
      "WG=256 RPT=2 GROUPS_PER_CU=4", NULL } },
  /* A PRMT=1 candidate is refused off NVIDIA's driver. */
  { "sq8_scan1", 1, TRUE, {
      "WG=64 GROUPS_PER_CU=8 PRMT=0", "WG=64 GROUPS_PER_CU=12",
      "WG=128 GROUPS_PER_CU=2", "WG=128 GROUPS_PER_CU=3",
      "WG=128 GROUPS_PER_CU=4", "WG=128 GROUPS_PER_CU=6",
      "WG=128 GROUPS_PER_CU=8", "WG=256 GROUPS_PER_CU=1",
      "WG=256 GROUPS_PER_CU=2", "WG=128 GROUPS_PER_CU=3 PRMT=1",
      "WG=128 GROUPS_PER_CU=3 PRMT=0", "WG=128 GROUPS_PER_CU=3 VEC=2",
      "WG=128 GROUPS_PER_CU=4 VEC=2", "WG=128 GROUPS_PER_CU=2 VEC=4",
      "WG=128 GROUPS_PER_CU=3 VEC=4", "WG=64 GROUPS_PER_CU=6 VEC=2", NULL } },
  { "sq8_scan4", 4, TRUE, {
      "WG=64 GROUPS_PER_CU=8", "WG=64 GROUPS_PER_CU=12",
      "WG=128 GROUPS_PER_CU=2", "WG=128 GROUPS_PER_CU=3",
      "WG=128 GROUPS_PER_CU=4", "WG=128 GROUPS_PER_CU=6",
      "WG=128 GROUPS_PER_CU=8", "WG=256 GROUPS_PER_CU=1",
      "WG=256 GROUPS_PER_CU=2", "WG=128 GROUPS_PER_CU=4 PRMT=1",
      "WG=128 GROUPS_PER_CU=4 PRMT=0", "WG=128 GROUPS_PER_CU=4 VEC=2",
      "WG=128 GROUPS_PER_CU=3 VEC=4", NULL } },
};

/* What a family's searches run on: the database, or its SQ8 codes. */
typedef struct
{
  VlIndex   *floats;
  VlSqIndex *sq8;
} Target;

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* Median milliseconds of @reps searches, after one untimed search that
 * builds the kernels; the ids of the last in @ids. */
static gboolean
time_search (const Target *target, gboolean sq8, const VlMatrix *queries,
             gsize k, int reps, gint64 *ids, float *scores, double *median,
             GError **error)
{
  g_autofree double *ms = g_new (double, reps);
  VlError *err = NULL;

  for (int r = -1; r < reps; r++)
    {
      gint64 t0 = g_get_monotonic_time ();
      VlStatus status;

      if (sq8)
        status = vl_sq_index_search (target->sq8, queries, k, (int64_t *) ids,
                                     scores, &err);
      else
        status = vl_index_search (target->floats, queries, k, (int64_t *) ids,
                                  scores, &err);
      if (status != VL_STATUS_OK)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", err->message);
          vl_error_free (err);
          return FALSE;
        }
      if (r >= 0)
        ms[r] = (double) (g_get_monotonic_time () - t0) / 1000.0;
    }
  qsort (ms, reps, sizeof *ms, compare_doubles);
  *median = ms[reps / 2];
  return TRUE;
}

/* Whether a candidate's results are those of the current tunables.  The
 * fp32 candidates sum in one order and give identical results; tensor
 * cores (MMA=1) sum in another, so a near-tie may swap two ids: scores
 * must then agree within fp32 summation error instead. */
static gboolean
same_results (const gint64 *want_ids, const float *want_scores,
              const gint64 *ids, const float *scores, gsize n)
{
  for (gsize i = 0; i < n; i++)
    {
      double tol = 1e-5 * (fabs (want_scores[i]) + 1.0);

      /* Not "> tol": a NaN score is a difference. */
      if (ids[i] != want_ids[i] && !(fabs (scores[i] - want_scores[i]) <= tol))
        return FALSE;
    }
  return TRUE;
}

/* Tries @s's candidates; leaves the fastest set on the context. */
static gboolean
tune_family (VlContext *ctx, const Target *target, const float *query_data,
             gsize d, gsize nq, const Search *s, GError **error)
{
  const gsize k = 10;
  VlMatrix queries = { nq, d, d, VL_DTYPE_F32, (float *) query_data };
  g_autofree gint64 *want = g_new (gint64, nq * k);
  g_autofree gint64 *ids = g_new (gint64, nq * k);
  g_autofree float *scores = g_new (float, nq * k);
  g_autofree float *want_scores = g_new (float, nq * k);
  g_autofree char *current = g_strdup (vl_context_get_tuning (ctx, s->family));
  g_autofree char *best = g_strdup (current);
  double base_ms, best_ms;

  g_print (_("%s: %zu queries, k = %zu\n"), s->family, nq, k);
  if (!time_search (target, s->sq8, &queries, k, opt_repetitions, want,
                    want_scores, &base_ms, error))
    return FALSE;
  best_ms = base_ms;
  g_print ("  %-40s %10.3f ms  %s\n", current, base_ms, _("(current)"));

  for (gsize i = 0; s->candidates[i] != NULL; i++)
    {
      VlError *err = NULL;
      g_autoptr(GError) run_error = NULL;
      double ms;

      if (vl_context_set_tuning (ctx, s->family, s->candidates[i], &err) != VL_STATUS_OK)
        {
          g_print ("  %-40s %13s  %s\n", s->candidates[i], "-", err->message);
          vl_error_free (err);
          continue;
        }
      if (g_strcmp0 (vl_context_get_tuning (ctx, s->family), current) == 0)
        continue;
      if (!time_search (target, s->sq8, &queries, k, opt_repetitions, ids,
                        scores, &ms, &run_error))
        {
          g_print ("  %-40s %13s  %s\n", s->candidates[i], "-", run_error->message);
          continue;
        }
      if (!same_results (want, want_scores, ids, scores, nq * k))
        {
          g_print ("  %-40s %10.3f ms  %s\n", s->candidates[i], ms,
                   _("wrong results: rejected"));
          continue;
        }
      g_print ("  %-40s %10.3f ms  %.2fx\n", s->candidates[i], ms, base_ms / ms);
      if (ms < best_ms)
        {
          best_ms = ms;
          g_free (best);
          best = g_strdup (vl_context_get_tuning (ctx, s->family));
        }
    }
  g_print (_("  chosen: %s (%.3f ms, %.2fx the current)\n\n"), best, best_ms,
           base_ms / best_ms);
  {
    VlError *err = NULL;

    /* Only a change is stored: the cache keeps what was measured best. */
    if (vl_context_set_tuning (ctx, s->family, best, &err) != VL_STATUS_OK)
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", err->message);
        vl_error_free (err);
        return FALSE;
      }
  }
  return TRUE;
}

/* Whether @s is to be run: the device has its family, and --family, if
 * given, names it. */
static gboolean
is_searched (const Search *s, const char *const *families)
{
  return (opt_family == NULL || strcmp (opt_family, s->family) == 0)
         && g_strv_contains (families, s->family);
}

/* Whether a family to be tuned searches SQ8 codes. */
static gboolean
wants_sq8 (const char *const *families)
{
  for (gsize i = 0; i < G_N_ELEMENTS (searches); i++)
    if (searches[i].sq8 && is_searched (&searches[i], families))
      return TRUE;
  return FALSE;
}

int
vl_cli_tune (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  const char *const *families;
  VlError *err = NULL;
  VlContext *ctx;
  Target target = { NULL, NULL };
  g_autofree float *database = NULL;
  g_autofree float *query_data = NULL;
  gsize n, d;
  int status = VL_CLI_EXIT_OK;
  gboolean any = FALSE;

  if (!vl_cli_parse_options ("tune", _("Search the tile and work-group sizes "
                                       "of the k-NN kernels on a device and "
                                       "store the fastest in the user's "
                                       "tuning cache."),
                             entries, &argc, &argv))
    return VL_CLI_EXIT_USAGE;
  if (opt_repetitions < 1 || opt_d < 1 || opt_n < 0)
    return vl_cli_fail (VL_CLI_EXIT_USAGE,
                        _("--repetitions, --dim and --n must be positive"));

  ctx = vl_context_new (opt_device != NULL ? opt_device : "auto", &err);
  if (ctx == NULL)
    {
      status = vl_cli_fail (VL_CLI_EXIT_FAILURE, "%s", err->message);
      vl_error_free (err);
      return status;
    }
  families = vl_context_tuning_families (ctx);
  if (families[0] == NULL)
    {
      g_print (_("%s (%s) has no tunable kernels: nothing to tune.\n"),
               vl_context_get_device (ctx)->id, vl_context_get_device (ctx)->name);
      vl_context_free (ctx);
      return VL_CLI_EXIT_OK;
    }
  if (opt_family != NULL && !g_strv_contains ((const char *const *) families, opt_family))
    {
      g_autofree char *names = g_strjoinv (", ", (char **) families);

      status = vl_cli_fail (VL_CLI_EXIT_USAGE,
                            _("%s has no kernel family '%s' (it has %s)"),
                            vl_context_get_device (ctx)->id, opt_family, names);
      vl_context_free (ctx);
      return status;
    }

  d = (gsize) opt_d;
  n = opt_n > 0 ? (gsize) opt_n
      : vl_context_get_device (ctx)->is_gpu ? 1000000 : 100000;
  g_print (_("Tuning %s (%s) on %zu x %zu vectors, inner product\n\n"),
           vl_context_get_device (ctx)->id, vl_context_get_device (ctx)->name,
           n, d);
  if ((database = vl_bench_data_uniform (1, n * d, NULL, &error)) == NULL
      || (query_data = vl_bench_data_uniform (2, 1024 * d, NULL, &error)) == NULL)
    goto out;
  {
    VlMatrix x = { n, d, d, VL_DTYPE_F32, database };
    VlSqCodec *codec;

    if ((target.floats = vl_index_new (ctx, VL_METRIC_IP, &x, &err)) == NULL)
      goto out;
    if (wants_sq8 (families))
      {
        if ((codec = vl_sq_train (ctx, VL_SQ_8, &x, &err)) == NULL)
          goto out;
        target.sq8 = vl_sq_index_new_from_floats (codec, VL_METRIC_IP, &x,
                                                  &err);
        vl_sq_codec_free (codec);
        if (target.sq8 == NULL)
          goto out;
      }
  }
  g_clear_pointer (&database, g_free);

  for (gsize i = 0; i < G_N_ELEMENTS (searches); i++)
    {
      const Search *s = &searches[i];
      gsize nq = s->nq;

      if (!is_searched (s, families))
        continue;
      /* The scan families are timed on their block of queries; the GEMM's
       * 1024 take long on a CPU device, so a quarter there. */
      if (strcmp (s->family, "knn_gemm") == 0
          && !vl_context_get_device (ctx)->is_gpu)
        nq /= 4;
      if (!tune_family (ctx, &target, query_data, d, nq, s, &error))
        goto out;
      any = TRUE;
    }

  if (any && !opt_dry_run)
    {
      if (vl_context_save_tuning (ctx, &err) != VL_STATUS_OK)
        goto out;
      g_print (_("Stored in the tuning cache; later runs on %s use these.\n"),
               vl_context_get_device (ctx)->id);
    }

out:
  if (err != NULL)
    {
      status = vl_cli_fail (VL_CLI_EXIT_FAILURE, "%s", err->message);
      vl_error_free (err);
    }
  else if (error != NULL)
    status = vl_cli_fail_error (error);
  if (target.floats != NULL)
    vl_index_free (target.floats);
  if (target.sq8 != NULL)
    vl_sq_index_free (target.sq8);
  vl_context_free (ctx);
  return status;
}
