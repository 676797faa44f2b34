/* vl-window.c: the main window: a sidebar of pages and the actions that
 * act on the visible one. */
#include "vl-workbench-config.h"

#include <glib/gi18n.h>

#include "vl-breakdown-page.h"
#include "vl-devices-page.h"
#include "vl-empty-state.h"
#include "vl-similarity-page.h"
#include "vl-window.h"

struct _VlWindow
{
  GtkApplicationWindow  parent_instance;

  /* Cancelled when the window goes: every job the window starts is tied
   * to it, so closing the window stops them all. */
  GCancellable         *cancellable;

  GtkStack             *stack;
  VlDevicesPage        *devices_page;
  VlSimilarityPage     *similarity_page;
  VlBreakdownPage      *breakdown_page;
};

G_DEFINE_FINAL_TYPE (VlWindow, vl_window, GTK_TYPE_APPLICATION_WINDOW)

static const char *
visible_page (VlWindow *self)
{
  return gtk_stack_get_visible_child_name (self->stack);
}

static void
update_actions (VlWindow *self)
{
  const char *page = visible_page (self);
  gboolean on_similarity = g_strcmp0 (page, "similarity") == 0;
  gboolean on_breakdown = g_strcmp0 (page, "breakdown") == 0;
  gboolean busy = vl_similarity_page_get_busy (self->similarity_page);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.run", on_similarity && !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cancel", busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.open", on_similarity);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export",
                                 (on_similarity && vl_similarity_page_has_matrix (self->similarity_page))
                                 || (on_breakdown && !vl_breakdown_page_is_empty (self->breakdown_page)));
}

static void
visible_page_changed (VlWindow *self)
{
  update_actions (self);
}

static void
similarity_computed (VlWindow           *self,
                     VlSimilarityResult *result)
{
  g_autofree char *label = NULL;

  vl_devices_page_set_counters (self->devices_page, result->device_id, &result->pool);
  /* Translators: a row of the breakdown chart, e.g.
   * "similarity 512 × 64 on cpu". */
  label = g_strdup_printf (_("similarity %u × %u on %s"),
                           result->n, result->d, result->device_id);
  vl_breakdown_page_add (self->breakdown_page, label, &result->breakdown);
  update_actions (self);
}

static void
run_activated (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  VlWindow *self = VL_WINDOW (widget);

  if (g_strcmp0 (visible_page (self), "similarity") == 0)
    vl_similarity_page_compute (self->similarity_page);
}

static void
cancel_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  vl_similarity_page_cancel (VL_WINDOW (widget)->similarity_page);
}

static void
open_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  VlWindow *self = VL_WINDOW (widget);

  if (g_strcmp0 (visible_page (self), "similarity") == 0)
    vl_similarity_page_choose_file (self->similarity_page);
}

static void
export_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  VlWindow *self = VL_WINDOW (widget);
  const char *page = visible_page (self);

  if (g_strcmp0 (page, "similarity") == 0)
    vl_similarity_page_export (self->similarity_page);
  else if (g_strcmp0 (page, "breakdown") == 0)
    vl_breakdown_page_export (self->breakdown_page);
}

void
vl_window_open_files (VlWindow  *self,
                      GFile    **files,
                      int        n_files)
{
  g_return_if_fail (VL_IS_WINDOW (self));

  /* The similarity heatmap shows one data set at a time: the last wins. */
  if (n_files < 1)
    return;
  vl_window_show_page (self, "similarity");
  vl_similarity_page_load_file (self->similarity_page, files[n_files - 1]);
}

void
vl_window_show_page (VlWindow   *self,
                     const char *name)
{
  g_return_if_fail (VL_IS_WINDOW (self));

  gtk_stack_set_visible_child_name (self->stack, name);
}

GtkWidget *
vl_window_get_page (VlWindow   *self,
                    const char *name)
{
  g_return_val_if_fail (VL_IS_WINDOW (self), NULL);

  return gtk_stack_get_child_by_name (self->stack, name);
}

/* GtkWindow:application is not a construct property, so this runs once
 * g_object_new() has set it. */
static void
bind_settings (VlWindow  *self,
               GSettings *settings)
{
  g_settings_bind (settings, "window-width", self, "default-width", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "window-height", self, "default-height", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "window-maximized", self, "maximized", G_SETTINGS_BIND_DEFAULT);
  vl_similarity_page_bind_settings (self->similarity_page, settings);
}

static void
vl_window_dispose (GObject *object)
{
  VlWindow *self = VL_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), VL_TYPE_WINDOW);

  G_OBJECT_CLASS (vl_window_parent_class)->dispose (object);
}

static void
vl_window_finalize (GObject *object)
{
  VlWindow *self = VL_WINDOW (object);

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (vl_window_parent_class)->finalize (object);
}

static void
vl_window_class_init (VlWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vl_window_dispose;
  object_class->finalize = vl_window_finalize;

  g_type_ensure (VL_TYPE_BREAKDOWN_PAGE);
  g_type_ensure (VL_TYPE_DEVICES_PAGE);
  g_type_ensure (VL_TYPE_EMPTY_STATE);
  g_type_ensure (VL_TYPE_SIMILARITY_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vectorlab/Workbench/vl-window.ui");
  gtk_widget_class_bind_template_child (widget_class, VlWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, VlWindow, devices_page);
  gtk_widget_class_bind_template_child (widget_class, VlWindow, similarity_page);
  gtk_widget_class_bind_template_child (widget_class, VlWindow, breakdown_page);
  gtk_widget_class_bind_template_callback (widget_class, visible_page_changed);
  gtk_widget_class_bind_template_callback (widget_class, similarity_computed);
  gtk_widget_class_bind_template_callback (widget_class, update_actions);

  gtk_widget_class_install_action (widget_class, "win.run", NULL, run_activated);
  gtk_widget_class_install_action (widget_class, "win.cancel", NULL, cancel_activated);
  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_activated);
  gtk_widget_class_install_action (widget_class, "win.export", NULL, export_activated);
}

static void
vl_window_init (VlWindow *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect_object (self->cancellable, "cancelled",
                           G_CALLBACK (vl_similarity_page_cancel),
                           self->similarity_page, G_CONNECT_SWAPPED);

  update_actions (self);
}

VlWindow *
vl_window_new (VlApplication *application)
{
  VlWindow *self;

  g_return_val_if_fail (VL_IS_APPLICATION (application), NULL);

  self = g_object_new (VL_TYPE_WINDOW, "application", application, NULL);
  bind_settings (self, vl_application_get_settings (application));
  return self;
}
