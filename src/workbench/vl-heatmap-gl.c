/* vl-heatmap-gl.c: draws the heatmap with one full-viewport quad; the
 * fragment shader does the cell lookup and the colour mapping, so zoom
 * and pan cost two uniforms and no re-upload. */
#include "vl-workbench-config.h"

#include <epoxy/gl.h>
#include <glib/gi18n.h>

#include "vl-heatmap-gl.h"

#define SHADER_PATH "/io/github/vectorlab/Workbench/glsl/"

struct _VlHeatmapGl
{
  GLuint program;
  GLuint vao;
  GLuint matrix_texture;
  GLuint colormap_textures[VL_N_COLORMAPS];
  guint  n;
  GLint  u_matrix;
  GLint  u_colormap;
  GLint  u_translate;
  GLint  u_scale;
  GLint  u_height;
  GLint  u_n;
  GLint  u_range;
};

static GLuint
compile_shader (GLenum       type,
                const char  *preamble,
                const char  *source_name,
                GError     **error)
{
  g_autoptr(GBytes) source = NULL;
  const char *sources[2];
  GLint lengths[2];
  GLuint shader;
  GLint ok = 0;

  source = g_resources_lookup_data (source_name, G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (source == NULL)
    return 0;

  sources[0] = preamble;
  lengths[0] = strlen (preamble);
  sources[1] = g_bytes_get_data (source, NULL);
  lengths[1] = g_bytes_get_size (source);

  shader = glCreateShader (type);
  glShaderSource (shader, 2, sources, lengths);
  glCompileShader (shader);
  glGetShaderiv (shader, GL_COMPILE_STATUS, &ok);
  if (!ok)
    {
      char log[1024] = "";

      glGetShaderInfoLog (shader, sizeof log, NULL, log);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Could not compile the shader %s: %s"), source_name, log);
      glDeleteShader (shader);
      return 0;
    }
  return shader;
}

static gboolean
link_program (VlHeatmapGl  *self,
              const char   *preamble,
              GError      **error)
{
  GLuint vertex, fragment;
  GLint ok = 0;

  vertex = compile_shader (GL_VERTEX_SHADER, preamble, SHADER_PATH "heatmap.vert.glsl", error);
  if (vertex == 0)
    return FALSE;
  fragment = compile_shader (GL_FRAGMENT_SHADER, preamble, SHADER_PATH "heatmap.frag.glsl", error);
  if (fragment == 0)
    {
      glDeleteShader (vertex);
      return FALSE;
    }

  self->program = glCreateProgram ();
  glAttachShader (self->program, vertex);
  glAttachShader (self->program, fragment);
  glLinkProgram (self->program);
  /* The program keeps what it needs; the shader objects can go. */
  glDetachShader (self->program, vertex);
  glDetachShader (self->program, fragment);
  glDeleteShader (vertex);
  glDeleteShader (fragment);

  glGetProgramiv (self->program, GL_LINK_STATUS, &ok);
  if (!ok)
    {
      char log[1024] = "";

      glGetProgramInfoLog (self->program, sizeof log, NULL, log);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Could not link the heatmap shaders: %s"), log);
      return FALSE;
    }

  self->u_matrix = glGetUniformLocation (self->program, "u_matrix");
  self->u_colormap = glGetUniformLocation (self->program, "u_colormap");
  self->u_translate = glGetUniformLocation (self->program, "u_translate");
  self->u_scale = glGetUniformLocation (self->program, "u_scale");
  self->u_height = glGetUniformLocation (self->program, "u_height");
  self->u_n = glGetUniformLocation (self->program, "u_n");
  self->u_range = glGetUniformLocation (self->program, "u_range");
  return TRUE;
}

static void
upload_colormaps (VlHeatmapGl *self)
{
  glGenTextures (VL_N_COLORMAPS, self->colormap_textures);
  for (guint i = 0; i < VL_N_COLORMAPS; i++)
    {
      glBindTexture (GL_TEXTURE_2D, self->colormap_textures[i]);
      glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
      glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
      glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
      glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
      glTexImage2D (GL_TEXTURE_2D, 0, GL_RGBA8, VL_COLORMAP_SIZE, 1, 0,
                    GL_RGBA, GL_UNSIGNED_BYTE, vl_colormap_get_lut (i));
    }
  glBindTexture (GL_TEXTURE_2D, 0);
}

VlHeatmapGl *
vl_heatmap_gl_new (GdkGLContext  *context,
                   GError       **error)
{
  g_autoptr(VlHeatmapGl) self = g_new0 (VlHeatmapGl, 1);
  gboolean use_es = gdk_gl_context_get_use_es (context);
  const char *preamble_name = use_es ? SHADER_PATH "preamble-es3.glsl"
                                     : SHADER_PATH "preamble-gl3.glsl";
  g_autoptr(GBytes) preamble = NULL;
  g_autofree char *preamble_text = NULL;
  int major, minor;

  /* GLSL 3.30 needs GL 3.3 and GLSL ES 3.00 needs ES 3.0. */
  gdk_gl_context_get_version (context, &major, &minor);
  if (major * 10 + minor < (use_es ? 30 : 33))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("The heatmap needs OpenGL 3.3 or OpenGL ES 3.0; this context is %s %d.%d"),
                   use_es ? "OpenGL ES" : "OpenGL", major, minor);
      return NULL;
    }

  preamble = g_resources_lookup_data (preamble_name, G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (preamble == NULL)
    return NULL;
  preamble_text = g_strndup (g_bytes_get_data (preamble, NULL), g_bytes_get_size (preamble));

  if (!link_program (self, preamble_text, error))
    return NULL;
  glGenVertexArrays (1, &self->vao);
  glGenTextures (1, &self->matrix_texture);
  upload_colormaps (self);
  return g_steal_pointer (&self);
}

