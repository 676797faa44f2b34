/* topk.cl: exact top-k, merging candidates into each query's running best k.
 *
 * Keys: a score becomes an order-preserving uint (negated first for
 *   similarities, -0.0 mapped to +0.0), so a smaller key is always better.
 *   A candidate is the ulong (key << 32 | id); ordering candidates as ulongs
 *   is ordering by (score, id), which is the tie rule of ref.
 * Layout: running holds, per query, k candidates sorted ascending of which
 *   the first `have` are valid.  The new candidates of a query are either
 *   tile_n scores (topk_merge: lds floats a row, of database rows tile0,
 *   tile0 + 1, ...) or tile_n ready candidates (topk_merge_lists: lds ulongs
 *   a row, e.g. the per-group lists of knn_scan.cl).
 * Work: one work-group of WG items per query:
 *   0. once running is full, only candidates better than its worst can
 *      change it; when they are few (the usual case after the first tiles)
 *      they are sorted together with running in local memory, and nothing
 *      else is done; sorted lists of k are cut the same way at a bound on
 *      the k-th best (merge_sorted_lists); the host merges a query's
 *      first tile of many scores as a first part, then the rest, so that
 *      the rest is filtered this way;
 *   1. otherwise a radix select over the list [running ; new] (8-bit digits,
 *      256-bin histograms in local memory; over the keys for tiles, over
 *      whole candidates for lists) finds the candidate prefix of rank
 *      keep = min (k, have + tile_n), and how many equal to it to keep;
 *   2. an ordered compaction keeps keys below it plus the first needed keys
 *      equal to it in list order (a work-group prefix sum ranks them); list
 *      order is id order among equal keys, because running is sorted and all
 *      its ids precede the new ones (tiles are merged in database order; the
 *      lists of topk_merge_lists are whole candidates, compared whole);
 *   3. the survivors are sorted in local memory (best): up to WG of them
 *      by each item ranking its own, more by a bitonic sort (padded to a
 *      power of two).
 *   No step relies on lock-step execution within a warp: every exchange of
 *   data through local memory is separated by a barrier.
 * Local memory: 8 * best_len bytes passed as `best` (best_len a power of two
 *   >= k; 32 KiB for k = 4096) plus 1 KiB of histogram and 4 * WG bytes of
 *   scan.
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

/* The score whose key score_key made (with the same @negate). */
float
key_score (uint key, int negate)
{
  const float s = as_float ((key & 0x80000000u) ? key & 0x7fffffffu : ~key);

  return negate ? -s : s;
}

/* Sorts @lists lists of @len (a power of two) ascending, all at once, the
 * first at v and each @ld after the previous.  Called by every item of the
 * work-group; ends with a barrier. */
void
bitonic_sort_lists (__local ulong *v, uint lists, uint ld, uint len, uint lid,
                    uint wg)
{
  /* Pair t of all is pair t % pairs of list t / pairs: pairs is a power
   * of two, so a mask and a shift. */
  const uint pairs = len / 2, shift = pairs > 0 ? 31 - clz (pairs) : 0;

  for (uint size = 2; size <= len; size *= 2)
    for (uint stride = size / 2; stride > 0; stride /= 2)
      {
        for (uint t = lid; t < lists * pairs; t += wg)
          {
            const uint u = t & (pairs - 1);
            const uint i = 2 * u - (u & (stride - 1)), j = i + stride;
            __local ulong *w = v + (t >> shift) * ld;
            const ulong a = w[i], b = w[j];

            if ((a > b) == ((i & size) == 0))
              {
                w[i] = b;
                w[j] = a;
              }
          }
        barrier (CLK_LOCAL_MEM_FENCE);
      }
}

/* Sorts @nb candidate lists, @cap apart, of which the first count[j] of
 * list j are set, keeps the best min (count[j], k) of each and sets thr[j]
 * to its k-th best (ULONG_MAX while fewer than k): how the one-pass scans
 * (knn_scan.cl, team_scan.cl, knn_scan_mma.cl) cut the lists they append
 * to.  All lists at once, over the power of two that holds the longest
 * and k, which each list's room must hold.  All items call it, after a
 * barrier; it ends with one. */
