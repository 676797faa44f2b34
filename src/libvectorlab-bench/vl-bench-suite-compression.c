/* vl-bench-suite-compression.c: rate and distortion of the quantisers.
 *
 * For each dataset and method, the timed run encodes the n database
 * vectors; the quality step then measures what the codes keep:
 *   compression_ratio  4 d bytes of fp32 over the bytes of one code
 *                      (sq8: d, sq4: ceil (d / 2), neural-M: M + 4 for the
 *                      codes and the per-vector scale);
 *   mse                mean over all elements of (x - decode (encode (x)))^2;
 *   recall             recall@10 of 100 queries under L2 against exact fp32
 *                      search: SQ searches its codes directly
 *                      (vl_sq_index_search), neural searches the decoded
 *                      vectors (exact search of vl_neural_decode's output).
 * Training sees the database itself: SQ's ranges and the neural PCA fit.
 *
 * Datasets (d dimensions, seeded):
 *   gaussian  isotropic N(0, 1): no structure to learn, the worst case for
 *             a low-rank code;
 *   lowrank   shaped like real embeddings: 32 clusters in a 96-dimensional
 *             latent space with a decaying spectrum (sigma_k^2 = 1 /
 *             (1 + k / 4)), mapped to d dimensions by a random basis, plus
 *             isotropic noise carrying 1 % of the variance, rows scaled to
 *             unit length. */
#include "vl-bench-data.h"
#include "vl-bench-error.h"
#include "vl-bench-suite-private.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#define N_QUERIES 100
#define K 10
#define LATENT 96
#define CLUSTERS 32
#define NOISE_SHARE 0.01

typedef struct
{
  VlContext     *ctx;
  gsize          n, d;
  char          *method;
  float         *data;      /* (n + N_QUERIES) x d: database, then queries */
  VlSqCodec     *codec;
  VlNeuralModel *model;
  gsize          code_size; /* bytes of one vector's code */
  uint8_t       *codes;
  float         *scales;
} CompressionState;

static void
compression_teardown (gpointer data)
{
  CompressionState *s = data;

  vl_sq_codec_free (s->codec);
  vl_neural_model_free (s->model);
  g_free (s->method);
  g_free (s->data);
  g_free (s->codes);
  g_free (s->scales);
  g_free (s);
}

static double
normal (GRand *rand)
{
  double u = g_rand_double (rand), v = g_rand_double (rand);

  return sqrt (-2.0 * log (1.0 - u)) * cos (2.0 * G_PI * v);
}

static float *
make_dataset (const char *dataset, gsize rows, gsize d, GError **error)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (VL_BENCH_SEED);
  float *x = g_try_new (float, rows * d);
  g_autofree double *basis = NULL, *centroids = NULL, *z = NULL;
  double sigma[LATENT], signal = 0.0, noise;

  if (x == NULL)
    {
      g_set_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_FAILED,
                   "out of host memory for %" G_GSIZE_FORMAT " x %"
                   G_GSIZE_FORMAT " vectors", rows, d);
      return NULL;
    }
  if (g_str_equal (dataset, "gaussian"))
    {
      for (gsize i = 0; i < rows * d; i++)
        x[i] = (float) normal (rand);
      return x;
    }

  basis = g_new (double, LATENT * d);
  centroids = g_new (double, CLUSTERS * LATENT);
  z = g_new (double, LATENT);
  for (gsize k = 0; k < LATENT; k++)
    {
      sigma[k] = sqrt (1.0 / (1.0 + k / 4.0));
      /* Centroid plus a within-cluster spread of half its scale. */
      signal += 1.25 * sigma[k] * sigma[k];
    }
  for (gsize i = 0; i < LATENT * d; i++)
    basis[i] = normal (rand) / sqrt ((double) d);
  for (gsize c = 0; c < CLUSTERS; c++)
    for (gsize k = 0; k < LATENT; k++)
      centroids[c * LATENT + k] = sigma[k] * normal (rand);
  /* The basis rows have unit expected norm, so signal is the expected
   * squared norm before noise. */
  noise = sqrt (NOISE_SHARE / (1.0 - NOISE_SHARE) * signal / (double) d);
  for (gsize r = 0; r < rows; r++)
    {
      const double *c = centroids + g_rand_int_range (rand, 0, CLUSTERS) * LATENT;
      float *row = x + r * d;
      double norm = 0.0;

      for (gsize k = 0; k < LATENT; k++)
        z[k] = c[k] + 0.5 * sigma[k] * normal (rand);
      for (gsize i = 0; i < d; i++)
        {
          double v = noise * normal (rand);

          for (gsize k = 0; k < LATENT; k++)
            v += z[k] * basis[k * d + i];
          row[i] = (float) v;
          norm += v * v;
        }
      for (gsize i = 0; i < d; i++)
        row[i] = (float) (row[i] / sqrt (norm));
    }
  return x;
}

