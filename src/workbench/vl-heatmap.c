/* vl-heatmap.c: the heatmap widget: the view transform, zoom, pan and
 * hover, and the two ways of drawing (VlHeatmapGl, or the CPU fallback).
 *
 * Both ways map a pixel to a cell with the same formula (see
 * heatmap.frag.glsl), so they give the same picture pixel for pixel. */
#include "vl-workbench-config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "vl-heatmap-gl.h"
#include "vl-heatmap.h"

#define MAX_CELL_PIXELS 96.0
#define ZOOM_STEP       1.2

struct _VlHeatmap
{
  GtkWidget      parent_instance;

  GtkWidget     *gl_area;      /* NULL when GL was switched off */
  VlHeatmapGl   *gl;
  gboolean       gl_failed;
  gboolean       gl_matrix_dirty;
  gboolean       force_fallback;
  char          *renderer;     /* what draws, for the status line */

  float         *matrix;
  guint          n;
  float          data_min;
  float          data_max;
  VlColormap     colormap;
  float          min;
  float          max;

  VlHeatmapView  view;
  gboolean       user_moved;   /* stop refitting on resize once moved */
  double         drag_tx;
  double         drag_ty;
  double         pointer_x;
  double         pointer_y;
  int            hover_i;
  int            hover_j;

  guint8        *cell_colors;  /* fallback: n x n RGBA, NULL when stale */
};

G_DEFINE_FINAL_TYPE (VlHeatmap, vl_heatmap, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_COLORMAP,
  PROP_MIN,
  PROP_MAX,
  PROP_FORCE_FALLBACK,
  PROP_USES_GL,
  PROP_RENDERER,
  N_PROPS
};

enum {
  SIGNAL_HOVER,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
invalidate_colors (VlHeatmap *self)
{
  g_clear_pointer (&self->cell_colors, g_free);
  if (self->gl_area != NULL)
    gtk_gl_area_queue_render (GTK_GL_AREA (self->gl_area));
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
set_renderer (VlHeatmap  *self,
              const char *renderer)
{
  g_free (self->renderer);
  self->renderer = g_strdup (renderer);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RENDERER]);
}

static void
switch_to_fallback (VlHeatmap  *self,
                    const char *reason)
{
  g_autofree char *renderer = NULL;

  g_debug ("heatmap: drawing without OpenGL: %s", reason);
  /* Called from the GL area's own handlers, so it stays (hidden) until
   * the widget goes. */
  self->gl_failed = TRUE;
  gtk_widget_set_child_visible (self->gl_area, FALSE);
  /* Translators: shown under the heatmap when OpenGL failed. */
  renderer = g_strdup_printf (_("software (OpenGL unavailable: %s)"), reason);
  set_renderer (self, renderer);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USES_GL]);
  invalidate_colors (self);
}

/* ---- view transform -------------------------------------------------- */

static double
fit_scale (VlHeatmap *self)
{
  int w = gtk_widget_get_width (GTK_WIDGET (self));
  int h = gtk_widget_get_height (GTK_WIDGET (self));

  if (self->n == 0 || w <= 0 || h <= 0)
    return 1.0;
  return MIN (w, h) / (double) self->n;
}

static void
fit_view (VlHeatmap *self)
{
  int w = gtk_widget_get_width (GTK_WIDGET (self));
  int h = gtk_widget_get_height (GTK_WIDGET (self));

  self->view.scale = fit_scale (self);
  self->view.tx = (w - self->n * self->view.scale) / 2.0;
  self->view.ty = (h - self->n * self->view.scale) / 2.0;
}

