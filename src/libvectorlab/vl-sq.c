/* vl-sq.c: the scalar-quantisation front end: training, codec ranges, and
 * validation of every entry point before it reaches a backend. */
#include "vl-sq-private.h"
#include "vl-validate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *
vl_sq_type_to_string (VlSqType type)
{
  switch (type)
    {
    case VL_SQ_8: return "sq8";
    case VL_SQ_4: return "sq4";
    default: return "unknown";
    }
}

bool
vl_sq_type_from_string (const char *name, VlSqType *type)
{
  if (name == NULL || type == NULL)
    return false;
  if (strcmp (name, "sq8") == 0)
    *type = VL_SQ_8;
  else if (strcmp (name, "sq4") == 0)
    *type = VL_SQ_4;
  else
    return false;
  return true;
}

static void
params_clear (VlSqParams *p)
{
  free (p->min);
  memset (p, 0, sizeof *p);
}

/* Fills @p from ranges the caller has checked; min, max, step and inv
 * share one block owned by min. */
static VlStatus
params_init (VlSqParams *p, VlSqType type, size_t d, const float *min,
             const float *max, VlError **error)
{
  float *block = d <= SIZE_MAX / (4 * sizeof (float))
                 ? malloc (4 * d * sizeof (float)) : NULL;

  if (block == NULL)
    return vl_set_error (error, VL_STATUS_OUT_OF_MEMORY,
                         "out of memory for the ranges of %zu dimensions", d);
  p->type = type;
  p->levels = type == VL_SQ_8 ? 255 : 15;
  p->d = d;
  p->code_size = type == VL_SQ_8 ? d : (d + 1) / 2;
  p->min = block;
  p->max = block + d;
  p->step = block + 2 * d;
  p->inv = block + 3 * d;
  for (size_t i = 0; i < d; i++)
    {
      /* In double: max - min of two finite floats may exceed FLT_MAX. */
      double range = (double) max[i] - (double) min[i];

      p->min[i] = min[i];
      p->max[i] = max[i];
      p->step[i] = (float) (range / p->levels);
      p->inv[i] = range > 0.0 ? (float) (p->levels / range) : 0.0f;
    }
  return VL_STATUS_OK;
}

static VlStatus
check_backend (VlContext *ctx, VlError **error)
{
  if (ctx->backend->sq == NULL)
    return vl_set_error (error, VL_STATUS_UNSUPPORTED,
                         "device %s has no scalar quantisation",
                         ctx->device.id);
  return VL_STATUS_OK;
}

static VlStatus
check_type (VlSqType type, VlError **error)
{
  if ((unsigned) type > VL_SQ_4)
    return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT,
                         "unknown scalar quantiser type %d", (int) type);
  return VL_STATUS_OK;
}

static VlSqCodec *
codec_create (VlContext *ctx, VlSqType type, size_t d, const float *min,
              const float *max, VlError **error)
{
  VlSqCodec *codec = calloc (1, sizeof *codec);

  if (codec == NULL)
    {
      vl_set_error (error, VL_STATUS_OUT_OF_MEMORY, "out of memory");
      return NULL;
    }
  codec->ctx = ctx;
  if (params_init (&codec->params, type, d, min, max, error) != VL_STATUS_OK)
    {
      free (codec);
      return NULL;
    }
  return codec;
}

VlSqCodec *
vl_sq_train (VlContext *ctx, VlSqType type, const VlMatrix *sample,
             VlError **error)
{
  VlSqCodec *codec;
  float *min, *max;
  size_t d;

  if (vl_check_context (ctx, error) != VL_STATUS_OK
      || check_backend (ctx, error) != VL_STATUS_OK
      || check_type (type, error) != VL_STATUS_OK
      || vl_check_matrix (sample, "training sample", error) != VL_STATUS_OK
      || vl_check_finite (sample, "training sample", error) != VL_STATUS_OK)
    return NULL;

  d = sample->cols;
  min = malloc (2 * d * sizeof *min);
  if (min == NULL)
    {
      vl_set_error (error, VL_STATUS_OUT_OF_MEMORY,
                    "out of memory training on %zu dimensions", d);
      return NULL;
    }
  max = min + d;
  memcpy (min, vl_row_f32 (sample, 0), d * sizeof *min);
  memcpy (max, vl_row_f32 (sample, 0), d * sizeof *max);
  for (size_t r = 1; r < sample->rows; r++)
    {
      const float *row = vl_row_f32 (sample, r);

      for (size_t i = 0; i < d; i++)
        {
          min[i] = row[i] < min[i] ? row[i] : min[i];
          max[i] = row[i] > max[i] ? row[i] : max[i];
        }
    }
  codec = codec_create (ctx, type, d, min, max, error);
  free (min);
  return codec;
}

