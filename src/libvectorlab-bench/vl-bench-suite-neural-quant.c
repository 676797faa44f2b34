/* vl-bench-suite-neural-quant.c: neural quantisation throughput, and the
 * workload that decode-breakdown shares.
 *
 * Cases are (config, op, n): config "D-M" encodes D dimensions to M codes;
 * op is "encode" (floats -> codes + scales), "decode" (codes -> floats into
 * a preallocated host matrix) or "decode-host" (decode-breakdown: the
 * caller's host matrix is allocated, filled and freed inside the timed
 * run, as the founding documents' array API does).  The model is the PCA
 * fit on 2,000 clustered vectors; fits are cached per config so that a
 * sweep over counts fits once. */
#include "vl-bench-data.h"
#include "vl-bench-error.h"
#include "vl-bench-suite-private.h"

#include <glib/gi18n-lib.h>
#include <string.h>

/* Rows checked against ref after the last repetition. */
#define SAMPLE_ROWS 256
#define FIT_ROWS 2000

typedef struct
{
  gsize  d, m;
  float *w_enc, *b_enc, *w_dec, *b_dec;
} Fit;

G_LOCK_DEFINE_STATIC (fits);
static GHashTable *fits;  /* "D-M" -> Fit, kept for the process */

/* The cached fit of @config, or NULL with @error. */
static const Fit *
get_fit (const char *config, gsize d, gsize m, GCancellable *cancellable,
         GError **error)
{
  Fit *fit;

  G_LOCK (fits);
  if (fits == NULL)
    fits = g_hash_table_new (g_str_hash, g_str_equal);
  fit = g_hash_table_lookup (fits, config);
  if (fit == NULL)
    {
      g_autofree float *sample = vl_bench_data_clustered (VL_BENCH_SEED, 2,
                                                          FIT_ROWS, d,
                                                          cancellable, error);
      g_autoptr(VlContext) ref = sample ? vl_bench_context_new ("ref", error)
                                        : NULL;
      VlNeuralModel *model = NULL;
      VlMatrix sm;
      VlError *vl_error = NULL;
      const float *we, *be, *wd, *bd;

      if (ref != NULL)
        {
          sm = vl_matrix_f32 (sample, FIT_ROWS, d);
          if ((model = vl_neural_model_fit (ref, &sm, m, &vl_error)) == NULL)
            vl_bench_propagate_vl_error (error, vl_error, "neural fit");
        }
      if (model != NULL)
        {
          fit = g_new0 (Fit, 1);
          fit->d = d;
          fit->m = m;
          vl_neural_model_get_weights (model, &we, &be, &wd, &bd);
          fit->w_enc = g_memdup2 (we, m * d * sizeof (float));
          fit->b_enc = g_memdup2 (be, m * sizeof (float));
          fit->w_dec = g_memdup2 (wd, d * m * sizeof (float));
          fit->b_dec = g_memdup2 (bd, d * sizeof (float));
          g_hash_table_insert (fits, g_strdup (config), fit);
          vl_neural_model_free (model);
        }
    }
  G_UNLOCK (fits);
  return fit;
}

typedef enum
{
  OP_ENCODE,
  OP_DECODE,
  OP_DECODE_HOST,
} NeuralOp;

typedef struct
{
  VlContext     *ctx;
  const Fit     *fit;
  VlNeuralModel *model;
  NeuralOp       op;
  gsize          n;
  float         *x;
  uint8_t       *codes;
  float         *scales;
  float         *out;
} NeuralState;

static void
neural_teardown (gpointer data)
{
  NeuralState *s = data;

  vl_neural_model_free (s->model);
  g_free (s->x);
  g_free (s->codes);
  g_free (s->scales);
  g_free (s->out);
  g_free (s);
}

static gboolean
parse_config (const char *config, gsize *d, gsize *m)
{
  guint64 a, b;
  char *end;

  a = g_ascii_strtoull (config, &end, 10);
  if (*end != '-')
    return FALSE;
  b = g_ascii_strtoull (end + 1, &end, 10);
  *d = (gsize) a;
  *m = (gsize) b;
  return *end == '\0' && a > 0 && b > 0 && b <= a;
}

