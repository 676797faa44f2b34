/* vl-weights.c: the weight registry: named, shaped tensors whose storage
 * the context's backend owns (vl-proj-private.h). */
#include "vl-proj-private.h"
#include "vl-validate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct _VlWeights
{
  VlContext       *ctx;
  VlWeightTensor **items;
  size_t           n;
  size_t           cap;
};

VlWeightsShape
vl_weights_shape_2d (size_t rows, size_t cols)
{
  VlWeightsShape shape = { 2, { rows, cols, 0, 0 }, VL_DTYPE_F32 };

  return shape;
}

static const char *
dtype_name (VlDtype dtype)
{
  return dtype == VL_DTYPE_F32 ? "f32" : dtype == VL_DTYPE_U8 ? "u8" : "?";
}

/* "f32 [768, 128]"; a 0 in an expected shape prints as "*". */
static void
format_shape (const VlWeightsShape *s, char *buf, size_t size)
{
  size_t len = (size_t) snprintf (buf, size, "%s [", dtype_name (s->dtype));

  for (size_t i = 0; i < s->n_dims && len < size; i++)
    len += (size_t) (s->dims[i] != 0
                     ? snprintf (buf + len, size - len, "%s%zu",
                                 i ? ", " : "", s->dims[i])
                     : snprintf (buf + len, size - len, "%s*",
                                 i ? ", " : ""));
  if (len < size)
    snprintf (buf + len, size - len, "]");
}

static VlStatus
shape_bytes (const VlWeightsShape *shape, const char *name, size_t *bytes,
             VlError **error)
{
  size_t count = 1;

  if (shape->n_dims == 0 || shape->n_dims > VL_WEIGHTS_MAX_DIMS)
    return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT,
                         "tensor '%s' has %zu dimensions, expected 1 to %d",
                         name, shape->n_dims, VL_WEIGHTS_MAX_DIMS);
  if ((unsigned) shape->dtype > VL_DTYPE_U8)
    return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT,
                         "tensor '%s' has unknown dtype %d", name,
                         (int) shape->dtype);
  for (size_t i = 0; i < shape->n_dims; i++)
    {
      if (shape->dims[i] == 0)
        return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT,
                             "tensor '%s' has an empty dimension %zu", name,
                             i);
      if (count > SIZE_MAX / 4 / shape->dims[i])
        return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT,
                             "tensor '%s' is too large", name);
      count *= shape->dims[i];
    }
  *bytes = count * (shape->dtype == VL_DTYPE_F32 ? sizeof (float) : 1);
  return VL_STATUS_OK;
}

static VlStatus
check_name (const char *name, VlError **error)
{
  if (name == NULL || name[0] == '\0')
    return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT,
                         "tensor name is NULL or empty");
  if (strlen (name) > VL_WEIGHTS_MAX_NAME)
    return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT,
                         "tensor name '%.32s...' is longer than %d bytes",
                         name, VL_WEIGHTS_MAX_NAME);
  return VL_STATUS_OK;
}

static VlStatus
check_weights (VlWeights *weights, VlError **error)
{
  if (weights == NULL)
    return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT,
                         "weight registry is NULL");
  if (weights->ctx->backend->proj == NULL)
    return vl_set_error (error, VL_STATUS_UNSUPPORTED,
                         "the %s backend has no weight storage",
                         vl_backend_kind_to_string (weights->ctx->backend->kind));
  return VL_STATUS_OK;
}

static size_t
find (VlWeights *weights, const char *name)
{
  for (size_t i = 0; i < weights->n; i++)
    if (strcmp (weights->items[i]->name, name) == 0)
      return i;
  return SIZE_MAX;
}

VlWeights *
vl_weights_new (VlContext *ctx, VlError **error)
{
  VlWeights *weights;

  if (vl_check_context (ctx, error) != VL_STATUS_OK)
    return NULL;
  if ((weights = calloc (1, sizeof *weights)) == NULL)
    {
      vl_set_error (error, VL_STATUS_OUT_OF_MEMORY, "out of memory");
      return NULL;
    }
  weights->ctx = ctx;
  return weights;
}

