/* vl-run-page.c: the suite registry as a form, and a run through
 * VlBenchRunner with progress, ETA and a log. */
#include "vl-workbench-config.h"

#include <glib/gi18n.h>

#include "vl-device-picker.h"
#include "vl-export.h"
#include "vl-run-page.h"

struct _VlRunPage
{
  GtkWidget        parent_instance;

  GtkWidget       *content;
  GtkDropDown     *suite_dropdown;
  GtkLabel        *description_label;
  GtkWidget       *params_heading;
  GtkWidget       *sweep_hint;
  GtkGrid         *params_grid;
  GtkSpinButton   *repetitions_spin;
  GtkSpinButton   *warmups_spin;
  GtkSwitch       *experimental_switch;
  VlDevicePicker  *device_picker;
  GtkWidget       *run_button;
  GtkWidget       *cancel_button;
  GtkLabel        *case_label;
  GtkProgressBar  *progress_bar;
  GtkTextView     *log_view;

  GListModel      *suites;      /* of VlBenchSuite, owned by the registry */
  GPtrArray       *entries;     /* GtkEntry per parameter, key in its data */
  GSettings       *settings;
  VlBenchRunner   *runner;
  GCancellable    *cancellable; /* the running suite, or NULL */
  gint64           started_us;
};

G_DEFINE_FINAL_TYPE (VlRunPage, vl_run_page, GTK_TYPE_WIDGET)

/* The suite parameter behind the Experimental ML switch. */
#define EXPERIMENTAL_PARAM "experimental-ml"


enum {
  PROP_0,
  PROP_RUNNING,
  N_PROPS
};

enum {
  SIGNAL_FINISHED,
  SIGNAL_COUNTERS,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
log_line (VlRunPage  *self,
          const char *text)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->log_view);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%H:%M:%S  ");
  GtkTextIter end;

  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_insert (buffer, &end, stamp, -1);
  gtk_text_buffer_insert (buffer, &end, text, -1);
  gtk_text_buffer_insert (buffer, &end, "\n", -1);
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_view_scroll_to_iter (self->log_view, &end, 0, FALSE, 0, 0);
}

static VlBenchSuite *
selected_suite (VlRunPage *self)
{
  guint selected = gtk_drop_down_get_selected (self->suite_dropdown);
  g_autoptr(VlBenchSuite) suite = NULL;

  if (self->suites == NULL || selected >= g_list_model_get_n_items (self->suites))
    return NULL;
  suite = g_list_model_get_item (self->suites, selected);
  /* The registry keeps its suites for the life of the process. */
  return suite;
}

static char *
saved_value (VlRunPage    *self,
             VlBenchSuite *suite,
             const char   *key)
{
  g_autofree char *last_suite = NULL;
  g_autoptr(GVariant) params = NULL;
  const char *value = NULL;

  if (self->settings == NULL)
    return NULL;
  last_suite = g_settings_get_string (self->settings, "last-suite");
  if (g_strcmp0 (last_suite, vl_bench_suite_get_name (suite)) != 0)
    return NULL;
  params = g_settings_get_value (self->settings, "last-parameters");
  if (!g_variant_lookup (params, key, "&s", &value))
    return NULL;
  return g_strdup (value);
}

static gboolean
suite_takes (VlBenchSuite *suite,
             const char   *key)
{
  guint n_params = 0;
  const VlBenchParamSpec *params = vl_bench_suite_get_params (suite, &n_params);

  for (guint i = 0; i < n_params; i++)
    if (g_str_equal (params[i].name, key))
      return TRUE;
  return FALSE;
}

