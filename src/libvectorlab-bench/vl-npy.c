/* vl-npy.c: reading and writing NumPy .npy files.
 *
 * The header is a Python dict literal; it is parsed here by hand with a
 * bounded scanner that accepts only what numpy writes (string, bool and
 * integer-tuple values under the three standard keys) and never evaluates
 * anything.  Layout: "\x93NUMPY", major, minor, then a little-endian header
 * length (uint16 in 1.0, uint32 in 2.0 and 3.0), the header, the data. */
#include "vl-tensor-file-private.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "vl-bench-error.h"

#define NPY_MAGIC "\x93NUMPY"
#define NPY_MAGIC_LEN 6
/* numpy itself refuses headers over 10000 bytes unless told otherwise. */
#define NPY_MAX_HEADER 65536
#define NPY_MAX_DIMS 32
/* Total header size multiple that numpy >= 1.14 writes, for aligned data. */
#define NPY_ALIGN 64

typedef struct
{
  const char *name;   /* file name, for messages */
  const char *start;
  const char *p;
  const char *end;
} Scanner;

typedef struct
{
  char    descr[16];
  gboolean have_descr;
  gboolean fortran_order;
  gboolean have_fortran_order;
  gint64  shape[NPY_MAX_DIMS];
  guint   ndim;
  gboolean have_shape;
} Header;

static gboolean G_GNUC_PRINTF (3, 4)
fail (Scanner *s, GError **error, const char *format, ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_INVALID_FILE,
               _("%s: malformed .npy header: %s (at header byte %td)"),
               s->name, what, s->p - s->start);
  return FALSE;
}

static void
skip_space (Scanner *s)
{
  while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n'
                           || *s->p == '\r'))
    s->p++;
}

static gboolean
expect (Scanner *s, char c, GError **error)
{
  skip_space (s);
  if (s->p >= s->end || *s->p != c)
    return fail (s, error, "expected '%c'", c);
  s->p++;
  return TRUE;
}

/* A quoted Python string without escapes (numpy's keys and dtype strings
 * never need them), copied into @out of @size bytes. */
static gboolean
parse_string (Scanner *s, char *out, gsize size, GError **error)
{
  char quote;
  gsize len = 0;

  skip_space (s);
  if (s->p >= s->end || (*s->p != '\'' && *s->p != '"'))
    return fail (s, error, "expected a string");
  quote = *s->p++;
  while (s->p < s->end && *s->p != quote)
    {
      if (*s->p == '\\' || (guchar) *s->p < 0x20)
        return fail (s, error, "unsupported character in a string");
      if (len + 1 >= size)
        return fail (s, error, "string too long");
      out[len++] = *s->p++;
    }
  if (s->p >= s->end)
    return fail (s, error, "unterminated string");
  s->p++;
  out[len] = '\0';
  return TRUE;
}

static gboolean
parse_bool (Scanner *s, gboolean *out, GError **error)
{
  skip_space (s);
  if (s->end - s->p >= 4 && memcmp (s->p, "True", 4) == 0)
    {
      s->p += 4;
      *out = TRUE;
      return TRUE;
    }
  if (s->end - s->p >= 5 && memcmp (s->p, "False", 5) == 0)
    {
      s->p += 5;
      *out = FALSE;
      return TRUE;
    }
  return fail (s, error, "expected True or False");
}

static gboolean
parse_dim (Scanner *s, gint64 *out, GError **error)
{
  guint64 value = 0;

  skip_space (s);
  if (s->p < s->end && *s->p == '-')
    return fail (s, error, "negative dimension");
  if (s->p >= s->end || !g_ascii_isdigit (*s->p))
    return fail (s, error, "expected a dimension");
  while (s->p < s->end && g_ascii_isdigit (*s->p))
    {
      guint digit = (guint) (*s->p - '0');

      if (value > ((guint64) G_MAXINT64 - digit) / 10)
        return fail (s, error, "dimension too large");
      value = value * 10 + digit;
      s->p++;
    }
  /* Python 2 wrote long integers as 3L. */
  if (s->p < s->end && (*s->p == 'L' || *s->p == 'l'))
    s->p++;
  *out = (gint64) value;
  return TRUE;
}

