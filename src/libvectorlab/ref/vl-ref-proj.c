/* vl-ref-proj.c: reference projections: one double-accumulated dot product
 * per output, the oracle the other backends are judged against. */
#include "vl-ref.h"
#include "vl-proj-private.h"

static VlStatus
ref_project (VlContext *ctx, const VlWeightTensor *w, const VlMatrix *x,
             float scale, VlMatrix *out, VlError **error)
{
  const float *wd = w->storage;
  size_t p = w->shape.dims[0], d = x->cols;
  double t0 = vl_now_ms ();

  for (size_t r = 0; r < x->rows; r++)
    for (size_t j = 0; j < p; j++)
      vl_row_f32_mut (out, r)[j] =
        (float) (scale * vl_ref_score (VL_METRIC_IP, vl_row_f32 (x, r),
                                       wd + j * d, d));
  ctx->breakdown.kernel_ms = vl_now_ms () - t0;
  return VL_STATUS_OK;
}

const VlProjOps vl_ref_proj_ops = {
  .tensor_new = vl_host_tensor_new,
  .tensor_free = vl_host_tensor_free,
  .tensor_read = vl_host_tensor_read,
  .project = ref_project,
};
