/* vl-similarity-page.c: parameters, the device, the computation through
 * the engine's runner (vl-bench-similarity-job.c) and the heatmap with its
 * colour controls. */
#include "vl-workbench-config.h"

#include <glib/gi18n.h>

#include "vl-colormap.h"
#include "vl-device-picker.h"
#include "vl-empty-state.h"
#include "vl-export.h"
#include "vl-heatmap.h"
#include "vl-similarity-page.h"

struct _VlSimilarityPage
{
  GtkWidget       parent_instance;

  GtkWidget       *content;
  GtkToggleButton *generated_toggle;
  GtkToggleButton *file_toggle;
  GtkWidget       *generated_grid;
  GtkWidget       *file_box;
  GtkLabel        *file_label;
  GtkSpinButton   *vectors_spin;
  GtkSpinButton   *dimension_spin;
  GtkSpinButton   *clusters_spin;
  GtkSpinButton   *seed_spin;
  VlDevicePicker  *device_picker;
  GtkWidget       *compute_button;
  GtkDropDown     *colormap_dropdown;
  GtkSpinButton   *min_spin;
  GtkSpinButton   *max_spin;
  GtkStack        *view_stack;
  VlEmptyState    *empty_state;
  GtkSpinner      *spinner;
  GtkLabel        *stage_label;
  VlHeatmap       *heatmap;
  GtkLabel        *readout_label;
  GtkDrawingArea  *colorbar;
  GtkLabel        *info_label;

  GSettings       *settings;
  GFile           *file;
  VlBenchRunner   *runner;
  GCancellable    *cancellable;    /* the running computation, or NULL */
  VlBenchSimilarityResult *result;
  gboolean        computed_once;
};

G_DEFINE_FINAL_TYPE (VlSimilarityPage, vl_similarity_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_BUSY,
  N_PROPS
};

enum {
  SIGNAL_COMPUTED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
update_info (VlSimilarityPage *self)
{
  g_autofree char *text = NULL;
  g_autofree char *tooltip = NULL;
  const VlBenchSimilarityResult *r = self->result;
  g_autoptr(GString) renderer = NULL;

  if (r == NULL)
    {
      gtk_label_set_label (self->info_label, "");
      return;
    }
  g_object_get (self->heatmap, "renderer", &text, NULL);
  renderer = g_string_new (text);
  g_free (text);
  /* Translators: the line under the heatmap: matrix size, dimension,
   * device, time of the op and what draws the heatmap, e.g.
   * "512 × 512 · d = 64 · cpu · 3.1 ms · OpenGL 4.5". */
  text = g_strdup_printf (_("%u × %u · d = %u · %s · %.1f ms · %s"),
                          r->n, r->n, r->d, r->device_id, r->op_ms, renderer->str);
  if (r->total_rows > r->n)
    {
      g_autofree char *first = g_strdup_printf (_(" (first %u of %zu rows)"), r->n, r->total_rows);
      char *joined = g_strconcat (text, first, NULL);

      g_free (text);
      text = joined;
    }
  gtk_label_set_label (self->info_label, text);
  tooltip = g_strdup_printf ("%s\n%s", r->source, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->info_label), tooltip);
}

static void
heatmap_hover (VlSimilarityPage *self,
               int               i,
               int               j,
               double            value)
{
  g_autofree char *text = NULL;

  if (i < 0)
    {
      gtk_label_set_label (self->readout_label, _("Point at a cell to read it"));
      return;
    }
  /* Translators: the hover readout: a row, a column and the cosine
   * similarity there. */
  text = g_strdup_printf (_("row %d, column %d: %+.4f"), i, j, value);
  gtk_label_set_label (self->readout_label, text);
}

