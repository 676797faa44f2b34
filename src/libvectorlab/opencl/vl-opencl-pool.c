/* vl-opencl-pool.c: a per-context pool of device buffers in power-of-two
 * size buckets, so that repeated ops reuse allocations instead of paying
 * for clCreateBuffer (and the driver's lazy first-touch) every time. */
#include "vl-opencl-private.h"

#include <stdlib.h>

/* Smallest bucket: tiny norms and counters share one size. */
#define MIN_SHIFT 8

static unsigned
bucket_of (size_t bytes)
{
  unsigned shift = MIN_SHIFT;

  while (((size_t) 1 << shift) < bytes)
    shift++;
  return shift;
}

/* Cached buffers beyond this are released rather than kept. */
static uint64_t
cache_limit (VlContext *ctx)
{
  return ctx->device.global_mem_bytes / 4;
}

static void
update_peak (VlContext *ctx)
{
  VlPoolStats *s = &ctx->pool_stats;

  if (s->bytes_live + s->bytes_cached > s->bytes_peak)
    s->bytes_peak = s->bytes_live + s->bytes_cached;
}

static void
drop_cache (VlContext *ctx)
{
  VlOpenclContext *priv = ctx->priv;

  for (unsigned b = 0; b < 64; b++)
    {
      for (size_t i = 0; i < priv->buckets[b].n; i++)
        clReleaseMemObject (priv->buckets[b].items[i]);
      priv->buckets[b].n = 0;
    }
  ctx->pool_stats.bytes_cached = 0;
}

static size_t
buffer_size (cl_mem buffer)
{
  size_t size = 0;

  clGetMemObjectInfo (buffer, CL_MEM_SIZE, sizeof size, &size, NULL);
  return size;
}

VlStatus
vl_opencl_buffer_get (VlContext *ctx, size_t bytes, cl_mem *buffer,
                      const char *what, VlError **error)
{
  VlOpenclContext *priv = ctx->priv;
  unsigned b = bucket_of (bytes);
  size_t size = (size_t) 1 << b;
  cl_int err;

  if (priv->buckets[b].n > 0)
    {
      *buffer = priv->buckets[b].items[--priv->buckets[b].n];
      ctx->pool_stats.hits++;
      ctx->pool_stats.bytes_cached -= size;
      ctx->pool_stats.bytes_live += size;
      return VL_STATUS_OK;
    }

  /* Rounding up must not push a buffer that fits over the device's
   * allocation limit: such a buffer gets its exact size and is never
   * cached (buffer_put sees a size that is not a bucket's). */
  if (size > priv->max_alloc_bytes && bytes <= priv->max_alloc_bytes)
    size = bytes;
  ctx->pool_stats.misses++;
  *buffer = clCreateBuffer (priv->context, CL_MEM_READ_WRITE, size, NULL, &err);
  if (err == CL_MEM_OBJECT_ALLOCATION_FAILURE || err == CL_OUT_OF_RESOURCES
      || err == CL_OUT_OF_HOST_MEMORY)
    {
      drop_cache (ctx);
      *buffer = clCreateBuffer (priv->context, CL_MEM_READ_WRITE, size, NULL, &err);
    }
  if (err != CL_SUCCESS)
    {
      *buffer = NULL;
      if (err == CL_INVALID_BUFFER_SIZE || err == CL_MEM_OBJECT_ALLOCATION_FAILURE
          || err == CL_OUT_OF_RESOURCES || err == CL_OUT_OF_HOST_MEMORY)
        return vl_set_error (error, VL_STATUS_OUT_OF_MEMORY,
                             "out of device memory for %s: clCreateBuffer of "
                             "%zu bytes failed: %s (device allocation limit "
                             "%llu bytes)", what, size,
                             vl_opencl_error_name (err),
                             (unsigned long long) priv->max_alloc_bytes);
      return vl_opencl_check (err, "clCreateBuffer", error);
    }
  ctx->pool_stats.bytes_live += size;
  update_peak (ctx);
  return VL_STATUS_OK;
}

void
vl_opencl_buffer_put (VlContext *ctx, cl_mem buffer)
{
  VlOpenclContext *priv = ctx->priv;
  size_t size;
  unsigned b;
  VlOpenclBucket *bucket;

  if (buffer == NULL)
    return;
  size = buffer_size (buffer);
  b = bucket_of (size);
  bucket = &priv->buckets[b];
  ctx->pool_stats.bytes_live -= size;

  if (size != (size_t) 1 << b
      || ctx->pool_stats.bytes_cached + size > cache_limit (ctx))
    {
      clReleaseMemObject (buffer);
      return;
    }
  if (bucket->n == bucket->cap)
    {
      size_t cap = bucket->cap ? 2 * bucket->cap : 4;
      cl_mem *items = realloc (bucket->items, cap * sizeof *items);

      if (items == NULL)
        {
          clReleaseMemObject (buffer);
          return;
        }
      bucket->items = items;
      bucket->cap = cap;
    }
  bucket->items[bucket->n++] = buffer;
  ctx->pool_stats.bytes_cached += size;
  update_peak (ctx);
}

void
vl_opencl_pool_release (VlContext *ctx)
{
  VlOpenclContext *priv = ctx->priv;

  drop_cache (ctx);
  for (unsigned b = 0; b < 64; b++)
    {
      free (priv->buckets[b].items);
      priv->buckets[b].items = NULL;
      priv->buckets[b].cap = 0;
    }
}
