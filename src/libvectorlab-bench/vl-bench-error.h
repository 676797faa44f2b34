/* vl-bench-error.h: the error domain of the GLib layer. */
#pragma once

#include <glib.h>

#include "vectorlab.h"

G_BEGIN_DECLS

#define VL_BENCH_ERROR (vl_bench_error_quark ())

typedef enum
{
  VL_BENCH_ERROR_FAILED,
  VL_BENCH_ERROR_INVALID_FILE,       /* malformed or truncated tensor file */
  VL_BENCH_ERROR_UNSUPPORTED_FORMAT, /* well-formed but not something we read */
  VL_BENCH_ERROR_DEVICE_NOT_FOUND,   /* the core did not know the device id */
  VL_BENCH_ERROR_CORE,               /* any other failure of the core */
} VlBenchError;

GQuark vl_bench_error_quark (void);

/* Moves a core error into a GError (VL_BENCH_ERROR_DEVICE_NOT_FOUND or
 * VL_BENCH_ERROR_CORE), prefixed by @prefix when it is not NULL, and frees
 * @vl_error.  Always returns FALSE so failures read
 * `return vl_bench_propagate_vl_error (...);`. */
gboolean vl_bench_propagate_vl_error (GError    **error,
                                      VlError    *vl_error,
                                      const char *prefix);

G_END_DECLS
