#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <vector>

#include "national_geography.hpp"
#include "notspot/engine/area_index.hpp"

namespace notspot::generate {

/// One premise as written: coordinates in whole centimetres (the CSV's two decimals, exactly).
struct PremiseRecord {
  std::int32_t x_cm = 0;
  std::int32_t y_cm = 0;
  PlaceKind kind = PlaceKind::kTown;
};

/// The premises, in the order they were generated (settlement by settlement).
struct NationalPremises {
  std::vector<PremiseRecord> records;
  std::array<std::size_t, kPlaceKinds> by_kind{};
  std::size_t outside = 0;          ///< Outside every area (all of kind kCoast).
  std::size_t shared_position = 0;  ///< Premises sharing their point with the one before (flats).
  std::size_t attempts = 0;         ///< Candidate points drawn, rejected ones included.
  std::size_t fallbacks = 0;        ///< Premises put at their settlement's centre cell.
};

/// Options of place_national_premises().
struct PremisesOptions {
  std::size_t count = 40'000'000;  ///< REQUIRES: >= 1 and < 2^31.
  double outside_share = 0.005;    ///< Share placed just off the coast, outside every area.
  std::uint64_t seed = 1;
};

/**
 * Places the premises: towns (Pareto sizes, cities with satellite suburbs, some flats sharing
 * one point), villages, hamlets of 5 to 40, isolated farms over rural land, each on land
 * inside an area (checked with `index`); and `outside_share` of them a few hundred metres off
 * the coast, outside every area. Runs on all threads; each block of premises has its own
 * random stream, so the result does not depend on the thread count.
 */
NationalPremises place_national_premises(const Geography& geography, const NationalAreas& areas,
                                         const engine::AreaIndex& index,
                                         const PremisesOptions& options);

/**
 * The order of the CSV rows: row k holds UPRN uprn(k) (increasing, unique, at most 12 digits,
 * mostly in runs with occasional jumps, like real UPRNs) and the premise premise(k), a random
 * bijection of the generation order (a Feistel network), so position and UPRN are unrelated.
 */
class UprnOrder {
 public:
  /// Rows per block; block starts are precomputed so blocks can be formatted in parallel.
  static constexpr std::size_t kBlock = std::size_t{1} << 17;

  UprnOrder(std::size_t count, std::uint64_t seed);
  std::size_t size() const { return count_; }
  std::size_t blocks() const { return (count_ + kBlock - 1) / kBlock; }
  /// The premise of row k. REQUIRES: k < size().
  std::size_t premise(std::size_t k) const;
  /// UPRNs of rows [block * kBlock, ...) up to the block's end, plus the next block's first
  /// (or 0 after the last block), appended to `out`.
  void block_uprns(std::size_t block, std::vector<std::uint64_t>& out) const;
  std::uint64_t first() const { return starts_.front(); }
  std::uint64_t last() const { return last_; }

 private:
  std::uint64_t gap(std::uint64_t previous, std::size_t k) const;

  std::size_t count_;
  std::uint64_t key_;
  std::uint64_t jump_;
  int half_bits_;
  std::array<std::uint64_t, 4> round_keys_{};
  std::vector<std::uint64_t> starts_;  // UPRN of each block's first row
  std::uint64_t last_ = 0;
};

/// What write_premises_csv() wrote.
struct CsvOutput {
  std::size_t rows = 0;
  std::size_t bytes = 0;
  double seconds = 0;
};

/**
 * premises.csv in the OS Open UPRN layout: UTF-8 byte-order mark, header
 * `UPRN,X_COORDINATE,Y_COORDINATE,LATITUDE,LONGITUDE`, rows in UPRN order, X/Y with two
 * decimals, WGS84 latitude/longitude with six (PROJ, the pinned Helmert operation), `\n`
 * line ends. Blocks are formatted in parallel and written in order; published atomically.
 * @throws Error (kInput) when the file cannot be written; (kInternal) when a premise's
 *   latitude/longitude is outside the British National Grid's area of use.
 */
CsvOutput write_premises_csv(const std::filesystem::path& path, const NationalPremises& premises,
                             const UprnOrder& order);

/// Fixed broadband figures of fixed_speeds.csv, for the report.
struct SpeedStats {
  std::size_t rows = 0;       ///< Rows written (with unmatched ones).
  std::size_t missing = 0;    ///< Premises without a row.
  std::size_t unmatched = 0;  ///< Rows whose UPRN is no premise.
  std::size_t bytes = 0;
  double seconds = 0;
  /// Per place kind: premises, with a row, gigabit, superfast, below the USO, full fibre.
  struct Counts {
    std::size_t premises = 0, with_row = 0, gigabit = 0, ultrafast = 0, superfast = 0,
                below_uso = 0, full_fibre = 0;
    void add(const Counts& o) {
      premises += o.premises;
      with_row += o.with_row;
      gigabit += o.gigabit;
      ultrafast += o.ultrafast;
      superfast += o.superfast;
      below_uso += o.below_uso;
      full_fibre += o.full_fibre;
    }
  };
  std::array<Counts, kPlaceKinds> by_kind{};
  std::array<std::size_t, 6> by_technology{};  ///< FTTP, Cable, G.fast, FTTC, ADSL, FWA.
};

/**
 * fixed_speeds.csv: `uprn,max_down_mbps,max_up_mbps,technology`, rows in UPRN order, for all
 * premises but about 0.1% (missing), plus about 0.01% rows with UPRNs that are no premise.
 * Speeds depend on the kind of place (rural worse) and on patchy rollout (smooth noise).
 */
SpeedStats write_fixed_speeds_csv(const std::filesystem::path& path,
                                  const NationalPremises& premises, const UprnOrder& order,
                                  std::uint64_t seed);

inline constexpr const char* kFixedTechnologies[] = {"FTTP", "Cable", "G.fast",
                                                     "FTTC", "ADSL",  "FWA"};

}  // namespace notspot::generate
