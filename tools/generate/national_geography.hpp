#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "notspot/engine/geometry.hpp"

namespace notspot::generate {

/// Premises counts that fix the physical size of settlements: a town's extent and the detail
/// of boundaries do not change with --premises, only how many premises are drawn.
inline constexpr double kNominalPremises = 40'000'000;

/// What kind of place a premise belongs to. Rural kinds get worse fixed broadband.
enum class PlaceKind : std::uint8_t {
  kCity,      ///< A town of at least kCityNominal premises (nominal).
  kTown,      ///< Other towns.
  kVillage,   ///< Villages: a few dozen to a few thousand premises.
  kHamlet,    ///< 5 to 40 premises within a few hundred metres.
  kIsolated,  ///< Farms and cottages, uniform over rural land.
  kCoast,     ///< Just off the coastline, outside every area (piers, harbours, houseboats).
  kIslet,     ///< On one of the small invalid islets.
};
inline constexpr std::size_t kPlaceKinds = 7;
const char* place_kind_name(PlaceKind kind);

/// A town or village: premises are scattered around its centre.
struct Settlement {
  engine::Point centre;
  double nominal = 0;  ///< Premises at kNominalPremises.
  double sigma = 0;    ///< Spread of its core (metres); its suburbs spread 2.2 times wider.
  PlaceKind kind = PlaceKind::kTown;
  std::uint32_t cell = 0;  ///< The land cell its centre lies in.
};

/**
 * A jittered square lattice: cell (i, j) is the quadrilateral of vertices (i, j), (i+1, j),
 * (i+1, j+1), (i, j+1), each moved by up to 15% of a cell from its nominal position. Cells are
 * land or sea; land cells are the building blocks of the areas.
 */
class Lattice {
 public:
  Lattice() = default;
  /// REQUIRES: cell > 0, columns >= 1, rows >= 1.
  Lattice(double cell, int columns, int rows, std::uint64_t seed);

  double cell() const { return cell_; }
  int columns() const { return columns_; }
  int rows() const { return rows_; }
  std::size_t cells() const { return static_cast<std::size_t>(columns_) * rows_; }
  std::size_t index(int i, int j) const { return static_cast<std::size_t>(j) * columns_ + i; }
  int column_of(std::size_t c) const { return static_cast<int>(c % columns_); }
  int row_of(std::size_t c) const { return static_cast<int>(c / columns_); }
  int vertex_id(int i, int j) const { return j * (columns_ + 1) + i; }
  engine::Point vertex(int id) const { return vertices_[static_cast<std::size_t>(id)]; }
  /// The centre of cell c's nominal (unjittered) square.
  engine::Point nominal_centre(std::size_t c) const {
    return {(column_of(c) + 0.5) * cell_, (row_of(c) + 0.5) * cell_};
  }
  /// A point of cell c by bilinear interpolation of its corners; (s, t) in [0, 1]².
  engine::Point in_cell(std::size_t c, double s, double t) const;
  /// The cell whose nominal square holds p, or -1 outside the lattice.
  std::ptrdiff_t nominal_cell(engine::Point p) const;

 private:
  double cell_ = 1;
  int columns_ = 0;
  int rows_ = 0;
  std::vector<engine::Point> vertices_;
};

/// The synthetic country: land, where people live, and how densely.
struct Geography {
  Lattice lattice;
  std::vector<std::uint8_t> land;         ///< Per cell: 1 land, 0 sea.
  std::vector<std::uint32_t> land_cells;  ///< Land cell numbers, increasing.
  std::vector<float> rural_weight;        ///< Per cell: where hamlets and farms are (0 at sea).
  std::vector<Settlement> settlements;    ///< Towns (largest first), then villages.
  std::size_t towns = 0;                  ///< settlements[0, towns) are towns and cities.
  std::vector<float> density;             ///< Per cell: nominal premises in it.
  engine::Box land_bounds;                ///< Of the land cells' corners.
};

/**
 * Makes the landmass (a Great-Britain-like outline of overlapping ellipses with a fractal
 * coastline, islands included, kept 15 km inside the British National Grid's area of use),
 * towns with Pareto sizes and villages, and the nominal premises density per cell.
 * @param lattice_cell metres per lattice cell (1,000 up to 30,000 areas).
 */
Geography make_geography(double lattice_cell, std::uint64_t seed);

/// Lattice cell size for a number of areas: 1 km, finer above 30,000 areas.
double lattice_cell_for(std::size_t areas);

/// A lattice edge between a land cell and the sea, for premises placed off the coast.
struct CoastEdge {
  int from;  ///< Lattice vertex ids, in the direction that keeps the land on the left.
  int to;
  std::uint32_t cell;  ///< The land cell.
};

/// An invalid polygon made on purpose (notspot must repair it).
struct InvalidArea {
  std::size_t area;   ///< Area number.
  std::string kind;   ///< "self-touching ring" or "bow-tie".
  std::string where;  ///< How it was made.
};

/// A small island made as an invalid ring (bow-tie or figure-eight), part of an area.
struct Islet {
  std::size_t area = 0;
  engine::Ring ring;     ///< The invalid ring as written.
  bool bow_tie = false;  ///< Crossing itself (bow-tie), or touching itself (figure-eight).
  engine::Box bounds;
};

/// The areas: parish-like multipolygons tessellating the land.
struct NationalAreas {
  std::vector<engine::MultiPolygon> geometry;  ///< By area number, which is code order.
  std::vector<std::string> code;               ///< "Z05000001", ...
  std::vector<std::string> name;
  std::vector<int> label_of_cell;  ///< Per lattice cell: area number, or -1 (sea).
  std::vector<CoastEdge> coast;
  std::vector<InvalidArea> invalid;
  std::vector<Islet> islets;
  // Statistics for the report.
  std::size_t exclave_cells = 0;
  std::size_t enclave_cells = 0;
  std::size_t island_cells = 0;
  std::size_t boundary_edges = 0;  ///< Distinct lattice edges on some boundary.
  double mean_segments_per_edge = 0;
  int max_segments_per_edge = 0;
};

/// Options of make_national_areas().
struct AreasOptions {
  std::size_t areas = 10'000;      ///< REQUIRES: 1 <= areas <= land cells.
  double vertices_per_area = 500;  ///< Target mean; edge detail is scaled to reach it.
  std::size_t self_touching = 3;   ///< Invalid self-touching rings to make.
  std::size_t bow_ties = 2;        ///< Invalid bow-tie islets to make.
  std::uint64_t seed = 1;
};

/**
 * Grows `areas` labels over the land from seeds weighted towards dense places (so areas are
 * smaller where more people live), with exclaves, enclaves (holes) and islands (parts);
 * traces each label's boundary on the lattice and densifies every lattice edge with noise
 * seeded by the edge, so both neighbours get identical vertices. Then makes a few polygons
 * invalid on purpose (two touching parts merged into one self-touching ring; bow-tie islets).
 * Areas are numbered north to south in 100 km bands, west to east within a band.
 * @throws Error (kUsage) when there are more areas than land cells.
 */
NationalAreas make_national_areas(const Geography& geography, const AreasOptions& options);

}  // namespace notspot::generate
