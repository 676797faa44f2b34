/* vl-cpu-kernels.h: the fp32 inner loops of the cpu backend.  They are
 * built for AVX-512, AVX2 and baseline x86-64 and picked at load time, since
 * distributions build for the baseline.  Accumulation is fp32. */
#pragma once

#include <stddef.h>

/* out[i * ldo + j] = q_i . x_j for i < nq, j < n, rows @ldq and @ldx floats
 * apart. */
void  vl_cpu_dot_tile (const float *x, size_t ldx, size_t n,
                       const float *q, size_t ldq, size_t nq, size_t d,
                       float *out, size_t ldo);

/* The k-NN index's packed layout: rows in blocks of VL_CPU_BLOCK, each
 * block d-major, element (row r, column c) of block b at
 * (b * d + c) * VL_CPU_BLOCK + r.  One vector then holds a column of a
 * whole block, and a query's scores against the block accumulate in one
 * register with no horizontal sums. */
#define VL_CPU_BLOCK 16

/* Packs @n <= VL_CPU_BLOCK rows, @ld floats apart, into one block at
 * @out; missing rows are zero. */
void vl_cpu_pack_block (const float *rows, size_t ld, size_t n, size_t d,
                        float *out);

/* out[i * ldo + b * VL_CPU_BLOCK + r] = q_i . x_(b, r) for i < @nq, b <
 * @nb packed blocks at @x, fetching ahead into the @nb_ahead blocks that
 * follow, which the next call will read.  The queries are packed like blocks too, a
 * block of VL_CPU_BLOCK at a time: query i's column c is
 * qt[((i / VL_CPU_BLOCK) * d + c) * VL_CPU_BLOCK + i % VL_CPU_BLOCK].  Each
 * score is one fp32 sum over c in order, whatever @nq, so a query's
 * scores do not depend on its neighbours. */
void  vl_cpu_dot_packed (const float *x, size_t nb, size_t nb_ahead,
                         size_t d, const float *qt, size_t nq, float *out,
                         size_t ldo);

float vl_cpu_dot  (const float *a, const float *b, size_t d);
float vl_cpu_l2sq (const float *a, const float *b, size_t d);
/* The squared norm of @a, accumulated in double. */
double vl_cpu_sum_squares (const float *a, size_t d);

/* How the k-NN heaps' keys (smaller is better) follow from a score s and
 * a database row's norm term: s itself or s + norm. */
typedef enum
{
  VL_CPU_KEY_PLAIN,
  VL_CPU_KEY_ADD,
} VlCpuKeyMode;

static inline float
vl_cpu_key (VlCpuKeyMode mode, float s, const float *norms, size_t j)
{
  switch (mode)
    {
    case VL_CPU_KEY_ADD: return s + norms[j];
    case VL_CPU_KEY_PLAIN:
    default: return s;
    }
}

/* The first j < @n whose key is <= @threshold, or @n: the heaps' fast
 * path, rejecting 64 keys at a time with vector compares. */
size_t vl_cpu_find_key_le (VlCpuKeyMode mode, const float *s,
                           const float *norms, size_t n, float threshold);
