/* vl-cpu-topk.h: bounded selection of the k best (key, id) pairs.
 *
 * Keys are "smaller is better" (the cpu backend negates similarities), and
 * equal keys rank by the lower id.  The pairs live in caller memory as a
 * max-heap whose root is the worst pair kept, so a candidate is usually
 * rejected with one comparison against vl_cpu_topk_threshold(). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct
{
  float   *keys;
  int64_t *ids;
  size_t   k;
  size_t   len;
} VlCpuTopk;

static inline bool
vl_cpu_topk_before (float a, int64_t a_id, float b, int64_t b_id)
{
  return a < b || (a == b && a_id < b_id);
}

/* Keys above this cannot enter; a key equal to it may, by a lower id. */
static inline float
vl_cpu_topk_threshold (const VlCpuTopk *topk)
{
  return topk->len < topk->k ? __builtin_inff () : topk->keys[0];
}

/* A (score, id) pair for sorting a handful of results with qsort, in the
 * same order as the heap: smaller scores first, equal scores by lower id. */
typedef struct
{
  float   score;
  int64_t id;
} VlCpuPair;

int  vl_cpu_pair_compare (const void *a, const void *b);

void vl_cpu_topk_init  (VlCpuTopk *topk, float *keys, int64_t *ids,
                        size_t k);
/* Offers a pair; kept when it ranks before the worst of a full heap. */
void vl_cpu_topk_push  (VlCpuTopk *topk, float key, int64_t id);
/* Offers every pair of @src to @dst. */
void vl_cpu_topk_merge (VlCpuTopk *dst, const VlCpuTopk *src);
/* Orders the pairs best first in place; the heap is spent afterwards. */
void vl_cpu_topk_sort  (VlCpuTopk *topk);
