/* vl-compression-page.c: the results with a compression ratio, from
 * every report shown, in a sortable table and a log-log chart of mean
 * squared error against bytes per vector. */
#include "vl-workbench-config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "vl-compression-page.h"
#include "vl-empty-state.h"
#include "vl-log-chart.h"
#include "vl-result-columns.h"

struct _VlCompressionPage
{
  GtkWidget         parent_instance;
  GtkStack         *stack;
  VlLogChart       *chart;
  GtkColumnView    *column_view;
  GListStore       *rows;    /* of VlBenchResult */
  GtkSortListModel *sorted;
};

G_DEFINE_FINAL_TYPE (VlCompressionPage, vl_compression_page, GTK_TYPE_WIDGET)

static double
ratio_value (VlBenchResult *result)
{
  return vl_bench_result_get_quality (result)->compression_ratio;
}

/* fp32 input: 4 bytes a dimension, divided by the ratio. */
static double
bytes_value (VlBenchResult *result)
{
  const char *d = vl_bench_result_get_param (result, "d");
  double ratio = ratio_value (result);

  if (d == NULL || !(ratio > 0))
    return NAN;
  return g_ascii_strtod (d, NULL) * 4.0 / ratio;
}

static double
mse_value (VlBenchResult *result)
{
  return vl_bench_result_get_quality (result)->mse;
}

static double
recall_value (VlBenchResult *result)
{
  return vl_bench_result_get_quality (result)->recall;
}

static double
time_value (VlBenchResult *result)
{
  return vl_bench_result_get_real_time (result);
}

static const VlResultColumn number_columns[] = {
  { N_("Bytes per vector"), bytes_value, "%.1f" },
  { N_("Ratio"), ratio_value, "%.1f×" },
  { N_("MSE"), mse_value, "%.3e" },
  { N_("Recall"), recall_value, "%.4f" },
  { N_("Time (ms)"), time_value, "%.3f" },
};

static void
build_columns (VlCompressionPage *self)
{
  g_autoptr(GtkNoSelection) selection = NULL;

  /* Long benchmark names give way to the numbers; the tooltip has them. */
  vl_result_columns_append_name (self->column_view, _("Benchmark"), PANGO_ELLIPSIZE_MIDDLE, 24);
  for (guint i = 0; i < G_N_ELEMENTS (number_columns); i++)
    vl_result_columns_append_number (self->column_view, &number_columns[i]);

  self->rows = g_list_store_new (VL_TYPE_BENCH_RESULT);
  self->sorted = gtk_sort_list_model_new (g_object_ref (G_LIST_MODEL (self->rows)),
                                          g_object_ref (gtk_column_view_get_sorter (self->column_view)));
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->sorted)));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (selection));
}

/* "sq8/n:100000/d:768" less its parameters: the method, one series. */
static char *
method_of (VlBenchResult *result)
{
  const char *name = vl_bench_result_get_name (result);
  const char *slash = strchr (name, '/');

  return slash != NULL ? g_strndup (name, slash - name) : g_strdup (name);
}

void
vl_compression_page_add_report (VlCompressionPage *self,
                                VlBenchReport     *report)
{
  GListModel *results;
  guint added = 0;

  g_return_if_fail (VL_IS_COMPRESSION_PAGE (self));
  g_return_if_fail (VL_IS_BENCH_REPORT (report));

  results = G_LIST_MODEL (report);
  for (guint i = 0; i < g_list_model_get_n_items (results); i++)
    {
      g_autoptr(VlBenchResult) result = g_list_model_get_item (results, i);
      g_autofree char *method = NULL;

      if (!(ratio_value (result) > 0))
        continue;
      g_list_store_append (self->rows, result);
      method = method_of (result);
      vl_log_chart_add_point (self->chart, method, bytes_value (result), mse_value (result));
      added++;
    }
  if (added > 0)
    gtk_stack_set_visible_child_name (self->stack, "results");
}

GListModel *
vl_compression_page_get_rows (VlCompressionPage *self)
{
  g_return_val_if_fail (VL_IS_COMPRESSION_PAGE (self), NULL);

  return G_LIST_MODEL (self->sorted);
}

static void
vl_compression_page_dispose (GObject *object)
{
  VlCompressionPage *self = VL_COMPRESSION_PAGE (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), VL_TYPE_COMPRESSION_PAGE);
  g_clear_object (&self->sorted);
  g_clear_object (&self->rows);

  G_OBJECT_CLASS (vl_compression_page_parent_class)->dispose (object);
}

static void
vl_compression_page_class_init (VlCompressionPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vl_compression_page_dispose;

  g_type_ensure (VL_TYPE_EMPTY_STATE);
  g_type_ensure (VL_TYPE_LOG_CHART);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vectorlab/Workbench/vl-compression-page.ui");
  gtk_widget_class_bind_template_child (widget_class, VlCompressionPage, stack);
  gtk_widget_class_bind_template_child (widget_class, VlCompressionPage, chart);
  gtk_widget_class_bind_template_child (widget_class, VlCompressionPage, column_view);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
vl_compression_page_init (VlCompressionPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  build_columns (self);
  vl_log_chart_set_labels (self->chart, _("bytes per vector"), _("mean squared error"));
}
