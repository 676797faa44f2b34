/* vl-bench-table.c: scaling tables. */
#include "vl-bench-table.h"

#include <math.h>
#include <string.h>

typedef struct
{
  char      *title;
  char      *items_label;
  GPtrArray *results;  /* VlBenchResult */
} Group;

static void
group_free (gpointer p)
{
  Group *group = p;

  g_free (group->title);
  g_free (group->items_label);
  g_ptr_array_unref (group->results);
  g_free (group);
}

/* "knn n:100000 d:768 k:10 metric:ip": the name without the count. */
static char *
group_title (VlBenchResult *result)
{
  const char *const *keys = vl_bench_result_get_param_keys (result);
  const char *const *values = vl_bench_result_get_param_values (result);
  const char *count_key = vl_bench_result_get_count_key (result);
  const char *name = vl_bench_result_get_name (result);
  GString *title = g_string_new_len (name, strcspn (name, "/"));

  for (guint i = 0; keys[i] != NULL; i++)
    if (g_strcmp0 (keys[i], count_key) != 0)
      g_string_append_printf (title, " %s:%s", keys[i], values[i]);
  return g_string_free (title, FALSE);
}

static char *
format_number (double value, const char *format)
{
  return isfinite (value) ? g_strdup_printf (format, value) : g_strdup ("-");
}

/* Microseconds with three significant digits, never in e-notation. */
static char *
format_per_item (double us)
{
  if (!isfinite (us))
    return g_strdup ("-");
  if (us >= 100.0)
    return g_strdup_printf ("%.0f", us);
  return g_strdup_printf (us >= 1.0 ? "%.3g" : "%.3f", us);
}

/* 1234567 -> "1.23M": throughputs span many orders of magnitude. */
static char *
format_rate (double value)
{
  static const char *const units[] = { "", "K", "M", "G", "T" };
  guint u = 0;

  if (!isfinite (value))
    return g_strdup ("-");
  while (value >= 1000.0 && u + 1 < G_N_ELEMENTS (units))
    value /= 1000.0, u++;
  return g_strdup_printf ("%.3g%s", value, units[u]);
}

static char *
format_quality (const VlBenchQuality *q)
{
  /* A rate-distortion row: what the codes cost and what they keep. */
  if (isfinite (q->compression_ratio))
    return g_strdup_printf ("ratio %.1fx, mse %.3g, recall %.3f (%s, %u "
                            "queries)", q->compression_ratio, q->mse,
                            q->recall, q->reference, q->sampled);
  if (isfinite (q->recall))
    return g_strdup_printf ("recall %.3f (%s, %u queries)", q->recall,
                            q->reference, q->sampled);
  if (isfinite (q->max_abs_err))
    return g_strdup_printf ("max err %.2g (%s)", q->max_abs_err,
                            q->reference);
  return g_strdup ("-");
}

static char *
format_memory (const VlBenchMemory *m)
{
  const double mib = 1024.0 * 1024.0;
  g_autofree char *device = format_number (m->device_bytes_peak / mib, "%.1f");
  g_autofree char *host = format_number (m->host_peak_rss_bytes / mib, "%.1f");

  return g_strdup_printf ("%s / %s", device, host);
}

/* g_strv_builder_take() is newer than GLib 2.74. */
static void
builder_take (GStrvBuilder *builder, char *value)
{
  g_strv_builder_add (builder, value);
  g_free (value);
}

