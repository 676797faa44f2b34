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
