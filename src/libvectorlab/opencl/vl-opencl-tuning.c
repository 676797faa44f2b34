/* vl-opencl-tuning.c: the tunables of the kernel families that have them
 * (tile sizes, work-group sizes), as "NAME=VALUE" words that become -D
 * options.  A family's effective words are its built-in row below with,
 * word by word, the context's override (vl_context_set_tuning, e.g. while
 * vectorlab-bench tune searches) or else the user's tuning cache for this
 * device laid over it. */
#include "vl-opencl-private.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct
{
  VlOpenclFamily family;
  const char    *vendor;        /* substring of the platform name; "" for any */
  bool           tensor_cores;  /* the row needs them (MMA=1) */
  const char    *tuning;
} TuningRow;

/* The first row that matches wins, and names every tunable of the family.
 * knn_scan: WG items a group, RPI rows an item, TK columns a staged chunk,
 * GROUPS_PER_CU work-groups launched per compute unit (read by the host).
 * knn_gemm: see knn_gemm.cl; MMA=1 runs inner products on tensor cores
 * (knn_mma.cl), MMA=0 on the fp32 units.
 * knn_scan_mma: WG items a group, NR row tiles a warp, CW chunks a step,
 * STAGES steps a warp's ring (knn_scan_mma.cl), GROUPS_PER_CU; tensor
 * cores only, so no row elsewhere.
 * team_scan4: WG items a group, RPT rows a team, GROUPS_PER_CU
 * (team_scan.cl over floats, 4 queries).
 * sq8_scan1, sq8_scan4: WG items a group, GROUPS_PER_CU (team_scan.cl over
 * SQ8 codes, 1 or 4 queries), PRMT=1 to decode codes with PTX's byte
 * permute, NVIDIA only, VEC cells (of 4 codes) a load. */
static const TuningRow table[] = {
  /* Measured by vectorlab-bench tune on an H200 (driver 580.159); then
   * knn_scan1 on an H100: 6 groups a compute unit, as many as its local
   * memory holds at once (35.6 KB each), so that all run in one wave:
   * 1.061 ms against 1.101 with 8 and 1.228 with 7 (1M x 768). */
  { VL_OPENCL_KNN_SCAN1, "NVIDIA", false, "WG=128 RPI=1 TK=64 GROUPS_PER_CU=6" },
  { VL_OPENCL_KNN_SCAN4, "NVIDIA", false, "WG=128 RPI=1 TK=32 GROUPS_PER_CU=8" },
  { VL_OPENCL_KNN_SCAN16, "NVIDIA", false, "WG=64 RPI=2 TK=16 GROUPS_PER_CU=4" },
  { VL_OPENCL_KNN_GEMM, "NVIDIA", true, "GM=128 GN=128 GK=8 WM=8 WN=8 MMA=1" },
  /* STAGES=4 from tune on an H100 (driver 580): 1.19 against 1.27 ms a
   * search of 16 queries over 1M x 768 for the register form before it. */
  { VL_OPENCL_KNN_SCAN_MMA, "NVIDIA", true, "WG=64 NR=2 CW=2 GROUPS_PER_CU=8 STAGES=4" },
  { VL_OPENCL_TEAM_SCAN4, "NVIDIA", false, "WG=128 RPT=4 GROUPS_PER_CU=6" },
  /* VEC=2 from tune on an H100 (driver 580): 0.33 against 0.38 ms a
   * search of 1M x 768 codes, the scan kernel 0.27 against 0.30. */
  { VL_OPENCL_SQ8_TEAM1, "NVIDIA", false, "WG=128 GROUPS_PER_CU=3 PRMT=1 VEC=2" },
  { VL_OPENCL_SQ8_TEAM4, "NVIDIA", false, "WG=128 GROUPS_PER_CU=4 PRMT=1 VEC=1" },
  { VL_OPENCL_KNN_SCAN1, "", false, "WG=128 RPI=1 TK=16 GROUPS_PER_CU=8" },
  { VL_OPENCL_KNN_SCAN4, "", false, "WG=128 RPI=1 TK=16 GROUPS_PER_CU=8" },
  { VL_OPENCL_KNN_SCAN16, "", false, "WG=64 RPI=4 TK=16 GROUPS_PER_CU=4" },
  { VL_OPENCL_KNN_GEMM, "", false, "GM=128 GN=128 GK=8 WM=8 WN=8 MMA=0" },
  { VL_OPENCL_TEAM_SCAN4, "", false, "WG=128 RPT=4 GROUPS_PER_CU=4" },
  { VL_OPENCL_SQ8_TEAM1, "", false, "WG=128 GROUPS_PER_CU=8 PRMT=0 VEC=1" },
  { VL_OPENCL_SQ8_TEAM4, "", false, "WG=128 GROUPS_PER_CU=8 PRMT=0 VEC=1" },
};

