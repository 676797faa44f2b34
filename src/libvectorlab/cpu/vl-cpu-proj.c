/* vl-cpu-proj.c: projections on the host: one OpenBLAS sgemm
 * (out = scale * x w^T, reading x through its stride), or threaded dot
 * products without BLAS. */
#include "vl-cpu.h"
#include "vl-cpu-threads.h"
#include "vl-proj-private.h"

#ifndef VL_HAVE_BLAS
typedef struct
{
  const float    *w;
  size_t          p;
  const VlMatrix *x;
  float           scale;
  VlMatrix       *out;
} ProjectJob;

static void
project_range (size_t begin, size_t end, unsigned worker, void *data)
{
  const ProjectJob *job = data;
  size_t d = job->x->cols;

  for (size_t r = begin; r < end; r++)
    {
      const float *xr = vl_row_f32 (job->x, r);
      float *o = vl_row_f32_mut (job->out, r);

      for (size_t j = 0; j < job->p; j++)
        {
          const float *wj = job->w + j * d;
          float s = 0.0f;

          for (size_t c = 0; c < d; c++)
            s += xr[c] * wj[c];
          o[j] = job->scale * s;
        }
    }
}
#endif

static VlStatus
cpu_project (VlContext *ctx, const VlWeightTensor *w, const VlMatrix *x,
             float scale, VlMatrix *out, VlError **error)
{
  size_t p = w->shape.dims[0];
  double t0 = vl_now_ms ();

#ifdef VL_HAVE_BLAS
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) x->rows,
               (int) p, (int) x->cols, scale, x->data,
               (int) x->stride, w->storage, (int) x->cols, 0.0f,
               out->data, (int) out->stride);
#else
  ProjectJob job = { w->storage, p, x, scale, out };

  vl_cpu_parallel_for (x->rows, 16, project_range, &job);
#endif
  ctx->breakdown.kernel_ms = vl_now_ms () - t0;
  return VL_STATUS_OK;
}

const VlProjOps vl_cpu_proj_ops = {
  .tensor_new = vl_host_tensor_new,
  .tensor_free = vl_host_tensor_free,
  .tensor_read = vl_host_tensor_read,
  .project = cpu_project,
};
