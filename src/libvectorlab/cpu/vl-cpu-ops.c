/* vl-cpu-ops.c: the one-shot ops of the cpu backend: distance and
 * similarity matrices (OpenBLAS above a size, blocked loops below it),
 * row normalisation and pooling, threaded over rows. */
#include "vl-cpu.h"

#include "vl-cpu-kernels.h"
#include "vl-cpu-threads.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Multiply-adds from which one sgemm call beats the loops: below it the
 * call's packing and thread start-up dominate. */
#define GEMM_MIN_WORK ((size_t) 1 << 22)
/* Rows a worker gets at least, so that small inputs stay on one thread. */
#define ROW_GRAIN 64
#define CENTER_GRAIN 4096

typedef struct
{
  const VlMatrix         *m;
  float                  *dst;
  size_t                  ld;
  bool                    pad;   /* zero dst between cols and ld */
  const VlCpuCopyOptions *opts;
} CopyRows;

static void
copy_rows_range (size_t begin, size_t end, unsigned worker, void *data)
{
  const CopyRows *c = data;
  const VlCpuCopyOptions *o = c->opts;
  size_t d = c->m->cols;

  for (size_t r = begin; r < end; r++)
    {
      const float *src = vl_row_f32 (c->m, r);
      float *dst = c->dst + r * c->ld;
      double sq;
      float inv = 1.0f, scale;

      if (o->shift != NULL)
        {
          for (size_t i = 0; i < d; i++)
            dst[i] = src[i] - o->shift[i];
          src = dst;
        }
      /* In double: squares of rows near fp32's limits leave its range,
       * their norms do not. */
      sq = vl_cpu_sum_squares (src, d);
      if (o->normalize)
        inv = sq > 0.0 ? (float) (1.0 / sqrt (sq)) : 0.0f;
      scale = inv * o->scale;
      /* memmove, since normalisation may run in place. */
      if (scale == 1.0f)
        memmove (dst, src, d * sizeof *dst);
      else
        for (size_t i = 0; i < d; i++)
          dst[i] = src[i] * scale;
      if (c->pad)
        memset (dst + d, 0, (c->ld - d) * sizeof *dst);
      if (o->norms != NULL)
        o->norms[r] = o->normalize ? inv : (float) sq;
    }
}

static void
copy_rows_to (const VlMatrix *m, float *dst, size_t ld, bool pad,
              const VlCpuCopyOptions *opts)
{
  CopyRows c = { m, dst, ld, pad, opts };

  vl_cpu_parallel_for (m->rows, ROW_GRAIN, copy_rows_range, &c);
}

void
vl_cpu_copy_rows (const VlMatrix *m, float *dst, const VlCpuCopyOptions *opts)
{
  copy_rows_to (m, dst, vl_cpu_padded (m->cols), true, opts);
}

typedef struct
{
  const VlMatrix *database;
  double         *sums;     /* d + 1 per worker: columns, then squares */
} ColumnSums;

static void
column_sums_range (size_t begin, size_t end, unsigned worker, void *data)
{
  const ColumnSums *c = data;
  size_t d = c->database->cols;
  double *sums = c->sums + (size_t) worker * (d + 1);

  for (size_t r = begin; r < end; r++)
    {
      const float *row = vl_row_f32 (c->database, r);

      for (size_t i = 0; i < d; i++)
        sums[i] += row[i];
      sums[d] += vl_cpu_sum_squares (row, d);
    }
}

/* The mean is rounded to a power of two near the data's spread so that
 * moving is exact for data on a grid (integers stay integers): exact data
 * keep exact ties. */
bool
vl_cpu_center (const VlMatrix *database, float *center)
{
  size_t n = database->rows, d = database->cols;
  unsigned workers = vl_cpu_workers_for (n, CENTER_GRAIN);
  ColumnSums c = { database, calloc ((size_t) workers * (d + 1),
                                     sizeof (double)) };
  double mean_sq = 0.0, squares = 0.0, spread, step;

  if (c.sums == NULL)
    return false;
  vl_cpu_parallel_for (n, CENTER_GRAIN, column_sums_range, &c);
  for (unsigned w = 1; w < workers; w++)
    for (size_t i = 0; i <= d; i++)
      c.sums[i] += c.sums[(size_t) w * (d + 1) + i];
  for (size_t i = 0; i < d; i++)
    {
      c.sums[i] /= (double) n;
      mean_sq += c.sums[i] * c.sums[i];
    }
  squares = c.sums[d] / (double) n;
  spread = sqrt (fmax (squares - mean_sq, 0.0) / (double) d);
  step = spread > 0.0 ? exp2 (floor (log2 (spread))) : 1.0;
  for (size_t i = 0; i < d; i++)
    center[i] = (float) (step * rint (c.sums[i] / step));
  free (c.sums);
  return true;
}

VlStatus
vl_cpu_normalize_rows (VlContext *ctx, const VlMatrix *in, VlMatrix *out,
                       VlError **error)
{
  VlCpuCopyOptions unit = { NULL, true, 1.0f, NULL };

  double t0 = vl_now_ms ();

  copy_rows_to (in, out->data, out->stride, false, &unit);
  ctx->breakdown.kernel_ms = vl_now_ms () - t0;
  return VL_STATUS_OK;
}

