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
 *   8 rows of a round, NR m16n8 sums in registers.  Its rows stream
 *   through a ring of STAGES steps in local memory, each step CW chunks
 *   of 16 columns of its rows (a quarter-warp copies 64 * CW contiguous
 *   bytes of a row): sm_80's cp.async copies step s + STAGES - 1 while s
 *   is multiplied, with no registers held for the copies in flight, and
 *   only the warp waits for its own copies (bar.warp.sync), never the
 *   group.  The query fragments come from global memory, where 48 KiB of
 *   queries read by every warp stay cached.  (Blocks of more queries
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
 *   threshold): a float compare a sum, where the top-k as a whole cost
 *   about 8 % of a search in the register form (below).
 *   A warp's copies run on into its next round, over the round's
 *   barriers.
 * Local memory: 16 * (CAP * 8 + 16) + 4 * FLAGS bytes, and the rings:
 *   WG / 32 * STAGES * NR * 8 * CW * 64 bytes.
 * Tunables: -DWG (items a group, a multiple of 32), -DNR (row tiles a
 *   warp), -DCW (chunks a step), -DSTAGES (steps a ring, 2 to 7).
 * Measured on an H100 over 1M x 768, each variant timed beside the
 *   others by tune.  Before the rings, a warp's rows went from global
 *   memory straight into B fragments, two steps ahead in registers (4
 *   KiB a warp in flight, 64 KiB an SM at 4 groups of 128 items, where
 *   knn_scan.cl's one-query pass keeps about 190 KiB): 1.27-1.30 ms a
 *   search, against 1.18-1.21 with rings of 2 to 5 steps (WG=64 NR=2
 *   CW=2 GROUPS_PER_CU=8 STAGES=4: 1.16 ms in suite knn, PyTorch 1.87).
 *   Without any offer, barrier or cut the register form took 1.14 to
 *   1.18 ms: the rings bring the search to about that bound.  What did
 *   not pay, in the register form: leaving out the mma.sync (1.27: the
 *   tensor cores do not bind it); unrolling the loop by three (1.29); a
 *   quarter-warp reading 128 contiguous bytes (1.28); L2 prefetches 1 to
 *   8 steps ahead (1.26 to 1.98); a fourth accumulator set for the
 *   corrections, or only the big * big product (1.32 to 1.62: a group
 *   less a compute unit); staging the round's rows as knn_scan.cl does
 *   (1.33); lists of each warp, with no barriers between warps (1.35);
 *   split barriers (sm_80 mbarrier: 1.30 with parity waits, 1.52 with
 *   tokens).  Cutting all lists at once, agreed through the flags, beat a
 *   cut of each list after a second barrier every round in five of six
 *   same-run pairs on three H100s (1.23-1.26 against 1.25-1.28).
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

/* Step @s's float4s of queries g and g + 8 into lo and hi. */
#define SCAN_MMA_QUERY(lo, hi, s)                                          \
  for (uint w = 0; w < CW; w++)                                            \
    {                                                                      \
      uint col = ((s) * CW + w) * 4 + t4;                                  \
                                                                           \
      lo[w] = col < ld4 && g < nb ? qlo[col] : (float4) (0.0f);            \
      hi[w] = col < ld4 && g + 8 < nb ? qhi[col] : (float4) (0.0f);        \
    }

/* A step of a warp in local memory: NR * 8 rows of CW * 4 float4s. */
#define STAGE4 (NR * 8 * CW * 4)
/* Where float4 @c of row @row of a stage lies: with an even CW odd rows
 * swap their 64-byte chunks pairwise, so that a quarter-warp's fragment
 * reads (rows g and g + 1, 64 bytes each) fall in distinct banks. */
#define STAGE_AT(row, c) \
  ((row) * CW * 4 + (CW % 2 == 0 ? (c) ^ (((row) & 1) << 2) : (c)))

void
scan_mma_cp_async (__local float4 *dst, const __global float4 *src, uint bytes)
{
  asm volatile ("cp.async.cg.shared.global [%0], [%1], 16, %2;"
                :: "l" ((ulong) dst), "l" (src), "r" (bytes) : "memory");
}

void
scan_mma_commit (void)
{
  asm volatile ("cp.async.commit_group;" ::: "memory");
}

/* Until at most STAGES - 1 of the item's groups of copies are pending: at
 * step p, groups 0 .. p + STAGES - 1 are committed and p must be in. */
void
scan_mma_wait_stage (void)
{
#if STAGES == 2
  asm volatile ("cp.async.wait_group 1;" ::: "memory");
#elif STAGES == 3
  asm volatile ("cp.async.wait_group 2;" ::: "memory");
#elif STAGES == 4
  asm volatile ("cp.async.wait_group 3;" ::: "memory");
#elif STAGES == 5
  asm volatile ("cp.async.wait_group 4;" ::: "memory");
#elif STAGES == 6
  asm volatile ("cp.async.wait_group 5;" ::: "memory");
#else
  asm volatile ("cp.async.wait_group 6;" ::: "memory");
#endif
}

void
scan_mma_warp_sync (void)
{
  asm volatile ("bar.warp.sync 0xffffffff;" ::: "memory");
}

/* Copies the warp's next step (issue_round, issue_step) into slot
 * @slot of its ring, zeros past the rows or the columns, and moves on;
 * past the last round it copies nothing.  Either way one commit. */
#define SCAN_MMA_ISSUE(slot)                                               \
  do {                                                                     \
      if (issue_round < rounds)                                            \
        {                                                                  \
          const uint first_ = issue_round * ROUND + warp * NR * 8;         \
                                                                           \
          for (uint e = 0; e < NR * CW; e++)                               \
            {                                                              \
              const uint c = lane + 32 * e, row = c / (CW * 4);            \
              const uint col = issue_step * CW * 4 + c % (CW * 4);         \
              const bool ok = first_ + row < n && col < ld4;               \
                                                                           \
              scan_mma_cp_async (ring + (slot) * STAGE4                     \
                                 + STAGE_AT (row, c % (CW * 4)),           \
                                 ok ? x + (size_t) (first_ + row) * ld4    \
                                      + col : x, ok ? 16 : 0);             \
            }                                                              \
          if (++issue_step == steps)                                       \
            {                                                              \
              issue_step = 0;                                              \
              issue_round += groups;                                       \
            }                                                              \
        }                                                                  \
      scan_mma_commit ();                                                  \
  } while (0)

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
  __local float4 rings[WG / 32 * STAGES * STAGE4];
  __local float4 *ring = rings + warp * STAGES * STAGE4;
  /* The step the warp copies next, and the ring's slots being filled and
   * read. */
  uint issue_round = get_group_id (0), issue_step = 0;
  uint issue_slot = 0, read_slot = 0;

  for (uint j = lid; j < 16; j += WG)
    {
      count[j] = 0;
      thr[j] = ULONG_MAX;
      kth[j] = -INFINITY;
    }
  for (uint f = lid; f < FLAGS; f += WG)
    filled[f] = 0;
  for (uint p = 0; p + 1 < STAGES; p++)
    {
      SCAN_MMA_ISSUE (issue_slot);
      issue_slot++;
    }
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

          /* Every lane is done with the slot the next copies go to. */
          scan_mma_warp_sync ();
          SCAN_MMA_ISSUE (issue_slot);
          issue_slot = issue_slot + 1 < STAGES ? issue_slot + 1 : 0;
          scan_mma_wait_stage ();
          /* And every lane's copies of this step have landed. */
          scan_mma_warp_sync ();
          for (uint w = 0; w < CW; w++)
            {
              for (uint r = 0; r < NR; r++)
                xc[r][w] = ring[read_slot * STAGE4
                                + STAGE_AT (r * 8 + g, w * 4 + t4)];
              qc_lo[w] = lo[w];
              qc_hi[w] = hi[w];
            }
          read_slot = read_slot + 1 < STAGES ? read_slot + 1 : 0;
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
