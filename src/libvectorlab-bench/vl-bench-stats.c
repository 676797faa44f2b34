/* vl-bench-stats.c: summary statistics of repeated timings. */
#include "vl-bench-stats.h"
#include "vl-bench-quality.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void
vl_bench_quality_init (VlBenchQuality *quality)
{
  memset (quality, 0, sizeof *quality);
  quality->recall = NAN;
  quality->max_abs_err = NAN;
  quality->mse = NAN;
  quality->compression_ratio = NAN;
}

void
vl_bench_memory_init (VlBenchMemory *memory)
{
  memory->device_bytes_live = NAN;
  memory->device_bytes_peak = NAN;
  memory->host_peak_rss_bytes = NAN;
}

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

double
vl_bench_quantile (const double *sorted, gsize n, double q)
{
  double pos = q * (double) (n - 1);
  gsize lo = (gsize) floor (pos);
  gsize hi = lo + 1 < n ? lo + 1 : lo;

  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - (double) lo);
}

void
vl_bench_stats_compute (VlBenchStats *stats, const double *samples, gsize n,
                        gboolean with_p99)
{
  g_autofree double *sorted = g_memdup2 (samples, n * sizeof *samples);
  double sum = 0.0, sq = 0.0;

  g_return_if_fail (n > 0);

  qsort (sorted, n, sizeof *sorted, compare_doubles);
  for (gsize i = 0; i < n; i++)
    sum += sorted[i];
  stats->mean = sum / (double) n;
  for (gsize i = 0; i < n; i++)
    sq += (sorted[i] - stats->mean) * (sorted[i] - stats->mean);
  stats->stddev = n > 1 ? sqrt (sq / (double) (n - 1)) : 0.0;
  stats->min = sorted[0];
  stats->max = sorted[n - 1];
  stats->median = vl_bench_quantile (sorted, n, 0.5);
  stats->p95 = vl_bench_quantile (sorted, n, 0.95);
  stats->p99 = with_p99 ? vl_bench_quantile (sorted, n, 0.99) : NAN;
}
