/* test-cli.c: runs the built vectorlab-bench (its path in $VL_BENCH_CLI)
 * and checks exit codes, messages and outputs; k-NN results are compared
 * with a brute force computed here in double precision. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "vectorlab-bench.h"

/* Results may differ from the double brute force by fp32 rounding. */
#define SCORE_TOLERANCE 1e-4

static const char *cli_path;
static char *tmp_dir;

typedef struct
{
  int   status;   /* exit status */
  char *out;
  char *err;
} Run;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

/* Runs the CLI with the NULL-terminated arguments after @first. */
static void
run_cli (Run *run, const char *first, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (gpointer) cli_path);
  va_start (args, first);
  for (arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  proc = g_subprocess_newv ((const char *const *) argv->pdata,
                            G_SUBPROCESS_FLAGS_STDOUT_PIPE
                            | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &run->out, &run->err,
                                 &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  run->status = g_subprocess_get_exit_status (proc);
  g_test_message ("exit %d\nstdout:\n%s\nstderr:\n%s", run->status, run->out,
                  run->err);
}

/* Test files need no durability: plain stdio skips the fsync of
 * g_file_set_contents, which made the truncation sweep slow. */
static void
write_file (const char *path, const char *data, gsize len)
{
  FILE *f = g_fopen (path, "wb");

  g_assert_nonnull (f);
  g_assert_cmpuint (fwrite (data, 1, len, f), ==, len);
  g_assert_cmpint (fclose (f), ==, 0);
}

static char *
tmp_path (const char *name)
{
  return g_build_filename (tmp_dir, name, NULL);
}

static void
test_help (void)
{
  g_auto(Run) help = { 0 };
  g_auto(Run) help_cmd = { 0 };
  g_auto(Run) none = { 0 };
  g_auto(Run) bogus = { 0 };
  g_auto(Run) knn_help = { 0 };

  run_cli (&help, "--help", NULL);
  g_assert_cmpint (help.status, ==, 0);
  for (const char *const *c = (const char *[]) { "devices", "verify", "knn",
                                                 "help", NULL }; *c; c++)
    g_assert_nonnull (strstr (help.out, *c));

  run_cli (&help_cmd, "help", NULL);
  g_assert_cmpint (help_cmd.status, ==, 0);
  g_assert_cmpstr (help_cmd.out, ==, help.out);

  run_cli (&none, NULL);
  g_assert_cmpint (none.status, ==, 2);

  run_cli (&bogus, "bogus", NULL);
  g_assert_cmpint (bogus.status, ==, 2);
  g_assert_true (g_str_has_prefix (bogus.err, "vectorlab-bench: "));
  g_assert_nonnull (strstr (bogus.err, "bogus"));
  g_assert_nonnull (strstr (bogus.err, "devices, verify, knn"));

  run_cli (&knn_help, "help", "knn", NULL);
  g_assert_cmpint (knn_help.status, ==, 0);
  g_assert_nonnull (strstr (knn_help.out, "--database"));
}

static void
test_verify_ref (void)
{
  g_auto(Run) run = { 0 };
  const char *ops[] = {
    "distance-matrix/l2", "distance-matrix/ip", "distance-matrix/cosine",
    "knn/l2", "knn/ip", "knn/cosine", "normalize", "similarity-matrix",
    "pool-mean", "pool-attention",
  };

  run_cli (&run, "verify", "-d", "ref", NULL);
  g_assert_cmpint (run.status, ==, 0);
  for (gsize i = 0; i < G_N_ELEMENTS (ops); i++)
    g_assert_nonnull (strstr (run.out, ops[i]));
  g_assert_null (strstr (run.out, "FAIL"));
}

static void
test_verify_errors (void)
{
  g_auto(Run) unknown = { 0 };
  g_auto(Run) usage = { 0 };

  run_cli (&unknown, "verify", "-d", "nosuchdev", NULL);
  g_assert_cmpint (unknown.status, ==, 1);
  g_assert_true (g_str_has_prefix (unknown.err, "vectorlab-bench: "));
  g_assert_nonnull (strstr (unknown.err, "nosuchdev"));
  g_assert_nonnull (strstr (unknown.err, "ref"));
  g_assert_nonnull (strstr (unknown.err, "cpu"));

  run_cli (&usage, "verify", "--no-such-option", NULL);
  g_assert_cmpint (usage.status, ==, 2);
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

static void
test_devices_json (void)
{
  g_auto(Run) run = { 0 };
  g_auto(Run) table = { 0 };
  g_autoptr(JsonNode) root = NULL;
  JsonObject *obj;
  JsonArray *devices;
  gboolean saw_ref = FALSE, saw_cpu = FALSE;

  run_cli (&run, "devices", "--json", NULL);
  g_assert_cmpint (run.status, ==, 0);
  root = parse_json (run.out);
  obj = json_node_get_object (root);
  devices = json_object_get_array_member (obj, "devices");
  g_assert_cmpuint (json_array_get_length (devices), >=, 2);
  for (guint i = 0; i < json_array_get_length (devices); i++)
    {
      JsonObject *d = json_array_get_object_element (devices, i);
      const char *id = json_object_get_string_member (d, "id");

      saw_ref |= g_strcmp0 (id, "ref") == 0;
      saw_cpu |= g_strcmp0 (id, "cpu") == 0;
      g_assert_true (json_object_has_member (d, "backend"));
      g_assert_true (json_object_has_member (d, "compute_units"));
      g_assert_true (json_object_has_member (d, "global_mem_bytes"));
      g_assert_true (json_object_has_member (d, "max_work_group_size"));
    }
  g_assert_true (saw_ref && saw_cpu);

  run_cli (&table, "devices", NULL);
  g_assert_cmpint (table.status, ==, 0);
  g_assert_nonnull (strstr (table.out, "ref"));
}

static double
score (VlMetric metric, const float *a, const float *b, gsize d)
{
  double dot = 0, na = 0, nb = 0, l2 = 0;

  for (gsize i = 0; i < d; i++)
    {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
      l2 += ((double) a[i] - b[i]) * ((double) a[i] - b[i]);
    }
  switch (metric)
    {
    case VL_METRIC_L2: return l2;
    case VL_METRIC_IP: return dot;
    case VL_METRIC_COSINE:
    default: return na > 0 && nb > 0 ? dot / sqrt (na * nb) : 0.0;
    }
}

static int
compare_desc (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x < y) - (x > y);
}

/* Writes the .npy inputs: a database with duplicated rows (ties) and a
 * query that equals a database row. */
static void
write_inputs (const char *db_path, const char *q_path, gsize n, gsize nq,
              gsize d, VlTensor **db_out, VlTensor **q_out)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (1234);
  g_autofree float *db = g_new (float, n * d);
  g_autofree float *q = g_new (float, nq * d);

  g_assert_cmpuint (n, >, 11);
  for (gsize i = 0; i < n * d; i++)
    db[i] = (float) g_rand_double_range (rand, -1, 1);
  for (gsize i = 0; i < nq * d; i++)
    q[i] = (float) g_rand_double_range (rand, -1, 1);
  memcpy (db + 10 * d, db + 3 * d, d * sizeof (float));
  memcpy (db + 11 * d, db + 3 * d, d * sizeof (float));
  memcpy (q, db + 3 * d, d * sizeof (float));

  *db_out = vl_tensor_new_f32 (n, d, db);
  *q_out = vl_tensor_new_f32 (nq, d, q);
  g_assert_true (vl_tensor_save (*db_out, db_path, NULL));
  g_assert_true (vl_tensor_save (*q_out, q_path, NULL));
}

