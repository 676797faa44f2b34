/* vl-opencl-private.h: state and helpers shared by the OpenCL backend's
 * files. */
#pragma once

#include "vl-private.h"

#include <CL/cl.h>

/* Kernel families: each is one program built from one or more .cl files. */
typedef enum
{
  VL_OPENCL_DISTANCE = 0,
  VL_OPENCL_NORMALIZE,
  VL_OPENCL_SIMILARITY,
  VL_OPENCL_POOL,
  VL_OPENCL_TOPK,
  VL_OPENCL_PROJ,
  VL_OPENCL_NEURAL,
  VL_OPENCL_SQ,
  VL_OPENCL_KNN_SCAN1,
  VL_OPENCL_KNN_SCAN4,
  VL_OPENCL_KNN_SCAN16,
  VL_OPENCL_KNN_GEMM,
  /* knn_scan_mma.cl: knn_scan16 on tensor cores. */
  VL_OPENCL_KNN_SCAN_MMA,
  /* knn_scan.cl over SQ8 codes; tuned as the knn_scan families. */
  VL_OPENCL_SQ8_SCAN1,
  VL_OPENCL_SQ8_SCAN4,
  VL_OPENCL_SQ8_SCAN16,
  /* team_scan.cl: 4 queries over floats, 1 and 4 over SQ8 codes, read by
   * teams of 32 items; tuned families of their own (team_scan4, sq8_scan1,
   * sq8_scan4). */
  VL_OPENCL_TEAM_SCAN4,
  VL_OPENCL_SQ8_TEAM1,
  VL_OPENCL_SQ8_TEAM4,
  /* knn_scan_mma.cl over SQ8 codes (fp16 tensor cores), tuned as
   * knn_scan_mma. */
  VL_OPENCL_SQ8_SCAN_MMA,
  VL_OPENCL_N_FAMILIES
} VlOpenclFamily;

typedef enum
{
  VL_OPENCL_PHASE_UPLOAD = 0,
  VL_OPENCL_PHASE_KERNEL,
  VL_OPENCL_PHASE_DOWNLOAD,
} VlOpenclPhase;

typedef struct
{
  cl_program program;
  /* The work-group size the program's -D options were chosen for; never
   * more than any of its kernels' CL_KERNEL_WORK_GROUP_SIZE. */
  size_t     wg;
} VlOpenclProgram;

typedef struct
{
  cl_mem *items;
  size_t  n;
  size_t  cap;
} VlOpenclBucket;

/* Host memory that the device reaches directly (a CL_MEM_ALLOC_HOST_PTR
 * buffer), mapped for good: a read into it or a write from it skips the
 * driver's own staging of pageable memory. */
typedef struct
{
  cl_mem buffer;
  void  *ptr;
  size_t bytes;
} VlOpenclPinned;

/* Chunks in flight in vl-opencl-stream.c: the device works on chunk i
 * while the host fills chunk i + 1's slot and empties chunk i - 1's, each
 * in its own buffers. */
#define VL_OPENCL_STREAM_SLOTS 2

/* The context's pinned host memory for vl-opencl-stream.c (GPUs only),
 * mapped once: a chunk's inputs are copied into its slot, uploaded from
 * there by DMA, and its outputs downloaded into the same slot.  Kept from
 * the first run that needs it to the context's end, since pinning costs
 * as much per byte as one pass over it saves. */
typedef struct
{
  VlOpenclPinned stage[VL_OPENCL_STREAM_SLOTS];
} VlOpenclStream;

