/* vl-heatmap-gl.h: the GL side of VlHeatmap: shaders, the matrix as a
 * float texture and the colour-map lookup textures.  Every call needs the
 * heatmap's GL context to be current. */
#pragma once

#include <gtk/gtk.h>

#include "vl-colormap.h"

G_BEGIN_DECLS

/* What the heatmap shows where: cell (i, j) covers the square at
 * (tx + j * scale, ty + i * scale) of side scale, in widget pixels. */
typedef struct
{
  double scale;
  double tx;
  double ty;
} VlHeatmapView;

typedef struct _VlHeatmapGl VlHeatmapGl;

/* Compiles the shaders of the GLSL dialect @context speaks. */
VlHeatmapGl *vl_heatmap_gl_new        (GdkGLContext        *context,
                                       GError             **error);
gboolean     vl_heatmap_gl_set_matrix (VlHeatmapGl         *self,
                                       const float         *data,
                                       guint                n,
                                       GError             **error);
/* Draws into the bound framebuffer of @width x @height pixels; @factor is
 * the surface's scale factor (framebuffer pixels per widget pixel). */
void         vl_heatmap_gl_draw       (VlHeatmapGl         *self,
                                       const VlHeatmapView *view,
                                       VlColormap           colormap,
                                       float                min,
                                       float                max,
                                       int                  width,
                                       int                  height,
                                       int                  factor);
void         vl_heatmap_gl_free       (VlHeatmapGl         *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VlHeatmapGl, vl_heatmap_gl_free)

G_END_DECLS
