#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "national_geography.hpp"
#include "national_premises.hpp"
#include "notspot/engine/grid_coverage.hpp"

namespace notspot::generate {

inline constexpr const char* kNationalOperators[] = {"EE", "Three", "O2", "Vodafone"};
/// Technology and setting of the three layers per operator.
struct NationalMobileKind {
  const char* technology;
  const char* setting;
};
inline constexpr NationalMobileKind kNationalMobileKinds[] = {
    {"4G", "indoor"}, {"4G", "outdoor"}, {"5G", "outdoor"}};
/// A cell is covered when its signal is at least this (dBm); the study file says the same.
inline constexpr int kNationalCoveredDbm = -105;

/// One written raster and what it covers.
struct NationalMobileLayer {
  std::string file;  ///< Relative to the output folder, e.g. "mobile/EE_4G_indoor.tif".
  std::string operator_name;
  std::string technology;
  std::string setting;
  double premises_covered_pct = 0;  ///< Of a sample of premises (all kinds).
  double land_covered_pct = 0;      ///< Of the land cells (by the lattice's land mask).
  std::size_t bytes = 0;
};

/// Coverage by at least one operator, per technology and setting.
struct NationalMobileGroup {
  std::string technology;
  std::string setting;
  double premises_any_pct = 0;
  double premises_all_pct = 0;
  double land_any_pct = 0;
};

/// What write_national_mobile() made.
struct NationalMobile {
  engine::Grid grid;
  std::size_t nodata_cells = 0;
  std::size_t land_cells = 0;
  std::array<std::size_t, 2> masts{};     ///< Per network (EE/Three, O2/Vodafone).
  std::array<std::size_t, 4> masts_5g{};  ///< Per operator.
  std::size_t sampled_premises = 0;
  std::vector<NationalMobileLayer> layers;
  std::vector<NationalMobileGroup> groups;
  double fields_seconds = 0;  ///< Shared fields (masts, signal, shadowing, indoor loss).
  double layers_seconds = 0;  ///< The 12 layers: values, compression, writing.
};

/**
 * Writes 12 signal-strength GeoTIFFs (Int16 dBm, nodata -32768 over the sea more than about
 * 2 km from land) into `dir`/mobile/: EE, Three, O2, Vodafone × 4G indoor, 4G outdoor, 5G
 * outdoor, on the 100 m British National Grid over the landmass's bounding box (DEFLATE,
 * tiled, horizontal predictor). Cheap by design: two mast networks (EE and Three share one,
 * O2 and Vodafone the other, as MBNL and Cornerstone do) give signal fields on a 500 m grid;
 * shared 100 m shadowing and indoor-loss fields are computed once; each layer is the
 * interpolated network field plus an operator offset and smooth operator noise. 5G comes
 * from the masts each operator has upgraded, mostly in towns. Not calibrated to any target.
 * Files are published atomically.
 */
NationalMobile write_national_mobile(const std::filesystem::path& dir, const Geography& geography,
                                     const NationalAreas& areas, const NationalPremises& premises,
                                     std::uint64_t seed);

}  // namespace notspot::generate
