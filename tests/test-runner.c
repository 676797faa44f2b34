/* test-runner.c: the runner runs plans to the end on ref and cpu, reports
 * progress with the pool counters on the main context, stops promptly when
 * cancelled, and computes similarity matrices as a job of its own.  No
 * timing is asserted except the promptness of cancellation and the
 * warm-ups' minimum length. */
#include <math.h>
#include <string.h>

#include "vectorlab-bench.h"
#include "vl-bench-engine.h"

typedef struct
{
  GMainLoop     *loop;
  VlBenchReport *report;
  GError        *error;
  guint          n_progress;
  double         last_fraction;
  GThread       *main_thread;
  gint64         done_us;
  char           device_id[32];  /* as the latest progress gave it */
  VlPoolStats    pool;
} Run;

static void
on_progress (VlBenchRunner *runner, double fraction, const char *case_name,
             double eta, Run *run)
{
  /* Progress arrives on the caller's thread, in order, within 0..1. */
  g_assert_true (g_thread_self () == run->main_thread);
  g_assert_cmpfloat (fraction, >=, run->last_fraction);
  g_assert_cmpfloat (fraction, <=, 1.0);
  g_assert_nonnull (case_name);
  run->last_fraction = fraction;
  run->n_progress++;
  g_strlcpy (run->device_id, vl_bench_runner_get_device_id (runner),
             sizeof run->device_id);
  vl_bench_runner_get_pool_stats (runner, &run->pool);
}

static void
on_done (GObject *source, GAsyncResult *result, gpointer data)
{
  Run *run = data;

  run->done_us = g_get_monotonic_time ();
  run->report = vl_bench_runner_run_finish (VL_BENCH_RUNNER (source), result,
                                            &run->error);
  g_main_loop_quit (run->loop);
}

static VlBenchPlan *
make_plan (const char *suite_name, const char *device,
           const char *const *params, guint repetitions)
{
  g_autoptr(VlBenchSuite) suite = vl_bench_registry_lookup (suite_name, NULL);
  VlBenchPlan *plan = vl_bench_plan_new (suite);

  for (guint i = 0; params != NULL && params[i] != NULL; i++)
    g_assert_true (vl_bench_plan_set_param_string (plan, params[i], NULL));
  vl_bench_plan_set_device (plan, device);
  vl_bench_plan_set_repetitions (plan, repetitions);
  vl_bench_plan_set_warmups (plan, 1);
  return plan;
}

/* Runs @plan to the end, cancelling @cancellable after @cancel_after_ms
 * when that is not negative. */
static void
run_plan (Run *run, VlBenchPlan *plan, GCancellable *cancellable,
          int cancel_after_ms, gint64 *cancelled_us)
{
  g_autoptr(VlBenchRunner) runner = vl_bench_runner_new ();

  memset (run, 0, sizeof *run);
  run->loop = g_main_loop_new (NULL, FALSE);
  run->main_thread = g_thread_self ();
  g_signal_connect (runner, "progress", G_CALLBACK (on_progress), run);
  vl_bench_runner_run_async (runner, plan, cancellable, on_done, run);
  g_assert_true (vl_bench_runner_get_running (runner));

  if (cancel_after_ms >= 0)
    {
      g_usleep ((gulong) cancel_after_ms * 1000);
      *cancelled_us = g_get_monotonic_time ();
      g_cancellable_cancel (cancellable);
    }
  g_main_loop_run (run->loop);
  g_assert_false (vl_bench_runner_get_running (runner));
  g_main_loop_unref (run->loop);
  /* Progress still queued behind the callback is delivered, not lost. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
check_report (VlBenchReport *report, guint n_expected)
{
  GListModel *model = G_LIST_MODEL (report);

  g_assert_cmpuint (g_list_model_get_n_items (model), ==, n_expected);
  g_assert_true (g_list_model_get_item_type (model) == VL_TYPE_BENCH_RESULT);
  for (guint i = 0; i < n_expected; i++)
    {
      g_autoptr(VlBenchResult) r = g_list_model_get_item (model, i);
      const VlBenchStats *s = vl_bench_result_get_stats (r);
      const VlBenchQuality *q = vl_bench_result_get_quality (r);
      const VlBenchMemory *m = vl_bench_result_get_memory (r);

      g_assert_true (isfinite (s->median) && s->median >= 0.0);
      g_assert_cmpfloat (s->min, <=, s->median);
      g_assert_cmpfloat (s->median, <=, s->max);
      g_assert_cmpfloat (s->median, <=, s->p95);
      g_assert_true (isfinite (vl_bench_result_get_cpu_time (r)));
      g_assert_true (isfinite (vl_bench_result_get_items (r)));
      g_assert_true (isfinite (vl_bench_result_get_breakdown (r)->kernel_ms));
      g_assert_true (isfinite (m->host_peak_rss_bytes));
      g_assert_cmpfloat (m->host_peak_rss_bytes, >, 0.0);
      g_assert_true (isfinite (m->device_bytes_peak));
      /* Quality beside speed: recall for k-NN, an error bound otherwise. */
      if (g_str_has_prefix (vl_bench_result_get_name (r), "knn/"))
        g_assert_cmpfloat (q->recall, ==, 1.0);
      else
        g_assert_cmpfloat (q->max_abs_err, <, 1e-3);
      g_assert_cmpuint (q->sampled, >=, 1);
      g_assert_cmpuint (strlen (q->reference), >, 0);
    }
}

