/* vl-empty-state.c: GTK 4.8 has no status page without libadwaita, so
 * the pages share this one. */
#include "vl-empty-state.h"

struct _VlEmptyState
{
  GtkWidget  parent_instance;
  GtkWidget *box;
  GtkImage  *icon;
  GtkLabel  *title_label;
  GtkLabel  *description_label;
};

G_DEFINE_FINAL_TYPE (VlEmptyState, vl_empty_state, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_ICON_NAME,
  PROP_TITLE,
  PROP_DESCRIPTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
vl_empty_state_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  VlEmptyState *self = VL_EMPTY_STATE (object);

  switch (prop_id)
    {
    case PROP_ICON_NAME:
      g_value_set_string (value, gtk_image_get_icon_name (self->icon));
      break;
    case PROP_TITLE:
      g_value_set_string (value, gtk_label_get_label (self->title_label));
      break;
    case PROP_DESCRIPTION:
      g_value_set_string (value, gtk_label_get_label (self->description_label));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vl_empty_state_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  VlEmptyState *self = VL_EMPTY_STATE (object);

  switch (prop_id)
    {
    case PROP_ICON_NAME:
      gtk_image_set_from_icon_name (self->icon, g_value_get_string (value));
      break;
    case PROP_TITLE:
      gtk_label_set_label (self->title_label, g_value_get_string (value));
      gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      g_value_get_string (value), -1);
      break;
    case PROP_DESCRIPTION:
      gtk_label_set_label (self->description_label, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vl_empty_state_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), VL_TYPE_EMPTY_STATE);

  G_OBJECT_CLASS (vl_empty_state_parent_class)->dispose (object);
}

static void
vl_empty_state_class_init (VlEmptyStateClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = vl_empty_state_get_property;
  object_class->set_property = vl_empty_state_set_property;
  object_class->dispose = vl_empty_state_dispose;

  properties[PROP_ICON_NAME] =
    g_param_spec_string ("icon-name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_DESCRIPTION] =
    g_param_spec_string ("description", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vectorlab/Workbench/vl-empty-state.ui");
  gtk_widget_class_bind_template_child (widget_class, VlEmptyState, box);
  gtk_widget_class_bind_template_child (widget_class, VlEmptyState, icon);
  gtk_widget_class_bind_template_child (widget_class, VlEmptyState, title_label);
  gtk_widget_class_bind_template_child (widget_class, VlEmptyState, description_label);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
vl_empty_state_init (VlEmptyState *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
vl_empty_state_new (const char *icon_name,
                    const char *title,
                    const char *description)
{
  return g_object_new (VL_TYPE_EMPTY_STATE,
                       "icon-name", icon_name,
                       "title", title,
                       "description", description,
                       NULL);
}
