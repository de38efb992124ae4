# Declarations of the stable scalar math in csrc/clogit_math.h.

cdef extern from "clogit_math.h" nogil:
    double clogit_log1pexp(double z)
    float clogit_log1pexpf(float z)
    double clogit_sigmoid(double z)
    float clogit_sigmoidf(float z)
    double clogit_log_sigmoid(double z)
    float clogit_log_sigmoidf(float z)
    double clogit_hess_weight(double z)
    double clogit_binomial_loss(double y, double z)
    void clogit_binomial_point(double y, double z, double *loss,
                               double *prob, double *hw)
    double clogit_soft_threshold(double x, double threshold, double band)
    double clogit_tie_band(double magnitude)
    void clogit_sum_add(double *sum, double *comp, double x)

    void clogit_prefetch_range(const char *p, long bytes)

    # the loops over samples, vectorized (see clogit_math.h)
    void clogit_binomial_rows(long m, const double *z, double bias,
                              const double *y, const double *s, double C,
                              double *r, double *hs, double *sum,
                              double *comp, double *rsum, const char *ahead,
                              long ahead_bytes)
    void clogit_binomial_loss_rows(long m, const double *z,
                                   const double *dz, double step,
                                   const double *y, const double *s,
                                   double *sum, double *comp)
