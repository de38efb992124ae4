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
#include <stdint.h>
#include <string.h>

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

/* exp(x) for x <= 0 (and NaN), without a library call, so that loops over
 * samples vectorize: Cody-Waite reduction x = k ln2 + r, |r| <= ln2 / 2, a
 * degree-13 Taylor polynomial (truncation 4e-18 relative), 2^k built from
 * its bits -- below 2^-1020 as 2^(k+64) 2^-64, so that subnormal results are
 * rounded once.  Within 1 ulp of the correctly rounded exp (tests/kernels/
 * test_scalar.py checks it against mpmath); 0 below -746.  Every branch is a
 * select, which gcc if-converts -- and so vectorizes the loops calling this
 * -- under setup.py's -fno-trapping-math. */
static inline double clogit_as_double(uint64_t u)
{
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

static inline uint64_t clogit_as_bits(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

static inline double clogit_exp_nonpos(double x)
{
    const double magic = 6755399441055744.0;           /* 1.5 * 2^52 */
    const double log2e = 1.4426950408889634;
    const double ln2_hi = 6.93147180369123816490e-01;  /* fdlibm's split */
    const double ln2_lo = 1.90821492927058770002e-10;
    double xc = x < -746.0 ? -746.0 : x;               /* NaN passes */
    double t = xc * log2e + magic;                     /* k in t's low bits */
    double k = t - magic;
    double r = (xc - k * ln2_hi) - k * ln2_lo;
    double p = 1.0 / 6227020800.0;
    p = p * r + 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = (p * r * r + r) + 1.0;
    double pre = k < -1020.0 ? 5.421010862427522e-20 : 1.0;   /* 2^-64 */
    double tk = k < -1020.0 ? t + 64.0 : t;
    uint64_t kb = clogit_as_bits(tk) - clogit_as_bits(magic);
    return (p * pre) * clogit_as_double((kb + 1023) << 52);
}

/* log1p(e) for e in [0, 1] (and NaN), given d = 1 + e and inv_d = 1 / d
 * (which the callers need anyway): log(d) by fdlibm's __ieee754_log on
 * [sqrt(2)/2, sqrt(2)] (d / 2 above sqrt(2), exactly), plus the rounding
 * error of d = 1 + e as the correction (e - (d - 1)) / d.  Within 1 ulp
 * here (tests/kernels/test_scalar.py); selects only, as clogit_exp_nonpos. */
static inline double clogit_log1p_unit(double e, double d, double inv_d)
{
    const double Lg1 = 6.666666666666735130e-01, Lg2 = 3.999999999940941908e-01,
                 Lg3 = 2.857142874366239149e-01, Lg4 = 2.222219843214978396e-01,
                 Lg5 = 1.818357216161805012e-01, Lg6 = 1.531383769920937332e-01,
                 Lg7 = 1.479819860511658591e-01;
    const double ln2_hi = 6.93147180369123816490e-01;
    const double ln2_lo = 1.90821492927058770002e-10;
    double c = (e - (d - 1.0)) * inv_d;
    int big = d > 1.4142135623730951;
    double f = big ? d * 0.5 - 1.0 : d - 1.0;      /* exact (Sterbenz) */
    double kk = big ? 1.0 : 0.0;
    double s = f / (2.0 + f);
    double z = s * s, w = z * z;
    double t1 = w * (Lg2 + w * (Lg4 + w * Lg6));
    double t2 = z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7)));
    double R = t2 + t1;
    double hfsq = 0.5 * f * f;
    return kk * ln2_hi - ((hfsq - (s * (hfsq + R) + (kk * ln2_lo + c))) - f);
}

/* Per-sample log-loss log1pexp(z) - y*z written as
 * max(z, 0) - y*z + log1p(exp(-|z|)), so that for y = 1, z >> 0 (and y = 0,
 * z << 0) the tiny loss is not lost to cancellation.  The model kernels'
 * exp and log1p (clogit_exp_nonpos, clogit_log1p_unit): every kernel, scalar
 * or vectorized, computes the same bits for the same z. */
static inline double clogit_binomial_loss(double y, double z)
{
    double e = clogit_exp_nonpos(-fabs(z));
    double d = 1.0 + e;
    double pos = z > 0.0 ? z : 0.0;
    return (pos - y * z) + clogit_log1p_unit(e, d, 1.0 / d);
}

