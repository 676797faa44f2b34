/* vl-breakdown-chart.c: drawn with cairo through GtkSnapshot; one row a
 * bar, either all on the same millisecond scale so rows compare at a
 * glance, or each stretched to its own total so that one slow op does not
 * squash the phase proportions of all the others to slivers. */
#include "vl-workbench-config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "vl-breakdown-chart.h"

#define N_PHASES    5
#define LEGEND_H    32.0
#define ROW_H       34.0
#define BAR_H       20.0
#define AXIS_H      28.0
#define PAD         12.0

typedef struct
{
  char   *label;
  double  ms[N_PHASES];
} Row;

struct _VlBreakdownChart
{
  GtkWidget  parent_instance;
  GArray    *rows;  /* of Row */
  gboolean   share;
};

G_DEFINE_FINAL_TYPE (VlBreakdownChart, vl_breakdown_chart, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SHARE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* GNOME palette colours, distinct in light and dark styles alike. */
static const GdkRGBA phase_colors[N_PHASES] = {
  { 0.208, 0.518, 0.894, 1 },  /* blue 3 */
  { 0.200, 0.820, 0.478, 1 },  /* green 3 */
  { 0.965, 0.827, 0.176, 1 },  /* yellow 3 */
  { 1.000, 0.471, 0.000, 1 },  /* orange 3 */
  { 0.569, 0.255, 0.675, 1 },  /* purple 3 */
};

static const char *
phase_name (guint phase)
{
  switch (phase)
    {
    case 0: return _("Host prep");
    case 1: return _("Upload");
    case 2: return _("Kernel");
    case 3: return _("Download");
    default: return _("Extract");
    }
}

static double
row_total (const Row *row)
{
  double total = 0;

  for (guint p = 0; p < N_PHASES; p++)
    total += row->ms[p];
  return total;
}

/* 1, 2 or 5 times a power of ten: a tick step giving about @ticks ticks. */
static double
nice_step (double range,
           int    ticks)
{
  double raw = range / ticks;
  double magnitude = pow (10, floor (log10 (raw)));
  double f = raw / magnitude;

  return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * magnitude;
}

static void
show_text (cairo_t     *cr,
           PangoLayout *layout,
           const char  *text,
           double       x,
           double       y,
           double       xalign)
{
  int w, h;

  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_size (layout, &w, &h);
  cairo_move_to (cr, x - w * xalign, y - h / 2.0);
  pango_cairo_show_layout (cr, layout);
}

static double
label_width (VlBreakdownChart *self,
             PangoLayout      *layout,
             int               width)
{
  int max = 0;

  for (guint r = 0; r < self->rows->len; r++)
    {
      int w, h;

      pango_layout_set_text (layout, g_array_index (self->rows, Row, r).label, -1);
      pango_layout_get_pixel_size (layout, &w, &h);
      max = MAX (max, w);
    }
  /* A wide window lends labels up to 40 % of its width, so most op names
   * fit whole before any ellipsizing. */
  return MIN (max, MAX (320, width * 0.4));
}

static void
draw_legend (cairo_t       *cr,
             PangoLayout   *layout,
             double         x,
             const GdkRGBA *fg)
{
  for (guint p = 0; p < N_PHASES; p++)
    {
      int w, h;

      gdk_cairo_set_source_rgba (cr, &phase_colors[p]);
      cairo_rectangle (cr, x, LEGEND_H / 2 - 6, 12, 12);
      cairo_fill (cr);
      x += 18;
      pango_layout_set_text (layout, phase_name (p), -1);
      pango_layout_get_pixel_size (layout, &w, &h);
      gdk_cairo_set_source_rgba (cr, fg);
      cairo_move_to (cr, x, LEGEND_H / 2 - h / 2.0);
      pango_cairo_show_layout (cr, layout);
      x += w + 18;
    }
}

static void
vl_breakdown_chart_snapshot (GtkWidget   *widget,
                             GtkSnapshot *snapshot)
{
  VlBreakdownChart *self = VL_BREAKDOWN_CHART (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, NULL);
  double max_total = 0, label_w, plot_x, plot_w, step, top;
  GdkRGBA fg, grid;
  cairo_t *cr;

  if (self->rows->len == 0)
    return;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  G_GNUC_END_IGNORE_DEPRECATIONS
  grid = fg;
  grid.alpha = 0.15;

  if (self->share)
    {
      max_total = 100;
      step = 20;
    }
  else
    {
      for (guint r = 0; r < self->rows->len; r++)
        max_total = MAX (max_total, row_total (&g_array_index (self->rows, Row, r)));
      if (max_total <= 0)
        max_total = 1e-3;
      step = nice_step (max_total, 5);
      max_total = ceil (max_total / step) * step;
    }

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  label_w = label_width (self, layout, width);
  plot_x = PAD + label_w + PAD;
  plot_w = MAX (40.0, width - plot_x - PAD - 70);
  top = LEGEND_H + PAD;

  draw_legend (cr, layout, plot_x, &fg);

  /* Grid and axis labels. */
  for (double t = 0; t <= max_total + step / 2; t += step)
    {
      double x = plot_x + plot_w * t / max_total;
      /* TRANSLATORS: an axis tick of the chart showing each bar as 100 %. */
      g_autofree char *text = self->share ? g_strdup_printf (_("%g %%"), t)
                                          : g_strdup_printf (_("%g ms"), t);

      gdk_cairo_set_source_rgba (cr, &grid);
      cairo_rectangle (cr, floor (x), top, 1, self->rows->len * ROW_H);
      cairo_fill (cr);
      gdk_cairo_set_source_rgba (cr, &fg);
      show_text (cr, layout, text, x, top + self->rows->len * ROW_H + AXIS_H / 2, 0.5);
    }

  for (guint r = 0; r < self->rows->len; r++)
    {
      const Row *row = &g_array_index (self->rows, Row, r);
      double y = top + r * ROW_H + (ROW_H - BAR_H) / 2;
      double x = plot_x;
      double sum = row_total (row);
      /* Shares are of the row's own total; an all-zero row draws no bar. */
      double scale = self->share ? (sum > 0 ? 100 / sum : 0) : 1;
      g_autofree char *total = g_strdup_printf (_("%.2f ms"), sum);

      gdk_cairo_set_source_rgba (cr, &fg);
      pango_layout_set_width (layout, label_w * PANGO_SCALE);
      /* The op name leads and the device trails, so cut the middle. */
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_MIDDLE);
      pango_layout_set_alignment (layout, PANGO_ALIGN_RIGHT);
      show_text (cr, layout, row->label, PAD, y + BAR_H / 2, 0);
      pango_layout_set_width (layout, -1);
      pango_layout_set_alignment (layout, PANGO_ALIGN_LEFT);

      for (guint p = 0; p < N_PHASES; p++)
        {
          double w = plot_w * row->ms[p] * scale / max_total;

          gdk_cairo_set_source_rgba (cr, &phase_colors[p]);
          cairo_rectangle (cr, x, y, w, BAR_H);
          cairo_fill (cr);
          x += w;
        }
      if (self->share)
        x = plot_x + plot_w;
      gdk_cairo_set_source_rgba (cr, &fg);
      show_text (cr, layout, total, x + 6, y + BAR_H / 2, 0);
    }
  cairo_destroy (cr);
}

