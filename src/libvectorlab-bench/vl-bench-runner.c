/* vl-bench-runner.c: runs a plan on a worker thread. */
#include "vl-bench-runner.h"
#include "vl-bench-error.h"
#include "vl-bench-context.h"
#include "vl-bench-runner-private.h"
#include "vl-bench-plan-private.h"
#include "vl-bench-suite-private.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

/* Progress is throttled so that a latency run of thousands of short
 * repetitions does not flood the main loop. */
#define PROGRESS_INTERVAL_US (50 * 1000)

struct _VlBenchRunner
{
  GObject     parent_instance;
  gboolean    running;
  /* As of the latest progress signal. */
  char        device_id[32];
  VlPoolStats pool;
};

G_DEFINE_FINAL_TYPE (VlBenchRunner, vl_bench_runner, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_RUNNING,
  N_PROPS
};

enum
{
  PROGRESS,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* What the worker owns; freed with the task. */
typedef struct
{
  VlBenchRunner *runner;
  GMainContext  *main_context;
  char          *device;
  char          *suite;
  GStrv          tunings;      /* family, words, ... (the plan's) */
  VlContext     *ctx;          /* the worker's, while it runs */
  GPtrArray     *cases;
  double         total_work;   /* sum of the cases' weights */
  double         done_work;
  double         unit_work;    /* the current case's weight per step */
  gint64         started_us;
  gint64         last_progress_us;
} RunData;

static void
run_data_free (RunData *data)
{
  g_object_unref (data->runner);
  g_main_context_unref (data->main_context);
  g_free (data->device);
  g_free (data->suite);
  g_strfreev (data->tunings);
  g_ptr_array_unref (data->cases);
  g_free (data);
}

typedef struct
{
  VlBenchRunner *runner;
  double         fraction;
  char          *case_name;
  double         eta_seconds;
  char           device_id[32];
  VlPoolStats    pool;
} Progress;

static void
progress_free (gpointer p)
{
  Progress *progress = p;

  g_object_unref (progress->runner);
  g_free (progress->case_name);
  g_free (progress);
}

static gboolean
progress_emit (gpointer p)
{
  Progress *progress = p;

  memcpy (progress->runner->device_id, progress->device_id,
          sizeof progress->device_id);
  progress->runner->pool = progress->pool;
  g_signal_emit (progress->runner, signals[PROGRESS], 0, progress->fraction,
                 progress->case_name, progress->eta_seconds);
  return G_SOURCE_REMOVE;
}

void
vl_bench_runner_post_progress (VlBenchRunner *self, GMainContext *main_context,
                               double fraction, const char *case_name,
                               double eta_seconds, VlContext *ctx)
{
  Progress *progress = g_new0 (Progress, 1);
  GSource *source;

  progress->runner = g_object_ref (self);
  progress->fraction = fraction;
  progress->case_name = g_strdup (case_name);
  progress->eta_seconds = eta_seconds;
  /* The pool is read here because a context belongs to one thread. */
  if (ctx != NULL)
    {
      g_strlcpy (progress->device_id, vl_context_get_device (ctx)->id,
                 sizeof progress->device_id);
      vl_context_get_pool_stats (ctx, &progress->pool);
    }
  /* An idle source rather than g_main_context_invoke(): invoke would run
   * the handler right here on the worker whenever the worker could acquire
   * the context, e.g. while the main thread is busy outside its loop. */
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, progress_emit, progress, progress_free);
  g_source_set_static_name (source, "[vectorlab] runner progress");
  g_source_attach (source, main_context);
  g_source_unref (source);
}

/* Called on the worker; hands a copy to the main context. */
static void
report_progress (RunData *data, const VlBenchCase *bench_case, gboolean force)
{
  gint64 now = g_get_monotonic_time ();
  /* Rounding must not leave a finished run at 99.99 %. */
  double fraction = data->done_work >= data->total_work * (1.0 - 1e-9)
                      ? 1.0 : data->done_work / data->total_work;
  double elapsed = (now - data->started_us) * 1e-6;

  if (!force && now - data->last_progress_us < PROGRESS_INTERVAL_US)
    return;
  data->last_progress_us = now;

  vl_bench_runner_post_progress (data->runner, data->main_context, fraction,
                                 bench_case->name,
                                 fraction > 0.0 ? elapsed * (1.0 - fraction)
                                                    / fraction
                                                : -1.0,
                                 data->ctx);
}