static void
view_changed (VlHeatmap *self)
{
  if (self->gl_area != NULL)
    gtk_gl_area_queue_render (GTK_GL_AREA (self->gl_area));
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static gboolean
cell_at (VlHeatmap *self,
         double     x,
         double     y,
         int       *i,
         int       *j)
{
  double cj = floor ((x - self->view.tx) / self->view.scale);
  double ci = floor ((y - self->view.ty) / self->view.scale);

  if (self->n == 0 || ci < 0 || cj < 0 || ci >= self->n || cj >= self->n)
    return FALSE;
  *i = (int) ci;
  *j = (int) cj;
  return TRUE;
}

static void
update_hover (VlHeatmap *self,
              gboolean   inside)
{
  int i = -1, j = -1;

  if (!inside || !cell_at (self, self->pointer_x, self->pointer_y, &i, &j))
    i = j = -1;
  if (i == self->hover_i && j == self->hover_j)
    return;
  self->hover_i = i;
  self->hover_j = j;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_signal_emit (self, signals[SIGNAL_HOVER], 0, i, j,
                 i >= 0 ? (double) self->matrix[(gsize) i * self->n + j] : 0.0);
}

void
vl_heatmap_zoom (VlHeatmap *self,
                 double     factor,
                 double     x,
                 double     y)
{
  double min_scale, scale;

  g_return_if_fail (VL_IS_HEATMAP (self));

  if (self->n == 0)
    return;
  min_scale = fit_scale (self) / 2.0;
  scale = CLAMP (self->view.scale * factor, min_scale, MAX (MAX_CELL_PIXELS, min_scale));
  /* Keep the matrix point under (x, y) where it is. */
  self->view.tx = x - (x - self->view.tx) * scale / self->view.scale;
  self->view.ty = y - (y - self->view.ty) * scale / self->view.scale;
  self->view.scale = scale;
  self->user_moved = TRUE;
  view_changed (self);
}

void
vl_heatmap_reset_view (VlHeatmap *self)
{
  g_return_if_fail (VL_IS_HEATMAP (self));

  self->user_moved = FALSE;
  fit_view (self);
  view_changed (self);
}

/* ---- input ------------------------------------------------------------ */

static void
motion (GtkEventControllerMotion *controller,
        double                    x,
        double                    y,
        VlHeatmap                *self)
{
  self->pointer_x = x;
  self->pointer_y = y;
  update_hover (self, TRUE);
}

static void
leave (GtkEventControllerMotion *controller,
       VlHeatmap                *self)
{
  update_hover (self, FALSE);
}

static gboolean
scroll (GtkEventControllerScroll *controller,
        double                    dx,
        double                    dy,
        VlHeatmap                *self)
{
  vl_heatmap_zoom (self, pow (ZOOM_STEP, -dy), self->pointer_x, self->pointer_y);
  update_hover (self, TRUE);
  return TRUE;
}

static void
drag_begin (GtkGestureDrag *gesture,
            double          x,
            double          y,
            VlHeatmap      *self)
{
  self->drag_tx = self->view.tx;
  self->drag_ty = self->view.ty;
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "grabbing");
}

static void
drag_update (GtkGestureDrag *gesture,
             double          offset_x,
             double          offset_y,
             VlHeatmap      *self)
{
  self->view.tx = self->drag_tx + offset_x;
  self->view.ty = self->drag_ty + offset_y;
  self->user_moved = TRUE;
  view_changed (self);
}

static void
drag_end (GtkGestureDrag *gesture,
          double          offset_x,
          double          offset_y,
          VlHeatmap      *self)
{
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "crosshair");
}

static gboolean
key_pressed (GtkEventControllerKey *controller,
             guint                  keyval,
             guint                  keycode,
             GdkModifierType        state,
             VlHeatmap             *self)
{
  double cx = gtk_widget_get_width (GTK_WIDGET (self)) / 2.0;
  double cy = gtk_widget_get_height (GTK_WIDGET (self)) / 2.0;

  switch (keyval)
    {
    case GDK_KEY_plus:
    case GDK_KEY_equal:
    case GDK_KEY_KP_Add:
      vl_heatmap_zoom (self, ZOOM_STEP, cx, cy);
      return TRUE;
    case GDK_KEY_minus:
    case GDK_KEY_KP_Subtract:
      vl_heatmap_zoom (self, 1.0 / ZOOM_STEP, cx, cy);
      return TRUE;
    case GDK_KEY_0:
    case GDK_KEY_KP_0:
      vl_heatmap_reset_view (self);
      return TRUE;
    default:
      return FALSE;
    }
}

