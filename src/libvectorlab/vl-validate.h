/* vl-validate.h: argument checks shared by the front-end entry points. */
#pragma once

#include "vl-private.h"

/* Returns from the calling function with the status of @expr when it is a
 * failure. */
#define VL_TRY(expr)                      \
  do {                                    \
      VlStatus try_status_ = (expr);      \
      if (try_status_ != VL_STATUS_OK)    \
        return try_status_;               \
  } while (0)

/* @m is a non-empty fp32 view with stride >= cols whose byte size fits in
 * size_t. */
VlStatus vl_check_matrix (const VlMatrix *m, const char *what,
                          VlError **error);

/* Every element of @m is finite; names the first offending row. */
VlStatus vl_check_finite (const VlMatrix *m, const char *what,
                          VlError **error);

/* vl_check_matrix, plus the expected shape of an output. */
VlStatus vl_check_output (const VlMatrix *m, const char *what, size_t rows,
                          size_t cols, VlError **error);

VlStatus vl_check_context (VlContext *ctx, VlError **error);

/* The operands of a pairwise op scoring each row of @queries against each
 * row of @other into @out: matrices of the same width, @out of
 * queries->rows x other->rows, both finite.  @other_what names @other in
 * messages, as a plural noun when @other_plural. */
VlStatus vl_check_pairwise (const VlMatrix *queries, const VlMatrix *other,
                            const char *other_what, bool other_plural,
                            const VlMatrix *out, VlError **error);

/* The arguments of every k-NN search front end: @queries a finite matrix
 * of @d columns, 1 <= @k <= min (@n, VL_MAX_K) for a search among @n rows,
 * and result arrays.  Messages name @holder as what has the @d dimensions
 * ("the index", "the codec") and @rows as what the @n rows are
 * ("database", "index"). */
VlStatus vl_check_search (const VlMatrix *queries, size_t d,
                          const char *holder, size_t n, const char *rows,
                          size_t k, const int64_t *ids, const float *scores,
                          VlError **error);
