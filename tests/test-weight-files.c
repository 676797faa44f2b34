/* test-weight-files.c: loading weights into a registry from .npy,
 * safetensors and raw float32 files, hostile files among them (every file
 * is written here), and the learned-search service's projection and its
 * fallback. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "vectorlab-bench.h"
#include "vl-learned-search.h"
#include "vl-weight-file.h"

static char *tmp_dir;

static char *
write_file (const char *name, const void *data, gsize len)
{
  char *path = g_build_filename (tmp_dir, name, NULL);
  FILE *f = g_fopen (path, "wb");

  g_assert_nonnull (f);
  g_assert_cmpuint (fwrite (data, 1, len, f), ==, len);
  g_assert_cmpint (fclose (f), ==, 0);
  return path;
}

/* A safetensors file of @header and @data_len bytes of data, with the
 * header length field @claimed (or the true length when 0). */
static char *
write_safetensors (const char *name, const char *header, guint64 claimed,
                   const float *data, gsize data_len)
{
  gsize hlen = strlen (header);
  g_autofree guint8 *buf = g_malloc (8 + hlen + data_len);
  guint64 len = claimed ? claimed : hlen;

  for (int i = 0; i < 8; i++)
    buf[i] = (guint8) (len >> (8 * i));
  memcpy (buf + 8, header, hlen);
  if (data_len > 0)
    memcpy (buf + 8 + hlen, data, data_len);
  return write_file (name, buf, 8 + hlen + data_len);
}

static VlContext *
ref_context (void)
{
  return vl_context_new ("ref", NULL);
}

static void
test_safetensors_ok (void)
{
  VlContext *ctx = ref_context ();
  VlWeights *weights = vl_weights_new (ctx, NULL);
  float data[2 * 3 + 4] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, back[6];
  g_autofree char *path = write_safetensors (
    "ok.safetensors",
    "{\"__metadata__\": {\"format\": \"pt\"},"
    " \"b\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [24, 40]},"
    " \"a\": {\"dtype\": \"F32\", \"shape\": [2, 3], \"data_offsets\": [0, 24]}}",
    0, data, sizeof data);
  g_autoptr(GError) error = NULL;
  VlWeightsShape shape;

  g_assert_true (vl_weight_file_load_safetensors (weights, "enc.", path,
                                                  &error));
  g_assert_no_error (error);
  g_assert_cmpuint (vl_weights_get_n (weights), ==, 2);
  g_assert_cmpint (vl_weights_get_shape (weights, "enc.a", &shape, NULL), ==,
                   VL_STATUS_OK);
  g_assert_cmpuint (shape.n_dims, ==, 2);
  g_assert_cmpuint (shape.dims[0], ==, 2);
  g_assert_cmpuint (shape.dims[1], ==, 3);
  g_assert_cmpint (vl_weights_read (weights, "enc.a", back, sizeof back,
                                    NULL), ==, VL_STATUS_OK);
  g_assert_cmpmem (back, sizeof back, data, sizeof back);
  g_assert_true (vl_weights_contains (weights, "enc.b"));
  vl_weights_free (weights);
  vl_context_free (ctx);
}

typedef struct
{
  const char *name;
  const char *header;
  guint64     claimed;    /* header length field; 0: the true length */
  gsize       data_len;   /* bytes of data after the header */
  int         code;       /* VlBenchError */
  const char *message;    /* a part of the message */
} Hostile;