static gpointer
neural_setup (VlContext *ctx, const VlBenchCase *c, GCancellable *cancellable,
              GError **error)
{
  NeuralState *s = g_new0 (NeuralState, 1);
  const char *config = vl_bench_case_get (c, "config");
  const char *op = vl_bench_case_get (c, "op");
  gsize d, m;
  VlMatrix xm;
  VlError *vl_error = NULL;

  s->ctx = ctx;
  s->n = vl_bench_case_get_size (c, "n");
  s->op = g_str_equal (op, "encode") ? OP_ENCODE
          : g_str_equal (op, "decode") ? OP_DECODE : OP_DECODE_HOST;
  if (!parse_config (config, &d, &m))
    {
      g_set_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_FAILED,
                   _("%s: config '%s' is not D-M with 0 < M <= D"), c->name,
                   config);
      goto fail;
    }
  if ((s->fit = get_fit (config, d, m, cancellable, error)) == NULL
      || (s->x = vl_bench_data_clustered (VL_BENCH_SEED, 1, s->n, d,
                                          cancellable, error)) == NULL)
    goto fail;
  s->model = vl_neural_model_new (ctx, d, m, s->fit->w_enc, s->fit->b_enc,
                                  s->fit->w_dec, s->fit->b_dec, &vl_error);
  s->codes = g_try_malloc (s->n * m);
  s->scales = g_try_new (float, s->n);
  if (s->op == OP_DECODE)
    s->out = g_try_new (float, s->n * d);
  if (s->model == NULL)
    {
      vl_bench_propagate_vl_error (error, vl_error, c->name);
      goto fail;
    }
  if (s->codes == NULL || s->scales == NULL
      || (s->op == OP_DECODE && s->out == NULL))
    {
      g_set_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_FAILED,
                   _("%s: out of host memory for the codes or the output"),
                   c->name);
      goto fail;
    }
  /* Decoding cases decode the codes of the data, made once here. */
  xm = vl_matrix_f32 (s->x, s->n, d);
  if (s->op != OP_ENCODE
      && vl_neural_encode (s->model, &xm, s->codes, s->scales,
                           &vl_error) != VL_STATUS_OK)
    {
      vl_bench_propagate_vl_error (error, vl_error, c->name);
      goto fail;
    }
  return s;

fail:
  neural_teardown (s);
  return NULL;
}

/* decode-host: the caller frees the last output, outside the timing. */
static void
neural_prepare (gpointer data)
{
  NeuralState *s = data;

  if (s->op == OP_DECODE_HOST)
    g_clear_pointer (&s->out, g_free);
}

static gboolean
neural_run (gpointer data, GError **error)
{
  NeuralState *s = data;
  gsize d = s->fit->d;
  VlMatrix xm = vl_matrix_f32 (s->x, s->n, d), om;
  VlError *vl_error = NULL;
  float *host = NULL;
  VlStatus status;

  switch (s->op)
    {
    case OP_ENCODE:
      status = vl_neural_encode (s->model, &xm, s->codes, s->scales,
                                 &vl_error);
      break;
    case OP_DECODE:
      om = vl_matrix_f32 (s->out, s->n, d);
      status = vl_neural_decode (s->model, s->codes, s->scales, &om,
                                 &vl_error);
      break;
    default:
      if ((host = g_try_new (float, s->n * d)) == NULL)
        {
          g_set_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_FAILED,
                       "out of host memory for %" G_GSIZE_FORMAT
                       " decoded vectors", s->n);
          return FALSE;
        }
      om = vl_matrix_f32 (host, s->n, d);
      status = vl_neural_decode (s->model, s->codes, s->scales, &om,
                                 &vl_error);
      /* The last result stays for the quality check. */
      s->out = host;
      break;
    }
  if (status != VL_STATUS_OK)
    return vl_bench_propagate_vl_error (error, vl_error, "neural");
  return TRUE;
}

/* Encode: codes against ref's, in quantisation steps (one step is the
 * documented rounding slack).  Decode: values against ref's decode of the
 * same codes. */
