/* vl-bench-engine-error.h: the error domain of the benchmark engine (plans,
 * suites and reports).  Core failures keep VL_BENCH_ERROR (vl-bench-error.h). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define VL_ENGINE_ERROR (vl_engine_error_quark ())

typedef enum
{
  VL_ENGINE_ERROR_UNKNOWN_SUITE,      /* no suite of that name; lists them */
  VL_ENGINE_ERROR_UNKNOWN_PARAMETER,  /* not a parameter of the suite */
  VL_ENGINE_ERROR_INVALID_VALUE,      /* malformed or out-of-range value */
  VL_ENGINE_ERROR_REPORT_NOT_JSON,    /* the file is not JSON at all */
  VL_ENGINE_ERROR_REPORT_TRUNCATED,   /* JSON that ends before it closes */
  VL_ENGINE_ERROR_REPORT_NOT_OURS,    /* JSON, but not a vectorlab report */
  VL_ENGINE_ERROR_REPORT_NEWER,       /* a schema_version we do not know */
} VlEngineError;

GQuark vl_engine_error_quark (void);

G_END_DECLS
