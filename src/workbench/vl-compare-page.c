/* vl-compare-page.c: a VlBenchComparison of two chosen reports in a
 * sortable GtkColumnView.  The rows are a GtkStringList of row indices
 * into the comparison, which owns the row data. */
#include "vl-workbench-config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stdlib.h>

#include "vl-compare-page.h"
#include "vl-empty-state.h"

struct _VlComparePage
{
  GtkWidget          parent_instance;
  GtkStack          *stack;
  VlEmptyState      *empty_state;
  GtkDropDown       *old_dropdown;
  GtkDropDown       *new_dropdown;
  GtkSpinButton     *threshold_spin;
  GtkLabel          *summary_label;
  GtkColumnView     *column_view;

  GPtrArray         *reports;   /* of VlBenchReport */
  GtkStringList     *labels;
  GtkStringList     *rows;      /* row indices, as text */
  GtkSortListModel  *sorted;
  VlBenchComparison *comparison;
  gboolean           updating;
};

G_DEFINE_FINAL_TYPE (VlComparePage, vl_compare_page, GTK_TYPE_WIDGET)

typedef enum
{
  COLUMN_NAME,
  COLUMN_OLD,
  COLUMN_NEW,
  COLUMN_RATIO,
  COLUMN_VERDICT,
  N_COLUMNS
} Column;

static const VlBenchComparisonRow *
row_of (VlComparePage *self,
        gpointer       item)
{
  guint i = (guint) strtoul (gtk_string_object_get_string (item), NULL, 10);

  return vl_bench_comparison_get_row (self->comparison, i);
}

static double
row_value (const VlBenchComparisonRow *row,
           Column                      column)
{
  switch (column)
    {
    case COLUMN_OLD: return row->old_ms;
    case COLUMN_NEW: return row->new_ms;
    case COLUMN_RATIO: return row->ratio;
    case COLUMN_VERDICT: return row->regression ? 1 : 0;
    default: return NAN;
    }
}

static char *
row_text (const VlBenchComparisonRow *row,
          Column                      column)
{
  double value = row_value (row, column);

  switch (column)
    {
    case COLUMN_NAME:
      return g_strdup (row->name);
    case COLUMN_VERDICT:
      if (!isfinite (row->ratio))
        return g_strdup (isfinite (row->old_ms) ? _("only in old") : _("only in new"));
      return g_strdup (row->regression ? _("regression") : row->ratio < 1 ? _("faster") : _("ok"));
    case COLUMN_RATIO:
      return isfinite (value) ? g_strdup_printf ("%.3f×", value) : g_strdup ("—");
    default:
      return isfinite (value) ? g_strdup_printf ("%.3f", value) : g_strdup ("—");
    }
}

static void
cell_setup (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  column)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), GPOINTER_TO_INT (column) == COLUMN_NAME ? 0.0 : 1.0);
  gtk_widget_add_css_class (label, "numeric");
  if (GPOINTER_TO_INT (column) == COLUMN_NAME)
    {
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
      gtk_label_set_width_chars (GTK_LABEL (label), 24);
    }
  gtk_list_item_set_child (item, label);
}

static void
cell_bind (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  column)
{
  VlComparePage *self = g_object_get_data (G_OBJECT (factory), "vl-page");
  const VlBenchComparisonRow *row = row_of (self, gtk_list_item_get_item (item));
  GtkWidget *label = gtk_list_item_get_child (item);
  g_autofree char *text = row_text (row, GPOINTER_TO_INT (column));

  gtk_label_set_label (GTK_LABEL (label), text);
  if (GPOINTER_TO_INT (column) == COLUMN_NAME)
    gtk_widget_set_tooltip_text (label, row->name);
  /* The verdict is coloured; the numbers stay readable. */
  if (GPOINTER_TO_INT (column) < COLUMN_RATIO)
    return;
  if (row->regression)
    gtk_widget_add_css_class (label, "error");
  else
    gtk_widget_remove_css_class (label, "error");
  /* Faster by more than the threshold is worth seeing too. */
  if (isfinite (row->ratio) && row->ratio < 1.0 / (1.0 + gtk_spin_button_get_value (self->threshold_spin) / 100.0))
    gtk_widget_add_css_class (label, "success");
  else
    gtk_widget_remove_css_class (label, "success");
}