static void
append_table (GString *out, Group *group)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (
    (GDestroyNotify) g_strfreev);
  gboolean with_p99 = FALSE;
  guint n_cols, *widths;

  for (guint i = 0; i < group->results->len; i++)
    with_p99 |= isfinite (vl_bench_result_get_stats (
      g_ptr_array_index (group->results, i))->p99);

  {
    GStrvBuilder *b = g_strv_builder_new ();

    g_strv_builder_add (b, "Count");
    g_strv_builder_add (b, "Time (ms)");
    g_strv_builder_add (b, "p95 (ms)");
    if (with_p99)
      g_strv_builder_add (b, "p99 (ms)");
    builder_take (b, g_strdup_printf ("Throughput (%s/s)",
                                             group->items_label
                                               ? group->items_label
                                               : "items"));
    g_strv_builder_add (b, "Per item (us)");
    g_strv_builder_add (b, "Quality");
    g_strv_builder_add (b, "Memory MiB (device peak / host RSS)");
    g_ptr_array_add (rows, g_strv_builder_end (b));
    g_strv_builder_unref (b);
  }

  for (guint i = 0; i < group->results->len; i++)
    {
      VlBenchResult *r = g_ptr_array_index (group->results, i);
      const VlBenchStats *s = vl_bench_result_get_stats (r);
      const char *count_key = vl_bench_result_get_count_key (r);
      const char *count = count_key ? vl_bench_result_get_param (r, count_key)
                                    : NULL;
      double items = vl_bench_result_get_items (r);
      GStrvBuilder *b = g_strv_builder_new ();

      g_strv_builder_add (b, count ? count : "-");
      builder_take (b, format_number (s->median, "%.3f"));
      builder_take (b, format_number (s->p95, "%.3f"));
      if (with_p99)
        builder_take (b, format_number (s->p99, "%.3f"));
      builder_take (b, format_rate (vl_bench_result_get_items_per_second (r)));
      builder_take (b, format_per_item (items > 0 ? s->median * 1e3 / items
                                                  : NAN));
      builder_take (b, format_quality (vl_bench_result_get_quality (r)));
      builder_take (b, format_memory (vl_bench_result_get_memory (r)));
      g_ptr_array_add (rows, g_strv_builder_end (b));
      g_strv_builder_unref (b);
    }

  n_cols = g_strv_length (g_ptr_array_index (rows, 0));
  widths = g_new0 (guint, n_cols);
  for (guint r = 0; r < rows->len; r++)
    {
      GStrv row = g_ptr_array_index (rows, r);

      for (guint c = 0; c < n_cols; c++)
        widths[c] = MAX (widths[c], (guint) g_utf8_strlen (row[c], -1));
    }

  g_string_append_printf (out, "%s\n", group->title);
  for (guint r = 0; r < rows->len; r++)
    {
      GStrv row = g_ptr_array_index (rows, r);

      for (guint c = 0; c < n_cols; c++)
        /* Numbers right-aligned, the text columns left-aligned, and no
         * padding after the last one. */
        if (c + 1 == n_cols)
          g_string_append_printf (out, " | %s", row[c]);
        else
          g_string_append_printf (out, c + 2 == n_cols ? "%s%-*s" : "%s%*s",
                                  c ? " | " : "  ", (int) widths[c], row[c]);
      g_string_append_c (out, '\n');
      if (r == 0)
        {
          for (guint c = 0; c < n_cols; c++)
            {
              g_string_append (out, c ? "-+-" : "  ");
              for (guint k = 0; k < widths[c]; k++)
                g_string_append_c (out, '-');
            }
          g_string_append_c (out, '\n');
        }
    }
  g_free (widths);
}

char *
vl_bench_report_format_tables (VlBenchReport *report)
{
  GListModel *model = G_LIST_MODEL (report);
  g_autoptr(GPtrArray) groups = g_ptr_array_new_with_free_func (group_free);
  g_autoptr(GHashTable) by_title = g_hash_table_new (g_str_hash, g_str_equal);
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(VlBenchResult) result = g_list_model_get_item (model, i);
      g_autofree char *title = group_title (result);
      Group *group = g_hash_table_lookup (by_title, title);

      if (group == NULL)
        {
          group = g_new0 (Group, 1);
          group->title = g_steal_pointer (&title);
          group->items_label =
            g_strdup (vl_bench_result_get_items_label (result));
          group->results = g_ptr_array_new_with_free_func (g_object_unref);
          g_ptr_array_add (groups, group);
          g_hash_table_insert (by_title, group->title, group);
        }
      g_ptr_array_add (group->results, g_object_ref (result));
    }

  for (guint i = 0; i < groups->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, '\n');
      append_table (out, g_ptr_array_index (groups, i));
    }
  return g_string_free (out, FALSE);
}
