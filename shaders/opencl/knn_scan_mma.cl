/* knn_scan_mma.cl: knn_scan.cl's one pass over the database for 16
 * queries' inner products, on NVIDIA tensor cores: mma.sync in 3xTF32
 * (fp32 accuracy, see tf32.cl) keeps the pass bound by memory where
 * knn_scan.cl's fp32 sums are bound by arithmetic.  Compiled after tf32.cl
 * and topk.cl, with -DMMA=1.
 *
 * Layout: as knn_scan.cl's: x is n rows of ld4 float4s (zero padding); q
 *   holds the queries in rows of ld4 float4s, of which rows q0 .. q0 + nb
 *   (nb <= 16) are scored by one launch; out receives, for each of them
 *   and each work-group g, the group's best k candidates, sorted:
 *   out[(j * groups + g) * k + i] for query q0 + j (ULONG_MAX where the
 *   group saw fewer than k rows).
 * Work: a work-group of WG / 32 warps walks rounds of ROUND = WG / 32 * NR
 *   * 8 database rows (round g, g + groups, ...).  A warp owns NR tiles of
 *   8 rows of a round, NR m16n8 sums in registers.  Its rows come from
 *   global memory straight into B fragments, in steps of CW chunks of 16
 *   columns (a quarter-warp reads 64 * CW contiguous bytes of a row), two
 *   steps ahead of the one being multiplied; the query fragments come
 *   from global memory too, where 48 KiB of queries read by every warp
 *   stay cached.  Nothing is staged in local memory, so nothing waits
 *   for a barrier until the round's candidates.  (Blocks of more queries
 *   reread their fragments from the caches more than the rows from
 *   memory: the GEMM path serves them.)
 * Top-k: as in knn_scan.cl, each query has a list of CAP (2 ROUND, rounded
 *   up to a power of two) candidates in local memory and a threshold, its
 *   k-th best so far.  After a round, each lane appends the sums it holds
 *   that beat their query's threshold; when a list could overflow in the
 *   next round, every list is cut to its best k by a bitonic sort over all
 *   items, which lowers the thresholds.  The offer that fills a list sets
 *   the round's flag, which all items read after the round's barrier to
 *   agree on whether to cut; a round that cuts nothing needs no second
 *   barrier (the flags take turns, see FLAGS).  Thresholds settle within
 *   a few rounds, after which cuts are rare.  k <= ROUND, 16 <= WG.  A
 *   cut also keeps the score of the query's k-th best, and only sums
 *   that reach it are made candidates (all that could beat the
 *   threshold): a float compare a sum, where the top-k as a whole costs
 *   about 8 % of a search (below).
 *   The first two steps of a warp's next round are loaded before the
 *   round's candidates are offered, so that the loads stay in flight over
 *   the round's barriers.
 * Local memory: 16 * (CAP * 8 + 16) + 4 * FLAGS bytes.
 * Tunables: -DWG (items a group, a multiple of 32), -DNR (row tiles a
 *   warp), -DCW (chunks a step).
 * What does not bind it (an H100, 1M x 768, 1.25-1.27 ms a search, each
 *   variant timed beside it by tune): the tensor cores (the same loads and
 *   splits without any mma.sync: 1.27); the loop's instructions (unrolled
 *   by three, so that no registers rotate and a row's address is computed
 *   once a round: 1.29); the loads' shape (a quarter-warp reading 128
 *   contiguous bytes of a row: 1.28) or distance (L2 prefetches 1 to 8
 *   steps ahead: 1.26 to 1.98).  The kernel sits at about 128 registers, the
 *   most that 4 groups of 128 items allow: one more accumulator set for
 *   the corrections (1.32 to 1.62), or only the big * big product (1.62:
 *   the compiler schedules it otherwise), costs a group a compute unit.
 *   Staging the round's rows in local memory as knn_scan.cl does took
 *   1.33 at best; lists of each warp, with no barriers between the
 *   group's warps, 1.35.  What the candidates cost: without any offer,
 *   barrier or cut, a search took 1.14 to 1.18 ms, this kernel's bound as
 *   written.  Cutting all lists at once, agreed through the flags, took
 *   1.23 to 1.26 against 1.25 to 1.28 for a cut of each list by one item
 *   after a second barrier every round, in five of six same-run pairs on
 *   three H100s (1.29 against 1.28 in the sixth).  Split barriers (sm_80
 *   mbarrier: arrive after a round's offers, wait only after the next
 *   round's products, so that no warp waits for a slower one every round)
 *   were slower: 1.30 with parity waits, 1.52 with token waits.  They pay
 *   only with more warps a group (WG=256 NR=1: 1.38 against 1.61), still
 *   behind this row.  What is left: a warp keeps two steps (4 KiB) in
 *   flight in registers, 64 KiB an SM at 4 groups, where knn_scan.cl's
 *   one-query pass (94 % of the read's speed) keeps about 190 KiB, and
 *   every form with less in flight (CW=1, NR=1, 3 groups) was slower, the
 *   scan without any top-k too (1.21 to 1.69).  Streaming the steps
 *   through local memory with sm_80's cp.async, which needs no registers,
 *   is the next thing to measure.
 */
