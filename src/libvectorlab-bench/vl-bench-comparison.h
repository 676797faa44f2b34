/* vl-bench-comparison.h: two reports side by side, rows matched by
 * benchmark name.  The ratio is new time / old time (median real_time), so
 * above 1 is slower; a row is a regression when it is slower by more than
 * the threshold percent. */
#pragma once

#include "vl-bench-report.h"

G_BEGIN_DECLS

typedef struct
{
  char    *name;
  double   old_ms;      /* NAN when only in the new report */
  double   new_ms;      /* NAN when only in the old report */
  double   ratio;       /* new / old; NAN when either side is missing */
  gboolean regression;
} VlBenchComparisonRow;

/* A kernel family whose tunables (context.tuning) differ between the
 * reports; NULL on the side that does not name the family. */
typedef struct
{
  char *family;
  char *old_tuning;
  char *new_tuning;
} VlBenchTuningChange;

#define VL_TYPE_BENCH_COMPARISON (vl_bench_comparison_get_type ())

G_DECLARE_FINAL_TYPE (VlBenchComparison, vl_bench_comparison, VL,
                      BENCH_COMPARISON, GObject)

/* Rows in the old report's order, then those only in the new one. */
VlBenchComparison *vl_bench_comparison_new (VlBenchReport *old_report,
                                            VlBenchReport *new_report,
                                            double         threshold_pct);
guint    vl_bench_comparison_get_n_rows      (VlBenchComparison *self);
const VlBenchComparisonRow *
         vl_bench_comparison_get_row         (VlBenchComparison *self,
                                              guint              i);
/* Rows present in both reports. */
guint    vl_bench_comparison_get_n_matched   (VlBenchComparison *self);
gboolean vl_bench_comparison_has_regression  (VlBenchComparison *self);
/* The families whose tunables differ, where both reports name theirs (a
 * time that moved may have moved with them): the new report's order, then
 * those only in the old one. */
guint    vl_bench_comparison_get_n_tuning_changes (VlBenchComparison *self);
const VlBenchTuningChange *
         vl_bench_comparison_get_tuning_change    (VlBenchComparison *self,
                                                   guint              i);
/* One line per row: name, old, new, ratio and a mark, aligned. */
char    *vl_bench_comparison_format          (VlBenchComparison *self);

G_END_DECLS
