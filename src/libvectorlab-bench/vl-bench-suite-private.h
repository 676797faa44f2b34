/* vl-bench-suite-private.h: how a suite is defined.
 *
 * A suite is one static VlBenchSuiteInfo in its own file
 * (vl-bench-suite-NAME.c) plus one line in vl-bench-registry.c.  Most suites
 * are a parameter table over one workload: every combination of the values
 * given (the cartesian product of the comma lists) becomes a case.  A suite
 * can fix some workload keys ("nq=1" for latency) or expand each
 * combination itself (quick). */
#pragma once

#include "vl-bench-case.h"
#include "vl-bench-param.h"
#include "vl-bench-suite.h"

G_BEGIN_DECLS

typedef struct _VlBenchSuiteInfo VlBenchSuiteInfo;

struct _VlBenchSuiteInfo
{
  const char             *name;
  const char             *description;
  const VlBenchParamSpec *params;
  guint                   n_params;
  guint                   repetitions;  /* default */
  guint                   warmups;      /* default */
  gboolean                with_p99;     /* tail latency in the stats */
  const VlBenchWorkload  *workload;
  const char *const      *fixed;        /* "key=value" workload keys */

  /* Appends the cases of one combination (@values: parameter name -> one
   * value).  NULL: one case of @workload from @values and @fixed. */
  void (*expand) (const VlBenchSuiteInfo *info,
                  GHashTable             *values,
                  guint                   repetitions,
                  guint                   warmups,
                  GPtrArray              *cases);
};

/* The workloads suites share. */
extern const VlBenchWorkload vl_bench_workload_knn;
extern const VlBenchWorkload vl_bench_workload_sq_knn;
extern const VlBenchWorkload vl_bench_workload_distance;
extern const VlBenchWorkload vl_bench_workload_similarity;
extern const VlBenchWorkload vl_bench_workload_normalize;
extern const VlBenchWorkload vl_bench_workload_pooling;
extern const VlBenchWorkload vl_bench_workload_neural;

/* The suites, in the order `list` shows them. */
extern const VlBenchSuiteInfo vl_bench_suite_quick;
extern const VlBenchSuiteInfo vl_bench_suite_knn;
extern const VlBenchSuiteInfo vl_bench_suite_sq_knn;
extern const VlBenchSuiteInfo vl_bench_suite_distance;
extern const VlBenchSuiteInfo vl_bench_suite_similarity;
extern const VlBenchSuiteInfo vl_bench_suite_normalize;
extern const VlBenchSuiteInfo vl_bench_suite_pooling;
extern const VlBenchSuiteInfo vl_bench_suite_latency;
extern const VlBenchSuiteInfo vl_bench_suite_throughput;
extern const VlBenchSuiteInfo vl_bench_suite_memory;
extern const VlBenchSuiteInfo vl_bench_suite_neural_quant;
extern const VlBenchSuiteInfo vl_bench_suite_decode_breakdown;
extern const VlBenchSuiteInfo vl_bench_suite_compression;
extern const VlBenchSuiteInfo vl_bench_suite_attention;
extern const VlBenchSuiteInfo vl_bench_suite_learned_distance;

VlBenchSuite           *vl_bench_suite_new      (const VlBenchSuiteInfo *info);
const VlBenchSuiteInfo *vl_bench_suite_get_info (VlBenchSuite           *self);

/* Expands @values (parameter name -> GStrv of values) into a new array of
 * VlBenchCase, the last parameter varying fastest. */
GPtrArray *vl_bench_suite_expand (VlBenchSuite *self,
                                  GHashTable   *values,
                                  guint         repetitions,
                                  guint         warmups);

G_END_DECLS

G_BEGIN_DECLS

/* knn's parameters without nq, for the scenarios that fix the batch. */
#define VL_BENCH_KNN_SCENARIO_N_PARAMS 4
extern const VlBenchParamSpec
  vl_bench_knn_scenario_params[VL_BENCH_KNN_SCENARIO_N_PARAMS];

/* What the k-NN suites (knn, sq-knn) share: a case's sizes and metric, its
 * seeded database and queries, and room for the results. */
typedef struct
{
  gsize     n, d, nq, k;
  VlMetric  metric;
  float    *database;
  float    *queries;
  gint64   *ids;
  float    *scores;
} VlBenchKnnData;

gboolean vl_bench_knn_data_init   (VlBenchKnnData *data, const VlBenchCase *c,
                                   GCancellable *cancellable, GError **error);
void     vl_bench_knn_data_clear  (VlBenchKnnData *data);
/* Sets quality's recall of data->ids against an exact k-NN of a few evenly
 * spaced queries on "ref" when that is cheap, else "cpu". */
gboolean vl_bench_knn_data_recall (const VlBenchKnnData *data,
                                   VlBenchQuality *quality, GError **error);
/* Queries a search: the items of a k-NN case. */
double   vl_bench_knn_items       (const VlBenchCase *c);

G_END_DECLS
