/* latency-probe.c: the fixed cost of an op on an OpenCL device, apart
 * from its kernels' time: what a one-query search pays around its scan.
 * It times, on the host, round trips of a kernel that writes 80 bytes (a
 * k = 10 result) with each way of getting those bytes back, with a query
 * upload first or two more launches before it, and the host cost of an
 * enqueue with and without an event, each on a profiling queue (as
 * libvectorlab's while it times phases) and on a plain one.  Every round
 * trip checks that the bytes it got are the ones the kernel wrote in that
 * round.  tests/peers/gpu-run.sh runs it beside the knn suites:
 *
 *   cc -O2 -o latency-probe tests/peers/latency-probe.c $(pkg-config --cflags --libs OpenCL)
 *   ./latency-probe [PLATFORM]    (default: NVIDIA)
 *
 * Standalone on purpose: it measures the device and its driver.
 */
#include "probe-device.h"

#include <time.h>

#define ROUNDS 41
#define RESULT_WORDS 20   /* 80 bytes: k = 10 (id, score) pairs */
#define QUERY_BYTES 3072  /* one query of 768 floats */
#define ENQUEUE_BATCH 64

static const char *source =
  "__kernel void\n"
  "mark (__global uint *out, uint round)\n"
  "{\n"
  "  if (get_global_id (0) < RESULT_WORDS)\n"
  "    out[get_global_id (0)] = round * RESULT_WORDS + get_global_id (0);\n"
  "}\n";

typedef enum
{
  BACK_NONE,         /* clFinish only */
  BACK_BLOCKING,     /* blocking read into pageable memory */
  BACK_PINNED,       /* non-blocking read into mapped host memory, clFinish */
  BACK_MAP,          /* the kernel writes host-allocated memory, mapped */
} Back;

typedef struct
{
  const char *what;
  int         upload;  /* a QUERY_BYTES upload from pageable memory first */
  int         extra;   /* more launches before the result */
  Back        back;
} Trip;

typedef struct
{
  Probe     p;
  /* p.queue (profiling, as libvectorlab's) or one without profiling. */
  cl_command_queue queue, plain_queue;
  cl_kernel kernel;
  cl_mem    device_out, host_out, query, pinned;
  cl_uint  *pinned_words;
} Bench;

static double
now_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec * 1e6 + (double) ts.tv_nsec * 1e-3;
}

static void
launch (Bench *b, cl_mem out, cl_uint round, cl_event *event)
{
  const size_t global = RESULT_WORDS;
  cl_int err;

  clSetKernelArg (b->kernel, 0, sizeof out, &out);
  clSetKernelArg (b->kernel, 1, sizeof round, &round);
  if ((err = clEnqueueNDRangeKernel (b->queue, b->kernel, 1, NULL, &global,
                                     NULL, 0, NULL, event)) != CL_SUCCESS)
    die ("clEnqueueNDRangeKernel", err);
}

static void
check (const cl_uint *words, cl_uint round, const char *what)
{
  for (cl_uint i = 0; i < RESULT_WORDS; i++)
    if (words[i] != round * RESULT_WORDS + i)
      {
        fprintf (stderr, "%s: %s: round %u read %u at word %u, not what the "
                 "kernel wrote\n", probe_name, what, round, words[i], i);
        exit (1);
      }
}

