/* vl-bench-data.h: seeded test data and the comparisons quality uses.
 * Data is built outside timing; generation checks @cancellable every few
 * thousand rows because a 1,000,000 x 768 database takes seconds. */
#pragma once

#include <gio/gio.h>

#include "vectorlab.h"
#include "vl-bench-context.h"
#include "vl-bench-quality.h"

G_BEGIN_DECLS

/* The seed every suite uses, so runs on two devices see the same data. */
#define VL_BENCH_SEED 20261121u

/* @n x @d floats around 64 centroids in [-1, 1]^d: real embeddings are
 * clustered, and uniform data would make every neighbour a near tie.  The
 * centroids depend on @centroid_seed only, so a database and its queries
 * made with different @noise_seed share them.  g_free() the result. */
float *vl_bench_data_clustered (guint64       centroid_seed,
                                guint64       noise_seed,
                                gsize         n,
                                gsize         d,
                                GCancellable *cancellable,
                                GError      **error);

/* @n floats uniform in [-1, 1]. */
float *vl_bench_data_uniform   (guint64       seed,
                                gsize         n,
                                GCancellable *cancellable,
                                GError      **error);

/* Sets quality->max_abs_err and mse from @n pairs. */
void   vl_bench_data_compare   (const float    *result,
                                const float    *reference,
                                gsize           n,
                                VlBenchQuality *quality);

/* The device a quality check of @multiply_adds runs on: "ref" while the
 * scalar oracle takes about a second or less, else "cpu". */
const char *vl_bench_reference_for (double multiply_adds);

G_END_DECLS