static gpointer
compression_setup (VlContext *ctx, const VlBenchCase *c,
                   GCancellable *cancellable, GError **error)
{
  CompressionState *s = g_new0 (CompressionState, 1);
  VlMatrix db;
  VlError *vl_error = NULL;
  VlSqType type;

  s->ctx = ctx;
  s->n = vl_bench_case_get_size (c, "n");
  s->d = vl_bench_case_get_size (c, "d");
  s->method = g_strdup (vl_bench_case_get (c, "method"));
  if ((s->data = make_dataset (vl_bench_case_get (c, "dataset"),
                               s->n + N_QUERIES, s->d, error)) == NULL)
    goto fail;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    goto fail;
  db = vl_matrix_f32 (s->data, s->n, s->d);
  if (vl_sq_type_from_string (s->method, &type))
    {
      if ((s->codec = vl_sq_train (ctx, type, &db, &vl_error)) == NULL)
        goto vl_fail;
      s->code_size = vl_sq_codec_get_code_size (s->codec);
    }
  else
    {
      gsize m = (gsize) g_ascii_strtoull (s->method + strlen ("neural-"),
                                          NULL, 10);

      if ((s->model = vl_neural_model_fit (ctx, &db, m, &vl_error)) == NULL)
        goto vl_fail;
      s->code_size = m;
      s->scales = g_new (float, s->n);
    }
  s->codes = g_try_malloc (s->n * s->code_size);
  if (s->codes == NULL)
    {
      g_set_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_FAILED,
                   _("%s: out of host memory for the codes"), c->name);
      goto fail;
    }
  return s;

vl_fail:
  vl_bench_propagate_vl_error (error, vl_error, c->name);
fail:
  compression_teardown (s);
  return NULL;
}

static gboolean
compression_run (gpointer data, GError **error)
{
  CompressionState *s = data;
  VlMatrix db = vl_matrix_f32 (s->data, s->n, s->d);
  VlError *vl_error = NULL;
  VlStatus status;

  if (s->codec != NULL)
    status = vl_sq_encode (s->codec, &db, s->codes, s->n * s->code_size,
                           &vl_error);
  else
    status = vl_neural_encode (s->model, &db, s->codes, s->scales, &vl_error);
  if (status != VL_STATUS_OK)
    return vl_bench_propagate_vl_error (error, vl_error, s->method);
  return TRUE;
}

