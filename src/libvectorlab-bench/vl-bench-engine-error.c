/* vl-bench-engine-error.c: the error domain of the benchmark engine. */
#include "vl-bench-engine-error.h"

G_DEFINE_QUARK (vl-engine-error-quark, vl_engine_error)