#if MMA

#define ROUND (WG / 32 * NR * 8)
/* Two rounds, rounded up to a power of two for topk_cut_lists' sort. */
#define CAP2 (2 * ROUND)
#define CAP (CAP2 <= 32 ? 32 : CAP2 <= 64 ? 64 : CAP2 <= 128 ? 128           \
             : CAP2 <= 256 ? 256 : CAP2 <= 512 ? 512 : 1024)
/* Round r's offers set flag r % FLAGS when one fills a list; every item
 * reads it after the round's barrier.  Item 0 clears flag r + 1 during
 * round r, between the barriers of rounds r - 1 and r: its readers (round
 * r - 2) are past the first, its writers (round r + 1) behind the second.
 * With two flags it would clear the one that round r - 1's items may still
 * be reading. */
#define FLAGS 3

/* topk_cut_lists over the @nb lists, which also sets @kth, the score of
 * the k-th best of each list that had k.  All items call it, after a
 * barrier; it ends with one. */
void
scan_mma_cut (__local ulong *cand, __local uint *count, __local ulong *thr,
              __local float *kth, uint nb, uint k)
{
  const uint lid = get_local_id (0);

  topk_cut_lists (cand, CAP, count, thr, nb, k);
  if (lid < nb && count[lid] == k)
    kth[lid] = key_score ((uint) (thr[lid] >> 32), 1);
  barrier (CLK_LOCAL_MEM_FENCE);
}

/* Step @s's CW float4s of the warp's rows from @first (row g of each
 * tile) into v; zeros past the rows or the columns.  A quarter-warp reads
 * 64 * CW contiguous bytes of a row. */
#define SCAN_MMA_LOAD(v, first, s)                                         \
  for (uint r = 0; r < NR; r++)                                            \
    for (uint w = 0; w < CW; w++)                                          \
      {                                                                    \
        uint row = (first) + r * 8 + g, col = ((s) * CW + w) * 4 + t4;     \
                                                                           \
        v[r][w] = row < n && col < ld4 ? x[(size_t) row * ld4 + col]       \
                                       : (float4) (0.0f);                  \
      }

/* Step @p of the warp's steps counted from round @first's first into v:
 * a round has `steps`, the next round's rows are groups * ROUND further
 * (p < 3 steps). */
#define SCAN_MMA_LOAD_AHEAD(v, first, p)                                   \
  do {                                                                     \
      uint step_ = (p), first_ = (first);                                  \
                                                                           \
      while (step_ >= steps)                                               \
        {                                                                  \
          step_ -= steps;                                                  \
          first_ += groups * ROUND;                                        \
        }                                                                  \
      SCAN_MMA_LOAD (v, first_, step_);                                    \
  } while (0)

/* Step @s's float4s of queries g and g + 8 into lo and hi. */
#define SCAN_MMA_QUERY(lo, hi, s)                                          \
  for (uint w = 0; w < CW; w++)                                            \
    {                                                                      \
      uint col = ((s) * CW + w) * 4 + t4;                                  \
                                                                           \
      lo[w] = col < ld4 && g < nb ? qlo[col] : (float4) (0.0f);            \
      hi[w] = col < ld4 && g + 8 < nb ? qhi[col] : (float4) (0.0f);        \
    }

