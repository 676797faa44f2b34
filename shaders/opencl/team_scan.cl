/* team_scan.cl: knn_scan.cl's one pass over the database for 1 or 4
 * queries (-DQB), over floats (4 queries: for one, knn_scan.cl's staging
 * keeps up with memory better) or, with -DSQ8=1, SQ8 codes, read straight
 * from global memory by teams of items, with the top-k fused in (compiled
 * after topk.cl).
 *
 * Layout: x is n rows of ld4 cells: float4s, or uints of 4 SQ8 codes
 *   decoded as min[c] + code * step[c]; q holds the queries in rows of
 *   ld4 * 4 floats, of which rows q0 .. q0 + nb (nb <= QB) are scored by
 *   one launch; out receives, for each of them and each work-group g, the
 *   group's best k candidates, sorted: out[(j * groups + g) * k + i] for
 *   query q0 + j (ULONG_MAX where the group saw fewer than k rows).
 * Work: a team is 32 consecutive items (a warp on NVIDIA; nothing relies
 *   on lock-step: its exchanges go through local memory between
 *   barriers).  A work-group of WG / 32 teams walks rounds of ROUND rows
 *   (round g, g + groups, ...), a team ROWS of them: 32 / QB over codes,
 *   the tunable RPT over floats (whose cells take four times the
 *   registers).  Lane L reads cell u = L, L + 32, ... of each of the
 *   team's rows: a load of the team is 128 (codes) or 512 (floats)
 *   contiguous bytes of one row (codes with VEC > 1: cells L * VEC ..
 *   L * VEC + VEC - 1 and on, VEC * 128 bytes, where ld4 % VEC == 0 keeps
 *   the vector loads aligned), and the ROWS loads of a column are all
 *   issued before any is used, so every lane has ROWS loads in flight.
 *   (A row an item would make each load touch 32 rows, a wavefront each,
 *   with one load in flight.)  The lane keeps ROWS x QB <= 32 partial
 *   sums; its column's constants come from local memory once for all ROWS
 *   rows.  The 32 lanes' partials are then transposed through local
 *   memory, and lane L sums the 32 partials of output L: one (row, query)
 *   score a lane.
 * Decoding: 2^23 + c (0 <= c < 256) is the float with c in its low
 *   mantissa bits, so c is as_float (0x4B000000 | c) - 2^23, exactly:
 *   bitwise operations and an add, where convert_float4 would run on
 *   NVIDIA's conversion unit (16 a clock per SM: the whole time budget).
 * Scores: floats: squared L2 from differences, or inner products.  Codes:
 *   squared L2 as sum (qm - step * c)^2 with qm = q - min; inner products
 *   as q.min + sum (q * step) * c, q.min split over the lanes by column so
 *   that the reduction adds it once; times qinv[q0 + j] * xinv[row] when
 *   cosine (decoded rows are not unit length).
 * Top-k: as knn_scan.cl's: a list of CAP = 2 WG candidates a query and a
 *   threshold; after a round each lane appends its score when it beats
 *   the threshold, and a list that could overflow in the next round (more
 *   than CAP - ROUND) is cut to k (topk_cut_lists).  k <= WG.
 * Local memory: QB * CAP * 8 + WG * 33 * 4 + QB * 12 bytes, and the
 *   `cst` argument: QB * ld4 float4s (q, or q * step for codes), and ld4
 *   more under L2 over codes (qm, then step).
 * Options: -DQB (1 or 4) and -DSQ8 of the family; -DWG (items a group, a
 *   power of two from 32), -DRPT (floats: rows a team, RPT * QB <= 32),
 *   -DPRMT (codes: 1 decodes with PTX's byte permute, NVIDIA only) and
 *   -DVEC (codes: cells a load, 1, 2 or 4) of its tuning row.
 * Tried over 1M x 768 codes on an H100 (one query, 0.325-0.344 ms a search
 *   with the NVIDIA row): a lane's next loads issued before its current
 *   column is summed, across rounds too (0.32-0.43), and 16 or 8 rows a
 *   team (0.33-0.44), each team's columns streamed through a ring of 3
 *   to 7 stages in local memory with sm_80's cp.async, as knn_scan_mma.cl
 *   does (0.33-0.42 against 0.34 for the row, in the same tune run): none
 *   gained more than run-to-run noise, and the kernel already takes 128
 *   registers.
 */
#ifndef VEC
#define VEC 1
#endif
#if SQ8
typedef uint cell;
#define CELL_ZERO 0u
#define ROWS (TEAM / QB)
#if VEC == 2
typedef uint2 cellv;
#define CELLV_AT(v, i) ((i) == 0 ? (v).x : (v).y)
#elif VEC == 4
typedef uint4 cellv;
#define CELLV_AT(v, i) \
  ((i) == 0 ? (v).x : (i) == 1 ? (v).y : (i) == 2 ? (v).z : (v).w)