static double
process_cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double) ts.tv_sec * 1e3 + (double) ts.tv_nsec * 1e-6;
}

static double
host_peak_rss_bytes (void)
{
  struct rusage usage;

  if (getrusage (RUSAGE_SELF, &usage) != 0)
    return NAN;
  return (double) usage.ru_maxrss * 1024.0;  /* kilobytes on Linux */
}

static double
median_of (double *values, guint n)
{
  VlBenchStats stats;

  vl_bench_stats_compute (&stats, values, n, FALSE);
  return stats.median;
}

/* Warm-ups, when a case has any, go on until they have taken this long: a
 * GPU left idle for seconds may run a short op's first milliseconds at
 * low clocks.  After one warm-up, attention over 10K keys (0.2 ms), a
 * suite's first case on an H100, measured 0.377 ms; a run right after
 * measured 0.173. */
#define MIN_WARMUP_US (50 * 1000)

/* Runs after the timed ones whose medians make the case's breakdown where
 * timing the device phases costs: on OpenCL they come from profiling
 * events, about 10 us an op on NVIDIA's driver (tests/peers/
 * latency-probe.c: 45.6 against 35.6 us for an upload, three launches and
 * a read on an H100), so the timed runs go without them.  Elsewhere the
 * timed runs' own breakdowns serve. */
#define BREAKDOWN_RUNS 3

static gboolean
set_phase_timing (VlContext *ctx, gboolean on, GError **error)
{
  VlError *vl_error = NULL;

  if (vl_context_set_phase_timing (ctx, on, &vl_error) != VL_STATUS_OK)
    return vl_bench_propagate_vl_error (error, vl_error, NULL);
  return TRUE;
}

/* Phase p of the last op as run @i of @runs: phases[p * runs + i]. */
static void
record_phases (VlContext *ctx, double *phases, guint runs, guint i)
{
  VlBreakdown b;

  vl_context_get_breakdown (ctx, &b);
  phases[0 * runs + i] = b.host_prep_ms;
  phases[1 * runs + i] = b.upload_ms;
  phases[2 * runs + i] = b.kernel_ms;
  phases[3 * runs + i] = b.download_ms;
  phases[4 * runs + i] = b.host_extract_ms;
}

static void
median_phases (double *phases, guint runs, VlBreakdown *breakdown)
{
  breakdown->host_prep_ms = median_of (phases + 0 * runs, runs);
  breakdown->upload_ms = median_of (phases + 1 * runs, runs);
  breakdown->kernel_ms = median_of (phases + 2 * runs, runs);
  breakdown->download_ms = median_of (phases + 3 * runs, runs);
  breakdown->host_extract_ms = median_of (phases + 4 * runs, runs);
}

/* The warm-ups, then the timed repetitions of a case into @wall and @cpu
 * (milliseconds) and their breakdowns into @phases. */
static gboolean
time_runs (RunData *data, VlContext *ctx, const VlBenchCase *c,
           gpointer state, double *wall, double *cpu, double *phases,
           GCancellable *cancellable, GError **error)
{
  const VlBenchWorkload *w = c->workload;
  gint64 warm_until = g_get_monotonic_time () + MIN_WARMUP_US;

  for (guint i = 0;
       i < c->warmups
       || (c->warmups > 0 && g_get_monotonic_time () < warm_until);
       i++)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (w->prepare != NULL)
        w->prepare (state);
      if (!w->run (state, error))
        return FALSE;
      /* Progress counts the warm-ups asked for, not those of the minimum
       * time. */
      if (i < c->warmups)
        {
          data->done_work += data->unit_work;
          report_progress (data, c, FALSE);
        }
    }

  for (guint i = 0; i < c->repetitions; i++)
    {
      gint64 t0;
      double c0;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (w->prepare != NULL)
        w->prepare (state);
      c0 = process_cpu_ms ();
      t0 = g_get_monotonic_time ();
      if (!w->run (state, error))
        return FALSE;
      wall[i] = (g_get_monotonic_time () - t0) * 1e-3;
      cpu[i] = process_cpu_ms () - c0;
      record_phases (ctx, phases, c->repetitions, i);
      data->done_work += data->unit_work;
      report_progress (data, c, FALSE);
    }
  return TRUE;
}