void
topk_cut_lists (__local ulong *lists, uint cap, __local uint *count,
                __local ulong *thr, uint nb, uint k)
{
  const uint lid = get_local_id (0);
  uint len = 1, longest = k;

  /* Only that power of two is sorted: a group's lists at the end of its
   * scan may hold a few candidates of their room. */
  for (uint j = 0; j < nb; j++)
    longest = max (longest, count[j]);
  while (len < longest)
    len *= 2;
  for (uint i = lid; i < nb * len; i += WG)
    if (i % len >= count[i / len])
      lists[i / len * cap + i % len] = ULONG_MAX;
  barrier (CLK_LOCAL_MEM_FENCE);
  bitonic_sort_lists (lists, nb, cap, len, lid, WG);
  if (lid < nb)
    {
      const uint c = count[lid];

      count[lid] = min (c, k);
      thr[lid] = c >= k ? lists[lid * cap + k - 1] : ULONG_MAX;
    }
  barrier (CLK_LOCAL_MEM_FENCE);
}

/* Appends (@score, @row) to query @j's list of @cap when it beats the
 * query's threshold (scores negated first for similarities); returns the
 * list's length with it, or 0 when it did not. */
uint
topk_offer (__local ulong *lists, uint cap, __local uint *count,
            __local const ulong *thr, uint j, float score, int negate,
            uint row)
{
  const ulong c = ((ulong) score_key (score, negate) << 32) | row;
  uint slot;

  if (!(c < thr[j]))
    return 0;
  slot = atomic_inc (&count[j]);
  lists[j * cap + slot] = c;
  return slot + 1;
}

/* Cuts to k each of the @nb lists that could overflow when up to @room
 * more candidates come.  All items call it, after a barrier: they read
 * the same counts, so they take the same branches. */
void
topk_cut_filling (__local ulong *lists, uint cap, __local uint *count,
                  __local ulong *thr, uint nb, uint k, uint room)
{
  for (uint j = 0; j < nb; j++)
    if (count[j] > cap - room)
      topk_cut_lists (lists + j * cap, cap, &count[j], &thr[j], 1, k);
}

/* The end of a one-pass scan: cuts each of the @nb lists of @cap to its
 * best k and stores them as the group's lists in @out, out[(j * groups +
 * g) * k + i] for query j.  All items call it, after a barrier. */
void
topk_store_lists (__local ulong *lists, uint cap, __local uint *count,
                  __local ulong *thr, uint nb, uint k, __global ulong *out)
{
  topk_cut_lists (lists, cap, count, thr, nb, k);
  for (uint i = get_local_id (0); i < nb * k; i += WG)
    out[((size_t) (i / k) * get_num_groups (0) + get_group_id (0)) * k
        + i % k] = lists[i / k * cap + i % k];
}

ulong
candidate (uint i, uint have, const __global ulong *running,
           const __global float *scores, const __global ulong *lists,
           uint tile0, int negate)
{
  uint j;

  if (i < have)
    return running[i];
  j = i - have;
  if (lists != 0)
    return lists[j];
  return ((ulong) score_key (scores[j], negate) << 32) | (ulong) (tile0 + j);
}

/* Local memory of merge besides `best`, declared by each kernel (OpenCL 1.2
 * allows __local variables at kernel scope only): histogram, scan, and
 * five counters. */
#define MERGE_WORK (BINS + WG + 5)

/* Sorts best[0 .. n) and stores its first k in running.  Called by every
 * item.  Up to WG candidates, each item ranks its own by counting those
 * before it (the index breaks ties): one pass, where a bitonic sort of 16
 * takes 10, each ending with a barrier.  More are padded to a power of
 * two (<= best_len) and sorted. */