#endif
#else
typedef float4 cell;
#define CELL_ZERO ((float4) (0.0f))
#define ROWS RPT
#endif
#define TEAM 32
#define ROUND (WG / TEAM * ROWS)
#define CAP (2 * WG)
/* Row stride of a team's partials: 33 puts both the stores (a partial of
 * every lane) and the loads (the partials of one output) in 32 distinct
 * banks. */
#define RED_LD (TEAM + 1)

/* OpenCL 1.2 allows __local variables at kernel scope only. */
#define TEAM_SCAN_LOCALS                  \
  __local ulong cand[QB * CAP];           \
  __local float red[WG * RED_LD];         \
  __local uint count[QB];                 \
  __local ulong thr[QB]

/* The cell @w as four floats: codes decoded (see Decoding above). */
#if SQ8
#if PRMT
/* NVIDIA: one byte permute a code (PTX prmt: byte i of w under the byte
 * 0x4B of 2^23), where the portable path shifts and masks on the integer
 * units, which issue at half the rate of the float ones. */
float4
decode_cell (uint w)
{
  const uint big = 0x4B000000u;
  uint c0, c1, c2, c3;

  asm ("prmt.b32 %0, %1, %2, 0x7650;" : "=r" (c0) : "r" (w), "r" (big));
  asm ("prmt.b32 %0, %1, %2, 0x7651;" : "=r" (c1) : "r" (w), "r" (big));
  asm ("prmt.b32 %0, %1, %2, 0x7652;" : "=r" (c2) : "r" (w), "r" (big));
  asm ("prmt.b32 %0, %1, %2, 0x7653;" : "=r" (c3) : "r" (w), "r" (big));
  return as_float4 ((uint4) (c0, c1, c2, c3)) - 8388608.0f;
}
#else
float4
decode_cell (uint w)
{
  const uint4 c = ((uint4) (w) >> (uint4) (0, 8, 16, 24)) & 0xffu;

  return as_float4 (c | 0x4B000000u) - 8388608.0f;
}
#endif
#else
#define decode_cell(w) (w)
#endif

/* Adds column @col of the team's rows, @cells, to the lane's sums acc
 * (QB constants a column from cst).  A macro, so that the sums stay in
 * registers whatever the compiler's inlining. */
#define TEAM_ADD_COLUMN(cells, col)                                        \
  do {                                                                     \
      const float4 st = SQ8 && l2 ? cst[QB * ld4 + (col)]                  \
                                  : (float4) (1.0f);                       \
      float4 qc[QB];                                                       \
                                                                           \
      for (uint j = 0; j < QB; j++)                                        \
        qc[j] = cst[j * ld4 + (col)];                                      \
      for (uint r = 0; r < ROWS; r++)                                      \
        {                                                                  \
          const float4 c = decode_cell ((cells)[r]);                       \
                                                                           \
          for (uint j = 0; j < QB; j++)                                    \
            {                                                              \
              float s = acc[r][j];                                         \
                                                                           \
              if (l2)                                                      \
                {                                                          \
                  const float4 e = fma (-st, c, qc[j]);                    \
                                                                           \
                  s = fma (e.x, e.x, s);                                   \
                  s = fma (e.y, e.y, s);                                   \
                  s = fma (e.z, e.z, s);                                   \
                  s = fma (e.w, e.w, s);                                   \
                }                                                          \
              else                                                         \
                {                                                          \
                  s = fma (qc[j].x, c.x, s);                               \
                  s = fma (qc[j].y, c.y, s);                               \
                  s = fma (qc[j].z, c.z, s);                               \
                  s = fma (qc[j].w, c.w, s);                               \
                }                                                          \
              acc[r][j] = s;                                               \
            }                                                              \
        }                                                                  \
  } while (0)

