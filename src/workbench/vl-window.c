/* vl-window.c: the main window: a sidebar of pages and the actions that
 * act on the visible one. */
#include "vl-workbench-config.h"

#include <glib/gi18n.h>

#include "vl-breakdown-page.h"
#include "vl-compare-page.h"
#include "vl-compression-page.h"
#include "vl-devices-page.h"
#include "vl-empty-state.h"
#include "vl-export.h"
#include "vl-run-page.h"
#include "vl-scaling-page.h"
#include "vl-similarity-page.h"
#include "vl-window.h"

struct _VlWindow
{
  GtkApplicationWindow  parent_instance;

  /* Cancelled when the window goes: every job the window starts is tied
   * to it, so closing the window stops them all. */
  GCancellable         *cancellable;
  /* Reports chosen and not yet added, oldest first; the head is loading.
   * They load one at a time, so that they reach the Compare page in the
   * order chosen: it compares the last two, the older as "old". */
  GQueue                pending_reports;

  GtkStack             *stack;
  VlDevicesPage        *devices_page;
  VlRunPage            *run_page;
  VlScalingPage        *scaling_page;
  VlCompressionPage    *compression_page;
  VlSimilarityPage     *similarity_page;
  VlBreakdownPage      *breakdown_page;
  VlComparePage        *compare_page;
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
  gboolean computing = vl_similarity_page_get_busy (self->similarity_page);
  gboolean running = vl_run_page_get_running (self->run_page);
  gboolean can_export;

  if (on_similarity)
    can_export = vl_similarity_page_has_matrix (self->similarity_page);
  else if (on_breakdown)
    can_export = !vl_breakdown_page_is_empty (self->breakdown_page);
  else
    can_export = vl_scaling_page_get_report (self->scaling_page) != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.run",
                                 on_similarity ? !computing : !running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cancel", computing || running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export", can_export);
}

static const char *
report_device (VlBenchReport *report)
{
  JsonObject *context = vl_bench_report_get_context (report);
  JsonObject *device;

  if (context == NULL || !json_object_has_member (context, "device"))
    return "?";
  device = json_object_get_object_member (context, "device");
  if (device == NULL || !json_object_has_member (device, "id"))
    return "?";
  return json_object_get_string_member (device, "id");
}

/* "report.json · knn on cpu · 4 results · 2026-11-22 00:01" */
static char *
report_title (VlBenchReport *report,
              const char    *source,
              gboolean       full)
{
  const char *suite = vl_bench_report_get_context_string (report, "suite");
  const char *date = vl_bench_report_get_context_string (report, "date");
  g_autoptr(GDateTime) utc = date != NULL ? g_date_time_new_from_iso8601 (date, NULL) : NULL;
  g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_local (utc) : NULL;
  g_autofree char *when = local != NULL ? g_date_time_format (local, "%Y-%m-%d %H:%M") : NULL;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (report));

  if (!full)
    /* Translators: a report in the compare page's pickers: its source,
     * suite and device. */
    return g_strdup_printf (_("%s · %s on %s"), source, suite != NULL ? suite : "?",
                            report_device (report));
  /* Translators: above the scaling table: where the report came from,
   * its suite and device, its result count and its date. */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s · %s on %s · %u result · %s",
                                       "%s · %s on %s · %u results · %s", n),
                          source, suite != NULL ? suite : "?", report_device (report), n,
                          when != NULL ? when : "");
}

static void
add_report (VlWindow      *self,
            VlBenchReport *report,
            const char    *source)
{
  GListModel *results = G_LIST_MODEL (report);
  g_autofree char *title = report_title (report, source, TRUE);
  g_autofree char *short_title = report_title (report, source, FALSE);

  vl_scaling_page_set_report (self->scaling_page, report, title);
  vl_compare_page_add_report (self->compare_page, report, short_title);
  vl_compression_page_add_report (self->compression_page, report);
  for (guint i = 0; i < g_list_model_get_n_items (results); i++)
    {
      g_autoptr(VlBenchResult) result = g_list_model_get_item (results, i);
      /* Translators: a row of the breakdown chart: a benchmark and the
       * device it ran on. */
      g_autofree char *label = g_strdup_printf (_("%s on %s"), vl_bench_result_get_name (result),
                                                report_device (report));

      vl_breakdown_page_add (self->breakdown_page, label, vl_bench_result_get_breakdown (result));
    }
  update_actions (self);
}

