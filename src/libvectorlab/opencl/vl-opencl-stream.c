/* vl-opencl-stream.c: chunked host-to-host ops.  Each chunk of rows is
 * uploaded, worked on and downloaded in order on the context's queue while
 * the host prepares the next chunk and empties the previous one.
 *
 * Transfers from pageable memory run at a fraction of PCIe speed (the
 * driver copies through its own small pinned buffers, one thread, one
 * transfer at a time), so on a GPU the host copies each chunk into a
 * pinned slot with all its threads and the DMA goes from there; while the
 * device works on chunk i, the host fills chunk i + 1's slot and empties
 * chunk i - 1's.  The host copies are the slowest part (about 18 GB/s
 * over 16 threads on the H200's host, against 40+ GB/s of DMA), so the
 * uploads, kernels and downloads simply share the context's in-order
 * queue.  The pinned slots belong to the context (VlOpenclContext.stream)
 * and outlive runs; until they exist, small runs skip the pinning
 * (VL_OPENCL_STREAM_STAGE_MIN_BYTES).  A device that shares host
 * memory (PoCL on the CPU) gains nothing from pinning or overlap, so there
 * transfers go straight from and to the caller's rows, in chunks as big
 * as the op allows. */
#include "vl-opencl-stream.h"
#include "vl-host-copy.h"

#include <stdint.h>
#include <string.h>

static size_t
row_bytes_of (const VlOpenclStreamPort *ports, size_t n)
{
  size_t bytes = 0;

  for (size_t i = 0; i < n; i++)
    bytes += ports[i].row_bytes;
  return bytes;
}

void
vl_opencl_stream_release (VlContext *ctx)
{
  VlOpenclContext *cl = ctx->priv;

  for (int s = 0; s < VL_OPENCL_STREAM_SLOTS; s++)
    vl_opencl_pinned_release (ctx, &cl->stream.stage[s]);
}

/* The bytes every pinned slot holds. */
static size_t
stage_bytes (const VlOpenclStream *stream)
{
  size_t bytes = stream->stage[0].bytes;

  for (int s = 1; s < VL_OPENCL_STREAM_SLOTS; s++)
    if (stream->stage[s].bytes < bytes)
      bytes = stream->stage[s].bytes;
  return bytes;
}

/* Pinned slots of at least @bytes each, mapped for good. */
static VlStatus
ensure_stage (VlContext *ctx, size_t bytes, VlError **error)
{
  VlOpenclContext *cl = ctx->priv;
  VlStatus status = VL_STATUS_OK;
  void *ptr;

  for (int s = 0; s < VL_OPENCL_STREAM_SLOTS && status == VL_STATUS_OK; s++)
    status = vl_opencl_pinned_get (ctx, &cl->stream.stage[s], bytes, 0, &ptr,
                                   error);
  return status;
}

/* A run's state: the device buffers of each slot, and the event of its
 * latest download, which the host waits for before emptying the slot. */
typedef struct
{
  VlContext                *ctx;
  VlOpenclStream           *stream;
  const VlOpenclStreamPort *in, *out;
  size_t                    n_in, n_out, cap;
  bool                      staged;
  cl_mem   dev_in[VL_OPENCL_STREAM_SLOTS][VL_OPENCL_STREAM_PORTS];
  cl_mem   dev_out[VL_OPENCL_STREAM_SLOTS][VL_OPENCL_STREAM_PORTS];
  cl_event                  downloaded[VL_OPENCL_STREAM_SLOTS];
} Run;

static void
replace_event (cl_event *slot, cl_event event)
{
  if (*slot != NULL)
    clReleaseEvent (*slot);
  *slot = event;
}

/* Keeps @event as the slot's latest of its kind and hands a reference to
 * the breakdown. */
static void
keep_event (VlContext *ctx, cl_event *slot, cl_event event,
            VlOpenclPhase phase)
{
  clRetainEvent (event);
  replace_event (slot, event);
  vl_opencl_track (ctx, event, phase);
}

/* Copies chunk [@r0, @r0 + @rows) of the input ports into slot @s (when
 * staged) and enqueues its uploads. */
