/* vl-cli-verify.c: `vectorlab-bench verify`: every op on one device
 * against the scalar reference, one line per case. */
#include "config.h"

#include "vectorlab-bench.h"
#include "vl-cli.h"

static char *opt_device;

static const GOptionEntry entries[] = {
  { "device", 'd', 0, G_OPTION_ARG_STRING, &opt_device,
    N_("Device to check (default: auto)"), N_("DEVICE") },
  { NULL }
};

static void
print_result (VlVerifyResult *result)
{
  g_autofree char *measure = NULL;
  gboolean ok = vl_verify_result_get_ok (result);
  double value = vl_verify_result_get_value (result);
  double tolerance = vl_verify_result_get_tolerance (result);

  if (vl_verify_result_get_measure (result) == VL_VERIFY_MEASURE_RECALL)
    measure = g_strdup_printf (_("recall %.4f (min %.4f)"), value, tolerance);
  else
    measure = g_strdup_printf (_("max rel err %.2e (tol %.0e)"), value,
                               tolerance);

  g_print ("%-24s %-42s %-32s %s\n", vl_verify_result_get_name (result),
           vl_verify_result_get_shape (result), measure,
           ok ? _("ok") : _("FAIL"));
  if (vl_verify_result_get_message (result) != NULL)
    g_print ("    %s\n", vl_verify_result_get_message (result));
}

int
vl_cli_verify (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VlContext) device = NULL;
  g_autoptr(VlContext) ref = NULL;
  g_autofree char *device_id = NULL;
  const VlDeviceInfo *info;
  const VlVerifyCase *cases;
  gsize n_cases, failed = 0;
  gint64 start;

  if (!vl_cli_parse_options ("verify", _("Check every op on a device "
                                         "against the scalar reference "
                                         "(\"ref\") on seeded random data."),
                             entries, &argc, &argv))
    return VL_CLI_EXIT_USAGE;
  device_id = opt_device != NULL ? g_steal_pointer (&opt_device)
                                 : g_strdup ("auto");

  if ((device = vl_bench_context_new (device_id, &error)) == NULL
      || (ref = vl_bench_context_new ("ref", &error)) == NULL)
    return vl_cli_fail_error (error);

  info = vl_context_get_device (device);
  g_print (_("Verifying %s (%s) against ref\n"), info->id, info->name);

  /* Cases run here one by one rather than through vl_verify_run so that
   * each line appears as soon as its case is done. */
  start = g_get_monotonic_time ();
  cases = vl_verify_get_cases (&n_cases);
  for (gsize i = 0; i < n_cases; i++)
    {
      g_autoptr(VlVerifyResult) result = vl_verify_case_run (&cases[i],
                                                             device, ref);

      print_result (result);
      if (!vl_verify_result_get_ok (result))
        failed++;
    }

  g_print (_("%zu cases: %zu ok, %zu failed (%.1f s)\n"), n_cases,
           n_cases - failed, failed,
           (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC);
  return failed > 0 ? VL_CLI_EXIT_FAILURE : VL_CLI_EXIT_OK;
}