static const char *const family_names[] = {
  "knn_scan1", "knn_scan4", "knn_scan16", "knn_gemm", "knn_scan_mma",
  "team_scan4", "sq8_scan1", "sq8_scan4",
};

static const VlOpenclFamily tuned[] = {
  VL_OPENCL_KNN_SCAN1, VL_OPENCL_KNN_SCAN4, VL_OPENCL_KNN_SCAN16,
  VL_OPENCL_KNN_GEMM, VL_OPENCL_KNN_SCAN_MMA, VL_OPENCL_TEAM_SCAN4,
  VL_OPENCL_SQ8_TEAM1, VL_OPENCL_SQ8_TEAM4,
};

#define N_TUNED (sizeof tuned / sizeof tuned[0])
#define TUNING_MAX 256

static const char *
builtin (VlContext *ctx, VlOpenclFamily family)
{
  VlOpenclContext *priv = ctx->priv;

  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
    if (table[i].family == family
        && strstr (ctx->device.platform, table[i].vendor) != NULL
        && (!table[i].tensor_cores || priv->tensor_cores))
      return table[i].tuning;
  return "";
}

const char *const *
vl_opencl_tuning_families (VlContext *ctx)
{
  VlOpenclContext *priv = ctx->priv;
  size_t n = 0;

  /* A family without a row for this device does not run on it. */
  for (size_t i = 0; i < N_TUNED; i++)
    if (builtin (ctx, tuned[i])[0] != '\0')
      priv->tuning_family_names[n++] = family_names[i];
  priv->tuning_family_names[n] = NULL;
  return priv->tuning_family_names;
}

static int
family_index_of (VlOpenclFamily family)
{
  for (size_t i = 0; i < N_TUNED; i++)
    if (tuned[i] == family)
      return (int) i;
  return 0;
}

static int
family_index (const char *name)
{
  for (size_t i = 0; i < N_TUNED; i++)
    if (strcmp (family_names[i], name) == 0)
      return (int) i;
  return -1;
}

/* The family whose tunables @family uses. */
static VlOpenclFamily
tuned_as (VlOpenclFamily family)
{
  switch (family)
    {
    case VL_OPENCL_SQ8_SCAN1: return VL_OPENCL_KNN_SCAN1;
    case VL_OPENCL_SQ8_SCAN4: return VL_OPENCL_KNN_SCAN4;
    case VL_OPENCL_SQ8_SCAN16: return VL_OPENCL_KNN_SCAN16;
    case VL_OPENCL_SQ8_SCAN_MMA: return VL_OPENCL_KNN_SCAN_MMA;
    default: return family;
    }
}

const char *
vl_opencl_tuning (VlContext *ctx, VlOpenclFamily family)
{
  VlOpenclContext *priv = ctx->priv;

  family = tuned_as (family);
  if (!priv->tuning_cache_read)
    vl_opencl_tuning_read_cache (ctx);
  if (priv->tuning[family] != NULL)
    return priv->tuning[family];
  if (priv->tuning_cached[family] != NULL)
    return priv->tuning_cached[family];
  return builtin (ctx, family);
}

/* The value of @name's word in @tuning, or NULL. */
static const char *
find_value (const char *tuning, const char *name)
{
  size_t len = strlen (name);

  for (const char *p = tuning + strspn (tuning, " "); *p != '\0';
       p += strcspn (p, " "), p += strspn (p, " "))
    if (strncmp (p, name, len) == 0 && p[len] == '=')
      return p + len + 1;
  return NULL;
}

