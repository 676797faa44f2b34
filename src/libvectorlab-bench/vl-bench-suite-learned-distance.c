/* vl-bench-suite-learned-distance.c: k-NN through a learned projection
 * (d -> p) against plain k-NN on the same data (BENCHMARKS.md: projected L2
 * 768 -> 128 vs plain L2).  The founding documents ask the projected path
 * for at least 90 % of the plain path's queries/s.
 *
 * Modes: "plain" searches the original vectors; "projected" searches the
 * database projected once in setup (the cache a service keeps), projecting
 * only the queries in the timed run; "uncached" projects the whole
 * database, indexes it and searches inside every run, as a service without
 * the cache would.  Items are queries.  The projection is uniform in
 * +-1 / sqrt (d), seeded.
 *
 * Learned distances sit behind the experimental-ML switch, off by default
 * as in VlLearnedSearch: with experimental-ml=off every mode falls back to
 * plain search, and the case's "path" key says which search ran. */
#include "vl-bench-data.h"
#include "vl-bench-error.h"
#include "vl-bench-suite-private.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#define SAMPLE_QUERIES 4

typedef enum
{
  MODE_PLAIN,
  MODE_PROJECTED,
  MODE_UNCACHED,
} Mode;

typedef struct
{
  VlContext   *ctx;
  Mode         mode;
  VlMetric     metric;
  gsize        n, d, p, nq, k;
  float       *database;
  float       *queries;
  float       *projection;
  VlWeights   *weights;
  VlIndex     *plain;
  VlProjIndex *projected;
  gint64      *ids;
  float       *scores;
} LearnedState;

static void
learned_teardown (gpointer data)
{
  LearnedState *s = data;

  vl_index_free (s->plain);
  vl_proj_index_free (s->projected);
  vl_weights_free (s->weights);
  g_free (s->database);
  g_free (s->queries);
  g_free (s->projection);
  g_free (s->ids);
  g_free (s->scores);
  g_free (s);
}

static VlWeights *
register_projection (VlContext *ctx, const LearnedState *s, GError **error)
{
  VlWeightsShape shape = vl_weights_shape_2d (s->p, s->d);
  VlError *vl_error = NULL;
  VlWeights *weights = vl_weights_new (ctx, &vl_error);

  if (weights == NULL
      || vl_weights_set (weights, "P", &shape, s->projection, &vl_error)
         != VL_STATUS_OK)
    {
      vl_weights_free (weights);
      vl_bench_propagate_vl_error (error, vl_error, "projection");
      return NULL;
    }
  return weights;
}

/* The index @mode searches, on @ctx. */
static gboolean
build (VlContext *ctx, LearnedState *s, Mode mode, VlWeights *weights,
       VlIndex **plain, VlProjIndex **projected, GError **error)
{
  VlMatrix db = vl_matrix_f32 (s->database, s->n, s->d);
  VlError *vl_error = NULL;

  if (mode == MODE_PLAIN)
    *plain = vl_index_new (ctx, s->metric, &db, &vl_error);
  else
    *projected = vl_proj_index_new (ctx, s->metric, weights, "P", &db,
                                    &vl_error);
  if (*plain == NULL && *projected == NULL)
    return vl_bench_propagate_vl_error (error, vl_error, "index");
  return TRUE;
}

static gboolean
search (LearnedState *s, VlIndex *plain, VlProjIndex *projected, gsize nq,
        gint64 *ids, float *scores, GError **error)
{
  VlMatrix q = vl_matrix_f32 (s->queries, nq, s->d);
  VlError *vl_error = NULL;
  VlStatus status = plain != NULL
    ? vl_index_search (plain, &q, s->k, (int64_t *) ids, scores, &vl_error)
    : vl_proj_index_search (projected, &q, s->k, (int64_t *) ids, scores,
                            &vl_error);

  if (status != VL_STATUS_OK)
    return vl_bench_propagate_vl_error (error, vl_error, "search");
  return TRUE;
}

