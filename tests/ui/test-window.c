/* test-window.c: the main window opens, every page shows, the similarity
 * page computes through the UI and feeds the other pages, Escape cancels,
 * and closing mid-run is clean. */
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "vl-breakdown-page.h"
#include "vl-compare-page.h"
#include "vl-compression-page.h"
#include "vl-run-page.h"
#include "vl-scaling-page.h"
#include "vl-devices-page.h"
#include "vl-similarity-page.h"
#include "vl-tensor-file.h"
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
test_similarity_file (Fixture       *fixture,
                      gconstpointer  data)
{
  VlSimilarityPage *page = VL_SIMILARITY_PAGE (vl_window_get_page (fixture->window, "similarity"));
  VlHeatmap *heatmap = vl_similarity_page_get_heatmap (page);
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), "vl-test-ui-vectors.npy", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autofree float *x = g_new (float, 300 * 16);
  g_autoptr(VlTensor) tensor = NULL;
  float min, max;

  for (guint i = 0; i < 300 * 16; i++)
    x[i] = (float) g_rand_double_range (rand, -1, 1);
  tensor = vl_tensor_new_f32 (300, 16, x);
  g_assert_true (vl_tensor_save (tensor, path, &error));
  g_assert_no_error (error);

  /* A vectors file on the command line lands on the heatmap. */
  vl_window_open_files (fixture->window, &file, 1);
  g_assert_true (vl_ui_wait (has_matrix, page, 60000));
  g_assert_cmpuint (vl_heatmap_get_size (heatmap), ==, 300);
  vl_heatmap_get_data_range (heatmap, &min, &max);
  g_assert_cmpfloat_with_epsilon (max, 1.0, 1e-4);
  g_assert_cmpfloat (min, <, 0.0);
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

static gboolean
device_is_auto (gpointer settings)
{
  g_autofree char *device = g_settings_get_string (settings, "device");

  return g_strcmp0 (device, "auto") == 0;
}

static gboolean
run_idle (gpointer data)
{
  return !vl_run_page_get_running (data);
}

static void
count_counters (VlRunPage         *run,
                const char        *device_id,
                const char        *case_name,
                const VlPoolStats *pool,
                guint             *n_counters)
{
  g_assert_nonnull (device_id);
  g_assert_true (g_str_has_prefix (case_name, "normalize/"));
  g_assert_nonnull (pool);
  (*n_counters)++;
}

static void
run_small_suite (Fixture *fixture)
{
  VlRunPage *run = VL_RUN_PAGE (vl_window_get_page (fixture->window, "run"));
  guint n_counters = 0;
  gulong handler;

  vl_run_page_set_suite (run, "normalize");
  vl_run_page_set_param (run, "n", "1000,4000");
  vl_run_page_set_param (run, "d", "32");
  vl_run_page_set_repetitions (run, 2, 0);
  vl_window_show_page (fixture->window, "run");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.run", NULL));
  g_assert_true (vl_run_page_get_running (run));
  handler = g_signal_connect (run, "counters", G_CALLBACK (count_counters), &n_counters);
  g_assert_true (vl_ui_wait (run_idle, run, 120000));
  g_signal_handler_disconnect (run, handler);
  /* The pool counters came with the progress, for the Devices page. */
  g_assert_cmpuint (n_counters, >, 0);
}

/* The report the UI exported validates against the report schema. */
static void
assert_report_validates (const char *path)
{
  static const char *script =
    "import json, sys, jsonschema\n"
    "schema = json.load (open (sys.argv[1]))\n"
    "jsonschema.Draft202012Validator (schema).validate (json.load (open (sys.argv[2])))\n";
  const char *argv[] = { g_getenv ("VL_PYTHON"), "-c", script, g_getenv ("VL_REPORT_SCHEMA"),
                         path, NULL };
  g_autofree char *errors = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_assert_nonnull (argv[0]);
  g_assert_nonnull (argv[3]);
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                               NULL, &errors, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s does not validate:\n%s", path, errors);
}

typedef struct
{
  VlComparePage *page;
  guint          n_reports;
} ReportCount;

