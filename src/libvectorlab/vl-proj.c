/* vl-proj.c: the learned-projection front end.  Projections run on the
 * backend (its `proj` table); the projected rows are then searched by the
 * backend's own flat index, so every backend ranks projected vectors with
 * the same tuned k-NN (fused top-k, ties to the lower id) it uses for plain
 * vectors, and the projected database stays on the device. */
#include "vl-proj-private.h"
#include "vl-validate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* What both projected indexes are: queries of @d dimensions are projected
 * with @w times @scale, then searched in @index, built over the projected
 * rows. */
typedef struct
{
  VlWeightTensor *w;
  VlIndex        *index;
  size_t          d;
  float           scale;
} Projected;

struct _VlProjIndex
{
  Projected base;   /* w: the projection, scale 1 */
};

struct _VlAttentionIndex
{
  Projected base;   /* w: Wq, scale 1 / (heads * sqrt (dh)); inner products
                     * over the projected keys */
  size_t    heads;
};

static VlStatus
check_proj_context (VlContext *ctx, VlWeights *weights, VlError **error)
{
  VL_TRY (vl_check_context (ctx, error));
  if (ctx->backend->proj == NULL)
    return vl_set_error (error, VL_STATUS_UNSUPPORTED,
                         "the %s backend has no learned projections",
                         vl_backend_kind_to_string (ctx->backend->kind));
  if (weights == NULL)
    return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT,
                         "weight registry is NULL");
  return VL_STATUS_OK;
}

/* A reference to the fp32 matrix @name of @rows (0: any) x @d, stored on
 * @ctx's device. */
static VlStatus
lookup_matrix (VlContext *ctx, VlWeights *weights, const char *name,
               size_t rows, size_t d, VlWeightTensor **tensor,
               VlError **error)
{
  VlWeightsShape expected = vl_weights_shape_2d (rows, d);

  VL_TRY (vl_weights_lookup (weights, name, &expected, tensor, error));
  if ((*tensor)->ctx != ctx)
    {
      vl_weight_tensor_unref (*tensor);
      return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT,
                           "tensor '%s' belongs to another context", name);
    }
  return VL_STATUS_OK;
}

/* Projects @x with @w (times @scale) into a new host block of
 * x->rows x p, *@data. */
static VlStatus
project_rows (VlContext *ctx, const VlWeightTensor *w, const VlMatrix *x,
              float scale, float **data, VlMatrix *out, VlError **error)
{
  size_t p = w->shape.dims[0];
  VlStatus status;

  if (x->rows > SIZE_MAX / sizeof (float) / p
      || (*data = malloc (x->rows * p * sizeof (float))) == NULL)
    return vl_set_error (error, VL_STATUS_OUT_OF_MEMORY,
                         "out of memory for %zu projected rows of %zu",
                         x->rows, p);
  *out = vl_matrix_f32 (*data, x->rows, p);
  if ((status = ctx->backend->proj->project (ctx, w, x, scale, out, error))
      != VL_STATUS_OK)
    {
      free (*data);
      *data = NULL;
    }
  return status;
}

static void
add_breakdown (VlBreakdown *to, const VlBreakdown *from)
{
  to->host_prep_ms += from->host_prep_ms;
  to->upload_ms += from->upload_ms;
  to->kernel_ms += from->kernel_ms;
  to->download_ms += from->download_ms;
  to->host_extract_ms += from->host_extract_ms;
}

/* Projects @rows, then builds @metric's index over the result; the
 * breakdown covers both. */
static VlStatus
index_projected (VlContext *ctx, const VlWeightTensor *w, VlMetric metric,
                 const VlMatrix *rows, VlIndex **index, VlError **error)
{
  VlBreakdown projected;
  VlMatrix p;
  float *data = NULL;

  memset (&ctx->breakdown, 0, sizeof ctx->breakdown);
  VL_TRY (project_rows (ctx, w, rows, 1.0f, &data, &p, error));
  projected = ctx->breakdown;
  *index = vl_index_new (ctx, metric, &p, error);
  free (data);
  if (*index == NULL)
    return error != NULL && *error != NULL ? (*error)->status
                                           : VL_STATUS_BACKEND_FAILURE;
  add_breakdown (&ctx->breakdown, &projected);
  return VL_STATUS_OK;
}

/* Checks the search's arguments, projects @queries, then searches; the
 * breakdown covers both. */
