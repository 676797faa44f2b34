/* vl-bench-result.h: the measurements of one benchmark case, one row of a
 * report.  Times are milliseconds; a number that does not apply is NAN. */
#pragma once

#include <glib-object.h>

#include "vectorlab.h"
#include "vl-bench-quality.h"
#include "vl-bench-stats.h"

G_BEGIN_DECLS

#define VL_TYPE_BENCH_RESULT (vl_bench_result_get_type ())

G_DECLARE_FINAL_TYPE (VlBenchResult, vl_bench_result, VL, BENCH_RESULT,
                      GObject)

VlBenchResult *vl_bench_result_new (const char *name);

const char *vl_bench_result_get_name        (VlBenchResult *self);
/* The parameters in name order, as two parallel NULL-terminated lists. */
const char *const *vl_bench_result_get_param_keys   (VlBenchResult *self);
const char *const *vl_bench_result_get_param_values (VlBenchResult *self);
void        vl_bench_result_set_params      (VlBenchResult      *self,
                                             const char *const  *keys,
                                             const char *const  *values);
const char *vl_bench_result_get_param       (VlBenchResult *self,
                                             const char    *key);

/* The parameter a scaling table sweeps ("nq") and what items count. */
const char *vl_bench_result_get_count_key   (VlBenchResult *self);
const char *vl_bench_result_get_items_label (VlBenchResult *self);
void        vl_bench_result_set_count_key   (VlBenchResult *self,
                                             const char    *count_key,
                                             const char    *items_label);

guint  vl_bench_result_get_repetitions      (VlBenchResult *self);
/* Per-repetition wall times; sets repetitions and the stats. */
void   vl_bench_result_set_samples          (VlBenchResult *self,
                                             const double  *samples_ms,
                                             gsize          n,
                                             gboolean       with_p99);
const double *vl_bench_result_get_samples   (VlBenchResult *self,
                                             gsize         *n);
/* For reports read back, whose samples may be absent. */
void   vl_bench_result_set_stats            (VlBenchResult      *self,
                                             const VlBenchStats *stats,
                                             guint               repetitions);
const VlBenchStats *vl_bench_result_get_stats (VlBenchResult *self);

/* real_time is the median wall time; cpu_time the median process CPU time
 * (above real_time when the backend uses several threads). */
double vl_bench_result_get_real_time        (VlBenchResult *self);
double vl_bench_result_get_cpu_time         (VlBenchResult *self);
void   vl_bench_result_set_cpu_time         (VlBenchResult *self,
                                             double         cpu_time_ms);

/* Items and bytes per repetition; the rates follow from the median. */
double vl_bench_result_get_items            (VlBenchResult *self);
void   vl_bench_result_set_work             (VlBenchResult *self,
                                             double         items,
                                             double         bytes);
double vl_bench_result_get_items_per_second (VlBenchResult *self);
double vl_bench_result_get_bytes_per_second (VlBenchResult *self);

const VlBreakdown    *vl_bench_result_get_breakdown (VlBenchResult     *self);
void                  vl_bench_result_set_breakdown (VlBenchResult     *self,
                                                     const VlBreakdown *b);
const VlBenchQuality *vl_bench_result_get_quality   (VlBenchResult     *self);
void                  vl_bench_result_set_quality   (VlBenchResult     *self,
                                                     const VlBenchQuality *q);
const VlBenchMemory  *vl_bench_result_get_memory    (VlBenchResult     *self);
void                  vl_bench_result_set_memory    (VlBenchResult     *self,
                                                     const VlBenchMemory *m);

G_END_DECLS
