/* vl-export.h: saving what the workbench shows: widgets and textures as
 * PNG, through a native file chooser, with errors in a dialog. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef void (*VlExportFunc) (GFile   *file,
                              GObject *object);

/* Renders @widget as it is on screen, over its window's background. */
GdkTexture *vl_widget_render_texture (GtkWidget    *widget);
/* Writes @texture to @file as PNG, replacing it atomically. */
gboolean    vl_texture_save_png      (GdkTexture   *texture,
                                      GFile        *file,
                                      GError      **error);
/* Asks for a file to save to, then calls @func with it and @object,
 * which the dialog keeps alive until then; a NULL @mime_type offers no
 * filter. */
void        vl_export_choose_file    (GtkWidget    *parent,
                                      const char   *title,
                                      const char   *suggested_name,
                                      const char   *filter_name,
                                      const char   *mime_type,
                                      VlExportFunc  func,
                                      GObject      *object);
/* Shows @message under @title in a modal dialog on @parent's window. */
void        vl_show_error            (GtkWidget    *parent,
                                      const char   *title,
                                      const char   *message);

G_END_DECLS