typedef struct
{
  cl_platform_id   platform;
  cl_device_id     device;
  cl_context       context;
  /* The queue ops enqueue on: one of the two below, by the context's
   * phase_timing (vl_context_set_phase_timing); while it is on, enqueues
   * that only feed the breakdown get events (vl_opencl_timing_event). */
  cl_command_queue queue;
  cl_command_queue profiling_queue, plain_queue;
  bool             use_disk_cache;
  /* An NVIDIA device of compute capability 8.0 or later: mma.sync with
   * TF32 operands (knn_mma.cl). */
  bool             tensor_cores;
  /* NVIDIA's driver, whose OpenCL C compiler takes inline PTX (asm). */
  bool             nvidia_ptx;
  uint64_t         max_alloc_bytes;
  VlOpenclProgram  programs[VL_OPENCL_N_FAMILIES];
  /* Kernels created so far, by family and function name. */
  struct
  {
    VlOpenclFamily family;
    const char    *name;
    cl_kernel   kernel;
    size_t      wg;
  }                kernels[64];
  size_t           n_kernels;

  /* Tunables set on this context, and read from the user's tuning cache,
   * by family (NULL: none). */
  char            *tuning[VL_OPENCL_N_FAMILIES];
  char            *tuning_cached[VL_OPENCL_N_FAMILIES];
  bool             tuning_cache_read;
  /* The names of the families this device runs, NULL-terminated. */
  const char      *tuning_family_names[VL_OPENCL_N_FAMILIES + 1];

  VlOpenclStream   stream;
  /* What the few-query scans download their lists or merged parts into
   * (vl-opencl-knn-scan.c), and what queries are uploaded from
   * (vl_opencl_upload_queries). */
  VlOpenclPinned   results, staging;
  /* Whether the op's last command is known done (its polled download),
   * so that vl_opencl_finish need not drain the in-order queue. */
  bool             drained;
  /* Host time blocked in vl_opencl_download_wait (or _pinned_wait)
   * since the op began: waiting for the device, not preparing its work
   * (breakdown). */
  double           blocked_ms;

  /* Buffer pool: free buffers by log2 of their size. */
  VlOpenclBucket   buckets[64];

  /* Profiling events of the op in progress, summed by vl_opencl_finish. */
  cl_event        *events;
  VlOpenclPhase   *phases;
  size_t           n_events;
  size_t           cap_events;
} VlOpenclContext;

/* ---- errors (vl-opencl-error.c) ---------------------------------------- */

const char *vl_opencl_error_name (cl_int err);
/* OK for CL_SUCCESS; otherwise an error naming @call and the CL error, with
 * allocation failures reported as VL_STATUS_OUT_OF_MEMORY. */
VlStatus vl_opencl_check (cl_int err, const char *call, VlError **error);

/* ---- devices (vl-opencl-device.c) ------------------------------------- */

/* The platform and device behind an id "opencl:N". */
VlStatus vl_opencl_find_device (const char *id, cl_platform_id *platform,
                                cl_device_id *device, VlError **error);

/* ---- programs (vl-opencl-program.c) ------------------------------------ */

/* A kernel of @family, owned by the context, and the work-group size its
 * program was built for.  The family's program is built on first use (from
 * the disk cache when possible). */
VlStatus vl_opencl_kernel (VlContext *ctx, VlOpenclFamily family,
                           const char *name, cl_kernel *kernel, size_t *wg,
                           VlError **error);
/* Forgets @family's program and kernels: the next use rebuilds them. */
void     vl_opencl_program_drop (VlOpenclContext *priv, VlOpenclFamily family);
void     vl_opencl_programs_release (VlOpenclContext *priv);
/* The user's cache directory of vectorlab (with @sub appended unless
 * empty), created if missing; false when there is none. */
bool     vl_opencl_user_cache_dir (const char *sub, char *dir, size_t size);

/* ---- tunables (vl-opencl-tuning.c) ------------------------------------ */

/* The tunables of @family on this context's device: "NAME=VALUE ..." words
 * (empty for families without tunables). */
const char *vl_opencl_tuning (VlContext *ctx, VlOpenclFamily family);
/* The value of @name in @tuning, or @fallback when it has none. */
unsigned    vl_opencl_tuning_value (const char *tuning, const char *name,
                                    unsigned fallback);
/* Writes @tuning as " -DNAME=VALUE ..." compiler options into @buf. */
void        vl_opencl_tuning_defines (const char *tuning, char *buf,
                                      size_t size);
/* The work-group size @tuning asks for. */
size_t      vl_opencl_tuning_wg (const char *tuning);
/* Reads this device's lines of the user's tuning cache (once, lazily). */
void        vl_opencl_tuning_read_cache (VlContext *ctx);
/* The backend's tuning entry points (see vectorlab.h). */
const char *const *vl_opencl_tuning_families (VlContext *ctx);
VlStatus    vl_opencl_set_tuning (VlContext *ctx, const char *family,
                                  const char *tuning, VlError **error);
const char *vl_opencl_get_tuning (VlContext *ctx, const char *family);
VlStatus    vl_opencl_save_tuning (VlContext *ctx, VlError **error);

/* ---- buffer pool (vl-opencl-pool.c) ------------------------------------ */

VlStatus vl_opencl_buffer_get (VlContext *ctx, size_t bytes, cl_mem *buffer,
                               const char *what, VlError **error);
/* Returns @buffer to the pool; accepts NULL. */
void     vl_opencl_buffer_put (VlContext *ctx, cl_mem buffer);
void     vl_opencl_pool_release (VlContext *ctx);

