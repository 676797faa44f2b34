/* vl-proj.h: learned projections: projected distance and attention
 * similarity, with weights from a VlWeights registry (vl-weights.h).
 *
 * Projected distance: a p x d fp32 projection P maps rows to P x; an index
 * keeps the projected database on the device (projected once, reused by
 * every search) and ranks queries by L2, IP or cosine in the p-dimensional
 * space.
 *
 * Attention similarity: Wq and Wk are (h * dh) x d fp32 tensors, read as h
 * heads of dh rows each.  The score of a query q against a key is
 *   mean over heads of (Wq q)_h . (Wk key)_h / sqrt (dh)
 * which, the mean and the scale being linear, equals
 *   (Wq q) . (Wk key) / (h * sqrt (dh)):
 * the backends project the queries with that factor folded in and take
 * inner products against the cached projected keys, so single and
 * multi-head cost the same per projected dimension.  Larger scores rank
 * first; ties rank by the lower key id.
 *
 * Indexes hold a reference to the tensors they use: replacing or removing
 * them in the registry afterwards does not change an index, but the index
 * must be freed before the context.
 */
#pragma once

#include "vectorlab.h"
#include "vl-weights.h"

#ifdef __cplusplus
extern "C" {
#endif

/* out = x P^T: @out is x->rows x p. */
VlStatus vl_project (VlContext      *ctx,
                     VlWeights      *weights,
                     const char     *projection,
                     const VlMatrix *x,
                     VlMatrix       *out,
                     VlError       **error);

typedef struct _VlProjIndex VlProjIndex;

/* Projects @database (n x d) with the p x d tensor @projection and indexes
 * the projected rows under @metric. */
VlProjIndex *vl_proj_index_new  (VlContext      *ctx,
                                 VlMetric        metric,
                                 VlWeights      *weights,
                                 const char     *projection,
                                 const VlMatrix *database,
                                 VlError       **error);
void         vl_proj_index_free (VlProjIndex *index);
size_t       vl_proj_index_get_size (VlProjIndex *index);
size_t       vl_proj_index_get_dim  (VlProjIndex *index);
/* p, the dimension searched. */
size_t       vl_proj_index_get_projected_dim (VlProjIndex *index);

/* Projects @queries (nq x d) and writes the k best ids and scores of each
 * (scores in the projected space), as vl_index_search does. */
VlStatus vl_proj_index_search (VlProjIndex    *index,
                               const VlMatrix *queries,
                               size_t          k,
                               int64_t        *ids,
                               float          *scores,
                               VlError       **error);

typedef struct _VlAttentionIndex VlAttentionIndex;

/* Projects @keys (n x d) with @wk; @wq and @wk are both (heads * dh) x d. */
VlAttentionIndex *vl_attention_index_new  (VlContext      *ctx,
                                           VlWeights      *weights,
                                           const char     *wq,
                                           const char     *wk,
                                           size_t          heads,
                                           const VlMatrix *keys,
                                           VlError       **error);
void              vl_attention_index_free (VlAttentionIndex *index);
size_t            vl_attention_index_get_size  (VlAttentionIndex *index);
size_t            vl_attention_index_get_heads (VlAttentionIndex *index);

/* The k keys with the largest attention scores for each query, best
 * first, ties to the lower id. */
VlStatus vl_attention_index_search (VlAttentionIndex *index,
                                    const VlMatrix   *queries,
                                    size_t            k,
                                    int64_t          *ids,
                                    float            *scores,
                                    VlError         **error);

/* Every attention score: @out is queries->rows x keys->rows. */
VlStatus vl_attention_scores (VlContext      *ctx,
                              VlWeights      *weights,
                              const char     *wq,
                              const char     *wk,
                              size_t          heads,
                              const VlMatrix *queries,
                              const VlMatrix *keys,
                              VlMatrix       *out,
                              VlError       **error);

#ifdef __cplusplus
}
#endif
