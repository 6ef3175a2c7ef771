#include "notspot/engine/orientation.hpp"

#include <algorithm>
#include <array>
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

int sign_of(double v) { return (v > 0) - (v < 0); }

}  // namespace

int orientation_exact(Point a, Point b, Point c) {
  // Products of differences must neither underflow nor overflow for the error-free product to
  // hold, so inputs far from magnitude 1 are first scaled by a power of two (exact).
  const double largest = std::max({std::abs(a.x), std::abs(a.y), std::abs(b.x), std::abs(b.y),
                                   std::abs(c.x), std::abs(c.y)});
  if (largest != 0 && (largest < 0x1p-400 || largest > 0x1p400)) {
    const int shift = -std::ilogb(largest);
    for (Point* p : {&a, &b, &c}) *p = {std::ldexp(p->x, shift), std::ldexp(p->y, shift)};
  }
  // det = (ax - cx)(by - cy) - (ay - cy)(bx - cx), evaluated without rounding.
  Expansion det;
  add_product(det, two_diff(a.x, c.x), two_diff(b.y, c.y), 1.0);
  add_product(det, two_diff(a.y, c.y), two_diff(b.x, c.x), -1.0);
  return det.sign();
}

int orientation(Point a, Point b, Point c) {
  const double adx = a.x - c.x, ady = a.y - c.y, bdx = b.x - c.x, bdy = b.y - c.y;
  const double det_left = adx * bdy;
  const double det_right = ady * bdx;
  const double det = det_left - det_right;
  // The filter's error bound assumes no underflow or overflow. A product that is zero although
  // its factors are not, or tiny, or huge, sends the call to the exact path, which rescales.
  // (Exact zeros from equal coordinates, common on axis-aligned edges, stay on the fast path.)
  const double magnitude = std::abs(det_left) + std::abs(det_right);
  const bool underflow = (det_left == 0 && adx != 0 && bdy != 0) ||
                         (det_right == 0 && ady != 0 && bdx != 0) ||
                         (magnitude != 0 && magnitude < 0x1p-600);
  if (underflow || !(magnitude < 0x1p600)) return orientation_exact(a, b, c);
  double det_sum;
  if (det_left > 0) {
    if (det_right <= 0) return sign_of(det);
    det_sum = det_left + det_right;
  } else if (det_left < 0) {
    if (det_right >= 0) return sign_of(det);
    det_sum = -det_left - det_right;
  } else {
    return sign_of(det);
  }
  // Shewchuk's bound for the rounding error of the expression above.
  constexpr double kEpsilon = 0x1p-53;
  constexpr double kErrorBound = (3.0 + 16.0 * kEpsilon) * kEpsilon;
  if (std::abs(det) >= kErrorBound * det_sum) return sign_of(det);
  return orientation_exact(a, b, c);
}

}  // namespace notspot::engine
