/* vl-opencl.c: the OpenCL backend's context, its command helpers and the
 * profiling that fills the breakdown. */
#include "vl-opencl-private.h"
#include "vl-opencl-stream.h"
#include "vl-neural-private.h"
#include "vl-proj-private.h"
#include "vl-sq-private.h"

#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* PoCL keeps its own kernel cache, so ours would only duplicate it. */
#define POCL_PLATFORM_NAME "Portable Computing Language"
/* cl_nv_device_attribute_query's CL_DEVICE_COMPUTE_CAPABILITY_MAJOR_NV
 * (CL/cl_ext.h of some SDKs lacks it). */
#define NV_COMPUTE_CAPABILITY_MAJOR 0x4000

/* Whether @device is NVIDIA's: the driver's own extension, which also
 * answers the queries of has_tensor_cores. */
static bool
is_nvidia (cl_device_id device)
{
  char extensions[8192] = "";

  return clGetDeviceInfo (device, CL_DEVICE_EXTENSIONS, sizeof extensions,
                          extensions, NULL) == CL_SUCCESS
         && strstr (extensions, "cl_nv_device_attribute_query") != NULL;
}

/* Whether @device runs mma.sync with TF32 operands: NVIDIA from compute
 * capability 8.0 (Ampere). */
static bool
has_tensor_cores (cl_device_id device)
{
  cl_uint major = 0;

  return is_nvidia (device)
         && clGetDeviceInfo (device, NV_COMPUTE_CAPABILITY_MAJOR, sizeof major,
                             &major, NULL) == CL_SUCCESS && major >= 8;
}

static VlStatus
opencl_context_init (VlContext *ctx, VlError **error)
{
  VlOpenclContext *priv;
  cl_int err;
  VlStatus status;

  priv = calloc (1, sizeof *priv);
  if (priv == NULL)
    return vl_set_error (error, VL_STATUS_OUT_OF_MEMORY, "out of memory");
  ctx->priv = priv;

  status = vl_opencl_find_device (ctx->device.id, &priv->platform,
                                  &priv->device, error);
  if (status != VL_STATUS_OK)
    return status;
  priv->use_disk_cache = strcmp (ctx->device.platform, POCL_PLATFORM_NAME) != 0;
  priv->tensor_cores = has_tensor_cores (priv->device);
  priv->nvidia_ptx = is_nvidia (priv->device);
  clGetDeviceInfo (priv->device, CL_DEVICE_MAX_MEM_ALLOC_SIZE,
                   sizeof priv->max_alloc_bytes, &priv->max_alloc_bytes, NULL);

  {
    cl_context_properties props[] = {
      CL_CONTEXT_PLATFORM, (cl_context_properties) priv->platform, 0
    };
    priv->context = clCreateContext (props, 1, &priv->device, NULL, NULL, &err);
  }
  if ((status = vl_opencl_check (err, "clCreateContext", error)) != VL_STATUS_OK)
    return status;
  priv->profiling_queue = clCreateCommandQueue (priv->context, priv->device,
                                                CL_QUEUE_PROFILING_ENABLE,
                                                &err);
  priv->queue = priv->profiling_queue;
  return vl_opencl_check (err, "clCreateCommandQueue", error);
}

/* The device phases are timed with profiling events, on their own queue;
 * the other queue, made when first needed, has neither.  The context's
 * buffers serve both, and every op ends with its queue drained, so ops
 * may switch between them. */
static VlStatus
opencl_set_phase_timing (VlContext *ctx, bool on, VlError **error)
{
  VlOpenclContext *priv = ctx->priv;
  cl_int err;

  if (!on && priv->plain_queue == NULL)
    {
      priv->plain_queue = clCreateCommandQueue (priv->context, priv->device,
                                                0, &err);
      if (err != CL_SUCCESS)
        {
          priv->plain_queue = NULL;
          return vl_opencl_check (err, "clCreateCommandQueue", error);
        }
    }
  priv->queue = on ? priv->profiling_queue : priv->plain_queue;
  return VL_STATUS_OK;
}

static void
release_events (VlOpenclContext *priv)
{
  for (size_t i = 0; i < priv->n_events; i++)
    clReleaseEvent (priv->events[i]);
  priv->n_events = 0;
}