static gboolean
has_reports (gpointer data)
{
  ReportCount *count = data;

  return vl_compare_page_get_n_reports (count->page) >= count->n_reports;
}

/* Whether a label at or under @widget shows @text. */
static gboolean
shows_text (GtkWidget  *widget,
            const char *text)
{
  if (GTK_IS_LABEL (widget) && strstr (gtk_label_get_label (GTK_LABEL (widget)), text) != NULL)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (shows_text (child, text))
      return TRUE;
  return FALSE;
}

/* The error dialog over the window that names @file, or NULL. */
static GtkWindow *
find_error_dialog (const char *file)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();
  g_autofree char *title = g_strdup_printf ("Could not open %s", file);

  for (GList *l = toplevels; l != NULL; l = l->next)
    {
      g_autofree char *text = NULL;

      if (!GTK_IS_MESSAGE_DIALOG (l->data))
        continue;
      g_object_get (l->data, "text", &text, NULL);
      if (g_strcmp0 (text, title) == 0)
        return l->data;
    }
  return NULL;
}

/* A copy of the report at @path as if its knn_scan1 kernels had run with
 * @tunables. */
static void
write_tuned_copy (const char *path,
                  const char *tunables,
                  const char *copy_path)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *context, *tuning;

  g_assert_true (json_parser_load_from_file (parser, path, &error));
  g_assert_no_error (error);
  context = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)),
                                           "context");
  tuning = json_object_new ();
  json_object_set_string_member (tuning, "knn_scan1", tunables);
  json_object_set_object_member (context, "tuning", tuning);
  json_generator_set_root (generator, json_parser_get_root (parser));
  g_assert_true (json_generator_to_file (generator, copy_path, &error));
  g_assert_no_error (error);
}

