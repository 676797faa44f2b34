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

#if SQ8
/* SQ8 codes (-DSQ8=1, kernel sq8_scan_mma_ip): a cell of a row is 16
 * bytes of codes, and a row's inner product with a query is q.min + sum
 * (q * step) * code.  The tensor cores take fp16 operands: codes are
 * exact in fp16, and w = q * step, scaled by a power of two S that puts
 * its largest at 2^14, is split into big = fp16 (w S) and small = fp16
 * (w S - big): their sum is w S to about 2^-22 of it, which fp32 sums
 * of the exact products keep.  sq8_scan_mma_prep writes a block's big and
 * small fragments (qf) and each query's (q.min, 1 / S) (qs) beforehand.
 * Fragments of mma.sync m16n8k16: lane (g, t) holds A at rows g, g + 8,
 * k = 2t, 2t + 1 and 2t + 8, 2t + 9 (two halves a register), B at those
 * k of column g; the k index is a sum index, so as in tf32.cl any
 * assignment of columns to it is right if A and B agree: in k16 step i
 * of a chunk of 64 columns, lane (g, t) takes the four codes of its
 * uint i of the cell 16t .. 16t + 15 of row g, codes 0 and 1 as k = 2t,
 * 2t + 1 and codes 2 and 3 as k = 2t + 8, 2t + 9.  qf holds, for chunk
 * c, lane (g, t) and i, uint4 ((c * 8 + g) * 4 + t) * 8 + i: the big
 * halves (a0 .. a3 of the mma), then at + 4 the small ones. */

/* One m16n8k16 product of fp16 operands added into the fp32 sums c. */
#define MMA_F16(c, a, b)                                                   \
  asm ("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 "               \
       "{%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};"  \
       : "+f" (c[0]), "+f" (c[1]), "+f" (c[2]), "+f" (c[3])              \
       : "r" (a[0]), "r" (a[1]), "r" (a[2]), "r" (a[3]),                 \
         "r" (b[0]), "r" (b[1]))

/* Codes 2 @pair and 2 @pair + 1 of the four in @w as two fp16 halves: a
 * byte permute puts each under the byte 0x64 (the half 1024 + code), and
 * one f16x2 subtraction of 1024 leaves the codes, exactly. */
uint
sq8_codes_f16x2 (uint w, uint pair)
{
  const uint big = 0x64646464u, bias = 0x64006400u;
  uint h;

  if (pair == 0)
    asm ("prmt.b32 %0, %1, %2, 0x4140;" : "=r" (h) : "r" (w), "r" (big));
  else
    asm ("prmt.b32 %0, %1, %2, 0x4342;" : "=r" (h) : "r" (w), "r" (big));
  asm ("sub.f16x2 %0, %1, %2;" : "=r" (h) : "r" (h), "r" (bias));
  return h;
}

/* Where sq8_scan_mma_prep puts w of query @j and column @col, big (@part
 * 0) or small (1), in qf as halves: see the fragments above. */
uint
sq8_fragment_half (uint j, uint col, uint part)
{
  const uint chunk = col / 64, t = col % 64 / 16, i = col % 16 / 4;
  const uint pair = col % 4 / 2, e = col % 2;
  const uint quad = ((chunk * 8 + j % 8) * 4 + t) * 8 + 4 * part + i;

  return quad * 8 + (pair * 2 + j / 8) * 2 + e;
}

/* A block's qf and qs (see above) for queries q0 .. q0 + nb of q (rows of
 * d floats), zeros past nb and past d up to @chunks of 64 columns: one
 * work-group of WG items a query, 16 groups. */
__kernel __attribute__ ((reqd_work_group_size (WG, 1, 1))) void
sq8_scan_mma_prep (const __global float *q, uint q0, uint nb, uint d,
                   const __global float *min, const __global float *step,
                   uint chunks, __global half *qf, __global float2 *qs)
{
  __local float largest[WG], base[WG];
  const uint lid = get_local_id (0), j = get_group_id (0);
  const __global float *row = q + (size_t) (q0 + j) * d;
  float m = 0.0f, b = 0.0f, scale;

  for (uint c = lid; j < nb && c < d; c += WG)
    {
      m = fmax (m, fabs (row[c] * step[c]));
      b = fma (row[c], min[c], b);
    }
  largest[lid] = m;
  base[lid] = b;
  barrier (CLK_LOCAL_MEM_FENCE);
  /* Pairwise, for any WG (a multiple of 32, not always a power of two). */
  for (uint stride = 1; stride < WG; stride *= 2)
    {
      if (lid % (2 * stride) == 0 && lid + stride < WG)
        {
          largest[lid] = fmax (largest[lid], largest[lid + stride]);
          base[lid] += base[lid + stride];
        }
      barrier (CLK_LOCAL_MEM_FENCE);
    }
  /* 2^14 <= largest * scale < 2^15, below fp16's largest (65504). */
  scale = largest[0] > 0.0f ? ldexp (1.0f, 14 - ilogb (largest[0])) : 1.0f;
  for (uint c = lid; c < chunks * 64; c += WG)
    {
      const float w = j < nb && c < d ? row[c] * step[c] * scale : 0.0f;
      const uint at = sq8_fragment_half (j, c, 0);

      vstore_half_rte (w, at, qf);
      vstore_half_rte (w - vload_half (at, qf), sq8_fragment_half (j, c, 1),
                       qf);
    }
  if (lid == 0)
    qs[j] = (float2) (base[0], 1.0f / scale);
}
#endif

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

