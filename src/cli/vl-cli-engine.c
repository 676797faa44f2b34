/* vl-cli-engine.c: `list`, `run` and `compare`, the benchmark engine on the
 * command line.  `run` drives the runner's async API from a GMainLoop so
 * that progress and Ctrl+C are handled on the main thread while the worker
 * measures. */
#include "config.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <glib-unix.h>

#include "vectorlab-bench.h"
#include "vl-bench-engine.h"
#include "vl-cli.h"
#include "vl-cli-engine.h"

#define EXIT_INTERRUPTED 130  /* the shell's convention for SIGINT */

/* ---- list ------------------------------------------------------------- */

int
vl_cli_list (int argc, char **argv)
{
  static const GOptionEntry entries[] = { { NULL } };
  GListModel *suites = vl_bench_registry_get_suites ();

  if (!vl_cli_parse_options ("list", _("List the benchmark suites, their "
                                       "parameters and defaults."),
                             entries, &argc, &argv))
    return VL_CLI_EXIT_USAGE;

  for (guint i = 0; i < g_list_model_get_n_items (suites); i++)
    {
      g_autoptr(VlBenchSuite) suite = g_list_model_get_item (suites, i);
      guint n = 0;
      const VlBenchParamSpec *params = vl_bench_suite_get_params (suite, &n);

      g_print ("%s%s%s\n  %s\n  %s: %u, %s: %u\n", i ? "\n" : "",
               vl_bench_suite_get_name (suite), i == 0 ? _(" (default)") : "",
               vl_bench_suite_get_description (suite), _("repetitions"),
               vl_bench_suite_get_default_repetitions (suite), _("warm-ups"),
               vl_bench_suite_get_default_warmups (suite));
      for (guint p = 0; p < n; p++)
        {
          g_autofree char *type =
            vl_bench_param_spec_describe_type (&params[p]);

          g_print ("  -p %-7s %-22s %s (%s)\n", params[p].name,
                   params[p].default_value, params[p].description, type);
        }
    }
  g_print (_("\nA comma list (-p nq=1,16,1024) sweeps a parameter; several "
             "lists sweep their product.\n"));
  return VL_CLI_EXIT_OK;
}

/* ---- run -------------------------------------------------------------- */

typedef struct
{
  GMainLoop     *loop;
  VlBenchReport *report;
  GError        *error;
  gboolean       progress_shown;
} RunState;

static gboolean
on_interrupt (gpointer cancellable)
{
  g_cancellable_cancel (cancellable);
  return G_SOURCE_CONTINUE;
}

