/* vl-application.c: application-wide actions, settings and style. */
#include "vl-workbench-config.h"

#include <glib/gi18n.h>
#include <vectorlab.h>

#include "vl-application.h"
#include "vl-style.h"
#include "vl-window.h"

struct _VlApplication
{
  GtkApplication  parent_instance;
  GSettings      *settings;
  VlStyle        *style;
};

G_DEFINE_FINAL_TYPE (VlApplication, vl_application, GTK_TYPE_APPLICATION)

gboolean
vl_application_check_schema (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, VL_APPLICATION_ID, TRUE);
  if (schema == NULL)
    {
      /* g_settings_new() would abort with a cryptic message instead. */
      g_printerr (_("The settings schema %s is not installed. Install vectorlab, "
                    "or run it from the build tree with “meson devenv”.\n"),
                  VL_APPLICATION_ID);
      return FALSE;
    }
  return TRUE;
}

VlApplication *
vl_application_new (void)
{
  return g_object_new (VL_TYPE_APPLICATION,
                       "application-id", VL_APPLICATION_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/io/github/vectorlab/Workbench",
                       NULL);
}

GSettings *
vl_application_get_settings (VlApplication *self)
{
  g_return_val_if_fail (VL_IS_APPLICATION (self), NULL);

  return self->settings;
}

static VlWindow *
get_window (VlApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    window = GTK_WINDOW (vl_window_new (self));
  return VL_WINDOW (window);
}

static void
vl_application_activate (GApplication *app)
{
  gtk_window_present (GTK_WINDOW (get_window (VL_APPLICATION (app))));
}

static void
vl_application_open (GApplication  *app,
                     GFile        **files,
                     int            n_files,
                     const char    *hint)
{
  VlWindow *window = get_window (VL_APPLICATION (app));

  gtk_window_present (GTK_WINDOW (window));
  vl_window_open_files (window, files, n_files);
}

static void
about_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  VlApplication *self = user_data;
  static const char *developers[] = { "The vectorlab developers", NULL };
  g_autofree char *comments = NULL;

  comments = g_strdup_printf (_("Explore, benchmark and debug vector-search kernels.\n"
                                "libvectorlab %s"), vl_version ());
  gtk_show_about_dialog (gtk_application_get_active_window (GTK_APPLICATION (self)),
                         "program-name", _("vectorlab"),
                         "logo-icon-name", VL_APPLICATION_ID,
                         "version", VL_VERSION,
                         "comments", comments,
                         "authors", developers,
                         "license-type", GTK_LICENSE_LGPL_2_1,
                         "website", "https://github.com/vectorlab/vectorlab",
                         /* Translators: put your names here, one a line. */
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static void
quit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (user_data));

  /* Destroying each window runs its dispose, which cancels its work. */
  while (windows != NULL)
    {
      GtkWindow *window = windows->data;

      windows = windows->next;
      gtk_window_destroy (window);
    }
}

static const GActionEntry app_actions[] = {
  { "about", about_activated },
  { "quit", quit_activated },
};

static void
vl_application_startup (GApplication *app)
{
  VlApplication *self = VL_APPLICATION (app);
  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();
  static const struct { const char *action; const char *accels[3]; } accels[] = {
    { "app.quit", { "<Control>q", NULL } },
    { "win.run", { "<Control>r", NULL } },
    { "win.cancel", { "Escape", NULL } },
    { "win.open", { "<Control>o", NULL } },
    { "win.export", { "<Control>e", NULL } },
    { "win.show-help-overlay", { "<Control>question", NULL } },
  };

  G_APPLICATION_CLASS (vl_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (self),
                                           accels[i].action, accels[i].accels);

  gtk_css_provider_load_from_resource (css, "/io/github/vectorlab/Workbench/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  self->settings = g_settings_new (VL_APPLICATION_ID);
  self->style = vl_style_new ();
}

static void
vl_application_finalize (GObject *object)
{
  VlApplication *self = VL_APPLICATION (object);

  g_clear_object (&self->settings);
  g_clear_object (&self->style);

  G_OBJECT_CLASS (vl_application_parent_class)->finalize (object);
}

static void
vl_application_class_init (VlApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = vl_application_finalize;
  app_class->startup = vl_application_startup;
  app_class->activate = vl_application_activate;
  app_class->open = vl_application_open;
}

static void
vl_application_init (VlApplication *self)
{
}
