/* vl-screenshot.c: renders every page of the workbench to PNG, for the
 * README and the AppStream metainfo:
 *
 *   xvfb-run -a -s '-screen 0 1280x800x24' vl-screenshot OUTDIR [--dark]
 *
 * A small compression run and a small k-NN sweep on opencl:0 and cpu go
 * through the Run page, then the similarity matrix is computed on cpu
 * ("auto" without a GPU), ref and twice on opencl:0 (cold, then with its
 * kernels built), so every page shows real runs. */
#include "vl-workbench-config.h"

#include <glib/gi18n.h>
#include <gtk/gtk.h>
#include <locale.h>

#include "vl-export.h"
#include "vl-run-page.h"
#include "vl-similarity-page.h"
#include "vl-ui-util.h"

static gboolean
has_matrix (gpointer data)
{
  return vl_similarity_page_has_matrix (data) && !vl_similarity_page_get_busy (data);
}

static gboolean
run_idle (gpointer data)
{
  return !vl_run_page_get_running (data);
}

/* A small k-NN sweep through the Run page, so Scaling, Breakdown and
 * Compare show real reports. */
static void
run_knn (VlWindow   *window,
         GSettings  *settings,
         const char *device)
{
  VlRunPage *run = VL_RUN_PAGE (vl_window_get_page (window, "run"));

  g_settings_set_string (settings, "device", device);
  vl_run_page_set_suite (run, "knn");
  vl_run_page_set_param (run, "n", "20000");
  vl_run_page_set_param (run, "d", "128");
  vl_run_page_set_param (run, "nq", "1,16,128,1024");
  vl_run_page_set_repetitions (run, 3, 1);
  vl_run_page_run (run);
  vl_ui_wait (run_idle, run, 300000);
}

/* A small rate-distortion run, so the Compression page has points. */
static void
run_compression (VlWindow  *window,
                 GSettings *settings)
{
  VlRunPage *run = VL_RUN_PAGE (vl_window_get_page (window, "run"));

  g_settings_set_string (settings, "device", "cpu");
  vl_run_page_set_suite (run, "compression");
  vl_run_page_set_param (run, "dataset", "lowrank");
  vl_run_page_set_param (run, "n", "4000");
  vl_run_page_set_param (run, "d", "128");
  vl_run_page_set_repetitions (run, 1, 0);
  vl_run_page_run (run);
  vl_ui_wait (run_idle, run, 300000);
}

static void
save_page (VlWindow   *window,
           const char *page,
           const char *outdir,
           const char *suffix)
{
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *name = g_strdup_printf ("%s%s.png", page, suffix);
  g_autofree char *path = g_build_filename (outdir, name, NULL);

  /* A crossfade caught half way would show two pages at once. */
  gtk_stack_set_transition_type (GTK_STACK (gtk_widget_get_parent (vl_window_get_page (window, page))),
                                 GTK_STACK_TRANSITION_TYPE_NONE);
  vl_window_show_page (window, page);
  vl_ui_wait_mapped (vl_window_get_page (window, page));
  vl_ui_spin (500);
  texture = vl_widget_render_texture (GTK_WIDGET (window));
  if (!gdk_texture_save_to_png (texture, path))
    g_error ("could not write %s", path);
  g_print ("%s\n", path);
}

int
main (int   argc,
      char *argv[])
{
  static const char *pages[] = {
    "devices", "run", "scaling", "compression", "breakdown", "compare", "similarity",
  };
  static const char *devices[] = { "ref", "opencl:0", "opencl:0" };
  g_autoptr(VlApplication) app = NULL;
  VlSimilarityPage *similarity;
  GSettings *settings;
  VlWindow *window;
  gboolean dark;

  setlocale (LC_ALL, "");
  /* LANGUAGE=de with VL_LOCALEDIR at the built translations shoots the
   * German workbench. */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("VL_LOCALEDIR") != NULL ? g_getenv ("VL_LOCALEDIR")
                                                                     : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  if (argc < 2)
    {
      g_printerr ("usage: %s OUTDIR [--dark]\n", argv[0]);
      return 2;
    }
  dark = argc > 2 && g_str_equal (argv[2], "--dark");

  app = vl_ui_application_new ();
  if (dark)
    g_object_set (gtk_settings_get_default (), "gtk-application-prefer-dark-theme", TRUE, NULL);
  settings = vl_application_get_settings (app);
  g_settings_set_int (settings, "window-width", 1200);
  g_settings_set_int (settings, "window-height", 760);
  window = vl_window_new (app);
  gtk_window_present (GTK_WINDOW (window));
  vl_ui_wait_mapped (GTK_WIDGET (window));


  run_compression (window, settings);
  run_knn (window, settings, "opencl:0");
  run_knn (window, settings, "cpu");

  /* Last, so that the Devices page shows the counters of opencl:0, a
   * device with memory of its own. */
  similarity = VL_SIMILARITY_PAGE (vl_window_get_page (window, "similarity"));
  vl_window_show_page (window, "similarity");
  vl_ui_wait (has_matrix, similarity, 60000);
  for (guint i = 0; i < G_N_ELEMENTS (devices); i++)
    {
      g_settings_set_string (settings, "device", devices[i]);
      vl_ui_spin (300);
      vl_similarity_page_compute (similarity);
      vl_ui_wait (has_matrix, similarity, 60000);
    }

  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    save_page (window, pages[i], argv[1], dark ? "-dark" : "");
  gtk_window_destroy (GTK_WINDOW (window));
  vl_ui_spin (100);
  return 0;
}
