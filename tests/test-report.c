/* test-report.c: JSON write and read of reports: a round trip keeps every
 * field, non-finite numbers become null, and hostile, truncated or newer
 * files are refused with clear errors. */
#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "vl-bench-engine.h"

static VlBenchResult *
make_result (const char *nq, double scale)
{
  const char *const keys[] = { "n", "d", "nq", "k", "metric", NULL };
  const char *const values[] = { "1000", "64", nq, "10", "ip", NULL };
  g_autofree char *name = g_strdup_printf ("knn/n:1000/d:64/nq:%s/k:10/"
                                           "metric:ip", nq);
  VlBenchResult *r = vl_bench_result_new (name);
  const double samples[] = { 1.5 * scale, 1.25 * scale, 2.0 * scale };
  VlBreakdown b = { 0.1, 0.2, 1.0, 0.05, 0.01 };
  VlBenchQuality q;
  VlBenchMemory m = { 0.0, 4096.0, 1e8 };

  vl_bench_result_set_params (r, keys, values);
  vl_bench_result_set_count_key (r, "nq", "queries");
  vl_bench_result_set_samples (r, samples, G_N_ELEMENTS (samples), TRUE);
  vl_bench_result_set_cpu_time (r, 2.5 * scale);
  vl_bench_result_set_work (r, g_ascii_strtod (nq, NULL), 256000.0);
  vl_bench_result_set_breakdown (r, &b);
  vl_bench_quality_init (&q);
  q.recall = 0.98;
  q.sampled = 8;
  g_strlcpy (q.reference, "ref", sizeof q.reference);
  vl_bench_result_set_quality (r, &q);
  vl_bench_result_set_memory (r, &m);
  return r;
}

static VlBenchReport *
make_report (void)
{
  VlBenchReport *report = vl_bench_report_new ();
  JsonObject *context = vl_bench_report_get_context (report);
  JsonObject *device = json_object_new ();
  g_autoptr(VlBenchResult) a = make_result ("1", 1.0);
  g_autoptr(VlBenchResult) b = make_result ("16", 4.0);

  json_object_set_string_member (context, "date", "2026-11-21T23:00:00Z");
  json_object_set_string_member (context, "library", "vectorlab");
  json_object_set_string_member (context, "suite", "knn");
  json_object_set_string_member (device, "id", "cpu");
  json_object_set_string_member (device, "name", "a CPU");
  json_object_set_object_member (context, "device", device);
  vl_bench_report_append (report, a);
  vl_bench_report_append (report, b);
  return report;
}

static void
assert_same_result (VlBenchResult *a, VlBenchResult *b)
{
  const VlBenchStats *sa = vl_bench_result_get_stats (a);
  const VlBenchStats *sb = vl_bench_result_get_stats (b);
  const VlBenchQuality *qa = vl_bench_result_get_quality (a);
  const VlBenchQuality *qb = vl_bench_result_get_quality (b);
  gsize na, nb;
  const double *xa = vl_bench_result_get_samples (a, &na);
  const double *xb = vl_bench_result_get_samples (b, &nb);

  g_assert_cmpstr (vl_bench_result_get_name (a), ==,
                   vl_bench_result_get_name (b));
  g_assert_cmpstrv (vl_bench_result_get_param_keys (a),
                    vl_bench_result_get_param_keys (b));
  g_assert_cmpstrv (vl_bench_result_get_param_values (a),
                    vl_bench_result_get_param_values (b));
  g_assert_cmpstr (vl_bench_result_get_count_key (a), ==,
                   vl_bench_result_get_count_key (b));
  g_assert_cmpuint (vl_bench_result_get_repetitions (a), ==,
                    vl_bench_result_get_repetitions (b));
  g_assert_cmpmem (sa, sizeof *sa, sb, sizeof *sb);
  g_assert_cmpmem (xa, na * sizeof (double), xb, nb * sizeof (double));
  g_assert_cmpfloat (vl_bench_result_get_cpu_time (a), ==,
                     vl_bench_result_get_cpu_time (b));
  g_assert_cmpfloat_with_epsilon (vl_bench_result_get_items_per_second (a),
                                  vl_bench_result_get_items_per_second (b),
                                  1e-6);
  g_assert_cmpfloat_with_epsilon (vl_bench_result_get_bytes_per_second (a),
                                  vl_bench_result_get_bytes_per_second (b),
                                  1e-3);
  g_assert_cmpmem (vl_bench_result_get_breakdown (a), sizeof (VlBreakdown),
                   vl_bench_result_get_breakdown (b), sizeof (VlBreakdown));
  g_assert_cmpfloat (qa->recall, ==, qb->recall);
  g_assert_true (isnan (qb->max_abs_err) && isnan (qb->compression_ratio));
  g_assert_cmpstr (qa->reference, ==, qb->reference);
  g_assert_cmpuint (qa->sampled, ==, qb->sampled);
  g_assert_cmpmem (vl_bench_result_get_memory (a), sizeof (VlBenchMemory),
                   vl_bench_result_get_memory (b), sizeof (VlBenchMemory));
}