__kernel __attribute__ ((reqd_work_group_size (WG, 1, 1))) void
knn_scan_mma_ip (const __global float4 *x, uint n, uint ld4,
                 const __global float4 *q, uint q0, uint nb, uint k,
                 __global ulong *out)
{
  __local ulong cand[16 * CAP];
  __local uint count[16];
  __local ulong thr[16];
  __local float kth[16];
  __local uint filled[FLAGS];
  const uint lid = get_local_id (0), lane = lid % 32, warp = lid / 32;
  const uint g = lane / 4, t4 = lane % 4;
  const uint rounds = (n + ROUND - 1) / ROUND, groups = get_num_groups (0);
  const uint steps = (ld4 + 4 * CW - 1) / (4 * CW);
  const __global float4 *qlo = q + (size_t) (q0 + g) * ld4;
  const __global float4 *qhi = qlo + 8 * (size_t) ld4;

  /* Steps s + 1 and s + 2 are on their way while s is multiplied: 2 * CW
   * chunks of every warp in flight keep the memory busy. */
  float4 xv[NR][CW], xw[NR][CW];

  for (uint j = lid; j < 16; j += WG)
    {
      count[j] = 0;
      thr[j] = ULONG_MAX;
      kth[j] = -INFINITY;
    }
  for (uint f = lid; f < FLAGS; f += WG)
    filled[f] = 0;
  SCAN_MMA_LOAD_AHEAD (xv, get_group_id (0) * ROUND + warp * NR * 8, 0);
  SCAN_MMA_LOAD_AHEAD (xw, get_group_id (0) * ROUND + warp * NR * 8, 1);
  barrier (CLK_LOCAL_MEM_FENCE);

  for (uint round = get_group_id (0), turn = 0; round < rounds;
       round += groups, turn = turn + 1 < FLAGS ? turn + 1 : 0)
    {
      const uint r0 = round * ROUND + warp * NR * 8;
      float acc[NR][4];
      float4 lo[CW], hi[CW];

      for (uint r = 0; r < NR; r++)
        for (uint e = 0; e < 4; e++)
          acc[r][e] = 0.0f;
      SCAN_MMA_QUERY (lo, hi, 0);
      for (uint s = 0; s < steps; s++)
        {
          float4 xc[NR][CW], qc_lo[CW], qc_hi[CW];

          for (uint w = 0; w < CW; w++)
            {
              for (uint r = 0; r < NR; r++)
                {
                  xc[r][w] = xv[r][w];
                  xv[r][w] = xw[r][w];
                }
              qc_lo[w] = lo[w];
              qc_hi[w] = hi[w];
            }
          /* Past the round's last step, the next round's first. */
          SCAN_MMA_LOAD_AHEAD (xw, r0, s + 2);
          SCAN_MMA_QUERY (lo, hi, s + 1);
#pragma unroll
          for (uint ks = 0; ks < 2 * CW; ks++)
            {
              const uint w = ks / 2;
              uint abig[4], asmall[4], bbig[NR][2], bsmall[NR][2];

              MMA_FRAG_A (qc_lo[w], qc_hi[w], ks % 2, abig, asmall);
              for (uint r = 0; r < NR; r++)
                MMA_FRAG_B (xc[r][w], ks % 2, bbig[r], bsmall[r]);
              /* The three products of a tile depend on each other through
               * its sums: the other tiles' go between them. */
              for (uint r = 0; r < NR; r++)
                MMA_TF32 (acc[r], asmall, bbig[r]);
              for (uint r = 0; r < NR; r++)
                MMA_TF32 (acc[r], abig, bsmall[r]);
              for (uint r = 0; r < NR; r++)
                MMA_TF32 (acc[r], abig, bbig[r]);
            }
        }

      if (lid == 0)
        filled[turn + 1 < FLAGS ? turn + 1 : 0] = 0;
      /* Lane (g, t) holds queries g, g + 8 and rows 2t, 2t + 1 of each
       * tile. */
      for (uint h = 0; h < 2; h++)
        {
          const uint j = g + 8 * h;
          const float kth_j = kth[j];

          if (j >= nb)
            continue;
          for (uint r = 0; r < NR; r++)
            for (uint e = 0; e < 2; e++)
              {
                const uint row = r0 + r * 8 + 2 * t4 + e;
                const float sum = acc[r][2 * h + e];

                /* Not sum >= kth_j: a NaN is offered, as it was before
                 * the filter. */
                if (row < n && !(sum < kth_j)
                    && topk_offer (cand, CAP, count, thr, j, sum, 1, row)
                       > CAP - ROUND)
                  filled[turn] = 1;
              }
        }
      barrier (CLK_LOCAL_MEM_FENCE);
      /* A list that could overflow in the next round: cut them all. */
      if (filled[turn])
        scan_mma_cut (cand, count, thr, kth, nb, k);
    }

  /* The last round's offers ended with a barrier: the lists are
   * complete. */
  topk_store_lists (cand, CAP, count, thr, nb, k, out);
}

#endif
