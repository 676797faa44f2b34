/* vl-run-page.h: choose a suite, its parameters and a device, run it
 * through the engine's runner, follow its progress. */
#pragma once

#include <gtk/gtk.h>

#include "vl-bench-engine.h"

G_BEGIN_DECLS

#define VL_TYPE_RUN_PAGE (vl_run_page_get_type ())
G_DECLARE_FINAL_TYPE (VlRunPage, vl_run_page, VL, RUN_PAGE, GtkWidget)

void     vl_run_page_bind_settings (VlRunPage   *self,
                                    GSettings   *settings);
/* Starts the chosen suite; "finished" is emitted with the report. */
void     vl_run_page_run           (VlRunPage   *self);
void     vl_run_page_cancel        (VlRunPage   *self);
gboolean vl_run_page_get_running   (VlRunPage   *self);
/* Chooses @suite and sets @key to @value (a value or a comma list). */
void     vl_run_page_set_suite     (VlRunPage   *self,
                                    const char  *suite);
void     vl_run_page_set_param     (VlRunPage   *self,
                                    const char  *key,
                                    const char  *value);
void     vl_run_page_set_repetitions (VlRunPage *self,
                                      guint      repetitions,
                                      int        warmups);

G_END_DECLS