/* ---- OpenGL ----------------------------------------------------------- */

static void
gl_realize (GtkGLArea *area,
            VlHeatmap *self)
{
  g_autoptr(GError) error = NULL;
  GdkGLContext *context;
  g_autofree char *renderer = NULL;
  int major, minor;

  gtk_gl_area_make_current (area);
  if (gtk_gl_area_get_error (area) != NULL)
    {
      switch_to_fallback (self, gtk_gl_area_get_error (area)->message);
      return;
    }
  context = gtk_gl_area_get_context (area);
  self->gl = vl_heatmap_gl_new (context, &error);
  if (self->gl == NULL)
    {
      switch_to_fallback (self, error->message);
      return;
    }
  self->gl_matrix_dirty = TRUE;
  gdk_gl_context_get_version (context, &major, &minor);
  renderer = g_strdup_printf ("%s %d.%d", gdk_gl_context_get_use_es (context) ? "OpenGL ES" : "OpenGL",
                              major, minor);
  set_renderer (self, renderer);
}

static void
gl_unrealize (GtkGLArea *area,
              VlHeatmap *self)
{
  gtk_gl_area_make_current (area);
  g_clear_pointer (&self->gl, vl_heatmap_gl_free);
}

static gboolean
gl_render (GtkGLArea    *area,
           GdkGLContext *context,
           VlHeatmap    *self)
{
  int factor = gtk_widget_get_scale_factor (GTK_WIDGET (area));
  int width = gtk_widget_get_width (GTK_WIDGET (area)) * factor;
  int height = gtk_widget_get_height (GTK_WIDGET (area)) * factor;

  if (self->gl == NULL)
    return TRUE;
  if (self->gl_matrix_dirty && self->n > 0)
    {
      g_autoptr(GError) error = NULL;

      self->gl_matrix_dirty = FALSE;
      if (!vl_heatmap_gl_set_matrix (self->gl, self->matrix, self->n, &error))
        {
          /* Too big for a texture here: the CPU can still draw it. */
          switch_to_fallback (self, error->message);
          return TRUE;
        }
    }
  vl_heatmap_gl_draw (self->gl, &self->view, self->colormap, self->min, self->max,
                      width, height, factor);
  return TRUE;
}

static void
create_gl_area (VlHeatmap *self)
{
  self->gl_area = gtk_gl_area_new ();
  gtk_gl_area_set_auto_render (GTK_GL_AREA (self->gl_area), FALSE);
  gtk_widget_set_can_target (self->gl_area, FALSE);
  g_signal_connect_after (self->gl_area, "realize", G_CALLBACK (gl_realize), self);
  g_signal_connect (self->gl_area, "unrealize", G_CALLBACK (gl_unrealize), self);
  g_signal_connect (self->gl_area, "render", G_CALLBACK (gl_render), self);
  gtk_widget_set_parent (self->gl_area, GTK_WIDGET (self));
}

/* ---- the CPU fallback ------------------------------------------------ */

static const guint8 *
cell_colors (VlHeatmap *self)
{
  gsize cells = (gsize) self->n * self->n;

  if (self->cell_colors != NULL)
    return self->cell_colors;
  self->cell_colors = g_malloc (cells * 4);
  for (gsize c = 0; c < cells; c++)
    vl_colormap_lookup (self->colormap, self->matrix[c], self->min, self->max,
                        self->cell_colors + c * 4);
  return self->cell_colors;
}

