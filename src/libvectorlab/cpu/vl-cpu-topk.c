/* vl-cpu-topk.c: see vl-cpu-topk.h. */
#include "vl-cpu-topk.h"

void
vl_cpu_topk_init (VlCpuTopk *topk, float *keys, int64_t *ids, size_t k)
{
  topk->keys = keys;
  topk->ids = ids;
  topk->k = k;
  topk->len = 0;
}

/* Restores the max-heap below @i for the first @len pairs, "max" meaning
 * ranked last. */
static void
sift_down (float *keys, int64_t *ids, size_t len, size_t i)
{
  float key = keys[i];
  int64_t id = ids[i];

  for (;;)
    {
      size_t child = 2 * i + 1;

      if (child >= len)
        break;
      if (child + 1 < len
          && vl_cpu_topk_before (keys[child], ids[child], keys[child + 1],
                                 ids[child + 1]))
        child++;
      if (!vl_cpu_topk_before (key, id, keys[child], ids[child]))
        break;
      keys[i] = keys[child];
      ids[i] = ids[child];
      i = child;
    }
  keys[i] = key;
  ids[i] = id;
}

void
vl_cpu_topk_push (VlCpuTopk *topk, float key, int64_t id)
{
  size_t i;

  if (topk->len == topk->k)
    {
      if (!vl_cpu_topk_before (key, id, topk->keys[0], topk->ids[0]))
        return;
      topk->keys[0] = key;
      topk->ids[0] = id;
      sift_down (topk->keys, topk->ids, topk->len, 0);
      return;
    }

  i = topk->len++;
  while (i > 0)
    {
      size_t parent = (i - 1) / 2;

      if (!vl_cpu_topk_before (topk->keys[parent], topk->ids[parent], key, id))
        break;
      topk->keys[i] = topk->keys[parent];
      topk->ids[i] = topk->ids[parent];
      i = parent;
    }
  topk->keys[i] = key;
  topk->ids[i] = id;
}

void
vl_cpu_topk_merge (VlCpuTopk *dst, const VlCpuTopk *src)
{
  for (size_t i = 0; i < src->len; i++)
    vl_cpu_topk_push (dst, src->keys[i], src->ids[i]);
}

void
vl_cpu_topk_sort (VlCpuTopk *topk)
{
  /* Heap sort: moving the worst pair to the end each round leaves the
   * array best first. */
  for (size_t len = topk->len; len > 1; len--)
    {
      float key = topk->keys[0];
      int64_t id = topk->ids[0];

      topk->keys[0] = topk->keys[len - 1];
      topk->ids[0] = topk->ids[len - 1];
      topk->keys[len - 1] = key;
      topk->ids[len - 1] = id;
      sift_down (topk->keys, topk->ids, len - 1, 0);
    }
}

int
vl_cpu_pair_compare (const void *pa, const void *pb)
{
  const VlCpuPair *a = pa, *b = pb;

  if (a->score != b->score)
    return a->score < b->score ? -1 : 1;
  return (a->id > b->id) - (a->id < b->id);
}
