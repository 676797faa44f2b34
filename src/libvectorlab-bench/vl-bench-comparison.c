/* vl-bench-comparison.c: two reports side by side. */
#include "vl-bench-comparison.h"

#include <math.h>
#include <string.h>

struct _VlBenchComparison
{
  GObject     parent_instance;
  GArray     *rows;            /* VlBenchComparisonRow */
  GPtrArray  *tuning_changes;  /* VlBenchTuningChange */
  double      threshold_pct;
};

G_DEFINE_FINAL_TYPE (VlBenchComparison, vl_bench_comparison, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_THRESHOLD,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
row_clear (gpointer p)
{
  g_free (((VlBenchComparisonRow *) p)->name);
}

static void
tuning_change_free (gpointer p)
{
  VlBenchTuningChange *change = p;

  g_free (change->family);
  g_free (change->old_tuning);
  g_free (change->new_tuning);
  g_free (change);
}

static void
vl_bench_comparison_finalize (GObject *object)
{
  g_array_unref (VL_BENCH_COMPARISON (object)->rows);
  g_ptr_array_unref (VL_BENCH_COMPARISON (object)->tuning_changes);
  G_OBJECT_CLASS (vl_bench_comparison_parent_class)->finalize (object);
}

static void
vl_bench_comparison_get_property (GObject *object, guint prop_id,
                                  GValue *value, GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_THRESHOLD:
      g_value_set_double (value, VL_BENCH_COMPARISON (object)->threshold_pct);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vl_bench_comparison_class_init (VlBenchComparisonClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = vl_bench_comparison_finalize;
  object_class->get_property = vl_bench_comparison_get_property;

  properties[PROP_THRESHOLD] =
    g_param_spec_double ("threshold", NULL, NULL, 0.0, G_MAXDOUBLE, 0.0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vl_bench_comparison_init (VlBenchComparison *self)
{
  self->rows = g_array_new (FALSE, TRUE, sizeof (VlBenchComparisonRow));
  g_array_set_clear_func (self->rows, row_clear);
  self->tuning_changes = g_ptr_array_new_with_free_func (tuning_change_free);
}

static void
add_row (VlBenchComparison *self, const char *name, double old_ms,
         double new_ms)
{
  VlBenchComparisonRow row = { g_strdup (name), old_ms, new_ms, NAN, FALSE };

  if (isfinite (old_ms) && isfinite (new_ms) && old_ms > 0.0)
    {
      row.ratio = new_ms / old_ms;
      row.regression = row.ratio > 1.0 + self->threshold_pct / 100.0;
    }
  g_array_append_val (self->rows, row);
}

/* A report's context.tuning, or NULL where it has none (host devices,
 * peers, older reports) or something else stands there. */
static JsonObject *
report_tuning (VlBenchReport *report)
{
  JsonNode *node = json_object_get_member (vl_bench_report_get_context (report),
                                           "tuning");

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node)
         ? json_node_get_object (node) : NULL;
}

static const char *
tuning_words (JsonObject *tuning, const char *family)
{
  JsonNode *node = json_object_get_member (tuning, family);

  return node != NULL && json_node_get_value_type (node) == G_TYPE_STRING
         ? json_node_get_string (node) : NULL;
}

/* The families whose tunables differ, when both reports name theirs: the
 * new report's families, then those only the old one ran. */
static void
add_tuning_changes (VlBenchComparison *self, VlBenchReport *old_report,
                    VlBenchReport *new_report)
{
  JsonObject *old_tuning = report_tuning (old_report);
  JsonObject *new_tuning = report_tuning (new_report);
  g_autoptr(GList) families = NULL;

  if (old_tuning == NULL || new_tuning == NULL)
    return;
  families = json_object_get_members (new_tuning);
  for (GList *l = json_object_get_members (old_tuning); l != NULL;
       l = g_list_delete_link (l, l))
    if (!json_object_has_member (new_tuning, l->data))
      families = g_list_append (families, l->data);
  for (GList *l = families; l != NULL; l = l->next)
    {
      const char *old_words = tuning_words (old_tuning, l->data);
      const char *new_words = tuning_words (new_tuning, l->data);
      VlBenchTuningChange *change;

      if (g_strcmp0 (old_words, new_words) == 0)
        continue;
      change = g_new (VlBenchTuningChange, 1);
      change->family = g_strdup (l->data);
      change->old_tuning = g_strdup (old_words);
      change->new_tuning = g_strdup (new_words);
      g_ptr_array_add (self->tuning_changes, change);
    }
}

VlBenchComparison *
vl_bench_comparison_new (VlBenchReport *old_report, VlBenchReport *new_report,
                         double threshold_pct)
{
  VlBenchComparison *self = g_object_new (VL_TYPE_BENCH_COMPARISON, NULL);
  GListModel *old_model = G_LIST_MODEL (old_report);
  GListModel *new_model = G_LIST_MODEL (new_report);

  self->threshold_pct = threshold_pct;
  for (guint i = 0; i < g_list_model_get_n_items (old_model); i++)
    {
      g_autoptr(VlBenchResult) old_result = g_list_model_get_item (old_model,
                                                                   i);
      const char *name = vl_bench_result_get_name (old_result);
      VlBenchResult *new_result = vl_bench_report_lookup (new_report, name);

      add_row (self, name, vl_bench_result_get_real_time (old_result),
               new_result ? vl_bench_result_get_real_time (new_result) : NAN);
    }
  for (guint i = 0; i < g_list_model_get_n_items (new_model); i++)
    {
      g_autoptr(VlBenchResult) new_result = g_list_model_get_item (new_model,
                                                                   i);
      const char *name = vl_bench_result_get_name (new_result);

      if (vl_bench_report_lookup (old_report, name) == NULL)
        add_row (self, name, NAN, vl_bench_result_get_real_time (new_result));
    }
  add_tuning_changes (self, old_report, new_report);
  return self;
}

guint
vl_bench_comparison_get_n_tuning_changes (VlBenchComparison *self)
{
  g_return_val_if_fail (VL_IS_BENCH_COMPARISON (self), 0);
  return self->tuning_changes->len;
}

const VlBenchTuningChange *
vl_bench_comparison_get_tuning_change (VlBenchComparison *self, guint i)
{
  g_return_val_if_fail (VL_IS_BENCH_COMPARISON (self), NULL);
  g_return_val_if_fail (i < self->tuning_changes->len, NULL);
  return g_ptr_array_index (self->tuning_changes, i);
}

guint
vl_bench_comparison_get_n_rows (VlBenchComparison *self)
{
  return self->rows->len;
}

const VlBenchComparisonRow *
vl_bench_comparison_get_row (VlBenchComparison *self, guint i)
{
  g_return_val_if_fail (i < self->rows->len, NULL);
  return &g_array_index (self->rows, VlBenchComparisonRow, i);
}

guint
vl_bench_comparison_get_n_matched (VlBenchComparison *self)
{
  guint n = 0;

  for (guint i = 0; i < self->rows->len; i++)
    n += isfinite (g_array_index (self->rows, VlBenchComparisonRow, i).ratio);
  return n;
}

gboolean
vl_bench_comparison_has_regression (VlBenchComparison *self)
{
  for (guint i = 0; i < self->rows->len; i++)
    if (g_array_index (self->rows, VlBenchComparisonRow, i).regression)
      return TRUE;
  return FALSE;
}

static char *
format_ms (double ms)
{
  return isfinite (ms) ? g_strdup_printf ("%.3f", ms) : g_strdup ("-");
}

char *
vl_bench_comparison_format (VlBenchComparison *self)
{
  GString *out = g_string_new (NULL);
  int width = (int) strlen ("Benchmark");

  for (guint i = 0; i < self->rows->len; i++)
    width = MAX (width, (int) strlen (g_array_index (self->rows,
                                                     VlBenchComparisonRow,
                                                     i).name));

  g_string_append_printf (out, "%-*s  %12s  %12s  %8s\n", width, "Benchmark",
                          "Old (ms)", "New (ms)", "Ratio");
  for (guint i = 0; i < self->rows->len; i++)
    {
      const VlBenchComparisonRow *row = vl_bench_comparison_get_row (self, i);
      g_autofree char *old_ms = format_ms (row->old_ms);
      g_autofree char *new_ms = format_ms (row->new_ms);
      g_autofree char *ratio = isfinite (row->ratio)
                                 ? g_strdup_printf ("%.3f", row->ratio)
                                 : g_strdup ("-");
      const char *mark = "";

      if (row->regression)
        mark = "  REGRESSION";
      else if (!isfinite (row->old_ms))
        mark = "  only in new";
      else if (!isfinite (row->new_ms))
        mark = "  only in old";
      else if (row->ratio < 1.0 - self->threshold_pct / 100.0)
        mark = "  faster";
      g_string_append_printf (out, "%-*s  %12s  %12s  %8s%s\n", width,
                              row->name, old_ms, new_ms, ratio, mark);
    }
  return g_string_free (out, FALSE);
}
