/* test-suite-registry.c: the suite registry, parameters, plans and sweeps,
 * and the statistics of timings. */
#include <math.h>
#include <string.h>

#include "vl-bench-engine.h"
#include "vl-bench-plan-private.h"
#include "vl-bench-suite-private.h"

static const char *const expected_suites[] = {
  "quick", "knn", "sq-knn", "distance", "similarity", "normalize", "pooling",
  "latency", "throughput", "memory", "neural-quant", "decode-breakdown",
  "compression", "attention", "learned-distance", NULL
};

static void
test_registry_lists_suites (void)
{
  GListModel *suites = vl_bench_registry_get_suites ();
  guint n = g_list_model_get_n_items (suites);

  g_assert_cmpuint (n, ==, g_strv_length ((GStrv) expected_suites));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(VlBenchSuite) suite = g_list_model_get_item (suites, i);
      guint n_params = 0;
      const VlBenchParamSpec *params = vl_bench_suite_get_params (suite,
                                                                  &n_params);

      g_assert_cmpstr (vl_bench_suite_get_name (suite), ==,
                       expected_suites[i]);
      g_assert_cmpuint (strlen (vl_bench_suite_get_description (suite)), >,
                        10);
      g_assert_cmpuint (vl_bench_suite_get_default_repetitions (suite), >=,
                        1);
      for (guint p = 0; p < n_params; p++)
        {
          g_autoptr(GError) error = NULL;
          g_auto(GStrv) values =
            vl_bench_param_spec_parse (&params[p], params[p].default_value,
                                       &error);

          g_assert_no_error (error);
          g_assert_nonnull (params[p].description);
          g_assert_cmpuint (g_strv_length (values), >=, 1);
        }
      /* Every suite expands its defaults into at least one case. */
      {
        g_autoptr(VlBenchPlan) plan = vl_bench_plan_new (suite);

        g_assert_cmpuint (vl_bench_plan_count_cases (plan), >=, 1);
      }
    }
}

static void
test_registry_knn_defaults (void)
{
  g_autoptr(VlBenchSuite) knn = vl_bench_registry_lookup ("knn", NULL);
  g_autoptr(VlBenchPlan) plan = vl_bench_plan_new (knn);
  const char *const nq[] = { "1", "16", "128", NULL };

  g_assert_nonnull (knn);
  g_assert_cmpstrv (vl_bench_plan_get_values (plan, "nq"), nq);
  g_assert_cmpstr (vl_bench_plan_get_values (plan, "n")[0], ==, "100000");
  g_assert_cmpstr (vl_bench_plan_get_values (plan, "d")[0], ==, "768");
  g_assert_cmpstr (vl_bench_plan_get_values (plan, "k")[0], ==, "10");
  g_assert_cmpstr (vl_bench_plan_get_values (plan, "metric")[0], ==, "ip");
  g_assert_cmpstr (vl_bench_plan_get_device (plan), ==, "auto");
}

static void
test_registry_unknown_suite (void)
{
  g_autoptr(GError) error = NULL;
  VlBenchSuite *suite = vl_bench_registry_lookup ("nope", &error);

  g_assert_null (suite);
  g_assert_error (error, VL_ENGINE_ERROR, VL_ENGINE_ERROR_UNKNOWN_SUITE);
  g_assert_nonnull (strstr (error->message, "nope"));
  for (guint i = 0; expected_suites[i] != NULL; i++)
    g_assert_nonnull (strstr (error->message, expected_suites[i]));
}