void
sort_into_running (__local ulong *best, uint n, __global ulong *running,
                   uint k)
{
  const uint lid = get_local_id (0);
  uint len = 1;

  while (n > WG && len < n)
    len *= 2;
  for (uint i = n + lid; i < len; i += WG)
    best[i] = ULONG_MAX;
  barrier (CLK_LOCAL_MEM_FENCE);
  if (n <= WG && lid < n)
    {
      const ulong c = best[lid];
      uint rank = 0;

      for (uint j = 0; j < n; j++)
        rank += best[j] < c || (best[j] == c && j < lid);
      if (rank < k)
        running[rank] = c;
    }
  /* Not in a branch of its own: PoCL 3.1 ran the ranking above for every
   * item when the sort's barriers were in the other branch.  A sort of
   * one (len) is none. */
  bitonic_sort_lists (best, 1, len, len, lid, WG);
  for (uint i = lid; n > WG && i < k; i += WG)
    running[i] = best[i];
}

/* Puts candidate @c into best after running's k when it beats @worst. */
void
keep_if_better (ulong c, ulong worst, uint k, __local ulong *best,
                uint best_len, __local uint *n_new)
{
  if (c < worst)
    {
      uint slot = atomic_inc (n_new);

      if (k + slot < best_len)
        best[k + slot] = c;
    }
}

/* float4 loads an item of merge_few keeps in flight. */
#define MERGE_LOADS 8

/* Step 0: true when the few candidates better than running's worst were
 * merged into it (or there were none).  Reading the tile is most of the
 * work; a work-group a query is few groups when queries are few (one a
 * compute unit for 128 queries), so when rows of scores are float4-aligned
 * (@aligned) each item keeps MERGE_LOADS float4 loads in flight rather
 * than one float. */
bool
merge_few (__global ulong *running, uint k, const __global float *scores,
           const __global ulong *lists, uint tile_n, uint tile0, int negate,
           int aligned, __local ulong *best, uint best_len,
           __local uint *n_new)
{
  const uint lid = get_local_id (0);
  const ulong worst = running[k - 1];
  uint n, first = 0;

  if (lid == 0)
    *n_new = 0;
  barrier (CLK_LOCAL_MEM_FENCE);
  if (scores != 0 && aligned)
    {
      const __global float4 *s4 = (const __global float4 *) scores;
      const uint n4 = tile_n / 4;
      /* Tiles come in database order, so a new score whose key equals the
       * worst's has a larger id and is no better: keys alone decide. */
      const uint worst_key = (uint) (worst >> 32);

      for (uint base = 0; base < n4; base += MERGE_LOADS * WG)
        {
          float4 v[MERGE_LOADS];

          for (uint u = 0; u < MERGE_LOADS; u++)
            {
              uint j = base + u * WG + lid;

              v[u] = j < n4 ? s4[j] : (float4) (0.0f);
            }
          for (uint u = 0; u < MERGE_LOADS; u++)
            {
              uint j = base + u * WG + lid;
              float f[4] = { v[u].x, v[u].y, v[u].z, v[u].w };

              if (j >= n4)
                continue;
              for (uint c = 0; c < 4; c++)
                {
                  uint key = score_key (f[c], negate);

                  if (key < worst_key)
                    keep_if_better (((ulong) key << 32)
                                    | (ulong) (tile0 + 4 * j + c), worst, k,
                                    best, best_len, n_new);
                }
            }
        }
      first = 4 * n4;
    }
  for (uint i = first + lid; i < tile_n; i += WG)
    keep_if_better (candidate (k + i, k, running, scores, lists, tile0,
                               negate), worst, k, best, best_len, n_new);
  barrier (CLK_LOCAL_MEM_FENCE);
  n = *n_new;
  if (n == 0)
    return true;
  if (k + n > best_len)
    return false;
  for (uint i = lid; i < k; i += WG)
    best[i] = running[i];
  sort_into_running (best, k + n, running, k);
  return true;
}

/* Step 0 for topk_merge_lists: the lists are @tile_n / k sorted lists of
 * k (knn_scan's per-group lists), of which only candidates with keys up to
 * a bound on the k-th best overall are gathered and sorted in best, when
 * they fit; true when it merged.  Any k candidates bound it by their worst
 * key, so the bound is the best of two:
 *   - a list's k-th key (the best of them);
 *   - the sample's: each item takes the best of its share of the lists'
 *     first m candidates (at least ceil (k / lists), so that there are k
 *     of them), and the best key of the WG items' that at least k of them
 *     reach.  Lists hold the best of different rows, so the best of their
 *     first candidates are near the best overall.
 * Over lists of random scores shaped as an H100's scans of 1M rows, the
 * lists' k-th keys alone leave about 190 of a part's 440 candidates (44
 * lists of 10, one of 16 queries' 24 parts), 48 of 80 (8 lists, one
 * query's part); the sample's bound leaves 10 of each (a simulation).  A
 * search of 16 queries over 1M x 768 took 1.1380 and 1.1355 ms against
 * 1.1465 and 1.1410 before (H100, same run, medians of 30); one query's
 * 1.024 did not change. */