/* Checks one query's JSON row against the brute force by value: each id is
 * in range, unique, scores within tolerance of its true score, and at
 * least as good as the true k-th score. */
static void
check_row (VlMetric metric, JsonArray *ids, JsonArray *dists, VlTensor *db,
           const float *query, gsize k)
{
  gsize n = vl_tensor_get_rows (db), d = vl_tensor_get_cols (db);
  gboolean sim = vl_metric_is_similarity (metric);
  g_autofree double *all = g_new (double, n);
  g_autofree gboolean *seen = g_new0 (gboolean, n);
  double kth, slack;

  g_assert_cmpuint (json_array_get_length (ids), ==, k);
  g_assert_cmpuint (json_array_get_length (dists), ==, k);
  for (gsize j = 0; j < n; j++)
    all[j] = (sim ? -1 : 1) * score (metric, query,
                                      vl_tensor_get_f32 (db) + j * d, d);
  qsort (all, n, sizeof *all, compare_desc);
  /* all is now descending in sign-adjusted score: worst first. */
  kth = (sim ? -1 : 1) * all[n - k];
  slack = SCORE_TOLERANCE * MAX (fabs (kth), 1.0);

  for (gsize i = 0; i < k; i++)
    {
      gint64 id = json_array_get_int_element (ids, i);
      double got = json_array_get_double_element (dists, i);
      double truth;

      g_assert_cmpint (id, >=, 0);
      g_assert_cmpint (id, <, (gint64) n);
      g_assert_false (seen[id]);
      seen[id] = TRUE;
      truth = score (metric, query, vl_tensor_get_f32 (db) + id * d, d);
      g_assert_cmpfloat_with_epsilon (got, truth,
                                      SCORE_TOLERANCE * MAX (fabs (truth), 1.0));
      if (sim)
        g_assert_cmpfloat (truth, >=, kth - slack);
      else
        g_assert_cmpfloat (truth, <=, kth + slack);
    }
}