/* The median of each phase over BREAKDOWN_RUNS runs into @breakdown. */
static gboolean
time_phases (VlContext *ctx, const VlBenchCase *c, gpointer state,
             VlBreakdown *breakdown, GError **error)
{
  const VlBenchWorkload *w = c->workload;
  double phases[5 * BREAKDOWN_RUNS];

  for (guint i = 0; i < BREAKDOWN_RUNS; i++)
    {
      if (w->prepare != NULL)
        w->prepare (state);
      if (!w->run (state, error))
        return FALSE;
      record_phases (ctx, phases, BREAKDOWN_RUNS, i);
    }
  median_phases (phases, BREAKDOWN_RUNS, breakdown);
  return TRUE;
}

/* Timed repetitions of a case whose setup is done, without timing device
 * phases where that costs; then its breakdown.  Fills @result. */
static gboolean
measure (RunData *data, VlContext *ctx, const VlBenchCase *c, gpointer state,
         VlBenchResult *result, GCancellable *cancellable, GError **error)
{
  guint n = c->repetitions;
  g_autofree double *wall = g_new (double, n);
  g_autofree double *cpu = g_new (double, n);
  g_autofree double *phases = g_new (double, 5 * n);
  VlBreakdown breakdown;
  VlPoolStats pool;
  VlBenchMemory memory;
  gboolean timed, phases_timed;

  if (!set_phase_timing (ctx, FALSE, error))
    return FALSE;
  phases_timed = vl_context_get_phase_timing (ctx);
  timed = time_runs (data, ctx, c, state, wall, cpu, phases, cancellable,
                     error);
  /* Back on whatever happened: the context is the caller's. */
  if (!timed)
    {
      vl_context_set_phase_timing (ctx, TRUE, NULL);
      return FALSE;
    }
  if (!set_phase_timing (ctx, TRUE, error))
    return FALSE;
  if (phases_timed)
    median_phases (phases, n, &breakdown);
  else if (!time_phases (ctx, c, state, &breakdown, error))
    return FALSE;

  vl_bench_result_set_samples (result, wall, n, c->with_p99);
  vl_bench_result_set_cpu_time (result, median_of (cpu, n));
  vl_bench_result_set_breakdown (result, &breakdown);

  vl_context_get_pool_stats (ctx, &pool);
  memory.device_bytes_live = (double) pool.bytes_live;
  memory.device_bytes_peak = (double) pool.bytes_peak;
  memory.host_peak_rss_bytes = host_peak_rss_bytes ();
  vl_bench_result_set_memory (result, &memory);
  return TRUE;
}

/* Steps of a case: setup, warm-ups, repetitions, quality. */
static guint
case_steps (const VlBenchCase *c)
{
  return c->warmups + c->repetitions + 2;
}

/* Progress and ETA weigh each case by the bytes it moves per step, so that
 * a sweep from nq = 1 to 1024 does not read as evenly spread. */
static double
case_weight (const VlBenchCase *c)
{
  return MAX (c->workload->bytes (c), 1.0) * case_steps (c);
}

static gboolean
run_case (RunData *data, VlContext *ctx, const VlBenchCase *c,
          VlBenchReport *report, GCancellable *cancellable, GError **error)
{
  const VlBenchWorkload *w = c->workload;
  g_autoptr(VlBenchResult) result = vl_bench_result_new (c->name);
  VlBenchQuality quality;
  gpointer state;
  gboolean ok;

  data->unit_work = case_weight (c) / case_steps (c);
  report_progress (data, c, TRUE);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  state = w->setup (ctx, c, cancellable, error);
  if (state == NULL)
    return FALSE;
  data->done_work += data->unit_work;

  vl_bench_result_set_params (result, (const char *const *) c->keys,
                              (const char *const *) c->values);
  vl_bench_result_set_count_key (result, w->count_key, w->items_label);
  vl_bench_result_set_work (result, w->items (c), w->bytes (c));

  vl_bench_quality_init (&quality);
  ok = measure (data, ctx, c, state, result, cancellable, error)
       && !g_cancellable_set_error_if_cancelled (cancellable, error)
       && w->quality (state, &quality, error);
  w->teardown (state);
  if (!ok)
    return FALSE;
  vl_bench_result_set_quality (result, &quality);
  data->done_work += data->unit_work;
  report_progress (data, c, TRUE);

  vl_bench_report_append (report, result);
  return TRUE;
}