unsigned
vl_opencl_tuning_value (const char *tuning, const char *name,
                        unsigned fallback)
{
  const char *value = find_value (tuning, name);

  return value != NULL ? (unsigned) strtoul (value, NULL, 10) : fallback;
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
  unsigned wm, wn;

  if (find_value (tuning, "WG") != NULL)
    return vl_opencl_tuning_value (tuning, "WG", 0);
  /* knn_gemm: one item per WM x WN outputs of a GM x GN block (0 for
   * zero WM or WN, which check_limits refuses). */
  wm = vl_opencl_tuning_value (tuning, "WM", 4);
  wn = vl_opencl_tuning_value (tuning, "WN", 4);
  if (wm == 0 || wn == 0)
    return 0;
  return (size_t) (vl_opencl_tuning_value (tuning, "GM", 64) / wm)
         * (vl_opencl_tuning_value (tuning, "GN", 64) / wn);
}

/* ---- checking ----------------------------------------------------------- */

static bool
is_pow2 (unsigned x)
{
  return x != 0 && (x & (x - 1)) == 0;
}

/* Whether the kernels of @family can be built and run with @tuning (a
 * merged, well-formed list) on this device; the reason in @error if not. */
static VlStatus
check_limits (VlContext *ctx, VlOpenclFamily family, const char *tuning,
              VlError **error)
{
  uint64_t local_max = ctx->device.local_mem_bytes;
  size_t wg = vl_opencl_tuning_wg (tuning);
  size_t local;
  const char *why = NULL;

  if (family == VL_OPENCL_KNN_GEMM)
    {
      VlOpenclContext *priv = ctx->priv;
      unsigned gm = vl_opencl_tuning_value (tuning, "GM", 0);
      unsigned gn = vl_opencl_tuning_value (tuning, "GN", 0);
      unsigned gk = vl_opencl_tuning_value (tuning, "GK", 0);
      unsigned wm = vl_opencl_tuning_value (tuning, "WM", 0);
      unsigned wn = vl_opencl_tuning_value (tuning, "WN", 0);
      unsigned mma = vl_opencl_tuning_value (tuning, "MMA", 0);

      if (wm == 0 || wn == 0 || gk == 0 || gm == 0 || gn == 0
          || wm % 4 != 0 || wn % 4 != 0 || wm > 16 || wn > 16 || gk % 4 != 0
          || gk > 64 || gm % wm != 0 || gn % wn != 0)
        why = "WM, WN must be 4, 8, 12 or 16 and divide GM, GN; GK a "
              "multiple of 4 up to 64";
      else if ((gm * gk / 4) % wg != 0 || (gn * gk / 4) % wg != 0)
        why = "GM * GK / 4 and GN * GK / 4 must be multiples of the "
              "work-group size (GM / WM) * (GN / WN)";
      else if (mma > 1)
        why = "MMA is 0 (fp32 units) or 1 (tensor cores)";
      else if (mma == 1 && !priv->tensor_cores)
        why = "MMA=1 needs an NVIDIA device of compute capability 8.0 or "
              "later";
      else if (mma == 1 && (gm != 128 || gn != 128 || wm != 8 || wn != 8))
        why = "MMA=1 runs 128 x 128 blocks: GM=128 GN=128 WM=8 WN=8";
      local = 2 * (size_t) gk * (gm + 4 + gn + 4) * sizeof (float);
      /* knn_mma_ip: two buffers of 128 x 16 floats for each side. */
      if (mma == 1 && local < 2 * 2 * 128 * 16 * sizeof (float))
        local = 2 * 2 * 128 * 16 * sizeof (float);
    }
  else if (family == VL_OPENCL_KNN_SCAN_MMA)
    {
      unsigned nr = vl_opencl_tuning_value (tuning, "NR", 0);
      unsigned cw = vl_opencl_tuning_value (tuning, "CW", 0);
      unsigned stages = vl_opencl_tuning_value (tuning, "STAGES", 0);

      if (wg % 32 != 0 || wg == 0 || wg > 256 || nr == 0 || nr > 8
          || cw == 0 || cw > 4 || stages < 2 || stages > 7
          || vl_opencl_tuning_value (tuning, "GROUPS_PER_CU", 0) == 0)
        why = "WG must be a multiple of 32 up to 256, NR from 1 to 8, CW "
              "from 1 to 4, STAGES from 2 to 7, GROUPS_PER_CU at least 1";
      local = vl_opencl_knn_scan_mma_local (wg, nr, cw, stages);
    }
  else if (family == VL_OPENCL_TEAM_SCAN4 || family == VL_OPENCL_SQ8_TEAM1
           || family == VL_OPENCL_SQ8_TEAM4)
    {
      VlOpenclContext *priv = ctx->priv;
      /* Each family has one of them; the other reads 0. */
      unsigned rpt = vl_opencl_tuning_value (tuning, "RPT", 0);
      unsigned prmt = vl_opencl_tuning_value (tuning, "PRMT", 0);
      unsigned vec = vl_opencl_tuning_value (tuning, "VEC", 1);

      /* Whole teams of 32; topk.cl's sorts take power-of-two lists. */
      if (!is_pow2 ((unsigned) wg) || wg < 32 || wg > 256
          || vl_opencl_tuning_value (tuning, "GROUPS_PER_CU", 0) == 0)
        why = "WG must be a power of two from 32 to 256, GROUPS_PER_CU at "
              "least 1";
      /* A lane sums an output of RPT rows x 4 queries. */
      else if (family == VL_OPENCL_TEAM_SCAN4 && (rpt == 0 || rpt > 8))
        why = "RPT is from 1 to 8";
      else if (prmt > 1)
        why = "PRMT is 0 (shifts and masks) or 1 (PTX byte permutes)";
      else if (prmt == 1 && !priv->nvidia_ptx)
        why = "PRMT=1 needs NVIDIA's OpenCL driver (inline PTX)";
      else if (vec != 1 && vec != 2 && vec != 4)
        why = "VEC is 1, 2 or 4";
      /* Without the `cst` argument, which grows with the dimension and is
       * checked when a search picks its kernel. */
      local = vl_opencl_team_scan_local (family == VL_OPENCL_SQ8_TEAM1 ? 1 : 4,
                                         wg);
    }
  else
    {
      unsigned tk = vl_opencl_tuning_value (tuning, "TK", 0);
      unsigned rpi = vl_opencl_tuning_value (tuning, "RPI", 0);
      unsigned qb = family == VL_OPENCL_KNN_SCAN1 ? 1
                    : family == VL_OPENCL_KNN_SCAN4 ? 4 : 16;

      /* An item stages the same columns of every chunk only when TK / 4
       * divides WG (the SQ8 decoding reads their constants once). */
      if (!is_pow2 ((unsigned) wg) || wg < 16 || tk == 0 || tk % 4 != 0
          || tk > 64 || wg % (tk / 4) != 0 || rpi == 0 || rpi > 8
          || vl_opencl_tuning_value (tuning, "GROUPS_PER_CU", 0) == 0)
        why = "WG must be a power of two from 16, TK 4 times a divisor of "
              "WG up to 64, RPI at most 8, GROUPS_PER_CU at least 1";
      local = vl_opencl_knn_scan_local (qb, wg, rpi, tk);
    }
  if (why == NULL && wg > ctx->device.max_work_group_size)
    why = "the work-group is larger than the device allows";
  if (why == NULL && local > local_max)
    why = "the kernels need more local memory than the device has";
  if (why != NULL)
    return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT,
                         "tunables '%s' of %s on %s: %s", tuning,
                         family_names[family_index_of (family)],
                         ctx->device.name, why);
  return VL_STATUS_OK;
}

