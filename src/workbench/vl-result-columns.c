/* vl-result-columns.c: cells are labels from a GtkSignalListItemFactory,
 * sorted by a GtkCustomSorter on the same values they show. */
#include "vl-workbench-config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "vl-result-columns.h"

typedef struct
{
  PangoEllipsizeMode ellipsize;
  int                width_chars;
} NameLayout;

/* 1234567 -> "1.23M", as the CLI's tables print rates. */
static char *
format_si (double value)
{
  const char *suffix[] = { "", "k", "M", "G", "T" };
  int i = 0;

  while (fabs (value) >= 1000 && i < 4)
    {
      value /= 1000;
      i++;
    }
  return g_strdup_printf ("%.3g%s", value, suffix[i]);
}

static char *
format_number (const VlResultColumn *column,
               double                value)
{
  if (!isfinite (value))
    return g_strdup ("—");
  if (column->format == NULL)
    return format_si (value);
  return g_strdup_printf (column->format, value);
}

static GtkWidget *
cell_label (GtkListItem *item)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (item, label);
  return label;
}

static void
name_setup (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  user_data)
{
  const NameLayout *layout = user_data;
  GtkLabel *label = GTK_LABEL (cell_label (item));

  gtk_label_set_xalign (label, 0.0);
  gtk_label_set_ellipsize (label, layout->ellipsize);
  gtk_label_set_width_chars (label, layout->width_chars);
}

static void
name_bind (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  user_data)
{
  const char *name = vl_bench_result_get_name (gtk_list_item_get_item (item));

  gtk_label_set_label (GTK_LABEL (gtk_list_item_get_child (item)), name);
  gtk_widget_set_tooltip_text (gtk_list_item_get_child (item), name);
}

static void
number_setup (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  gtk_label_set_xalign (GTK_LABEL (cell_label (item)), 1.0);
}

static void
number_bind (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             gpointer                  user_data)
{
  const VlResultColumn *column = user_data;
  g_autofree char *text = format_number (column, column->value (gtk_list_item_get_item (item)));

  gtk_label_set_label (GTK_LABEL (gtk_list_item_get_child (item)), text);
}

static int
compare_numbers (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  const VlResultColumn *column = user_data;
  double va = column->value ((VlBenchResult *) a);
  double vb = column->value ((VlBenchResult *) b);

  /* Rows without the number go last either way. */
  if (!isfinite (va) || !isfinite (vb))
    return isfinite (va) ? -1 : isfinite (vb) ? 1 : 0;
  return (va > vb) - (va < vb);
}

static int
compare_names (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  return g_strcmp0 (vl_bench_result_get_name ((VlBenchResult *) a),
                    vl_bench_result_get_name ((VlBenchResult *) b));
}

static GtkColumnViewColumn *
append_column (GtkColumnView      *view,
               const char         *title,
               GtkListItemFactory *factory,
               GtkSorter          *sorter,
               gboolean            expand)
{
  g_autoptr(GtkColumnViewColumn) column = gtk_column_view_column_new (title, factory);

  gtk_column_view_column_set_sorter (column, sorter);
  gtk_column_view_column_set_expand (column, expand);
  gtk_column_view_column_set_resizable (column, TRUE);
  gtk_column_view_append_column (view, column);
  g_object_unref (sorter);
  /* The column view holds it from here on. */
  return column;
}

GtkColumnViewColumn *
vl_result_columns_append_name (GtkColumnView      *view,
                               const char         *title,
                               PangoEllipsizeMode  ellipsize,
                               int                 width_chars)
{
  GtkListItemFactory *factory;
  NameLayout *layout;

  g_return_val_if_fail (GTK_IS_COLUMN_VIEW (view), NULL);

  factory = gtk_signal_list_item_factory_new ();
  layout = g_new (NameLayout, 1);
  layout->ellipsize = ellipsize;
  layout->width_chars = width_chars;
  g_signal_connect_data (factory, "setup", G_CALLBACK (name_setup), layout,
                         (GClosureNotify) (void (*) (void)) g_free, 0);
  g_signal_connect (factory, "bind", G_CALLBACK (name_bind), NULL);
  return append_column (view, title, factory,
                        GTK_SORTER (gtk_custom_sorter_new (compare_names, NULL, NULL)), TRUE);
}

GtkColumnViewColumn *
vl_result_columns_append_number (GtkColumnView        *view,
                                 const VlResultColumn *column)
{
  GtkListItemFactory *factory;

  g_return_val_if_fail (GTK_IS_COLUMN_VIEW (view), NULL);
  g_return_val_if_fail (column != NULL && column->value != NULL, NULL);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (number_setup), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (number_bind), (gpointer) column);
  return append_column (view, _(column->title), factory,
                        GTK_SORTER (gtk_custom_sorter_new (compare_numbers, (gpointer) column, NULL)),
                        FALSE);
}