static void
opencl_context_finish (VlContext *ctx)
{
  VlOpenclContext *priv = ctx->priv;

  if (priv == NULL)
    return;
  if (priv->queue != NULL)
    {
      vl_opencl_stream_release (ctx);
      vl_opencl_pinned_release (ctx, &priv->results);
      vl_opencl_pinned_release (ctx, &priv->staging);
      clFinish (priv->queue);
    }
  release_events (priv);
  free (priv->events);
  free (priv->phases);
  vl_opencl_pool_release (ctx);
  vl_opencl_programs_release (priv);
  for (int i = 0; i < VL_OPENCL_N_FAMILIES; i++)
    {
      free (priv->tuning[i]);
      free (priv->tuning_cached[i]);
    }
  if (priv->plain_queue != NULL)
    clReleaseCommandQueue (priv->plain_queue);
  if (priv->profiling_queue != NULL)
    clReleaseCommandQueue (priv->profiling_queue);
  if (priv->context != NULL)
    clReleaseContext (priv->context);
  free (priv);
  ctx->priv = NULL;
}

/* An event that cannot be kept is released and its time is lost, which
 * only affects the breakdown. */
void
vl_opencl_track (VlContext *ctx, cl_event event, VlOpenclPhase phase)
{
  VlOpenclContext *priv = ctx->priv;

  if (event == NULL)
    return;
  if (!ctx->phase_timing)
    {
      clReleaseEvent (event);
      return;
    }
  if (priv->n_events == priv->cap_events)
    {
      size_t cap = priv->cap_events ? 2 * priv->cap_events : 64;
      cl_event *events = realloc (priv->events, cap * sizeof *events);
      VlOpenclPhase *phases;

      if (events != NULL)
        priv->events = events;
      phases = events ? realloc (priv->phases, cap * sizeof *phases) : NULL;
      if (phases == NULL)
        {
          clReleaseEvent (event);
          return;
        }
      priv->phases = phases;
      priv->cap_events = cap;
    }
  priv->events[priv->n_events] = event;
  priv->phases[priv->n_events++] = phase;
}

VlStatus
vl_opencl_set_args (cl_kernel kernel, VlError **error, ...)
{
  va_list args;
  cl_uint index = 0;
  cl_int err = CL_SUCCESS;
  size_t size;

  va_start (args, error);
  while (err == CL_SUCCESS && (size = va_arg (args, size_t)) != 0)
    {
      const void *value = va_arg (args, const void *);

      err = clSetKernelArg (kernel, index++, size, value);
    }
  va_end (args);
  if (err != CL_SUCCESS)
    return vl_set_error (error, VL_STATUS_BACKEND_FAILURE,
                         "clSetKernelArg failed for argument %u: %s",
                         index - 1, vl_opencl_error_name (err));
  return VL_STATUS_OK;
}

VlStatus
vl_opencl_enqueue_kernel (VlContext *ctx, cl_kernel kernel, cl_uint dims,
                          const size_t *global, const size_t *local,
                          VlError **error)
{
  VlOpenclContext *priv = ctx->priv;
  cl_event event;
  cl_int err;

  err = clEnqueueNDRangeKernel (priv->queue, kernel, dims, NULL, global,
                                local, 0, NULL,
                                vl_opencl_timing_event (ctx, &event));
  if (err != CL_SUCCESS)
    {
      char name[128] = "";
      char call[192];

      clGetKernelInfo (kernel, CL_KERNEL_FUNCTION_NAME, sizeof name - 1, name, NULL);
      snprintf (call, sizeof call, "clEnqueueNDRangeKernel (%s)", name);
      return vl_opencl_check (err, call, error);
    }
  vl_opencl_track (ctx, event, VL_OPENCL_PHASE_KERNEL);
  ctx->pool_stats.kernels_run++;
  return VL_STATUS_OK;
}

size_t
vl_opencl_square_side (size_t wg)
{
  size_t side = 1;

  while (side * side < wg)
    side *= 2;
  return side;
}

VlStatus
vl_opencl_enqueue_blocks (VlContext *ctx, cl_kernel kernel, size_t wg,
                          size_t rows, size_t cols, VlError **error)
{
  return vl_opencl_enqueue_block_slices (ctx, kernel, wg, rows, cols, 1,
                                         error);
}

VlStatus
vl_opencl_enqueue_block_slices (VlContext *ctx, cl_kernel kernel, size_t wg,
                                size_t rows, size_t cols, size_t slices,
                                VlError **error)
{
  size_t side = vl_opencl_square_side (wg), ts = 4 * side;
  size_t global[3] = { (cols + ts - 1) / ts * side,
                       (rows + ts - 1) / ts * side, slices };
  size_t local[3] = { side, side, 1 };

  return vl_opencl_enqueue_kernel (ctx, kernel, slices > 1 ? 3 : 2, global,
                                   local, error);
}

