/* vl-bench-suite-attention.c: attention similarity, 128 queries against a
 * sweep of key counts (BENCHMARKS.md: d = 768, head dim 64, 1 and 12
 * heads).
 *
 * Keys are projected by Wk once in setup (the cached projected keys, as a
 * service holding a key set would); a timed run projects the queries by Wq
 * and ranks every key, top-k fused.  Items are query-key pairs, so the
 * throughput column reads pairs/s; the time per query is the median time
 * over nq.  Weights are uniform in +-1 / sqrt (d), seeded. */
#include "vl-bench-data.h"
#include "vl-bench-error.h"
#include "vl-bench-suite-private.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#define SAMPLE_QUERIES 4

typedef struct
{
  VlContext        *ctx;
  gsize             n, d, nq, k, heads, dh;
  float            *keys;
  float            *queries;
  float            *wq, *wk;
  VlWeights        *weights;
  VlAttentionIndex *index;
  gint64           *ids;
  float            *scores;
} AttentionState;

static void
attention_teardown (gpointer data)
{
  AttentionState *s = data;

  vl_attention_index_free (s->index);
  vl_weights_free (s->weights);
  g_free (s->keys);
  g_free (s->queries);
  g_free (s->wq);
  g_free (s->wk);
  g_free (s->ids);
  g_free (s->scores);
  g_free (s);
}

static float *
random_weights (guint32 seed, gsize rows, gsize d)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  float *w = g_new (float, rows * d);
  double bound = 1.0 / sqrt ((double) d);

  for (gsize i = 0; i < rows * d; i++)
    w[i] = (float) g_rand_double_range (rand, -bound, bound);
  return w;
}

/* Registers Wq and Wk on @ctx and indexes @keys. */
static VlAttentionIndex *
build_index (VlContext *ctx, const AttentionState *s, VlWeights **weights,
             GError **error)
{
  VlWeightsShape shape = vl_weights_shape_2d (s->heads * s->dh, s->d);
  VlMatrix km = vl_matrix_f32 (s->keys, s->n, s->d);
  VlAttentionIndex *index;
  VlError *vl_error = NULL;

  if ((*weights = vl_weights_new (ctx, &vl_error)) == NULL
      || vl_weights_set (*weights, "Wq", &shape, s->wq, &vl_error)
         != VL_STATUS_OK
      || vl_weights_set (*weights, "Wk", &shape, s->wk, &vl_error)
         != VL_STATUS_OK
      || (index = vl_attention_index_new (ctx, *weights, "Wq", "Wk",
                                          s->heads, &km, &vl_error)) == NULL)
    {
      vl_bench_propagate_vl_error (error, vl_error, "attention keys");
      return NULL;
    }
  return index;
}

static gpointer
attention_setup (VlContext *ctx, const VlBenchCase *c,
                 GCancellable *cancellable, GError **error)
{
  AttentionState *s = g_new0 (AttentionState, 1);

  s->ctx = ctx;
  s->n = vl_bench_case_get_size (c, "n");
  s->d = vl_bench_case_get_size (c, "d");
  s->nq = vl_bench_case_get_size (c, "nq");
  s->k = MIN (vl_bench_case_get_size (c, "k"), s->n);
  s->heads = vl_bench_case_get_size (c, "heads");
  s->dh = vl_bench_case_get_size (c, "dh");
  s->wq = random_weights (VL_BENCH_SEED + 1, s->heads * s->dh, s->d);
  s->wk = random_weights (VL_BENCH_SEED + 2, s->heads * s->dh, s->d);
  s->ids = g_try_new (gint64, s->nq * s->k);
  s->scores = g_try_new (float, s->nq * s->k);
  if ((s->keys = vl_bench_data_clustered (VL_BENCH_SEED, 1, s->n, s->d,
                                          cancellable, error)) == NULL
      || (s->queries = vl_bench_data_clustered (VL_BENCH_SEED, 2, s->nq, s->d,
                                                cancellable, error)) == NULL
      || (s->index = build_index (ctx, s, &s->weights, error)) == NULL)
    {
      attention_teardown (s);
      return NULL;
    }
  return s;
}