static gboolean
compression_quality (gpointer data, VlBenchQuality *quality, GError **error)
{
  CompressionState *s = data;
  gsize n = s->n, d = s->d;
  g_autofree float *decoded = g_try_new (float, n * d);
  g_autofree gint64 *truth = g_new (gint64, N_QUERIES * K);
  g_autofree gint64 *found = g_new (gint64, N_QUERIES * K);
  g_autofree float *scores = g_new (float, N_QUERIES * K);
  VlMatrix db = vl_matrix_f32 (s->data, n, d);
  VlMatrix queries = vl_matrix_f32 (s->data + n * d, N_QUERIES, d);
  VlMatrix dec = vl_matrix_f32 (decoded, n, d);
  VlError *vl_error = NULL;
  VlStatus status;
  double sq = 0.0;
  gsize hits = 0;

  if (decoded == NULL)
    {
      g_set_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_FAILED,
                   _("out of host memory for the decoded vectors"));
      return FALSE;
    }
  if (s->codec != NULL)
    status = vl_sq_decode (s->codec, s->codes, n * s->code_size, &dec,
                           &vl_error);
  else
    status = vl_neural_decode (s->model, s->codes, s->scales, &dec,
                               &vl_error);
  if (status == VL_STATUS_OK)
    status = vl_knn (s->ctx, VL_METRIC_L2, &queries, &db, MIN (K, n), truth,
                     scores, &vl_error);
  if (status == VL_STATUS_OK && s->codec != NULL)
    {
      VlSqIndex *index = vl_sq_index_new (s->codec, VL_METRIC_L2, s->codes, n,
                                          n * s->code_size, &vl_error);

      status = index == NULL ? vl_error->status
               : vl_sq_index_search (index, &queries, MIN (K, n), found,
                                     scores, &vl_error);
      vl_sq_index_free (index);
    }
  else if (status == VL_STATUS_OK)
    status = vl_knn (s->ctx, VL_METRIC_L2, &queries, &dec, MIN (K, n), found,
                     scores, &vl_error);
  if (status != VL_STATUS_OK)
    return vl_bench_propagate_vl_error (error, vl_error, "compression check");

  for (gsize i = 0; i < n * d; i++)
    {
      double e = (double) decoded[i] - (double) s->data[i];

      sq += e * e;
    }
  for (gsize q = 0; q < N_QUERIES; q++)
    for (gsize a = 0; a < MIN (K, n); a++)
      for (gsize b = 0; b < MIN (K, n); b++)
        hits += found[q * K + a] == truth[q * K + b];

  quality->mse = sq / (double) (n * d);
  quality->recall = (double) hits / (double) (N_QUERIES * MIN (K, n));
  quality->compression_ratio = (double) (d * sizeof (float))
                               / (double) (s->code_size
                                           + (s->codec ? 0 : sizeof (float)));
  g_strlcpy (quality->reference, vl_context_get_device (s->ctx)->id,
             sizeof quality->reference);
  quality->sampled = N_QUERIES;
  return TRUE;
}

static double
compression_items (const VlBenchCase *c)
{
  return (double) vl_bench_case_get_size (c, "n");
}

static double
compression_bytes (const VlBenchCase *c)
{
  return (double) vl_bench_case_get_size (c, "n")
         * (double) vl_bench_case_get_size (c, "d") * sizeof (float);
}

static const char *const keys[] = { "dataset", "n", "d", "method", NULL };

static const VlBenchWorkload workload = {
  .name = "compression",
  .keys = keys,
  /* The methods are the rows of each dataset's rate-distortion table. */
  .count_key = "method",
  .items_label = "vectors",
  .setup = compression_setup,
  .run = compression_run,
  .quality = compression_quality,
  .teardown = compression_teardown,
  .items = compression_items,
  .bytes = compression_bytes,
};

static const char *const datasets[] = { "gaussian", "lowrank", NULL };
static const char *const methods[] = { "sq8", "sq4", "neural-128",
                                       "neural-64", NULL };

static const VlBenchParamSpec params[] = {
  { "dataset", VL_BENCH_PARAM_CHOICE, "gaussian,lowrank",
    N_("gaussian (isotropic) or lowrank (clustered, 96-dimensional latent "
       "space, unit rows: shaped like real embeddings)"), 0, 0, datasets },
  { "n", VL_BENCH_PARAM_UINT, "10000", N_("database vectors"), 1000, 10000000,
    NULL },
  { "d", VL_BENCH_PARAM_UINT, "768", N_("dimensions (at least 128 for "
       "neural-128)"), 128, 65536, NULL },
  { "method", VL_BENCH_PARAM_CHOICE, "sq8,sq4,neural-128,neural-64",
    N_("sq8, sq4, or neural-M (PCA-fitted encoder to M codes + a scale)"), 0, 0,
    methods },
};

const VlBenchSuiteInfo vl_bench_suite_compression = {
  .name = "compression",
  .description = N_("bytes per vector, compression ratio, reconstruction MSE "
                    "and recall@10 of SQ8, SQ4 and neural codes"),
  .params = params,
  .n_params = G_N_ELEMENTS (params),
  .repetitions = 3,
  .warmups = 1,
  .workload = &workload,
};
