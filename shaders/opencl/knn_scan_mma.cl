/* knn_scan_mma.cl: knn_scan.cl's one pass over the database, for inner
 * products on NVIDIA tensor cores: a block of QB = 16 * QT queries is
 * scored with mma.sync in 3xTF32 (fp32 accuracy, see tf32.cl), so that a
 * pass stays bound by memory up to 16 queries and 64 queries share one.
 * Compiled after tf32.cl and topk.cl, with -DMMA=1.
 *
 * Layout: as knn_scan.cl's: x is n rows of ld4 float4s (zero padding); q
 *   holds the queries in rows of ld4 float4s, of which rows q0 .. q0 + nb
 *   (nb <= QB) are scored by one launch; out receives, for each of them and
 *   each work-group g, the group's best k candidates, sorted:
 *   out[(j * groups + g) * k + i] for query q0 + j (ULONG_MAX where the
 *   group saw fewer than k rows).
 * Work: a work-group of WG / 32 warps walks rounds of ROUND = WG / 32 * NR
 *   * 8 database rows (round g, g + groups, ...).  A warp owns NR tiles of
 *   8 rows of a round against all QT tiles of 16 queries, QT x NR sums of
 *   m16n8 in registers.  Its rows come from global memory straight into B
 *   fragments (a quarter-warp reads 64 contiguous bytes of a row), the next
 *   16 columns on their way while the current ones are multiplied; the
 *   query fragments are read from global memory too, where a few KiB of
 *   queries read by every warp stay cached.  Nothing is staged in local
 *   memory, so nothing waits for a barrier until the round's candidates.
 * Top-k: as in knn_scan.cl, each query has a list of CAP = 2 ROUND
 *   candidates in local memory and a threshold, its k-th best so far.
 *   After a round, each lane appends the sums it holds that beat their
 *   query's threshold; a list that could overflow in the next round is cut
 *   to its best k by its query's item (a selection, k passes over the
 *   list), which lowers the threshold.  Thresholds settle within a few
 *   rounds, after which cuts are rare.  k <= ROUND, QB <= WG.
 * Local memory: QB * (CAP * 8 + 12) bytes.
 * Tunables: -DWG (items a group, a multiple of 32), -DNR (row tiles a
 *   warp); -DQT is fixed by the family.
 */
#if MMA

#define QB (16 * QT)
#define ROUND (WG / 32 * NR * 8)
#define CAP (2 * ROUND)

/* Keeps the best min (count, k) candidates of a list at its front, sorted,
 * and sets the threshold; run by one item. */
void
scan_mma_cut (__local ulong *list, __local uint *count, __local ulong *thr,
              uint k)
{
  const uint c = *count, keep = min (c, k);

  for (uint i = 0; i < keep; i++)
    {
      uint best = i;
      ulong v = list[i];

      for (uint j = i + 1; j < c; j++)
        if (list[j] < v)
          {
            v = list[j];
            best = j;
          }
      list[best] = list[i];
      list[i] = v;
    }
  *count = keep;
  *thr = c >= k ? list[k - 1] : ULONG_MAX;
}

/* Float4 @c of the warp's rows (row g of each tile) into v. */
#define SCAN_MMA_LOAD(v, c)                                                \
  for (uint r = 0; r < NR; r++)                                            \
    {                                                                      \
      uint row = r0 + r * 8 + g;                                           \
                                                                           \
      v[r] = row < n && (c) * 4 + t4 < ld4                                 \
             ? x[(size_t) row * ld4 + (c) * 4 + t4] : (float4) (0.0f);     \
    }

