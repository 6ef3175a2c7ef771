#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "notspot/engine/area_index.hpp"
#include "notspot/engine/geometry.hpp"
#include "notspot/engine/grid_coverage.hpp"

namespace notspot::generate {

struct OfcomRow;
struct Postcode;

/// The four UK mobile network operators, in the order of every per-operator array here.
inline constexpr std::array<const char*, 4> kOperators = {"EE", "Three", "O2", "Vodafone"};
inline constexpr std::size_t kOperatorCount = kOperators.size();

/// Raster value of cells with no data (more than 1 km outside the study boundary).
inline constexpr std::int16_t kSignalNodata = -32768;
/// A cell is covered when its signal is at least this (dBm): the study's `covered_when`.
inline constexpr int kCoveredDbm = -105;

/// The three mobile layers made per operator.
enum class MobileLayerKind : std::uint8_t { k4gIndoor, k4gOutdoor, k5gOutdoor };
inline constexpr std::size_t kMobileLayerKinds = 3;

/// Shares (percent) of premises or land covered by exactly k = 0..4 of the four operators.
using OperatorShares = std::array<double, kOperatorCount + 1>;

/**
 * Ofcom's published mobile coverage of one local authority (Connected Nations
 * `…_mobile_coverage_laua_r01.csv`): the share covered by exactly k operators, for each
 * measure the sample is calibrated or compared against.
 */
struct MobileTargets {
  OperatorShares prem_in_4g{};   ///< `4G_prem_in_{k}`: 4G indoor at premises.
  OperatorShares prem_out_4g{};  ///< `4G_prem_out_{k}`: 4G outdoor at premises.
  OperatorShares geo_out_4g{};   ///< `4G_geo_out_{k}`: 4G outdoor by geographic area.
  OperatorShares prem_out_5g{};  ///< `5G_high_confidence_prem_out_{k}`.
  OperatorShares geo_out_5g{};   ///< `5G_high_confidence_geo_out_{k}`.

  /**
   * Reads the shares by column name; a blank value is 0 (Ofcom leaves zero shares blank).
   * @throws Error (kInput) when a column is missing or not a number.
   */
  static MobileTargets from_ofcom(const OfcomRow& row);
};

/// Where the coverage is made and measured.
struct MobileInputs {
  /// The 100 m raster grid (EPSG:27700, north-up).
  engine::Grid grid;
  /// One byte per cell (row-major): 1 where the raster has data (cell centre within 1 km of
  /// the boundary), 0 where it holds kSignalNodata.
  std::vector<std::uint8_t> has_data;
  /// Cells holding the premises inside the boundary: (row * columns + col, premises), sorted.
  std::vector<std::pair<std::uint32_t, std::uint32_t>> premises_cells;
  std::uint64_t premises = 0;
  /// The boundary's exact area in every cell it touches (engine::cell_areas()).
  std::vector<engine::CellArea> area_cells;
  double area = 0;  ///< The boundary's area (m²): the by-area denominator.
  /// The real postcodes: where settlements (and so masts) are, and the towns.
  std::span<const Postcode> postcodes;
  /// The study boundary, to keep masts on land: a mast goes inside it, or outside it north of
  /// `land_border_northing` (south of it, outside is sea).
  const engine::AreaIndex* boundary = nullptr;
  double land_border_northing = 0;
};

/// Knobs of the synthetic radio model. The defaults make plausible Dorset-like patterns.
struct MobileOptions {
  std::uint64_t seed = 1;
  /// Signal 1 km from a 4G / 5G mast (dBm) and the path-loss exponents (10·n dB per decade
  /// of distance). 5G (3.5 GHz) loses more and reaches less far.
  double reference_4g_dbm = -80;
  double exponent_4g = 3.0;
  double reference_5g_dbm = -98;
  double exponent_5g = 4.0;
  /// Standard deviation (dB) of the spatially correlated shadowing.
  double shadowing_db = 7;
  /// Depth scale (dB) of the valleys every operator struggles in (the common not-spots).
  double valley_db = 47;
  /// Building penetration loss varies by this much (dB, ±) around the tuned mean.
  double building_spread_db = 2.5;
  /// Operator signal offsets (dB) before calibration (EE's network is the densest).
  std::array<double, kOperatorCount> operator_offset_db = {1.0, -1.0, 0.0, 0.0};
};

/// One synthetic raster: an operator's signal in dBm for one technology and setting.
struct MobileLayer {
  std::size_t operator_index = 0;
  MobileLayerKind kind = MobileLayerKind::k4gOutdoor;
  std::string name;               ///< File stem, e.g. "EE_4G_indoor".
  std::vector<std::int16_t> dbm;  ///< Row-major, kSignalNodata on no-data cells.
};

/// Technology ("4G", "5G") and setting ("indoor", "outdoor") of a layer kind.
const char* technology_name(MobileLayerKind kind);
const char* setting_name(MobileLayerKind kind);

/// What the calibration found, for the report.
struct MobileTuning {
  double correlation = 0;     ///< Share of the shadowing variance common to all operators.
  double offset_4g_db = 0;    ///< Added to every 4G signal.
  double indoor_loss_db = 0;  ///< Mean building penetration loss.
  double offset_5g_db = 0;    ///< Added to every 5G signal.
  int iterations = 0;         ///< Outer (correlation) iterations.
};

/// Mast sites placed, for the report.
struct MobileSites {
  std::size_t town = 0;     ///< Placed by postcode density, per site-sharing network.
  std::size_t road = 0;     ///< Along the synthetic road corridors.
  std::size_t rural = 0;    ///< Spread over the countryside (and across the land border).
  std::size_t village = 0;  ///< For postcodes still far from every mast, one network each.
  std::size_t shared_by_all = 0;
  std::size_t towns = 0;  ///< Towns the corridors join.
  std::size_t corridors = 0;
  std::array<std::size_t, kOperatorCount> sites_4g{};
  std::array<std::size_t, kOperatorCount> sites_5g{};
};

/// The twelve layers and how they were made.
struct MobileCoverage {
  std::vector<MobileLayer> layers;  ///< Operator-major: EE 4G indoor, EE 4G outdoor, EE 5G, …
  MobileTuning tuning;
  MobileSites sites;

