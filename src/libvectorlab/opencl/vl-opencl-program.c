/* vl-opencl-program.c: building the kernel families once per context, with
 * program binaries cached on disk per (device, driver, source, options). */
#include "vl-opencl-private.h"
#include "opencl/vl-opencl-kernels.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Bump when the cache file layout changes. */
#define CACHE_FORMAT "vectorlab-opencl-cache-1"

/* How a family's work-group size is chosen. */
typedef enum
{
  WG_FLAT,    /* the largest power of two the kernels allow, as -DWG */
  WG_SQUARE,  /* a 2-D group of side sqrt(wg): -DTS, -DWPT, -DTK follow */
  WG_TUNED,   /* set by the family's tunables (vl-opencl-tuning.c) */
} WgKind;

typedef struct
{
  const char *sources[3];  /* .cl basenames, concatenated in this order */
  WgKind      wg_kind;
  const char *defines;     /* fixed -D options of the family, or NULL */
} FamilyDesc;

static const FamilyDesc families[VL_OPENCL_N_FAMILIES] = {
  [VL_OPENCL_DISTANCE] = { { "distance", NULL }, WG_SQUARE, NULL },
  [VL_OPENCL_NORMALIZE] = { { "normalize", NULL }, WG_FLAT, NULL },
  /* similarity.cl reuses the block accumulation of distance.cl. */
  [VL_OPENCL_SIMILARITY] = { { "distance", "similarity" }, WG_SQUARE, NULL },
  [VL_OPENCL_POOL] = { { "pool", NULL }, WG_FLAT, NULL },
  [VL_OPENCL_TOPK] = { { "topk", NULL }, WG_FLAT, NULL },
  [VL_OPENCL_NEURAL] = { { "neural", NULL }, WG_FLAT, NULL },
  /* proj.cl reuses the block accumulation of distance.cl. */
  [VL_OPENCL_PROJ] = { { "distance", "proj" }, WG_SQUARE, NULL },
  /* sq_scores runs on a square work-group and multiplies its blocks with
   * distance.cl's distance_chunk. */
  [VL_OPENCL_SQ] = { { "distance", "sq" }, WG_SQUARE, NULL },
  /* knn_scan.cl keeps its candidates with topk.cl's sort; one program per
   * query block size, as the accumulators are registers. */
  [VL_OPENCL_KNN_SCAN1] = { { "topk", "knn_scan" }, WG_TUNED, "-DQB=1" },
  [VL_OPENCL_KNN_SCAN4] = { { "topk", "knn_scan" }, WG_TUNED, "-DQB=4" },
  [VL_OPENCL_KNN_SCAN16] = { { "topk", "knn_scan" }, WG_TUNED, "-DQB=16" },
  /* knn_mma.cl holds the tensor-core kernel, built only with -DMMA=1. */
  [VL_OPENCL_KNN_GEMM] = { { "tf32", "knn_gemm", "knn_mma" }, WG_TUNED, NULL },
  /* Tensor cores only: vl-opencl-tuning.c has rows for them nowhere else. */
  [VL_OPENCL_KNN_SCAN_MMA] = { { "tf32", "topk", "knn_scan_mma" }, WG_TUNED,
                               "-DMMA=1" },
  [VL_OPENCL_SQ8_SCAN1] = { { "topk", "knn_scan" }, WG_TUNED, "-DQB=1 -DSQ8=1" },
  [VL_OPENCL_SQ8_SCAN4] = { { "topk", "knn_scan" }, WG_TUNED, "-DQB=4 -DSQ8=1" },
  [VL_OPENCL_SQ8_SCAN16] = { { "topk", "knn_scan" }, WG_TUNED, "-DQB=16 -DSQ8=1" },
  /* team_scan.cl cuts its candidate lists with topk.cl's too. */
  [VL_OPENCL_TEAM_SCAN4] = { { "topk", "team_scan" }, WG_TUNED, "-DQB=4 -DSQ8=0" },
  [VL_OPENCL_SQ8_TEAM1] = { { "topk", "team_scan" }, WG_TUNED, "-DQB=1 -DSQ8=1" },
  [VL_OPENCL_SQ8_TEAM4] = { { "topk", "team_scan" }, WG_TUNED, "-DQB=4 -DSQ8=1" },
  [VL_OPENCL_SQ8_SCAN_MMA] = { { "tf32", "topk", "knn_scan_mma" }, WG_TUNED,
                               "-DMMA=1 -DSQ8=1" },
};

