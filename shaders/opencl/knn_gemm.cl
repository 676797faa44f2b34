/* knn_gemm.cl: blocks of query x database scores for many queries, the
 * compute-bound half of the flat index (topk.cl folds each block of scores
 * into the running top-k).
 *
 * Computes out[i * ldo + j] = score (q[q0 + i], x[x0 + j]) for i < nq,
 *   j < nx: the inner product, or for knn_gemm_l2 the sum of squared
 *   differences (from differences, as distance.cl, so equal rows score 0).
 * Layout: q and x are row-major with ld4 float4 a row (padding zero);
 *   out is row-major with ldo floats a row, ldo a multiple of 4.
 * Work: a work-group of TX x TY items computes a GM x GN block (group 1
 *   walks queries, group 0 database rows); each item owns WM x WN outputs
 *   as WM / 4 x WN / 4 4 x 4 sub-blocks spaced TY * 4 and TX * 4 apart, so
 *   its operands are float4 reads of local memory that neighbouring items
 *   share or take side by side.  The k axis is walked in chunks of GK
 *   columns: the next chunk is read from global memory into registers while
 *   the current one is multiplied from local memory, and is stored into the
 *   other of two local buffers, one barrier a chunk.  Accumulation is fp32
 *   with fma in k order, as in distance.cl.
 * Tunables: -DGM, -DGN (block sides), -DGK (a multiple of 4), -DWM, -DWN
 *   (multiples of 4 dividing GM and GN); GM * GK / 4 and GN * GK / 4 must be
 *   multiples of the group size TX * TY.
 */
#define TX (GN / WN)
#define TY (GM / WM)
#define NT (TX * TY)
#define K4 (GK / 4)
/* float4 loads an item makes a chunk, for the query and database blocks. */
#define AL (GM * K4 / NT)
#define BL (GN * K4 / NT)
/* Staged rows are 4 floats longer than a block: the transposing stores of
 * a warp then hit distinct banks, and float4 reads stay aligned. */
#define AS_LD (GM + 4)
#define BS_LD (GN + 4)

/* Reads chunk t of @rows rows of @src (block rows from r0) into @reg. */
#define GEMM_LOAD(reg, count, src, r0, rows, t)                          \
  for (uint e = 0; e < (count); e++)                                     \
    {                                                                    \
      uint idx = lid + e * NT, r = idx / K4, c = (t) * K4 + idx % K4;    \
      reg[e] = (r0) + r < (rows) && c < ld4                              \
               ? src[(size_t) ((r0) + r) * ld4 + c] : (float4) (0.0f);   \
    }

/* Stores @reg transposed: k-major, so rows are contiguous in local. */
#define GEMM_STORE(reg, count, dst, ld)                                  \
  for (uint e = 0; e < (count); e++)                                     \
    {                                                                    \
      uint idx = lid + e * NT, r = idx / K4, c = 4 * (idx % K4);         \
      dst[(c + 0) * (ld) + r] = reg[e].x;                                \
      dst[(c + 1) * (ld) + r] = reg[e].y;                                \
      dst[(c + 2) * (ld) + r] = reg[e].z;                                \
      dst[(c + 3) * (ld) + r] = reg[e].w;                                \
    }