/* Everything one sample contributes to the binomial objective, gradient and
 * Hessian, from a single exp():  loss = log1pexp(z) - y*z,
 * prob = sigmoid(z), hw = prob * (1 - prob). */
static inline void clogit_binomial_point(double y, double z, double *loss,
                                         double *prob, double *hw)
{
    double e = clogit_exp_nonpos(-fabs(z));
    double d = 1.0 + e;
    double inv = 1.0 / d;
    *loss = ((z > 0.0 ? z : 0.0) - y * z) + clogit_log1p_unit(e, d, inv);
    *prob = z >= 0.0 ? inv : e * inv;
    *hw = e * inv * inv;
}

/* Hessian weight sigmoid(z) * (1 - sigmoid(z)) = e / (1 + e)^2, e = exp(-|z|):
 * symmetric in z and free of the cancellation in p - p^2; the bits of
 * clogit_binomial_point's hw. */
static inline double clogit_hess_weight(double z)
{
    double e = clogit_exp_nonpos(-fabs(z));
    double inv = 1.0 / (1.0 + e);
    return e * inv * inv;
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
    /* a select, not a branch: the lanes of clogit_lanes_add vectorize */
    *comp += fabs(*sum) >= fabs(x) ? (*sum - t) + x : (x - t) + *sum;
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

/* ------------------------------------------------------------------------
 * Loops over samples, vectorized.  The scalar math above calls no library
 * function, so gcc vectorizes these loops; on x86-64 with glibc each is
 * compiled three times (target_clones: AVX-512, AVX2, the baseline's SSE2)
 * and the loader picks the widest the CPU has.  No FMA contraction
 * (setup.py's -ffp-contract=off): every clone, and the scalar calls of the
 * other kernels, compute the same bits.  Measured here (AMD EPYC Genoa, one
 * core, 1,024 rows a call, ns a row): the loop of a gradient pass with
 * glibc's exp and log1p 14.4; these, SSE2 15.9, AVX2 7.5, AVX-512 4.5.
 * ------------------------------------------------------------------------ */
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 11 \
    && defined(__x86_64__) && defined(__GLIBC__)
#define CLOGIT_ROW_CLONES \
    __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", \
                                 "default"), unused))
#elif defined(__GNUC__)
#define CLOGIT_ROW_CLONES __attribute__((unused))
#else
#define CLOGIT_ROW_CLONES
#endif

#if defined(_MSC_VER)
#define CLOGIT_RESTRICT __restrict
#else
#define CLOGIT_RESTRICT __restrict__
#endif

/* Rows a group: the loss terms of a group wait on the stack for their
 * compensated sum; the read-ahead is spread over the groups. */
#define CLOGIT_ROW_GROUP 64
/* Independent compensated sums (lanes) the terms are dealt over, so that
 * the additions vectorize instead of waiting on each other. */
#define CLOGIT_LANES 8

/* Adds x[0..n) to the lanes' compensated sums (S, Cc) (x's term j to lane
 * j % CLOGIT_LANES, from the first lane on). */
static inline void clogit_lanes_add(double *S, double *Cc,
                                    const double *x, long n)
{
    long j = 0, l;
    for (; j + CLOGIT_LANES <= n; j += CLOGIT_LANES)
        for (l = 0; l < CLOGIT_LANES; l++)
            clogit_sum_add(&S[l], &Cc[l], x[j + l]);
    for (l = 0; j + l < n; l++)
        clogit_sum_add(&S[l], &Cc[l], x[j + l]);
}

static inline void clogit_lanes_sum(double *P, const double *x, long n)
{
    long j = 0, l;
    for (; j + CLOGIT_LANES <= n; j += CLOGIT_LANES)
        for (l = 0; l < CLOGIT_LANES; l++)
            P[l] += x[j + l];
    for (l = 0; j + l < n; l++)
        P[l] += x[j + l];
}

/* The lanes' compensated sums added to the pair (*sum, *comp). */
static inline void clogit_lanes_close(const double *S, const double *Cc,
                                      double *sum, double *comp)
{
    long l;
    for (l = 0; l < CLOGIT_LANES; l++) {
        clogit_sum_add(sum, comp, S[l]);
        *comp += Cc[l];
    }
}

/* The per-sample part of a binomial pass over m rows with scores z + bias:
 * r[i] = C s_i (p_i - y_i); hs[i] = sqrt(C s_i p_i (1 - p_i)) unless hs is
 * NULL; sum_i s_i loss_i added to the compensated pair (*sum, *comp);
 * *rsum = sum_i r_i.  ahead_bytes bytes at ahead (NULL: none) are read
 * ahead meanwhile, row by row (the scalar loop: see there). */
CLOGIT_ROW_CLONES
static void clogit_binomial_rows(long m, const double *CLOGIT_RESTRICT z,
                                 double bias, const double *CLOGIT_RESTRICT y,
                                 const double *CLOGIT_RESTRICT s, double C,
                                 double *CLOGIT_RESTRICT r,
                                 double *CLOGIT_RESTRICT hs, double *sum,
                                 double *comp, double *rsum,
                                 const char *ahead, long ahead_bytes)
{
    double lb[CLOGIT_ROW_GROUP];
    double S[CLOGIT_LANES] = {0}, Cc[CLOGIT_LANES] = {0};
    double P[CLOGIT_LANES] = {0};
    long g0, n, i, l, a0 = 0, a1;
    double total = 0.0;
    if (ahead != NULL) {
        /* A pass bound by memory: one row at a time, each asking for its
         * share of the next block, so that the rows' math hides the reads
         * (vectorized, it would be over long before they arrive; measured
         * here, 200,000 x 201 in two threads: 16 ms a pass this way, 20
         * vectorized with or without the read-ahead). */
        for (i = 0; i < m; i++) {
            double loss, prob, hw;
            /* (in 64 bits: long is 32 on Windows) */
            a1 = (long)((long long)(i + 1) * ahead_bytes / m);
            clogit_prefetch_range(ahead + a0, a1 - a0);
            a0 = a1;
            clogit_binomial_point(y[i], z[i] + bias, &loss, &prob, &hw);
            clogit_sum_add(sum, comp, s[i] * loss);
            r[i] = C * s[i] * (prob - y[i]);
            if (hs != NULL)
                hs[i] = sqrt(C * s[i] * hw);
            total += r[i];
        }
        *rsum = total;
        return;
    }
    for (g0 = 0; g0 < m; g0 += CLOGIT_ROW_GROUP) {
        const double *zg = z + g0, *yg = y + g0, *sg = s + g0;
        double *rg = r + g0;
        n = m - g0 < CLOGIT_ROW_GROUP ? m - g0 : CLOGIT_ROW_GROUP;
        for (i = 0; i < n; i++) {   /* (gcc unswitches the hs test) */
            double loss, prob, hw;
            clogit_binomial_point(yg[i], zg[i] + bias, &loss, &prob, &hw);
            lb[i] = sg[i] * loss;
            rg[i] = C * sg[i] * (prob - yg[i]);
            if (hs != NULL)
                hs[g0 + i] = sqrt(C * sg[i] * hw);
        }
        clogit_lanes_add(S, Cc, lb, n);
        clogit_lanes_sum(P, rg, n);
    }
    clogit_lanes_close(S, Cc, sum, comp);
    for (l = 0; l < CLOGIT_LANES; l++)
        total += P[l];
    *rsum = total;
}

/* sum_i s_i loss(y_i, z_i + step dz_i) added to the compensated pair
 * (*sum, *comp): the data term along a line search's direction. */
CLOGIT_ROW_CLONES
static void clogit_binomial_loss_rows(long m, const double *CLOGIT_RESTRICT z,
                                      const double *CLOGIT_RESTRICT dz,
                                      double step,
                                      const double *CLOGIT_RESTRICT y,
                                      const double *CLOGIT_RESTRICT s,
                                      double *sum, double *comp)
{
    double lb[CLOGIT_ROW_GROUP];
    double S[CLOGIT_LANES] = {0}, Cc[CLOGIT_LANES] = {0};
    long g0, n, i;
    for (g0 = 0; g0 < m; g0 += CLOGIT_ROW_GROUP) {
        n = m - g0 < CLOGIT_ROW_GROUP ? m - g0 : CLOGIT_ROW_GROUP;
        for (i = 0; i < n; i++)
            lb[i] = s[g0 + i] * clogit_binomial_loss(
                y[g0 + i], z[g0 + i] + step * dz[g0 + i]);
        clogit_lanes_add(S, Cc, lb, n);
    }
    clogit_lanes_close(S, Cc, sum, comp);
}

#endif  /* CLOGIT_MATH_H */
