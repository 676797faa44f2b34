/* vl-opencl-device.c: discovery of OpenCL devices as "opencl:N", numbered
 * across platforms in platform order. */
#include "vl-opencl-private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool
has_extension (cl_device_id device, const char *name)
{
  size_t size = 0;
  char *exts;
  bool found = false;

  if (clGetDeviceInfo (device, CL_DEVICE_EXTENSIONS, 0, NULL, &size) != CL_SUCCESS
      || (exts = malloc (size + 1)) == NULL)
    return false;
  if (clGetDeviceInfo (device, CL_DEVICE_EXTENSIONS, size, exts, NULL) == CL_SUCCESS)
    {
      size_t len = strlen (name);

      exts[size] = '\0';
      /* Whole words only: cl_khr_fp16 must not match cl_khr_fp16_foo. */
      for (const char *p = strstr (exts, name); p != NULL; p = strstr (p + 1, name))
        if ((p == exts || p[-1] == ' ') && (p[len] == ' ' || p[len] == '\0'))
          {
            found = true;
            break;
          }
    }
  free (exts);
  return found;
}

static void
describe (cl_platform_id platform, cl_device_id device, size_t index,
          VlDeviceInfo *info)
{
  cl_device_type type = 0;
  cl_uint units = 0;
  cl_ulong global_mem = 0, local_mem = 0;
  size_t max_wg = 0;

  memset (info, 0, sizeof *info);
  snprintf (info->id, sizeof info->id, "opencl:%zu", index);
  info->backend = VL_BACKEND_OPENCL;
  clGetDeviceInfo (device, CL_DEVICE_NAME, sizeof info->name - 1, info->name, NULL);
  clGetDeviceInfo (device, CL_DEVICE_VENDOR, sizeof info->vendor - 1, info->vendor, NULL);
  clGetDeviceInfo (device, CL_DRIVER_VERSION, sizeof info->driver - 1, info->driver, NULL);
  clGetPlatformInfo (platform, CL_PLATFORM_NAME, sizeof info->platform - 1,
                     info->platform, NULL);
  clGetDeviceInfo (device, CL_DEVICE_TYPE, sizeof type, &type, NULL);
  clGetDeviceInfo (device, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof units, &units, NULL);
  clGetDeviceInfo (device, CL_DEVICE_GLOBAL_MEM_SIZE, sizeof global_mem, &global_mem, NULL);
  clGetDeviceInfo (device, CL_DEVICE_LOCAL_MEM_SIZE, sizeof local_mem, &local_mem, NULL);
  clGetDeviceInfo (device, CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof max_wg, &max_wg, NULL);
  info->is_gpu = (type & CL_DEVICE_TYPE_GPU) != 0;
  info->compute_units = units;
  info->global_mem_bytes = global_mem;
  info->local_mem_bytes = local_mem;
  info->max_work_group_size = max_wg;
  info->fp64 = has_extension (device, "cl_khr_fp64");
  info->fp16 = has_extension (device, "cl_khr_fp16");
}

/* Calls @func for each device of each platform in order; stops early when
 * it returns false. */
static void
for_each_device (bool (*func) (cl_platform_id, cl_device_id, size_t, void *),
                 void *data)
{
  cl_uint n_platforms = 0;
  cl_platform_id *platforms;
  size_t index = 0;

  /* No ICD or no platform is simply no OpenCL device. */
  if (clGetPlatformIDs (0, NULL, &n_platforms) != CL_SUCCESS || n_platforms == 0)
    return;
  platforms = calloc (n_platforms, sizeof *platforms);
  if (platforms == NULL
      || clGetPlatformIDs (n_platforms, platforms, NULL) != CL_SUCCESS)
    {
      free (platforms);
      return;
    }

  for (cl_uint p = 0; p < n_platforms; p++)
    {
      cl_uint n_devices = 0;
      cl_device_id *devices;
      bool go_on = true;

      if (clGetDeviceIDs (platforms[p], CL_DEVICE_TYPE_ALL, 0, NULL, &n_devices) != CL_SUCCESS
          || n_devices == 0)
        continue;
      devices = calloc (n_devices, sizeof *devices);
      if (devices == NULL)
        break;
      if (clGetDeviceIDs (platforms[p], CL_DEVICE_TYPE_ALL, n_devices, devices, NULL) == CL_SUCCESS)
        for (cl_uint d = 0; d < n_devices && go_on; d++)
          go_on = func (platforms[p], devices[d], index++, data);
      free (devices);
      if (!go_on)
        break;
    }
  free (platforms);
}

typedef struct
{
  VlDeviceInfo **devices;
  size_t        *n;
  VlStatus       status;
} Append;

static bool
append_device (cl_platform_id platform, cl_device_id device, size_t index,
               void *data)
{
  Append *a = data;
  VlDeviceInfo *grown = realloc (*a->devices, (*a->n + 1) * sizeof *grown);

  if (grown == NULL)
    {
      a->status = VL_STATUS_OUT_OF_MEMORY;
      return false;
    }
  *a->devices = grown;
  describe (platform, device, index, &grown[*a->n]);
  (*a->n)++;
  return true;
}

VlStatus
vl_opencl_enumerate (VlDeviceInfo **devices, size_t *n_devices,
                     VlError **error)
{
  Append a = { devices, n_devices, VL_STATUS_OK };

  for_each_device (append_device, &a);
  if (a.status != VL_STATUS_OK)
    return vl_set_error (error, a.status, "out of memory listing OpenCL devices");
  return VL_STATUS_OK;
}

typedef struct
{
  size_t          wanted;
  cl_platform_id  platform;
  cl_device_id    device;
  bool            found;
} Find;

static bool
find_device (cl_platform_id platform, cl_device_id device, size_t index,
             void *data)
{
  Find *f = data;

  if (index != f->wanted)
    return true;
  f->platform = platform;
  f->device = device;
  f->found = true;
  return false;
}

VlStatus
vl_opencl_find_device (const char *id, cl_platform_id *platform,
                       cl_device_id *device, VlError **error)
{
  Find f = { 0 };
  char *end = NULL;
  unsigned long n;

  if (strncmp (id, "opencl:", 7) != 0)
    return vl_set_error (error, VL_STATUS_DEVICE_NOT_FOUND,
                         "'%s' is not an OpenCL device id", id);
  n = strtoul (id + 7, &end, 10);
  if (end == id + 7 || *end != '\0')
    return vl_set_error (error, VL_STATUS_DEVICE_NOT_FOUND,
                         "'%s' is not an OpenCL device id", id);
  f.wanted = n;
  for_each_device (find_device, &f);
  if (!f.found)
    return vl_set_error (error, VL_STATUS_DEVICE_NOT_FOUND,
                         "OpenCL device '%s' is gone", id);
  *platform = f.platform;
  *device = f.device;
  return VL_STATUS_OK;
}
