#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace notspot::engine {

/// Speed thresholds (Mbit/s) of the fixed-broadband indicators. Defaults are Ofcom's and the
/// Universal Service Obligation's (SI 2018/445); all are configurable because they change.
struct Thresholds {
  double gigabit_mbps = 1000;    ///< Gigabit-capable: download at least this.
  double ultrafast_mbps = 300;   ///< Ultrafast: download at least this.
  double superfast_mbps = 30;    ///< Superfast: download at least this.
  double decent_down_mbps = 10;  ///< Decent broadband (USO): download at least this ...
  double decent_up_mbps = 1;     ///< ... and upload at least this.
  /// Technologies (case-insensitive) that count as full fibre.
  std::vector<std::string> full_fibre_technologies = {"FTTP", "FTTH"};
};

/// One speed threshold of Thresholds, described once for everything that reads, writes or
/// compares thresholds (the study file, the manifest, the change report, the workbook).
struct SpeedThreshold {
  std::string_view key;       ///< `[thresholds]` key and manifest field, e.g. "superfast_mbps".
  double Thresholds::*value;  ///< The member it sets.
  std::string_view label;     ///< e.g. "Superfast: download at least (Mbit/s)".
};

/// The speed thresholds in documentation order: gigabit, ultrafast, superfast (the nested
/// tiers, fastest first), then the two of decent broadband.
std::span<const SpeedThreshold, 5> speed_thresholds();

/// The `[thresholds]` key and manifest field of Thresholds::full_fibre_technologies.
inline constexpr std::string_view kFullFibreTechnologiesKey = "full_fibre_technologies";

/// BDUK subsidy control status of a premise.
enum class SubsidyStatus : std::uint8_t { kUnknown, kWhite, kGreyBlack, kUnderReview };

/// FixedBroadband::speed_layer / bduk_layer of a premise no layer of that kind has a row for.
inline constexpr std::uint8_t kNoLayer = 0xFF;

/// What the fixed-broadband layers say about one premise. Unknown speeds are NaN.
struct FixedBroadband {
  float down_mbps = std::numeric_limits<float>::quiet_NaN();
  float up_mbps = std::numeric_limits<float>::quiet_NaN();
  bool has_speed_record = false;  ///< A fixed-speeds row matched this premise.
  bool has_bduk_record = false;   ///< A BDUK row matched this premise.
  bool full_fibre = false;        ///< The speed row's technology is a full-fibre one.
  bool current_gigabit = false;   ///< BDUK current_gigabit = true.
  SubsidyStatus subsidy = SubsidyStatus::kUnknown;
  /// Which fixed-broadband layer (its position among the study's fixed-broadband layers, in
  /// study order) gave the speed row and the BDUK row: the premises table's source columns.
  /// kNoLayer when none did. Stored in what was padding, so it costs no memory.
  std::uint8_t speed_layer = kNoLayer;
  std::uint8_t bduk_layer = kNoLayer;
};
static_assert(sizeof(FixedBroadband) == 16, "40 million premises: keep FixedBroadband at 16 bytes");

/// The per-premise indicators, in output column order.
enum class Indicator : std::uint8_t {
  kGigabit,
  kUltrafast,
  kSuperfast,
  kDecent,
  kBelowUso,
  kFullFibre,
  kBdukWhite,
  kBdukGreyBlack,
  kBdukUnderReview,
  kNoData,
};
inline constexpr std::size_t kIndicatorCount = 10;

/// Name (CSV column stem) and plain-language definition of each indicator.
struct IndicatorInfo {
  Indicator indicator;
  std::string_view column;      ///< e.g. "gigabit"; the percentage column adds "_pct".
  std::string_view definition;  ///< One sentence, for the manifest and the README.
};
std::span<const IndicatorInfo, kIndicatorCount> indicator_catalogue();

/// Bit i set when the premise meets indicator i.
std::uint32_t indicator_flags(const FixedBroadband& premise, const Thresholds& thresholds);

/// Premises and indicator counts of one area (or of the whole study).
struct AreaCounts {
  std::uint64_t premises = 0;
  std::array<std::uint64_t, kIndicatorCount> counts{};

  AreaCounts& operator+=(const AreaCounts& other);
  std::uint64_t count(Indicator i) const { return counts[static_cast<std::size_t>(i)]; }
};

/**
 * Counts premises and indicators per area, in parallel. Counts are integers, so the result
 * is the same whatever the number of threads.
 * @param area_of_premise area number of each premise; values >= area_count (e.g.
 *   AreaIndex::kOutside) are not counted.
 * @param broadband attributes of each premise. REQUIRES: same size as area_of_premise.
 */
std::vector<AreaCounts> count_by_area(std::span<const std::uint32_t> area_of_premise,
                                      std::span<const FixedBroadband> broadband,
                                      const Thresholds& thresholds, std::size_t area_count);

/// Percentage `count / premises * 100`, or NaN when premises is 0.
double percentage(std::uint64_t count, std::uint64_t premises);

}  // namespace notspot::engine