static gpointer
learned_setup (VlContext *ctx, const VlBenchCase *c,
               GCancellable *cancellable, GError **error)
{
  LearnedState *s = g_new0 (LearnedState, 1);
  const char *mode = vl_bench_case_get (c, "mode");
  g_autoptr(GRand) rand = g_rand_new_with_seed (VL_BENCH_SEED + 3);
  double bound;

  s->ctx = ctx;
  s->mode = g_str_equal (vl_bench_case_get (c, "path"), "plain") ? MODE_PLAIN
            : g_str_equal (mode, "projected") ? MODE_PROJECTED
            : MODE_UNCACHED;
  s->metric = vl_bench_case_get_metric (c);
  s->n = vl_bench_case_get_size (c, "n");
  s->d = vl_bench_case_get_size (c, "d");
  s->p = vl_bench_case_get_size (c, "p");
  s->nq = vl_bench_case_get_size (c, "nq");
  s->k = MIN (vl_bench_case_get_size (c, "k"), s->n);
  bound = 1.0 / sqrt ((double) s->d);
  s->projection = g_new (float, s->p * s->d);
  for (gsize i = 0; i < s->p * s->d; i++)
    s->projection[i] = (float) g_rand_double_range (rand, -bound, bound);
  s->ids = g_new (gint64, s->nq * s->k);
  s->scores = g_new (float, s->nq * s->k);
  if ((s->database = vl_bench_data_clustered (VL_BENCH_SEED, 1, s->n, s->d,
                                              cancellable, error)) == NULL
      || (s->queries = vl_bench_data_clustered (VL_BENCH_SEED, 2, s->nq, s->d,
                                                cancellable, error)) == NULL
      || (s->weights = register_projection (ctx, s, error)) == NULL
      || (s->mode != MODE_UNCACHED
          && !build (ctx, s, s->mode, s->weights, &s->plain, &s->projected,
                     error)))
    {
      learned_teardown (s);
      return NULL;
    }
  return s;
}

static gboolean
learned_run (gpointer data, GError **error)
{
  LearnedState *s = data;
  VlIndex *plain = NULL;
  VlProjIndex *projected = NULL;
  gboolean ok;

  if (s->mode != MODE_UNCACHED)
    return search (s, s->plain, s->projected, s->nq, s->ids, s->scores,
                   error);
  if (!build (s->ctx, s, MODE_UNCACHED, s->weights, &plain, &projected,
              error))
    return FALSE;
  ok = search (s, NULL, projected, s->nq, s->ids, s->scores, error);
  vl_proj_index_free (projected);
  return ok;
}

/* The first queries' top-k scores against a reference device's. */
static gboolean
learned_quality (gpointer data, VlBenchQuality *quality, GError **error)
{
  LearnedState *s = data;
  gsize m = MIN (s->nq, SAMPLE_QUERIES);
  const char *reference = vl_bench_reference_for (
    (double) s->n * s->d * (s->mode == MODE_PLAIN ? m : s->p));
  g_autoptr(VlContext) ctx = vl_bench_context_new (reference, error);
  g_autofree gint64 *ids = NULL;
  g_autofree float *scores = NULL;
  VlWeights *weights = NULL;
  VlIndex *plain = NULL;
  VlProjIndex *projected = NULL;
  gboolean ok;

  if (ctx == NULL || (weights = register_projection (ctx, s, error)) == NULL)
    return FALSE;
  ids = g_new (gint64, m * s->k);
  scores = g_new (float, m * s->k);
  ok = build (ctx, s, s->mode, weights, &plain, &projected, error)
       && search (s, plain, projected, m, ids, scores, error);
  vl_index_free (plain);
  vl_proj_index_free (projected);
  vl_weights_free (weights);
  if (!ok)
    return FALSE;
  vl_bench_data_compare (s->scores, scores, m * s->k, quality);
  g_strlcpy (quality->reference, reference, sizeof quality->reference);
  quality->sampled = (guint) m;
  return TRUE;
}

static double
learned_items (const VlBenchCase *c)
{
  return (double) vl_bench_case_get_size (c, "nq");
}

/* The database scanned: projected rows, or the original ones for plain
 * and for the projection of the uncached mode. */
