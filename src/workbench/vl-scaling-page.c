/* vl-scaling-page.c: a GtkColumnView bound to the report's GListModel of
 * VlBenchResult through a GtkSortListModel, and the throughput chart. */
#include "vl-workbench-config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "vl-empty-state.h"
#include "vl-export.h"
#include "vl-log-chart.h"
#include "vl-result-columns.h"
#include "vl-scaling-page.h"

struct _VlScalingPage
{
  GtkWidget          parent_instance;
  GtkStack          *stack;
  GtkLabel          *title_label;
  VlLogChart        *chart;
  GtkColumnView     *column_view;
  GtkSortListModel  *sorted;
  VlBenchReport     *report;
  GPtrArray         *charted;  /* the reports shown, oldest first */
  GtkColumnViewColumn *throughput_column;
  GtkColumnViewColumn *number_views[7];  /* parallel to number_columns */
};

G_DEFINE_FINAL_TYPE (VlScalingPage, vl_scaling_page, GTK_TYPE_WIDGET)

static double
count_value (VlBenchResult *result)
{
  const char *key = vl_bench_result_get_count_key (result);
  const char *value = key != NULL ? vl_bench_result_get_param (result, key) : NULL;

  return value != NULL ? g_ascii_strtod (value, NULL) : NAN;
}

static double
time_value (VlBenchResult *result)
{
  return vl_bench_result_get_real_time (result);
}

static double
p95_value (VlBenchResult *result)
{
  return vl_bench_result_get_stats (result)->p95;
}

static double
throughput_value (VlBenchResult *result)
{
  return vl_bench_result_get_items_per_second (result);
}

static double
per_item_value (VlBenchResult *result)
{
  double items = vl_bench_result_get_items (result);

  return items > 0 ? vl_bench_result_get_real_time (result) * 1000.0 / items : NAN;
}

static double
recall_value (VlBenchResult *result)
{
  return vl_bench_result_get_quality (result)->recall;
}

static double
error_value (VlBenchResult *result)
{
  return vl_bench_result_get_quality (result)->max_abs_err;
}

static const VlResultColumn number_columns[] = {
  { N_("Count"), count_value, "%.0f" },
  { N_("Time (ms)"), time_value, "%.3f" },
  { N_("p95 (ms)"), p95_value, "%.3f" },
  { N_("Throughput (items/s)"), throughput_value, NULL },
  { N_("Per item (µs)"), per_item_value, "%.1f" },
  { N_("Recall"), recall_value, "%.4f" },
  { N_("Max error"), error_value, "%.1e" },
};
G_STATIC_ASSERT (G_N_ELEMENTS (number_columns) == G_N_ELEMENTS (((VlScalingPage *) NULL)->number_views));

static void
build_columns (VlScalingPage *self)
{
  g_autoptr(GtkNoSelection) selection = NULL;

  /* Long benchmark names give way to the numbers, keeping their end,
   * where the swept parameters are; the tooltip has them whole. */
  vl_result_columns_append_name (self->column_view, _("Benchmark"), PANGO_ELLIPSIZE_START, 32);
  for (guint i = 0; i < G_N_ELEMENTS (number_columns); i++)
    {
      self->number_views[i] = vl_result_columns_append_number (self->column_view, &number_columns[i]);
      if (number_columns[i].value == throughput_value)
        self->throughput_column = self->number_views[i];
    }

  self->sorted = gtk_sort_list_model_new (NULL, g_object_ref (gtk_column_view_get_sorter (self->column_view)));
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->sorted)));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (selection));
}

/* "knn/n:100000/d:768/nq:16/k:10" less its "/nq:16": the series a row
 * belongs to. */
static char *
series_name (VlBenchResult *result,
             const char    *device)
{
  const char *key = vl_bench_result_get_count_key (result);
  g_auto(GStrv) parts = g_strsplit (vl_bench_result_get_name (result), "/", -1);
  g_autoptr(GString) name = g_string_new (NULL);
  g_autofree char *prefix = g_strconcat (key != NULL ? key : "", ":", NULL);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (i > 0 && key != NULL && g_str_has_prefix (parts[i], prefix))
        continue;
      if (name->len > 0)
        g_string_append_c (name, '/');
      g_string_append (name, parts[i]);
    }
  if (device != NULL)
    g_string_append_printf (name, " · %s", device);
  return g_string_free (g_steal_pointer (&name), FALSE);
}

