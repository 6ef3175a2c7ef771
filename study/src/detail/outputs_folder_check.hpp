#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "notspot/study/study.hpp"

namespace notspot::study::detail {

/**
 * Why `outputs_dir` may not hold a run's outputs, or nullopt when it may: it is, contains or
 * lies inside a folder input (a Shapefile or FileGDB folder), or it is or contains the folder
 * of a file input (premises, areas, layers) or of the study file. `out/` beside the study file
 * and its inputs is fine. Paths are compared with their links resolved. The message names the
 * input and its study key; the caller prefixes where the folder was named.
 */
std::optional<std::string> outputs_folder_conflict(const Study& study,
                                                   const std::filesystem::path& outputs_dir);

}  // namespace notspot::study::detail
