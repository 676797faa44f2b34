/* vl-tensor-file.h: 2-D tensors read from and written to files.
 *
 * Formats
 * - .npy (format versions 1.0, 2.0 and 3.0): C-order ("fortran_order":
 *   False) arrays of little-endian float32 ('<f4'); ids may also be '<i4' or
 *   '<i8'.  A 2-D shape (rows, cols) is read as is.  A 1-D shape (n,) is read
 *   as ONE row of n columns, because a 1-D array in embedding work is a single
 *   vector (np.save of one encoded sentence), not n one-dimensional points.
 * - .fvecs: rows of an int32 dimension d followed by d float32, every row
 *   with the same d (the TEXMEX/FAISS benchmark format).
 * - .ivecs: the same with int32 values; read as ids (ground truth).
 *
 * The format is chosen by the .fvecs/.ivecs extension, else by the .npy
 * magic.  Every size is checked against the file before any data is read:
 * a malformed, truncated or oversized file fails with a VL_BENCH_ERROR that
 * names the file and the problem.
 */
#pragma once

#include <glib-object.h>

#include "vectorlab.h"

G_BEGIN_DECLS

typedef enum
{
  VL_TENSOR_DTYPE_F32,
  VL_TENSOR_DTYPE_I64,  /* ids: .ivecs and integer .npy, widened */
} VlTensorDtype;

#define VL_TYPE_TENSOR (vl_tensor_get_type ())

G_DECLARE_FINAL_TYPE (VlTensor, vl_tensor, VL, TENSOR, GObject)

/* A @rows x @cols float32 tensor holding a copy of @data. */
VlTensor     *vl_tensor_new_f32   (gsize        rows,
                                   gsize        cols,
                                   const float *data);
/* A @rows x @cols id tensor holding a copy of @data. */
VlTensor     *vl_tensor_new_ids   (gsize         rows,
                                   gsize         cols,
                                   const gint64 *data);

/* Loads a float32 matrix from a .npy or .fvecs file. */
VlTensor     *vl_tensor_load      (const char  *path,
                                   GError     **error);
/* Loads ids from an .ivecs file or an integer ('<i4', '<i8') .npy file. */
VlTensor     *vl_tensor_load_ids  (const char  *path,
                                   GError     **error);
/* Writes .npy (any dtype) or .fvecs / .ivecs by the extension of @path,
 * atomically (a temporary file renamed over @path). */
gboolean      vl_tensor_save      (VlTensor    *self,
                                   const char  *path,
                                   GError     **error);

gsize         vl_tensor_get_rows  (VlTensor    *self);
gsize         vl_tensor_get_cols  (VlTensor    *self);
VlTensorDtype vl_tensor_get_dtype (VlTensor    *self);
/* The data, row-major and contiguous; NULL when the dtype differs. */
const float  *vl_tensor_get_f32   (VlTensor    *self);
const gint64 *vl_tensor_get_ids   (VlTensor    *self);
/* A VlMatrix view of a float32 tensor, valid while @self lives. */
VlMatrix      vl_tensor_get_matrix (VlTensor   *self);

G_END_DECLS
