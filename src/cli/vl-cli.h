/* vl-cli.h: what the subcommands of vectorlab-bench share. */
#pragma once

#include <glib.h>
#include <glib/gi18n.h>

G_BEGIN_DECLS

#define VL_CLI_NAME "vectorlab-bench"

typedef enum
{
  VL_CLI_EXIT_OK = 0,
  VL_CLI_EXIT_FAILURE = 1,  /* the work failed: bad file, device, check */
  VL_CLI_EXIT_USAGE = 2,    /* the command line was wrong */
} VlCliExit;

/* A subcommand: @run gets argv with argv[0] the subcommand's name. */
typedef struct
{
  const char *name;
  const char *summary;   /* one line, marked with N_() */
  int       (*run) (int argc, char **argv);
} VlCliCommand;

int vl_cli_devices (int argc, char **argv);
int vl_cli_verify  (int argc, char **argv);
int vl_cli_knn     (int argc, char **argv);
int vl_cli_tune    (int argc, char **argv);

/* Parses the options of subcommand @name; prints a usage error and returns
 * FALSE on bad options or stray arguments.  --help prints and exits. */
gboolean vl_cli_parse_options (const char         *name,
                               const char         *description,
                               const GOptionEntry *entries,
                               int                *argc,
                               char             ***argv);
/* As vl_cli_parse_options(), but leaves the positional arguments (after
 * argv[0]) to subcommands that take some, described by @parameter_string
 * in --help. */
gboolean vl_cli_parse_options_with_args (const char         *name,
                                         const char         *parameter_string,
                                         const char         *description,
                                         const GOptionEntry *entries,
                                         int                *argc,
                                         char             ***argv);

/* Prints "vectorlab-bench: MESSAGE" on stderr and returns @code. */
int vl_cli_fail       (VlCliExit   code,
                       const char *format,
                       ...) G_GNUC_PRINTF (2, 3);
/* Prints @error like vl_cli_fail and returns VL_CLI_EXIT_FAILURE. */
int vl_cli_fail_error (const GError *error);

/* Whether the folder of @path, where subcommand @name will write its
 * result, exists; a usage error if not.  Checked before the work, so that
 * a long run is not lost at its end. */
gboolean vl_cli_check_output_folder (const char *name,
                                     const char *path);

G_END_DECLS
