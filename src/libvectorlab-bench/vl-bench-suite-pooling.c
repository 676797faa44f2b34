/* vl-bench-suite-pooling.c: mean and attention-weighted pooling of token
 * embeddings.  Sequences are padded: each has a seeded length between half
 * and all of seq, as a batch of real sentences would. */
#include "vl-bench-data.h"
#include "vl-bench-error.h"
#include "vl-bench-suite-private.h"

#include <glib/gi18n-lib.h>

#define SAMPLE_SEQUENCES 4

typedef struct
{
  VlContext *ctx;
  gsize      batch, seq, d;
  gboolean   attention;
  float     *tokens;
  guint8    *mask;
  float     *w;
  float     *out;
} PoolingState;

static void
pooling_teardown (gpointer data)
{
  PoolingState *s = data;

  g_free (s->tokens);
  g_free (s->mask);
  g_free (s->w);
  g_free (s->out);
  g_free (s);
}

static gpointer
pooling_setup (VlContext *ctx, const VlBenchCase *c,
               GCancellable *cancellable, GError **error)
{
  PoolingState *s = g_new0 (PoolingState, 1);
  g_autoptr(GRand) rand = g_rand_new_with_seed (VL_BENCH_SEED);

  s->ctx = ctx;
  s->batch = vl_bench_case_get_size (c, "batch");
  s->seq = vl_bench_case_get_size (c, "seq");
  s->d = vl_bench_case_get_size (c, "d");
  s->attention = g_str_equal (vl_bench_case_get (c, "mode"), "attention");
  if ((s->tokens = vl_bench_data_clustered (VL_BENCH_SEED, 1,
                                            s->batch * s->seq, s->d,
                                            cancellable, error)) == NULL
      || (s->w = vl_bench_data_uniform (VL_BENCH_SEED + 3, s->d, NULL,
                                        error)) == NULL)
    {
      pooling_teardown (s);
      return NULL;
    }
  s->mask = g_try_malloc (s->batch * s->seq);
  s->out = g_try_new (float, s->batch * s->d);
  if (s->mask == NULL || s->out == NULL)
    {
      g_set_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_FAILED,
                   _("%s: out of host memory"), c->name);
      pooling_teardown (s);
      return NULL;
    }
  for (gsize b = 0; b < s->batch; b++)
    {
      gsize len = (gsize) g_rand_int_range (rand, (gint32) (s->seq + 1) / 2,
                                            (gint32) s->seq + 1);

      for (gsize t = 0; t < s->seq; t++)
        s->mask[b * s->seq + t] = t < len;
    }
  return s;
}

static VlStatus
pool (PoolingState *s, VlContext *ctx, gsize batch, float *out,
      VlError **vl_error)
{
  VlMatrix tokens = vl_matrix_f32 (s->tokens, batch * s->seq, s->d);
  VlMatrix result = vl_matrix_f32 (out, batch, s->d);

  if (s->attention)
    return vl_pool_attention (ctx, &tokens, s->seq, s->mask, s->w, &result,
                              vl_error);
  return vl_pool_mean (ctx, &tokens, s->seq, s->mask, &result, vl_error);
}

static gboolean
pooling_run (gpointer data, GError **error)
{
  PoolingState *s = data;
  VlError *vl_error = NULL;

  if (pool (s, s->ctx, s->batch, s->out, &vl_error) != VL_STATUS_OK)
    return vl_bench_propagate_vl_error (error, vl_error, "pooling");
  return TRUE;
}

static gboolean
pooling_quality (gpointer data, VlBenchQuality *quality, GError **error)
{
  PoolingState *s = data;
  gsize m = MIN (s->batch, SAMPLE_SEQUENCES);
  g_autoptr(VlContext) ctx = vl_bench_context_new ("ref", error);
  g_autofree float *expected = NULL;
  VlError *vl_error = NULL;

  if (ctx == NULL)
    return FALSE;
  expected = g_new (float, m * s->d);
  if (pool (s, ctx, m, expected, &vl_error) != VL_STATUS_OK)
    return vl_bench_propagate_vl_error (error, vl_error, "pooling check");
  vl_bench_data_compare (s->out, expected, m * s->d, quality);
  g_strlcpy (quality->reference, "ref", sizeof quality->reference);
  quality->sampled = (guint) m;
  return TRUE;
}

static double
pooling_items (const VlBenchCase *c)
{
  return (double) vl_bench_case_get_size (c, "batch");
}

static double
pooling_bytes (const VlBenchCase *c)
{
  double batch = (double) vl_bench_case_get_size (c, "batch");
  double seq = (double) vl_bench_case_get_size (c, "seq");
  double d = (double) vl_bench_case_get_size (c, "d");

  return batch * seq * (d * sizeof (float) + 1) + batch * d * sizeof (float);
}

static const char *const keys[] = { "batch", "seq", "d", "mode", NULL };

const VlBenchWorkload vl_bench_workload_pooling = {
  .name = "pooling",
  .keys = keys,
  .count_key = "batch",
  .items_label = "sequences",
  .setup = pooling_setup,
  .run = pooling_run,
  .quality = pooling_quality,
  .teardown = pooling_teardown,
  .items = pooling_items,
  .bytes = pooling_bytes,
};

static const char *const modes[] = { "mean", "attention", NULL };

static const VlBenchParamSpec params[] = {
  { "batch", VL_BENCH_PARAM_UINT, "16,128", N_("sequences"), 1, 1000000, NULL },
  { "seq", VL_BENCH_PARAM_UINT, "128", N_("tokens per sequence (padded)"), 1,
    65536, NULL },
  { "d", VL_BENCH_PARAM_UINT, "768", N_("dimensions"), 1, 65536, NULL },
  { "mode", VL_BENCH_PARAM_CHOICE, "mean,attention",
    N_("mean, or attention-weighted (softmax of token . w)"), 0, 0, modes },
};

const VlBenchSuiteInfo vl_bench_suite_pooling = {
  .name = "pooling",
  .description = N_("masked mean and attention pooling of token embeddings"),
  .params = params,
  .n_params = G_N_ELEMENTS (params),
  .repetitions = 5,
  .warmups = 1,
  .workload = &vl_bench_workload_pooling,
};
