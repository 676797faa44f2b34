/* vl-device.c: device discovery and the resolution of device ids. */
#include "vl-private.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

VlStatus
vl_devices_list (VlDeviceInfo **devices, size_t *n_devices, VlError **error)
{
  VlDeviceInfo *list;

  if (devices == NULL || n_devices == NULL)
    return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT,
                         "vl_devices_list: NULL output pointer");

  list = calloc (2, sizeof *list);
  if (list == NULL)
    return vl_set_error (error, VL_STATUS_OUT_OF_MEMORY,
                         "out of memory listing devices");
  vl_ref_describe (&list[0]);
  vl_cpu_describe (&list[1]);
  *devices = list;
  *n_devices = 2;

#ifdef VL_HAVE_OPENCL
  {
    /* PoCL 3.1 crashes when two threads enumerate at once (each worker
     * opens its own context), so enumeration is serialised here, once for
     * every caller. */
    static pthread_mutex_t enumerate_lock = PTHREAD_MUTEX_INITIALIZER;

    /* A broken OpenCL installation must not hide the host backends, so
     * enumeration failures leave the list as it is. */
    pthread_mutex_lock (&enumerate_lock);
    vl_opencl_enumerate (devices, n_devices, NULL);
    pthread_mutex_unlock (&enumerate_lock);
  }
#endif
  return VL_STATUS_OK;
}

void
vl_devices_free (VlDeviceInfo *devices)
{
  free (devices);
}

static VlStatus
resolve_auto (char resolved[32], VlError **error)
{
  VlDeviceInfo *devices;
  size_t n;
  VlStatus status;

  status = vl_devices_list (&devices, &n, error);
  if (status != VL_STATUS_OK)
    return status;
  snprintf (resolved, 32, "cpu");
  for (size_t i = 0; i < n; i++)
    if (devices[i].backend == VL_BACKEND_OPENCL && devices[i].is_gpu)
      {
        snprintf (resolved, 32, "%s", devices[i].id);
        break;
      }
  vl_devices_free (devices);
  return VL_STATUS_OK;
}

VlStatus
vl_device_resolve (const char *device_id, char resolved[32], VlError **error)
{
  const char *env;

  if (resolved == NULL)
    return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT,
                         "vl_device_resolve: NULL output");

  if (device_id == NULL || strcmp (device_id, "auto") == 0)
    {
      env = getenv ("VL_DEVICE");
      if (env == NULL || *env == '\0' || strcmp (env, "auto") == 0)
        return resolve_auto (resolved, error);
      device_id = env;
    }

  if (strcmp (device_id, "opencl") == 0)
    device_id = "opencl:0";
  if (strlen (device_id) >= 32)
    return vl_set_error (error, VL_STATUS_DEVICE_NOT_FOUND,
                         "unknown device '%.40s...'", device_id);
  snprintf (resolved, 32, "%s", device_id);
  return VL_STATUS_OK;
}
