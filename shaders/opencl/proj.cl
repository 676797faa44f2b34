/* proj.cl: learned projections, out = scale * x w^T.
 *
 * Computes out[i * ldo + j] = scale * sum_k x[i][k] * w[j][k] for i < n,
 * j < p: row i of x projected by the p x d matrix w (one output feature per
 * row of w, as the weights are stored).  Attention similarity uses it too:
 * queries projected by Wq with scale = 1 / (heads * sqrt (dh)) and keys by
 * Wk with scale 1 turn the mean of per-head scaled dot products into one
 * inner product, which the top-k kernels then rank.
 * Layout: x is row-major with d floats a row, w is row-major p x d, out is
 *   row-major with ldo floats a row; fp32 accumulation with fma.
 * Work: the block grid of distance.cl (compiled before this file; this
 *   kernel reuses distance_block): a work-group of RTS x RTS items computes
 *   one TS x TS block of out, group 0 walking the p axis and group 1 the
 *   rows, with the d axis staged through local memory in chunks of TK.
 *   Few rows (a search's queries) make too few blocks for the device, so
 *   the d axis may be split too (group 2, `slices` of whole chunks): slice
 *   s then stores its partial block at out + s * n * ldo, and proj_sum adds
 *   the slices.
 * Tunables: those of distance.cl (-DTS, -DWPT, -DTK).
 */
__kernel __attribute__ ((reqd_work_group_size (RTS, RTS, 1))) void
proj_rows (const __global float *x, uint n, uint d,
           const __global float *w, uint p, float scale,
           __global float *out, uint ldo)
{
  __local float xs[TK * (TS + 1)];
  __local float ws[TK * (TS + 1)];
  const uint lx = get_local_id (0), ly = get_local_id (1);
  const uint rb = get_group_id (1) * TS, cb = get_group_id (0) * TS;
  const uint slices = get_num_groups (2);
  const uint dk = (d + slices * TK - 1) / (slices * TK) * TK;
  const uint k0 = min (d, (uint) get_group_id (2) * dk);
  float acc[WPT][WPT];

  distance_block (x + k0, d, n, w + k0, d, p, min (dk, d - k0), 0, xs, ws,
                  acc);
  out += (size_t) get_group_id (2) * n * ldo;
  for (uint i = 0; i < WPT; i++)
    for (uint j = 0; j < WPT; j++)
      {
        uint r = rb + ly + i * RTS, c = cb + lx + j * RTS;

        if (r < n && c < p)
          out[(size_t) r * ldo + c] = scale * acc[i][j];
      }
}

/* out[i * ldo + j] = the sum of the @slices partial blocks of proj_rows at
 * partial + s * n * ldo, for one (i, j) an item: n * p items. */
__kernel void
proj_sum (const __global float *partial, uint n, uint p, uint ldo,
          uint slices, __global float *out)
{
  const uint i = get_global_id (0) / p, j = get_global_id (0) % p;
  const size_t at = (size_t) i * ldo + j;
  float sum = 0.0f;

  for (uint s = 0; s < slices; s++)
    sum += partial[(size_t) s * n * ldo + at];
  out[at] = sum;
}
