// The indicators stage and the quality gates.

#include <fmt/format.h>

#include "notspot/engine/mobile_coverage.hpp"
#include "layer_kinds.hpp"
#include "stages.hpp"

namespace notspot::study {
namespace {

// Digital exclusion needs its mobile group ([digital_exclusion], default 4G indoor).
void count_digitally_excluded(Run& run) {
  const DigitalExclusion& exclusion = run.study.digital_exclusion;
  for (const MobileGroupResult& g : run.mobile.groups) {
    if (g.technology == exclusion.mobile_technology && g.setting == exclusion.mobile_setting) {
      run.exclusion_group = &g;
    }
  }
  run.record.digital_exclusion = {exclusion.mobile_technology, exclusion.mobile_setting,
                                  run.exclusion_group != nullptr};
  if (run.exclusion_group != nullptr) {
    run.figures.excluded =
        engine::count_digitally_excluded(run.area_of, run.broadband, run.study.thresholds,
                                         run.exclusion_group->any_covered, run.areas.areas.size());
  } else if (!run.mobile.groups.empty()) {
    run.log.warn("mobile", fmt::format("no {} {} layers: digital exclusion ([digital_exclusion]) "
                                       "is not computed",
                                       exclusion.mobile_technology, exclusion.mobile_setting));
  }
}

double fraction(std::uint64_t n, std::uint64_t of) {
  return of == 0 ? 0.0 : static_cast<double>(n) / static_cast<double>(of);
}

void gate(Run& run, std::string limit_key, std::string layer, double value, double limit,
          std::string explanation) {
  const std::string suffix = layer.empty() ? "" : " (" + layer + ")";
  std::string measure = limit_key.substr(limit_key.find('_') + 1) + suffix;  // "max_x" -> "x"
  run.record.quality.push_back({limit_key + suffix, std::move(measure), value, limit,
                                value <= limit, std::move(explanation)});
}

}  // namespace

void count_indicators(Run& run) {
  run.progress.stage("Counting indicators");
  const std::size_t area_count = run.areas.areas.size();
  run.counts = engine::count_by_area(run.area_of, run.broadband, run.study.thresholds, area_count);
  for (const engine::AreaCounts& c : run.counts) run.record.study_total += c;
  count_digitally_excluded(run);
  detail::StudyFigures& figures = run.figures;
  figures.study_name = run.study.name;
  figures.areas = run.areas.areas;
  figures.fixed = run.counts;
  figures.mobile = &run.mobile;
  if (!run.crs.is_geographic()) {
    for (const io::Area& a : run.areas.areas) {
      figures.land_km2.push_back(engine::area(a.geometry) / 1e6);
    }
  }
  figures.thresholds = run.study.thresholds;
  figures.digital_exclusion = run.study.digital_exclusion;
  figures.layer_kinds.clear();
  for (const io::LayerSource& layer : run.study.layers) {
    figures.layer_kinds.emplace_back(layer_kind_info(layer.kind).name);
  }
  run.record.table = detail::build_stats_table(figures);
  run.time_stage("count_indicators");
}

void check_quality(Run& run) {
  const outputs::PremisesLedger& premises = run.record.premises;
  const outputs::QualityLimits& limits = run.study.quality;
  const engine::AreaCounts& total = run.record.study_total;
  gate(run, "max_rejected_share", "", fraction(premises.rejected, premises.read),
       limits.max_rejected_share, "");
  gate(run, "max_outside_share", "", fraction(premises.outside, premises.read),
       limits.max_outside_share, run.outside_explanation.value_or(""));
  // A fixed-broadband file for the wrong area or vintage passes every row check; these two say
  // how little of it fits the premises.
  gate(run, "max_no_data_share", "",
       fraction(total.count(engine::Indicator::kNoData), total.premises), limits.max_no_data_share,
       "");
  for (const outputs::FixedLayerLedger& l : run.record.fixed_layers) {
    const std::uint64_t usable = l.read - l.rejected;
    const double unmatched = fraction(l.unmatched, usable);
    gate(run, "max_unmatched_share", l.name, unmatched, limits.max_unmatched_share,
         unmatched > limits.max_unmatched_share
             ? fmt::format("{}: {} of {} rows have a {} that matches no premise; is it the file "
                           "for this study's area and the same vintage as the premises?",
                           l.file, l.unmatched, usable, l.key_column)
             : "");
  }
  // Checks no [quality] limit relaxes: a run that places no premise in any area, or whose
  // coordinates are diagnosed as another CRS's or swapped, has wrong figures whatever the
  // limits say.
  const double assigned = fraction(premises.assigned, premises.read);
  run.record.quality.push_back(
      {"premises_assigned", "assigned_share", assigned, 0, premises.assigned > 0,
       premises.assigned > 0
           ? ""
           : fmt::format("none of the {} premises read is inside an area, so every figure is "
                         "zero; {}",
                         premises.read,
                         run.outside_explanation
                             ? std::string("premises_coordinates says why")
                             : std::string("are the premises for this study's areas, and do "
                                           "[premises] x, y and crs describe their "
                                           "coordinates?")),
       true});
  run.record.quality.push_back({"premises_coordinates", "outside_share",
                                fraction(premises.outside, premises.read), 0,
                                !run.outside_explanation, run.outside_explanation.value_or(""),
                                true});
}

}  // namespace notspot::study
