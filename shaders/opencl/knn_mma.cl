/* knn_mma.cl: knn_gemm_ip on NVIDIA tensor cores (compute capability 8.0
 * or later), with fp32 accuracy.  Compiled after tf32.cl and knn_gemm.cl,
 * and only with -DMMA=1, which vl-opencl-tuning.c accepts on such devices
 * alone: the PTX does not build anywhere else, and knn_gemm_ip stays the
 * portable kernel beside it.
 *
 * Same contract as knn_gemm_ip (see knn_gemm.cl), for GM = GN = 128 and
 * WM = WN = 8: a work-group of 16 x 16 items computes a 128 x 128 block of
 * query x database inner products.
 *
 * Precision: 3xTF32, see tf32.cl (compiled before this file).
 *
 * Work: the 256 items are 8 warps as 2 x 4, each owning 64 x 32 outputs as
 * 4 x 4 tiles of mma.sync m16n8k8.  The k axis is walked in chunks of 16
 * columns, staged in local memory as they are in global memory (rows of 16
 * floats, two buffers, the next chunk prefetched into registers), from
 * which fragments are read as tf32.cl describes: no bank conflicts, no
 * transposition.
 */
#if MMA

#define MMA_K4 4           /* float4 columns of a chunk */
#define MMA_ITEMS 256

/* Reads chunk t of rows [r0, r0 + 128) of src (rows limited to @rows,
 * columns to @ld4 float4s) into reg: item lid takes float4 lid and
 * lid + 256 of the 128 x 4 chunk. */
#define MMA_LOAD(reg, src, r0, rows, t)                                    \
  for (uint e = 0; e < 2; e++)                                             \
    {                                                                      \
      uint idx = lid + e * MMA_ITEMS, r = idx / MMA_K4;                    \
      uint c = (t) * MMA_K4 + idx % MMA_K4;                                \
      reg[e] = (r0) + r < (rows) && c < ld4                                \
               ? src[(size_t) ((r0) + r) * ld4 + c] : (float4) (0.0f);     \
    }

#define MMA_STORE(reg, dst)                                                \
  for (uint e = 0; e < 2; e++)                                             \
    dst[lid + e * MMA_ITEMS] = reg[e]

void
mma_body (const __global float4 *q, uint nq, const __global float4 *x,
          uint nx, uint ld4, __global float *out, uint ldo,
          __local float4 *as4, __local float4 *bs4)
{
  const uint lid = get_local_id (1) * get_local_size (0) + get_local_id (0);
  const uint lane = lid % 32, warp = lid / 32;
  const uint g = lane / 4, t4 = lane % 4;
  const uint wm = (warp / 4) * 64, wn = (warp % 4) * 32;
  const uint qb = get_group_id (1) * 128, xb = get_group_id (0) * 128;
  const uint chunks = (ld4 + MMA_K4 - 1) / MMA_K4;
  float acc[4][4][4];
  float4 ra[2], rb[2];

  for (uint i = 0; i < 4; i++)
    for (uint j = 0; j < 4; j++)
      for (uint c = 0; c < 4; c++)
        acc[i][j][c] = 0.0f;

  MMA_LOAD (ra, q, qb, nq, 0);
  MMA_LOAD (rb, x, xb, nx, 0);
  MMA_STORE (ra, as4);
  MMA_STORE (rb, bs4);
  barrier (CLK_LOCAL_MEM_FENCE);

  for (uint t = 0; t < chunks; t++)
    {
      const uint cur = t & 1;
      const __local float4 *a4 = as4 + cur * 128 * MMA_K4;
      const __local float4 *b4 = bs4 + cur * 128 * MMA_K4;
      float4 alo[4], ahi[4], bv[4];

      if (t + 1 < chunks)
        {
          MMA_LOAD (ra, q, qb, nq, t + 1);
          MMA_LOAD (rb, x, xb, nx, t + 1);
        }
      for (uint i = 0; i < 4; i++)
        {
          alo[i] = a4[(wm + i * 16 + g) * MMA_K4 + t4];
          ahi[i] = a4[(wm + i * 16 + g + 8) * MMA_K4 + t4];
        }
      for (uint j = 0; j < 4; j++)
        bv[j] = b4[(wn + j * 8 + g) * MMA_K4 + t4];

#pragma unroll
      for (uint ks = 0; ks < 2; ks++)
        {
          uint abig[4][4], asmall[4][4], bbig[4][2], bsmall[4][2];

          for (uint i = 0; i < 4; i++)
            MMA_FRAG_A (alo[i], ahi[i], ks, abig[i], asmall[i]);
          for (uint j = 0; j < 4; j++)
            MMA_FRAG_B (bv[j], ks, bbig[j], bsmall[j]);
          /* The three products of a tile depend on each other through its
           * accumulator: 16 independent ones go between them. */
          for (uint i = 0; i < 4; i++)
            for (uint j = 0; j < 4; j++)
              MMA_TF32 (acc[i][j], asmall[i], bbig[j]);
          for (uint i = 0; i < 4; i++)
            for (uint j = 0; j < 4; j++)
              MMA_TF32 (acc[i][j], abig[i], bsmall[j]);
          for (uint i = 0; i < 4; i++)
            for (uint j = 0; j < 4; j++)
              MMA_TF32 (acc[i][j], abig[i], bbig[j]);
        }
      if (t + 1 < chunks)
        {
          MMA_STORE (ra, (as4 + (cur ^ 1) * 128 * MMA_K4));
          MMA_STORE (rb, (bs4 + (cur ^ 1) * 128 * MMA_K4));
        }
      barrier (CLK_LOCAL_MEM_FENCE);
    }

  /* Lane (g, t) holds rows g and g + 8, columns 2t and 2t + 1 of each
   * 16 x 8 tile. */
  for (uint i = 0; i < 4; i++)
    for (uint h = 0; h < 2; h++)
      {
        uint r = qb + wm + i * 16 + g + 8 * h;

        if (r >= nq)
          continue;
        for (uint j = 0; j < 4; j++)
          {
            uint c = xb + wn + j * 8 + 2 * t4;
            __global float *o = out + (size_t) r * ldo + c;
            float2 v = (float2) (acc[i][j][2 * h], acc[i][j][2 * h + 1]);

            if (c + 1 < nx)
              vstore2 (v, 0, o);
            else if (c < nx)
              o[0] = v.x;
          }
      }
}

__kernel __attribute__ ((reqd_work_group_size (16, 16, 1))) void
knn_mma_ip (const __global float4 *q, uint q0, uint nq,
            const __global float4 *x, uint x0, uint nx, uint ld4,
            __global float *out, uint ldo)
{
  __local float4 as4[2 * 128 * MMA_K4];
  __local float4 bs4[2 * 128 * MMA_K4];

  mma_body (q + (size_t) q0 * ld4, nq, x + (size_t) x0 * ld4, nx, ld4, out,
            ldo, as4, bs4);
}

#endif
