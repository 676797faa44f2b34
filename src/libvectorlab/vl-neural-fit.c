/* vl-neural-fit.c: the closed-form PCA fit of the neural quantiser's
 * weights (see vl-neural.h for the model it produces).  Plain C in double,
 * so that no LAPACK is needed: the covariance is accumulated in row blocks,
 * then Householder tridiagonalisation (tred2) and the implicit QL method
 * (tql2), after the EISPACK routines of the same names, give every
 * eigenpair. */
#include "vl-neural-private.h"

#ifdef VL_HAVE_BLAS
#include <cblas.h>
#endif

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Rows centred at a time.  Without BLAS their outer products are summed
 * in a d-long buffer before they are added to the covariance, so that the
 * d x d matrix is streamed once per block instead of once per row; with
 * BLAS each block is one dsyrk. */
#ifdef VL_HAVE_BLAS
#define COV_BLOCK 256
#else
#define COV_BLOCK 16
#endif
/* Widening of each component's sampled range, on either side, so that
 * vectors slightly outside the sample are not clipped by the ReLU or by
 * code 255. */
#define RANGE_MARGIN 0.01

/* Upper triangle of the covariance (times n) of @x about @mean; @blk
 * holds COV_BLOCK + 1 rows of d doubles. */
static void
covariance (const VlMatrix *x, const double *mean, double *cov, double *blk)
{
  size_t n = x->rows, d = x->cols;

  memset (cov, 0, d * d * sizeof *cov);
  for (size_t r0 = 0; r0 < n; r0 += COV_BLOCK)
    {
      size_t nb = n - r0 < COV_BLOCK ? n - r0 : COV_BLOCK;

      for (size_t r = 0; r < nb; r++)
        {
          const float *row = vl_row_f32 (x, r0 + r);

          for (size_t i = 0; i < d; i++)
            blk[r * d + i] = (double) row[i] - mean[i];
        }
#ifdef VL_HAVE_BLAS
      cblas_dsyrk (CblasRowMajor, CblasUpper, CblasTrans, (int) d, (int) nb,
                   1.0, blk, (int) d, 1.0, cov, (int) d);
#else
      for (size_t a = 0; a < d; a++)
        {
          double *out = cov + a * d, *acc = blk + COV_BLOCK * d;

          memset (acc + a, 0, (d - a) * sizeof *acc);
          for (size_t r = 0; r < nb; r++)
            {
              const double *xr = blk + r * d;
              double ca = xr[a];

              for (size_t b = a; b < d; b++)
                acc[b] += ca * xr[b];
            }
          for (size_t b = a; b < d; b++)
            out[b] += acc[b];
        }
#endif
    }
}

/* Householder reduction of the symmetric @v (n x n) to tridiagonal form:
 * diagonal in @dg, sub-diagonal in @e[1..n), the orthogonal transformation
 * V left in @v.  V is stored column-major, because the O(n^3) loops walk
 * down its columns; so on return row i of @v is column i of V, as tql2
 * wants it. */
