#pragma once

#include <cmath>
#include <cstdint>
#include <numbers>
#include <string_view>

namespace notspot::generate {

/// SplitMix64 finaliser: a fast, well-mixed 64-bit hash, used to seed streams and to derive
/// per-object noise from coordinates.
constexpr std::uint64_t mix64(std::uint64_t z) {
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/// FNV-1a of a label, so that named random streams ("premises", "speeds") stay independent.
constexpr std::uint64_t hash_label(std::string_view label) {
  std::uint64_t h = 0xCBF29CE484222325ull;
  for (char c : label) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001B3ull;
  }
  return h;
}

/**
 * A small deterministic random generator (xoshiro256**) with its own uniform and normal
 * draws. The standard library's distributions are not used on purpose: their algorithms are
 * implementation-defined, so the same seed would give different sample data with another
 * standard library.
 *
 * Typical usage:
 * @code
 *   Rng rng(seed, "premises");      // one named stream per purpose
 *   double dx = sigma * rng.normal();
 * @endcode
 */
class Rng {
 public:
  /// A stream derived from a seed and a label; different labels give independent streams,
  /// so that changing how one part of the data is drawn does not reshuffle the others.
  Rng(std::uint64_t seed, std::string_view label) {
    std::uint64_t z = mix64(seed ^ hash_label(label));
    for (std::uint64_t& word : state_) {
      z = mix64(z);
      word = z;
    }
  }

  std::uint64_t next() {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  /// Uniform in [0, 1), with 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  /// Uniform in [lo, hi).
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

  /// Uniform integer in [0, n), unbiased (rejection). REQUIRES: n > 0.
  std::uint64_t below(std::uint64_t n) {
    const std::uint64_t threshold = (0 - n) % n;  // 2^64 mod n
    for (;;) {
      const std::uint64_t r = next();
      if (r >= threshold) return r % n;
    }
  }

  /// True with probability p.
  bool chance(double p) { return uniform() < p; }

  /// Standard normal by the Box-Muller transform (one of the pair is kept for the next call).
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u1 = uniform();
    while (u1 <= 0) u1 = uniform();
    const double u2 = uniform();
    const double r = std::sqrt(-2.0 * std::log(u1));
    const double angle = 2.0 * std::numbers::pi * u2;
    spare_ = r * std::sin(angle);
    has_spare_ = true;
    return r * std::cos(angle);
  }

 private:
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  std::uint64_t state_[4];
  double spare_ = 0;
  bool has_spare_ = false;
};

/// Shuffles a random-access range (Fisher-Yates) with an Rng, portable unlike std::shuffle.
template <typename Range>
void shuffle(Range& range, Rng& rng) {
  for (std::size_t i = range.size(); i > 1; --i) {
    const std::size_t j = static_cast<std::size_t>(rng.below(i));
    using std::swap;
    swap(range[i - 1], range[j]);
  }
}

}  // namespace notspot::generate
