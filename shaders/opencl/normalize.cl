/* normalize.cl: row L2 norms and row normalisation.
 *
 * row_inv_norms: inv[r] = 1 / |x[r]| (0 when the row is zero, so that
 *   cosine against a zero row is 0 and a normalised zero row stays zero).
 * scale_rows: x[r][c] *= inv[r], in place.
 * Layout: x is row-major with ldx floats a row, d used columns.
 * Work: row_inv_norms runs one work-group of WG items per row; items stride
 *   over the columns (coalesced) and a local tree sums the partial squares.
 *   scale_rows runs one item per element (dim 0 columns, dim 1 rows).
 * Tunables: -DWG (work-group size of row_inv_norms, a power of two).
 */
__kernel __attribute__ ((reqd_work_group_size (WG, 1, 1))) void
row_inv_norms (const __global float *x, uint ldx, uint d,
               __global float *inv)
{
  __local float part[WG];
  const uint lid = get_local_id (0);
  const size_t row = get_group_id (0);
  float s = 0.0f;

  for (uint c = lid; c < d; c += WG)
    {
      float v = x[row * ldx + c];
      s = fma (v, v, s);
    }
  part[lid] = s;
  barrier (CLK_LOCAL_MEM_FENCE);
  for (uint h = WG / 2; h > 0; h /= 2)
    {
      if (lid < h)
        part[lid] += part[lid + h];
      barrier (CLK_LOCAL_MEM_FENCE);
    }
  if (lid == 0)
    inv[row] = part[0] > 0.0f ? 1.0f / sqrt (part[0]) : 0.0f;
}

__kernel void
scale_rows (__global float *x, uint ldx, uint d, uint rows,
            const __global float *inv)
{
  const uint c = get_global_id (0);
  const size_t r = get_global_id (1);

  if (c < d && r < rows)
    x[r * ldx + c] *= inv[r];
}
