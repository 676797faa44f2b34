/* vl-export.c: PNG export, the save dialog and error dialogs.  GTK 4.8
 * has neither GtkFileDialog nor GtkAlertDialog, hence
 * GtkFileChooserNative and GtkMessageDialog. */
#include "vl-workbench-config.h"

#include <glib/gi18n.h>

#include "vl-export.h"

GdkTexture *
vl_widget_render_texture (GtkWidget *widget)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  GtkSnapshot *snapshot;
  GtkStyleContext *style;
  GskRenderer *renderer;
  GdkRGBA background;
  int width, height;

  g_return_val_if_fail (GTK_IS_WIDGET (widget), NULL);

  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  if (width <= 0 || height <= 0 || gtk_widget_get_native (widget) == NULL)
    return NULL;

  snapshot = gtk_snapshot_new ();
  /* A page has no background of its own; without the window's, the PNG
   * would be transparent with text meant for a light or dark window. */
  style = gtk_widget_get_style_context (GTK_WIDGET (gtk_widget_get_root (widget)));
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  if (gtk_style_context_lookup_color (style, "theme_bg_color", &background))
    gtk_snapshot_append_color (snapshot, &background, &GRAPHENE_RECT_INIT (0, 0, width, height));
  G_GNUC_END_IGNORE_DEPRECATIONS
  paintable = gtk_widget_paintable_new (widget);
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node == NULL)
    return NULL;

  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  return gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
}

gboolean
vl_texture_save_png (GdkTexture  *texture,
                     GFile       *file,
                     GError     **error)
{
  g_autoptr(GBytes) png = NULL;

  g_return_val_if_fail (GDK_IS_TEXTURE (texture), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  png = gdk_texture_save_to_png_bytes (texture);
  return g_file_replace_contents (file, g_bytes_get_data (png, NULL), g_bytes_get_size (png),
                                  NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                                  NULL, NULL, error);
}

typedef struct
{
  VlExportFunc  func;
  GObject      *object;
} ChooseData;

static void
chooser_response (GtkNativeDialog *dialog,
                  int              response,
                  gpointer         user_data)
{
  ChooseData *data = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (file != NULL)
        data->func (file, data->object);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (data->object);
  g_free (data);
}

void
vl_export_choose_file (GtkWidget    *parent,
                       const char   *title,
                       const char   *suggested_name,
                       const char   *filter_name,
                       const char   *mime_type,
                       VlExportFunc  func,
                       GObject      *object)
{
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  ChooseData *data = g_new0 (ChooseData, 1);

  data->func = func;
  data->object = g_object_ref (object);
  chooser = gtk_file_chooser_native_new (title, GTK_WINDOW (gtk_widget_get_root (parent)),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), suggested_name);
  if (mime_type != NULL)
    {
      gtk_file_filter_set_name (filter, filter_name);
      gtk_file_filter_add_mime_type (filter, mime_type);
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
    }
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response), data);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

void
vl_show_error (GtkWidget  *parent,
               const char *title,
               const char *message)
{
  GtkWidget *dialog;

  dialog = gtk_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (parent)),
                                   GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                   GTK_MESSAGE_ERROR, GTK_BUTTONS_CLOSE, "%s", title);
  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog), "%s", message);
  g_signal_connect (dialog, "response", G_CALLBACK (gtk_window_destroy), NULL);
  gtk_window_present (GTK_WINDOW (dialog));
}
