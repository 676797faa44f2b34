/* vl-weight-file.c: .npy, safetensors and raw float32 weights into a
 * VlWeights registry.  Files are memory-mapped, so a multi-gigabyte weight
 * file costs no copy before the registry's own. */
#include "vl-weight-file.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "vl-bench-error.h"
#include "vl-tensor-file.h"

static gboolean
store (VlWeights *weights, const char *name, const VlWeightsShape *shape,
       const void *data, const char *file, GError **error)
{
  VlError *vl_error = NULL;
  g_autofree char *prefix = NULL;

  if (vl_weights_set (weights, name, shape, data, &vl_error) == VL_STATUS_OK)
    return TRUE;
  prefix = g_strdup_printf ("%s: tensor '%s'", file, name);
  return vl_bench_propagate_vl_error (error, vl_error, prefix);
}

static gboolean
invalid (GError **error, const char *file, const char *format, ...)
  G_GNUC_PRINTF (3, 4);

static gboolean
invalid (GError **error, const char *file, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_INVALID_FILE, "%s: %s",
               file, message);
  return FALSE;
}

gboolean
vl_weight_file_load_npy (VlWeights *weights, const char *name,
                         const char *path, GError **error)
{
  g_autoptr(VlTensor) tensor = NULL;
  g_autofree char *file = NULL;
  VlWeightsShape shape;

  g_return_val_if_fail (weights != NULL && name != NULL && path != NULL,
                        FALSE);

  if ((tensor = vl_tensor_load (path, error)) == NULL)
    return FALSE;
  file = g_filename_display_name (path);
  shape = vl_weights_shape_2d (vl_tensor_get_rows (tensor),
                               vl_tensor_get_cols (tensor));
  return store (weights, name, &shape, vl_tensor_get_f32 (tensor), file,
                error);
}

static GMappedFile *
map (const char *path, GError **error)
{
  g_autoptr(GError) local = NULL;
  GMappedFile *mapped = g_mapped_file_new (path, FALSE, &local);

  if (mapped == NULL)
    {
      g_autofree char *file = g_filename_display_name (path);

      g_set_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_INVALID_FILE,
                   "%s: %s", file, local->message);
    }
  return mapped;
}

gboolean
vl_weight_file_load_raw (VlWeights *weights, const char *name,
                         const char *path, const VlWeightsShape *shape,
                         GError **error)
{
  g_autoptr(GMappedFile) mapped = NULL;
  g_autofree char *file = NULL;
  g_autofree float *copy = NULL;
  guint64 expected = sizeof (float);
  gsize size;

  g_return_val_if_fail (weights != NULL && name != NULL && path != NULL
                        && shape != NULL, FALSE);

  file = g_filename_display_name (path);
  if (shape->dtype != VL_DTYPE_F32 || shape->n_dims == 0
      || shape->n_dims > VL_WEIGHTS_MAX_DIMS)
    {
      g_set_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_UNSUPPORTED_FORMAT,
                   "%s: tensor '%s': raw files hold float32 tensors of 1 to "
                   "%d dimensions", file, name, VL_WEIGHTS_MAX_DIMS);
      return FALSE;
    }
  for (gsize i = 0; i < shape->n_dims; i++)
    expected = shape->dims[i] != 0 && expected <= G_MAXUINT64 / shape->dims[i]
               ? expected * shape->dims[i] : 0;
  if ((mapped = map (path, error)) == NULL)
    return FALSE;
  size = g_mapped_file_get_length (mapped);
  if (expected == 0 || size != expected)
    return invalid (error, file, "tensor '%s': the declared shape needs %"
                    G_GUINT64_FORMAT " bytes, the file has %" G_GSIZE_FORMAT,
                    name, expected, size);
  /* Mapped data need not be aligned for floats. */
  copy = g_memdup2 (g_mapped_file_get_contents (mapped), size);
  return store (weights, name, shape, copy, file, error);
}

/* ---- safetensors ------------------------------------------------------- */

typedef struct
{
  const char    *name;
  VlWeightsShape shape;
  guint64        begin;
  guint64        end;
} Entry;

static gboolean
read_uint (JsonNode *node, guint64 *value)
{
  gint64 v;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_INT64
      || (v = json_node_get_int (node)) < 0)
    return FALSE;
  *value = (guint64) v;
  return TRUE;
}

