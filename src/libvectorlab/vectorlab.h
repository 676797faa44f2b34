/* vectorlab.h: the public API of libvectorlab.
 *
 * libvectorlab is a C11 library of vector-search kernels with three backends:
 * "ref" (scalar oracle), "cpu" (threads + OpenBLAS) and "opencl".  It has no
 * dependency on GLib so that any C program can embed it.
 *
 * Conventions
 * - Every fallible function returns a VlStatus and, when @error is not NULL,
 *   stores a VlError with a human-readable message that the caller frees with
 *   vl_error_free().  The library never prints, exits or aborts.
 * - Host data is passed as strided row-major VlMatrix views; the library never
 *   keeps a pointer to caller memory after a call returns.
 * - Non-finite policy: every float input is checked for NaN and infinity when
 *   it enters the library (a database when an index is built, queries when
 *   they are searched, operands of one-shot ops) and rejected with
 *   VL_STATUS_NON_FINITE, naming the row.  Results are never silently NaN.
 * - Scores: VL_METRIC_L2 gives squared Euclidean distances (smaller is
 *   better); VL_METRIC_IP gives inner products and VL_METRIC_COSINE cosine
 *   similarities (larger is better).  The cosine of a zero vector is 0.
 * - k-NN results are sorted best first; equal scores are ordered by the
 *   lower database id, so results are deterministic.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VL_MAX_K 4096

typedef enum
{
  VL_STATUS_OK = 0,
  VL_STATUS_INVALID_ARGUMENT,  /* NULL, zero or out-of-range values */
  VL_STATUS_SHAPE_MISMATCH,    /* operands whose dimensions disagree */
  VL_STATUS_NON_FINITE,        /* NaN or infinity in an input */
  VL_STATUS_OUT_OF_MEMORY,     /* host or device allocation failed */
  VL_STATUS_DEVICE_NOT_FOUND,  /* unknown or unavailable device id */
  VL_STATUS_BACKEND_FAILURE,   /* the OpenCL runtime or driver failed */
  VL_STATUS_UNSUPPORTED,       /* valid request this backend cannot do */
} VlStatus;

typedef struct
{
  VlStatus status;
  char    *message;
} VlError;

void        vl_error_free       (VlError *error);
const char *vl_status_to_string (VlStatus status);

typedef enum
{
  VL_DTYPE_F32 = 0,
  VL_DTYPE_U8,
} VlDtype;

/* A strided row-major view of host memory: element (r, c) lives at
 * data + (r * stride + c) * element size.  stride >= cols. */
typedef struct
{
  size_t  rows;
  size_t  cols;
  size_t  stride;
  VlDtype dtype;
  void   *data;
} VlMatrix;

/* A contiguous fp32 view of @rows x @cols floats. */
VlMatrix vl_matrix_f32 (float *data, size_t rows, size_t cols);

typedef enum
{
  VL_METRIC_L2 = 0,
  VL_METRIC_IP,
  VL_METRIC_COSINE,
} VlMetric;

const char *vl_metric_to_string   (VlMetric metric);
bool        vl_metric_from_string (const char *name, VlMetric *metric);
/* true when larger scores are better under @metric */
bool        vl_metric_is_similarity (VlMetric metric);

/* ---- devices ---------------------------------------------------------- */

typedef enum
{
  VL_BACKEND_REF = 0,
  VL_BACKEND_CPU,
  VL_BACKEND_OPENCL,
} VlBackendKind;

const char *vl_backend_kind_to_string (VlBackendKind kind);

typedef struct
{
  char          id[32];        /* "ref", "cpu", "opencl:0", ... */
  VlBackendKind backend;
  char          name[256];
  char          vendor[256];
  char          driver[256];   /* driver version, or the library version */
  char          platform[256]; /* OpenCL platform name; empty otherwise */
  bool          is_gpu;
  unsigned      compute_units;
  uint64_t      global_mem_bytes;
  uint64_t      local_mem_bytes;
  size_t        max_work_group_size;
  bool          fp64;
  bool          fp16;
} VlDeviceInfo;

