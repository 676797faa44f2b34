/* vl-bench-cluster.c: generation, k-means and ordering of clustered rows. */
#include "vl-bench-cluster.h"

#include <math.h>
#include <string.h>

#define KMEANS_ITERATIONS 12
#define NOISE_NORM        0.8

static double
gaussian (GRand *rand)
{
  /* Box-Muller; 1 - u keeps the logarithm finite. */
  double u = 1.0 - g_rand_double (rand);
  double v = g_rand_double (rand);

  return sqrt (-2.0 * log (u)) * cos (2.0 * G_PI * v);
}

static void
normalize (float *row,
           gsize  d)
{
  double sum = 0.0;

  for (gsize c = 0; c < d; c++)
    sum += (double) row[c] * row[c];
  if (sum <= 0.0)
    return;
  sum = 1.0 / sqrt (sum);
  for (gsize c = 0; c < d; c++)
    row[c] = (float) (row[c] * sum);
}

float *
vl_bench_cluster_generate (guint    n,
                          guint    d,
                          guint    k,
                          guint32  seed,
                          guint   *labels)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autofree float *centres = g_new (float, (gsize) k * d);
  float *x = g_new (float, (gsize) n * d);
  double noise = NOISE_NORM / sqrt (d);

  g_return_val_if_fail (n > 0 && d > 0 && k > 0, NULL);

  for (gsize c = 0; c < (gsize) k * d; c++)
    centres[c] = (float) gaussian (rand);
  for (guint i = 0; i < k; i++)
    normalize (centres + (gsize) i * d, d);

  for (guint r = 0; r < n; r++)
    {
      labels[r] = g_rand_int_range (rand, 0, k);
      for (guint c = 0; c < d; c++)
        x[(gsize) r * d + c] = (float) (centres[(gsize) labels[r] * d + c]
                                        + noise * gaussian (rand));
    }
  return x;
}

static void
assign (const float *unit,
        gsize        n,
        gsize        d,
        const float *centres,
        guint        k,
        guint       *labels)
{
  for (gsize r = 0; r < n; r++)
    {
      double best = -G_MAXDOUBLE;

      for (guint i = 0; i < k; i++)
        {
          double dot = 0.0;

          for (gsize c = 0; c < d; c++)
            dot += (double) unit[r * d + c] * centres[i * d + c];
          if (dot > best)
            {
              best = dot;
              labels[r] = i;
            }
        }
    }
}

gboolean
vl_bench_cluster_kmeans (const float  *x,
                        gsize         n,
                        gsize         d,
                        guint         k,
                        guint32       seed,
                        guint        *labels,
                        GCancellable *cancellable)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autofree float *unit = g_memdup2 (x, n * d * sizeof (float));
  g_autofree float *centres = g_new0 (float, (gsize) k * d);
  g_autofree guint *counts = g_new (guint, k);

  g_return_val_if_fail (n > 0 && d > 0 && k > 0, FALSE);

  k = MIN (k, n);
  for (gsize r = 0; r < n; r++)
    normalize (unit + r * d, d);
  /* Centres start on k distinct rows spread over the data, from a seeded
   * offset, so a file that lists its clusters in blocks still gets one
   * centre per block. */
  for (guint i = 0; i < k; i++)
    {
      gsize r = ((gsize) i * n / k + g_rand_int_range (rand, 0, MAX (1, (int) (n / k)))) % n;

      memcpy (centres + (gsize) i * d, unit + r * d, d * sizeof (float));
    }

  for (guint it = 0; it < KMEANS_ITERATIONS; it++)
    {
      if (g_cancellable_is_cancelled (cancellable))
        return FALSE;
      assign (unit, n, d, centres, k, labels);
      memset (centres, 0, (gsize) k * d * sizeof (float));
      memset (counts, 0, k * sizeof (guint));
      for (gsize r = 0; r < n; r++)
        {
          counts[labels[r]]++;
          for (gsize c = 0; c < d; c++)
            centres[labels[r] * d + c] += unit[r * d + c];
        }
      for (guint i = 0; i < k; i++)
        {
          /* An empty cluster restarts on a random row. */
          if (counts[i] == 0)
            memcpy (centres + (gsize) i * d, unit + g_rand_int_range (rand, 0, n) * d,
                    d * sizeof (float));
          normalize (centres + (gsize) i * d, d);
        }
    }
  assign (unit, n, d, centres, k, labels);
  return TRUE;
}

guint *
vl_bench_cluster_order (const guint *labels,
                       gsize        n)
{
  guint *order = g_new (guint, n);
  guint max_label = 0;
  g_autofree guint *starts = NULL;

  /* A counting sort: stable, and free of qsort's global state. */
  for (gsize r = 0; r < n; r++)
    max_label = MAX (max_label, labels[r]);
  starts = g_new0 (guint, max_label + 2);
  for (gsize r = 0; r < n; r++)
    starts[labels[r] + 1]++;
  for (guint l = 1; l <= max_label + 1; l++)
    starts[l] += starts[l - 1];
  for (gsize r = 0; r < n; r++)
    order[starts[labels[r]]++] = r;
  return order;
}
