/* TEMPORARY scaffold so the tree links while the real cpu backend is being
 * written: forwards to ref.  Replaced wholesale by the cpu backend. */
#include "vl-private.h"
#include <stdio.h>
#include <string.h>

void
vl_cpu_describe (VlDeviceInfo *info)
{
  vl_ref_describe (info);
  snprintf (info->id, sizeof info->id, "cpu");
  info->backend = VL_BACKEND_CPU;
}

static VlStatus init (VlContext *c, VlError **e) { return VL_STATUS_OK; }
static void fin (VlContext *c) { }
static VlStatus dm (VlContext *c, VlMetric m, const VlMatrix *q, const VlMatrix *d, VlMatrix *o, VlError **e) { return vl_ref_backend.distance_matrix (c, m, q, d, o, e); }
static VlStatus nr (VlContext *c, const VlMatrix *i, VlMatrix *o, VlError **e) { return vl_ref_backend.normalize_rows (c, i, o, e); }
static VlStatus sm (VlContext *c, const VlMatrix *x, VlMatrix *o, VlError **e) { return vl_ref_backend.similarity_matrix (c, x, o, e); }
static VlStatus pl (VlContext *c, const VlMatrix *t, size_t s, const uint8_t *m, const float *w, VlMatrix *o, VlError **e) { return vl_ref_backend.pool (c, t, s, m, w, o, e); }
static VlStatus ib (VlIndex *i, const VlMatrix *d, VlError **e) { return vl_ref_backend.index_build (i, d, e); }
static void ifr (VlIndex *i) { vl_ref_backend.index_free (i); }
static VlStatus is (VlIndex *i, const VlMatrix *q, size_t k, int64_t *ids, float *s, VlError **e) { return vl_ref_backend.index_search (i, q, k, ids, s, e); }

const VlBackend vl_cpu_backend = { VL_BACKEND_CPU, init, fin, dm, nr, sm, pl, ib, ifr, is };
