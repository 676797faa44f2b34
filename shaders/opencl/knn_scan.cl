/* knn_scan.cl: exact k-NN of a few queries in one pass over the database,
 * with the top-k fused in (compiled after topk.cl).
 *
 * Layout: x is n rows of ld floats (ld a multiple of 4, padding zero), or
 *   with -DSQ8 n rows of ld SQ8 codes, decoded as min[c] + code * step[c]
 *   when staged (sq.cl's decoding; sq8_scan.cl serves 1 and 4 queries
 *   over codes without staging them);
 *   q holds the queries in rows of ld floats, of which rows q0 .. q0 + nb
 *   (nb <= QB) are scored by one launch; out receives, for each of them and
 *   each work-group g, the group's best k candidates, sorted:
 *   out[(j * groups + g) * k + i] for query q0 + j (ULONG_MAX where the
 *   group saw fewer than k rows).
 * Work: a work-group walks tiles of TILE = WG * RPI database rows (tile g,
 *   g + groups, ...); an item scores RPI rows (lid, lid + WG, ...) against
 *   the QB queries, RPI x QB accumulators in registers.  Each chunk of TK
 *   columns of the tile is staged in local memory column-major (coalesced
 *   float4 loads; reads by row are then conflict-free), and so are the
 *   queries' same columns, read four at a time as broadcasts: per column an
 *   item makes RPI + QB / 4 local reads for RPI * QB fused multiply-adds.
 *   The next chunk is read into registers while the current one is
 *   multiplied.  Scores are accumulated in k order with fma, as distance.cl
 *   does.
 * Top-k: every query has a list of CAP = 2 WG candidates in local memory
 *   and a threshold, its k-th best candidate so far (ULONG_MAX until it has
 *   k).  After a tile, in RPI rounds, each item appends its row of the round
 *   to a query's list when it beats the threshold; a list that could
 *   overflow in the next round is sorted and cut to k (topk.cl's
 *   topk_cut_lists), which lowers the threshold.  Few rows pass once the
 *   thresholds settle, so the scan stays bound by memory for one query and
 *   by arithmetic for many.
 *   k <= WG.
 * Local memory: QB * CAP * 8 + TK * (TILE + 2) * 4 + TK * QB * 4 bytes.
 * Scores: squared L2 from differences, or inner products, times
 *   qinv[q0 + j] * xinv[row] when cosine (the SQ index's decoded rows are
 *   not unit length; the flat index normalises instead).
 * Tunables: -DWG (items a group), -DRPI (rows an item), -DQB (queries a
 *   launch), -DTK (columns a chunk, a multiple of 4).
 */
#ifdef SQ8
typedef uchar4 cell4;
#define CELL4_ZERO ((uchar4) (0))
#else
typedef float4 cell4;
#define CELL4_ZERO ((float4) (0.0f))
#endif
#define CAP (2 * WG)
#define TILE (WG * RPI)
/* Row stride of the staged tile: 2 more than TILE, so that the transposing
 * stores of one warp (8 rows x 4 float4 columns) hit 32 distinct banks. */
#define XS_LD (TILE + 2)
/* float4 of rows and floats of queries an item stages a chunk. */
#define XL (RPI * TK / 4)
#define QL ((QB * TK + WG - 1) / WG)

/* Reads chunk @chunk of tile @tile (rows and queries) into rx and rq. */
#define SCAN_LOAD(tile, chunk)                                             \
  do {                                                                     \
      for (uint e = 0; e < XL; e++)                                        \
        {                                                                  \
          uint idx = lid + e * WG, r = (tile) * TILE + idx / (TK / 4);     \
          uint c = (chunk) * (TK / 4) + idx % (TK / 4);                    \
                                                                           \
          rx[e] = (tile) < tiles && r < n && c < ld4                       \
                  ? x[(size_t) r * ld4 + c] : CELL4_ZERO;                  \
        }                                                                  \
      for (uint e = 0; e < QL; e++)                                        \
        {                                                                  \
          uint idx = lid + e * WG, j = idx / TK;                           \
          uint col = (chunk) * TK + idx % TK;                              \
                                                                           \
          rq[e] = j < nb && col < ld4 * 4 ? q[(size_t) j * ld4 * 4 + col]  \
                                          : 0.0f;                          \
        }                                                                  \
  } while (0)

/* OpenCL 1.2 allows __local variables at kernel scope only. */
#define SCAN_LOCALS                       \
  __local ulong cand[QB * CAP];           \
  __local float xs[TK * XS_LD];           \
  __local float4 qs4[TK * QB / 4];        \
  __local uint count[QB];                 \
  __local ulong thr[QB]

