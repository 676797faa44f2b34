/* vl-bench-report-json.c: reports to and from JSON.  Readers of these files
 * include Google Benchmark's compare tools, so its names are kept where they
 * exist; everything of ours is added beside them. */
#include "vl-bench-report.h"
#include "vl-bench-engine-error.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

/* ---- writing ---------------------------------------------------------- */

/* JSON has no NaN or infinity; null says "not measured" to every reader. */
static void
add_double (JsonBuilder *builder, const char *member, double value)
{
  json_builder_set_member_name (builder, member);
  if (isfinite (value))
    json_builder_add_double_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_string (JsonBuilder *builder, const char *member, const char *value)
{
  json_builder_set_member_name (builder, member);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_int (JsonBuilder *builder, const char *member, gint64 value)
{
  json_builder_set_member_name (builder, member);
  json_builder_add_int_value (builder, value);
}

/* Numeric parameters are written as numbers so tools can plot them. */
static void
add_params (JsonBuilder *builder, VlBenchResult *result)
{
  const char *const *keys = vl_bench_result_get_param_keys (result);
  const char *const *values = vl_bench_result_get_param_values (result);

  json_builder_set_member_name (builder, "params");
  json_builder_begin_object (builder);
  for (guint i = 0; keys[i] != NULL; i++)
    {
      guint64 number;

      json_builder_set_member_name (builder, keys[i]);
      if (g_ascii_string_to_unsigned (values[i], 10, 0, G_MAXINT64, &number,
                                      NULL))
        json_builder_add_int_value (builder, (gint64) number);
      else
        json_builder_add_string_value (builder, values[i]);
    }
  json_builder_end_object (builder);
}

static void
add_result (JsonBuilder *builder, VlBenchResult *result)
{
  const VlBenchStats *stats = vl_bench_result_get_stats (result);
  const VlBreakdown *b = vl_bench_result_get_breakdown (result);
  const VlBenchQuality *q = vl_bench_result_get_quality (result);
  const VlBenchMemory *m = vl_bench_result_get_memory (result);
  const double *samples;
  gsize n_samples;

  json_builder_begin_object (builder);
  add_string (builder, "name", vl_bench_result_get_name (result));
  add_string (builder, "run_type", "aggregate");
  add_string (builder, "aggregate_name", "median");
  add_int (builder, "repetitions", vl_bench_result_get_repetitions (result));
  add_int (builder, "iterations", 1);
  add_double (builder, "real_time", vl_bench_result_get_real_time (result));
  add_double (builder, "cpu_time", vl_bench_result_get_cpu_time (result));
  add_string (builder, "time_unit", "ms");
  add_double (builder, "items_per_second",
              vl_bench_result_get_items_per_second (result));
  add_double (builder, "bytes_per_second",
              vl_bench_result_get_bytes_per_second (result));

  add_params (builder, result);
  add_string (builder, "count_param", vl_bench_result_get_count_key (result));
  add_string (builder, "items_label",
              vl_bench_result_get_items_label (result));
  add_double (builder, "items", vl_bench_result_get_items (result));

  json_builder_set_member_name (builder, "stats");
  json_builder_begin_object (builder);
  add_double (builder, "min", stats->min);
  add_double (builder, "median", stats->median);
  add_double (builder, "mean", stats->mean);
  add_double (builder, "max", stats->max);
  add_double (builder, "stddev", stats->stddev);
  add_double (builder, "p95", stats->p95);
  add_double (builder, "p99", stats->p99);
  json_builder_end_object (builder);

  samples = vl_bench_result_get_samples (result, &n_samples);
  json_builder_set_member_name (builder, "samples");
  json_builder_begin_array (builder);
  for (gsize i = 0; i < n_samples; i++)
    if (isfinite (samples[i]))
      json_builder_add_double_value (builder, samples[i]);
    else
      json_builder_add_null_value (builder);
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "breakdown");
  json_builder_begin_object (builder);
  add_double (builder, "host_prep", b->host_prep_ms);
  add_double (builder, "upload", b->upload_ms);
  add_double (builder, "kernel", b->kernel_ms);
  add_double (builder, "download", b->download_ms);
  add_double (builder, "host_extract", b->host_extract_ms);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "quality");
  json_builder_begin_object (builder);
  add_double (builder, "recall", q->recall);
  add_double (builder, "max_abs_err", q->max_abs_err);
  add_double (builder, "mse", q->mse);
  add_double (builder, "compression_ratio", q->compression_ratio);
  add_string (builder, "reference", q->reference[0] ? q->reference : NULL);
  add_int (builder, "sampled", q->sampled);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "memory");
  json_builder_begin_object (builder);
  add_double (builder, "device_bytes_live", m->device_bytes_live);
  add_double (builder, "device_bytes_peak", m->device_bytes_peak);
  add_double (builder, "host_peak_rss_bytes", m->host_peak_rss_bytes);
  json_builder_end_object (builder);

  json_builder_end_object (builder);
}