gboolean
vl_heatmap_gl_set_matrix (VlHeatmapGl  *self,
                          const float  *data,
                          guint         n,
                          GError      **error)
{
  GLint max_size = 0;

  glGetIntegerv (GL_MAX_TEXTURE_SIZE, &max_size);
  if (n > (guint) max_size)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("A %u × %u matrix exceeds this GPU's largest texture (%d × %d)"),
                   n, n, max_size, max_size);
      return FALSE;
    }

  glBindTexture (GL_TEXTURE_2D, self->matrix_texture);
  glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
  glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
  glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  glPixelStorei (GL_UNPACK_ALIGNMENT, 4);
  glTexImage2D (GL_TEXTURE_2D, 0, GL_R32F, n, n, 0, GL_RED, GL_FLOAT, data);
  glBindTexture (GL_TEXTURE_2D, 0);
  self->n = n;
  return TRUE;
}

void
vl_heatmap_gl_draw (VlHeatmapGl         *self,
                    const VlHeatmapView *view,
                    VlColormap           colormap,
                    float                min,
                    float                max,
                    int                  width,
                    int                  height,
                    int                  factor)
{
  glViewport (0, 0, width, height);
  glClearColor (0, 0, 0, 0);
  glClear (GL_COLOR_BUFFER_BIT);
  if (self->n == 0)
    return;

  glUseProgram (self->program);
  glActiveTexture (GL_TEXTURE0);
  glBindTexture (GL_TEXTURE_2D, self->matrix_texture);
  glActiveTexture (GL_TEXTURE1);
  glBindTexture (GL_TEXTURE_2D, self->colormap_textures[colormap]);
  glUniform1i (self->u_matrix, 0);
  glUniform1i (self->u_colormap, 1);
  glUniform2f (self->u_translate, view->tx * factor, view->ty * factor);
  glUniform1f (self->u_scale, view->scale * factor);
  glUniform1f (self->u_height, height);
  glUniform1i (self->u_n, self->n);
  glUniform2f (self->u_range, min, max);

  glBindVertexArray (self->vao);
  glDrawArrays (GL_TRIANGLE_STRIP, 0, 4);
  glBindVertexArray (0);

  glActiveTexture (GL_TEXTURE1);
  glBindTexture (GL_TEXTURE_2D, 0);
  glActiveTexture (GL_TEXTURE0);
  glBindTexture (GL_TEXTURE_2D, 0);
  glUseProgram (0);
}

void
vl_heatmap_gl_free (VlHeatmapGl *self)
{
  if (self == NULL)
    return;
  if (self->program != 0)
    glDeleteProgram (self->program);
  if (self->vao != 0)
    glDeleteVertexArrays (1, &self->vao);
  if (self->matrix_texture != 0)
    glDeleteTextures (1, &self->matrix_texture);
  if (self->colormap_textures[0] != 0)
    glDeleteTextures (VL_N_COLORMAPS, self->colormap_textures);
  g_free (self);
}