void
scan_body (const __global cell4 *x, uint n, uint ld4,
           const __global float *q, uint q0, uint nb, uint k,
           __global ulong *out, const int l2, const __global float *min,
           const __global float *step, const __global float *qinv,
           const __global float *xinv, __local ulong *cand,
           __local float *xs, __local float4 *qs4, __local uint *count,
           __local ulong *thr)
{
  __local float *qs = (__local float *) qs4;
  const uint lid = get_local_id (0);
  const uint tiles = (n + TILE - 1) / TILE, groups = get_num_groups (0);
  const uint chunks = (ld4 + TK / 4 - 1) / (TK / 4);
  cell4 rx[XL];
  float rq[QL];

  q += (size_t) q0 * ld4 * 4;
  for (uint j = lid; j < QB; j += WG)
    {
      count[j] = 0;
      thr[j] = ULONG_MAX;
    }

  /* The chunk after the one being multiplied is already on its way from
   * global memory into registers, so loads are always in flight. */
  SCAN_LOAD (get_group_id (0), 0);
  for (uint tile = get_group_id (0); tile < tiles; tile += groups)
    {
      float acc[RPI][QB];

      for (uint r = 0; r < RPI; r++)
        for (uint j = 0; j < QB; j++)
          acc[r][j] = 0.0f;
      for (uint chunk = 0; chunk < chunks; chunk++)
        {
          /* The previous chunk (or tile's filter) is done with xs, qs. */
          barrier (CLK_LOCAL_MEM_FENCE);
#ifdef SQ8
          /* An item always stages the same four columns of a chunk (WG is
           * a multiple of TK / 4): their codec constants are read once. */
          const uint col = chunk * TK + 4 * (lid % (TK / 4));
          const float4 mn = col < ld4 * 4 ? vload4 (0, min + col) : (float4) (0.0f);
          const float4 st = col < ld4 * 4 ? vload4 (0, step + col) : (float4) (0.0f);
#endif
          for (uint e = 0; e < XL; e++)
            {
              uint idx = lid + e * WG, r = idx / (TK / 4);
              uint c = 4 * (idx % (TK / 4));
#ifdef SQ8
              /* Columns past d decode to 0, as the float padding is. */
              float4 v = mn + convert_float4 (rx[e]) * st;
#else
              float4 v = rx[e];
#endif

              xs[(c + 0) * XS_LD + r] = v.x;
              xs[(c + 1) * XS_LD + r] = v.y;
              xs[(c + 2) * XS_LD + r] = v.z;
              xs[(c + 3) * XS_LD + r] = v.w;
            }
          for (uint e = 0; e < QL; e++)
            if (lid + e * WG < QB * TK)
              {
                uint idx = lid + e * WG;

                qs[(idx % TK) * QB + idx / TK] = rq[e];
              }
          barrier (CLK_LOCAL_MEM_FENCE);
          if (chunk + 1 < chunks)
            SCAN_LOAD (tile, chunk + 1);
          else
            SCAN_LOAD (tile + groups, 0);
          for (uint kk = 0; kk < TK; kk++)
            {
              float xv[RPI];

              for (uint r = 0; r < RPI; r++)
                xv[r] = xs[kk * XS_LD + lid + r * WG];
              for (uint j = 0; j < QB; j += 4)
                {
                  const float4 qv = QB % 4 == 0
                                    ? qs4[(kk * QB + j) / 4]
                                    : (float4) (qs[kk * QB + j], 0, 0, 0);
                  const float qj[4] = { qv.x, qv.y, qv.z, qv.w };

                  for (uint t = 0; t < 4 && j + t < QB; t++)
                    for (uint r = 0; r < RPI; r++)
                      {
                        if (l2)
                          {
                            float e = qj[t] - xv[r];
                            acc[r][j + t] = fma (e, e, acc[r][j + t]);
                          }
                        else
                          acc[r][j + t] = fma (qj[t], xv[r], acc[r][j + t]);
                      }
                }
            }
        }

      for (uint r = 0; r < RPI; r++)
        {
          const uint row = tile * TILE + r * WG + lid;

          if (row < n)
            for (uint j = 0; j < nb; j++)
              topk_offer (cand, CAP, count, thr, j,
                          xinv != 0 ? acc[r][j] * qinv[q0 + j] * xinv[row]
                                    : acc[r][j], !l2, row);
          barrier (CLK_LOCAL_MEM_FENCE);
          topk_cut_filling (cand, CAP, count, thr, nb, k, WG);
        }
    }

  barrier (CLK_LOCAL_MEM_FENCE);
  topk_store_lists (cand, CAP, count, thr, nb, k, out);
}

__kernel __attribute__ ((reqd_work_group_size (WG, 1, 1))) void
knn_scan_ip (const __global cell4 *x, uint n, uint ld4,
             const __global float *q, uint q0, uint nb, uint k,
             __global ulong *out, const __global float *min,
             const __global float *step, const __global float *qinv,
             const __global float *xinv)
{
  SCAN_LOCALS;

  scan_body (x, n, ld4, q, q0, nb, k, out, 0, min, step, qinv, xinv, cand,
             xs, qs4, count, thr);
}

__kernel __attribute__ ((reqd_work_group_size (WG, 1, 1))) void
knn_scan_l2 (const __global cell4 *x, uint n, uint ld4,
             const __global float *q, uint q0, uint nb, uint k,
             __global ulong *out, const __global float *min,
             const __global float *step, const __global float *qinv,
             const __global float *xinv)
{
  SCAN_LOCALS;

  scan_body (x, n, ld4, q, q0, nb, k, out, 1, min, step, qinv, xinv, cand,
             xs, qs4, count, thr);
}
