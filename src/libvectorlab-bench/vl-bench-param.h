/* vl-bench-param.h: the typed, documented parameters of a suite.
 *
 * A value on the command line or in a plan is text: one value, or a comma
 * list of values that makes the suite a sweep.  Parsing checks the type and
 * range and returns the values normalised ("0100" becomes "100"), so that
 * benchmark names built from them are stable. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  VL_BENCH_PARAM_UINT,    /* an unsigned integer in [min, max] */
  VL_BENCH_PARAM_CHOICE,  /* one of a fixed list of words */
} VlBenchParamType;

typedef struct
{
  const char        *name;
  VlBenchParamType   type;
  const char        *default_value;  /* may itself be a comma list */
  const char        *description;
  guint64            min;            /* UINT only */
  guint64            max;            /* UINT only */
  const char *const *choices;        /* CHOICE only, NULL-terminated */
} VlBenchParamSpec;

/* Parses @text (a value or a comma list) into a new NULL-terminated list of
 * normalised values.  Fails with VL_ENGINE_ERROR_INVALID_VALUE naming the
 * parameter, the offending value and what is accepted. */
GStrv vl_bench_param_spec_parse (const VlBenchParamSpec *spec,
                                 const char             *text,
                                 GError                **error);

/* "unsigned integer 1..1000000" or "one of l2, ip, cosine". */
char *vl_bench_param_spec_describe_type (const VlBenchParamSpec *spec);

G_END_DECLS