static const char *
report_device (VlBenchReport *report)
{
  JsonObject *context = vl_bench_report_get_context (report);
  JsonObject *device;

  if (context == NULL || !json_object_has_member (context, "device"))
    return NULL;
  device = json_object_get_object_member (context, "device");
  if (device == NULL || !json_object_has_member (device, "id"))
    return NULL;
  return json_object_get_string_member (device, "id");
}

/* The chart keeps one series per sweep of every report shown, so runs
 * on several devices, or before and after a change, share the axes; only
 * results that count what the table's report counts, so that they share
 * the unit too. */
static void
fill_chart (VlScalingPage *self)
{
  const char *items_label = NULL;
  g_autofree char *y_label = NULL;
  g_autoptr(VlBenchResult) first = NULL;

  if (self->report != NULL && g_list_model_get_n_items (G_LIST_MODEL (self->report)) > 0)
    {
      first = g_list_model_get_item (G_LIST_MODEL (self->report), 0);
      items_label = vl_bench_result_get_items_label (first);
    }
  vl_log_chart_clear (self->chart);
  for (guint r = 0; r < self->charted->len; r++)
    {
      GListModel *model = g_ptr_array_index (self->charted, r);
      const char *device = report_device (VL_BENCH_REPORT (model));

      for (guint i = 0; i < g_list_model_get_n_items (model); i++)
        {
          g_autoptr(VlBenchResult) result = g_list_model_get_item (model, i);
          g_autofree char *series = series_name (result, device);
          g_autofree char *name = self->charted->len > 1
                                ? g_strdup_printf (_("%s (report %u)"), series, r + 1) : g_steal_pointer (&series);

          if (g_strcmp0 (vl_bench_result_get_items_label (result), items_label) != 0)
            continue;
          vl_log_chart_add_point (self->chart, name, count_value (result),
                                  vl_bench_result_get_items_per_second (result));
        }
    }
  /* Translators: the y axis of the scaling chart, e.g. "vectors/s". */
  y_label = g_strdup_printf (_("%s/s"), items_label != NULL ? items_label : _("items"));
  vl_log_chart_set_labels (self->chart, _("count (the swept parameter)"), y_label);
  if (items_label != NULL)
    {
      /* Translators: a column title, e.g. "Throughput (queries/s)". */
      g_autofree char *title = g_strdup_printf (_("Throughput (%s/s)"), items_label);

      gtk_column_view_column_set_title (self->throughput_column, title);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->chart), vl_log_chart_get_n_series (self->chart) > 0);
}

/* Quality columns only for reports that measured it: a column of dashes
 * would take the room the names need. */
static void
update_column_visibility (VlScalingPage *self)
{
  GListModel *model = G_LIST_MODEL (self->report);

  for (guint c = 0; c < G_N_ELEMENTS (number_columns); c++)
    {
      gboolean any = FALSE;

      for (guint i = 0; i < g_list_model_get_n_items (model) && !any; i++)
        {
          g_autoptr(VlBenchResult) result = g_list_model_get_item (model, i);

          any = isfinite (number_columns[c].value (result));
        }
      gtk_column_view_column_set_visible (self->number_views[c], any);
    }
}

void
vl_scaling_page_set_report (VlScalingPage *self,
                            VlBenchReport *report,
                            const char    *title)
{
  g_return_if_fail (VL_IS_SCALING_PAGE (self));

  g_set_object (&self->report, report);
  gtk_sort_list_model_set_model (self->sorted, report != NULL ? G_LIST_MODEL (report) : NULL);
  gtk_stack_set_visible_child_name (self->stack, report != NULL ? "results" : "empty");
  gtk_label_set_label (self->title_label, title != NULL ? title : "");
  if (report == NULL)
    return;
  update_column_visibility (self);
  g_ptr_array_add (self->charted, g_object_ref (report));
  /* Six series stay readable; older reports leave the chart first. */
  while (self->charted->len > 6)
    g_ptr_array_remove_index (self->charted, 0);
  fill_chart (self);
}

VlBenchReport *
vl_scaling_page_get_report (VlScalingPage *self)
{
  g_return_val_if_fail (VL_IS_SCALING_PAGE (self), NULL);

  return self->report;
}

