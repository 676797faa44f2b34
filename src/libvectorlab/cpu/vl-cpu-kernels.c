/* vl-cpu-kernels.c: see vl-cpu-kernels.h.
 *
 * Written with GCC vector extensions rather than intrinsics so that one
 * source serves every target_clones variant: a 16-float vector is one
 * AVX-512 register, two AVX2 or four SSE registers.  Reductions are
 * explicit because -O3 without -ffast-math never vectorises a float sum. */
#include "vl-cpu-kernels.h"

#include <stdbool.h>

/* The helpers below pass vectors by value but are always inlined, so the
 * ABI GCC warns about is never used. */
#pragma GCC diagnostic ignored "-Wpsabi"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define HOT __attribute__ ((target_clones ("avx512f", "avx2", "default")))
#else
#define HOT
#endif
#define INLINE static inline __attribute__ ((always_inline))

typedef float vf16 __attribute__ ((vector_size (64)));
typedef float vf8 __attribute__ ((vector_size (32)));
typedef float vf4 __attribute__ ((vector_size (16)));
typedef double vd8 __attribute__ ((vector_size (64)));
typedef int vi16 __attribute__ ((vector_size (64)));
typedef int vi8 __attribute__ ((vector_size (32)));
typedef int vi4 __attribute__ ((vector_size (16)));

INLINE vf16
load16 (const float *p)
{
  vf16 v;

  __builtin_memcpy (&v, p, sizeof v);
  return v;
}

INLINE float
hsum16 (vf16 v)
{
  vf8 a = __builtin_shufflevector (v, v, 0, 1, 2, 3, 4, 5, 6, 7)
          + __builtin_shufflevector (v, v, 8, 9, 10, 11, 12, 13, 14, 15);
  vf4 b = __builtin_shufflevector (a, a, 0, 1, 2, 3)
          + __builtin_shufflevector (a, a, 4, 5, 6, 7);

  return (b[0] + b[2]) + (b[1] + b[3]);
}

/* R rows x Q queries: each loaded vector feeds several FMAs, so the loop is
 * bound by arithmetic rather than loads.  R and Q are constants after
 * inlining, which keeps the accumulators in registers.  When @ahead is not
 * NULL, its R rows are fetched into L2 along the way: the hardware
 * prefetchers follow too few streams to keep the first pass over each
 * block of rows from waiting on memory. */
INLINE void
dot_block (const float *x, size_t ldx, const int R, const float *q,
           size_t ldq, const int Q, size_t d, float *out, size_t ldo,
           const float *ahead)
{
  vf16 acc[4][4] = { { { 0 } } };
  size_t c = 0;

  for (; c + 16 <= d; c += 16)
    {
      vf16 xv[4];

      for (int r = 0; r < R; r++)
        {
          xv[r] = load16 (x + r * ldx + c);
          if (ahead != NULL)
            __builtin_prefetch (ahead + r * ldx + c, 0, 2);
        }
      for (int i = 0; i < Q; i++)
        {
          vf16 qv = load16 (q + i * ldq + c);

          for (int r = 0; r < R; r++)
            acc[r][i] += xv[r] * qv;
        }
    }
  for (int r = 0; r < R; r++)
    for (int i = 0; i < Q; i++)
      {
        float s = hsum16 (acc[r][i]);

        for (size_t t = c; t < d; t++)
          s += x[r * ldx + t] * q[i * ldq + t];
        out[i * ldo + r] = s;
      }
}

/* Rows ahead of the current block that dot_tile fetches. */
#define PREFETCH_ROWS 8

HOT void
vl_cpu_dot_tile (const float *x, size_t ldx, size_t n, const float *q,
                 size_t ldq, size_t nq, size_t d, float *out, size_t ldo)
{
  size_t j = 0;

  for (; j + 4 <= n; j += 4)
    {
      const float *ahead = j + PREFETCH_ROWS + 4 <= n
                           ? x + (j + PREFETCH_ROWS) * ldx : NULL;
      size_t i = 0;

      /* Only the first pass over the block fetches ahead. */
      for (; i + 4 <= nq; i += 4, ahead = NULL)
        dot_block (x + j * ldx, ldx, 4, q + i * ldq, ldq, 4, d,
                   out + i * ldo + j, ldo, ahead);
      for (; i < nq; i++, ahead = NULL)
        dot_block (x + j * ldx, ldx, 4, q + i * ldq, ldq, 1, d,
                   out + i * ldo + j, ldo, ahead);
    }
  for (; j < n; j++)
    {
      size_t i = 0;

      for (; i + 4 <= nq; i += 4)
        dot_block (x + j * ldx, ldx, 1, q + i * ldq, ldq, 4, d,
                   out + i * ldo + j, ldo, NULL);
      for (; i < nq; i++)
        dot_block (x + j * ldx, ldx, 1, q + i * ldq, ldq, 1, d,
                   out + i * ldo + j, ldo, NULL);
    }
}

