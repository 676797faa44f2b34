/* test-threads.c: vl_cpu_parallel_for, whose workers outlive a call, runs
 * every index exactly once with distinct worker numbers, whether calls come
 * one after another, from several threads at once, from inside a worker,
 * or in a forked child (which has none of its parent's pool threads). */
#include <glib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cpu/vl-cpu-threads.h"

#define N 10007
#define THREADS 8

typedef struct
{
  guint  hits[N];
  gint   worker_ranges[VL_CPU_MAX_WORKERS];
  size_t nested_n;
} Marks;

static void
mark (size_t begin, size_t end, unsigned worker, void *data)
{
  Marks *marks = data;

  g_atomic_int_inc (&marks->worker_ranges[worker]);
  for (size_t i = begin; i < end; i++)
    marks->hits[i]++;
}

/* TRUE when every index ran once and no worker number ran two ranges. */
static gboolean
marks_complete (const Marks *marks, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (marks->hits[i] != 1)
      return FALSE;
  for (guint w = 0; w < VL_CPU_MAX_WORKERS; w++)
    if (marks->worker_ranges[w] > 1)
      return FALSE;
  return TRUE;
}

static void
test_sequential_calls (void)
{
  /* Varying widths: a call that uses fewer workers than the pool has must
   * not be joined by the idle ones. */
  for (size_t grain = 1; grain < N; grain = grain * 3 + 1)
    {
      Marks *marks = g_new0 (Marks, 1);

      vl_cpu_parallel_for (N, grain, mark, marks);
      g_assert_true (marks_complete (marks, N));
      g_assert_cmpint (marks->worker_ranges[vl_cpu_workers_for (N, grain) - 1],
                       ==, 1);
      g_free (marks);
    }
}

static gpointer
call_repeatedly (gpointer unused)
{
  for (guint round = 0; round < 200; round++)
    {
      Marks *marks = g_new0 (Marks, 1);
      gboolean complete;

      vl_cpu_parallel_for (N, 64, mark, marks);
      complete = marks_complete (marks, N);
      g_free (marks);
      if (!complete)
        return GINT_TO_POINTER (FALSE);
    }
  return GINT_TO_POINTER (TRUE);
}

static void
test_concurrent_calls (void)
{
  GThread *threads[4];

  for (guint t = 0; t < G_N_ELEMENTS (threads); t++)
    threads[t] = g_thread_new ("caller", call_repeatedly, NULL);
  for (guint t = 0; t < G_N_ELEMENTS (threads); t++)
    g_assert_true (GPOINTER_TO_INT (g_thread_join (threads[t])));
}

typedef struct
{
  Marks *inner[VL_CPU_MAX_WORKERS];
} Nest;

static void
mark_nested (size_t begin, size_t end, unsigned worker, void *data)
{
  Nest *nest = data;

  (void) begin;
  (void) end;
  vl_cpu_parallel_for (N, 16, mark, nest->inner[worker]);
}

static void
test_nested_calls (void)
{
  Nest nest = { { NULL } };
  unsigned workers = vl_cpu_workers_for (THREADS, 1);

  for (unsigned w = 0; w < workers; w++)
    nest.inner[w] = g_new0 (Marks, 1);
  vl_cpu_parallel_for (THREADS, 1, mark_nested, &nest);
  for (unsigned w = 0; w < workers; w++)
    {
      g_assert_true (marks_complete (nest.inner[w], N));
      g_free (nest.inner[w]);
    }
}

static void
test_forked_child (void)
{
  Marks *marks = g_new0 (Marks, 1);
  int status = 0;
  pid_t child;

  /* The parent's pool exists before the fork. */
  vl_cpu_parallel_for (N, 1, mark, marks);
  g_assert_true (marks_complete (marks, N));
  child = fork ();
  g_assert_cmpint (child, >=, 0);
  if (child == 0)
    {
      Marks *again = g_new0 (Marks, 1);

      vl_cpu_parallel_for (N, 1, mark, again);
      _exit (marks_complete (again, N) ? 0 : 1);
    }
  g_assert_cmpint (waitpid (child, &status, 0), ==, child);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  g_free (marks);
}

int
main (int argc, char **argv)
{
  /* Several workers even on a one-core machine. */
  g_setenv ("VL_NUM_THREADS", G_STRINGIFY (THREADS), TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/vectorlab/threads/sequential", test_sequential_calls);
  g_test_add_func ("/vectorlab/threads/concurrent", test_concurrent_calls);
  g_test_add_func ("/vectorlab/threads/nested", test_nested_calls);
  g_test_add_func ("/vectorlab/threads/forked-child", test_forked_child);
  return g_test_run ();
}
