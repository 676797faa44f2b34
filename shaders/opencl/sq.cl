/* sq.cl: scalar quantisation (SQ8, SQ4): encode, decode, and scores of
 * float queries against codes decoded on the fly.
 *
 * Codes: rows of code_size bytes; SQ8 one byte a dimension, SQ4 two
 *   dimensions a byte, the even one in the low nibble (sq4 != 0).
 *   Encoding is t = (x - min) * inv rounded half up and clamped to
 *   [0, levels]; decoding is min + code * step (see vl-sq-private.h, which
 *   the host backends follow with the same fp32 constants).
 * Layout: x and out are contiguous rows of d floats.
 *   sq_encode: one item a byte of codes, 1-D over n * code_size bytes, so
 *     neighbouring items write neighbouring bytes whatever d is.
 *   sq_decode: one item a float, 1-D over n * d floats.
 *   sq_scores: out[i * ldo + j] = score (q[q0 + i], decoded row x0 + j) for
 *     i < nq, j < nx: metric 0 = squared L2 from differences, 1 = inner
 *     product, 2 = cosine (inner product times qinv[q0 + i] * xinv[x0 + j]).
 *     As distance.cl's blocks: a work-group of RTS x RTS items (RTS =
 *     TS / WPT) computes one TS x TS block (group 0 walks codes, group 1
 *     queries), each item WPT x WPT outputs spaced RTS apart; the d axis
 *     is walked in chunks of TK columns, the query chunk and the decoded
 *     code chunk staged in local memory (padded rows: no bank conflicts),
 *     so each code is decoded once a work-group.
 * Tunables: -DTS (block side, e.g. 64), -DWPT (outputs a side per item,
 *   e.g. 4), -DTK (d chunk, e.g. 16).  Compiled after distance.cl, whose
 *   RTS and distance_chunk it uses.  Local memory: 2 * TK * (TS + 1)
 *   floats (8.3 KiB for TS 64).
 */

uint
sq_quantize (float x, float min, float inv, uint levels)
{
  float t = (x - min) * inv;

  /* !(t > 0) also catches inf * 0 = NaN when max == min. */
  if (!(t > 0.0f))
    return 0;
  if (t >= (float) levels)
    return levels;
  return (uint) (t + 0.5f);
}

uint
sq_code_at (const __global uchar *row, uint i, int sq4)
{
  if (!sq4)
    return row[i];
  return (row[i / 2] >> (4 * (i & 1))) & 0xfu;
}

__kernel void
sq_encode (const __global float *x, uint n, uint d,
           const __global float *min, const __global float *inv, uint levels,
           int sq4, uint code_size, __global uchar *codes)
{
  const uint g = get_global_id (0);
  const uint r = g / code_size, b = g % code_size;
  const __global float *row = x + (size_t) r * d;
  uint c;

  if (r >= n)
    return;
  if (!sq4)
    c = sq_quantize (row[b], min[b], inv[b], levels);
  else
    {
      c = sq_quantize (row[2 * b], min[2 * b], inv[2 * b], levels);
      if (2 * b + 1 < d)
        c |= sq_quantize (row[2 * b + 1], min[2 * b + 1], inv[2 * b + 1],
                          levels) << 4;
    }
  codes[(size_t) r * code_size + b] = (uchar) c;
}

__kernel void
sq_decode (const __global uchar *codes, uint n, uint d, uint code_size,
           int sq4, const __global float *min, const __global float *step,
           __global float *out)
{
  const uint g = get_global_id (0);
  const uint r = g / d, i = g % d;

  if (r >= n)
    return;
  out[(size_t) r * d + i] =
    min[i] + (float) sq_code_at (codes + (size_t) r * code_size, i, sq4) * step[i];
}

__kernel __attribute__ ((reqd_work_group_size (RTS, RTS, 1))) void
sq_scores (const __global float *q, uint q0, uint nq, uint d,
           const __global uchar *codes, uint x0, uint nx, uint code_size,
           int sq4, const __global float *min, const __global float *step,
           int metric, const __global float *qinv,
           const __global float *xinv, __global float *out, uint ldo)
{
  __local float qs[TK * (TS + 1)];
  __local float xs[TK * (TS + 1)];
  const uint lx = get_local_id (0), ly = get_local_id (1);
  const uint lid = ly * RTS + lx;
  const uint qb = get_group_id (1) * TS, xb = get_group_id (0) * TS;
  float acc[WPT][WPT];

  for (uint i = 0; i < WPT; i++)
    for (uint j = 0; j < WPT; j++)
      acc[i][j] = 0.0f;

  for (uint k0 = 0; k0 < d; k0 += TK)
    {
      /* Consecutive items load consecutive columns of a row; each code of
       * the block is decoded once, here. */
      for (uint e = lid; e < TS * TK; e += RTS * RTS)
        {
          uint r = e / TK, c = e % TK;
          uint k = k0 + c;
          float xv = 0.0f;

          qs[c * (TS + 1) + r] = (qb + r < nq && k < d)
                                 ? q[(size_t) (q0 + qb + r) * d + k] : 0.0f;
          if (xb + r < nx && k < d)
            xv = min[k] + (float) sq_code_at (codes + (size_t) (x0 + xb + r) * code_size,
                                              k, sq4) * step[k];
          xs[c * (TS + 1) + r] = xv;
        }
      barrier (CLK_LOCAL_MEM_FENCE);
      distance_chunk (qs, xs, metric == 0, acc);
      barrier (CLK_LOCAL_MEM_FENCE);
    }

  for (uint i = 0; i < WPT; i++)
    for (uint j = 0; j < WPT; j++)
      {
        uint r = qb + ly + i * RTS, c = xb + lx + j * RTS;

        if (r < nq && c < nx)
          out[(size_t) r * ldo + c] = metric == 2
                                      ? acc[i][j] * qinv[q0 + r] * xinv[x0 + c]
                                      : acc[i][j];
      }
}
