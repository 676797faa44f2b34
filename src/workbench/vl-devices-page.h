/* vl-devices-page.h: every device's capabilities and the live counters
 * of the device in use. */
#pragma once

#include <gtk/gtk.h>
#include <vectorlab.h>

G_BEGIN_DECLS

#define VL_TYPE_DEVICES_PAGE (vl_devices_page_get_type ())
G_DECLARE_FINAL_TYPE (VlDevicesPage, vl_devices_page, VL, DEVICES_PAGE, GtkWidget)

/* Shows @stats, the buffer pool of @device_id after @what (e.g.
 * "similarity 512 × 64"), in the counters area; call it as often as a run
 * reports progress. */
void     vl_devices_page_set_counters (VlDevicesPage     *self,
                                       const char        *device_id,
                                       const char        *what,
                                       const VlPoolStats *stats);
/* TRUE once the device list has arrived (or failed). */
gboolean vl_devices_page_is_loaded    (VlDevicesPage     *self);

G_END_DECLS
