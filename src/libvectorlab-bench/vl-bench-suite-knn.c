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
  VlBenchKnnData data;
  VlIndex       *index;
} KnnState;

void
vl_bench_knn_data_clear (VlBenchKnnData *s)
{
  g_clear_pointer (&s->database, g_free);
  g_clear_pointer (&s->queries, g_free);
  g_clear_pointer (&s->ids, g_free);
  g_clear_pointer (&s->scores, g_free);
}

gboolean
vl_bench_knn_data_init (VlBenchKnnData *s, const VlBenchCase *c,
                        GCancellable *cancellable, GError **error)
{
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
      return FALSE;
    }
  s->database = vl_bench_data_clustered (VL_BENCH_SEED, 1, s->n, s->d,
                                         cancellable, error);
  if (s->database == NULL)
    return FALSE;
  s->queries = vl_bench_data_clustered (VL_BENCH_SEED, 2, s->nq, s->d,
                                        cancellable, error);
  s->ids = g_try_new (gint64, s->nq * s->k);
  s->scores = g_try_new (float, s->nq * s->k);
  if (s->queries == NULL || s->ids == NULL || s->scores == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_FAILED,
                     _("%s: out of host memory for results"), c->name);
      return FALSE;
    }
  return TRUE;
}

static void
knn_teardown (gpointer data)
{
  KnnState *s = data;

  vl_index_free (s->index);
  vl_bench_knn_data_clear (&s->data);
  g_free (s);
}

static gpointer
knn_setup (VlContext *ctx, const VlBenchCase *c, GCancellable *cancellable,
           GError **error)
{
  KnnState *s = g_new0 (KnnState, 1);
  VlError *vl_error = NULL;
  VlMatrix db;

  if (!vl_bench_knn_data_init (&s->data, c, cancellable, error))
    {
      knn_teardown (s);
      return NULL;
    }
  db = vl_matrix_f32 (s->data.database, s->data.n, s->data.d);
  s->index = vl_index_new (ctx, s->data.metric, &db, &vl_error);
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
  VlMatrix q = vl_matrix_f32 (s->data.queries, s->data.nq, s->data.d);
  VlError *vl_error = NULL;

  if (vl_index_search (s->index, &q, s->data.k, s->data.ids, s->data.scores,
                       &vl_error) != VL_STATUS_OK)
    return vl_bench_propagate_vl_error (error, vl_error, "k-NN search");
  return TRUE;
}

gboolean
vl_bench_knn_data_recall (const VlBenchKnnData *s, VlBenchQuality *quality,
                          GError **error)
{
  gsize m = MIN (s->nq, RECALL_SAMPLE), hits = 0;
  const char *reference = vl_bench_reference_for ((double) s->n * s->d * m);
  g_autoptr(VlContext) ctx = vl_bench_context_new (reference, error);
  g_autofree float *sample = g_new (float, m * s->d);
  g_autofree gint64 *ids = g_new (gint64, m * s->k);
  g_autofree float *scores = g_new (float, m * s->k);
  g_autofree gsize *rows = g_new (gsize, m);
  VlMatrix q, db;
  VlError *vl_error = NULL;

  if (ctx == NULL)
    return FALSE;
  for (gsize i = 0; i < m; i++)
    {
      rows[i] = i * s->nq / m;
      memcpy (sample + i * s->d, s->queries + rows[i] * s->d,
              s->d * sizeof (float));
    }
  q = vl_matrix_f32 (sample, m, s->d);
  db = vl_matrix_f32 (s->database, s->n, s->d);
  if (vl_knn (ctx, s->metric, &q, &db, s->k, ids, scores, &vl_error)
      != VL_STATUS_OK)
    return vl_bench_propagate_vl_error (error, vl_error, "recall check");

  for (gsize i = 0; i < m; i++)
    for (gsize a = 0; a < s->k; a++)
      for (gsize b = 0; b < s->k; b++)
        if (s->ids[rows[i] * s->k + a] == ids[i * s->k + b])
          {
            hits++;
            break;
          }
  quality->recall = (double) hits / (double) (m * s->k);
  g_strlcpy (quality->reference, reference, sizeof quality->reference);
  quality->sampled = (guint) m;
  return TRUE;
}

static gboolean
knn_quality (gpointer data, VlBenchQuality *quality, GError **error)
{
  return vl_bench_knn_data_recall (&((KnnState *) data)->data, quality, error);
}

double
vl_bench_knn_items (const VlBenchCase *c)
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
  .items = vl_bench_knn_items,
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