VlSqCodec *
vl_sq_codec_new (VlContext *ctx, VlSqType type, size_t d, const float *min,
                 const float *max, VlError **error)
{
  if (vl_check_context (ctx, error) != VL_STATUS_OK
      || check_backend (ctx, error) != VL_STATUS_OK
      || check_type (type, error) != VL_STATUS_OK)
    return NULL;
  if (d == 0)
    {
      vl_set_error (error, VL_STATUS_INVALID_ARGUMENT,
                    "a codec needs at least one dimension");
      return NULL;
    }
  if (min == NULL || max == NULL)
    {
      vl_set_error (error, VL_STATUS_INVALID_ARGUMENT, "codec %s is NULL",
                    min == NULL ? "min" : "max");
      return NULL;
    }
  for (size_t i = 0; i < d; i++)
    {
      if (!isfinite (min[i]) || !isfinite (max[i]))
        {
          vl_set_error (error, VL_STATUS_NON_FINITE,
                        "codec range of dimension %zu is not finite "
                        "(min %g, max %g)", i, min[i], max[i]);
          return NULL;
        }
      if (min[i] > max[i])
        {
          vl_set_error (error, VL_STATUS_INVALID_ARGUMENT,
                        "codec range of dimension %zu is empty "
                        "(min %g > max %g)", i, min[i], max[i]);
          return NULL;
        }
    }
  return codec_create (ctx, type, d, min, max, error);
}

void
vl_sq_codec_free (VlSqCodec *codec)
{
  if (codec == NULL)
    return;
  params_clear (&codec->params);
  free (codec);
}

VlSqType
vl_sq_codec_get_sq_type (const VlSqCodec *codec)
{
  return codec != NULL ? codec->params.type : VL_SQ_8;
}

size_t
vl_sq_codec_get_dim (const VlSqCodec *codec)
{
  return codec != NULL ? codec->params.d : 0;
}

size_t
vl_sq_codec_get_code_size (const VlSqCodec *codec)
{
  return codec != NULL ? codec->params.code_size : 0;
}

VlStatus
vl_sq_codec_get_range (const VlSqCodec *codec, float *min, float *max,
                       VlError **error)
{
  if (codec == NULL)
    return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT, "codec is NULL");
  if (min == NULL || max == NULL)
    return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT,
                         "range output %s is NULL", min == NULL ? "min" : "max");
  memcpy (min, codec->params.min, codec->params.d * sizeof *min);
  memcpy (max, codec->params.max, codec->params.d * sizeof *max);
  return VL_STATUS_OK;
}

/* @codes is not NULL and holds exactly @rows rows of the codec's codes. */
static VlStatus
check_codes (const VlSqParams *p, const uint8_t *codes, size_t rows,
             size_t codes_size, VlError **error)
{
  if (codes == NULL)
    return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT, "codes are NULL");
  if (rows > SIZE_MAX / p->code_size || codes_size != rows * p->code_size)
    return vl_set_error (error, VL_STATUS_SHAPE_MISMATCH,
                         "codes buffer is %zu bytes, expected %zu rows x %zu "
                         "bytes (%s, d = %zu)", codes_size, rows,
                         p->code_size, vl_sq_type_to_string (p->type), p->d);
  return VL_STATUS_OK;
}

static VlStatus
check_dim (const VlSqParams *p, const VlMatrix *m, const char *what,
           VlError **error)
{
  if (m->cols != p->d)
    return vl_set_error (error, VL_STATUS_SHAPE_MISMATCH,
                         "%s have %zu dimensions, the codec has %zu", what,
                         m->cols, p->d);
  return VL_STATUS_OK;
}

VlStatus
vl_sq_encode (VlSqCodec *codec, const VlMatrix *x, uint8_t *codes,
              size_t codes_size, VlError **error)
{
  VlStatus status;

  if (codec == NULL)
    return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT, "codec is NULL");
  if ((status = vl_check_matrix (x, "vectors to encode", error)) != VL_STATUS_OK
      || (status = check_dim (&codec->params, x, "vectors to encode", error)) != VL_STATUS_OK
      || (status = check_codes (&codec->params, codes, x->rows, codes_size, error)) != VL_STATUS_OK
      || (status = vl_check_finite (x, "vectors to encode", error)) != VL_STATUS_OK)
    return status;

  memset (&codec->ctx->breakdown, 0, sizeof codec->ctx->breakdown);
  return codec->ctx->backend->sq->encode (codec->ctx, &codec->params, x,
                                          codes, error);
}