static gboolean
parse_shape (Scanner *s, Header *h, GError **error)
{
  if (!expect (s, '(', error))
    return FALSE;
  h->ndim = 0;
  for (;;)
    {
      skip_space (s);
      if (s->p < s->end && *s->p == ')')
        break;
      if (h->ndim == NPY_MAX_DIMS)
        return fail (s, error, "more than %d dimensions", NPY_MAX_DIMS);
      if (!parse_dim (s, &h->shape[h->ndim++], error))
        return FALSE;
      skip_space (s);
      if (s->p < s->end && *s->p == ',')
        s->p++;
      else if (s->p >= s->end || *s->p != ')')
        return fail (s, error, "expected ',' or ')' in the shape");
    }
  s->p++;
  return TRUE;
}

static gboolean
parse_header (Scanner *s, Header *h, GError **error)
{
  memset (h, 0, sizeof *h);
  if (!expect (s, '{', error))
    return FALSE;
  for (;;)
    {
      char key[32];

      skip_space (s);
      if (s->p < s->end && *s->p == '}')
        break;
      if (!parse_string (s, key, sizeof key, error) || !expect (s, ':', error))
        return FALSE;

      if (strcmp (key, "descr") == 0 && !h->have_descr)
        {
          skip_space (s);
          if (s->p < s->end && *s->p == '[')
            {
              g_set_error (error, VL_BENCH_ERROR,
                           VL_BENCH_ERROR_UNSUPPORTED_FORMAT,
                           _("%s: structured arrays are not supported "
                             "(expected a plain float32 matrix)"), s->name);
              return FALSE;
            }
          if (!parse_string (s, h->descr, sizeof h->descr, error))
            return FALSE;
          h->have_descr = TRUE;
        }
      else if (strcmp (key, "fortran_order") == 0 && !h->have_fortran_order)
        {
          if (!parse_bool (s, &h->fortran_order, error))
            return FALSE;
          h->have_fortran_order = TRUE;
        }
      else if (strcmp (key, "shape") == 0 && !h->have_shape)
        {
          if (!parse_shape (s, h, error))
            return FALSE;
          h->have_shape = TRUE;
        }
      else
        return fail (s, error, "unexpected or repeated key '%s'", key);

      skip_space (s);
      if (s->p < s->end && *s->p == ',')
        s->p++;
      else if (s->p >= s->end || *s->p != '}')
        return fail (s, error, "expected ',' or '}'");
    }
  s->p++;
  skip_space (s);
  if (s->p != s->end)
    return fail (s, error, "trailing characters after the dict");
  if (!h->have_descr || !h->have_fortran_order || !h->have_shape)
    return fail (s, error, "missing key '%s'",
                 !h->have_descr ? "descr"
                 : !h->have_fortran_order ? "fortran_order" : "shape");
  return TRUE;
}

gboolean
vl_npy_has_magic (const guint8 *bytes, gsize size)
{
  return size >= NPY_MAGIC_LEN && memcmp (bytes, NPY_MAGIC, NPY_MAGIC_LEN) == 0;
}

/* Bytes per element of the dtypes read as @want; 0 when unsupported. */
static gsize
element_size (const char *descr, VlTensorDtype want)
{
  if (want == VL_TENSOR_DTYPE_F32)
    return strcmp (descr, "<f4") == 0 ? 4 : 0;
  if (strcmp (descr, "<i4") == 0)
    return 4;
  if (strcmp (descr, "<i8") == 0)
    return 8;
  return 0;
}

