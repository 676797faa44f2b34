/* test-tensor-file.c: .npy / .fvecs / .ivecs round trips, and hostile files
 * that must fail with a VL_BENCH_ERROR naming the file and the problem.
 * Every file is written here, into a temporary directory. */
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "vectorlab-bench.h"

static char *tmp_dir;

/* Test files need no durability: plain stdio skips the fsync of
 * g_file_set_contents, which made the truncation sweep slow. */
static void
write_file (const char *path, const char *data, gsize len)
{
  FILE *f = g_fopen (path, "wb");

  g_assert_nonnull (f);
  g_assert_cmpuint (fwrite (data, 1, len, f), ==, len);
  g_assert_cmpint (fclose (f), ==, 0);
}

static char *
tmp_path (const char *name)
{
  return g_build_filename (tmp_dir, name, NULL);
}

static VlTensor *
random_tensor (gsize rows, gsize cols, guint32 seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autofree float *data = g_new (float, rows * cols);

  for (gsize i = 0; i < rows * cols; i++)
    data[i] = (float) g_rand_double_range (rand, -10.0, 10.0);
  return vl_tensor_new_f32 (rows, cols, data);
}

static void
assert_same_f32 (VlTensor *a, VlTensor *b)
{
  g_assert_cmpuint (vl_tensor_get_dtype (b), ==, VL_TENSOR_DTYPE_F32);
  g_assert_cmpuint (vl_tensor_get_rows (a), ==, vl_tensor_get_rows (b));
  g_assert_cmpuint (vl_tensor_get_cols (a), ==, vl_tensor_get_cols (b));
  g_assert_cmpmem (vl_tensor_get_f32 (a),
                   vl_tensor_get_rows (a) * vl_tensor_get_cols (a) * 4,
                   vl_tensor_get_f32 (b),
                   vl_tensor_get_rows (b) * vl_tensor_get_cols (b) * 4);
}

static void
test_roundtrip_f32 (gconstpointer data)
{
  const char *name = data;
  g_autofree char *path = tmp_path (name);
  g_autoptr(VlTensor) tensor = random_tensor (7, 13, 42);
  g_autoptr(VlTensor) loaded = NULL;
  g_autoptr(GError) error = NULL;
  VlMatrix m;

  g_assert_true (vl_tensor_save (tensor, path, &error));
  g_assert_no_error (error);
  loaded = vl_tensor_load (path, &error);
  g_assert_no_error (error);
  assert_same_f32 (tensor, loaded);

  m = vl_tensor_get_matrix (loaded);
  g_assert_cmpuint (m.rows, ==, 7);
  g_assert_cmpuint (m.cols, ==, 13);
  g_assert_cmpuint (m.stride, ==, 13);
  g_assert_true (m.data == vl_tensor_get_f32 (loaded));
}

static void
test_roundtrip_ids (gconstpointer data)
{
  const char *name = data;
  g_autofree char *path = tmp_path (name);
  const gint64 ids[] = { 0, 1, 2, 99, -1, G_MAXINT32 };
  g_autoptr(VlTensor) tensor = vl_tensor_new_ids (2, 3, ids);
  g_autoptr(VlTensor) loaded = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (vl_tensor_save (tensor, path, &error));
  g_assert_no_error (error);
  loaded = vl_tensor_load_ids (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vl_tensor_get_dtype (loaded), ==, VL_TENSOR_DTYPE_I64);
  g_assert_cmpuint (vl_tensor_get_rows (loaded), ==, 2);
  g_assert_cmpuint (vl_tensor_get_cols (loaded), ==, 3);
  g_assert_cmpmem (vl_tensor_get_ids (loaded), sizeof ids, ids, sizeof ids);
  g_assert_null (vl_tensor_get_f32 (loaded));
}

/* A .npy file of format @major.0 with @header (padded as numpy does) and
 * @data_len bytes of data counting 0.0f, 1.0f, ... */
