/* vl-log-chart.c: decades on both axes, one colour per series, points
 * joined in x order, a legend under the plot. */
#include "vl-workbench-config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "vl-log-chart.h"

#define PAD      12.0
#define AXIS_W   64.0
#define AXIS_H   40.0
#define LEGEND_H 22.0

typedef struct
{
  double x;
  double y;
} Point;

typedef struct
{
  char   *name;
  GArray *points;  /* of Point, sorted by x when drawn */
} Series;

struct _VlLogChart
{
  GtkWidget  parent_instance;
  GPtrArray *series;
  char      *x_label;
  char      *y_label;
};

G_DEFINE_FINAL_TYPE (VlLogChart, vl_log_chart, GTK_TYPE_WIDGET)

static const GdkRGBA series_colors[] = {
  { 0.208, 0.518, 0.894, 1 },  /* blue */
  { 0.878, 0.106, 0.141, 1 },  /* red */
  { 0.200, 0.820, 0.478, 1 },  /* green */
  { 1.000, 0.471, 0.000, 1 },  /* orange */
  { 0.569, 0.255, 0.675, 1 },  /* purple */
  { 0.596, 0.416, 0.267, 1 },  /* brown */
};

static void
series_free (gpointer data)
{
  Series *series = data;

  g_free (series->name);
  g_array_unref (series->points);
  g_free (series);
}

static int
compare_x (gconstpointer a,
           gconstpointer b)
{
  const Point *pa = a, *pb = b;

  return (pa->x > pb->x) - (pa->x < pb->x);
}

static char *
format_tick (double value)
{
  const char *suffix[] = { "", "k", "M", "G", "T" };
  int i = 0;

  if (value < 1)
    return g_strdup_printf ("%g", value);
  while (value >= 1000 && i < 4)
    {
      value /= 1000;
      i++;
    }
  return g_strdup_printf ("%g%s", value, suffix[i]);
}

static void
show_text (cairo_t     *cr,
           PangoLayout *layout,
           const char  *text,
           double       x,
           double       y,
           double       xalign,
           double       yalign)
{
  int w, h;

  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_size (layout, &w, &h);
  cairo_move_to (cr, x - w * xalign, y - h * yalign);
  pango_cairo_show_layout (cr, layout);
}

/* How many rows the legend needs when it wraps at @width. */
static guint
legend_rows (VlLogChart  *self,
             PangoLayout *layout,
             double       left,
             int          width)
{
  double x = left;
  guint rows = 1;

  for (guint s = 0; s < self->series->len; s++)
    {
      Series *series = g_ptr_array_index (self->series, s);
      int w, h;

      pango_layout_set_text (layout, series->name, -1);
      pango_layout_get_pixel_size (layout, &w, &h);
      if (x > left && x + 16 + w > width - PAD)
        {
          x = left;
          rows++;
        }
      x += 16 + w + 18;
    }
  return rows;
}

