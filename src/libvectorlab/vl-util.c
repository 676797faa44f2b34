/* vl-util.c: small shared helpers: clocks, thread counts, host memory,
 * names. */
#include "vl-private.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

double
vl_now_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec * 1e3 + (double) ts.tv_nsec * 1e-6;
}

unsigned
vl_num_threads (void)
{
  /* sysconf reads /sys on every call, which took 35-45 us on a loaded
   * 2-core host: the largest part of a one-query search's host time, as
   * every op's input check asks.  The count is read once. */
  static atomic_long online;
  const char *env = getenv ("VL_NUM_THREADS");
  long n;

  if (env != NULL && (n = strtol (env, NULL, 10)) > 0 && n <= 1024)
    return (unsigned) n;
  n = atomic_load_explicit (&online, memory_order_relaxed);
  if (n == 0)
    {
      n = sysconf (_SC_NPROCESSORS_ONLN);
      n = n > 0 ? n : 1;
      atomic_store_explicit (&online, n, memory_order_relaxed);
    }
  return (unsigned) n;
}

void
vl_host_will_fill (void *data, size_t bytes)
{
#ifdef MADV_HUGEPAGE
  const uintptr_t huge = (uintptr_t) 2 << 20;
  uintptr_t begin = ((uintptr_t) data + huge - 1) & ~(huge - 1);
  uintptr_t end = ((uintptr_t) data + bytes) & ~(huge - 1);

  /* Only whole 2 MiB pages inside the range: nothing outside it changes.
   * A refusal (memory that is not anonymous, no THP) changes nothing. */
  if (end > begin)
    madvise ((void *) begin, end - begin, MADV_HUGEPAGE);
#else
  (void) data;
  (void) bytes;
#endif
}

VlMatrix
vl_matrix_f32 (float *data, size_t rows, size_t cols)
{
  VlMatrix m = { rows, cols, cols, VL_DTYPE_F32, data };
  return m;
}

static const char *metric_names[] = { "l2", "ip", "cosine" };

const char *
vl_metric_to_string (VlMetric metric)
{
  if ((unsigned) metric < sizeof metric_names / sizeof metric_names[0])
    return metric_names[metric];
  return "unknown";
}

bool
vl_metric_from_string (const char *name, VlMetric *metric)
{
  for (unsigned i = 0; name != NULL && i < sizeof metric_names / sizeof metric_names[0]; i++)
    if (strcmp (name, metric_names[i]) == 0)
      {
        *metric = (VlMetric) i;
        return true;
      }
  return false;
}

bool
vl_metric_is_similarity (VlMetric metric)
{
  return metric != VL_METRIC_L2;
}

const char *
vl_backend_kind_to_string (VlBackendKind kind)
{
  switch (kind)
    {
    case VL_BACKEND_REF: return "ref";
    case VL_BACKEND_CPU: return "cpu";
    case VL_BACKEND_OPENCL: return "opencl";
    default: return "unknown";
    }
}

const char *
vl_version (void)
{
  return VL_VERSION;
}
