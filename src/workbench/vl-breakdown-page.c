/* vl-breakdown-page.c: the breakdown chart, or an empty state until a
 * timing arrives. */
#include "vl-workbench-config.h"

#include <glib/gi18n.h>

#include "vl-breakdown-chart.h"
#include "vl-breakdown-page.h"
#include "vl-empty-state.h"
#include "vl-export.h"

struct _VlBreakdownPage
{
  GtkWidget         parent_instance;
  GtkStack         *stack;
  VlBreakdownChart *chart;
};

G_DEFINE_FINAL_TYPE (VlBreakdownPage, vl_breakdown_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_EMPTY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
update_stack (VlBreakdownPage *self)
{
  gtk_stack_set_visible_child_name (self->stack, vl_breakdown_page_is_empty (self) ? "empty"
                                                                                   : "chart");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EMPTY]);
}

static void
clear_clicked (VlBreakdownPage *self)
{
  vl_breakdown_chart_clear (self->chart);
  update_stack (self);
}

void
vl_breakdown_page_add (VlBreakdownPage   *self,
                       const char        *label,
                       const VlBreakdown *breakdown)
{
  g_return_if_fail (VL_IS_BREAKDOWN_PAGE (self));

  vl_breakdown_chart_add (self->chart, label, breakdown);
  update_stack (self);
}

gboolean
vl_breakdown_page_is_empty (VlBreakdownPage *self)
{
  g_return_val_if_fail (VL_IS_BREAKDOWN_PAGE (self), TRUE);

  return vl_breakdown_chart_get_n_rows (self->chart) == 0;
}

gboolean
vl_breakdown_page_save_png (VlBreakdownPage  *self,
                            GFile            *file,
                            GError          **error)
{
  g_autoptr(GdkTexture) texture = NULL;

  g_return_val_if_fail (VL_IS_BREAKDOWN_PAGE (self), FALSE);

  texture = vl_widget_render_texture (GTK_WIDGET (self->chart));
  if (texture == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The chart is not on screen, so there is nothing to export"));
      return FALSE;
    }
  return vl_texture_save_png (texture, file, error);
}

static void
export_to (GFile   *file,
           GObject *object)
{
  VlBreakdownPage *self = VL_BREAKDOWN_PAGE (object);
  g_autoptr(GError) error = NULL;

  if (!vl_breakdown_page_save_png (self, file, &error))
    vl_show_error (GTK_WIDGET (self), _("Could not export the chart"), error->message);
}

void
vl_breakdown_page_export (VlBreakdownPage *self)
{
  g_return_if_fail (VL_IS_BREAKDOWN_PAGE (self));

  if (vl_breakdown_page_is_empty (self))
    return;
  vl_export_choose_file (GTK_WIDGET (self), _("Export Chart"), "breakdown.png",
                         _("PNG images"), "image/png", export_to, G_OBJECT (self));
}

static void
vl_breakdown_page_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_EMPTY:
      g_value_set_boolean (value, vl_breakdown_page_is_empty (VL_BREAKDOWN_PAGE (object)));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vl_breakdown_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), VL_TYPE_BREAKDOWN_PAGE);

  G_OBJECT_CLASS (vl_breakdown_page_parent_class)->dispose (object);
}

static void
vl_breakdown_page_class_init (VlBreakdownPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = vl_breakdown_page_get_property;
  object_class->dispose = vl_breakdown_page_dispose;

  properties[PROP_EMPTY] =
    g_param_spec_boolean ("empty", NULL, NULL, TRUE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (VL_TYPE_BREAKDOWN_CHART);
  g_type_ensure (VL_TYPE_EMPTY_STATE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vectorlab/Workbench/vl-breakdown-page.ui");
  gtk_widget_class_bind_template_child (widget_class, VlBreakdownPage, stack);
  gtk_widget_class_bind_template_child (widget_class, VlBreakdownPage, chart);
  gtk_widget_class_bind_template_callback (widget_class, clear_clicked);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
vl_breakdown_page_init (VlBreakdownPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