static int
compare_rows (gconstpointer a,
              gconstpointer b,
              gpointer      user_data)
{
  VlComparePage *self = g_object_get_data (G_OBJECT (user_data), "vl-page");
  Column column = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (user_data), "vl-column"));
  const VlBenchComparisonRow *ra = row_of (self, (gpointer) a);
  const VlBenchComparisonRow *rb = row_of (self, (gpointer) b);
  double va, vb;

  if (column == COLUMN_NAME)
    return g_strcmp0 (ra->name, rb->name);
  va = row_value (ra, column);
  vb = row_value (rb, column);
  if (!isfinite (va) || !isfinite (vb))
    return isfinite (va) ? -1 : isfinite (vb) ? 1 : 0;
  return (va > vb) - (va < vb);
}

static void
build_columns (VlComparePage *self)
{
  static const char *titles[N_COLUMNS] = {
    N_("Benchmark"), N_("Old (ms)"), N_("New (ms)"), N_("Ratio"), N_("Verdict"),
  };
  g_autoptr(GtkNoSelection) selection = NULL;

  for (guint c = 0; c < N_COLUMNS; c++)
    {
      GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
      GtkCustomSorter *sorter;
      g_autoptr(GtkColumnViewColumn) column = NULL;

      g_object_set_data (G_OBJECT (factory), "vl-page", self);
      g_signal_connect (factory, "setup", G_CALLBACK (cell_setup), GINT_TO_POINTER (c));
      g_signal_connect (factory, "bind", G_CALLBACK (cell_bind), GINT_TO_POINTER (c));
      column = gtk_column_view_column_new (_(titles[c]), factory);
      /* The sorter finds the page and its column through its own data. */
      sorter = gtk_custom_sorter_new (compare_rows, NULL, NULL);
      g_object_set_data (G_OBJECT (sorter), "vl-page", self);
      g_object_set_data (G_OBJECT (sorter), "vl-column", GINT_TO_POINTER (c));
      gtk_custom_sorter_set_sort_func (sorter, compare_rows, sorter, NULL);
      gtk_column_view_column_set_sorter (column, GTK_SORTER (sorter));
      g_object_unref (sorter);
      gtk_column_view_column_set_expand (column, c == COLUMN_NAME);
      gtk_column_view_column_set_resizable (column, TRUE);
      gtk_column_view_append_column (self->column_view, column);
    }

  self->rows = gtk_string_list_new (NULL);
  self->sorted = gtk_sort_list_model_new (g_object_ref (G_LIST_MODEL (self->rows)),
                                          g_object_ref (gtk_column_view_get_sorter (self->column_view)));
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->sorted)));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (selection));
}

/* The kernel families whose tunables differ between the reports, one a
 * line: a time that moved may have moved with them. */
static void
append_tuning_changes (GString *text, VlBenchComparison *comparison)
{
  for (guint i = 0; i < vl_bench_comparison_get_n_tuning_changes (comparison); i++)
    {
      const VlBenchTuningChange *change = vl_bench_comparison_get_tuning_change (comparison, i);

      /* Translators: a kernel family's tunables in the old and new report. */
      g_string_append_printf (text, _("\nTunables of %s: %s → %s"), change->family,
                              change->old_tuning ? change->old_tuning : _("none"),
                              change->new_tuning ? change->new_tuning : _("none"));
    }
}

static void
update (VlComparePage *self)
{
  guint old_index = gtk_drop_down_get_selected (self->old_dropdown);
  guint new_index = gtk_drop_down_get_selected (self->new_dropdown);
  g_autoptr(GString) summary = NULL;
  guint n_regressions = 0, n_rows;
  g_autoptr(GPtrArray) indices = NULL;

  if (self->updating || old_index >= self->reports->len || new_index >= self->reports->len)
    return;

  /* The string list must be emptied while the old comparison lives. */
  gtk_string_list_splice (self->rows, 0, g_list_model_get_n_items (G_LIST_MODEL (self->rows)), NULL);
  g_clear_object (&self->comparison);
  self->comparison = vl_bench_comparison_new (g_ptr_array_index (self->reports, old_index),
                                              g_ptr_array_index (self->reports, new_index),
                                              gtk_spin_button_get_value (self->threshold_spin));
  n_rows = vl_bench_comparison_get_n_rows (self->comparison);
  indices = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < n_rows; i++)
    {
      g_ptr_array_add (indices, g_strdup_printf ("%u", i));
      n_regressions += vl_bench_comparison_get_row (self->comparison, i)->regression;
    }
  g_ptr_array_add (indices, NULL);
  gtk_string_list_splice (self->rows, 0, 0, (const char *const *) indices->pdata);

  /* Translators: above the comparison table. */
  summary = g_string_new (NULL);
  g_string_printf (summary, _("%u of %u rows matched by name; %u slower by more than %.0f %%. "
                              "Ratio = new time / old time (median)."),
                   vl_bench_comparison_get_n_matched (self->comparison), n_rows,
                   n_regressions, gtk_spin_button_get_value (self->threshold_spin));
  append_tuning_changes (summary, self->comparison);
  gtk_label_set_label (self->summary_label, summary->str);
}

