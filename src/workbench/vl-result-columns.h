/* vl-result-columns.h: the columns of a GtkColumnView of VlBenchResult:
 * the benchmark's name, and numbers that sort with the missing ones
 * last. */
#pragma once

#include <gtk/gtk.h>

#include "vl-bench-engine.h"

G_BEGIN_DECLS

typedef double (*VlResultValueFunc) (VlBenchResult *result);

typedef struct
{
  const char        *title;   /* marked with N_(), translated when appended */
  VlResultValueFunc  value;   /* NAN where the result has no such number */
  const char        *format;  /* printf format, or NULL for SI units;
                               * "—" where the value is not finite */
} VlResultColumn;

/* Appends a column of names, ellipsized as @ellipsize at @width_chars,
 * with the whole name in the tooltip.  Returns the column, owned by
 * @view. */
GtkColumnViewColumn *vl_result_columns_append_name   (GtkColumnView        *view,
                                                      const char           *title,
                                                      PangoEllipsizeMode    ellipsize,
                                                      int                   width_chars);
/* Appends a right-aligned column of @column's numbers.  @column must
 * outlive @view.  Returns the column, owned by @view. */
GtkColumnViewColumn *vl_result_columns_append_number (GtkColumnView        *view,
                                                      const VlResultColumn *column);

G_END_DECLS
