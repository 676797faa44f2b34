/* vl-bench-registry.h: every suite the engine knows, by name. */
#pragma once

#include <gio/gio.h>

#include "vl-bench-suite.h"

G_BEGIN_DECLS

/* The suites as a GListModel of VlBenchSuite (owned by the registry), in
 * the order `list` shows them; the first is the default. */
GListModel   *vl_bench_registry_get_suites (void);
/* A new reference to the suite called @name, or NULL with
 * VL_ENGINE_ERROR_UNKNOWN_SUITE listing the valid names. */
VlBenchSuite *vl_bench_registry_lookup     (const char *name,
                                            GError    **error);

G_END_DECLS
