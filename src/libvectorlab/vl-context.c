/* vl-context.c: opening a device and the per-context counters. */
#include "vl-private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const VlBackend *
backend_for (VlBackendKind kind)
{
  switch (kind)
    {
    case VL_BACKEND_REF: return &vl_ref_backend;
    case VL_BACKEND_CPU: return &vl_cpu_backend;
#ifdef VL_HAVE_OPENCL
    case VL_BACKEND_OPENCL: return &vl_opencl_backend;
#endif
    default: return NULL;
    }
}

/* Builds "ref, cpu, opencl:0, ..." for error messages. */
static void
append_device_ids (char *buf, size_t size, const VlDeviceInfo *devices,
                   size_t n)
{
  size_t len = 0;

  buf[0] = '\0';
  for (size_t i = 0; i < n && len + 1 < size; i++)
    {
      int w = snprintf (buf + len, size - len, "%s%s", i ? ", " : "",
                        devices[i].id);
      if (w < 0)
        break;
      len += (size_t) w;
    }
}

VlContext *
vl_context_new (const char *device_id, VlError **error)
{
  char resolved[32];
  VlDeviceInfo *devices;
  size_t n = 0;
  const VlDeviceInfo *found = NULL;
  VlContext *ctx;

  if (vl_device_resolve (device_id, resolved, error) != VL_STATUS_OK)
    return NULL;
  if (vl_devices_list (&devices, &n, error) != VL_STATUS_OK)
    return NULL;

  for (size_t i = 0; i < n && found == NULL; i++)
    if (strcmp (devices[i].id, resolved) == 0)
      found = &devices[i];

  if (found == NULL || backend_for (found->backend) == NULL)
    {
      char ids[512];

      append_device_ids (ids, sizeof ids, devices, n);
      vl_set_error (error, VL_STATUS_DEVICE_NOT_FOUND,
                    "unknown device '%s' (available: %s)", resolved, ids);
      vl_devices_free (devices);
      return NULL;
    }

  ctx = calloc (1, sizeof *ctx);
  if (ctx == NULL)
    {
      vl_devices_free (devices);
      vl_set_error (error, VL_STATUS_OUT_OF_MEMORY, "out of memory");
      return NULL;
    }
  ctx->device = *found;
  ctx->backend = backend_for (found->backend);
  ctx->phase_timing = true;
  vl_devices_free (devices);

  if (ctx->backend->context_init (ctx, error) != VL_STATUS_OK)
    {
      ctx->backend->context_finish (ctx);
      free (ctx);
      return NULL;
    }
  return ctx;
}

void
vl_context_free (VlContext *ctx)
{
  if (ctx == NULL)
    return;
  ctx->backend->context_finish (ctx);
  free (ctx);
}

const VlDeviceInfo *
vl_context_get_device (VlContext *ctx)
{
  return ctx != NULL ? &ctx->device : NULL;
}

void
vl_context_get_breakdown (VlContext *ctx, VlBreakdown *breakdown)
{
  if (ctx != NULL && breakdown != NULL)
    *breakdown = ctx->breakdown;
}

VlStatus
vl_context_set_phase_timing (VlContext *ctx, bool on, VlError **error)
{
  VlStatus status;

  if (ctx == NULL)
    return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT,
                         "a context is required");
  /* Host backends time their phases at no cost, always. */
  if (ctx->backend->set_phase_timing == NULL)
    return VL_STATUS_OK;
  status = ctx->backend->set_phase_timing (ctx, on, error);
  if (status == VL_STATUS_OK)
    ctx->phase_timing = on;
  return status;
}

bool
vl_context_get_phase_timing (VlContext *ctx)
{
  return ctx != NULL && ctx->phase_timing;
}

void
vl_context_get_pool_stats (VlContext *ctx, VlPoolStats *stats)
{
  if (ctx != NULL && stats != NULL)
    *stats = ctx->pool_stats;
}

const char *const *
vl_context_tuning_families (VlContext *ctx)
{
  static const char *const none[] = { NULL };

  if (ctx == NULL || ctx->backend->tuning_families == NULL)
    return none;
  return ctx->backend->tuning_families (ctx);
}

VlStatus
vl_context_set_tuning (VlContext *ctx, const char *family, const char *tuning,
                       VlError **error)
{
  if (ctx == NULL || family == NULL)
    return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT,
                         "a context and a family name are required");
  if (ctx->backend->set_tuning == NULL)
    return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT,
                         "%s has no tunable kernels (no family '%s')",
                         ctx->device.id, family);
  return ctx->backend->set_tuning (ctx, family, tuning, error);
}

const char *
vl_context_get_tuning (VlContext *ctx, const char *family)
{
  if (ctx == NULL || family == NULL || ctx->backend->get_tuning == NULL)
    return NULL;
  return ctx->backend->get_tuning (ctx, family);
}

VlStatus
vl_context_save_tuning (VlContext *ctx, VlError **error)
{
  if (ctx == NULL)
    return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT,
                         "a context is required");
  if (ctx->backend->save_tuning == NULL)
    return VL_STATUS_OK;
  return ctx->backend->save_tuning (ctx, error);
}
