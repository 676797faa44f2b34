/* tf32.cl: inner products on NVIDIA tensor cores (compute capability 8.0
 * or later) with fp32 accuracy, for the kernels that use them (knn_mma.cl,
 * knn_scan_mma.cl).  Everything here is inline PTX, so it is compiled only
 * with -DMMA=1, which vl-opencl-tuning.c allows on such devices alone.
 *
 * Precision, 3xTF32: a tensor core multiplies TF32 operands (10 mantissa
 * bits) into fp32 sums.  Each operand x is split into big, x with its low
 * 13 bits cleared (a TF32 value), and small = x - big (exact, below
 * 2^-10 |x|), which the tensor core reads to 10 bits; a * b is taken as
 * small * big + big * small + big * big.  What is lost (small * small, the
 * low bits of small) is below 2^-19 |a| |b|, the size of fp32's own
 * summation error over a few hundred terms.
 *
 * Fragments of mma.sync m16n8k8: lane (g, t) (g = lane / 4, t = lane % 4)
 * holds A (16 queries x 8 columns) at rows g, g + 8 and k = t, t + 4, B
 * (8 columns x 8 database rows) at row g and k = t, t + 4, and the sums C
 * at queries g, g + 8 and database rows 2t, 2t + 1.  The k index is a sum
 * index, so any assignment of columns to it is right as long as A and B
 * agree: over a chunk of 16 columns, lane (g, t) reads the float4 of
 * columns 4t .. 4t + 3 of its rows, whose first two are k = t, t + 4 of the
 * first k8 step and last two those of the second.  A quarter-warp then
 * reads 64 contiguous bytes of a row.
 */
#if MMA

/* One m16n8k8 TF32 product added into c.  Not volatile: the compiler may
 * schedule these like any instruction (they have outputs, so stay). */
#define MMA_TF32(c, a, b)                                                  \
  asm ("mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 "            \
                "{%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "           \
                "{%0, %1, %2, %3};"                                        \
                : "+f" (c[0]), "+f" (c[1]), "+f" (c[2]), "+f" (c[3])       \
                : "r" (a[0]), "r" (a[1]), "r" (a[2]), "r" (a[3]),          \
                  "r" (b[0]), "r" (b[1]))

/* Splits x into its TF32 part and the rest, as fp32 bits. */
inline void
tf32_split (float x, uint *big, uint *small)
{
  *big = as_uint (x) & 0xffffe000u;
  *small = as_uint (x - as_float (*big));
}

/* The A (query) fragments of k8 step @ks from the float4s of rows g and
 * g + 8. */
#define MMA_FRAG_A(lo, hi, ks, big, small)                                 \
  do {                                                                     \
      float2 l = (ks) ? (lo).zw : (lo).xy, h = (ks) ? (hi).zw : (hi).xy;   \
      tf32_split (l.x, &big[0], &small[0]);                                \
      tf32_split (h.x, &big[1], &small[1]);                                \
      tf32_split (l.y, &big[2], &small[2]);                                \
      tf32_split (h.y, &big[3], &small[3]);                                \
  } while (0)

/* The B (database) fragments of k8 step @ks from the float4 of row g. */
#define MMA_FRAG_B(v, ks, big, small)                                      \
  do {                                                                     \
      float2 b = (ks) ? (v).zw : (v).xy;                                   \
      tf32_split (b.x, &big[0], &small[0]);                                \
      tf32_split (b.y, &big[1], &small[1]);                                \
  } while (0)

#endif
