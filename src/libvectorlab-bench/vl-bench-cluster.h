/* vl-bench-cluster.h: clustered test vectors, and the cluster order that
 * turns a similarity matrix into visible blocks. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* @n vectors of dimension @d around @k random unit centres, noise of norm
 * about 0.8, each in a cluster drawn at random; @labels (n entries) gets
 * each vector's cluster.  The same @seed gives the same data. */
float *vl_bench_cluster_generate (guint         n,
                                 guint         d,
                                 guint         k,
                                 guint32       seed,
                                 guint        *labels);

/* Spherical k-means (cosine) of the @n x @d rows of @x into @k clusters,
 * seeded; writes each row's cluster to @labels.  FALSE when cancelled. */
gboolean vl_bench_cluster_kmeans (const float  *x,
                                 gsize         n,
                                 gsize         d,
                                 guint         k,
                                 guint32       seed,
                                 guint        *labels,
                                 GCancellable *cancellable);

/* The permutation (n entries) that sorts rows by label, keeping the
 * original order within a cluster. */
guint *vl_bench_cluster_order    (const guint  *labels,
                                 gsize         n);

G_END_DECLS