static GBytes *
make_npy (guint major, const char *header, gsize data_len)
{
  gsize prefix = major == 1 ? 10 : 12;
  g_autoptr(GString) h = g_string_new (header);
  GByteArray *out = g_byte_array_new ();
  guint8 version[2] = { (guint8) major, 0 };
  guint32 len;

  while ((prefix + h->len + 1) % 64 != 0)
    g_string_append_c (h, ' ');
  g_string_append_c (h, '\n');
  len = GUINT32_TO_LE ((guint32) h->len);

  g_byte_array_append (out, (const guint8 *) "\x93NUMPY", 6);
  g_byte_array_append (out, version, 2);
  g_byte_array_append (out, (const guint8 *) &len, prefix - 8);
  g_byte_array_append (out, (const guint8 *) h->str, (guint) h->len);
  for (gsize i = 0; i < data_len; i += 4)
    {
      float f = (float) (i / 4);
      guint32 v;

      memcpy (&v, &f, 4);
      v = GUINT32_TO_LE (v);
      g_byte_array_append (out, (const guint8 *) &v, (guint) MIN (4, data_len - i));
    }
  return g_byte_array_free_to_bytes (out);
}

static VlTensor *
load_bytes (const char *name, GBytes *bytes, gboolean ids, GError **error)
{
  g_autofree char *path = tmp_path (name);
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  write_file (path, data != NULL ? data : "", len);
  return ids ? vl_tensor_load_ids (path, error) : vl_tensor_load (path, error);
}

typedef struct
{
  const char *file;
  guint       major;
  const char *header;
  gsize       data_len;
  gsize       rows;
  gsize       cols;
} NpyGood;

static const NpyGood npy_good[] = {
  { "v1.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }", 48, 3, 4 },
  { "v2.npy", 2, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }", 48, 3, 4 },
  { "v3.npy", 3, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }", 48, 3, 4 },
  /* 1-D arrays are one vector: 1 x n. */
  { "1d.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }", 20, 1, 5 },
  /* Key order, quotes, spacing and Python 2 longs vary between writers. */
  { "order.npy", 1, "{\"shape\":(2L,3L),\"fortran_order\":False,\"descr\":\"<f4\"}", 24, 2, 3 },
  { "spaces.npy", 1, "{ 'descr' : '<f4' ,\n 'fortran_order' : False , 'shape' : ( 2 , 2 ) }", 16, 2, 2 },
};

static void
test_npy_good (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (npy_good); i++)
    {
      const NpyGood *c = &npy_good[i];
      g_autoptr(GBytes) bytes = make_npy (c->major, c->header, c->data_len);
      g_autoptr(GError) error = NULL;
      g_autoptr(VlTensor) t = load_bytes (c->file, bytes, FALSE, &error);

      g_test_message ("%s", c->file);
      g_assert_no_error (error);
      g_assert_cmpuint (vl_tensor_get_rows (t), ==, c->rows);
      g_assert_cmpuint (vl_tensor_get_cols (t), ==, c->cols);
      for (gsize j = 0; j < c->rows * c->cols; j++)
        g_assert_cmpfloat (vl_tensor_get_f32 (t)[j], ==, (float) j);
    }
}

static void
test_npy_ids (void)
{
  g_autoptr(GBytes) i4 = make_npy (1, "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 2), }", 16);
  g_autoptr(GBytes) i8 = make_npy (1, "{'descr': '<i8', 'fortran_order': False, 'shape': (1, 2), }", 16);
  g_autoptr(GError) error = NULL;
  g_autoptr(VlTensor) t4 = load_bytes ("ids4.npy", i4, TRUE, &error);
  g_autoptr(VlTensor) t8 = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (vl_tensor_get_rows (t4), ==, 2);
  g_assert_cmpuint (vl_tensor_get_cols (t4), ==, 2);
  t8 = load_bytes ("ids8.npy", i8, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vl_tensor_get_cols (t8), ==, 2);
}

