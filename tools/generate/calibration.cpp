#include "calibration.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "notspot/engine/error.hpp"
#include "random.hpp"
#include "real_data.hpp"
#include "value_noise.hpp"

namespace notspot::generate {
namespace {

using engine::SubsidyStatus;

/// Tiers from best to worst; the rank order of premises is cut into these.
enum Tier : std::size_t {
  kGigabit,      ///< >= 1000 down: FTTP, or DOCSIS 3.1 cable.
  kUltrafast,    ///< 300..999.9: cable, G.fast.
  kSuperfast,    ///< 30..299.9: mostly FTTC.
  kDecentFixed,  ///< 10..29.9 down and >= 1 up by fixed line.
  kDecentFwa,    ///< 10..29.9 down by FWA, where the line alone could not give 10 Mbit/s.
  kBelowUso,     ///< < 10 down or < 1 up.
  kTierCount,
};

double round1(double v) {
  return std::round(v * 10.0) / 10.0;
}

/**
 * The service of a premise in a tier. `q` in [0, 1] is its position within the tier (0 = best
 * ranked), so speeds fall off smoothly with rurality inside a tier too. Speeds are clamped
 * into the tier's range after rounding, so that the tier (and so every indicator) is exact.
 */
FixedService make_service(Tier tier, double q, bool cable, const FixedTargets& targets, Rng& rng) {
  FixedService s;
  const double u = rng.uniform();
  switch (tier) {
    case kGigabit:
      if (cable) {
        s = u < 0.7 ? FixedService{1130, 104, Technology::kCable}
                    : FixedService{1000, 100, Technology::kCable};
      } else if (u < 0.55) {
        s = {1000, 115, Technology::kFttp};
      } else if (u < 0.70) {
        s = {1000, 220, Technology::kFttp};
      } else if (u < 0.80) {
        s = {1000, 1000, Technology::kFttp};
      } else if (u < 0.88) {
        s = {1600, 115, Technology::kFttp};
      } else if (u < 0.95) {
        s = {1800, 120, Technology::kFttp};
      } else {
        s = {2000, 2000, Technology::kFttp};
      }
      return s;
    case kUltrafast:
      if (u < 0.5) return {500, 52, Technology::kCable};
      if (u < 0.75) return {350, 36, Technology::kCable};
      return {330, 50, Technology::kGfast};
    case kSuperfast:
      // The best of the tier: some G.fast and (older) cable packages; the worst: some FWA.
      if (q < 0.08 && u < 0.5) {
        s = {100 + 60 * rng.uniform(), 20 + 20 * rng.uniform(), Technology::kGfast};
      } else if (q < 0.3 && u >= 0.5 && u < 0.58) {
        s = {100 + 150 * rng.uniform(), 10 + 15 * rng.uniform(), Technology::kCable};
      } else if (q > 0.92 && u < 0.3) {
        s = {30 + 30 * rng.uniform(), 5 + 10 * rng.uniform(), Technology::kFwa};
      } else {
        s.technology = Technology::kFttc;
        s.down_mbps = 30 + 50 * std::pow(1 - q, 0.7) + 4 * rng.normal();
        s.up_mbps = std::clamp(0.25 * s.down_mbps, 6.0, 20.0);
      }
      s.down_mbps = std::clamp(round1(s.down_mbps), 30.0, 299.9);
      s.up_mbps = round1(s.up_mbps);
      return s;
    case kDecentFixed:
      if (u < 0.03) {
        s = {20 + 9 * rng.uniform(), 2 + 2 * rng.uniform(), Technology::kSatellite};
      } else if (q > 0.7 && u < 0.35) {
        s = {10 + 7 * rng.uniform(), 1 + 0.3 * rng.uniform(), Technology::kAdsl};
      } else {
        s.technology = Technology::kFttc;
        s.down_mbps = 10 + 19.9 * (1 - q) + 2 * rng.normal();
        s.up_mbps = std::clamp(0.2 * s.down_mbps, 1.0, 6.0);
      }
      s.down_mbps = std::clamp(round1(s.down_mbps), 10.0, 29.9);
      s.up_mbps = std::max(round1(s.up_mbps), 1.0);
      return s;
    case kDecentFwa:
      s = {10 + 19.9 * rng.uniform(), 1 + 4 * rng.uniform(), Technology::kFwa};
      s.down_mbps = std::clamp(round1(s.down_mbps), 10.0, 29.9);
      s.up_mbps = std::max(round1(s.up_mbps), 1.0);
      return s;
    case kBelowUso:
    case kTierCount:
      break;
  }
  // Below the USO. The best few have 10+ down but less than 1 up (the USO's upload
  // condition); the rest follow Ofcom's sub-10 Mbit/s speed bands, worst last.
  s.technology = rng.chance(0.08) ? Technology::kSatellite : Technology::kAdsl;
  constexpr double kUploadLimited = 0.08;
  if (q < kUploadLimited) {
    s.down_mbps = std::clamp(round1(10 + 5 * rng.uniform()), 10.0, 14.9);
    s.up_mbps = std::clamp(round1(0.4 + 0.5 * rng.uniform()), 0.1, 0.9);
    return s;
  }
  const double r = (q - kUploadLimited) / (1 - kUploadLimited);
  const double bands = static_cast<double>(targets.band_5_10 + targets.band_2_5 + targets.band_0_2);
  const double c1 = bands > 0 ? static_cast<double>(targets.band_5_10) / bands : 0.4;
  const double c2 = bands > 0 ? c1 + static_cast<double>(targets.band_2_5) / bands : 0.8;
  if (r < c1) {
    s.down_mbps = 9.9 - 4.9 * (r / c1);
  } else if (r < c2) {
    s.down_mbps = 4.9 - 2.9 * ((r - c1) / (c2 - c1));
  } else {
    s.down_mbps = 1.9 - 1.6 * ((r - c2) / std::max(1e-9, 1 - c2));
  }
  s.down_mbps = std::clamp(round1(s.down_mbps + 0.2 * rng.normal()), 0.3, 9.9);
  s.up_mbps = std::clamp(round1(0.1 * s.down_mbps), 0.1, 0.9);
  return s;
}

BdukRecord make_bduk(const std::optional<FixedService>& service, double rural, Rng& rng) {
  BdukRecord record;
  record.recognised = !rng.chance(0.02);
  record.current_gigabit = service && service->down_mbps >= 1000;
  if (record.current_gigabit) {
    record.status = rng.chance(0.03) ? SubsidyStatus::kUnderReview : SubsidyStatus::kGreyBlack;
    record.future_gigabit = true;
    return record;
  }
  // Commercial plans concentrate in towns; what is left is White, and part of that is in a
  // Project Gigabit contract (planned, so future_gigabit).
  const double commercial = 0.55 * (1 - rural);
  const double u = rng.uniform();
  if (u < commercial) {
    record.status = SubsidyStatus::kGreyBlack;
    record.future_gigabit = true;
  } else if (u < commercial + 0.08) {
    record.status = SubsidyStatus::kUnderReview;
    record.future_gigabit = rng.chance(0.3);
  } else {
    record.status = SubsidyStatus::kWhite;
    record.future_gigabit = rng.chance(0.5);
  }
  return record;
}

}  // namespace

FixedTargets FixedTargets::from_ofcom(const OfcomRow& row) {
  auto count = [&](const std::string& column) {
    const double v = row.number(column);
    if (v < 0 || v != std::floor(v)) {
      throw engine::input_error(row.file.string() + ": column '" + column +
                                "' is not a whole number of premises");
    }
    return static_cast<std::uint64_t>(v);
  };
  auto text = [&](const std::string& column) {
    const auto it = row.values.find(column);
    return it == row.values.end() ? std::string() : it->second;
  };
  FixedTargets t;
  t.laua = text("laua");
  t.name = text("laua_name");
  t.premises = count("All Premises");
  t.matched = count("All Matched Premises");
  t.superfast = count("Number of premises with SFBB availability");
  t.ultrafast = count("Number of premises with UFBB availability");
  t.full_fibre = count("Number of premises with Full Fibre availability");
  t.gigabit = count("Number of premises with Gigabit availability");
  t.below_uso = count("Number of premises below the USO");
  t.unable_10 = count("Number of premises unable to receive 10Mbit/s");
  t.band_0_2 = count("Number of premises with 0<2Mbit/s download speed");
  t.band_2_5 = count("Number of premises with 2<5Mbit/s download speed");
  t.band_5_10 = count("Number of premises with 5<10Mbit/s download speed");
  t.superfast_pct = row.number("SFBB availability (% premises)");
  t.ultrafast_pct = row.number("UFBB availability (% premises)");
  t.full_fibre_pct = row.number("Full Fibre availability (% premises)");
  t.gigabit_pct = row.number("Gigabit availability (% premises)");
  t.below_uso_pct = row.number("% of premises below the USO");
  // The tiers are nested; a file that says otherwise cannot be calibrated against.
  if (!(t.full_fibre <= t.gigabit && t.gigabit <= t.ultrafast && t.ultrafast <= t.superfast &&
        t.superfast + t.below_uso <= t.matched && t.matched <= t.premises)) {
    throw engine::input_error(
        row.file.string() + ": the counts for " + t.laua +
        " are not nested (need full fibre <= gigabit <= UFBB <= SFBB, SFBB + below USO <= "
        "All Matched Premises <= All Premises)");
  }
  return t;
}

std::string_view technology_name(Technology technology) {
  switch (technology) {
    case Technology::kFttp:
      return "FTTP";
    case Technology::kCable:
      return "Cable";
    case Technology::kGfast:
      return "G.fast";
    case Technology::kFttc:
      return "FTTC";
    case Technology::kAdsl:
      return "ADSL";
    case Technology::kFwa:
      return "FWA";
    case Technology::kSatellite:
      return "Satellite";
  }
  return "?";
}

std::string_view subsidy_status_name(SubsidyStatus status) {
  switch (status) {
    case SubsidyStatus::kWhite:
      return "Gigabit White";
    case SubsidyStatus::kGreyBlack:
      return "Gigabit Grey/Black";
    case SubsidyStatus::kUnderReview:
      return "Gigabit Under Review";
    case SubsidyStatus::kUnknown:
      break;
  }
  return "";
}

FixedCalibration calibrate_fixed(std::span<const PremiseProfile> premises,
                                 const FixedTargets& targets, const CalibrationOptions& options) {
  const std::size_t n = premises.size();
  FixedCalibration result;
  result.services.resize(n);
  result.bduk.resize(n);
  result.rurality.resize(n);

  // Rurality score: standardised log spacing (over the inside premises) + smooth field + noise.
  double sum = 0, sum2 = 0, inside_count = 0;
  std::vector<double> log_spacing(n);
  for (std::size_t i = 0; i < n; ++i) {
    log_spacing[i] = std::log(std::clamp(premises[i].spacing, 1.0, 1e5));
    if (!premises[i].inside) continue;
    sum += log_spacing[i];
    sum2 += log_spacing[i] * log_spacing[i];
    ++inside_count;
  }
  const double mean = inside_count > 0 ? sum / inside_count : 0;
  const double sd =
      inside_count > 1 ? std::sqrt(std::max(1e-12, sum2 / inside_count - mean * mean)) : 1;
  Rng noise(options.seed, "rurality noise");
  const std::uint64_t coarse_seed = mix64(options.seed ^ hash_label("coarse field"));
  const std::uint64_t fine_seed = mix64(options.seed ^ hash_label("fine field"));
  std::vector<double> urban_key(n);  // lower = more urban, for placing cable
  for (std::size_t i = 0; i < n; ++i) {
    const double density = (log_spacing[i] - mean) / sd;
    const double field =
        (value_noise(premises[i].position, options.field_cell, coarse_seed) +
         0.5 * value_noise(premises[i].position, options.fine_field_cell, fine_seed)) /
        std::sqrt(1.25);
    result.rurality[i] = options.density_weight * density + options.field_weight * field +
                         options.noise_weight * noise.normal();
    urban_key[i] = density + 0.5 * noise.normal();
  }

  // Rank the inside premises that have a speed row, best (least rural) first.
  std::vector<std::size_t> ranked;
  for (std::size_t i = 0; i < n; ++i)
    if (premises[i].inside && premises[i].has_speed_row) ranked.push_back(i);
  std::sort(ranked.begin(), ranked.end(), [&](std::size_t a, std::size_t b) {
    return result.rurality[a] < result.rurality[b] ||
           (result.rurality[a] == result.rurality[b] && a < b);
  });
  if (ranked.size() < targets.superfast + targets.below_uso) {
    throw engine::internal_error("calibration: " + std::to_string(ranked.size()) +
                                 " premises with speed rows cannot meet the targets");
  }
  const std::uint64_t decent = ranked.size() - targets.superfast - targets.below_uso;
  const std::uint64_t fwa = std::min(
      decent, targets.unable_10 > targets.below_uso ? targets.unable_10 - targets.below_uso : 0);
  const std::array<std::uint64_t, kTierCount> size = {
      targets.gigabit,
      targets.ultrafast - targets.gigabit,
      targets.superfast - targets.ultrafast,
      decent - fwa,
      fwa,
      targets.below_uso,
  };

  // Cut the ranking into tiers; remember each tier's score range for the outside premises.
  std::array<std::size_t, kTierCount + 1> start{};
  for (std::size_t t = 0; t < kTierCount; ++t) start[t + 1] = start[t] + size[t];
  std::array<double, kTierCount> lo{}, hi{};
  for (std::size_t t = 0; t < kTierCount; ++t) {
    lo[t] = size[t] > 0 ? result.rurality[ranked[start[t]]] : 0;
    hi[t] = size[t] > 0 ? result.rurality[ranked[start[t + 1] - 1]] : lo[t];
  }

  // Cable takes the most urban of the gigabit tier (Virgin Media's network is in towns).
  const std::uint64_t cable = targets.gigabit - targets.full_fibre;
  std::vector<std::size_t> gigabit(ranked.begin(),
                                   ranked.begin() + static_cast<long>(size[kGigabit]));
  std::sort(gigabit.begin(), gigabit.end(), [&](std::size_t a, std::size_t b) {
    return urban_key[a] < urban_key[b] || (urban_key[a] == urban_key[b] && a < b);
  });
  std::vector<bool> is_cable(n, false);
  for (std::size_t k = 0; k < cable; ++k) is_cable[gigabit[k]] = true;
  const double cable_key_limit = cable > 0 ? urban_key[gigabit[cable - 1]] : -1e300;

  Rng service_rng(options.seed, "fixed services");
  for (std::size_t t = 0; t < kTierCount; ++t) {
    for (std::size_t k = start[t]; k < start[t + 1]; ++k) {
      const double q =
          size[t] > 1 ? static_cast<double>(k - start[t]) / static_cast<double>(size[t] - 1) : 0;
      const std::size_t i = ranked[k];
      result.services[i] = make_service(static_cast<Tier>(t), q, is_cable[i], targets, service_rng);
    }
  }

  // Premises outside (and inside ones nobody ranked) get the tier their score falls in.
  std::vector<double> sorted_scores;
  for (std::size_t i : ranked) sorted_scores.push_back(result.rurality[i]);
  for (std::size_t i = 0; i < n; ++i) {
    if (!premises[i].has_speed_row || result.services[i]) continue;
    const double s = result.rurality[i];
    std::size_t t = 0;
    while (t + 1 < kTierCount && (size[t] == 0 || s > hi[t])) ++t;
    const double q = hi[t] > lo[t] ? std::clamp((s - lo[t]) / (hi[t] - lo[t]), 0.0, 1.0) : 0.5;
    const bool cable_here = t == kGigabit && urban_key[i] <= cable_key_limit;
    result.services[i] = make_service(static_cast<Tier>(t), q, cable_here, targets, service_rng);
  }

  Rng bduk_rng(options.seed, "bduk");
  for (std::size_t i = 0; i < n; ++i) {
    if (!premises[i].has_bduk_row) continue;
    const auto below =
        std::lower_bound(sorted_scores.begin(), sorted_scores.end(), result.rurality[i]);
    const double rural = sorted_scores.empty()
                             ? 0.5
                             : static_cast<double>(below - sorted_scores.begin()) /
                                   static_cast<double>(sorted_scores.size());
    result.bduk[i] = make_bduk(result.services[i], rural, bduk_rng);
  }
  return result;
}

engine::FixedBroadband to_engine(const std::optional<FixedService>& service,
                                 const std::optional<BdukRecord>& bduk) {
  engine::FixedBroadband fb;
  if (service) {
    fb.has_speed_record = true;
    fb.down_mbps = static_cast<float>(service->down_mbps);
    fb.up_mbps = static_cast<float>(service->up_mbps);
    fb.full_fibre = service->technology == Technology::kFttp;
  }
  if (bduk) {
    fb.has_bduk_record = true;
    fb.current_gigabit = bduk->current_gigabit;
    fb.subsidy = bduk->status;
  }
  return fb;
}

}  // namespace notspot::generate
