/* vl-proj-private.h: the weight registry's tensors and the learned
 * projection family's backend table. */
#pragma once

#include "vl-private.h"
#include "vl-proj.h"

/* One tensor of a registry.  Reference counted, so that an index built
 * from it keeps it alive after the registry replaces or removes it. */
typedef struct
{
  unsigned       refs;
  VlContext     *ctx;
  char          *name;
  VlWeightsShape shape;
  size_t         bytes;
  void          *storage;  /* backend-owned: host memory or a cl_mem */
} VlWeightTensor;

/* Stores a new reference to @name in *@tensor after vl_weights_check
 * (@expected). */
VlStatus vl_weights_lookup (VlWeights *weights, const char *name,
                            const VlWeightsShape *expected,
                            VlWeightTensor **tensor, VlError **error);
void     vl_weight_tensor_unref (VlWeightTensor *tensor);

struct _VlProjOps
{
  /* Copies @bytes of host @data into new device storage. */
  VlStatus (*tensor_new)  (VlContext *ctx, const void *data, size_t bytes,
                           void **storage, VlError **error);
  void     (*tensor_free) (VlContext *ctx, void *storage);
  VlStatus (*tensor_read) (VlContext *ctx, void *storage, void *data,
                           size_t bytes, VlError **error);
  /* out = scale * x w^T, where @w is a validated fp32 p x x->cols tensor
   * and @out is x->rows x p. */
  VlStatus (*project)     (VlContext *ctx, const VlWeightTensor *w,
                           const VlMatrix *x, float scale, VlMatrix *out,
                           VlError **error);
  /* vl_index_search of @index with the queries projected by @w times
   * @scale, where the backend can keep them on its device meanwhile;
   * NULL where projecting and then searching costs the same. */
  VlStatus (*search)      (VlIndex *index, const VlWeightTensor *w,
                           float scale, const VlMatrix *queries, size_t k,
                           int64_t *ids, float *scores, VlError **error);
};

/* Host storage shared by ref and cpu: 64-byte aligned copies. */
VlStatus vl_host_tensor_new  (VlContext *ctx, const void *data, size_t bytes,
                              void **storage, VlError **error);
void     vl_host_tensor_free (VlContext *ctx, void *storage);
VlStatus vl_host_tensor_read (VlContext *ctx, void *storage, void *data,
                              size_t bytes, VlError **error);

extern const VlProjOps vl_ref_proj_ops;
extern const VlProjOps vl_cpu_proj_ops;
#ifdef VL_HAVE_OPENCL
extern const VlProjOps vl_opencl_proj_ops;
#endif