static void
test_runner_knn_ref (void)
{
  const char *const params[] = { "n=500", "d=8", "nq=1,4", "k=5", NULL };
  g_autoptr(VlBenchPlan) plan = make_plan ("knn", "ref", params, 3);
  g_autoptr(VlBenchResult) first = NULL;
  Run run;

  run_plan (&run, plan, NULL, -1, NULL);
  g_assert_no_error (run.error);
  check_report (run.report, 2);
  g_assert_cmpuint (run.n_progress, >=, 2);
  g_assert_cmpfloat (run.last_fraction, ==, 1.0);
  g_assert_cmpstr (run.device_id, ==, "ref");

  first = g_list_model_get_item (G_LIST_MODEL (run.report), 0);
  g_assert_cmpstr (vl_bench_result_get_name (first), ==,
                   "knn/n:500/d:8/nq:1/k:5/metric:ip");
  g_assert_cmpuint (vl_bench_result_get_repetitions (first), ==, 3);
  g_assert_cmpstr (vl_bench_report_get_context_string (run.report, "suite"),
                   ==, "knn");
  g_assert_cmpstr (vl_bench_report_get_context_string (run.report, "library"),
                   ==, "vectorlab");
  g_object_unref (run.report);
}

/* A case's warm-ups go on until they have taken 50 ms (a bound from
 * below: a slow machine only makes them longer; this op takes
 * microseconds, and the whole run of the three cases took 41 ms without
 * the minimum), and progress still ends at 1, the extra warm-ups not
 * counted. */
static void
test_runner_warmup_time (void)
{
  const char *const params[] = { "n=50", "d=4", "nq=1,2,3", "k=1", NULL };
  g_autoptr(VlBenchPlan) plan = make_plan ("knn", "ref", params, 1);
  gint64 started_us = g_get_monotonic_time ();
  Run run;

  run_plan (&run, plan, NULL, -1, NULL);
  g_assert_no_error (run.error);
  check_report (run.report, 3);
  g_assert_cmpint (run.done_us - started_us, >=, 3 * 50 * 1000);
  g_assert_cmpfloat (run.last_fraction, ==, 1.0);
  g_object_unref (run.report);
}