/* Largest work-group tried: enough to fill a GPU SM with a few groups, small
 * enough for every device's register file. */
#define WG_MAX 256

/* The source that holds the family's own kernels: its last. */
static const char *
main_source (const FamilyDesc *desc)
{
  int i = 0;

  while (i + 1 < 3 && desc->sources[i + 1] != NULL)
    i++;
  return desc->sources[i];
}

static const char *
find_source (const char *name)
{
  for (const VlOpenclKernelSource *s = vl_opencl_kernel_sources; s->name; s++)
    if (strcmp (s->name, name) == 0)
      return s->source;
  return NULL;
}

static size_t
floor_pow2 (size_t x)
{
  size_t p = 1;

  while (p * 2 <= x)
    p *= 2;
  return p;
}

/* A power of two; for square work-groups a power of four. */
static size_t
fit_wg (const FamilyDesc *desc, size_t limit)
{
  size_t wg = floor_pow2 (limit < WG_MAX ? limit : WG_MAX);

  if (desc->wg_kind == WG_SQUARE && (wg & 0x55555555u) == 0)
    wg /= 2;
  return wg;
}

static void
family_options (VlContext *ctx, VlOpenclFamily family, size_t wg, char *buf,
                size_t size)
{
  const FamilyDesc *desc = &families[family];
  size_t side = vl_opencl_square_side (wg), n;

  /* 4 x 4 outputs per item and a d chunk of 16 keep the two staged tiles
   * at 2 * 16 * (4 * side + 1) floats: 8 KiB for side 16. */
  if (desc->wg_kind == WG_SQUARE)
    n = (size_t) snprintf (buf, size, "-cl-std=CL1.2 -DTS=%zu -DWPT=4 -DTK=%d",
                           4 * side, VL_OPENCL_SQUARE_TK);
  else if (desc->wg_kind == WG_FLAT)
    n = (size_t) snprintf (buf, size, "-cl-std=CL1.2 -DWG=%zu", wg);
  else
    n = (size_t) snprintf (buf, size, "-cl-std=CL1.2 %s",
                           desc->defines != NULL ? desc->defines : "");
  if (desc->wg_kind == WG_TUNED && n < size)
    vl_opencl_tuning_defines (vl_opencl_tuning (ctx, family), buf + n,
                              size - n);
}

/* ---- disk cache -------------------------------------------------------- */

static void
hash_bytes (uint64_t h[2], const void *data, size_t len)
{
  const unsigned char *p = data;

  for (size_t i = 0; i < len; i++)
    {
      h[0] = (h[0] ^ p[i]) * 0x100000001b3ull;
      h[1] = (h[1] ^ p[i]) * 0x100000001b3ull;
    }
}

static void
hash_string (uint64_t h[2], const char *s)
{
  /* The terminator separates fields, so ("ab","c") != ("a","bc"). */
  hash_bytes (h, s, strlen (s) + 1);
}

static bool
mkdir_p (char *path)
{
  for (char *p = path + 1; ; p++)
    if (*p == '/' || *p == '\0')
      {
        char c = *p;

        *p = '\0';
        if (mkdir (path, 0700) != 0 && errno != EEXIST)
          {
            *p = c;
            return false;
          }
        *p = c;
        if (c == '\0')
          return true;
      }
}

