/* vl-verify-result.h: the outcome of one verification case, as an object so
 * that a GListModel of them can back a table in the workbench. */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  VL_VERIFY_MEASURE_REL_ERROR, /* max relative error against ref */
  VL_VERIFY_MEASURE_RECALL,    /* fraction of correct top-k ids; 1 is exact */
} VlVerifyMeasure;

#define VL_TYPE_VERIFY_RESULT (vl_verify_result_get_type ())

G_DECLARE_FINAL_TYPE (VlVerifyResult, vl_verify_result, VL, VERIFY_RESULT,
                      GObject)

VlVerifyResult *vl_verify_result_new (const char     *name,
                                      const char     *shape,
                                      VlVerifyMeasure measure,
                                      double          value,
                                      double          tolerance,
                                      gboolean        ok,
                                      const char     *message);

const char     *vl_verify_result_get_name      (VlVerifyResult *self);
const char     *vl_verify_result_get_shape     (VlVerifyResult *self);
VlVerifyMeasure vl_verify_result_get_measure   (VlVerifyResult *self);
double          vl_verify_result_get_value     (VlVerifyResult *self);
double          vl_verify_result_get_tolerance (VlVerifyResult *self);
gboolean        vl_verify_result_get_ok        (VlVerifyResult *self);
/* Why the case failed (an op error or a failed side check); NULL if ok. */
const char     *vl_verify_result_get_message   (VlVerifyResult *self);

G_END_DECLS
