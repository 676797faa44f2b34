/* similarity.cl: rows of the pairwise cosine similarity matrix.
 *
 * Compiled after distance.cl (it uses distance_block and its TS, WPT, TK,
 * RTS).  For the rows I = [i0, i0 + ni) of x against all n rows:
 *   a[r * n + c] = cos (x[i0 + r], x[c]),
 * with cos = the inner product of rows that unit_rows scaled to unit length
 * (zero rows stay zero and score 0), exactly 1 on the diagonal of non-zero
 * rows.
 * Layout: x is row-major with d floats a row; a row-major with n.
 * Work: the 2-D grid of distance.cl, one TS x TS block per work-group
 *   (group 0 walks columns, group 1 rows).  Where k-NN runs on tensor
 *   cores, knn_mma_ip computes the blocks instead and similarity_diagonal
 *   follows (vl-opencl-normalize.c).
 * Tunables: those of distance.cl.
 */
__kernel __attribute__ ((reqd_work_group_size (RTS, RTS, 1))) void
similarity_rows (const __global float *x, uint d, uint i0, uint ni, uint n,
                 __global float *a)
{
  __local float qs[TK * (TS + 1)];
  __local float xs[TK * (TS + 1)];
  const uint lx = get_local_id (0), ly = get_local_id (1);
  const uint rb = get_group_id (1) * TS, cb = get_group_id (0) * TS;
  float acc[WPT][WPT];

  distance_block (x + (size_t) i0 * d, d, ni, x, d, n, d, 0, qs, xs, acc);
  for (uint i = 0; i < WPT; i++)
    for (uint j = 0; j < WPT; j++)
      {
        uint r = rb + ly + i * RTS, c = cb + lx + j * RTS;

        /* A unit row's square is near 1, a zero row's exactly 0. */
        if (r < ni && c < n)
          a[(size_t) r * n + c] = (i0 + r == c && acc[i][j] > 0.0f)
                                  ? 1.0f : acc[i][j];
      }
}

/* Where the rows' products come from knn_mma_ip (tensor cores, 3xTF32),
 * the diagonal of non-zero rows is set to exactly 1 afterwards, as
 * similarity_rows sets it.  One item a row of a. */
__kernel void
similarity_diagonal (__global float *a, uint i0, uint ni, uint n)
{
  const uint r = get_global_id (0);

  if (r < ni && a[(size_t) r * n + i0 + r] > 0.0f)
    a[(size_t) r * n + i0 + r] = 1.0f;
}