static void
run_finished (VlWindow      *self,
              VlBenchReport *report)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *time = g_date_time_format (now, "%H:%M:%S");
  /* Translators: names a report of a run made in the app, by its time. */
  g_autofree char *source = g_strdup_printf (_("run at %s"), time);

  add_report (self, report, source);
  vl_window_show_page (self, "scaling");
}

static void load_next_report (VlWindow *self);

static void
report_loaded (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(VlWindow) self = VL_WINDOW (user_data);
  g_autoptr(GError) error = NULL;
  g_autoptr(VlBenchReport) report = g_task_propagate_pointer (G_TASK (result), &error);
  g_autofree char *name = NULL;

  if (self->stack == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  name = g_file_get_basename (g_task_get_task_data (G_TASK (result)));
  if (report == NULL)
    {
      g_autofree char *title = g_strdup_printf (_("Could not open %s"), name);

      vl_show_error (GTK_WIDGET (self), title, error->message);
    }
  else
    {
      add_report (self, report, name);
      vl_window_show_page (self, "scaling");
    }
  g_object_unref (g_queue_pop_head (&self->pending_reports));
  load_next_report (self);
}

static void
load_report_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  g_autofree char *path = g_file_get_path (task_data);
  GError *error = NULL;
  VlBenchReport *report;

  if (path == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("Only local files can be read."));
      return;
    }
  report = vl_bench_report_load (path, &error);
  if (report == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, report, g_object_unref);
}

static void
load_next_report (VlWindow *self)
{
  g_autoptr(GTask) task = NULL;

  if (g_queue_is_empty (&self->pending_reports))
    return;
  task = g_task_new (NULL, self->cancellable, report_loaded, g_object_ref (self));
  g_task_set_source_tag (task, load_next_report);
  g_task_set_task_data (task, g_object_ref (g_queue_peek_head (&self->pending_reports)),
                        g_object_unref);
  g_task_run_in_thread (task, load_report_thread);
}

static void
open_report (VlWindow *self,
             GFile    *file)
{
  g_queue_push_tail (&self->pending_reports, g_object_ref (file));
  if (g_queue_get_length (&self->pending_reports) == 1)
    load_next_report (self);
}

static void
open_reports_response (GtkNativeDialog *dialog,
                       int              response,
                       VlWindow        *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));

      for (guint i = 0; i < g_list_model_get_n_items (files); i++)
        {
          g_autoptr(GFile) file = g_list_model_get_item (files, i);

          open_report (self, file);
        }
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (self);
}