static gboolean
parse_entry (const char *file, const char *name, JsonNode *node,
             guint64 data_size, Entry *entry, GError **error)
{
  JsonObject *obj;
  JsonArray *shape, *offsets;
  const char *dtype;
  guint64 bytes = sizeof (float), dim;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return invalid (error, file, "tensor '%s': the header entry is not an "
                    "object", name);
  obj = json_node_get_object (node);
  dtype = json_object_has_member (obj, "dtype")
          && JSON_NODE_HOLDS_VALUE (json_object_get_member (obj, "dtype"))
          ? json_object_get_string_member (obj, "dtype") : NULL;
  if (dtype == NULL)
    return invalid (error, file, "tensor '%s' has no dtype", name);
  if (g_strcmp0 (dtype, "F32") != 0)
    {
      g_set_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_UNSUPPORTED_FORMAT,
                   "%s: tensor '%s' has dtype %s; only F32 is supported",
                   file, name, dtype);
      return FALSE;
    }
  if (!json_object_has_member (obj, "shape")
      || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (obj, "shape"))
      || !json_object_has_member (obj, "data_offsets")
      || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (obj,
                                                         "data_offsets")))
    return invalid (error, file, "tensor '%s' lacks a shape or data_offsets "
                    "array", name);
  shape = json_object_get_array_member (obj, "shape");
  offsets = json_object_get_array_member (obj, "data_offsets");

  entry->name = name;
  entry->shape.dtype = VL_DTYPE_F32;
  entry->shape.n_dims = json_array_get_length (shape);
  if (entry->shape.n_dims == 0 || entry->shape.n_dims > VL_WEIGHTS_MAX_DIMS)
    {
      g_set_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_UNSUPPORTED_FORMAT,
                   "%s: tensor '%s' has %zu dimensions, expected 1 to %d",
                   file, name, entry->shape.n_dims, VL_WEIGHTS_MAX_DIMS);
      return FALSE;
    }
  memset (entry->shape.dims, 0, sizeof entry->shape.dims);
  for (guint i = 0; i < entry->shape.n_dims; i++)
    {
      if (!read_uint (json_array_get_element (shape, i), &dim) || dim == 0
          || dim > G_MAXSIZE || bytes > data_size / dim)
        return invalid (error, file, "tensor '%s': dimension %u is not a "
                        "positive size that fits the file", name, i);
      entry->shape.dims[i] = (gsize) dim;
      bytes *= dim;
    }
  if (json_array_get_length (offsets) != 2
      || !read_uint (json_array_get_element (offsets, 0), &entry->begin)
      || !read_uint (json_array_get_element (offsets, 1), &entry->end)
      || entry->begin > entry->end)
    return invalid (error, file, "tensor '%s': data_offsets must be two "
                    "integers [begin, end] with begin <= end", name);
  if (entry->end > data_size)
    return invalid (error, file, "tensor '%s': data_offsets end at %"
                    G_GUINT64_FORMAT ", past the %" G_GUINT64_FORMAT
                    " bytes of data in the file", name, entry->end,
                    data_size);
  if (entry->end - entry->begin != bytes)
    return invalid (error, file, "tensor '%s': its shape needs %"
                    G_GUINT64_FORMAT " bytes, data_offsets span %"
                    G_GUINT64_FORMAT, name, bytes, entry->end - entry->begin);
  return TRUE;
}

static int
compare_begin (gconstpointer a, gconstpointer b)
{
  const Entry *x = a, *y = b;

  return x->begin < y->begin ? -1 : x->begin > y->begin;
}

gboolean
vl_weight_file_load_safetensors (VlWeights *weights, const char *prefix,
                                 const char *path, GError **error)
{
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GArray) entries = NULL;
  g_autoptr(GError) local = NULL;
  g_autofree char *file = NULL;
  g_autoptr(GList) names = NULL;
  const guint8 *bytes;
  guint64 header_len = 0, data_size;
  JsonObject *root;
  gsize size;

  g_return_val_if_fail (weights != NULL && path != NULL, FALSE);

  file = g_filename_display_name (path);
  if ((mapped = map (path, error)) == NULL)
    return FALSE;
  bytes = (const guint8 *) g_mapped_file_get_contents (mapped);
  size = g_mapped_file_get_length (mapped);
  if (size < 8)
    return invalid (error, file, "%" G_GSIZE_FORMAT " bytes is too short "
                    "for a safetensors header", size);
  for (int i = 7; i >= 0; i--)
    header_len = header_len << 8 | bytes[i];
  if (header_len > VL_WEIGHT_FILE_MAX_HEADER || header_len > size - 8)
    return invalid (error, file, "the header claims %" G_GUINT64_FORMAT
                    " bytes, but the file has %" G_GSIZE_FORMAT " after the "
                    "length (and the limit is %" G_GUINT64_FORMAT ")",
                    header_len, size - 8, VL_WEIGHT_FILE_MAX_HEADER);
  data_size = size - 8 - header_len;

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, (const char *) bytes + 8,
                                   (gssize) header_len, &local))
    return invalid (error, file, "the header is not valid JSON: %s",
                    local->message);
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return invalid (error, file, "the header is not a JSON object");
  root = json_node_get_object (json_parser_get_root (parser));

  entries = g_array_new (FALSE, FALSE, sizeof (Entry));
  names = json_object_get_members (root);
  for (GList *l = names; l != NULL; l = l->next)
    {
      Entry entry;

      if (g_str_equal (l->data, "__metadata__"))
        continue;
      if (!parse_entry (file, l->data, json_object_get_member (root, l->data),
                        data_size, &entry, error))
        return FALSE;
      g_array_append_val (entries, entry);
    }
  g_array_sort (entries, compare_begin);
  for (guint i = 1; i < entries->len; i++)
    {
      const Entry *a = &g_array_index (entries, Entry, i - 1);
      const Entry *b = &g_array_index (entries, Entry, i);

      if (b->begin < a->end)
        return invalid (error, file, "tensors '%s' and '%s' overlap (bytes %"
                        G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT " and %"
                        G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT ")",
                        a->name, b->name, a->begin, a->end, b->begin, b->end);
    }

  for (guint i = 0; i < entries->len; i++)
    {
      const Entry *e = &g_array_index (entries, Entry, i);
      g_autofree char *name = g_strconcat (prefix ? prefix : "", e->name,
                                           NULL);
      /* Data offsets need not keep floats aligned. */
      g_autofree void *copy = g_memdup2 (bytes + 8 + header_len + e->begin,
                                         e->end - e->begin);

      if (!store (weights, name, &e->shape, copy, file, error))
        return FALSE;
    }
  return TRUE;
}
