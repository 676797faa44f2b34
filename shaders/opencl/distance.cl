/* distance.cl: blocks of query x database scores.
 *
 * Computes out[i * ldo + j] = score (q[q0 + i], x[x0 + j]) for i < nq,
 * j < nx (q0 and x0 are row offsets into the buffers), where
 *   distance_l2: sum_k (q - x)^2, from differences rather than the norm
 *     expansion |q|^2 + |x|^2 - 2 q.x, so that equal rows score exactly 0
 *     (as in ref) and near neighbours lose no digits to cancellation;
 *   distance_ip: sum_k q * x, times qinv[q0 + i] * xinv[x0 + j] when qinv is
 *     not NULL: cosine from precomputed inverse norms (0 for zero rows).
 * Layout: q and x are row-major with ldq and ldx floats a row; out is
 *   row-major with ldo floats a row; accumulation is fp32 with fma.
 * Work: a work-group of RTS x RTS items (RTS = TS / WPT) computes one
 *   TS x TS block (group 0 walks x, group 1 walks q); each item owns WPT x WPT
 *   outputs spaced RTS apart, so local reads and global writes are
 *   contiguous across neighbouring items.  The d axis is walked in chunks of
 *   TK columns staged in local memory (padded rows: no bank conflicts).
 * Tunables: -DTS (block side, e.g. 64), -DWPT (outputs a side per item,
 *   e.g. 4), -DTK (d chunk, e.g. 16).  TS * TK must be a multiple of RTS^2.
 * similarity.cl is compiled after this file and uses distance_block; sq.cl
 * uses distance_chunk.
 */
#define RTS (TS / WPT)

/* Adds one staged chunk of TK columns (qs, xs: TK rows of TS + 1 floats)
 * to the item's WPT x WPT share of a block, in k order.  sq.cl's blocks
 * use it too. */
void
distance_chunk (const __local float *qs, const __local float *xs,
                const int l2, float acc[WPT][WPT])
{
  const uint lx = get_local_id (0), ly = get_local_id (1);

  for (uint kk = 0; kk < TK; kk++)
    {
      float a[WPT], b[WPT];

      for (uint i = 0; i < WPT; i++)
        a[i] = qs[kk * (TS + 1) + ly + i * RTS];
      for (uint j = 0; j < WPT; j++)
        b[j] = xs[kk * (TS + 1) + lx + j * RTS];
      for (uint i = 0; i < WPT; i++)
        for (uint j = 0; j < WPT; j++)
          {
            if (l2)
              {
                float t = a[i] - b[j];
                acc[i][j] = fma (t, t, acc[i][j]);
              }
            else
              acc[i][j] = fma (a[i], b[j], acc[i][j]);
          }
    }
}

/* Accumulates the TS x TS block at rows q0.., x0.. into acc (the item's
 * WPT x WPT share).  Out-of-range rows and columns read as 0. */
void
distance_block (const __global float *q, uint ldq, uint nq,
                const __global float *x, uint ldx, uint nx, uint d,
                const int l2, __local float *qs, __local float *xs,
                float acc[WPT][WPT])
{
  const uint lx = get_local_id (0), ly = get_local_id (1);
  const uint lid = ly * RTS + lx;
  const uint qb = get_group_id (1) * TS, xb = get_group_id (0) * TS;

  for (uint i = 0; i < WPT; i++)
    for (uint j = 0; j < WPT; j++)
      acc[i][j] = 0.0f;

  for (uint k0 = 0; k0 < d; k0 += TK)
    {
      /* Consecutive items load consecutive columns of a row: coalesced. */
      for (uint e = lid; e < TS * TK; e += RTS * RTS)
        {
          uint r = e / TK, c = e % TK;
          uint k = k0 + c;

          qs[c * (TS + 1) + r] = (qb + r < nq && k < d)
                                 ? q[(size_t) (qb + r) * ldq + k] : 0.0f;
          xs[c * (TS + 1) + r] = (xb + r < nx && k < d)
                                 ? x[(size_t) (xb + r) * ldx + k] : 0.0f;
        }
      barrier (CLK_LOCAL_MEM_FENCE);
      distance_chunk (qs, xs, l2, acc);
      barrier (CLK_LOCAL_MEM_FENCE);
    }
}

void
distance_store (float acc[WPT][WPT], uint nq, uint nx,
                const __global float *qinv, const __global float *xinv,
                __global float *out, uint ldo)
{
  const uint lx = get_local_id (0), ly = get_local_id (1);
  const uint qb = get_group_id (1) * TS, xb = get_group_id (0) * TS;

  for (uint i = 0; i < WPT; i++)
    for (uint j = 0; j < WPT; j++)
      {
        uint r = qb + ly + i * RTS, c = xb + lx + j * RTS;

        if (r < nq && c < nx)
          out[(size_t) r * ldo + c] = qinv != 0
                                      ? acc[i][j] * qinv[r] * xinv[c]
                                      : acc[i][j];
      }
}

__kernel __attribute__ ((reqd_work_group_size (RTS, RTS, 1))) void
distance_l2 (const __global float *q, uint q0, uint ldq, uint nq,
             const __global float *x, uint x0, uint ldx, uint nx, uint d,
             __global float *out, uint ldo)
{
  __local float qs[TK * (TS + 1)];
  __local float xs[TK * (TS + 1)];
  float acc[WPT][WPT];

  distance_block (q + (size_t) q0 * ldq, ldq, nq, x + (size_t) x0 * ldx, ldx,
                  nx, d, 1, qs, xs, acc);
  distance_store (acc, nq, nx, 0, 0, out, ldo);
}

__kernel __attribute__ ((reqd_work_group_size (RTS, RTS, 1))) void
distance_ip (const __global float *q, uint q0, uint ldq, uint nq,
             const __global float *x, uint x0, uint ldx, uint nx, uint d,
             __global float *out, uint ldo,
             const __global float *qinv, const __global float *xinv)
{
  __local float qs[TK * (TS + 1)];
  __local float xs[TK * (TS + 1)];
  float acc[WPT][WPT];

  distance_block (q + (size_t) q0 * ldq, ldq, nq, x + (size_t) x0 * ldx, ldx,
                  nx, d, 0, qs, xs, acc);
  /* NULL norms mean plain inner products. */
  if (qinv != 0)
    distance_store (acc, nq, nx, qinv + q0, xinv + x0, out, ldo);
  else
    distance_store (acc, nq, nx, 0, 0, out, ldo);
}
