/* vl-bench-data.c: seeded test data and sample comparisons. */
#include "vl-bench-data.h"
#include "vl-bench-error.h"

#include <math.h>

#define N_CENTROIDS 64
#define CHECK_EVERY 4096
#define SPREAD 0.35f

/* splitmix64: a fast, well-mixed generator, so that building a large
 * database is not dominated by the random numbers. */
static inline guint64
next_u64 (guint64 *state)
{
  guint64 z = (*state += 0x9e3779b97f4a7c15ull);

  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/* uniform in [-1, 1) */
static inline float
next_float (guint64 *state)
{
  return (float) ((next_u64 (state) >> 40) * (2.0 / 16777216.0) - 1.0);
}

static float *
alloc_floats (gsize n, GError **error)
{
  float *data = NULL;

  if (n <= G_MAXSIZE / sizeof (float))
    data = g_try_malloc (MAX (n, 1) * sizeof (float));
  if (data == NULL)
    g_set_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_FAILED,
                 "out of host memory for %" G_GSIZE_FORMAT " floats of "
                 "test data", n);
  return data;
}

float *
vl_bench_data_uniform (guint64 seed, gsize n, GCancellable *cancellable,
                       GError **error)
{
  guint64 state = seed;
  float *data = alloc_floats (n, error);

  if (data == NULL)
    return NULL;
  for (gsize i = 0; i < n; i++)
    {
      if (i % (CHECK_EVERY * 256) == 0
          && g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          g_free (data);
          return NULL;
        }
      data[i] = next_float (&state);
    }
  return data;
}

float *
vl_bench_data_clustered (guint64 centroid_seed, guint64 noise_seed, gsize n,
                         gsize d, GCancellable *cancellable, GError **error)
{
  g_autofree float *centroids = NULL;
  guint64 state = noise_seed ^ 0x5bd1e995ull;
  float *data;

  if (d != 0 && n > G_MAXSIZE / d)
    {
      g_set_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_FAILED,
                   "%" G_GSIZE_FORMAT " x %" G_GSIZE_FORMAT " test data "
                   "does not fit in memory", n, d);
      return NULL;
    }
  centroids = vl_bench_data_uniform (centroid_seed, N_CENTROIDS * d, NULL,
                                     error);
  if (centroids == NULL || (data = alloc_floats (n * d, error)) == NULL)
    return NULL;

  for (gsize i = 0; i < n; i++)
    {
      const float *c = centroids + (next_u64 (&state) % N_CENTROIDS) * d;
      float *row = data + i * d;

      if (i % CHECK_EVERY == 0
          && g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          g_free (data);
          return NULL;
        }
      for (gsize j = 0; j < d; j++)
        row[j] = c[j] + SPREAD * next_float (&state);
    }
  return data;
}

void
vl_bench_data_compare (const float *result, const float *reference, gsize n,
                       VlBenchQuality *quality)
{
  double max_err = 0.0, sq = 0.0;

  for (gsize i = 0; i < n; i++)
    {
      double err = fabs ((double) result[i] - (double) reference[i]);

      max_err = MAX (max_err, err);
      sq += err * err;
    }
  quality->max_abs_err = max_err;
  quality->mse = n > 0 ? sq / (double) n : NAN;
}

const char *
vl_bench_reference_for (double multiply_adds)
{
  return multiply_adds <= 4e8 ? "ref" : "cpu";
}
