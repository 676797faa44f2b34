/* vl-sq-private.h: what the scalar-quantisation front end (vl-sq.c) and the
 * backends share.  The arithmetic every backend follows is fixed here, so
 * that their codes agree (see vl-sq.h for the code layout). */
#pragma once

#include "vl-private.h"

/* A codec's ranges and the per-dimension constants derived from them once,
 * in float, so that every fp32 backend multiplies by the same numbers. */
typedef struct
{
  VlSqType type;
  unsigned levels;     /* L: 255 (SQ8) or 15 (SQ4) */
  size_t   d;
  size_t   code_size;  /* bytes a row */
  float   *min;        /* d */
  float   *max;        /* d */
  float   *step;       /* d: (max - min) / L, the decoded spacing */
  float   *inv;        /* d: L / (max - min), 0 where max == min */
} VlSqParams;

struct _VlSqCodec
{
  VlContext *ctx;
  VlSqParams params;
};

struct _VlSqIndex
{
  VlContext *ctx;
  VlMetric   metric;
  size_t     n;
  VlSqParams params;   /* the index's own copy */
  void      *priv;     /* backend copy of the codes and row norms */
};

/* The fp32 encoding every backend but ref follows, in dimension i:
 *   t = (x - min[i]) * inv[i], clamped to [0, L] with t > 0 false for NaN
 *   (inf * 0 when max == min and x - min overflows), code = (uint) (t + 0.5)
 * and the decoding: min[i] + (float) code * step[i]. */

/* The level of dimension @i in a row of codes. */
static inline unsigned
vl_sq_code_at (const VlSqParams *p, const uint8_t *row, size_t i)
{
  if (p->type == VL_SQ_8)
    return row[i];
  return (row[i / 2] >> (4 * (i & 1))) & 0xfu;
}

/* Entry points of a backend.  Arguments are validated: codes buffers hold
 * exactly rows x code_size bytes, matrices are finite fp32 of d columns. */
struct _VlSqOps
{
  VlStatus (*encode)       (VlContext *ctx, const VlSqParams *params,
                            const VlMatrix *x, uint8_t *codes,
                            VlError **error);
  VlStatus (*decode)       (VlContext *ctx, const VlSqParams *params,
                            const uint8_t *codes, VlMatrix *out,
                            VlError **error);
  /* Copies @codes (index->n rows) into index->priv. */
  VlStatus (*index_build)  (VlSqIndex *index, const uint8_t *codes,
                            VlError **error);
  /* Frees index->priv; must accept NULL priv. */
  void     (*index_free)   (VlSqIndex *index);
  /* Top-k of each query against the decoded codes, best first, ties to
   * the lower id. */
  VlStatus (*index_search) (VlSqIndex *index, const VlMatrix *queries,
                            size_t k, int64_t *ids, float *scores,
                            VlError **error);
};

extern const VlSqOps vl_ref_sq_ops;
extern const VlSqOps vl_cpu_sq_ops;
#ifdef VL_HAVE_OPENCL
extern const VlSqOps vl_opencl_sq_ops;
#endif
