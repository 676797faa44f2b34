/* vl-breakdown-page.h: where the time of each op went. */
#pragma once

#include <gtk/gtk.h>
#include <vectorlab.h>

G_BEGIN_DECLS

#define VL_TYPE_BREAKDOWN_PAGE (vl_breakdown_page_get_type ())
G_DECLARE_FINAL_TYPE (VlBreakdownPage, vl_breakdown_page, VL, BREAKDOWN_PAGE, GtkWidget)

void     vl_breakdown_page_add      (VlBreakdownPage   *self,
                                     const char        *label,
                                     const VlBreakdown *breakdown);
gboolean vl_breakdown_page_is_empty (VlBreakdownPage   *self);
/* Asks for a file name and saves the chart there as PNG. */
void     vl_breakdown_page_export   (VlBreakdownPage   *self);
gboolean vl_breakdown_page_save_png (VlBreakdownPage   *self,
                                     GFile             *file,
                                     GError           **error);

G_END_DECLS
