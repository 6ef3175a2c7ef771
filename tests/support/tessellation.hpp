#pragma once

#include <cstdint>
#include <vector>

#include "notspot/engine/geometry.hpp"

namespace notspot::test {

/// Options for random_tessellation().
struct TessellationOptions {
  int columns = 24;        ///< Lattice cells across. REQUIRES: >= 1.
  int rows = 18;           ///< Lattice cells down. REQUIRES: >= 1.
  double cell_size = 100;  ///< Lattice spacing.
  double jitter = 0.35;    ///< Interior vertex jitter, as a fraction of cell_size (< 0.5).
  int areas = 20;          ///< Number of areas (labels) to grow. REQUIRES: >= 1.
  /// Every k-th lattice line (row and column) is left straight, so that points exactly on
  /// shared edges can be sampled exactly. 0: no straight lines.
  int straight_every = 4;
  std::uint64_t seed = 1;
};

/// A random tessellation of a rectangle: a jittered lattice of quadrilaterals, grown into
/// `areas` labelled regions and dissolved with GEOS. Neighbouring areas share exactly the
/// same vertices along their common edges; areas may have holes and several parts.
struct Tessellation {
  std::vector<engine::MultiPolygon> areas;
  std::vector<engine::Point> lattice;               ///< All lattice vertices (many on boundaries).
  std::vector<engine::Point> straight_edge_points;  ///< Points exactly on straight lines.
  engine::Box bounds;
};

Tessellation random_tessellation(const TessellationOptions& options);

}  // namespace notspot::test