static void
vl_log_chart_snapshot (GtkWidget   *widget,
                       GtkSnapshot *snapshot)
{
  VlLogChart *self = VL_LOG_CHART (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, NULL);
  double x0 = G_MAXDOUBLE, x1 = 0, y0 = G_MAXDOUBLE, y1 = 0;
  double px, py, pw, ph, legend_x, legend_y;
  guint n_rows;
  GdkRGBA fg, grid;
  cairo_t *cr;

  for (guint s = 0; s < self->series->len; s++)
    {
      Series *series = g_ptr_array_index (self->series, s);

      for (guint i = 0; i < series->points->len; i++)
        {
          Point *p = &g_array_index (series->points, Point, i);

          x0 = MIN (x0, p->x);
          x1 = MAX (x1, p->x);
          y0 = MIN (y0, p->y);
          y1 = MAX (y1, p->y);
        }
    }
  if (x1 <= 0)
    return;
  /* Whole decades around the data. */
  x0 = floor (log10 (x0));
  x1 = MAX (ceil (log10 (x1)), x0 + 1);
  y0 = floor (log10 (y0));
  y1 = MAX (ceil (log10 (y1)), y0 + 1);

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  G_GNUC_END_IGNORE_DEPRECATIONS
  grid = fg;
  grid.alpha = 0.15;

  px = PAD + AXIS_W;
  py = PAD;
  pw = MAX (40.0, width - px - PAD);
  n_rows = legend_rows (self, layout, px, width);
  ph = MAX (40.0, height - py - AXIS_H - n_rows * LEGEND_H - PAD);

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  cairo_set_line_width (cr, 1);
  for (double d = x0; d <= x1; d++)
    {
      double x = px + pw * (d - x0) / (x1 - x0);
      g_autofree char *text = format_tick (pow (10, d));

      gdk_cairo_set_source_rgba (cr, &grid);
      cairo_rectangle (cr, floor (x), py, 1, ph);
      cairo_fill (cr);
      gdk_cairo_set_source_rgba (cr, &fg);
      show_text (cr, layout, text, x, py + ph + 4, 0.5, 0);
    }
  for (double d = y0; d <= y1; d++)
    {
      double y = py + ph - ph * (d - y0) / (y1 - y0);
      g_autofree char *text = format_tick (pow (10, d));

      gdk_cairo_set_source_rgba (cr, &grid);
      cairo_rectangle (cr, px, floor (y), pw, 1);
      cairo_fill (cr);
      gdk_cairo_set_source_rgba (cr, &fg);
      show_text (cr, layout, text, px - 6, y, 1, 0.5);
    }
  gdk_cairo_set_source_rgba (cr, &fg);
  if (self->x_label != NULL)
    show_text (cr, layout, self->x_label, px + pw / 2, py + ph + 22, 0.5, 0);
  if (self->y_label != NULL)
    {
      cairo_save (cr);
      cairo_translate (cr, PAD, py + ph / 2);
      cairo_rotate (cr, -G_PI / 2);
      show_text (cr, layout, self->y_label, 0, 0, 0.5, 0);
      cairo_restore (cr);
    }

  legend_x = px;
  legend_y = py + ph + AXIS_H;
  for (guint s = 0; s < self->series->len; s++)
    {
      Series *series = g_ptr_array_index (self->series, s);
      const GdkRGBA *color = &series_colors[s % G_N_ELEMENTS (series_colors)];
      int w, h;

      g_array_sort (series->points, compare_x);
      gdk_cairo_set_source_rgba (cr, color);
      cairo_set_line_width (cr, 2);
      for (guint i = 0; i < series->points->len; i++)
        {
          Point *p = &g_array_index (series->points, Point, i);
          double x = px + pw * (log10 (p->x) - x0) / (x1 - x0);
          double y = py + ph - ph * (log10 (p->y) - y0) / (y1 - y0);

          if (i == 0)
            cairo_move_to (cr, x, y);
          else
            cairo_line_to (cr, x, y);
        }
      cairo_stroke (cr);
      for (guint i = 0; i < series->points->len; i++)
        {
          Point *p = &g_array_index (series->points, Point, i);
          double x = px + pw * (log10 (p->x) - x0) / (x1 - x0);
          double y = py + ph - ph * (log10 (p->y) - y0) / (y1 - y0);

          cairo_arc (cr, x, y, 3.5, 0, 2 * G_PI);
          cairo_fill (cr);
        }

      pango_layout_set_text (layout, series->name, -1);
      pango_layout_get_pixel_size (layout, &w, &h);
      if (legend_x > px && legend_x + 16 + w > width - PAD)
        {
          legend_x = px;
          legend_y += LEGEND_H;
        }
      cairo_rectangle (cr, legend_x, legend_y + LEGEND_H / 2 - 5, 10, 10);
      cairo_fill (cr);
      gdk_cairo_set_source_rgba (cr, &fg);
      cairo_move_to (cr, legend_x + 16, legend_y + LEGEND_H / 2 - h / 2.0);
      pango_cairo_show_layout (cr, layout);
      legend_x += 16 + w + 18;
    }
  cairo_destroy (cr);
}

static void
vl_log_chart_measure (GtkWidget      *widget,
                      GtkOrientation  orientation,
                      int             for_size,
                      int            *minimum,
                      int            *natural,
                      int            *minimum_baseline,
                      int            *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 320 : 200;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 640 : 280;
}

void
vl_log_chart_set_labels (VlLogChart *self,
                         const char *x_label,
                         const char *y_label)
{
  g_return_if_fail (VL_IS_LOG_CHART (self));

  g_free (self->x_label);
  g_free (self->y_label);
  self->x_label = g_strdup (x_label);
  self->y_label = g_strdup (y_label);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
vl_log_chart_clear (VlLogChart *self)
{
  g_return_if_fail (VL_IS_LOG_CHART (self));

  g_ptr_array_set_size (self->series, 0);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
vl_log_chart_add_point (VlLogChart *self,
                        const char *name,
                        double      x,
                        double      y)
{
  Series *series = NULL;
  Point point = { x, y };

  g_return_if_fail (VL_IS_LOG_CHART (self));

  if (!(isfinite (x) && isfinite (y) && x > 0 && y > 0))
    return;
  for (guint s = 0; s < self->series->len && series == NULL; s++)
    if (g_strcmp0 (((Series *) g_ptr_array_index (self->series, s))->name, name) == 0)
      series = g_ptr_array_index (self->series, s);
  if (series == NULL)
    {
      series = g_new0 (Series, 1);
      series->name = g_strdup (name);
      series->points = g_array_new (FALSE, FALSE, sizeof (Point));
      g_ptr_array_add (self->series, series);
    }
  g_array_append_val (series->points, point);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
vl_log_chart_get_n_series (VlLogChart *self)
{
  g_return_val_if_fail (VL_IS_LOG_CHART (self), 0);

  return self->series->len;
}

static void
vl_log_chart_finalize (GObject *object)
{
  VlLogChart *self = VL_LOG_CHART (object);

  g_ptr_array_unref (self->series);
  g_free (self->x_label);
  g_free (self->y_label);

  G_OBJECT_CLASS (vl_log_chart_parent_class)->finalize (object);
}

static void
vl_log_chart_class_init (VlLogChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = vl_log_chart_finalize;
  widget_class->snapshot = vl_log_chart_snapshot;
  widget_class->measure = vl_log_chart_measure;

  gtk_widget_class_set_css_name (widget_class, "logchart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
vl_log_chart_init (VlLogChart *self)
{
  self->series = g_ptr_array_new_with_free_func (series_free);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Log-log chart"), -1);
}

GtkWidget *
vl_log_chart_new (void)
{
  return g_object_new (VL_TYPE_LOG_CHART, NULL);
}