/* Lists every usable device: ref, cpu, then each OpenCL device in platform
 * order.  An OpenCL runtime that fails to enumerate is skipped, not fatal. */
VlStatus vl_devices_list (VlDeviceInfo **devices,
                          size_t        *n_devices,
                          VlError      **error);
void     vl_devices_free (VlDeviceInfo *devices);

/* The device id "auto" resolves to: $VL_DEVICE if set, else the first OpenCL
 * GPU, else "cpu". */
VlStatus vl_device_resolve (const char *device_id,
                            char        resolved[32],
                            VlError   **error);

/* ---- contexts --------------------------------------------------------- */

typedef struct _VlContext VlContext;

/* A context owns one device, its queue, compiled programs and buffer pool.
 * It is not thread-safe: use one context per thread. */
VlContext *vl_context_new  (const char *device_id, VlError **error);
void       vl_context_free (VlContext *ctx);
const VlDeviceInfo *vl_context_get_device (VlContext *ctx);

/* Milliseconds spent in each phase of the last op run on @ctx.  Measured with
 * profiling events on OpenCL and with a monotonic clock elsewhere. */
typedef struct
{
  double host_prep_ms;
  double upload_ms;
  double kernel_ms;
  double download_ms;
  double host_extract_ms;
} VlBreakdown;

void vl_context_get_breakdown (VlContext *ctx, VlBreakdown *breakdown);

/* Whether ops on @ctx time their device phases (upload, kernel, download)
 * for vl_context_get_breakdown; on from vl_context_new.  On OpenCL that
 * puts every command on a profiling queue with an event, which costs an op
 * about 10 us on NVIDIA's driver; while off those three phases read 0 and
 * the host phases are still timed.  Fails only when the device cannot make
 * the other queue. */
VlStatus vl_context_set_phase_timing (VlContext *ctx, bool on,
                                      VlError **error);
/* Whether ops on @ctx time their device phases now: always on backends that
 * time them on the host, whatever was set. */
bool     vl_context_get_phase_timing (VlContext *ctx);

typedef struct
{
  uint64_t hits;
  uint64_t misses;
  uint64_t bytes_live;    /* bytes handed out and not yet returned */
  uint64_t bytes_peak;    /* high-water mark of bytes_live + cached */
  uint64_t bytes_cached;  /* bytes held for reuse */
  uint64_t kernels_run;
} VlPoolStats;

/* Device buffer pool counters (zero for backends without device memory). */
void vl_context_get_pool_stats (VlContext *ctx, VlPoolStats *stats);

/* ---- kernel tunables -------------------------------------------------- */

/* The OpenCL kernels take tile sizes and work-group sizes as tunables, per
 * family: "knn_scan1", "knn_scan4", "knn_scan16" (k-NN of 1, up to 4 and up
 * to 16 queries a pass: WG, TK, GROUPS_PER_CU) and "knn_gemm" (k-NN of many
 * queries: GM, GN, GK, WM, WN).  A family's tunables are "NAME=VALUE" words
 * separated by spaces; unnamed ones keep their defaults.  They come from
 * vl_context_set_tuning, else the user's tuning cache for the device
 * (written by vl_context_save_tuning, e.g. by `vectorlab-bench tune`),
 * else a built-in table per vendor. */

/* NULL-terminated names of the tunable families that run on @ctx's device
 * (none for ref and cpu; the tensor-core ones on NVIDIA from compute
 * capability 8.0 only). */
const char *const *vl_context_tuning_families (VlContext *ctx);
/* Sets @family's tunables on @ctx (NULL: back to the cache or built-in
 * ones); its kernels are rebuilt on next use.  VL_STATUS_INVALID_ARGUMENT
 * for an unknown family, malformed words or values the kernels cannot run
 * with. */
