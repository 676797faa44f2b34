/* vl-bench-error.c: the error domain of the GLib layer. */
#include "vl-bench-error.h"

G_DEFINE_QUARK (vl-bench-error-quark, vl_bench_error)

gboolean
vl_bench_propagate_vl_error (GError **error, VlError *vl_error,
                             const char *prefix)
{
  int code = VL_BENCH_ERROR_CORE;
  const char *message = "unknown error";

  if (vl_error != NULL)
    {
      message = vl_error->message;
      if (vl_error->status == VL_STATUS_DEVICE_NOT_FOUND)
        code = VL_BENCH_ERROR_DEVICE_NOT_FOUND;
    }

  if (prefix != NULL)
    g_set_error (error, VL_BENCH_ERROR, code, "%s: %s", prefix, message);
  else
    g_set_error_literal (error, VL_BENCH_ERROR, code, message);
  vl_error_free (vl_error);
  return FALSE;
}