/* One round trip of @t; the microseconds it took. */
static double
round_trip (Bench *b, const Trip *t, cl_uint round)
{
  static char query[QUERY_BYTES];
  cl_uint words[RESULT_WORDS];
  cl_mem out = t->back == BACK_MAP ? b->host_out : b->device_out;
  double t0 = now_us (), elapsed;
  cl_int err;

  if (t->upload
      && (err = clEnqueueWriteBuffer (b->queue, b->query, CL_FALSE, 0,
                                      QUERY_BYTES, query, 0, NULL, NULL))
         != CL_SUCCESS)
    die ("clEnqueueWriteBuffer", err);
  /* The extra launches come first, so that the last one writes. */
  for (int i = 0; i < t->extra; i++)
    launch (b, out, round + 1, NULL);
  launch (b, out, round, NULL);
  switch (t->back)
    {
    case BACK_NONE:
      clFinish (b->queue);
      elapsed = now_us () - t0;
      break;
    case BACK_BLOCKING:
      if ((err = clEnqueueReadBuffer (b->queue, out, CL_TRUE, 0,
                                      sizeof words, words, 0, NULL, NULL))
          != CL_SUCCESS)
        die ("clEnqueueReadBuffer", err);
      elapsed = now_us () - t0;
      check (words, round, t->what);
      break;
    case BACK_PINNED:
      if ((err = clEnqueueReadBuffer (b->queue, out, CL_FALSE, 0,
                                      sizeof words, b->pinned_words, 0, NULL,
                                      NULL)) != CL_SUCCESS)
        die ("clEnqueueReadBuffer", err);
      clFinish (b->queue);
      elapsed = now_us () - t0;
      check (b->pinned_words, round, t->what);
      break;
    case BACK_MAP:
    default:
      {
        cl_uint *mapped = clEnqueueMapBuffer (b->queue, out, CL_TRUE,
                                              CL_MAP_READ, 0, sizeof words, 0,
                                              NULL, NULL, &err);

        if (err != CL_SUCCESS)
          die ("clEnqueueMapBuffer", err);
        elapsed = now_us () - t0;
        check (mapped, round, t->what);
        clEnqueueUnmapMemObject (b->queue, out, mapped, 0, NULL, NULL);
        clFinish (b->queue);
      }
      break;
    }
  if (t->back == BACK_NONE)
    {
      /* Still check that the kernel ran. */
      if ((err = clEnqueueReadBuffer (b->queue, out, CL_TRUE, 0,
                                      sizeof words, words, 0, NULL, NULL))
          != CL_SUCCESS)
        die ("clEnqueueReadBuffer", err);
      check (words, round, t->what);
    }
  return elapsed;
}

/* Host microseconds of one clEnqueueNDRangeKernel, with or without an
 * event, over a batch (the queue drained before and after). */
static double
enqueue_cost (Bench *b, int with_event)
{
  double us[ROUNDS];

  for (int r = 0; r < ROUNDS; r++)
    {
      cl_event events[ENQUEUE_BATCH];
      double t0;

      clFinish (b->queue);
      t0 = now_us ();
      for (int i = 0; i < ENQUEUE_BATCH; i++)
        launch (b, b->device_out, (cl_uint) i, with_event ? &events[i] : NULL);
      us[r] = (now_us () - t0) / ENQUEUE_BATCH;
      clFinish (b->queue);
      for (int i = 0; with_event && i < ENQUEUE_BATCH; i++)
        clReleaseEvent (events[i]);
    }
  qsort (us, ROUNDS, sizeof us[0], compare_doubles);
  return us[ROUNDS / 2];
}

static void
setup (Bench *b, const char *platform)
{
  char options[64];
  cl_program program;
  cl_int err;

  open_device (platform, &b->p);
  b->queue = b->p.queue;
  b->plain_queue = clCreateCommandQueue (b->p.context, b->p.device, 0, &err);
  if (err != CL_SUCCESS)
    die ("clCreateCommandQueue (without profiling)", err);
  program = clCreateProgramWithSource (b->p.context, 1, &source, NULL, &err);
  if (err != CL_SUCCESS)
    die ("clCreateProgramWithSource", err);
  snprintf (options, sizeof options, "-DRESULT_WORDS=%du", RESULT_WORDS);
  if ((err = clBuildProgram (program, 1, &b->p.device, options, NULL, NULL))
      != CL_SUCCESS)
    die ("clBuildProgram", err);
  b->kernel = clCreateKernel (program, "mark", &err);
  if (err != CL_SUCCESS)
    die ("clCreateKernel", err);
  clReleaseProgram (program);
  b->device_out = clCreateBuffer (b->p.context, CL_MEM_READ_WRITE,
                                  RESULT_WORDS * sizeof (cl_uint), NULL, &err);
  if (err != CL_SUCCESS)
    die ("clCreateBuffer (results)", err);
  b->host_out = clCreateBuffer (b->p.context,
                                CL_MEM_READ_WRITE | CL_MEM_ALLOC_HOST_PTR,
                                RESULT_WORDS * sizeof (cl_uint), NULL, &err);
  if (err != CL_SUCCESS)
    die ("clCreateBuffer (host-allocated results)", err);
  b->query = clCreateBuffer (b->p.context, CL_MEM_READ_ONLY, QUERY_BYTES,
                             NULL, &err);
  if (err != CL_SUCCESS)
    die ("clCreateBuffer (query)", err);
  /* Host memory the driver can copy into directly, mapped once. */
  b->pinned = clCreateBuffer (b->p.context, CL_MEM_ALLOC_HOST_PTR,
                              RESULT_WORDS * sizeof (cl_uint), NULL, &err);
  if (err != CL_SUCCESS)
    die ("clCreateBuffer (pinned)", err);
  b->pinned_words = clEnqueueMapBuffer (b->queue, b->pinned, CL_TRUE,
                                        CL_MAP_READ | CL_MAP_WRITE, 0,
                                        RESULT_WORDS * sizeof (cl_uint), 0,
                                        NULL, NULL, &err);
  if (err != CL_SUCCESS)
    die ("clEnqueueMapBuffer (pinned)", err);
}