static const Hostile hostile[] = {
  { "huge-length", "{}", G_MAXUINT64, 0, VL_BENCH_ERROR_INVALID_FILE,
    "the header claims 18446744073709551615 bytes" },
  { "length-past-eof", "{}", 1000, 0, VL_BENCH_ERROR_INVALID_FILE,
    "the header claims 1000 bytes" },
  { "bad-json", "{\"a\": {\"dtype\": ", 0, 0, VL_BENCH_ERROR_INVALID_FILE,
    "not valid JSON" },
  { "not-object", "[1, 2]", 0, 0, VL_BENCH_ERROR_INVALID_FILE,
    "not a JSON object" },
  { "entry-not-object", "{\"a\": 3}", 0, 0, VL_BENCH_ERROR_INVALID_FILE,
    "tensor 'a': the header entry is not an object" },
  { "f16", "{\"a\": {\"dtype\": \"F16\", \"shape\": [2], "
    "\"data_offsets\": [0, 4]}}", 0, 4, VL_BENCH_ERROR_UNSUPPORTED_FORMAT,
    "tensor 'a' has dtype F16; only F32 is supported" },
  { "no-dtype", "{\"a\": {\"shape\": [1], \"data_offsets\": [0, 4]}}", 0, 4,
    VL_BENCH_ERROR_INVALID_FILE, "tensor 'a' has no dtype" },
  { "offsets-past-eof", "{\"a\": {\"dtype\": \"F32\", \"shape\": [4], "
    "\"data_offsets\": [0, 16]}}", 0, 8, VL_BENCH_ERROR_INVALID_FILE,
    "tensor 'a': dimension 0 is not a positive size that fits the file" },
  { "end-past-eof", "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], "
    "\"data_offsets\": [12, 16]}}", 0, 8, VL_BENCH_ERROR_INVALID_FILE,
    "data_offsets end at 16, past the 8 bytes" },
  { "size-mismatch", "{\"a\": {\"dtype\": \"F32\", \"shape\": [2, 2], "
    "\"data_offsets\": [0, 12]}}", 0, 16, VL_BENCH_ERROR_INVALID_FILE,
    "its shape needs 16 bytes, data_offsets span 12" },
  { "reversed-offsets", "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], "
    "\"data_offsets\": [8, 4]}}", 0, 8, VL_BENCH_ERROR_INVALID_FILE,
    "begin <= end" },
  { "negative-offset", "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], "
    "\"data_offsets\": [-4, 0]}}", 0, 8, VL_BENCH_ERROR_INVALID_FILE,
    "data_offsets must be two integers" },
  { "float-dim", "{\"a\": {\"dtype\": \"F32\", \"shape\": [1.5], "
    "\"data_offsets\": [0, 4]}}", 0, 8, VL_BENCH_ERROR_INVALID_FILE,
    "dimension 0" },
  { "five-dims", "{\"a\": {\"dtype\": \"F32\", \"shape\": [1, 1, 1, 1, 1], "
    "\"data_offsets\": [0, 4]}}", 0, 8, VL_BENCH_ERROR_UNSUPPORTED_FORMAT,
    "has 5 dimensions" },
  { "overlap", "{\"a\": {\"dtype\": \"F32\", \"shape\": [2], "
    "\"data_offsets\": [0, 8]}, \"b\": {\"dtype\": \"F32\", \"shape\": [2], "
    "\"data_offsets\": [4, 12]}}", 0, 12, VL_BENCH_ERROR_INVALID_FILE,
    "tensors 'a' and 'b' overlap" },
  { "huge-dim", "{\"a\": {\"dtype\": \"F32\", \"shape\": [4611686018427387904, "
    "4], \"data_offsets\": [0, 16]}}", 0, 16, VL_BENCH_ERROR_INVALID_FILE,
    "dimension 0" },
};

static void
test_safetensors_hostile (gconstpointer data)
{
  const Hostile *h = data;
  VlContext *ctx = ref_context ();
  VlWeights *weights = vl_weights_new (ctx, NULL);
  float zeros[4] = { 0 };
  g_autofree char *file = g_strconcat (h->name, ".safetensors", NULL);
  g_autofree char *path = write_safetensors (file, h->header, h->claimed,
                                             zeros, h->data_len);
  g_autoptr(GError) error = NULL;

  g_assert_false (vl_weight_file_load_safetensors (weights, NULL, path,
                                                   &error));
  g_assert_error (error, VL_BENCH_ERROR, h->code);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, file));
  if (strstr (error->message, h->message) == NULL)
    g_test_fail_printf ("'%s' does not contain '%s'", error->message,
                        h->message);
  g_assert_cmpuint (vl_weights_get_n (weights), ==, 0);
  vl_weights_free (weights);
  vl_context_free (ctx);
}