static void
choose_reports (VlWindow *self)
{
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  chooser = gtk_file_chooser_native_new (_("Open Reports"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (chooser), TRUE);
  gtk_file_filter_set_name (filter, _("Reports (.json)"));
  gtk_file_filter_add_pattern (filter, "*.json");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  g_signal_connect (chooser, "response", G_CALLBACK (open_reports_response), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
visible_page_changed (VlWindow *self)
{
  update_actions (self);
}

static void
similarity_computed (VlWindow                *self,
                     VlBenchSimilarityResult *result)
{
  g_autofree char *label = NULL;
  g_autofree char *what = NULL;

  /* Translators: what ran, e.g. "similarity 512 × 64". */
  what = g_strdup_printf (_("similarity %u × %u"), result->n, result->d);
  vl_devices_page_set_counters (self->devices_page, result->device_id, what, &result->pool);
  /* Translators: a row of the breakdown chart, e.g.
   * "similarity 512 × 64 on cpu". */
  label = g_strdup_printf (_("similarity %u × %u on %s"),
                           result->n, result->d, result->device_id);
  vl_breakdown_page_add (self->breakdown_page, label, &result->breakdown);
  update_actions (self);
}

static void
run_counters (VlWindow          *self,
              const char        *device_id,
              const char        *case_name,
              const VlPoolStats *pool)
{
  vl_devices_page_set_counters (self->devices_page, device_id, case_name, pool);
}

static void
run_activated (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  VlWindow *self = VL_WINDOW (widget);

  if (g_strcmp0 (visible_page (self), "similarity") == 0)
    {
      vl_similarity_page_compute (self->similarity_page);
      return;
    }
  /* Elsewhere Ctrl+R runs the suite, in view of its progress. */
  vl_window_show_page (self, "run");
  vl_run_page_run (self->run_page);
}

static void
cancel_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  VlWindow *self = VL_WINDOW (widget);

  vl_similarity_page_cancel (self->similarity_page);
  vl_run_page_cancel (self->run_page);
}

static void
open_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  VlWindow *self = VL_WINDOW (widget);

  if (g_strcmp0 (visible_page (self), "similarity") == 0)
    vl_similarity_page_choose_file (self->similarity_page);
  else
    choose_reports (self);
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
  else
    vl_scaling_page_export (self->scaling_page);
}

void
vl_window_open_files (VlWindow  *self,
                      GFile    **files,
                      int        n_files)
{
  g_return_if_fail (VL_IS_WINDOW (self));

  GFile *vectors = NULL;

  for (int i = 0; i < n_files; i++)
    {
      g_autofree char *name = g_file_get_basename (files[i]);

      if (name != NULL && g_str_has_suffix (name, ".json"))
        open_report (self, files[i]);
      else
        vectors = files[i];
    }
  /* The heatmap shows one data set at a time: the last file wins. */
  if (vectors != NULL)
    {
      vl_window_show_page (self, "similarity");
      vl_similarity_page_load_file (self->similarity_page, vectors);
    }
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
  vl_run_page_bind_settings (self->run_page, settings);
}

static void
vl_window_dispose (GObject *object)
{
  VlWindow *self = VL_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_queue_clear_full (&self->pending_reports, g_object_unref);
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
  g_type_ensure (VL_TYPE_COMPARE_PAGE);
  g_type_ensure (VL_TYPE_COMPRESSION_PAGE);
  g_type_ensure (VL_TYPE_DEVICES_PAGE);
  g_type_ensure (VL_TYPE_EMPTY_STATE);
  g_type_ensure (VL_TYPE_RUN_PAGE);
  g_type_ensure (VL_TYPE_SCALING_PAGE);
  g_type_ensure (VL_TYPE_SIMILARITY_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vectorlab/Workbench/vl-window.ui");
  gtk_widget_class_bind_template_child (widget_class, VlWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, VlWindow, devices_page);
  gtk_widget_class_bind_template_child (widget_class, VlWindow, run_page);
  gtk_widget_class_bind_template_child (widget_class, VlWindow, scaling_page);
  gtk_widget_class_bind_template_child (widget_class, VlWindow, compression_page);
  gtk_widget_class_bind_template_child (widget_class, VlWindow, similarity_page);
  gtk_widget_class_bind_template_child (widget_class, VlWindow, breakdown_page);
  gtk_widget_class_bind_template_child (widget_class, VlWindow, compare_page);
  gtk_widget_class_bind_template_callback (widget_class, visible_page_changed);
  gtk_widget_class_bind_template_callback (widget_class, similarity_computed);
  gtk_widget_class_bind_template_callback (widget_class, run_finished);
  gtk_widget_class_bind_template_callback (widget_class, run_counters);
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
  g_signal_connect_object (self->cancellable, "cancelled",
                           G_CALLBACK (vl_run_page_cancel),
                           self->run_page, G_CONNECT_SWAPPED);

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