void
vl_cpu_pack_block (const float *rows, size_t ld, size_t n, size_t d,
                   float *out)
{
  for (size_t c = 0; c < d; c++)
    for (size_t r = 0; r < VL_CPU_BLOCK; r++)
      out[c * VL_CPU_BLOCK + r] = r < n ? rows[r * ld + c] : 0.0f;
}

/* Columns of the packed scan a pass: a group's queries over them stay in
 * L1 while they meet every block of the tile.  The sums go through @out
 * between passes unchanged, so they are the same whatever the passes. */
#define PACKED_COLUMNS 64

/* R blocks x Q queries of the packed scan over columns [c0, c1): per
 * column, R loads of a block column and Q broadcasts feed R x Q
 * accumulators, which stay in registers (R x Q <= 24 of 32 with
 * AVX-512).  When @ahead is not NULL, the same columns of its R blocks
 * are fetched along the way: the passes over short runs of columns leave
 * the hardware prefetchers too little of each stream to follow. */
INLINE void
dot_packed_block (const float *x, size_t d, size_t c0, size_t c1,
                  const int R, const float *qt, const int Q, float *out,
                  size_t ldo, const float *ahead)
{
  vf16 acc[8][16];

#pragma GCC unroll 8
  for (int r = 0; r < R; r++)
#pragma GCC unroll 16
    for (int i = 0; i < Q; i++)
      acc[r][i] = c0 == 0 ? (vf16) { 0 }
                          : load16 (out + i * ldo + r * VL_CPU_BLOCK);
  for (size_t c = c0; c < c1; c++)
    {
      vf16 xv[8];

#pragma GCC unroll 8
      for (int r = 0; r < R; r++)
        {
          xv[r] = load16 (x + (r * d + c) * VL_CPU_BLOCK);
          if (ahead != NULL)
            __builtin_prefetch (ahead + (r * d + c) * VL_CPU_BLOCK);
        }
#pragma GCC unroll 16
      for (int i = 0; i < Q; i++)
        {
          float qv = qt[c * VL_CPU_BLOCK + i];

#pragma GCC unroll 8
          for (int r = 0; r < R; r++)
            acc[r][i] += xv[r] * qv;
        }
    }
#pragma GCC unroll 8
  for (int r = 0; r < R; r++)
#pragma GCC unroll 16
    for (int i = 0; i < Q; i++)
      __builtin_memcpy (out + i * ldo + r * VL_CPU_BLOCK, &acc[r][i],
                        sizeof acc[r][i]);
}

/* Query @i's column 0 in the packed queries of vl_cpu_dot_packed (). */
INLINE const float *
packed_query (const float *qt, size_t d, size_t i)
{
  return qt + i / VL_CPU_BLOCK * d * VL_CPU_BLOCK + i % VL_CPU_BLOCK;
}

/* Queries [i0, i0 + sets * Q), Q at a time, against every R blocks in
 * turn: the blocks' columns [c0, c1) stay in L1 for all the queries, and
 * the first Q fetch the next R blocks' columns, up to @nb_ahead blocks
 * past the last. */
INLINE void
dot_packed_blocks (const float *x, size_t nb, size_t nb_ahead, size_t d,
                   size_t c0, size_t c1, const int R, const float *qt,
                   size_t i0, const int Q, size_t sets, float *out,
                   size_t ldo)
{
  size_t b = 0;

  for (; b + R <= nb; b += R)
    {
      const float *ahead = b + 2 * R <= nb + nb_ahead
                           ? x + (b + R) * d * VL_CPU_BLOCK : NULL;

      for (size_t i = i0; i < i0 + sets * Q; i += Q, ahead = NULL)
        dot_packed_block (x + b * d * VL_CPU_BLOCK, d, c0, c1, R,
                          packed_query (qt, d, i), Q,
                          out + i * ldo + b * VL_CPU_BLOCK, ldo, ahead);
    }
  for (; b < nb; b++)
    for (size_t i = i0; i < i0 + sets * Q; i += Q)
      dot_packed_block (x + b * d * VL_CPU_BLOCK, d, c0, c1, 1,
                        packed_query (qt, d, i), Q,
                        out + i * ldo + b * VL_CPU_BLOCK, ldo, NULL);
}

