#pragma once

#include <functional>
#include <memory>
#include <span>

#include "notspot/engine/geometry.hpp"

namespace notspot::engine {

/**
 * A reprojection of coordinates, in place: how engine functions that work in another CRS than
 * their inputs (a raster's, say) get there without knowing PROJ. io::CoordinateTransform is the
 * implementation the run uses.
 *
 * Implementations need not be thread-safe (PROJ transformations are not): engine functions that
 * run in parallel take a PointTransformFactory and make one transform per thread.
 *
 * Typical usage:
 * @code
 *   std::unique_ptr<PointTransform> to_grid = factory();
 *   to_grid->transform(xs, ys);
 * @endcode
 */
class PointTransform {
 public:
  virtual ~PointTransform() = default;

  /// Transforms in place; points that cannot be transformed come out as infinity.
  /// REQUIRES: x.size() == y.size().
  virtual void transform(std::span<double> x, std::span<double> y) const = 0;

  /// True when transform() leaves every point as it is (same CRS).
  virtual bool is_identity() const { return false; }

  Point transform(Point p) const;
  /// Transforms every vertex of `geometry` in place (ring by ring).
  void transform(MultiPolygon& geometry) const;

 protected:
  PointTransform() = default;
  PointTransform(const PointTransform&) = default;
  PointTransform(PointTransform&&) = default;
  PointTransform& operator=(const PointTransform&) = default;
  PointTransform& operator=(PointTransform&&) = default;
};

/// Makes a new, independent transform each call (one per thread); must be safe to call from
/// several threads at once.
using PointTransformFactory = std::function<std::unique_ptr<PointTransform>()>;

/// A factory of transforms that leave points where they are: for inputs already in one CRS.
PointTransformFactory identity_transform();

}  // namespace notspot::engine