static void
test_safetensors_short (void)
{
  VlContext *ctx = ref_context ();
  VlWeights *weights = vl_weights_new (ctx, NULL);
  g_autofree char *path = write_file ("short.safetensors", "\x02\0\0", 3);
  g_autofree char *missing = g_build_filename (tmp_dir, "nope", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_false (vl_weight_file_load_safetensors (weights, NULL, path,
                                                   &error));
  g_assert_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_INVALID_FILE);
  g_clear_error (&error);
  g_assert_false (vl_weight_file_load_safetensors (weights, NULL, missing,
                                                   &error));
  g_assert_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_INVALID_FILE);
  vl_weights_free (weights);
  vl_context_free (ctx);
}

static void
test_raw (void)
{
  VlContext *ctx = ref_context ();
  VlWeights *weights = vl_weights_new (ctx, NULL);
  float data[12], back[12], bad[3] = { 1, NAN, 2 };
  VlWeightsShape s34 = vl_weights_shape_2d (3, 4);
  VlWeightsShape s35 = vl_weights_shape_2d (3, 5);
  VlWeightsShape s3 = { 1, { 3, 0, 0, 0 }, VL_DTYPE_F32 };
  g_autofree char *path = NULL, *nan_path = NULL;
  g_autoptr(GError) error = NULL;

  for (int i = 0; i < 12; i++)
    data[i] = (float) i - 5.5f;
  path = write_file ("w.f32", data, sizeof data);
  g_assert_true (vl_weight_file_load_raw (weights, "w", path, &s34, &error));
  g_assert_no_error (error);
  g_assert_cmpint (vl_weights_read (weights, "w", back, sizeof back, NULL),
                   ==, VL_STATUS_OK);
  g_assert_cmpmem (back, sizeof back, data, sizeof data);

  g_assert_false (vl_weight_file_load_raw (weights, "w2", path, &s35,
                                           &error));
  g_assert_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_INVALID_FILE);
  g_assert_nonnull (strstr (error->message,
                            "tensor 'w2': the declared shape needs 60 bytes, "
                            "the file has 48"));
  g_clear_error (&error);

  nan_path = write_file ("nan.f32", bad, sizeof bad);
  g_assert_false (vl_weight_file_load_raw (weights, "n", nan_path, &s3,
                                           &error));
  g_assert_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_CORE);
  g_assert_nonnull (strstr (error->message, "tensor 'n'"));
  g_assert_cmpuint (vl_weights_get_n (weights), ==, 1);
  vl_weights_free (weights);
  vl_context_free (ctx);
}

static void
test_npy (void)
{
  VlContext *ctx = ref_context ();
  VlWeights *weights = vl_weights_new (ctx, NULL);
  float data[6] = { 1, 2, 3, 4, 5, 6 }, back[6];
  g_autoptr(VlTensor) tensor = vl_tensor_new_f32 (2, 3, data);
  g_autofree char *path = g_build_filename (tmp_dir, "w.npy", NULL);
  g_autofree char *junk = write_file ("junk.npy", "\x93NUMPY\x01", 7);
  VlWeightsShape want = vl_weights_shape_2d (2, 3);
  g_autoptr(GError) error = NULL;

  g_assert_true (vl_tensor_save (tensor, path, &error));
  g_assert_true (vl_weight_file_load_npy (weights, "P", path, &error));
  g_assert_no_error (error);
  g_assert_cmpint (vl_weights_check (weights, "P", &want, NULL), ==,
                   VL_STATUS_OK);
  g_assert_cmpint (vl_weights_read (weights, "P", back, sizeof back, NULL),
                   ==, VL_STATUS_OK);
  g_assert_cmpmem (back, sizeof back, data, sizeof data);
  g_assert_false (vl_weight_file_load_npy (weights, "J", junk, &error));
  g_assert_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_INVALID_FILE);
  vl_weights_free (weights);
  vl_context_free (ctx);
}