int
main (int argc, char **argv)
{
  static const Trip trips[] = {
    { "kernel, clFinish", 0, 0, BACK_NONE },
    { "kernel + 2 more, clFinish", 0, 2, BACK_NONE },
    { "3 KB upload, kernel, clFinish", 1, 0, BACK_NONE },
    { "kernel, blocking read (pageable)", 0, 0, BACK_BLOCKING },
    { "kernel, read into pinned, clFinish", 0, 0, BACK_PINNED },
    { "kernel into host-allocated memory, map", 0, 0, BACK_MAP },
    { "3 KB upload, kernel + 2 more, blocking read", 1, 2, BACK_BLOCKING },
  };
  const char *platform = argc > 1 ? argv[1] : "NVIDIA";
  char name[256] = "";
  cl_uint round = 0;
  Bench b;

  probe_name = "latency-probe";
  setup (&b, platform);
  clGetDeviceInfo (b.p.device, CL_DEVICE_NAME, sizeof name - 1, name, NULL);
  printf ("device: %s\n", name);
  printf ("round trips of a kernel writing 80 bytes, host time, median of "
          "%d (us), on a queue\n%-48s %9s %9s\n", ROUNDS, "",
          "profiling", "plain");
  for (size_t i = 0; i < sizeof trips / sizeof trips[0]; i++)
    {
      printf ("  %-46s", trips[i].what);
      for (int plain = 0; plain < 2; plain++)
        {
          double us[ROUNDS];

          b.queue = plain ? b.plain_queue : b.p.queue;
          /* One untimed round first: the driver's first use of a path. */
          round_trip (&b, &trips[i], round);
          round += 4;
          for (int r = 0; r < ROUNDS; r++, round += 4)
            us[r] = round_trip (&b, &trips[i], round);
          qsort (us, ROUNDS, sizeof us[0], compare_doubles);
          printf (" %9.1f", us[ROUNDS / 2]);
        }
      printf ("\n");
    }
  printf ("host cost of clEnqueueNDRangeKernel (us), without an event / with "
          "one:\n");
  for (int plain = 0; plain < 2; plain++)
    {
      b.queue = plain ? b.plain_queue : b.p.queue;
      printf ("  %-46s %9.1f %9.1f\n",
              plain ? "queue without profiling" : "profiling queue",
              enqueue_cost (&b, 0), enqueue_cost (&b, 1));
    }
  b.queue = b.p.queue;

  clEnqueueUnmapMemObject (b.p.queue, b.pinned, b.pinned_words, 0, NULL,
                           NULL);
  clFinish (b.p.queue);
  clReleaseMemObject (b.pinned);
  clReleaseMemObject (b.query);
  clReleaseMemObject (b.host_out);
  clReleaseMemObject (b.device_out);
  clReleaseKernel (b.kernel);
  clFinish (b.plain_queue);
  clReleaseCommandQueue (b.plain_queue);
  clReleaseCommandQueue (b.p.queue);
  clReleaseContext (b.p.context);
  return 0;
}
