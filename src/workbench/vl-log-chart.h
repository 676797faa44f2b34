/* vl-log-chart.h: a log-log line chart of one or more series, e.g.
 * throughput against problem size. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define VL_TYPE_LOG_CHART (vl_log_chart_get_type ())
G_DECLARE_FINAL_TYPE (VlLogChart, vl_log_chart, VL, LOG_CHART, GtkWidget)

GtkWidget *vl_log_chart_new         (void);
void       vl_log_chart_set_labels  (VlLogChart *self,
                                     const char *x_label,
                                     const char *y_label);
void       vl_log_chart_clear       (VlLogChart *self);
/* Adds a point to the series called @series, made on first use; points
 * that are not positive and finite have no place on log axes and are
 * skipped. */
void       vl_log_chart_add_point   (VlLogChart *self,
                                     const char *series,
                                     double      x,
                                     double      y);
guint      vl_log_chart_get_n_series (VlLogChart *self);

G_END_DECLS
