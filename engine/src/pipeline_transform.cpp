#include "notspot/engine/pipeline_transform.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

namespace notspot::engine {
namespace {

constexpr std::size_t kBlock = 256;
constexpr int kOrder = 6;  // PROJ_ETMERC_ORDER
constexpr double kHalfPi = 1.5707963267948966;
constexpr double kArcSecond = 4.84813681109535993589914102357e-6;  // radians
constexpr double kInf = std::numeric_limits<double>::infinity();

// PROJ's tmerc.cpp (Poder/Engsager): Clenshaw summation of a real series in sin(2B).
inline double gatg(const double* p1, int len, double B, double cos_2B, double sin_2B) {
  double h = 0, h1, h2 = 0;
  const double two_cos_2B = 2 * cos_2B;
  const double* p = p1 + len;
  h1 = *--p;
  while (p - p1) {
    h = -h2 + two_cos_2B * h1 + *--p;
    h2 = h1;
    h1 = h;
  }
  return B + h * sin_2B;
}

// gatg less its argument: h * sin(2B), the (small) correction of the latitude.
inline double gatg_correction(const double* p1, int len, double cos_2B, double sin_2B) {
  double h = 0, h1, h2 = 0;
  const double two_cos_2B = 2 * cos_2B;
  const double* p = p1 + len;
  h1 = *--p;
  while (p - p1) {
    h = -h2 + two_cos_2B * h1 + *--p;
    h2 = h1;
    h1 = h;
  }
  return h * sin_2B;
}

// PROJ's clens: the same series, real argument.
inline double clens(const double* a, int size, double arg_r) {
  const double* p = a + size;
  const double cos_arg_r = std::cos(arg_r);
  const double r = 2 * cos_arg_r;
  double hr1 = 0, hr2, hr = *--p;
  for (; a - p;) {
    hr2 = hr1;
    hr1 = hr;
    hr = -hr2 + r * hr1 + *--p;
  }
  return std::sin(arg_r) * hr;
}

// PROJ's clenS: complex Clenshaw summation; returns the real part, *I the imaginary one.
inline double clen_s(const double* a, int size, double sin_arg_r, double cos_arg_r,
                     double sinh_arg_i, double cosh_arg_i, double* I) {
  const double* p = a + size;
  double r = 2 * cos_arg_r * cosh_arg_i;
  double i = -2 * sin_arg_r * sinh_arg_i;
  double hi1 = 0, hr1 = 0, hi = 0, hr2, hi2;
  double hr = *--p;
  for (; a - p;) {
    hr2 = hr1;
    hi2 = hi1;
    hr1 = hr;
    hi1 = hi;
    hr = -hr2 + r * hr1 - i * hi1 + *--p;
    hi = -hi2 + i * hr1 + r * hi1;
  }
  r = sin_arg_r * cosh_arg_i;
  i = cos_arg_r * sinh_arg_i;
  *I = r * hi + i * hr;
  return r * hr - i * hi;
}

// Constants of a transverse Mercator, laid out in one vector:
// [0,6) cbg, [6,12) gtu, 12 Qn, 13 Zb, 14 sin(lon0), 15 cos(lon0).
std::vector<double> tmerc_constants(const PipelineStep& s) {
  const double es = s.ellipsoid.es;
  const double f = es / (1 + std::sqrt(1 - es));
  const double n = f / (2 - f);
  double cbg[6], gtu[6];
  double np = n;
  cbg[0] =
      n * (-2 + n * (2 / 3.0 +
                     n * (4 / 3.0 + n * (-82 / 45.0 + n * (32 / 45.0 + n * (4642 / 4725.0))))));
  np *= n;
  cbg[1] =
      np * (5 / 3.0 + n * (-16 / 15.0 + n * (-13 / 9.0 + n * (904 / 315.0 + n * (-1522 / 945.0)))));
  np *= n;
  cbg[2] = np * (-26 / 15.0 + n * (34 / 21.0 + n * (8 / 5.0 + n * (-12686 / 2835.0))));
  np *= n;
  cbg[3] = np * (1237 / 630.0 + n * (-12 / 5.0 + n * (-24832 / 14175.0)));
  np *= n;
  cbg[4] = np * (-734 / 315.0 + n * (109598 / 31185.0));
  np *= n;
  cbg[5] = np * (444337 / 155925.0);

  np = n * n;
  const double Qn = s.k0 / (1 + n) * (1 + np * (1 / 4.0 + np * (1 / 64.0 + np / 256.0)));
  gtu[0] =
      n * (0.5 + n * (-2 / 3.0 + n * (5 / 16.0 + n * (41 / 180.0 +
                                                      n * (-127 / 288.0 + n * (7891 / 37800.0))))));
  gtu[1] =
      np * (13 / 48.0 +
            n * (-3 / 5.0 + n * (557 / 1440.0 + n * (281 / 630.0 + n * (-1983433 / 1935360.0)))));
  np *= n;
  gtu[2] = np * (61 / 240.0 + n * (-103 / 140.0 + n * (15061 / 26880.0 + n * (167603 / 181440.0))));
  np *= n;
  gtu[3] = np * (49561 / 161280.0 + n * (-179 / 168.0 + n * (6601661 / 7257600.0)));
  np *= n;
  gtu[4] = np * (34729 / 80640.0 + n * (-3418889 / 1995840.0));
  np *= n;
  gtu[5] = np * (212378941 / 319334400.0);

  const double Z = gatg(cbg, kOrder, s.lat0, std::cos(2 * s.lat0), std::sin(2 * s.lat0));
  const double Zb = -Qn * (Z + clens(gtu, kOrder, 2 * Z));

  std::vector<double> c(cbg, cbg + 6);
  c.insert(c.end(), gtu, gtu + 6);
  c.push_back(Qn);
  c.push_back(Zb);
  c.push_back(std::sin(s.lon0));
  c.push_back(std::cos(s.lon0));
  return c;
}

// Helmert: [0,9) rotation matrix R (row-major) as PROJ's build_rot_matrix (small angles),
// 9 scale (1 + s ppm).
std::vector<double> helmert_constants(const PipelineStep& s) {
  const double f = s.rx * kArcSecond, t = s.ry * kArcSecond, p = s.rz * kArcSecond;
  double R[9] = {1, p, -t, -p, 1, f, t, -f, 1};
  if (s.position_vector) {
    std::swap(R[1], R[3]);
    std::swap(R[2], R[6]);
    std::swap(R[5], R[7]);
  }
  std::vector<double> c(R, R + 9);
  c.push_back(1 + s.s_ppm * 1e-6);
  return c;
}

// The ellipsoid's b, second eccentricity squared.
struct EllipsoidTerms {
  double a, b, es, e2s;
};
EllipsoidTerms terms(const Ellipsoid& e) {
  return {e.a, e.a * std::sqrt(1 - e.es), e.es, e.es / (1 - e.es)};
}

constexpr double kHuge = 1e300;

// The transverse Mercator of PROJ's exact_e_fwd from sin/cos of latitude and of longitude
// (minus lon0 below), in three passes: arithmetic (vectorised), the two library calls,
// arithmetic again. Cn = phi + d with d the gatg correction, whose sine and cosine are series
// exact to rounding (|d| < 0.004 on the Earth's ellipsoids).
void tmerc_fused(const double* c, double a, double x0, double y0, const double* sin_phi,
                 const double* cos_phi, const double* sin_lam, const double* cos_lam, double* x,
                 double* y, std::size_t n) {
  const double* cbg = c;
  const double* gtu = c + 6;
  const double Qn = c[12], Zb = c[13], sin_l0 = c[14], cos_l0 = c[15];
  double sin_Cn_[kBlock], cc_[kBlock], inv_den_[kBlock], tan_Ce_[kBlock];
  for (std::size_t i = 0; i < n; ++i) {
    const double sp = sin_phi[i], cp = cos_phi[i];
    const double sin_Ce = sin_lam[i] * cos_l0 - cos_lam[i] * sin_l0;
    const double cos_Ce = cos_lam[i] * cos_l0 + sin_lam[i] * sin_l0;
    const double d = gatg_correction(cbg, kOrder, cp * cp - sp * sp, 2 * sp * cp);
    const double d2 = d * d;
    constexpr double k6 = 1 / 6.0, k20 = 1 / 20.0, k42 = 1 / 42.0, k72 = 1 / 72.0;
    constexpr double k2 = 0.5, k12 = 1 / 12.0, k30 = 1 / 30.0, k56 = 1 / 56.0;
    const double sd = d * (1 - d2 * k6 * (1 - d2 * k20 * (1 - d2 * k42 * (1 - d2 * k72))));
    const double cd = 1 - d2 * k2 * (1 - d2 * k12 * (1 - d2 * k30 * (1 - d2 * k56)));
    const double sin_Cn = sp * cd + cp * sd;
    const double cos_Cn = cp * cd - sp * sd;
    const double cc = cos_Cn * cos_Ce;
    const double inv_den = 1. / std::sqrt(sin_Cn * sin_Cn + cc * cc);
    sin_Cn_[i] = sin_Cn;
    cc_[i] = cc;
    inv_den_[i] = inv_den;
    tan_Ce_[i] = sin_Ce * cos_Cn * inv_den;
  }
  double Cn_[kBlock], Ce_[kBlock];
  for (std::size_t i = 0; i < n; ++i) {
    // atan2 is atan of the quotient for a positive denominator (|lam - lon0| < 90 degrees);
    // asinh(t) = log(|t| + sqrt(1 + t^2)) with the sign of t, and 1 + tan_Ce^2 = inv_den^2.
    Cn_[i] = cc_[i] > 0 ? std::atan(sin_Cn_[i] / cc_[i]) : std::atan2(sin_Cn_[i], cc_[i]);
    Ce_[i] = std::copysign(std::log(std::fabs(tan_Ce_[i]) + inv_den_[i]), tan_Ce_[i]);
  }
  for (std::size_t i = 0; i < n; ++i) {
    const double inv_den = inv_den_[i], cc = cc_[i], tan_Ce = tan_Ce_[i];
    const double two_inv = 2 * inv_den;
    const double two_inv_sq = two_inv * inv_den;
    const double tmp_r = cc * two_inv_sq;
    const double sin_arg_r = sin_Cn_[i] * tmp_r;
    const double cos_arg_r = cc * tmp_r - 1;
    const double sinh_arg_i = tan_Ce * two_inv;
    const double cosh_arg_i = two_inv_sq - 1;
    double dCe;
    const double Cn =
        Cn_[i] + clen_s(gtu, kOrder, sin_arg_r, cos_arg_r, sinh_arg_i, cosh_arg_i, &dCe);
    const double Ce = Ce_[i] + dCe;
    const bool ok = std::fabs(Ce) <= 2.623395162778;
    y[i] = ok ? a * (Qn * Cn + Zb) + y0 : kInf;
    x[i] = ok ? a * (Qn * Ce) + x0 : kInf;
  }
}

}  // namespace

PipelineTransform::PipelineTransform(std::vector<PipelineStep> steps)
    : steps_(std::move(steps)), constants_(steps_.size()), fused_(steps_.size(), 0) {
  using K = PipelineStep::Kind;
  for (std::size_t i = 0; i < steps_.size(); ++i) {
    const PipelineStep& s = steps_[i];
    if (s.kind == K::kTransverseMercator) constants_[i] = tmerc_constants(s);
    if (s.kind == K::kHelmert) constants_[i] = helmert_constants(s);
  }
  // An inverse cart whose height is popped away before a transverse Mercator: it hands the
  // projection sin/cos of latitude and longitude straight from X, Y, Z (fused_ = 1 on both).
  for (std::size_t i = 0; i < steps_.size(); ++i) {
    if (steps_[i].kind != K::kCartesianToGeodetic) continue;
    std::size_t j = i + 1;
    bool popped = false;
    while (j < steps_.size() && steps_[j].kind == K::kPopZ && !popped) {
      popped = true;
      ++j;
    }
    // (Earth-like ellipsoids only: the latitude series of the fused path assume a small n.)
    if (popped && j < steps_.size() && steps_[j].kind == K::kTransverseMercator &&
        steps_[j].ellipsoid.es < 0.01) {
      fused_[i] = 1;
      fused_[j] = 1;
    }
  }
}

void PipelineTransform::run_block(double* x, double* y, std::size_t n) const {
  using K = PipelineStep::Kind;
  double z[kBlock];
  constexpr int kDepth = 4;
  double saved[kDepth][kBlock];
  int depth = 0;
  // Filled by a fused inverse cart, read by the transverse Mercator after it.
  double sin_phi[kBlock], cos_phi[kBlock], sin_lam[kBlock], cos_lam[kBlock];
  std::fill(z, z + n, 0.0);

  for (std::size_t si = 0; si < steps_.size(); ++si) {
    const PipelineStep& s = steps_[si];
    const double* c = constants_[si].data();
    switch (s.kind) {
      case K::kSwapXY:
        for (std::size_t i = 0; i < n; ++i) std::swap(x[i], y[i]);
        break;
      case K::kScaleXY:
        for (std::size_t i = 0; i < n; ++i) {
          x[i] *= s.factor;
          y[i] *= s.factor;
        }
        break;
      case K::kPushZ:
        if (depth < kDepth) std::copy(z, z + n, saved[depth]);
        ++depth;
        break;
      case K::kPopZ:
        // PROJ pops nothing from an empty stack and leaves z.
        if (depth > 0) {
          --depth;
          if (depth < kDepth) std::copy(saved[depth], saved[depth] + n, z);
        }
        break;
      case K::kGeodeticToCartesian: {
        const EllipsoidTerms e = terms(s.ellipsoid);
        // The library calls first, then the arithmetic in a loop the compiler vectorises.
        for (std::size_t i = 0; i < n; ++i) {
          sin_phi[i] = std::sin(y[i]);
          cos_phi[i] = std::cos(y[i]);
          sin_lam[i] = std::sin(x[i]);
          cos_lam[i] = std::cos(x[i]);
        }
        for (std::size_t i = 0; i < n; ++i) {
          const double sp = sin_phi[i], cp = cos_phi[i], h = z[i];
          const double N = e.a / std::sqrt(1 - e.es * sp * sp);
          const double valid = std::fabs(y[i]) <= kHalfPi + 1e-12 && std::fabs(x[i]) <= kHuge;
          x[i] = valid ? (N + h) * cp * cos_lam[i] : kInf;
          y[i] = valid ? (N + h) * cp * sin_lam[i] : kInf;
          z[i] = valid ? (N * (1 - e.es) + h) * sp : kInf;
        }
        break;
      }
      case K::kCartesianToGeodetic: {
        const EllipsoidTerms e = terms(s.ellipsoid);
        if (fused_[si] != 0) {
          // Branch-free (vectorised): sin/cos of latitude and longitude for the tmerc after.
          for (std::size_t i = 0; i < n; ++i) {
            const double X = x[i], Y = y[i], Z = z[i];
            const double p = std::sqrt(X * X + Y * Y);
            const double ta = Z * e.a, tb = p * e.b;
            const double inv_t = 1 / std::sqrt(ta * ta + tb * tb);
            const double st = ta * inv_t, ct = tb * inv_t;
            const double num = Z + e.e2s * e.b * st * st * st;
            const double den = p - e.es * e.a * ct * ct * ct;
            const double inv_r = 1 / std::sqrt(num * num + den * den);
            sin_phi[i] = num * inv_r;
            cos_phi[i] = den * inv_r;
            const double inv_p = 1 / p;
            sin_lam[i] = Y * inv_p;
            cos_lam[i] = X * inv_p;
          }
          break;  // the height is popped away; x, y are not read by the fused tmerc
        }
        for (std::size_t i = 0; i < n; ++i) {
          const double X = x[i], Y = y[i], Z = z[i];
          const double p = std::sqrt(X * X + Y * Y);
          // theta = atan2(Z a, p b): only its sine and cosine are used.
          const double ta = Z * e.a, tb = p * e.b;
          const double inv_t = 1 / std::sqrt(ta * ta + tb * tb);
          const double st = ta * inv_t, ct = tb * inv_t;
          const double num = Z + e.e2s * e.b * st * st * st;
          const double den = p - e.es * e.a * ct * ct * ct;
          const double inv_r = 1 / std::sqrt(num * num + den * den);
          const double sp = num * inv_r, cp = den * inv_r;
          const double phi = std::atan2(num, den);
          const double N = e.es == 0 ? e.a : e.a / std::sqrt(1 - e.es * sp * sp);
          double h;
          if (std::fabs(cp) < 1e-6) {
            const double ca = e.a * cp, sb = e.b * sp;
            const double r = std::hypot(e.a * ca, e.b * sb) / std::hypot(ca, sb);
            h = std::fabs(Z) - r;
          } else {
            h = p / cp - N;
          }
          x[i] = std::atan2(Y, X);
          y[i] = phi;
          z[i] = h;
        }
        break;
      }
      case K::kHelmert: {
        const double* R = c;
        const double scale = c[9];
        const double inv_scale = 1 / scale;
        if (!s.inverse) {
          for (std::size_t i = 0; i < n; ++i) {
            const double X = x[i], Y = y[i], Z = z[i];
            x[i] = scale * (R[0] * X + R[1] * Y + R[2] * Z) + s.tx;
            y[i] = scale * (R[3] * X + R[4] * Y + R[5] * Z) + s.ty;
            z[i] = scale * (R[6] * X + R[7] * Y + R[8] * Z) + s.tz;
          }
        } else {
          for (std::size_t i = 0; i < n; ++i) {
            const double X = (x[i] - s.tx) * inv_scale, Y = (y[i] - s.ty) * inv_scale,
                         Z = (z[i] - s.tz) * inv_scale;
            x[i] = R[0] * X + R[3] * Y + R[6] * Z;
            y[i] = R[1] * X + R[4] * Y + R[7] * Z;
            z[i] = R[2] * X + R[5] * Y + R[8] * Z;
          }
        }
        break;
      }
      case K::kTransverseMercator: {
        const double* cbg = c;
        const double* gtu = c + 6;
        const double Qn = c[12], Zb = c[13];
        const double a = s.ellipsoid.a;
        if (fused_[si] != 0) {
          tmerc_fused(c, a, s.x0, s.y0, sin_phi, cos_phi, sin_lam, cos_lam, x, y, n);
          break;
        }
        for (std::size_t i = 0; i < n; ++i) {
          const double phi = y[i];
          if (!(std::fabs(phi) <= kHalfPi + 1e-12) || !std::isfinite(x[i])) {
            x[i] = y[i] = kInf;
            continue;
          }
          const double sp = std::sin(phi), cp = std::cos(phi);
          const double lam = x[i] - s.lon0;
          const double sin_Ce = std::sin(lam), cos_Ce = std::cos(lam);
          // ell. lat -> Gaussian lat (sin 2phi, cos 2phi from sin phi, cos phi).
          const double Cn0 = gatg(cbg, kOrder, phi, cp * cp - sp * sp, 2 * sp * cp);
          const double sin_Cn = std::sin(Cn0), cos_Cn = std::cos(Cn0);
          const double cos_Cn_cos_Ce = cos_Cn * cos_Ce;
          // atan2 is atan of the quotient when the denominator is positive (|lam - lon0| < 90
          // degrees); atan is the cheaper call.
          double Cn = cos_Cn_cos_Ce > 0 ? std::atan(sin_Cn / cos_Cn_cos_Ce)
                                        : std::atan2(sin_Cn, cos_Cn_cos_Ce);
          const double denom_tan_Ce = std::sqrt(sin_Cn * sin_Cn + cos_Cn_cos_Ce * cos_Cn_cos_Ce);
          const double inv_denom_tan_Ce = 1. / denom_tan_Ce;
          const double tan_Ce = sin_Ce * cos_Cn * inv_denom_tan_Ce;
          // asinh(t) = log(|t| + sqrt(1 + t^2)) with the sign of t, and 1 + tan_Ce^2 is
          // inv_denom_tan_Ce^2 (PROJ's own identity below): one log, no sqrt.
          double Ce = std::copysign(std::log(std::fabs(tan_Ce) + inv_denom_tan_Ce), tan_Ce);
          const double two_inv_denom_tan_Ce = 2 * inv_denom_tan_Ce;
          const double two_inv_denom_tan_Ce_square = two_inv_denom_tan_Ce * inv_denom_tan_Ce;
          const double tmp_r = cos_Cn_cos_Ce * two_inv_denom_tan_Ce_square;
          const double sin_arg_r = sin_Cn * tmp_r;
          const double cos_arg_r = cos_Cn_cos_Ce * tmp_r - 1;
          const double sinh_arg_i = tan_Ce * two_inv_denom_tan_Ce;
          const double cosh_arg_i = two_inv_denom_tan_Ce_square - 1;
          double dCe;
          Cn += clen_s(gtu, kOrder, sin_arg_r, cos_arg_r, sinh_arg_i, cosh_arg_i, &dCe);
          Ce += dCe;
          if (std::fabs(Ce) <= 2.623395162778) {
            y[i] = a * (Qn * Cn + Zb) + s.y0;
            x[i] = a * (Qn * Ce) + s.x0;
          } else {
            x[i] = y[i] = kInf;
          }
        }
        break;
      }
    }
  }
}

void PipelineTransform::transform(std::span<double> x, std::span<double> y) const {
  const std::size_t n = std::min(x.size(), y.size());
  for (std::size_t begin = 0; begin < n; begin += kBlock) {
    run_block(x.data() + begin, y.data() + begin, std::min(kBlock, n - begin));
  }
}

std::vector<std::uint32_t> PipelineTransform::transform_within(std::span<double> x,
                                                               std::span<double> y,
                                                               const Box& domain) const {
  const std::size_t n = std::min(x.size(), y.size());
  std::vector<std::uint32_t> outside;
  double bx[kBlock], by[kBlock];
  std::uint32_t idx[kBlock];
  for (std::size_t begin = 0; begin < n;) {
    // Gather up to a block of inside points, run them, scatter back.
    std::size_t m = 0;
    for (; begin < n && m < kBlock; ++begin) {
      const double px = x[begin], py = y[begin];
      if (px >= domain.xmin && px <= domain.xmax && py >= domain.ymin && py <= domain.ymax) {
        bx[m] = px;
        by[m] = py;
        idx[m++] = static_cast<std::uint32_t>(begin);
      } else {
        outside.push_back(static_cast<std::uint32_t>(begin));
      }
    }
    run_block(bx, by, m);
    for (std::size_t k = 0; k < m; ++k) {
      x[idx[k]] = bx[k];
      y[idx[k]] = by[k];
    }
  }
  return outside;
}

}  // namespace notspot::engine
