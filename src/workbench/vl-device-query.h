/* vl-device-query.h: lists the devices off the main thread, since OpenCL
 * enumeration can take a second or more. */
#pragma once

#include <gio/gio.h>
#include <vectorlab.h>

G_BEGIN_DECLS

void    vl_device_query_async  (GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data);
/* A GArray of VlDeviceInfo, in vl_devices_list() order. */
GArray *vl_device_query_finish (GAsyncResult        *result,
                                GError             **error);

G_END_DECLS