bool
merge_sorted_lists (__global ulong *running, uint k,
                    const __global ulong *lists, uint tile_n,
                    __local ulong *best, uint best_len, __local uint *work)
{
  __local uint *sample = work + BINS, *misc = work + BINS + WG;
  __local uint *kth = misc, *sampled = misc + 1, *n_new = misc + 2;
  const uint lid = get_local_id (0), n_lists = tile_n / k;
  /* The first ceil (k / lists) of each list at least, and as many as the
   * items hold one each: those ranked exactly bound best. */
  const uint m = min (k, max ((k + n_lists - 1) / n_lists, WG / n_lists));
  uint own = UINT_MAX, reach = 0, kth_key, bound, n;

  if (lid == 0)
    {
      *kth = UINT_MAX;
      *sampled = UINT_MAX;
      *n_new = 0;
    }
  barrier (CLK_LOCAL_MEM_FENCE);
  for (uint g = lid; g < n_lists; g += WG)
    atomic_min (kth, (uint) (lists[g * k + k - 1] >> 32));
  /* Candidate i of the first m of each list is list i % n_lists's
   * candidate i / n_lists: the heads first. */
  for (uint i = lid; i < n_lists * m; i += WG)
    own = min (own, (uint) (lists[i % n_lists * k + i / n_lists] >> 32));
  sample[lid] = own;
  barrier (CLK_LOCAL_MEM_FENCE);
  kth_key = *kth;
  /* A key of UINT_MAX may be a list's padding, not a candidate. */
  for (uint j = 0; own < kth_key && j < WG; j++)
    reach += sample[j] <= own && sample[j] != UINT_MAX;
  if (reach >= k)
    atomic_min (sampled, own);
  barrier (CLK_LOCAL_MEM_FENCE);
  bound = min (kth_key, *sampled);
  /* A list's candidates are sorted: its first beyond the bound ends it. */
  for (uint g = lid; g < n_lists; g += WG)
    for (uint i = 0; i < k; i++)
      {
        const ulong c = lists[g * k + i];
        uint slot;

        if ((uint) (c >> 32) > bound)
          break;
        slot = atomic_inc (n_new);
        if (slot < best_len)
          best[slot] = c;
      }
  barrier (CLK_LOCAL_MEM_FENCE);
  n = *n_new;
  if (n > best_len)
    return false;
  sort_into_running (best, n, running, k);
  return true;
}

/* Steps 1-3.  The radix select runs over bits [low, 64) of the candidates:
 * over the key alone (low = 32) for tiles, whose ids follow list order, and
 * over whole candidates (low = 0) for lists, whose ids do not. */
