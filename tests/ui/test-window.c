/* test-window.c: the main window opens, every page shows, the similarity
 * page computes through the UI and feeds the other pages, Escape cancels,
 * and closing mid-run is clean. */
#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "vl-breakdown-page.h"
#include "vl-devices-page.h"
#include "vl-similarity-page.h"
#include "vl-ui-util.h"

static const char *pages[] = {
  "devices", "run", "scaling", "compression", "similarity", "breakdown", "compare",
};

typedef struct
{
  VlApplication *app;
  VlWindow      *window;
} Fixture;

/* One application for the program: its D-Bus name and object path can
 * be taken once. */
static VlApplication *app;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->app = app;
  fixture->window = vl_window_new (fixture->app);
  gtk_window_present (GTK_WINDOW (fixture->window));
  g_assert_true (vl_ui_wait_mapped (GTK_WIDGET (fixture->window)));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  if (fixture->window != NULL)
    gtk_window_destroy (GTK_WINDOW (fixture->window));
  vl_ui_spin (100);
}

static gboolean
devices_loaded (gpointer data)
{
  return vl_devices_page_is_loaded (data);
}

static gboolean
has_matrix (gpointer data)
{
  return vl_similarity_page_has_matrix (data) && !vl_similarity_page_get_busy (data);
}

static void
test_pages (Fixture       *fixture,
            gconstpointer  data)
{
  GtkWidget *devices = vl_window_get_page (fixture->window, "devices");

  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      GtkWidget *page = vl_window_get_page (fixture->window, pages[i]);
      int width, height;
      gsize stride;
      g_autofree guchar *pixels = NULL;

      g_test_message ("page %s", pages[i]);
      g_assert_nonnull (page);
      vl_window_show_page (fixture->window, pages[i]);
      g_assert_true (vl_ui_wait_mapped (page));
      pixels = vl_ui_download (page, &width, &height, &stride);
      g_assert_nonnull (pixels);
      g_assert_cmpint (width, >, 300);
      g_assert_cmpint (height, >, 300);
    }
  g_assert_true (vl_ui_wait (devices_loaded, devices, 30000));
}

static void
test_similarity (Fixture       *fixture,
                 gconstpointer  data)
{
  VlSimilarityPage *page = VL_SIMILARITY_PAGE (vl_window_get_page (fixture->window, "similarity"));
  VlBreakdownPage *breakdown = VL_BREAKDOWN_PAGE (vl_window_get_page (fixture->window, "breakdown"));
  VlHeatmap *heatmap = vl_similarity_page_get_heatmap (page);
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) pixbuf = NULL;

  g_assert_true (vl_breakdown_page_is_empty (breakdown));
  /* Showing the page computes the generated set on its own. */
  vl_window_show_page (fixture->window, "similarity");
  g_assert_true (vl_ui_wait (has_matrix, page, 60000));
  g_assert_cmpuint (vl_heatmap_get_size (heatmap), ==, 512);
  g_assert_false (vl_breakdown_page_is_empty (breakdown));

  /* Ctrl+R runs it again through the window's action. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.run", NULL));
  g_assert_true (vl_similarity_page_get_busy (page));
  g_assert_true (vl_ui_wait (has_matrix, page, 60000));

  path = g_build_filename (g_get_tmp_dir (), "vl-test-similarity.png", NULL);
  file = g_file_new_for_path (path);
  g_assert_true (vl_similarity_page_save_png (page, file, &error));
  g_assert_no_error (error);
  pixbuf = gdk_pixbuf_new_from_file (path, &error);
  g_assert_no_error (error);
  /* 1024 / 512 = 2 pixels a cell. */
  g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==, 1024);
  g_unlink (path);
}

static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  VlSimilarityPage *page = VL_SIMILARITY_PAGE (vl_window_get_page (fixture->window, "similarity"));
  GSettings *settings = vl_application_get_settings (fixture->app);

  /* Big enough to still be running when Escape comes. */
  g_settings_set_int (settings, "similarity-vectors", 4096);
  g_settings_set_int (settings, "similarity-dimension", 1024);
  vl_window_show_page (fixture->window, "similarity");
  vl_ui_spin (20);
  g_assert_true (vl_similarity_page_get_busy (page));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.cancel", NULL));
  g_assert_false (vl_similarity_page_get_busy (page));
  g_assert_false (vl_similarity_page_has_matrix (page));
  vl_ui_spin (200);
  g_assert_false (vl_similarity_page_has_matrix (page));
  g_settings_reset (settings, "similarity-vectors");
  g_settings_reset (settings, "similarity-dimension");
}

static void
test_close_while_running (Fixture       *fixture,
                          gconstpointer  data)
{
  VlSimilarityPage *page = VL_SIMILARITY_PAGE (vl_window_get_page (fixture->window, "similarity"));
  GSettings *settings = vl_application_get_settings (fixture->app);

  g_settings_set_int (settings, "similarity-vectors", 4096);
  g_settings_set_int (settings, "similarity-dimension", 512);
  vl_window_show_page (fixture->window, "similarity");
  vl_ui_spin (20);
  g_assert_true (vl_similarity_page_get_busy (page));
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  fixture->window = NULL;
  /* The worker finishes in the background; its result must go nowhere. */
  vl_ui_spin (3000);
  g_settings_reset (settings, "similarity-vectors");
  g_settings_reset (settings, "similarity-dimension");
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  app = vl_ui_application_new ();

  g_test_add ("/workbench/window/pages", Fixture, NULL,
              fixture_set_up, test_pages, fixture_tear_down);
  g_test_add ("/workbench/window/similarity", Fixture, NULL,
              fixture_set_up, test_similarity, fixture_tear_down);
  g_test_add ("/workbench/window/cancel", Fixture, NULL,
              fixture_set_up, test_cancel, fixture_tear_down);
  g_test_add ("/workbench/window/close-while-running", Fixture, NULL,
              fixture_set_up, test_close_while_running, fixture_tear_down);
  status = g_test_run ();
  g_clear_object (&app);
  return status;
}
