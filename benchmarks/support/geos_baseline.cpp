#include "support/geos_baseline.hpp"

#include <stdexcept>
#include <string>

namespace notspot::bench {
namespace {

void collect(void* item, void* userdata) {
  static_cast<std::vector<std::uint32_t>*>(userdata)->push_back(
      *static_cast<const std::uint32_t*>(item));
}

}  // namespace

GeosBaseline::GeosBaseline(std::span<const engine::MultiPolygon> areas, std::size_t node_capacity)
    : tree_(GEOSSTRtree_create_r(geos_.handle(), node_capacity), TreeDeleter{geos_.handle()}) {
  if (!tree_) throw std::runtime_error("GEOSSTRtree_create_r failed: " + geos_.last_error());
  GEOSContextHandle_t h = geos_.handle();
  geometries_.reserve(areas.size());
  prepared_.reserve(areas.size());
  ids_.resize(areas.size());
  for (std::size_t i = 0; i < areas.size(); ++i) {
    ids_[i] = static_cast<std::uint32_t>(i);
    geometries_.push_back(geos_.to_geos(areas[i]));
    prepared_.push_back(geos_.prepare(geometries_.back().get()));
    if (GEOSisEmpty_r(h, geometries_.back().get()) == 1) continue;
    GEOSSTRtree_insert_r(h, tree_.get(), geometries_.back().get(), &ids_[i]);
  }
  // GEOS builds the tree on the first query and each prepared geometry's point locator on its
  // first use: do both now, so that locate() times queries only.
  for (std::size_t i = 0; i < areas.size(); ++i) {
    const engine::Box box = engine::bounding_box(areas[i]);
    if (box.empty()) continue;
    const double x = 0.5 * (box.xmin + box.xmax);
    const double y = 0.5 * (box.ymin + box.ymax);
    (void)locate(x, y);
    (void)covers(static_cast<std::uint32_t>(i), x, y);
    (void)contains_properly(static_cast<std::uint32_t>(i), x, y);
  }
}

GeosBaseline::~GeosBaseline() = default;

std::uint32_t GeosBaseline::locate(double x, double y) const {
  GEOSContextHandle_t h = geos_.handle();
  GEOSGeometry* point = GEOSGeom_createPointFromXY_r(h, x, y);
  candidates_.clear();
  GEOSSTRtree_query_r(h, tree_.get(), point, collect, &candidates_);
  std::uint32_t found = kOutside;
  for (std::uint32_t area : candidates_) {
    if (GEOSPreparedCovers_r(h, prepared_[area].get(), point) == 1) {
      found = area;
      break;
    }
  }
  GEOSGeom_destroy_r(h, point);
  return found;
}

std::size_t GeosBaseline::candidate_count(double x, double y) const {
  GEOSContextHandle_t h = geos_.handle();
  const engine::GeosGeometry point(GEOSGeom_createPointFromXY_r(h, x, y),
                                   engine::GeosGeometryDeleter{h});
  candidates_.clear();
  GEOSSTRtree_query_r(h, tree_.get(), point.get(), collect, &candidates_);
  return candidates_.size();
}

bool GeosBaseline::contains_properly(std::uint32_t area, double x, double y) const {
  GEOSContextHandle_t h = geos_.handle();
  const engine::GeosGeometry point(GEOSGeom_createPointFromXY_r(h, x, y),
                                   engine::GeosGeometryDeleter{h});
  return GEOSPreparedContainsProperly_r(h, prepared_[area].get(), point.get()) == 1;
}

bool GeosBaseline::covers(std::uint32_t area, double x, double y) const {
  GEOSContextHandle_t h = geos_.handle();
  const engine::GeosGeometry point(GEOSGeom_createPointFromXY_r(h, x, y),
                                   engine::GeosGeometryDeleter{h});
  return GEOSPreparedCovers_r(h, prepared_[area].get(), point.get()) == 1;
}

}  // namespace notspot::bench
