#pragma once

#include <atomic>
#include <memory>
#include <span>

#include "notspot/engine/grid_coverage.hpp"
#include "notspot/engine/mobile_coverage.hpp"
#include "notspot/engine/point_transform.hpp"

namespace notspot::test {

/// A coverage grid from one character per cell, row 0 the northern one: 'C' covered, 'N'
/// nodata, anything else not covered.
inline engine::CoverageGrid coverage_grid(const engine::Grid& grid, const char* cells) {
  const std::size_t n = grid.columns * grid.rows;
  engine::CoverageGrid out{grid, engine::BitVector(n), engine::BitVector(n)};
  for (std::size_t k = 0; k < n; ++k) {
    if (cells[k] == 'C') out.covered.set(k);
    if (cells[k] == 'N') out.nodata.set(k);
  }
  return out;
}

/// A transform that moves points by (dx, dy): a reprojection whose result is known exactly.
class Shift final : public engine::PointTransform {
 public:
  Shift(double dx, double dy) : dx_(dx), dy_(dy) {}
  using engine::PointTransform::transform;
  void transform(std::span<double> x, std::span<double> y) const override {
    for (double& v : x) v += dx_;
    for (double& v : y) v += dy_;
  }

 private:
  double dx_, dy_;
};

/// Makes Shift transforms, counting them in `made` when given.
inline engine::PointTransformFactory shift(double dx, double dy, std::atomic<int>* made = nullptr) {
  return [=]() -> std::unique_ptr<engine::PointTransform> {
    if (made != nullptr) ++*made;
    return std::make_unique<Shift>(dx, dy);
  };
}

}  // namespace notspot::test
