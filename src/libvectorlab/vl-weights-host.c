/* vl-weights-host.c: tensor storage for the host backends (ref, cpu):
 * 64-byte aligned copies, so that vector loads of a row never split a cache
 * line at its start. */
#include "vl-proj-private.h"

#include <stdlib.h>
#include <string.h>

VlStatus
vl_host_tensor_new (VlContext *ctx, const void *data, size_t bytes,
                    void **storage, VlError **error)
{
  size_t padded = (bytes + 63) & ~(size_t) 63;
  double t0 = vl_now_ms ();

  if (padded < bytes || (*storage = aligned_alloc (64, padded)) == NULL)
    return vl_set_error (error, VL_STATUS_OUT_OF_MEMORY,
                         "out of memory for a tensor of %zu bytes", bytes);
  memcpy (*storage, data, bytes);
  ctx->breakdown.upload_ms = vl_now_ms () - t0;
  return VL_STATUS_OK;
}

void
vl_host_tensor_free (VlContext *ctx, void *storage)
{
  free (storage);
}

VlStatus
vl_host_tensor_read (VlContext *ctx, void *storage, void *data, size_t bytes,
                     VlError **error)
{
  double t0 = vl_now_ms ();

  memcpy (data, storage, bytes);
  ctx->breakdown.download_ms = vl_now_ms () - t0;
  return VL_STATUS_OK;
}