static int
terminal_width (void)
{
  struct winsize ws;

  if (ioctl (STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
    return ws.ws_col;
  return 80;
}

static void
on_progress (VlBenchRunner *runner, double fraction, const char *case_name,
             double eta_seconds, RunState *state)
{
  const int bar = 20;
  int filled = (int) (fraction * bar + 0.5);
  int room = terminal_width () - bar - 24;
  g_autofree char *eta = eta_seconds >= 0.0
                           ? g_strdup_printf ("ETA %d:%02d",
                                              (int) eta_seconds / 60,
                                              (int) eta_seconds % 60)
                           : g_strdup ("ETA -:--");

  g_printerr ("\r[%.*s%*s] %3d%% %s %-*.*s", filled,
              "####################", bar - filled, "",
              (int) (fraction * 100.0), eta, room, room, case_name);
  state->progress_shown = TRUE;
}

static void
on_run_done (GObject *source, GAsyncResult *result, gpointer data)
{
  RunState *state = data;

  state->report = vl_bench_runner_run_finish (VL_BENCH_RUNNER (source),
                                              result, &state->error);
  g_main_loop_quit (state->loop);
}

/* Refuses an unknown device before any work, naming the valid ids. */
static gboolean
check_device (const char *device, GError **error)
{
  VlError *vl_error = NULL;
  VlDeviceInfo *devices = NULL;
  size_t n = 0;
  char resolved[32];
  g_autoptr(GString) ids = g_string_new (NULL);
  gboolean found = FALSE;

  if (vl_device_resolve (device, resolved, &vl_error) != VL_STATUS_OK
      || vl_devices_list (&devices, &n, &vl_error) != VL_STATUS_OK)
    return vl_bench_propagate_vl_error (error, vl_error, NULL);
  for (size_t i = 0; i < n; i++)
    {
      found |= g_str_equal (devices[i].id, resolved);
      g_string_append_printf (ids, "%s%s", i ? ", " : "", devices[i].id);
    }
  vl_devices_free (devices);
  if (!found)
    g_set_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_DEVICE_NOT_FOUND,
                 _("unknown device '%s' (available: auto, %s)"), device,
                 ids->str);
  return found;
}

/* The --help summary, naming the suites there are. */
static char *
run_summary (void)
{
  GListModel *suites = vl_bench_registry_get_suites ();
  g_autoptr(GString) names = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (suites); i++)
    {
      g_autoptr(VlBenchSuite) suite = g_list_model_get_item (suites, i);

      g_string_append_printf (names, "%s%s", i ? ", " : "",
                              vl_bench_suite_get_name (suite));
    }
  return g_strdup_printf (_("Run a benchmark suite (default: quick) and "
                            "print its scaling tables.\nSuites: %s; 'list' "
                            "shows their parameters."), names->str);
}

