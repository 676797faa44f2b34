/* vl-bench-engine.h: the benchmark engine: suites, plans, the runner,
 * reports, scaling tables and comparisons. */
#pragma once

#include "vl-bench-comparison.h"
#include "vl-bench-engine-error.h"
#include "vl-bench-param.h"
#include "vl-bench-plan.h"
#include "vl-bench-registry.h"
#include "vl-bench-report.h"
#include "vl-bench-result.h"
#include "vl-bench-runner.h"
#include "vl-bench-similarity-job.h"
#include "vl-bench-suite.h"
#include "vl-bench-table.h"
