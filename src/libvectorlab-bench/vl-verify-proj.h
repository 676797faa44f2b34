/* vl-verify-proj.h: the verification checkers of learned projections, for
 * the rows of vl-verify-cases.c.  Weights are random (uniform in
 * +-1 / sqrt (d), the usual initialisation), registered on both contexts.  A case's d is the input dimension; the projected dimension is
 * p = d / 6 + 1 (769 -> 129, 17 -> 3, 1 -> 1); attention uses one head of
 * p rows, or four heads of d / 24 + 1 rows each.
 *
 * project and attention scores: max relative error against ref.
 * proj k-NN and attention top-k: recall by value against ref's full score
 * matrix (a returned id is right when its ref score is within tolerance of
 * ref's k-th), each returned score checked against ref's score of that id
 * (in the problem column). */
#pragma once

#include "vl-verify.h"

G_BEGIN_DECLS

gboolean vl_verify_project         (const VlVerifyCase *self,
                                    VlContext *device, VlContext *ref,
                                    GRand *rand, double *value,
                                    char **problem, GError **error);
gboolean vl_verify_proj_knn        (const VlVerifyCase *self,
                                    VlContext *device, VlContext *ref,
                                    GRand *rand, double *value,
                                    char **problem, GError **error);
gboolean vl_verify_attention_scores (const VlVerifyCase *self,
                                     VlContext *device, VlContext *ref,
                                     GRand *rand, double *value,
                                     char **problem, GError **error);
gboolean vl_verify_attention_topk  (const VlVerifyCase *self,
                                    VlContext *device, VlContext *ref,
                                    GRand *rand, double *value,
                                    char **problem, GError **error);
/* The same checks with four heads. */
gboolean vl_verify_attention_scores_heads (const VlVerifyCase *self,
                                           VlContext *device, VlContext *ref,
                                           GRand *rand, double *value,
                                           char **problem, GError **error);
gboolean vl_verify_attention_topk_heads   (const VlVerifyCase *self,
                                           VlContext *device, VlContext *ref,
                                           GRand *rand, double *value,
                                           char **problem, GError **error);

/* "nq=33 n=2049 d=769 p=129 k=10", with heads for attention. */
char    *vl_verify_proj_describe      (const VlVerifyCase *self);
char    *vl_verify_attention_describe (const VlVerifyCase *self);
char    *vl_verify_attention_heads_describe (const VlVerifyCase *self);

G_END_DECLS
