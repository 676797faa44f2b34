/* vl-verify-private.h: helpers shared by the verification checkers
 * (vl-verify-cases.c, -neural.c, -proj.c, -sq.c). */
#pragma once

#include <math.h>

#include "vl-bench-error.h"
#include "vl-verify.h"

/* Padding of VL_VERIFY_STRIDED views, in floats. */
#define VL_VERIFY_STRIDE_PAD 3

/* Moves the failure of an op on @ctx into @error, prefixed by the device
 * id so that a table row says which side failed; returns FALSE. */
static inline gboolean
vl_verify_op_failed (VlContext *ctx, VlError *vl_error, GError **error)
{
  return vl_bench_propagate_vl_error (error, vl_error,
                                      vl_context_get_device (ctx)->id);
}

/* Error relative to max (|ref|, 1), so that values near zero are judged
 * absolutely; NaN counts as infinitely wrong. */
static inline double
vl_verify_rel_error (double x, double ref)
{
  double e = fabs (x - ref) / MAX (fabs (ref), 1.0);

  return isnan (e) ? INFINITY : e;
}

/* A rows x cols matrix of uniform values in [-1, 1), as a view with stride
 * cols + VL_VERIFY_STRIDE_PAD (padding NaN) when @flags ask for it.  The
 * other flags are each checker's to apply. */
static inline float *
vl_verify_random_view (GRand *rand, gsize rows, gsize cols,
                       VlVerifyFlags flags, VlMatrix *view)
{
  gsize stride = cols + ((flags & VL_VERIFY_STRIDED) ? VL_VERIFY_STRIDE_PAD : 0);
  float *data = g_new (float, rows * stride);

  for (gsize r = 0; r < rows; r++)
    for (gsize c = 0; c < stride; c++)
      data[r * stride + c] = c < cols
                             ? (float) g_rand_double_range (rand, -1.0, 1.0)
                             : NAN;
  *view = vl_matrix_f32 (data, rows, cols);
  view->stride = stride;
  return data;
}
