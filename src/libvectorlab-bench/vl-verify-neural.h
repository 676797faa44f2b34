/* vl-verify-neural.h: the verification checkers of neural quantisation,
 * for the table in vl-verify-cases.c.  A case's rows are the vectors, d
 * their dimension and k the latent size m. */
#pragma once

#include "vl-verify.h"

G_BEGIN_DECLS

/* Encodes random vectors with random weights: the value is the largest
 * relative error of the scales; a code more than one step from ref's is a
 * problem. */
gboolean vl_verify_neural_encode (const VlVerifyCase *self,
                                  VlContext          *device,
                                  VlContext          *ref,
                                  GRand              *rand,
                                  double             *value,
                                  char              **problem,
                                  GError            **error);
/* Decodes ref's codes of a PCA-fitted model: the value is the largest
 * relative error of the decoded vectors. */
gboolean vl_verify_neural_decode (const VlVerifyCase *self,
                                  VlContext          *device,
                                  VlContext          *ref,
                                  GRand              *rand,
                                  double             *value,
                                  char              **problem,
                                  GError            **error);
char    *vl_verify_neural_describe (const VlVerifyCase *self);

G_END_DECLS
