/* vl-cpu-threads.c: see vl-cpu-threads.h. */
#include "vl-cpu-threads.h"

#include "vl-private.h"

#include <pthread.h>

typedef struct
{
  VlCpuRangeFunc func;
  void          *data;
  size_t         begin;
  size_t         end;
  unsigned       worker;
} Job;

static void *
run_job (void *p)
{
  Job *job = p;

  job->func (job->begin, job->end, job->worker, job->data);
  return NULL;
}

unsigned
vl_cpu_workers_for (size_t n, size_t grain)
{
  size_t workers = vl_num_threads ();
  size_t chunks;

  if (grain == 0)
    grain = 1;
  chunks = (n + grain - 1) / grain;
  if (workers > chunks)
    workers = chunks;
  if (workers > VL_CPU_MAX_WORKERS)
    workers = VL_CPU_MAX_WORKERS;
  return workers > 0 ? (unsigned) workers : 1;
}

void
vl_cpu_parallel_for (size_t n, size_t grain, VlCpuRangeFunc func, void *data)
{
  unsigned workers = vl_cpu_workers_for (n, grain);
  Job jobs[VL_CPU_MAX_WORKERS];
  pthread_t threads[VL_CPU_MAX_WORKERS];
  bool started[VL_CPU_MAX_WORKERS];

  for (unsigned w = 0; w < workers; w++)
    {
      jobs[w] = (Job) { func, data, n * w / workers, n * (w + 1) / workers, w };
      started[w] = w > 0 && pthread_create (&threads[w], NULL, run_job,
                                            &jobs[w]) == 0;
    }
  for (unsigned w = 0; w < workers; w++)
    if (!started[w])
      run_job (&jobs[w]);
  for (unsigned w = 1; w < workers; w++)
    if (started[w])
      pthread_join (threads[w], NULL);
}
