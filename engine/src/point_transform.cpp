#include "notspot/engine/point_transform.hpp"

#include <vector>

namespace notspot::engine {
namespace {

class IdentityTransform final : public PointTransform {
 public:
  using PointTransform::transform;
  void transform(std::span<double>, std::span<double>) const override {}
  bool is_identity() const override { return true; }
};

}  // namespace

Point PointTransform::transform(Point p) const {
  transform(std::span<double>(&p.x, 1), std::span<double>(&p.y, 1));
  return p;
}

void PointTransform::transform(MultiPolygon& geometry) const {
  if (is_identity()) return;
  std::vector<double> xs, ys;
  auto ring_apply = [&](Ring& ring) {
    xs.resize(ring.size());
    ys.resize(ring.size());
    for (std::size_t i = 0; i < ring.size(); ++i) {
      xs[i] = ring[i].x;
      ys[i] = ring[i].y;
    }
    transform(xs, ys);
    for (std::size_t i = 0; i < ring.size(); ++i) ring[i] = {xs[i], ys[i]};
  };
  for (Polygon& p : geometry) {
    ring_apply(p.exterior);
    for (Ring& h : p.holes) ring_apply(h);
  }
}

PointTransformFactory identity_transform() {
  return [] { return std::make_unique<IdentityTransform>(); };
}

}  // namespace notspot::engine
