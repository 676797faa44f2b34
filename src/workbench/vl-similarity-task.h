/* vl-similarity-task.h: a similarity matrix of clustered or loaded
 * vectors, computed with libvectorlab in a worker thread that owns its
 * own VlContext. */
#pragma once

#include <gio/gio.h>
#include <vectorlab.h>

G_BEGIN_DECLS

/* The largest matrix the page computes: 4096² floats are 64 MiB, and the
 * heatmap's texture must fit any GL 3.3 / ES 3.0 implementation. */
#define VL_SIMILARITY_MAX_ROWS 4096

typedef struct
{
  char        *device_id;  /* as asked: "auto", "cpu", "opencl:0", ... */
  char        *path;       /* a .npy or .fvecs file, or NULL to generate */
  guint        n;          /* generated: vectors */
  guint        d;          /* generated: dimension */
  guint        clusters;   /* generated: clusters; file: k-means clusters */
  guint32      seed;
} VlSimilarityRequest;

typedef struct
{
  char         device_id[32];  /* resolved */
  char        *source;         /* "file.npy" or "generated, seed 1" */
  guint        n;              /* rows shown */
  guint        d;
  gsize        total_rows;     /* rows in the file (>= n) */
  guint        n_clusters;
  float       *matrix;         /* n x n, rows and columns in cluster order */
  double       op_ms;          /* wall time of vl_similarity_matrix */
  VlBreakdown  breakdown;
  VlPoolStats  pool;
} VlSimilarityResult;

void                vl_similarity_result_free     (VlSimilarityResult   *result);
void                vl_similarity_request_clear   (VlSimilarityRequest  *request);

void                vl_similarity_task_run_async  (const VlSimilarityRequest *request,
                                                   GCancellable              *cancellable,
                                                   GAsyncReadyCallback        callback,
                                                   gpointer                   user_data);
VlSimilarityResult *vl_similarity_task_run_finish (GAsyncResult              *result,
                                                   GError                   **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VlSimilarityResult, vl_similarity_result_free)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (VlSimilarityRequest, vl_similarity_request_clear)

G_END_DECLS
