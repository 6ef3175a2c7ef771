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

std::string columns(const io::PremisesLoad& premises) {
  if (premises.x_column.empty()) return "the points' coordinates";
  return premises.x_column + " and " + premises.y_column;
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
  const auto sampled = static_cast<double>(x.size());

  const std::string counted = fmt::format("{}: {} of {} premises are outside every area", display,
                                          outside.size(), area_of.size());
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
          counted, columns(premises), file_crs.describe());
    }
  }
  // Swapped columns put the points among the areas once swapped back. Only a clear majority
  // counts: premises genuinely beyond the areas (a national file, a county's parishes) land
  // in the areas' box by chance far less often.
  const double as_given = share_inside(x, y, file_crs, study_crs, areas_extent);
  const double swapped = share_inside(y, x, file_crs, study_crs, areas_extent);
  if (swapped >= 0.5 && swapped > 2 * as_given) {
    // Naming the columns replaces the default CRS that came with their names, so say it too.
    const std::string crs =
        file_crs.authority_code().empty() ? file_crs.definition() : file_crs.authority_code();
    const std::string fix =
        premises.x_column.empty()
            ? std::string("swap the coordinates")
            : fmt::format("set x = \"{}\", y = \"{}\" and crs = \"{}\" in [premises]",
                          premises.y_column, premises.x_column, crs);
    return fmt::format(
        "{}, and {:.0f}% of them would fall among the areas with x and y exchanged: {} look "
        "swapped; {}",
        counted, 100 * swapped, columns(premises), fix);
  }
  return std::nullopt;
}

}  // namespace

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
