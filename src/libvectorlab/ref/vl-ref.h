/* vl-ref.h: scalar reference kernels shared by the ref backend's files. */
#pragma once

#include "vl-private.h"

/* The score of @a against @b under @metric, accumulated in double so that
 * the oracle is more exact than any backend it judges. */
double vl_ref_score (VlMetric metric, const float *a, const float *b,
                     size_t d);

VlStatus vl_ref_index_build  (VlIndex *index, const VlMatrix *database,
                              VlError **error);
void     vl_ref_index_free   (VlIndex *index);
VlStatus vl_ref_index_search (VlIndex *index, const VlMatrix *queries,
                              size_t k, int64_t *ids, float *scores,
                              VlError **error);
