/* vl-bench-suite-sq-knn.c: exact k-NN over scalar-quantised codes (SQ8,
 * SQ4), the sq8 workload's scan.
 *
 * Setup trains the codec on the database, encodes it and indexes the codes
 * on the device, so a repetition times a search only, as knn does.  Recall
 * is against exact search of the float vectors (so it measures what the
 * quantisation loses). */
#include "vl-bench-data.h"
#include "vl-bench-error.h"
#include "vl-bench-suite-private.h"
#include "vl-sq.h"

#include <glib/gi18n-lib.h>

typedef struct
{
  gsize      n, d, nq, k;
  VlMetric   metric;
  float     *database;
  float     *queries;
  VlSqIndex *index;
  gint64    *ids;
  float     *scores;
} SqKnnState;

static void
sq_knn_teardown (gpointer data)
{
  SqKnnState *s = data;

  if (s->index != NULL)
    vl_sq_index_free (s->index);
  g_free (s->database);
  g_free (s->queries);
  g_free (s->ids);
  g_free (s->scores);
  g_free (s);
}

static gpointer
sq_knn_setup (VlContext *ctx, const VlBenchCase *c, GCancellable *cancellable,
              GError **error)
{
  SqKnnState *s = g_new0 (SqKnnState, 1);
  VlError *vl_error = NULL;
  VlSqCodec *codec = NULL;
  VlSqType type = VL_SQ_8;
  VlMatrix db;

  s->n = vl_bench_case_get_size (c, "n");
  s->d = vl_bench_case_get_size (c, "d");
  s->nq = vl_bench_case_get_size (c, "nq");
  s->k = vl_bench_case_get_size (c, "k");
  s->metric = vl_bench_case_get_metric (c);
  vl_sq_type_from_string (vl_bench_case_get (c, "type"), &type);

  if (s->k > s->n)
    {
      g_set_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_FAILED,
                   "%s: k = %" G_GSIZE_FORMAT " exceeds the database size "
                   "n = %" G_GSIZE_FORMAT, c->name, s->k, s->n);
      goto fail;
    }
  s->database = vl_bench_data_clustered (VL_BENCH_SEED, 1, s->n, s->d,
                                         cancellable, error);
  if (s->database == NULL)
    goto fail;
  s->queries = vl_bench_data_clustered (VL_BENCH_SEED, 2, s->nq, s->d,
                                        cancellable, error);
  s->ids = g_try_new (gint64, s->nq * s->k);
  s->scores = g_try_new (float, s->nq * s->k);
  if (s->queries == NULL || s->ids == NULL || s->scores == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_FAILED,
                     _("%s: out of host memory for results"), c->name);
      goto fail;
    }

  db = vl_matrix_f32 (s->database, s->n, s->d);
  if ((codec = vl_sq_train (ctx, type, &db, &vl_error)) == NULL
      || (s->index = vl_sq_index_new_from_floats (codec, s->metric, &db,
                                                  &vl_error)) == NULL)
    {
      vl_bench_propagate_vl_error (error, vl_error, c->name);
      goto fail;
    }
  vl_sq_codec_free (codec);
  return s;

fail:
  if (codec != NULL)
    vl_sq_codec_free (codec);
  sq_knn_teardown (s);
  return NULL;
}

static gboolean
sq_knn_run (gpointer data, GError **error)
{
  SqKnnState *s = data;
  VlMatrix q = vl_matrix_f32 (s->queries, s->nq, s->d);
  VlError *vl_error = NULL;

  if (vl_sq_index_search (s->index, &q, s->k, s->ids, s->scores, &vl_error)
      != VL_STATUS_OK)
    return vl_bench_propagate_vl_error (error, vl_error, "SQ k-NN search");
  return TRUE;
}

static gboolean
sq_knn_quality (gpointer data, VlBenchQuality *quality, GError **error)
{
  SqKnnState *s = data;

  return vl_bench_knn_recall (s->database, s->n, s->d, s->queries, s->nq,
                              s->k, s->metric, s->ids, quality, error);
}

static double
sq_knn_items (const VlBenchCase *c)
{
  return (double) vl_bench_case_get_size (c, "nq");
}

/* The scan reads the codes once per batch of queries. */
static double
sq_knn_bytes (const VlBenchCase *c)
{
  double d = (double) vl_bench_case_get_size (c, "d");
  double per_dim = g_strcmp0 (vl_bench_case_get (c, "type"), "sq4") == 0
                   ? 0.5 : 1.0;

  return (double) vl_bench_case_get_size (c, "n") * d * per_dim
         + (double) vl_bench_case_get_size (c, "nq") * d * sizeof (float);
}

static const char *const sq_knn_keys[] = { "type", "n", "d", "nq", "k",
                                           "metric", NULL };

const VlBenchWorkload vl_bench_workload_sq_knn = {
  .name = "sq-knn",
  .keys = sq_knn_keys,
  .count_key = "nq",
  .items_label = "queries",
  .setup = sq_knn_setup,
  .run = sq_knn_run,
  .quality = sq_knn_quality,
  .teardown = sq_knn_teardown,
  .items = sq_knn_items,
  .bytes = sq_knn_bytes,
};

static const char *const types[] = { "sq8", "sq4", NULL };
static const char *const metrics[] = { "l2", "ip", "cosine", NULL };

static const VlBenchParamSpec sq_knn_params[] = {
  { "type", VL_BENCH_PARAM_CHOICE, "sq8", N_("code: sq8 or sq4"), 0, 0,
    types },
  { "n", VL_BENCH_PARAM_UINT, "100000", N_("database vectors"), 1, 100000000,
    NULL },
  { "d", VL_BENCH_PARAM_UINT, "768", N_("dimensions"), 1, 65536, NULL },
  { "nq", VL_BENCH_PARAM_UINT, "1,16", N_("queries per search (batch)"),
    1, 1000000, NULL },
  { "k", VL_BENCH_PARAM_UINT, "10", N_("neighbours per query"), 1, VL_MAX_K,
    NULL },
  { "metric", VL_BENCH_PARAM_CHOICE, "ip",
    N_("score: l2 (squared), ip (inner product) or cosine"), 0, 0, metrics },
};

const VlBenchSuiteInfo vl_bench_suite_sq_knn = {
  .name = "sq-knn",
  .description = N_("exact k-NN over SQ8 or SQ4 codes decoded on the fly "
                    "(recall against float search)"),
  .params = sq_knn_params,
  .n_params = G_N_ELEMENTS (sq_knn_params),
  .repetitions = 5,
  .warmups = 1,
  .workload = &vl_bench_workload_sq_knn,
};
