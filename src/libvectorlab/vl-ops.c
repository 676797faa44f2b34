/* vl-ops.c: the public one-shot ops.  Each validates its arguments once,
 * clears the breakdown and dispatches to the context's backend. */
#include "vl-validate.h"

#include <string.h>

static VlStatus
check_metric (VlMetric metric, VlError **error)
{
  if ((unsigned) metric > VL_METRIC_COSINE)
    return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT,
                         "unknown metric %d", (int) metric);
  return VL_STATUS_OK;
}

VlStatus
vl_distance_matrix (VlContext *ctx, VlMetric metric, const VlMatrix *queries,
                    const VlMatrix *database, VlMatrix *out, VlError **error)
{
  VL_TRY (vl_check_context (ctx, error));
  VL_TRY (check_metric (metric, error));
  VL_TRY (vl_check_pairwise (queries, database, "database", false, out,
                             error));

  memset (&ctx->breakdown, 0, sizeof ctx->breakdown);
  return ctx->backend->distance_matrix (ctx, metric, queries, database, out,
                                        error);
}

VlStatus
vl_normalize_rows (VlContext *ctx, const VlMatrix *in, VlMatrix *out,
                   VlError **error)
{
  VL_TRY (vl_check_context (ctx, error));
  VL_TRY (vl_check_matrix (in, "input", error));
  VL_TRY (vl_check_output (out, "output", in->rows, in->cols, error));
  VL_TRY (vl_check_finite (in, "input", error));

  memset (&ctx->breakdown, 0, sizeof ctx->breakdown);
  return ctx->backend->normalize_rows (ctx, in, out, error);
}

VlStatus
vl_similarity_matrix (VlContext *ctx, const VlMatrix *x, VlMatrix *out,
                      VlError **error)
{
  VL_TRY (vl_check_context (ctx, error));
  VL_TRY (vl_check_matrix (x, "input", error));
  VL_TRY (vl_check_output (out, "output", x->rows, x->rows, error));
  VL_TRY (vl_check_finite (x, "input", error));

  memset (&ctx->breakdown, 0, sizeof ctx->breakdown);
  return ctx->backend->similarity_matrix (ctx, x, out, error);
}

static VlStatus
check_pool_args (VlContext *ctx, const VlMatrix *tokens, size_t seq,
                 const uint8_t *mask, VlMatrix *out, VlError **error)
{
  VL_TRY (vl_check_context (ctx, error));
  VL_TRY (vl_check_matrix (tokens, "tokens", error));
  if (seq == 0 || tokens->rows % seq != 0)
    return vl_set_error (error, VL_STATUS_SHAPE_MISMATCH,
                         "tokens have %zu rows, not a multiple of the "
                         "sequence length %zu", tokens->rows, seq);
  if (mask == NULL)
    return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT, "mask is NULL");
  VL_TRY (vl_check_output (out, "output", tokens->rows / seq, tokens->cols,
                           error));
  for (size_t i = 0; i < tokens->rows; i++)
    if (mask[i] > 1)
      return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT,
                           "mask entry %zu is %u, expected 0 or 1", i,
                           (unsigned) mask[i]);
  return vl_check_finite (tokens, "tokens", error);
}

VlStatus
vl_pool_mean (VlContext *ctx, const VlMatrix *tokens, size_t seq,
              const uint8_t *mask, VlMatrix *out, VlError **error)
{
  VL_TRY (check_pool_args (ctx, tokens, seq, mask, out, error));

  memset (&ctx->breakdown, 0, sizeof ctx->breakdown);
  return ctx->backend->pool (ctx, tokens, seq, mask, NULL, out, error);
}

VlStatus
vl_pool_attention (VlContext *ctx, const VlMatrix *tokens, size_t seq,
                   const uint8_t *mask, const float *w, VlMatrix *out,
                   VlError **error)
{
  VlMatrix wm;

  VL_TRY (check_pool_args (ctx, tokens, seq, mask, out, error));
  if (w == NULL)
    return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT,
                         "attention weights are NULL");
  wm = vl_matrix_f32 ((float *) w, 1, tokens->cols);
  VL_TRY (vl_check_finite (&wm, "attention weights", error));

  memset (&ctx->breakdown, 0, sizeof ctx->breakdown);
  return ctx->backend->pool (ctx, tokens, seq, mask, w, out, error);
}