static VlStatus
search_projected (const Projected *self, const VlMatrix *queries, size_t k,
                  int64_t *ids, float *scores, VlError **error)
{
  VlContext *ctx = self->index->ctx;
  VlBreakdown projected;
  VlMatrix p;
  float *data = NULL;
  VlStatus status;

  VL_TRY (vl_check_search (queries, self->d, "the index",
                           vl_index_get_size (self->index), "database", k, ids,
                           scores, error));
  memset (&ctx->breakdown, 0, sizeof ctx->breakdown);
  if (ctx->backend->proj->search != NULL)
    return ctx->backend->proj->search (self->index, self->w, self->scale,
                                       queries, k, ids, scores, error);
  VL_TRY (project_rows (ctx, self->w, queries, self->scale, &data, &p, error));
  projected = ctx->breakdown;
  status = vl_index_search (self->index, &p, k, ids, scores, error);
  free (data);
  add_breakdown (&ctx->breakdown, &projected);
  return status;
}

static void
projected_clear (Projected *self)
{
  vl_index_free (self->index);
  vl_weight_tensor_unref (self->w);
}

VlStatus
vl_project (VlContext *ctx, VlWeights *weights, const char *projection,
            const VlMatrix *x, VlMatrix *out, VlError **error)
{
  VlWeightTensor *w;
  VlStatus status;

  VL_TRY (check_proj_context (ctx, weights, error));
  VL_TRY (vl_check_matrix (x, "input", error));
  VL_TRY (lookup_matrix (ctx, weights, projection, 0, x->cols, &w, error));
  if ((status = vl_check_output (out, "output", x->rows, w->shape.dims[0],
                                 error)) == VL_STATUS_OK
      && (status = vl_check_finite (x, "input", error)) == VL_STATUS_OK)
    {
      memset (&ctx->breakdown, 0, sizeof ctx->breakdown);
      status = ctx->backend->proj->project (ctx, w, x, 1.0f, out, error);
    }
  vl_weight_tensor_unref (w);
  return status;
}

/* ---- projected distance ------------------------------------------------ */

VlProjIndex *
vl_proj_index_new (VlContext *ctx, VlMetric metric, VlWeights *weights,
                   const char *projection, const VlMatrix *database,
                   VlError **error)
{
  VlProjIndex *self;

  if (check_proj_context (ctx, weights, error) != VL_STATUS_OK
      || vl_check_matrix (database, "database", error) != VL_STATUS_OK)
    return NULL;
  if ((unsigned) metric > VL_METRIC_COSINE)
    {
      vl_set_error (error, VL_STATUS_INVALID_ARGUMENT, "unknown metric %d",
                    (int) metric);
      return NULL;
    }
  if (vl_check_finite (database, "database", error) != VL_STATUS_OK)
    return NULL;
  if ((self = calloc (1, sizeof *self)) == NULL)
    {
      vl_set_error (error, VL_STATUS_OUT_OF_MEMORY, "out of memory");
      return NULL;
    }
  self->base.d = database->cols;
  self->base.scale = 1.0f;
  if (lookup_matrix (ctx, weights, projection, 0, database->cols,
                     &self->base.w, error) != VL_STATUS_OK
      || index_projected (ctx, self->base.w, metric, database,
                          &self->base.index, error) != VL_STATUS_OK)
    {
      vl_proj_index_free (self);
      return NULL;
    }
  return self;
}

void
vl_proj_index_free (VlProjIndex *index)
{
  if (index == NULL)
    return;
  projected_clear (&index->base);
  free (index);
}

size_t
vl_proj_index_get_size (VlProjIndex *index)
{
  return index != NULL ? vl_index_get_size (index->base.index) : 0;
}

size_t
vl_proj_index_get_dim (VlProjIndex *index)
{
  return index != NULL ? index->base.d : 0;
}

size_t
vl_proj_index_get_projected_dim (VlProjIndex *index)
{
  return index != NULL ? vl_index_get_dim (index->base.index) : 0;
}

VlStatus
vl_proj_index_search (VlProjIndex *index, const VlMatrix *queries, size_t k,
                      int64_t *ids, float *scores, VlError **error)
{
  if (index == NULL)
    return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT, "index is NULL");
  return search_projected (&index->base, queries, k, ids, scores, error);
}

/* ---- attention --------------------------------------------------------- */

