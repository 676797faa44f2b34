/* vl-weights.h: the weight registry (the founding documents' TensorManager).
 *
 * A VlWeights holds named tensors on its context's device: up to 4-D, fp32
 * or uint8, each created from a copy of host memory.  On OpenCL the data
 * lives in device buffers from the context's pool; on cpu and ref in 64-byte
 * aligned host memory.  Ops that take weights (vl-proj.h) look them up by
 * name and check their shape, so a wrong file or a typo in a name fails with
 * a message naming the tensor, the shape expected and the shape found.
 *
 * Names are at most VL_WEIGHTS_MAX_NAME bytes.  A registry is bound to one
 * context, must be freed before it, and like the context is not
 * thread-safe.
 */
#pragma once

#include "vectorlab.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VL_WEIGHTS_MAX_DIMS 4
#define VL_WEIGHTS_MAX_NAME 255

typedef struct _VlWeights VlWeights;

/* The shape of a tensor: dims[0 .. n_dims) are used, the rest are 0. */
typedef struct
{
  size_t  n_dims;
  size_t  dims[VL_WEIGHTS_MAX_DIMS];
  VlDtype dtype;
} VlWeightsShape;

/* A 2-D fp32 shape, the common case for projection matrices. */
VlWeightsShape vl_weights_shape_2d (size_t rows, size_t cols);

VlWeights *vl_weights_new  (VlContext *ctx, VlError **error);
void       vl_weights_free (VlWeights *weights);

/* Stores a copy of @data (shape->dtype elements in row-major order) as
 * @name on the device, replacing a tensor of that name.  On failure a
 * tensor it would have replaced is left as it was. */
VlStatus vl_weights_set (VlWeights            *weights,
                         const char           *name,
                         const VlWeightsShape *shape,
                         const void           *data,
                         VlError             **error);

/* Removes @name; VL_STATUS_INVALID_ARGUMENT when there is none. */
VlStatus vl_weights_remove (VlWeights  *weights,
                            const char *name,
                            VlError   **error);

bool   vl_weights_contains (VlWeights *weights, const char *name);
size_t vl_weights_get_n    (VlWeights *weights);
/* The name of the @i-th tensor in insertion order, or NULL. */
const char *vl_weights_get_name (VlWeights *weights, size_t i);

/* The shape of @name into @shape. */
VlStatus vl_weights_get_shape (VlWeights      *weights,
                               const char     *name,
                               VlWeightsShape *shape,
                               VlError       **error);

/* Succeeds when @name exists with exactly @expected's dtype and shape;
 * otherwise VL_STATUS_SHAPE_MISMATCH (or INVALID_ARGUMENT for a missing
 * tensor) with a message such as
 * "tensor 'wq': expected f32 [768, 128], found f32 [128, 768]".  A 0 in
 * @expected->dims matches any size. */
VlStatus vl_weights_check (VlWeights            *weights,
                           const char           *name,
                           const VlWeightsShape *expected,
                           VlError             **error);

/* Copies the data of @name back to host memory; @bytes must be its size. */
VlStatus vl_weights_read (VlWeights  *weights,
                          const char *name,
                          void       *data,
                          size_t      bytes,
                          VlError   **error);

/* Bytes held on the device by every tensor together. */
size_t vl_weights_get_bytes (VlWeights *weights);

#ifdef __cplusplus
}
#endif
