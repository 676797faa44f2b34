/* vl-bench-suite.h: a named benchmark suite and its parameters. */
#pragma once

#include <glib-object.h>

#include "vl-bench-param.h"

G_BEGIN_DECLS

#define VL_TYPE_BENCH_SUITE (vl_bench_suite_get_type ())

G_DECLARE_FINAL_TYPE (VlBenchSuite, vl_bench_suite, VL, BENCH_SUITE, GObject)

const char             *vl_bench_suite_get_name        (VlBenchSuite *self);
const char             *vl_bench_suite_get_description (VlBenchSuite *self);
/* The parameters in the order `list` shows them; @n_params may be NULL. */
const VlBenchParamSpec *vl_bench_suite_get_params      (VlBenchSuite *self,
                                                        guint        *n_params);
const VlBenchParamSpec *vl_bench_suite_find_param      (VlBenchSuite *self,
                                                        const char   *name);
guint vl_bench_suite_get_default_repetitions (VlBenchSuite *self);
guint vl_bench_suite_get_default_warmups     (VlBenchSuite *self);

G_END_DECLS
