/* vl-device-query.c: vl_devices_list() in a GTask worker, because OpenCL
 * enumeration can take a while and the pages ask at start-up.  The core
 * serialises enumeration itself, so queries from several pages may run at
 * once. */
#include "vl-workbench-config.h"

#include <glib/gi18n.h>

#include "vl-device-query.h"

static void
query_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  VlDeviceInfo *devices = NULL;
  VlError *error = NULL;
  GArray *list;
  size_t n = 0;

  if (vl_devices_list (&devices, &n, &error) != VL_STATUS_OK)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                               _("Could not list the devices: %s"), error->message);
      vl_error_free (error);
      return;
    }
  list = g_array_sized_new (FALSE, FALSE, sizeof (VlDeviceInfo), n);
  g_array_append_vals (list, devices, n);
  vl_devices_free (devices);
  g_task_return_pointer (task, list, (GDestroyNotify) g_array_unref);
}

void
vl_device_query_async (GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, vl_device_query_async);
  g_task_set_return_on_cancel (task, TRUE);
  g_task_run_in_thread (task, query_thread);
}

GArray *
vl_device_query_finish (GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == vl_device_query_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