VlStatus vl_context_set_tuning (VlContext *ctx, const char *family,
                                const char *tuning, VlError **error);
/* The tunables @family runs with on @ctx; NULL for an unknown family. */
const char *vl_context_get_tuning (VlContext *ctx, const char *family);
/* Stores the tunables set on @ctx in the user's tuning cache
 * ($XDG_CACHE_HOME/vectorlab/tuning), for this device and driver, keeping
 * what the cache holds for other devices and families. */
VlStatus vl_context_save_tuning (VlContext *ctx, VlError **error);

/* ---- ops -------------------------------------------------------------- */

/* out[i][j] = score(queries[i], database[j]) under @metric;
 * @out is queries->rows x database->rows. */
VlStatus vl_distance_matrix (VlContext      *ctx,
                             VlMetric        metric,
                             const VlMatrix *queries,
                             const VlMatrix *database,
                             VlMatrix       *out,
                             VlError       **error);

/* L2-normalise each row of @in into @out (which may be @in).  Zero rows stay
 * zero. */
VlStatus vl_normalize_rows (VlContext      *ctx,
                            const VlMatrix *in,
                            VlMatrix       *out,
                            VlError       **error);

/* Pairwise cosine similarity of the rows of @x: @out is n x n, symmetric,
 * with 1 on the diagonal for non-zero rows and 0 for zero rows. */
VlStatus vl_similarity_matrix (VlContext      *ctx,
                               const VlMatrix *x,
                               VlMatrix       *out,
                               VlError       **error);

/* Token embeddings @tokens are [batch, seq, d] stored as a (batch * seq) x d
 * matrix; @mask is batch * seq bytes, 1 for a real token and 0 for padding.
 * @out is batch x d.  A row whose mask is all zero pools to zero. */
VlStatus vl_pool_mean (VlContext      *ctx,
                       const VlMatrix *tokens,
                       size_t          seq,
                       const uint8_t  *mask,
                       VlMatrix       *out,
                       VlError       **error);

/* Attention-weighted pooling: weights are the softmax over unmasked tokens of
 * token . @w (@w has d floats); out = sum of weight * token. */
VlStatus vl_pool_attention (VlContext      *ctx,
                            const VlMatrix *tokens,
                            size_t          seq,
                            const uint8_t  *mask,
                            const float    *w,
                            VlMatrix       *out,
                            VlError       **error);

/* ---- k-NN ------------------------------------------------------------- */

typedef struct _VlIndex VlIndex;

/* Builds an exact (flat) index holding a copy of @database on the context's
 * device, with the row norms the metric needs.  The database is scanned in
 * bounded tiles at search time, never materialising queries x database. */
VlIndex *vl_index_new  (VlContext      *ctx,
                        VlMetric        metric,
                        const VlMatrix *database,
                        VlError       **error);
void     vl_index_free (VlIndex *index);
size_t   vl_index_get_size (VlIndex *index);
size_t   vl_index_get_dim  (VlIndex *index);

/* Writes the @k best database ids and scores of each query, best first, into
 * @ids and @scores (each queries->rows x k, row-major).  1 <= k <= size of the
 * index and k <= VL_MAX_K. */
VlStatus vl_index_search (VlIndex        *index,
                          const VlMatrix *queries,
                          size_t          k,
                          int64_t        *ids,
                          float          *scores,
                          VlError       **error);

/* One-shot k-NN: builds a temporary index and searches it. */
VlStatus vl_knn (VlContext      *ctx,
                 VlMetric        metric,
                 const VlMatrix *queries,
                 const VlMatrix *database,
                 size_t          k,
                 int64_t        *ids,
                 float          *scores,
                 VlError       **error);

const char *vl_version (void);

#ifdef __cplusplus
}
#endif

#include "vl-proj.h"

#include "vl-sq.h"
#include "vl-neural.h"