char *
vl_bench_report_to_json (VlBenchReport *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  GListModel *model = G_LIST_MODEL (self);
  guint n = g_list_model_get_n_items (model);
  JsonObject *context = vl_bench_report_get_context (self);

  json_builder_begin_object (builder);
  add_int (builder, "schema_version", VL_BENCH_REPORT_SCHEMA_VERSION);
  json_builder_set_member_name (builder, "context");
  json_builder_add_value (builder,
                          json_node_init_object (json_node_alloc (), context));
  json_builder_set_member_name (builder, "benchmarks");
  json_builder_begin_array (builder);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(VlBenchResult) result = g_list_model_get_item (model, i);
      add_result (builder, result);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  return json_generator_to_data (generator, NULL);
}

gboolean
vl_bench_report_save (VlBenchReport *self, const char *path, GError **error)
{
  g_autofree char *json = vl_bench_report_to_json (self);

  return g_file_set_contents (path, json, -1, error);
}

/* ---- reading ---------------------------------------------------------- */

static double
get_double (JsonObject *object, const char *member)
{
  JsonNode *node = object ? json_object_get_member (object, member) : NULL;
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NAN;
  type = json_node_get_value_type (node);
  if (type != G_TYPE_DOUBLE && type != G_TYPE_INT64)
    return NAN;
  return json_node_get_double (node);
}

static const char *
get_string (JsonObject *object, const char *member)
{
  JsonNode *node = object ? json_object_get_member (object, member) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static JsonObject *
get_object (JsonObject *object, const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node)
           ? json_node_get_object (node) : NULL;
}

static void
read_params (VlBenchResult *result, JsonObject *params)
{
  g_autoptr(GStrvBuilder) keys = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) values = g_strv_builder_new ();
  g_autoptr(GList) members = params ? json_object_get_members (params) : NULL;
  g_auto(GStrv) k = NULL;
  g_auto(GStrv) v = NULL;

  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *node = json_object_get_member (params, l->data);
      g_autofree char *text = NULL;

      if (!JSON_NODE_HOLDS_VALUE (node))
        continue;
      if (json_node_get_value_type (node) == G_TYPE_STRING)
        text = g_strdup (json_node_get_string (node));
      else if (json_node_get_value_type (node) == G_TYPE_INT64)
        text = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
      else
        continue;
      g_strv_builder_add (keys, l->data);
      g_strv_builder_add (values, text);
    }
  k = g_strv_builder_end (keys);
  v = g_strv_builder_end (values);
  vl_bench_result_set_params (result, (const char *const *) k,
                              (const char *const *) v);
}

