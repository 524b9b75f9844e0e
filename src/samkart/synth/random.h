// Deterministic, portable randomness for the synthetic data: the same seed
// gives the same bytes on every machine and standard library (std::
// distributions are implementation-defined, so they are not used).
#pragma once

#include <cmath>
#include <cstdint>

namespace samkart::synth {

// SplitMix64 finaliser: a good 64-bit mix of any key.
inline uint64_t Mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

inline uint64_t Key(uint64_t a, uint64_t b) { return Mix(a ^ Mix(b)); }
inline uint64_t Key(uint64_t a, uint64_t b, uint64_t c) { return Key(Key(a, b), c); }

// Uniform in (0, 1), never 0 so logs are safe.
inline double Uniform(uint64_t key) {
  return (static_cast<double>(Mix(key) >> 11) + 0.5) * 0x1.0p-53;
}

// Standard normal from one key (Box–Muller on two derived uniforms).
inline double Normal(uint64_t key) {
  const double u1 = Uniform(key);
  const double u2 = Uniform(key ^ 0xD1B54A32D192ED03ull);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

// A sequential generator for structure (who works where).
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  double Uniform() { return synth::Uniform(state_++); }
  double Normal() { return synth::Normal(state_++); }
  // Index drawn with probability proportional to weights.
  template <typename Weights>
  std::size_t Pick(const Weights& weights) {
    double total = 0;
    for (const double w : weights) total += w;
    double u = Uniform() * total;
    for (std::size_t i = 0; i < weights.size(); ++i) {
      u -= weights[i];
      if (u <= 0) return i;
    }
    return weights.size() - 1;
  }

 private:
  uint64_t state_;
};

}  // namespace samkart::synth