static gboolean
neural_quality (gpointer data, VlBenchQuality *quality, GError **error)
{
  NeuralState *s = data;
  gsize rows = MIN (s->n, SAMPLE_ROWS), d = s->fit->d, m = s->fit->m;
  g_autoptr(VlContext) ref = vl_bench_context_new ("ref", error);
  g_autofree uint8_t *codes = NULL;
  g_autofree float *scales = NULL, *got = NULL, *want = NULL;
  VlNeuralModel *model;
  VlMatrix xm, om;
  VlError *vl_error = NULL;
  VlStatus status;

  if (ref == NULL)
    return FALSE;
  model = vl_neural_model_new (ref, d, m, s->fit->w_enc, s->fit->b_enc,
                               s->fit->w_dec, s->fit->b_dec, &vl_error);
  if (model == NULL)
    return vl_bench_propagate_vl_error (error, vl_error, "neural check");
  if (s->op == OP_ENCODE)
    {
      codes = g_new (uint8_t, rows * m);
      scales = g_new (float, rows);
      got = g_new (float, rows * m);
      want = g_new (float, rows * m);
      xm = vl_matrix_f32 (s->x, rows, d);
      status = vl_neural_encode (model, &xm, codes, scales, &vl_error);
      for (gsize i = 0; i < rows * m; i++)
        {
          got[i] = s->codes[i];
          want[i] = codes[i];
        }
      vl_bench_data_compare (got, want, rows * m, quality);
    }
  else
    {
      want = g_new (float, rows * d);
      om = vl_matrix_f32 (want, rows, d);
      status = vl_neural_decode (model, s->codes, s->scales, &om, &vl_error);
      vl_bench_data_compare (s->out, want, rows * d, quality);
    }
  vl_neural_model_free (model);
  if (status != VL_STATUS_OK)
    return vl_bench_propagate_vl_error (error, vl_error, "neural check");
  g_strlcpy (quality->reference, "ref", sizeof quality->reference);
  quality->sampled = (guint) rows;
  return TRUE;
}

static double
neural_items (const VlBenchCase *c)
{
  return (double) vl_bench_case_get_size (c, "n");
}

/* Floats in or out plus the codes and scales. */
static double
neural_bytes (const VlBenchCase *c)
{
  gsize d = 0, m = 0;

  parse_config (vl_bench_case_get (c, "config"), &d, &m);
  return (double) vl_bench_case_get_size (c, "n")
         * ((double) d * sizeof (float) + (double) m + sizeof (float));
}

static const char *const keys[] = { "config", "op", "n", NULL };

const VlBenchWorkload vl_bench_workload_neural = {
  .name = "neural",
  .keys = keys,
  .count_key = "n",
  .items_label = "vectors",
  .setup = neural_setup,
  .prepare = neural_prepare,
  .run = neural_run,
  .quality = neural_quality,
  .teardown = neural_teardown,
  .items = neural_items,
  .bytes = neural_bytes,
};

static const char *const configs[] = { "768-128", "768-64", "384-64", NULL };
static const char *const ops[] = { "encode", "decode", NULL };

static const VlBenchParamSpec params[] = {
  { "config", VL_BENCH_PARAM_CHOICE, "768-128,768-64,384-64",
    N_("D-M: D input dimensions to M latent codes"), 0, 0, configs },
  { "op", VL_BENCH_PARAM_CHOICE, "encode,decode",
    N_("encode (floats to codes) or decode (codes to a preallocated host "
       "matrix)"), 0, 0, ops },
  { "n", VL_BENCH_PARAM_UINT, "100,1000,10000,100000",
    N_("vectors; the documents' full list is 100,1000,10000,100000,1000000 "
       "(1M x 768 needs about 7 GB of host memory)"), 1, 100000000, NULL },
};

const VlBenchSuiteInfo vl_bench_suite_neural_quant = {
  .name = "neural-quant",
  .description = N_("neural quantisation: encode to uint8 codes and decode "
                    "back, scaling over n"),
  .params = params,
  .n_params = G_N_ELEMENTS (params),
  .repetitions = 3,
  .warmups = 1,
  .workload = &vl_bench_workload_neural,
};