static void
suite_selected (VlRunPage *self)
{
  VlBenchSuite *suite = selected_suite (self);
  const VlBenchParamSpec *params;
  GtkWidget *child;
  guint n_params = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->params_grid))) != NULL)
    gtk_grid_remove (self->params_grid, child);
  g_ptr_array_set_size (self->entries, 0);
  if (suite == NULL)
    return;

  /* The engine marks its descriptions with N_(): they are translated here. */
  gtk_label_set_label (self->description_label, _(vl_bench_suite_get_description (suite)));
  gtk_spin_button_set_value (self->repetitions_spin, vl_bench_suite_get_default_repetitions (suite));
  gtk_spin_button_set_value (self->warmups_spin, vl_bench_suite_get_default_warmups (suite));

  params = vl_bench_suite_get_params (suite, &n_params);
  gtk_widget_set_visible (self->params_heading, n_params > 0);
  gtk_widget_set_visible (self->sweep_hint, n_params > 0);
  for (guint i = 0, row = 0; i < n_params; i++)
    {
      GtkWidget *label;
      GtkWidget *entry;
      g_autofree char *type = vl_bench_param_spec_describe_type (&params[i]);
      g_autofree char *tooltip = g_strdup_printf ("%s\n%s", _(params[i].description), type);
      g_autofree char *saved = NULL;

      /* The Experimental ML switch sets this one. */
      if (g_str_equal (params[i].name, EXPERIMENTAL_PARAM))
        continue;
      label = gtk_label_new (params[i].name);
      entry = gtk_entry_new ();
      saved = saved_value (self, suite, params[i].name);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_set_tooltip_text (label, tooltip);
      gtk_widget_set_hexpand (entry, TRUE);
      gtk_editable_set_width_chars (GTK_EDITABLE (entry), 12);
      gtk_editable_set_text (GTK_EDITABLE (entry),
                             saved != NULL ? saved : params[i].default_value);
      gtk_widget_set_tooltip_text (entry, tooltip);
      gtk_accessible_update_property (GTK_ACCESSIBLE (entry),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, params[i].name,
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, _(params[i].description),
                                      -1);
      g_signal_connect_swapped (entry, "activate", G_CALLBACK (vl_run_page_run), self);
      g_object_set_data_full (G_OBJECT (entry), "vl-param", g_strdup (params[i].name), g_free);
      gtk_grid_attach (self->params_grid, label, 0, row, 1, 1);
      gtk_grid_attach (self->params_grid, entry, 1, row, 1, 1);
      row++;
      g_ptr_array_add (self->entries, entry);
    }
}

static void
set_running (VlRunPage *self,
             gboolean   running)
{
  gtk_widget_set_sensitive (self->run_button, !running);
  gtk_widget_set_sensitive (self->cancel_button, running);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

static void
progress (VlBenchRunner *runner,
          double         fraction,
          const char    *case_name,
          double         eta_seconds,
          VlRunPage     *self)
{
  g_autofree char *text = NULL;
  VlPoolStats pool;

  if (self->cancellable == NULL)
    return;
  if (vl_bench_runner_get_device_id (runner) != NULL)
    {
      vl_bench_runner_get_pool_stats (runner, &pool);
      g_signal_emit (self, signals[SIGNAL_COUNTERS], 0,
                     vl_bench_runner_get_device_id (runner), case_name, &pool);
    }
  gtk_progress_bar_set_fraction (self->progress_bar, CLAMP (fraction, 0.0, 1.0));
  if (eta_seconds >= 0 && fraction > 0)
    /* Translators: the progress bar's text: done, and time left. */
    text = g_strdup_printf (_("%.0f %% · about %.0f s left"), fraction * 100, eta_seconds);
  else
    text = g_strdup_printf (_("%.0f %%"), fraction * 100);
  gtk_progress_bar_set_text (self->progress_bar, text);
  gtk_label_set_label (self->case_label, case_name);
}

static void
run_done (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(VlRunPage) self = VL_RUN_PAGE (user_data);
  g_autoptr(GError) error = NULL;
  g_autoptr(VlBenchReport) report = NULL;
  g_autofree char *line = NULL;
  g_autofree char *tables = NULL;
  double seconds = (g_get_monotonic_time () - self->started_us) / 1e6;

  report = vl_bench_runner_run_finish (VL_BENCH_RUNNER (source), result, &error);
  g_clear_object (&self->cancellable);
  /* The window went while the worker finished its repetition. */
  if (self->content == NULL)
    return;
  set_running (self, FALSE);
  if (report == NULL)
    {
      gboolean cancelled = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

      gtk_progress_bar_set_text (self->progress_bar, cancelled ? _("Stopped") : _("Failed"));
      gtk_label_set_label (self->case_label, cancelled ? _("The run was stopped; nothing was kept.")
                                                       : error->message);
      line = cancelled ? g_strdup (_("Stopped."))
                       : g_strdup_printf (_("Failed: %s"), error->message);
      log_line (self, line);
      if (!cancelled && gtk_widget_get_mapped (GTK_WIDGET (self)))
        vl_show_error (GTK_WIDGET (self), _("The run failed"), error->message);
      return;
    }

  gtk_progress_bar_set_fraction (self->progress_bar, 1.0);
  gtk_progress_bar_set_text (self->progress_bar, _("Done"));
  line = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Finished: %u result in %.1f s",
                                       "Finished: %u results in %.1f s",
                                       g_list_model_get_n_items (G_LIST_MODEL (report))),
                          g_list_model_get_n_items (G_LIST_MODEL (report)), seconds);
  gtk_label_set_label (self->case_label, line);
  log_line (self, line);
  tables = vl_bench_report_format_tables (report);
  if (tables != NULL && *tables != '\0')
    log_line (self, tables);
  g_signal_emit (self, signals[SIGNAL_FINISHED], 0, report);
}