typedef enum { NPY, RAW, WORDS } Kind;

typedef struct
{
  const char   *file;
  Kind          kind;
  guint         major;        /* NPY */
  const char   *header;       /* NPY: header; RAW: bytes */
  gsize         len;          /* NPY: data bytes; RAW: bytes; WORDS: words */
  const gint32 *words;        /* WORDS: little-endian int32 words */
  const char   *expect;       /* a phrase the message must hold */
  gboolean      ids;          /* load with vl_tensor_load_ids */
} Hostile;

#define F4(shape) "{'descr': '<f4', 'fortran_order': False, 'shape': " shape ", }"
#define W(...) sizeof ((const gint32 []) { __VA_ARGS__ }) / 4, (const gint32 []) { __VA_ARGS__ }

static const Hostile hostile[] = {
  { "empty.npy", RAW, 0, "", 0, NULL, "empty file" },
  { "garbage.npy", RAW, 0, "GARBAGE!GARBAGE!", 16, NULL, "bad magic" },
  { "magic-only.npy", RAW, 0, "\x93NUMPY", 6, NULL, "truncated" },
  { "no-length.npy", RAW, 0, "\x93NUMPY\x02\x00\x10", 9, NULL, "truncated" },
  { "header-past-eof.npy", RAW, 0, "\x93NUMPY\x01\x00\xe8\x03{'descr': '<f4'", 25, NULL, "truncated" },
  { "huge-header.npy", RAW, 0, "\x93NUMPY\x02\x00\xff\xff\xff\x7f{", 13, NULL, "header length" },
  { "version.npy", RAW, 0, "\x93NUMPY\x04\x00\x00\x00", 10, NULL, "version 4.0" },
  { "f8.npy", NPY, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", 32, NULL, "dtype '<f8'" },
  { "i4.npy", NPY, 1, "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 2), }", 16, NULL, "dtype '<i4'" },
  { "big-endian.npy", NPY, 1, "{'descr': '>f4', 'fortran_order': False, 'shape': (2, 2), }", 16, NULL, "dtype '>f4'" },
  { "pipe-f4.npy", NPY, 1, "{'descr': '|f4', 'fortran_order': False, 'shape': (2, 2), }", 16, NULL, "dtype '|f4'" },
  { "ids-f4.npy", NPY, 1, F4 ("(2, 2)"), 16, NULL, "dtype '<f4'", TRUE },
  { "fortran.npy", NPY, 1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", 16, NULL, "Fortran" },
  { "3d.npy", NPY, 1, F4 ("(2, 3, 4)"), 96, NULL, "3 dimensions" },
  { "0d.npy", NPY, 1, F4 ("()"), 4, NULL, "0 dimensions" },
  { "negative.npy", NPY, 1, F4 ("(-1, 4)"), 16, NULL, "negative dimension" },
  { "zero-rows.npy", NPY, 1, F4 ("(0, 4)"), 0, NULL, "empty array" },
  { "huge-dim.npy", NPY, 1, F4 ("(99999999999999999999999, 1)"), 4, NULL, "too large" },
  { "overflow.npy", NPY, 1, F4 ("(4611686018427387904, 4611686018427387904)"), 4, NULL, "too large" },
  { "overflow-bytes.npy", NPY, 1, F4 ("(4611686018427387904, 1)"), 4, NULL, "too large" },
  /* 2^62 x 4 floats is 2^66 bytes: wraps to 0 without the checked product. */
  { "wrap.npy", NPY, 1, F4 ("(4611686018427387904, 4)"), 0, NULL, "too large" },
  { "short-data.npy", NPY, 1, F4 ("(4, 4)"), 60, NULL, "truncated" },
  { "long-data.npy", NPY, 1, F4 ("(2, 2)"), 20, NULL, "trailing data" },
  { "unterminated.npy", NPY, 1, "{'descr': '<f4', 'fortran_order': False", 0, NULL, "malformed" },
  { "missing-key.npy", NPY, 1, "{'descr': '<f4', 'fortran_order': False}", 0, NULL, "missing key 'shape'" },
  { "unknown-key.npy", NPY, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1), 'evil': 1}", 4, NULL, "unexpected or repeated key 'evil'" },
  { "repeated-key.npy", NPY, 1, "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1, 1)}", 4, NULL, "repeated key" },
  { "eval.npy", NPY, 1, "{'descr': __import__('os').system('false'), 'fortran_order': False, 'shape': (1, 1)}", 4, NULL, "malformed" },
  { "structured.npy", NPY, 1, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1, 1)}", 4, NULL, "structured" },
  { "not-a-dict.npy", NPY, 1, "[1, 2, 3]", 0, NULL, "malformed" },
  { "empty.fvecs", RAW, 0, "", 0, NULL, "empty file" },
  { "tiny.fvecs", RAW, 0, "\x04\x00", 2, NULL, "truncated" },
  { "d0.fvecs", WORDS, 0, NULL, W (0), "dimension 0" },
  { "negative-d.fvecs", WORDS, 0, NULL, W (-5, 0, 0), "dimension -5" },
  { "mixed-d.fvecs", WORDS, 0, NULL, W (2, 0, 0, 3, 0, 0, 0), "row 1 has dimension 3" },
  { "short-row.fvecs", WORDS, 0, NULL, W (2, 0, 0, 2, 0), "truncated: row 1" },
  { "huge-d.fvecs", WORDS, 0, NULL, W (0x7fffffff, 0, 0), "truncated: row 0" },
  { "ids.ivecs", WORDS, 0, NULL, W (1, 7), "expected float32 vectors" },
  { "floats.fvecs", WORDS, 0, NULL, W (1, 7), "expected integer ids", TRUE },
  { "mixed-d.ivecs", WORDS, 0, NULL, W (1, 7, 2, 8, 9), "row 1 has dimension 2", TRUE },
  { "unknown.bin", RAW, 0, "hello", 5, NULL, "unknown format" },
};

