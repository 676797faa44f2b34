/* test-heatmap.c: the heatmap's pixels, read back from the renderer, are
 * the CPU colour map of a small known matrix, on OpenGL and on the
 * GtkSnapshot fallback alike. */
#include <gtk/gtk.h>
#include <stdlib.h>

#include "vl-colormap.h"
#include "vl-heatmap.h"
#include "vl-ui-util.h"

/* 8-bit rounding of the LUT interpolation in GL against the CPU's. */
#define CHANNEL_TOLERANCE 3

#define N 4
static const float matrix[N * N] = {
   1.00f,  0.62f, -0.10f, -0.85f,
   0.62f,  1.00f,  0.05f, -0.40f,
  -0.10f,  0.05f,  1.00f,  0.33f,
  -0.85f, -0.40f,  0.33f,  1.00f,
};

typedef struct
{
  GtkWidget *window;
  VlHeatmap *heatmap;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  gboolean fallback = GPOINTER_TO_INT (data);

  fixture->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 320, 320);
  fixture->heatmap = g_object_new (VL_TYPE_HEATMAP, "force-fallback", fallback, NULL);
  gtk_window_set_child (GTK_WINDOW (fixture->window), GTK_WIDGET (fixture->heatmap));
  vl_heatmap_set_matrix (fixture->heatmap, matrix, N);
  gtk_window_present (GTK_WINDOW (fixture->window));
  g_assert_true (vl_ui_wait_mapped (GTK_WIDGET (fixture->heatmap)));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  vl_ui_spin (50);
}

/* Compares the centre pixel of every cell with the CPU colour map. */
static void
assert_cells (Fixture    *fixture,
              VlColormap  colormap,
              float       min,
              float       max)
{
  int width, height;
  gsize stride;
  g_autofree guchar *pixels = NULL;
  double scale, tx, ty;

  vl_heatmap_set_colormap (fixture->heatmap, colormap);
  vl_heatmap_set_range (fixture->heatmap, min, max);
  vl_ui_spin (100);
  pixels = vl_ui_download (GTK_WIDGET (fixture->heatmap), &width, &height, &stride);
  g_assert_nonnull (pixels);

  /* The fitted view: the whole matrix, centred, square cells. */
  scale = MIN (width, height) / (double) N;
  tx = (width - N * scale) / 2;
  ty = (height - N * scale) / 2;
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++)
      {
        int x = (int) (tx + (j + 0.5) * scale);
        int y = (int) (ty + (i + 0.5) * scale);
        const guchar *bgra = pixels + y * stride + x * 4;
        guint8 expected[4];

        vl_colormap_lookup (colormap, matrix[i * N + j], min, max, expected);
        if (abs (bgra[2] - expected[0]) > CHANNEL_TOLERANCE
            || abs (bgra[1] - expected[1]) > CHANNEL_TOLERANCE
            || abs (bgra[0] - expected[2]) > CHANNEL_TOLERANCE
            || bgra[3] != 255)
          g_error ("cell (%d, %d) = %.2f at pixel (%d, %d): got rgba %u %u %u %u, "
                   "expected %u %u %u 255", i, j, matrix[i * N + j], x, y,
                   bgra[2], bgra[1], bgra[0], bgra[3], expected[0], expected[1], expected[2]);
      }
}

static void
test_colors (Fixture       *fixture,
             gconstpointer  data)
{
  gboolean fallback = GPOINTER_TO_INT (data);

  g_assert_cmpint (vl_heatmap_get_uses_gl (fixture->heatmap), ==, !fallback);
  assert_cells (fixture, VL_COLORMAP_VIRIDIS, -1.0f, 1.0f);
  assert_cells (fixture, VL_COLORMAP_DIVERGING, -1.0f, 1.0f);
  /* A narrower range clamps the cells outside it. */
  assert_cells (fixture, VL_COLORMAP_VIRIDIS, 0.0f, 0.5f);
  /* Still drawing the way it started: GL did not fail half way. */
  g_assert_cmpint (vl_heatmap_get_uses_gl (fixture->heatmap), ==, !fallback);
}