HOT void
vl_cpu_dot_packed (const float *x, size_t nb, size_t nb_ahead, size_t d,
                   const float *qt, size_t nq, float *out, size_t ldo)
{
  for (size_t c0 = 0; c0 < d; c0 += PACKED_COLUMNS)
    {
      size_t c1 = d - c0 < PACKED_COLUMNS ? d : c0 + PACKED_COLUMNS;
      size_t i = nq / 8 * 8;

      /* Eight queries by three blocks: eleven loads feed 24 FMAs, where
       * sixteen queries by one block are bound by their seventeen loads
       * and eight by two leave less room for the loop's own work.  Fewer
       * queries share each column between more blocks, which keeps
       * enough independent sums in flight to hide the FMA latency.
       * Three and six blocks divide the scan's tiles. */
      if (i > 0)
        dot_packed_blocks (x, nb, nb_ahead, d, c0, c1, 3, qt, 0, 8, nq / 8,
                           out, ldo);
      if (nq - i >= 4)
        {
          dot_packed_blocks (x, nb, nb_ahead, d, c0, c1, 3, qt, i, 4, 1,
                             out, ldo);
          i += 4;
        }
      if (nq - i >= 2)
        {
          dot_packed_blocks (x, nb, nb_ahead, d, c0, c1, 6, qt, i, 2, 1,
                             out, ldo);
          i += 2;
        }
      if (nq - i >= 1)
        dot_packed_blocks (x, nb, nb_ahead, d, c0, c1, 6, qt, i, 1, 1, out,
                           ldo);
    }
}

HOT float
vl_cpu_dot (const float *a, const float *b, size_t d)
{
  float s;

  dot_block (a, 0, 1, b, 0, 1, d, &s, 0, NULL);
  return s;
}

HOT float
vl_cpu_l2sq (const float *a, const float *b, size_t d)
{
  vf16 acc = { 0 };
  size_t c = 0;
  float s;

  for (; c + 16 <= d; c += 16)
    {
      vf16 diff = load16 (a + c) - load16 (b + c);

      acc += diff * diff;
    }
  s = hsum16 (acc);
  for (; c < d; c++)
    s += (a[c] - b[c]) * (a[c] - b[c]);
  return s;
}

INLINE vf16
key16 (VlCpuKeyMode mode, const float *s, const float *norms, size_t j)
{
  switch (mode)
    {
    case VL_CPU_KEY_ADD: return load16 (s + j) + load16 (norms + j);
    case VL_CPU_KEY_PLAIN:
    default: return load16 (s + j);
    }
}

/* Whether some key of @k0 .. @k3 is <= @t.  t - k is negative exactly
 * when k > t (a difference of finite floats is never rounded to zero), so
 * ANDing the sign bits asks "all greater"; arithmetic rather than vector
 * compares, which GCC 12 splits into scalars. */
INLINE bool
any_le64 (vf16 k0, vf16 k1, vf16 k2, vf16 k3, vf16 t)
{
  vi16 m = (vi16) (t - k0) & (vi16) (t - k1) & (vi16) (t - k2)
           & (vi16) (t - k3);
  vi8 a = __builtin_shufflevector (m, m, 0, 1, 2, 3, 4, 5, 6, 7)
          & __builtin_shufflevector (m, m, 8, 9, 10, 11, 12, 13, 14, 15);
  vi4 b = __builtin_shufflevector (a, a, 0, 1, 2, 3)
          & __builtin_shufflevector (a, a, 4, 5, 6, 7);

  return (b[0] & b[1] & b[2] & b[3]) >= 0;
}

/* @mode is a constant after inlining, so each caller's loop is tight. */
INLINE size_t
find_key_le (VlCpuKeyMode mode, const float *s, const float *norms,
             size_t n, float threshold)
{
  vf16 t = (vf16) { 0 } + threshold;
  size_t j = 0;

  for (; j + 64 <= n; j += 64)
    if (any_le64 (key16 (mode, s, norms, j), key16 (mode, s, norms, j + 16),
                  key16 (mode, s, norms, j + 32),
                  key16 (mode, s, norms, j + 48), t))
      break;
  for (; j < n; j++)
    if (vl_cpu_key (mode, s[j], norms, j) <= threshold)
      return j;
  return n;
}

HOT size_t
vl_cpu_find_key_le (VlCpuKeyMode mode, const float *s, const float *norms,
                    size_t n, float threshold)
{
  switch (mode)
    {
    case VL_CPU_KEY_ADD:
      return find_key_le (VL_CPU_KEY_ADD, s, norms, n, threshold);
    case VL_CPU_KEY_PLAIN:
    default:
      return find_key_le (VL_CPU_KEY_PLAIN, s, norms, n, threshold);
    }
}

HOT double
vl_cpu_sum_squares (const float *a, size_t d)
{
  vd8 acc0 = { 0 }, acc1 = { 0 };
  double s;
  size_t c = 0;

  for (; c + 16 <= d; c += 16)
    {
      vf16 v = load16 (a + c);
      vd8 lo = __builtin_convertvector (
        __builtin_shufflevector (v, v, 0, 1, 2, 3, 4, 5, 6, 7), vd8);
      vd8 hi = __builtin_convertvector (
        __builtin_shufflevector (v, v, 8, 9, 10, 11, 12, 13, 14, 15), vd8);

      acc0 += lo * lo;
      acc1 += hi * hi;
    }
  acc0 += acc1;
  s = ((acc0[0] + acc0[4]) + (acc0[1] + acc0[5]))
      + ((acc0[2] + acc0[6]) + (acc0[3] + acc0[7]));
  for (; c < d; c++)
    s += (double) a[c] * a[c];
  return s;
}