static void
test_plan_sweep_is_cartesian (void)
{
  g_autoptr(VlBenchSuite) knn = vl_bench_registry_lookup ("knn", NULL);
  g_autoptr(VlBenchPlan) plan = vl_bench_plan_new (knn);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) cases = NULL;
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  VlBenchCase *first, *last;

  g_assert_true (vl_bench_plan_set_param_string (plan, "n=1000,2000",
                                                 &error));
  g_assert_true (vl_bench_plan_set_param_string (plan, "nq=1,16,1024",
                                                 &error));
  g_assert_true (vl_bench_plan_set_param_string (plan, "metric=l2,ip",
                                                 &error));
  g_assert_no_error (error);
  vl_bench_plan_set_repetitions (plan, 3);
  vl_bench_plan_set_warmups (plan, 0);

  cases = vl_bench_plan_expand (plan);
  g_assert_cmpuint (cases->len, ==, 2 * 3 * 2);
  for (guint i = 0; i < cases->len; i++)
    {
      VlBenchCase *c = g_ptr_array_index (cases, i);

      g_assert_true (g_hash_table_add (names, c->name));
      g_assert_cmpuint (c->repetitions, ==, 3);
      g_assert_cmpuint (c->warmups, ==, 0);
    }
  first = g_ptr_array_index (cases, 0);
  last = g_ptr_array_index (cases, cases->len - 1);
  g_assert_cmpstr (first->name, ==, "knn/n:1000/d:768/nq:1/k:10/metric:l2");
  /* The last parameter varies fastest. */
  g_assert_cmpstr (((VlBenchCase *) g_ptr_array_index (cases, 1))->name, ==,
                   "knn/n:1000/d:768/nq:1/k:10/metric:ip");
  g_assert_cmpstr (last->name, ==, "knn/n:2000/d:768/nq:1024/k:10/metric:ip");
}

