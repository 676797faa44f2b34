/* similarity.cl: blocks of the pairwise cosine similarity matrix.
 *
 * Compiled after distance.cl (it uses distance_block and its TS, WPT, TK,
 * RTS).  For the rows I = [i0, i0 + ni) against J = [j0, j0 + nj) of x:
 *   a[r * lda + c] = cos (x[i0 + r], x[j0 + c])  and
 *   b[c * ldb + r] = the same value (the transposed block),
 * with cos = the inner product of rows that unit_rows scaled to unit length
 * (zero rows stay zero and score 0), exactly 1 on the diagonal of non-zero
 * rows.  When diag is set, I == J,
 * a == b, and only blocks with j-block >= i-block run: each pair's dot
 * product is computed once and written to both (i, j) and (j, i).
 * Layout: x is row-major with ldx floats a row; a and b row-major.
 * Work: the 2-D grid of distance.cl, one TS x TS block per work-group.  The
 *   transposed copy is staged through local memory so that its global writes
 *   are contiguous too.
 * Tunables: those of distance.cl.
 */
__kernel __attribute__ ((reqd_work_group_size (RTS, RTS, 1))) void
similarity_block (const __global float *x, uint ldx, uint d, uint i0,
                  uint ni, uint j0, uint nj, int diag, __global float *a,
                  uint lda, __global float *b, uint ldb)
{
  __local float qs[TK * (TS + 1)];
  __local float xs[TK * (TS + 1)];
  __local float t[TS * (TS + 1)];
  const uint lx = get_local_id (0), ly = get_local_id (1);
  const uint bi = get_group_id (1), bj = get_group_id (0);
  const uint rb = bi * TS, cb = bj * TS;
  float acc[WPT][WPT];

  /* Uniform across the work-group, so no barrier is skipped by half of it. */
  if (diag && bj < bi)
    return;

  distance_block (x + (size_t) i0 * ldx, ldx, ni, x + (size_t) j0 * ldx, ldx,
                  nj, d, 0, qs, xs, acc);

  for (uint i = 0; i < WPT; i++)
    for (uint j = 0; j < WPT; j++)
      {
        uint lr = ly + i * RTS, lc = lx + j * RTS;
        uint r = rb + lr, c = cb + lc;
        float v = 0.0f;

        if (r < ni && c < nj)
          {
            /* A unit row's square is near 1, a zero row's exactly 0. */
            v = (i0 + r == j0 + c && acc[i][j] > 0.0f) ? 1.0f : acc[i][j];
            a[(size_t) r * lda + c] = v;
          }
        t[lc * (TS + 1) + lr] = v;
      }

  /* The diagonal block of a diagonal call already holds both halves. */
  if (diag && bi == bj)
    return;
  barrier (CLK_LOCAL_MEM_FENCE);
  for (uint e = ly * RTS + lx; e < TS * TS; e += RTS * RTS)
    {
      uint lc = e / TS, lr = e % TS;
      uint r = rb + lr, c = cb + lc;

      if (r < ni && c < nj)
        b[(size_t) c * ldb + r] = t[lc * (TS + 1) + lr];
    }
}
