/* test-weights.c: the weight registry (vl-weights.h) on every backend:
 * tensors of 1 to 4 dimensions and both dtypes survive the trip to the
 * device and back, replace and remove behave, shape checks name the tensor
 * and both shapes, and bad arguments fail cleanly. */
#include "vl-test-util.h"

#include <math.h>
#include <string.h>

static VlWeights *
new_registry (const VlTestRun *run)
{
  VlError *error = NULL;
  VlWeights *weights = vl_weights_new (vl_test_context (run->device), &error);

  if (weights == NULL)
    vl_test_check_ok (error->status, error);
  return weights;
}

static VlWeightsShape
shape_of (VlDtype dtype, size_t n_dims, size_t d0, size_t d1, size_t d2,
          size_t d3)
{
  VlWeightsShape s = { n_dims, { d0, d1, d2, d3 }, dtype };

  for (size_t i = n_dims; i < VL_WEIGHTS_MAX_DIMS; i++)
    s.dims[i] = 0;
  return s;
}

static void
test_round_trip (const VlTestRun *run)
{
  static const size_t shapes[][5] = {
    { 1, 1, 0, 0, 0 }, { 1, 769, 0, 0, 0 }, { 2, 17, 769, 0, 0 },
    { 3, 2, 3, 17, 0 }, { 4, 2, 3, 5, 7 },
  };
  VlWeights *weights = new_registry (run);
  GRand *rand = g_rand_new_with_seed (7);

  if (weights == NULL)
    return;
  for (size_t s = 0; s < G_N_ELEMENTS (shapes); s++)
    for (int dt = 0; dt < 2; dt++)
      {
        VlWeightsShape shape = shape_of (dt ? VL_DTYPE_U8 : VL_DTYPE_F32,
                                         shapes[s][0], shapes[s][1],
                                         shapes[s][2], shapes[s][3],
                                         shapes[s][4]);
        size_t count = 1, bytes;
        g_autofree char *name = g_strdup_printf ("t%zu-%d", s, dt);
        g_autofree guint8 *data = NULL, *back = NULL;
        VlWeightsShape found;

        for (size_t i = 0; i < shape.n_dims; i++)
          count *= shape.dims[i];
        bytes = count * (dt ? 1 : sizeof (float));
        data = g_malloc (bytes);
        back = g_malloc0 (bytes);
        for (size_t i = 0; i < count; i++)
          if (dt)
            data[i] = (guint8) g_rand_int (rand);
          else
            ((float *) data)[i] = (float) g_rand_double_range (rand, -1, 1);

        OK (vl_weights_set (weights, name, &shape, data, &error));
        OK (vl_weights_read (weights, name, back, bytes, &error));
        OK (vl_weights_get_shape (weights, name, &found, &error));
        OK (vl_weights_check (weights, name, &shape, &error));
        g_assert_cmpmem (data, bytes, back, bytes);
        g_assert_cmpuint (found.n_dims, ==, shape.n_dims);
        g_assert_cmpmem (found.dims, sizeof found.dims, shape.dims,
                         sizeof shape.dims);
        g_assert_cmpint (found.dtype, ==, shape.dtype);
      }
  g_assert_cmpuint (vl_weights_get_n (weights), ==, 2 * G_N_ELEMENTS (shapes));
  g_assert_cmpstr (vl_weights_get_name (weights, 0), ==, "t0-0");
  g_assert_null (vl_weights_get_name (weights, 1000));
  g_rand_free (rand);
  vl_weights_free (weights);
}

static void
test_replace_remove (const VlTestRun *run)
{
  VlWeights *weights = new_registry (run);
  VlWeightsShape a = vl_weights_shape_2d (2, 3), b = vl_weights_shape_2d (3, 2);
  VlWeightsShape any_rows = vl_weights_shape_2d (0, 2);
  float one[6] = { 1, 2, 3, 4, 5, 6 }, two[6] = { 6, 5, 4, 3, 2, 1 }, back[6];

  if (weights == NULL)
    return;
  OK (vl_weights_set (weights, "w", &a, one, &error));
  OK (vl_weights_set (weights, "w", &b, two, &error));
  g_assert_cmpuint (vl_weights_get_n (weights), ==, 1);
  OK (vl_weights_check (weights, "w", &b, &error));
  OK (vl_weights_check (weights, "w", &any_rows, &error));
  OK (vl_weights_read (weights, "w", back, sizeof back,
                                     &error));
  g_assert_cmpmem (back, sizeof back, two, sizeof two);
  g_assert_cmpuint (vl_weights_get_bytes (weights), ==, sizeof two);

  /* A failed replace leaves the old tensor. */
  two[4] = NAN;
  FAILS (VL_STATUS_NON_FINITE, vl_weights_set (weights, "w", &a, two, &error));
  OK (vl_weights_check (weights, "w", &b, &error));

  OK (vl_weights_remove (weights, "w", &error));
  g_assert_false (vl_weights_contains (weights, "w"));
  g_assert_cmpuint (vl_weights_get_n (weights), ==, 0);
  FAILS (VL_STATUS_INVALID_ARGUMENT, vl_weights_remove (weights, "w", &error));
  vl_weights_free (weights);
}

