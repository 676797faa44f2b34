/* vl-cli-util.c: option parsing and error reporting of the subcommands. */
#include "config.h"

#include "vl-cli.h"

int
vl_cli_fail (VlCliExit code, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("%s: %s\n", VL_CLI_NAME, message);
  return code;
}

int
vl_cli_fail_error (const GError *error)
{
  return vl_cli_fail (VL_CLI_EXIT_FAILURE, "%s", error->message);
}

gboolean
vl_cli_check_output_folder (const char *name,
                            const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);

  if (g_file_test (dir, G_FILE_TEST_IS_DIR))
    return TRUE;
  /* Translators: the subcommand, the file and its folder. */
  vl_cli_fail (VL_CLI_EXIT_USAGE, _("%s: cannot write %s: no folder %s"), name, path, dir);
  return FALSE;
}

gboolean
vl_cli_parse_options_with_args (const char *name,
                                const char *parameter_string,
                                const char *description,
                                const GOptionEntry *entries, int *argc,
                                char ***argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *prgname = g_strdup_printf ("%s %s", VL_CLI_NAME, name);

  /* GOption prints the program name in --help; make it name the command. */
  g_set_prgname (prgname);
  context = g_option_context_new (parameter_string);
  g_option_context_set_summary (context, description);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      vl_cli_fail (VL_CLI_EXIT_USAGE, "%s: %s", name, error->message);
      g_printerr (_("Try '%s %s --help'.\n"), VL_CLI_NAME, name);
      return FALSE;
    }
  return TRUE;
}

gboolean
vl_cli_parse_options (const char *name, const char *description,
                      const GOptionEntry *entries, int *argc, char ***argv)
{
  if (!vl_cli_parse_options_with_args (name, NULL, description, entries,
                                       argc, argv))
    return FALSE;
  if (*argc > 1)
    {
      vl_cli_fail (VL_CLI_EXIT_USAGE, _("%s: unexpected argument '%s'"), name,
                   (*argv)[1]);
      g_printerr (_("Try '%s %s --help'.\n"), VL_CLI_NAME, name);
      return FALSE;
    }
  return TRUE;
}
