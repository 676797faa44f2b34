/* normalize.cl: row L2 norms and unit rows, for rows of any finite size.
 *
 * row_inv_norms: inv[r] = 1 / |x[r]| (0 when the row is zero, so that
 *   cosine against a zero row is 0), as far as fp32 can represent it.
 * unit_rows: x[r] /= |x[r]|, in place; a zero row stays zero.
 * Both scale each row by a power of two near its largest |x| before
 *   squaring: squares of rows of about 1e19 overflow fp32 and those of
 *   rows of about 1e-20 underflow it, while the scaled squares lie in
 *   [0, 4); power-of-two scaling is exact, so ordinary rows round as before.
 * Layout: x is row-major with ldx floats a row, d used columns.
 * Work: one work-group of WG items per row; items stride over the columns
 *   (coalesced) and local trees reduce the maximum, then the sum of squares.
 *   The second and third passes read the row from cache.
 * Tunables: -DWG (work-group size, a power of two).
 */

/* Binary exponent of the row's largest |x| into *e; false for a zero row.
 * Uniform across the work-group. */
bool
row_exponent (const __global float *x, uint d, __local float *part, int *e)
{
  const uint lid = get_local_id (0);
  float m = 0.0f;

  for (uint c = lid; c < d; c += WG)
    m = fmax (m, fabs (x[c]));
  part[lid] = m;
  barrier (CLK_LOCAL_MEM_FENCE);
  for (uint h = WG / 2; h > 0; h /= 2)
    {
      if (lid < h)
        part[lid] = fmax (part[lid], part[lid + h]);
      barrier (CLK_LOCAL_MEM_FENCE);
    }
  m = part[0];
  /* Everyone reads part[0] before the next reduction reuses it. */
  barrier (CLK_LOCAL_MEM_FENCE);
  *e = ilogb (m);
  return m > 0.0f;
}

/* sum ((x * 2^-e)^2) over the row, in [1, 4 d). */
float
row_scaled_squares (const __global float *x, uint d, int e,
                    __local float *part)
{
  const uint lid = get_local_id (0);
  float s = 0.0f;

  for (uint c = lid; c < d; c += WG)
    {
      float v = ldexp (x[c], -e);
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
  return part[0];
}

__kernel __attribute__ ((reqd_work_group_size (WG, 1, 1))) void
row_inv_norms (const __global float *x, uint ldx, uint d,
               __global float *inv)
{
  __local float part[WG];
  const __global float *row = x + get_group_id (0) * (size_t) ldx;
  int e;
  float s = 0.0f;
  bool nonzero = row_exponent (row, d, part, &e);

  if (nonzero)
    s = row_scaled_squares (row, d, e, part);
  if (get_local_id (0) == 0)
    inv[get_group_id (0)] = nonzero ? ldexp (1.0f / sqrt (s), -e) : 0.0f;
}

__kernel __attribute__ ((reqd_work_group_size (WG, 1, 1))) void
unit_rows (__global float *x, uint ldx, uint d)
{
  __local float part[WG];
  __global float *row = x + get_group_id (0) * (size_t) ldx;
  int e;
  float norm;

  if (!row_exponent (row, d, part, &e))
    return;
  norm = sqrt (row_scaled_squares (row, d, e, part));
  for (uint c = get_local_id (0); c < d; c += WG)
    row[c] = ldexp (row[c], -e) / norm;
}
