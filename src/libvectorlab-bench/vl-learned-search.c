/* vl-learned-search.c: the learned-distance service with its fallback. */
#include "vl-learned-search.h"

#include "vl-bench-error.h"

#include <string.h>

struct _VlLearnedSearch
{
  GObject      parent_instance;

  VlContext   *ctx;
  VlWeights   *weights;
  VlMetric     metric;
  gboolean     experimental_ml;
  char        *projection;
  float       *database;
  gsize        n, d;

  /* Built on demand, dropped when what they were built from changes. */
  VlIndex     *plain;
  VlProjIndex *projected;
};

enum
{
  PROP_0,
  PROP_EXPERIMENTAL_ML,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (VlLearnedSearch, vl_learned_search, G_TYPE_OBJECT)

static void
drop_indexes (VlLearnedSearch *self)
{
  g_clear_pointer (&self->plain, vl_index_free);
  g_clear_pointer (&self->projected, vl_proj_index_free);
}

static void
vl_learned_search_finalize (GObject *object)
{
  VlLearnedSearch *self = VL_LEARNED_SEARCH (object);

  drop_indexes (self);
  g_free (self->projection);
  g_free (self->database);
  G_OBJECT_CLASS (vl_learned_search_parent_class)->finalize (object);
}

static void
vl_learned_search_get_property (GObject *object, guint prop_id,
                                GValue *value, GParamSpec *pspec)
{
  VlLearnedSearch *self = VL_LEARNED_SEARCH (object);

  switch (prop_id)
    {
    case PROP_EXPERIMENTAL_ML:
      g_value_set_boolean (value, self->experimental_ml);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vl_learned_search_set_property (GObject *object, guint prop_id,
                                const GValue *value, GParamSpec *pspec)
{
  VlLearnedSearch *self = VL_LEARNED_SEARCH (object);

  switch (prop_id)
    {
    case PROP_EXPERIMENTAL_ML:
      vl_learned_search_set_experimental_ml (self,
                                             g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vl_learned_search_class_init (VlLearnedSearchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = vl_learned_search_finalize;
  object_class->get_property = vl_learned_search_get_property;
  object_class->set_property = vl_learned_search_set_property;

  /* Off by default, as the founding documents ship their ML features. */
  properties[PROP_EXPERIMENTAL_ML] =
    g_param_spec_boolean ("experimental-ml", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY
                          | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vl_learned_search_init (VlLearnedSearch *self)
{
}

VlLearnedSearch *
vl_learned_search_new (VlContext *ctx, VlWeights *weights, VlMetric metric)
{
  VlLearnedSearch *self;

  g_return_val_if_fail (ctx != NULL, NULL);

  self = g_object_new (VL_TYPE_LEARNED_SEARCH, NULL);
  self->ctx = ctx;
  self->weights = weights;
  self->metric = metric;
  return self;
}

void
vl_learned_search_set_experimental_ml (VlLearnedSearch *self,
                                       gboolean enabled)
{
  g_return_if_fail (VL_IS_LEARNED_SEARCH (self));

  enabled = !!enabled;
  if (self->experimental_ml == enabled)
    return;
  self->experimental_ml = enabled;
  g_object_notify_by_pspec (G_OBJECT (self),
                            properties[PROP_EXPERIMENTAL_ML]);
}

gboolean
vl_learned_search_get_experimental_ml (VlLearnedSearch *self)
{
  g_return_val_if_fail (VL_IS_LEARNED_SEARCH (self), FALSE);

  return self->experimental_ml;
}

gboolean
vl_learned_search_set_database (VlLearnedSearch *self,
                                const VlMatrix *database, GError **error)
{
  g_autofree float *copy = NULL;

  g_return_val_if_fail (VL_IS_LEARNED_SEARCH (self), FALSE);
  g_return_val_if_fail (database != NULL, FALSE);

  if (database->dtype != VL_DTYPE_F32 || database->rows == 0
      || database->cols == 0 || database->data == NULL
      || database->stride < database->cols)
    {
      g_set_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_FAILED,
                   "the database must be a non-empty fp32 matrix");
      return FALSE;
    }
  if ((copy = g_try_new (float, database->rows * database->cols)) == NULL)
    {
      g_set_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_FAILED,
                   "out of host memory for a %" G_GSIZE_FORMAT " x %"
                   G_GSIZE_FORMAT " database", database->rows,
                   database->cols);
      return FALSE;
    }
  for (gsize r = 0; r < database->rows; r++)
    memcpy (copy + r * database->cols,
            (const float *) database->data + r * database->stride,
            database->cols * sizeof (float));
  drop_indexes (self);
  g_free (self->database);
  self->database = g_steal_pointer (&copy);
  self->n = database->rows;
  self->d = database->cols;
  return TRUE;
}

void
vl_learned_search_set_projection (VlLearnedSearch *self, const char *name)
{
  g_return_if_fail (VL_IS_LEARNED_SEARCH (self));

  g_clear_pointer (&self->projected, vl_proj_index_free);
  g_free (self->projection);
  self->projection = g_strdup (name);
}

gboolean
vl_learned_search_search (VlLearnedSearch *self, const VlMatrix *queries,
                          gsize k, gint64 *ids, float *scores,
                          VlLearnedSearchInfo *info, GError **error)
{
  VlMatrix db;
  VlError *vl_error = NULL;
  VlLearnedSearchInfo local;

  g_return_val_if_fail (VL_IS_LEARNED_SEARCH (self), FALSE);

  if (info == NULL)
    info = &local;
  if (self->database == NULL)
    {
      g_set_error (error, VL_BENCH_ERROR, VL_BENCH_ERROR_FAILED,
                   "no database is set");
      return FALSE;
    }
  db = vl_matrix_f32 (self->database, self->n, self->d);

  info->used_projection = self->experimental_ml && self->projection != NULL
                          && self->weights != NULL;
  if (!info->used_projection)
    {
      info->reason = !self->experimental_ml ? "experimental-ml is off"
                                            : "no projection is set";
      if (self->plain == NULL
          && (self->plain = vl_index_new (self->ctx, self->metric, &db,
                                          &vl_error)) == NULL)
        return vl_bench_propagate_vl_error (error, vl_error, "plain index");
      if (vl_index_search (self->plain, queries, k, (int64_t *) ids, scores,
                           &vl_error) != VL_STATUS_OK)
        return vl_bench_propagate_vl_error (error, vl_error, "plain search");
      return TRUE;
    }

  info->reason = "projected";
  if (self->projected == NULL
      && (self->projected = vl_proj_index_new (self->ctx, self->metric,
                                               self->weights,
                                               self->projection, &db,
                                               &vl_error)) == NULL)
    return vl_bench_propagate_vl_error (error, vl_error, "projected index");
  if (vl_proj_index_search (self->projected, queries, k, (int64_t *) ids,
                            scores, &vl_error) != VL_STATUS_OK)
    return vl_bench_propagate_vl_error (error, vl_error, "projected search");
  return TRUE;
}