/* ---- merging ------------------------------------------------------------ */

/* @words laid over @family's built-in row into @out: false, with the reason
 * in @why, when a word is not NAME=VALUE with a name of the family and a
 * value from 0 to 65536. */
static bool
merge (VlContext *ctx, VlOpenclFamily family, const char *words, char *out,
       size_t size, const char **why)
{
  const char *base = builtin (ctx, family);
  size_t used = 0;

  for (const char *p = words + strspn (words, " "); *p != '\0';
       p += strcspn (p, " "), p += strspn (p, " "))
    {
      size_t name_len = strcspn (p, "= ");
      char name[32];
      char *end;
      unsigned long v;

      if (p[name_len] != '=' || name_len == 0 || name_len >= sizeof name)
        return (*why = "words must read NAME=VALUE"), false;
      memcpy (name, p, name_len);
      name[name_len] = '\0';
      if (find_value (base, name) == NULL)
        return (*why = "a name is not a tunable of this family"), false;
      errno = 0;
      v = strtoul (p + name_len + 1, &end, 10);
      if (!isdigit ((unsigned char) p[name_len + 1]) || errno != 0
          || (*end != ' ' && *end != '\0') || v > 65536)
        return (*why = "values must be whole numbers from 0 to 65536"), false;
    }

  out[0] = '\0';
  for (const char *p = base; *p != '\0'; p += strcspn (p, " "), p += strspn (p, " "))
    {
      size_t name_len = strcspn (p, "=");
      char name[32];
      int n;

      snprintf (name, sizeof name, "%.*s", (int) name_len, p);
      n = snprintf (out + used, size - used, "%s%s=%u", used ? " " : "", name,
                    vl_opencl_tuning_value (words, name,
                                            vl_opencl_tuning_value (base, name, 0)));
      if (n < 0 || (size_t) n >= size - used)
        return (*why = "too long"), false;
      used += (size_t) n;
    }
  return true;
}