static void
draw_colorbar (GtkDrawingArea *area,
               cairo_t        *cr,
               int             width,
               int             height,
               gpointer        user_data)
{
  VlSimilarityPage *self = user_data;
  const guint8 *lut = vl_colormap_get_lut (vl_heatmap_get_colormap (self->heatmap));
  cairo_pattern_t *gradient;
  g_autoptr(PangoLayout) layout = NULL;
  g_autofree char *min_text = NULL;
  g_autofree char *max_text = NULL;
  GdkRGBA fg;
  int text_w, text_h, max_w, bar_x, bar_w;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (area)), &fg);
  G_GNUC_END_IGNORE_DEPRECATIONS

  min_text = g_strdup_printf ("%.2f", gtk_spin_button_get_value (self->min_spin));
  max_text = g_strdup_printf ("%.2f", gtk_spin_button_get_value (self->max_spin));
  layout = gtk_widget_create_pango_layout (GTK_WIDGET (area), max_text);
  pango_layout_get_pixel_size (layout, &max_w, &text_h);
  pango_layout_set_text (layout, min_text, -1);
  pango_layout_get_pixel_size (layout, &text_w, &text_h);

  bar_x = text_w + 8;
  bar_w = width - bar_x - max_w - 8;
  if (bar_w < 16)
    return;

  gdk_cairo_set_source_rgba (cr, &fg);
  cairo_move_to (cr, 0, (height - text_h) / 2.0);
  pango_cairo_show_layout (cr, layout);
  pango_layout_set_text (layout, max_text, -1);
  cairo_move_to (cr, width - max_w, (height - text_h) / 2.0);
  pango_cairo_show_layout (cr, layout);

  gradient = cairo_pattern_create_linear (bar_x, 0, bar_x + bar_w, 0);
  for (guint i = 0; i < VL_COLORMAP_SIZE; i += 15)
    cairo_pattern_add_color_stop_rgb (gradient, i / (double) (VL_COLORMAP_SIZE - 1),
                                      lut[i * 4] / 255.0, lut[i * 4 + 1] / 255.0,
                                      lut[i * 4 + 2] / 255.0);
  cairo_pattern_add_color_stop_rgb (gradient, 1.0, lut[(VL_COLORMAP_SIZE - 1) * 4] / 255.0,
                                    lut[(VL_COLORMAP_SIZE - 1) * 4 + 1] / 255.0,
                                    lut[(VL_COLORMAP_SIZE - 1) * 4 + 2] / 255.0);
  cairo_rectangle (cr, bar_x, height / 2.0 - 6, bar_w, 12);
  cairo_set_source (cr, gradient);
  cairo_fill (cr);
  cairo_pattern_destroy (gradient);
}

static void
range_changed (VlSimilarityPage *self)
{
  vl_heatmap_set_range (self->heatmap, gtk_spin_button_get_value (self->min_spin),
                        gtk_spin_button_get_value (self->max_spin));
  gtk_widget_queue_draw (GTK_WIDGET (self->colorbar));
}

static void
colormap_selected (VlSimilarityPage *self)
{
  guint selected = gtk_drop_down_get_selected (self->colormap_dropdown);

  if (selected >= VL_N_COLORMAPS)
    return;
  vl_heatmap_set_colormap (self->heatmap, selected);
  gtk_widget_queue_draw (GTK_WIDGET (self->colorbar));
  if (self->settings != NULL)
    g_settings_set_enum (self->settings, "colormap", selected);
}

static void
fit_range_clicked (VlSimilarityPage *self)
{
  float min, max;

  if (self->result == NULL)
    return;
  vl_heatmap_get_data_range (self->heatmap, &min, &max);
  gtk_spin_button_set_value (self->min_spin, min);
  gtk_spin_button_set_value (self->max_spin, max);
}

static void
reset_view_clicked (VlSimilarityPage *self)
{
  vl_heatmap_reset_view (self->heatmap);
}

static void
source_toggled (VlSimilarityPage *self)
{
  gboolean generated = gtk_toggle_button_get_active (self->generated_toggle);

  gtk_widget_set_visible (self->generated_grid, generated);
  gtk_widget_set_visible (self->file_box, !generated);
}