__kernel __attribute__ ((reqd_work_group_size (WG, 1, 1))) void
knn_scan_mma_ip (const __global float4 *x, uint n, uint ld4,
                 const __global float4 *q, uint q0, uint nb, uint k,
                 __global ulong *out)
{
  __local ulong cand[QB * CAP];
  __local uint count[QB];
  __local ulong thr[QB];
  const uint lid = get_local_id (0), lane = lid % 32, warp = lid / 32;
  const uint g = lane / 4, t4 = lane % 4;
  const uint rounds = (n + ROUND - 1) / ROUND, groups = get_num_groups (0);
  const uint chunks = (ld4 + 3) / 4;
  /* Query tiles with a query in them: the others would add zeros. */
  const uint tiles = (nb + 15) / 16;

  q += (size_t) q0 * ld4;
  for (uint j = lid; j < QB; j += WG)
    {
      count[j] = 0;
      thr[j] = ULONG_MAX;
    }
  barrier (CLK_LOCAL_MEM_FENCE);

  for (uint round = get_group_id (0); round < rounds; round += groups)
    {
      const uint r0 = round * ROUND + warp * NR * 8;
      float acc[QT][NR][4];
      float4 xv[NR];

      for (uint i = 0; i < QT; i++)
        for (uint r = 0; r < NR; r++)
          for (uint e = 0; e < 4; e++)
            acc[i][r][e] = 0.0f;
      SCAN_MMA_LOAD (xv, 0);
      for (uint c = 0; c < chunks; c++)
        {
          const uint col = c * 4 + t4;
          float4 xc[NR], lo[QT], hi[QT];

          for (uint r = 0; r < NR; r++)
            xc[r] = xv[r];
          if (c + 1 < chunks)
            SCAN_MMA_LOAD (xv, c + 1);
          for (uint i = 0; i < QT; i++)
            {
              uint j = 16 * i + g;

              lo[i] = j < nb && col < ld4 ? q[(size_t) j * ld4 + col]
                                          : (float4) (0.0f);
              hi[i] = j + 8 < nb && col < ld4 ? q[(size_t) (j + 8) * ld4 + col]
                                              : (float4) (0.0f);
            }
#pragma unroll
          for (uint ks = 0; ks < 2; ks++)
            {
              uint abig[QT][4], asmall[QT][4], bbig[NR][2], bsmall[NR][2];

              for (uint i = 0; i < QT; i++)
                MMA_FRAG_A (lo[i], hi[i], ks, abig[i], asmall[i]);
              for (uint r = 0; r < NR; r++)
                MMA_FRAG_B (xc[r], ks, bbig[r], bsmall[r]);
              /* The three products of a tile depend on each other through
               * its sums: the other tiles' go between them. */
              for (uint i = 0; i < QT; i++)
                if (i < tiles)
                  for (uint r = 0; r < NR; r++)
                    MMA_TF32 (acc[i][r], asmall[i], bbig[r]);
              for (uint i = 0; i < QT; i++)
                if (i < tiles)
                  for (uint r = 0; r < NR; r++)
                    MMA_TF32 (acc[i][r], abig[i], bsmall[r]);
              for (uint i = 0; i < QT; i++)
                if (i < tiles)
                  for (uint r = 0; r < NR; r++)
                    MMA_TF32 (acc[i][r], abig[i], bbig[r]);
            }
        }

      /* Lane (g, t) holds queries g, g + 8 and rows 2t, 2t + 1 of each
       * tile. */
      for (uint i = 0; i < QT; i++)
        for (uint h = 0; h < 2; h++)
          {
            const uint j = 16 * i + g + 8 * h;

            if (j >= nb)
              continue;
            for (uint r = 0; r < NR; r++)
              for (uint e = 0; e < 2; e++)
                {
                  const uint row = r0 + r * 8 + 2 * t4 + e;
                  ulong c = ((ulong) score_key (acc[i][r][2 * h + e], 1) << 32)
                            | row;

                  if (row < n && c < thr[j])
                    cand[j * CAP + atomic_inc (&count[j])] = c;
                }
          }
      barrier (CLK_LOCAL_MEM_FENCE);
      if (lid < nb && count[lid] > CAP - ROUND)
        scan_mma_cut (cand + lid * CAP, &count[lid], &thr[lid], k);
      barrier (CLK_LOCAL_MEM_FENCE);
    }

  if (lid < nb)
    {
      __global ulong *dst = out + ((size_t) lid * groups + get_group_id (0)) * k;

      scan_mma_cut (cand + lid * CAP, &count[lid], &thr[lid], k);
      for (uint i = 0; i < k; i++)
        dst[i] = i < count[lid] ? cand[lid * CAP + i] : ULONG_MAX;
    }
}

#endif
