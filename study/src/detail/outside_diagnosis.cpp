#include "detail/outside_diagnosis.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "notspot/engine/area_index.hpp"
#include "notspot/engine/error.hpp"

namespace notspot::study::detail {
namespace {

constexpr std::size_t kSampleSize = 4096;

bool inside(const engine::Box& box, double x, double y) {
  return x >= box.xmin && x <= box.xmax && y >= box.ymin && y <= box.ymax;
}

// The share of (x, y), in `from` coordinates, that lands inside `box` (study coordinates).
double share_inside(std::vector<double> x, std::vector<double> y, const io::Crs& from,
                    const io::Crs& study_crs, const engine::Box& box) {
  const io::CoordinateTransform to_study(from, study_crs);
  to_study.transform(x, y);
  std::size_t n = 0;
  for (std::size_t i = 0; i < x.size(); ++i) n += inside(box, x[i], y[i]) ? 1 : 0;
  return static_cast<double>(n) / static_cast<double>(x.size());
}

std::string columns(const std::string& x_column, const std::string& y_column) {
  if (x_column.empty()) return "the points' coordinates";
  return x_column + " and " + y_column;
}

std::string crs_key(const io::Crs& crs) {
  return crs.authority_code().empty() ? crs.definition() : crs.authority_code();
}

std::optional<std::string> explain(const io::PremisesLoad& premises, const io::Crs& study_crs,
                                   std::span<const std::uint32_t> area_of,
                                   const engine::Box& areas_extent, const std::string& display) {
  if (!premises.crs || areas_extent.empty()) return std::nullopt;
  const auto outside_count = static_cast<std::size_t>(
      std::count(area_of.begin(), area_of.end(), engine::AreaIndex::kOutside));
  if (outside_count == 0 || 2 * outside_count <= area_of.size()) return std::nullopt;
  std::vector<std::size_t> outside;
  outside.reserve(outside_count);
  for (std::size_t i = 0; i < area_of.size(); ++i) {
    if (area_of[i] == engine::AreaIndex::kOutside) outside.push_back(i);
  }

  // An even spread of the outside premises, back in the file's own coordinates.
  const std::size_t step = std::max<std::size_t>(1, outside.size() / kSampleSize);
  std::vector<double> x, y;
  for (std::size_t k = 0; k < outside.size(); k += step) {
    x.push_back(premises.table.x[outside[k]]);
    y.push_back(premises.table.y[outside[k]]);
  }
  const io::Crs& file_crs = *premises.crs;
  io::CoordinateTransform(study_crs, file_crs).transform(x, y);
  return diagnose_coordinates(
      std::move(x), std::move(y), file_crs, study_crs, areas_extent, premises.x_column,
      premises.y_column,
      fmt::format("{}: {} of {} premises are outside every area", display, outside.size(),
                  area_of.size()));
}

}  // namespace

std::optional<std::string> diagnose_coordinates(std::vector<double> x, std::vector<double> y,
                                                const io::Crs& file_crs,
                                                const io::Crs& study_crs,
                                                const engine::Box& areas_extent,
                                                const std::string& x_column,
                                                const std::string& y_column,
                                                const std::string& counted) {
  if (x.empty() || areas_extent.empty()) return std::nullopt;
  const auto sampled = static_cast<double>(x.size());
  const std::string named = columns(x_column, y_column);
  if (!file_crs.is_geographic()) {
    std::size_t degrees = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      degrees += std::abs(x[i]) <= 180 && std::abs(y[i]) <= 90 ? 1 : 0;
    }
    if (static_cast<double>(degrees) >= 0.9 * sampled) {
      return fmt::format(
          "{}, and {} hold values within +/-180 and +/-90: they look like longitude/latitude in "
          "degrees, not coordinates of {}; set crs = \"EPSG:4326\" in [premises] (or, if the "
          "file has columns in that CRS, name them with x and y)",
          counted, named, file_crs.describe());
    }
  } else if (!study_crs.is_geographic()) {
    // Eastings and northings in the columns of a geographic CRS: far beyond +/-180 and +/-90,
    // and among the areas when read as the study CRS's own coordinates.
    std::size_t beyond = 0;
    std::size_t among = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      beyond += std::abs(x[i]) > 360 || std::abs(y[i]) > 360 ? 1 : 0;
      among += inside(areas_extent, x[i], y[i]) ? 1 : 0;
    }
    if (static_cast<double>(beyond) >= 0.9 * sampled) {
      const bool as_study = static_cast<double>(among) >= 0.5 * sampled;
      return fmt::format(
          "{}, and {} hold values far beyond +/-180 and +/-90: they look like coordinates in "
          "metres, not degrees of {}; {}",
          counted, named, file_crs.describe(),
          as_study ? fmt::format("they fall among the areas as coordinates of {}: set crs = "
                                 "\"{}\" in [premises]",
                                 study_crs.describe(), crs_key(study_crs))
                   : std::string("set crs in [premises] to the CRS they are in"));
    }
  }
  // Swapped columns put the points among the areas once swapped back. Only a clear majority
  // counts: premises genuinely beyond the areas (a national file, a county's parishes) land
  // in the areas' box by chance far less often.
  const double as_given = share_inside(x, y, file_crs, study_crs, areas_extent);
  const double swapped = share_inside(y, x, file_crs, study_crs, areas_extent);
  if (swapped >= 0.5 && swapped > 2 * as_given) {
    // Naming the columns replaces the default CRS that came with their names, so say it too.
    const std::string fix =
        x_column.empty() ? std::string("swap the coordinates")
                         : fmt::format("set x = \"{}\", y = \"{}\" and crs = \"{}\" in [premises]",
                                       y_column, x_column, crs_key(file_crs));
    return fmt::format(
        "{}, and {:.0f}% of them would fall among the areas with x and y exchanged: {} look "
        "swapped; {}",
        counted, 100 * swapped, named, fix);
  }
  return std::nullopt;
}

std::optional<std::string> explain_premises_outside(const io::PremisesLoad& premises,
                                                    const io::Crs& study_crs,
                                                    std::span<const std::uint32_t> area_of,
                                                    const engine::Box& areas_extent,
                                                    const std::string& display) {
  // A hint must never stop a run: without a transformation back, there is no hint.
  try {
    return explain(premises, study_crs, area_of, areas_extent, display);
  } catch (const engine::Error&) {
    return std::nullopt;
  }
}

}  // namespace notspot::study::detail
