/* vl-verify-result.c: the outcome of one verification case. */
#include "vl-verify-result.h"

struct _VlVerifyResult
{
  GObject         parent_instance;

  char           *name;
  char           *shape;
  VlVerifyMeasure measure;
  double          value;
  double          tolerance;
  gboolean        ok;
  char           *message;
};

G_DEFINE_FINAL_TYPE (VlVerifyResult, vl_verify_result, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_SHAPE,
  PROP_VALUE,
  PROP_TOLERANCE,
  PROP_OK,
  PROP_MESSAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
vl_verify_result_finalize (GObject *object)
{
  VlVerifyResult *self = VL_VERIFY_RESULT (object);

  g_free (self->name);
  g_free (self->shape);
  g_free (self->message);
  G_OBJECT_CLASS (vl_verify_result_parent_class)->finalize (object);
}

static void
vl_verify_result_get_property (GObject *object, guint prop_id, GValue *value,
                               GParamSpec *pspec)
{
  VlVerifyResult *self = VL_VERIFY_RESULT (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_SHAPE:
      g_value_set_string (value, self->shape);
      break;
    case PROP_VALUE:
      g_value_set_double (value, self->value);
      break;
    case PROP_TOLERANCE:
      g_value_set_double (value, self->tolerance);
      break;
    case PROP_OK:
      g_value_set_boolean (value, self->ok);
      break;
    case PROP_MESSAGE:
      g_value_set_string (value, self->message);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vl_verify_result_class_init (VlVerifyResultClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = vl_verify_result_finalize;
  object_class->get_property = vl_verify_result_get_property;

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL, flags);
  properties[PROP_SHAPE] =
    g_param_spec_string ("shape", NULL, NULL, NULL, flags);
  properties[PROP_VALUE] =
    g_param_spec_double ("value", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0,
                         flags);
  properties[PROP_TOLERANCE] =
    g_param_spec_double ("tolerance", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);
  properties[PROP_OK] = g_param_spec_boolean ("ok", NULL, NULL, FALSE, flags);
  properties[PROP_MESSAGE] =
    g_param_spec_string ("message", NULL, NULL, NULL, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vl_verify_result_init (VlVerifyResult *self)
{
}

VlVerifyResult *
vl_verify_result_new (const char *name, const char *shape,
                      VlVerifyMeasure measure, double value, double tolerance,
                      gboolean ok, const char *message)
{
  VlVerifyResult *self = g_object_new (VL_TYPE_VERIFY_RESULT, NULL);

  self->name = g_strdup (name);
  self->shape = g_strdup (shape);
  self->measure = measure;
  self->value = value;
  self->tolerance = tolerance;
  self->ok = ok;
  self->message = g_strdup (message);
  return self;
}

const char *
vl_verify_result_get_name (VlVerifyResult *self)
{
  g_return_val_if_fail (VL_IS_VERIFY_RESULT (self), NULL);
  return self->name;
}

const char *
vl_verify_result_get_shape (VlVerifyResult *self)
{
  g_return_val_if_fail (VL_IS_VERIFY_RESULT (self), NULL);
  return self->shape;
}

VlVerifyMeasure
vl_verify_result_get_measure (VlVerifyResult *self)
{
  g_return_val_if_fail (VL_IS_VERIFY_RESULT (self),
                        VL_VERIFY_MEASURE_REL_ERROR);
  return self->measure;
}

double
vl_verify_result_get_value (VlVerifyResult *self)
{
  g_return_val_if_fail (VL_IS_VERIFY_RESULT (self), 0.0);
  return self->value;
}

double
vl_verify_result_get_tolerance (VlVerifyResult *self)
{
  g_return_val_if_fail (VL_IS_VERIFY_RESULT (self), 0.0);
  return self->tolerance;
}

gboolean
vl_verify_result_get_ok (VlVerifyResult *self)
{
  g_return_val_if_fail (VL_IS_VERIFY_RESULT (self), FALSE);
  return self->ok;
}

const char *
vl_verify_result_get_message (VlVerifyResult *self)
{
  g_return_val_if_fail (VL_IS_VERIFY_RESULT (self), NULL);
  return self->message;
}