static double
learned_bytes (const VlBenchCase *c)
{
  const char *mode = vl_bench_case_get (c, "mode");
  double n = (double) vl_bench_case_get_size (c, "n");

  if (g_str_equal (vl_bench_case_get (c, "path"), "plain"))
    mode = "plain";
  double d = (double) vl_bench_case_get_size (c, "d");
  double p = (double) vl_bench_case_get_size (c, "p");

  if (g_str_equal (mode, "plain"))
    return n * d * sizeof (float);
  if (g_str_equal (mode, "projected"))
    return n * p * sizeof (float);
  return n * (d + p) * sizeof (float);
}

static const char *const keys[] = { "mode", "n", "d", "p", "nq", "k",
                                    "metric", "experimental-ml", "path",
                                    NULL };

static const VlBenchWorkload workload = {
  .name = "learned-distance",
  .keys = keys,
  .count_key = "n",
  .items_label = "queries",
  .setup = learned_setup,
  .run = learned_run,
  .quality = learned_quality,
  .teardown = learned_teardown,
  .items = learned_items,
  .bytes = learned_bytes,
};

static const char *const modes[] = { "plain", "projected", "uncached", NULL };
static const char *const metrics[] = { "l2", "ip", "cosine", NULL };
static const char *const switch_values[] = { "off", "on", NULL };

/* The parameters as given, and "path": the search that runs. */
static void
learned_expand (const VlBenchSuiteInfo *info, GHashTable *values,
                guint repetitions, guint warmups, GPtrArray *cases)
{
  const char *ordered[G_N_ELEMENTS (keys)];
  gboolean projected;

  projected = g_str_equal (g_hash_table_lookup (values, "experimental-ml"),
                           "on")
              && !g_str_equal (g_hash_table_lookup (values, "mode"), "plain");
  for (guint i = 0; keys[i] != NULL; i++)
    ordered[i] = g_str_equal (keys[i], "path")
                   ? (projected ? "projected" : "plain")
                   : g_hash_table_lookup (values, keys[i]);
  ordered[G_N_ELEMENTS (keys) - 1] = NULL;
  g_ptr_array_add (cases, vl_bench_case_new (info->workload, ordered,
                                             repetitions, warmups,
                                             info->with_p99));
}

static const VlBenchParamSpec params[] = {
  { "mode", VL_BENCH_PARAM_CHOICE, "plain,projected,uncached",
    N_("plain (original vectors), projected (database projected once, "
       "cached) or uncached (projected in every run)"), 0, 0, modes },
  { "n", VL_BENCH_PARAM_UINT, "10000,100000",
    N_("database vectors (BENCHMARKS.md: the knn sizes, 100000 on the cpu "
       "and 1000000 on a GPU)"), 1, 10000000, NULL },
  { "d", VL_BENCH_PARAM_UINT, "768", N_("dimensions"), 1, 65536, NULL },
  { "p", VL_BENCH_PARAM_UINT, "128", N_("projected dimensions"), 1, 65536,
    NULL },
  { "nq", VL_BENCH_PARAM_UINT, "16", N_("query vectors"), 1, 100000, NULL },
  { "k", VL_BENCH_PARAM_UINT, "10", N_("neighbours"), 1, VL_MAX_K, NULL },
  { "metric", VL_BENCH_PARAM_CHOICE, "l2",
    N_("score: l2 (squared), ip or cosine"), 0, 0, metrics },
  { "experimental-ml", VL_BENCH_PARAM_CHOICE, "off",
    N_("on runs the learned projection; off (the default) falls back to "
       "plain search in every mode, and the case's path says so"), 0, 0,
    switch_values },
};

const VlBenchSuiteInfo vl_bench_suite_learned_distance = {
  .name = "learned-distance",
  .description = N_("k-NN through a learned projection against plain k-NN on "
                    "the same data, with and without the cached projection"),
  .params = params,
  .n_params = G_N_ELEMENTS (params),
  .repetitions = 3,
  .warmups = 1,
  .workload = &workload,
  .expand = learned_expand,
};
