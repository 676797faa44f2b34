/* vl-bench-plan-private.h: what the runner takes from a plan. */
#pragma once

#include "vl-bench-plan.h"

G_BEGIN_DECLS

/* The plan's cases, a new GPtrArray of VlBenchCase. */
GPtrArray *vl_bench_plan_expand (VlBenchPlan *self);

G_END_DECLS
