/* vl-scaling-page.h: the results of a report as a sortable table and a
 * log-log chart of throughput against the swept count. */
#pragma once

#include <gtk/gtk.h>

#include "vl-bench-engine.h"

G_BEGIN_DECLS

#define VL_TYPE_SCALING_PAGE (vl_scaling_page_get_type ())
G_DECLARE_FINAL_TYPE (VlScalingPage, vl_scaling_page, VL, SCALING_PAGE, GtkWidget)

/* Shows @report (NULL for none) under @title. */
void           vl_scaling_page_set_report (VlScalingPage  *self,
                                           VlBenchReport  *report,
                                           const char     *title);
VlBenchReport *vl_scaling_page_get_report (VlScalingPage  *self);
/* The rows shown, sorted as shown. */
GListModel    *vl_scaling_page_get_rows   (VlScalingPage  *self);
/* Asks for a file and writes the report (.json), the table (.csv) or the
 * chart (.png), by the name's extension. */
void           vl_scaling_page_export     (VlScalingPage  *self);
gboolean       vl_scaling_page_save       (VlScalingPage  *self,
                                           GFile          *file,
                                           GError        **error);

G_END_DECLS
