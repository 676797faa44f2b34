/* vl-breakdown-chart.h: stacked horizontal bars of where an op's time
 * went: host prep, upload, kernel, download and host extract. */
#pragma once

#include <gtk/gtk.h>
#include <vectorlab.h>

G_BEGIN_DECLS

#define VL_TYPE_BREAKDOWN_CHART (vl_breakdown_chart_get_type ())
G_DECLARE_FINAL_TYPE (VlBreakdownChart, vl_breakdown_chart, VL, BREAKDOWN_CHART, GtkWidget)

GtkWidget *vl_breakdown_chart_new    (void);
/* Adds a bar for @label; bars keep the order they were added in. */
void       vl_breakdown_chart_add    (VlBreakdownChart  *self,
                                      const char        *label,
                                      const VlBreakdown *breakdown);
void       vl_breakdown_chart_clear  (VlBreakdownChart  *self);
guint      vl_breakdown_chart_get_n_rows (VlBreakdownChart *self);
/* TRUE draws each bar as 100 % of its own total (the default). */
void       vl_breakdown_chart_set_share  (VlBreakdownChart *self,
                                          gboolean          share);
gboolean   vl_breakdown_chart_get_share  (VlBreakdownChart *self);

G_END_DECLS
