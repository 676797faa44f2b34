/* vl-colormap.h: the heatmap's colour maps, as 256-entry lookup tables
 * shared by the GL shader (a lookup texture) and the CPU paths. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  VL_COLORMAP_VIRIDIS,    /* perceptually uniform, for values of one sign */
  VL_COLORMAP_DIVERGING,  /* blue - grey - red, for values around zero */
  VL_N_COLORMAPS
} VlColormap;

#define VL_COLORMAP_SIZE 256

/* VL_COLORMAP_SIZE RGBA entries, 8 bits each, opaque. */
const guint8 *vl_colormap_get_lut (VlColormap  colormap);

/* The colour the shader gives @value: the position (@value - @min) /
 * (@max - @min) clamped to [0, 1] (0.5 when max <= min), read from the
 * table with linear interpolation between neighbouring entries. */
void          vl_colormap_lookup  (VlColormap  colormap,
                                   float       value,
                                   float       min,
                                   float       max,
                                   guint8      rgba[4]);

G_END_DECLS
