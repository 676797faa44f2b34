/* vl-bench-suite.c: a named benchmark suite and its parameters. */
#include "vl-bench-suite-private.h"

#include <string.h>

struct _VlBenchSuite
{
  GObject                 parent_instance;
  const VlBenchSuiteInfo *info;
};

G_DEFINE_FINAL_TYPE (VlBenchSuite, vl_bench_suite, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_NAME,
  PROP_DESCRIPTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
vl_bench_suite_get_property (GObject *object, guint prop_id, GValue *value,
                             GParamSpec *pspec)
{
  VlBenchSuite *self = VL_BENCH_SUITE (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->info->name);
      break;
    case PROP_DESCRIPTION:
      g_value_set_string (value, self->info->description);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vl_bench_suite_class_init (VlBenchSuiteClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = vl_bench_suite_get_property;

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_DESCRIPTION] =
    g_param_spec_string ("description", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vl_bench_suite_init (VlBenchSuite *self)
{
}

VlBenchSuite *
vl_bench_suite_new (const VlBenchSuiteInfo *info)
{
  VlBenchSuite *self = g_object_new (VL_TYPE_BENCH_SUITE, NULL);

  self->info = info;
  return self;
}

const VlBenchSuiteInfo *
vl_bench_suite_get_info (VlBenchSuite *self)
{
  return self->info;
}

const char *
vl_bench_suite_get_name (VlBenchSuite *self)
{
  g_return_val_if_fail (VL_IS_BENCH_SUITE (self), NULL);
  return self->info->name;
}

const char *
vl_bench_suite_get_description (VlBenchSuite *self)
{
  g_return_val_if_fail (VL_IS_BENCH_SUITE (self), NULL);
  return self->info->description;
}

const VlBenchParamSpec *
vl_bench_suite_get_params (VlBenchSuite *self, guint *n_params)
{
  g_return_val_if_fail (VL_IS_BENCH_SUITE (self), NULL);
  if (n_params != NULL)
    *n_params = self->info->n_params;
  return self->info->params;
}

const VlBenchParamSpec *
vl_bench_suite_find_param (VlBenchSuite *self, const char *name)
{
  g_return_val_if_fail (VL_IS_BENCH_SUITE (self), NULL);
  for (guint i = 0; i < self->info->n_params; i++)
    if (g_str_equal (self->info->params[i].name, name))
      return &self->info->params[i];
  return NULL;
}

guint
vl_bench_suite_get_default_repetitions (VlBenchSuite *self)
{
  return self->info->repetitions;
}

guint
vl_bench_suite_get_default_warmups (VlBenchSuite *self)
{
  return self->info->warmups;
}

/* One case of the suite's workload: each key from the combination, else
 * from the suite's fixed "key=value" list. */
static void
expand_default (const VlBenchSuiteInfo *info, GHashTable *values,
                guint repetitions, guint warmups, GPtrArray *cases)
{
  const VlBenchWorkload *workload = info->workload;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) ordered = NULL;

  for (guint i = 0; workload->keys[i] != NULL; i++)
    {
      const char *value = g_hash_table_lookup (values, workload->keys[i]);
      gsize key_len = strlen (workload->keys[i]);

      for (guint j = 0; value == NULL && info->fixed && info->fixed[j]; j++)
        if (strncmp (info->fixed[j], workload->keys[i], key_len) == 0
            && info->fixed[j][key_len] == '=')
          value = info->fixed[j] + key_len + 1;
      g_assert (value != NULL);
      g_strv_builder_add (builder, value);
    }
  ordered = g_strv_builder_end (builder);
  g_ptr_array_add (cases, vl_bench_case_new (workload,
                                             (const char *const *) ordered,
                                             repetitions, warmups,
                                             info->with_p99));
}

GPtrArray *
vl_bench_suite_expand (VlBenchSuite *self, GHashTable *values,
                       guint repetitions, guint warmups)
{
  const VlBenchSuiteInfo *info = self->info;
  GPtrArray *cases = g_ptr_array_new_with_free_func (
    (GDestroyNotify) vl_bench_case_free);
  g_autofree guint *odometer = g_new0 (guint, info->n_params + 1);
  g_autofree GStrv *lists = g_new0 (GStrv, info->n_params + 1);

  for (guint i = 0; i < info->n_params; i++)
    {
      lists[i] = g_hash_table_lookup (values, info->params[i].name);
      g_assert (lists[i] != NULL && lists[i][0] != NULL);
    }

  for (;;)
    {
      g_autoptr(GHashTable) one = g_hash_table_new (g_str_hash, g_str_equal);
      gint i;

      for (guint p = 0; p < info->n_params; p++)
        g_hash_table_insert (one, (gpointer) info->params[p].name,
                             lists[p][odometer[p]]);
      (info->expand ? info->expand : expand_default) (info, one, repetitions,
                                                      warmups, cases);

      for (i = (gint) info->n_params - 1; i >= 0; i--)
        {
          if (lists[i][++odometer[i]] != NULL)
            break;
          odometer[i] = 0;
        }
      if (i < 0)
        break;
    }
  return cases;
}
