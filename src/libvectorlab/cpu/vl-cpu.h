/* vl-cpu.h: what the cpu backend's files share. */
#pragma once

#include "vl-private.h"

#ifdef VL_HAVE_BLAS
#include <cblas.h>
#endif

/* Row length of the backend's own copies: whole 64-byte lines, so every row
 * starts aligned and padding is zero. */
static inline size_t
vl_cpu_padded (size_t d)
{
  return (d + 15) & ~(size_t) 15;
}

/* An uninitialised, 64-byte-aligned block of @n floats, or NULL. */
float *vl_cpu_alloc_floats (size_t n);

VlStatus vl_cpu_distance_matrix   (VlContext *ctx, VlMetric metric,
                                   const VlMatrix *queries,
                                   const VlMatrix *database, VlMatrix *out,
                                   VlError **error);
VlStatus vl_cpu_normalize_rows    (VlContext *ctx, const VlMatrix *in,
                                   VlMatrix *out, VlError **error);
VlStatus vl_cpu_similarity_matrix (VlContext *ctx, const VlMatrix *x,
                                   VlMatrix *out, VlError **error);
VlStatus vl_cpu_pool              (VlContext *ctx, const VlMatrix *tokens,
                                   size_t seq, const uint8_t *mask,
                                   const float *w, VlMatrix *out,
                                   VlError **error);

VlStatus vl_cpu_index_build  (VlIndex *index, const VlMatrix *database,
                              VlError **error);
void     vl_cpu_index_free   (VlIndex *index);
VlStatus vl_cpu_index_search (VlIndex *index, const VlMatrix *queries,
                              size_t k, int64_t *ids, float *scores,
                              VlError **error);

/* The point from which L2 distances of @m's rows are computed, d floats
 * into @center; false when out of memory.  L2 by the expansion
 * |x|^2 - 2 q.x + |q|^2 loses small distances to cancellation when the
 * data sit far from the origin; distances do not change when both sides
 * move, so they move by about the mean of the rows. */
bool vl_cpu_center (const VlMatrix *m, float *center);

/* How vl_cpu_copy_rows() transforms each row, in this order. */
typedef struct
{
  const float *shift;      /* subtracted from every row, or NULL */
  bool         normalize;  /* scale to unit length; zero rows stay zero */
  float        scale;      /* multiply by this */
  float       *norms;      /* NULL, or receives each shifted row's squared
                            * norm, or its inverse norm when normalize */
} VlCpuCopyOptions;

/* Copies the rows of @m into @dst, rows vl_cpu_padded (cols) apart with
 * the padding zeroed, as @opts says.  Threaded over rows. */
void vl_cpu_copy_rows (const VlMatrix *m, float *dst,
                       const VlCpuCopyOptions *opts);
