/* vl-bench-case.h: one concrete benchmark case and the workload it runs.
 *
 * A suite expands a plan into cases; a case is one workload (the op that is
 * timed) with one value per parameter.  The runner drives a workload in four
 * steps, so that only `run` is inside the clock:
 *   setup    builds the data (seeded, outside timing) and any index;
 *   run      one repetition, short enough that cancellation between
 *            repetitions is prompt;
 *   quality  checks a small sample of the last result against a reference;
 *   teardown frees what setup made. */
#pragma once

#include <gio/gio.h>

#include "vectorlab.h"
#include "vl-bench-quality.h"

G_BEGIN_DECLS

typedef struct _VlBenchWorkload VlBenchWorkload;

typedef struct
{
  const VlBenchWorkload *workload;
  char                  *name;         /* "knn/n:1000/d:64/nq:1/k:10/..." */
  GStrv                  keys;         /* in the workload's key order */
  GStrv                  values;
  guint                  repetitions;
  guint                  warmups;
  gboolean               with_p99;
} VlBenchCase;

struct _VlBenchWorkload
{
  const char        *name;         /* first component of case names */
  const char *const *keys;         /* every parameter, in name order */
  const char        *count_key;    /* what a scaling table sweeps */
  const char        *items_label;  /* what items_per_second counts */

  gpointer (*setup)    (VlContext         *ctx,
                        const VlBenchCase *bench_case,
                        GCancellable      *cancellable,
                        GError           **error);
  /* Untimed, before each run, or NULL: releases what the last run left to
   * its caller (decode-host's output), so that each repetition starts
   * like the first. */
  void     (*prepare)  (gpointer           state);
  gboolean (*run)      (gpointer           state,
                        GError           **error);
  gboolean (*quality)  (gpointer           state,
                        VlBenchQuality    *quality,
                        GError           **error);
  void     (*teardown) (gpointer           state);
  /* Items (queries, vectors, pairs) and bytes read or written by one
   * repetition, for items_per_second and bytes_per_second. */
  double   (*items)    (const VlBenchCase *bench_case);
  double   (*bytes)    (const VlBenchCase *bench_case);
};

/* A case of @workload named from @values (one per workload key, in order). */
VlBenchCase *vl_bench_case_new      (const VlBenchWorkload *workload,
                                     const char *const     *values,
                                     guint                  repetitions,
                                     guint                  warmups,
                                     gboolean               with_p99);
void         vl_bench_case_free     (VlBenchCase           *bench_case);
const char  *vl_bench_case_get      (const VlBenchCase     *bench_case,
                                     const char            *key);
/* The value of a numeric key; the suite's parameter spec validated it. */
gsize        vl_bench_case_get_size (const VlBenchCase     *bench_case,
                                     const char            *key);
VlMetric     vl_bench_case_get_metric (const VlBenchCase   *bench_case);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VlBenchCase, vl_bench_case_free)

G_END_DECLS
