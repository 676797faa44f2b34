/* vl-bench-param.c: parsing parameter values. */
#include "vl-bench-param.h"
#include "vl-bench-engine-error.h"

#include <glib/gi18n-lib.h>

char *
vl_bench_param_spec_describe_type (const VlBenchParamSpec *spec)
{
  g_autofree char *choices = NULL;

  if (spec->type == VL_BENCH_PARAM_UINT)
    {
      g_autofree char *min = g_strdup_printf ("%" G_GUINT64_FORMAT, spec->min);
      g_autofree char *max = g_strdup_printf ("%" G_GUINT64_FORMAT, spec->max);

      /* Translators: the type of a suite parameter, e.g.
       * "unsigned integer 1..65536". */
      return g_strdup_printf (_("unsigned integer %s..%s"), min, max);
    }
  choices = g_strjoinv (", ", (GStrv) spec->choices);
  /* Translators: the type of a suite parameter, e.g. "one of l2, ip". */
  return g_strdup_printf (_("one of %s"), choices);
}

static char *
parse_one (const VlBenchParamSpec *spec, const char *text, GError **error)
{
  g_autofree char *expected = vl_bench_param_spec_describe_type (spec);
  g_autoptr(GError) local = NULL;
  guint64 value;

  if (spec->type == VL_BENCH_PARAM_CHOICE)
    {
      if (g_strv_contains (spec->choices, text))
        return g_strdup (text);
      g_set_error (error, VL_ENGINE_ERROR, VL_ENGINE_ERROR_INVALID_VALUE,
                   _("invalid value '%s' for parameter '%s': expected %s"),
                   text, spec->name, expected);
      return NULL;
    }

  /* g_ascii_string_to_unsigned rejects signs, blanks and trailing text,
   * which strtoull would accept silently. */
  if (!g_ascii_string_to_unsigned (text, 10, spec->min, spec->max, &value,
                                   &local))
    {
      g_set_error (error, VL_ENGINE_ERROR, VL_ENGINE_ERROR_INVALID_VALUE,
                   _("invalid value '%s' for parameter '%s': expected %s"),
                   text, spec->name, expected);
      return NULL;
    }
  return g_strdup_printf ("%" G_GUINT64_FORMAT, value);
}

GStrv
vl_bench_param_spec_parse (const VlBenchParamSpec *spec, const char *text,
                           GError **error)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash,
                                                      g_str_equal, g_free,
                                                      NULL);

  if (parts[0] == NULL)
    {
      g_set_error (error, VL_ENGINE_ERROR, VL_ENGINE_ERROR_INVALID_VALUE,
                   _("parameter '%s' has no value"), spec->name);
      return NULL;
    }
  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *value = parse_one (spec, g_strstrip (parts[i]), error);

      if (value == NULL)
        return NULL;
      /* A repeated value would give two cases with the same name. */
      if (!g_hash_table_add (seen, value))
        continue;
      g_strv_builder_add (builder, value);
    }
  return g_strv_builder_end (builder);
}