static GdkTexture *
render_view (VlHeatmap *self,
             int        width,
             int        height,
             int        factor)
{
  const guint8 *colors = cell_colors (self);
  gsize stride = (gsize) width * 4;
  g_autofree int *cols = g_new (int, width);
  g_autoptr(GBytes) bytes = NULL;
  guint8 *pixels = g_malloc0 (stride * height);

  /* Pixel centres, as gl_FragCoord gives them to the shader. */
  for (int x = 0; x < width; x++)
    {
      double c = floor ((x + 0.5 - self->view.tx * factor) / (self->view.scale * factor));

      cols[x] = c >= 0 && c < self->n ? (int) c : -1;
    }
  for (int y = 0; y < height; y++)
    {
      double r = floor ((y + 0.5 - self->view.ty * factor) / (self->view.scale * factor));
      guint8 *row = pixels + y * stride;

      if (r < 0 || r >= self->n)
        continue;
      for (int x = 0; x < width; x++)
        if (cols[x] >= 0)
          memcpy (row + x * 4, colors + ((gsize) r * self->n + cols[x]) * 4, 4);
    }
  bytes = g_bytes_new_take (pixels, stride * height);
  return gdk_memory_texture_new (width, height, GDK_MEMORY_R8G8B8A8, bytes, stride);
}

GdkTexture *
vl_heatmap_render_matrix (VlHeatmap *self,
                          guint      cell_size)
{
  VlHeatmapView saved;
  GdkTexture *texture;
  int side;

  g_return_val_if_fail (VL_IS_HEATMAP (self), NULL);
  g_return_val_if_fail (cell_size > 0, NULL);

  if (self->n == 0)
    return NULL;
  saved = self->view;
  self->view = (VlHeatmapView) { .scale = cell_size, .tx = 0, .ty = 0 };
  side = self->n * cell_size;
  texture = render_view (self, side, side, 1);
  self->view = saved;
  return texture;
}

/* ---- GtkWidget -------------------------------------------------------- */

static void
vl_heatmap_measure (GtkWidget      *widget,
                    GtkOrientation  orientation,
                    int             for_size,
                    int            *minimum,
                    int            *natural,
                    int            *minimum_baseline,
                    int            *natural_baseline)
{
  *minimum = 160;
  *natural = 480;
}

static void
vl_heatmap_size_allocate (GtkWidget *widget,
                          int        width,
                          int        height,
                          int        baseline)
{
  VlHeatmap *self = VL_HEATMAP (widget);

  if (self->gl_area != NULL)
    gtk_widget_allocate (self->gl_area, width, height, -1, NULL);
  if (!self->user_moved)
    fit_view (self);
}

/* A frame around the hovered cell once cells are big enough to aim at,
 * so the readout is clearly about that cell. */
static void
snapshot_hover (VlHeatmap   *self,
                GtkSnapshot *snapshot)
{
  const GdkRGBA colors[4] = {
    { 1, 1, 1, 0.9 }, { 1, 1, 1, 0.9 }, { 1, 1, 1, 0.9 }, { 1, 1, 1, 0.9 },
  };
  const float widths[4] = { 2, 2, 2, 2 };
  GskRoundedRect cell;

  if (self->hover_i < 0 || self->view.scale < 6)
    return;
  gsk_rounded_rect_init_from_rect (&cell,
                                   &GRAPHENE_RECT_INIT (self->view.tx + self->hover_j * self->view.scale - 1,
                                                        self->view.ty + self->hover_i * self->view.scale - 1,
                                                        self->view.scale + 2, self->view.scale + 2),
                                   0);
  gtk_snapshot_append_border (snapshot, &cell, widths, colors);
}

