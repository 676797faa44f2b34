/* vl-neural.h: neural quantisation: a linear encoder with ReLU to uint8
 * latent codes with one scale per vector, and a linear decoder back.
 *
 * Included by vectorlab.h; the conventions stated there (errors, the
 * non-finite policy) hold here too.
 *
 * Model, for an input x of d floats and a latent size m:
 *   h     = ReLU (W_e x + b_e)                  W_e is m x d, b_e has m
 *   scale = max_j h[j] / 255                    (0 when h is all zero)
 *   c[j]  = min (255, floor (h[j] * (255 / max_j h[j]) + 0.5))
 *   x'    = W_d (scale * c) + b_d               W_d is d x m, b_d has d
 * Weights are row-major.  An encoded vector is m code bytes plus one float
 * scale: codes are stored as n rows of m contiguous bytes, scales as n
 * floats.
 *
 * Why one scale per vector rather than one global scale: it never clips,
 * so weights loaded from a file need no calibration pass and a vector far
 * outside the training sample degrades gracefully instead of saturating;
 * and the fitted encoder below already equalises the components' ranges,
 * which is what a global or per-component scale would have bought.  It
 * costs 4 bytes a vector (132 instead of 128 bytes at m = 128).
 *
 * Backends agree with ref within 1e-4 relative on decoded values and on
 * scales; a code may differ by one step where h[j] * 255 / max lies within
 * rounding error of a half step.
 *
 * The fit (vl_neural_model_fit) is PCA on a sample: the mean is removed,
 * the sample covariance (accumulated in double) is diagonalised by a dense
 * symmetric eigen-solver (Householder tridiagonalisation and implicit QL,
 * in double, accurate to about 1e-12 relative to the largest eigenvalue),
 * and the m leading eigenvectors u_j become the encoder rows.  Component j
 * of the sample, p = u_j . (x - mean), spans [lo_j, hi_j]; the range is
 * widened by 1 % on each side for unseen vectors, and the encoder maps it
 * onto [0, 1]:
 *   W_e[j] = u_j / (hi_j - lo_j),  b_e[j] = -(u_j . mean + lo_j) / (hi_j - lo_j)
 * so every activation on the sample is >= 0 and the ReLU discards nothing.
 * The decoder undoes the shift and the scaling:
 *   W_d[:, j] = u_j (hi_j - lo_j),  b_d = mean + sum_j lo_j u_j.
 * Equal ranges make every component's quantisation step the same fraction
 * of its spread, which lowers the total error compared with raw PCA
 * coordinates, whose step the largest component would set.  Cost:
 * O(n d^2) for the covariance (dsyrk with BLAS), O(d^3) for the
 * eigen-solver and O(n d m) for the ranges, with d x d doubles of memory:
 * about 4 s of CPU for n = 10,000, d = 768, m = 128; meant for d up to a
 * few thousand.  A component with no spread (hi == lo, m larger
 * than the sample's rank) gets a zero encoder row and contributes nothing.
 *
 * A model belongs to a context, which must outlive it, and is not
 * thread-safe.
 */
#pragma once

#include "vectorlab.h"
#include "vl-weights.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct _VlNeuralModel VlNeuralModel;

/* A model from the caller's weights, copied: @w_enc is m x d, @b_enc m,
 * @w_dec d x m and @b_dec d floats, all finite. */
VlNeuralModel *vl_neural_model_new (VlContext   *ctx,
                                    size_t       d,
                                    size_t       m,
                                    const float *w_enc,
                                    const float *b_enc,
                                    const float *w_dec,
                                    const float *b_dec,
                                    VlError    **error);

/* A model on @ctx from the fp32 tensors of @weights (a registry on any
 * context, filled for instance from safetensors or .npy files by
 * libvectorlab-bench's loaders), named @prefix followed by "w_enc" [m, d], "b_enc" [m],
 * "w_dec" [d, m] and "b_dec" [d]; @prefix may be NULL.  A bias may also be
 * a single row, [1, m] or [1, d], as .npy files of vectors load.  A missing
 * tensor or a wrong shape fails with a message naming the tensor, the shape
 * expected and the shape found. */
VlNeuralModel *vl_neural_model_new_from_weights (VlContext  *ctx,
                                                 VlWeights  *weights,
                                                 const char *prefix,
                                                 VlError   **error);

/* The PCA fit above on the rows of @sample (finite, at least 2 rows),
 * with 1 <= @m <= sample->cols. */
VlNeuralModel *vl_neural_model_fit (VlContext      *ctx,
                                    const VlMatrix *sample,
                                    size_t          m,
                                    VlError       **error);

void   vl_neural_model_free (VlNeuralModel *model);
size_t vl_neural_model_get_dim        (const VlNeuralModel *model);
size_t vl_neural_model_get_latent_dim (const VlNeuralModel *model);

/* The model's weights, owned by it (shapes as in vl_neural_model_new()),
 * so that a fit can be saved and loaded again. */
void vl_neural_model_get_weights (const VlNeuralModel *model,
                                  const float        **w_enc,
                                  const float        **b_enc,
                                  const float        **w_dec,
                                  const float        **b_dec);

/* Encodes the x->rows rows of @x (x->cols == d) into @codes (x->rows * m
 * bytes) and @scales (x->rows floats). */
VlStatus vl_neural_encode (VlNeuralModel  *model,
                           const VlMatrix *x,
                           uint8_t        *codes,
                           float          *scales,
                           VlError       **error);

/* Decodes out->rows vectors from @codes (out->rows * m bytes) and @scales
 * (out->rows finite, non-negative floats) straight into the caller's @out
 * (out->cols == d), in one pass with no per-row work on the host. */
VlStatus vl_neural_decode (VlNeuralModel *model,
                           const uint8_t *codes,
                           const float   *scales,
                           VlMatrix      *out,
                           VlError      **error);

/* Decodes one vector (m code bytes and its scale) into @out (d floats). */
VlStatus vl_neural_decode_row (VlNeuralModel *model,
                               const uint8_t *codes,
                               float          scale,
                               float         *out,
                               VlError      **error);

#ifdef __cplusplus
}
#endif
