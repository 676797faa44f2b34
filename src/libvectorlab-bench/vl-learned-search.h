/* vl-learned-search.h: k-NN through a learned projection, as a service that
 * degrades gracefully.
 *
 * The founding documents gate learned distances behind an experimental-ML
 * switch that is off by default.  VlLearnedSearch follows them: with
 * "experimental-ml" off, or with no projection set, a search runs plain
 * exact k-NN on the original vectors, and the result says which path ran
 * and why.  With both, the database is projected once (a VlProjIndex on the
 * device) and reused by every search until the database, the projection,
 * the metric or the switch changes.
 */
#pragma once

#include <glib-object.h>

#include "vectorlab.h"

G_BEGIN_DECLS

#define VL_TYPE_LEARNED_SEARCH (vl_learned_search_get_type ())

G_DECLARE_FINAL_TYPE (VlLearnedSearch, vl_learned_search, VL, LEARNED_SEARCH,
                      GObject)

typedef struct
{
  gboolean    used_projection;
  /* Why: "projected", "experimental-ml is off" or "no projection is
   * set".  A static string. */
  const char *reason;
} VlLearnedSearchInfo;

/* @ctx and @weights must outlive the service. */
VlLearnedSearch *vl_learned_search_new (VlContext *ctx,
                                        VlWeights *weights,
                                        VlMetric   metric);

void     vl_learned_search_set_experimental_ml (VlLearnedSearch *self,
                                                gboolean         enabled);
gboolean vl_learned_search_get_experimental_ml (VlLearnedSearch *self);

/* Keeps a copy of @database (n x d) for whichever index is needed. */
gboolean vl_learned_search_set_database (VlLearnedSearch *self,
                                         const VlMatrix  *database,
                                         GError         **error);
/* The name of a p x d tensor of the registry, or NULL for none.  Checked
 * when the next search builds its index. */
void     vl_learned_search_set_projection (VlLearnedSearch *self,
                                           const char      *name);

gboolean vl_learned_search_search (VlLearnedSearch     *self,
                                   const VlMatrix      *queries,
                                   gsize                k,
                                   gint64              *ids,
                                   float               *scores,
                                   VlLearnedSearchInfo *info,
                                   GError             **error);

G_END_DECLS