VlStatus
vl_opencl_upload_rows (VlContext *ctx, cl_mem buffer, const VlMatrix *m,
                       size_t row0, size_t rows, VlError **error)
{
  return vl_opencl_upload_rows_ld (ctx, buffer, m->cols, m, row0, rows, error);
}

VlStatus
vl_opencl_upload_rows_ld (VlContext *ctx, cl_mem buffer, size_t ld,
                          const VlMatrix *m, size_t row0, size_t rows,
                          VlError **error)
{
  VlOpenclContext *priv = ctx->priv;
  const float *src = vl_row_f32 (m, row0);
  size_t origin[3] = { 0, 0, 0 };
  size_t region[3] = { m->cols * sizeof (float), rows, 1 };
  cl_event event;
  cl_int err;

  if (ld != m->cols)
    {
      cl_float zero = 0.0f;

      err = clEnqueueFillBuffer (priv->queue, buffer, &zero, sizeof zero, 0,
                                 rows * ld * sizeof (float), 0, NULL,
                                 vl_opencl_timing_event (ctx, &event));
      if (err != CL_SUCCESS)
        return vl_opencl_check (err, "clEnqueueFillBuffer", error);
      vl_opencl_track (ctx, event, VL_OPENCL_PHASE_UPLOAD);
    }
  else if (m->stride == m->cols || rows == 1)
    return vl_opencl_upload (ctx, buffer, rows * m->cols * sizeof (float),
                             src, error);
  err = clEnqueueWriteBufferRect (priv->queue, buffer, CL_FALSE, origin,
                                  origin, region, ld * sizeof (float), 0,
                                  m->stride * sizeof (float), 0, src, 0, NULL,
                                  vl_opencl_timing_event (ctx, &event));
  if (err != CL_SUCCESS)
    return vl_opencl_check (err, "clEnqueueWriteBuffer", error);
  vl_opencl_track (ctx, event, VL_OPENCL_PHASE_UPLOAD);
  return VL_STATUS_OK;
}

VlStatus
vl_opencl_pinned_get (VlContext *ctx, VlOpenclPinned *pinned, size_t bytes,
                      size_t least, void **ptr, VlError **error)
{
  VlOpenclContext *priv = ctx->priv;
  cl_int err;

  if (pinned->bytes < bytes)
    {
      vl_opencl_pinned_release (ctx, pinned);
      if (bytes < least)
        bytes = least;
      pinned->buffer = clCreateBuffer (priv->context, CL_MEM_READ_WRITE
                                       | CL_MEM_ALLOC_HOST_PTR, bytes, NULL,
                                       &err);
      if (err != CL_SUCCESS)
        {
          pinned->buffer = NULL;
          return vl_opencl_check (err, "clCreateBuffer (pinned host memory)",
                                  error);
        }
      pinned->ptr = clEnqueueMapBuffer (priv->queue, pinned->buffer, CL_TRUE,
                                        CL_MAP_READ | CL_MAP_WRITE, 0, bytes,
                                        0, NULL, NULL, &err);
      if (err != CL_SUCCESS)
        {
          pinned->ptr = NULL;
          vl_opencl_pinned_release (ctx, pinned);
          return vl_opencl_check (err, "clEnqueueMapBuffer (pinned host "
                                  "memory)", error);
        }
      pinned->bytes = bytes;
    }
  *ptr = pinned->ptr;
  return VL_STATUS_OK;
}

void
vl_opencl_pinned_release (VlContext *ctx, VlOpenclPinned *pinned)
{
  VlOpenclContext *priv = ctx->priv;

  if (pinned->ptr != NULL)
    {
      clEnqueueUnmapMemObject (priv->queue, pinned->buffer, pinned->ptr, 0,
                               NULL, NULL);
      clFinish (priv->queue);
    }
  if (pinned->buffer != NULL)
    clReleaseMemObject (pinned->buffer);
  pinned->buffer = NULL;
  pinned->ptr = NULL;
  pinned->bytes = 0;
}

/* Bytes of queries that vl_opencl_upload_queries stages, at most: any
 * block of the few-query scans up to rows of thousands of floats; larger
 * blocks (the GEMM path's) are not waiting on their upload alone. */
#define STAGED_MAX ((size_t) 1 << 20)

