/* vl-cpu-threads.c: see vl-cpu-threads.h.
 *
 * The workers outlive a call: starting 15 threads and joining them costs
 * about 0.4 ms on a 16-core host, which a decode into host memory paid for
 * each of its chunks.  Between calls they sleep on a condition variable,
 * so nothing spins and competes with OpenBLAS's own pool.  One call at a
 * time has the pool; a call that finds it taken (another thread's, or one
 * made from inside a worker) starts threads of its own for its ranges. */
#include "vl-cpu-threads.h"

#include "vl-private.h"

#include <pthread.h>
#include <stdbool.h>

typedef struct
{
  VlCpuRangeFunc func;
  void          *data;
  size_t         n;
  unsigned       workers;
} Call;

typedef struct
{
  pthread_mutex_t lock;
  pthread_cond_t  posted;    /* a call has ranges to claim */
  pthread_cond_t  finished;  /* a call's last range is done */
  Call            call;
  unsigned        unclaimed; /* ranges 1 .. workers - 1 nobody took yet */
  unsigned        running;   /* ranges 1 .. workers - 1 not done yet */
  unsigned        threads;   /* pool threads started */
} Pool;

static Pool pool = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
                     PTHREAD_COND_INITIALIZER, { NULL, NULL, 0, 0 }, 0, 0,
                     0 };
/* Held by the call that has the pool. */
static pthread_mutex_t pool_owner = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t pool_once = PTHREAD_ONCE_INIT;

static void
run_range (const Call *call, unsigned worker)
{
  call->func (call->n * worker / call->workers,
              call->n * (worker + 1) / call->workers, worker, call->data);
}

/* Runs ranges of the posted call until none is left unclaimed; called with
 * pool.lock held, returns with it held. */
static void
claim_ranges (void)
{
  while (pool.unclaimed > 0)
    {
      Call call = pool.call;
      unsigned worker = call.workers - pool.unclaimed--;

      pthread_mutex_unlock (&pool.lock);
      run_range (&call, worker);
      pthread_mutex_lock (&pool.lock);
      if (--pool.running == 0)
        pthread_cond_signal (&pool.finished);
    }
}

static void *
pool_thread (void *unused)
{
  (void) unused;
  pthread_mutex_lock (&pool.lock);
  for (;;)
    {
      while (pool.unclaimed == 0)
        pthread_cond_wait (&pool.posted, &pool.lock);
      claim_ranges ();
    }
  return NULL;
}

/* A forked child has none of the parent's threads. */
static void
forget_pool_in_child (void)
{
  pthread_mutex_t unlocked = PTHREAD_MUTEX_INITIALIZER;
  pthread_cond_t unused = PTHREAD_COND_INITIALIZER;

  pool.lock = unlocked;
  pool_owner = unlocked;
  pool.posted = unused;
  pool.finished = unused;
  pool.unclaimed = 0;
  pool.running = 0;
  pool.threads = 0;
}

static void
register_fork_handler (void)
{
  pthread_atfork (NULL, NULL, forget_pool_in_child);
}

/* Starts pool threads until there are @wanted; fewer when the system
 * refuses, in which case the caller claims the ranges left over. */
static void
grow_pool (unsigned wanted)
{
  pthread_attr_t attr;

  if (pool.threads >= wanted || pthread_attr_init (&attr) != 0)
    return;
  pthread_attr_setdetachstate (&attr, PTHREAD_CREATE_DETACHED);
  while (pool.threads < wanted)
    {
      pthread_t thread;

      if (pthread_create (&thread, &attr, pool_thread, NULL) != 0)
        break;
      pool.threads++;
    }
  pthread_attr_destroy (&attr);
}

typedef struct
{
  const Call *call;
  unsigned    worker;
} SpawnedRange;

static void *
run_spawned_range (void *p)
{
  const SpawnedRange *range = p;

  run_range (range->call, range->worker);
  return NULL;
}

/* The path of a call that finds the pool taken: a thread a range, joined
 * before returning. */
static void
run_spawned (const Call *call)
{
  pthread_t threads[VL_CPU_MAX_WORKERS];
  SpawnedRange ranges[VL_CPU_MAX_WORKERS];
  bool started[VL_CPU_MAX_WORKERS];

  for (unsigned w = 1; w < call->workers; w++)
    {
      ranges[w] = (SpawnedRange) { call, w };
      started[w] = pthread_create (&threads[w], NULL, run_spawned_range,
                                   &ranges[w]) == 0;
    }
  run_range (call, 0);
  for (unsigned w = 1; w < call->workers; w++)
    {
      if (started[w])
        pthread_join (threads[w], NULL);
      else
        run_range (call, w);
    }
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
  Call call = { func, data, n, vl_cpu_workers_for (n, grain) };

  if (call.workers == 1)
    {
      run_range (&call, 0);
      return;
    }
  if (pthread_mutex_trylock (&pool_owner) != 0)
    {
      run_spawned (&call);
      return;
    }
  pthread_once (&pool_once, register_fork_handler);
  pthread_mutex_lock (&pool.lock);
  grow_pool (call.workers - 1);
  pool.call = call;
  pool.unclaimed = call.workers - 1;
  pool.running = call.workers - 1;
  pthread_cond_broadcast (&pool.posted);
  pthread_mutex_unlock (&pool.lock);

  run_range (&call, 0);

  pthread_mutex_lock (&pool.lock);
  claim_ranges ();
  while (pool.running > 0)
    pthread_cond_wait (&pool.finished, &pool.lock);
  pthread_mutex_unlock (&pool.lock);
  pthread_mutex_unlock (&pool_owner);
}