/* ---- commands and timing (vl-opencl.c) --------------------------------- */

/* Sets kernel arguments from (size, pointer) pairs, terminated by size 0. */
VlStatus vl_opencl_set_args (cl_kernel kernel, VlError **error, ...);
/* The side of the square work-group of @wg items that the families on
 * distance.cl's blocks use (WG_SQUARE): each computes TS = 4 * side
 * outputs a side, walking d in chunks of VL_OPENCL_SQUARE_TK columns. */
size_t   vl_opencl_square_side (size_t wg);
#define VL_OPENCL_SQUARE_TK 16
/* Enqueues such a kernel (built for @wg items) over @rows x @cols outputs:
 * group 0 walks the columns, group 1 the rows, a TS x TS block a group;
 * with @slices > 1, group 2 walks that many slices of d. */
VlStatus vl_opencl_enqueue_blocks (VlContext *ctx, cl_kernel kernel,
                                   size_t wg, size_t rows, size_t cols,
                                   VlError **error);
VlStatus vl_opencl_enqueue_block_slices (VlContext *ctx, cl_kernel kernel,
                                         size_t wg, size_t rows, size_t cols,
                                         size_t slices, VlError **error);
VlStatus vl_opencl_enqueue_kernel (VlContext *ctx, cl_kernel kernel,
                                   cl_uint dims, const size_t *global,
                                   const size_t *local, VlError **error);
/* Uploads rows [row0, row0 + rows) of @m into @buffer as a contiguous
 * rows x m->cols block. */
VlStatus vl_opencl_upload_rows (VlContext *ctx, cl_mem buffer,
                                const VlMatrix *m, size_t row0, size_t rows,
                                VlError **error);
/* The same into rows of @ld >= m->cols floats, their padding zeroed. */
VlStatus vl_opencl_upload_rows_ld (VlContext *ctx, cl_mem buffer, size_t ld,
                                   const VlMatrix *m, size_t row0,
                                   size_t rows, VlError **error);
/* An op's queries, all of @m, as vl_opencl_upload_rows_ld would upload
 * them; a block of few goes from the context's pinned staging, once an op
 * (the op's end has the write done, so the next op may refill it), and is
 * flushed at once, so that the device copies while the host prepares the
 * kernels. */
VlStatus vl_opencl_upload_queries (VlContext *ctx, cl_mem buffer, size_t ld,
                                   const VlMatrix *m, VlError **error);
/* Points *@ptr at @pinned's memory, first made (or remade, larger) to hold
 * @bytes and at least @least. */
VlStatus vl_opencl_pinned_get (VlContext *ctx, VlOpenclPinned *pinned,
                               size_t bytes, size_t least, void **ptr,
                               VlError **error);
/* Unmaps and frees @pinned's memory, if any. */
void vl_opencl_pinned_release (VlContext *ctx, VlOpenclPinned *pinned);
VlStatus vl_opencl_upload (VlContext *ctx, cl_mem buffer, size_t bytes,
                           const void *data, VlError **error);
/* Reads a rows x cols float block with @buffer_ld floats a row into host
 * memory at @host with @host_ld floats a row. */
VlStatus vl_opencl_download_rect (VlContext *ctx, cl_mem buffer,
                                  size_t buffer_ld, size_t rows, size_t cols,
                                  float *host, size_t host_ld,
                                  VlError **error);
VlStatus vl_opencl_download (VlContext *ctx, cl_mem buffer, size_t bytes,
                             void *data, VlError **error);
/* The same, returning once the data (and so every command before it) is
 * there: an op's last download.  NVIDIA's driver completes a non-blocking
 * read into pageable memory late: after a 1 ms kernel, such a read and
 * clFinish returned 69 us after the kernel's end, a blocking read 17 us
 * (H100).  The time blocked is kept out of host_prep_ms. */
VlStatus vl_opencl_download_wait (VlContext *ctx, cl_mem buffer,
                                  size_t bytes, void *data, VlError **error);
/* The same into @pinned host memory (of a CL_MEM_ALLOC_HOST_PTR buffer,
 * mapped), waited for by polling for up to a few ms: the driver's
 * blocking wait returned later after about a millisecond's kernels (H100,
 * 1M x 768, same run: 16 queries' scan 1.210 against 1.226 ms, SQ8
 * codes' 1.099 against 1.105, one query's 1.069 both ways).  It must be
 * the op's last command: once it is done, so is every command before it,
 * and vl_opencl_finish does not drain the queue again. */
