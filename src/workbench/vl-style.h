/* vl-style.h: follows the desktop's light or dark preference. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define VL_TYPE_STYLE (vl_style_get_type ())
G_DECLARE_FINAL_TYPE (VlStyle, vl_style, VL, STYLE, GObject)

VlStyle *vl_style_new (void);

G_END_DECLS