void
gemm_body (const __global float4 *q, uint nq, const __global float4 *x,
           uint nx, uint ld4, __global float *out, uint ldo, const int l2,
           __local float4 *as4, __local float4 *bs4)
{
  const uint tx = get_local_id (0), ty = get_local_id (1);
  const uint lid = ty * TX + tx;
  const uint qb = get_group_id (1) * GM, xb = get_group_id (0) * GN;
  const uint chunks = (ld4 + K4 - 1) / K4;
  __local float *as = (__local float *) as4, *bs = (__local float *) bs4;
  float acc[WM][WN];
  float4 ra[AL], rb[BL];

  for (uint i = 0; i < WM; i++)
    for (uint j = 0; j < WN; j++)
      acc[i][j] = 0.0f;

  GEMM_LOAD (ra, AL, q, qb, nq, 0);
  GEMM_LOAD (rb, BL, x, xb, nx, 0);
  GEMM_STORE (ra, AL, as, AS_LD);
  GEMM_STORE (rb, BL, bs, BS_LD);
  barrier (CLK_LOCAL_MEM_FENCE);

  for (uint t = 0; t < chunks; t++)
    {
      const uint cur = t & 1;
      const __local float4 *a4 = as4 + cur * (GK * AS_LD / 4);
      const __local float4 *b4 = bs4 + cur * (GK * BS_LD / 4);

      if (t + 1 < chunks)
        {
          GEMM_LOAD (ra, AL, q, qb, nq, t + 1);
          GEMM_LOAD (rb, BL, x, xb, nx, t + 1);
        }
      /* Fully unrolled, so that a and b live in registers and the local
       * reads of the next k can be issued during this k's multiply-adds. */
#pragma unroll
      for (uint kk = 0; kk < GK; kk++)
        {
          float a[WM], b[WN];

          for (uint g = 0; g < WM / 4; g++)
            {
              float4 v = a4[kk * (AS_LD / 4) + ty + g * TY];

              a[4 * g] = v.x;
              a[4 * g + 1] = v.y;
              a[4 * g + 2] = v.z;
              a[4 * g + 3] = v.w;
            }
          for (uint h = 0; h < WN / 4; h++)
            {
              float4 v = b4[kk * (BS_LD / 4) + tx + h * TX];

              b[4 * h] = v.x;
              b[4 * h + 1] = v.y;
              b[4 * h + 2] = v.z;
              b[4 * h + 3] = v.w;
            }
          for (uint i = 0; i < WM; i++)
            for (uint j = 0; j < WN; j++)
              {
                if (l2)
                  {
                    float d = a[i] - b[j];
                    acc[i][j] = fma (d, d, acc[i][j]);
                  }
                else
                  acc[i][j] = fma (a[i], b[j], acc[i][j]);
              }
        }
      if (t + 1 < chunks)
        {
          __local float *an = as + (cur ^ 1) * (GK * AS_LD);
          __local float *bn = bs + (cur ^ 1) * (GK * BS_LD);

          GEMM_STORE (ra, AL, an, AS_LD);
          GEMM_STORE (rb, BL, bn, BS_LD);
        }
      barrier (CLK_LOCAL_MEM_FENCE);
    }

  for (uint g = 0; g < WM / 4; g++)
    for (uint i = 0; i < 4; i++)
      {
        uint r = qb + (ty + g * TY) * 4 + i;

        if (r >= nq)
          continue;
        for (uint h = 0; h < WN / 4; h++)
          {
            uint c = xb + (tx + h * TX) * 4;
            __global float *o = out + (size_t) r * ldo + c;
            float4 v = (float4) (acc[4 * g + i][4 * h],
                                 acc[4 * g + i][4 * h + 1],
                                 acc[4 * g + i][4 * h + 2],
                                 acc[4 * g + i][4 * h + 3]);

            if (c + 3 < nx)
              vstore4 (v, 0, o);
            else
              {
                if (c < nx)
                  o[0] = v.x;
                if (c + 1 < nx)
                  o[1] = v.y;
                if (c + 2 < nx)
                  o[2] = v.z;
              }
          }
      }
}

/* OpenCL 1.2 allows __local variables at kernel scope only. */
#define GEMM_LOCALS                                 \
  __local float4 as4[2 * GK * AS_LD / 4];           \
  __local float4 bs4[2 * GK * BS_LD / 4]

__kernel __attribute__ ((reqd_work_group_size (TX, TY, 1))) void
knn_gemm_ip (const __global float4 *q, uint q0, uint nq,
             const __global float4 *x, uint x0, uint nx, uint ld4,
             __global float *out, uint ldo)
{
  GEMM_LOCALS;

  gemm_body (q + (size_t) q0 * ld4, nq, x + (size_t) x0 * ld4, nx, ld4, out,
             ldo, 0, as4, bs4);
}

__kernel __attribute__ ((reqd_work_group_size (TX, TY, 1))) void
knn_gemm_l2 (const __global float4 *q, uint q0, uint nq,
             const __global float4 *x, uint x0, uint nx, uint ld4,
             __global float *out, uint ldo)
{
  GEMM_LOCALS;

  gemm_body (q + (size_t) q0 * ld4, nq, x + (size_t) x0 * ld4, nx, ld4, out,
             ldo, 1, as4, bs4);
}
