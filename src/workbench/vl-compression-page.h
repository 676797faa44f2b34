/* vl-compression-page.h: rate against distortion: bytes per vector
 * against reconstruction error and recall, for the results of a report
 * that measured compression. */
#pragma once

#include <gtk/gtk.h>

#include "vl-bench-engine.h"

G_BEGIN_DECLS

#define VL_TYPE_COMPRESSION_PAGE (vl_compression_page_get_type ())
G_DECLARE_FINAL_TYPE (VlCompressionPage, vl_compression_page, VL, COMPRESSION_PAGE, GtkWidget)

/* Shows the results of @report that have a compression ratio; a report
 * without any leaves the page as it was. */
void        vl_compression_page_add_report (VlCompressionPage *self,
                                            VlBenchReport     *report);
/* The rows shown: VlBenchResult with a compression ratio. */
GListModel *vl_compression_page_get_rows   (VlCompressionPage *self);

G_END_DECLS
