/* vl-index.c: the flat k-NN index front end and one-shot vl_knn. */
#include "vl-validate.h"

#include <stdlib.h>
#include <string.h>

static VlStatus
index_create (VlContext *ctx, VlMetric metric, const VlMatrix *database,
              VlIndex **out, VlError **error)
{
  VlIndex *index;
  VlStatus status;

  if ((status = vl_check_context (ctx, error)) != VL_STATUS_OK
      || (status = vl_check_matrix (database, "database", error)) != VL_STATUS_OK)
    return status;
  if ((unsigned) metric > VL_METRIC_COSINE)
    return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT,
                         "unknown metric %d", (int) metric);
  if ((status = vl_check_finite (database, "database", error)) != VL_STATUS_OK)
    return status;

  index = calloc (1, sizeof *index);
  if (index == NULL)
    return vl_set_error (error, VL_STATUS_OUT_OF_MEMORY, "out of memory");
  index->ctx = ctx;
  index->metric = metric;
  index->n = database->rows;
  index->d = database->cols;

  memset (&ctx->breakdown, 0, sizeof ctx->breakdown);
  if ((status = ctx->backend->index_build (index, database, error)) != VL_STATUS_OK)
    {
      vl_index_free (index);
      return status;
    }
  *out = index;
  return VL_STATUS_OK;
}

VlIndex *
vl_index_new (VlContext *ctx, VlMetric metric, const VlMatrix *database,
              VlError **error)
{
  VlIndex *index = NULL;

  index_create (ctx, metric, database, &index, error);
  return index;
}

void
vl_index_free (VlIndex *index)
{
  if (index == NULL)
    return;
  index->ctx->backend->index_free (index);
  free (index);
}

size_t
vl_index_get_size (VlIndex *index)
{
  return index != NULL ? index->n : 0;
}

size_t
vl_index_get_dim (VlIndex *index)
{
  return index != NULL ? index->d : 0;
}

VlStatus
vl_index_search (VlIndex *index, const VlMatrix *queries, size_t k,
                 int64_t *ids, float *scores, VlError **error)
{
  VlStatus status;

  if (index == NULL)
    return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT, "index is NULL");
  if ((status = vl_check_search (queries, index->d, "the index", index->n,
                                 "database", k, ids, scores, error))
      != VL_STATUS_OK)
    return status;

  memset (&index->ctx->breakdown, 0, sizeof index->ctx->breakdown);
  return index->ctx->backend->index_search (index, queries, k, ids, scores,
                                            error);
}

VlStatus
vl_knn (VlContext *ctx, VlMetric metric, const VlMatrix *queries,
        const VlMatrix *database, size_t k, int64_t *ids, float *scores,
        VlError **error)
{
  VlIndex *index = NULL;
  VlStatus status = index_create (ctx, metric, database, &index, error);

  if (status != VL_STATUS_OK)
    return status;
  status = vl_index_search (index, queries, k, ids, scores, error);
  vl_index_free (index);
  return status;
}
