/* read-probe.c: the hardware limit that the k-NN scans are measured
 * against: the fastest plain read of a database's bytes on an OpenCL
 * device.  It sums n x d floats (and a quarter of those bytes, the size of
 * their SQ8 codes) with a grid-strided kernel over a small set of launch
 * shapes and prints the best median of each, after checking that every
 * launch summed every float, and the best rate for each number of bytes
 * in flight a compute unit (8 to 256 KB).  tests/peers/gpu-run.sh builds
 * and runs it beside the suites, so that a scan's "fraction of the limit"
 * comes from the same machine and run:
 *
 *   cc -O2 -o read-probe tests/peers/read-probe.c $(pkg-config --cflags --libs OpenCL)
 *   ./read-probe [PLATFORM [N [D]]]    (defaults: NVIDIA 1000000 768)
 *
 * Standalone on purpose: it measures the device, not vectorlab.
 */
#include "probe-device.h"

#define REPETITIONS 15
/* Items launched a compute unit, at most: more than an SM holds would only
 * queue. */
#define ITEMS_PER_CU_MAX 2048

/* Each item keeps LOADS float4 loads in flight; the grid strides over the
 * buffer so that a load of a warp is contiguous. */
static const char *source =
  "__kernel __attribute__ ((reqd_work_group_size (WG, 1, 1))) void\n"
  "read_sum (const __global float4 *x, ulong n4, __global float *out)\n"
  "{\n"
  "  const ulong stride = get_global_size (0);\n"
  "  ulong i = get_global_id (0);\n"
  "  float4 acc = 0.0f;\n"
  "\n"
  "  for (; i + (LOADS - 1) * stride < n4; i += LOADS * stride)\n"
  "    {\n"
  "      float4 v[LOADS];\n"
  "\n"
  "      for (uint u = 0; u < LOADS; u++)\n"
  "        v[u] = x[i + u * stride];\n"
  "      for (uint u = 0; u < LOADS; u++)\n"
  "        acc += v[u];\n"
  "    }\n"
  "  for (; i < n4; i += stride)\n"
  "    acc += x[i];\n"
  "  out[get_global_id (0)] = acc.x + acc.y + acc.z + acc.w;\n"
  "}\n";

/* Median device milliseconds of REPETITIONS runs of @kernel. */
static double
time_kernel (Probe *p, cl_kernel kernel, size_t global, size_t local)
{
  double ms[REPETITIONS];

  for (int r = 0; r < REPETITIONS; r++)
    {
      cl_ulong start, end;
      cl_event event;
      cl_int err;

      err = clEnqueueNDRangeKernel (p->queue, kernel, 1, NULL, &global, &local,
                                    0, NULL, &event);
      if (err != CL_SUCCESS)
        die ("clEnqueueNDRangeKernel", err);
      clWaitForEvents (1, &event);
      clGetEventProfilingInfo (event, CL_PROFILING_COMMAND_START,
                               sizeof start, &start, NULL);
      clGetEventProfilingInfo (event, CL_PROFILING_COMMAND_END, sizeof end,
                               &end, NULL);
      clReleaseEvent (event);
      ms[r] = (double) (end - start) * 1e-6;
    }
  qsort (ms, REPETITIONS, sizeof ms[0], compare_doubles);
  return ms[REPETITIONS / 2];
}

/* Whether the last run of a @global-item launch read all @n_floats ones:
 * the items' sums (exact: each is at most a few million) add up to them. */
static void
check_sums (Probe *p, cl_mem out, size_t global, size_t n_floats)
{
  float *sums = malloc (global * sizeof (float));
  double total = 0.0;
  cl_int err;

  if (sums == NULL)
    {
      fprintf (stderr, "%s: out of memory\n", probe_name);
      exit (1);
    }
  if ((err = clEnqueueReadBuffer (p->queue, out, CL_TRUE, 0,
                                  global * sizeof (float), sums, 0, NULL,
                                  NULL)) != CL_SUCCESS)
    die ("clEnqueueReadBuffer", err);
  for (size_t i = 0; i < global; i++)
    total += sums[i];
  free (sums);
  if (total != (double) n_floats)
    {
      fprintf (stderr, "%s: a launch of %zu items summed %.0f of %zu floats: "
               "it did not read them all\n", probe_name, global, total,
               n_floats);
      exit (1);
    }
}

/* Bytes of loads a compute unit has issued at once, from 2^IN_FLIGHT_MIN
 * (256 items, 2 float4s each) to 2^IN_FLIGHT_MAX (2048 items, 8 each). */
#define IN_FLIGHT_MIN 13
#define IN_FLIGHT_MAX 18

static unsigned
log2_of (size_t v)
{
  unsigned l = 0;

  while (v >>= 1)
    l++;
  return l;
}

/* The best median read of the first @bytes of @x over the launch shapes,
 * and the best for each number of bytes in flight a compute unit: a
 * kernel that keeps fewer in flight (its loads ahead of their use, in
 * registers or local memory) can read no faster than that row. */