void
vl_compare_page_add_report (VlComparePage *self,
                            VlBenchReport *report,
                            const char    *label)
{
  guint n;

  g_return_if_fail (VL_IS_COMPARE_PAGE (self));
  g_return_if_fail (VL_IS_BENCH_REPORT (report));

  g_ptr_array_add (self->reports, g_object_ref (report));
  self->updating = TRUE;
  gtk_string_list_append (self->labels, label);
  n = self->reports->len;
  if (n >= 2)
    {
      gtk_drop_down_set_selected (self->old_dropdown, n - 2);
      gtk_drop_down_set_selected (self->new_dropdown, n - 1);
    }
  self->updating = FALSE;

  if (n < 2)
    {
      g_object_set (self->empty_state, "description",
                    _("One report so far: run a suite or open a report once more to compare the two."),
                    NULL);
      return;
    }
  gtk_stack_set_visible_child_name (self->stack, "comparison");
  update (self);
}

guint
vl_compare_page_get_n_reports (VlComparePage *self)
{
  g_return_val_if_fail (VL_IS_COMPARE_PAGE (self), 0);

  return self->reports->len;
}

VlBenchComparison *
vl_compare_page_get_comparison (VlComparePage *self)
{
  g_return_val_if_fail (VL_IS_COMPARE_PAGE (self), NULL);

  return self->comparison;
}

static void
vl_compare_page_dispose (GObject *object)
{
  VlComparePage *self = VL_COMPARE_PAGE (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), VL_TYPE_COMPARE_PAGE);
  g_clear_object (&self->sorted);
  g_clear_object (&self->rows);
  g_clear_object (&self->comparison);

  G_OBJECT_CLASS (vl_compare_page_parent_class)->dispose (object);
}

static void
vl_compare_page_finalize (GObject *object)
{
  VlComparePage *self = VL_COMPARE_PAGE (object);

  g_ptr_array_unref (self->reports);
  g_clear_object (&self->labels);

  G_OBJECT_CLASS (vl_compare_page_parent_class)->finalize (object);
}

static void
vl_compare_page_class_init (VlComparePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vl_compare_page_dispose;
  object_class->finalize = vl_compare_page_finalize;

  g_type_ensure (VL_TYPE_EMPTY_STATE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vectorlab/Workbench/vl-compare-page.ui");
  gtk_widget_class_bind_template_child (widget_class, VlComparePage, stack);
  gtk_widget_class_bind_template_child (widget_class, VlComparePage, empty_state);
  gtk_widget_class_bind_template_child (widget_class, VlComparePage, old_dropdown);
  gtk_widget_class_bind_template_child (widget_class, VlComparePage, new_dropdown);
  gtk_widget_class_bind_template_child (widget_class, VlComparePage, threshold_spin);
  gtk_widget_class_bind_template_child (widget_class, VlComparePage, summary_label);
  gtk_widget_class_bind_template_child (widget_class, VlComparePage, column_view);
  gtk_widget_class_bind_template_callback (widget_class, update);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
vl_compare_page_init (VlComparePage *self)
{
  self->reports = g_ptr_array_new_with_free_func (g_object_unref);
  self->labels = gtk_string_list_new (NULL);
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_drop_down_set_model (self->old_dropdown, G_LIST_MODEL (self->labels));
  gtk_drop_down_set_model (self->new_dropdown, G_LIST_MODEL (self->labels));
  build_columns (self);
}
