/*
 * Numerically stable scalar math for the logistic model.
 *
 * Every function here is finite and accurate for every finite argument,
 * |z| up to DBL_MAX included: each branches on the sign of z so that exp()
 * is only ever called on a non-positive number (no overflow) and log1p() is
 * used where 1 + exp(-|z|) would lose digits.  The float variants serve
 * float32 arrays in the public ufunc-like functions; the model kernels always
 * evaluate the pointwise math in double (sums are accumulated in double too).
 */
#ifndef CLOGIT_MATH_H
#define CLOGIT_MATH_H

#include <math.h>

/* log(1 + exp(z)), following Maechler (2012), "Accurately computing
 * log(1 - exp(-|a|))": the thresholds pick the branch in which each formula is
 * exact to double precision. */
static inline double clogit_log1pexp(double z)
{
    if (z <= -37.0) {
        return exp(z);                 /* log1p(x) == x for x < 1e-16 */
    } else if (z <= 18.0) {
        return log1p(exp(z));
    } else if (z <= 33.3) {
        return z + exp(-z);            /* log1p(exp(-z)) == exp(-z) here */
    }
    return z;
}

static inline float clogit_log1pexpf(float z)
{
    if (z <= -17.0f) {
        return expf(z);
    } else if (z <= 9.0f) {
        return log1pf(expf(z));
    } else if (z <= 16.0f) {
        return z + expf(-z);
    }
    return z;
}

/* 1 / (1 + exp(-z)) without overflow for either sign. */
static inline double clogit_sigmoid(double z)
{
    if (z >= 0.0) {
        return 1.0 / (1.0 + exp(-z));
    }
    double e = exp(z);
    return e / (1.0 + e);
}

static inline float clogit_sigmoidf(float z)
{
    if (z >= 0.0f) {
        return 1.0f / (1.0f + expf(-z));
    }
    float e = expf(z);
    return e / (1.0f + e);
}

/* log(sigmoid(z)) = -log1pexp(-z). */
static inline double clogit_log_sigmoid(double z)
{
    return -clogit_log1pexp(-z);
}

static inline float clogit_log_sigmoidf(float z)
{
    return -clogit_log1pexpf(-z);
}

/* Hessian weight sigmoid(z) * (1 - sigmoid(z)) = e / (1 + e)^2, e = exp(-|z|):
 * symmetric in z and free of the cancellation in p - p^2. */
static inline double clogit_hess_weight(double z)
{
    double e = exp(-fabs(z));
    double d = 1.0 + e;
    return e / (d * d);
}

/* Per-sample log-loss log1pexp(z) - y*z written as
 * max(z, 0) - y*z + log1p(exp(-|z|)), so that for y = 1, z >> 0 (and y = 0,
 * z << 0) the tiny loss is not lost to cancellation. */
static inline double clogit_binomial_loss(double y, double z)
{
    double az = fabs(z);
    double pos = z > 0.0 ? z : 0.0;
    return (pos - y * z) + log1p(exp(-az));
}

/* Everything one sample contributes to the binomial objective, gradient and
 * Hessian, from a single exp():  loss = log1pexp(z) - y*z,
 * prob = sigmoid(z), hw = prob * (1 - prob). */
static inline void clogit_binomial_point(double y, double z, double *loss,
                                         double *prob, double *hw)
{
    double e = exp(-fabs(z));          /* in (0, 1]: never overflows */
    double d = 1.0 + e;
    *loss = ((z > 0.0 ? z : 0.0) - y * z) + log1p(e);
    *prob = z >= 0.0 ? 1.0 / d : e / d;
    *hw = e / (d * d);
}

/* Soft-thresholding for the coordinate descent of the proximal Newton
 * model (dense _kernels/cd.pyx and the CSC kernel of _kernels/sparse.pyx
 * share it, so that both make the same decisions):  S(x, t) = sign(x)
 * max(|x| - t, 0), except that |x| within ``band`` of the threshold gives
 * 0.0.  ``band`` is the rounding error of x itself (a few ulps of the
 * terms it was summed from): when the optimum is not unique (two identical
 * columns: once one has taken the common coefficient, the other's x equals
 * the threshold exactly in exact arithmetic), the rounding of the kernel
 * that produced the gradient and Hessian (BLAS for dense X, sparse loops
 * for CSR/CSC) must not decide whether the coefficient is 0.0 or 1e-16. */
static inline double clogit_soft_threshold(double x, double threshold,
                                           double band)
{
    if (x > threshold + band)
        return x - threshold;
    if (x < -threshold - band)
        return x + threshold;
    return 0.0;
}

/* The rounding band of ``clogit_soft_threshold`` for an x summed from terms
 * whose magnitudes add up to ``magnitude``. */
#define CLOGIT_TIE_ULPS 16.0
static inline double clogit_tie_band(double magnitude)
{
    return CLOGIT_TIE_ULPS * 2.220446049250313e-16 * magnitude;
}

/* Neumaier's compensated sum: adds x to the pair (*sum, *comp), whose
 * value is *sum + *comp, with an error of a few ulps of the result however
 * many terms are added.  The objective's sums need it: added one by one,
 * n similar terms err by up to about n ulps of the total (systematically,
 * each addition rounding against a growing partial sum), and the line
 * searches compare two such sums whose true difference can be far below
 * that.  Seen on a fold of bench/cv.py's text task (16,000 rows, data term
 * 658): a proximal Newton step that lowers the objective by 3e-13 was
 * computed as a rise of 1.2e-10, 25 times the 64-ulp allowance of the
 * Armijo test, and the point took 100 iterations of vanishing steps
 * instead of 4.  Costs three additions a term, next to an exp and a log1p
 * (objective_along on 1e6 rows here: 16.6 -> 17.2 ms).
 * (The build has no -ffast-math, which would reassociate this away.) */
static inline void clogit_sum_add(double *sum, double *comp, double x)
{
    double t = *sum + x;
    if (fabs(*sum) >= fabs(x))
        *comp += (*sum - t) + x;
    else
        *comp += (x - t) + *sum;
    *sum = t;
}

/* Ask for the cache lines of [p, p + bytes) to be read ahead (into L2):
 * a hint, no effect on results. */
static inline void clogit_prefetch_range(const char *p, long bytes)
{
    long off;
    for (off = 0; off < bytes; off += 64)
        __builtin_prefetch(p + off, 0, 2);
}

#endif  /* CLOGIT_MATH_H */
