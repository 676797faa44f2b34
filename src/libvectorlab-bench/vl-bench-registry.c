/* vl-bench-registry.c: every suite the engine knows.  A new suite is one
 * file defining its VlBenchSuiteInfo plus one line in `infos` below. */
#include "vl-bench-registry.h"
#include "vl-bench-engine-error.h"
#include "vl-bench-suite-private.h"

#include <glib/gi18n-lib.h>

static const VlBenchSuiteInfo *const infos[] = {
  &vl_bench_suite_quick,
  &vl_bench_suite_knn,
  &vl_bench_suite_sq_knn,
  &vl_bench_suite_distance,
  &vl_bench_suite_similarity,
  &vl_bench_suite_normalize,
  &vl_bench_suite_pooling,
  &vl_bench_suite_latency,
  &vl_bench_suite_throughput,
  &vl_bench_suite_memory,
  &vl_bench_suite_neural_quant,
  &vl_bench_suite_decode_breakdown,
  &vl_bench_suite_compression,
  &vl_bench_suite_attention,
  &vl_bench_suite_learned_distance,
};

GListModel *
vl_bench_registry_get_suites (void)
{
  static GListStore *store;

  if (g_once_init_enter (&store))
    {
      GListStore *suites = g_list_store_new (VL_TYPE_BENCH_SUITE);

      for (guint i = 0; i < G_N_ELEMENTS (infos); i++)
        {
          g_autoptr(VlBenchSuite) suite = vl_bench_suite_new (infos[i]);
          g_list_store_append (suites, suite);
        }
      g_once_init_leave (&store, suites);
    }
  return G_LIST_MODEL (store);
}

VlBenchSuite *
vl_bench_registry_lookup (const char *name, GError **error)
{
  GListModel *suites = vl_bench_registry_get_suites ();
  guint n = g_list_model_get_n_items (suites);
  g_autoptr(GString) names = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(VlBenchSuite) suite = g_list_model_get_item (suites, i);

      if (name != NULL && g_str_equal (vl_bench_suite_get_name (suite), name))
        return g_steal_pointer (&suite);
      g_string_append_printf (names, "%s%s", i ? ", " : "",
                              vl_bench_suite_get_name (suite));
    }
  g_set_error (error, VL_ENGINE_ERROR, VL_ENGINE_ERROR_UNKNOWN_SUITE,
               _("unknown suite '%s' (available: %s)"), name ? name : "",
               names->str);
  return NULL;
}
