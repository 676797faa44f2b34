/* vl-cpu.c: the cpu backend: the host's processors through threads,
 * vectorised loops and OpenBLAS.  Its vtable, its device description and
 * helpers its files share. */
#include "vl-cpu.h"
#include "vl-proj-private.h"
#include "vl-neural-private.h"
#include "vl-sq-private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

float *
vl_cpu_alloc_floats (size_t n)
{
  size_t bytes = ((n ? n : 1) * sizeof (float) + 63) & ~(size_t) 63;
  if (n > SIZE_MAX / sizeof (float) - 64)
    return NULL;
  return aligned_alloc (64, bytes);
}

/* Copies the value of the first "@key : value" line of /proc/cpuinfo. */
static bool
read_cpuinfo (const char *key, char *value, size_t size)
{
  FILE *f = fopen ("/proc/cpuinfo", "r");
  char line[512];
  size_t key_len = strlen (key);
  bool found = false;

  if (f == NULL)
    return false;
  while (!found && fgets (line, sizeof line, f) != NULL)
    {
      char *colon = strchr (line, ':');

      if (colon == NULL || strncmp (line, key, key_len) != 0
          || strspn (line + key_len, " \t") != (size_t) (colon - line) - key_len)
        continue;
      colon += strspn (colon + 1, " \t") + 1;
      colon[strcspn (colon, "\n")] = '\0';
      snprintf (value, size, "%s", colon);
      found = true;
    }
  fclose (f);
  return found;
}

static void
describe_driver (char *driver, size_t size)
{
#ifdef VL_HAVE_BLAS
  /* "OpenBLAS 0.3.21 DYNAMIC_ARCH ...": keep the name and version. */
  const char *config = openblas_get_config ();
  int words = 0;
  size_t len = 0;

  while (config[len] != '\0' && !(config[len] == ' ' && ++words == 2))
    len++;
  snprintf (driver, size, "%.*s", (int) len, config);
#else
  snprintf (driver, size, "native loops");
#endif
}

void
vl_cpu_describe (VlDeviceInfo *info)
{
  long cpus = sysconf (_SC_NPROCESSORS_ONLN);
  long pages = sysconf (_SC_PHYS_PAGES);
  long page_size = sysconf (_SC_PAGESIZE);

  memset (info, 0, sizeof *info);
  snprintf (info->id, sizeof info->id, "cpu");
  info->backend = VL_BACKEND_CPU;
  if (!read_cpuinfo ("model name", info->name, sizeof info->name))
    snprintf (info->name, sizeof info->name, "Host CPU");
  if (!read_cpuinfo ("vendor_id", info->vendor, sizeof info->vendor))
    snprintf (info->vendor, sizeof info->vendor, "unknown");
  describe_driver (info->driver, sizeof info->driver);
  info->compute_units = cpus > 0 ? (unsigned) cpus : 1;
  if (pages > 0 && page_size > 0)
    info->global_mem_bytes = (uint64_t) pages * (uint64_t) page_size;
  info->max_work_group_size = 1;
  info->fp64 = true;
}

static VlStatus
cpu_context_init (VlContext *ctx, VlError **error)
{
  return VL_STATUS_OK;
}

static void
cpu_context_finish (VlContext *ctx)
{
}

const VlBackend vl_cpu_backend = {
  .kind = VL_BACKEND_CPU,
  .context_init = cpu_context_init,
  .context_finish = cpu_context_finish,
  .distance_matrix = vl_cpu_distance_matrix,
  .normalize_rows = vl_cpu_normalize_rows,
  .similarity_matrix = vl_cpu_similarity_matrix,
  .pool = vl_cpu_pool,
  .index_build = vl_cpu_index_build,
  .index_free = vl_cpu_index_free,
  .index_search = vl_cpu_index_search,
  .proj = &vl_cpu_proj_ops,
  .sq = &vl_cpu_sq_ops,
  .neural = &vl_cpu_neural_ops,
};
