/* vl-bench-suite-knn.c: exact k-NN search, the knn workload and suite.
 *
 * The index is built in setup, so a repetition times a search only: the
 * database upload is paid once, as in a serving system.  Recall is checked
 * on a few evenly spaced queries against an exact pass on "ref" when that
 * is cheap, else on "cpu" (the report names which). */
#include "vl-bench-data.h"
#include "vl-bench-error.h"
#include "vl-bench-suite-private.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#define RECALL_SAMPLE 8

typedef struct
{
  gsize     n, d, nq, k;
  VlMetric  metric;
  float    *database;
  float    *queries;
  VlIndex  *index;
  gint64   *ids;
  float    *scores;
} KnnState;

static void
knn_teardown (gpointer data)
{
  KnnState *s = data;

  vl_index_free (s->index);
  g_free (s->database);
  g_free (s->queries);
  g_free (s->ids);
  g_free (s->scores);
  g_free (s);
}

static gpointer
knn_setup (VlContext *ctx, const VlBenchCase *c, GCancellable *cancellable,
           GError **error)
{
  KnnState *s = g_new0 (KnnState, 1);
  VlError *vl_error = NULL;
  VlMatrix db;

  s->n = vl_bench_case_get_size (c, "n");
  s->d = vl_bench_case_get_size (c, "d");
  s->nq = vl_bench_case_get_size (c, "nq");
  s->k = vl_bench_case_get_size (c, "k");
  s->metric = vl_bench_case_get_metric (c);

  if (s->k > s->n)
    {
      g_set_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_FAILED,
                   "%s: k = %" G_GSIZE_FORMAT " exceeds the database size "
                   "n = %" G_GSIZE_FORMAT, c->name, s->k, s->n);
      knn_teardown (s);
      return NULL;
    }
  s->database = vl_bench_data_clustered (VL_BENCH_SEED, 1, s->n, s->d,
                                         cancellable, error);
  if (s->database == NULL)
    {
      knn_teardown (s);
      return NULL;
    }
  s->queries = vl_bench_data_clustered (VL_BENCH_SEED, 2, s->nq, s->d,
                                        cancellable, error);
  s->ids = g_try_new (gint64, s->nq * s->k);
  s->scores = g_try_new (float, s->nq * s->k);
  if (s->queries == NULL || s->ids == NULL || s->scores == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_FAILED,
                     _("%s: out of host memory for results"), c->name);
      knn_teardown (s);
      return NULL;
    }

  db = vl_matrix_f32 (s->database, s->n, s->d);
  s->index = vl_index_new (ctx, s->metric, &db, &vl_error);
  if (s->index == NULL)
    {
      vl_bench_propagate_vl_error (error, vl_error, c->name);
      knn_teardown (s);
      return NULL;
    }
  return s;
}

static gboolean
knn_run (gpointer data, GError **error)
{
  KnnState *s = data;
  VlMatrix q = vl_matrix_f32 (s->queries, s->nq, s->d);
  VlError *vl_error = NULL;

  if (vl_index_search (s->index, &q, s->k, s->ids, s->scores, &vl_error)
      != VL_STATUS_OK)
    return vl_bench_propagate_vl_error (error, vl_error, "k-NN search");
  return TRUE;
}

