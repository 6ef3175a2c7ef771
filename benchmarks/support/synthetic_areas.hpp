#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "notspot/engine/geometry.hpp"

namespace notspot::bench {

/// Options for make_synthetic_study(). The defaults give a national-scale benchmark set: about
/// 5,000 parish-like areas of ~500 vertices over 700 km × 1,000 km (metres), 3 million points.
struct SyntheticOptions {
  double width = 700'000;     ///< Extent in x (metres). REQUIRES: > 0.
  double height = 1'000'000;  ///< Extent in y (metres). REQUIRES: > 0.
  int columns = 120;          ///< Coarse lattice cells across. REQUIRES: >= 1.
  int rows = 170;             ///< Coarse lattice cells down. REQUIRES: >= 1.
  /// Lattice vertex jitter as a fraction of a cell. DEFAULT 0.15. REQUIRES: 0 <= jitter <= 0.15
  /// (larger values could make the wiggly edges of a vertex cross each other).
  double jitter = 0.15;
  int areas = 5000;  ///< Number of areas. REQUIRES: 1 <= areas <= land cells.
  /// Each coarse lattice edge is cut into 2^edge_levels segments (64 by default).
  /// REQUIRES: 0 <= edge_levels <= 12.
  int edge_levels = 6;
  double land_share = 0.85;  ///< Share of lattice cells that are land (the rest is "sea").
  /// One land cell in `exclave_every` takes the label of a nearby area (exclaves).
  /// 0: none. DEFAULT: 150.
  int exclave_every = 150;
  /// One cell in `enclave_every` of those surrounded by their own area (four neighbours) goes
  /// to a nearby other area: a detached part of that area, and a hole in the surrounding one
  /// (or, where its neighbours touched only through that cell, a split into parts that touch
  /// at a vertex). 0: none. DEFAULT: 2.
  int enclave_every = 2;
  std::size_t points = 3'000'000;  ///< Number of premises.
  int towns = 3000;                ///< Town centres; sizes follow a Pareto law.
  double rural_share = 0.2;  ///< Share of premises outside towns (half scattered, half hamlets).
  std::uint64_t seed = 20261101;
};

/**
 * A deterministic synthetic "nation" for benchmarks: parish-like areas and premises-like points.
 *
 * How it is made, so that it scales to millions of edges in about a second:
 * - a jittered coarse lattice; cells are land or sea by a smooth random field;
 * - labels grown breadth-first from random seed cells over land; land not reached (islands),
 *   one cell in `exclave_every` and some cells surrounded by their own area (enclaves) take the
 *   label of a nearby area, which makes multi-part areas and holes;
 * - the boundary of each label is traced on the lattice into simple rings (cells touching
 *   diagonally belong to different parts; a ring that would touch itself is cut in two), so
 *   polygons are OGC-valid: parts and holes touch at lattice vertices only;
 * - every lattice edge on a boundary is densified with deterministic noise (midpoint
 *   displacement seeded by the edge's two vertex numbers, kept within a narrow diamond around
 *   the edge), so both neighbours get identical vertices and no two edges cross;
 * - premises: Gaussian towns with Pareto sizes, scattered hamlets and isolated farms, then
 *   shuffled (input order carries no spatial locality).
 *
 * The same options give the same output every time (own SplitMix64 generator, no std
 * distributions, whose results differ between standard libraries; only libm's sin, cos, log
 * and pow could differ on another platform).
 *
 * Typical usage:
 * @code
 *   SyntheticStudy s = make_synthetic_study({});
 *   AreaIndex index(s.areas);
 * @endcode
 */
struct SyntheticStudy {
  std::vector<engine::MultiPolygon> areas;  ///< Valid multipolygons, sharing edges exactly.
  std::vector<double> xs;                   ///< Point eastings.
  std::vector<double> ys;                   ///< Point northings.
  engine::Box bounds;                       ///< The lattice's extent.
};

/// @throws std::invalid_argument when options are out of range.
SyntheticStudy make_synthetic_study(const SyntheticOptions& options);

}  // namespace notspot::bench
