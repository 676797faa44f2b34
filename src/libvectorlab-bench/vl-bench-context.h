/* vl-bench-context.h: the core's handles as seen from GLib code: automatic
 * cleanup and GError-reporting constructors. */
#pragma once

#include <glib.h>

#include "vectorlab.h"

G_BEGIN_DECLS

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VlContext, vl_context_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VlIndex, vl_index_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VlError, vl_error_free)

/* vl_context_new with a VL_BENCH_ERROR; an unknown id's message lists the
 * devices there are. */
VlContext *vl_bench_context_new (const char  *device_id,
                                 GError     **error);

G_END_DECLS