static char *
shape_to_string (const Header *h)
{
  GString *str = g_string_new ("(");

  for (guint i = 0; i < h->ndim; i++)
    g_string_append_printf (str, "%s%" G_GINT64_FORMAT, i ? ", " : "",
                            h->shape[i]);
  g_string_append (str, h->ndim == 1 ? ",)" : ")");
  return g_string_free (str, FALSE);
}

static gpointer
copy_data (const guint8 *src, gsize count, gsize elem, VlTensorDtype dtype)
{
  gpointer data = g_try_malloc (count * (dtype == VL_TENSOR_DTYPE_F32 ? 4 : 8));
  gint64 *ids = data;

  if (data == NULL)
    return NULL;
  if (dtype == VL_TENSOR_DTYPE_F32)
    vl_copy_le32 (data, src, count);
  else if (elem == 4)
    for (gsize i = 0; i < count; i++)
      {
        guint32 v;

        memcpy (&v, src + 4 * i, 4);
        ids[i] = (gint32) GUINT32_FROM_LE (v);
      }
  else
    for (gsize i = 0; i < count; i++)
      {
        guint64 v;

        memcpy (&v, src + 8 * i, 8);
        ids[i] = (gint64) GUINT64_FROM_LE (v);
      }
  return data;
}

VlTensor *
vl_npy_parse (const char *name, const guint8 *bytes, gsize size,
              VlTensorDtype dtype, GError **error)
{
  guint major, minor;
  gsize prefix, header_len, rows, cols, count, elem, data_bytes;
  Scanner s;
  Header h;
  gpointer data;

  if (!vl_npy_has_magic (bytes, size))
    {
      g_set_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_INVALID_FILE,
                   _("%s: not a .npy file (bad magic)"), name);
      return NULL;
    }
  if (size < NPY_MAGIC_LEN + 2)
    goto truncated_header;
  major = bytes[6];
  minor = bytes[7];
  if (major < 1 || major > 3 || minor != 0)
    {
      g_set_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_UNSUPPORTED_FORMAT,
                   _("%s: unsupported .npy format version %u.%u (expected "
                     "1.0, 2.0 or 3.0)"), name, major, minor);
      return NULL;
    }
  prefix = major == 1 ? 10 : 12;
  if (size < prefix)
    goto truncated_header;
  if (major == 1)
    header_len = (gsize) bytes[8] | (gsize) bytes[9] << 8;
  else
    header_len = (gsize) bytes[8] | (gsize) bytes[9] << 8
                 | (gsize) bytes[10] << 16 | (gsize) bytes[11] << 24;
  if (header_len > NPY_MAX_HEADER)
    {
      g_set_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_INVALID_FILE,
                   _("%s: .npy header length %zu is larger than %d bytes"),
                   name, header_len, NPY_MAX_HEADER);
      return NULL;
    }
  if (header_len > size - prefix)
    {
      g_set_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_INVALID_FILE,
                   _("%s: truncated: the .npy header claims %zu bytes but "
                     "only %zu follow"), name, header_len, size - prefix);
      return NULL;
    }

  s.name = name;
  s.start = s.p = (const char *) bytes + prefix;
  s.end = s.p + header_len;
  if (!parse_header (&s, &h, error))
    return NULL;

  elem = element_size (h.descr, dtype);
  if (elem == 0)
    {
      g_set_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_UNSUPPORTED_FORMAT,
                   _("%s: dtype '%s' is not supported (expected %s)"), name,
                   h.descr, dtype == VL_TENSOR_DTYPE_F32
                   ? "'<f4', little-endian float32"
                   : "'<i4' or '<i8', little-endian integer ids");
      return NULL;
    }
  if (h.fortran_order)
    {
      g_set_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_UNSUPPORTED_FORMAT,
                   _("%s: Fortran-order (column-major) arrays are not "
                     "supported; save a C-order array "
                     "(numpy.ascontiguousarray)"), name);
      return NULL;
    }
  if (h.ndim != 1 && h.ndim != 2)
    {
      g_autofree char *shape = shape_to_string (&h);

      g_set_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_UNSUPPORTED_FORMAT,
                   _("%s: array of shape %s has %u dimensions; expected a "
                     "2-D matrix (or one 1-D vector)"), name, shape, h.ndim);
      return NULL;
    }
  rows = h.ndim == 2 ? (gsize) h.shape[0] : 1;
  cols = (gsize) h.shape[h.ndim - 1];
  if ((guint64) h.shape[0] > G_MAXSIZE
      || (guint64) h.shape[h.ndim - 1] > G_MAXSIZE
      || !g_size_checked_mul (&count, rows, cols)
      || !g_size_checked_mul (&data_bytes, count, elem))
    {
      g_autofree char *shape = shape_to_string (&h);

      g_set_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_INVALID_FILE,
                   _("%s: shape %s is too large to address"), name, shape);
      return NULL;
    }
  if (count == 0)
    {
      g_autofree char *shape = shape_to_string (&h);

      g_set_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_INVALID_FILE,
                   _("%s: empty array of shape %s"), name, shape);
      return NULL;
    }
  if (data_bytes != size - prefix - header_len)
    {
      g_autofree char *shape = shape_to_string (&h);

      g_set_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_INVALID_FILE,
                   _("%s: %s: shape %s needs %zu bytes of data but the file "
                     "has %zu after the header"), name,
                   data_bytes > size - prefix - header_len ? "truncated"
                                                           : "trailing data",
                   shape, data_bytes, size - prefix - header_len);
      return NULL;
    }

  data = copy_data (bytes + prefix + header_len, count, elem, dtype);
  if (data == NULL)
    {
      g_set_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_FAILED,
                   _("%s: out of memory reading %zu x %zu values"), name, rows,
                   cols);
      return NULL;
    }
  return vl_tensor_new_take (dtype, rows, cols, data);