static gboolean
attention_run (gpointer data, GError **error)
{
  AttentionState *s = data;
  VlMatrix q = vl_matrix_f32 (s->queries, s->nq, s->d);
  VlError *vl_error = NULL;

  if (vl_attention_index_search (s->index, &q, s->k, (int64_t *) s->ids,
                                 s->scores, &vl_error) != VL_STATUS_OK)
    return vl_bench_propagate_vl_error (error, vl_error, "attention");
  return TRUE;
}

/* The first queries' top-k scores against a reference device's. */
static gboolean
attention_quality (gpointer data, VlBenchQuality *quality, GError **error)
{
  AttentionState *s = data;
  gsize m = MIN (s->nq, SAMPLE_QUERIES);
  const char *reference = vl_bench_reference_for (
    (double) s->n * s->d * s->heads * s->dh);
  g_autoptr(VlContext) ctx = vl_bench_context_new (reference, error);
  g_autofree gint64 *ids = NULL;
  g_autofree float *scores = NULL;
  VlWeights *weights = NULL;
  VlAttentionIndex *index;
  VlMatrix q;
  VlError *vl_error = NULL;
  gboolean ok;

  if (ctx == NULL || (index = build_index (ctx, s, &weights, error)) == NULL)
    {
      vl_weights_free (weights);
      return FALSE;
    }
  ids = g_new (gint64, m * s->k);
  scores = g_new (float, m * s->k);
  q = vl_matrix_f32 (s->queries, m, s->d);
  ok = vl_attention_index_search (index, &q, s->k, (int64_t *) ids, scores,
                                  &vl_error) == VL_STATUS_OK;
  vl_attention_index_free (index);
  vl_weights_free (weights);
  if (!ok)
    return vl_bench_propagate_vl_error (error, vl_error, "attention check");
  vl_bench_data_compare (s->scores, scores, m * s->k, quality);
  g_strlcpy (quality->reference, reference, sizeof quality->reference);
  quality->sampled = (guint) m;
  return TRUE;
}

static double
attention_items (const VlBenchCase *c)
{
  return (double) vl_bench_case_get_size (c, "nq")
         * (double) vl_bench_case_get_size (c, "n");
}

/* The projected keys read once per run, plus the queries. */
static double
attention_bytes (const VlBenchCase *c)
{
  double p = (double) vl_bench_case_get_size (c, "heads")
             * (double) vl_bench_case_get_size (c, "dh");

  return ((double) vl_bench_case_get_size (c, "n") * p
          + (double) vl_bench_case_get_size (c, "nq")
            * (double) vl_bench_case_get_size (c, "d")) * sizeof (float);
}

static const char *const keys[] = { "heads", "n", "d", "dh", "nq", "k", NULL };

static const VlBenchWorkload workload = {
  .name = "attention",
  .keys = keys,
  .count_key = "n",
  .items_label = "pairs",
  .setup = attention_setup,
  .run = attention_run,
  .quality = attention_quality,
  .teardown = attention_teardown,
  .items = attention_items,
  .bytes = attention_bytes,
};

static const VlBenchParamSpec params[] = {
  { "heads", VL_BENCH_PARAM_UINT, "1,12", N_("attention heads"), 1, 64, NULL },
  { "n", VL_BENCH_PARAM_UINT, "100,1000,10000,100000",
    N_("keys; the documents' full list is 100,1000,10000,100000,1000000 "
       "(1M keys x 12 heads holds 3 GB of projected keys)"), 1, 100000000,
    NULL },
  { "d", VL_BENCH_PARAM_UINT, "768", N_("dimensions"), 1, 65536, NULL },
  { "dh", VL_BENCH_PARAM_UINT, "64", N_("head dimension"), 1, 4096, NULL },
  { "nq", VL_BENCH_PARAM_UINT, "128", N_("queries"), 1, 100000, NULL },
  { "k", VL_BENCH_PARAM_UINT, "10", N_("best keys kept per query"), 1,
    VL_MAX_K, NULL },
};

const VlBenchSuiteInfo vl_bench_suite_attention = {
  .name = "attention",
  .description = N_("attention similarity (mean over heads of scaled q.k): "
                    "queries against cached projected keys, top-k"),
  .params = params,
  .n_params = G_N_ELEMENTS (params),
  .repetitions = 3,
  .warmups = 1,
  .workload = &workload,
};
