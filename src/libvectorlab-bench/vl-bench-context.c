/* vl-bench-context.c: GError-reporting wrappers of core constructors. */
#include "vl-bench-context.h"

#include "vl-bench-error.h"

VlContext *
vl_bench_context_new (const char *device_id, GError **error)
{
  VlError *vl_error = NULL;
  VlContext *ctx = vl_context_new (device_id, &vl_error);

  if (ctx == NULL)
    vl_bench_propagate_vl_error (error, vl_error, NULL);
  return ctx;
}