truncated_header:
  g_set_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_INVALID_FILE,
               _("%s: truncated .npy header (%zu bytes)"), name, size);
  return NULL;
}

GBytes *
vl_npy_serialize (VlTensor *tensor)
{
  gsize rows = vl_tensor_get_rows (tensor), cols = vl_tensor_get_cols (tensor);
  gboolean f32 = vl_tensor_get_dtype (tensor) == VL_TENSOR_DTYPE_F32;
  gsize count = rows * cols;
  g_autoptr(GString) header = NULL;
  guint8 *out, *data;
  gsize total;

  header = g_string_new (NULL);
  g_string_printf (header,
                   "{'descr': '%s', 'fortran_order': False, "
                   "'shape': (%zu, %zu), }", f32 ? "<f4" : "<i8", rows, cols);
  /* numpy pads with spaces and ends with a newline so that the data starts
   * aligned; 10 is the version 1.0 prefix. */
  total = 10 + header->len + 1;
  total = (total + NPY_ALIGN - 1) / NPY_ALIGN * NPY_ALIGN;
  while (10 + header->len + 1 < total)
    g_string_append_c (header, ' ');
  g_string_append_c (header, '\n');

  out = g_malloc (total + count * (f32 ? 4 : 8));
  memcpy (out, NPY_MAGIC "\x01\x00", 8);
  out[8] = header->len & 0xff;
  out[9] = header->len >> 8;
  memcpy (out + 10, header->str, header->len);
  data = out + total;
  if (f32)
    vl_copy_le32 (data, vl_tensor_get_f32 (tensor), count);
  else
    {
      const gint64 *src = vl_tensor_get_ids (tensor);

      for (gsize i = 0; i < count; i++)
        {
          guint64 v = GUINT64_TO_LE ((guint64) src[i]);

          memcpy (data + 8 * i, &v, 8);
        }
    }
  return g_bytes_new_take (out, total + count * (f32 ? 4 : 8));
}