void
vl_weight_tensor_unref (VlWeightTensor *tensor)
{
  if (tensor == NULL || --tensor->refs > 0)
    return;
  if (tensor->storage != NULL)
    tensor->ctx->backend->proj->tensor_free (tensor->ctx, tensor->storage);
  free (tensor->name);
  free (tensor);
}

void
vl_weights_free (VlWeights *weights)
{
  if (weights == NULL)
    return;
  for (size_t i = 0; i < weights->n; i++)
    vl_weight_tensor_unref (weights->items[i]);
  free (weights->items);
  free (weights);
}

static VlStatus
check_data (const VlWeightsShape *shape, const char *name, const void *data,
            size_t bytes, VlError **error)
{
  const float *f = data;

  if (data == NULL)
    return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT,
                         "data of tensor '%s' is NULL", name);
  if (shape->dtype != VL_DTYPE_F32)
    return VL_STATUS_OK;
  for (size_t i = 0; i < bytes / sizeof (float); i++)
    if (!isfinite (f[i]))
      return vl_set_error (error, VL_STATUS_NON_FINITE,
                           "tensor '%s' has a non-finite value at element "
                           "%zu", name, i);
  return VL_STATUS_OK;
}

VlStatus
vl_weights_set (VlWeights *weights, const char *name,
                const VlWeightsShape *shape, const void *data,
                VlError **error)
{
  VlWeightTensor *tensor = NULL;
  size_t bytes = 0, at;
  VlStatus status;

  if ((status = check_weights (weights, error)) != VL_STATUS_OK
      || (status = check_name (name, error)) != VL_STATUS_OK)
    return status;
  if (shape == NULL)
    return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT,
                         "shape of tensor '%s' is NULL", name);
  if ((status = shape_bytes (shape, name, &bytes, error)) != VL_STATUS_OK
      || (status = check_data (shape, name, data, bytes, error))
         != VL_STATUS_OK)
    return status;

  at = find (weights, name);
  if (at == SIZE_MAX && weights->n == weights->cap)
    {
      size_t cap = weights->cap ? 2 * weights->cap : 8;
      VlWeightTensor **items = realloc (weights->items, cap * sizeof *items);

      if (items == NULL)
        return vl_set_error (error, VL_STATUS_OUT_OF_MEMORY, "out of memory");
      weights->items = items;
      weights->cap = cap;
    }
  if ((tensor = calloc (1, sizeof *tensor)) == NULL
      || (tensor->name = strdup (name)) == NULL)
    {
      free (tensor);
      return vl_set_error (error, VL_STATUS_OUT_OF_MEMORY, "out of memory");
    }
  tensor->refs = 1;
  tensor->ctx = weights->ctx;
  tensor->shape = *shape;
  for (size_t i = shape->n_dims; i < VL_WEIGHTS_MAX_DIMS; i++)
    tensor->shape.dims[i] = 0;
  tensor->bytes = bytes;
  memset (&weights->ctx->breakdown, 0, sizeof weights->ctx->breakdown);
  if ((status = weights->ctx->backend->proj->tensor_new (weights->ctx, data,
                                                         bytes,
                                                         &tensor->storage,
                                                         error))
      != VL_STATUS_OK)
    {
      vl_weight_tensor_unref (tensor);
      return status;
    }

  if (at == SIZE_MAX)
    weights->items[weights->n++] = tensor;
  else
    {
      vl_weight_tensor_unref (weights->items[at]);
      weights->items[at] = tensor;
    }
  return VL_STATUS_OK;
}

VlStatus
vl_weights_remove (VlWeights *weights, const char *name, VlError **error)
{
  size_t at;
  VlStatus status;

  if ((status = check_weights (weights, error)) != VL_STATUS_OK
      || (status = check_name (name, error)) != VL_STATUS_OK)
    return status;
  if ((at = find (weights, name)) == SIZE_MAX)
    return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT,
                         "no tensor named '%s'", name);
  vl_weight_tensor_unref (weights->items[at]);
  memmove (weights->items + at, weights->items + at + 1,
           (weights->n - at - 1) * sizeof *weights->items);
  weights->n--;
  return VL_STATUS_OK;
}

