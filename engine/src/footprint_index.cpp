#include "notspot/engine/footprint_index.hpp"

#include <algorithm>
#include <boost/geometry/index/rtree.hpp>
#include <iterator>
#include <utility>

#include "detail/boost_geometry_adapt.hpp"
#include "notspot/engine/error.hpp"

namespace notspot::engine {
namespace {

namespace bgi = boost::geometry::index;

constexpr int kMaxPieceVertices = 256;
constexpr int kMaxDepth = 16;

// A piece's bounding box and its index in pieces_.
using Entry = std::pair<Box, std::size_t>;

}  // namespace

// Built once from all the pieces, so the range constructor bulk-loads it (Boost's packing
// algorithm). quadratic<16> then only sets the node capacity: the choice between quadratic and
// R* (rstar) is a choice of insertion algorithm, and nothing is inserted later.
struct FootprintIndex::Tree {
  bgi::rtree<Entry, bgi::quadratic<16>> rtree;
};

FootprintIndex::FootprintIndex(const MultiPolygon& footprints, const GeosContext& geos)
    : geos_(geos) {
  if (!footprints.empty()) split(geos.to_geos(footprints), bounding_box(footprints), 0);
  std::vector<Entry> entries;
  entries.reserve(pieces_.size());
  for (std::size_t i = 0; i < pieces_.size(); ++i) {
    entries.emplace_back(envelope(pieces_[i].get()), i);
  }
  tree_ = std::make_unique<Tree>(Tree{{entries.begin(), entries.end()}});
}

FootprintIndex::~FootprintIndex() = default;

GeosGeometry FootprintIndex::intersection(const GEOSGeometry* area) const {
  std::vector<Entry> found;
  // An empty area has no envelope and meets nothing (as with GEOS's STRtree before).
  if (!GEOSisEmpty_r(geos_.handle(), area)) {
    tree_->rtree.query(bgi::intersects(envelope(area)), std::back_inserter(found));
  }
  std::vector<std::size_t> hits;
  hits.reserve(found.size());
  for (const Entry& e : found) hits.push_back(e.second);
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

// REQUIRES: g is not empty (GEOS has no extent for an empty geometry).
Box FootprintIndex::envelope(const GEOSGeometry* g) const {
  Box b;
  if (GEOSGeom_getExtent_r(geos_.handle(), g, &b.xmin, &b.ymin, &b.xmax, &b.ymax) == 0) {
    throw internal_error("GEOS could not compute the extent of a footprint piece");
  }
  return b;
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
