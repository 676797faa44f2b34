/* main.c: the vectorlab workbench's entry point. */
#include "vl-workbench-config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "vl-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(VlApplication) app = NULL;
  const char *localedir;

  /* Running from the build tree (meson devenv) points this at the
   * translations built there; installed, LOCALEDIR is right. */
  localedir = g_getenv ("VL_LOCALEDIR");
  if (localedir == NULL || *localedir == '\0')
    localedir = LOCALEDIR;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (!vl_application_check_schema ())
    return 1;

  app = vl_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
