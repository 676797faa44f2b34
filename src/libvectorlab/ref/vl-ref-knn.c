/* vl-ref-knn.c: reference k-NN: every score of a query, then a full sort.
 * Memory is one query's scores at a time, never queries x database. */
#include "vl-ref.h"

#include <stdlib.h>
#include <string.h>

/* key is the score, negated for similarities, so that one ascending
 * comparison serves every metric. */
typedef struct
{
  float   key;
  int64_t id;
} Candidate;

static int
compare_candidates (const void *pa, const void *pb)
{
  const Candidate *a = pa, *b = pb;

  if (a->key != b->key)
    return a->key < b->key ? -1 : 1;
  return (a->id > b->id) - (a->id < b->id);
}

VlStatus
vl_ref_index_build (VlIndex *index, const VlMatrix *database, VlError **error)
{
  float *copy = malloc (index->n * index->d * sizeof *copy);

  if (copy == NULL)
    return vl_set_error (error, VL_STATUS_OUT_OF_MEMORY,
                         "out of memory copying a %zu x %zu database",
                         index->n, index->d);
  for (size_t r = 0; r < index->n; r++)
    memcpy (copy + r * index->d, vl_row_f32 (database, r),
            index->d * sizeof *copy);
  index->priv = copy;
  return VL_STATUS_OK;
}

void
vl_ref_index_free (VlIndex *index)
{
  free (index->priv);
  index->priv = NULL;
}

VlStatus
vl_ref_index_search (VlIndex *index, const VlMatrix *queries, size_t k,
                     int64_t *ids, float *scores, VlError **error)
{
  const float *db = index->priv;
  Candidate *cands = malloc (index->n * sizeof *cands);
  float sign = vl_metric_is_similarity (index->metric) ? -1.0f : 1.0f;
  double t0 = vl_now_ms ();

  if (cands == NULL)
    return vl_set_error (error, VL_STATUS_OUT_OF_MEMORY,
                         "out of memory for %zu candidates", index->n);

  for (size_t q = 0; q < queries->rows; q++)
    {
      for (size_t j = 0; j < index->n; j++)
        {
          cands[j].key = sign * (float) vl_ref_score (index->metric,
                                                 vl_row_f32 (queries, q),
                                                 db + j * index->d, index->d);
          cands[j].id = (int64_t) j;
        }
      qsort (cands, index->n, sizeof *cands, compare_candidates);
      for (size_t i = 0; i < k; i++)
        {
          ids[q * k + i] = cands[i].id;
          scores[q * k + i] = sign * cands[i].key;
        }
    }
  free (cands);
  index->ctx->breakdown.kernel_ms = vl_now_ms () - t0;
  return VL_STATUS_OK;
}