static void
test_plan_scenarios_fix_batch (void)
{
  static const struct { const char *suite, *nq; guint reps; } scenarios[] = {
    { "latency", "1", 200 }, { "throughput", "128", 10 },
    { "memory", "256", 5 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (scenarios); i++)
    {
      g_autoptr(VlBenchSuite) suite =
        vl_bench_registry_lookup (scenarios[i].suite, NULL);
      g_autoptr(VlBenchPlan) plan = vl_bench_plan_new (suite);
      g_autoptr(GPtrArray) cases = vl_bench_plan_expand (plan);
      g_autoptr(GError) error = NULL;
      VlBenchCase *c = g_ptr_array_index (cases, 0);

      g_assert_cmpuint (cases->len, ==, 1);
      g_assert_cmpstr (vl_bench_case_get (c, "nq"), ==, scenarios[i].nq);
      g_assert_cmpuint (c->repetitions, ==, scenarios[i].reps);
      g_assert_true (c->with_p99 == (i == 0));
      /* The batch is the scenario's, not a parameter. */
      g_assert_false (vl_bench_plan_set_param (plan, "nq", "4", &error));
      g_assert_error (error, VL_ENGINE_ERROR,
                      VL_ENGINE_ERROR_UNKNOWN_PARAMETER);
    }
}

static void
test_plan_bad_values (void)
{
  static const struct { const char *assignment; int code; const char *says; }
  cases[] = {
    { "n=abc", VL_ENGINE_ERROR_INVALID_VALUE, "'abc' for parameter 'n'" },
    { "n=0", VL_ENGINE_ERROR_INVALID_VALUE, "'0' for parameter 'n'" },
    { "n=-5", VL_ENGINE_ERROR_INVALID_VALUE, "'-5'" },
    { "n=1e5", VL_ENGINE_ERROR_INVALID_VALUE, "'1e5'" },
    { "n=10,,20", VL_ENGINE_ERROR_INVALID_VALUE, "parameter 'n'" },
    { "n=", VL_ENGINE_ERROR_INVALID_VALUE, "parameter 'n'" },
    { "k=99999", VL_ENGINE_ERROR_INVALID_VALUE, "1..4096" },
    { "metric=hamming", VL_ENGINE_ERROR_INVALID_VALUE, "l2, ip, cosine" },
    { "colour=blue", VL_ENGINE_ERROR_UNKNOWN_PARAMETER,
      "n, d, nq, k, metric" },
    { "n", VL_ENGINE_ERROR_INVALID_VALUE, "KEY=VALUE" },
    { "=5", VL_ENGINE_ERROR_INVALID_VALUE, "KEY=VALUE" },
  };
  g_autoptr(VlBenchSuite) knn = vl_bench_registry_lookup ("knn", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(VlBenchPlan) plan = vl_bench_plan_new (knn);
      g_autoptr(GError) error = NULL;

      g_test_message ("%s", cases[i].assignment);
      g_assert_false (vl_bench_plan_set_param_string (plan,
                                                      cases[i].assignment,
                                                      &error));
      g_assert_error (error, VL_ENGINE_ERROR, cases[i].code);
      g_assert_nonnull (strstr (error->message, cases[i].says));
      /* A refused value leaves the default in place. */
      g_assert_cmpstr (vl_bench_plan_get_values (plan, "n")[0], ==, "100000");
    }
}

static void
test_plan_values_normalised (void)
{
  g_autoptr(VlBenchSuite) knn = vl_bench_registry_lookup ("knn", NULL);
  g_autoptr(VlBenchPlan) plan = vl_bench_plan_new (knn);
  const char *const expected[] = { "16", "1", NULL };

  g_assert_true (vl_bench_plan_set_param (plan, "nq", " 016, 1,16", NULL));
  g_assert_cmpstrv (vl_bench_plan_get_values (plan, "nq"), expected);
}

static void
test_quick_takes_no_parameters (void)
{
  g_autoptr(VlBenchSuite) quick = vl_bench_registry_lookup ("quick", NULL);
  g_autoptr(VlBenchPlan) plan = vl_bench_plan_new (quick);
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (vl_bench_plan_count_cases (plan), >=, 5);
  g_assert_false (vl_bench_plan_set_param (plan, "n", "5", &error));
  g_assert_error (error, VL_ENGINE_ERROR, VL_ENGINE_ERROR_UNKNOWN_PARAMETER);
  g_assert_nonnull (strstr (error->message, "takes none"));
}

static void
test_stats (void)
{
  const double samples[] = { 5.0, 1.0, 4.0, 2.0, 3.0 };
  VlBenchStats stats;

  vl_bench_stats_compute (&stats, samples, G_N_ELEMENTS (samples), TRUE);
  g_assert_cmpfloat (stats.min, ==, 1.0);
  g_assert_cmpfloat (stats.max, ==, 5.0);
  g_assert_cmpfloat (stats.median, ==, 3.0);
  g_assert_cmpfloat (stats.mean, ==, 3.0);
  g_assert_cmpfloat_with_epsilon (stats.stddev, sqrt (2.5), 1e-12);
  g_assert_cmpfloat_with_epsilon (stats.p95, 4.8, 1e-12);
  g_assert_cmpfloat_with_epsilon (stats.p99, 4.96, 1e-12);
  /* the input is left unsorted */
  g_assert_cmpfloat (samples[0], ==, 5.0);

  vl_bench_stats_compute (&stats, samples, 1, FALSE);
  g_assert_cmpfloat (stats.stddev, ==, 0.0);
  g_assert_cmpfloat (stats.p95, ==, 5.0);
  g_assert_true (isnan (stats.p99));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/vectorlab/engine/registry/suites",
                   test_registry_lists_suites);
  g_test_add_func ("/vectorlab/engine/registry/knn-defaults",
                   test_registry_knn_defaults);
  g_test_add_func ("/vectorlab/engine/registry/unknown-suite",
                   test_registry_unknown_suite);
  g_test_add_func ("/vectorlab/engine/plan/sweep",
                   test_plan_sweep_is_cartesian);
  g_test_add_func ("/vectorlab/engine/plan/scenarios",
                   test_plan_scenarios_fix_batch);
  g_test_add_func ("/vectorlab/engine/plan/bad-values", test_plan_bad_values);
  g_test_add_func ("/vectorlab/engine/plan/normalised",
                   test_plan_values_normalised);
  g_test_add_func ("/vectorlab/engine/plan/quick",
                   test_quick_takes_no_parameters);
  g_test_add_func ("/vectorlab/engine/stats", test_stats);
  return g_test_run ();
}