void
merge (__global ulong *running, uint k, uint have,
       const __global float *scores, const __global ulong *lists,
       uint tile_n, uint tile0, int negate, int aligned, __local ulong *best,
       uint best_len, __local uint *work)
{
  __local uint *hist = work, *scan = work + BINS, *misc = work + BINS + WG;
  __local uint *n_out = misc + 3, *n_new = misc + 4;
  const uint lid = get_local_id (0);
  const uint m = have + tile_n;
  const uint keep = min (k, m);
  const int low = lists != 0 ? 0 : 32;
  ulong prefix = 0, mask = 0;
  uint rank = keep - 1, eq_total = 0;

  if (have == k && merge_few (running, k, scores, lists, tile_n, tile0,
                              negate, aligned, best, best_len, n_new))
    return;
  if (have == 0 && lists != 0 && tile_n % k == 0
      && merge_sorted_lists (running, k, lists, tile_n, best, best_len, work))
    return;
  barrier (CLK_LOCAL_MEM_FENCE);

  /* 1. Radix select of the candidate prefix of rank keep - 1. */
  for (int shift = 56; shift >= low; shift -= 8)
    {
      for (uint b = lid; b < BINS; b += WG)
        hist[b] = 0;
      barrier (CLK_LOCAL_MEM_FENCE);
      for (uint i = lid; i < m; i += WG)
        {
          ulong c = candidate (i, have, running, scores, lists, tile0, negate);

          if ((c & mask) == prefix)
            atomic_inc (&hist[(uint) (c >> shift) & 0xFFu]);
        }
      barrier (CLK_LOCAL_MEM_FENCE);
      if (lid == 0)
        {
          uint cum = 0, b = 0;

          /* Terminates: the bins hold every candidate with this prefix,
           * and there are more than rank of them. */
          while (cum + hist[b] <= rank)
            cum += hist[b++];
          misc[0] = b;
          misc[1] = rank - cum;
          misc[2] = hist[b];
        }
      barrier (CLK_LOCAL_MEM_FENCE);
      prefix |= (ulong) misc[0] << shift;
      rank = misc[1];
      eq_total = misc[2];
      mask |= (ulong) 0xFF << shift;
      barrier (CLK_LOCAL_MEM_FENCE);
    }

  /* 2. Compaction: prefixes below the kth, then the first rank + 1 equal
   * to it. */
  if (lid == 0)
    {
      *n_out = 0;
      *n_new = 0;
    }
  barrier (CLK_LOCAL_MEM_FENCE);
  if (rank + 1 == eq_total)
    {
      /* Every candidate equal to the kth survives: no ranking needed. */
      for (uint i = lid; i < m; i += WG)
        {
          ulong c = candidate (i, have, running, scores, lists, tile0, negate);

          if ((c & mask) <= prefix)
            {
              best[atomic_inc (n_out)] = c;
              if (i >= have)
                atomic_inc (n_new);
            }
        }
    }
  else
    {
      uint eq_before = 0;

      for (uint base = 0; base < m; base += WG)
        {
          uint i = base + lid;
          ulong c = i < m ? candidate (i, have, running, scores, lists, tile0,
                                       negate) : 0;
          uint eq = i < m && (c & mask) == prefix;
          uint eq_rank;

          if (i < m && (c & mask) < prefix)
            {
              best[atomic_inc (n_out)] = c;
              if (i >= have)
                atomic_inc (n_new);
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
              best[atomic_inc (n_out)] = c;
              if (i >= have)
                atomic_inc (n_new);
            }
          eq_before += scan[WG - 1];
          barrier (CLK_LOCAL_MEM_FENCE);
        }
    }
  barrier (CLK_LOCAL_MEM_FENCE);
  /* The running list survived whole: it is already sorted. */
  if (*n_new == 0 && have == keep)
    return;

  /* 3. Bitonic sort of the survivors, padded with the largest candidate. */
  sort_into_running (best, keep, running, keep);
}

/* Merges scores [from, from + tile_n) of each query's row into its
 * running list. */
__kernel __attribute__ ((reqd_work_group_size (WG, 1, 1))) void
topk_merge (__global ulong *running, uint k, uint have,
            const __global float *scores, uint lds, uint from, uint tile_n,
            uint tile0, int negate, __local ulong *best, uint best_len)
{
  __local uint work[MERGE_WORK];

  merge (running + (size_t) get_group_id (0) * k, k, have,
         scores + (size_t) get_group_id (0) * lds + from, 0, tile_n,
         tile0 + from, negate, lds % 4 == 0 && from % 4 == 0, best,
         best_len, work);
}

__kernel __attribute__ ((reqd_work_group_size (WG, 1, 1))) void
topk_merge_lists (__global ulong *running, uint k, uint have,
                  const __global ulong *lists, uint lds, uint tile_n,
                  __local ulong *best, uint best_len)
{
  __local uint work[MERGE_WORK];

  merge (running + (size_t) get_group_id (0) * k, k, have, 0,
         lists + (size_t) get_group_id (0) * lds, tile_n, 0, 0, 0, best,
         best_len, work);
}
