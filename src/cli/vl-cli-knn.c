/* vl-cli-knn.c: `vectorlab-bench knn`: exact k-NN of query vectors against
 * a database, both read from .npy or .fvecs files. */
#include "config.h"

#include <math.h>

#include <json-glib/json-glib.h>

#include "vectorlab-bench.h"
#include "vl-cli.h"

static char *opt_database;
static char *opt_queries;
static char *opt_metric;
static char *opt_device;
static char *opt_output;
static int opt_k = 10;

static const GOptionEntry entries[] = {
  { "database", 0, 0, G_OPTION_ARG_FILENAME, &opt_database,
    N_("Database vectors (.npy or .fvecs, float32)"), N_("FILE") },
  { "queries", 0, 0, G_OPTION_ARG_FILENAME, &opt_queries,
    N_("Query vectors (.npy or .fvecs, float32)"), N_("FILE") },
  { "k", 'k', 0, G_OPTION_ARG_INT, &opt_k,
    N_("Number of neighbours per query (default: 10)"), N_("K") },
  { "metric", 'm', 0, G_OPTION_ARG_STRING, &opt_metric,
    N_("l2 (squared), ip or cosine (default: l2)"), N_("METRIC") },
  { "device", 'd', 0, G_OPTION_ARG_STRING, &opt_device,
    N_("Device to search on (default: auto)"), N_("DEVICE") },
  { "output", 'o', 0, G_OPTION_ARG_FILENAME, &opt_output,
    N_("Write {\"ids\", \"distances\"} JSON to FILE ('-': stdout) instead "
       "of a table"), N_("FILE") },
  { NULL }
};

typedef struct
{
  gsize    nq;
  gsize    k;
  VlMetric metric;
  char     device[32];
  gint64  *ids;
  float   *scores;
  double   search_ms;
} KnnResult;

static void
add_score (JsonBuilder *builder, float score)
{
  /* JSON has no NaN or infinity; the report convention writes null. */
  if (isfinite (score))
    json_builder_add_double_value (builder, score);
  else
    json_builder_add_null_value (builder);
}

