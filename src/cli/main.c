/* main.c: vectorlab-bench, the headless runner: a table of subcommands. */
#include "config.h"

#include <locale.h>
#include <string.h>

#include "vectorlab.h"
#include "vl-cli.h"
#include "vl-cli-engine.h"

static int run_help (int argc, char **argv);

static const VlCliCommand commands[] = {
  { "devices", N_("List the compute devices"), vl_cli_devices },
  { "verify", N_("Check every op on a device against the scalar reference"),
    vl_cli_verify },
  { "knn", N_("Exact k-nearest-neighbour search of vectors in files"),
    vl_cli_knn },
  { "list", N_("List the benchmark suites and their parameters"),
    vl_cli_list },
  { "run", N_("Run a benchmark suite; print tables, write a JSON report"),
    vl_cli_run },
  { "compare", N_("Compare two JSON reports row by row"), vl_cli_compare },
  { "tune", N_("Search the kernels' tunables on a device and keep the "
               "fastest"), vl_cli_tune },
  { "help", N_("Show the commands, or the options of one command"), run_help },
};

static const VlCliCommand *
find_command (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (commands[i].name, name) == 0)
      return &commands[i];
  return NULL;
}

static char *
command_names (void)
{
  GString *names = g_string_new (NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    g_string_append_printf (names, "%s%s", i ? ", " : "", commands[i].name);
  return g_string_free (names, FALSE);
}

static void
print_usage (void (*print) (const char *format, ...))
{
  print (_("Usage: %s COMMAND [OPTION…]\n\n"), VL_CLI_NAME);
  print ("%s\n\n", _("Benchmark and verify vectorlab's vector kernels."));
  print ("%s\n", _("Commands:"));
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    print ("  %-10s %s\n", commands[i].name, _(commands[i].summary));
  print ("\n");
  print (_("Run '%s COMMAND --help' for the options of a command.\n"),
         VL_CLI_NAME);
}

static int
run_help (int argc, char **argv)
{
  const VlCliCommand *command;
  char *help_argv[] = { NULL, (char *) "--help", NULL };

  if (argc < 2)
    {
      print_usage (g_print);
      return VL_CLI_EXIT_OK;
    }
  command = find_command (argv[1]);
  if (command == NULL || command->run == run_help)
    {
      g_autofree char *names = command_names ();

      return vl_cli_fail (VL_CLI_EXIT_USAGE,
                          _("no command '%s' (commands: %s)"), argv[1],
                          names);
    }
  help_argv[0] = argv[1];
  return command->run (2, help_argv);
}

int
main (int argc, char **argv)
{
  const VlCliCommand *command;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname (VL_CLI_NAME);

  if (argc < 2)
    {
      print_usage (g_printerr);
      return VL_CLI_EXIT_USAGE;
    }
  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0)
    {
      print_usage (g_print);
      return VL_CLI_EXIT_OK;
    }
  if (strcmp (argv[1], "--version") == 0)
    {
      g_print ("%s %s (libvectorlab %s)\n", VL_CLI_NAME, PACKAGE_VERSION,
               vl_version ());
      return VL_CLI_EXIT_OK;
    }

  command = find_command (argv[1]);
  if (command == NULL)
    {
      g_autofree char *names = command_names ();

      if (argv[1][0] == '-')
        return vl_cli_fail (VL_CLI_EXIT_USAGE,
                            _("unknown option '%s' (commands: %s)"), argv[1],
                            names);
      return vl_cli_fail (VL_CLI_EXIT_USAGE,
                          _("unknown command '%s' (commands: %s)"), argv[1],
                          names);
    }
  return command->run (argc - 1, argv + 1);
}
