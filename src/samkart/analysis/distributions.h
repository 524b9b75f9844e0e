// Distribution functions for tests and intervals: the regularized incomplete
// beta function and, through it, Student's t and the F distribution.
//
// Self-contained (a continued fraction and Stirling's series) and accurate
// in either tail to about 1e-14 relative, so p-values and quantiles agree
// with R's pt, qt, pf and pbeta to 1e-12 or better for degrees of freedom
// from 1 to 10000, whole or not (distributions_test.cc checks this against
// R). Pure functions, safe to call from several threads. Invalid arguments
// give NaN.
#pragma once

namespace samkart::analysis {

// The regularized incomplete beta function I_x(a, b) for finite a > 0, b > 0
// and 0 <= x <= 1: the probability that a Beta(a, b) variable is at most x.
double RegularizedIncompleteBeta(double a, double b, double x);

// P(T <= t) for Student's t on df > 0 degrees of freedom (df need not be
// whole; df = ∞ gives the standard normal).
double StudentTCdf(double t, double df);

// The p-quantile of Student's t on df > 0 degrees of freedom, 0 < p < 1, as
// R's qt(p, df). p = 0 and 1 give −∞ and +∞.
double StudentTQuantile(double p, double df);

// P(F > f) for the F distribution on finite df1 > 0 and df2 > 0 degrees of
// freedom (whole or not), as R's pf(f, df1, df2, lower.tail = FALSE).
double FUpperTail(double f, double df1, double df2);

}  // namespace samkart::analysis