static void
save_choices (VlRunPage    *self,
              VlBenchSuite *suite)
{
  GVariantBuilder builder;

  if (self->settings == NULL)
    return;
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{ss}"));
  for (guint i = 0; i < self->entries->len; i++)
    {
      GtkEditable *entry = g_ptr_array_index (self->entries, i);

      g_variant_builder_add (&builder, "{ss}", g_object_get_data (G_OBJECT (entry), "vl-param"),
                             gtk_editable_get_text (entry));
    }
  g_settings_set_string (self->settings, "last-suite", vl_bench_suite_get_name (suite));
  g_settings_set_value (self->settings, "last-parameters", g_variant_builder_end (&builder));
}

void
vl_run_page_run (VlRunPage *self)
{
  VlBenchSuite *suite;
  g_autoptr(VlBenchPlan) plan = NULL;
  g_autofree char *line = NULL;

  g_return_if_fail (VL_IS_RUN_PAGE (self));

  suite = selected_suite (self);
  if (suite == NULL || self->cancellable != NULL)
    return;

  plan = vl_bench_plan_new (suite);
  for (guint i = 0; i < self->entries->len; i++)
    {
      GtkEditable *entry = g_ptr_array_index (self->entries, i);
      g_autoptr(GError) error = NULL;

      if (!vl_bench_plan_set_param (plan, g_object_get_data (G_OBJECT (entry), "vl-param"),
                                    gtk_editable_get_text (entry), &error))
        {
          log_line (self, error->message);
          gtk_widget_grab_focus (GTK_WIDGET (entry));
          vl_show_error (GTK_WIDGET (self), _("A parameter is not valid"), error->message);
          return;
        }
    }
  if (suite_takes (suite, EXPERIMENTAL_PARAM))
    vl_bench_plan_set_param (plan, EXPERIMENTAL_PARAM,
                             gtk_switch_get_active (self->experimental_switch) ? "on" : "off",
                             NULL);
  vl_bench_plan_set_device (plan, vl_device_picker_get_device (self->device_picker));
  vl_bench_plan_set_repetitions (plan, gtk_spin_button_get_value_as_int (self->repetitions_spin));
  vl_bench_plan_set_warmups (plan, gtk_spin_button_get_value_as_int (self->warmups_spin));
  save_choices (self, suite);

  /* Translators: logged when a run starts: suite, cases, device. */
  line = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Running %s: %u case on %s",
                                       "Running %s: %u cases on %s",
                                       vl_bench_plan_count_cases (plan)),
                          vl_bench_suite_get_name (suite), vl_bench_plan_count_cases (plan),
                          vl_bench_plan_get_device (plan));
  log_line (self, line);
  gtk_label_set_label (self->case_label, line);
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_progress_bar_set_text (self->progress_bar, _("Starting…"));

  self->cancellable = g_cancellable_new ();
  self->started_us = g_get_monotonic_time ();
  set_running (self, TRUE);
  vl_bench_runner_run_async (self->runner, plan, self->cancellable, run_done, g_object_ref (self));
}

void
vl_run_page_cancel (VlRunPage *self)
{
  g_return_if_fail (VL_IS_RUN_PAGE (self));

  /* The runner stops between repetitions and then calls run_done. */
  if (self->cancellable != NULL)
    {
      g_cancellable_cancel (self->cancellable);
      gtk_progress_bar_set_text (self->progress_bar, _("Stopping…"));
    }
}

gboolean
vl_run_page_get_running (VlRunPage *self)
{
  g_return_val_if_fail (VL_IS_RUN_PAGE (self), FALSE);

  return self->cancellable != NULL;
}

void
vl_run_page_set_suite (VlRunPage  *self,
                       const char *suite)
{
  g_return_if_fail (VL_IS_RUN_PAGE (self));

  for (guint i = 0; i < g_list_model_get_n_items (self->suites); i++)
    {
      g_autoptr(VlBenchSuite) item = g_list_model_get_item (self->suites, i);

      if (g_strcmp0 (vl_bench_suite_get_name (item), suite) == 0)
        {
          gtk_drop_down_set_selected (self->suite_dropdown, i);
          return;
        }
    }
}

void
vl_run_page_set_param (VlRunPage  *self,
                       const char *key,
                       const char *value)
{
  g_return_if_fail (VL_IS_RUN_PAGE (self));

  for (guint i = 0; i < self->entries->len; i++)
    {
      GtkEditable *entry = g_ptr_array_index (self->entries, i);

      if (g_strcmp0 (g_object_get_data (G_OBJECT (entry), "vl-param"), key) == 0)
        gtk_editable_set_text (entry, value);
    }
}