static void
set_busy (VlSimilarityPage *self,
          gboolean          busy)
{
  gtk_widget_set_sensitive (self->compute_button, !busy);
  if (busy)
    {
      gtk_spinner_start (self->spinner);
      gtk_stack_set_visible_child_name (self->view_stack, "busy");
    }
  else
    {
      gtk_spinner_stop (self->spinner);
      gtk_stack_set_visible_child_name (self->view_stack,
                                        self->result != NULL ? "heatmap" : "empty");
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
job_progress (VlBenchRunner    *runner,
              double            fraction,
              const char       *stage,
              double            eta_seconds,
              VlSimilarityPage *self)
{
  gtk_label_set_label (self->stage_label, stage);
}

static void
computed (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  VlSimilarityPage *self;
  g_autoptr(GError) error = NULL;
  g_autoptr(VlBenchSimilarityResult) r = NULL;

  r = vl_bench_runner_similarity_finish (VL_BENCH_RUNNER (source), result, &error);

  /* Cancelled: the page may be gone, and whoever cancelled has already
   * put it back to rest. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = VL_SIMILARITY_PAGE (user_data);
  g_clear_object (&self->cancellable);
  if (r == NULL)
    {
      set_busy (self, FALSE);
      vl_show_error (GTK_WIDGET (self), _("Could not compute the similarity matrix"),
                     error->message);
      return;
    }

  g_clear_pointer (&self->result, vl_bench_similarity_result_free);
  self->result = g_steal_pointer (&r);
  vl_heatmap_set_matrix (self->heatmap, self->result->matrix, self->result->n);
  set_busy (self, FALSE);
  update_info (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->heatmap));
  g_signal_emit (self, signals[SIGNAL_COMPUTED], 0, self->result);
}

static void
start (VlSimilarityPage *self,
       GFile            *file)
{
  g_auto(VlBenchSimilarityRequest) request = { 0 };

  vl_similarity_page_cancel (self);
  request.device_id = g_strdup (vl_device_picker_get_device (self->device_picker));
  request.path = file != NULL ? g_file_get_path (file) : NULL;
  request.n = gtk_spin_button_get_value_as_int (self->vectors_spin);
  request.d = gtk_spin_button_get_value_as_int (self->dimension_spin);
  request.clusters = gtk_spin_button_get_value_as_int (self->clusters_spin);
  request.seed = gtk_spin_button_get_value_as_int (self->seed_spin);
  if (file != NULL && request.path == NULL)
    {
      vl_show_error (GTK_WIDGET (self), _("Could not open the file"),
                     _("Only local files can be read."));
      return;
    }

  self->computed_once = TRUE;
  gtk_label_set_label (self->stage_label, "");
  self->cancellable = g_cancellable_new ();
  set_busy (self, TRUE);
  vl_bench_runner_similarity_async (self->runner, &request, self->cancellable, computed, self);
}

void
vl_similarity_page_compute (VlSimilarityPage *self)
{
  g_return_if_fail (VL_IS_SIMILARITY_PAGE (self));

  if (gtk_toggle_button_get_active (self->file_toggle))
    {
      if (self->file == NULL)
        vl_similarity_page_choose_file (self);
      else
        start (self, self->file);
      return;
    }
  start (self, NULL);
}

void
vl_similarity_page_cancel (VlSimilarityPage *self)
{
  g_return_if_fail (VL_IS_SIMILARITY_PAGE (self));

  if (self->cancellable == NULL)
    return;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  set_busy (self, FALSE);
}

gboolean
vl_similarity_page_get_busy (VlSimilarityPage *self)
{
  g_return_val_if_fail (VL_IS_SIMILARITY_PAGE (self), FALSE);

  return self->cancellable != NULL;
}

gboolean
vl_similarity_page_has_matrix (VlSimilarityPage *self)
{
  g_return_val_if_fail (VL_IS_SIMILARITY_PAGE (self), FALSE);

  return self->result != NULL;
}

VlHeatmap *
vl_similarity_page_get_heatmap (VlSimilarityPage *self)
{
  g_return_val_if_fail (VL_IS_SIMILARITY_PAGE (self), NULL);

  return self->heatmap;
}

void
vl_similarity_page_load_file (VlSimilarityPage *self,
                              GFile            *file)
{
  g_autofree char *name = NULL;

  g_return_if_fail (VL_IS_SIMILARITY_PAGE (self));
  g_return_if_fail (G_IS_FILE (file));

  g_set_object (&self->file, file);
  name = g_file_get_basename (file);
  gtk_label_set_label (self->file_label, name);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->file_label), g_file_peek_path (file));
  gtk_toggle_button_set_active (self->file_toggle, TRUE);
  start (self, file);
}

static void
open_response (GtkNativeDialog  *dialog,
               int               response,
               VlSimilarityPage *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (file != NULL)
        vl_similarity_page_load_file (self, file);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (self);
}

void
vl_similarity_page_choose_file (VlSimilarityPage *self)
{
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  g_return_if_fail (VL_IS_SIMILARITY_PAGE (self));

  chooser = gtk_file_chooser_native_new (_("Open Vectors"),
                                         GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_filter_set_name (filter, _("Vectors (.npy, .fvecs)"));
  gtk_file_filter_add_pattern (filter, "*.npy");
  gtk_file_filter_add_pattern (filter, "*.fvecs");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  g_signal_connect (chooser, "response", G_CALLBACK (open_response), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

gboolean
vl_similarity_page_save_png (VlSimilarityPage  *self,
                             GFile             *file,
                             GError           **error)
{
  g_autoptr(GdkTexture) texture = NULL;
  guint n;

  g_return_val_if_fail (VL_IS_SIMILARITY_PAGE (self), FALSE);

  n = vl_heatmap_get_size (self->heatmap);
  if (n == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("There is no matrix to export yet"));
      return FALSE;
    }
  /* Whole cells of at least a pixel, about 1024 pixels a side. */
  texture = vl_heatmap_render_matrix (self->heatmap, MAX (1, 1024 / n));
  return vl_texture_save_png (texture, file, error);
}

static void
export_to (GFile   *file,
           GObject *object)
{
  VlSimilarityPage *self = VL_SIMILARITY_PAGE (object);
  g_autoptr(GError) error = NULL;

  if (!vl_similarity_page_save_png (self, file, &error))
    vl_show_error (GTK_WIDGET (self), _("Could not export the heatmap"), error->message);
}

void
vl_similarity_page_export (VlSimilarityPage *self)
{
  g_return_if_fail (VL_IS_SIMILARITY_PAGE (self));

  if (self->result == NULL)
    return;
  vl_export_choose_file (GTK_WIDGET (self), _("Export Heatmap"), "similarity.png",
                         _("PNG images"), "image/png", export_to, G_OBJECT (self));
}

void
vl_similarity_page_bind_settings (VlSimilarityPage *self,
                                  GSettings        *settings)
{
  g_return_if_fail (VL_IS_SIMILARITY_PAGE (self));
  g_return_if_fail (G_IS_SETTINGS (settings));

  g_set_object (&self->settings, settings);
  g_settings_bind (settings, "similarity-vectors",
                   gtk_spin_button_get_adjustment (self->vectors_spin), "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "similarity-dimension",
                   gtk_spin_button_get_adjustment (self->dimension_spin), "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "similarity-clusters",
                   gtk_spin_button_get_adjustment (self->clusters_spin), "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "similarity-seed",
                   gtk_spin_button_get_adjustment (self->seed_spin), "value",
                   G_SETTINGS_BIND_DEFAULT);
  gtk_drop_down_set_selected (self->colormap_dropdown, g_settings_get_enum (settings, "colormap"));
  g_settings_bind (settings, "device", self->device_picker, "device", G_SETTINGS_BIND_DEFAULT);
}

static void
vl_similarity_page_map (GtkWidget *widget)
{
  VlSimilarityPage *self = VL_SIMILARITY_PAGE (widget);

  GTK_WIDGET_CLASS (vl_similarity_page_parent_class)->map (widget);

  /* Something to look at straight away: the generated set is cheap. */
  if (!self->computed_once && gtk_toggle_button_get_active (self->generated_toggle))
    start (self, NULL);
}

static void
vl_similarity_page_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  VlSimilarityPage *self = VL_SIMILARITY_PAGE (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, vl_similarity_page_get_busy (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vl_similarity_page_dispose (GObject *object)
{
  VlSimilarityPage *self = VL_SIMILARITY_PAGE (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->runner != NULL)
    g_signal_handlers_disconnect_by_data (self->runner, self);
  g_clear_object (&self->runner);
  gtk_widget_dispose_template (GTK_WIDGET (self), VL_TYPE_SIMILARITY_PAGE);

  G_OBJECT_CLASS (vl_similarity_page_parent_class)->dispose (object);
}

static void
vl_similarity_page_finalize (GObject *object)
{
  VlSimilarityPage *self = VL_SIMILARITY_PAGE (object);

  g_clear_object (&self->settings);
  g_clear_object (&self->file);
  g_clear_pointer (&self->result, vl_bench_similarity_result_free);

  G_OBJECT_CLASS (vl_similarity_page_parent_class)->finalize (object);
}

static void
vl_similarity_page_class_init (VlSimilarityPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = vl_similarity_page_get_property;
  object_class->dispose = vl_similarity_page_dispose;
  object_class->finalize = vl_similarity_page_finalize;
  widget_class->map = vl_similarity_page_map;

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Emitted with the VlBenchSimilarityResult (owned by the page) once shown. */
  signals[SIGNAL_COMPUTED] =
    g_signal_new ("computed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);

  g_type_ensure (VL_TYPE_DEVICE_PICKER);
  g_type_ensure (VL_TYPE_EMPTY_STATE);
  g_type_ensure (VL_TYPE_HEATMAP);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vectorlab/Workbench/vl-similarity-page.ui");
  gtk_widget_class_bind_template_child (widget_class, VlSimilarityPage, content);
  gtk_widget_class_bind_template_child (widget_class, VlSimilarityPage, generated_toggle);
  gtk_widget_class_bind_template_child (widget_class, VlSimilarityPage, file_toggle);
  gtk_widget_class_bind_template_child (widget_class, VlSimilarityPage, generated_grid);
  gtk_widget_class_bind_template_child (widget_class, VlSimilarityPage, file_box);
  gtk_widget_class_bind_template_child (widget_class, VlSimilarityPage, file_label);
  gtk_widget_class_bind_template_child (widget_class, VlSimilarityPage, vectors_spin);
  gtk_widget_class_bind_template_child (widget_class, VlSimilarityPage, dimension_spin);
  gtk_widget_class_bind_template_child (widget_class, VlSimilarityPage, clusters_spin);
  gtk_widget_class_bind_template_child (widget_class, VlSimilarityPage, seed_spin);
  gtk_widget_class_bind_template_child (widget_class, VlSimilarityPage, device_picker);
  gtk_widget_class_bind_template_child (widget_class, VlSimilarityPage, compute_button);
  gtk_widget_class_bind_template_child (widget_class, VlSimilarityPage, colormap_dropdown);
  gtk_widget_class_bind_template_child (widget_class, VlSimilarityPage, min_spin);
  gtk_widget_class_bind_template_child (widget_class, VlSimilarityPage, max_spin);
  gtk_widget_class_bind_template_child (widget_class, VlSimilarityPage, view_stack);
  gtk_widget_class_bind_template_child (widget_class, VlSimilarityPage, empty_state);
  gtk_widget_class_bind_template_child (widget_class, VlSimilarityPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, VlSimilarityPage, stage_label);
  gtk_widget_class_bind_template_child (widget_class, VlSimilarityPage, heatmap);
  gtk_widget_class_bind_template_child (widget_class, VlSimilarityPage, readout_label);
  gtk_widget_class_bind_template_child (widget_class, VlSimilarityPage, colorbar);
  gtk_widget_class_bind_template_child (widget_class, VlSimilarityPage, info_label);
  gtk_widget_class_bind_template_callback (widget_class, source_toggled);
  gtk_widget_class_bind_template_callback (widget_class, colormap_selected);
  gtk_widget_class_bind_template_callback (widget_class, range_changed);
  gtk_widget_class_bind_template_callback (widget_class, fit_range_clicked);
  gtk_widget_class_bind_template_callback (widget_class, reset_view_clicked);
  gtk_widget_class_bind_template_callback (widget_class, heatmap_hover);
  gtk_widget_class_bind_template_callback (widget_class, update_info);
  gtk_widget_class_bind_template_callback (widget_class, vl_similarity_page_compute);
  gtk_widget_class_bind_template_callback (widget_class, vl_similarity_page_choose_file);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
vl_similarity_page_init (VlSimilarityPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->runner = vl_bench_runner_new ();
  g_signal_connect (self->runner, "progress", G_CALLBACK (job_progress), self);
  gtk_drawing_area_set_draw_func (self->colorbar, draw_colorbar, self, NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->colorbar),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Colour scale"), -1);
  range_changed (self);
}