bool
vl_opencl_user_cache_dir (const char *sub, char *dir, size_t size)
{
  const char *base = getenv ("XDG_CACHE_HOME");
  const char *home = getenv ("HOME");
  int n;

  if (base != NULL && base[0] == '/')
    n = snprintf (dir, size, "%s/vectorlab%s%s", base, *sub ? "/" : "", sub);
  else if (home != NULL && home[0] == '/')
    n = snprintf (dir, size, "%s/.cache/vectorlab%s%s", home, *sub ? "/" : "",
                  sub);
  else
    return false;
  return n > 0 && (size_t) n < size && mkdir_p (dir);
}

/* The cache file of this build, or false when there is no usable cache
 * directory (which only costs a rebuild). */
static bool
cache_path (VlContext *ctx, const FamilyDesc *desc, const char *options,
            char *path, size_t size)
{
  uint64_t h[2] = { 0xcbf29ce484222325ull, 0x84222325cbf29ce4ull };
  char dir[4096];
  int n;

  if (!vl_opencl_user_cache_dir ("opencl", dir, sizeof dir))
    return false;

  hash_string (h, CACHE_FORMAT);
  hash_string (h, ctx->device.platform);
  hash_string (h, ctx->device.name);
  hash_string (h, ctx->device.driver);
  hash_string (h, options);
  for (int i = 0; i < 3 && desc->sources[i]; i++)
    hash_string (h, find_source (desc->sources[i]));
  n = snprintf (path, size, "%s/%016llx%016llx.bin", dir,
                (unsigned long long) h[0], (unsigned long long) h[1]);
  return n > 0 && (size_t) n < size;
}

static cl_program
load_cached (VlContext *ctx, const char *path, const char *options)
{
  VlOpenclContext *priv = ctx->priv;
  FILE *f = fopen (path, "rb");
  unsigned char *bin = NULL;
  long len;
  cl_program program = NULL;
  cl_int err, bin_status;

  if (f == NULL)
    return NULL;
  if (fseek (f, 0, SEEK_END) == 0 && (len = ftell (f)) > 0
      && fseek (f, 0, SEEK_SET) == 0 && (bin = malloc ((size_t) len)) != NULL
      && fread (bin, 1, (size_t) len, f) == (size_t) len)
    {
      size_t size = (size_t) len;
      const unsigned char *bins[] = { bin };

      program = clCreateProgramWithBinary (priv->context, 1, &priv->device,
                                           &size, bins, &bin_status, &err);
      if (err != CL_SUCCESS || bin_status != CL_SUCCESS)
        {
          if (program != NULL)
            clReleaseProgram (program);
          program = NULL;
        }
      else if (clBuildProgram (program, 1, &priv->device, options, NULL, NULL) != CL_SUCCESS)
        {
          clReleaseProgram (program);
          program = NULL;
        }
    }
  free (bin);
  fclose (f);
  return program;
}

/* Best effort: a failure leaves no file behind, or the previous one. */
static void
save_cached (VlContext *ctx, cl_program program, const char *path)
{
  size_t size = 0;
  unsigned char *bin;
  char tmp[4200];
  FILE *f;
  bool ok;

  if (clGetProgramInfo (program, CL_PROGRAM_BINARY_SIZES, sizeof size, &size, NULL) != CL_SUCCESS
      || size == 0 || (bin = malloc (size)) == NULL)
    return;
  if (clGetProgramInfo (program, CL_PROGRAM_BINARIES, sizeof bin, &bin, NULL) == CL_SUCCESS
      && snprintf (tmp, sizeof tmp, "%s.%ld.tmp", path, (long) getpid ()) < (int) sizeof tmp
      && (f = fopen (tmp, "wb")) != NULL)
    {
      ok = fwrite (bin, 1, size, f) == size;
      ok = (fclose (f) == 0) && ok;
      /* rename is atomic, so a concurrent reader sees a whole file. */
      if (!ok || rename (tmp, path) != 0)
        unlink (tmp);
    }
  free (bin);
}

/* ---- building ---------------------------------------------------------- */

/* Keeps the first lines of a build log: enough to see the first error
 * without flooding the message. */
#define LOG_LINES 8