static void
test_run_suite (Fixture       *fixture,
                gconstpointer  data)
{
  VlScalingPage *scaling = VL_SCALING_PAGE (vl_window_get_page (fixture->window, "scaling"));
  VlComparePage *compare = VL_COMPARE_PAGE (vl_window_get_page (fixture->window, "compare"));
  VlBreakdownPage *breakdown = VL_BREAKDOWN_PAGE (vl_window_get_page (fixture->window, "breakdown"));
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), "vl-test-ui-report.json", NULL);
  g_autofree char *csv_path = g_build_filename (g_get_tmp_dir (), "vl-test-ui-table.csv", NULL);
  /* A truncated report, then two tuned ones. */
  char *opened_paths[] = {
    g_build_filename (g_get_tmp_dir (), "vl-test-ui-truncated.json", NULL),
    g_build_filename (g_get_tmp_dir (), "vl-test-ui-tuned.json", NULL),
    g_build_filename (g_get_tmp_dir (), "vl-test-ui-retuned.json", NULL),
  };
  GFile *opened_files[G_N_ELEMENTS (opened_paths)];
  static const char *tunables[] = { NULL, "WG=64 NR=2", "WG=128 NR=2" };
  g_autofree char *report_text = NULL;
  gsize report_length;
  GtkWindow *error_dialog;
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) csv_file = g_file_new_for_path (csv_path);
  g_autoptr(GError) error = NULL;
  g_autoptr(VlBenchReport) reread = NULL;
  g_autofree char *csv = NULL;

  /* A suite runs to the end through the UI and the Scaling table fills. */
  run_small_suite (fixture);
  g_assert_nonnull (vl_scaling_page_get_report (scaling));
  g_assert_cmpuint (g_list_model_get_n_items (vl_scaling_page_get_rows (scaling)), ==, 2);
  g_assert_false (vl_breakdown_page_is_empty (breakdown));
  g_assert_cmpuint (vl_compare_page_get_n_reports (compare), ==, 1);
  vl_window_show_page (fixture->window, "scaling");
  g_assert_true (vl_ui_wait_mapped (GTK_WIDGET (scaling)));

  /* Export: the report reads back; the table is CSV. */
  g_assert_true (vl_scaling_page_save (scaling, file, &error));
  g_assert_no_error (error);
  reread = vl_bench_report_load (path, &error);
  g_assert_no_error (error);
  assert_report_validates (path);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (reread)), ==, 2);
  g_assert_true (vl_scaling_page_save (scaling, csv_file, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (csv_path, &csv, NULL, NULL));
  g_assert_true (g_str_has_prefix (csv, "name,"));
  g_assert_nonnull (strstr (csv, "normalize/"));

  /* A second run, and the report opened from the file: both compare. */
  run_small_suite (fixture);
  g_assert_cmpuint (vl_compare_page_get_n_reports (compare), ==, 2);
  g_assert_nonnull (vl_compare_page_get_comparison (compare));
  g_assert_cmpuint (vl_bench_comparison_get_n_matched (vl_compare_page_get_comparison (compare)), ==, 2);
  vl_window_open_files (fixture->window, &file, 1);
  g_assert_true (vl_ui_wait (has_reports, &(ReportCount) { compare, 3 }, 30000));
  g_assert_cmpuint (vl_compare_page_get_n_reports (compare), ==, 3);
  vl_window_show_page (fixture->window, "compare");
  g_assert_true (vl_ui_wait_mapped (GTK_WIDGET (compare)));
  g_assert_false (shows_text (GTK_WIDGET (compare), "Tunables of"));

  /* Reports opened together: one that cannot be read says so and the
   * others still load, in the order given; two runs with different
   * tunables: the summary names them, old to new. */
  g_assert_true (g_file_get_contents (path, &report_text, &report_length, NULL));
  g_assert_true (g_file_set_contents (opened_paths[0], report_text, report_length / 2, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (opened_paths); i++)
    {
      if (tunables[i] != NULL)
        write_tuned_copy (path, tunables[i], opened_paths[i]);
      opened_files[i] = g_file_new_for_path (opened_paths[i]);
    }
  vl_window_open_files (fixture->window, opened_files, G_N_ELEMENTS (opened_files));
  g_assert_true (vl_ui_wait (has_reports, &(ReportCount) { compare, 5 }, 30000));
  error_dialog = find_error_dialog ("vl-test-ui-truncated.json");
  g_assert_nonnull (error_dialog);
  gtk_window_destroy (error_dialog);
  g_assert_cmpuint (vl_compare_page_get_n_reports (compare), ==, 5);
  g_assert_true (shows_text (GTK_WIDGET (compare),
                             "Tunables of knn_scan1: WG=64 NR=2 → WG=128 NR=2"));
  for (guint i = 0; i < G_N_ELEMENTS (opened_paths); i++)
    {
      g_unlink (opened_paths[i]);
      g_free (opened_paths[i]);
      g_object_unref (opened_files[i]);
    }
  g_unlink (path);
  g_unlink (csv_path);
}

static void
test_run_cancel (Fixture       *fixture,
                 gconstpointer  data)
{
  VlRunPage *run = VL_RUN_PAGE (vl_window_get_page (fixture->window, "run"));
  VlScalingPage *scaling = VL_SCALING_PAGE (vl_window_get_page (fixture->window, "scaling"));
  gint64 start;

  vl_run_page_set_suite (run, "similarity");
  vl_run_page_set_param (run, "n", "4096");
  vl_run_page_set_param (run, "d", "768");
  vl_run_page_set_repetitions (run, 20, 1);
  vl_window_show_page (fixture->window, "run");
  vl_run_page_run (run);
  vl_ui_spin (300);
  g_assert_true (vl_run_page_get_running (run));
  start = g_get_monotonic_time ();
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.cancel", NULL));
  g_assert_true (vl_ui_wait (run_idle, run, 30000));
  g_test_message ("stopped %.2f s after Escape", (g_get_monotonic_time () - start) / 1e6);
  g_assert_null (vl_scaling_page_get_report (scaling));
}

static void
test_device_setting (Fixture       *fixture,
                     gconstpointer  data)
{
  GSettings *settings = vl_application_get_settings (fixture->app);
  GtkWidget *devices = vl_window_get_page (fixture->window, "devices");
  g_autofree char *device = NULL;

  /* The saved device survives the device list arriving... */
  g_assert_true (vl_ui_wait (devices_loaded, devices, 30000));
  g_settings_set_string (settings, "device", "ref");
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  fixture->window = vl_window_new (fixture->app);
  gtk_window_present (GTK_WINDOW (fixture->window));
  g_assert_true (vl_ui_wait_mapped (GTK_WIDGET (fixture->window)));
  /* The device picker asks for the list as the Devices page does. */
  g_assert_true (vl_ui_wait (devices_loaded, vl_window_get_page (fixture->window, "devices"),
                             30000));
  vl_ui_spin (500);
  device = g_settings_get_string (settings, "device");
  g_assert_cmpstr (device, ==, "ref");

  /* ...and one that is gone falls back to "auto". */
  g_settings_set_string (settings, "device", "opencl:99");
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  fixture->window = vl_window_new (fixture->app);
  gtk_window_present (GTK_WINDOW (fixture->window));
  g_assert_true (vl_ui_wait_mapped (GTK_WIDGET (fixture->window)));
  g_assert_true (vl_ui_wait (device_is_auto, settings, 30000));
  g_settings_reset (settings, "device");
}

static VlBenchResult *
compression_result (const char *name,
                    const char *d,
                    double      ratio)
{
  static const char *keys[] = { "d", NULL };
  const char *values[] = { d, NULL };
  const double samples[] = { 1.0, 1.2, 1.1 };
  VlBenchResult *result = vl_bench_result_new (name);
  VlBenchQuality quality;

  vl_bench_result_set_params (result, keys, values);
  vl_bench_result_set_samples (result, samples, G_N_ELEMENTS (samples), FALSE);
  vl_bench_quality_init (&quality);
  quality.compression_ratio = ratio;
  quality.mse = ratio > 0 ? 1e-3 * ratio : NAN;
  vl_bench_result_set_quality (result, &quality);
  return result;
}

static void
test_compression (Fixture       *fixture,
                  gconstpointer  data)
{
  VlCompressionPage *page = VL_COMPRESSION_PAGE (vl_window_get_page (fixture->window, "compression"));
  g_autoptr(VlBenchReport) report = vl_bench_report_new ();
  g_autoptr(VlBenchResult) sq8 = compression_result ("sq8/d:64", "64", 4.0);
  g_autoptr(VlBenchResult) neural = compression_result ("neural/d:64", "64", 16.0);
  g_autoptr(VlBenchResult) knn = compression_result ("knn/d:64", "64", NAN);
  g_autoptr(VlBenchResult) first = NULL;

  /* Only results that measured compression are rows. */
  vl_bench_report_append (report, sq8);
  vl_bench_report_append (report, neural);
  vl_bench_report_append (report, knn);
  vl_compression_page_add_report (page, report);
  g_assert_cmpuint (g_list_model_get_n_items (vl_compression_page_get_rows (page)), ==, 2);
  vl_window_show_page (fixture->window, "compression");
  g_assert_true (vl_ui_wait_mapped (GTK_WIDGET (page)));
  first = g_list_model_get_item (vl_compression_page_get_rows (page), 0);
  g_assert_nonnull (first);
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
  g_test_add ("/workbench/window/similarity-file", Fixture, NULL,
              fixture_set_up, test_similarity_file, fixture_tear_down);
  g_test_add ("/workbench/window/cancel", Fixture, NULL,
              fixture_set_up, test_cancel, fixture_tear_down);
  g_test_add ("/workbench/window/close-while-running", Fixture, NULL,
              fixture_set_up, test_close_while_running, fixture_tear_down);
  g_test_add ("/workbench/window/device-setting", Fixture, NULL,
              fixture_set_up, test_device_setting, fixture_tear_down);
  g_test_add ("/workbench/window/compression", Fixture, NULL,
              fixture_set_up, test_compression, fixture_tear_down);
  g_test_add ("/workbench/window/run-suite", Fixture, NULL,
              fixture_set_up, test_run_suite, fixture_tear_down);
  g_test_add ("/workbench/window/run-cancel", Fixture, NULL,
              fixture_set_up, test_run_cancel, fixture_tear_down);
  status = g_test_run ();
  g_clear_object (&app);
  return status;
}