int
vl_cli_run (int argc, char **argv)
{
  g_autofree char *device = NULL;
  g_auto(GStrv) params = NULL;
  g_auto(GStrv) tunings = NULL;
  g_autofree char *output = NULL;
  /* Unset until given: any number typed, -1 included, is checked. */
  int repetitions = G_MININT, warmups = G_MININT;
  const GOptionEntry entries[] = {
    { "device", 'd', 0, G_OPTION_ARG_STRING, &device,
      N_("Device to run on (default: auto; see 'devices')"), N_("DEVICE") },
    { "param", 'p', 0, G_OPTION_ARG_STRING_ARRAY, &params,
      N_("Set a suite parameter; a comma list sweeps it (see 'list')"),
      N_("KEY=VALUE") },
    { "tuning", 't', 0, G_OPTION_ARG_STRING_ARRAY, &tunings,
      N_("Run an OpenCL kernel family with these tunables instead of the "
         "stored ones (as 'tune' prints them; the report names them)"),
      N_("FAMILY=NAME=VALUE …") },
    { "repetitions", 'r', 0, G_OPTION_ARG_INT, &repetitions,
      N_("Timed repetitions per case (default: the suite's)"), N_("N") },
    { "warmups", 'w', 0, G_OPTION_ARG_INT, &warmups,
      N_("Untimed warm-up runs per case, continued until they take 50 ms "
         "(default: the suite's)"), N_("N") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      N_("Write the JSON report to FILE (atomically)"), N_("FILE") },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(VlBenchSuite) suite = NULL;
  g_autoptr(VlBenchPlan) plan = NULL;
  g_autoptr(VlBenchRunner) runner = NULL;
  g_autoptr(GCancellable) cancellable = NULL;
  g_autofree char *tables = NULL;
  RunState state = { 0 };
  guint sigint_id, sigterm_id;
  g_autofree char *summary = run_summary ();

  if (!vl_cli_parse_options_with_args ("run", "[SUITE]", summary, entries,
                                       &argc, &argv))
    return VL_CLI_EXIT_USAGE;
  if (argc > 2)
    return vl_cli_fail (VL_CLI_EXIT_USAGE, _("run: unexpected argument '%s'"),
                        argv[2]);
  suite = vl_bench_registry_lookup (argc > 1 ? argv[1] : "quick", &error);
  if (suite == NULL)
    return vl_cli_fail (VL_CLI_EXIT_USAGE, "run: %s", error->message);
  if (repetitions != G_MININT && repetitions < 1)
    return vl_cli_fail (VL_CLI_EXIT_USAGE, _("run: repetitions must be at "
                                             "least 1"));
  if (warmups != G_MININT && warmups < 0)
    return vl_cli_fail (VL_CLI_EXIT_USAGE, _("run: warm-ups must be 0 or "
                                             "more"));

  plan = vl_bench_plan_new (suite);
  for (guint i = 0; params != NULL && params[i] != NULL; i++)
    if (!vl_bench_plan_set_param_string (plan, params[i], &error))
      return vl_cli_fail (VL_CLI_EXIT_USAGE, "run: %s", error->message);
  for (guint i = 0; tunings != NULL && tunings[i] != NULL; i++)
    if (!vl_bench_plan_set_tuning_string (plan, tunings[i], &error))
      return vl_cli_fail (VL_CLI_EXIT_USAGE, "run: %s", error->message);
  vl_bench_plan_set_device (plan, device);
  vl_bench_plan_set_repetitions (plan, repetitions != G_MININT ? (guint) repetitions
                                                             : 0);
  vl_bench_plan_set_warmups (plan, warmups != G_MININT ? warmups : -1);
  if (!check_device (vl_bench_plan_get_device (plan), &error))
    return vl_cli_fail (VL_CLI_EXIT_USAGE, "run: %s", error->message);
  if (output != NULL && !vl_cli_check_output_folder ("run", output))
    return VL_CLI_EXIT_USAGE;

  state.loop = g_main_loop_new (NULL, FALSE);
  runner = vl_bench_runner_new ();
  cancellable = g_cancellable_new ();
  if (isatty (STDERR_FILENO))
    g_signal_connect (runner, "progress", G_CALLBACK (on_progress), &state);
  sigint_id = g_unix_signal_add (SIGINT, on_interrupt, cancellable);
  sigterm_id = g_unix_signal_add (SIGTERM, on_interrupt, cancellable);

  vl_bench_runner_run_async (runner, plan, cancellable, on_run_done, &state);
  g_main_loop_run (state.loop);

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  g_signal_handlers_disconnect_by_data (runner, &state);
  g_main_loop_unref (state.loop);
  if (state.progress_shown)
    g_printerr ("\r%*s\r", terminal_width () - 1, "");

  if (state.error != NULL)
    {
      g_autoptr(GError) run_error = state.error;

      if (g_error_matches (run_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return vl_cli_fail (EXIT_INTERRUPTED, _("interrupted; no report "
                                                "written"));
      return vl_cli_fail_error (run_error);
    }

  {
    g_autoptr(VlBenchReport) report = state.report;
    JsonObject *context = vl_bench_report_get_context (report);
    JsonObject *dev = json_object_get_object_member (context, "device");

    g_print ("%s %s on %s (%s)\n\n", _("suite"),
             vl_bench_suite_get_name (suite),
             json_object_get_string_member (dev, "id"),
             json_object_get_string_member (dev, "name"));
    tables = vl_bench_report_format_tables (report);
    g_print ("%s", tables);
    fflush (stdout);
    if (output != NULL && !vl_bench_report_save (report, output, &error))
      return vl_cli_fail_error (error);
    if (output != NULL)
      g_printerr (_("report written to %s\n"), output);
  }
  return VL_CLI_EXIT_OK;
}

/* ---- compare ---------------------------------------------------------- */

static const char *
or_unknown (const char *text)
{
  return text != NULL ? text : "?";
}

static void
print_source (const char *label, const char *path, VlBenchReport *report)
{
  JsonObject *context = vl_bench_report_get_context (report);
  JsonNode *dev_node = json_object_get_member (context, "device");
  const char *device = NULL;

  if (dev_node != NULL && JSON_NODE_HOLDS_OBJECT (dev_node))
    {
      JsonNode *name = json_object_get_member (json_node_get_object (dev_node),
                                               "name");

      if (name != NULL && json_node_get_value_type (name) == G_TYPE_STRING)
        device = json_node_get_string (name);
    }
  g_print ("%s %s: %s %s on %s, %s\n", label, path,
           or_unknown (vl_bench_report_get_context_string (report, "library")),
           or_unknown (vl_bench_report_get_context_string (report,
                                                           "library_version")),
           or_unknown (device),
           or_unknown (vl_bench_report_get_context_string (report, "date")));
}

/* The families whose tunables differ: a time that moved may have moved
 * with them. */
static void
print_tuning_changes (VlBenchComparison *comparison)
{
  for (guint i = 0; i < vl_bench_comparison_get_n_tuning_changes (comparison);
       i++)
    {
      const VlBenchTuningChange *change =
        vl_bench_comparison_get_tuning_change (comparison, i);

      g_print (_("tuning of %s: %s -> %s\n"), change->family,
               change->old_tuning ? change->old_tuning : _("(none)"),
               change->new_tuning ? change->new_tuning : _("(none)"));
    }
}

int
vl_cli_compare (int argc, char **argv)
{
  double threshold = 5.0;
  gboolean fail_on_regression = FALSE;
  const GOptionEntry entries[] = {
    { "threshold", 't', 0, G_OPTION_ARG_DOUBLE, &threshold,
      N_("Percent slower that counts as a regression (default: 5)"),
      N_("PCT") },
    { "fail-on-regression", 0, 0, G_OPTION_ARG_NONE, &fail_on_regression,
      N_("Exit with status 1 when any benchmark regressed"), NULL },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(VlBenchReport) old_report = NULL;
  g_autoptr(VlBenchReport) new_report = NULL;
  g_autoptr(VlBenchComparison) comparison = NULL;
  g_autofree char *table = NULL;
  guint regressions = 0;

  if (!vl_cli_parse_options_with_args ("compare", "OLD.json NEW.json",
                                       _("Compare two reports row by row: "
                                         "ratio = new time / old time."),
                                       entries, &argc, &argv))
    return VL_CLI_EXIT_USAGE;
  if (argc != 3)
    return vl_cli_fail (VL_CLI_EXIT_USAGE, _("compare: expected two reports, "
                                             "OLD.json NEW.json"));
  if (!isfinite (threshold) || threshold < 0.0)
    return vl_cli_fail (VL_CLI_EXIT_USAGE, _("compare: the threshold must be "
                                             "a percentage of 0 or more"));
  if ((old_report = vl_bench_report_load (argv[1], &error)) == NULL
      || (new_report = vl_bench_report_load (argv[2], &error)) == NULL)
    return vl_cli_fail (VL_CLI_EXIT_FAILURE, _("compare: %s"),
                        error->message);

  comparison = vl_bench_comparison_new (old_report, new_report, threshold);
  print_source (_("old"), argv[1], old_report);
  print_source (_("new"), argv[2], new_report);
  print_tuning_changes (comparison);
  g_print ("\n");
  table = vl_bench_comparison_format (comparison);
  g_print ("%s", table);
  for (guint i = 0; i < vl_bench_comparison_get_n_rows (comparison); i++)
    regressions += vl_bench_comparison_get_row (comparison, i)->regression;
  g_print (_("\n%u of %u benchmarks matched by name; %u slower by more than "
             "%g%%\n"),
           vl_bench_comparison_get_n_matched (comparison),
           vl_bench_comparison_get_n_rows (comparison), regressions,
           threshold);
  if (vl_bench_comparison_get_n_matched (comparison) == 0)
    g_printerr (_("%s: compare: the reports have no benchmark names in "
                  "common\n"), VL_CLI_NAME);
  return fail_on_regression && regressions > 0 ? VL_CLI_EXIT_FAILURE
                                               : VL_CLI_EXIT_OK;
}