VlStatus vl_opencl_download_pinned_wait (VlContext *ctx, cl_mem buffer,
                                         size_t bytes, void *pinned,
                                         VlError **error);
/* Where an enqueue puts the event that only the breakdown needs: nowhere
 * (NULL, and *@event too) while the context does not time phases. */
static inline cl_event *
vl_opencl_timing_event (VlContext *ctx, cl_event *event)
{
  *event = NULL;
  return ctx->phase_timing ? event : NULL;
}

/* Waits for the queue and adds the profiled time of every command since the
 * last call to ctx->breakdown.  Always drains the queue (or knows it idle
 * after vl_opencl_download_pinned_wait), so that no command touches caller
 * memory after an op returns, even after a failure.  Returns
 * @status when it is already a failure, so that ops end with
 * `return vl_opencl_finish (ctx, status, error);`. */
VlStatus vl_opencl_finish (VlContext *ctx, VlStatus status, VlError **error);

/* ---- ops ---------------------------------------------------------------- */

/* Inverse L2 norms (0 for zero rows) of the first @rows rows of @x
 * (contiguous, @d floats a row) into @inv. */
VlStatus vl_opencl_inv_norms (VlContext *ctx, cl_mem x, size_t rows,
                              size_t d, cl_mem inv, VlError **error);
/* Divides the first @rows rows of @x (@ld floats apart, @d of them used)
 * by their L2 norms in place; zero rows stay zero.  Fit for rows of any
 * finite size: cosine goes through unit rows so that no product
 * overflows. */
VlStatus vl_opencl_unit_rows (VlContext *ctx, cl_mem x, size_t rows,
                              size_t ld, size_t d, VlError **error);
/* Scores of queries rows [q0, q0 + nq) against database rows
 * [x0, x0 + nx) into @out (nq rows of @ldo floats).  @qinv and @xinv are the
 * inverse norms for cosine, NULL otherwise. */
VlStatus vl_opencl_distance_tile (VlContext *ctx, VlMetric metric,
                                  cl_mem q, size_t q0, size_t nq,
                                  cl_mem x, size_t x0, size_t nx, size_t d,
                                  cl_mem qinv, cl_mem xinv, cl_mem out,
                                  size_t ldo, VlError **error);

VlStatus vl_opencl_distance_matrix (VlContext *ctx, VlMetric metric,
                                    const VlMatrix *queries,
                                    const VlMatrix *database, VlMatrix *out,
                                    VlError **error);
VlStatus vl_opencl_normalize_rows (VlContext *ctx, const VlMatrix *in,
                                   VlMatrix *out, VlError **error);
VlStatus vl_opencl_similarity_matrix (VlContext *ctx, const VlMatrix *x,
                                      VlMatrix *out, VlError **error);
VlStatus vl_opencl_pool (VlContext *ctx, const VlMatrix *tokens, size_t seq,
                         const uint8_t *mask, const float *w, VlMatrix *out,
                         VlError **error);
VlStatus vl_opencl_index_build (VlIndex *index, const VlMatrix *database,
                                VlError **error);
void     vl_opencl_index_free (VlIndex *index);
VlStatus vl_opencl_index_search (VlIndex *index, const VlMatrix *queries,
                                 size_t k, int64_t *ids, float *scores,
                                 VlError **error);
/* The same for the queries projected by @w (@p x queries->cols) times
 * @scale on the device: the projected queries never leave it. */
VlStatus vl_opencl_index_search_projected (VlIndex *index, cl_mem w,
                                           size_t p, float scale,
                                           const VlMatrix *queries, size_t k,
                                           int64_t *ids, float *scores,
                                           VlError **error);
/* out[i * ldo + j] = scale * x_i . w_j for the @n rows of @x (@d floats a
 * row) and the @p rows of @w (proj.cl). */
VlStatus vl_opencl_project_rows (VlContext *ctx, cl_mem x, size_t n,
                                 size_t d, cl_mem w, size_t p, float scale,
                                 cl_mem out, size_t ldo, VlError **error);

/* ---- running top-k of tiled searches (vl-opencl-topk.c) ---------------- */

typedef struct
{
  cl_kernel kernel;        /* topk_merge */
  cl_kernel kernel_lists;  /* topk_merge_lists */
  size_t    wg;
  size_t    best_len;      /* local candidates: a power of two >= k */
} VlOpenclTopk;

