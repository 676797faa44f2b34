/* vl-bench-suite-normalize.c: row L2-normalisation.  It writes to a second
 * buffer so that every repetition sees the same, unnormalised input. */
#include "vl-bench-data.h"
#include "vl-bench-error.h"
#include "vl-bench-suite-private.h"

#include <glib/gi18n-lib.h>

#define SAMPLE_ROWS 256

typedef struct
{
  VlContext *ctx;
  gsize      n, d;
  float     *in;
  float     *out;
} NormalizeState;

static void
normalize_teardown (gpointer data)
{
  NormalizeState *s = data;

  g_free (s->in);
  g_free (s->out);
  g_free (s);
}

static gpointer
normalize_setup (VlContext *ctx, const VlBenchCase *c,
                 GCancellable *cancellable, GError **error)
{
  NormalizeState *s = g_new0 (NormalizeState, 1);

  s->ctx = ctx;
  s->n = vl_bench_case_get_size (c, "n");
  s->d = vl_bench_case_get_size (c, "d");
  if ((s->in = vl_bench_data_clustered (VL_BENCH_SEED, 1, s->n, s->d,
                                        cancellable, error)) == NULL)
    {
      normalize_teardown (s);
      return NULL;
    }
  if ((s->out = g_try_new (float, s->n * s->d)) == NULL)
    {
      g_set_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_FAILED,
                   _("%s: out of host memory for the result"), c->name);
      normalize_teardown (s);
      return NULL;
    }
  return s;
}

static gboolean
normalize_run (gpointer data, GError **error)
{
  NormalizeState *s = data;
  VlMatrix in = vl_matrix_f32 (s->in, s->n, s->d);
  VlMatrix out = vl_matrix_f32 (s->out, s->n, s->d);
  VlError *vl_error = NULL;

  if (vl_normalize_rows (s->ctx, &in, &out, &vl_error) != VL_STATUS_OK)
    return vl_bench_propagate_vl_error (error, vl_error, "normalize");
  return TRUE;
}

static gboolean
normalize_quality (gpointer data, VlBenchQuality *quality, GError **error)
{
  NormalizeState *s = data;
  gsize m = MIN (s->n, SAMPLE_ROWS);
  g_autoptr(VlContext) ctx = vl_bench_context_new ("ref", error);
  g_autofree float *expected = NULL;
  VlMatrix in, out;
  VlError *vl_error = NULL;

  if (ctx == NULL)
    return FALSE;
  expected = g_new (float, m * s->d);
  in = vl_matrix_f32 (s->in, m, s->d);
  out = vl_matrix_f32 (expected, m, s->d);
  if (vl_normalize_rows (ctx, &in, &out, &vl_error) != VL_STATUS_OK)
    return vl_bench_propagate_vl_error (error, vl_error, "normalize check");
  vl_bench_data_compare (s->out, expected, m * s->d, quality);
  g_strlcpy (quality->reference, "ref", sizeof quality->reference);
  quality->sampled = (guint) m;
  return TRUE;
}

static double
normalize_items (const VlBenchCase *c)
{
  return (double) vl_bench_case_get_size (c, "n");
}

static double
normalize_bytes (const VlBenchCase *c)
{
  return 2.0 * (double) vl_bench_case_get_size (c, "n")
         * (double) vl_bench_case_get_size (c, "d") * sizeof (float);
}

static const char *const keys[] = { "n", "d", NULL };

const VlBenchWorkload vl_bench_workload_normalize = {
  .name = "normalize",
  .keys = keys,
  .count_key = "n",
  .items_label = "vectors",
  .setup = normalize_setup,
  .run = normalize_run,
  .quality = normalize_quality,
  .teardown = normalize_teardown,
  .items = normalize_items,
  .bytes = normalize_bytes,
};

static const VlBenchParamSpec params[] = {
  { "n", VL_BENCH_PARAM_UINT, "10000,100000", N_("vectors"), 1, 100000000,
    NULL },
  { "d", VL_BENCH_PARAM_UINT, "768", N_("dimensions"), 1, 65536, NULL },
};

const VlBenchSuiteInfo vl_bench_suite_normalize = {
  .name = "normalize",
  .description = N_("L2-normalise each of n vectors"),
  .params = params,
  .n_params = G_N_ELEMENTS (params),
  .repetitions = 5,
  .warmups = 1,
  .workload = &vl_bench_workload_normalize,
};