GListModel *
vl_scaling_page_get_rows (VlScalingPage *self)
{
  g_return_val_if_fail (VL_IS_SCALING_PAGE (self), NULL);

  return G_LIST_MODEL (self->sorted);
}

static char *
table_csv (VlScalingPage *self)
{
  GListModel *rows = G_LIST_MODEL (self->sorted);
  GString *csv = g_string_new ("name");

  for (guint c = 0; c < G_N_ELEMENTS (number_columns); c++)
    g_string_append_printf (csv, ",\"%s\"", number_columns[c].title);
  g_string_append_c (csv, '\n');
  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(VlBenchResult) result = g_list_model_get_item (rows, i);

      g_string_append_printf (csv, "\"%s\"", vl_bench_result_get_name (result));
      for (guint c = 0; c < G_N_ELEMENTS (number_columns); c++)
        {
          double value = number_columns[c].value (result);
          char buffer[G_ASCII_DTOSTR_BUF_SIZE];

          g_string_append_c (csv, ',');
          if (isfinite (value))
            g_string_append (csv, g_ascii_dtostr (buffer, sizeof buffer, value));
        }
      g_string_append_c (csv, '\n');
    }
  return g_string_free (csv, FALSE);
}

gboolean
vl_scaling_page_save (VlScalingPage  *self,
                      GFile          *file,
                      GError        **error)
{
  g_autofree char *path = g_file_get_path (file);
  g_autofree char *csv = NULL;
  g_autoptr(GdkTexture) texture = NULL;

  g_return_val_if_fail (VL_IS_SCALING_PAGE (self), FALSE);

  if (self->report == NULL || path == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("There are no results to export yet"));
      return FALSE;
    }
  if (g_str_has_suffix (path, ".csv"))
    {
      csv = table_csv (self);
      return g_file_set_contents (path, csv, -1, error);
    }
  if (g_str_has_suffix (path, ".png"))
    {
      texture = vl_widget_render_texture (GTK_WIDGET (self->chart));
      if (texture == NULL)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               _("The chart is not on screen, so there is nothing to export"));
          return FALSE;
        }
      return vl_texture_save_png (texture, file, error);
    }
  return vl_bench_report_save (self->report, path, error);
}

static void
export_to (GFile   *file,
           GObject *object)
{
  VlScalingPage *self = VL_SCALING_PAGE (object);
  g_autoptr(GError) error = NULL;

  if (!vl_scaling_page_save (self, file, &error))
    vl_show_error (GTK_WIDGET (self), _("Could not export the results"), error->message);
}

void
vl_scaling_page_export (VlScalingPage *self)
{
  g_return_if_fail (VL_IS_SCALING_PAGE (self));

  if (self->report == NULL)
    return;
  vl_export_choose_file (GTK_WIDGET (self),
                         _("Export the Report (.json), the Table (.csv) or the Chart (.png)"),
                         "report.json", NULL, NULL, export_to, G_OBJECT (self));
}

static void
vl_scaling_page_dispose (GObject *object)
{
  VlScalingPage *self = VL_SCALING_PAGE (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), VL_TYPE_SCALING_PAGE);
  g_clear_object (&self->sorted);
  g_clear_object (&self->report);
  g_clear_pointer (&self->charted, g_ptr_array_unref);

  G_OBJECT_CLASS (vl_scaling_page_parent_class)->dispose (object);
}

static void
vl_scaling_page_class_init (VlScalingPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vl_scaling_page_dispose;

  g_type_ensure (VL_TYPE_EMPTY_STATE);
  g_type_ensure (VL_TYPE_LOG_CHART);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vectorlab/Workbench/vl-scaling-page.ui");
  gtk_widget_class_bind_template_child (widget_class, VlScalingPage, stack);
  gtk_widget_class_bind_template_child (widget_class, VlScalingPage, title_label);
  gtk_widget_class_bind_template_child (widget_class, VlScalingPage, chart);
  gtk_widget_class_bind_template_child (widget_class, VlScalingPage, column_view);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
vl_scaling_page_init (VlScalingPage *self)
{
  self->charted = g_ptr_array_new_with_free_func (g_object_unref);
  gtk_widget_init_template (GTK_WIDGET (self));
  build_columns (self);
}
