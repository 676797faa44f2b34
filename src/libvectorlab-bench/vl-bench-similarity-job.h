/* vl-bench-similarity-job.h: a similarity matrix of clustered or loaded
 * vectors, computed through the runner on a worker thread that opens its
 * own VlContext on the chosen device.
 *
 * The job reports "progress" on the runner like a suite does (loading,
 * clustering, computing, with the worker's pool counters once it has a
 * context), and a cancelled job returns G_IO_ERROR_CANCELLED at once: the
 * worker owns copies of everything and drops a half-computed matrix. */
#pragma once

#include <gio/gio.h>

#include "vectorlab.h"
#include "vl-bench-runner.h"

G_BEGIN_DECLS

/* The largest matrix a job computes: 4096² floats are 64 MiB, and a
 * heatmap's texture of it must fit any GL 3.3 / ES 3.0 implementation. */
#define VL_BENCH_SIMILARITY_MAX_ROWS 4096

typedef struct
{
  char    *device_id;  /* as asked: "auto", "cpu", "opencl:0", ... */
  char    *path;       /* a .npy or .fvecs file, or NULL to generate */
  guint    n;          /* generated: vectors */
  guint    d;          /* generated: dimension */
  guint    clusters;   /* generated: clusters; file: k-means clusters */
  guint32  seed;
} VlBenchSimilarityRequest;

typedef struct
{
  char         device_id[32];  /* resolved */
  char        *source;         /* "file.npy" or "generated clusters, seed 1" */
  guint        n;              /* rows shown */
  guint        d;
  gsize        total_rows;     /* rows in the file (>= n) */
  guint        n_clusters;
  float       *matrix;         /* n x n, rows and columns in cluster order */
  double       op_ms;          /* wall time of vl_similarity_matrix */
  VlBreakdown  breakdown;
  VlPoolStats  pool;
} VlBenchSimilarityResult;

void vl_bench_similarity_result_free   (VlBenchSimilarityResult  *result);
void vl_bench_similarity_request_clear (VlBenchSimilarityRequest *request);

void                     vl_bench_runner_similarity_async  (VlBenchRunner                  *self,
                                                            const VlBenchSimilarityRequest *request,
                                                            GCancellable                   *cancellable,
                                                            GAsyncReadyCallback             callback,
                                                            gpointer                        user_data);
VlBenchSimilarityResult *vl_bench_runner_similarity_finish (VlBenchRunner                  *self,
                                                            GAsyncResult                   *result,
                                                            GError                        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VlBenchSimilarityResult, vl_bench_similarity_result_free)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (VlBenchSimilarityRequest, vl_bench_similarity_request_clear)

G_END_DECLS