static VlBenchResult *
read_result (JsonObject *object)
{
  JsonObject *stats_object = get_object (object, "stats");
  JsonObject *b = get_object (object, "breakdown");
  JsonObject *q = get_object (object, "quality");
  JsonObject *m = get_object (object, "memory");
  JsonNode *samples_node = json_object_get_member (object, "samples");
  VlBenchResult *result = vl_bench_result_new (get_string (object, "name"));
  VlBenchStats stats;
  VlBreakdown breakdown;
  VlBenchQuality quality;
  VlBenchMemory memory;
  double repetitions = get_double (object, "repetitions");
  const char *reference;

  read_params (result, get_object (object, "params"));
  vl_bench_result_set_count_key (result, get_string (object, "count_param"),
                                 get_string (object, "items_label"));

  stats.min = get_double (stats_object, "min");
  /* A foreign Google Benchmark row has real_time but no stats. */
  stats.median = stats_object ? get_double (stats_object, "median")
                              : get_double (object, "real_time");
  stats.mean = get_double (stats_object, "mean");
  stats.max = get_double (stats_object, "max");
  stats.stddev = get_double (stats_object, "stddev");
  stats.p95 = get_double (stats_object, "p95");
  stats.p99 = get_double (stats_object, "p99");
  vl_bench_result_set_stats (result, &stats,
                             isfinite (repetitions) && repetitions > 0
                               ? (guint) repetitions : 0);
  if (samples_node != NULL && JSON_NODE_HOLDS_ARRAY (samples_node))
    {
      JsonArray *array = json_node_get_array (samples_node);
      guint n = json_array_get_length (array);
      g_autofree double *samples = g_new (double, MAX (n, 1));

      for (guint i = 0; i < n; i++)
        {
          JsonNode *node = json_array_get_element (array, i);

          samples[i] = JSON_NODE_HOLDS_VALUE (node)
                         ? json_node_get_double (node) : NAN;
        }
      /* Keep the stored stats: they were computed before any rounding. */
      if (n > 0)
        {
          vl_bench_result_set_samples (result, samples, n,
                                       isfinite (stats.p99));
          vl_bench_result_set_stats (result, &stats, n);
        }
    }
  vl_bench_result_set_cpu_time (result, get_double (object, "cpu_time"));

  /* items per repetition come back from the rate and the median. */
  {
    double items = get_double (object, "items");
    double ips = get_double (object, "items_per_second");
    double bps = get_double (object, "bytes_per_second");
    double seconds = stats.median * 1e-3;

    if (!isfinite (items))
      items = ips * seconds;
    vl_bench_result_set_work (result, items, bps * seconds);
  }

  breakdown.host_prep_ms = get_double (b, "host_prep");
  breakdown.upload_ms = get_double (b, "upload");
  breakdown.kernel_ms = get_double (b, "kernel");
  breakdown.download_ms = get_double (b, "download");
  breakdown.host_extract_ms = get_double (b, "host_extract");
  vl_bench_result_set_breakdown (result, &breakdown);

  vl_bench_quality_init (&quality);
  quality.recall = get_double (q, "recall");
  quality.max_abs_err = get_double (q, "max_abs_err");
  quality.mse = get_double (q, "mse");
  quality.compression_ratio = get_double (q, "compression_ratio");
  if ((reference = get_string (q, "reference")) != NULL)
    g_strlcpy (quality.reference, reference, sizeof quality.reference);
  if (isfinite (get_double (q, "sampled")))
    quality.sampled = (guint) get_double (q, "sampled");
  vl_bench_result_set_quality (result, &quality);

  memory.device_bytes_live = get_double (m, "device_bytes_live");
  memory.device_bytes_peak = get_double (m, "device_bytes_peak");
  memory.host_peak_rss_bytes = get_double (m, "host_peak_rss_bytes");
  vl_bench_result_set_memory (result, &memory);
  return result;
}

/* True when @data is the start of a JSON object or array that ends before
 * every bracket is closed: a report cut short by a full disk or a crash,
 * which deserves a better word than "not JSON". */
static gboolean
looks_truncated (const char *data, gsize length)
{
  int depth = 0;
  gboolean in_string = FALSE, escaped = FALSE, opened = FALSE;

  for (gsize i = 0; i < length; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (escaped)
            escaped = FALSE;
          else if (c == '\\')
            escaped = TRUE;
          else if (c == '"')
            in_string = FALSE;
          continue;
        }
      if (!opened && !g_ascii_isspace (c) && c != '{' && c != '[')
        return FALSE;
      if (c == '"')
        in_string = TRUE;
      else if (c == '{' || c == '[')
        depth++, opened = TRUE;
      else if (c == '}' || c == ']')
        depth--;
    }
  return opened && (depth > 0 || in_string);
}

static gboolean
check_benchmarks (JsonArray *benchmarks, GError **error)
{
  guint n = json_array_get_length (benchmarks);

  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (benchmarks, i);
      JsonObject *object;
      JsonNode *time;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        goto bad;
      object = json_node_get_object (node);
      time = json_object_get_member (object, "real_time");
      if (get_string (object, "name") == NULL || time == NULL)
        goto bad;
      if (!JSON_NODE_HOLDS_NULL (time)
          && !isfinite (get_double (object, "real_time")))
        goto bad;
      continue;
bad:
      g_set_error (error, VL_ENGINE_ERROR, VL_ENGINE_ERROR_REPORT_NOT_OURS,
                   _("benchmarks[%u] is not a benchmark (it needs a string "
                     "\"name\" and a numeric \"real_time\")"), i);
      return FALSE;
    }
  return TRUE;
}

