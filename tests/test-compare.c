/* test-compare.c: comparisons of two reports (ratio lines, regressions)
 * and the scaling tables. */
#include <math.h>
#include <string.h>

#include "vl-bench-engine.h"

static void
add (VlBenchReport *report, const char *name, double ms, const char *nq)
{
  g_autoptr(VlBenchResult) r = vl_bench_result_new (name);
  const double samples[] = { ms };

  vl_bench_result_set_samples (r, samples, 1, FALSE);
  if (nq != NULL)
    {
      const char *const keys[] = { "n", "nq", NULL };
      const char *const values[] = { "1000", nq, NULL };

      vl_bench_result_set_params (r, keys, values);
      vl_bench_result_set_count_key (r, "nq", "queries");
      vl_bench_result_set_work (r, g_ascii_strtod (nq, NULL), 1e6);
    }
  vl_bench_report_append (report, r);
}

static void
make_pair (VlBenchReport **old_report, VlBenchReport **new_report)
{
  *old_report = vl_bench_report_new ();
  *new_report = vl_bench_report_new ();
  add (*old_report, "a", 10.0, NULL);
  add (*old_report, "b", 10.0, NULL);
  add (*old_report, "c", 10.0, NULL);
  add (*old_report, "gone", 1.0, NULL);
  add (*new_report, "added", 1.0, NULL);
  add (*new_report, "c", 12.0, NULL);
  add (*new_report, "b", 10.4, NULL);
  add (*new_report, "a", 5.0, NULL);
}

static void
test_compare_ratios (void)
{
  g_autoptr(VlBenchReport) old_report = NULL;
  g_autoptr(VlBenchReport) new_report = NULL;
  g_autoptr(VlBenchComparison) cmp = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  const VlBenchComparisonRow *row;

  make_pair (&old_report, &new_report);
  cmp = vl_bench_comparison_new (old_report, new_report, 5.0);
  g_assert_cmpuint (vl_bench_comparison_get_n_rows (cmp), ==, 5);
  g_assert_cmpuint (vl_bench_comparison_get_n_matched (cmp), ==, 3);
  g_assert_true (vl_bench_comparison_has_regression (cmp));

  /* Old report's order, then rows only in the new report. */
  row = vl_bench_comparison_get_row (cmp, 0);
  g_assert_cmpstr (row->name, ==, "a");
  g_assert_cmpfloat (row->ratio, ==, 0.5);
  g_assert_false (row->regression);
  row = vl_bench_comparison_get_row (cmp, 1);
  g_assert_cmpfloat_with_epsilon (row->ratio, 1.04, 1e-12);
  g_assert_false (row->regression);  /* within the 5 % threshold */
  row = vl_bench_comparison_get_row (cmp, 2);
  g_assert_cmpfloat_with_epsilon (row->ratio, 1.2, 1e-12);
  g_assert_true (row->regression);
  row = vl_bench_comparison_get_row (cmp, 3);
  g_assert_cmpstr (row->name, ==, "gone");
  g_assert_true (isnan (row->ratio) && isnan (row->new_ms));
  row = vl_bench_comparison_get_row (cmp, 4);
  g_assert_cmpstr (row->name, ==, "added");
  g_assert_true (isnan (row->old_ms));

  text = vl_bench_comparison_format (cmp);
  lines = g_strsplit (text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 7);  /* header, 5, "" */
  g_assert_true (g_str_has_prefix (lines[0], "Benchmark"));
  g_assert_nonnull (strstr (lines[0], "Ratio"));
  g_assert_true (g_str_has_prefix (lines[1], "a "));
  g_assert_nonnull (strstr (lines[1], "10.000"));
  g_assert_nonnull (strstr (lines[1], "5.000"));
  g_assert_nonnull (strstr (lines[1], "0.500"));
  g_assert_nonnull (strstr (lines[1], "faster"));
  g_assert_nonnull (strstr (lines[2], "1.040"));
  g_assert_null (strstr (lines[2], "REGRESSION"));
  g_assert_nonnull (strstr (lines[3], "1.200  REGRESSION"));
  g_assert_nonnull (strstr (lines[4], "only in old"));
  g_assert_nonnull (strstr (lines[5], "only in new"));
}

static void
test_compare_threshold (void)
{
  g_autoptr(VlBenchReport) old_report = NULL;
  g_autoptr(VlBenchReport) new_report = NULL;
  g_autoptr(VlBenchComparison) loose = NULL;
  g_autoptr(VlBenchComparison) strict = NULL;

  make_pair (&old_report, &new_report);
  loose = vl_bench_comparison_new (old_report, new_report, 25.0);
  g_assert_false (vl_bench_comparison_has_regression (loose));
  strict = vl_bench_comparison_new (old_report, new_report, 0.0);
  g_assert_true (vl_bench_comparison_get_row (strict, 1)->regression);
}