static void
test_knn_json (void)
{
  g_autofree char *db_path = tmp_path ("db.npy");
  g_autofree char *q_path = tmp_path ("q.npy");
  g_autofree char *out_path = tmp_path ("out.json");
  g_autoptr(VlTensor) db = NULL;
  g_autoptr(VlTensor) q = NULL;
  const char *metrics[] = { "l2", "ip", "cosine" };
  const gsize k = 7;

  write_inputs (db_path, q_path, 203, 9, 13, &db, &q);
  for (gsize m = 0; m < G_N_ELEMENTS (metrics); m++)
    {
      g_auto(Run) run = { 0 };
      g_autofree char *json = NULL;
      g_autoptr(JsonNode) root = NULL;
      JsonArray *ids, *dists;
      VlMetric metric;

      g_assert_true (vl_metric_from_string (metrics[m], &metric));
      g_remove (out_path);
      run_cli (&run, "knn", "--database", db_path, "--queries", q_path,
               "-k", "7", "--metric", metrics[m], "-o", out_path, NULL);
      g_assert_cmpint (run.status, ==, 0);
      g_assert_true (g_file_get_contents (out_path, &json, NULL, NULL));
      root = parse_json (json);
      ids = json_object_get_array_member (json_node_get_object (root), "ids");
      dists = json_object_get_array_member (json_node_get_object (root),
                                            "distances");
      g_assert_cmpuint (json_array_get_length (ids), ==, 9);
      g_assert_cmpuint (json_array_get_length (dists), ==, 9);
      for (guint i = 0; i < 9; i++)
        check_row (metric, json_array_get_array_element (ids, i),
                   json_array_get_array_element (dists, i), db,
                   vl_tensor_get_f32 (q) + i * 13, k);
    }
}

static void
test_knn_table (void)
{
  g_autofree char *db_path = tmp_path ("tdb.fvecs");
  g_autofree char *q_path = tmp_path ("tq.npy");
  g_autoptr(VlTensor) db = NULL;
  g_autoptr(VlTensor) q = NULL;
  g_auto(Run) run = { 0 };

  write_inputs (db_path, q_path, 50, 2, 4, &db, &q);
  run_cli (&run, "knn", "--database", db_path, "--queries", q_path, "-k", "3",
           "-d", "ref", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "DISTANCE"));
  /* Query 0 equals database row 3 (and its copies 10 and 11). */
  g_assert_nonnull (strstr (run.out, "0        1      3 "));
}

