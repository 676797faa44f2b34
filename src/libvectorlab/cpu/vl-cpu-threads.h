/* vl-cpu-threads.h: a tiny parallel-for over index ranges for the cpu
 * backend and the OpenCL backend's host copies.  Its workers are started
 * once and sleep between calls, so that nothing spins between ops and
 * competes with OpenBLAS's own pool. */
#pragma once

#include <stddef.h>

/* Workers a parallel-for uses at most. */
#define VL_CPU_MAX_WORKERS 256

/* Runs on [begin, end); @worker is in [0, workers) and picks the caller's
 * per-worker scratch. */
typedef void (*VlCpuRangeFunc) (size_t begin, size_t end, unsigned worker,
                                void *data);

/* How many workers vl_cpu_parallel_for() uses for @n items when each worker
 * should get at least @grain of them. */
unsigned vl_cpu_workers_for (size_t n, size_t grain);

/* Splits [0, @n) into vl_cpu_workers_for() contiguous ranges and runs @func
 * on each, worker 0 on the calling thread, and returns when all are done.
 * Ranges no thread could be started for run on the calling thread.  Safe
 * to call from several threads at once and from inside @func. */
void vl_cpu_parallel_for (size_t n, size_t grain, VlCpuRangeFunc func,
                          void *data);
