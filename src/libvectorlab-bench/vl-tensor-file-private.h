/* vl-tensor-file-private.h: what the tensor object and its format readers
 * and writers share. */
#pragma once

#include "vl-tensor-file.h"

G_BEGIN_DECLS

/* Wraps @data (g_malloc'ed, rows * cols elements of @dtype), taking it. */
VlTensor *vl_tensor_new_take (VlTensorDtype dtype,
                              gsize         rows,
                              gsize         cols,
                              gpointer      data);

/* Readers: @name is the file name used in messages; @bytes holds @size
 * bytes.  @dtype is what the caller wants: F32 for data, I64 for ids. */
gboolean  vl_npy_has_magic (const guint8 *bytes,
                            gsize         size);
VlTensor *vl_npy_parse     (const char   *name,
                            const guint8 *bytes,
                            gsize         size,
                            VlTensorDtype dtype,
                            GError      **error);
VlTensor *vl_vecs_parse    (const char   *name,
                            const guint8 *bytes,
                            gsize         size,
                            VlTensorDtype dtype,
                            GError      **error);

/* Writers: the whole file's bytes. */
GBytes   *vl_npy_serialize  (VlTensor    *tensor);
GBytes   *vl_vecs_serialize (VlTensor    *tensor,
                             const char  *name,
                             GError     **error);

/* Copies @n little-endian 32-bit words from unaligned @src to @dst. */
void      vl_copy_le32      (void        *dst,
                             const void  *src,
                             gsize        n);

G_END_DECLS