static VlStatus
build_failure (VlOpenclContext *priv, cl_program program, cl_int err,
               const char *family, VlError **error)
{
  size_t len = 0, lines = 0;
  char *log = NULL;
  VlStatus status;

  if (clGetProgramBuildInfo (program, priv->device, CL_PROGRAM_BUILD_LOG, 0,
                             NULL, &len) == CL_SUCCESS
      && (log = malloc (len + 1)) != NULL)
    {
      if (clGetProgramBuildInfo (program, priv->device, CL_PROGRAM_BUILD_LOG,
                                 len, log, NULL) != CL_SUCCESS)
        len = 0;
      log[len] = '\0';
      for (char *p = log; *p != '\0'; p++)
        if (*p == '\n' && ++lines == LOG_LINES)
          {
            *p = '\0';
            break;
          }
    }
  status = vl_set_error (error, VL_STATUS_BACKEND_FAILURE,
                         "clBuildProgram failed: %s for kernels '%s': %s",
                         vl_opencl_error_name (err), family,
                         log != NULL ? log : "(no build log)");
  free (log);
  return status;
}

static VlStatus
build (VlContext *ctx, const FamilyDesc *desc, const char *options,
       cl_program *out, VlError **error)
{
  VlOpenclContext *priv = ctx->priv;
  const char *srcs[3];
  cl_uint n_srcs = 0;
  char path[4200];
  bool cached = priv->use_disk_cache
                && cache_path (ctx, desc, options, path, sizeof path);
  cl_program program;
  cl_int err;

  if (cached && (*out = load_cached (ctx, path, options)) != NULL)
    return VL_STATUS_OK;

  for (int i = 0; i < 3 && desc->sources[i]; i++)
    if ((srcs[n_srcs++] = find_source (desc->sources[i])) == NULL)
      return vl_set_error (error, VL_STATUS_BACKEND_FAILURE,
                           "kernel source '%s.cl' is not in the library",
                           desc->sources[i]);
  program = clCreateProgramWithSource (priv->context, n_srcs, srcs, NULL, &err);
  if (err != CL_SUCCESS)
    return vl_opencl_check (err, "clCreateProgramWithSource", error);
  err = clBuildProgram (program, 1, &priv->device, options, NULL, NULL);
  if (err != CL_SUCCESS)
    {
      VlStatus status = build_failure (priv, program, err,
                                       desc->sources[n_srcs - 1], error);
      clReleaseProgram (program);
      return status;
    }
  if (cached)
    save_cached (ctx, program, path);
  *out = program;
  return VL_STATUS_OK;
}

/* The smallest CL_KERNEL_WORK_GROUP_SIZE over the program's kernels: what
 * the device can really launch once registers are counted. */
static VlStatus
kernel_wg_limit (VlOpenclContext *priv, cl_program program, size_t *limit,
                 VlError **error)
{
  cl_kernel kernels[16];
  cl_uint n = 0;
  cl_int err = clCreateKernelsInProgram (program, 16, kernels, &n);

  if (err != CL_SUCCESS)
    return vl_opencl_check (err, "clCreateKernelsInProgram", error);
  *limit = SIZE_MAX;
  for (cl_uint i = 0; i < n; i++)
    {
      size_t wg = 0;

      if (clGetKernelWorkGroupInfo (kernels[i], priv->device,
                                    CL_KERNEL_WORK_GROUP_SIZE, sizeof wg, &wg,
                                    NULL) == CL_SUCCESS && wg < *limit)
        *limit = wg;
      clReleaseKernel (kernels[i]);
    }
  return VL_STATUS_OK;
}

