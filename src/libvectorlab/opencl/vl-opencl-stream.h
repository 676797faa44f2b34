/* vl-opencl-stream.h: ops whose rows come from and go to host memory, run
 * in chunks so that host copies, transfers and kernels overlap. */
#pragma once

#include "vl-opencl-private.h"

/* Bytes of the widest side (inputs or outputs) of a chunk on a GPU: big
 * enough that per-chunk costs (a few commands, a host wait, starting the
 * copying threads) vanish, small enough that filling and draining the
 * pipeline costs little (16 MiB chunks started 2 x 183 rounds of copying
 * threads for a normalize of 1M x 768).  Elsewhere a chunk is as big as
 * the op's scratch allows. */
#define VL_OPENCL_STREAM_CHUNK_BYTES ((size_t) 64 << 20)
/* Until the context has pinned staging large enough, only runs that move
 * at least this many bytes one way make it: pinning costs about as much
 * per byte as staging saves on one pass over it (both a few ms for 32
 * MiB), but the context keeps it, and a context that moved that much once
 * (a benchmark's repetitions, a workbench session) will again.  Smaller
 * runs go straight from and to pageable memory. */
#define VL_OPENCL_STREAM_STAGE_MIN_BYTES ((size_t) 32 << 20)
/* Ports an op may stream, each way. */
#define VL_OPENCL_STREAM_PORTS 2

/* One matrix of rows on the host side: row r of it is @row_bytes at
 * @host + r * @stride. */
typedef struct
{
  void  *host;
  size_t row_bytes;
  size_t stride;
} VlOpenclStreamPort;

/* Enqueues on the context's queue the work of rows [@r0, @r0 + @rows),
 * which reads the device buffers @in (those rows of the input ports,
 * contiguous) and writes @out (those of the output ports).  Work that is
 * done in place may point out[j] at one of @in. */
typedef VlStatus (*VlOpenclStreamFunc) (VlContext *ctx, size_t r0,
                                        size_t rows, const cl_mem *in,
                                        cl_mem *out, void *data,
                                        VlError **error);

/* Keeps @event, of @phase, for vl_opencl_finish to add its profiled time
 * to the breakdown (vl-opencl.c); takes the caller's reference, which is
 * released at once while the context does not time phases.  NULL (see
 * vl_opencl_timing_event) is ignored. */
void     vl_opencl_track (VlContext *ctx, cl_event event,
                          VlOpenclPhase phase);

/* Releases the context's staging (vl_opencl's context teardown). */
void     vl_opencl_stream_release (VlContext *ctx);
/* Runs @func over the @n rows of the @n_in ports @in and the @n_out ports
 * @out, at most @max_rows a chunk (the op's scratch), tracking transfers
 * for the breakdown; host copies count as host_prep_ms (in) and
 * host_extract_ms (out).  All of the stream's commands are done when it
 * returns, even after a failure. */
VlStatus vl_opencl_stream_run (VlContext *ctx, size_t n,
                               size_t max_rows, const VlOpenclStreamPort *in,
                               size_t n_in, const VlOpenclStreamPort *out,
                               size_t n_out, VlOpenclStreamFunc func,
                               void *data, VlError **error);