static void
vl_heatmap_snapshot (GtkWidget   *widget,
                     GtkSnapshot *snapshot)
{
  VlHeatmap *self = VL_HEATMAP (widget);
  int factor = gtk_widget_get_scale_factor (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  g_autoptr(GdkTexture) texture = NULL;

  if (self->n == 0 || width <= 0 || height <= 0)
    return;
  if (vl_heatmap_get_uses_gl (self))
    gtk_widget_snapshot_child (widget, self->gl_area, snapshot);
  else
    {
      texture = render_view (self, width * factor, height * factor, factor);
      gtk_snapshot_append_texture (snapshot, texture,
                                   &GRAPHENE_RECT_INIT (0, 0, width, height));
    }
  snapshot_hover (self, snapshot);
}

static void
vl_heatmap_constructed (GObject *object)
{
  VlHeatmap *self = VL_HEATMAP (object);

  G_OBJECT_CLASS (vl_heatmap_parent_class)->constructed (object);

  if (self->force_fallback)
    {
      /* Translators: shown under the heatmap when GL is switched off. */
      set_renderer (self, _("software (OpenGL switched off)"));
      return;
    }
  create_gl_area (self);
}

static void
vl_heatmap_dispose (GObject *object)
{
  VlHeatmap *self = VL_HEATMAP (object);

  g_clear_pointer (&self->gl_area, gtk_widget_unparent);

  G_OBJECT_CLASS (vl_heatmap_parent_class)->dispose (object);
}

static void
vl_heatmap_finalize (GObject *object)
{
  VlHeatmap *self = VL_HEATMAP (object);

  g_free (self->matrix);
  g_free (self->cell_colors);
  g_free (self->renderer);

  G_OBJECT_CLASS (vl_heatmap_parent_class)->finalize (object);
}

static void
vl_heatmap_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  VlHeatmap *self = VL_HEATMAP (object);

  switch (prop_id)
    {
    case PROP_COLORMAP:
      g_value_set_uint (value, self->colormap);
      break;
    case PROP_MIN:
      g_value_set_float (value, self->min);
      break;
    case PROP_MAX:
      g_value_set_float (value, self->max);
      break;
    case PROP_FORCE_FALLBACK:
      g_value_set_boolean (value, self->force_fallback);
      break;
    case PROP_USES_GL:
      g_value_set_boolean (value, vl_heatmap_get_uses_gl (self));
      break;
    case PROP_RENDERER:
      g_value_set_string (value, self->renderer);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vl_heatmap_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  VlHeatmap *self = VL_HEATMAP (object);

  switch (prop_id)
    {
    case PROP_COLORMAP:
      vl_heatmap_set_colormap (self, g_value_get_uint (value));
      break;
    case PROP_MIN:
      vl_heatmap_set_range (self, g_value_get_float (value), self->max);
      break;
    case PROP_MAX:
      vl_heatmap_set_range (self, self->min, g_value_get_float (value));
      break;
    case PROP_FORCE_FALLBACK:
      self->force_fallback = g_value_get_boolean (value)
                           || g_strcmp0 (g_getenv ("VL_HEATMAP_NO_GL"), "1") == 0;
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vl_heatmap_class_init (VlHeatmapClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = vl_heatmap_constructed;
  object_class->dispose = vl_heatmap_dispose;
  object_class->finalize = vl_heatmap_finalize;
  object_class->get_property = vl_heatmap_get_property;
  object_class->set_property = vl_heatmap_set_property;
  widget_class->measure = vl_heatmap_measure;
  widget_class->size_allocate = vl_heatmap_size_allocate;
  widget_class->snapshot = vl_heatmap_snapshot;

  properties[PROP_COLORMAP] =
    g_param_spec_uint ("colormap", NULL, NULL, 0, VL_N_COLORMAPS - 1, VL_COLORMAP_VIRIDIS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MIN] =
    g_param_spec_float ("min", NULL, NULL, -G_MAXFLOAT, G_MAXFLOAT, -1.0f,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MAX] =
    g_param_spec_float ("max", NULL, NULL, -G_MAXFLOAT, G_MAXFLOAT, 1.0f,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Also forced by VL_HEATMAP_NO_GL=1, for drivers whose GL misbehaves. */
  properties[PROP_FORCE_FALLBACK] =
    g_param_spec_boolean ("force-fallback", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_USES_GL] =
    g_param_spec_boolean ("uses-gl", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_RENDERER] =
    g_param_spec_string ("renderer", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* (row, column, value) under the pointer; row -1 when it is over none. */
  signals[SIGNAL_HOVER] =
    g_signal_new ("hover", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_INT, G_TYPE_INT, G_TYPE_DOUBLE);

  gtk_widget_class_set_css_name (widget_class, "heatmap");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
vl_heatmap_init (VlHeatmap *self)
{
  GtkEventController *controller;
  GtkGesture *drag;

  self->colormap = VL_COLORMAP_VIRIDIS;
  self->min = -1.0f;
  self->max = 1.0f;
  self->hover_i = self->hover_j = -1;
  self->view.scale = 1.0;

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "crosshair");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Similarity heatmap"),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  _("Scroll or press plus and minus to zoom, drag to pan, 0 to fit"),
                                  -1);

  controller = gtk_event_controller_motion_new ();
  g_signal_connect (controller, "motion", G_CALLBACK (motion), self);
  g_signal_connect (controller, "leave", G_CALLBACK (leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  g_signal_connect (controller, "scroll", G_CALLBACK (scroll), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  drag = gtk_gesture_drag_new ();
  g_signal_connect (drag, "drag-begin", G_CALLBACK (drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (drag_update), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (drag_end), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));

  controller = gtk_event_controller_key_new ();
  g_signal_connect (controller, "key-pressed", G_CALLBACK (key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
}

GtkWidget *
vl_heatmap_new (void)
{
  return g_object_new (VL_TYPE_HEATMAP, NULL);
}

void
vl_heatmap_set_matrix (VlHeatmap   *self,
                       const float *data,
                       guint        n)
{
  gsize cells = (gsize) n * n;

  g_return_if_fail (VL_IS_HEATMAP (self));
  g_return_if_fail (data != NULL || n == 0);

  g_free (self->matrix);
  self->matrix = n > 0 ? g_memdup2 (data, cells * sizeof (float)) : NULL;
  self->n = n;
  self->data_min = self->data_max = 0.0f;
  for (gsize c = 0; c < cells; c++)
    {
      self->data_min = c == 0 ? data[c] : MIN (self->data_min, data[c]);
      self->data_max = c == 0 ? data[c] : MAX (self->data_max, data[c]);
    }
  self->gl_matrix_dirty = TRUE;
  self->hover_i = self->hover_j = -1;
  vl_heatmap_reset_view (self);
  invalidate_colors (self);
}

guint
vl_heatmap_get_size (VlHeatmap *self)
{
  g_return_val_if_fail (VL_IS_HEATMAP (self), 0);

  return self->n;
}

void
vl_heatmap_set_colormap (VlHeatmap  *self,
                         VlColormap  colormap)
{
  g_return_if_fail (VL_IS_HEATMAP (self));
  g_return_if_fail (colormap < VL_N_COLORMAPS);

  if (self->colormap == colormap)
    return;
  self->colormap = colormap;
  invalidate_colors (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COLORMAP]);
}

VlColormap
vl_heatmap_get_colormap (VlHeatmap *self)
{
  g_return_val_if_fail (VL_IS_HEATMAP (self), VL_COLORMAP_VIRIDIS);

  return self->colormap;
}

void
vl_heatmap_set_range (VlHeatmap *self,
                      float      min,
                      float      max)
{
  g_return_if_fail (VL_IS_HEATMAP (self));

  if (self->min == min && self->max == max)
    return;
  if (self->min != min)
    {
      self->min = min;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MIN]);
    }
  if (self->max != max)
    {
      self->max = max;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX]);
    }
  invalidate_colors (self);
}

void
vl_heatmap_get_data_range (VlHeatmap *self,
                           float     *min,
                           float     *max)
{
  g_return_if_fail (VL_IS_HEATMAP (self));

  *min = self->data_min;
  *max = self->data_max;
}

gboolean
vl_heatmap_get_uses_gl (VlHeatmap *self)
{
  g_return_val_if_fail (VL_IS_HEATMAP (self), FALSE);

  return self->gl_area != NULL && !self->gl_failed;
}
