/* vl-verify.h: checking every core op on one device against "ref".
 *
 * A verification is a table of cases (vl_verify_get_cases): each runs one
 * op on seeded random data of an awkward shape, on the device under test
 * and on the scalar reference, and measures either the max relative error
 * or, for k-NN, the recall of the top-k.  A new op adds its own rows to the
 * table in vl-verify-cases.c; the CLI's `verify` and the workbench show the
 * resulting list of VlVerifyResult.
 *
 * Relative error is |x - ref| / max(|ref|, 1): values near zero (inner
 * products that cancel) are judged absolutely, the rest relatively.
 * Recall compares top-k sets by value, not by id: a returned id is right
 * when its ref score is within the tolerance of the ref k-th score, so any
 * correct tie-break passes.
 */
#pragma once

#include <gio/gio.h>

#include "vectorlab.h"
#include "vl-verify-result.h"

G_BEGIN_DECLS

/* Per the design, every backend matches ref within 1e-4 relative. */
#define VL_VERIFY_TOLERANCE 1e-4
/* Top-k must be exact (by value). */
#define VL_VERIFY_MIN_RECALL 1.0

typedef enum
{
  VL_VERIFY_ZERO_ROW = 1 << 0,  /* one input row is all zeros */
  VL_VERIFY_TIES     = 1 << 1,  /* database rows are duplicated */
  /* Inputs are strided views whose padding holds NaN, which a backend that
   * ignores the stride would read. */
  VL_VERIFY_STRIDED  = 1 << 2,
} VlVerifyFlags;

typedef struct _VlVerifyCase VlVerifyCase;

/* Runs @self on @device and on @ref with data drawn from @rand and stores
 * the measure in @value.  A failed side check (results out of order, scores
 * off) goes into @problem; an op that fails returns FALSE with @error. */
typedef gboolean (*VlVerifyFunc) (const VlVerifyCase *self,
                                  VlContext          *device,
                                  VlContext          *ref,
                                  GRand              *rand,
                                  double             *value,
                                  char              **problem,
                                  GError            **error);

struct _VlVerifyCase
{
  const char     *name;       /* "<op>/<variant>", e.g. "knn/l2-ties" */
  VlVerifyFunc    func;
  /* The shape as shown to users, e.g. "nq=33 n=2049 d=769 k=10". */
  char         *(*describe) (const VlVerifyCase *self);
  VlVerifyMeasure measure;
  double          tolerance;  /* max error, or min recall */
  VlMetric        metric;
  gsize           rows;       /* queries, or batch for pooling */
  gsize           n;          /* database rows, or sequence length */
  gsize           d;
  gsize           k;
  VlVerifyFlags   flags;
};

const VlVerifyCase *vl_verify_get_cases (gsize *n_cases);

/* Runs one case; op failures become a failed result, never a GError. */
VlVerifyResult     *vl_verify_case_run  (const VlVerifyCase *self,
                                         VlContext          *device,
                                         VlContext          *ref);

/* Runs every case on @device_id ("auto", "cpu", ...).  Fails only when a
 * context cannot be opened or @cancellable fires; returns a list of
 * VlVerifyResult in table order. */
GListModel *vl_verify_run        (const char          *device_id,
                                  GCancellable        *cancellable,
                                  GError             **error);
void        vl_verify_run_async  (const char          *device_id,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data);
GListModel *vl_verify_run_finish (GAsyncResult        *result,
                                  GError             **error);

G_END_DECLS