static void
tred2 (double *v, double *dg, double *e, size_t n)
{
#define V(r, c) v[(c) * n + (r)]
  for (size_t j = 0; j < n; j++)
    dg[j] = V (n - 1, j);
  for (size_t i = n - 1; i > 0; i--)
    {
      double scale = 0.0, h = 0.0;

      for (size_t k = 0; k < i; k++)
        scale += fabs (dg[k]);
      if (scale == 0.0)
        {
          e[i] = dg[i - 1];
          for (size_t j = 0; j < i; j++)
            {
              dg[j] = V (i - 1, j);
              V (i, j) = 0.0;
              V (j, i) = 0.0;
            }
        }
      else
        {
          double f, g, hh;

          for (size_t k = 0; k < i; k++)
            {
              dg[k] /= scale;
              h += dg[k] * dg[k];
            }
          f = dg[i - 1];
          g = sqrt (h);
          if (f > 0)
            g = -g;
          e[i] = scale * g;
          h -= f * g;
          dg[i - 1] = f - g;
          for (size_t j = 0; j < i; j++)
            e[j] = 0.0;
          for (size_t j = 0; j < i; j++)
            {
              f = dg[j];
              V (j, i) = f;
              g = e[j] + V (j, j) * f;
              for (size_t k = j + 1; k <= i - 1; k++)
                {
                  g += V (k, j) * dg[k];
                  e[k] += V (k, j) * f;
                }
              e[j] = g;
            }
          f = 0.0;
          for (size_t j = 0; j < i; j++)
            {
              e[j] /= h;
              f += e[j] * dg[j];
            }
          hh = f / (h + h);
          for (size_t j = 0; j < i; j++)
            e[j] -= hh * dg[j];
          for (size_t j = 0; j < i; j++)
            {
              f = dg[j];
              g = e[j];
              for (size_t k = j; k <= i - 1; k++)
                V (k, j) -= f * e[k] + g * dg[k];
              dg[j] = V (i - 1, j);
              V (i, j) = 0.0;
            }
        }
      dg[i] = h;
    }
  for (size_t i = 0; i + 1 < n; i++)
    {
      double h;

      V (n - 1, i) = V (i, i);
      V (i, i) = 1.0;
      h = dg[i + 1];
      if (h != 0.0)
        {
          for (size_t k = 0; k <= i; k++)
            dg[k] = V (k, i + 1) / h;
          for (size_t j = 0; j <= i; j++)
            {
              double g = 0.0;

              for (size_t k = 0; k <= i; k++)
                g += V (k, i + 1) * V (k, j);
              for (size_t k = 0; k <= i; k++)
                V (k, j) -= g * dg[k];
            }
        }
      for (size_t k = 0; k <= i; k++)
        V (k, i + 1) = 0.0;
    }
  for (size_t j = 0; j < n; j++)
    {
      dg[j] = V (n - 1, j);
      V (n - 1, j) = 0.0;
    }
  V (n - 1, n - 1) = 1.0;
  e[0] = 0.0;
#undef V
}

/* Implicit QL on the tridiagonal (@dg, @e): eigenvalues into @dg.  @w holds
 * the transformation of tred2 transposed (row i is column i), so that the
 * rotations walk contiguous rows; on return row i is the eigenvector of
 * dg[i]. */
static void
tql2 (double *w, double *dg, double *e, size_t n)
{
  double f = 0.0, tst1 = 0.0;

  for (size_t i = 1; i < n; i++)
    e[i - 1] = e[i];
  e[n - 1] = 0.0;
  for (size_t l = 0; l < n; l++)
    {
      size_t m = l;

      tst1 = fmax (tst1, fabs (dg[l]) + fabs (e[l]));
      while (m < n - 1 && fabs (e[m]) > DBL_EPSILON * tst1)
        m++;
      if (m > l)
        do
          {
            double g = dg[l], p = (dg[l + 1] - g) / (2.0 * e[l]);
            double r = hypot (p, 1.0), dl1, h, c = 1.0, c2 = 1.0, c3 = 1.0;
            double el1, s = 0.0, s2 = 0.0;

            if (p < 0)
              r = -r;
            dg[l] = e[l] / (p + r);
            dg[l + 1] = e[l] * (p + r);
            dl1 = dg[l + 1];
            h = g - dg[l];
            for (size_t i = l + 2; i < n; i++)
              dg[i] -= h;
            f += h;
            p = dg[m];
            el1 = e[l + 1];
            for (size_t i = m; i-- > l;)
              {
                double *wi = w + i * n, *wi1 = w + (i + 1) * n;

                c3 = c2;
                c2 = c;
                s2 = s;
                g = c * e[i];
                h = c * p;
                r = hypot (p, e[i]);
                e[i + 1] = s * r;
                s = e[i] / r;
                c = p / r;
                p = c * dg[i] - s * g;
                dg[i + 1] = h + s * (c * g + s * dg[i]);
                for (size_t k = 0; k < n; k++)
                  {
                    double t = wi1[k];

                    wi1[k] = s * wi[k] + c * t;
                    wi[k] = c * wi[k] - s * t;
                  }
              }
            p = -s * s2 * c3 * el1 * e[l] / dl1;
            e[l] = s * p;
            dg[l] = c * p;
          }
        while (fabs (e[l]) > DBL_EPSILON * tst1);
      dg[l] += f;
      e[l] = 0.0;
    }
}

