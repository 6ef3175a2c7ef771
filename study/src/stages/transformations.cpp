// How each reprojected input reaches the study CRS: the operation PROJ uses, its accuracy, and
// the warning (or, when the study requires it, the error) when a better one is not installed.

#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "notspot/engine/error.hpp"
#include "stages.hpp"

namespace notspot::study {
namespace {

std::string accuracy_text(const std::optional<double>& metres) {
  return metres ? fmt::format("accuracy {:g} m", *metres) : "accuracy unknown";
}

std::string grid_list(const std::vector<std::string>& grids) {
  std::string out;
  for (const std::string& g : grids) out += (out.empty() ? "" : ", ") + g;
  return out;
}

}  // namespace

void record_transformation(Run& run, outputs::InputRecord& input, const io::Crs& from,
                           std::optional<engine::Point> near, const std::string& display) {
  const io::TransformationChoice choice = io::choose_transformation(from, run.crs, near);
  input.transformation = choice.operation;
  input.transformation_accuracy_m = choice.accuracy_m;
  if (choice.is_best()) return;
  input.better_transformation = outputs::InputRecord::BetterTransformation{
      choice.best_operation, choice.best_accuracy_m, choice.missing_grids};

  const std::string grids =
      choice.missing_grids.empty() ? "a grid" : grid_list(choice.missing_grids);
  const std::string first_grid =
      choice.missing_grids.empty() ? "GRID_FILE" : choice.missing_grids.front();
  const std::string problem = fmt::format(
      "{}: PROJ reprojects {} to {} with '{}' ({}), because the more accurate '{}' ({}) needs {}, "
      "which PROJ cannot find",
      display, from.describe(), run.crs.describe(), choice.operation,
      accuracy_text(choice.accuracy_m), choice.best_operation,
      accuracy_text(choice.best_accuracy_m), grids);
  const std::string remedy = fmt::format(
      "install it in PROJ's data folder (PROJ searches {}), e.g. with `projsync --file {}`, or "
      "download https://cdn.proj.org/{} into one of those folders",
      io::proj_search_path(), first_grid, first_grid);
  if (run.study.require_best_transformation) {
    throw engine::study_error(fmt::format(
        "{}: [study] require_best_transformation = true, and {}; {}, or set "
        "require_best_transformation = false to accept the {}",
        run.display(run.study.file), problem, remedy, accuracy_text(choice.accuracy_m)));
  }
  std::vector<std::string>& warned = run.transformations_warned;
  if (std::find(warned.begin(), warned.end(), choice.best_operation) != warned.end()) return;
  warned.push_back(choice.best_operation);
  run.log.warn("transformation",
               fmt::format("{}; to use it, {} (set [study] require_best_transformation = true to "
                           "make this an error)",
                           problem, remedy));
}

}  // namespace notspot::study
