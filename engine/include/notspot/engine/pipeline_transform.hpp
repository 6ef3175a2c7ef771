#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "notspot/engine/geometry.hpp"
#include "notspot/engine/point_transform.hpp"

namespace notspot::engine {

/// An ellipsoid by its semi-major axis `a` (metres) and squared first eccentricity `es`.
struct Ellipsoid {
  double a = 0;
  double es = 0;
};

/**
 * One step of a coordinate pipeline, with the meaning of the PROJ operation of the same name
 * (PROJ's formulas, to the same order): io parses PROJ's pipeline string into these, engine
 * evaluates them without PROJ.
 */
struct PipelineStep {
  enum class Kind {
    kSwapXY,               ///< axisswap order=2,1
    kScaleXY,              ///< unitconvert: x and y times `factor` (deg <-> rad, m -> m)
    kPushZ,                ///< push +v_3: save z
    kPopZ,                 ///< pop +v_3: restore the saved z
    kGeodeticToCartesian,  ///< cart: (lon, lat in radians, h) -> geocentric X, Y, Z
    kCartesianToGeodetic,  ///< inv cart: geocentric -> (lon, lat, h), Bowring as PROJ
    kHelmert,              ///< helmert (3 or 7 parameters, small-angle rotation matrix as PROJ)
    kTransverseMercator,   ///< tmerc/etmerc/utm, Poder/Engsager (Krüger 6th order) as PROJ
  };
  Kind kind = Kind::kSwapXY;
  bool inverse = false;  ///< kHelmert only (the other kinds are given in their direction)
  double factor = 1;     ///< kScaleXY
  Ellipsoid ellipsoid;   ///< kGeodetic*/kCartesian*/kTransverseMercator
  /// kHelmert: translation (m), rotations (arc seconds), scale (ppm), convention.
  double tx = 0, ty = 0, tz = 0, rx = 0, ry = 0, rz = 0, s_ppm = 0;
  bool position_vector = true;
  /// kTransverseMercator: origin (radians), scale on the central meridian, false origin (m).
  double lat0 = 0, lon0 = 0, k0 = 1, x0 = 0, y0 = 0;
};

/**
 * Evaluates a pipeline of PipelineSteps on 2D points (h = 0, as PROJ does for 2D input) with a
 * structure-of-arrays loop over blocks of points: one switch per step and block, no call per
 * point. An inverse geocentric conversion followed by a transverse Mercator gets the longitude's
 * sine and cosine from X and Y directly (no atan2, sin, cos). Points the pipeline cannot
 * project come out as infinity, as PROJ's do.
 *
 * Thread-safe (const and stateless): one instance may serve every thread.
 *
 * Typical usage:
 * @code
 *   PipelineTransform t(steps);          // steps parsed from PROJ by io
 *   t.transform(xs, ys);                 // every point
 *   auto outside = t.transform_within(xs, ys, box);  // only points inside `box`
 * @endcode
 */
class PipelineTransform final : public PointTransform {
 public:
  explicit PipelineTransform(std::vector<PipelineStep> steps);

  using PointTransform::transform;
  void transform(std::span<double> x, std::span<double> y) const override;

  /// Transforms the points whose input lies inside `domain` (bounds included; NaN is outside)
  /// and leaves the others as they are; returns their indices, ascending.
  std::vector<std::uint32_t> transform_within(std::span<double> x, std::span<double> y,
                                              const Box& domain) const;

  const std::vector<PipelineStep>& steps() const { return steps_; }

 private:
  void run_block(double* x, double* y, std::size_t n) const;

  std::vector<PipelineStep> steps_;
  std::vector<std::vector<double>> constants_;  // per step: precomputed series etc.
  std::vector<std::uint8_t> fused_;  // per step: 1 = cart inverse feeding tmerc (see above)
};

}  // namespace notspot::engine