#if SQ8
__kernel __attribute__ ((reqd_work_group_size (WG, 1, 1))) void
sq8_scan_mma_ip (const __global float4 *x, uint n, uint ld4,
                 const __global uint4 *qf, uint q0, uint nb, uint k,
                 __global ulong *out, const __global float2 *qs)
#else
__kernel __attribute__ ((reqd_work_group_size (WG, 1, 1))) void
knn_scan_mma_ip (const __global float4 *x, uint n, uint ld4,
                 const __global float4 *q, uint q0, uint nb, uint k,
                 __global ulong *out)
#endif
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
#if SQ8
  /* The block's fragments of lane (g, t4), chunk 0. */
  const __global uint4 *qfl = qf + (g * 4 + t4) * 8;
#else
  const __global float4 *qlo = q + (size_t) (q0 + g) * ld4;
  const __global float4 *qhi = qlo + 8 * (size_t) ld4;
#endif
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
#if !SQ8
      float4 lo[CW], hi[CW];
#endif

      for (uint r = 0; r < NR; r++)
        for (uint e = 0; e < 4; e++)
          acc[r][e] = 0.0f;
#if !SQ8
      SCAN_MMA_QUERY (lo, hi, 0);
#endif
      for (uint s = 0; s < steps; s++)
        {
#if SQ8
          uint4 xc[NR][CW];
#else
          float4 xc[NR][CW], qc_lo[CW], qc_hi[CW];
#endif

          /* Every lane is done with the slot the next copies go to. */
          scan_mma_warp_sync ();
          SCAN_MMA_ISSUE (issue_slot);
          issue_slot = issue_slot + 1 < STAGES ? issue_slot + 1 : 0;
          scan_mma_wait_stage ();
          /* And every lane's copies of this step have landed. */
          scan_mma_warp_sync ();
#if SQ8
          for (uint w = 0; w < CW; w++)
            for (uint r = 0; r < NR; r++)
              xc[r][w] = as_uint4 (ring[read_slot * STAGE4
                                        + STAGE_AT (r * 8 + g, w * 4 + t4)]);
          read_slot = read_slot + 1 < STAGES ? read_slot + 1 : 0;
#pragma unroll
          for (uint w = 0; w < CW; w++)
            {
              const __global uint4 *f = qfl + (size_t) (s * CW + w) * 256;

              for (uint i = 0; i < 4; i++)
                {
                  const uint4 big = f[i], small = f[4 + i];
                  const uint a_big[4] = { big.x, big.y, big.z, big.w };
                  const uint a_small[4] = { small.x, small.y, small.z,
                                            small.w };
                  uint b[NR][2];

                  for (uint r = 0; r < NR; r++)
                    {
                      const uint c = i == 0 ? xc[r][w].x
                                     : i == 1 ? xc[r][w].y
                                     : i == 2 ? xc[r][w].z : xc[r][w].w;

                      b[r][0] = sq8_codes_f16x2 (c, 0);
                      b[r][1] = sq8_codes_f16x2 (c, 1);
                    }
                  for (uint r = 0; r < NR; r++)
                    MMA_F16 (acc[r], a_small, b[r]);
                  for (uint r = 0; r < NR; r++)
                    MMA_F16 (acc[r], a_big, b[r]);
                }
            }
#else
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
#endif
        }

      if (lid == 0)
        filled[turn + 1 < FLAGS ? turn + 1 : 0] = 0;
      /* Lane (g, t) holds queries g, g + 8 and rows 2t, 2t + 1 of each
       * tile. */
      for (uint h = 0; h < 2; h++)
        {
          const uint j = g + 8 * h;
          const float kth_j = kth[j];
#if SQ8
          const float2 base_scale = qs[j];
#endif

          if (j >= nb)
            continue;
          for (uint r = 0; r < NR; r++)
            for (uint e = 0; e < 2; e++)
              {
                const uint row = r0 + r * 8 + 2 * t4 + e;
#if SQ8
                const float sum = fma (acc[r][2 * h + e], base_scale.y,
                                       base_scale.x);
#else
                const float sum = acc[r][2 * h + e];
#endif

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
