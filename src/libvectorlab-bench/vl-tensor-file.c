/* vl-tensor-file.c: the VlTensor object and the choice of file format. */
#include "vl-tensor-file-private.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "vl-bench-error.h"

struct _VlTensor
{
  GObject       parent_instance;

  VlTensorDtype dtype;
  gsize         rows;
  gsize         cols;
  gpointer      data;
};

G_DEFINE_FINAL_TYPE (VlTensor, vl_tensor, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ROWS,
  PROP_COLS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
vl_tensor_finalize (GObject *object)
{
  VlTensor *self = VL_TENSOR (object);

  g_free (self->data);
  G_OBJECT_CLASS (vl_tensor_parent_class)->finalize (object);
}

static void
vl_tensor_get_property (GObject *object, guint prop_id, GValue *value,
                        GParamSpec *pspec)
{
  VlTensor *self = VL_TENSOR (object);

  switch (prop_id)
    {
    case PROP_ROWS:
      g_value_set_uint64 (value, self->rows);
      break;
    case PROP_COLS:
      g_value_set_uint64 (value, self->cols);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vl_tensor_class_init (VlTensorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = vl_tensor_finalize;
  object_class->get_property = vl_tensor_get_property;

  properties[PROP_ROWS] =
    g_param_spec_uint64 ("rows", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_COLS] =
    g_param_spec_uint64 ("cols", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vl_tensor_init (VlTensor *self)
{
}

VlTensor *
vl_tensor_new_take (VlTensorDtype dtype, gsize rows, gsize cols,
                    gpointer data)
{
  VlTensor *self = g_object_new (VL_TYPE_TENSOR, NULL);

  self->dtype = dtype;
  self->rows = rows;
  self->cols = cols;
  self->data = data;
  return self;
}

VlTensor *
vl_tensor_new_f32 (gsize rows, gsize cols, const float *data)
{
  g_return_val_if_fail (data != NULL || rows * cols == 0, NULL);

  return vl_tensor_new_take (VL_TENSOR_DTYPE_F32, rows, cols,
                             g_memdup2 (data, rows * cols * sizeof (float)));
}

VlTensor *
vl_tensor_new_ids (gsize rows, gsize cols, const gint64 *data)
{
  g_return_val_if_fail (data != NULL || rows * cols == 0, NULL);

  return vl_tensor_new_take (VL_TENSOR_DTYPE_I64, rows, cols,
                             g_memdup2 (data, rows * cols * sizeof (gint64)));
}

static gboolean
has_suffix (const char *path, const char *suffix)
{
  gsize len = strlen (path), slen = strlen (suffix);

  return len >= slen && g_ascii_strcasecmp (path + len - slen, suffix) == 0;
}

static VlTensor *
load (const char *path, VlTensorDtype dtype, GError **error)
{
  g_autoptr(GMappedFile) file = NULL;
  g_autofree char *name = NULL;
  const guint8 *bytes;
  gsize size;

  g_return_val_if_fail (path != NULL, NULL);

  name = g_filename_display_name (path);
  file = g_mapped_file_new (path, FALSE, error);
  if (file == NULL)
    return NULL;
  bytes = (const guint8 *) g_mapped_file_get_contents (file);
  size = g_mapped_file_get_length (file);

  if (has_suffix (path, ".fvecs") || has_suffix (path, ".ivecs"))
    {
      VlTensorDtype file_dtype = has_suffix (path, ".fvecs")
                                 ? VL_TENSOR_DTYPE_F32 : VL_TENSOR_DTYPE_I64;

      if (file_dtype != dtype)
        {
          g_set_error (error, VL_BENCH_ERROR,
                       VL_BENCH_ERROR_UNSUPPORTED_FORMAT,
                       _("%s: %s holds %s, expected %s"), name,
                       file_dtype == VL_TENSOR_DTYPE_F32 ? ".fvecs" : ".ivecs",
                       file_dtype == VL_TENSOR_DTYPE_F32 ? "float32 vectors"
                                                         : "integer ids",
                       dtype == VL_TENSOR_DTYPE_F32 ? "float32 vectors"
                                                    : "integer ids");
          return NULL;
        }
      return vl_vecs_parse (name, bytes, size, dtype, error);
    }

  if (vl_npy_has_magic (bytes, size))
    return vl_npy_parse (name, bytes, size, dtype, error);

  if (size == 0)
    g_set_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_INVALID_FILE,
                 _("%s: empty file"), name);
  else if (has_suffix (path, ".npy"))
    g_set_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_INVALID_FILE,
                 _("%s: not a .npy file (bad magic)"), name);
  else
    g_set_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_UNSUPPORTED_FORMAT,
                 _("%s: unknown format (expected .npy, .fvecs or .ivecs)"),
                 name);
  return NULL;
}

VlTensor *
vl_tensor_load (const char *path, GError **error)
{
  return load (path, VL_TENSOR_DTYPE_F32, error);
}

VlTensor *
vl_tensor_load_ids (const char *path, GError **error)
{
  return load (path, VL_TENSOR_DTYPE_I64, error);
}

gboolean
vl_tensor_save (VlTensor *self, const char *path, GError **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *name = NULL;
  gsize size;
  const char *data;

  g_return_val_if_fail (VL_IS_TENSOR (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  name = g_filename_display_name (path);
  if ((has_suffix (path, ".fvecs") && self->dtype != VL_TENSOR_DTYPE_F32)
      || (has_suffix (path, ".ivecs") && self->dtype != VL_TENSOR_DTYPE_I64))
    g_set_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_UNSUPPORTED_FORMAT,
                 _("%s: .fvecs holds float32 vectors and .ivecs integer ids; "
                   "the extension does not match this tensor"), name);
  else if (has_suffix (path, ".fvecs") || has_suffix (path, ".ivecs"))
    bytes = vl_vecs_serialize (self, name, error);
  else if (has_suffix (path, ".npy"))
    bytes = vl_npy_serialize (self);
  else
    g_set_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_UNSUPPORTED_FORMAT,
                 _("%s: cannot tell the format to write (use .npy, .fvecs or "
                   ".ivecs)"), name);
  if (bytes == NULL)
    return FALSE;

  data = g_bytes_get_data (bytes, &size);
  return g_file_set_contents (path, data, (gssize) size, error);
}

gsize
vl_tensor_get_rows (VlTensor *self)
{
  g_return_val_if_fail (VL_IS_TENSOR (self), 0);
  return self->rows;
}

gsize
vl_tensor_get_cols (VlTensor *self)
{
  g_return_val_if_fail (VL_IS_TENSOR (self), 0);
  return self->cols;
}

VlTensorDtype
vl_tensor_get_dtype (VlTensor *self)
{
  g_return_val_if_fail (VL_IS_TENSOR (self), VL_TENSOR_DTYPE_F32);
  return self->dtype;
}

const float *
vl_tensor_get_f32 (VlTensor *self)
{
  g_return_val_if_fail (VL_IS_TENSOR (self), NULL);
  return self->dtype == VL_TENSOR_DTYPE_F32 ? self->data : NULL;
}

const gint64 *
vl_tensor_get_ids (VlTensor *self)
{
  g_return_val_if_fail (VL_IS_TENSOR (self), NULL);
  return self->dtype == VL_TENSOR_DTYPE_I64 ? self->data : NULL;
}

VlMatrix
vl_tensor_get_matrix (VlTensor *self)
{
  VlMatrix empty = { 0, 0, 0, VL_DTYPE_F32, NULL };

  g_return_val_if_fail (VL_IS_TENSOR (self), empty);
  g_return_val_if_fail (self->dtype == VL_TENSOR_DTYPE_F32, empty);
  return vl_matrix_f32 (self->data, self->rows, self->cols);
}

void
vl_copy_le32 (void *dst, const void *src, gsize n)
{
  memcpy (dst, src, n * 4);
#if G_BYTE_ORDER == G_BIG_ENDIAN
  for (gsize i = 0; i < n; i++)
    ((guint32 *) dst)[i] = GUINT32_SWAP_LE_BE (((guint32 *) dst)[i]);
#endif
}
