/* vl-bench-report.c: the results of a run as a GListModel. */
#include "vl-bench-report.h"

struct _VlBenchReport
{
  GObject     parent_instance;
  GPtrArray  *results;
  JsonObject *context;
};

static void vl_bench_report_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (VlBenchReport, vl_bench_report,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (
                                 G_TYPE_LIST_MODEL,
                                 vl_bench_report_list_model_init))

static GType
vl_bench_report_get_item_type (GListModel *model)
{
  return VL_TYPE_BENCH_RESULT;
}

static guint
vl_bench_report_get_n_items (GListModel *model)
{
  return VL_BENCH_REPORT (model)->results->len;
}

static gpointer
vl_bench_report_get_item (GListModel *model, guint position)
{
  VlBenchReport *self = VL_BENCH_REPORT (model);

  if (position >= self->results->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->results, position));
}

static void
vl_bench_report_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = vl_bench_report_get_item_type;
  iface->get_n_items = vl_bench_report_get_n_items;
  iface->get_item = vl_bench_report_get_item;
}

static void
vl_bench_report_finalize (GObject *object)
{
  VlBenchReport *self = VL_BENCH_REPORT (object);

  g_ptr_array_unref (self->results);
  json_object_unref (self->context);
  G_OBJECT_CLASS (vl_bench_report_parent_class)->finalize (object);
}

static void
vl_bench_report_class_init (VlBenchReportClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = vl_bench_report_finalize;
}

static void
vl_bench_report_init (VlBenchReport *self)
{
  self->results = g_ptr_array_new_with_free_func (g_object_unref);
  self->context = json_object_new ();
}

VlBenchReport *
vl_bench_report_new (void)
{
  return g_object_new (VL_TYPE_BENCH_REPORT, NULL);
}

void
vl_bench_report_append (VlBenchReport *self, VlBenchResult *result)
{
  g_return_if_fail (VL_IS_BENCH_REPORT (self));
  g_return_if_fail (VL_IS_BENCH_RESULT (result));
  g_ptr_array_add (self->results, g_object_ref (result));
  g_list_model_items_changed (G_LIST_MODEL (self), self->results->len - 1, 0,
                              1);
}

VlBenchResult *
vl_bench_report_lookup (VlBenchReport *self, const char *name)
{
  g_return_val_if_fail (VL_IS_BENCH_REPORT (self), NULL);
  for (guint i = 0; i < self->results->len; i++)
    {
      VlBenchResult *result = g_ptr_array_index (self->results, i);

      if (g_str_equal (vl_bench_result_get_name (result), name))
        return result;
    }
  return NULL;
}

JsonObject *
vl_bench_report_get_context (VlBenchReport *self)
{
  g_return_val_if_fail (VL_IS_BENCH_REPORT (self), NULL);
  return self->context;
}

const char *
vl_bench_report_get_context_string (VlBenchReport *self, const char *member)
{
  JsonNode *node;

  g_return_val_if_fail (VL_IS_BENCH_REPORT (self), NULL);
  node = json_object_get_member (self->context, member);
  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}