  const MobileLayer& layer(std::size_t operator_index, MobileLayerKind kind) const {
    return layers[operator_index * kMobileLayerKinds + static_cast<std::size_t>(kind)];
  }
};

/**
 * Makes synthetic signal-strength rasters for the four operators, calibrated to Ofcom.
 *
 * Masts: two site-sharing networks (EE + Three, O2 + Vodafone, as real operators pair up)
 * placed by dart throwing over the real postcodes with a spacing that follows postcode
 * density; masts along synthetic road corridors joining the towns (a minimum spanning tree of
 * the postcode districts' densest spots, plus a few shortcuts); sparse rural masts, a third
 * shared by all four; and a mast of one network for any postcode still far from every mast.
 * 5G is on the masts of the operator whose own smooth rollout field leads there, so
 * operators' 5G footprints overlap little (as Ofcom's figures show). A cell's signal is the
 * strongest mast's (log-distance path loss) plus shadowing (smooth random fields: one common
 * to all operators, one per operator) plus valleys (the lowest few percent of another field,
 * away from settlements, where every operator loses up to valley_db). Indoor = outdoor minus
 * a building penetration loss that varies by ± building_spread_db.
 *
 * Calibration (bisections on monotone shares, measured on exactly what the rasters hold):
 * the 4G offset hits Ofcom's all-four share by area; the mean indoor loss the all-four share
 * of premises indoors; the common share of the shadowing variance the no-operator share of
 * premises indoors; the 5G offset the at-least-one share of premises outdoors. Everything
 * else (the other shares) follows from the model.
 */
MobileCoverage make_mobile_coverage(const MobileInputs& inputs, const MobileTargets& targets,
                                    const MobileOptions& options);

/// Shares of the premises covered by exactly k of the layers (one per operator).
OperatorShares premises_shares(const MobileInputs& inputs,
                               std::span<const MobileLayer* const> layers);

/// Shares of the boundary's area covered by exactly k of the layers, exact (area-weighted).
OperatorShares area_shares(const MobileInputs& inputs, std::span<const MobileLayer* const> layers);

}  // namespace notspot::generate
