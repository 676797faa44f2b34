/* vl-bench-result.c: the measurements of one benchmark case.  A result is
 * filled by the runner (or the report reader) before it is published in a
 * report, and is immutable from then on; hence no change notifications. */
#include "vl-bench-result.h"

#include <math.h>

struct _VlBenchResult
{
  GObject        parent_instance;
  char          *name;
  GStrv          keys;
  GStrv          values;
  char          *count_key;
  char          *items_label;
  GArray        *samples;  /* double, ms */
  guint          repetitions;
  VlBenchStats   stats;
  double         cpu_time;
  double         items;
  double         bytes;
  VlBreakdown    breakdown;
  VlBenchQuality quality;
  VlBenchMemory  memory;
};

G_DEFINE_FINAL_TYPE (VlBenchResult, vl_bench_result, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_NAME,
  PROP_REPETITIONS,
  PROP_REAL_TIME,
  PROP_CPU_TIME,
  PROP_ITEMS_PER_SECOND,
  PROP_BYTES_PER_SECOND,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
vl_bench_result_finalize (GObject *object)
{
  VlBenchResult *self = VL_BENCH_RESULT (object);

  g_free (self->name);
  g_strfreev (self->keys);
  g_strfreev (self->values);
  g_free (self->count_key);
  g_free (self->items_label);
  g_array_unref (self->samples);
  G_OBJECT_CLASS (vl_bench_result_parent_class)->finalize (object);
}

static void
vl_bench_result_get_property (GObject *object, guint prop_id, GValue *value,
                              GParamSpec *pspec)
{
  VlBenchResult *self = VL_BENCH_RESULT (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_REPETITIONS:
      g_value_set_uint (value, self->repetitions);
      break;
    case PROP_REAL_TIME:
      g_value_set_double (value, vl_bench_result_get_real_time (self));
      break;
    case PROP_CPU_TIME:
      g_value_set_double (value, self->cpu_time);
      break;
    case PROP_ITEMS_PER_SECOND:
      g_value_set_double (value, vl_bench_result_get_items_per_second (self));
      break;
    case PROP_BYTES_PER_SECOND:
      g_value_set_double (value, vl_bench_result_get_bytes_per_second (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vl_bench_result_set_property (GObject *object, guint prop_id,
                              const GValue *value, GParamSpec *pspec)
{
  VlBenchResult *self = VL_BENCH_RESULT (object);

  switch (prop_id)
    {
    case PROP_NAME:
      self->name = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static GParamSpec *
double_property (const char *name)
{
  return g_param_spec_double (name, NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE,
                              0.0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
}

static void
vl_bench_result_class_init (VlBenchResultClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = vl_bench_result_finalize;
  object_class->get_property = vl_bench_result_get_property;
  object_class->set_property = vl_bench_result_set_property;

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY
                         | G_PARAM_STATIC_STRINGS);
  properties[PROP_REPETITIONS] =
    g_param_spec_uint ("repetitions", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_REAL_TIME] = double_property ("real-time");
  properties[PROP_CPU_TIME] = double_property ("cpu-time");
  properties[PROP_ITEMS_PER_SECOND] = double_property ("items-per-second");
  properties[PROP_BYTES_PER_SECOND] = double_property ("bytes-per-second");
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vl_bench_result_init (VlBenchResult *self)
{
  self->keys = g_new0 (char *, 1);
  self->values = g_new0 (char *, 1);
  self->samples = g_array_new (FALSE, FALSE, sizeof (double));
  self->stats = (VlBenchStats) { NAN, NAN, NAN, NAN, NAN, NAN, NAN };
  self->cpu_time = NAN;
  self->items = NAN;
  self->bytes = NAN;
  self->breakdown = (VlBreakdown) { NAN, NAN, NAN, NAN, NAN };
  vl_bench_quality_init (&self->quality);
  vl_bench_memory_init (&self->memory);
}

VlBenchResult *
vl_bench_result_new (const char *name)
{
  return g_object_new (VL_TYPE_BENCH_RESULT, "name", name, NULL);
}

const char *
vl_bench_result_get_name (VlBenchResult *self)
{
  g_return_val_if_fail (VL_IS_BENCH_RESULT (self), NULL);
  return self->name;
}

const char *const *
vl_bench_result_get_param_keys (VlBenchResult *self)
{
  return (const char *const *) self->keys;
}

const char *const *
vl_bench_result_get_param_values (VlBenchResult *self)
{
  return (const char *const *) self->values;
}

void
vl_bench_result_set_params (VlBenchResult *self, const char *const *keys,
                            const char *const *values)
{
  g_return_if_fail (g_strv_length ((GStrv) keys)
                    == g_strv_length ((GStrv) values));
  g_strfreev (self->keys);
  g_strfreev (self->values);
  self->keys = g_strdupv ((GStrv) keys);
  self->values = g_strdupv ((GStrv) values);
}

const char *
vl_bench_result_get_param (VlBenchResult *self, const char *key)
{
  for (guint i = 0; self->keys[i] != NULL; i++)
    if (g_str_equal (self->keys[i], key))
      return self->values[i];
  return NULL;
}

const char *
vl_bench_result_get_count_key (VlBenchResult *self)
{
  return self->count_key;
}

const char *
vl_bench_result_get_items_label (VlBenchResult *self)
{
  return self->items_label;
}

void
vl_bench_result_set_count_key (VlBenchResult *self, const char *count_key,
                               const char *items_label)
{
  g_free (self->count_key);
  g_free (self->items_label);
  self->count_key = g_strdup (count_key);
  self->items_label = g_strdup (items_label);
}

guint
vl_bench_result_get_repetitions (VlBenchResult *self)
{
  return self->repetitions;
}

void
vl_bench_result_set_samples (VlBenchResult *self, const double *samples_ms,
                             gsize n, gboolean with_p99)
{
  g_return_if_fail (n > 0);
  g_array_set_size (self->samples, 0);
  g_array_append_vals (self->samples, samples_ms, (guint) n);
  self->repetitions = (guint) n;
  vl_bench_stats_compute (&self->stats, samples_ms, n, with_p99);
}

const double *
vl_bench_result_get_samples (VlBenchResult *self, gsize *n)
{
  *n = self->samples->len;
  return (const double *) (gpointer) self->samples->data;
}

void
vl_bench_result_set_stats (VlBenchResult *self, const VlBenchStats *stats,
                           guint repetitions)
{
  self->stats = *stats;
  self->repetitions = repetitions;
}

const VlBenchStats *
vl_bench_result_get_stats (VlBenchResult *self)
{
  return &self->stats;
}

double
vl_bench_result_get_real_time (VlBenchResult *self)
{
  return self->stats.median;
}

double
vl_bench_result_get_cpu_time (VlBenchResult *self)
{
  return self->cpu_time;
}

void
vl_bench_result_set_cpu_time (VlBenchResult *self, double cpu_time_ms)
{
  self->cpu_time = cpu_time_ms;
}

double
vl_bench_result_get_items (VlBenchResult *self)
{
  return self->items;
}

void
vl_bench_result_set_work (VlBenchResult *self, double items, double bytes)
{
  self->items = items;
  self->bytes = bytes;
}

/* NAN for a zero or unknown time, which JSON then writes as null. */
static double
per_second (double amount, double ms)
{
  return ms > 0.0 ? amount / (ms * 1e-3) : NAN;
}

double
vl_bench_result_get_items_per_second (VlBenchResult *self)
{
  return per_second (self->items, self->stats.median);
}

double
vl_bench_result_get_bytes_per_second (VlBenchResult *self)
{
  return per_second (self->bytes, self->stats.median);
}

const VlBreakdown *
vl_bench_result_get_breakdown (VlBenchResult *self)
{
  return &self->breakdown;
}

void
vl_bench_result_set_breakdown (VlBenchResult *self, const VlBreakdown *b)
{
  self->breakdown = *b;
}

const VlBenchQuality *
vl_bench_result_get_quality (VlBenchResult *self)
{
  return &self->quality;
}

void
vl_bench_result_set_quality (VlBenchResult *self, const VlBenchQuality *q)
{
  self->quality = *q;
}

const VlBenchMemory *
vl_bench_result_get_memory (VlBenchResult *self)
{
  return &self->memory;
}

void
vl_bench_result_set_memory (VlBenchResult *self, const VlBenchMemory *m)
{
  self->memory = *m;
}
