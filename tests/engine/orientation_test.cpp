// Unit tests of the exact orientation predicate.
//
// Expected signs come from hand reasoning or from two independent exact oracles written here:
// `__int128` arithmetic on integer-scaled coordinates, and arbitrary-precision integers
// (Boost.Multiprecision cpp_int) on the exact binary value of every double. The textbook
// double formula is used only to show that a configuration really is hard (it gets some wrong).

#include "notspot/engine/orientation.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
// GCC 12 reports a false "maybe uninitialized" inside Boost.Multiprecision when inlined.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <boost/multiprecision/cpp_int.hpp>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace notspot {
namespace {

using boost::multiprecision::cpp_int;
using engine::orientation;
using engine::orientation_exact;
using engine::Point;

// ---- independent oracles --------------------------------------------------------------------

// GCC's 128-bit integer; __extension__ keeps -Wpedantic quiet about the non-standard type.
__extension__ typedef __int128 Int128;

template <typename T>
int sign(const T& v) {
  return (v > 0) - (v < 0);
}

// Sign of (ax-cx)(by-cy) - (ay-cy)(bx-cx) for integer coordinates, exact while |coords| < 2^60.
int int128_orientation(std::int64_t ax, std::int64_t ay, std::int64_t bx, std::int64_t by,
                       std::int64_t cx, std::int64_t cy) {
  const Int128 det =
      static_cast<Int128>(ax - cx) * (by - cy) - static_cast<Int128>(ay - cy) * (bx - cx);
  return sign(det);
}

// A finite double as m * 2^e with an integer m (exact: frexp and ldexp by 53 do not round).
struct Dyadic {
  std::int64_t m;
  int e;
};
Dyadic decompose(double d) {
  int e = 0;
  const double f = std::frexp(d, &e);
  return {static_cast<std::int64_t>(std::ldexp(f, 53)), e - 53};
}

// Exact orientation of any finite doubles: all six coordinates scaled to a common power of two
// and evaluated with unbounded integers. Shares no code with the engine.
int bigint_orientation(Point a, Point b, Point c) {
  const std::array<Dyadic, 6> d = {decompose(a.x), decompose(a.y), decompose(b.x),
                                   decompose(b.y), decompose(c.x), decompose(c.y)};
  int emin = d[0].e;
  for (const Dyadic& v : d) emin = std::min(emin, v.e);
  std::array<cpp_int, 6> n;
  for (std::size_t i = 0; i < 6; ++i) n[i] = cpp_int(d[i].m) << (d[i].e - emin);
  const cpp_int det = (n[0] - n[4]) * (n[3] - n[5]) - (n[1] - n[5]) * (n[2] - n[4]);
  return sign(det);
}

// The textbook formula in doubles, as in Kettner et al., "Classroom examples of robustness
// problems in geometric computations" (2008).
int naive_orientation(Point a, Point b, Point c) {
  return sign((b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x));
}

// ---- hand cases -------------------------------------------------------------------------

TEST(Orientation, HandCases) {
  // c to the left of a→b (counter-clockwise turn), to the right, on the line.
  EXPECT_EQ(orientation({0, 0}, {1, 0}, {0, 1}), 1);
  EXPECT_EQ(orientation({0, 0}, {1, 0}, {0, -1}), -1);
  EXPECT_EQ(orientation({0, 0}, {1, 0}, {5, 0}), 0);
  EXPECT_EQ(orientation({0, 0}, {1, 1}, {2, 2}), 0);
  EXPECT_EQ(orientation({0, 0}, {1, 1}, {-3, -3}), 0);    // collinear, behind a
  EXPECT_EQ(orientation({0, 0}, {1, 1}, {0.5, 0.5}), 0);  // collinear, between
  EXPECT_EQ(orientation({0, 0}, {10, 10}, {5, 6}), 1);
  EXPECT_EQ(orientation({0, 0}, {10, 10}, {6, 5}), -1);
  // A downward edge: the west side is its right.
  EXPECT_EQ(orientation({10, 10}, {10, 0}, {5, 5}), -1);
  EXPECT_EQ(orientation({10, 10}, {10, 0}, {15, 5}), 1);
  // Degenerate input: coincident points are collinear with anything.
  EXPECT_EQ(orientation({3, 4}, {3, 4}, {7, -1}), 0);
  EXPECT_EQ(orientation({3, 4}, {7, -1}, {3, 4}), 0);
  // Same answers from the unfiltered predicate.
  EXPECT_EQ(orientation_exact({0, 0}, {1, 0}, {0, 1}), 1);
  EXPECT_EQ(orientation_exact({0, 0}, {1, 0}, {0, -1}), -1);
  EXPECT_EQ(orientation_exact({0, 0}, {1, 1}, {-3, -3}), 0);
}

TEST(Orientation, OraclesAgreeWithHandCases) {
  // The oracles themselves are checked on cases whose answers are obvious.
  EXPECT_EQ(bigint_orientation({0, 0}, {1, 0}, {0, 1}), 1);
  EXPECT_EQ(bigint_orientation({0, 0}, {1, 0}, {0, -1}), -1);
  EXPECT_EQ(bigint_orientation({0.5, 0.5}, {12, 12}, {24, 24}), 0);
  EXPECT_EQ(bigint_orientation({1e-300, 0}, {0, 1e-300}, {0, 0}), 1);
  EXPECT_EQ(int128_orientation(0, 0, 1, 0, 0, 1), 1);
  EXPECT_EQ(int128_orientation(0, 0, 2, 2, 7, 7), 0);
}

// ---- near-degenerate configurations ------------------------------------------------------------

// Kettner et al.'s classroom example: p = (0.5 + x·u, 0.5 + y·u) with u = 2^-53 for a 256 × 256
// grid of (x, y), q = (12, 12), r = (24, 24). Scaled by 2^53 every coordinate is an integer below
// 2^58, so the exact sign is computed with __int128.
TEST(Orientation, KettnerClassroomExample) {
  const std::int64_t half = std::int64_t{1} << 52;  // 0.5 · 2^53
  const std::int64_t q = 12 * (std::int64_t{1} << 53);
  const std::int64_t r = 24 * (std::int64_t{1} << 53);
  int naive_wrong = 0;
  int mismatches = 0;
  int left = 0, right = 0, collinear = 0;
  for (std::int64_t i = 0; i < 256; ++i) {
    for (std::int64_t j = 0; j < 256; ++j) {
      const Point p{std::ldexp(static_cast<double>(half + i), -53),
                    std::ldexp(static_cast<double>(half + j), -53)};
      const Point pq{12, 12};
      const Point pr{24, 24};
      // Several argument orders exercise both the filter and the exact stage.
      const int want_pqr = int128_orientation(half + i, half + j, q, q, r, r);
      const int want_qrp = want_pqr;   // cyclic shift: same sign
      const int want_qpr = -want_pqr;  // swapping two points flips the sign
      const int got_pqr = orientation(p, pq, pr);
      const int got_qrp = orientation(pq, pr, p);
      const int got_qpr = orientation(pq, p, pr);
      if (got_pqr != want_pqr || got_qrp != want_qrp || got_qpr != want_qpr ||
          orientation_exact(p, pq, pr) != want_pqr) {
        if (++mismatches <= 5) {
          ADD_FAILURE() << "p = 0.5 + (" << i << ", " << j << ")·2^-53: want " << want_pqr
                        << ", got " << got_pqr << " / " << got_qrp << " / " << -got_qpr;
        }
      }
      naive_wrong += naive_orientation(p, pq, pr) != want_pqr;
      left += want_pqr > 0;
      right += want_pqr < 0;
      collinear += want_pqr == 0;
    }
  }
  EXPECT_EQ(mismatches, 0);
  // The configuration is hard: the double formula is wrong on many grid points, and all
  // three answers occur (collinear exactly on the diagonal i == j).
  EXPECT_GT(naive_wrong, 1000);
  EXPECT_EQ(collinear, 256);
  EXPECT_GT(left, 0);
  EXPECT_GT(right, 0);
}

// Coordinates near 1e6 (national-grid metres) perturbed by single units in the last place
// (2^-32 at this magnitude, about 2^-52 relative). Scaled by 2^32 they are integers < 2^53.
TEST(Orientation, UlpPerturbationsAtMillionMetres) {
  const double kUlp = std::ldexp(1.0, -32);
  ASSERT_EQ(std::nextafter(1.5e6, 2e6) - 1.5e6, kUlp);
  auto scaled = [](double v) { return static_cast<std::int64_t>(std::ldexp(v, 32)); };
  const Point a{1e6, 1e6};
  const Point b{2e6, 2e6};
  int mismatches = 0;
  for (int dx = -8; dx <= 8; ++dx) {
    for (int dy = -8; dy <= 8; ++dy) {
      const Point c{1.5e6 + dx * kUlp, 1.5e6 + dy * kUlp};
      // Hand: c is left of the rising diagonal exactly when dy > dx.
      const int hand = sign(dy - dx);
      const int want = int128_orientation(scaled(a.x), scaled(a.y), scaled(b.x), scaled(b.y),
                                          scaled(c.x), scaled(c.y));
      ASSERT_EQ(want, hand) << "oracle self-check";
      if (orientation(a, b, c) != want || orientation(b, c, a) != want ||
          orientation(c, a, b) != want || orientation(b, a, c) != -want) {
        ++mismatches;
        ADD_FAILURE() << "c = 1.5e6 + (" << dx << ", " << dy << ") ulp";
      }
    }
  }
  EXPECT_EQ(mismatches, 0);
}

// Points exactly on the line y = 3x + 1, one near the origin with fine fractional bits and two
// far away: the subtractions round differently in x and y, so the double formula sees a nonzero
// determinant where the exact one is zero.
TEST(Orientation, CollinearWithLargeOffsets) {
  std::mt19937_64 rng(20240611);
  std::uniform_int_distribution<std::int64_t> fine(1, (std::int64_t{1} << 40) - 1);
  int naive_wrong = 0;
  for (int k = 0; k < 20000; ++k) {
    // x = m · 2^-41 in (0, 0.5): 3x + 1 < 2.5 needs at most 2^-51 granularity, so it is exact.
    const double x = std::ldexp(static_cast<double>(fine(rng)), -41);
    const Point a{x, 3 * x + 1};
    // b and c on the same line far away: integers below 2^53, exact.
    const double far = 1e9 + static_cast<double>(k);
    const Point b{far, 3 * far + 1};
    const Point c{-far * 3, -far * 9 + 1};
    ASSERT_EQ(bigint_orientation(a, b, c), 0);
    EXPECT_EQ(orientation(a, b, c), 0) << "x = " << x;
    EXPECT_EQ(orientation(c, a, b), 0) << "x = " << x;
    EXPECT_EQ(orientation(b, c, a), 0) << "x = " << x;
    naive_wrong += naive_orientation(b, c, a) != 0;
    // One unit in the last place off the line: strictly above or below it.
    const Point above{x, std::nextafter(3 * x + 1, 4.0)};
    const Point below{x, std::nextafter(3 * x + 1, 0.0)};
    EXPECT_EQ(orientation(b, c, above), bigint_orientation(b, c, above));
    EXPECT_EQ(orientation(b, c, below), bigint_orientation(b, c, below));
    // b → c runs towards -x (direction (-1, -3)); its left normal is (3, -1), so a point
    // above the line lies on its right.
    EXPECT_EQ(orientation(b, c, above), -1);
    EXPECT_EQ(orientation(b, c, below), 1);
  }
  EXPECT_GT(naive_wrong, 100) << "the test configuration should defeat the double formula";
}

// Random near-collinear triples at several scales: filter, exact stage and oracle agree, and
// the sign is antisymmetric under swaps and invariant under cyclic shifts.
TEST(Orientation, RandomNearCollinearTriplesMatchOracle) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> unit(-1.0, 1.0);
  std::uniform_real_distribution<double> t_dist(-2.0, 3.0);
  std::uniform_int_distribution<int> ulps(-3, 3);
  // (Scales stay within 1e±100: see TinyMagnitudesAreExact and MixedMagnitudesAreExact.)
  const double scales[] = {1e-3, 1.0, 7e5, 1.3e6, 1e12, 1e-100, 1e100};
  int mismatches = 0, zeros = 0, naive_wrong = 0, total = 0;
  for (double scale : scales) {
    for (int k = 0; k < 20000; ++k) {
      const Point a{unit(rng) * scale, unit(rng) * scale};
      const Point b{unit(rng) * scale, unit(rng) * scale};
      const double t = t_dist(rng);
      Point c{a.x + t * (b.x - a.x), a.y + t * (b.y - a.y)};
      for (int s = ulps(rng); s > 0; --s) c.x = std::nextafter(c.x, HUGE_VAL);
      for (int s = ulps(rng); s < 0; ++s) c.y = std::nextafter(c.y, -HUGE_VAL);
      // Now and then an exactly collinear triple (c = a).
      if (k % 97 == 0) c = a;
      const int want = bigint_orientation(a, b, c);
      const int got = orientation(a, b, c);
      const int got_exact = orientation_exact(a, b, c);
      const bool ok = got == want && got_exact == want && orientation(b, a, c) == -want &&
                      orientation(a, c, b) == -want && orientation(c, b, a) == -want &&
                      orientation(b, c, a) == want && orientation(c, a, b) == want;
      if (!ok && ++mismatches <= 5) {
        ADD_FAILURE() << std::hexfloat << "a = (" << a.x << ", " << a.y << ") b = (" << b.x << ", "
                      << b.y << ") c = (" << c.x << ", " << c.y << "): want " << want << ", got "
                      << got << ", exact stage " << got_exact;
      }
      zeros += want == 0;
      naive_wrong += naive_orientation(a, b, c) != want;
      ++total;
    }
  }
  EXPECT_EQ(mismatches, 0) << "of " << total;
  EXPECT_GT(zeros, 7 * 200) << "exactly collinear triples must occur";
  EXPECT_GT(naive_wrong, 1000) << "the triples should be hard for doubles";
}