static VlStatus
upload_chunk (Run *run, int s, size_t r0, size_t rows, VlError **error)
{
  char *slot = run->stream->stage[s].ptr;
  VlContext *ctx = run->ctx;
  cl_command_queue queue = ((VlOpenclContext *) ctx->priv)->queue;
  size_t offset = 0;
  double t0 = vl_now_ms ();

  for (size_t p = 0; p < run->n_in; p++)
    {
      const VlOpenclStreamPort *port = &run->in[p];
      const char *src = (const char *) port->host + r0 * port->stride;
      size_t bytes = rows * port->row_bytes;
      cl_event event;
      cl_int err;

      if (run->staged)
        {
          vl_host_copy_rows (src, port->stride, slot + offset,
                             port->row_bytes, rows, port->row_bytes);
          err = clEnqueueWriteBuffer (queue, run->dev_in[s][p], CL_FALSE, 0,
                                      bytes, slot + offset,
                                      0, NULL,
                                      vl_opencl_timing_event (ctx, &event));
        }
      else if (port->stride == port->row_bytes || rows == 1)
        err = clEnqueueWriteBuffer (queue, run->dev_in[s][p], CL_FALSE, 0,
                                    bytes, src, 0, NULL,
                                    vl_opencl_timing_event (ctx, &event));
      else
        {
          size_t origin[3] = { 0, 0, 0 };
          size_t region[3] = { port->row_bytes, rows, 1 };

          err = clEnqueueWriteBufferRect (queue, run->dev_in[s][p], CL_FALSE,
                                          origin, origin, region,
                                          port->row_bytes, 0, port->stride, 0,
                                          src, 0, NULL,
                                          vl_opencl_timing_event (ctx, &event));
        }
      if (err != CL_SUCCESS)
        return vl_opencl_check (err, "clEnqueueWriteBuffer", error);
      vl_opencl_track (ctx, event, VL_OPENCL_PHASE_UPLOAD);
      offset += bytes;
    }
  ctx->breakdown.host_prep_ms += vl_now_ms () - t0;
  return VL_STATUS_OK;
}

/* Enqueues the chunk's kernels. */
static VlStatus
compute_chunk (Run *run, int s, size_t r0, size_t rows, cl_mem *out,
               VlOpenclStreamFunc func, void *data, VlError **error)
{
  VlContext *ctx = run->ctx;
  double t0 = vl_now_ms ();
  VlStatus status;

  memcpy (out, run->dev_out[s], sizeof run->dev_out[s]);
  status = func (ctx, r0, rows, run->dev_in[s], out, data, error);
  ctx->breakdown.host_prep_ms += vl_now_ms () - t0;
  return status;
}

/* Enqueues the chunk's downloads, into slot @s when staged, else straight
 * into the caller's rows. */
static VlStatus
download_chunk (Run *run, int s, size_t r0, size_t rows, const cl_mem *out,
                VlError **error)
{
  char *slot = run->stream->stage[s].ptr;
  cl_command_queue queue = ((VlOpenclContext *) run->ctx->priv)->queue;
  size_t offset = 0;

  for (size_t p = 0; p < run->n_out; p++)
    {
      const VlOpenclStreamPort *port = &run->out[p];
      char *dst = (char *) port->host + r0 * port->stride;
      size_t bytes = rows * port->row_bytes;
      cl_event event;
      cl_int err;

      if (run->staged)
        err = clEnqueueReadBuffer (queue, out[p], CL_FALSE, 0, bytes,
                                   slot + offset, 0, NULL,
                                   &event);
      else if (port->stride == port->row_bytes || rows == 1)
        err = clEnqueueReadBuffer (queue, out[p], CL_FALSE, 0, bytes, dst, 0,
                                   NULL, &event);
      else
        {
          size_t origin[3] = { 0, 0, 0 };
          size_t region[3] = { port->row_bytes, rows, 1 };

          err = clEnqueueReadBufferRect (queue, out[p], CL_FALSE, origin,
                                         origin, region, port->row_bytes, 0,
                                         port->stride, 0, dst, 0, NULL,
                                         &event);
        }
      if (err != CL_SUCCESS)
        return vl_opencl_check (err, "clEnqueueReadBuffer", error);
      keep_event (run->ctx, &run->downloaded[s], event,
                  VL_OPENCL_PHASE_DOWNLOAD);
      offset += bytes;
    }
  return VL_STATUS_OK;
}

/* Waits for slot @s's downloads and copies them into the caller's rows. */
static VlStatus
drain_chunk (Run *run, int s, size_t r0, size_t rows, VlError **error)
{
  char *slot = run->stream->stage[s].ptr;
  cl_int err = clWaitForEvents (1, &run->downloaded[s]);
  size_t offset = 0;
  double t0;

  if (err != CL_SUCCESS)
    return vl_opencl_check (err, "clWaitForEvents", error);
  t0 = vl_now_ms ();
  for (size_t p = 0; p < run->n_out; p++)
    {
      const VlOpenclStreamPort *port = &run->out[p];

      vl_host_copy_rows (slot + offset, port->row_bytes,
                         (char *) port->host + r0 * port->stride,
                         port->stride, rows, port->row_bytes);
      offset += rows * port->row_bytes;
    }
  run->ctx->breakdown.host_extract_ms += vl_now_ms () - t0;
  return VL_STATUS_OK;
}