static void
test_round_trip (void)
{
  g_autoptr(VlBenchReport) report = make_report ();
  g_autofree char *json = vl_bench_report_to_json (report);
  g_autoptr(GError) error = NULL;
  g_autoptr(VlBenchReport) back = vl_bench_report_load_from_data (json, -1,
                                                                  &error);
  g_autofree char *again = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (back)), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(VlBenchResult) a = g_list_model_get_item (G_LIST_MODEL (report),
                                                          i);
      g_autoptr(VlBenchResult) b = g_list_model_get_item (G_LIST_MODEL (back),
                                                          i);
      assert_same_result (a, b);
    }
  g_assert_cmpstr (vl_bench_report_get_context_string (back, "suite"), ==,
                   "knn");
  /* Writing what was read gives the same text. */
  again = vl_bench_report_to_json (back);
  g_assert_cmpstr (json, ==, again);
}

static void
test_non_finite_is_null (void)
{
  g_autoptr(VlBenchReport) report = vl_bench_report_new ();
  g_autoptr(VlBenchResult) r = vl_bench_result_new ("normalize/n:1/d:1");
  const double samples[] = { INFINITY, NAN, 1.0 };
  g_autofree char *json = NULL;
  g_autoptr(VlBenchReport) back = NULL;
  g_autoptr(VlBenchResult) rb = NULL;
  g_autoptr(GError) error = NULL;
  gsize n;

  vl_bench_result_set_samples (r, samples, 3, FALSE);
  vl_bench_result_set_cpu_time (r, NAN);
  vl_bench_result_set_work (r, INFINITY, -INFINITY);
  vl_bench_report_append (report, r);
  json = vl_bench_report_to_json (report);
  g_assert_null (strstr (json, "nan"));
  g_assert_null (strstr (json, "inf"));
  g_assert_nonnull (strstr (json, "\"cpu_time\" : null"));
  g_assert_nonnull (strstr (json, "\"p99\" : null"));

  back = vl_bench_report_load_from_data (json, -1, &error);
  g_assert_no_error (error);
  rb = g_list_model_get_item (G_LIST_MODEL (back), 0);
  g_assert_true (isnan (vl_bench_result_get_cpu_time (rb)));
  g_assert_true (isnan (vl_bench_result_get_samples (rb, &n)[0]));
  g_assert_cmpuint (n, ==, 3);
}

