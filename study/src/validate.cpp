#include "notspot/study/validate.hpp"

#include <fmt/format.h>

#include <cmath>
#include <vector>

#include "detail/outside_diagnosis.hpp"
#include "layer_kinds.hpp"
#include "notspot/engine/error.hpp"
#include "notspot/io/areas_reader.hpp"
#include "notspot/io/crs.hpp"
#include "notspot/io/places_reader.hpp"
#include "notspot/io/premises_reader.hpp"
#include "notspot/study/run.hpp"

namespace notspot::study {
namespace {

// `box` (in `from`) in `to`: the bounding box of its edges, each cut into 20 steps, so that a
// curved image of a straight edge is covered.
engine::Box box_in(const engine::Box& box, const io::Crs& from, const io::Crs& to) {
  constexpr int kSteps = 20;
  std::vector<double> x, y;
  for (int i = 0; i <= kSteps; ++i) {
    const double t = static_cast<double>(i) / kSteps;
    const double bx = box.xmin + t * box.width();
    const double by = box.ymin + t * box.height();
    x.insert(x.end(), {bx, bx, box.xmin, box.xmax});
    y.insert(y.end(), {box.ymin, box.ymax, by, by});
  }
  io::CoordinateTransform(from, to).transform(x, y);
  engine::Box out;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (std::isfinite(x[i]) && std::isfinite(y[i])) out.expand(engine::Point{x[i], y[i]});
  }
  return out;
}

std::string describe(const engine::Box& box) {
  if (box.empty()) return "none";
  return fmt::format("{:.10g}, {:.10g} to {:.10g}, {:.10g}", box.xmin, box.ymin, box.xmax,
                     box.ymax);
}

// Samples the premises and checks that they fall among the areas: a study whose premises are
// in another CRS than it says, in swapped columns, or elsewhere entirely, would run and assign
// nothing. The diagnosis is the run's own (detail::diagnose_coordinates).
void check_premises_extent(const Study& study, const io::Crs& study_crs,
                           const engine::Box& areas_extent, ValidationReport& report) {
  const std::string display = display_path(study, study.premises.path);
  const io::PremisesSample sample = io::sample_premises(study.premises, display);
  const std::size_t total = sample.x.size();
  const std::string unparsed =
      sample.unparsed == 0
          ? std::string()
          : fmt::format("; {} sampled rows have no usable coordinates", sample.unparsed);
  if (total == 0) {
    report.notes.push_back(
        fmt::format("premises sample: no row with coordinates to compare with the areas{}",
                    unparsed));
    return;
  }
  std::vector<double> x = sample.x;
  std::vector<double> y = sample.y;
  io::CoordinateTransform(sample.crs, study_crs).transform(x, y);
  engine::Box sample_extent;
  std::size_t inside = 0;
  std::vector<double> outside_x, outside_y;  // in the file's coordinates
  for (std::size_t i = 0; i < total; ++i) {
    const bool finite = std::isfinite(x[i]) && std::isfinite(y[i]);
    if (finite) sample_extent.expand(engine::Point{x[i], y[i]});
    if (finite && areas_extent.contains(engine::Point{x[i], y[i]})) {
      ++inside;
    } else {
      outside_x.push_back(sample.x[i]);
      outside_y.push_back(sample.y[i]);
    }
  }
  const std::size_t outside = outside_x.size();
  if (2 * outside > total) {
    const std::optional<std::string> why = detail::diagnose_coordinates(
        std::move(outside_x), std::move(outside_y), sample.crs, study_crs, areas_extent,
        sample.x_column, sample.y_column,
        fmt::format("{}: {} of {} sampled premises are outside the areas' extent", display,
                    outside, total));
    if (why) {
      report.study_problems.push_back(*why);
      return;
    }
  }
  if (inside == 0) {
    const std::string where =
        sample_extent.empty() || !sample_extent.intersects(areas_extent)
            ? "does not overlap it"
            : "overlaps it, but no sampled premise falls inside it";
    const std::string columns =
        sample.x_column.empty()
            ? std::string()
            : fmt::format(" and x, y (now \"{}\", \"{}\")", sample.x_column, sample.y_column);
    report.study_problems.push_back(fmt::format(
        "{}: none of {} sampled premises is inside the areas' extent ({} in {}); their extent "
        "({}) {}: the premises are elsewhere, or their coordinates are not in {}; check that "
        "[premises] path is the premises file for these areas, and set crs (now \"{}\"){} in "
        "[premises] to the CRS and columns that hold the file's coordinates",
        display, total, describe(areas_extent), study_crs.describe(), describe(sample_extent),
        where, sample.crs.describe(),
        sample.crs.authority_code().empty() ? sample.crs.definition()
                                            : sample.crs.authority_code(),
        columns));
    return;
  }
  report.notes.push_back(fmt::format("premises sample: {} of {} inside the areas' extent ({}){}",
                                     inside, total,
                                     sample.whole_file ? "every row read"
                                                       : "rows spread evenly over the file",
                                     unparsed));
}

}  // namespace

ValidationReport validate_study(const Study& study) {
  ValidationReport report;
  auto attempt = [&](auto&& check) {
    try {
      check();
    } catch (const engine::Error& e) {
      (e.kind() == engine::ErrorKind::kStudy ? report.study_problems : report.input_problems)
          .push_back(e.what());
    }
  };
  std::optional<io::Crs> study_crs;
  attempt([&] {
    study_crs =
        io::Crs::from_definition(study.crs, display_path(study, study.file) + ": [study] crs");
    report.notes.push_back("study CRS: " + study_crs->describe());
  });
  // A source's CRS is usable when PROJ can transform it to the study's.
  auto note = [&](const std::string& description, const io::Crs& crs) {
    if (study_crs) io::CoordinateTransform check(crs, *study_crs);
    report.notes.push_back(description + ", CRS " + crs.describe());
  };
  io::ProblemLog log;
  std::optional<engine::Box> areas_extent;  // in the study CRS
  attempt([&] {
    const io::AreasInspection areas =
        io::inspect_areas(study.areas, display_path(study, study.areas.path), log);
    note("areas: " + areas.description, areas.crs);
    if (study_crs && areas.extent) areas_extent = box_in(*areas.extent, areas.crs, *study_crs);
  });
  bool premises_usable = false;
  attempt([&] {
    const io::PremisesInspection premises =
        io::inspect_premises(study.premises, display_path(study, study.premises.path));
    note("premises: " + premises.description, premises.crs);
    premises_usable = true;
  });
  if (study_crs && premises_usable && areas_extent && !areas_extent->empty()) {
    attempt([&] { check_premises_extent(study, *study_crs, *areas_extent, report); });
  }
  for (const io::LayerSource& layer : study.layers) {
    attempt([&] {
      const LayerInspection inspection =
          layer_kind_info(layer.kind).inspect(layer, display_path(study, layer.path), log);
      if (inspection.crs) {
        note(inspection.description, *inspection.crs);
      } else {
        report.notes.push_back(inspection.description);
      }
    });
  }
  if (study.report_places && study_crs) {
    // Places are small (a few hundred towns): read them whole, as the run will.
    attempt([&] {
      const io::PlacesLoad places = io::read_places(
          *study.report_places, *study_crs, display_path(study, study.report_places->path), log);
      report.notes.push_back(fmt::format("places: {} read from {} for the maps' labels",
                                         places.places.size(),
                                         display_path(study, study.report_places->path)));
    });
  }
  for (const io::Warning& w : log.warnings()) report.notes.push_back("warning: " + w.message);
  return report;
}

}  // namespace notspot::study
