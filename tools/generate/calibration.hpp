#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "notspot/engine/geometry.hpp"
#include "notspot/engine/indicators.hpp"

namespace notspot::generate {

struct OfcomRow;

/**
 * Ofcom's published fixed-broadband figures for one local authority: the calibration
 * targets. Counts, not percentages, are the targets, because the sample has exactly Ofcom's
 * number of premises: matching the counts matches the percentages to every decimal Ofcom
 * prints.
 */
struct FixedTargets {
  std::string laua;
  std::string name;
  std::uint64_t premises = 0;   ///< All Premises.
  std::uint64_t matched = 0;    ///< All Matched Premises (premises with a speed record).
  std::uint64_t superfast = 0;  ///< >= 30 Mbit/s.
  std::uint64_t ultrafast = 0;  ///< >= 300 Mbit/s.
  std::uint64_t full_fibre = 0;
  std::uint64_t gigabit = 0;
  std::uint64_t below_uso = 0;
  std::uint64_t unable_10 = 0;  ///< Unable to receive 10 Mbit/s by fixed line.
  std::uint64_t band_0_2 = 0;   ///< Download speed bands below 10 Mbit/s.
  std::uint64_t band_2_5 = 0;
  std::uint64_t band_5_10 = 0;
  /// Published percentages, for the report: superfast, ultrafast, full fibre, gigabit,
  /// below the USO.
  double superfast_pct = 0, ultrafast_pct = 0, full_fibre_pct = 0, gigabit_pct = 0,
         below_uso_pct = 0;

  /**
   * Reads the targets from a row of Ofcom's `…_fixed_laua_coverage_r01.csv` by column name.
   * @throws Error (kInput) when a column is missing or the counts contradict each other
   *   (e.g. more gigabit than ultrafast premises), naming the columns.
   */
  static FixedTargets from_ofcom(const OfcomRow& row);
};

/// Fixed-broadband technologies written to fixed_speeds.csv.
enum class Technology : std::uint8_t { kFttp, kCable, kGfast, kFttc, kAdsl, kFwa, kSatellite };

/// The name in the CSV: "FTTP", "Cable", "G.fast", "FTTC", "ADSL", "FWA", "Satellite".
std::string_view technology_name(Technology technology);

/// The best fixed service at a premise: one row of fixed_speeds.csv.
struct FixedService {
  double down_mbps = 0;  ///< Rounded to 0.1 Mbit/s.
  double up_mbps = 0;
  Technology technology = Technology::kAdsl;
};

/// BDUK subsidy control status, as written in the CSV.
std::string_view subsidy_status_name(engine::SubsidyStatus status);

/// One row of bduk_premises.csv, without the keys.
struct BdukRecord {
  bool recognised = true;  ///< bduk_recognised_premises.
  engine::SubsidyStatus status = engine::SubsidyStatus::kWhite;
  bool current_gigabit = false;
  bool future_gigabit = false;
};

/// What the calibration needs to know about one premise.
struct PremiseProfile {
  engine::Point position;
  double spacing = 0;   ///< Neighbour spacing of its postcode (metres): small in towns.
  bool inside = false;  ///< Counts towards the targets.
  bool has_speed_row = true;
  bool has_bduk_row = true;
};

/// Options for calibrate_fixed().
struct CalibrationOptions {
  /// Weights of the rurality score: log neighbour spacing (standardised), a smooth random
  /// field (rollout that favours some places over others), and per-premise noise.
  double density_weight = 1.0;
  double field_weight = 0.7;
  double noise_weight = 0.45;
  /// Cell size (metres) of the smooth random field's coarse and fine octaves.
  double field_cell = 6000;
  double fine_field_cell = 1500;
  std::uint64_t seed = 1;
};

/// Result of calibrate_fixed(): one entry per premise (same order as the profiles).
struct FixedCalibration {
  std::vector<std::optional<FixedService>> services;  ///< nullopt: no speed row.
  std::vector<std::optional<BdukRecord>> bduk;        ///< nullopt: no BDUK row.
  std::vector<double> rurality;  ///< The score used for ranking (higher = more rural).
};

/**
 * Gives every premise a best fixed service and a BDUK record so that, among the `inside`
 * premises, the engine's indicators (engine/indicators.hpp) hit the Ofcom counts exactly.
 *
 * Premises are ranked by a rurality score (sparse postcodes, a smooth random field, noise)
 * and cut into tiers by rank, best first: gigabit (full fibre, plus DOCSIS 3.1 cable where
 * most urban), ultrafast, superfast, decent (fixed line 10–30 Mbit/s, then FWA), below the
 * USO. Rank-based cutting makes the shares exact; rural premises end up worse than towns.
 * Premises outside get services from the same score thresholds. BDUK records agree with the
 * speeds: current_gigabit ⇔ download >= 1000; Gigabit White only where not gigabit now;
 * future_gigabit for current gigabit premises and for some planned ones.
 *
 * @throws Error (kInternal) when the inside premises are fewer than the targets need.
 */
FixedCalibration calibrate_fixed(std::span<const PremiseProfile> premises,
                                 const FixedTargets& targets, const CalibrationOptions& options);

/// The engine's per-premise view of a service and BDUK record, for counting indicators.
engine::FixedBroadband to_engine(const std::optional<FixedService>& service,
                                 const std::optional<BdukRecord>& bduk);

}  // namespace notspot::generate
