/* topk.cl: exact top-k, merging a tile of scores into each query's running
 * best k.
 *
 * Keys: a score becomes an order-preserving uint (negated first for
 *   similarities, -0.0 mapped to +0.0), so a smaller key is always better.
 *   A candidate is the ulong (key << 32 | id); ordering candidates as ulongs
 *   is ordering by (score, id), which is the tie rule of ref.
 * Layout: running holds, per query, k candidates sorted ascending of which
 *   the first `have` are valid; scores holds, per query, tile_n scores (lds
 *   floats a row) of database rows tile0, tile0 + 1, ...
 * Work: one work-group of WG items per query (topk_merge):
 *   1. radix select over the candidate list [running ; tile] (8-bit digits,
 *      4 passes, 256-bin histograms in local memory) finds the key of rank
 *      keep = min (k, have + tile_n), and how many keys equal to it to keep;
 *   2. an ordered compaction keeps keys below it plus the first needed keys
 *      equal to it in list order (a work-group prefix sum ranks them); list
 *      order is id order among equal keys, because running is sorted and all
 *      its ids precede the tile's;
 *   3. a bitonic sort of the survivors in local memory (best, padded to the
 *      power of two p2 >= k) restores the running order.
 *   No step relies on lock-step execution within a warp: every exchange of
 *   data through local memory is separated by a barrier.
 * Local memory: 8 * p2 bytes passed as `best` (32 KiB for k = 4096) plus
 *   1 KiB of histogram and 4 * WG bytes of scan.
 * Tunables: -DWG (work-group size, a power of two).
 */
#define BINS 256

uint
score_key (float s, int negate)
{
  uint u;

  if (negate)
    s = -s;
  if (s == 0.0f)
    s = 0.0f;
  u = as_uint (s);
  return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}

ulong
candidate (uint i, uint have, const __global ulong *running,
           const __global float *scores, uint tile0, int negate)
{
  uint j;

  if (i < have)
    return running[i];
  j = i - have;
  return ((ulong) score_key (scores[j], negate) << 32) | (ulong) (tile0 + j);
}

__kernel __attribute__ ((reqd_work_group_size (WG, 1, 1))) void
topk_merge (__global ulong *running, uint k, uint have,
            const __global float *scores, uint lds, uint tile_n, uint tile0,
            int negate, __local ulong *best, uint p2)
{
  __local uint hist[BINS];
  __local uint scan[WG];
  __local uint sel[3];
  __local uint n_out, n_new;
  const uint lid = get_local_id (0);
  const uint m = have + tile_n;
  const uint keep = min (k, m);
  uint prefix = 0, mask = 0, rank = keep - 1, eq_total = 0;

  running += (size_t) get_group_id (0) * k;
  scores += (size_t) get_group_id (0) * lds;

  /* 1. Radix select of the key of rank keep - 1. */
  for (int shift = 24; shift >= 0; shift -= 8)
    {
      for (uint b = lid; b < BINS; b += WG)
        hist[b] = 0;
      barrier (CLK_LOCAL_MEM_FENCE);
      for (uint i = lid; i < m; i += WG)
        {
          uint key = (uint) (candidate (i, have, running, scores, tile0, negate) >> 32);

          if ((key & mask) == prefix)
            atomic_inc (&hist[(key >> shift) & 0xFFu]);
        }
      barrier (CLK_LOCAL_MEM_FENCE);
      if (lid == 0)
        {
          uint cum = 0, b = 0;

          /* Terminates: the bins hold every key with this prefix, and
           * there are more than rank of them. */
          while (cum + hist[b] <= rank)
            cum += hist[b++];
          sel[0] = prefix | (b << shift);
          sel[1] = rank - cum;
          sel[2] = hist[b];
        }
      barrier (CLK_LOCAL_MEM_FENCE);
      prefix = sel[0];
      rank = sel[1];
      eq_total = sel[2];
      mask |= 0xFFu << shift;
    }

  /* 2. Compaction: keys < kth, then the first rank + 1 keys == kth. */
  if (lid == 0)
    {
      n_out = 0;
      n_new = 0;
    }
  barrier (CLK_LOCAL_MEM_FENCE);
  if (rank + 1 == eq_total)
    {
      /* Every key equal to the kth survives: no ranking needed. */
      for (uint i = lid; i < m; i += WG)
        {
          ulong c = candidate (i, have, running, scores, tile0, negate);

          if ((uint) (c >> 32) <= prefix)
            {
              best[atomic_inc (&n_out)] = c;
              if (i >= have)
                atomic_inc (&n_new);
            }
        }
    }
  else
    {
      uint eq_before = 0;

      for (uint base = 0; base < m; base += WG)
        {
          uint i = base + lid;
          ulong c = i < m ? candidate (i, have, running, scores, tile0, negate) : 0;
          uint key = (uint) (c >> 32);
          uint eq = i < m && key == prefix;
          uint eq_rank;

          if (i < m && key < prefix)
            {
              best[atomic_inc (&n_out)] = c;
              if (i >= have)
                atomic_inc (&n_new);
            }
          scan[lid] = eq;
          barrier (CLK_LOCAL_MEM_FENCE);
          for (uint off = 1; off < WG; off *= 2)
            {
              uint v = lid >= off ? scan[lid - off] : 0;

              barrier (CLK_LOCAL_MEM_FENCE);
              scan[lid] += v;
              barrier (CLK_LOCAL_MEM_FENCE);
            }
          eq_rank = eq_before + scan[lid] - eq;
          if (eq && eq_rank <= rank)
            {
              best[atomic_inc (&n_out)] = c;
              if (i >= have)
                atomic_inc (&n_new);
            }
          eq_before += scan[WG - 1];
          barrier (CLK_LOCAL_MEM_FENCE);
        }
    }
  barrier (CLK_LOCAL_MEM_FENCE);
  /* The running list survived whole: it is already sorted. */
  if (n_new == 0 && have == keep)
    return;

  /* 3. Bitonic sort of best[0 .. p2), padded with the largest candidate. */
  for (uint i = keep + lid; i < p2; i += WG)
    best[i] = ULONG_MAX;
  barrier (CLK_LOCAL_MEM_FENCE);
  for (uint size = 2; size <= p2; size *= 2)
    for (uint stride = size / 2; stride > 0; stride /= 2)
      {
        for (uint t = lid; t < p2 / 2; t += WG)
          {
            uint i = 2 * t - (t & (stride - 1));
            uint j = i + stride;
            ulong a = best[i], b = best[j];

            if ((a > b) == ((i & size) == 0))
              {
                best[i] = b;
                best[j] = a;
              }
          }
        barrier (CLK_LOCAL_MEM_FENCE);
      }

  for (uint i = lid; i < keep; i += WG)
    running[i] = best[i];
}
