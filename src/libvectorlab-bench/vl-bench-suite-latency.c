/* vl-bench-suite-latency.c: the latency scenario, k-NN with nq fixed at 1. */
#include "vl-bench-suite-private.h"

#include <glib/gi18n-lib.h>

static const char *const fixed[] = { "nq=1", NULL };

const VlBenchSuiteInfo vl_bench_suite_latency = {
  .name = "latency",
  .description = N_("one query at a time, many repetitions: p50, p95 and p99 "
                    "of k-NN latency"),
  .params = vl_bench_knn_scenario_params,
  .n_params = VL_BENCH_KNN_SCENARIO_N_PARAMS,
  .repetitions = 200,
  .warmups = 10,
  .with_p99 = TRUE,
  .workload = &vl_bench_workload_knn,
  .fixed = fixed,
};