/* ---- the user's cache ------------------------------------------------- */

/* Cache lines: platform, device, driver, family and tunables, separated by
 * tabs; '#' starts a comment line. */
static bool
cache_file (char *path, size_t size)
{
  char dir[4096];
  int n;

  if (!vl_opencl_user_cache_dir ("", dir, sizeof dir))
    return false;
  n = snprintf (path, size, "%s/tuning", dir);
  return n > 0 && (size_t) n < size;
}

/* The family named by @line if it is for this device, else -1. */
static int
line_family (VlContext *ctx, const char *line, const char **tuning)
{
  const char *fields[5];
  const char *want[3] = { ctx->device.platform, ctx->device.name,
                          ctx->device.driver };
  const char *p = line;

  for (int i = 0; i < 5; i++)
    {
      fields[i] = p;
      p += strcspn (p, "\t\n");
      if (i < 4 && *p != '\t')
        return -1;
      if (i < 4)
        p++;
    }
  for (int i = 0; i < 3; i++)
    {
      size_t len = strcspn (fields[i], "\t");

      if (len != strlen (want[i]) || strncmp (fields[i], want[i], len) != 0)
        return -1;
    }
  *tuning = fields[4];
  {
    char name[32];

    snprintf (name, sizeof name, "%.*s", (int) strcspn (fields[3], "\t"),
              fields[3]);
    return family_index (name);
  }
}

void
vl_opencl_tuning_read_cache (VlContext *ctx)
{
  VlOpenclContext *priv = ctx->priv;
  char path[4200], line[1024];
  FILE *f;

  priv->tuning_cache_read = true;
  if (!cache_file (path, sizeof path) || (f = fopen (path, "r")) == NULL)
    return;
  /* A line that does not parse or check is skipped: the built-in values
   * are always a working fallback. */
  while (fgets (line, sizeof line, f) != NULL)
    {
      const char *words, *why;
      char merged[TUNING_MAX], clean[TUNING_MAX];
      int i;

      if (line[0] == '#' || (i = line_family (ctx, line, &words)) < 0)
        continue;
      snprintf (clean, sizeof clean, "%.*s", (int) strcspn (words, "\n"), words);
      if (merge (ctx, tuned[i], clean, merged, sizeof merged, &why)
          && check_limits (ctx, tuned[i], merged, NULL) == VL_STATUS_OK)
        {
          free (priv->tuning_cached[tuned[i]]);
          priv->tuning_cached[tuned[i]] = strdup (merged);
        }
    }
  fclose (f);
}