/* Looks up Wq and Wk, both (heads * dh) x d, and the score scale. */
static VlStatus
lookup_attention (VlContext *ctx, VlWeights *weights, const char *wq,
                  const char *wk, size_t heads, size_t d,
                  VlWeightTensor **q, VlWeightTensor **k, float *scale,
                  VlError **error)
{
  size_t rows;
  VlStatus status;

  if (heads == 0)
    return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT,
                         "the number of heads must be at least 1");
  VL_TRY (lookup_matrix (ctx, weights, wq, 0, d, q, error));
  rows = (*q)->shape.dims[0];
  if (rows % heads != 0)
    status = vl_set_error (error, VL_STATUS_SHAPE_MISMATCH,
                           "tensor '%s' has %zu rows, not a multiple of "
                           "%zu heads", wq, rows, heads);
  else
    status = lookup_matrix (ctx, weights, wk, rows, d, k, error);
  if (status != VL_STATUS_OK)
    {
      vl_weight_tensor_unref (*q);
      *q = NULL;
      return status;
    }
  *scale = (float) (1.0 / ((double) heads * sqrt ((double) (rows / heads))));
  return VL_STATUS_OK;
}

VlAttentionIndex *
vl_attention_index_new (VlContext *ctx, VlWeights *weights, const char *wq,
                        const char *wk, size_t heads, const VlMatrix *keys,
                        VlError **error)
{
  VlAttentionIndex *self;
  VlWeightTensor *k = NULL;

  if (check_proj_context (ctx, weights, error) != VL_STATUS_OK
      || vl_check_matrix (keys, "keys", error) != VL_STATUS_OK
      || vl_check_finite (keys, "keys", error) != VL_STATUS_OK)
    return NULL;
  if ((self = calloc (1, sizeof *self)) == NULL)
    {
      vl_set_error (error, VL_STATUS_OUT_OF_MEMORY, "out of memory");
      return NULL;
    }
  self->base.d = keys->cols;
  self->heads = heads;
  if (lookup_attention (ctx, weights, wq, wk, heads, keys->cols,
                        &self->base.w, &k, &self->base.scale, error)
      != VL_STATUS_OK
      || index_projected (ctx, k, VL_METRIC_IP, keys, &self->base.index,
                          error) != VL_STATUS_OK)
    {
      vl_weight_tensor_unref (k);
      vl_attention_index_free (self);
      return NULL;
    }
  /* The keys are projected; only Wq is needed from here on. */
  vl_weight_tensor_unref (k);
  return self;
}

void
vl_attention_index_free (VlAttentionIndex *index)
{
  if (index == NULL)
    return;
  projected_clear (&index->base);
  free (index);
}

size_t
vl_attention_index_get_size (VlAttentionIndex *index)
{
  return index != NULL ? vl_index_get_size (index->base.index) : 0;
}

size_t
vl_attention_index_get_heads (VlAttentionIndex *index)
{
  return index != NULL ? index->heads : 0;
}

VlStatus
vl_attention_index_search (VlAttentionIndex *index, const VlMatrix *queries,
                           size_t k, int64_t *ids, float *scores,
                           VlError **error)
{
  if (index == NULL)
    return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT, "index is NULL");
  return search_projected (&index->base, queries, k, ids, scores, error);
}

VlStatus
vl_attention_scores (VlContext *ctx, VlWeights *weights, const char *wq,
                     const char *wk, size_t heads, const VlMatrix *queries,
                     const VlMatrix *keys, VlMatrix *out, VlError **error)
{
  VlWeightTensor *q = NULL, *k = NULL;
  float *qp_data = NULL, *kp_data = NULL, scale;
  VlMatrix qp, kp;
  VlStatus status;

  VL_TRY (check_proj_context (ctx, weights, error));
  VL_TRY (vl_check_pairwise (queries, keys, "keys", true, out, error));
  VL_TRY (lookup_attention (ctx, weights, wq, wk, heads, queries->cols, &q, &k,
                            &scale, error));

  memset (&ctx->breakdown, 0, sizeof ctx->breakdown);
  if ((status = project_rows (ctx, q, queries, scale, &qp_data, &qp, error))
      == VL_STATUS_OK
      && (status = project_rows (ctx, k, keys, 1.0f, &kp_data, &kp, error))
         == VL_STATUS_OK)
    status = ctx->backend->distance_matrix (ctx, VL_METRIC_IP, &qp, &kp, out,
                                            error);
  free (qp_data);
  free (kp_data);
  vl_weight_tensor_unref (q);
  vl_weight_tensor_unref (k);
  return status;
}
