/* vl-error.c: status codes and heap-allocated error messages. */
#include "vl-private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Returned when the error itself cannot be allocated, so that an
 * out-of-memory condition still reaches the caller with a message. */
static char oom_message[] = "out of memory while reporting an error";
static VlError oom_error = { VL_STATUS_OUT_OF_MEMORY, oom_message };

const char *
vl_status_to_string (VlStatus status)
{
  switch (status)
    {
    case VL_STATUS_OK: return "ok";
    case VL_STATUS_INVALID_ARGUMENT: return "invalid argument";
    case VL_STATUS_SHAPE_MISMATCH: return "shape mismatch";
    case VL_STATUS_NON_FINITE: return "non-finite value";
    case VL_STATUS_OUT_OF_MEMORY: return "out of memory";
    case VL_STATUS_DEVICE_NOT_FOUND: return "device not found";
    case VL_STATUS_BACKEND_FAILURE: return "backend failure";
    case VL_STATUS_UNSUPPORTED: return "unsupported";
    default: return "unknown status";
    }
}

VlStatus
vl_set_error (VlError **error, VlStatus status, const char *format, ...)
{
  va_list args;
  VlError *e;
  int len;

  if (error == NULL)
    return status;

  va_start (args, format);
  len = vsnprintf (NULL, 0, format, args);
  va_end (args);

  e = malloc (sizeof *e);
  if (e == NULL || len < 0 || (e->message = malloc ((size_t) len + 1)) == NULL)
    {
      free (e);
      *error = &oom_error;
      return status;
    }

  va_start (args, format);
  vsnprintf (e->message, (size_t) len + 1, format, args);
  va_end (args);
  e->status = status;
  *error = e;
  return status;
}

void
vl_error_free (VlError *error)
{
  if (error == NULL || error == &oom_error)
    return;
  free (error->message);
  free (error);
}
