/* vl-device-card.c: the capabilities of one device, as a card of
 * label/value rows. */
#include "vl-workbench-config.h"

#include <glib/gi18n.h>

#include "vl-device-card.h"

struct _VlDeviceCard
{
  GtkWidget  parent_instance;
  GtkWidget *box;
  GtkImage  *icon;
  GtkLabel  *name_label;
  GtkLabel  *id_label;
  GtkGrid   *grid;
  guint      n_rows;
};

G_DEFINE_FINAL_TYPE (VlDeviceCard, vl_device_card, GTK_TYPE_WIDGET)

static void
add_row (VlDeviceCard *self,
         const char   *label,
         const char   *value)
{
  GtkWidget *key = gtk_label_new (label);
  GtkWidget *val = gtk_label_new (value != NULL && *value != '\0' ? value : "—");

  gtk_label_set_xalign (GTK_LABEL (key), 0);
  gtk_widget_add_css_class (key, "dim-label");
  gtk_widget_set_valign (key, GTK_ALIGN_START);
  gtk_label_set_xalign (GTK_LABEL (val), 0);
  gtk_label_set_wrap (GTK_LABEL (val), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (val), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_max_width_chars (GTK_LABEL (val), 22);
  gtk_label_set_selectable (GTK_LABEL (val), TRUE);
  gtk_widget_set_hexpand (val, TRUE);
  gtk_grid_attach (self->grid, key, 0, self->n_rows, 1, 1);
  gtk_grid_attach (self->grid, val, 1, self->n_rows, 1, 1);
  self->n_rows++;
}

static void
add_bytes_row (VlDeviceCard *self,
               const char   *label,
               guint64       bytes)
{
  g_autofree char *text = NULL;

  if (bytes == 0)
    {
      add_row (self, label, NULL);
      return;
    }
  text = g_format_size_full (bytes, G_FORMAT_SIZE_IEC_UNITS);
  add_row (self, label, text);
}

static const char *
yes_no (bool value)
{
  return value ? _("yes") : _("no");
}

static void
vl_device_card_set_info (VlDeviceCard       *self,
                         const VlDeviceInfo *info)
{
  g_autofree char *id_text = NULL;
  g_autofree char *units = NULL;
  g_autofree char *work_group = NULL;
  g_autofree char *accessible = NULL;

  gtk_image_set_from_icon_name (self->icon, info->is_gpu ? "video-display-symbolic"
                                                         : "computer-symbolic");
  gtk_label_set_label (self->name_label, info->name);
  /* Translators: "opencl:0 · opencl backend · GPU" under a device name. */
  id_text = g_strdup_printf (_("%s · %s backend · %s"), info->id,
                             vl_backend_kind_to_string (info->backend),
                             info->is_gpu ? _("GPU") : _("CPU"));
  gtk_label_set_label (self->id_label, id_text);

  add_row (self, _("Vendor"), info->vendor);
  add_row (self, _("Driver"), info->driver);
  if (info->platform[0] != '\0')
    add_row (self, _("Platform"), info->platform);
  units = g_strdup_printf ("%u", info->compute_units);
  add_row (self, _("Compute units"), units);
  add_bytes_row (self, _("Memory"), info->global_mem_bytes);
  add_bytes_row (self, _("Local memory"), info->local_mem_bytes);
  work_group = info->max_work_group_size > 0
             ? g_strdup_printf ("%zu", info->max_work_group_size) : NULL;
  add_row (self, _("Max work-group"), work_group);
  add_row (self, _("FP64"), yes_no (info->fp64));
  add_row (self, _("FP16"), yes_no (info->fp16));

  accessible = g_strdup_printf ("%s, %s", info->name, id_text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
}

static void
vl_device_card_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), VL_TYPE_DEVICE_CARD);

  G_OBJECT_CLASS (vl_device_card_parent_class)->dispose (object);
}

static void
vl_device_card_class_init (VlDeviceCardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vl_device_card_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vectorlab/Workbench/vl-device-card.ui");
  gtk_widget_class_bind_template_child (widget_class, VlDeviceCard, box);
  gtk_widget_class_bind_template_child (widget_class, VlDeviceCard, icon);
  gtk_widget_class_bind_template_child (widget_class, VlDeviceCard, name_label);
  gtk_widget_class_bind_template_child (widget_class, VlDeviceCard, id_label);
  gtk_widget_class_bind_template_child (widget_class, VlDeviceCard, grid);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
vl_device_card_init (VlDeviceCard *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
vl_device_card_new (const VlDeviceInfo *info)
{
  VlDeviceCard *self;

  g_return_val_if_fail (info != NULL, NULL);

  self = g_object_new (VL_TYPE_DEVICE_CARD, NULL);
  vl_device_card_set_info (self, info);
  return GTK_WIDGET (self);
}
