/* vl-ui-util.h: helpers of the UI tests and the screenshot tool. */
#pragma once

#include <gtk/gtk.h>

#include "vl-application.h"
#include "vl-window.h"

G_BEGIN_DECLS

typedef gboolean (*VlUiCondition) (gpointer data);

/* A registered, non-unique VlApplication (its startup has run). */
VlApplication *vl_ui_application_new (void);
/* Runs the main loop until @condition holds or @timeout_ms pass; FALSE on
 * timeout. */
gboolean       vl_ui_wait            (VlUiCondition  condition,
                                      gpointer       data,
                                      guint          timeout_ms);
/* Runs the main loop for @ms milliseconds. */
void           vl_ui_spin            (guint          ms);
/* Waits until @widget is mapped and has a size. */
gboolean       vl_ui_wait_mapped     (GtkWidget     *widget);
/* Renders @widget (over its window's background) and downloads the pixels
 * as B8G8R8A8 premultiplied (cairo's ARGB32 on little endian). */
guchar        *vl_ui_download        (GtkWidget     *widget,
                                      int           *width,
                                      int           *height,
                                      gsize         *stride);

G_END_DECLS
