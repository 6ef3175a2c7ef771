#include "notspot/engine/orientation.hpp"

#include <algorithm>
#include <array>
#include <boost/multiprecision/cpp_int.hpp>
#include <cmath>

namespace notspot::engine {
namespace {

// Error-free transformations (Dekker, Knuth; as used by Shewchuk's robust predicates). Each
// returns the rounded result and the exact rounding error, so hi + lo == the exact value.
struct TwoTerm {
  double hi;
  double lo;
};

inline TwoTerm two_sum(double a, double b) {
  const double x = a + b;
  const double b_virtual = x - a;
  const double a_virtual = x - b_virtual;
  return {x, (a - a_virtual) + (b - b_virtual)};
}

inline TwoTerm two_diff(double a, double b) {
  const double x = a - b;
  const double b_virtual = a - x;
  const double a_virtual = x + b_virtual;
  return {x, (a - a_virtual) + (b_virtual - b)};
}

inline TwoTerm two_product(double a, double b) {
  const double p = a * b;
  return {p, std::fma(a, b, -p)};
}

// A nonoverlapping expansion, components in increasing magnitude; its value is their exact sum
// and its sign is the sign of its largest nonzero component.
class Expansion {
 public:
  void add(double b) {
    // Shewchuk's Grow-Expansion: carry b up through the components.
    double q = b;
    for (int i = 0; i < size_; ++i) {
      const TwoTerm s = two_sum(q, terms_[i]);
      terms_[i] = s.lo;
      q = s.hi;
    }
    terms_[size_++] = q;
  }
  int sign() const {
    for (int i = size_ - 1; i >= 0; --i) {
      if (terms_[i] > 0) return 1;
      if (terms_[i] < 0) return -1;
    }
    return 0;
  }

 private:
  std::array<double, 16> terms_{};
  int size_ = 0;
};

// Adds the exact product (a.hi + a.lo) * (b.hi + b.lo), times `sign`, to the expansion.
void add_product(Expansion& e, TwoTerm a, TwoTerm b, double sign) {
  for (double x : {a.hi, a.lo}) {
    for (double y : {b.hi, b.lo}) {
      const TwoTerm p = two_product(x, y);
      e.add(sign * p.hi);
      e.add(sign * p.lo);
    }
  }
}

int sign_of(double v) {
  return (v > 0) - (v < 0);
}

// Every finite double is an integer multiple of 2^-1074, so with coordinates as such integers
// the determinant is an exact integer: no underflow whatever the magnitudes. Slow (thousands of
// bits), hence only for inputs where products of differences could underflow.
// GCC 12 reports a false "maybe uninitialized" inside Boost.Multiprecision when inlined.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
int orientation_big_integer(Point a, Point b, Point c) {
  using boost::multiprecision::cpp_int;
  auto exact = [](double v) {
    int exponent = 0;
    const double mantissa = std::frexp(v, &exponent);  // v = mantissa * 2^exponent
    const int shift = exponent - 53 + 1074;
    // Subnormal and tiny values: v * 2^1074 is a small integer, exact in a double.
    if (shift < 0) return cpp_int(static_cast<std::int64_t>(std::ldexp(v, 1074)));
    // Otherwise 53 significant bits as an integer, shifted to units of 2^-1074.
    return cpp_int(static_cast<std::int64_t>(std::ldexp(mantissa, 53))) << shift;
  };
  const cpp_int adx = exact(a.x) - exact(c.x), ady = exact(a.y) - exact(c.y);
  const cpp_int bdx = exact(b.x) - exact(c.x), bdy = exact(b.y) - exact(c.y);
  const cpp_int det = adx * bdy - ady * bdx;
  return det.sign();
}
#pragma GCC diagnostic pop

}  // namespace

int orientation_exact(Point a, Point b, Point c) {
  for (double v : {a.x, a.y, b.x, b.y, c.x, c.y})
    if (!std::isfinite(v)) return 0;  // outside the contract; answer without crashing
  // det = (ax - cx)(by - cy) - (ay - cy)(bx - cx), evaluated without rounding. Error-free
  // products need results well inside the double range; where a product of differences could
  // underflow or overflow (magnitudes beyond 2^±800), big integers decide instead.
  const TwoTerm adx = two_diff(a.x, c.x), bdy = two_diff(b.y, c.y);
  const TwoTerm ady = two_diff(a.y, c.y), bdx = two_diff(b.x, c.x);
  // Every partial product of the expansion components must stay well inside the range.
  auto extreme = [](TwoTerm x, TwoTerm y) {
    if (!std::isfinite(x.hi) || !std::isfinite(y.hi)) return true;
    for (double u : {x.hi, x.lo}) {
      for (double v : {y.hi, y.lo}) {
        if (u == 0 || v == 0) continue;
        const int exponent = std::ilogb(u) + std::ilogb(v);
        if (exponent < -800 || exponent > 800) return true;
      }
    }
    return false;
  };
  if (extreme(adx, bdy) || extreme(ady, bdx)) return orientation_big_integer(a, b, c);
  Expansion det;
  add_product(det, adx, bdy, 1.0);
  add_product(det, ady, bdx, -1.0);
  return det.sign();
}

namespace detail {

int orientation_slow(Point a, Point b, Point c) {
  const double adx = a.x - c.x, ady = a.y - c.y, bdx = b.x - c.x, bdy = b.y - c.y;
  const double det_left = adx * bdy;
  const double det_right = ady * bdx;
  const double det = det_left - det_right;
  // The filter's error bound assumes no underflow or overflow. A product that is zero although
  // its factors are not, or tiny, or huge, goes to the exact path.
  const double magnitude = std::abs(det_left) + std::abs(det_right);
  const bool underflow = (det_left == 0 && adx != 0 && bdy != 0) ||
                         (det_right == 0 && ady != 0 && bdx != 0) ||
                         (magnitude != 0 && magnitude < 0x1p-600);
  if (underflow || !(magnitude < 0x1p600)) return orientation_exact(a, b, c);
  // Shewchuk's orient2d: when the products have opposite signs (or one is zero) the sign of
  // their difference is certain.
  if (det_left > 0) {
    if (det_right <= 0) return sign_of(det);
  } else if (det_left < 0) {
    if (det_right >= 0) return sign_of(det);
  } else {
    return sign_of(det);
  }
  constexpr double kEpsilon = 0x1p-53;
  constexpr double kErrorBound = (3.0 + 16.0 * kEpsilon) * kEpsilon;
  if (std::abs(det) >= kErrorBound * magnitude) return sign_of(det);
  return orientation_exact(a, b, c);
}

}  // namespace detail

}  // namespace notspot::engine
