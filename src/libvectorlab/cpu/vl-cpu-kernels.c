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

/* The most rows and queries of one register block: the scan's 4 x 6
 * accumulators and 4 rows fill 28 of the 32 AVX-512 registers. */
#define SCAN_QUERIES 6
#define MAX_R 4
#define MAX_Q SCAN_QUERIES

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
 * NULL, up to @ahead_lines cache lines from it are fetched into L2 along
 * the way, R a step: the hardware prefetchers follow too few streams to
 * keep the first pass over a block of rows from waiting on memory.  Every
 * pair's sum is formed the same whatever R and Q, so all callers agree to
 * the bit. */
INLINE void
dot_block (const float *x, size_t ldx, const int R, const float *q,
           size_t ldq, const int Q, size_t d, float *out, size_t ldo,
           const float *ahead, size_t ahead_lines)
{
  vf16 acc[MAX_R][MAX_Q] = { { { 0 } } };
  size_t c = 0, line = 0;

  for (; c + 16 <= d; c += 16)
    {
      vf16 xv[MAX_R];

      for (int r = 0; r < R; r++, line++)
        {
          xv[r] = load16 (x + r * ldx + c);
          if (ahead != NULL && line < ahead_lines)
            __builtin_prefetch (ahead + line * 16, 0, 2);
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
                   out + i * ldo + j, ldo, ahead, 4 * ldx / 16);
      for (; i < nq; i++, ahead = NULL)
        dot_block (x + j * ldx, ldx, 4, q + i * ldq, ldq, 1, d,
                   out + i * ldo + j, ldo, ahead, 4 * ldx / 16);
    }
  for (; j < n; j++)
    {
      size_t i = 0;

      for (; i + 4 <= nq; i += 4)
        dot_block (x + j * ldx, ldx, 1, q + i * ldq, ldq, 4, d,
                   out + i * ldo + j, ldo, NULL, 0);
      for (; i < nq; i++)
        dot_block (x + j * ldx, ldx, 1, q + i * ldq, ldq, 1, d,
                   out + i * ldo + j, ldo, NULL, 0);
    }
}

/* Sixteen horizontal sums at once: lane p of the result is hsum16 (v[p])
 * to the bit, the same additions in a transposed order, which costs 45
 * vector operations instead of about 16 x 10. */
INLINE vf16
hsum16x16 (const vf16 v[16])
{
  vf16 u[8], w[4], x[2];

  for (int m = 0; m < 8; m++)
    u[m] = __builtin_shufflevector (v[2 * m], v[2 * m + 1],
                                    0, 1, 2, 3, 4, 5, 6, 7,
                                    16, 17, 18, 19, 20, 21, 22, 23)
           + __builtin_shufflevector (v[2 * m], v[2 * m + 1],
                                      8, 9, 10, 11, 12, 13, 14, 15,
                                      24, 25, 26, 27, 28, 29, 30, 31);
  for (int m = 0; m < 4; m++)
    w[m] = __builtin_shufflevector (u[2 * m], u[2 * m + 1],
                                    0, 1, 2, 3, 8, 9, 10, 11,
                                    16, 17, 18, 19, 24, 25, 26, 27)
           + __builtin_shufflevector (u[2 * m], u[2 * m + 1],
                                      4, 5, 6, 7, 12, 13, 14, 15,
                                      20, 21, 22, 23, 28, 29, 30, 31);
  for (int m = 0; m < 2; m++)
    x[m] = __builtin_shufflevector (w[2 * m], w[2 * m + 1],
                                    0, 1, 4, 5, 8, 9, 12, 13,
                                    16, 17, 20, 21, 24, 25, 28, 29)
           + __builtin_shufflevector (w[2 * m], w[2 * m + 1],
                                      2, 3, 6, 7, 10, 11, 14, 15,
                                      18, 19, 22, 23, 26, 27, 30, 31);
  return __builtin_shufflevector (x[0], x[1], 0, 2, 4, 6, 8, 10, 12, 14,
                                  16, 18, 20, 22, 24, 26, 28, 30)
         + __builtin_shufflevector (x[0], x[1], 1, 3, 5, 7, 9, 11, 13, 15,
                                    17, 19, 21, 23, 25, 27, 29, 31);
}

/* Rows a block of the scan. */
#define SCAN_ROWS 4

/* SCAN_ROWS rows x Q queries, scores as dot_block's, but summed
 * horizontally sixteen at a time: at d = 768 one sum each would cost
 * almost as much as the 48 FMAs of its pair. */
