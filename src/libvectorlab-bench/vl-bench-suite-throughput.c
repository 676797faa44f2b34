/* vl-bench-suite-throughput.c: the throughput scenario, k-NN with nq fixed
 * at 128. */
#include "vl-bench-suite-private.h"

#include <glib/gi18n-lib.h>

static const char *const fixed[] = { "nq=128", NULL };

const VlBenchSuiteInfo vl_bench_suite_throughput = {
  .name = "throughput",
  .description = N_("batches of 128 queries: k-NN queries per second"),
  .params = vl_bench_knn_scenario_params,
  .n_params = VL_BENCH_KNN_SCENARIO_N_PARAMS,
  .repetitions = 10,
  .warmups = 2,
  .with_p99 = FALSE,
  .workload = &vl_bench_workload_knn,
  .fixed = fixed,
};
