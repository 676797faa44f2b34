/* vl-colormap.c: viridis and a diverging map.
 *
 * viridis comes from a degree-6 polynomial fit of matplotlib's table (by
 * Matt Zucker, CC0), within about 1% of the original; the diverging map
 * interpolates control points of Kenneth Moreland's "cool to warm" map,
 * whose grey centre keeps 0 neutral. */
#include "vl-colormap.h"

#include <math.h>

static guint8 luts[VL_N_COLORMAPS][VL_COLORMAP_SIZE * 4];

static guint8
to_byte (double v)
{
  return (guint8) lround (CLAMP (v, 0.0, 1.0) * 255.0);
}

static void
fill_viridis (guint8 *lut)
{
  static const double c[7][3] = {
    {  0.2777273272234177,  0.005407344544966578,  0.3340998053353061 },
    {  0.1050930431085774,  1.404613529898575,     1.384590162594685 },
    { -0.3308618287255563,  0.214847559468213,     0.09509516302823659 },
    { -4.634230498983486,  -5.799100973351585,   -19.33244095627987 },
    {  6.228269936347081,  14.17993336680509,     56.69055260068105 },
    {  4.776384997670288, -13.74514537774601,    -65.35303263337234 },
    { -5.435455855934631,   4.645852612178535,    26.3124352495832 },
  };

  for (guint i = 0; i < VL_COLORMAP_SIZE; i++)
    {
      double t = i / (double) (VL_COLORMAP_SIZE - 1);

      for (guint ch = 0; ch < 3; ch++)
        {
          double v = c[6][ch];

          for (int k = 5; k >= 0; k--)
            v = v * t + c[k][ch];
          lut[i * 4 + ch] = to_byte (v);
        }
      lut[i * 4 + 3] = 255;
    }
}

static void
fill_diverging (guint8 *lut)
{
  static const guint8 stops[][3] = {
    {  59,  76, 192 }, {  77, 104, 215 }, {  98, 130, 234 }, { 119, 154, 247 },
    { 141, 176, 254 }, { 163, 194, 255 }, { 184, 208, 249 }, { 204, 217, 238 },
    { 221, 221, 221 }, { 236, 211, 197 }, { 245, 196, 173 }, { 247, 177, 148 },
    { 244, 154, 123 }, { 236, 127,  99 }, { 222,  96,  77 }, { 203,  62,  56 },
    { 180,   4,  38 },
  };
  const guint n_stops = G_N_ELEMENTS (stops);

  for (guint i = 0; i < VL_COLORMAP_SIZE; i++)
    {
      double x = i / (double) (VL_COLORMAP_SIZE - 1) * (n_stops - 1);
      guint s = MIN ((guint) x, n_stops - 2);
      double f = x - s;

      for (guint ch = 0; ch < 3; ch++)
        lut[i * 4 + ch] = (guint8) lround (stops[s][ch] * (1.0 - f) + stops[s + 1][ch] * f);
      lut[i * 4 + 3] = 255;
    }
}

const guint8 *
vl_colormap_get_lut (VlColormap colormap)
{
  static gsize initialized = 0;

  g_return_val_if_fail (colormap < VL_N_COLORMAPS, NULL);

  if (g_once_init_enter (&initialized))
    {
      fill_viridis (luts[VL_COLORMAP_VIRIDIS]);
      fill_diverging (luts[VL_COLORMAP_DIVERGING]);
      g_once_init_leave (&initialized, 1);
    }
  return luts[colormap];
}

void
vl_colormap_lookup (VlColormap  colormap,
                    float       value,
                    float       min,
                    float       max,
                    guint8      rgba[4])
{
  const guint8 *lut = vl_colormap_get_lut (colormap);
  float t = max > min ? CLAMP ((value - min) / (max - min), 0.0f, 1.0f) : 0.5f;
  /* The shader samples texel centres: t maps onto [0, SIZE - 1]. */
  float x = t * (VL_COLORMAP_SIZE - 1);
  guint i0 = MIN ((guint) x, VL_COLORMAP_SIZE - 2);
  float f = x - i0;

  for (guint ch = 0; ch < 4; ch++)
    rgba[ch] = (guint8) lroundf (lut[i0 * 4 + ch] * (1.0f - f) + lut[(i0 + 1) * 4 + ch] * f);
}
