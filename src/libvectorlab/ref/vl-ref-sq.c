/* vl-ref-sq.c: reference scalar quantisation.  Encoding and decoding are
 * computed in double from the ranges themselves (not the fp32 constants the
 * other backends share), and a search decodes every row and scores it with
 * vl_ref_score(), so the oracle is the definition of search on codes. */
#include "vl-ref.h"
#include "vl-sq-private.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static unsigned
quantize (const VlSqParams *p, size_t i, float x)
{
  double range = (double) p->max[i] - (double) p->min[i];
  double t;

  if (range <= 0.0)
    return 0;
  t = ((double) x - (double) p->min[i]) / range * p->levels;
  if (t <= 0.0)
    return 0;
  if (t >= p->levels)
    return p->levels;
  return (unsigned) floor (t + 0.5);
}

static float
dequantize (const VlSqParams *p, size_t i, unsigned code)
{
  double range = (double) p->max[i] - (double) p->min[i];

  return (float) ((double) p->min[i] + code * range / p->levels);
}

static void
decode_row (const VlSqParams *p, const uint8_t *codes, float *out)
{
  for (size_t i = 0; i < p->d; i++)
    out[i] = dequantize (p, i, vl_sq_code_at (p, codes, i));
}

static VlStatus
ref_sq_encode (VlContext *ctx, const VlSqParams *p, const VlMatrix *x,
               uint8_t *codes, VlError **error)
{
  double t0 = vl_now_ms ();

  memset (codes, 0, x->rows * p->code_size);
  for (size_t r = 0; r < x->rows; r++)
    {
      const float *row = vl_row_f32 (x, r);
      uint8_t *dst = codes + r * p->code_size;

      for (size_t i = 0; i < p->d; i++)
        if (p->type == VL_SQ_8)
          dst[i] = (uint8_t) quantize (p, i, row[i]);
        else
          dst[i / 2] |= (uint8_t) (quantize (p, i, row[i]) << (4 * (i & 1)));
    }
  ctx->breakdown.kernel_ms = vl_now_ms () - t0;
  return VL_STATUS_OK;
}

static VlStatus
ref_sq_decode (VlContext *ctx, const VlSqParams *p, const uint8_t *codes,
               VlMatrix *out, VlError **error)
{
  double t0 = vl_now_ms ();

  for (size_t r = 0; r < out->rows; r++)
    decode_row (p, codes + r * p->code_size, vl_row_f32_mut (out, r));
  ctx->breakdown.kernel_ms = vl_now_ms () - t0;
  return VL_STATUS_OK;
}

static VlStatus
ref_sq_index_build (VlSqIndex *index, const uint8_t *codes, VlError **error)
{
  size_t bytes = index->n * index->params.code_size;

  index->priv = malloc (bytes);
  if (index->priv == NULL)
    return vl_set_error (error, VL_STATUS_OUT_OF_MEMORY,
                         "out of memory copying %zu bytes of codes", bytes);
  memcpy (index->priv, codes, bytes);
  return VL_STATUS_OK;
}

static void
ref_sq_index_free (VlSqIndex *index)
{
  free (index->priv);
  index->priv = NULL;
}

typedef struct
{
  double  key;   /* the score, negated for similarities */
  int64_t id;
} Candidate;

static int
compare_candidates (const void *pa, const void *pb)
{
  const Candidate *a = pa, *b = pb;

  if (a->key != b->key)
    return a->key < b->key ? -1 : 1;
  return (a->id > b->id) - (a->id < b->id);
}

static VlStatus
ref_sq_index_search (VlSqIndex *index, const VlMatrix *queries, size_t k,
                     int64_t *ids, float *scores, VlError **error)
{
  const VlSqParams *p = &index->params;
  size_t n = index->n, d = p->d;
  float *decoded = n <= SIZE_MAX / sizeof (float) / d
                   ? malloc (n * d * sizeof *decoded) : NULL;
  Candidate *cands = malloc (n * sizeof *cands);
  double sign = vl_metric_is_similarity (index->metric) ? -1.0 : 1.0;
  double t0 = vl_now_ms ();

  if (decoded == NULL || cands == NULL)
    {
      free (decoded);
      free (cands);
      return vl_set_error (error, VL_STATUS_OUT_OF_MEMORY,
                           "out of memory decoding %zu x %zu codes", n, d);
    }
  for (size_t j = 0; j < n; j++)
    decode_row (p, (const uint8_t *) index->priv + j * p->code_size,
                decoded + j * d);

  for (size_t q = 0; q < queries->rows; q++)
    {
      for (size_t j = 0; j < n; j++)
        {
          /* Keys are rounded to float first, as the scores returned are,
           * so that ties are ties of the values the caller sees. */
          cands[j].key = sign * (float) vl_ref_score (index->metric,
                                                      vl_row_f32 (queries, q),
                                                      decoded + j * d, d);
          cands[j].id = (int64_t) j;
        }
      qsort (cands, n, sizeof *cands, compare_candidates);
      for (size_t i = 0; i < k; i++)
        {
          ids[q * k + i] = cands[i].id;
          scores[q * k + i] = (float) (sign * cands[i].key);
        }
    }
  free (decoded);
  free (cands);
  index->ctx->breakdown.kernel_ms = vl_now_ms () - t0;
  return VL_STATUS_OK;
}

const VlSqOps vl_ref_sq_ops = {
  .encode = ref_sq_encode,
  .decode = ref_sq_decode,
  .index_build = ref_sq_index_build,
  .index_free = ref_sq_index_free,
  .index_search = ref_sq_index_search,
};
