/* vectorlab-bench.h: the GLib layer above libvectorlab: tensor files,
 * verification against ref, and GLib conveniences for the core's handles. */
#pragma once

#include "vectorlab.h"
#include "vl-bench-context.h"
#include "vl-bench-error.h"
#include "vl-tensor-file.h"
#include "vl-verify-result.h"
#include "vl-verify.h"