gboolean
vl_bench_knn_recall (const float *database, gsize n, gsize d,
                     const float *queries, gsize nq, gsize k, VlMetric metric,
                     const gint64 *found, VlBenchQuality *quality,
                     GError **error)
{
  gsize m = MIN (nq, RECALL_SAMPLE), hits = 0;
  const char *reference = vl_bench_reference_for ((double) n * d * m);
  g_autoptr(VlContext) ctx = vl_bench_context_new (reference, error);
  g_autofree float *sample = g_new (float, m * d);
  g_autofree gint64 *ids = g_new (gint64, m * k);
  g_autofree float *scores = g_new (float, m * k);
  g_autofree gsize *rows = g_new (gsize, m);
  VlMatrix q, db;
  VlError *vl_error = NULL;

  if (ctx == NULL)
    return FALSE;
  for (gsize i = 0; i < m; i++)
    {
      rows[i] = i * nq / m;
      memcpy (sample + i * d, queries + rows[i] * d, d * sizeof (float));
    }
  q = vl_matrix_f32 (sample, m, d);
  db = vl_matrix_f32 ((float *) database, n, d);
  if (vl_knn (ctx, metric, &q, &db, k, ids, scores, &vl_error)
      != VL_STATUS_OK)
    return vl_bench_propagate_vl_error (error, vl_error, "recall check");

  for (gsize i = 0; i < m; i++)
    for (gsize a = 0; a < k; a++)
      for (gsize b = 0; b < k; b++)
        if (found[rows[i] * k + a] == ids[i * k + b])
          {
            hits++;
            break;
          }
  quality->recall = (double) hits / (double) (m * k);
  g_strlcpy (quality->reference, reference, sizeof quality->reference);
  quality->sampled = (guint) m;
  return TRUE;
}

static gboolean
knn_quality (gpointer data, VlBenchQuality *quality, GError **error)
{
  KnnState *s = data;

  return vl_bench_knn_recall (s->database, s->n, s->d, s->queries, s->nq,
                              s->k, s->metric, s->ids, quality, error);
}

static double
knn_items (const VlBenchCase *c)
{
  return (double) vl_bench_case_get_size (c, "nq");
}

/* A flat scan reads the database once per batch of queries. */
static double
knn_bytes (const VlBenchCase *c)
{
  double d = (double) vl_bench_case_get_size (c, "d");

  return ((double) vl_bench_case_get_size (c, "n")
          + (double) vl_bench_case_get_size (c, "nq")) * d * sizeof (float);
}

static const char *const knn_keys[] = { "n", "d", "nq", "k", "metric", NULL };

const VlBenchWorkload vl_bench_workload_knn = {
  .name = "knn",
  .keys = knn_keys,
  .count_key = "nq",
  .items_label = "queries",
  .setup = knn_setup,
  .run = knn_run,
  .quality = knn_quality,
  .teardown = knn_teardown,
  .items = knn_items,
  .bytes = knn_bytes,
};

static const char *const metrics[] = { "l2", "ip", "cosine", NULL };

#define PARAM_N(def) \
  { "n", VL_BENCH_PARAM_UINT, def, N_("database vectors"), 1, 100000000, \
    NULL }
#define PARAM_D \
  { "d", VL_BENCH_PARAM_UINT, "768", N_("dimensions"), 1, 65536, NULL }
#define PARAM_K \
  { "k", VL_BENCH_PARAM_UINT, "10", N_("neighbours per query"), 1, VL_MAX_K, \
    NULL }
#define PARAM_METRIC \
  { "metric", VL_BENCH_PARAM_CHOICE, "ip", \
    N_("score: l2 (squared), ip (inner product) or cosine"), 0, 0, metrics }

static const VlBenchParamSpec knn_params[] = {
  PARAM_N ("100000"),
  PARAM_D,
  { "nq", VL_BENCH_PARAM_UINT, "1,16,128", N_("queries per search (batch)"),
    1, 1000000, NULL },
  PARAM_K,
  PARAM_METRIC,
};

const VlBenchSuiteInfo vl_bench_suite_knn = {
  .name = "knn",
  .description = N_("exact k-NN search with fused top-k; a comma list in any "
                    "parameter sweeps it"),
  .params = knn_params,
  .n_params = G_N_ELEMENTS (knn_params),
  .repetitions = 5,
  .warmups = 1,
  .workload = &vl_bench_workload_knn,
};

/* The scenarios fix the batch size and keep the rest of knn's parameters. */
const VlBenchParamSpec
  vl_bench_knn_scenario_params[VL_BENCH_KNN_SCENARIO_N_PARAMS] = {
  PARAM_N ("100000"),
  PARAM_D,
  PARAM_K,
  PARAM_METRIC,
};