INLINE void
scan_block (const float *x, size_t ldx, const float *q, size_t ldq,
            const int Q, size_t d, float *out, size_t ldo,
            const float *ahead, size_t ahead_lines)
{
  /* Pair (row r, query i) is acc[i * SCAN_ROWS + r], so that each
   * query's rows lie side by side in the sums. */
  vf16 acc[2][16] = { { { 0 } } };
  size_t c = 0, line = 0;

  for (; c + 16 <= d; c += 16)
    {
      vf16 xv[SCAN_ROWS];

      for (int r = 0; r < SCAN_ROWS; r++, line++)
        {
          xv[r] = load16 (x + r * ldx + c);
          if (line < ahead_lines)
            __builtin_prefetch (ahead + line * 16, 0, 2);
        }
      for (int i = 0; i < Q; i++)
        {
          vf16 qv = load16 (q + i * ldq + c);

          for (int r = 0; r < SCAN_ROWS; r++)
            acc[i / 4][i % 4 * SCAN_ROWS + r] += xv[r] * qv;
        }
    }
  for (int h = 0; h * 4 < Q; h++)
    {
      vf16 sums = hsum16x16 (acc[h]);

      for (int i = h * 4; i < Q && i < h * 4 + 4; i++)
        for (int r = 0; r < SCAN_ROWS; r++)
          {
            float s = sums[i % 4 * SCAN_ROWS + r];

            for (size_t t = c; t < d; t++)
              s += x[r * ldx + t] * q[i * ldq + t];
            out[i * ldo + r] = s;
          }
    }
}

/* All @n rows against Q queries: the Q queries stay in L1 while the rows
 * come from L2.  Meanwhile @next_lines cache lines from @next are fetched
 * into L2, a share a block. */
INLINE void
scan_queries (const float *x, size_t ldx, size_t n, const float *q,
              size_t ldq, const int Q, size_t d, float *out, size_t ldo,
              const float *next, size_t next_lines)
{
  size_t blocks = (n + SCAN_ROWS - 1) / SCAN_ROWS;
  size_t share = (next_lines + blocks - 1) / blocks;
  size_t j = 0, line = 0;

  for (; j < n; line += share)
    {
      const float *ahead = next != NULL && line < next_lines
                           ? next + line * 16 : NULL;
      size_t lines = ahead == NULL ? 0
                     : next_lines - line < share ? next_lines - line : share;

      if (j + SCAN_ROWS <= n)
        {
          scan_block (x + j * ldx, ldx, q, ldq, Q, d, out + j, ldo, ahead,
                      lines);
          j += SCAN_ROWS;
        }
      else
        {
          dot_block (x + j * ldx, ldx, 1, q, ldq, Q, d, out + j, ldo, ahead,
                     lines);
          j++;
        }
    }
}

HOT void
vl_cpu_dot_scan (const float *x, size_t ldx, size_t n, const float *q,
                 size_t ldq, size_t nq, size_t d, float *out, size_t ldo,
                 const float *next, size_t next_n)
{
  size_t groups = (nq + SCAN_QUERIES - 1) / SCAN_QUERIES;
  size_t next_lines = next != NULL ? next_n * ldx / 16 : 0;

  /* Groups as even as can be: 7 queries are 4 + 3, not 6 + 1.  Each
   * group fetches its share of @next, so that memory stays busy
   * throughout. */
  for (size_t g = 0, i = 0; g < groups; g++)
    {
      size_t qn = (nq - i) / (groups - g);
      const float *qg = q + i * ldq;
      float *og = out + i * ldo;
      size_t l0 = next_lines * g / groups;
      size_t nl = next_lines * (g + 1) / groups - l0;
      const float *ng = nl > 0 ? next + l0 * 16 : NULL;

      switch (qn)
        {
        case 1:
          scan_queries (x, ldx, n, qg, ldq, 1, d, og, ldo, ng, nl);
          break;
        case 2:
          scan_queries (x, ldx, n, qg, ldq, 2, d, og, ldo, ng, nl);
          break;
        case 3:
          scan_queries (x, ldx, n, qg, ldq, 3, d, og, ldo, ng, nl);
          break;
        case 4:
          scan_queries (x, ldx, n, qg, ldq, 4, d, og, ldo, ng, nl);
          break;
        case 5:
          scan_queries (x, ldx, n, qg, ldq, 5, d, og, ldo, ng, nl);
          break;
        default:
          scan_queries (x, ldx, n, qg, ldq, SCAN_QUERIES, d, og, ldo, ng,
                        nl);
          break;
        }
      i += qn;
    }
}

HOT float
vl_cpu_dot (const float *a, const float *b, size_t d)
{
  float s;

  dot_block (a, 0, 1, b, 0, 1, d, &s, 0, NULL, 0);
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