static GBytes *
hostile_bytes (const Hostile *c)
{
  switch (c->kind)
    {
    case NPY:
      return make_npy (c->major, c->header, c->len);
    case RAW:
      return g_bytes_new (c->header, c->len);
    case WORDS:
    default:
      {
        gint32 *le = g_new (gint32, c->len);

        for (gsize i = 0; i < c->len; i++)
          le[i] = GINT32_TO_LE (c->words[i]);
        return g_bytes_new_take (le, c->len * 4);
      }
    }
}

static void
test_hostile (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (hostile); i++)
    {
      const Hostile *c = &hostile[i];
      g_autoptr(GBytes) bytes = hostile_bytes (c);
      g_autoptr(GError) error = NULL;
      g_autoptr(VlTensor) t = load_bytes (c->file, bytes, c->ids, &error);

      g_test_message ("%s: %s", c->file, error ? error->message : "(loaded)");
      g_assert_null (t);
      g_assert_nonnull (error);
      g_assert_true (error->domain == VL_BENCH_ERROR);
      g_assert_nonnull (strstr (error->message, c->file));
      g_assert_nonnull (strstr (error->message, c->expect));
    }
}

static void
test_missing_file (void)
{
  g_autofree char *path = tmp_path ("does-not-exist.npy");
  g_autoptr(GError) error = NULL;
  g_autoptr(VlTensor) t = vl_tensor_load (path, &error);

  g_assert_null (t);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_assert_nonnull (strstr (error->message, "does-not-exist.npy"));
}