void
vl_run_page_set_repetitions (VlRunPage *self,
                             guint      repetitions,
                             int        warmups)
{
  g_return_if_fail (VL_IS_RUN_PAGE (self));

  gtk_spin_button_set_value (self->repetitions_spin, repetitions);
  gtk_spin_button_set_value (self->warmups_spin, warmups);
}

void
vl_run_page_bind_settings (VlRunPage *self,
                           GSettings *settings)
{
  g_autofree char *last_suite = NULL;

  g_return_if_fail (VL_IS_RUN_PAGE (self));

  g_set_object (&self->settings, settings);
  g_settings_bind (settings, "device", self->device_picker, "device", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "experimental-ml", self->experimental_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  last_suite = g_settings_get_string (settings, "last-suite");
  vl_run_page_set_suite (self, last_suite);
  /* The same suite keeps its entries: fill them from the settings now. */
  suite_selected (self);
}

static void
fill_suites (VlRunPage *self)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);

  self->suites = vl_bench_registry_get_suites ();
  for (guint i = 0; i < g_list_model_get_n_items (self->suites); i++)
    {
      g_autoptr(VlBenchSuite) suite = g_list_model_get_item (self->suites, i);

      gtk_string_list_append (names, vl_bench_suite_get_name (suite));
    }
  gtk_drop_down_set_model (self->suite_dropdown, G_LIST_MODEL (names));
}

static void
vl_run_page_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_RUNNING:
      g_value_set_boolean (value, vl_run_page_get_running (VL_RUN_PAGE (object)));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vl_run_page_dispose (GObject *object)
{
  VlRunPage *self = VL_RUN_PAGE (object);

  /* run_done still comes when the worker ends; it holds a reference and
   * finds the template gone. */
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  if (self->runner != NULL)
    g_signal_handlers_disconnect_by_data (self->runner, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), VL_TYPE_RUN_PAGE);

  G_OBJECT_CLASS (vl_run_page_parent_class)->dispose (object);
}

static void
vl_run_page_finalize (GObject *object)
{
  VlRunPage *self = VL_RUN_PAGE (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->runner);
  g_clear_object (&self->settings);
  g_ptr_array_unref (self->entries);

  G_OBJECT_CLASS (vl_run_page_parent_class)->finalize (object);
}

static void
vl_run_page_class_init (VlRunPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = vl_run_page_get_property;
  object_class->dispose = vl_run_page_dispose;
  object_class->finalize = vl_run_page_finalize;

  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Emitted with the VlBenchReport of a run that went to the end. */
  signals[SIGNAL_FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, VL_TYPE_BENCH_REPORT);
  /* Emitted with each progress of a run: the resolved device id, the case
   * running and a VlPoolStats of the worker's context, valid for the call. */
  signals[SIGNAL_COUNTERS] =
    g_signal_new ("counters", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING,
                  G_TYPE_POINTER);

  g_type_ensure (VL_TYPE_DEVICE_PICKER);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vectorlab/Workbench/vl-run-page.ui");
  gtk_widget_class_bind_template_child (widget_class, VlRunPage, content);
  gtk_widget_class_bind_template_child (widget_class, VlRunPage, suite_dropdown);
  gtk_widget_class_bind_template_child (widget_class, VlRunPage, description_label);
  gtk_widget_class_bind_template_child (widget_class, VlRunPage, params_heading);
  gtk_widget_class_bind_template_child (widget_class, VlRunPage, sweep_hint);
  gtk_widget_class_bind_template_child (widget_class, VlRunPage, params_grid);
  gtk_widget_class_bind_template_child (widget_class, VlRunPage, repetitions_spin);
  gtk_widget_class_bind_template_child (widget_class, VlRunPage, warmups_spin);
  gtk_widget_class_bind_template_child (widget_class, VlRunPage, experimental_switch);
  gtk_widget_class_bind_template_child (widget_class, VlRunPage, device_picker);
  gtk_widget_class_bind_template_child (widget_class, VlRunPage, run_button);
  gtk_widget_class_bind_template_child (widget_class, VlRunPage, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, VlRunPage, case_label);
  gtk_widget_class_bind_template_child (widget_class, VlRunPage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, VlRunPage, log_view);
  gtk_widget_class_bind_template_callback (widget_class, suite_selected);
  gtk_widget_class_bind_template_callback (widget_class, vl_run_page_run);
  gtk_widget_class_bind_template_callback (widget_class, vl_run_page_cancel);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
vl_run_page_init (VlRunPage *self)
{
  self->entries = g_ptr_array_new ();
  gtk_widget_init_template (GTK_WIDGET (self));

  self->runner = vl_bench_runner_new ();
  g_signal_connect (self->runner, "progress", G_CALLBACK (progress), self);
  fill_suites (self);
  suite_selected (self);
}
