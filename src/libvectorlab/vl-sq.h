/* vl-sq.h: scalar quantisation (SQ8, SQ4) and k-NN search on its codes.
 *
 * Included by vectorlab.h; the conventions stated there (errors, the
 * non-finite policy, score meanings, ties to the lower id) hold here too.
 *
 * Training: each dimension i keeps the minimum and maximum of the sample,
 * min[i] and max[i].  Min/max rather than percentiles: every sampled value
 * is then representable, so a codec trained on the data it encodes never
 * clamps, and training is one exact pass that every backend reproduces
 * bit for bit.  The price is that one outlier widens a dimension's step
 * for all values; callers with heavy-tailed data can train on a trimmed
 * sample, or import clipped ranges with vl_sq_codec_new().
 *
 * Codes, with L = 255 (SQ8) or 15 (SQ4) and step[i] = (max[i] - min[i]) / L:
 *   code = round ((x - min[i]) / (max[i] - min[i]) * L), clamped to [0, L],
 *   so values outside the trained range clamp to its ends;
 *   decoded value = min[i] + code * step[i].
 * A dimension with max[i] == min[i] encodes to 0 and decodes to min[i].
 * SQ8 stores one byte per dimension.  SQ4 stores two dimensions per byte,
 * the even dimension in the low nibble, so a row is ceil(d / 2) bytes and
 * the high nibble of an odd d's last byte is 0 (and ignored on decode).
 * Rows of codes are contiguous, vl_sq_codec_get_code_size() bytes apart;
 * every function taking codes is also given their total size in bytes, and
 * rejects a size that does not match.
 *
 * Backends agree on codes exactly, except that a value within rounding
 * error of a half step may land on either neighbouring level.
 */
#pragma once

#include "vectorlab.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum
{
  VL_SQ_8 = 0,   /* 8 bits a dimension, 256 levels */
  VL_SQ_4,       /* 4 bits a dimension, 16 levels */
} VlSqType;

const char *vl_sq_type_to_string   (VlSqType type);   /* "sq8", "sq4" */
bool        vl_sq_type_from_string (const char *name, VlSqType *type);

typedef struct _VlSqCodec VlSqCodec;

/* Trains a codec on the rows of @sample (finite fp32, at least one row).
 * The codec belongs to @ctx, which must outlive it; its encode, decode and
 * indexes run on that context's device. */
VlSqCodec *vl_sq_train (VlContext      *ctx,
                        VlSqType        type,
                        const VlMatrix *sample,
                        VlError       **error);

/* Rebuilds a codec from saved ranges: @min and @max are @d finite floats
 * each with min[i] <= max[i] (see vl_sq_codec_get_range()). */
VlSqCodec *vl_sq_codec_new (VlContext   *ctx,
                            VlSqType     type,
                            size_t       d,
                            const float *min,
                            const float *max,
                            VlError    **error);
void       vl_sq_codec_free (VlSqCodec *codec);

VlSqType vl_sq_codec_get_sq_type   (const VlSqCodec *codec);
size_t   vl_sq_codec_get_dim       (const VlSqCodec *codec);
/* Bytes of one encoded vector: d (SQ8) or ceil(d / 2) (SQ4). */
size_t   vl_sq_codec_get_code_size (const VlSqCodec *codec);
/* Copies the trained ranges into @min and @max, d floats each. */
VlStatus vl_sq_codec_get_range     (const VlSqCodec *codec,
                                    float           *min,
                                    float           *max,
                                    VlError        **error);

/* Encodes the rows of @x (x->cols == d) into @codes, which holds
 * @codes_size == x->rows * code size bytes. */
VlStatus vl_sq_encode (VlSqCodec      *codec,
                       const VlMatrix *x,
                       uint8_t        *codes,
                       size_t          codes_size,
                       VlError       **error);

/* Decodes the out->rows rows of @codes (@codes_size == out->rows * code
 * size bytes) into the caller's fp32 @out (out->cols == d). */
VlStatus vl_sq_decode (VlSqCodec     *codec,
                       const uint8_t *codes,
                       size_t         codes_size,
                       VlMatrix      *out,
                       VlError      **error);

typedef struct _VlSqIndex VlSqIndex;

/* An index over @n encoded vectors, holding a copy of @codes (@codes_size
 * == n * code size bytes) and of the codec's ranges on the device, so the
 * codec may be freed first.  Searches score fp32 queries against the codes
 * decoded on the fly, under @metric, exactly as if the database were
 * vl_sq_decode()'s output. */
VlSqIndex *vl_sq_index_new (VlSqCodec     *codec,
                            VlMetric       metric,
                            const uint8_t *codes,
                            size_t         n,
                            size_t         codes_size,
                            VlError      **error);
/* Encodes @database with @codec and indexes the codes. */
VlSqIndex *vl_sq_index_new_from_floats (VlSqCodec      *codec,
                                        VlMetric        metric,
                                        const VlMatrix *database,
                                        VlError       **error);
void       vl_sq_index_free (VlSqIndex *index);
size_t     vl_sq_index_get_size (VlSqIndex *index);
size_t     vl_sq_index_get_dim  (VlSqIndex *index);

/* The @k best ids and scores of each query, best first, ties to the lower
 * id, as vl_index_search(): 1 <= k <= size and k <= VL_MAX_K. */
VlStatus vl_sq_index_search (VlSqIndex      *index,
                             const VlMatrix *queries,
                             size_t          k,
                             int64_t        *ids,
                             float          *scores,
                             VlError       **error);

#ifdef __cplusplus
}
#endif
