#include "notspot/engine/polygon_ops.hpp"

namespace notspot::engine {

MultiPolygon dissolve(const GeosContext& geos, std::vector<MultiPolygon> parts) {
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
  const GeosGeometry all =
      geos.own(GEOSGeom_createCollection_r(geos.handle(), GEOS_GEOMETRYCOLLECTION, raw.data(),
                                           static_cast<unsigned>(raw.size())),
               "collection");
  const GeosGeometry dissolved = geos.own(GEOSUnaryUnion_r(geos.handle(), all.get()), "union");
  return geos.polygonal_parts(dissolved.get());
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
