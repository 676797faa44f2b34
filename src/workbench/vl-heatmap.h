/* vl-heatmap.h: a zoomable, pannable heatmap of a square matrix, drawn
 * with OpenGL, or with GtkSnapshot from a CPU-coloured texture when GL
 * cannot be had. */
#pragma once

#include <gtk/gtk.h>

#include "vl-colormap.h"

G_BEGIN_DECLS

#define VL_TYPE_HEATMAP (vl_heatmap_get_type ())
G_DECLARE_FINAL_TYPE (VlHeatmap, vl_heatmap, VL, HEATMAP, GtkWidget)

GtkWidget  *vl_heatmap_new            (void);
/* Copies the @n x @n row-major @data. */
void        vl_heatmap_set_matrix     (VlHeatmap   *self,
                                       const float *data,
                                       guint        n);
guint       vl_heatmap_get_size       (VlHeatmap   *self);
void        vl_heatmap_set_colormap   (VlHeatmap   *self,
                                       VlColormap   colormap);
VlColormap  vl_heatmap_get_colormap   (VlHeatmap   *self);
void        vl_heatmap_set_range      (VlHeatmap   *self,
                                       float        min,
                                       float        max);
/* The smallest and largest value of the matrix. */
void        vl_heatmap_get_data_range (VlHeatmap   *self,
                                       float       *min,
                                       float       *max);
/* Fits the whole matrix into the widget again. */
void        vl_heatmap_reset_view     (VlHeatmap   *self);
/* Multiplies the zoom by @factor around the widget point (@x, @y). */
void        vl_heatmap_zoom           (VlHeatmap   *self,
                                       double       factor,
                                       double       x,
                                       double       y);
/* TRUE while drawing with OpenGL, FALSE on the GtkSnapshot fallback. */
gboolean    vl_heatmap_get_uses_gl    (VlHeatmap   *self);
/* The whole matrix, @cell_size pixels a cell, coloured as shown. */
GdkTexture *vl_heatmap_render_matrix  (VlHeatmap   *self,
                                       guint        cell_size);

G_END_DECLS