void
team_scan (const __global cell *x, uint n, uint ld4, const __global float *q,
           uint q0, uint nb, uint k, __global ulong *out, const int l2,
           const __global float *min, const __global float *step,
           const __global float *qinv, const __global float *xinv,
           __local float4 *cst, __local ulong *cand, __local float *red,
           __local uint *count, __local ulong *thr)
{
  const uint lid = get_local_id (0), lane = lid % TEAM;
  const uint rounds = (n + ROUND - 1) / ROUND, groups = get_num_groups (0);
  __local float *sums = red + lid / TEAM * TEAM * RED_LD;
#if VEC > 1
  const __global cellv *xv = (const __global cellv *) x;
#endif
  float base[QB];

  q += (size_t) q0 * ld4 * 4;
  for (uint j = lid; j < QB; j += WG)
    {
      count[j] = 0;
      thr[j] = ULONG_MAX;
    }
  /* Queries past nb score zeros; their sums are never kept. */
  for (uint i = lid; i < QB * ld4; i += WG)
    {
      const float4 qv = i / ld4 < nb ? vload4 (i, q) : (float4) (0.0f);

#if SQ8
      cst[i] = l2 ? qv - vload4 (i % ld4, min) : qv * vload4 (i % ld4, step);
#else
      cst[i] = qv;
#endif
    }
  if (SQ8 && l2)
    for (uint u = lid; u < ld4; u += WG)
      cst[QB * ld4 + u] = vload4 (u, step);
  for (uint j = 0; j < QB; j++)
    {
      base[j] = 0.0f;
      if (SQ8 && !l2 && j < nb)
        for (uint u = lane; u < ld4; u += TEAM)
          base[j] += dot (vload4 (u, q + (size_t) j * ld4 * 4),
                          vload4 (u, min));
    }
  barrier (CLK_LOCAL_MEM_FENCE);

  for (uint round = get_group_id (0); round < rounds; round += groups)
    {
      const uint r0 = round * ROUND + lid / TEAM * ROWS;
      float acc[ROWS][QB];

      for (uint r = 0; r < ROWS; r++)
        for (uint j = 0; j < QB; j++)
          acc[r][j] = base[j];
#if VEC > 1
      /* VEC cells a load where the rows allow it (aligned: ld4 % VEC ==
       * 0), a load of the team then VEC * 128 contiguous bytes. */
      if (ld4 % VEC == 0)
        for (uint uv = lane; uv < ld4 / VEC; uv += TEAM)
          {
            cellv w[ROWS];

            for (uint r = 0; r < ROWS; r++)
              w[r] = r0 + r < n ? xv[(size_t) (r0 + r) * (ld4 / VEC) + uv]
                                : (cellv) (0);
            for (uint i = 0; i < VEC; i++)
              {
                cell wi[ROWS];

                for (uint r = 0; r < ROWS; r++)
                  wi[r] = CELLV_AT (w[r], i);
                TEAM_ADD_COLUMN (wi, uv * VEC + i);
              }
          }
      else
#endif
        for (uint u = lane; u < ld4; u += TEAM)
          {
            cell w[ROWS];

            for (uint r = 0; r < ROWS; r++)
              w[r] = r0 + r < n ? x[(size_t) (r0 + r) * ld4 + u] : CELL_ZERO;
            TEAM_ADD_COLUMN (w, u);
          }

      /* Output o = r * QB + j of the team is row r0 + r, query j; lane L
       * sums output L, if there is one. */
      for (uint r = 0; r < ROWS; r++)
        for (uint j = 0; j < QB; j++)
          sums[(r * QB + j) * RED_LD + lane] = acc[r][j];
      barrier (CLK_LOCAL_MEM_FENCE);
      {
        const uint row = r0 + lane / QB, j = lane % QB;
        float s = 0.0f;

        for (uint m = 0; m < TEAM; m++)
          s += sums[lane * RED_LD + m];
        if (lane < ROWS * QB && row < n && j < nb)
          topk_offer (cand, CAP, count, thr, j,
                      xinv != 0 ? s * qinv[q0 + j] * xinv[row] : s, !l2, row);
      }
      barrier (CLK_LOCAL_MEM_FENCE);
      topk_cut_filling (cand, CAP, count, thr, nb, k, ROUND);
    }

  /* The last round ended with a barrier: the lists are complete. */
  topk_store_lists (cand, CAP, count, thr, nb, k, out);
}

__kernel __attribute__ ((reqd_work_group_size (WG, 1, 1))) void
team_scan_ip (const __global cell *x, uint n, uint ld4,
              const __global float *q, uint q0, uint nb, uint k,
              __global ulong *out, const __global float *min,
              const __global float *step, const __global float *qinv,
              const __global float *xinv, __local float4 *cst)
{
  TEAM_SCAN_LOCALS;

  team_scan (x, n, ld4, q, q0, nb, k, out, 0, min, step, qinv, xinv, cst,
             cand, red, count, thr);
}

__kernel __attribute__ ((reqd_work_group_size (WG, 1, 1))) void
team_scan_l2 (const __global cell *x, uint n, uint ld4,
              const __global float *q, uint q0, uint nb, uint k,
              __global ulong *out, const __global float *min,
              const __global float *step, const __global float *qinv,
              const __global float *xinv, __local float4 *cst)
{
  TEAM_SCAN_LOCALS;

  team_scan (x, n, ld4, q, q0, nb, k, out, 1, min, step, qinv, xinv, cst,
             cand, red, count, thr);
}