static void
vl_breakdown_chart_measure (GtkWidget      *widget,
                            GtkOrientation  orientation,
                            int             for_size,
                            int            *minimum,
                            int            *natural,
                            int            *minimum_baseline,
                            int            *natural_baseline)
{
  VlBreakdownChart *self = VL_BREAKDOWN_CHART (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 480;
      *natural = 720;
      return;
    }
  *minimum = *natural = LEGEND_H + PAD + self->rows->len * ROW_H + AXIS_H + PAD;
}

static gboolean
query_tooltip (GtkWidget  *widget,
               int         x,
               int         y,
               gboolean    keyboard,
               GtkTooltip *tooltip,
               gpointer    user_data)
{
  VlBreakdownChart *self = VL_BREAKDOWN_CHART (widget);
  g_autoptr(GString) text = NULL;
  g_autofree char *title = NULL;
  const Row *row;
  double total;
  int r = (int) floor ((y - LEGEND_H - PAD) / ROW_H);

  if (y < LEGEND_H + PAD || r < 0 || (guint) r >= self->rows->len)
    return FALSE;
  row = &g_array_index (self->rows, Row, r);
  /* Labels come from reports on disk and may hold markup characters. */
  title = g_markup_printf_escaped ("<b>%s</b>", row->label);
  text = g_string_new (title);
  total = row_total (row);
  for (guint p = 0; p < N_PHASES; p++)
    g_string_append_printf (text, "\n%s: %.3f ms (%.1f %%)", phase_name (p), row->ms[p],
                            total > 0 ? 100 * row->ms[p] / total : 0.0);
  gtk_tooltip_set_markup (tooltip, text->str);
  return TRUE;
}