static char *
result_to_json (const KnnResult *r)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "metric");
  json_builder_add_string_value (builder, vl_metric_to_string (r->metric));
  json_builder_set_member_name (builder, "k");
  json_builder_add_int_value (builder, (gint64) r->k);
  json_builder_set_member_name (builder, "device");
  json_builder_add_string_value (builder, r->device);
  json_builder_set_member_name (builder, "ids");
  json_builder_begin_array (builder);
  for (gsize q = 0; q < r->nq; q++)
    {
      json_builder_begin_array (builder);
      for (gsize i = 0; i < r->k; i++)
        json_builder_add_int_value (builder, r->ids[q * r->k + i]);
      json_builder_end_array (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "distances");
  json_builder_begin_array (builder);
  for (gsize q = 0; q < r->nq; q++)
    {
      json_builder_begin_array (builder);
      for (gsize i = 0; i < r->k; i++)
        add_score (builder, r->scores[q * r->k + i]);
      json_builder_end_array (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

static void
print_table (const KnnResult *r, gsize n, gsize d)
{
  g_print ("%-8s %-6s %-12s %s\n", _("QUERY"), _("RANK"), _("ID"),
           vl_metric_is_similarity (r->metric) ? _("SCORE")
                                               : _("DISTANCE"));
  for (gsize q = 0; q < r->nq; q++)
    for (gsize i = 0; i < r->k; i++)
      g_print ("%-8zu %-6zu %-12" G_GINT64_FORMAT " %.6g\n", q, i + 1,
               r->ids[q * r->k + i], (double) r->scores[q * r->k + i]);
  g_print (_("%zu queries x %zu vectors (d = %zu), k = %zu, %s on %s: "
             "%.3f ms\n"), r->nq, n, d, r->k, vl_metric_to_string (r->metric),
           r->device, r->search_ms);
}

static gboolean
write_output (const KnnResult *r, const char *path, GError **error)
{
  g_autofree char *json = result_to_json (r);

  if (g_strcmp0 (path, "-") == 0)
    {
      g_print ("%s\n", json);
      return TRUE;
    }
  /* g_file_set_contents writes a temporary file and renames it, so a
   * reader never sees half a result. */
  return g_file_set_contents (path, json, -1, error);
}

static gboolean
search (VlTensor *database, VlTensor *queries, KnnResult *r,
        const char *device_id, GError **error)
{
  g_autoptr(VlContext) ctx = NULL;
  g_autoptr(VlIndex) index = NULL;
  VlMatrix db = vl_tensor_get_matrix (database);
  VlMatrix q = vl_tensor_get_matrix (queries);
  VlError *vl_error = NULL;
  gint64 start;

  if ((ctx = vl_bench_context_new (device_id, error)) == NULL)
    return FALSE;
  g_strlcpy (r->device, vl_context_get_device (ctx)->id, sizeof r->device);

  if ((index = vl_index_new (ctx, r->metric, &db, &vl_error)) == NULL)
    return vl_bench_propagate_vl_error (error, vl_error, opt_database);
  r->ids = g_new (gint64, r->nq * r->k);
  r->scores = g_new (float, r->nq * r->k);
  start = g_get_monotonic_time ();
  if (vl_index_search (index, &q, r->k, (int64_t *) r->ids, r->scores,
                       &vl_error) != VL_STATUS_OK)
    return vl_bench_propagate_vl_error (error, vl_error, opt_queries);
  r->search_ms = (double) (g_get_monotonic_time () - start) / 1000.0;
  return TRUE;
}

static int
usage_error (const char *message)
{
  vl_cli_fail (VL_CLI_EXIT_USAGE, "knn: %s", message);
  g_printerr (_("Try '%s knn --help'.\n"), VL_CLI_NAME);
  return VL_CLI_EXIT_USAGE;
}

int
vl_cli_knn (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VlTensor) database = NULL;
  g_autoptr(VlTensor) queries = NULL;
  KnnResult r = { 0 };
  gboolean ok;

  if (!vl_cli_parse_options ("knn", _("Exact k-nearest-neighbour search: "
                                      "the k best database vectors of each "
                                      "query, best first."),
                             entries, &argc, &argv))
    return VL_CLI_EXIT_USAGE;
  if (opt_database == NULL || opt_queries == NULL)
    return usage_error (_("--database and --queries are required"));
  if (opt_k < 1)
    return usage_error (_("k must be at least 1"));
  r.metric = VL_METRIC_L2;
  if (opt_metric != NULL && !vl_metric_from_string (opt_metric, &r.metric))
    {
      g_autofree char *message =
        g_strdup_printf (_("unknown metric '%s' (expected l2, ip or cosine)"),
                         opt_metric);
      return usage_error (message);
    }

  if (opt_output != NULL && g_strcmp0 (opt_output, "-") != 0
      && !vl_cli_check_output_folder ("knn", opt_output))
    return VL_CLI_EXIT_USAGE;

  if ((database = vl_tensor_load (opt_database, &error)) == NULL
      || (queries = vl_tensor_load (opt_queries, &error)) == NULL)
    return vl_cli_fail_error (error);
  if (vl_tensor_get_cols (queries) != vl_tensor_get_cols (database))
    return vl_cli_fail (VL_CLI_EXIT_FAILURE,
                        _("%s has %zu dimensions but %s has %zu"),
                        opt_queries, vl_tensor_get_cols (queries),
                        opt_database, vl_tensor_get_cols (database));
  if ((gsize) opt_k > vl_tensor_get_rows (database))
    return vl_cli_fail (VL_CLI_EXIT_FAILURE,
                        _("k = %d is larger than the %zu vectors of %s"),
                        opt_k, vl_tensor_get_rows (database), opt_database);

  r.nq = vl_tensor_get_rows (queries);
  r.k = (gsize) opt_k;
  ok = search (database, queries, &r, opt_device != NULL ? opt_device : "auto",
               &error);
  if (ok && opt_output != NULL)
    ok = write_output (&r, opt_output, &error);
  else if (ok)
    print_table (&r, vl_tensor_get_rows (database),
                 vl_tensor_get_cols (database));
  g_free (r.ids);
  g_free (r.scores);
  return ok ? VL_CLI_EXIT_OK : vl_cli_fail_error (error);
}
