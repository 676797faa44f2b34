/* vl-bench-report.h: the results of a run (a GListModel of VlBenchResult,
 * which a GUI can bind to directly) and the run's context, read from and
 * written to JSON in the layout of DESIGN.md.
 *
 * JSON layout (schema: data/vectorlab-report.schema.json): Google
 * Benchmark's top-level `context` and `benchmarks[]` with its field names
 * (name, run_type, repetitions, iterations, real_time, cpu_time, time_unit,
 * items_per_second, bytes_per_second), plus our own `params`, `stats`,
 * `breakdown`, `quality`, `memory` per benchmark and a top-level
 * `schema_version`.  Non-finite numbers are written as null. */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "vl-bench-result.h"

G_BEGIN_DECLS

/* Bumped when a reader of the previous version would misread a report. */
#define VL_BENCH_REPORT_SCHEMA_VERSION 1

#define VL_TYPE_BENCH_REPORT (vl_bench_report_get_type ())

G_DECLARE_FINAL_TYPE (VlBenchReport, vl_bench_report, VL, BENCH_REPORT,
                      GObject)

VlBenchReport *vl_bench_report_new         (void);
void           vl_bench_report_append      (VlBenchReport *self,
                                            VlBenchResult *result);
/* The result called @name, or NULL. */
VlBenchResult *vl_bench_report_lookup      (VlBenchReport *self,
                                            const char    *name);
/* The `context` object: date, host_name, executable, num_cpus, library,
 * library_version, library_build_type, suite, device {...}, ... */
JsonObject    *vl_bench_report_get_context (VlBenchReport *self);
/* A context string member, or NULL. */
const char    *vl_bench_report_get_context_string (VlBenchReport *self,
                                                   const char    *member);

char          *vl_bench_report_to_json     (VlBenchReport *self);
/* Writes atomically (a temporary file renamed over @path), so a reader
 * never sees half a report. */
gboolean       vl_bench_report_save        (VlBenchReport *self,
                                            const char    *path,
                                            GError       **error);
/* Reads a report, refusing with a VL_ENGINE_ERROR what is not JSON, is
 * truncated, is not a vectorlab report, or has a newer schema_version. */
VlBenchReport *vl_bench_report_load        (const char    *path,
                                            GError       **error);
VlBenchReport *vl_bench_report_load_from_data (const char  *data,
                                               gssize       length,
                                               GError     **error);

G_END_DECLS
