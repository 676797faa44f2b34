/* vl-bench-suite-distance.c: the queries x database distance matrix. */
#include "vl-bench-data.h"
#include "vl-bench-error.h"
#include "vl-bench-suite-private.h"

#include <glib/gi18n-lib.h>

#define SAMPLE_ROWS 4

typedef struct
{
  VlContext *ctx;
  gsize      n, d, nq;
  VlMetric   metric;
  float     *database;
  float     *queries;
  float     *out;
} DistanceState;

static void
distance_teardown (gpointer data)
{
  DistanceState *s = data;

  g_free (s->database);
  g_free (s->queries);
  g_free (s->out);
  g_free (s);
}

static gpointer
distance_setup (VlContext *ctx, const VlBenchCase *c,
                GCancellable *cancellable, GError **error)
{
  DistanceState *s = g_new0 (DistanceState, 1);

  s->ctx = ctx;
  s->n = vl_bench_case_get_size (c, "n");
  s->d = vl_bench_case_get_size (c, "d");
  s->nq = vl_bench_case_get_size (c, "nq");
  s->metric = vl_bench_case_get_metric (c);
  if ((s->database = vl_bench_data_clustered (VL_BENCH_SEED, 1, s->n, s->d,
                                              cancellable, error)) == NULL
      || (s->queries = vl_bench_data_clustered (VL_BENCH_SEED, 2, s->nq,
                                                s->d, cancellable,
                                                error)) == NULL)
    {
      distance_teardown (s);
      return NULL;
    }
  if ((s->out = g_try_new (float, s->nq * s->n)) == NULL)
    {
      g_set_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_FAILED,
                   "%s: out of host memory for the %" G_GSIZE_FORMAT " x %"
                   G_GSIZE_FORMAT " result", c->name, s->nq, s->n);
      distance_teardown (s);
      return NULL;
    }
  return s;
}

static gboolean
distance_run (gpointer data, GError **error)
{
  DistanceState *s = data;
  VlMatrix q = vl_matrix_f32 (s->queries, s->nq, s->d);
  VlMatrix db = vl_matrix_f32 (s->database, s->n, s->d);
  VlMatrix out = vl_matrix_f32 (s->out, s->nq, s->n);
  VlError *vl_error = NULL;

  if (vl_distance_matrix (s->ctx, s->metric, &q, &db, &out, &vl_error)
      != VL_STATUS_OK)
    return vl_bench_propagate_vl_error (error, vl_error, "distance matrix");
  return TRUE;
}

/* The first rows of the result against the same rows on the reference. */
static gboolean
distance_quality (gpointer data, VlBenchQuality *quality, GError **error)
{
  DistanceState *s = data;
  gsize m = MIN (s->nq, SAMPLE_ROWS);
  const char *reference = vl_bench_reference_for ((double) m * s->n * s->d);
  g_autoptr(VlContext) ctx = vl_bench_context_new (reference, error);
  g_autofree float *expected = NULL;
  VlMatrix q, db, out;
  VlError *vl_error = NULL;

  if (ctx == NULL)
    return FALSE;
  expected = g_new (float, m * s->n);
  q = vl_matrix_f32 (s->queries, m, s->d);
  db = vl_matrix_f32 (s->database, s->n, s->d);
  out = vl_matrix_f32 (expected, m, s->n);
  if (vl_distance_matrix (ctx, s->metric, &q, &db, &out, &vl_error)
      != VL_STATUS_OK)
    return vl_bench_propagate_vl_error (error, vl_error, "distance check");
  vl_bench_data_compare (s->out, expected, m * s->n, quality);
  g_strlcpy (quality->reference, reference, sizeof quality->reference);
  quality->sampled = (guint) m;
  return TRUE;
}

static double
distance_items (const VlBenchCase *c)
{
  return (double) vl_bench_case_get_size (c, "nq")
         * (double) vl_bench_case_get_size (c, "n");
}

static double
distance_bytes (const VlBenchCase *c)
{
  double n = (double) vl_bench_case_get_size (c, "n");
  double nq = (double) vl_bench_case_get_size (c, "nq");

  return ((n + nq) * (double) vl_bench_case_get_size (c, "d") + n * nq)
         * sizeof (float);
}

static const char *const keys[] = { "n", "d", "nq", "metric", NULL };

const VlBenchWorkload vl_bench_workload_distance = {
  .name = "distance",
  .keys = keys,
  .count_key = "nq",
  .items_label = "pairs",
  .setup = distance_setup,
  .run = distance_run,
  .quality = distance_quality,
  .teardown = distance_teardown,
  .items = distance_items,
  .bytes = distance_bytes,
};

static const char *const metrics[] = { "l2", "ip", "cosine", NULL };

static const VlBenchParamSpec params[] = {
  { "n", VL_BENCH_PARAM_UINT, "10000", N_("database vectors"), 1, 10000000,
    NULL },
  { "d", VL_BENCH_PARAM_UINT, "768", N_("dimensions"), 1, 65536, NULL },
  { "nq", VL_BENCH_PARAM_UINT, "16,128", N_("query vectors"), 1, 100000, NULL },
  { "metric", VL_BENCH_PARAM_CHOICE, "l2",
    N_("score: l2 (squared), ip (inner product) or cosine"), 0, 0, metrics },
};

const VlBenchSuiteInfo vl_bench_suite_distance = {
  .name = "distance",
  .description = N_("the full queries x database score matrix"),
  .params = params,
  .n_params = G_N_ELEMENTS (params),
  .repetitions = 5,
  .warmups = 1,
  .workload = &vl_bench_workload_distance,
};
