/* vl-cli-devices.c: `vectorlab-bench devices`: what can run the kernels. */
#include "config.h"

#include <json-glib/json-glib.h>

#include "vectorlab-bench.h"
#include "vl-cli.h"

static gboolean opt_json;

static const GOptionEntry entries[] = {
  { "json", 0, 0, G_OPTION_ARG_NONE, &opt_json,
    N_("Print JSON instead of a table"), NULL },
  { NULL }
};

enum {
  COL_ID, COL_BACKEND, COL_NAME, COL_VENDOR, COL_DRIVER, COL_UNITS,
  COL_GLOBAL, COL_LOCAL, COL_WORK_GROUP, COL_FP64, COL_FP16, N_COLS
};

static const char *headings[N_COLS] = {
  N_("ID"), N_("BACKEND"), N_("NAME"), N_("VENDOR"), N_("DRIVER"),
  N_("UNITS"), N_("GLOBAL MEM"), N_("LOCAL MEM"), N_("MAX WG"), N_("FP64"),
  N_("FP16"),
};

static char *
format_bytes (guint64 bytes)
{
  return bytes > 0 ? g_format_size_full (bytes, G_FORMAT_SIZE_IEC_UNITS)
                   : g_strdup ("-");
}

/* One row of cells; the default device's id is starred. */
static char **
device_cells (const VlDeviceInfo *d, gboolean is_default)
{
  char **cells = g_new0 (char *, N_COLS + 1);

  cells[COL_ID] = g_strdup_printf ("%s%s", d->id, is_default ? "*" : "");
  cells[COL_BACKEND] = g_strdup (vl_backend_kind_to_string (d->backend));
  cells[COL_NAME] = g_strdup (d->name);
  cells[COL_VENDOR] = g_strdup (d->vendor);
  cells[COL_DRIVER] = g_strdup (d->driver);
  cells[COL_UNITS] = g_strdup_printf ("%u", d->compute_units);
  cells[COL_GLOBAL] = format_bytes (d->global_mem_bytes);
  cells[COL_LOCAL] = format_bytes (d->local_mem_bytes);
  cells[COL_WORK_GROUP] = g_strdup_printf ("%zu", d->max_work_group_size);
  cells[COL_FP64] = g_strdup (d->fp64 ? _("yes") : _("no"));
  cells[COL_FP16] = g_strdup (d->fp16 ? _("yes") : _("no"));
  return cells;
}

static void
print_row (const char *const *cells, const gsize *widths)
{
  g_autoptr(GString) line = g_string_new (NULL);

  for (guint c = 0; c < N_COLS; c++)
    {
      g_string_append (line, cells[c]);
      if (c + 1 < N_COLS)
        for (gsize pad = g_utf8_strlen (cells[c], -1); pad < widths[c] + 2;
             pad++)
          g_string_append_c (line, ' ');
    }
  g_print ("%s\n", line->str);
}

static void
print_table (const VlDeviceInfo *devices, gsize n, const char *default_id)
{
  g_autoptr(GPtrArray) rows = NULL;
  const char *heading_cells[N_COLS];
  gsize widths[N_COLS];

  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  for (guint c = 0; c < N_COLS; c++)
    {
      heading_cells[c] = _(headings[c]);
      widths[c] = g_utf8_strlen (heading_cells[c], -1);
    }
  for (gsize i = 0; i < n; i++)
    {
      char **cells = device_cells (&devices[i],
                                   g_strcmp0 (devices[i].id, default_id) == 0);

      for (guint c = 0; c < N_COLS; c++)
        widths[c] = MAX (widths[c], (gsize) g_utf8_strlen (cells[c], -1));
      g_ptr_array_add (rows, cells);
    }

  print_row (heading_cells, widths);
  for (guint i = 0; i < rows->len; i++)
    print_row ((const char *const *) g_ptr_array_index (rows, i), widths);
  g_print ("\n%s\n", _("* the device that \"auto\" selects"));
}

static void
print_json (const VlDeviceInfo *devices, gsize n, const char *default_id)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "library_version");
  json_builder_add_string_value (builder, vl_version ());
  json_builder_set_member_name (builder, "default");
  json_builder_add_string_value (builder, default_id);
  json_builder_set_member_name (builder, "devices");
  json_builder_begin_array (builder);
  for (gsize i = 0; i < n; i++)
    {
      const VlDeviceInfo *d = &devices[i];

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, d->id);
      json_builder_set_member_name (builder, "backend");
      json_builder_add_string_value (builder,
                                     vl_backend_kind_to_string (d->backend));
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, d->name);
      json_builder_set_member_name (builder, "vendor");
      json_builder_add_string_value (builder, d->vendor);
      json_builder_set_member_name (builder, "driver");
      json_builder_add_string_value (builder, d->driver);
      json_builder_set_member_name (builder, "platform");
      json_builder_add_string_value (builder, d->platform);
      json_builder_set_member_name (builder, "is_gpu");
      json_builder_add_boolean_value (builder, d->is_gpu);
      json_builder_set_member_name (builder, "compute_units");
      json_builder_add_int_value (builder, d->compute_units);
      json_builder_set_member_name (builder, "global_mem_bytes");
      json_builder_add_int_value (builder, (gint64) d->global_mem_bytes);
      json_builder_set_member_name (builder, "local_mem_bytes");
      json_builder_add_int_value (builder, (gint64) d->local_mem_bytes);
      json_builder_set_member_name (builder, "max_work_group_size");
      json_builder_add_int_value (builder, (gint64) d->max_work_group_size);
      json_builder_set_member_name (builder, "fp64");
      json_builder_add_boolean_value (builder, d->fp64);
      json_builder_set_member_name (builder, "fp16");
      json_builder_add_boolean_value (builder, d->fp16);
      json_builder_set_member_name (builder, "default");
      json_builder_add_boolean_value (builder,
                                      g_strcmp0 (d->id, default_id) == 0);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

int
vl_cli_devices (int argc, char **argv)
{
  VlDeviceInfo *devices = NULL;
  VlError *vl_error = NULL;
  char default_id[32] = "";
  gsize n = 0;

  if (!vl_cli_parse_options ("devices", _("List the devices that can run "
                                          "the kernels."),
                             entries, &argc, &argv))
    return VL_CLI_EXIT_USAGE;

  if (vl_devices_list (&devices, &n, &vl_error) != VL_STATUS_OK)
    {
      int code = vl_cli_fail (VL_CLI_EXIT_FAILURE, "%s", vl_error->message);

      vl_error_free (vl_error);
      return code;
    }
  /* An unusable $VL_DEVICE must not stop the listing: no star then. */
  if (vl_device_resolve ("auto", default_id, &vl_error) != VL_STATUS_OK)
    g_clear_pointer (&vl_error, vl_error_free);

  if (opt_json)
    print_json (devices, n, default_id);
  else
    print_table (devices, n, default_id);
  vl_devices_free (devices);
  return VL_CLI_EXIT_OK;
}
