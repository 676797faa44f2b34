/* vl-test-util.h: what the core test programs share: one registration per
 * available device, cached contexts, strided matrices with poisoned padding,
 * and tolerance checks that report instead of aborting, so that one failing
 * backend does not hide the results of the others. */
#pragma once

#include <glib.h>

#include "vectorlab.h"

/* Tolerances against the ref oracle (which accumulates in double).
 *
 * A fp32 sum of d products carries a rounding error proportional to the sum
 * of the magnitudes of its terms (bounded by |a| |b|), not to the result: an
 * inner product of nearly orthogonal vectors, or an L2 distance computed as
 * |a|^2 + |b|^2 - 2 a.b, may be near 0 and still be off by about
 * eps * sqrt(d) * |a| |b|.  So a result is compared with
 *   |got - want| <= VL_TEST_REL_TOL * (|want| + magnitude) + VL_TEST_ABS_FLOOR
 * where magnitude is the scale of the operands (|a| |b| for inner products,
 * |a|^2 + |b|^2 for L2, 1 for cosine).  1e-4 covers the worst case
 * d * eps = 769 * 6e-8 = 4.6e-5 of the widest case here with room to spare.
 * The floor only absorbs denormal noise when both sides are ~0; results
 * that must be exactly 0 (zero rows, masked rows) are checked exactly. */
#define VL_TEST_REL_TOL   1e-4
#define VL_TEST_ABS_FLOOR 1e-6

/* What a test function registered with vl_test_add receives. */
typedef struct
{
  gconstpointer data;        /* the case, owned by the test program */
  char          device[32];  /* "ref", "cpu", "opencl:0", ... */
} VlTestRun;

typedef void (*VlTestFunc) (const VlTestRun *run);

/* g_test_init plus device discovery.  When built with OpenCL
 * (VL_TEST_EXPECT_OPENCL) and no OpenCL device exists, registers a failing
 * test: a silently skipped backend would look like a passing one. */
void        vl_test_init   (int *argc, char ***argv);
/* Registers @func as "@prefix/<device id>" for every available device. */
void        vl_test_add    (const char *prefix, gconstpointer data,
                            VlTestFunc func);
/* Registers @func once, on ref only, as "@prefix/ref". */
void        vl_test_add_ref (const char *prefix, gconstpointer data,
                             VlTestFunc func);
/* g_test_run, then frees the cached contexts (so leak checkers stay quiet). */
int         vl_test_run    (void);

/* The available device ids, in vl_devices_list order. */
const GPtrArray *vl_test_devices (void);
/* One context per device for the whole program: OpenCL contexts compile
 * their programs once instead of once per test. */
VlContext  *vl_test_context (const char *device);

/* A rows x cols view with row stride @stride >= cols.  The padding between
 * rows is NaN, so a backend that reads it produces NaN and fails. */
VlMatrix    vl_test_matrix_new   (size_t rows, size_t cols, size_t stride);
void        vl_test_matrix_free  (VlMatrix *m);
float      *vl_test_row          (const VlMatrix *m, size_t r);
/* Uniform values in [lo, hi). */
void        vl_test_matrix_fill  (VlMatrix *m, GRand *rand, float lo,
                                  float hi);
/* Small integers in [-range, range]: every sum of their products is exact
 * in fp32 whatever the summation order, so ties are ties in every backend. */
void        vl_test_matrix_fill_int (VlMatrix *m, GRand *rand, int range);
void        vl_test_matrix_zero_row (VlMatrix *m, size_t r);
double      vl_test_row_norm     (const VlMatrix *m, size_t r);

/* The scale of the operands of a score (see VL_TEST_REL_TOL). */
double      vl_test_score_magnitude (VlMetric metric, double norm_a,
                                     double norm_b);
gboolean    vl_test_close (double got, double want, double magnitude);

/* These record a failure with g_test_fail_printf and return FALSE, so that
 * the caller can return from the test and the program go on. */
#define vl_test_check_close(got, want, magnitude, ...) \
  vl_test_check_close_ (G_STRLOC, (got), (want), (magnitude), __VA_ARGS__)
#define vl_test_check_ok(status, error) \
  vl_test_check_ok_ (G_STRLOC, (status), (error))
#define vl_test_check_error(status, error, expected) \
  vl_test_check_error_ (G_STRLOC, (status), (error), (expected))

gboolean vl_test_check_close_ (const char *loc, double got, double want,
                               double magnitude, const char *format, ...)
  G_GNUC_PRINTF (5, 6);
/* @status is VL_STATUS_OK; frees @error. */
gboolean vl_test_check_ok_    (const char *loc, VlStatus status,
                               VlError *error);
/* @status is @expected and @error carries it with a non-empty message;
 * frees @error. */
gboolean vl_test_check_error_ (const char *loc, VlStatus status,
                               VlError *error, VlStatus expected);

/* One call checked with the above: @expr names `error`, which each check
 * declares afresh, so that a freed error is never reused. */
#define OK(expr)                                          \
  G_STMT_START {                                          \
    VlError *error = NULL;                                \
    VlStatus ok_status_ = (expr);                         \
    vl_test_check_ok (ok_status_, error);                 \
  } G_STMT_END
#define FAILS(expected, expr)                             \
  G_STMT_START {                                          \
    VlError *error = NULL;                                \
    VlStatus fails_status_ = (expr);                      \
    vl_test_check_error (fails_status_, error, expected); \
  } G_STMT_END