VlStatus
vl_opencl_upload_queries (VlContext *ctx, cl_mem buffer, size_t ld,
                          const VlMatrix *m, VlError **error)
{
  VlOpenclContext *priv = ctx->priv;
  size_t bytes = m->rows * ld * sizeof (float);
  float *staged;
  cl_event event;
  cl_int err;
  VlStatus status;

  if (bytes > STAGED_MAX)
    return vl_opencl_upload_rows_ld (ctx, buffer, ld, m, 0, m->rows, error);
  status = vl_opencl_pinned_get (ctx, &priv->staging, bytes, 0,
                                 (void **) &staged, error);
  if (status != VL_STATUS_OK)
    return status;
  for (size_t r = 0; r < m->rows; r++)
    {
      memcpy (staged + r * ld, vl_row_f32 (m, r), m->cols * sizeof (float));
      memset (staged + r * ld + m->cols, 0,
              (ld - m->cols) * sizeof (float));
    }
  err = clEnqueueWriteBuffer (priv->queue, buffer, CL_FALSE, 0, bytes,
                              staged, 0, NULL,
                              vl_opencl_timing_event (ctx, &event));
  if (err != CL_SUCCESS)
    return vl_opencl_check (err, "clEnqueueWriteBuffer", error);
  vl_opencl_track (ctx, event, VL_OPENCL_PHASE_UPLOAD);
  return vl_opencl_check (clFlush (priv->queue), "clFlush", error);
}

VlStatus
vl_opencl_upload (VlContext *ctx, cl_mem buffer, size_t bytes,
                  const void *data, VlError **error)
{
  VlOpenclContext *priv = ctx->priv;
  cl_event event;
  cl_int err;

  err = clEnqueueWriteBuffer (priv->queue, buffer, CL_FALSE, 0, bytes, data,
                              0, NULL, vl_opencl_timing_event (ctx, &event));
  if (err != CL_SUCCESS)
    return vl_opencl_check (err, "clEnqueueWriteBuffer", error);
  vl_opencl_track (ctx, event, VL_OPENCL_PHASE_UPLOAD);
  return VL_STATUS_OK;
}

VlStatus
vl_opencl_download_rect (VlContext *ctx, cl_mem buffer, size_t buffer_ld,
                         size_t rows, size_t cols, float *host,
                         size_t host_ld, VlError **error)
{
  VlOpenclContext *priv = ctx->priv;
  size_t origin[3] = { 0, 0, 0 };
  size_t region[3] = { cols * sizeof (float), rows, 1 };
  cl_event event;
  cl_int err;

  if (buffer_ld == cols && host_ld == cols)
    return vl_opencl_download (ctx, buffer, rows * cols * sizeof (float),
                               host, error);
  err = clEnqueueReadBufferRect (priv->queue, buffer, CL_FALSE, origin, origin,
                                 region, buffer_ld * sizeof (float), 0,
                                 host_ld * sizeof (float), 0, host, 0, NULL,
                                 vl_opencl_timing_event (ctx, &event));
  if (err != CL_SUCCESS)
    return vl_opencl_check (err, "clEnqueueReadBuffer", error);
  vl_opencl_track (ctx, event, VL_OPENCL_PHASE_DOWNLOAD);
  return VL_STATUS_OK;
}

static VlStatus
read_buffer (VlContext *ctx, cl_mem buffer, cl_bool blocking, size_t bytes,
             void *data, VlError **error)
{
  VlOpenclContext *priv = ctx->priv;
  cl_event event;
  cl_int err;

  err = clEnqueueReadBuffer (priv->queue, buffer, blocking, 0, bytes, data, 0,
                             NULL, vl_opencl_timing_event (ctx, &event));
  if (err != CL_SUCCESS)
    return vl_opencl_check (err, "clEnqueueReadBuffer", error);
  vl_opencl_track (ctx, event, VL_OPENCL_PHASE_DOWNLOAD);
  return VL_STATUS_OK;
}

VlStatus
vl_opencl_download (VlContext *ctx, cl_mem buffer, size_t bytes, void *data,
                    VlError **error)
{
  return read_buffer (ctx, buffer, CL_FALSE, bytes, data, error);
}

VlStatus
vl_opencl_download_wait (VlContext *ctx, cl_mem buffer, size_t bytes,
                         void *data, VlError **error)
{
  VlOpenclContext *priv = ctx->priv;
  double t0 = vl_now_ms ();
  VlStatus status = read_buffer (ctx, buffer, CL_TRUE, bytes, data, error);

  priv->blocked_ms += vl_now_ms () - t0;
  return status;
}

