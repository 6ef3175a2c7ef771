#include "notspot/engine/geos_context.hpp"

#include <cstdarg>
#include <cstdio>
#include <algorithm>
#include <cstdint>
#include <vector>

#include "notspot/engine/error.hpp"
#include "notspot/engine/polygon_validity.hpp"

namespace notspot::engine {
namespace {

void store_message(const char* message, void* userdata) {
  *static_cast<std::string*>(userdata) = message ? message : "";
}

struct SequenceDeleter {
  GEOSContextHandle_t handle;
  void operator()(GEOSCoordSequence* s) const noexcept { GEOSCoordSeq_destroy_r(handle, s); }
};

Ring read_ring(GEOSContextHandle_t h, const GEOSGeometry* ring) {
  const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(h, ring);
  unsigned int n = 0;
  if (seq == nullptr || !GEOSCoordSeq_getSize_r(h, seq, &n) || n == 0) return {};
  std::vector<double> xy(2 * static_cast<std::size_t>(n));
  GEOSCoordSeq_copyToBuffer_r(h, seq, xy.data(), 0, 0);
  Ring out;
  out.reserve(n);
  for (unsigned int i = 0; i < n; ++i) out.push_back({xy[2 * i], xy[2 * i + 1]});
  if (out.size() > 1 && out.front() == out.back()) out.pop_back();  // GEOS rings are closed
  return out;
}

}  // namespace

GeosContext::GeosContext() : handle_(GEOS_init_r()) {
  GEOSContext_setErrorMessageHandler_r(handle_, store_message, &last_error_);
  // Notices (e.g. "Self-intersection at ...") are what invalid_reason() reports; not stored.
  GEOSContext_setNoticeMessageHandler_r(handle_, nullptr, nullptr);
}

GeosContext::~GeosContext() {
  GEOS_finish_r(handle_);
}

GeosGeometry GeosContext::own(GEOSGeometry* g, const char* what) const {
  if (g == nullptr) {
    throw internal_error(std::string("GEOS ") + what + " failed: " + last_error_);
  }
  return GeosGeometry(g, GeosGeometryDeleter{handle_});
}

GeosGeometry GeosContext::to_geos(const MultiPolygon& multipolygon) const {
  auto make_ring = [&](const Ring& ring) -> GEOSGeometry* {
    std::vector<double> xy;
    xy.reserve(2 * (ring.size() + 1));
    for (Point p : ring) {
      xy.push_back(p.x);
      xy.push_back(p.y);
    }
    if (!ring.empty()) {
      xy.push_back(ring.front().x);
      xy.push_back(ring.front().y);
    }
    // GEOS rejects rings of fewer than four points; pad degenerate ones so that validity
    // checking reports them instead of construction failing.
    while (!ring.empty() && xy.size() < 8) {
      xy.push_back(ring.front().x);
      xy.push_back(ring.front().y);
    }
    GEOSCoordSequence* seq = GEOSCoordSeq_copyFromBuffer_r(
        handle_, xy.data(), static_cast<unsigned int>(xy.size() / 2), 0, 0);
    if (seq == nullptr) return nullptr;
    return GEOSGeom_createLinearRing_r(handle_, seq);
  };
  std::vector<GEOSGeometry*> polygons;
  for (const Polygon& polygon : multipolygon) {
    if (polygon.exterior.empty()) continue;
    GEOSGeometry* shell = make_ring(polygon.exterior);
    std::vector<GEOSGeometry*> holes;
    for (const Ring& hole : polygon.holes)
      if (!hole.empty()) holes.push_back(make_ring(hole));
    polygons.push_back(GEOSGeom_createPolygon_r(handle_, shell, holes.data(),
                                                static_cast<unsigned int>(holes.size())));
  }
  return own(GEOSGeom_createCollection_r(handle_, GEOS_MULTIPOLYGON, polygons.data(),
                                         static_cast<unsigned int>(polygons.size())),
             "createCollection");
}

GeosGeometry GeosContext::to_geos(Point p) const {
  return own(GEOSGeom_createPointFromXY_r(handle_, p.x, p.y), "createPoint");
}

MultiPolygon GeosContext::polygonal_parts(const GEOSGeometry* g) const {
  MultiPolygon out;
  const int type = GEOSGeomTypeId_r(handle_, g);
  if (type == GEOS_POLYGON) {
    if (GEOSisEmpty_r(handle_, g)) return out;
    Polygon polygon;
    polygon.exterior = read_ring(handle_, GEOSGetExteriorRing_r(handle_, g));
    const int holes = GEOSGetNumInteriorRings_r(handle_, g);
    for (int i = 0; i < holes; ++i)
      polygon.holes.push_back(read_ring(handle_, GEOSGetInteriorRingN_r(handle_, g, i)));
    out.push_back(std::move(polygon));
  } else if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
    const int n = GEOSGetNumGeometries_r(handle_, g);
    for (int i = 0; i < n; ++i) {
      MultiPolygon part = polygonal_parts(GEOSGetGeometryN_r(handle_, g, i));
      for (Polygon& p : part) out.push_back(std::move(p));
    }
  }
  return out;
}

