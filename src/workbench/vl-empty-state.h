/* vl-empty-state.h: an icon, a title and a sentence for a page with
 * nothing to show yet. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define VL_TYPE_EMPTY_STATE (vl_empty_state_get_type ())
G_DECLARE_FINAL_TYPE (VlEmptyState, vl_empty_state, VL, EMPTY_STATE, GtkWidget)

GtkWidget *vl_empty_state_new (const char *icon_name,
                               const char *title,
                               const char *description);

G_END_DECLS