/* How long vl_opencl_download_pinned_wait polls before it blocks: the
 * few-query scans of a million rows take 0.3 to 2.5 ms. */
#define POLL_MS 5.0

/* @event's status once it is done or POLL_MS after @t0, whichever comes
 * first (then CL_QUEUED or later); the CPU is yielded between polls. */
static cl_int
poll_event (cl_event event, double t0, cl_int *err)
{
  cl_int status = CL_QUEUED;

  while ((*err = clGetEventInfo (event, CL_EVENT_COMMAND_EXECUTION_STATUS,
                                 sizeof status, &status, NULL)) == CL_SUCCESS
         && status > CL_COMPLETE && vl_now_ms () - t0 < POLL_MS)
    sched_yield ();
  return status;
}

VlStatus
vl_opencl_download_pinned_wait (VlContext *ctx, cl_mem buffer, size_t bytes,
                                void *pinned, VlError **error)
{
  VlOpenclContext *priv = ctx->priv;
  double t0 = vl_now_ms ();
  cl_event event;
  cl_int err, status;

  err = clEnqueueReadBuffer (priv->queue, buffer, CL_FALSE, 0, bytes, pinned,
                             0, NULL, &event);
  if (err != CL_SUCCESS)
    return vl_opencl_check (err, "clEnqueueReadBuffer", error);
  if ((err = clFlush (priv->queue)) == CL_SUCCESS)
    {
      status = poll_event (event, t0, &err);
      /* A failed command's status is its error. */
      if (err == CL_SUCCESS && status < 0)
        err = status;
      else if (err == CL_SUCCESS && status != CL_COMPLETE)
        err = clWaitForEvents (1, &event);
      priv->drained = err == CL_SUCCESS;
    }
  priv->blocked_ms += vl_now_ms () - t0;
  vl_opencl_track (ctx, event, VL_OPENCL_PHASE_DOWNLOAD);
  return vl_opencl_check (err, "waiting for the results' download", error);
}

VlStatus
vl_opencl_finish (VlContext *ctx, VlStatus status, VlError **error)
{
  VlOpenclContext *priv = ctx->priv;
  double *slots[] = {
    [VL_OPENCL_PHASE_UPLOAD] = &ctx->breakdown.upload_ms,
    [VL_OPENCL_PHASE_KERNEL] = &ctx->breakdown.kernel_ms,
    [VL_OPENCL_PHASE_DOWNLOAD] = &ctx->breakdown.download_ms,
  };
  /* A queue known idle is not drained again: clFinish on it took most of
   * the 10 us between a one-query scan's polled download and the op's end
   * on an H100, 2 us without it. */
  cl_int err = priv->drained ? CL_SUCCESS : clFinish (priv->queue);

  priv->drained = false;
  for (size_t i = 0; err == CL_SUCCESS && i < priv->n_events; i++)
    {
      cl_ulong start = 0, end = 0;

      if (clGetEventProfilingInfo (priv->events[i], CL_PROFILING_COMMAND_START,
                                   sizeof start, &start, NULL) == CL_SUCCESS
          && clGetEventProfilingInfo (priv->events[i], CL_PROFILING_COMMAND_END,
                                      sizeof end, &end, NULL) == CL_SUCCESS
          && end > start)
        *slots[priv->phases[i]] += (double) (end - start) * 1e-6;
    }
  release_events (priv);
  if (status != VL_STATUS_OK)
    return status;
  return vl_opencl_check (err, "clFinish", error);
}

const VlBackend vl_opencl_backend = {
  .kind = VL_BACKEND_OPENCL,
  .context_init = opencl_context_init,
  .context_finish = opencl_context_finish,
  .set_phase_timing = opencl_set_phase_timing,
  .distance_matrix = vl_opencl_distance_matrix,
  .normalize_rows = vl_opencl_normalize_rows,
  .similarity_matrix = vl_opencl_similarity_matrix,
  .pool = vl_opencl_pool,
  .index_build = vl_opencl_index_build,
  .index_free = vl_opencl_index_free,
  .index_search = vl_opencl_index_search,
  .tuning_families = vl_opencl_tuning_families,
  .set_tuning = vl_opencl_set_tuning,
  .get_tuning = vl_opencl_get_tuning,
  .save_tuning = vl_opencl_save_tuning,
  .proj = &vl_opencl_proj_ops,
  .neural = &vl_opencl_neural_ops,
  .sq = &vl_opencl_sq_ops,
};
