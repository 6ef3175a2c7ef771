#include "notspot/engine/indicators.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_reduce.h>

#include <algorithm>
#include <cmath>

#include "notspot/engine/error.hpp"

namespace notspot::engine {

namespace {
constexpr std::array<IndicatorInfo, kIndicatorCount> kCatalogue = {{
    {Indicator::kGigabit, "gigabit",
     "Gigabit-capable: download at least the gigabit threshold, or BDUK current_gigabit = true."},
    {Indicator::kUltrafast, "ultrafast",
     "Ultrafast: download at least the ultrafast threshold (gigabit-capable premises included)."},
    {Indicator::kSuperfast, "superfast",
     "Superfast: download at least the superfast threshold (gigabit-capable premises included)."},
    {Indicator::kDecent, "decent",
     "Decent broadband (USO): download and upload at least the decent thresholds."},
    {Indicator::kBelowUso, "below_uso",
     "Below the USO: a known download or upload speed under the decent thresholds (and no BDUK "
     "gigabit)."},
    {Indicator::kFullFibre, "full_fibre",
     "Full fibre: the speed row's technology is one of the full-fibre technologies (FTTP)."},
    {Indicator::kBdukWhite, "bduk_white", "BDUK subsidy control status Gigabit White."},
    {Indicator::kBdukGreyBlack, "bduk_grey_black",
     "BDUK subsidy control status Gigabit Grey or Black."},
    {Indicator::kBdukUnderReview, "bduk_under_review",
     "BDUK subsidy control status Gigabit Under Review."},
    {Indicator::kNoData, "no_data", "No row for this premise in any fixed-broadband layer."},
}};

constexpr std::array<SpeedThreshold, 5> kSpeedThresholds = {{
    {"gigabit_mbps", &Thresholds::gigabit_mbps, "Gigabit-capable: download at least (Mbit/s)"},
    {"ultrafast_mbps", &Thresholds::ultrafast_mbps, "Ultrafast: download at least (Mbit/s)"},
    {"superfast_mbps", &Thresholds::superfast_mbps, "Superfast: download at least (Mbit/s)"},
    {"decent_down_mbps", &Thresholds::decent_down_mbps,
     "Decent broadband (USO): download at least (Mbit/s)"},
    {"decent_up_mbps", &Thresholds::decent_up_mbps,
     "Decent broadband (USO): upload at least (Mbit/s)"},
}};

constexpr std::uint32_t bit(Indicator i) {
  return 1u << static_cast<unsigned>(i);
}
}  // namespace

std::span<const SpeedThreshold, 5> speed_thresholds() {
  return kSpeedThresholds;
}

std::span<const IndicatorInfo, kIndicatorCount> indicator_catalogue() {
  return kCatalogue;
}

std::uint32_t indicator_flags(const FixedBroadband& p, const Thresholds& t) {
  std::uint32_t flags = 0;
  if (!p.has_speed_record && !p.has_bduk_record) return bit(Indicator::kNoData);
  // A BDUK "current gigabit" premise is at least gigabit-capable whatever the speed layer
  // says (or lacks); NaN speeds compare false, so unknown never meets a threshold.
  const bool bduk_gigabit = p.has_bduk_record && p.current_gigabit;
  const double down = p.has_speed_record ? p.down_mbps : std::nan("");
  const double up = p.has_speed_record ? p.up_mbps : std::nan("");
  if (bduk_gigabit || down >= t.gigabit_mbps) flags |= bit(Indicator::kGigabit);
  if (bduk_gigabit || down >= t.ultrafast_mbps) flags |= bit(Indicator::kUltrafast);
  if (bduk_gigabit || down >= t.superfast_mbps) flags |= bit(Indicator::kSuperfast);
  const bool decent = bduk_gigabit || (down >= t.decent_down_mbps && up >= t.decent_up_mbps);
  if (decent) flags |= bit(Indicator::kDecent);
  // Below the USO only on evidence: a known speed under a threshold. An unknown upload with a
  // decent download is neither decent nor below the USO.
  const bool known_below = down < t.decent_down_mbps || up < t.decent_up_mbps;
  if (!decent && known_below) flags |= bit(Indicator::kBelowUso);
  if (p.has_speed_record && p.full_fibre) flags |= bit(Indicator::kFullFibre);
  if (p.has_bduk_record) {
    switch (p.subsidy) {
      case SubsidyStatus::kWhite:
        flags |= bit(Indicator::kBdukWhite);
        break;
      case SubsidyStatus::kGreyBlack:
        flags |= bit(Indicator::kBdukGreyBlack);
        break;
      case SubsidyStatus::kUnderReview:
        flags |= bit(Indicator::kBdukUnderReview);
        break;
      case SubsidyStatus::kUnknown:
        break;
    }
  }
  return flags;
}

AreaCounts& AreaCounts::operator+=(const AreaCounts& other) {
  premises += other.premises;
  for (std::size_t i = 0; i < kIndicatorCount; ++i) counts[i] += other.counts[i];
  return *this;
}

std::vector<AreaCounts> count_by_area(std::span<const std::uint32_t> area_of_premise,
                                      std::span<const FixedBroadband> broadband,
                                      const Thresholds& thresholds, std::size_t area_count) {
  if (area_of_premise.size() != broadband.size()) {
    throw internal_error("count_by_area: premises and attributes differ in length");
  }
  using Counts = std::vector<AreaCounts>;
  return tbb::parallel_reduce(
      tbb::blocked_range<std::size_t>(0, area_of_premise.size(), 1 << 16), Counts(area_count),
      [&](const tbb::blocked_range<std::size_t>& range, Counts counts) {
        for (std::size_t i = range.begin(); i != range.end(); ++i) {
          const std::uint32_t area = area_of_premise[i];
          if (area >= area_count) continue;
          AreaCounts& c = counts[area];
          ++c.premises;
          for (std::uint32_t flags = indicator_flags(broadband[i], thresholds); flags != 0;
               flags &= flags - 1) {
            ++c.counts[static_cast<std::size_t>(__builtin_ctz(flags))];
          }
        }
        return counts;
      },
      [](Counts a, const Counts& b) {
        for (std::size_t i = 0; i < a.size(); ++i) a[i] += b[i];
        return a;
      });
}

double percentage(std::uint64_t count, std::uint64_t premises) {
  if (premises == 0) return std::nan("");
  return 100.0 * static_cast<double>(count) / static_cast<double>(premises);
}

}  // namespace notspot::engine
