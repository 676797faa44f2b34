/* vl-verify-sq.h: the verification checkers of scalar quantisation, for
 * the rows of vl-verify-cases.c.  Codecs are trained on the case's data
 * itself on the device under test (training is exact, so ref's ranges are
 * the same).
 *
 * Encode is measured as the fraction of acceptable codes: a code is
 * acceptable when it equals ref's, or is one level off where ref's
 * unrounded level lies within 1e-4 of a half step (fp32 and double may
 * round such a value either way).  1 passes.
 * Decode is the max relative error of decoding the same codes.
 * k-NN on codes is the recall by value against ref's search on the same
 * codes, with each returned score checked against ref's score of that id
 * (in the problem column). */
#pragma once

#include "vl-verify.h"

G_BEGIN_DECLS

gboolean vl_verify_sq8_encode (const VlVerifyCase *self, VlContext *device,
                               VlContext *ref, GRand *rand, double *value,
                               char **problem, GError **error);
gboolean vl_verify_sq4_encode (const VlVerifyCase *self, VlContext *device,
                               VlContext *ref, GRand *rand, double *value,
                               char **problem, GError **error);
gboolean vl_verify_sq8_decode (const VlVerifyCase *self, VlContext *device,
                               VlContext *ref, GRand *rand, double *value,
                               char **problem, GError **error);
gboolean vl_verify_sq4_decode (const VlVerifyCase *self, VlContext *device,
                               VlContext *ref, GRand *rand, double *value,
                               char **problem, GError **error);
gboolean vl_verify_sq8_knn    (const VlVerifyCase *self, VlContext *device,
                               VlContext *ref, GRand *rand, double *value,
                               char **problem, GError **error);
gboolean vl_verify_sq4_knn    (const VlVerifyCase *self, VlContext *device,
                               VlContext *ref, GRand *rand, double *value,
                               char **problem, GError **error);

/* "n=1000 d=17", or "nq=9 n=301 d=17 k=7" for searches; "strided" when
 * the flags say so. */
char    *vl_verify_sq_describe (const VlVerifyCase *self);

G_END_DECLS
