#include "samkart/analysis/distributions.h"

#include <cmath>
#include <iterator>
#include <limits>
#include <utility>

namespace samkart::analysis {

namespace {

constexpr double kEpsilon = std::numeric_limits<double>::epsilon();
constexpr double kInfinity = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kHalfLogTwoPi = 0.91893853320467274178;  // log(2π) / 2

// Stirling's series for log Γ(z): the coefficients B₂ₖ/(2k(2k − 1)) of
// 1/z, 1/z³, …; from kStirlingFrom on, the terms left out are below 1e-16.
constexpr double kStirlingSeries[] = {1.0 / 12,   -1.0 / 360,      1.0 / 1260, -1.0 / 1680,
                                      1.0 / 1188, -691.0 / 360360, 1.0 / 156};
constexpr double kStirlingFrom = 10;

// The main terms of Stirling's formula for log Γ(z), less ½ log 2π.
double StirlingMain(double z) { return (z - 0.5) * std::log(z) - z; }

// The remainder of Stirling's formula, log Γ(z) − ((z − ½) log z − z + ½ log 2π):
// small (about 1/(12z)) where the main terms are large, so differences of
// log Γ at large arguments can be taken from it without cancellation.
// Below kStirlingFrom it steps up by Δ(z) = Δ(z + 1) + (z + ½)·log(1 + 1/z) − 1,
// whose terms are small and exact to about ε each, so Δ is within 2e-15.
// (Not std::lgamma: glibc's writes the global signgam, and the quantile is
// computed from several threads at once.)
double StirlingRemainder(double z) {
  double steps = 0;
  for (; z < kStirlingFrom; z += 1) steps += (z + 0.5) * std::log1p(1 / z) - 1;
  const double r2 = 1 / (z * z);
  double series = 0;
  for (auto k = std::size(kStirlingSeries); k-- > 0;) series = series * r2 + kStirlingSeries[k];
  return steps + series / z;
}

double LogGamma(double z) { return StirlingMain(z) + kHalfLogTwoPi + StirlingRemainder(z); }

// e − log(1 + e) for e > −1. Near 0 it keeps only the relative precision
// ε/e, but it is always multiplied by a or b, which is ±λ/e there, so the
// absolute error stays about ε·|λ|.
double MinusLog1pExcess(double e) { return e - std::log1p(e); }

// λ = a − (a + b)·x = (a + b)·y − b, from whichever of x, y = 1 − x is
// smaller and so holds its full precision: the distance from the centre
// a/(a + b) in the form that both the power term and the continued fraction
// need without cancellation.
double Lambda(double a, double b, double x, double y) {
  return x <= y ? a - (a + b) * x : (a + b) * y - b;
}

// log(x^a · y^b / B(a, b)). Written around the centre x₀ = a/(a + b) as in
// TOMS 708 (brcomp): the large terms of a·log x, b·log y and log B(a, b)
// then cancel algebraically instead of in floating point, which keeps the
// result accurate to a few ulps also for a, b in the thousands.
double LogPowerOverBeta(double a, double b, double x, double y, double lambda) {
  const double sum = a + b;
  const double log_x0 = -std::log1p(b / a);
  const double log_y0 = -std::log1p(a / b);
  const double log_x = x <= 0.5 ? std::log(x) : std::log1p(-y);
  const double log_y = y <= 0.5 ? std::log(y) : std::log1p(-x);
  const double excess_a = -lambda / a;  // x/x₀ − 1
  const double excess_b = lambda / b;   // y/y₀ − 1
  // Near the centre the logarithm of x/x₀ is taken through λ; far from it,
  // directly. The ±λ of the two terms cancel when both are far.
  constexpr double kNear = 0.6;
  const bool a_near = std::fabs(excess_a) <= kNear;
  const bool b_near = std::fabs(excess_b) <= kNear;
  double deviation = 0;
  if (!a_near && !b_near) {
    deviation = -a * (log_x - log_x0) - b * (log_y - log_y0);
  } else {
    deviation = (a_near ? a * MinusLog1pExcess(excess_a) : -lambda - a * (log_x - log_x0)) +
                (b_near ? b * MinusLog1pExcess(excess_b) : lambda - b * (log_y - log_y0));
  }
  return -deviation + 0.5 * (std::log(a) + std::log(b / sum)) - kHalfLogTwoPi -
         (StirlingRemainder(a) + StirlingRemainder(b) - StirlingRemainder(sum));
}

// I_x(a, b)·B(a, b)/(x^a·y^b) as the continued fraction of TOMS 708 (bfrac,
// Didonato & Morris 1992), evaluated by the modified Lentz method. Its terms
// are written with λ, so unlike the textbook fraction (Numerical Recipes'
// betacf, whose first denominators are 1 − (a + b)x/(a + 1) and lose a
// factor a + b of precision next to the centre) it keeps full precision
// up to the centre. Converges for x up to (a + 1)/(a + b + 2), in a few
// terms far from it and about √max(a, b) terms next to it.
double BetaContinuedFraction(double a, double b, double x, double y, double lambda) {
  constexpr int kMaxTerms = 100000;  // about a hundred are needed at a = b = 5000
  constexpr double kTiny = 1e-300;   // stands in for a zero denominator
  auto guarded = [](double v) { return std::fabs(v) < kTiny ? kTiny : v; };
  const double c = lambda + 1;
  const double b_over_a = b / a;
  const double c1 = 1 / a + 1;
  // The value is 1/(c/c1 + α₁/(β₁ + α₂/(β₂ + …))); Lentz on the denominator.
  double value = guarded(c / c1);
  double lentz_c = value;
  double lentz_d = 0;
  double p = 1;
  double s = a + 1;
  for (int n = 1; n <= kMaxTerms; ++n) {
    const double t = n / a;
    const double w = n * (b - n) * x;
    const double e = a / s;
    const double alpha = p * (p + b_over_a) * e * e * (w * x);
    const double beta = n + w / s + (t + 1) / (c1 + t + t) * (c + n * (y + 1));
    p = t + 1;
    s += 2;
    lentz_d = 1 / guarded(beta + alpha * lentz_d);
    lentz_c = guarded(beta + alpha / lentz_c);
    const double change = lentz_c * lentz_d;
    value *= change;
    if (std::fabs(change - 1) <= kEpsilon) break;
  }
  return 1 / value;
}

// I_x(a, b), or its complement 1 − I_x(a, b) = I_y(b, a) when `upper`, with
// y = 1 − x given separately. The continued fraction is always evaluated on
// the side of the centre where it converges, so the smaller tail is never
// obtained as one minus the larger.
double IncompleteBeta(double a, double b, double x, double y, bool upper) {
  if (x <= 0) return upper ? 1 : 0;
  if (y <= 0) return upper ? 0 : 1;
  if (x > (a + 1) / (a + b + 2)) {
    std::swap(a, b);
    std::swap(x, y);
    upper = !upper;
  }
  const double lambda = Lambda(a, b, x, y);
  const double direct =
      std::exp(LogPowerOverBeta(a, b, x, y, lambda)) * BetaContinuedFraction(a, b, x, y, lambda);
  return upper ? 1 - direct : direct;
}

// P(T > t) for t >= 0: ½·I_x(df/2, ½) with x = df/(df + t²).
double StudentTUpperTail(double t, double df) {
  if (std::isinf(df)) return 0.5 * std::erfc(t / std::sqrt(2.0));
  // Beyond this, t² would overflow; x and y are then formed from df/t².
  constexpr double kLargeT = 1e100;
  double x = 0;
  double y = 0;
  if (t < kLargeT) {
    const double t2 = t * t;
    x = df / (df + t2);
    y = t2 / (df + t2);
  } else {
    const double s = std::sqrt(df) / t;
    const double s2 = s * s;
    x = s2 / (1 + s2);
    y = 1 / (1 + s2);
  }
  return 0.5 * IncompleteBeta(0.5 * df, 0.5, x, y, false);
}

// The density of Student's t, for the Newton steps of the quantile (its
// accuracy sets only how fast they converge, not where).
double StudentTDensity(double t, double df) {
  if (std::isinf(df)) return std::exp(-0.5 * t * t - kHalfLogTwoPi);
  const double log_beta = LogGamma(0.5 * df) + LogGamma(0.5) - LogGamma(0.5 * (df + 1));
  return std::exp(-0.5 * (df + 1) * std::log1p(t / df * t) - 0.5 * std::log(df) - log_beta);
}

}  // namespace

double RegularizedIncompleteBeta(double a, double b, double x) {
  if (!(a > 0) || !(b > 0) || std::isinf(a) || std::isinf(b) || !(x >= 0) || !(x <= 1)) {
    return kNaN;
  }
  return IncompleteBeta(a, b, x, 1 - x, false);
}

double StudentTCdf(double t, double df) {
  if (std::isnan(t) || !(df > 0)) return kNaN;
  const double tail = StudentTUpperTail(std::fabs(t), df);
  return t < 0 ? tail : 1 - tail;
}

double StudentTQuantile(double p, double df) {
  if (std::isnan(p) || !(df > 0) || p < 0 || p > 1) return kNaN;
  if (p == 0) return -kInfinity;
  if (p == 1) return kInfinity;
  if (p == 0.5) return 0;
  // Solve P(T > q) = tail for q > 0; 1 − p is exact for p >= ½.
  const double tail = p < 0.5 ? p : 1 - p;
  const double sign = p < 0.5 ? -1 : 1;

  // Bracket: P(T > low) > tail >= P(T > high), doubling high outwards.
  double low = 0;
  double high = 1;
  while (StudentTUpperTail(high, df) > tail) {
    low = high;
    high *= 2;
    if (std::isinf(high)) return sign * kInfinity;  // beyond the largest double
  }

  // Newton steps on the tail, falling back to bisection whenever a step
  // would leave the bracket; stop once a step or the bracket is below a
  // relative 1e-15, about five ulps.
  constexpr double kRelativeTolerance = 1e-15;
  constexpr int kMaxSteps = 200;  // bisection alone needs about 55
  double q = 0.5 * (low + high);
  for (int step = 0; step < kMaxSteps; ++step) {
    const double excess = StudentTUpperTail(q, df) - tail;
    if (excess == 0) break;
    (excess > 0 ? low : high) = q;
    double next = q + excess / StudentTDensity(q, df);
    if (!(next > low && next < high)) next = 0.5 * (low + high);
    const bool converged =
        std::fabs(next - q) <= kRelativeTolerance * q || high - low <= kRelativeTolerance * high;
    q = next;
    if (converged) break;
  }
  return sign * q;
}

double FUpperTail(double f, double df1, double df2) {
  if (std::isnan(f) || !(df1 > 0) || !(df2 > 0) || std::isinf(df1) || std::isinf(df2)) {
    return kNaN;
  }
  if (f <= 0) return 1;
  // P(F > f) = I_x(df2/2, df1/2) with x = df2/(df2 + df1·f).
  const double scaled = df1 * f;
  if (std::isinf(scaled)) return 0;
  const double x = df2 / (df2 + scaled);
  const double y = scaled / (df2 + scaled);
  return IncompleteBeta(0.5 * df2, 0.5 * df1, x, y, false);
}

}  // namespace samkart::analysis
