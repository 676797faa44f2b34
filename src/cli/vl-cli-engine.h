/* vl-cli-engine.h: the benchmark engine's subcommands of vectorlab-bench. */
#pragma once

G_BEGIN_DECLS

/* `list`: the suites, their parameters and defaults. */
int vl_cli_list    (int argc, char **argv);
/* `run SUITE [-d DEVICE] [-p KEY=VALUE]... [-r N] [-w N] [-o REPORT]`. */
int vl_cli_run     (int argc, char **argv);
/* `compare OLD.json NEW.json [--threshold PCT] [--fail-on-regression]`. */
int vl_cli_compare (int argc, char **argv);

G_END_DECLS
