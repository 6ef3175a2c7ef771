#include "notspot/engine/polygon_ops.hpp"

namespace notspot::engine {

namespace {

GeosGeometry collection(const GeosContext& geos, std::vector<MultiPolygon>& parts) {
  std::vector<GEOSGeometry*> raw;  // owned until handed to the collection below
  raw.reserve(parts.size());
  try {
    for (MultiPolygon& part : parts) {
      raw.push_back(geos.to_geos(part).release());
      MultiPolygon().swap(part);
    }
  } catch (...) {
    for (GEOSGeometry* g : raw) GEOSGeom_destroy_r(geos.handle(), g);
    throw;
  }
  return geos.own(GEOSGeom_createCollection_r(geos.handle(), GEOS_GEOMETRYCOLLECTION, raw.data(),
                                              static_cast<unsigned>(raw.size())),
                  "collection");
}

}  // namespace

MultiPolygon dissolve(const GeosContext& geos, std::vector<MultiPolygon> parts) {
  const GeosGeometry all = collection(geos, parts);
  const GeosGeometry dissolved = geos.own(GEOSUnaryUnion_r(geos.handle(), all.get()), "union");
  return geos.polygonal_parts(dissolved.get());
}

MultiPolygon dissolve_on_grid(const GeosContext& geos, std::vector<MultiPolygon> parts,
                              double grid_size) {
  const GeosGeometry all = collection(geos, parts);
  const GeosGeometry dissolved =
      geos.own(GEOSUnaryUnionPrec_r(geos.handle(), all.get(), grid_size), "union on a grid");
  return geos.polygonal_parts(dissolved.get());
}

std::optional<Point> point_on_surface(const GeosContext& geos, const MultiPolygon& multipolygon) {
  if (multipolygon.empty()) return std::nullopt;
  const GeosGeometry g = geos.to_geos(multipolygon);
  const GeosGeometry p = geos.own(GEOSPointOnSurface_r(geos.handle(), g.get()), "point on surface");
  if (GEOSisEmpty_r(geos.handle(), p.get()) == 1) return std::nullopt;
  Point out;
  if (GEOSGeomGetX_r(geos.handle(), p.get(), &out.x) != 1 ||
      GEOSGeomGetY_r(geos.handle(), p.get(), &out.y) != 1) {
    return std::nullopt;
  }
  return out;
}

double overlap_area(const GeosContext& geos, const MultiPolygon& a, const MultiPolygon& b) {
  const GeosGeometry ga = geos.to_geos(a);
  const GeosGeometry gb = geos.to_geos(b);
  const GeosGeometry both =
      geos.own(GEOSIntersection_r(geos.handle(), ga.get(), gb.get()), "intersection");
  double area = 0;
  GEOSArea_r(geos.handle(), both.get(), &area);
  return area;
}

}  // namespace notspot::engine
