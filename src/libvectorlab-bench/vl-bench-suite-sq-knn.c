/* vl-bench-suite-sq-knn.c: exact k-NN over scalar-quantised codes (SQ8,
 * SQ4), the sq8 workload's scan.
 *
 * Setup trains the codec on the database, encodes it and indexes the codes
 * on the device, so a repetition times a search only, as knn does.  Recall
 * is against exact search of the float vectors (so it measures what the
 * quantisation loses). */
#include "vl-bench-error.h"
#include "vl-bench-suite-private.h"
#include "vl-sq.h"

#include <glib/gi18n-lib.h>

typedef struct
{
  VlBenchKnnData data;
  VlSqIndex     *index;
} SqKnnState;

static void
sq_knn_teardown (gpointer data)
{
  SqKnnState *s = data;

  if (s->index != NULL)
    vl_sq_index_free (s->index);
  vl_bench_knn_data_clear (&s->data);
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

  vl_sq_type_from_string (vl_bench_case_get (c, "type"), &type);
  if (!vl_bench_knn_data_init (&s->data, c, cancellable, error))
    {
      sq_knn_teardown (s);
      return NULL;
    }
  db = vl_matrix_f32 (s->data.database, s->data.n, s->data.d);
  if ((codec = vl_sq_train (ctx, type, &db, &vl_error)) == NULL
      || (s->index = vl_sq_index_new_from_floats (codec, s->data.metric, &db,
                                                  &vl_error)) == NULL)
    {
      vl_bench_propagate_vl_error (error, vl_error, c->name);
      if (codec != NULL)
        vl_sq_codec_free (codec);
      sq_knn_teardown (s);
      return NULL;
    }
  vl_sq_codec_free (codec);
  return s;
}

static gboolean
sq_knn_run (gpointer data, GError **error)
{
  SqKnnState *s = data;
  VlMatrix q = vl_matrix_f32 (s->data.queries, s->data.nq, s->data.d);
  VlError *vl_error = NULL;

  if (vl_sq_index_search (s->index, &q, s->data.k, s->data.ids,
                          s->data.scores, &vl_error) != VL_STATUS_OK)
    return vl_bench_propagate_vl_error (error, vl_error, "SQ k-NN search");
  return TRUE;
}

static gboolean
sq_knn_quality (gpointer data, VlBenchQuality *quality, GError **error)
{
  return vl_bench_knn_data_recall (&((SqKnnState *) data)->data, quality,
                                   error);
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
  .items = vl_bench_knn_items,
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