/* ---- distance matrix -------------------------------------------------- */

typedef struct
{
  VlMetric     metric;
  const float *q;
  size_t       ldq;
  size_t       nq;
  size_t       n;
  const float *x;
  size_t       ldx;
  size_t       d;
  float       *out;
  size_t       ldo;
  const float *qnorms;  /* L2 after sgemm: squared norms */
  const float *xnorms;
} Scores;

/* Loops over database rows [begin, end).  L2 is summed directly: without
 * sgemm the expansion would only add cancellation. */
static void
scores_range (size_t begin, size_t end, unsigned worker, void *data)
{
  const Scores *s = data;

  if (s->metric != VL_METRIC_L2)
    {
      vl_cpu_dot_tile (s->x + begin * s->ldx, s->ldx, end - begin, s->q,
                       s->ldq, s->nq, s->d, s->out + begin, s->ldo);
      return;
    }
  for (size_t i = 0; i < s->nq; i++)
    for (size_t j = begin; j < end; j++)
      s->out[i * s->ldo + j] = vl_cpu_l2sq (s->q + i * s->ldq,
                                            s->x + j * s->ldx, s->d);
}

#ifdef VL_HAVE_BLAS
/* Turns the q.x of sgemm into squared distances for queries
 * [begin, end). */
static void
expand_l2_range (size_t begin, size_t end, unsigned worker, void *data)
{
  const Scores *s = data;

  for (size_t i = begin; i < end; i++)
    {
      float *row = s->out + i * s->ldo;

      for (size_t j = 0; j < s->n; j++)
        row[j] = fmaxf (s->qnorms[i] + s->xnorms[j] - 2.0f * row[j], 0.0f);
    }
}
#endif

VlStatus
vl_cpu_distance_matrix (VlContext *ctx, VlMetric metric,
                        const VlMatrix *queries, const VlMatrix *database,
                        VlMatrix *out, VlError **error)
{
  size_t nq = queries->rows, n = database->rows, d = queries->cols;
  size_t ld = vl_cpu_padded (d);
  Scores s = { metric, queries->data, queries->stride, nq, n, database->data,
               database->stride, d, out->data, out->stride, NULL, NULL };
  float *qcopy = NULL, *xcopy = NULL, *qnorms = NULL, *xnorms = NULL;
  float *center = NULL;
  VlStatus status = VL_STATUS_OK;
  bool gemm = false;
  double t0 = vl_now_ms (), t1;

#ifdef VL_HAVE_BLAS
  gemm = nq * n * d >= GEMM_MIN_WORK && nq > 1;
#endif
  /* Cosine is the inner product of unit rows: zero rows stay zero and so
   * score 0, as the oracle says.  L2 through sgemm expands about a centre,
   * see vl_cpu_center (). */
  if (metric == VL_METRIC_COSINE || (metric == VL_METRIC_L2 && gemm))
    {
      VlCpuCopyOptions copy = { NULL, metric == VL_METRIC_COSINE, 1.0f,
                                NULL };

      qcopy = vl_cpu_alloc_floats (nq * ld);
      xcopy = vl_cpu_alloc_floats (n * ld);
      if (qcopy == NULL || xcopy == NULL)
        goto oom;
      if (metric == VL_METRIC_L2)
        {
          center = vl_cpu_alloc_floats (d);
          s.qnorms = qnorms = vl_cpu_alloc_floats (nq);
          s.xnorms = xnorms = vl_cpu_alloc_floats (n);
          if (center == NULL || qnorms == NULL || xnorms == NULL
              || !vl_cpu_center (database, center))
            goto oom;
          copy.shift = center;
        }
      copy.norms = qnorms;
      vl_cpu_copy_rows (queries, qcopy, &copy);
      copy.norms = xnorms;
      vl_cpu_copy_rows (database, xcopy, &copy);
      s.q = qcopy;
      s.x = xcopy;
      s.ldq = s.ldx = ld;
      if (metric == VL_METRIC_COSINE)
        s.metric = VL_METRIC_IP;
    }
  t1 = vl_now_ms ();
  ctx->breakdown.host_prep_ms = t1 - t0;

#ifdef VL_HAVE_BLAS
  if (gemm)
    {
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) nq, (int) n,
                   (int) d, 1.0f, s.q, (int) s.ldq, s.x, (int) s.ldx, 0.0f,
                   s.out, (int) s.ldo);
      ctx->breakdown.kernel_ms = vl_now_ms () - t1;
      if (metric == VL_METRIC_L2)
        {
          t1 = vl_now_ms ();
          vl_cpu_parallel_for (nq, 1, expand_l2_range, &s);
          ctx->breakdown.host_extract_ms = vl_now_ms () - t1;
        }
      goto out;
    }
#endif
  vl_cpu_parallel_for (n, ROW_GRAIN, scores_range, &s);
  ctx->breakdown.kernel_ms = vl_now_ms () - t1;
  goto out;

oom:
  status = vl_set_error (error, VL_STATUS_OUT_OF_MEMORY,
                         "out of memory for copies of %zu x %zu queries and "
                         "a %zu x %zu database", nq, d, n, d);
out:
  free (qcopy);
  free (xcopy);
  free (qnorms);
  free (xnorms);
  free (center);
  return status;
}
