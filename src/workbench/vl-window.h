/* vl-window.h: the workbench's main window. */
#pragma once

#include <gtk/gtk.h>

#include "vl-application.h"

G_BEGIN_DECLS

#define VL_TYPE_WINDOW (vl_window_get_type ())
G_DECLARE_FINAL_TYPE (VlWindow, vl_window, VL, WINDOW, GtkApplicationWindow)

VlWindow *vl_window_new        (VlApplication *application);
void      vl_window_open_files (VlWindow      *self,
                                GFile        **files,
                                int            n_files);
/* Shows the page named @name ("devices", "run", "scaling", "compression",
 * "similarity", "breakdown" or "compare"). */
void      vl_window_show_page  (VlWindow      *self,
                                const char    *name);
GtkWidget *vl_window_get_page  (VlWindow      *self,
                                const char    *name);

G_END_DECLS