VlStatus
vl_sq_decode (VlSqCodec *codec, const uint8_t *codes, size_t codes_size,
              VlMatrix *out, VlError **error)
{
  VlStatus status;

  if (codec == NULL)
    return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT, "codec is NULL");
  if ((status = vl_check_matrix (out, "decode output", error)) != VL_STATUS_OK
      || (status = check_dim (&codec->params, out, "decode output rows", error)) != VL_STATUS_OK
      || (status = check_codes (&codec->params, codes, out->rows, codes_size, error)) != VL_STATUS_OK)
    return status;

  memset (&codec->ctx->breakdown, 0, sizeof codec->ctx->breakdown);
  return codec->ctx->backend->sq->decode (codec->ctx, &codec->params, codes,
                                          out, error);
}

VlSqIndex *
vl_sq_index_new (VlSqCodec *codec, VlMetric metric, const uint8_t *codes,
                 size_t n, size_t codes_size, VlError **error)
{
  VlSqIndex *index;
  const VlSqParams *p;

  if (codec == NULL)
    {
      vl_set_error (error, VL_STATUS_INVALID_ARGUMENT, "codec is NULL");
      return NULL;
    }
  p = &codec->params;
  if ((unsigned) metric > VL_METRIC_COSINE)
    {
      vl_set_error (error, VL_STATUS_INVALID_ARGUMENT, "unknown metric %d",
                    (int) metric);
      return NULL;
    }
  if (n == 0)
    {
      vl_set_error (error, VL_STATUS_INVALID_ARGUMENT,
                    "an index needs at least one encoded vector");
      return NULL;
    }
  if (check_codes (p, codes, n, codes_size, error) != VL_STATUS_OK)
    return NULL;

  index = calloc (1, sizeof *index);
  if (index == NULL)
    {
      vl_set_error (error, VL_STATUS_OUT_OF_MEMORY, "out of memory");
      return NULL;
    }
  index->ctx = codec->ctx;
  index->metric = metric;
  index->n = n;
  if (params_init (&index->params, p->type, p->d, p->min, p->max, error)
      != VL_STATUS_OK)
    {
      free (index);
      return NULL;
    }
  memset (&index->ctx->breakdown, 0, sizeof index->ctx->breakdown);
  if (index->ctx->backend->sq->index_build (index, codes, error) != VL_STATUS_OK)
    {
      vl_sq_index_free (index);
      return NULL;
    }
  return index;
}

VlSqIndex *
vl_sq_index_new_from_floats (VlSqCodec *codec, VlMetric metric,
                             const VlMatrix *database, VlError **error)
{
  VlSqIndex *index;
  uint8_t *codes;
  size_t size;

  if (codec == NULL)
    {
      vl_set_error (error, VL_STATUS_INVALID_ARGUMENT, "codec is NULL");
      return NULL;
    }
  if (vl_check_matrix (database, "database", error) != VL_STATUS_OK)
    return NULL;
  if (database->rows > SIZE_MAX / codec->params.code_size)
    {
      vl_set_error (error, VL_STATUS_INVALID_ARGUMENT,
                    "database is too large to encode (%zu rows)",
                    database->rows);
      return NULL;
    }
  size = database->rows * codec->params.code_size;
  codes = malloc (size);
  if (codes == NULL)
    {
      vl_set_error (error, VL_STATUS_OUT_OF_MEMORY,
                    "out of memory for %zu bytes of codes", size);
      return NULL;
    }
  index = vl_sq_encode (codec, database, codes, size, error) == VL_STATUS_OK
          ? vl_sq_index_new (codec, metric, codes, database->rows, size, error)
          : NULL;
  free (codes);
  return index;
}

void
vl_sq_index_free (VlSqIndex *index)
{
  if (index == NULL)
    return;
  index->ctx->backend->sq->index_free (index);
  params_clear (&index->params);
  free (index);
}

size_t
vl_sq_index_get_size (VlSqIndex *index)
{
  return index != NULL ? index->n : 0;
}

size_t
vl_sq_index_get_dim (VlSqIndex *index)
{
  return index != NULL ? index->params.d : 0;
}

VlStatus
vl_sq_index_search (VlSqIndex *index, const VlMatrix *queries, size_t k,
                    int64_t *ids, float *scores, VlError **error)
{
  VlStatus status;

  if (index == NULL)
    return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT, "index is NULL");
  if ((status = vl_check_search (queries, index->params.d, "the codec",
                                 index->n, "index", k, ids, scores, error))
      != VL_STATUS_OK)
    return status;

  memset (&index->ctx->breakdown, 0, sizeof index->ctx->breakdown);
  return index->ctx->backend->sq->index_search (index, queries, k, ids,
                                                scores, error);
}
