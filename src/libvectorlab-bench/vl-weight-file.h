/* vl-weight-file.h: loading weight files into a core VlWeights registry.
 *
 * Formats
 * - .npy: a float32 array read with vl_tensor_load (vl-tensor-file.h); it
 *   becomes a 2-D tensor [rows, cols] (a 1-D array is one row).
 * - safetensors: an 8-byte little-endian header length, a JSON header
 *   {"name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]},
 *   "__metadata__": {...}} and the data.  Every tensor is loaded under its
 *   own name (with @prefix in front when it is not NULL).  Only F32 is read;
 *   shapes of 1 to 4 dimensions; offsets must lie inside the file, match
 *   the shape's byte size and not overlap.  The header is at most
 *   VL_WEIGHT_FILE_MAX_HEADER bytes (the format's own limit), so a hostile
 *   length never makes us allocate or read more than that.
 * - raw float32: little-endian floats with a shape declared by the caller;
 *   the file size must be exactly the shape's.
 *
 * Every failure is a VL_BENCH_ERROR naming the file and, where there is
 * one, the tensor with the expected and found values.  A safetensors
 * file's header is checked whole before the first tensor is stored, so a
 * malformed file adds nothing; only the registry's own refusal of a tensor
 * (a non-finite value) stops a load midway.
 */
#pragma once

#include <glib.h>

#include "vectorlab.h"

G_BEGIN_DECLS

#define VL_WEIGHT_FILE_MAX_HEADER ((guint64) 100 * 1024 * 1024)

gboolean vl_weight_file_load_npy         (VlWeights            *weights,
                                          const char           *name,
                                          const char           *path,
                                          GError              **error);
gboolean vl_weight_file_load_safetensors (VlWeights            *weights,
                                          const char           *prefix,
                                          const char           *path,
                                          GError              **error);
gboolean vl_weight_file_load_raw         (VlWeights            *weights,
                                          const char           *name,
                                          const char           *path,
                                          const VlWeightsShape *shape,
                                          GError              **error);

G_END_DECLS