VlStatus
vl_opencl_set_tuning (VlContext *ctx, const char *family, const char *tuning,
                      VlError **error)
{
  VlOpenclContext *priv = ctx->priv;
  int i = family_index (family);
  char merged[TUNING_MAX];
  const char *why;
  char *copy = NULL;
  VlStatus status;

  if (i < 0)
    {
      char names[128] = "";

      for (size_t f = 0; f < N_TUNED; f++)
        snprintf (names + strlen (names), sizeof names - strlen (names),
                  "%s%s", f > 0 ? ", " : "", family_names[f]);
      return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT,
                           "no tunable kernel family '%s' (%s)", family,
                           names);
    }
  if (builtin (ctx, tuned[i])[0] == '\0')
    return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT,
                         "%s does not run on %s: it needs tensor cores "
                         "(NVIDIA, compute capability 8.0 or later)", family,
                         ctx->device.name);
  if (tuning != NULL)
    {
      if (!merge (ctx, tuned[i], tuning, merged, sizeof merged, &why))
        return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT,
                             "tunables '%s' of %s: %s", tuning, family, why);
      if ((status = check_limits (ctx, tuned[i], merged, error)) != VL_STATUS_OK)
        return status;
      if ((copy = strdup (merged)) == NULL)
        return vl_set_error (error, VL_STATUS_OUT_OF_MEMORY, "out of memory");
    }
  free (priv->tuning[tuned[i]]);
  priv->tuning[tuned[i]] = copy;
  for (int f = 0; f < VL_OPENCL_N_FAMILIES; f++)
    if (tuned_as ((VlOpenclFamily) f) == tuned[i])
      vl_opencl_program_drop (priv, (VlOpenclFamily) f);
  return VL_STATUS_OK;
}

const char *
vl_opencl_get_tuning (VlContext *ctx, const char *family)
{
  int i = family_index (family);

  return i < 0 ? NULL : vl_opencl_tuning (ctx, tuned[i]);
}

VlStatus
vl_opencl_save_tuning (VlContext *ctx, VlError **error)
{
  VlOpenclContext *priv = ctx->priv;
  char path[4200], tmp[4300], line[1024];
  FILE *in, *out;
  bool ok;

  if (!cache_file (path, sizeof path))
    return vl_set_error (error, VL_STATUS_BACKEND_FAILURE,
                         "no cache directory for the tuning file (set "
                         "XDG_CACHE_HOME or HOME)");
  snprintf (tmp, sizeof tmp, "%s.%ld.tmp", path, (long) getpid ());
  if ((out = fopen (tmp, "w")) == NULL)
    return vl_set_error (error, VL_STATUS_BACKEND_FAILURE,
                         "cannot write %s: %s", tmp, strerror (errno));
  ok = fprintf (out, "# vectorlab kernel tunables: platform, device, driver, "
                "family, NAME=VALUE words (tab separated)\n") > 0;
  /* Keep the lines of other devices and of families not set here; drop
   * comments (the header is rewritten) and lines without five fields. */
  if ((in = fopen (path, "r")) != NULL)
    {
      while (ok && fgets (line, sizeof line, in) != NULL)
        {
          const char *words;
          int tabs = 0, i;

          for (const char *p = line; *p != '\0'; p++)
            tabs += *p == '\t';
          if (line[0] == '#' || tabs != 4 || strchr (line, '\n') == NULL)
            continue;
          i = line_family (ctx, line, &words);
          if (i >= 0 && priv->tuning[tuned[i]] != NULL)
            continue;
          ok = fputs (line, out) >= 0;
        }
      fclose (in);
    }
  for (size_t i = 0; ok && i < N_TUNED; i++)
    if (priv->tuning[tuned[i]] != NULL)
      ok = fprintf (out, "%s\t%s\t%s\t%s\t%s\n", ctx->device.platform,
                    ctx->device.name, ctx->device.driver,
                    family_names[i], priv->tuning[tuned[i]]) > 0;
  ok = fclose (out) == 0 && ok;
  /* rename is atomic: a reader sees the old file or the new one. */
  if (!ok || rename (tmp, path) != 0)
    {
      int err = errno;

      unlink (tmp);
      return vl_set_error (error, VL_STATUS_BACKEND_FAILURE,
                           "cannot write the tuning cache %s: %s", path,
                           strerror (err));
    }
  for (size_t i = 0; i < N_TUNED; i++)
    if (priv->tuning[tuned[i]] != NULL)
      {
        free (priv->tuning_cached[tuned[i]]);
        priv->tuning_cached[tuned[i]] = strdup (priv->tuning[tuned[i]]);
      }
  return VL_STATUS_OK;
}