static void
test_knn_errors (void)
{
  g_autofree char *db_path = tmp_path ("edb.npy");
  g_autofree char *q_path = tmp_path ("eq.npy");
  g_autofree char *wide_path = tmp_path ("wide.npy");
  g_autofree char *f8_path = tmp_path ("f8.npy");
  g_autofree char *missing = tmp_path ("missing.npy");
  g_autoptr(VlTensor) db = NULL;
  g_autoptr(VlTensor) q = NULL;
  g_autoptr(VlTensor) wide = NULL;
  const float zeros[6] = { 0 };
  g_autoptr(GString) f8 = g_string_new ("{'descr': '<f8', "
                                        "'fortran_order': False, "
                                        "'shape': (1, 1), }\n");
  struct {
    const char *database, *queries, *k, *metric, *expect;
    int status;
  } cases[] = {
    { db_path, q_path, "13", "l2", "larger than the 12 vectors", 1 },
    { f8_path, q_path, "1", "l2", "dtype '<f8'", 1 },
    { db_path, f8_path, "1", "l2", "dtype '<f8'", 1 },
    { missing, q_path, "1", "l2", "missing.npy", 1 },
    { db_path, wide_path, "1", "l2", "dimensions", 1 },
    { db_path, q_path, "1", "hamming", "unknown metric 'hamming'", 2 },
    { db_path, q_path, "0", "l2", "k must be at least 1", 2 },
    { db_path, NULL, "1", "l2", "--queries", 2 },
  };

  write_inputs (db_path, q_path, 12, 2, 4, &db, &q);
  wide = vl_tensor_new_f32 (1, 6, zeros);
  g_assert_true (vl_tensor_save (wide, wide_path, NULL));
  /* A valid 1 x 1 float64 .npy: magic, version 1.0, header length, header,
   * eight zero bytes. */
  g_string_prepend_len (f8, "\x93NUMPY\x01\x00\0\0", 10);
  f8->str[8] = (char) (f8->len - 10);
  g_string_append_len (f8, "\0\0\0\0\0\0\0\0", 8);
  write_file (f8_path, f8->str, f8->len);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(Run) run = { 0 };

      if (cases[i].queries != NULL)
        run_cli (&run, "knn", "--database", cases[i].database, "--queries",
                 cases[i].queries, "-k", cases[i].k, "--metric",
                 cases[i].metric, "-d", "ref", NULL);
      else
        run_cli (&run, "knn", "--database", cases[i].database, "-k",
                 cases[i].k, NULL);
      g_assert_cmpint (run.status, ==, cases[i].status);
      g_assert_true (g_str_has_prefix (run.err, "vectorlab-bench: "));
      g_assert_nonnull (strstr (run.err, cases[i].expect));
      g_assert_cmpstr (run.out, ==, "");
    }

  /* An output nowhere is refused by name, before the search. */
  {
    g_auto(Run) run = { 0 };
    g_autofree char *nowhere = tmp_path ("no-such-folder/out.json");

    run_cli (&run, "knn", "--database", db_path, "--queries", q_path, "-o",
             nowhere, NULL);
    g_assert_cmpint (run.status, ==, 2);
    g_assert_nonnull (strstr (run.err, "knn: cannot write"));
    g_assert_nonnull (strstr (run.err, "no folder"));
    g_assert_cmpstr (run.out, ==, "");
  }
}

static void
remove_tmp_dir (void)
{
  g_autoptr(GDir) dir = g_dir_open (tmp_dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = tmp_path (name);

      g_remove (path);
    }
  g_rmdir (tmp_dir);
}

int
main (int argc, char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  cli_path = g_getenv ("VL_BENCH_CLI");
  if (cli_path == NULL)
    {
      g_printerr ("test-cli: set VL_BENCH_CLI to the vectorlab-bench to test\n");
      return 1;
    }
  tmp_dir = g_dir_make_tmp ("vl-cli-XXXXXX", NULL);
  g_assert_nonnull (tmp_dir);

  g_test_add_func ("/bench/cli/help", test_help);
  g_test_add_func ("/bench/cli/verify/ref", test_verify_ref);
  g_test_add_func ("/bench/cli/verify/errors", test_verify_errors);
  g_test_add_func ("/bench/cli/devices/json", test_devices_json);
  g_test_add_func ("/bench/cli/knn/json", test_knn_json);
  g_test_add_func ("/bench/cli/knn/table", test_knn_table);
  g_test_add_func ("/bench/cli/knn/errors", test_knn_errors);

  ret = g_test_run ();
  remove_tmp_dir ();
  g_free (tmp_dir);
  return ret;
}
