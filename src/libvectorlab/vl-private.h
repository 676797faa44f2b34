/* vl-private.h: what the front end (vl-ops.c, vl-index.c) and the backends
 * share.  The front end validates every argument once; a backend entry point
 * may assume non-NULL pointers, agreeing shapes, finite data and fp32
 * matrices, and only reports failures of its own (memory, runtime). */
#pragma once

#include "vectorlab.h"

#include <stdarg.h>

typedef struct _VlBackend VlBackend;

/* Op families added after the core each keep their entry points in a table
 * of their own, declared in that family's private header, so that a family
 * can grow without touching the others.  NULL where a backend lacks it. */
typedef struct _VlSqOps     VlSqOps;      /* vl-sq-private.h */
typedef struct _VlNeuralOps VlNeuralOps;  /* vl-neural-private.h */
typedef struct _VlProjOps   VlProjOps;    /* vl-proj-private.h */

struct _VlContext
{
  const VlBackend *backend;
  VlDeviceInfo     device;
  VlBreakdown      breakdown;   /* of the last op, filled by the backend */
  bool             phase_timing; /* vl_context_set_phase_timing */
  VlPoolStats      pool_stats;  /* kept current by backends with a pool */
  void            *priv;        /* backend state */
};

struct _VlIndex
{
  VlContext *ctx;
  VlMetric   metric;
  size_t     n;
  size_t     d;
  void      *priv;              /* backend copy of the database + norms */
};

/* The backend vtable.  Every op member receives validated arguments and fills
 * ctx->breakdown (zeroed by the front end before the call). */
struct _VlBackend
{
  VlBackendKind kind;

  /* Opens @ctx->device (already filled by discovery) and sets ctx->priv. */
  VlStatus (*context_init)   (VlContext *ctx, VlError **error);
  /* Releases ctx->priv; must accept a context whose init failed midway. */
  void     (*context_finish) (VlContext *ctx);

  /* out = queries x database scores, out->rows x out->cols floats. */
  VlStatus (*distance_matrix) (VlContext *ctx, VlMetric metric,
                               const VlMatrix *queries,
                               const VlMatrix *database,
                               VlMatrix *out, VlError **error);

  /* Row L2-normalisation; @out may alias @in. */
  VlStatus (*normalize_rows) (VlContext *ctx, const VlMatrix *in,
                              VlMatrix *out, VlError **error);

  /* Cosine similarity of all row pairs, n x n. */
  VlStatus (*similarity_matrix) (VlContext *ctx, const VlMatrix *x,
                                 VlMatrix *out, VlError **error);

  /* Masked mean pooling; @w is NULL.  Masked attention pooling when @w is
   * set.  tokens is (batch * seq) x d, out is batch x d. */
  VlStatus (*pool) (VlContext *ctx, const VlMatrix *tokens, size_t seq,
                    const uint8_t *mask, const float *w, VlMatrix *out,
                    VlError **error);

  /* Copies @database into index->priv with whatever norms the metric
   * needs.  index->ctx, metric, n and d are already set. */
  VlStatus (*index_build)  (VlIndex *index, const VlMatrix *database,
                            VlError **error);
  /* Frees index->priv; must accept NULL priv. */
  void     (*index_free)   (VlIndex *index);
  /* Exact top-k of each query, best first, ties to the lower id. */
  VlStatus (*index_search) (VlIndex *index, const VlMatrix *queries,
                            size_t k, int64_t *ids, float *scores,
                            VlError **error);

  /* vl_context_set_phase_timing; NULL where phases are timed on the host
   * at no cost. */
  VlStatus (*set_phase_timing) (VlContext *ctx, bool on, VlError **error);

  /* Kernel tunables (NULL for backends without any): sets @family's to
   * @tuning (NULL: back to the default), reads the effective ones, and
   * stores the ones set into the user's tuning cache for this device. */
  const char *const *(*tuning_families) (VlContext *ctx);
  VlStatus    (*set_tuning)  (VlContext *ctx, const char *family,
                              const char *tuning, VlError **error);
  const char *(*get_tuning)  (VlContext *ctx, const char *family);
  VlStatus    (*save_tuning) (VlContext *ctx, VlError **error);

  /* Scalar quantisation (SQ8/SQ4): train, encode, decode, search codes. */
  const VlSqOps     *sq;
  /* Neural quantisation: encoder to uint8 codes, decoder back. */
  const VlNeuralOps *neural;
  /* Learned projections: projected distance and attention similarity. */
  const VlProjOps   *proj;
};

extern const VlBackend vl_ref_backend;
extern const VlBackend vl_cpu_backend;
#ifdef VL_HAVE_OPENCL
extern const VlBackend vl_opencl_backend;

/* Appends the OpenCL devices to a growing list (see vl-device.c). */
VlStatus vl_opencl_enumerate (VlDeviceInfo **devices, size_t *n_devices,
                              VlError **error);
#endif

/* Fills the ref and cpu device descriptions. */
void vl_ref_describe (VlDeviceInfo *info);
void vl_cpu_describe (VlDeviceInfo *info);

/* ---- errors ----------------------------------------------------------- */

/* Stores a formatted error in *error (when error is not NULL) and returns
 * @status, so that failures read `return vl_set_error (error, ...);`. */
VlStatus vl_set_error (VlError **error, VlStatus status, const char *format,
                       ...) __attribute__ ((format (printf, 3, 4)));

/* ---- helpers ---------------------------------------------------------- */

static inline const float *
vl_row_f32 (const VlMatrix *m, size_t r)
{
  return (const float *) m->data + r * m->stride;
}

static inline float *
vl_row_f32_mut (VlMatrix *m, size_t r)
{
  return (float *) m->data + r * m->stride;
}

/* Monotonic clock in milliseconds, for breakdowns of host backends. */
double vl_now_ms (void);

/* Orders (score, id) pairs: true when a ranks before b.  For similarities
 * larger scores rank first; equal scores rank by lower id. */
static inline bool
vl_ranks_before (bool similarity, float a, int64_t a_id, float b,
                 int64_t b_id)
{
  if (a != b)
    return similarity ? a > b : a < b;
  return a_id < b_id;
}

/* Number of worker threads for host backends: $VL_NUM_THREADS or the number
 * of online processors. */
unsigned vl_num_threads (void);

/* A hint that [data, data + bytes) of the caller's memory is about to be
 * written whole: where the kernel allows it (Linux transparent huge pages
 * in "madvise" mode), its first touch then costs one page fault per
 * 2 MiB instead of one per 4 KiB, which for memory fresh from malloc is
 * most of the time of filling it (about half, for 300 MB over 16 threads
 * on the H200's host).  Contents and everything outside the range stay
 * as they are. */
void     vl_host_will_fill (void *data, size_t bytes);