/* The tunables each kernel family ran with (built-in, cached by tune or
 * set), so that two reports of one device can be told apart by them;
 * none on the host backends, which have no families. */
static void
add_tuning (JsonObject *context, VlContext *ctx)
{
  const char *const *families = vl_context_tuning_families (ctx);
  JsonObject *tuning;

  if (families[0] == NULL)
    return;
  tuning = json_object_new ();
  for (guint i = 0; families[i] != NULL; i++)
    json_object_set_string_member (tuning, families[i],
                                   vl_context_get_tuning (ctx, families[i]));
  json_object_set_object_member (context, "tuning", tuning);
}

static void
fill_context (JsonObject *context, RunData *data, VlContext *ctx)
{
  const VlDeviceInfo *info = vl_context_get_device (ctx);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *date = g_date_time_format_iso8601 (now);
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  JsonObject *device = json_object_new ();
  JsonArray *load = json_array_new ();
  double loadavg[3];
  const VlBenchCase *first = data->cases->len
                               ? g_ptr_array_index (data->cases, 0) : NULL;

  json_object_set_string_member (context, "date", date);
  json_object_set_string_member (context, "host_name", g_get_host_name ());
  json_object_set_string_member (context, "executable",
                                 exe ? exe : g_get_prgname ());
  json_object_set_int_member (context, "num_cpus", g_get_num_processors ());
  if (getloadavg (loadavg, 3) == 3)
    for (guint i = 0; i < 3; i++)
      json_array_add_double_element (load, loadavg[i]);
  json_object_set_array_member (context, "load_avg", load);
  json_object_set_string_member (context, "library", "vectorlab");
  json_object_set_string_member (context, "library_version", vl_version ());
#ifdef __OPTIMIZE__
  json_object_set_string_member (context, "library_build_type", "release");
  json_object_set_string_member (context, "build_type", "release");
#else
  json_object_set_string_member (context, "library_build_type", "debug");
  json_object_set_string_member (context, "build_type", "debug");
#endif
  json_object_set_string_member (context, "suite", data->suite);
  if (first != NULL)
    {
      json_object_set_int_member (context, "repetitions", first->repetitions);
      json_object_set_int_member (context, "warmups", first->warmups);
    }

  json_object_set_string_member (device, "id", info->id);
  json_object_set_string_member (device, "backend",
                                 vl_backend_kind_to_string (info->backend));
  json_object_set_string_member (device, "name", info->name);
  json_object_set_string_member (device, "vendor", info->vendor);
  json_object_set_string_member (device, "driver", info->driver);
  json_object_set_string_member (device, "platform", info->platform);
  json_object_set_boolean_member (device, "is_gpu", info->is_gpu);
  json_object_set_int_member (device, "compute_units", info->compute_units);
  json_object_set_int_member (device, "global_mem_bytes",
                              (gint64) info->global_mem_bytes);
  json_object_set_int_member (device, "local_mem_bytes",
                              (gint64) info->local_mem_bytes);
  json_object_set_int_member (device, "max_work_group_size",
                              (gint64) info->max_work_group_size);
  json_object_set_boolean_member (device, "fp64", info->fp64);
  json_object_set_boolean_member (device, "fp16", info->fp16);
  json_object_set_object_member (context, "device", device);
  add_tuning (context, ctx);
}

/* The plan's tunables, before the report names those the run used. */
static gboolean
set_tunings (VlContext *ctx, char **tunings, GError **error)
{
  for (guint i = 0; tunings[i] != NULL; i += 2)
    {
      VlError *vl_error = NULL;

      if (vl_context_set_tuning (ctx, tunings[i], tunings[i + 1], &vl_error)
          != VL_STATUS_OK)
        return vl_bench_propagate_vl_error (error, vl_error, NULL);
    }
  return TRUE;
}

