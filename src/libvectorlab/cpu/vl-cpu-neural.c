/* vl-cpu-neural.c: neural quantisation on the cpu backend.  Both
 * directions are GEMMs over tiles of rows (OpenBLAS sgemm when available,
 * threaded loops otherwise); the element-wise passes around them run on
 * vl_cpu_parallel_for.  Decoding writes sgemm's output straight into the
 * caller's matrix: the decoder bias rides along as an extra latent column
 * of ones against a column b_d of the decoder, so nothing is left to do on
 * the output afterwards.  The tile scratch is allocated once per model. */
#include "vl-cpu.h"
#include "vl-neural-private.h"

#include "vl-cpu-kernels.h"
#include "vl-cpu-threads.h"

#include <stdlib.h>
#include <string.h>

/* Rows per tile: large enough for sgemm to run at full speed, small enough
 * that the scratch (TILE_ROWS x (m + 1) floats) stays in the caches. */
#define TILE_ROWS 2048
/* Rows a worker gets at least in the element-wise passes: more than a
 * tile, so they stay on the calling thread, because OpenBLAS's pool spins
 * for a while after each sgemm and threads of ours would only compete with
 * it (measured: the passes took 1.6x longer threaded).  The dot loops of a
 * build without BLAS do use threads, ROW_GRAIN / 8 rows at least. */
#define ROW_GRAIN 4096

typedef struct
{
  float *w_dec;    /* d x (m + 1): W_d with b_d as its last column */
  float *scratch;  /* TILE_ROWS x (m + 1) */
} CpuNeural;

static VlStatus
cpu_model_init (VlNeuralModel *model, VlError **error)
{
  size_t d = model->d, m = model->m, k = m + 1;
  CpuNeural *p = calloc (1, sizeof *p);

  if (p == NULL)
    return vl_set_error (error, VL_STATUS_OUT_OF_MEMORY, "out of memory");
  model->priv = p;
  p->w_dec = vl_cpu_alloc_floats (d * k);
  p->scratch = vl_cpu_alloc_floats (TILE_ROWS * k);
  if (p->w_dec == NULL || p->scratch == NULL)
    return vl_set_error (error, VL_STATUS_OUT_OF_MEMORY,
                         "out of memory for a %zu -> %zu neural model", d, m);
  for (size_t i = 0; i < d; i++)
    {
      memcpy (p->w_dec + i * k, model->w_dec + i * m, m * sizeof (float));
      p->w_dec[i * k + m] = model->b_dec[i];
    }
  return VL_STATUS_OK;
}

static void
cpu_model_free (VlNeuralModel *model)
{
  CpuNeural *p = model->priv;

  free (p->w_dec);
  free (p->scratch);
  free (p);
  model->priv = NULL;
}

typedef struct
{
  const VlNeuralModel *model;
  const VlMatrix      *x;
  size_t               r0;       /* first row of the tile */
  float               *h;        /* tile rows x m */
  uint8_t             *codes;
  float               *scales;
} EncodeTile;

#ifndef VL_HAVE_BLAS
/* h = W_e x for the tile's rows [begin, end), without bias. */
static void
encode_dots_range (size_t begin, size_t end, unsigned worker, void *data)
{
  const EncodeTile *t = data;
  size_t d = t->model->d, m = t->model->m;

  for (size_t r = begin; r < end; r++)
    {
      const float *row = vl_row_f32 (t->x, t->r0 + r);

      for (size_t j = 0; j < m; j++)
        t->h[r * m + j] = vl_cpu_dot (t->model->w_enc + j * d, row, d);
    }
}
#endif

/* Bias, ReLU and quantisation of the tile's rows [begin, end). */
static void
encode_quantise_range (size_t begin, size_t end, unsigned worker, void *data)
{
  const EncodeTile *t = data;
  size_t m = t->model->m;
  const float *b = t->model->b_enc;

  for (size_t r = begin; r < end; r++)
    {
      float *h = t->h + r * m;

      for (size_t j = 0; j < m; j++)
        {
          float v = h[j] + b[j];

          h[j] = v > 0.0f ? v : 0.0f;
        }
      t->scales[t->r0 + r] =
        vl_neural_quantise_row (h, m, t->codes + (t->r0 + r) * m);
    }
}

