/* vl-validate.c: argument checks shared by the front-end entry points, so
 * that every backend receives the same, already validated, input. */
#include "vl-validate.h"

#include <math.h>

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

VlStatus
vl_check_finite (const VlMatrix *m, const char *what, VlError **error)
{
  for (size_t r = 0; r < m->rows; r++)
    {
      const float *row = vl_row_f32 (m, r);
      /* Summing x * 0 is NaN exactly when some x is NaN or infinite and
       * vectorises, unlike a branch per element. */
      float probe = 0.0f;

      for (size_t c = 0; c < m->cols; c++)
        probe += row[c] * 0.0f;
      if (probe != 0.0f)
        for (size_t c = 0; c < m->cols; c++)
          if (!isfinite (row[c]))
            return vl_set_error (error, VL_STATUS_NON_FINITE,
                                 "%s row %zu column %zu is %s", what, r, c,
                                 isnan (row[c]) ? "NaN" : "infinite");
    }
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