static void
run_thread (GTask *task, gpointer source_object, gpointer task_data,
            GCancellable *cancellable)
{
  RunData *data = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(VlContext) ctx = NULL;
  g_autoptr(VlBenchReport) report = NULL;

  data->started_us = g_get_monotonic_time ();
  ctx = vl_bench_context_new (data->device, &error);
  if (ctx == NULL || !set_tunings (ctx, data->tunings, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  data->ctx = ctx;
  report = vl_bench_report_new ();
  fill_context (vl_bench_report_get_context (report), data, ctx);

  for (guint i = 0; i < data->cases->len; i++)
    if (!run_case (data, ctx, g_ptr_array_index (data->cases, i), report,
                   cancellable, &error))
      {
        data->ctx = NULL;
        g_task_return_error (task, g_steal_pointer (&error));
        return;
      }
  data->ctx = NULL;
  g_task_return_pointer (task, g_steal_pointer (&report), g_object_unref);
}

static void
vl_bench_runner_get_property (GObject *object, guint prop_id, GValue *value,
                              GParamSpec *pspec)
{
  VlBenchRunner *self = VL_BENCH_RUNNER (object);

  switch (prop_id)
    {
    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vl_bench_runner_class_init (VlBenchRunnerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = vl_bench_runner_get_property;

  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * VlBenchRunner::progress:
   * @fraction: work done, 0..1
   * @case_name: the benchmark name of the case being run
   * @eta_seconds: estimated seconds left, or -1 before any estimate
   *
   * vl_bench_runner_get_pool_stats() and vl_bench_runner_get_device_id()
   * give what the worker's context held when this progress was taken.
   */
  signals[PROGRESS] =
    g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_DOUBLE,
                  G_TYPE_STRING, G_TYPE_DOUBLE);
}

static void
vl_bench_runner_init (VlBenchRunner *self)
{
}

VlBenchRunner *
vl_bench_runner_new (void)
{
  return g_object_new (VL_TYPE_BENCH_RUNNER, NULL);
}

gboolean
vl_bench_runner_get_running (VlBenchRunner *self)
{
  g_return_val_if_fail (VL_IS_BENCH_RUNNER (self), FALSE);
  return self->running;
}

const char *
vl_bench_runner_get_device_id (VlBenchRunner *self)
{
  g_return_val_if_fail (VL_IS_BENCH_RUNNER (self), NULL);
  return self->device_id[0] != '\0' ? self->device_id : NULL;
}

void
vl_bench_runner_get_pool_stats (VlBenchRunner *self, VlPoolStats *stats)
{
  g_return_if_fail (VL_IS_BENCH_RUNNER (self));
  g_return_if_fail (stats != NULL);
  *stats = self->pool;
}

static void
set_running (VlBenchRunner *self, gboolean running)
{
  self->running = running;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

void
vl_bench_runner_run_async (VlBenchRunner *self, VlBenchPlan *plan,
                           GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = NULL;
  RunData *data;

  g_return_if_fail (VL_IS_BENCH_RUNNER (self));
  g_return_if_fail (VL_IS_BENCH_PLAN (plan));
  g_return_if_fail (!self->running);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vl_bench_runner_run_async);
  /* The callback must not run before the worker has let go of the data. */
  g_task_set_return_on_cancel (task, FALSE);

  data = g_new0 (RunData, 1);
  data->runner = g_object_ref (self);
  data->main_context = g_main_context_ref_thread_default ();
  data->device = g_strdup (vl_bench_plan_get_device (plan));
  data->suite = g_strdup (vl_bench_suite_get_name (
    vl_bench_plan_get_suite (plan)));
  data->tunings = g_strdupv ((char **) vl_bench_plan_get_tunings (plan));
  data->cases = vl_bench_plan_expand (plan);
  for (guint i = 0; i < data->cases->len; i++)
    {
      const VlBenchCase *c = g_ptr_array_index (data->cases, i);

      data->total_work += case_weight (c);
    }
  g_task_set_task_data (task, data, (GDestroyNotify) run_data_free);

  set_running (self, TRUE);
  g_task_run_in_thread (task, run_thread);
}

VlBenchReport *
vl_bench_runner_run_finish (VlBenchRunner *self, GAsyncResult *result,
                            GError **error)
{
  g_return_val_if_fail (VL_IS_BENCH_RUNNER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                        == vl_bench_runner_run_async, NULL);

  set_running (self, FALSE);
  return g_task_propagate_pointer (G_TASK (result), error);
}