static void
test_save_errors (void)
{
  g_autoptr(VlTensor) tensor = random_tensor (2, 2, 1);
  const gint64 big[] = { (gint64) G_MAXINT32 + 1 };
  g_autoptr(VlTensor) ids = vl_tensor_new_ids (1, 1, big);
  g_autofree char *ivecs = tmp_path ("f32.ivecs");
  g_autofree char *big_ivecs = tmp_path ("big.ivecs");
  g_autofree char *txt = tmp_path ("f32.txt");
  g_autofree char *no_dir = tmp_path ("no/such/dir.npy");
  g_autoptr(GError) error = NULL;

  g_assert_false (vl_tensor_save (tensor, ivecs, &error));
  g_assert_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_UNSUPPORTED_FORMAT);
  g_clear_error (&error);
  g_assert_false (vl_tensor_save (ids, big_ivecs, &error));
  g_assert_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_UNSUPPORTED_FORMAT);
  g_clear_error (&error);
  g_assert_false (vl_tensor_save (tensor, txt, &error));
  g_assert_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_UNSUPPORTED_FORMAT);
  g_clear_error (&error);
  g_assert_false (vl_tensor_save (tensor, no_dir, &error));
  g_assert_nonnull (error);
}

/* Every prefix of a valid file is a truncated file: none may load or crash. */
static void
test_every_truncation (void)
{
  g_autoptr(VlTensor) tensor = random_tensor (3, 5, 7);
  const char *names[] = { "cut.npy", "cut.fvecs" };
  const gsize fvecs_row = 4 * (1 + 5);

  for (gsize n = 0; n < G_N_ELEMENTS (names); n++)
    {
      g_autofree char *path = tmp_path (names[n]);
      g_autofree char *contents = NULL;
      gsize len;

      g_assert_true (vl_tensor_save (tensor, path, NULL));
      g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
      for (gsize cut = 0; cut < len; cut++)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(VlTensor) t = NULL;

          write_file (path, contents, cut);
          t = vl_tensor_load (path, &error);
          /* A .fvecs cut between rows is a shorter valid file. */
          if (n == 1 && cut > 0 && cut % fvecs_row == 0)
            {
              g_assert_no_error (error);
              g_assert_cmpuint (vl_tensor_get_rows (t), ==, cut / fvecs_row);
              continue;
            }
          g_assert_null (t);
          g_assert_true (error != NULL && error->domain == VL_BENCH_ERROR);
        }
    }
}

static void
remove_tmp_dir (void)
{
  g_autoptr(GDir) dir = g_dir_open (tmp_dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = tmp_path (name);

      g_remove (path);
    }
  g_rmdir (tmp_dir);
}

int
main (int argc, char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  tmp_dir = g_dir_make_tmp ("vl-tensor-file-XXXXXX", NULL);
  g_assert_nonnull (tmp_dir);

  g_test_add_data_func ("/bench/tensor-file/roundtrip/npy", "rt.npy",
                        test_roundtrip_f32);
  g_test_add_data_func ("/bench/tensor-file/roundtrip/fvecs", "rt.fvecs",
                        test_roundtrip_f32);
  g_test_add_data_func ("/bench/tensor-file/roundtrip/ivecs", "rt.ivecs",
                        test_roundtrip_ids);
  g_test_add_data_func ("/bench/tensor-file/roundtrip/npy-ids", "rt-ids.npy",
                        test_roundtrip_ids);
  g_test_add_func ("/bench/tensor-file/npy/headers", test_npy_good);
  g_test_add_func ("/bench/tensor-file/npy/ids", test_npy_ids);
  g_test_add_func ("/bench/tensor-file/hostile", test_hostile);
  g_test_add_func ("/bench/tensor-file/missing", test_missing_file);
  g_test_add_func ("/bench/tensor-file/save-errors", test_save_errors);
  g_test_add_func ("/bench/tensor-file/every-truncation",
                   test_every_truncation);

  ret = g_test_run ();
  remove_tmp_dir ();
  g_free (tmp_dir);
  return ret;
}