// Well-separated random triples (the filter's fast path) against the oracle.
TEST(Orientation, RandomGeneralTriplesMatchOracle) {
  std::mt19937_64 rng(99);
  std::uniform_real_distribution<double> coord(-5e5, 1.5e6);
  int mismatches = 0;
  for (int k = 0; k < 100000; ++k) {
    const Point a{coord(rng), coord(rng)}, b{coord(rng), coord(rng)}, c{coord(rng), coord(rng)};
    const int want = bigint_orientation(a, b, c);
    if (orientation(a, b, c) != want || orientation_exact(a, b, c) != want) ++mismatches;
  }
  EXPECT_EQ(mismatches, 0);
}

// Integer grids: every collinear triple on a lattice line is reported exactly collinear.
TEST(Orientation, IntegerLatticeAgainstInt128) {
  std::mt19937_64 rng(3);
  std::uniform_int_distribution<std::int64_t> big(-(std::int64_t{1} << 50), std::int64_t{1} << 50);
  std::uniform_int_distribution<std::int64_t> small(-1000, 1000);
  int mismatches = 0, zeros = 0;
  for (int k = 0; k < 50000; ++k) {
    // c = a + s·d, b = a + t·d (+ tiny perturbation sometimes), all below 2^53.
    const std::int64_t ax = big(rng), ay = big(rng);
    const std::int64_t dx = small(rng), dy = small(rng);
    const std::int64_t s = small(rng) * 1000, t = small(rng) * 1000;
    const std::int64_t bump = (k % 3 == 0) ? small(rng) % 2 : 0;
    const std::int64_t bx = ax + t * dx, by = ay + t * dy + bump;
    const std::int64_t cx = ax + s * dx, cy = ay + s * dy;
    const int want = int128_orientation(ax, ay, bx, by, cx, cy);
    const auto pt = [](std::int64_t x, std::int64_t y) {
      return Point{static_cast<double>(x), static_cast<double>(y)};
    };
    if (orientation(pt(ax, ay), pt(bx, by), pt(cx, cy)) != want) ++mismatches;
    zeros += want == 0;
  }
  EXPECT_EQ(mismatches, 0);
  EXPECT_GT(zeros, 30000);
}

