/* vl-device-card.h: one device's capabilities as a card. */
#pragma once

#include <gtk/gtk.h>
#include <vectorlab.h>

G_BEGIN_DECLS

#define VL_TYPE_DEVICE_CARD (vl_device_card_get_type ())
G_DECLARE_FINAL_TYPE (VlDeviceCard, vl_device_card, VL, DEVICE_CARD, GtkWidget)

GtkWidget *vl_device_card_new (const VlDeviceInfo *info);

G_END_DECLS
