/* vl-ui-util.c: helpers of the UI tests and the screenshot tool. */
#include "vl-ui-util.h"

#include "vl-export.h"

VlApplication *
vl_ui_application_new (void)
{
  VlApplication *app = vl_application_new ();
  g_autoptr(GError) error = NULL;

  g_application_set_flags (G_APPLICATION (app),
                           G_APPLICATION_NON_UNIQUE | G_APPLICATION_HANDLES_OPEN);
  if (!g_application_register (G_APPLICATION (app), NULL, &error))
    g_error ("could not register the application: %s", error->message);
  return app;
}

static gboolean
timed_out (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
vl_ui_wait (VlUiCondition condition,
            gpointer      data,
            guint         timeout_ms)
{
  gboolean expired = FALSE;
  guint source = g_timeout_add (timeout_ms, timed_out, &expired);

  while (!condition (data) && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (source);
  return condition (data);
}

static gboolean
never (gpointer data)
{
  return FALSE;
}

void
vl_ui_spin (guint ms)
{
  vl_ui_wait (never, NULL, ms);
}

static gboolean
is_mapped (gpointer data)
{
  GtkWidget *widget = data;

  return gtk_widget_get_mapped (widget) && gtk_widget_get_width (widget) > 0
         && gtk_widget_get_height (widget) > 0;
}

gboolean
vl_ui_wait_mapped (GtkWidget *widget)
{
  gboolean ok = vl_ui_wait (is_mapped, widget, 10000);

  /* A frame or two for the first layout and paint. */
  vl_ui_spin (200);
  return ok;
}

guchar *
vl_ui_download (GtkWidget *widget,
                int       *width,
                int       *height,
                gsize     *stride)
{
  g_autoptr(GdkTexture) texture = vl_widget_render_texture (widget);
  guchar *pixels;

  if (texture == NULL)
    return NULL;
  *width = gdk_texture_get_width (texture);
  *height = gdk_texture_get_height (texture);
  *stride = (gsize) *width * 4;
  pixels = g_malloc (*stride * *height);
  gdk_texture_download (texture, pixels, *stride);
  return pixels;
}