static VlStatus
get_buffers (Run *run, VlError **error)
{
  VlContext *ctx = run->ctx;
  VlStatus status = VL_STATUS_OK;

  for (int s = 0; s < VL_OPENCL_STREAM_SLOTS; s++)
    {
      for (size_t p = 0; status == VL_STATUS_OK && p < run->n_in; p++)
        status = vl_opencl_buffer_get (ctx, run->cap * run->in[p].row_bytes,
                                       &run->dev_in[s][p], "input chunk",
                                       error);
      for (size_t p = 0; status == VL_STATUS_OK && p < run->n_out; p++)
        status = vl_opencl_buffer_get (ctx, run->cap * run->out[p].row_bytes,
                                       &run->dev_out[s][p], "output chunk",
                                       error);
    }
  return status;
}

/* Waits for everything that may touch the slots or the caller's rows, and
 * lets go of the run's buffers and events. */
static void
end_run (Run *run)
{
  VlContext *ctx = run->ctx;
  VlOpenclContext *cl = ctx->priv;

  clFinish (cl->queue);
  for (int s = 0; s < VL_OPENCL_STREAM_SLOTS; s++)
    {
      for (size_t p = 0; p < VL_OPENCL_STREAM_PORTS; p++)
        {
          vl_opencl_buffer_put (ctx, run->dev_in[s][p]);
          vl_opencl_buffer_put (ctx, run->dev_out[s][p]);
        }
      replace_event (&run->downloaded[s], NULL);
    }
}

VlStatus
vl_opencl_stream_run (VlContext *ctx, size_t n, size_t max_rows,
                      const VlOpenclStreamPort *in, size_t n_in,
                      const VlOpenclStreamPort *out, size_t n_out,
                      VlOpenclStreamFunc func, void *data, VlError **error)
{
  VlOpenclContext *cl = ctx->priv;
  VlOpenclStream *stream = &cl->stream;
  size_t in_bytes = row_bytes_of (in, n_in);
  size_t out_bytes = row_bytes_of (out, n_out);
  size_t widest = in_bytes > out_bytes ? in_bytes : out_bytes;
  /* On a device in host memory transfers are memcpys on the cores that
   * run the kernels: overlapping them gains nothing, while bigger chunks
   * keep the kernels efficient. */
  size_t cr = ctx->device.is_gpu ? VL_OPENCL_STREAM_CHUNK_BYTES / widest
                                 : max_rows;
  size_t prev_r0 = 0, prev_rows = 0;
  Run run = {
    .ctx = ctx, .stream = stream, .in = in, .out = out, .n_in = n_in, .n_out = n_out,
  };
  VlStatus status = VL_STATUS_OK;
  int s = 0;

  if (n == 0)
    return VL_STATUS_OK;
  cr = cr < max_rows ? cr : max_rows;
  cr = cr > 0 ? cr : 1;
  run.cap = cr < n ? cr : n;
  run.staged = ctx->device.is_gpu
               && (stage_bytes (stream) >= run.cap * widest
                   || n * widest >= VL_OPENCL_STREAM_STAGE_MIN_BYTES);
  VL_OPENCL_TRY (get_buffers (&run, error));
  if (run.staged)
    {
      VL_OPENCL_TRY (ensure_stage (ctx, run.cap * widest, error));
      for (size_t p = 0; p < n_out; p++)
        vl_host_will_fill (out[p].host,
                           (n - 1) * out[p].stride + out[p].row_bytes);
    }

  for (size_t r0 = 0, rows; r0 < n;
       r0 += rows, s = (s + 1) % VL_OPENCL_STREAM_SLOTS)
    {
      /* Staged, the device waits for the first chunk's copy in and the
       * host for its copy out: a quarter of one starts both sooner. */
      size_t want = r0 == 0 && run.staged ? (run.cap + 3) / 4 : run.cap;
      cl_mem dev_out[VL_OPENCL_STREAM_PORTS];

      rows = n - r0 < want ? n - r0 : want;

      /* Slot s last held the chunk SLOTS before this one: staged, it was
       * drained an iteration ago; the queue runs in order, so its device
       * buffers are free once this chunk's commands run. */
      VL_OPENCL_TRY (upload_chunk (&run, s, r0, rows, error));
      VL_OPENCL_TRY (compute_chunk (&run, s, r0, rows, dev_out, func, data,
                                    error));
      VL_OPENCL_TRY (download_chunk (&run, s, r0, rows, dev_out, error));
      clFlush (cl->queue);
      if (run.staged && r0 > 0)
        VL_OPENCL_TRY (drain_chunk (&run, (s + VL_OPENCL_STREAM_SLOTS - 1)
                                          % VL_OPENCL_STREAM_SLOTS,
                                    prev_r0, prev_rows, error));
      prev_r0 = r0;
      prev_rows = rows;
    }
  if (run.staged)
    VL_OPENCL_TRY (drain_chunk (&run, (s + VL_OPENCL_STREAM_SLOTS - 1)
                                      % VL_OPENCL_STREAM_SLOTS,
                                prev_r0, prev_rows, error));
out:
  end_run (&run);
  return status;
}
