/* vl-bench-suite-decode-breakdown.c: the founding documents' decode
 * problem (13K vectors/s end to end, allocation and extraction dominating):
 * decode into freshly allocated host memory, timed end to end, with the
 * library's phases (host prep and allocation, upload, kernel, download,
 * extraction) in each result's breakdown. */
#include "vl-bench-suite-private.h"

#include <glib/gi18n-lib.h>

static const char *const fixed[] = { "op=decode-host", NULL };
static const char *const configs[] = { "768-128", "768-64", "384-64", NULL };

static const VlBenchParamSpec params[] = {
  { "config", VL_BENCH_PARAM_CHOICE, "768-128",
    N_("D-M: D input dimensions to M latent codes"), 0, 0, configs },
  { "n", VL_BENCH_PARAM_UINT, "1000,10000,100000",
    N_("vectors decoded per call"), 1, 100000000, NULL },
};

const VlBenchSuiteInfo vl_bench_suite_decode_breakdown = {
  .name = "decode-breakdown",
  .description = N_("neural decode into newly allocated host memory: "
                    "end-to-end vectors/s and the time of each phase"),
  .params = params,
  .n_params = G_N_ELEMENTS (params),
  .repetitions = 5,
  .warmups = 1,
  .workload = &vl_bench_workload_neural,
  .fixed = fixed,
};
