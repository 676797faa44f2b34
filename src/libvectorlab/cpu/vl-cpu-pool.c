/* vl-cpu-pool.c: masked mean and attention pooling of the cpu backend,
 * threaded over the batch.  Mean pooling is attention pooling with equal
 * logits, as in the oracle. */
#include "vl-cpu.h"

#include "vl-cpu-kernels.h"
#include "vl-cpu-threads.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct
{
  const VlMatrix *tokens;
  size_t          seq;
  const uint8_t  *mask;
  const float    *w;
  VlMatrix       *out;
  float          *logits;  /* seq per worker */
} Pool;

static void
pool_range (size_t begin, size_t end, unsigned worker, void *data)
{
  const Pool *p = data;
  size_t d = p->tokens->cols;
  float *logits = p->logits + (size_t) worker * p->seq;

  for (size_t b = begin; b < end; b++)
    {
      const uint8_t *m = p->mask + b * p->seq;
      float *acc = vl_row_f32_mut (p->out, b);
      float max_logit = -INFINITY, total = 0.0f;

      for (size_t t = 0; t < p->seq; t++)
        if (m[t])
          {
            logits[t] = p->w != NULL
                        ? vl_cpu_dot (vl_row_f32 (p->tokens, b * p->seq + t),
                                      p->w, d)
                        : 0.0f;
            max_logit = fmaxf (max_logit, logits[t]);
          }
      /* Subtracting the largest logit keeps every exponential <= 1. */
      for (size_t t = 0; t < p->seq; t++)
        if (m[t])
          {
            logits[t] = expf (logits[t] - max_logit);
            total += logits[t];
          }

      memset (acc, 0, d * sizeof *acc);
      for (size_t t = 0; t < p->seq; t++)
        if (m[t])
          {
            const float *tok = vl_row_f32 (p->tokens, b * p->seq + t);
            float weight = logits[t] / total;

            for (size_t c = 0; c < d; c++)
              acc[c] += weight * tok[c];
          }
    }
}

VlStatus
vl_cpu_pool (VlContext *ctx, const VlMatrix *tokens, size_t seq,
             const uint8_t *mask, const float *w, VlMatrix *out,
             VlError **error)
{
  size_t batch = out->rows;
  unsigned workers = vl_cpu_workers_for (batch, 1);
  Pool p = { tokens, seq, mask, w, out, NULL };
  double t0 = vl_now_ms ();

  p.logits = malloc ((size_t) workers * seq * sizeof *p.logits);
  if (p.logits == NULL)
    return vl_set_error (error, VL_STATUS_OUT_OF_MEMORY,
                         "out of memory for %u x %zu attention logits",
                         workers, seq);
  vl_cpu_parallel_for (batch, 1, pool_range, &p);
  free (p.logits);
  ctx->breakdown.kernel_ms = vl_now_ms () - t0;
  return VL_STATUS_OK;
}
