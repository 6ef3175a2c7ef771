#include "notspot/engine/footprint_index.hpp"

#include <algorithm>

namespace notspot::engine {
namespace {

constexpr int kMaxPieceVertices = 256;
constexpr int kMaxDepth = 16;

}  // namespace

FootprintIndex::FootprintIndex(const MultiPolygon& footprints, const GeosContext& geos)
    : geos_(geos), tree_(GEOSSTRtree_create_r(geos.handle(), 10)) {
  if (footprints.empty()) return;
  GeosGeometry all = geos.to_geos(footprints);
  const Box box = bounding_box(footprints);
  split(std::move(all), box, 0);
  for (std::size_t i = 0; i < pieces_.size(); ++i) {
    GEOSSTRtree_insert_r(geos.handle(), tree_, pieces_[i].get(), reinterpret_cast<void*>(i));
  }
}

FootprintIndex::~FootprintIndex() {
  GEOSSTRtree_destroy_r(geos_.handle(), tree_);
}

GeosGeometry FootprintIndex::intersection(const GEOSGeometry* area) const {
  std::vector<std::size_t> hits;
  GEOSSTRtree_query_r(
      geos_.handle(), tree_, area,
      [](void* item, void* user) {
        static_cast<std::vector<std::size_t>*>(user)->push_back(
            reinterpret_cast<std::size_t>(item));
      },
      &hits);
  std::sort(hits.begin(), hits.end());  // deterministic order of the pieces
  std::vector<GEOSGeometry*> parts;
  for (std::size_t i : hits) {
    GEOSGeometry* part = GEOSIntersection_r(geos_.handle(), area, pieces_[i].get());
    if (part != nullptr) parts.push_back(part);
  }
  GeosGeometry collection =
      geos_.own(GEOSGeom_createCollection_r(geos_.handle(), GEOS_GEOMETRYCOLLECTION, parts.data(),
                                            static_cast<unsigned>(parts.size())),
                "collection");
  return geos_.own(GEOSUnaryUnion_r(geos_.handle(), collection.get()), "union");
}

void FootprintIndex::split(GeosGeometry g, const Box& box, int depth) {
  if (GEOSisEmpty_r(geos_.handle(), g.get())) return;
  if (GEOSGetNumCoordinates_r(geos_.handle(), g.get()) <= kMaxPieceVertices || depth >= kMaxDepth) {
    pieces_.push_back(std::move(g));
    return;
  }
  const double xm = 0.5 * (box.xmin + box.xmax), ym = 0.5 * (box.ymin + box.ymax);
  const Box quadrants[4] = {{box.xmin, box.ymin, xm, ym},
                            {xm, box.ymin, box.xmax, ym},
                            {box.xmin, ym, xm, box.ymax},
                            {xm, ym, box.xmax, box.ymax}};
  for (const Box& q : quadrants) {
    GEOSGeometry* clipped =
        GEOSClipByRect_r(geos_.handle(), g.get(), q.xmin, q.ymin, q.xmax, q.ymax);
    if (clipped != nullptr) split(geos_.own(clipped, "clip"), q, depth + 1);
  }
}

}  // namespace notspot::engine
