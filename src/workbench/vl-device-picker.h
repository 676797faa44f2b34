/* vl-device-picker.h: a drop-down of "auto" and every device. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define VL_TYPE_DEVICE_PICKER (vl_device_picker_get_type ())
G_DECLARE_FINAL_TYPE (VlDevicePicker, vl_device_picker, VL, DEVICE_PICKER, GtkWidget)

GtkWidget  *vl_device_picker_new        (void);
/* The chosen device id: "auto", "cpu", "opencl:0", ... */
const char *vl_device_picker_get_device (VlDevicePicker *self);
/* Chooses @device once the list has it; an unknown id keeps "auto". */
void        vl_device_picker_set_device (VlDevicePicker *self,
                                         const char     *device);

G_END_DECLS