static void
test_runner_small_suites_cpu (void)
{
  static const struct { const char *suite; const char *params[4]; guint n; }
  runs[] = {
    { "distance", { "n=300", "d=16", "nq=2,5", NULL }, 2 },
    { "similarity", { "n=40,70", "d=16", NULL }, 2 },
    { "normalize", { "n=1000", "d=16", NULL }, 1 },
    { "pooling", { "batch=3", "seq=7", "d=16", NULL }, 2 },
    { "latency", { "n=300", "d=16", NULL }, 1 },
    { "throughput", { "n=300", "d=16", NULL }, 1 },
    { "memory", { "n=300", "d=16", NULL }, 1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (runs); i++)
    {
      g_autoptr(VlBenchPlan) plan = make_plan (runs[i].suite, "cpu",
                                               runs[i].params, 2);
      Run run;

      g_test_message ("suite %s", runs[i].suite);
      run_plan (&run, plan, NULL, -1, NULL);
      g_assert_no_error (run.error);
      check_report (run.report, runs[i].n);
      g_object_unref (run.report);
    }
}

/* The report's context names the tunables of each family a context of
 * @device runs, and has no "tuning" where it runs none. */
static void
check_tuning (VlBenchReport *report, const char *device)
{
  JsonObject *context = vl_bench_report_get_context (report);
  g_autoptr(VlContext) ctx = vl_context_new (device, NULL);
  const char *const *families = vl_context_tuning_families (ctx);
  JsonObject *tuning;

  if (families[0] == NULL)
    {
      g_assert_false (json_object_has_member (context, "tuning"));
      return;
    }
  tuning = json_object_get_object_member (context, "tuning");
  g_assert_nonnull (tuning);
  g_assert_cmpuint (json_object_get_size (tuning), ==,
                    g_strv_length ((char **) families));
  for (guint i = 0; families[i] != NULL; i++)
    g_assert_cmpstr (json_object_get_string_member (tuning, families[i]),
                     ==, vl_context_get_tuning (ctx, families[i]));
}

/* The pool counters of the worker's context come with each progress, on
 * every device: zero on the host backends, counting on a device with
 * memory of its own. */
static void
test_runner_counters (void)
{
  const char *const params[] = { "n=64", "d=16", NULL };
  VlDeviceInfo *devices = NULL;
  size_t n = 0;

  g_assert_cmpint (vl_devices_list (&devices, &n, NULL), ==, VL_STATUS_OK);
  for (size_t i = 0; i < n; i++)
    {
      g_autoptr(VlBenchPlan) plan = make_plan ("similarity", devices[i].id,
                                               params, 2);
      Run run;

      g_test_message ("device %s", devices[i].id);
      run_plan (&run, plan, NULL, -1, NULL);
      g_assert_no_error (run.error);
      g_assert_cmpstr (run.device_id, ==, devices[i].id);
      check_tuning (run.report, devices[i].id);
      if (devices[i].backend == VL_BACKEND_OPENCL)
        {
          g_assert_cmpuint (run.pool.kernels_run, >, 0);
          g_assert_cmpuint (run.pool.hits + run.pool.misses, >, 0);
          g_assert_cmpuint (run.pool.bytes_peak, >, 0);
        }
      else
        g_assert_cmpuint (run.pool.kernels_run, ==, 0);
      g_object_unref (run.report);
    }
  vl_devices_free (devices);
}

static void
test_runner_quick_cpu (void)
{
  g_autoptr(VlBenchPlan) plan = make_plan ("quick", "cpu", NULL, 1);
  Run run;

  run_plan (&run, plan, NULL, -1, NULL);
  g_assert_no_error (run.error);
  check_report (run.report,
                g_list_model_get_n_items (G_LIST_MODEL (run.report)));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (run.report)), >=,
                    5);
  g_object_unref (run.report);
}

/* A plan long enough that it is surely mid-run when cancelled: many short
 * repetitions on the scalar reference. */
