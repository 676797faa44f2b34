/* vl-compare-page.h: two reports side by side, rows matched by name, with
 * ratios and regressions marked. */
#pragma once

#include <gtk/gtk.h>

#include "vl-bench-engine.h"

G_BEGIN_DECLS

#define VL_TYPE_COMPARE_PAGE (vl_compare_page_get_type ())
G_DECLARE_FINAL_TYPE (VlComparePage, vl_compare_page, VL, COMPARE_PAGE, GtkWidget)

/* Adds @report under @label; the last two added are compared, older
 * first, until other ones are chosen. */
void               vl_compare_page_add_report     (VlComparePage *self,
                                                   VlBenchReport *report,
                                                   const char    *label);
guint              vl_compare_page_get_n_reports  (VlComparePage *self);
/* The comparison shown, or NULL with fewer than two reports. */
VlBenchComparison *vl_compare_page_get_comparison (VlComparePage *self);

G_END_DECLS
