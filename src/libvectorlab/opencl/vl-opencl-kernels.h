/* vl-opencl-kernels.h: the OpenCL C sources embedded at build time by
 * build-aux/embed-kernels.py from shaders/opencl/ (one entry per .cl file). */
#pragma once

typedef struct
{
  const char *name;   /* the file's basename without .cl, e.g. "topk" */
  const char *source;
} VlOpenclKernelSource;

/* Terminated by an entry whose name is NULL. */
extern const VlOpenclKernelSource vl_opencl_kernel_sources[];
