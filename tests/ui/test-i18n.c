/* test-i18n.c: with LANGUAGE=de the workbench speaks German. */
#include <glib/gi18n.h>
#include <gtk/gtk.h>
#include <locale.h>

#include "vl-ui-util.h"

static void
test_german (void)
{
  g_autoptr(VlApplication) app = vl_ui_application_new ();
  VlWindow *window = vl_window_new (app);
  GtkWidget *devices = vl_window_get_page (window, "devices");
  GtkStack *stack = GTK_STACK (gtk_widget_get_parent (devices));
  g_autofree char *title = NULL;

  g_object_get (gtk_stack_get_page (stack, devices), "title", &title, NULL);
  g_assert_cmpstr (title, ==, "Geräte");
  g_assert_cmpstr (_("No Scaling Results"), ==, "Keine Skalierungsergebnisse");
  gtk_window_destroy (GTK_WINDOW (window));
  vl_ui_spin (50);
}

int
main (int   argc,
      char *argv[])
{
  const char *localedir = g_getenv ("VL_LOCALEDIR");

  /* Set before any thread starts; gettext ignores LANGUAGE in the plain
   * C locale, hence C.UTF-8. */
  g_setenv ("LANGUAGE", "de", TRUE);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  if (localedir == NULL)
    g_error ("VL_LOCALEDIR must point at the built translations");
  bindtextdomain ("vectorlab", localedir);
  bind_textdomain_codeset ("vectorlab", "UTF-8");
  textdomain ("vectorlab");

  g_test_add_func ("/workbench/i18n/german", test_german);
  return g_test_run ();
}
