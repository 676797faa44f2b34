/* vl-validate.c: argument checks shared by the front-end entry points, so
 * that every backend receives the same, already validated, input. */
#include "vl-validate.h"
#include "cpu/vl-cpu-threads.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

VlStatus
vl_check_context (VlContext *ctx, VlError **error)
{
  if (ctx == NULL)
    return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT,
                         "context is NULL");
  return VL_STATUS_OK;
}

VlStatus
vl_check_matrix (const VlMatrix *m, const char *what, VlError **error)
{
  if (m == NULL || m->data == NULL)
    return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT, "%s is NULL",
                         what);
  if (m->dtype != VL_DTYPE_F32)
    return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT,
                         "%s must be float32", what);
  if (m->rows == 0 || m->cols == 0)
    return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT,
                         "%s has a zero dimension (%zu x %zu)", what,
                         m->rows, m->cols);
  if (m->stride < m->cols)
    return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT,
                         "%s has stride %zu smaller than its %zu columns",
                         what, m->stride, m->cols);
  if (m->rows > SIZE_MAX / sizeof (float) / m->stride)
    return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT,
                         "%s is too large to address (%zu x %zu)", what,
                         m->rows, m->stride);
  return VL_STATUS_OK;
}

/* Elements a worker checks at least: enough to pay for a thread. */
#define FINITE_GRAIN_FLOATS ((size_t) 1 << 20)
#define EXPONENT_BITS 0x7f800000u

/* Whether row[0 .. n) holds a NaN or an infinity: all exponent bits set.
 * An integer test in blocks of 16 that the compiler turns into vector
 * instructions; a float sum of x * 0 would be as exact, but its order
 * may not change, so it runs one add after the other (about 0.8 ns an
 * element: 0.6 s for 1M x 768, longer than the GPU's whole op). */
static bool
row_has_non_finite (const float *row, size_t n)
{
  uint32_t bad = 0;
  size_t c = 0;

  for (; c + 16 <= n; c += 16)
    {
      uint32_t block = 0;

      for (size_t i = 0; i < 16; i++)
        {
          uint32_t u;

          memcpy (&u, row + c + i, sizeof u);
          block |= (u & EXPONENT_BITS) == EXPONENT_BITS;
        }
      bad |= block;
    }
  for (; c < n; c++)
    {
      uint32_t u;

      memcpy (&u, row + c, sizeof u);
      bad |= (u & EXPONENT_BITS) == EXPONENT_BITS;
    }
  return bad != 0;
}

typedef struct
{
  const VlMatrix *m;
  size_t          first_bad[VL_CPU_MAX_WORKERS];  /* rows; m->rows: none */
} FiniteScan;

static void
scan_rows (size_t begin, size_t end, unsigned worker, void *data)
{
  FiniteScan *scan = data;

  scan->first_bad[worker] = scan->m->rows;
  for (size_t r = begin; r < end; r++)
    if (row_has_non_finite (vl_row_f32 (scan->m, r), scan->m->cols))
      {
        scan->first_bad[worker] = r;
        return;
      }
}

VlStatus
vl_check_finite (const VlMatrix *m, const char *what, VlError **error)
{
  FiniteScan scan = { m, { 0 } };
  size_t grain = FINITE_GRAIN_FLOATS / m->cols, bad = m->rows;
  unsigned workers;
  const float *row;

  grain = grain > 0 ? grain : 1;
  workers = vl_cpu_workers_for (m->rows, grain);
  vl_cpu_parallel_for (m->rows, grain, scan_rows, &scan);
  /* Workers take contiguous ranges in order: the first that found one
   * has the first bad row, which the message names. */
  for (unsigned w = 0; w < workers && bad == m->rows; w++)
    bad = scan.first_bad[w];
  if (bad == m->rows)
    return VL_STATUS_OK;
  row = vl_row_f32 (m, bad);
  for (size_t c = 0; c < m->cols; c++)
    if (!isfinite (row[c]))
      return vl_set_error (error, VL_STATUS_NON_FINITE,
                           "%s row %zu column %zu is %s", what, bad, c,
                           isnan (row[c]) ? "NaN" : "infinite");
  return VL_STATUS_OK;
}

VlStatus
vl_check_output (const VlMatrix *m, const char *what, size_t rows,
                 size_t cols, VlError **error)
{
  VlStatus status = vl_check_matrix (m, what, error);

  if (status != VL_STATUS_OK)
    return status;
  if (m->rows != rows || m->cols != cols)
    return vl_set_error (error, VL_STATUS_SHAPE_MISMATCH,
                         "%s is %zu x %zu, expected %zu x %zu", what,
                         m->rows, m->cols, rows, cols);
  return VL_STATUS_OK;
}

VlStatus
vl_check_pairwise (const VlMatrix *queries, const VlMatrix *other,
                   const char *other_what, bool other_plural,
                   const VlMatrix *out, VlError **error)
{
  VlStatus status;

  if ((status = vl_check_matrix (queries, "queries", error)) != VL_STATUS_OK
      || (status = vl_check_matrix (other, other_what, error)) != VL_STATUS_OK)
    return status;
  if (queries->cols != other->cols)
    return vl_set_error (error, VL_STATUS_SHAPE_MISMATCH,
                         "queries have %zu dimensions, %s %s %zu",
                         queries->cols, other_what,
                         other_plural ? "have" : "has", other->cols);
  if ((status = vl_check_output (out, "output", queries->rows, other->rows,
                                 error)) != VL_STATUS_OK
      || (status = vl_check_finite (queries, "queries", error)) != VL_STATUS_OK)
    return status;
  return vl_check_finite (other, other_what, error);
}

VlStatus
vl_check_search (const VlMatrix *queries, size_t d, const char *holder,
                 size_t n, const char *rows, size_t k, const int64_t *ids,
                 const float *scores, VlError **error)
{
  VlStatus status;

  if ((status = vl_check_matrix (queries, "queries", error)) != VL_STATUS_OK)
    return status;
  if (queries->cols != d)
    return vl_set_error (error, VL_STATUS_SHAPE_MISMATCH,
                         "queries have %zu dimensions, %s has %zu",
                         queries->cols, holder, d);
  if (k == 0 || k > n || k > VL_MAX_K)
    return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT,
                         "k = %zu is out of range: it must be between 1 and "
                         "%zu (the %s size, at most %d)", k,
                         n < VL_MAX_K ? n : (size_t) VL_MAX_K, rows,
                         VL_MAX_K);
  if (ids == NULL || scores == NULL)
    return vl_set_error (error, VL_STATUS_INVALID_ARGUMENT,
                         "result arrays are NULL");
  return vl_check_finite (queries, "queries", error);
}
