/* vl-bench-case.c: one concrete benchmark case. */
#include "vl-bench-case.h"

VlBenchCase *
vl_bench_case_new (const VlBenchWorkload *workload, const char *const *values,
                   guint repetitions, guint warmups, gboolean with_p99)
{
  VlBenchCase *self = g_new0 (VlBenchCase, 1);
  GString *name = g_string_new (workload->name);

  self->workload = workload;
  self->keys = g_strdupv ((GStrv) workload->keys);
  self->values = g_strdupv ((GStrv) values);
  g_assert (g_strv_length (self->keys) == g_strv_length (self->values));
  for (guint i = 0; self->keys[i] != NULL; i++)
    g_string_append_printf (name, "/%s:%s", self->keys[i], self->values[i]);
  self->name = g_string_free (name, FALSE);
  self->repetitions = repetitions;
  self->warmups = warmups;
  self->with_p99 = with_p99;
  return self;
}

void
vl_bench_case_free (VlBenchCase *self)
{
  if (self == NULL)
    return;
  g_free (self->name);
  g_strfreev (self->keys);
  g_strfreev (self->values);
  g_free (self);
}

const char *
vl_bench_case_get (const VlBenchCase *self, const char *key)
{
  for (guint i = 0; self->keys[i] != NULL; i++)
    if (g_str_equal (self->keys[i], key))
      return self->values[i];
  g_return_val_if_reached (NULL);
}

gsize
vl_bench_case_get_size (const VlBenchCase *self, const char *key)
{
  return (gsize) g_ascii_strtoull (vl_bench_case_get (self, key), NULL, 10);
}

VlMetric
vl_bench_case_get_metric (const VlBenchCase *self)
{
  VlMetric metric = VL_METRIC_L2;

  vl_metric_from_string (vl_bench_case_get (self, "metric"), &metric);
  return metric;
}
