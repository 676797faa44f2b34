/* vl-similarity-page.h: the similarity heatmap of generated or loaded
 * vectors, computed on a chosen device. */
#pragma once

#include <gtk/gtk.h>

#include "vl-heatmap.h"
#include "vl-bench-similarity-job.h"

G_BEGIN_DECLS

#define VL_TYPE_SIMILARITY_PAGE (vl_similarity_page_get_type ())
G_DECLARE_FINAL_TYPE (VlSimilarityPage, vl_similarity_page, VL, SIMILARITY_PAGE, GtkWidget)

void       vl_similarity_page_bind_settings (VlSimilarityPage *self,
                                             GSettings        *settings);
/* Starts computing with the current parameters, cancelling a computation
 * still running; "computed" is emitted when the matrix is shown. */
void       vl_similarity_page_compute       (VlSimilarityPage *self);
void       vl_similarity_page_cancel        (VlSimilarityPage *self);
gboolean   vl_similarity_page_get_busy      (VlSimilarityPage *self);
gboolean   vl_similarity_page_has_matrix    (VlSimilarityPage *self);
/* Asks for a .npy or .fvecs file, then computes its similarity. */
void       vl_similarity_page_choose_file   (VlSimilarityPage *self);
void       vl_similarity_page_load_file     (VlSimilarityPage *self,
                                             GFile            *file);
/* Asks for a file name and saves the heatmap there as PNG. */
void       vl_similarity_page_export        (VlSimilarityPage *self);
gboolean   vl_similarity_page_save_png      (VlSimilarityPage *self,
                                             GFile            *file,
                                             GError          **error);
VlHeatmap *vl_similarity_page_get_heatmap   (VlSimilarityPage *self);

G_END_DECLS
