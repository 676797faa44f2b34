/* vl-device-picker.c: the device list arrives asynchronously, so the id
 * asked for is kept and chosen when it does. */
#include "vl-workbench-config.h"

#include <glib/gi18n.h>
#include <vectorlab.h>

#include "vl-device-picker.h"
#include "vl-device-query.h"

struct _VlDevicePicker
{
  GtkWidget     parent_instance;
  GtkDropDown  *dropdown;
  GPtrArray    *ids;      /* parallel to the drop-down's items */
  char         *device;   /* wanted, kept until the list has it */
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (VlDevicePicker, vl_device_picker, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_DEVICE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
select_wanted (VlDevicePicker *self)
{
  for (guint i = 0; i < self->ids->len; i++)
    if (g_strcmp0 (g_ptr_array_index (self->ids, i), self->device) == 0)
      {
        gtk_drop_down_set_selected (self->dropdown, i);
        return TRUE;
      }
  return FALSE;
}

static void
selected_changed (VlDevicePicker *self)
{
  guint selected = gtk_drop_down_get_selected (self->dropdown);

  if (selected >= self->ids->len
      || g_strcmp0 (self->device, g_ptr_array_index (self->ids, selected)) == 0)
    return;
  g_free (self->device);
  self->device = g_strdup (g_ptr_array_index (self->ids, selected));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEVICE]);
}

static void
devices_ready (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  VlDevicePicker *self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) devices = vl_device_query_finish (result, &error);
  g_autoptr(GtkStringList) names = NULL;
  gboolean found;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = VL_DEVICE_PICKER (user_data);
  names = gtk_string_list_new (NULL);
  g_ptr_array_set_size (self->ids, 0);
  gtk_string_list_append (names, _("Automatic"));
  g_ptr_array_add (self->ids, g_strdup ("auto"));
  for (guint i = 0; devices != NULL && i < devices->len; i++)
    {
      const VlDeviceInfo *info = &g_array_index (devices, VlDeviceInfo, i);
      g_autofree char *label = g_strdup_printf ("%s — %s", info->id, info->name);

      gtk_string_list_append (names, label);
      g_ptr_array_add (self->ids, g_strdup (info->id));
    }
  /* Setting the model selects item 0, which must not overwrite the wish
   * (nor, through a binding, the settings). */
  g_signal_handlers_block_by_func (self->dropdown, selected_changed, self);
  gtk_drop_down_set_model (self->dropdown, G_LIST_MODEL (names));
  found = select_wanted (self);
  g_signal_handlers_unblock_by_func (self->dropdown, selected_changed, self);
  if (found)
    return;
  /* A device saved earlier may be gone (another machine, no driver). */
  g_free (self->device);
  self->device = g_strdup ("auto");
  gtk_drop_down_set_selected (self->dropdown, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEVICE]);
}

static void
label_setup (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             gpointer                  ellipsize)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  /* Device names run long ("pthread-skylake-avx512-Intel(R) Xeon(R)
   * ..."): the button ellipsizes so the controls keep their width, the
   * popup shows them whole. */
  if (GPOINTER_TO_INT (ellipsize))
    {
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_label_set_width_chars (GTK_LABEL (label), 20);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 20);
    }
  gtk_list_item_set_child (item, label);
}

static void
label_bind (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  user_data)
{
  GtkStringObject *string = gtk_list_item_get_item (item);

  gtk_label_set_label (GTK_LABEL (gtk_list_item_get_child (item)),
                       gtk_string_object_get_string (string));
}

static GtkListItemFactory *
label_factory (gboolean ellipsize)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (label_setup), GINT_TO_POINTER (ellipsize));
  g_signal_connect (factory, "bind", G_CALLBACK (label_bind), NULL);
  return factory;
}

const char *
vl_device_picker_get_device (VlDevicePicker *self)
{
  g_return_val_if_fail (VL_IS_DEVICE_PICKER (self), NULL);

  return self->device;
}

void
vl_device_picker_set_device (VlDevicePicker *self,
                             const char     *device)
{
  g_return_if_fail (VL_IS_DEVICE_PICKER (self));

  if (device == NULL || g_strcmp0 (self->device, device) == 0)
    return;
  g_free (self->device);
  self->device = g_strdup (device);
  select_wanted (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEVICE]);
}

static void
vl_device_picker_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_DEVICE:
      g_value_set_string (value, VL_DEVICE_PICKER (object)->device);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vl_device_picker_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  switch (prop_id)
    {
    case PROP_DEVICE:
      vl_device_picker_set_device (VL_DEVICE_PICKER (object), g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vl_device_picker_dispose (GObject *object)
{
  VlDevicePicker *self = VL_DEVICE_PICKER (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->dropdown != NULL)
    {
      gtk_widget_unparent (GTK_WIDGET (self->dropdown));
      self->dropdown = NULL;
    }

  G_OBJECT_CLASS (vl_device_picker_parent_class)->dispose (object);
}

static void
vl_device_picker_finalize (GObject *object)
{
  VlDevicePicker *self = VL_DEVICE_PICKER (object);

  g_ptr_array_unref (self->ids);
  g_free (self->device);

  G_OBJECT_CLASS (vl_device_picker_parent_class)->finalize (object);
}

static void
vl_device_picker_class_init (VlDevicePickerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = vl_device_picker_get_property;
  object_class->set_property = vl_device_picker_set_property;
  object_class->dispose = vl_device_picker_dispose;
  object_class->finalize = vl_device_picker_finalize;

  properties[PROP_DEVICE] =
    g_param_spec_string ("device", NULL, NULL, "auto",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
vl_device_picker_init (VlDevicePicker *self)
{
  g_autoptr(GtkListItemFactory) button_factory = label_factory (TRUE);
  g_autoptr(GtkListItemFactory) list_factory = label_factory (FALSE);

  self->ids = g_ptr_array_new_with_free_func (g_free);
  self->device = g_strdup ("auto");
  self->dropdown = GTK_DROP_DOWN (gtk_drop_down_new (NULL, NULL));
  gtk_drop_down_set_factory (self->dropdown, button_factory);
  gtk_drop_down_set_list_factory (self->dropdown, list_factory);
  gtk_widget_set_parent (GTK_WIDGET (self->dropdown), GTK_WIDGET (self));
  g_signal_connect_swapped (self->dropdown, "notify::selected", G_CALLBACK (selected_changed), self);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->dropdown),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Device"), -1);

  self->cancellable = g_cancellable_new ();
  vl_device_query_async (self->cancellable, devices_ready, self);
}

GtkWidget *
vl_device_picker_new (void)
{
  return g_object_new (VL_TYPE_DEVICE_PICKER, NULL);
}