static void
copy_members (JsonObject *to, JsonObject *from)
{
  g_autoptr(GList) members = json_object_get_members (from);

  for (GList *l = members; l != NULL; l = l->next)
    json_object_set_member (to, l->data,
                            json_node_copy (json_object_get_member (from,
                                                                    l->data)));
}

VlBenchReport *
vl_bench_report_load_from_data (const char *data, gssize length,
                                GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) parse_error = NULL;
  g_autoptr(VlBenchReport) report = NULL;
  JsonNode *root, *version_node, *benchmarks_node;
  JsonObject *object, *context;
  JsonArray *benchmarks;
  gint64 version;
  gsize len = length < 0 ? strlen (data) : (gsize) length;

  if (!json_parser_load_from_data (parser, data, (gssize) len, &parse_error))
    {
      if (looks_truncated (data, len))
        g_set_error (error, VL_ENGINE_ERROR, VL_ENGINE_ERROR_REPORT_TRUNCATED,
                     _("the report is truncated (it ends inside an open "
                       "object): %s"), parse_error->message);
      else
        g_set_error (error, VL_ENGINE_ERROR, VL_ENGINE_ERROR_REPORT_NOT_JSON,
                     _("not a JSON report: %s"), parse_error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL)
    {
      g_set_error (error, VL_ENGINE_ERROR, VL_ENGINE_ERROR_REPORT_NOT_JSON,
                   _("not a JSON report: the file is empty"));
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, VL_ENGINE_ERROR, VL_ENGINE_ERROR_REPORT_NOT_OURS,
                   _("not a vectorlab report: the top level is not an object"));
      return NULL;
    }
  object = json_node_get_object (root);
  version_node = json_object_get_member (object, "schema_version");
  if (version_node == NULL || !JSON_NODE_HOLDS_VALUE (version_node)
      || json_node_get_value_type (version_node) != G_TYPE_INT64)
    {
      g_set_error (error, VL_ENGINE_ERROR, VL_ENGINE_ERROR_REPORT_NOT_OURS,
                   _("not a vectorlab report: no integer \"schema_version\""));
      return NULL;
    }
  version = json_node_get_int (version_node);
  if (version > VL_BENCH_REPORT_SCHEMA_VERSION)
    {
      g_set_error (error, VL_ENGINE_ERROR, VL_ENGINE_ERROR_REPORT_NEWER,
                   "the report has schema_version %" G_GINT64_FORMAT ", newer "
                   "than this vectorlab reads (%d): upgrade vectorlab",
                   version, VL_BENCH_REPORT_SCHEMA_VERSION);
      return NULL;
    }
  if (version < 1)
    {
      g_set_error (error, VL_ENGINE_ERROR, VL_ENGINE_ERROR_REPORT_NOT_OURS,
                   "not a vectorlab report: schema_version %" G_GINT64_FORMAT,
                   version);
      return NULL;
    }
  context = get_object (object, "context");
  benchmarks_node = json_object_get_member (object, "benchmarks");
  if (context == NULL || benchmarks_node == NULL
      || !JSON_NODE_HOLDS_ARRAY (benchmarks_node))
    {
      g_set_error (error, VL_ENGINE_ERROR, VL_ENGINE_ERROR_REPORT_NOT_OURS,
                   _("not a vectorlab report: it needs a \"context\" object "
                     "and a \"benchmarks\" array"));
      return NULL;
    }
  benchmarks = json_node_get_array (benchmarks_node);
  if (!check_benchmarks (benchmarks, error))
    return NULL;

  report = vl_bench_report_new ();
  copy_members (vl_bench_report_get_context (report), context);
  for (guint i = 0; i < json_array_get_length (benchmarks); i++)
    {
      g_autoptr(VlBenchResult) result =
        read_result (json_array_get_object_element (benchmarks, i));

      vl_bench_report_append (report, result);
    }
  return g_steal_pointer (&report);
}

VlBenchReport *
vl_bench_report_load (const char *path, GError **error)
{
  g_autofree char *data = NULL;
  gsize length = 0;
  g_autoptr(GError) local = NULL;
  VlBenchReport *report;

  if (!g_file_get_contents (path, &data, &length, error))
    return NULL;
  report = vl_bench_report_load_from_data (data, (gssize) length, &local);
  if (report == NULL)
    g_set_error (error, local->domain, local->code, "%s: %s", path,
                 local->message);
  return report;
}
