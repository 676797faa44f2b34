/* vl-vecs.c: reading and writing .fvecs / .ivecs, the TEXMEX benchmark
 * formats: each row is a little-endian int32 dimension d followed by d
 * float32 (fvecs) or int32 (ivecs) values. */
#include "vl-tensor-file-private.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "vl-bench-error.h"

static gint32
read_i32 (const guint8 *p)
{
  guint32 v;

  memcpy (&v, p, 4);
  return (gint32) GUINT32_FROM_LE (v);
}

static void
write_i32 (guint8 *p, gint32 value)
{
  guint32 v = GUINT32_TO_LE ((guint32) value);

  memcpy (p, &v, 4);
}

VlTensor *
vl_vecs_parse (const char *name, const guint8 *bytes, gsize size,
               VlTensorDtype dtype, GError **error)
{
  gint32 d;
  gsize row_bytes, rows = 0, offset;
  gpointer data;

  if (size == 0)
    {
      g_set_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_INVALID_FILE,
                   _("%s: empty file"), name);
      return NULL;
    }
  if (size < 4)
    {
      g_set_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_INVALID_FILE,
                   _("%s: truncated: %zu bytes, too short for a row"), name,
                   size);
      return NULL;
    }
  d = read_i32 (bytes);
  if (d <= 0)
    {
      g_set_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_INVALID_FILE,
                   _("%s: row 0 has dimension %d; it must be positive"), name,
                   (int) d);
      return NULL;
    }
  /* d < 2^31, so a row is < 8 GiB and fits in 64 bits; on 32-bit hosts the
   * row size may not. */
  if ((guint64) d + 1 > G_MAXSIZE / 4)
    {
      g_set_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_INVALID_FILE,
                   _("%s: dimension %d is too large to address"), name, (int) d);
      return NULL;
    }
  row_bytes = 4 * ((gsize) d + 1);

  /* Walk every row header first so that a bad file is rejected with the
   * exact row at fault before anything is allocated. */
  for (offset = 0; offset < size; offset += row_bytes, rows++)
    {
      gint32 row_d;

      if (size - offset < 4)
        goto truncated;
      row_d = read_i32 (bytes + offset);
      if (row_d != d)
        {
          g_set_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_INVALID_FILE,
                       _("%s: row %zu has dimension %d, but row 0 has %d"), name,
                       rows, (int) row_d, (int) d);
          return NULL;
        }
      if (size - offset < row_bytes)
        goto truncated;
    }

  data = g_try_malloc (rows * (gsize) d
                       * (dtype == VL_TENSOR_DTYPE_F32 ? 4 : 8));
  if (data == NULL)
    {
      g_set_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_FAILED,
                   _("%s: out of memory reading %zu x %d values"), name, rows,
                   (int) d);
      return NULL;
    }
  for (gsize r = 0; r < rows; r++)
    {
      const guint8 *src = bytes + r * row_bytes + 4;

      if (dtype == VL_TENSOR_DTYPE_F32)
        vl_copy_le32 ((float *) data + r * (gsize) d, src, (gsize) d);
      else
        for (gsize c = 0; c < (gsize) d; c++)
          ((gint64 *) data)[r * (gsize) d + c] = read_i32 (src + 4 * c);
    }
  return vl_tensor_new_take (dtype, rows, (gsize) d, data);

truncated:
  g_set_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_INVALID_FILE,
               _("%s: truncated: row %zu needs %zu bytes (d = %d) but only %zu "
                 "are left"), name, rows, row_bytes, (int) d, size - offset);
  return NULL;
}

GBytes *
vl_vecs_serialize (VlTensor *tensor, const char *name, GError **error)
{
  gsize rows = vl_tensor_get_rows (tensor), cols = vl_tensor_get_cols (tensor);
  gboolean f32 = vl_tensor_get_dtype (tensor) == VL_TENSOR_DTYPE_F32;
  const gint64 *ids = vl_tensor_get_ids (tensor);
  gsize row_bytes = 4 * (cols + 1);
  guint8 *out;

  if (cols == 0 || cols > G_MAXINT32 || rows == 0)
    {
      g_set_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_UNSUPPORTED_FORMAT,
                   _("%s: a %zu x %zu tensor cannot be stored as vecs"), name,
                   rows, cols);
      return NULL;
    }
  if (!f32)
    for (gsize i = 0; i < rows * cols; i++)
      if (ids[i] < G_MININT32 || ids[i] > G_MAXINT32)
        {
          g_set_error (error, VL_BENCH_ERROR,
                       VL_BENCH_ERROR_UNSUPPORTED_FORMAT,
                       "%s: id %" G_GINT64_FORMAT " does not fit in .ivecs "
                       "(int32)", name, ids[i]);
          return NULL;
        }

  out = g_malloc (rows * row_bytes);
  for (gsize r = 0; r < rows; r++)
    {
      guint8 *row = out + r * row_bytes;

      write_i32 (row, (gint32) cols);
      if (f32)
        vl_copy_le32 (row + 4, vl_tensor_get_f32 (tensor) + r * cols, cols);
      else
        for (gsize c = 0; c < cols; c++)
          write_i32 (row + 4 + 4 * c, (gint32) ids[r * cols + c]);
    }
  return g_bytes_new_take (out, rows * row_bytes);
}
