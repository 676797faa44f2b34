/* vl-bench-stats.h: summary statistics of repeated timings. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Milliseconds.  Percentiles interpolate linearly between ranks, so p95 of
 * a few repetitions lies between the two slowest rather than on one. */
typedef struct
{
  double min;
  double median;
  double mean;
  double max;
  double stddev;  /* sample standard deviation; 0 for one repetition */
  double p95;
  double p99;     /* NAN unless the suite asks for tail latency */
} VlBenchStats;

/* Summarises @n samples (n >= 1); sorts a copy, @samples are untouched. */
void   vl_bench_stats_compute (VlBenchStats *stats,
                               const double *samples,
                               gsize         n,
                               gboolean      with_p99);
/* The @q quantile (0..1) of @n sorted values. */
double vl_bench_quantile      (const double *sorted,
                               gsize         n,
                               double        q);

G_END_DECLS