static void
test_refuses (void)
{
  static const struct { const char *text; int code; const char *says; }
  cases[] = {
    { "", VL_ENGINE_ERROR_REPORT_NOT_JSON, "not a JSON report" },
    { "hello, world", VL_ENGINE_ERROR_REPORT_NOT_JSON, "not a JSON report" },
    { "\x89PNG\r\n\x1a\n", VL_ENGINE_ERROR_REPORT_NOT_JSON, "not a JSON" },
    { "[1, 2, 3]", VL_ENGINE_ERROR_REPORT_NOT_OURS, "top level" },
    { "{}", VL_ENGINE_ERROR_REPORT_NOT_OURS, "schema_version" },
    { "{\"context\": {}, \"benchmarks\": []}", VL_ENGINE_ERROR_REPORT_NOT_OURS,
      "schema_version" },
    { "{\"schema_version\": \"1\", \"context\": {}, \"benchmarks\": []}",
      VL_ENGINE_ERROR_REPORT_NOT_OURS, "schema_version" },
    { "{\"schema_version\": 0, \"context\": {}, \"benchmarks\": []}",
      VL_ENGINE_ERROR_REPORT_NOT_OURS, "schema_version 0" },
    { "{\"schema_version\": 99, \"context\": {}, \"benchmarks\": []}",
      VL_ENGINE_ERROR_REPORT_NEWER, "schema_version 99" },
    { "{\"schema_version\": 1, \"benchmarks\": []}",
      VL_ENGINE_ERROR_REPORT_NOT_OURS, "context" },
    { "{\"schema_version\": 1, \"context\": {}, \"benchmarks\": {}}",
      VL_ENGINE_ERROR_REPORT_NOT_OURS, "benchmarks" },
    { "{\"schema_version\": 1, \"context\": {}, \"benchmarks\": [42]}",
      VL_ENGINE_ERROR_REPORT_NOT_OURS, "benchmarks[0]" },
    { "{\"schema_version\": 1, \"context\": {}, \"benchmarks\": "
      "[{\"name\": \"a\", \"real_time\": 1}, {\"name\": 7, \"real_time\": 1}]}",
      VL_ENGINE_ERROR_REPORT_NOT_OURS, "benchmarks[1]" },
    { "{\"schema_version\": 1, \"context\": {}, \"benchmarks\": "
      "[{\"name\": \"a\", \"real_time\": \"fast\"}]}",
      VL_ENGINE_ERROR_REPORT_NOT_OURS, "real_time" },
    { "{\"schema_version\": 1, \"context\": {\"date\": \"x\"}, \"benchm",
      VL_ENGINE_ERROR_REPORT_TRUNCATED, "truncated" },
    { "{\"schema_version\": 1, \"context\": {\"host_name\": \"ab",
      VL_ENGINE_ERROR_REPORT_TRUNCATED, "truncated" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *shown = g_strescape (cases[i].text, NULL);
      VlBenchReport *report;

      g_test_message ("case %u: %s", i, shown);
      report = vl_bench_report_load_from_data (cases[i].text, -1, &error);
      g_assert_null (report);
      g_assert_error (error, VL_ENGINE_ERROR, cases[i].code);
      g_assert_nonnull (strstr (error->message, cases[i].says));
    }
}

/* Every cut of a real report is refused, never half read. */
static void
test_every_truncation_refused (void)
{
  g_autoptr(VlBenchReport) report = make_report ();
  g_autofree char *json = vl_bench_report_to_json (report);
  gsize len = strlen (json);

  /* The last byte is the closing brace; every shorter prefix is cut. */
  for (gsize cut = 1; cut < len - 1; cut += 7)
    {
      g_autoptr(GError) error = NULL;
      VlBenchReport *back = vl_bench_report_load_from_data (json,
                                                            (gssize) cut,
                                                            &error);

      g_assert_null (back);
      g_assert_error (error, VL_ENGINE_ERROR,
                      VL_ENGINE_ERROR_REPORT_TRUNCATED);
    }
}

static void
test_save_and_load_file (void)
{
  g_autoptr(VlBenchReport) report = make_report ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("vl-report-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "r.json", NULL);
  g_autofree char *missing = g_build_filename (dir, "no", "such", "r.json",
                                               NULL);
  g_autofree char *truncated = g_build_filename (dir, "cut.json", NULL);
  g_autofree char *json = vl_bench_report_to_json (report);
  g_autoptr(VlBenchReport) back = NULL;

  g_assert_no_error (error);
  g_assert_true (vl_bench_report_save (report, path, &error));
  g_assert_no_error (error);
  back = vl_bench_report_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (back)), ==, 2);

  g_assert_false (vl_bench_report_save (report, missing, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_clear_error (&error);

  /* A load error names the file. */
  g_assert_true (g_file_set_contents (truncated, json,
                                      (gssize) strlen (json) / 2, NULL));
  g_assert_null (vl_bench_report_load (truncated, &error));
  g_assert_error (error, VL_ENGINE_ERROR, VL_ENGINE_ERROR_REPORT_TRUNCATED);
  g_assert_nonnull (strstr (error->message, "cut.json"));

  g_unlink (truncated);
  g_unlink (path);
  g_rmdir (dir);
}

/* Google Benchmark rows without our members still read: a peer that only
 * writes its layout can be compared. */
static void
test_reads_minimal_rows (void)
{
  const char *text =
    "{\"schema_version\": 1, \"context\": {\"library\": \"faiss\"},"
    " \"benchmarks\": [{\"name\": \"knn/n:10/d:2/nq:1/k:1/metric:ip\","
    " \"run_type\": \"aggregate\", \"real_time\": 2.5,"
    " \"items_per_second\": 400, \"time_unit\": \"ms\"}]}";
  g_autoptr(GError) error = NULL;
  g_autoptr(VlBenchReport) report = vl_bench_report_load_from_data (text, -1,
                                                                    &error);
  g_autoptr(VlBenchResult) r = NULL;

  g_assert_no_error (error);
  r = g_list_model_get_item (G_LIST_MODEL (report), 0);
  g_assert_cmpfloat (vl_bench_result_get_real_time (r), ==, 2.5);
  g_assert_cmpfloat_with_epsilon (vl_bench_result_get_items (r), 1.0, 1e-9);
  g_assert_true (isnan (vl_bench_result_get_quality (r)->recall));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/vectorlab/engine/report/round-trip", test_round_trip);
  g_test_add_func ("/vectorlab/engine/report/non-finite",
                   test_non_finite_is_null);
  g_test_add_func ("/vectorlab/engine/report/refuses", test_refuses);
  g_test_add_func ("/vectorlab/engine/report/truncations",
                   test_every_truncation_refused);
  g_test_add_func ("/vectorlab/engine/report/file", test_save_and_load_file);
  g_test_add_func ("/vectorlab/engine/report/minimal-rows",
                   test_reads_minimal_rows);
  return g_test_run ();
}
