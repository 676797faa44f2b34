/* vl-opencl-tuning.c: the tunables of the kernel families that have them
 * (tile sizes, work-group sizes), as "NAME=VALUE" words that become -D
 * options.  Each comes from, in order: the context's override (set by
 * vl_context_set_tuning, e.g. while vectorlab-bench tune searches), the
 * user's tuning cache for this device, the built-in table below. */
#include "vl-opencl-private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct
{
  VlOpenclFamily family;
  const char    *vendor;   /* substring of the platform name; "" for any */
  const char    *tuning;
} TuningRow;

/* The first row that matches wins.  knn_scan: WG rows a tile, TK columns a
 * staged chunk, GROUPS_PER_CU work-groups launched per compute unit (read
 * by the host).  knn_gemm: see knn_gemm.cl. */
static const TuningRow table[] = {
  { VL_OPENCL_KNN_SCAN1, "", "WG=128 TK=16 GROUPS_PER_CU=8" },
  { VL_OPENCL_KNN_SCAN4, "", "WG=128 TK=16 GROUPS_PER_CU=8" },
  { VL_OPENCL_KNN_SCAN16, "", "WG=128 TK=16 GROUPS_PER_CU=4" },
  { VL_OPENCL_KNN_GEMM, "", "GM=128 GN=128 GK=8 WM=8 WN=8" },
};

const char *
vl_opencl_tuning (VlContext *ctx, VlOpenclFamily family)
{
  VlOpenclContext *priv = ctx->priv;

  if (priv->tuning[family] != NULL)
    return priv->tuning[family];
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
    if (table[i].family == family
        && strstr (ctx->device.platform, table[i].vendor) != NULL)
      return table[i].tuning;
  return "";
}

unsigned
vl_opencl_tuning_value (const char *tuning, const char *name,
                        unsigned fallback)
{
  size_t len = strlen (name);

  for (const char *p = tuning; *p != '\0'; p += strcspn (p, " "), p += strspn (p, " "))
    if (strncmp (p, name, len) == 0 && p[len] == '=')
      return (unsigned) strtoul (p + len + 1, NULL, 10);
  return fallback;
}

void
vl_opencl_tuning_defines (const char *tuning, char *buf, size_t size)
{
  size_t used = 0;

  buf[0] = '\0';
  for (const char *p = tuning + strspn (tuning, " "); *p != '\0';
       p += strspn (p, " "))
    {
      size_t len = strcspn (p, " ");
      int n = snprintf (buf + used, size - used, " -D%.*s", (int) len, p);

      if (n < 0 || (size_t) n >= size - used)
        return;
      used += (size_t) n;
      p += len;
    }
}

size_t
vl_opencl_tuning_wg (const char *tuning)
{
  unsigned wg = vl_opencl_tuning_value (tuning, "WG", 0);

  if (wg != 0)
    return wg;
  /* knn_gemm: one item per WM x WN outputs of a GM x GN block. */
  return (size_t) (vl_opencl_tuning_value (tuning, "GM", 64)
                   / vl_opencl_tuning_value (tuning, "WM", 4))
         * (vl_opencl_tuning_value (tuning, "GN", 64)
            / vl_opencl_tuning_value (tuning, "WN", 4));
}