/* Indices of the @m largest of @vals (n of them), largest first. */
static void
top_indices (const double *vals, size_t n, size_t m, size_t *idx)
{
  bool *taken = calloc (n, sizeof *taken);

  for (size_t j = 0; j < m; j++)
    {
      size_t best = n;

      for (size_t i = 0; i < n; i++)
        if (!(taken != NULL && taken[i])
            && (best == n || vals[i] > vals[best]))
          best = i;
      idx[j] = best;
      if (taken != NULL)
        taken[best] = true;
    }
  free (taken);
}

VlStatus
vl_neural_fit_pca (const VlMatrix *sample, size_t m, float *w_enc,
                   float *b_enc, float *w_dec, float *b_dec, VlError **error)
{
  size_t n = sample->rows, d = sample->cols;
  double *mean = calloc (d, sizeof *mean);
  double *cov = NULL, *w, *dg = calloc (d, sizeof *dg);
  double *e = calloc (d, sizeof *e), *blk = NULL;
  double *lo = calloc (m, sizeof *lo), *hi = calloc (m, sizeof *hi);
  size_t *idx = calloc (m, sizeof *idx);
  VlStatus status = VL_STATUS_OK;

  if (d > SIZE_MAX / sizeof (double) / d
      || (cov = malloc (d * d * sizeof *cov)) == NULL
      || (blk = malloc ((COV_BLOCK + 1) * d * sizeof *blk)) == NULL
      || mean == NULL || dg == NULL || e == NULL || lo == NULL || hi == NULL
      || idx == NULL)
    {
      status = vl_set_error (error, VL_STATUS_OUT_OF_MEMORY,
                             "out of memory for the PCA fit of a %zu x %zu "
                             "sample (needs a %zu x %zu double matrix)",
                             n, d, d, d);
      goto out;
    }

  for (size_t r = 0; r < n; r++)
    {
      const float *row = vl_row_f32 (sample, r);

      for (size_t i = 0; i < d; i++)
        mean[i] += row[i];
    }
  for (size_t i = 0; i < d; i++)
    mean[i] /= (double) n;
  covariance (sample, mean, cov, blk);
  for (size_t a = 0; a < d; a++)
    for (size_t b = a; b < d; b++)
      cov[b * d + a] = cov[a * d + b] /= (double) (n - 1);
  tred2 (cov, dg, e, d);
  w = cov;
  tql2 (w, dg, e, d);
  top_indices (dg, d, m, idx);

  /* The sampled range of each component, one centred row at a time. */
  for (size_t j = 0; j < m; j++)
    {
      lo[j] = INFINITY;
      hi[j] = -INFINITY;
    }
  for (size_t r = 0; r < n; r++)
    {
      const float *row = vl_row_f32 (sample, r);

      for (size_t i = 0; i < d; i++)
        blk[i] = (double) row[i] - mean[i];
      for (size_t j = 0; j < m; j++)
        {
          const double *u = w + idx[j] * d;
          double p = 0.0;

          for (size_t i = 0; i < d; i++)
            p += u[i] * blk[i];
          lo[j] = fmin (lo[j], p);
          hi[j] = fmax (hi[j], p);
        }
    }

  for (size_t j = 0; j < m; j++)
    {
      const double *u = w + idx[j] * d;
      double span = hi[j] - lo[j], um = 0.0;

      lo[j] -= RANGE_MARGIN * span;
      span *= 1.0 + 2.0 * RANGE_MARGIN;
      for (size_t i = 0; i < d; i++)
        um += u[i] * mean[i];
      for (size_t i = 0; i < d; i++)
        {
          w_enc[j * d + i] = span > 0.0 ? (float) (u[i] / span) : 0.0f;
          w_dec[i * m + j] = (float) (u[i] * span);
        }
      b_enc[j] = span > 0.0 ? (float) (-(um + lo[j]) / span) : 0.0f;
    }
  /* b_dec = mean + sum_j lo_j u_j, summed in double; a component without
   * spread encodes to 0 and its constant lo_j comes back from here. */
  for (size_t i = 0; i < d; i++)
    {
      double s = mean[i];

      for (size_t j = 0; j < m; j++)
        s += lo[j] * w[idx[j] * d + i];
      b_dec[i] = (float) s;
    }

out:
  free (mean);
  free (cov);
  free (dg);
  free (e);
  free (blk);
  free (lo);
  free (hi);
  free (idx);
  return status;
}
