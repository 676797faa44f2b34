/* vl-bench-plan.h: what to run: a suite, a device, one or more values per
 * parameter (a sweep), repetitions and warm-ups. */
#pragma once

#include <glib-object.h>

#include "vl-bench-suite.h"

G_BEGIN_DECLS

#define VL_TYPE_BENCH_PLAN (vl_bench_plan_get_type ())

G_DECLARE_FINAL_TYPE (VlBenchPlan, vl_bench_plan, VL, BENCH_PLAN, GObject)

/* A plan of @suite with its default values on device "auto". */
VlBenchPlan  *vl_bench_plan_new             (VlBenchSuite *suite);
VlBenchSuite *vl_bench_plan_get_suite       (VlBenchPlan  *self);
const char   *vl_bench_plan_get_device      (VlBenchPlan  *self);
void          vl_bench_plan_set_device      (VlBenchPlan  *self,
                                             const char   *device);
/* 0 means the suite's default. */
guint         vl_bench_plan_get_repetitions (VlBenchPlan  *self);
void          vl_bench_plan_set_repetitions (VlBenchPlan  *self,
                                             guint         repetitions);
/* -1 means the suite's default. */
int           vl_bench_plan_get_warmups     (VlBenchPlan  *self);
void          vl_bench_plan_set_warmups     (VlBenchPlan  *self,
                                             int           warmups);
/* Sets parameter @key from @text ("16" or "1,16,1024").  Fails with
 * VL_ENGINE_ERROR_UNKNOWN_PARAMETER listing the suite's parameters, or
 * VL_ENGINE_ERROR_INVALID_VALUE. */
gboolean      vl_bench_plan_set_param       (VlBenchPlan  *self,
                                             const char   *key,
                                             const char   *text,
                                             GError      **error);
/* Parses "KEY=VALUE" as given to `run -p`. */
gboolean      vl_bench_plan_set_param_string (VlBenchPlan *self,
                                              const char  *assignment,
                                              GError     **error);
/* Runs the OpenCL kernels of a family with other tunables than the stored
 * ones: parses "FAMILY=NAME=VALUE ..." as given to `run -t` (the words as
 * `tune` prints them).  Fails with VL_ENGINE_ERROR_INVALID_VALUE when no
 * family or no tunables are named; whether the device has the family and
 * takes the tunables is found when the run makes its context. */
gboolean      vl_bench_plan_set_tuning_string (VlBenchPlan *self,
                                               const char  *assignment,
                                               GError     **error);
/* The tunables set, family after family: NULL-terminated pairs of family
 * and words (owned by the plan). */
const char *const *vl_bench_plan_get_tunings (VlBenchPlan *self);
/* The values of @key, NULL-terminated, owned by the plan. */
const char *const *vl_bench_plan_get_values (VlBenchPlan  *self,
                                             const char   *key);
/* How many cases the plan expands to. */
guint         vl_bench_plan_count_cases     (VlBenchPlan  *self);

G_END_DECLS
