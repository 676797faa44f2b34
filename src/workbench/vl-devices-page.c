/* vl-devices-page.c: the diagnostics dashboard: a card per device and the
 * buffer-pool counters of the device that ran last. */
#include "vl-workbench-config.h"

#include <glib/gi18n.h>

#include "vl-device-card.h"
#include "vl-device-query.h"
#include "vl-devices-page.h"

typedef enum
{
  COUNTER_HITS,
  COUNTER_MISSES,
  COUNTER_KERNELS,
  COUNTER_LIVE,
  COUNTER_PEAK,
  COUNTER_IN_USE,
  N_COUNTERS
} Counter;

struct _VlDevicesPage
{
  GtkWidget     parent_instance;
  GtkWidget    *scroller;
  GtkLabel     *counters_caption;
  GtkGrid      *counters_grid;
  GtkSpinner   *spinner;
  GtkLabel     *error_label;
  GtkFlowBox   *cards;
  GtkLabel     *counter_values[N_COUNTERS];
  GCancellable *cancellable;
  gboolean      loaded;
};

G_DEFINE_FINAL_TYPE (VlDevicesPage, vl_devices_page, GTK_TYPE_WIDGET)

static void
devices_ready (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  VlDevicesPage *self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) devices = vl_device_query_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = VL_DEVICES_PAGE (user_data);
  self->loaded = TRUE;
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), FALSE);
  gtk_spinner_stop (self->spinner);
  if (devices == NULL)
    {
      gtk_label_set_label (self->error_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      return;
    }
  for (guint i = 0; i < devices->len; i++)
    gtk_flow_box_append (self->cards,
                         vl_device_card_new (&g_array_index (devices, VlDeviceInfo, i)));
}

static void
set_counter (VlDevicesPage *self,
             Counter        counter,
             const char    *text)
{
  gtk_label_set_label (self->counter_values[counter], text);
}

static void
set_counter_count (VlDevicesPage *self,
                   Counter        counter,
                   guint64        value)
{
  g_autofree char *text = g_strdup_printf ("%" G_GUINT64_FORMAT, value);

  set_counter (self, counter, text);
}

static void
set_counter_bytes (VlDevicesPage *self,
                   Counter        counter,
                   guint64        value)
{
  g_autofree char *text = g_format_size_full (value, G_FORMAT_SIZE_IEC_UNITS);

  set_counter (self, counter, text);
}

void
vl_devices_page_set_counters (VlDevicesPage     *self,
                              const char        *device_id,
                              const char        *what,
                              const VlPoolStats *stats)
{
  g_autofree char *caption = NULL;

  g_return_if_fail (VL_IS_DEVICES_PAGE (self));
  g_return_if_fail (device_id != NULL && stats != NULL);

  /* The note on host backends explains zeros, and only zeros. */
  if (stats->hits + stats->misses + stats->kernels_run == 0)
    /* Translators: the first %s is a device, the second what ran on it. */
    caption = g_strdup_printf (_("Buffer pool of %s after %s. Host backends have no device "
                                 "memory, so their pool counters stay at zero."),
                               device_id, what);
  else
    /* Translators: the first %s is a device, the second what ran on it. */
    caption = g_strdup_printf (_("Buffer pool of %s after %s."), device_id, what);
  gtk_label_set_label (self->counters_caption, caption);
  set_counter_count (self, COUNTER_HITS, stats->hits);
  set_counter_count (self, COUNTER_MISSES, stats->misses);
  set_counter_count (self, COUNTER_KERNELS, stats->kernels_run);
  set_counter_bytes (self, COUNTER_LIVE, stats->bytes_live);
  set_counter_bytes (self, COUNTER_PEAK, stats->bytes_peak);
  set_counter_bytes (self, COUNTER_IN_USE, stats->bytes_live + stats->bytes_cached);
}

gboolean
vl_devices_page_is_loaded (VlDevicesPage *self)
{
  g_return_val_if_fail (VL_IS_DEVICES_PAGE (self), FALSE);

  return self->loaded;
}

static void
build_counters (VlDevicesPage *self)
{
  const char *captions[N_COUNTERS] = {
    [COUNTER_HITS] = _("Pool hits"),
    [COUNTER_MISSES] = _("Pool misses"),
    [COUNTER_KERNELS] = _("Kernels run"),
    [COUNTER_LIVE] = _("Bytes live"),
    [COUNTER_PEAK] = _("Bytes at peak"),
    [COUNTER_IN_USE] = _("Device memory in use"),
  };

  for (guint i = 0; i < N_COUNTERS; i++)
    {
      GtkWidget *tile = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
      GtkWidget *value = gtk_label_new ("—");
      GtkWidget *caption = gtk_label_new (captions[i]);

      gtk_widget_add_css_class (tile, "vl-card");
      gtk_widget_add_css_class (tile, "counter-tile");
      gtk_widget_add_css_class (value, "title-2");
      gtk_widget_add_css_class (value, "numeric");
      gtk_label_set_xalign (GTK_LABEL (value), 0);
      gtk_label_set_xalign (GTK_LABEL (caption), 0);
      gtk_widget_add_css_class (caption, "dim-label");
      gtk_box_append (GTK_BOX (tile), value);
      gtk_box_append (GTK_BOX (tile), caption);
      gtk_accessible_update_relation (GTK_ACCESSIBLE (value),
                                      GTK_ACCESSIBLE_RELATION_LABELLED_BY, caption, NULL,
                                      -1);
      gtk_grid_attach (self->counters_grid, tile, i % 3, i / 3, 1, 1);
      self->counter_values[i] = GTK_LABEL (value);
    }
}

static void
vl_devices_page_dispose (GObject *object)
{
  VlDevicesPage *self = VL_DEVICES_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), VL_TYPE_DEVICES_PAGE);

  G_OBJECT_CLASS (vl_devices_page_parent_class)->dispose (object);
}

static void
vl_devices_page_class_init (VlDevicesPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vl_devices_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vectorlab/Workbench/vl-devices-page.ui");
  gtk_widget_class_bind_template_child (widget_class, VlDevicesPage, scroller);
  gtk_widget_class_bind_template_child (widget_class, VlDevicesPage, counters_caption);
  gtk_widget_class_bind_template_child (widget_class, VlDevicesPage, counters_grid);
  gtk_widget_class_bind_template_child (widget_class, VlDevicesPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, VlDevicesPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, VlDevicesPage, cards);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
vl_devices_page_init (VlDevicesPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  build_counters (self);

  self->cancellable = g_cancellable_new ();
  vl_device_query_async (self->cancellable, devices_ready, self);
}