bool
vl_weights_contains (VlWeights *weights, const char *name)
{
  return weights != NULL && name != NULL && find (weights, name) != SIZE_MAX;
}

size_t
vl_weights_get_n (VlWeights *weights)
{
  return weights != NULL ? weights->n : 0;
}

const char *
vl_weights_get_name (VlWeights *weights, size_t i)
{
  return weights != NULL && i < weights->n ? weights->items[i]->name : NULL;
}

size_t
vl_weights_get_bytes (VlWeights *weights)
{
  size_t total = 0;

  for (size_t i = 0; i < vl_weights_get_n (weights); i++)
    total += weights->items[i]->bytes;
  return total;
}

static VlStatus
get (VlWeights *weights, const char *name, VlWeightTensor **tensor,
     VlError **error)
{
  VlStatus status;
  size_t at;

  if ((status = check_weights (weights, error)) != VL_STATUS_OK
      || (status = check_name (name, error)) != VL_STATUS_OK)
    return status;
  if ((at = find (weights, name)) == SIZE_MAX)
    return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT,
                         "no tensor named '%s' in the registry", name);
  *tensor = weights->items[at];
  return VL_STATUS_OK;
}

VlStatus
vl_weights_get_shape (VlWeights *weights, const char *name,
                      VlWeightsShape *shape, VlError **error)
{
  VlWeightTensor *tensor = NULL;
  VlStatus status;

  if ((status = get (weights, name, &tensor, error)) != VL_STATUS_OK)
    return status;
  if (shape == NULL)
    return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT, "shape is NULL");
  *shape = tensor->shape;
  return VL_STATUS_OK;
}

static bool
shape_matches (const VlWeightsShape *found, const VlWeightsShape *expected)
{
  if (found->dtype != expected->dtype || found->n_dims != expected->n_dims)
    return false;
  for (size_t i = 0; i < found->n_dims; i++)
    if (expected->dims[i] != 0 && expected->dims[i] != found->dims[i])
      return false;
  return true;
}

VlStatus
vl_weights_check (VlWeights *weights, const char *name,
                  const VlWeightsShape *expected, VlError **error)
{
  VlWeightTensor *tensor = NULL;
  char want[160], have[160];
  VlStatus status;

  if ((status = get (weights, name, &tensor, error)) != VL_STATUS_OK)
    return status;
  if (expected == NULL)
    return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT,
                         "expected shape of tensor '%s' is NULL", name);
  if (shape_matches (&tensor->shape, expected))
    return VL_STATUS_OK;
  format_shape (expected, want, sizeof want);
  format_shape (&tensor->shape, have, sizeof have);
  return vl_set_error (error, VL_STATUS_SHAPE_MISMATCH,
                       "tensor '%s': expected %s, found %s", name, want, have);
}

VlStatus
vl_weights_lookup (VlWeights *weights, const char *name,
                   const VlWeightsShape *expected, VlWeightTensor **tensor,
                   VlError **error)
{
  VlStatus status = vl_weights_check (weights, name, expected, error);

  if (status != VL_STATUS_OK)
    return status;
  *tensor = weights->items[find (weights, name)];
  (*tensor)->refs++;
  return VL_STATUS_OK;
}

VlStatus
vl_weights_read (VlWeights *weights, const char *name, void *data,
                 size_t bytes, VlError **error)
{
  VlWeightTensor *tensor = NULL;
  VlStatus status;

  if ((status = get (weights, name, &tensor, error)) != VL_STATUS_OK)
    return status;
  if (data == NULL || bytes != tensor->bytes)
    return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT,
                         "reading tensor '%s' needs a buffer of %zu bytes, "
                         "got %zu%s", name, tensor->bytes, bytes,
                         data == NULL ? " (NULL)" : "");
  memset (&weights->ctx->breakdown, 0, sizeof weights->ctx->breakdown);
  return weights->ctx->backend->proj->tensor_read (weights->ctx,
                                                   tensor->storage, data,
                                                   bytes, error);
}
