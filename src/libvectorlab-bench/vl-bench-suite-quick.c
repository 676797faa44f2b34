/* vl-bench-suite-quick.c: the default suite, a bit of everything at sizes
 * that finish in well under two minutes on a 2-core CPU, so that a first
 * run (or CI) says quickly whether every op works and roughly how fast. */
#include "vl-bench-suite-private.h"

#include <glib/gi18n-lib.h>

typedef struct
{
  const VlBenchWorkload *workload;
  const char            *values[6];
} QuickCase;

static const QuickCase quick_cases[] = {
  { &vl_bench_workload_knn, { "20000", "128", "1", "10", "ip", NULL } },
  { &vl_bench_workload_knn, { "20000", "128", "64", "10", "ip", NULL } },
  { &vl_bench_workload_knn, { "20000", "128", "64", "10", "l2", NULL } },
  { &vl_bench_workload_distance, { "4096", "128", "64", "cosine", NULL } },
  { &vl_bench_workload_similarity, { "1024", "128", NULL } },
  { &vl_bench_workload_normalize, { "100000", "128", NULL } },
  { &vl_bench_workload_pooling, { "64", "128", "128", "mean", NULL } },
  { &vl_bench_workload_pooling, { "64", "128", "128", "attention", NULL } },
};

static void
quick_expand (const VlBenchSuiteInfo *info, GHashTable *values,
              guint repetitions, guint warmups, GPtrArray *cases)
{
  for (guint i = 0; i < G_N_ELEMENTS (quick_cases); i++)
    g_ptr_array_add (cases,
                     vl_bench_case_new (quick_cases[i].workload,
                                        quick_cases[i].values, repetitions,
                                        warmups, FALSE));
}

const VlBenchSuiteInfo vl_bench_suite_quick = {
  .name = "quick",
  .description = N_("a bit of everything at small sizes (k-NN, distance, "
                    "similarity, normalize, pooling); the default"),
  .params = NULL,
  .n_params = 0,
  .repetitions = 5,
  .warmups = 1,
  .expand = quick_expand,
};