static void
probe_bytes (Probe *p, cl_mem x, cl_mem out, size_t bytes, const char *what)
{
  static const size_t wgs[] = { 256, 512, 1024 };
  static const int loads[] = { 2, 4, 8 };
  static const size_t groups_per_cu[] = { 1, 2, 4, 8 };
  double best = 0.0, by_flight[IN_FLIGHT_MAX + 1] = { 0 };
  char best_shape[128] = "";

  for (size_t w = 0; w < sizeof wgs / sizeof wgs[0]; w++)
    for (size_t l = 0; l < sizeof loads / sizeof loads[0]; l++)
      {
        char options[64];
        cl_program program;
        cl_kernel kernel;
        cl_ulong n4 = bytes / 16;
        cl_int err;

        if (wgs[w] > p->max_wg)
          continue;
        snprintf (options, sizeof options, "-DWG=%zu -DLOADS=%d", wgs[w],
                  loads[l]);
        program = clCreateProgramWithSource (p->context, 1, &source, NULL,
                                             &err);
        if (err != CL_SUCCESS)
          die ("clCreateProgramWithSource", err);
        if ((err = clBuildProgram (program, 1, &p->device, options, NULL,
                                   NULL)) != CL_SUCCESS)
          die ("clBuildProgram", err);
        kernel = clCreateKernel (program, "read_sum", &err);
        if (err != CL_SUCCESS)
          die ("clCreateKernel", err);
        clSetKernelArg (kernel, 0, sizeof x, &x);
        clSetKernelArg (kernel, 1, sizeof n4, &n4);
        clSetKernelArg (kernel, 2, sizeof out, &out);
        for (size_t g = 0; g < sizeof groups_per_cu / sizeof groups_per_cu[0];
             g++)
          {
            size_t global = p->compute_units * groups_per_cu[g] * wgs[w];
            double ms;

            if (wgs[w] * groups_per_cu[g] > ITEMS_PER_CU_MAX)
              continue;
            unsigned flight = log2_of (wgs[w] * groups_per_cu[g] * loads[l]
                                       * 16);

            ms = time_kernel (p, kernel, global, wgs[w]);
            check_sums (p, out, global, bytes / sizeof (float));
            if (by_flight[flight] == 0.0 || ms < by_flight[flight])
              by_flight[flight] = ms;
            if (best == 0.0 || ms < best)
              {
                best = ms;
                snprintf (best_shape, sizeof best_shape,
                          "WG=%zu LOADS=%d GROUPS_PER_CU=%zu", wgs[w],
                          loads[l], groups_per_cu[g]);
              }
          }
        clReleaseKernel (kernel);
        clReleaseProgram (program);
      }
  printf ("read of %s (%.1f MB): %.4f ms, %.0f GB/s (%s)\n", what,
          (double) bytes * 1e-6, best, (double) bytes / best * 1e-6,
          best_shape);
  printf ("  by bytes in flight a compute unit:");
  for (unsigned f = IN_FLIGHT_MIN; f <= IN_FLIGHT_MAX; f++)
    if (by_flight[f] > 0.0)
      printf ("  %zu KB %.0f GB/s", ((size_t) 1 << f) / 1024,
              (double) bytes / by_flight[f] * 1e-6);
  printf ("\n");
}

int
main (int argc, char **argv)
{
  const char *platform = argc > 1 ? argv[1] : "NVIDIA";
  size_t n = argc > 2 ? strtoul (argv[2], NULL, 10) : 1000000;
  size_t d = argc > 3 ? strtoul (argv[3], NULL, 10) : 768;
  size_t bytes = n * d * sizeof (float);
  char what[64], name[256] = "";
  const float one = 1.0f;
  cl_mem x, out;
  Probe p;
  cl_int err;

  probe_name = "read-probe";
  if (n == 0 || d == 0 || d % 4 != 0)
    {
      fprintf (stderr, "%s: N must be positive, D a positive multiple of "
               "4\n", probe_name);
      return 1;
    }
  open_device (platform, &p);
  clGetDeviceInfo (p.device, CL_DEVICE_NAME, sizeof name - 1, name, NULL);
  printf ("device: %s, %u compute units\n", name, p.compute_units);
  x = clCreateBuffer (p.context, CL_MEM_READ_ONLY, bytes, NULL, &err);
  if (err != CL_SUCCESS)
    die ("clCreateBuffer (the database)", err);
  out = clCreateBuffer (p.context, CL_MEM_WRITE_ONLY,
                        (size_t) p.compute_units * ITEMS_PER_CU_MAX
                        * sizeof (float), NULL, &err);
  if (err != CL_SUCCESS)
    die ("clCreateBuffer (the sums)", err);
  if ((err = clEnqueueFillBuffer (p.queue, x, &one, sizeof one, 0, bytes, 0,
                                  NULL, NULL)) != CL_SUCCESS)
    die ("clEnqueueFillBuffer", err);
  clFinish (p.queue);

  snprintf (what, sizeof what, "%zu x %zu floats", n, d);
  probe_bytes (&p, x, out, bytes, what);
  snprintf (what, sizeof what, "their SQ8 codes' size");
  probe_bytes (&p, x, out, bytes / 4, what);

  clReleaseMemObject (out);
  clReleaseMemObject (x);
  clReleaseCommandQueue (p.queue);
  clReleaseContext (p.context);
  return 0;
}
