/* vl-bench-plan.c: what to run. */
#include "vl-bench-plan-private.h"
#include "vl-bench-engine-error.h"
#include "vl-bench-suite-private.h"

#include <glib/gi18n-lib.h>
#include <string.h>

struct _VlBenchPlan
{
  GObject       parent_instance;
  VlBenchSuite *suite;
  char         *device;
  guint         repetitions;
  int           warmups;
  GHashTable   *values;  /* parameter name -> GStrv */
  GPtrArray    *tunings; /* family, words, family, words, ..., NULL */
};

G_DEFINE_FINAL_TYPE (VlBenchPlan, vl_bench_plan, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_SUITE,
  PROP_DEVICE,
  PROP_REPETITIONS,
  PROP_WARMUPS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
vl_bench_plan_finalize (GObject *object)
{
  VlBenchPlan *self = VL_BENCH_PLAN (object);

  g_clear_object (&self->suite);
  g_free (self->device);
  g_hash_table_unref (self->values);
  g_ptr_array_unref (self->tunings);
  G_OBJECT_CLASS (vl_bench_plan_parent_class)->finalize (object);
}

static void
vl_bench_plan_get_property (GObject *object, guint prop_id, GValue *value,
                            GParamSpec *pspec)
{
  VlBenchPlan *self = VL_BENCH_PLAN (object);

  switch (prop_id)
    {
    case PROP_SUITE:
      g_value_set_object (value, self->suite);
      break;
    case PROP_DEVICE:
      g_value_set_string (value, self->device);
      break;
    case PROP_REPETITIONS:
      g_value_set_uint (value, self->repetitions);
      break;
    case PROP_WARMUPS:
      g_value_set_int (value, self->warmups);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vl_bench_plan_set_property (GObject *object, guint prop_id,
                            const GValue *value, GParamSpec *pspec)
{
  VlBenchPlan *self = VL_BENCH_PLAN (object);

  switch (prop_id)
    {
    case PROP_SUITE:
      self->suite = g_value_dup_object (value);
      break;
    case PROP_DEVICE:
      vl_bench_plan_set_device (self, g_value_get_string (value));
      break;
    case PROP_REPETITIONS:
      vl_bench_plan_set_repetitions (self, g_value_get_uint (value));
      break;
    case PROP_WARMUPS:
      vl_bench_plan_set_warmups (self, g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vl_bench_plan_constructed (GObject *object)
{
  VlBenchPlan *self = VL_BENCH_PLAN (object);
  guint n = 0;
  const VlBenchParamSpec *params;

  G_OBJECT_CLASS (vl_bench_plan_parent_class)->constructed (object);
  g_return_if_fail (self->suite != NULL);

  params = vl_bench_suite_get_params (self->suite, &n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      GStrv values = vl_bench_param_spec_parse (&params[i],
                                                params[i].default_value,
                                                &error);

      /* A default that does not parse is a bug in the suite's table. */
      g_assert_no_error (error);
      g_hash_table_insert (self->values, (gpointer) params[i].name, values);
    }
}

static void
vl_bench_plan_class_init (VlBenchPlanClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = vl_bench_plan_finalize;
  object_class->get_property = vl_bench_plan_get_property;
  object_class->set_property = vl_bench_plan_set_property;
  object_class->constructed = vl_bench_plan_constructed;

  properties[PROP_SUITE] =
    g_param_spec_object ("suite", NULL, NULL, VL_TYPE_BENCH_SUITE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY
                         | G_PARAM_STATIC_STRINGS);
  properties[PROP_DEVICE] =
    g_param_spec_string ("device", NULL, NULL, "auto",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY
                         | G_PARAM_STATIC_STRINGS);
  properties[PROP_REPETITIONS] =
    g_param_spec_uint ("repetitions", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY
                       | G_PARAM_STATIC_STRINGS);
  properties[PROP_WARMUPS] =
    g_param_spec_int ("warmups", NULL, NULL, -1, G_MAXINT, -1,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY
                      | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vl_bench_plan_init (VlBenchPlan *self)
{
  self->device = g_strdup ("auto");
  self->warmups = -1;
  self->values = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                        (GDestroyNotify) g_strfreev);
  self->tunings = g_ptr_array_new_null_terminated (4, g_free, TRUE);
}

VlBenchPlan *
vl_bench_plan_new (VlBenchSuite *suite)
{
  g_return_val_if_fail (VL_IS_BENCH_SUITE (suite), NULL);
  return g_object_new (VL_TYPE_BENCH_PLAN, "suite", suite, NULL);
}

VlBenchSuite *
vl_bench_plan_get_suite (VlBenchPlan *self)
{
  g_return_val_if_fail (VL_IS_BENCH_PLAN (self), NULL);
  return self->suite;
}

const char *
vl_bench_plan_get_device (VlBenchPlan *self)
{
  g_return_val_if_fail (VL_IS_BENCH_PLAN (self), NULL);
  return self->device;
}

void
vl_bench_plan_set_device (VlBenchPlan *self, const char *device)
{
  g_return_if_fail (VL_IS_BENCH_PLAN (self));
  if (device == NULL)
    device = "auto";
  if (g_strcmp0 (self->device, device) == 0)
    return;
  g_free (self->device);
  self->device = g_strdup (device);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEVICE]);
}

guint
vl_bench_plan_get_repetitions (VlBenchPlan *self)
{
  g_return_val_if_fail (VL_IS_BENCH_PLAN (self), 0);
  return self->repetitions;
}

void
vl_bench_plan_set_repetitions (VlBenchPlan *self, guint repetitions)
{
  g_return_if_fail (VL_IS_BENCH_PLAN (self));
  if (self->repetitions == repetitions)
    return;
  self->repetitions = repetitions;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REPETITIONS]);
}

int
vl_bench_plan_get_warmups (VlBenchPlan *self)
{
  g_return_val_if_fail (VL_IS_BENCH_PLAN (self), -1);
  return self->warmups;
}

void
vl_bench_plan_set_warmups (VlBenchPlan *self, int warmups)
{
  g_return_if_fail (VL_IS_BENCH_PLAN (self));
  if (self->warmups == warmups)
    return;
  self->warmups = warmups;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WARMUPS]);
}

gboolean
vl_bench_plan_set_param (VlBenchPlan *self, const char *key,
                         const char *text, GError **error)
{
  const VlBenchParamSpec *spec;
  GStrv values;

  g_return_val_if_fail (VL_IS_BENCH_PLAN (self), FALSE);

  spec = vl_bench_suite_find_param (self->suite, key);
  if (spec == NULL)
    {
      guint n = 0;
      const VlBenchParamSpec *params = vl_bench_suite_get_params (self->suite,
                                                                  &n);
      g_autoptr(GString) names = g_string_new (NULL);

      for (guint i = 0; i < n; i++)
        g_string_append_printf (names, "%s%s", i ? ", " : "",
                                params[i].name);
      if (n > 0)
        g_set_error (error, VL_ENGINE_ERROR, VL_ENGINE_ERROR_UNKNOWN_PARAMETER,
                     _("suite '%s' has no parameter '%s' (valid: %s)"),
                     vl_bench_suite_get_name (self->suite), key, names->str);
      else
        g_set_error (error, VL_ENGINE_ERROR, VL_ENGINE_ERROR_UNKNOWN_PARAMETER,
                     _("suite '%s' has no parameter '%s' (it takes none)"),
                     vl_bench_suite_get_name (self->suite), key);
      return FALSE;
    }
  values = vl_bench_param_spec_parse (spec, text, error);
  if (values == NULL)
    return FALSE;
  g_hash_table_insert (self->values, (gpointer) spec->name, values);
  return TRUE;
}

gboolean
vl_bench_plan_set_param_string (VlBenchPlan *self, const char *assignment,
                                GError **error)
{
  const char *eq = strchr (assignment, '=');
  g_autofree char *key = NULL;

  if (eq == NULL || eq == assignment)
    {
      g_set_error (error, VL_ENGINE_ERROR, VL_ENGINE_ERROR_INVALID_VALUE,
                   _("'%s' is not KEY=VALUE"), assignment);
      return FALSE;
    }
  key = g_strndup (assignment, (gsize) (eq - assignment));
  return vl_bench_plan_set_param (self, key, eq + 1, error);
}

const char *const *
vl_bench_plan_get_values (VlBenchPlan *self, const char *key)
{
  g_return_val_if_fail (VL_IS_BENCH_PLAN (self), NULL);
  return g_hash_table_lookup (self->values, key);
}

GPtrArray *
vl_bench_plan_expand (VlBenchPlan *self)
{
  guint repetitions = self->repetitions
                        ? self->repetitions
                        : vl_bench_suite_get_default_repetitions (self->suite);
  guint warmups = self->warmups >= 0
                    ? (guint) self->warmups
                    : vl_bench_suite_get_default_warmups (self->suite);

  return vl_bench_suite_expand (self->suite, self->values, repetitions,
                                warmups);
}

guint
vl_bench_plan_count_cases (VlBenchPlan *self)
{
  g_autoptr(GPtrArray) cases = vl_bench_plan_expand (self);

  return cases->len;
}

gboolean
vl_bench_plan_set_tuning_string (VlBenchPlan *self, const char *assignment,
                                 GError **error)
{
  const char *eq;
  g_autofree char *family = NULL;
  g_autofree char *words = NULL;

  g_return_val_if_fail (VL_IS_BENCH_PLAN (self), FALSE);
  g_return_val_if_fail (assignment != NULL, FALSE);

  eq = strchr (assignment, '=');
  if (eq != NULL)
    {
      family = g_strstrip (g_strndup (assignment, eq - assignment));
      words = g_strstrip (g_strdup (eq + 1));
    }
  /* Tunables are NAME=VALUE words: without an '=' there are none. */
  if (family == NULL || family[0] == '\0' || strchr (words, '=') == NULL)
    {
      g_set_error (error, VL_ENGINE_ERROR, VL_ENGINE_ERROR_INVALID_VALUE,
                   _("expected FAMILY=NAME=VALUE ... for tunables, as tune "
                     "prints them (e.g. knn_scan1=WG=128 TK=64), not '%s'"),
                   assignment);
      return FALSE;
    }
  g_ptr_array_add (self->tunings, g_steal_pointer (&family));
  g_ptr_array_add (self->tunings, g_steal_pointer (&words));
  return TRUE;
}

const char *const *
vl_bench_plan_get_tunings (VlBenchPlan *self)
{
  g_return_val_if_fail (VL_IS_BENCH_PLAN (self), NULL);
  return (const char *const *) self->tunings->pdata;
}