static void
test_runner_cancel (void)
{
  const char *const params[] = { "n=20000", "d=64", "nq=4", NULL };
  g_autoptr(VlBenchPlan) plan = make_plan ("knn", "ref", params, 100000);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  gint64 cancelled_us = 0;
  Run run;

  run_plan (&run, plan, cancellable, 300, &cancelled_us);
  g_assert_error (run.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (run.report);
  g_assert_cmpint (run.done_us - cancelled_us, <, G_USEC_PER_SEC);
  g_clear_error (&run.error);
}

static void
test_runner_cancelled_before_start (void)
{
  const char *const params[] = { "n=500", "d=8", "nq=1", NULL };
  g_autoptr(VlBenchPlan) plan = make_plan ("knn", "ref", params, 2);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Run run;

  g_cancellable_cancel (cancellable);
  run_plan (&run, plan, cancellable, -1, NULL);
  g_assert_error (run.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&run.error);
}

static void
test_runner_unknown_device (void)
{
  g_autoptr(VlBenchPlan) plan = make_plan ("knn", "warp-drive:7", NULL, 1);
  Run run;

  run_plan (&run, plan, NULL, -1, NULL);
  g_assert_error (run.error, VL_BENCH_ERROR, VL_BENCH_ERROR_DEVICE_NOT_FOUND);
  g_assert_nonnull (strstr (run.error->message, "cpu"));
  g_clear_error (&run.error);
}

static void
test_runner_k_above_n (void)
{
  const char *const params[] = { "n=5", "d=4", "nq=1", "k=6", NULL };
  g_autoptr(VlBenchPlan) plan = make_plan ("knn", "ref", params, 1);
  Run run;

  run_plan (&run, plan, NULL, -1, NULL);
  g_assert_error (run.error, VL_BENCH_ERROR, VL_BENCH_ERROR_FAILED);
  g_assert_nonnull (strstr (run.error->message, "k = 6"));
  g_clear_error (&run.error);
}

typedef struct
{
  GMainLoop               *loop;
  VlBenchSimilarityResult *result;
  GError                  *error;
  guint                    n_progress;
} Job;

static void
on_job_progress (VlBenchRunner *runner, double fraction, const char *what,
                 double eta, Job *job)
{
  g_assert_cmpfloat (fraction, >=, 0.0);
  g_assert_cmpfloat (fraction, <=, 1.0);
  g_assert_nonnull (what);
  job->n_progress++;
}

static void
on_job_done (GObject *source, GAsyncResult *result, gpointer data)
{
  Job *job = data;

  job->result = vl_bench_runner_similarity_finish (VL_BENCH_RUNNER (source),
                                                   result, &job->error);
  g_main_loop_quit (job->loop);
}

static void
run_job (Job *job, const char *device, GCancellable *cancellable)
{
  g_autoptr(VlBenchRunner) runner = vl_bench_runner_new ();
  VlBenchSimilarityRequest request = { (char *) device, NULL, 64, 8, 4, 7 };

  memset (job, 0, sizeof *job);
  job->loop = g_main_loop_new (NULL, FALSE);
  g_signal_connect (runner, "progress", G_CALLBACK (on_job_progress), job);
  vl_bench_runner_similarity_async (runner, &request, cancellable,
                                    on_job_done, job);
  g_main_loop_run (job->loop);
  g_main_loop_unref (job->loop);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* The similarity job computes on the device asked for, in cluster order,
 * with progress and the counters of its own context. */
static void
test_runner_similarity_job (void)
{
  Job job;

  run_job (&job, "cpu", NULL);
  g_assert_no_error (job.error);
  g_assert_cmpstr (job.result->device_id, ==, "cpu");
  g_assert_cmpuint (job.result->n, ==, 64);
  g_assert_cmpuint (job.result->d, ==, 8);
  g_assert_cmpuint (job.result->n_clusters, ==, 4);
  for (guint i = 0; i < job.result->n; i++)
    g_assert_cmpfloat_with_epsilon (job.result->matrix[i * 64 + i], 1.0f,
                                    1e-5);
  g_assert_cmpfloat (job.result->op_ms, >=, 0.0);
  g_assert_cmpuint (job.n_progress, >=, 2);
  vl_bench_similarity_result_free (job.result);
}

static void
test_runner_similarity_job_errors (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Job job;

  run_job (&job, "warp-drive:7", NULL);
  g_assert_error (job.error, VL_BENCH_ERROR, VL_BENCH_ERROR_DEVICE_NOT_FOUND);
  g_assert_null (job.result);
  g_clear_error (&job.error);

  g_cancellable_cancel (cancellable);
  run_job (&job, "cpu", cancellable);
  g_assert_error (job.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&job.error);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/vectorlab/engine/runner/knn/ref", test_runner_knn_ref);
  g_test_add_func ("/vectorlab/engine/runner/warmup-time",
                   test_runner_warmup_time);
  g_test_add_func ("/vectorlab/engine/runner/suites/cpu",
                   test_runner_small_suites_cpu);
  g_test_add_func ("/vectorlab/engine/runner/counters",
                   test_runner_counters);
  g_test_add_func ("/vectorlab/engine/runner/quick/cpu",
                   test_runner_quick_cpu);
  g_test_add_func ("/vectorlab/engine/runner/cancel", test_runner_cancel);
  g_test_add_func ("/vectorlab/engine/runner/cancel-before-start",
                   test_runner_cancelled_before_start);
  g_test_add_func ("/vectorlab/engine/runner/unknown-device",
                   test_runner_unknown_device);
  g_test_add_func ("/vectorlab/engine/runner/k-above-n",
                   test_runner_k_above_n);
  g_test_add_func ("/vectorlab/engine/runner/similarity-job",
                   test_runner_similarity_job);
  g_test_add_func ("/vectorlab/engine/runner/similarity-job/errors",
                   test_runner_similarity_job_errors);
  return g_test_run ();
}
