/* vl-application.h: the workbench's GtkApplication. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define VL_TYPE_APPLICATION (vl_application_get_type ())
G_DECLARE_FINAL_TYPE (VlApplication, vl_application, VL, APPLICATION, GtkApplication)

VlApplication *vl_application_new          (void);
GSettings     *vl_application_get_settings (VlApplication *self);
gboolean       vl_application_check_schema (void);

G_END_DECLS
