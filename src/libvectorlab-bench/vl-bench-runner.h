/* vl-bench-runner.h: runs a plan on a worker thread.
 *
 * The worker opens its own VlContext (contexts are not thread-safe), builds
 * each case's data outside timing, runs warm-ups then timed repetitions,
 * checks quality on a sample, and collects a VlBenchReport.  Progress is
 * delivered on the main context that was the thread default when
 * vl_bench_runner_run_async() was called, through the "progress" signal,
 * with the worker context's pool counters beside it.  The runner also
 * computes similarity matrices (vl-bench-similarity-job.h).
 * Cancelling the GCancellable stops the run between repetitions: the
 * result is G_IO_ERROR_CANCELLED and everything the run held is freed. */
#pragma once

#include <gio/gio.h>

#include "vl-bench-plan.h"
#include "vl-bench-report.h"

G_BEGIN_DECLS

#define VL_TYPE_BENCH_RUNNER (vl_bench_runner_get_type ())

G_DECLARE_FINAL_TYPE (VlBenchRunner, vl_bench_runner, VL, BENCH_RUNNER,
                      GObject)

VlBenchRunner *vl_bench_runner_new        (void);
/* TRUE from run_async until run_finish. */
gboolean       vl_bench_runner_get_running (VlBenchRunner      *self);
void           vl_bench_runner_run_async  (VlBenchRunner      *self,
                                           VlBenchPlan        *plan,
                                           GCancellable       *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer            user_data);
VlBenchReport *vl_bench_runner_run_finish (VlBenchRunner      *self,
                                           GAsyncResult       *result,
                                           GError            **error);
/* The resolved id of the device the run uses and its buffer-pool counters,
 * as the worker took them for the latest "progress" signal (NULL and zeros
 * before the first). */
const char    *vl_bench_runner_get_device_id  (VlBenchRunner *self);
void           vl_bench_runner_get_pool_stats (VlBenchRunner *self,
                                               VlPoolStats   *stats);

G_END_DECLS
