#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace notspot::cli {

/// What `notspot show` was asked to do.
struct ShowArguments {
  std::string dir;                  ///< An outputs folder `notspot run` published.
  std::size_t top = 10;             ///< --top: how many areas most in need. REQUIRES: >= 1.
  std::optional<std::string> area;  ///< --area: the id of the area whose profile to show.
};

/**
 * `notspot show`: prints, from a published run's manifest.json and parish_stats.csv (nothing is
 * recomputed), the areas most in need of gigabit-capable broadband (as report.html ranks them),
 * or with --area one area's profile: every measure with its label, the area's figure and the
 * study total. A null figure reads "not measured", never 0. A run that failed a data-quality
 * check says so on its first line.
 * @return kSuccess.
 * @throws engine::Error (kUsage) when the folder is not a notspot outputs folder or the area id
 *   is unknown (the message suggests the nearest id); (kInput) when a file is damaged.
 */
int show_command(const ShowArguments& arguments);

}  // namespace notspot::cli
