/* vl-style.c: follows the desktop's light or dark preference.
 *
 * GTK 4.8 without libadwaita does not read the freedesktop colour-scheme
 * preference, so we read it from the settings portal ourselves and turn
 * it into GtkSettings:gtk-application-prefer-dark-theme.  Without a portal
 * (a bare X server, a test) GTK's own settings stay in charge. */
#include "vl-style.h"

#define PORTAL_NAME      "org.freedesktop.portal.Desktop"
#define PORTAL_PATH      "/org/freedesktop/portal/desktop"
#define PORTAL_SETTINGS  "org.freedesktop.portal.Settings"
#define APPEARANCE       "org.freedesktop.appearance"
#define COLOR_SCHEME     "color-scheme"

enum { COLOR_SCHEME_DEFAULT, COLOR_SCHEME_DARK, COLOR_SCHEME_LIGHT };

struct _VlStyle
{
  GObject       parent_instance;
  GDBusProxy   *portal;
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (VlStyle, vl_style, G_TYPE_OBJECT)

static void
apply_color_scheme (GVariant *value)
{
  GtkSettings *settings = gtk_settings_get_default ();
  g_autoptr(GVariant) scheme = g_variant_ref (value);

  /* Read wraps the value in one more variant than SettingChanged does. */
  while (g_variant_is_of_type (scheme, G_VARIANT_TYPE_VARIANT))
    {
      GVariant *inner = g_variant_get_variant (scheme);

      g_variant_unref (scheme);
      scheme = inner;
    }
  if (settings == NULL || !g_variant_is_of_type (scheme, G_VARIANT_TYPE_UINT32))
    return;
  if (g_variant_get_uint32 (scheme) == COLOR_SCHEME_DEFAULT)
    return;
  g_object_set (settings, "gtk-application-prefer-dark-theme",
                g_variant_get_uint32 (scheme) == COLOR_SCHEME_DARK, NULL);
}

static void
portal_signal (GDBusProxy *proxy,
               const char *sender_name,
               const char *signal_name,
               GVariant   *parameters,
               gpointer    user_data)
{
  const char *namespace, *key;
  g_autoptr(GVariant) value = NULL;

  if (g_strcmp0 (signal_name, "SettingChanged") != 0
      || !g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(ssv)")))
    return;
  g_variant_get (parameters, "(&s&sv)", &namespace, &key, &value);
  if (g_strcmp0 (namespace, APPEARANCE) == 0 && g_strcmp0 (key, COLOR_SCHEME) == 0)
    apply_color_scheme (value);
}

static void
read_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) value = NULL;

  reply = g_dbus_proxy_call_finish (G_DBUS_PROXY (source), result, NULL);
  if (reply == NULL)
    return;
  g_variant_get (reply, "(v)", &value);
  apply_color_scheme (value);
}

static void
proxy_ready (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  VlStyle *self;
  g_autoptr(GDBusProxy) proxy = g_dbus_proxy_new_for_bus_finish (result, NULL);

  if (proxy == NULL)
    return;
  self = VL_STYLE (user_data);
  self->portal = g_steal_pointer (&proxy);
  g_signal_connect (self->portal, "g-signal", G_CALLBACK (portal_signal), NULL);
  g_dbus_proxy_call (self->portal, "Read",
                     g_variant_new ("(ss)", APPEARANCE, COLOR_SCHEME),
                     G_DBUS_CALL_FLAGS_NONE, -1, self->cancellable,
                     read_done, NULL);
}

static void
vl_style_dispose (GObject *object)
{
  VlStyle *self = VL_STYLE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->portal);

  G_OBJECT_CLASS (vl_style_parent_class)->dispose (object);
}

static void
vl_style_class_init (VlStyleClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = vl_style_dispose;
}

static void
vl_style_init (VlStyle *self)
{
  self->cancellable = g_cancellable_new ();
  /* The callback runs only while self lives: dispose cancels first. */
  g_dbus_proxy_new_for_bus (G_BUS_TYPE_SESSION,
                            G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES,
                            NULL, PORTAL_NAME, PORTAL_PATH, PORTAL_SETTINGS,
                            self->cancellable, proxy_ready, self);
}

VlStyle *
vl_style_new (void)
{
  return g_object_new (VL_TYPE_STYLE, NULL);
}
