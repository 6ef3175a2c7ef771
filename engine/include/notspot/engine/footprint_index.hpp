#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "notspot/engine/geometry.hpp"
#include "notspot/engine/geos_context.hpp"

namespace notspot::engine {

/**
 * Coverage footprints split into small pieces (a quadtree of clipping rectangles, at most 256
 * vertices a piece) in a spatial index, so that intersecting an area with the footprints only
 * touches the pieces near it: a national footprint union has millions of vertices, an area a
 * few thousand.
 *
 * Typical usage:
 * @code
 *   GeosContext geos;
 *   FootprintIndex index(footprints, geos);
 *   GeosGeometry covered = index.intersection(area.get());
 * @endcode
 *
 * Thread safety: uses `geos`, so one thread at a time, like the context.
 */
class FootprintIndex {
 public:
  /// @param footprints valid polygons (e.g. from dissolve()). @param geos REQUIRES: outlives
  ///   the index.
  FootprintIndex(const MultiPolygon& footprints, const GeosContext& geos);
  ~FootprintIndex();
  FootprintIndex(const FootprintIndex&) = delete;
  FootprintIndex& operator=(const FootprintIndex&) = delete;

  /**
   * The part of `area` covered by the footprints: the union of the area's intersections with
   * the pieces whose bounding boxes meet the area's, taken in piece order so that the result
   * does not depend on the index's internal order.
   * @throws Error (kInternal) when GEOS fails.
   */
  GeosGeometry intersection(const GEOSGeometry* area) const;

  /// Pieces the footprints were split into.
  std::size_t piece_count() const { return pieces_.size(); }

 private:
  struct Tree;  // the R-tree of the pieces' boxes; defined in the .cpp to keep Boost private

  void split(GeosGeometry g, const Box& box, int depth);
  Box envelope(const GEOSGeometry* g) const;

  const GeosContext& geos_;
  std::vector<GeosGeometry> pieces_;
  std::unique_ptr<Tree> tree_;
};

}  // namespace notspot::engine