/* Gets the merge kernels for a top-@k and fails with
 * VL_STATUS_UNSUPPORTED when their local memory exceeds the device's. */
VlStatus vl_opencl_topk_init (VlContext *ctx, size_t k, VlOpenclTopk *topk,
                              VlError **error);
/* Folds a tile of scores (@rows x @cols in @scratch, @lds floats a row, its
 * first column being database row @tile0) into the @rows running top-k
 * lists in @running, of which @have entries are filled so far.
 * @similarity: higher is better. */
VlStatus vl_opencl_topk_merge (VlContext *ctx, const VlOpenclTopk *topk,
                               cl_mem running, size_t k, size_t have,
                               cl_mem scratch, size_t lds, size_t rows,
                               size_t cols, size_t tile0, bool similarity,
                               VlError **error);
/* Sets the @rows running top-k lists in @running to the best k of
 * @per_row candidates each in @lists (@per_row a row). */
VlStatus vl_opencl_topk_merge_lists (VlContext *ctx, const VlOpenclTopk *topk,
                                     cl_mem running, size_t k, cl_mem lists,
                                     size_t rows, size_t per_row,
                                     VlError **error);
/* Downloads the @rows x @k results in @running of the block of queries
 * from @q0 into @found (nq x k); the last block's (@q0 + @rows == @nq)
 * is waited for there (vl_opencl_download_wait). */
VlStatus vl_opencl_topk_download (VlContext *ctx, cl_mem running, size_t q0,
                                  size_t rows, size_t nq, size_t k,
                                  cl_ulong *found, VlError **error);
/* Ends a tiled search begun at @t0: host_prep_ms, vl_opencl_finish(),
 * then, when all went well, the @n downloaded keys of topk_merge split into
 * ids and scores (host_extract_ms). */
VlStatus vl_opencl_topk_finish (VlContext *ctx, VlStatus status, double t0,
                                const cl_ulong *found, size_t n,
                                bool similarity, int64_t *ids, float *scores,
                                VlError **error);

/* ---- the flat index's scan for few queries (vl-opencl-knn-scan.c) ---- */

/* Local memory bytes of the scan kernels for these tunables. */
size_t   vl_opencl_knn_scan_local (size_t qb, size_t wg, size_t rpi,
                                   size_t tk);
size_t   vl_opencl_knn_scan_mma_local (size_t wg, size_t nr, size_t cw,
                                       size_t stages);
/* team_scan.cl's, besides its `cst` argument. */
size_t   vl_opencl_team_scan_local (size_t qb, size_t wg);
/* What a scan reads: n rows of ld4 * 4 floats, or of SQ8 codes decoded
 * with min and step; scores are squared L2 or inner products, times
 * qinv * xinv when those are set (cosine over rows that are not unit). */
typedef struct
{
  cl_mem x;
  size_t n;
  size_t ld4;
  bool   l2;
  cl_mem min, step;   /* SQ8 codes; NULL for floats */
  cl_mem qinv, xinv;  /* cosine; NULL otherwise */
} VlOpenclScan;

/* Whether the scan is the way to the top-@k of @nq queries on this device:
 * it can serve them, in fewer passes over the database than scoring tiles
 * would cost. */
bool     vl_opencl_knn_scan_serves (VlContext *ctx, const VlOpenclScan *scan,
                                    size_t nq, size_t k);
/* The best @k rows of @scan for each of the @nq queries in @q (rows of
 * scan->ld4 * 4 floats), as topk.cl's candidates, into @found (@nq x @k). */
VlStatus vl_opencl_knn_scan (VlContext *ctx, const VlOpenclScan *scan,
                             cl_mem q, size_t nq, size_t k,
                             const VlOpenclTopk *topk, cl_ulong *found,
                             VlError **error);

/* Runs @expr and jumps to the function's `out:` cleanup on failure, with
 * the failure in the local `status`. */
#define VL_OPENCL_TRY(expr)                               \
  do {                                                    \
      if ((status = (expr)) != VL_STATUS_OK)              \
        goto out;                                         \
  } while (0)

/* Kernels index rows and columns with 32-bit integers. */
VlStatus vl_opencl_check_dims (size_t rows, size_t cols, const char *what,
                               VlError **error);

static inline size_t
vl_opencl_round_up (size_t x, size_t multiple)
{
  return (x + multiple - 1) / multiple * multiple;
}

/* Floats of scratch a tile may use: bounds the device memory of tiled
 * ops (32 MiB). */
#define VL_OPENCL_SCRATCH_FLOATS ((size_t) 8 << 20)