/* The service: off by default, falls back and says so; projects when on. */
static void
test_learned_search (void)
{
  VlContext *ctx = vl_context_new ("cpu", NULL);
  VlWeights *weights = vl_weights_new (ctx, NULL);
  /* Keeps only the first coordinate: neighbours change. */
  float p[1 * 2] = { 1, 0 };
  float db[4 * 2] = { 0, 0, 1, 5, 3, 0, 10, 0 }, q[2] = { 0.9f, 0 };
  VlWeightsShape shape = vl_weights_shape_2d (1, 2);
  VlMatrix dbm = vl_matrix_f32 (db, 4, 2), qm = vl_matrix_f32 (q, 1, 2);
  g_autoptr(VlLearnedSearch) search = vl_learned_search_new (ctx, weights,
                                                             VL_METRIC_L2);
  VlLearnedSearchInfo info;
  g_autoptr(GError) error = NULL;
  gint64 ids[1];
  float scores[1];

  g_assert_cmpint (vl_weights_set (weights, "P", &shape, p, NULL), ==,
                   VL_STATUS_OK);
  g_assert_false (vl_learned_search_get_experimental_ml (search));
  g_assert_false (vl_learned_search_search (search, &qm, 1, ids, scores,
                                            &info, &error));
  g_clear_error (&error);
  g_assert_true (vl_learned_search_set_database (search, &dbm, &error));
  vl_learned_search_set_projection (search, "P");

  g_assert_true (vl_learned_search_search (search, &qm, 1, ids, scores,
                                           &info, &error));
  g_assert_false (info.used_projection);
  g_assert_cmpstr (info.reason, ==, "experimental-ml is off");
  g_assert_cmpint (ids[0], ==, 0);

  g_object_set (search, "experimental-ml", TRUE, NULL);
  g_assert_true (vl_learned_search_search (search, &qm, 1, ids, scores,
                                           &info, &error));
  g_assert_true (info.used_projection);
  g_assert_cmpint (ids[0], ==, 1);  /* projected: |0.9 - 1| is smallest */
  g_assert_cmpfloat_with_epsilon (scores[0], 0.01f, 1e-6f);

  vl_learned_search_set_projection (search, NULL);
  g_assert_true (vl_learned_search_search (search, &qm, 1, ids, scores,
                                           &info, &error));
  g_assert_false (info.used_projection);
  g_assert_cmpstr (info.reason, ==, "no projection is set");

  vl_learned_search_set_projection (search, "missing");
  g_assert_false (vl_learned_search_search (search, &qm, 1, ids, scores,
                                            &info, &error));
  g_assert_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_CORE);
  g_assert_nonnull (strstr (error->message, "'missing'"));
  g_clear_object (&search);
  vl_weights_free (weights);
  vl_context_free (ctx);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  tmp_dir = g_dir_make_tmp ("vl-weight-files-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/vectorlab/weight-files/safetensors", test_safetensors_ok);
  for (gsize i = 0; i < G_N_ELEMENTS (hostile); i++)
    {
      g_autofree char *path = g_strdup_printf (
        "/vectorlab/weight-files/safetensors-hostile/%s", hostile[i].name);
      g_test_add_data_func (path, &hostile[i], test_safetensors_hostile);
    }
  g_test_add_func ("/vectorlab/weight-files/safetensors-short",
                   test_safetensors_short);
  g_test_add_func ("/vectorlab/weight-files/raw", test_raw);
  g_test_add_func ("/vectorlab/weight-files/npy", test_npy);
  g_test_add_func ("/vectorlab/learned-search/fallback", test_learned_search);
  status = g_test_run ();

  {
    g_autoptr(GDir) dir = g_dir_open (tmp_dir, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = g_build_filename (tmp_dir, name, NULL);
        g_unlink (path);
      }
    g_rmdir (tmp_dir);
  }
  return status;
}
