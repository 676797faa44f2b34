/* vl-bench-quality.h: the numbers that say whether a fast result is right,
 * and the memory a case used.  A field that does not apply is NAN and is
 * written to JSON as null. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  double recall;             /* recall@k of k-NN, 0..1 */
  double max_abs_err;        /* largest |result - reference| on the sample */
  double mse;                /* mean squared error on the sample */
  double compression_ratio;  /* input bytes / encoded bytes */
  char   reference[16];      /* the device the sample was checked on */
  guint  sampled;            /* queries or rows in the sample */
} VlBenchQuality;

/* Read after the last repetition, while the case's data (a k-NN index,
 * say) is still alive.  The peaks are high-water marks of the whole run so
 * far (the core's pool and getrusage() cannot be reset), so in a sweep a
 * case shows the larger of its own peak and its predecessors'; the memory
 * suite runs one case to read its peak alone. */
typedef struct
{
  double device_bytes_live;    /* pool bytes handed out */
  double device_bytes_peak;    /* pool high-water mark */
  double host_peak_rss_bytes;  /* ru_maxrss */
} VlBenchMemory;

/* All fields NAN, no reference. */
void vl_bench_quality_init (VlBenchQuality *quality);
void vl_bench_memory_init  (VlBenchMemory  *memory);

G_END_DECLS
