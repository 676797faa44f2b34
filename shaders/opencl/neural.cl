/* neural.cl: the element-wise steps of neural quantisation around the
 * GEMMs, which run on distance.cl's distance_ip (see vl-neural.h).
 *
 * neural_quantise: for row r of h (rows x m, h = W_e x without bias):
 *   a = max (h + b_enc, 0); scale[r] = max_j a[j] / 255;
 *   codes[r * m + j] = min (255, floor (a[j] * (255 / max) + 0.5)),
 *   all codes and the scale 0 when a is all zero.
 * neural_unpack: a[r * (m + 1) + j] = codes[r * m + j] * scale[r] for
 *   j < m and 1 at j = m, so that the decoder GEMM against [W_d | b_d]
 *   adds the bias for free.
 * Layout: row-major and contiguous; codes are uchar.
 * Work: neural_quantise runs one work-group of WG items per row; items
 *   stride over the m columns (coalesced) and a local tree takes the max.
 *   neural_unpack runs one item per element (dim 0 columns, dim 1 rows).
 * Tunables: -DWG (work-group size of neural_quantise, a power of two).
 */
__kernel __attribute__ ((reqd_work_group_size (WG, 1, 1))) void
neural_quantise (__global float *h, uint m, const __global float *b_enc,
                 __global uchar *codes, __global float *scale)
{
  __local float part[WG];
  const uint lid = get_local_id (0);
  const size_t row = get_group_id (0);
  __global float *hr = h + row * m;
  float mx = 0.0f, inv;

  for (uint j = lid; j < m; j += WG)
    {
      float a = fmax (hr[j] + b_enc[j], 0.0f);

      hr[j] = a;
      mx = fmax (mx, a);
    }
  part[lid] = mx;
  barrier (CLK_LOCAL_MEM_FENCE);
  for (uint s = WG / 2; s > 0; s /= 2)
    {
      if (lid < s)
        part[lid] = fmax (part[lid], part[lid + s]);
      barrier (CLK_LOCAL_MEM_FENCE);
    }
  mx = part[0];
  inv = mx > 0.0f ? 255.0f / mx : 0.0f;
  /* Each item reads back only the columns it wrote: no barrier needed. */
  for (uint j = lid; j < m; j += WG)
    {
      float q = hr[j] * inv + 0.5f;

      codes[row * m + j] = q >= 255.0f ? (uchar) 255 : convert_uchar_rtz (q);
    }
  if (lid == 0)
    scale[row] = mx / 255.0f;
}

__kernel void
neural_unpack (const __global uchar *codes, const __global float *scale,
               uint m, uint rows, __global float *a)
{
  const uint j = get_global_id (0);
  const size_t r = get_global_id (1);

  if (j <= m && r < rows)
    a[r * (m + 1) + j] = j < m ? (float) codes[r * m + j] * scale[r] : 1.0f;
}
