/* vl-cpu-similarity.c: the pairwise cosine similarity of the cpu backend:
 * the Gram matrix of unit rows.  With OpenBLAS one ssyrk computes the upper
 * triangle, half the work of a product; the lower is mirrored so that the
 * result is exactly symmetric. */
#include "vl-cpu.h"

#include "vl-cpu-kernels.h"
#include "vl-cpu-threads.h"

#include <stdlib.h>

#define GEMM_MIN_WORK ((size_t) 1 << 22)
/* Square blocks of the mirror copy, so that reads down a column stay in
 * cache lines already fetched. */
#define MIRROR_BLOCK 64

typedef struct
{
  const float *y;
  size_t       ld;
  size_t       n;
  size_t       d;
  float       *out;
  size_t       ldo;
} Gram;

/* Block rows [begin, end) of out: lower triangle := upper triangle. */
static void
mirror_range (size_t begin, size_t end, unsigned worker, void *data)
{
  const Gram *g = data;

  for (size_t bi = begin; bi < end; bi++)
    for (size_t j0 = 0; j0 <= bi * MIRROR_BLOCK; j0 += MIRROR_BLOCK)
      for (size_t i = bi * MIRROR_BLOCK; i < (bi + 1) * MIRROR_BLOCK && i < g->n; i++)
        for (size_t j = j0; j < j0 + MIRROR_BLOCK && j < i; j++)
          g->out[i * g->ldo + j] = g->out[j * g->ldo + i];
}

#ifndef VL_HAVE_BLAS
/* Without BLAS every row is computed in full: twice the arithmetic, but
 * rows balance across threads, unlike triangles. */
static void
gram_range (size_t begin, size_t end, unsigned worker, void *data)
{
  const Gram *g = data;

  vl_cpu_dot_tile (g->y, g->ld, g->n, g->y + begin * g->ld, g->ld,
                   end - begin, g->d, g->out + begin * g->ldo, g->ldo);
}
#endif

VlStatus
vl_cpu_similarity_matrix (VlContext *ctx, const VlMatrix *x, VlMatrix *out,
                          VlError **error)
{
  size_t ld = vl_cpu_padded (x->cols);
  Gram g = { NULL, ld, x->rows, x->cols, out->data, out->stride };
  float *y = vl_cpu_alloc_floats (x->rows * ld);
  VlCpuCopyOptions unit = { NULL, true, 1.0f, NULL };
  double t0 = vl_now_ms (), t1;

  if (y == NULL)
    return vl_set_error (error, VL_STATUS_OUT_OF_MEMORY,
                         "out of memory normalising a %zu x %zu input",
                         x->rows, x->cols);
  vl_cpu_copy_rows (x, y, &unit);
  g.y = y;
  t1 = vl_now_ms ();
  ctx->breakdown.host_prep_ms = t1 - t0;

#ifdef VL_HAVE_BLAS
  if (g.n * g.n * g.d >= GEMM_MIN_WORK)
    cblas_ssyrk (CblasRowMajor, CblasUpper, CblasNoTrans, (int) g.n,
                 (int) g.d, 1.0f, y, (int) ld, 0.0f, g.out, (int) g.ldo);
  else
    for (size_t i = 0; i < g.n; i++)
      vl_cpu_dot_tile (y + i * ld, ld, g.n - i, y + i * ld, ld, 1, g.d,
                       g.out + i * g.ldo + i, g.ldo);
#else
  vl_cpu_parallel_for (g.n, 16, gram_range, &g);
#endif
  t0 = vl_now_ms ();
  ctx->breakdown.kernel_ms = t0 - t1;
  vl_cpu_parallel_for ((g.n + MIRROR_BLOCK - 1) / MIRROR_BLOCK, 1,
                       mirror_range, &g);
  ctx->breakdown.host_extract_ms = vl_now_ms () - t0;
  free (y);
  return VL_STATUS_OK;
}