static void
row_clear (gpointer data)
{
  g_free (((Row *) data)->label);
}

static void
update_accessible (VlBreakdownChart *self)
{
  g_autofree char *description = NULL;

  description = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u op", "%u ops",
                                              self->rows->len), self->rows->len);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description, -1);
}

void
vl_breakdown_chart_add (VlBreakdownChart  *self,
                        const char        *label,
                        const VlBreakdown *breakdown)
{
  Row row;

  g_return_if_fail (VL_IS_BREAKDOWN_CHART (self));
  g_return_if_fail (label != NULL && breakdown != NULL);

  row.label = g_strdup (label);
  row.ms[0] = breakdown->host_prep_ms;
  row.ms[1] = breakdown->upload_ms;
  row.ms[2] = breakdown->kernel_ms;
  row.ms[3] = breakdown->download_ms;
  row.ms[4] = breakdown->host_extract_ms;
  /* A report read back writes a phase it did not measure as null. */
  for (guint p = 0; p < N_PHASES; p++)
    if (!isfinite (row.ms[p]) || row.ms[p] < 0)
      row.ms[p] = 0;
  g_array_append_val (self->rows, row);
  update_accessible (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

void
vl_breakdown_chart_clear (VlBreakdownChart *self)
{
  g_return_if_fail (VL_IS_BREAKDOWN_CHART (self));

  g_array_set_size (self->rows, 0);
  update_accessible (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

void
vl_breakdown_chart_set_share (VlBreakdownChart *self,
                              gboolean          share)
{
  g_return_if_fail (VL_IS_BREAKDOWN_CHART (self));

  share = !!share;
  if (self->share == share)
    return;
  self->share = share;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHARE]);
}

gboolean
vl_breakdown_chart_get_share (VlBreakdownChart *self)
{
  g_return_val_if_fail (VL_IS_BREAKDOWN_CHART (self), FALSE);

  return self->share;
}

guint
vl_breakdown_chart_get_n_rows (VlBreakdownChart *self)
{
  g_return_val_if_fail (VL_IS_BREAKDOWN_CHART (self), 0);

  return self->rows->len;
}

static void
vl_breakdown_chart_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_SHARE:
      g_value_set_boolean (value, VL_BREAKDOWN_CHART (object)->share);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vl_breakdown_chart_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  switch (prop_id)
    {
    case PROP_SHARE:
      vl_breakdown_chart_set_share (VL_BREAKDOWN_CHART (object), g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vl_breakdown_chart_finalize (GObject *object)
{
  g_array_unref (VL_BREAKDOWN_CHART (object)->rows);

  G_OBJECT_CLASS (vl_breakdown_chart_parent_class)->finalize (object);
}

static void
vl_breakdown_chart_class_init (VlBreakdownChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = vl_breakdown_chart_get_property;
  object_class->set_property = vl_breakdown_chart_set_property;
  object_class->finalize = vl_breakdown_chart_finalize;
  widget_class->snapshot = vl_breakdown_chart_snapshot;
  widget_class->measure = vl_breakdown_chart_measure;

  /* TRUE: each bar is 100 % of its own total; FALSE: all share one ms axis. */
  properties[PROP_SHARE] =
    g_param_spec_boolean ("share", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "breakdownchart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
vl_breakdown_chart_init (VlBreakdownChart *self)
{
  self->share = TRUE;
  self->rows = g_array_new (FALSE, FALSE, sizeof (Row));
  g_array_set_clear_func (self->rows, row_clear);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (query_tooltip), NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Time breakdown per op"), -1);
}

GtkWidget *
vl_breakdown_chart_new (void)
{
  return g_object_new (VL_TYPE_BREAKDOWN_CHART, NULL);
}