static VlStatus
cpu_encode (VlNeuralModel *model, const VlMatrix *x, uint8_t *codes,
            float *scales, VlError **error)
{
  CpuNeural *p = model->priv;
  size_t n = x->rows;
  VlBreakdown *bd = &model->ctx->breakdown;
  EncodeTile t = { model, x, 0, p->scratch, codes, scales };

  for (t.r0 = 0; t.r0 < n; t.r0 += TILE_ROWS)
    {
      size_t rows = n - t.r0 < TILE_ROWS ? n - t.r0 : TILE_ROWS;
      double t0 = vl_now_ms (), t1;

#ifdef VL_HAVE_BLAS
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) rows,
                   (int) model->m, (int) model->d, 1.0f, vl_row_f32 (x, t.r0),
                   (int) x->stride, model->w_enc, (int) model->d, 0.0f, t.h,
                   (int) model->m);
#else
      vl_cpu_parallel_for (rows, ROW_GRAIN / 8, encode_dots_range, &t);
#endif
      t1 = vl_now_ms ();
      bd->kernel_ms += t1 - t0;
      vl_cpu_parallel_for (rows, ROW_GRAIN, encode_quantise_range, &t);
      bd->host_extract_ms += vl_now_ms () - t1;
    }
  return VL_STATUS_OK;
}

typedef struct
{
  const VlNeuralModel *model;
  const uint8_t       *codes;
  const float         *scales;
  size_t               r0;
  float               *a;      /* tile rows x (m + 1) */
  VlMatrix            *out;
} DecodeTile;

/* a = [scale * codes, 1] for the tile's rows [begin, end). */
static void
decode_unpack_range (size_t begin, size_t end, unsigned worker, void *data)
{
  const DecodeTile *t = data;
  size_t m = t->model->m, k = m + 1;

  for (size_t r = begin; r < end; r++)
    {
      const uint8_t *c = t->codes + (t->r0 + r) * m;
      float s = t->scales[t->r0 + r], *a = t->a + r * k;

      for (size_t j = 0; j < m; j++)
        a[j] = (float) c[j] * s;
      a[m] = 1.0f;
    }
}

#ifndef VL_HAVE_BLAS
static void
decode_dots_range (size_t begin, size_t end, unsigned worker, void *data)
{
  const DecodeTile *t = data;
  const CpuNeural *p = t->model->priv;
  size_t d = t->model->d, k = t->model->m + 1;

  for (size_t r = begin; r < end; r++)
    {
      float *dst = vl_row_f32_mut (t->out, t->r0 + r);

      for (size_t i = 0; i < d; i++)
        dst[i] = vl_cpu_dot (p->w_dec + i * k, t->a + r * k, k);
    }
}
#endif

static VlStatus
cpu_decode (VlNeuralModel *model, const uint8_t *codes, const float *scales,
            VlMatrix *out, VlError **error)
{
  CpuNeural *p = model->priv;
  size_t n = out->rows;
  VlBreakdown *bd = &model->ctx->breakdown;
  DecodeTile t = { model, codes, scales, 0, p->scratch, out };

  for (t.r0 = 0; t.r0 < n; t.r0 += TILE_ROWS)
    {
      size_t rows = n - t.r0 < TILE_ROWS ? n - t.r0 : TILE_ROWS;
      double t0 = vl_now_ms (), t1;

      vl_cpu_parallel_for (rows, ROW_GRAIN, decode_unpack_range, &t);
      t1 = vl_now_ms ();
      bd->host_prep_ms += t1 - t0;
#ifdef VL_HAVE_BLAS
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) rows,
                   (int) model->d, (int) model->m + 1, 1.0f, t.a,
                   (int) model->m + 1, p->w_dec, (int) model->m + 1, 0.0f, vl_row_f32_mut (out, t.r0),
                   (int) out->stride);
#else
      vl_cpu_parallel_for (rows, ROW_GRAIN / 8, decode_dots_range, &t);
#endif
      bd->kernel_ms += vl_now_ms () - t1;
    }
  return VL_STATUS_OK;
}

const VlNeuralOps vl_cpu_neural_ops = {
  .model_init = cpu_model_init,
  .model_free = cpu_model_free,
  .encode = cpu_encode,
  .decode = cpu_decode,
};
