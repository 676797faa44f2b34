/* vl-ref.c: the scalar reference backend.  It is the test oracle: plain
 * loops, double accumulation, no tiling, never optimised. */
#include "vl-ref.h"
#include "vl-proj-private.h"
#include "vl-neural-private.h"
#include "vl-sq-private.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
vl_ref_describe (VlDeviceInfo *info)
{
  memset (info, 0, sizeof *info);
  snprintf (info->id, sizeof info->id, "ref");
  info->backend = VL_BACKEND_REF;
  snprintf (info->name, sizeof info->name, "Scalar reference");
  snprintf (info->vendor, sizeof info->vendor, "vectorlab");
  snprintf (info->driver, sizeof info->driver, "%s", VL_VERSION);
  info->compute_units = 1;
  info->max_work_group_size = 1;
  info->fp64 = true;
}

static VlStatus
ref_context_init (VlContext *ctx, VlError **error)
{
  return VL_STATUS_OK;
}

static void
ref_context_finish (VlContext *ctx)
{
}

static double
dot (const float *a, const float *b, size_t d)
{
  double s = 0.0;

  for (size_t i = 0; i < d; i++)
    s += (double) a[i] * (double) b[i];
  return s;
}

double
vl_ref_score (VlMetric metric, const float *a, const float *b, size_t d)
{
  double s = 0.0, na, nb;

  switch (metric)
    {
    case VL_METRIC_L2:
      for (size_t i = 0; i < d; i++)
        {
          double diff = (double) a[i] - (double) b[i];
          s += diff * diff;
        }
      return s;
    case VL_METRIC_IP:
      return dot (a, b, d);
    case VL_METRIC_COSINE:
    default:
      na = sqrt (dot (a, a, d));
      nb = sqrt (dot (b, b, d));
      return na > 0.0 && nb > 0.0 ? dot (a, b, d) / (na * nb) : 0.0;
    }
}

static VlStatus
ref_distance_matrix (VlContext *ctx, VlMetric metric, const VlMatrix *queries,
                     const VlMatrix *database, VlMatrix *out,
                     VlError **error)
{
  double t0 = vl_now_ms ();

  for (size_t i = 0; i < queries->rows; i++)
    for (size_t j = 0; j < database->rows; j++)
      vl_row_f32_mut (out, i)[j] =
        (float) vl_ref_score (metric, vl_row_f32 (queries, i),
                              vl_row_f32 (database, j), queries->cols);
  ctx->breakdown.kernel_ms = vl_now_ms () - t0;
  return VL_STATUS_OK;
}

static VlStatus
ref_normalize_rows (VlContext *ctx, const VlMatrix *in, VlMatrix *out,
                    VlError **error)
{
  double t0 = vl_now_ms ();

  for (size_t r = 0; r < in->rows; r++)
    {
      const float *src = vl_row_f32 (in, r);
      float *dst = vl_row_f32_mut (out, r);
      double norm = sqrt (dot (src, src, in->cols));
      double inv = norm > 0.0 ? 1.0 / norm : 0.0;

      for (size_t c = 0; c < in->cols; c++)
        dst[c] = (float) (src[c] * inv);
    }
  ctx->breakdown.kernel_ms = vl_now_ms () - t0;
  return VL_STATUS_OK;
}

static VlStatus
ref_similarity_matrix (VlContext *ctx, const VlMatrix *x, VlMatrix *out,
                       VlError **error)
{
  double t0 = vl_now_ms ();

  for (size_t i = 0; i < x->rows; i++)
    for (size_t j = 0; j < x->rows; j++)
      vl_row_f32_mut (out, i)[j] =
        (float) vl_ref_score (VL_METRIC_COSINE, vl_row_f32 (x, i),
                              vl_row_f32 (x, j), x->cols);
  ctx->breakdown.kernel_ms = vl_now_ms () - t0;
  return VL_STATUS_OK;
}

static VlStatus
ref_pool (VlContext *ctx, const VlMatrix *tokens, size_t seq,
          const uint8_t *mask, const float *w, VlMatrix *out, VlError **error)
{
  size_t d = tokens->cols;
  double t0 = vl_now_ms ();
  double *acc = malloc (d * sizeof *acc);
  double *logits = malloc (seq * sizeof *logits);

  if (acc == NULL || logits == NULL)
    {
      free (acc);
      free (logits);
      return vl_set_error (error, VL_STATUS_OUT_OF_MEMORY,
                           "out of memory in pooling");
    }

  for (size_t b = 0; b < out->rows; b++)
    {
      const uint8_t *m = mask + b * seq;
      double max_logit = -INFINITY, total = 0.0;

      /* Mean pooling is attention pooling with equal logits. */
      for (size_t t = 0; t < seq; t++)
        if (m[t])
          {
            logits[t] = w != NULL ? dot (vl_row_f32 (tokens, b * seq + t), w, d)
                                  : 0.0;
            if (logits[t] > max_logit)
              max_logit = logits[t];
          }
      for (size_t t = 0; t < seq; t++)
        if (m[t])
          {
            logits[t] = exp (logits[t] - max_logit);
            total += logits[t];
          }

      memset (acc, 0, d * sizeof *acc);
      for (size_t t = 0; t < seq; t++)
        if (m[t])
          {
            const float *tok = vl_row_f32 (tokens, b * seq + t);
            double weight = logits[t] / total;

            for (size_t c = 0; c < d; c++)
              acc[c] += weight * tok[c];
          }
      for (size_t c = 0; c < d; c++)
        vl_row_f32_mut (out, b)[c] = (float) acc[c];
    }

  free (acc);
  free (logits);
  ctx->breakdown.kernel_ms = vl_now_ms () - t0;
  return VL_STATUS_OK;
}

const VlBackend vl_ref_backend = {
  .kind = VL_BACKEND_REF,
  .context_init = ref_context_init,
  .context_finish = ref_context_finish,
  .distance_matrix = ref_distance_matrix,
  .normalize_rows = ref_normalize_rows,
  .similarity_matrix = ref_similarity_matrix,
  .pool = ref_pool,
  .index_build = vl_ref_index_build,
  .index_free = vl_ref_index_free,
  .index_search = vl_ref_index_search,
  .proj = &vl_ref_proj_ops,
  .sq = &vl_ref_sq_ops,
  .neural = &vl_ref_neural_ops,
};