static void
test_zoom (Fixture       *fixture,
           gconstpointer  data)
{
  int width, height;
  gsize stride;
  g_autofree guchar *pixels = NULL;
  guint8 expected[4];
  const guchar *bgra;

  /* Zoomed 4x about the top-left corner of the matrix, cell (0, 0) fills
   * the widget's centre on a square widget... and its colour is there. */
  vl_heatmap_set_range (fixture->heatmap, -1.0f, 1.0f);
  width = gtk_widget_get_width (GTK_WIDGET (fixture->heatmap));
  height = gtk_widget_get_height (GTK_WIDGET (fixture->heatmap));
  vl_heatmap_zoom (fixture->heatmap, 4.0, (width - MIN (width, height)) / 2.0,
                   (height - MIN (width, height)) / 2.0);
  vl_ui_spin (100);
  pixels = vl_ui_download (GTK_WIDGET (fixture->heatmap), &width, &height, &stride);
  g_assert_nonnull (pixels);
  bgra = pixels + (height / 2) * stride + (width / 2) * 4;
  vl_colormap_lookup (VL_COLORMAP_VIRIDIS, matrix[0], -1.0f, 1.0f, expected);
  g_assert_cmpint (abs (bgra[2] - expected[0]), <=, CHANNEL_TOLERANCE);
  g_assert_cmpint (abs (bgra[1] - expected[1]), <=, CHANNEL_TOLERANCE);
  g_assert_cmpint (abs (bgra[0] - expected[2]), <=, CHANNEL_TOLERANCE);
}

static void
test_render_matrix (void)
{
  g_autoptr(VlHeatmap) heatmap = g_object_ref_sink (g_object_new (VL_TYPE_HEATMAP,
                                                                  "force-fallback", TRUE,
                                                                  NULL));
  g_autoptr(GdkTexture) texture = NULL;
  guchar pixels[N * 3 * N * 3 * 4];
  guint8 expected[4];

  vl_heatmap_set_matrix (heatmap, matrix, N);
  vl_heatmap_set_range (heatmap, -1.0f, 1.0f);
  texture = vl_heatmap_render_matrix (heatmap, 3);
  g_assert_cmpint (gdk_texture_get_width (texture), ==, N * 3);
  gdk_texture_download (texture, pixels, N * 3 * 4);
  /* Cell (2, 3), pixel (10, 7) of the 12 x 12 image. */
  vl_colormap_lookup (VL_COLORMAP_VIRIDIS, matrix[2 * N + 3], -1.0f, 1.0f, expected);
  g_assert_cmpuint (pixels[7 * N * 3 * 4 + 10 * 4 + 2], ==, expected[0]);
  g_assert_cmpuint (pixels[7 * N * 3 * 4 + 10 * 4 + 1], ==, expected[1]);
  g_assert_cmpuint (pixels[7 * N * 3 * 4 + 10 * 4 + 0], ==, expected[2]);
}

static void
test_colormap_ends (void)
{
  guint8 rgba[4];

  /* viridis runs from dark purple to yellow. */
  vl_colormap_lookup (VL_COLORMAP_VIRIDIS, 0.0f, 0.0f, 1.0f, rgba);
  g_assert_cmpuint (rgba[0], <, 80);
  g_assert_cmpuint (rgba[2], >, rgba[1]);
  vl_colormap_lookup (VL_COLORMAP_VIRIDIS, 1.0f, 0.0f, 1.0f, rgba);
  g_assert_cmpuint (rgba[0], >, 200);
  g_assert_cmpuint (rgba[1], >, 200);
  g_assert_cmpuint (rgba[2], <, 80);
  /* The diverging map is blue below, grey in the middle, red above. */
  vl_colormap_lookup (VL_COLORMAP_DIVERGING, -1.0f, -1.0f, 1.0f, rgba);
  g_assert_cmpuint (rgba[2], >, rgba[0]);
  vl_colormap_lookup (VL_COLORMAP_DIVERGING, 0.0f, -1.0f, 1.0f, rgba);
  g_assert_cmpuint (abs (rgba[0] - rgba[2]), <, 8);
  vl_colormap_lookup (VL_COLORMAP_DIVERGING, 1.0f, -1.0f, 1.0f, rgba);
  g_assert_cmpuint (rgba[0], >, rgba[2]);
  /* An empty range is its middle colour, not a division by zero. */
  vl_colormap_lookup (VL_COLORMAP_DIVERGING, 5.0f, 1.0f, 1.0f, rgba);
  g_assert_cmpuint (abs (rgba[0] - rgba[2]), <, 8);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  gtk_init ();

  g_test_add_func ("/workbench/colormap/ends", test_colormap_ends);
  g_test_add_func ("/workbench/heatmap/render-matrix", test_render_matrix);
  g_test_add ("/workbench/heatmap/gl/colors", Fixture, GINT_TO_POINTER (FALSE),
              fixture_set_up, test_colors, fixture_tear_down);
  g_test_add ("/workbench/heatmap/gl/zoom", Fixture, GINT_TO_POINTER (FALSE),
              fixture_set_up, test_zoom, fixture_tear_down);
  g_test_add ("/workbench/heatmap/fallback/colors", Fixture, GINT_TO_POINTER (TRUE),
              fixture_set_up, test_colors, fixture_tear_down);
  g_test_add ("/workbench/heatmap/fallback/zoom", Fixture, GINT_TO_POINTER (TRUE),
              fixture_set_up, test_zoom, fixture_tear_down);
  return g_test_run ();
}
