/* vl-bench-suite-similarity.c: the pairwise cosine similarity matrix. */
#include "vl-bench-data.h"
#include "vl-bench-error.h"
#include "vl-bench-suite-private.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#define SAMPLE_ROWS 64

typedef struct
{
  VlContext *ctx;
  gsize      n, d;
  float     *x;
  float     *out;
} SimilarityState;

static void
similarity_teardown (gpointer data)
{
  SimilarityState *s = data;

  g_free (s->x);
  g_free (s->out);
  g_free (s);
}

static gpointer
similarity_setup (VlContext *ctx, const VlBenchCase *c,
                  GCancellable *cancellable, GError **error)
{
  SimilarityState *s = g_new0 (SimilarityState, 1);

  s->ctx = ctx;
  s->n = vl_bench_case_get_size (c, "n");
  s->d = vl_bench_case_get_size (c, "d");
  if ((s->x = vl_bench_data_clustered (VL_BENCH_SEED, 1, s->n, s->d,
                                       cancellable, error)) == NULL)
    {
      similarity_teardown (s);
      return NULL;
    }
  if ((s->out = g_try_new (float, s->n * s->n)) == NULL)
    {
      g_set_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_FAILED,
                   "%s: out of host memory for the %" G_GSIZE_FORMAT
                   " x %" G_GSIZE_FORMAT " result", c->name, s->n, s->n);
      similarity_teardown (s);
      return NULL;
    }
  return s;
}

static gboolean
similarity_run (gpointer data, GError **error)
{
  SimilarityState *s = data;
  VlMatrix x = vl_matrix_f32 (s->x, s->n, s->d);
  VlMatrix out = vl_matrix_f32 (s->out, s->n, s->n);
  VlError *vl_error = NULL;

  if (vl_similarity_matrix (s->ctx, &x, &out, &vl_error) != VL_STATUS_OK)
    return vl_bench_propagate_vl_error (error, vl_error,
                                        "similarity matrix");
  return TRUE;
}

/* The similarities among the first rows are the top-left block of the
 * result, so the reference only computes that block. */
static gboolean
similarity_quality (gpointer data, VlBenchQuality *quality, GError **error)
{
  SimilarityState *s = data;
  gsize m = MIN (s->n, SAMPLE_ROWS);
  const char *reference = vl_bench_reference_for ((double) m * m * s->d);
  g_autoptr(VlContext) ctx = vl_bench_context_new (reference, error);
  g_autofree float *expected = NULL;
  g_autofree float *block = NULL;
  VlMatrix x, out;
  VlError *vl_error = NULL;

  if (ctx == NULL)
    return FALSE;
  expected = g_new (float, m * m);
  block = g_new (float, m * m);
  x = vl_matrix_f32 (s->x, m, s->d);
  out = vl_matrix_f32 (expected, m, m);
  if (vl_similarity_matrix (ctx, &x, &out, &vl_error) != VL_STATUS_OK)
    return vl_bench_propagate_vl_error (error, vl_error, "similarity check");
  for (gsize i = 0; i < m; i++)
    memcpy (block + i * m, s->out + i * s->n, m * sizeof (float));
  vl_bench_data_compare (block, expected, m * m, quality);
  g_strlcpy (quality->reference, reference, sizeof quality->reference);
  quality->sampled = (guint) m;
  return TRUE;
}

static double
similarity_items (const VlBenchCase *c)
{
  double n = (double) vl_bench_case_get_size (c, "n");

  return n * n;
}

static double
similarity_bytes (const VlBenchCase *c)
{
  double n = (double) vl_bench_case_get_size (c, "n");

  return (n * (double) vl_bench_case_get_size (c, "d") + n * n)
         * sizeof (float);
}

static const char *const keys[] = { "n", "d", NULL };

const VlBenchWorkload vl_bench_workload_similarity = {
  .name = "similarity",
  .keys = keys,
  .count_key = "n",
  .items_label = "pairs",
  .setup = similarity_setup,
  .run = similarity_run,
  .quality = similarity_quality,
  .teardown = similarity_teardown,
  .items = similarity_items,
  .bytes = similarity_bytes,
};

static const VlBenchParamSpec params[] = {
  { "n", VL_BENCH_PARAM_UINT, "1024,4096", N_("vectors (the result is n x n)"),
    1, 65536, NULL },
  { "d", VL_BENCH_PARAM_UINT, "768", N_("dimensions"), 1, 65536, NULL },
};

const VlBenchSuiteInfo vl_bench_suite_similarity = {
  .name = "similarity",
  .description = N_("pairwise cosine similarity of n vectors"),
  .params = params,
  .n_params = G_N_ELEMENTS (params),
  .repetitions = 5,
  .warmups = 1,
  .workload = &vl_bench_workload_similarity,
};
