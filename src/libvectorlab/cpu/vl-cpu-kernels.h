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
