#include "tessellation.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <numbers>
#include <string>

#include "notspot/engine/error.hpp"
#include "random.hpp"

namespace notspot::generate {
namespace {

using engine::GeosContext;
using engine::GeosGeometry;
using engine::Point;

struct Segment {
  Point a;
  Point b;
};

bool lexicographic_less(Point p, Point q) {
  return p.x < q.x || (p.x == q.x && p.y < q.y);
}

/// Box of a GEOS geometry; empty geometries give an empty box.
engine::Box envelope(GEOSContextHandle_t h, const GEOSGeometry* g) {
  engine::Box box;
  if (GEOSisEmpty_r(h, g)) return box;
  GEOSGeom_getXMin_r(h, g, &box.xmin);
  GEOSGeom_getYMin_r(h, g, &box.ymin);
  GEOSGeom_getXMax_r(h, g, &box.xmax);
  GEOSGeom_getYMax_r(h, g, &box.ymax);
  return box;
}

double area_of(GEOSContextHandle_t h, const GEOSGeometry* g) {
  double a = 0;
  GEOSArea_r(h, g, &a);
  return a;
}

/// Takes ownership of the parts and makes a collection of the given GEOS type.
GeosGeometry make_collection(const GeosContext& geos, int type, std::vector<GeosGeometry>& parts) {
  std::vector<GEOSGeometry*> raw;
  raw.reserve(parts.size());
  for (GeosGeometry& part : parts) raw.push_back(part.release());
  parts.clear();
  return geos.own(GEOSGeom_createCollection_r(geos.handle(), type, raw.data(),
                                              static_cast<unsigned int>(raw.size())),
                  "createCollection");
}

GeosGeometry make_line(const GeosContext& geos, const std::vector<Point>& points) {
  std::vector<double> xy;
  xy.reserve(2 * points.size());
  for (Point p : points) {
    xy.push_back(p.x);
    xy.push_back(p.y);
  }
  GEOSCoordSequence* seq = GEOSCoordSeq_copyFromBuffer_r(
      geos.handle(), xy.data(), static_cast<unsigned int>(points.size()), 0, 0);
  return geos.own(GEOSGeom_createLineString_r(geos.handle(), seq), "createLineString");
}

GeosGeometry make_multipoint(const GeosContext& geos, std::span<const Point> points) {
  std::vector<GeosGeometry> parts;
  for (Point p : points) parts.push_back(geos.to_geos(p));
  return make_collection(geos, GEOS_MULTIPOINT, parts);
}

/// All straight segments of a (multi)linestring or collection of them, each once, oriented
/// from the lexicographically smaller end so that a shared edge has one identity.
std::vector<Segment> distinct_segments(GEOSContextHandle_t h, const GEOSGeometry* g) {
  std::vector<Segment> segments;
  const int n = GEOSGetNumGeometries_r(h, g);
  for (int i = 0; i < n; ++i) {
    const GEOSGeometry* line = GEOSGetGeometryN_r(h, g, i);
    if (GEOSGeomTypeId_r(h, line) != GEOS_LINESTRING) continue;
    const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(h, line);
    unsigned int size = 0;
    GEOSCoordSeq_getSize_r(h, seq, &size);
    Point previous;
    for (unsigned int k = 0; k < size; ++k) {
      Point p;
      GEOSCoordSeq_getXY_r(h, seq, k, &p.x, &p.y);
      if (k > 0 && !(p == previous)) {
        segments.push_back(lexicographic_less(previous, p) ? Segment{previous, p}
                                                           : Segment{p, previous});
      }
      previous = p;
    }
  }
  auto key_less = [](const Segment& s, const Segment& t) {
    if (!(s.a == t.a)) return lexicographic_less(s.a, t.a);
    return lexicographic_less(s.b, t.b);
  };
  std::sort(segments.begin(), segments.end(), key_less);
  segments.erase(
      std::unique(segments.begin(), segments.end(),
                  [](const Segment& s, const Segment& t) { return s.a == t.a && s.b == t.b; }),
      segments.end());
  return segments;
}

/**
 * Bends a straight edge by midpoint displacement. Points move only across the edge, by
 * amounts that shrink by `roughness` per level and are tapered by sin(πt) towards the ends,
 * so the polyline stays a function over the edge's axis (it cannot cross itself) and meets
 * its neighbours at the original end points. The noise depends only on the seed and the end
 * points, so an edge shared by two cells is bent once, the same way for both.
 */
std::vector<Point> wiggle(const Segment& edge, const TessellationOptions& options) {
  const double dx = edge.b.x - edge.a.x;
  const double dy = edge.b.y - edge.a.y;
  const double length = std::hypot(dx, dy);
  const int levels =
      length <= options.segment_length
          ? 0
          : std::clamp(static_cast<int>(std::lround(std::log2(length / options.segment_length))), 0,
                       options.max_levels);
  if (levels == 0) return {edge.a, edge.b};

  std::uint64_t key = options.seed;
  for (double v : {edge.a.x, edge.a.y, edge.b.x, edge.b.y})
    key = mix64(key ^ std::bit_cast<std::uint64_t>(v));
  Rng rng(key, "edge wiggle");

  const double nx = -dy / length;  // unit normal
  const double ny = dx / length;
  // Offsets across the edge at parameters t = k / 2^levels, filled coarse to fine.
  const std::size_t count = (std::size_t{1} << levels) + 1;
  std::vector<double> offset(count, 0.0);
  double amplitude = options.wiggle * length;
  for (int level = 0; level < levels; ++level) {
    const std::size_t step = (count - 1) >> level;
    for (std::size_t i = step / 2; i < count; i += step) {
      const double t = static_cast<double>(i) / static_cast<double>(count - 1);
      const double taper = std::sin(std::numbers::pi * t);
      offset[i] = 0.5 * (offset[i - step / 2] + offset[i + step / 2]) +
                  amplitude * taper * rng.uniform(-1.0, 1.0);
    }
    amplitude *= options.roughness;
  }
  std::vector<Point> points(count);
  for (std::size_t i = 0; i < count; ++i) {
    const double t = static_cast<double>(i) / static_cast<double>(count - 1);
    points[i] = {edge.a.x + t * dx + offset[i] * nx, edge.a.y + t * dy + offset[i] * ny};
  }
  points.front() = edge.a;  // exact, whatever rounding did above
  points.back() = edge.b;
  return points;
}

}  // namespace

Tessellation tessellate(const GeosContext& geos, const GEOSGeometry* boundary,
                        std::span<const Point> seeds, const TessellationOptions& options) {
  GEOSContextHandle_t h = geos.handle();
  if (seeds.size() < 2) throw engine::internal_error("tessellate: need at least two seeds");
  Tessellation result;

  // Voronoi diagram over a frame well outside the boundary, so that every cell that reaches
  // the boundary is complete.
  const engine::Box extent = envelope(h, boundary);
  const double margin = 0.25 * std::max(extent.width(), extent.height());
  GeosGeometry frame =
      geos.own(GEOSGeom_createRectangle_r(h, extent.xmin - margin, extent.ymin - margin,
                                          extent.xmax + margin, extent.ymax + margin),
               "createRectangle");
  GeosGeometry sites = make_multipoint(geos, seeds);
  GeosGeometry edges =
      geos.own(GEOSVoronoiDiagram_r(h, sites.get(), frame.get(), 0.0, 1), "Voronoi edges");
  GeosGeometry cells =
      geos.own(GEOSVoronoiDiagram_r(h, sites.get(), frame.get(), 0.0, 0), "Voronoi cells");

  // Wiggle the edges that can reach the boundary; the others would only be discarded later.
  std::vector<GeosGeometry> lines;
  for (const Segment& edge : distinct_segments(h, edges.get())) {
    const double length = std::hypot(edge.b.x - edge.a.x, edge.b.y - edge.a.y);
    engine::Box box;
    box.expand(edge.a);
    box.expand(edge.b);
    // The displacements of all levels add up to at most wiggle × length / (1 − roughness).
    const double reach = options.wiggle * length / (1 - options.roughness);
    box.xmin -= reach;
    box.ymin -= reach;
    box.xmax += reach;
    box.ymax += reach;
    if (!box.intersects(extent)) continue;
    ++result.voronoi_edges;
    lines.push_back(make_line(geos, wiggle(edge, options)));
  }
  lines.push_back(geos.own(GEOSBoundary_r(h, boundary), "boundary linework"));
  GeosGeometry linework = make_collection(geos, GEOS_GEOMETRYCOLLECTION, lines);

  // Node everything at once, so that faces share their vertices exactly.
  GeosGeometry noded =
      geos.own(options.grid_size > 0 ? GEOSUnaryUnionPrec_r(h, linework.get(), options.grid_size)
                                     : GEOSUnaryUnion_r(h, linework.get()),
               "noding");
  const GEOSGeometry* noded_raw = noded.get();
  GeosGeometry faces = geos.own(GEOSPolygonize_r(h, &noded_raw, 1), "polygonize");

  // Match Voronoi cells to seeds (GEOS 3.11 does not keep the input order of the sites).
  const int cell_count = GEOSGetNumGeometries_r(h, cells.get());
  std::vector<int> seed_of_cell(static_cast<std::size_t>(cell_count), -1);
  std::vector<engine::Box> cell_box(static_cast<std::size_t>(cell_count));
  for (int c = 0; c < cell_count; ++c) {
    const GEOSGeometry* cell = GEOSGetGeometryN_r(h, cells.get(), c);
    cell_box[c] = envelope(h, cell);
    engine::GeosPrepared prepared = geos.prepare(cell);
    for (std::size_t s = 0; s < seeds.size(); ++s) {
      if (!cell_box[c].contains(seeds[s])) continue;
      GeosGeometry point = geos.to_geos(seeds[s]);
      if (GEOSPreparedIntersects_r(h, prepared.get(), point.get()) == 1) {
        seed_of_cell[c] = static_cast<int>(s);
        break;
      }
    }
  }

  engine::GeosPrepared inside = geos.prepare(boundary);
  std::vector<std::vector<GeosGeometry>> faces_of_seed(seeds.size());
  const int face_count = GEOSGetNumGeometries_r(h, faces.get());
  for (int f = 0; f < face_count; ++f) {
    const GEOSGeometry* face = GEOSGetGeometryN_r(h, faces.get(), f);
    GeosGeometry probe = geos.own(GEOSPointOnSurface_r(h, face), "pointOnSurface");
    if (GEOSPreparedContains_r(h, inside.get(), probe.get()) != 1) continue;  // sea, outside
    ++result.faces;
    // The seed whose straight cell overlaps the face most: a face is a cell bent by the
    // wiggles (or a piece of one cut by the coast), so this finds its cell even where a
    // bulge crosses the straight edge.
    const engine::Box face_box = envelope(h, face);
    int best_seed = -1;
    double best_overlap = -1;
    for (int c = 0; c < cell_count; ++c) {
      if (seed_of_cell[c] < 0 || !cell_box[c].intersects(face_box)) continue;
      GeosGeometry overlap = geos.own(
          GEOSIntersection_r(h, face, GEOSGetGeometryN_r(h, cells.get(), c)), "intersection");
      const double a = area_of(h, overlap.get());
      if (a > best_overlap) {
        best_overlap = a;
        best_seed = seed_of_cell[c];
      }
    }
    if (best_seed < 0) throw engine::internal_error("tessellate: a face lies in no Voronoi cell");
    faces_of_seed[best_seed].push_back(geos.own(GEOSGeom_clone_r(h, face), "clone"));
  }

  result.areas.resize(seeds.size());
  for (std::size_t s = 0; s < seeds.size(); ++s) {
    std::vector<GeosGeometry>& parts = faces_of_seed[s];
    if (parts.empty()) continue;
    GeosGeometry collection = make_collection(geos, GEOS_MULTIPOLYGON, parts);
    // The faces come from one noding, so they form an exact coverage: the coverage union
    // only removes shared edges and never moves or adds a vertex.
    result.areas[s] = geos.own(GEOSCoverageUnion_r(h, collection.get()), "coverage union");
  }
  return result;
}

TessellationCheck verify_tessellation(const GeosContext& geos, const GEOSGeometry* boundary,
                                      std::span<const GeosGeometry> areas, double tolerance,
                                      std::size_t neighbours_per_area) {
  GEOSContextHandle_t h = geos.handle();
  TessellationCheck check;
  check.areas = areas.size();
  check.boundary_area = area_of(h, boundary);
  std::vector<std::string> problems;

  std::vector<engine::Box> boxes;
  for (std::size_t i = 0; i < areas.size(); ++i) {
    if (auto reason = geos.invalid_reason(areas[i].get()))
      problems.push_back("area " + std::to_string(i) + " is invalid: " + *reason);
    check.area_sum += area_of(h, areas[i].get());
    boxes.push_back(envelope(h, areas[i].get()));
  }
  check.relative_area_difference =
      std::abs(check.area_sum - check.boundary_area) / check.boundary_area;
  if (check.relative_area_difference > tolerance) {
    problems.push_back("areas sum to " + std::to_string(check.area_sum) + " m², the boundary " +
                       std::to_string(check.boundary_area) + " m²");
  }

  std::vector<GeosGeometry> copies;
  for (const GeosGeometry& area : areas)
    copies.push_back(geos.own(GEOSGeom_clone_r(h, area.get()), "clone"));
  GeosGeometry all = make_collection(geos, GEOS_GEOMETRYCOLLECTION, copies);
  GeosGeometry dissolved = geos.own(GEOSCoverageUnion_r(h, all.get()), "coverage union");
  GeosGeometry difference =
      geos.own(GEOSSymDifference_r(h, dissolved.get(), boundary), "symmetric difference");
  check.union_difference_area = area_of(h, difference.get());
  if (check.union_difference_area > tolerance * check.boundary_area) {
    problems.push_back("the union of the areas differs from the boundary by " +
                       std::to_string(check.union_difference_area) + " m²");
  }

  for (std::size_t i = 0; i < areas.size(); ++i) {
    std::size_t tested = 0;
    for (std::size_t j = i + 1; j < areas.size() && tested < neighbours_per_area; ++j) {
      if (!boxes[i].intersects(boxes[j])) continue;
      ++tested;
      ++check.pairs_checked;
      // DE-9IM: interiors intersect ("T" first) means an overlap.
      if (GEOSRelatePattern_r(h, areas[i].get(), areas[j].get(), "T********") != 0) {
        problems.push_back("areas " + std::to_string(i) + " and " + std::to_string(j) + " overlap");
      }
      if (GEOSRelatePattern_r(h, areas[i].get(), areas[j].get(), "****1****") == 1)
        ++check.pairs_sharing_edges;
    }
  }

  if (!problems.empty()) {
    std::string message = "the generated areas do not tessellate the boundary:";
    for (std::size_t i = 0; i < problems.size() && i < 20; ++i) message += "\n  " + problems[i];
    if (problems.size() > 20)
      message += "\n  ... " + std::to_string(problems.size() - 20) + " more";
    throw engine::internal_error(message);
  }
  return check;
}

}  // namespace notspot::generate