static void
test_compare_with_itself (void)
{
  g_autoptr(VlBenchReport) old_report = NULL;
  g_autoptr(VlBenchReport) new_report = NULL;
  g_autoptr(VlBenchComparison) cmp = NULL;

  make_pair (&old_report, &new_report);
  cmp = vl_bench_comparison_new (new_report, new_report, 0.0);
  g_assert_false (vl_bench_comparison_has_regression (cmp));
  for (guint i = 0; i < vl_bench_comparison_get_n_rows (cmp); i++)
    g_assert_cmpfloat (vl_bench_comparison_get_row (cmp, i)->ratio, ==, 1.0);
}

/* Sets @report's context.tuning from family, words pairs; a NULL value
 * stands for a number, which is no tuning. */
static void
set_tuning (VlBenchReport *report, const char *const *pairs)
{
  JsonObject *tuning = json_object_new ();

  for (guint i = 0; pairs[i] != NULL; i += 2)
    if (pairs[i + 1] != NULL)
      json_object_set_string_member (tuning, pairs[i], pairs[i + 1]);
    else
      json_object_set_int_member (tuning, pairs[i], 3);
  json_object_set_object_member (vl_bench_report_get_context (report),
                                 "tuning", tuning);
}

/* Families whose tunables differ are listed, in the new report's order
 * and then the old one's; equal ones, and values that are not words on
 * either side, are not; nothing when a report names none. */
static void
test_compare_tuning (void)
{
  const char *const old_pairs[] = { "scan", "WG=64", "gemm", "GM=64",
                                    "gone", "WG=8", "odd", NULL, NULL };
  const char *const new_pairs[] = { "added", "WG=16", "gemm", "GM=64",
                                    "scan", "WG=128", "odd", NULL, NULL };
  g_autoptr(VlBenchReport) old_report = NULL;
  g_autoptr(VlBenchReport) new_report = NULL;
  g_autoptr(VlBenchComparison) cmp = NULL;
  g_autoptr(VlBenchComparison) untuned = NULL;
  const VlBenchTuningChange *change;

  make_pair (&old_report, &new_report);
  set_tuning (new_report, new_pairs);
  untuned = vl_bench_comparison_new (old_report, new_report, 5.0);
  g_assert_cmpuint (vl_bench_comparison_get_n_tuning_changes (untuned), ==, 0);
  set_tuning (old_report, old_pairs);
  cmp = vl_bench_comparison_new (old_report, new_report, 5.0);
  g_assert_cmpuint (vl_bench_comparison_get_n_tuning_changes (cmp), ==, 3);
  change = vl_bench_comparison_get_tuning_change (cmp, 0);
  g_assert_cmpstr (change->family, ==, "added");
  g_assert_null (change->old_tuning);
  g_assert_cmpstr (change->new_tuning, ==, "WG=16");
  change = vl_bench_comparison_get_tuning_change (cmp, 1);
  g_assert_cmpstr (change->family, ==, "scan");
  g_assert_cmpstr (change->old_tuning, ==, "WG=64");
  g_assert_cmpstr (change->new_tuning, ==, "WG=128");
  change = vl_bench_comparison_get_tuning_change (cmp, 2);
  g_assert_cmpstr (change->family, ==, "gone");
  g_assert_cmpstr (change->old_tuning, ==, "WG=8");
  g_assert_null (change->new_tuning);
}

static void
test_tables (void)
{
  g_autoptr(VlBenchReport) report = vl_bench_report_new ();
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  add (report, "knn/n:1000/nq:1", 2.0, "1");
  add (report, "knn/n:1000/nq:16", 4.0, "16");
  add (report, "knn/n:1000/nq:1024", 64.0, "1024");
  text = vl_bench_report_format_tables (report);
  lines = g_strsplit (text, "\n", -1);

  /* One group (the count is what varies): title, header, rule, 3 rows. */
  g_assert_cmpuint (g_strv_length (lines), ==, 7);
  g_assert_cmpstr (lines[0], ==, "knn n:1000");
  g_assert_nonnull (strstr (lines[1], "Count"));
  g_assert_nonnull (strstr (lines[1], "Time (ms)"));
  g_assert_nonnull (strstr (lines[1], "Throughput (queries/s)"));
  g_assert_nonnull (strstr (lines[1], "Per item (us)"));
  g_assert_nonnull (strstr (lines[3], "2.000"));
  g_assert_nonnull (strstr (lines[3], "500"));       /* queries/s */
  g_assert_nonnull (strstr (lines[3], "2000"));      /* us per query */
  g_assert_nonnull (strstr (lines[5], "1024"));
  g_assert_nonnull (strstr (lines[5], "16K"));       /* 1024 / 64 ms */
  g_assert_cmpstr (lines[6], ==, "");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/vectorlab/engine/compare/ratios", test_compare_ratios);
  g_test_add_func ("/vectorlab/engine/compare/threshold",
                   test_compare_threshold);
  g_test_add_func ("/vectorlab/engine/compare/itself",
                   test_compare_with_itself);
  g_test_add_func ("/vectorlab/engine/compare/tuning", test_compare_tuning);
  g_test_add_func ("/vectorlab/engine/tables", test_tables);
  return g_test_run ();
}
