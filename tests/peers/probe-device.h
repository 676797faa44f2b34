/* probe-device.h: what the standalone device probes (read-probe.c,
 * latency-probe.c) share: opening the first device of a platform and
 * failing loudly.  Header-only, so that each probe still builds from its
 * one file: cc -O2 -o PROBE tests/peers/PROBE.c $(pkg-config --cflags
 * --libs OpenCL). */
#ifndef PROBE_DEVICE_H
#define PROBE_DEVICE_H

#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct
{
  cl_context       context;
  cl_device_id     device;
  cl_command_queue queue;
  cl_uint          compute_units;
  size_t           max_wg;
} Probe;

/* The probe's name in its messages; main sets it. */
static const char *probe_name = "probe";

static void
die (const char *what, cl_int err)
{
  fprintf (stderr, "%s: %s failed (OpenCL error %d)\n", probe_name, what,
           err);
  exit (1);
}

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* The first device of the first platform whose name contains
 * @platform_name, with a context and a profiling in-order queue. */
static void
open_device (const char *platform_name, Probe *p)
{
  cl_platform_id platforms[16];
  cl_uint n_platforms = 0;
  cl_int err;

  if ((err = clGetPlatformIDs (16, platforms, &n_platforms)) != CL_SUCCESS)
    die ("clGetPlatformIDs", err);
  for (cl_uint i = 0; i < n_platforms; i++)
    {
      char name[256] = "";

      clGetPlatformInfo (platforms[i], CL_PLATFORM_NAME, sizeof name - 1,
                         name, NULL);
      if (strstr (name, platform_name) == NULL
          || clGetDeviceIDs (platforms[i], CL_DEVICE_TYPE_ALL, 1, &p->device,
                             NULL) != CL_SUCCESS)
        continue;
      clGetDeviceInfo (p->device, CL_DEVICE_MAX_COMPUTE_UNITS,
                       sizeof p->compute_units, &p->compute_units, NULL);
      clGetDeviceInfo (p->device, CL_DEVICE_MAX_WORK_GROUP_SIZE,
                       sizeof p->max_wg, &p->max_wg, NULL);
      p->context = clCreateContext (NULL, 1, &p->device, NULL, NULL, &err);
      if (err != CL_SUCCESS)
        die ("clCreateContext", err);
      p->queue = clCreateCommandQueue (p->context, p->device,
                                       CL_QUEUE_PROFILING_ENABLE, &err);
      if (err != CL_SUCCESS)
        die ("clCreateCommandQueue", err);
      return;
    }
  fprintf (stderr, "%s: no OpenCL platform named like '%s' with a device\n",
           probe_name, platform_name);
  exit (1);
}

#endif