// Coordinates far from magnitude 1, within the documented domain (coordinates differing by less
// than about 1e150). Products of coordinate differences underflow below ~1e-162, where the
// error-free product no longer holds unless the predicate rescales.
// (Regression: found by this test; fixed in 71eb7df by rescaling in orientation_exact().)
TEST(Orientation, TinyMagnitudesAreExact) {
  // c at the origin, a on +x, b on +y: a counter-clockwise turn, +1, at any scale.
  for (double s : {1e-170, 1e-200, 1e-320, 1e-100, 1e140}) {
    const Point a{s, 0}, b{0, s}, c{0, 0};
    ASSERT_EQ(bigint_orientation(a, b, c), 1) << s;
    EXPECT_EQ(orientation(a, b, c), 1) << "scale " << s;
    EXPECT_EQ(orientation_exact(a, b, c), 1) << "scale " << s;
    EXPECT_EQ(orientation(b, a, c), -1) << "scale " << s;
  }
}

// Triples mixing magnitudes: one coordinate near 1, the others tiny, so that one product of
// differences underflows while the other is exactly zero. All coordinates lie in [0, 1], well
// inside the documented domain.
//
// Regression: orientation({1e-200, 1}, {0, 1e-200}, {0, 0}) used to return 0 (the product of
// the two tiny differences underflowed); products that could underflow are now decided with
// big integers. The determinant is 1e-200 · 1e-200 - 1 · 0 = 1e-400 > 0, so the answer is +1.
TEST(Orientation, MixedMagnitudesAreExact) {
  EXPECT_EQ(bigint_orientation({1e-200, 1}, {0, 1e-200}, {0, 0}), 1);
  EXPECT_EQ(orientation({1e-200, 1}, {0, 1e-200}, {0, 0}), 1);
  EXPECT_EQ(orientation_exact({1e-200, 1}, {0, 1e-200}, {0, 0}), 1);
  // det = 1e-170 · 1e-170 - 0.5 · 0 > 0.
  EXPECT_EQ(orientation({1e-170, 0.5}, {0, 1e-170}, {0, 0}), 1);

  std::mt19937_64 rng(5);
  std::uniform_int_distribution<int> exponent(-1000, 400);  // |coordinates| < 2^400 ≈ 2.6e120
  std::uniform_int_distribution<int> kind(0, 3);
  std::uniform_real_distribution<double> mantissa(-1.0, 1.0);
  auto coordinate = [&] {
    switch (kind(rng)) {
      case 0:
        return 0.0;
      case 1:
        return std::ldexp(mantissa(rng), exponent(rng));
      case 2:
        return std::ldexp(1.0, exponent(rng));
      default:
        return mantissa(rng);
    }
  };
  int mismatches = 0;
  for (int k = 0; k < 100000; ++k) {
    const Point a{coordinate(), coordinate()}, b{coordinate(), coordinate()},
        c{coordinate(), coordinate()};
    const int want = bigint_orientation(a, b, c);
    if (orientation(a, b, c) != want || orientation_exact(a, b, c) != want) {
      if (++mismatches <= 3) {
        ADD_FAILURE() << std::hexfloat << "a = (" << a.x << ", " << a.y << ") b = (" << b.x << ", "
                      << b.y << ") c = (" << c.x << ", " << c.y << "): want " << want << ", got "
                      << orientation(a, b, c);
      }
    }
  }
  EXPECT_EQ(mismatches, 0);
}

}  // namespace
}  // namespace notspot