std::optional<std::string> GeosContext::invalid_reason(const GEOSGeometry* g) const {
  const char valid = GEOSisValid_r(handle_, g);
  if (valid == 1) return std::nullopt;
  char* reason = GEOSisValidReason_r(handle_, g);
  std::string text = reason ? reason : "invalid geometry";
  GEOSFree_r(handle_, reason);
  return text;
}

MultiPolygon GeosContext::make_valid(const GEOSGeometry* g) const {
  GEOSMakeValidParams* params = GEOSMakeValidParams_create_r(handle_);
  GEOSMakeValidParams_setMethod_r(handle_, params, GEOS_MAKE_VALID_STRUCTURE);
  GEOSMakeValidParams_setKeepCollapsed_r(handle_, params, 0);
  GEOSGeometry* fixed = GEOSMakeValidWithParams_r(handle_, g, params);
  GEOSMakeValidParams_destroy_r(handle_, params);
  return polygonal_parts(own(fixed, "make-valid").get());
}

std::optional<MultiPolygon> GeosContext::repair_invalid_parts(
    const MultiPolygon& multipolygon) const {
  if (multipolygon.size() < 2) return std::nullopt;
  std::vector<MultiPolygon> pieces;  // each valid: a part as read, or GEOS's repair of one
  for (const Polygon& polygon : multipolygon) {
    MultiPolygon part{polygon};
    if (!certainly_valid(part)) {
      GeosGeometry g = to_geos(part);
      if (invalid_reason(g.get())) part = make_valid(g.get());
    }
    if (!part.empty()) pieces.push_back(std::move(part));
  }
  const auto groups = interacting_groups(pieces);
  if (!groups) return std::nullopt;
  // Make-valid of the whole is the union of its repaired parts; parts that touch or overlap
  // nothing else are their own union.
  std::vector<MultiPolygon> merged;
  for (const std::vector<std::uint32_t>& cluster : *groups) {
    if (cluster.size() == 1) {
      merged.push_back(std::move(pieces[cluster.front()]));
      continue;
    }
    MultiPolygon together;
    for (std::uint32_t i : cluster)
      for (Polygon& p : pieces[i]) together.push_back(std::move(p));
    merged.push_back(make_valid(to_geos(together).get()));
  }
  // A union may move a vertex by rounding; if that makes it touch another cluster, give up.
  const auto left = interacting_groups(merged);
  if (!left || left->size() != merged.size()) return std::nullopt;
  MultiPolygon out;
  for (MultiPolygon& piece : merged)
    for (Polygon& polygon : piece) out.push_back(std::move(polygon));
  return out;
}

MultiPolygon GeosContext::repair_polygonal(const MultiPolygon& multipolygon,
                                           RepairReport& report) const {
  report = RepairReport{};
  report.area_before = area(multipolygon);
  report.area_after = report.area_before;
  // GEOS's check costs about a microsecond per vertex; almost every real boundary is valid.
  if (certainly_valid(multipolygon)) return multipolygon;
  GeosGeometry g = to_geos(multipolygon);
  const std::optional<std::string> reason = invalid_reason(g.get());
  if (!reason) return multipolygon;
  report.was_invalid = true;
  report.reason = *reason;
  // Make-valid of a whole multipolygon unions every part (a coastline of a thousand islands
  // for one self-intersection): when the other parts stand apart, only the broken ones are
  // repaired and the valid parts kept exactly as read.
  std::optional<MultiPolygon> parts = repair_invalid_parts(multipolygon);
  MultiPolygon out = parts ? std::move(*parts) : make_valid(g.get());
  report.area_after = area(out);
  return out;
}

GeosPrepared GeosContext::prepare(const GEOSGeometry* g) const {
  const GEOSPreparedGeometry* p = GEOSPrepare_r(handle_, g);
  if (p == nullptr) throw internal_error("GEOS prepare failed: " + last_error_);
  return GeosPrepared(p, GeosPreparedDeleter{handle_});
}

}  // namespace notspot::engine
