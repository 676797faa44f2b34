/* vl-bench-runner-private.h: what the runner's other jobs share with it. */
#pragma once

#include "vl-bench-runner.h"

G_BEGIN_DECLS

/* From a worker: emits "progress" on @self in @main_context, with the
 * device and pool counters of @ctx (NULL before the worker has one). */
void vl_bench_runner_post_progress (VlBenchRunner *self,
                                    GMainContext  *main_context,
                                    double         fraction,
                                    const char    *case_name,
                                    double         eta_seconds,
                                    VlContext     *ctx);

G_END_DECLS
