/* vl-bench-suite-memory.c: the memory scenario, k-NN with nq fixed at 256. */
#include "vl-bench-suite-private.h"

#include <glib/gi18n-lib.h>

static const char *const fixed[] = { "nq=256", NULL };

const VlBenchSuiteInfo vl_bench_suite_memory = {
  .name = "memory",
  .description = N_("batches of 256 queries: device pool and host peak memory "
                    "of k-NN"),
  .params = vl_bench_knn_scenario_params,
  .n_params = VL_BENCH_KNN_SCENARIO_N_PARAMS,
  .repetitions = 5,
  .warmups = 1,
  .with_p99 = FALSE,
  .workload = &vl_bench_workload_knn,
  .fixed = fixed,
};