static void
test_shape_message (const VlTestRun *run)
{
  VlWeights *weights = new_registry (run);
  VlWeightsShape found = vl_weights_shape_2d (128, 768);
  VlWeightsShape want = vl_weights_shape_2d (768, 128);
  g_autofree float *data = g_new0 (float, 128 * 768);
  VlError *err = NULL;
  VlStatus status;

  if (weights == NULL)
    return;
  OK (vl_weights_set (weights, "wq", &found, data, &error));
  status = vl_weights_check (weights, "wq", &want, &err);
  g_assert_cmpint (status, ==, VL_STATUS_SHAPE_MISMATCH);
  g_assert_cmpstr (err->message, ==,
                   "tensor 'wq': expected f32 [768, 128], found f32 [128, 768]");
  vl_error_free (err);
  err = NULL;

  want = found;
  want.dtype = VL_DTYPE_U8;
  FAILS (VL_STATUS_SHAPE_MISMATCH, vl_weights_check (weights, "wq", &want, &error));
  want = shape_of (VL_DTYPE_F32, 3, 128, 768, 1, 0);
  FAILS (VL_STATUS_SHAPE_MISMATCH, vl_weights_check (weights, "wq", &want, &error));
  status = vl_weights_check (weights, "wk", &found, &err);
  g_assert_cmpint (status, ==, VL_STATUS_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (err->message, "'wk'"));
  vl_error_free (err);
  vl_weights_free (weights);
}

static void
test_bad_arguments (const VlTestRun *run)
{
  VlWeights *weights = new_registry (run);
  VlWeightsShape ok = vl_weights_shape_2d (2, 2);
  VlWeightsShape none = shape_of (VL_DTYPE_F32, 0, 0, 0, 0, 0);
  VlWeightsShape five = shape_of (VL_DTYPE_F32, 4, 1, 1, 1, 1);
  VlWeightsShape empty = vl_weights_shape_2d (0, 2);
  VlWeightsShape huge = shape_of (VL_DTYPE_F32, 4, SIZE_MAX / 2, 4, 4, 4);
  VlWeightsShape bad_dtype = ok;
  float data[4] = { 1, 2, 3, 4 }, back[3];
  char long_name[VL_WEIGHTS_MAX_NAME + 2];

  if (weights == NULL)
    return;
  five.n_dims = 5;
  bad_dtype.dtype = (VlDtype) 9;
  memset (long_name, 'x', sizeof long_name - 1);
  long_name[sizeof long_name - 1] = '\0';

  FAILS (VL_STATUS_INVALID_ARGUMENT,
         vl_weights_new (NULL, &error) == NULL ? error->status : VL_STATUS_OK);
  FAILS (VL_STATUS_INVALID_ARGUMENT, vl_weights_set (NULL, "a", &ok, data, &error));
  FAILS (VL_STATUS_INVALID_ARGUMENT, vl_weights_set (weights, NULL, &ok, data, &error));
  FAILS (VL_STATUS_INVALID_ARGUMENT, vl_weights_set (weights, "", &ok, data, &error));
  FAILS (VL_STATUS_INVALID_ARGUMENT, vl_weights_set (weights, long_name, &ok, data,
                                       &error));
  FAILS (VL_STATUS_INVALID_ARGUMENT, vl_weights_set (weights, "a", NULL, data, &error));
  FAILS (VL_STATUS_INVALID_ARGUMENT, vl_weights_set (weights, "a", &ok, NULL, &error));
  FAILS (VL_STATUS_INVALID_ARGUMENT, vl_weights_set (weights, "a", &none, data, &error));
  FAILS (VL_STATUS_INVALID_ARGUMENT, vl_weights_set (weights, "a", &five, data, &error));
  FAILS (VL_STATUS_INVALID_ARGUMENT, vl_weights_set (weights, "a", &empty, data, &error));
  FAILS (VL_STATUS_INVALID_ARGUMENT, vl_weights_set (weights, "a", &huge, data, &error));
  FAILS (VL_STATUS_INVALID_ARGUMENT, vl_weights_set (weights, "a", &bad_dtype, data,
                                       &error));
  g_assert_cmpuint (vl_weights_get_n (weights), ==, 0);

  OK (vl_weights_set (weights, "a", &ok, data, &error));
  FAILS (VL_STATUS_INVALID_ARGUMENT, vl_weights_read (weights, "a", back, sizeof back,
                                        &error));
  FAILS (VL_STATUS_INVALID_ARGUMENT, vl_weights_read (weights, "a", NULL, 4 * sizeof data[0],
                                        &error));
  FAILS (VL_STATUS_INVALID_ARGUMENT, vl_weights_get_shape (weights, "a", NULL, &error));
  FAILS (VL_STATUS_INVALID_ARGUMENT, vl_weights_check (weights, "a", NULL, &error));
  g_assert_false (vl_weights_contains (NULL, "a"));
  g_assert_false (vl_weights_contains (weights, NULL));
  g_assert_cmpuint (vl_weights_get_n (NULL), ==, 0);
  vl_weights_free (NULL);
  vl_weights_free (weights);
}

int
main (int argc, char **argv)
{
  vl_test_init (&argc, &argv);
  vl_test_add ("/vectorlab/weights/round-trip", NULL, test_round_trip);
  vl_test_add ("/vectorlab/weights/replace-remove", NULL,
               test_replace_remove);
  vl_test_add ("/vectorlab/weights/shape-message", NULL, test_shape_message);
  vl_test_add ("/vectorlab/weights/bad-arguments", NULL, test_bad_arguments);
  return vl_test_run ();
}