static VlStatus
family_program (VlContext *ctx, VlOpenclFamily family,
                const VlOpenclProgram **program, VlError **error)
{
  VlOpenclContext *priv = ctx->priv;
  VlOpenclProgram *p = &priv->programs[family];
  const FamilyDesc *desc = &families[family];
  size_t wg = desc->wg_kind == WG_TUNED
              ? vl_opencl_tuning_wg (vl_opencl_tuning (ctx, family))
              : fit_wg (desc, ctx->device.max_work_group_size);

  *program = p;
  if (p->program != NULL)
    return VL_STATUS_OK;
  for (;;)
    {
      char options[512];
      size_t limit = 0;
      VlStatus status;

      family_options (ctx, family, wg, options, sizeof options);
      if ((status = build (ctx, desc, options, &p->program, error)) != VL_STATUS_OK
          || (status = kernel_wg_limit (priv, p->program, &limit, error)) != VL_STATUS_OK)
        return status;
      if (limit >= wg)
        break;
      /* The compiled kernels need more registers than @wg items allow:
       * rebuild for a smaller group, unless the group is tuned. */
      clReleaseProgram (p->program);
      p->program = NULL;
      if (desc->wg_kind == WG_TUNED)
        return vl_set_error (error, VL_STATUS_UNSUPPORTED,
                             "the '%s' kernels need work-groups of %zu items, "
                             "%s allows %zu: choose other tunables "
                             "(vectorlab-bench tune)", main_source (desc),
                             wg, ctx->device.name, limit);
      if (wg == 1 || limit == 0)
        return vl_set_error (error, VL_STATUS_UNSUPPORTED,
                             "the device cannot run the '%s' kernels with "
                             "any work-group size", main_source (desc));
      wg = fit_wg (desc, limit);
    }
  p->wg = wg;
  return VL_STATUS_OK;
}

VlStatus
vl_opencl_kernel (VlContext *ctx, VlOpenclFamily family, const char *name,
                  cl_kernel *kernel, size_t *wg, VlError **error)
{
  VlOpenclContext *priv = ctx->priv;
  const VlOpenclProgram *p;
  VlStatus status;
  cl_int err;
  char call[160];

  for (size_t i = 0; i < priv->n_kernels; i++)
    if (priv->kernels[i].family == family
        && strcmp (priv->kernels[i].name, name) == 0)
      {
        *kernel = priv->kernels[i].kernel;
        *wg = priv->kernels[i].wg;
        return VL_STATUS_OK;
      }
  if ((status = family_program (ctx, family, &p, error)) != VL_STATUS_OK)
    return status;
  if (priv->n_kernels == sizeof priv->kernels / sizeof priv->kernels[0])
    return vl_set_error (error, VL_STATUS_BACKEND_FAILURE,
                         "too many OpenCL kernels for the context table");
  *kernel = clCreateKernel (p->program, name, &err);
  snprintf (call, sizeof call, "clCreateKernel (%s)", name);
  if ((status = vl_opencl_check (err, call, error)) != VL_STATUS_OK)
    return status;
  *wg = p->wg;
  priv->kernels[priv->n_kernels].family = family;
  priv->kernels[priv->n_kernels].name = name;
  priv->kernels[priv->n_kernels].kernel = *kernel;
  priv->kernels[priv->n_kernels++].wg = p->wg;
  return VL_STATUS_OK;
}

void
vl_opencl_program_drop (VlOpenclContext *priv, VlOpenclFamily family)
{
  size_t kept = 0;

  for (size_t i = 0; i < priv->n_kernels; i++)
    if (priv->kernels[i].family == family)
      clReleaseKernel (priv->kernels[i].kernel);
    else
      priv->kernels[kept++] = priv->kernels[i];
  priv->n_kernels = kept;
  if (priv->programs[family].program != NULL)
    clReleaseProgram (priv->programs[family].program);
  priv->programs[family].program = NULL;
}

void
vl_opencl_programs_release (VlOpenclContext *priv)
{
  for (size_t i = 0; i < priv->n_kernels; i++)
    clReleaseKernel (priv->kernels[i].kernel);
  priv->n_kernels = 0;
  for (int i = 0; i < VL_OPENCL_N_FAMILIES; i++)
    if (priv->programs[i].program != NULL)
      clReleaseProgram (priv->programs[i].program);
}
