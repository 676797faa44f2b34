// heatmap.frag.glsl: colours each pixel by the matrix cell under it.
//
// Pixel p (framebuffer pixels, origin top left) shows cell
// floor ((p - u_translate) / u_scale): column j along x, row i along y.
// The value v is mapped to t = clamp ((v - min) / (max - min), 0, 1) and t
// to the colour-map texture's texel centres, so a CPU lookup that
// interpolates the same 256 entries gives the same colour.  The CPU
// fallback (vl-heatmap.c) and the tests follow this mapping exactly.

uniform sampler2D u_matrix;    // n x n, R32F, read with texelFetch
uniform sampler2D u_colormap;  // 256 x 1, RGBA8, linear filtering
uniform vec2 u_translate;      // framebuffer pixels
uniform float u_scale;         // framebuffer pixels per cell
uniform float u_height;        // framebuffer height
uniform int u_n;
uniform vec2 u_range;          // min, max

out vec4 frag_color;

void
main ()
{
  vec2 p = vec2 (gl_FragCoord.x, u_height - gl_FragCoord.y);
  vec2 cell = floor ((p - u_translate) / u_scale);

  if (any (lessThan (cell, vec2 (0.0))) || any (greaterThanEqual (cell, vec2 (float (u_n)))))
    {
      frag_color = vec4 (0.0);
      return;
    }

  float v = texelFetch (u_matrix, ivec2 (cell), 0).r;
  float span = u_range.y - u_range.x;
  float t = span > 0.0 ? clamp ((v - u_range.x) / span, 0.0, 1.0) : 0.5;
  frag_color = texture (u_colormap, vec2 ((t * 255.0 + 0.5) / 256.0, 0.5));
}
