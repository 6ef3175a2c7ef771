#include "notspot/outputs/map_classes.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "notspot/engine/error.hpp"
#include "notspot/outputs/targets.hpp"

namespace notspot::outputs {
namespace {

// Every figure written as 0.00 lies below this: the "none" class of a lower-is-better map.
constexpr double kZeroBreak = 0.005;
constexpr double kLowest = 0;
constexpr double kHighest = 100;

// ColorBrewer YlOrRd by number of classes, palest (best) first.
const std::array<std::vector<const char*>, 9> kYlOrRd = {{
    {"#fd8d3c"},
    {"#ffeda0", "#f03b20"},
    {"#ffeda0", "#feb24c", "#f03b20"},
    {"#ffffb2", "#fecc5c", "#fd8d3c", "#e31a1c"},
    {"#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"},
    {"#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026"},
    {"#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026"},
    {"#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026"},
    {"#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#bd0026",
     "#800026"},
}};

bool lower_is_better(Direction d) {
  return d == Direction::kLowerIsBetter;
}

bool is_level(double v, std::span<const double> levels) {
  return std::any_of(levels.begin(), levels.end(),
                     [&](double l) { return std::abs(l - v) < 1e-9; });
}

std::string number(double v) {
  return fmt::format("{:g}", v);
}

std::string class_label(double lower, double upper, bool top) {
  if (lower == kLowest && upper == kZeroBreak) return "0% (none)";
  const std::string from = lower == kZeroBreak ? std::string("over 0%") : number(lower) + "%";
  if (top && lower == kLowest) return "0% to 100%";
  if (top) return lower == kZeroBreak ? from : from + " or more";
  if (lower == kLowest) return "under " + number(upper) + "%";
  return from + " to under " + number(upper) + "%";
}

}  // namespace

std::vector<double> map_breaks(Direction direction, std::span<const double> values,
                               std::span<const double> target_levels) {
  std::vector<double> breaks = lower_is_better(direction)
                                   ? std::vector<double>{kZeroBreak, 1, 5, 10, 25, 50}
                                   : std::vector<double>{50, 80, 90, 95, 99};
  for (double level : target_levels) {
    if (level > kLowest && level < kHighest && !is_level(level, breaks)) breaks.push_back(level);
  }
  std::sort(breaks.begin(), breaks.end());
  auto any = [&](auto predicate) { return std::any_of(values.begin(), values.end(), predicate); };
  // Empty classes at either end merge into their neighbour, unless their break is a target.
  while (!breaks.empty() && !is_level(breaks.front(), target_levels) &&
         !any([&](double v) { return v < breaks.front(); })) {
    breaks.erase(breaks.begin());
  }
  while (!breaks.empty() && !is_level(breaks.back(), target_levels) &&
         !any([&](double v) { return v >= breaks.back(); })) {
    breaks.pop_back();
  }
  return breaks;
}

MapClassification classify_map(std::string_view column, Direction direction,
                               std::span<const double> values) {
  MapClassification c;
  c.column = std::string(column);
  c.direction = direction == Direction::kNeutral ? Direction::kHigherIsBetter : direction;
  std::vector<double> levels;
  for (const Target& t : targets_for(column)) levels.push_back(t.level);
  std::vector<double> known;
  for (double v : values) {
    if (!std::isnan(v)) known.push_back(v);
  }
  const std::vector<double> breaks = map_breaks(c.direction, known, levels);
  for (double b : breaks) {
    if (is_level(b, levels)) c.target_levels.push_back(b);
  }
  std::vector<double> bounds = {kLowest};
  bounds.insert(bounds.end(), breaks.begin(), breaks.end());
  bounds.push_back(kHighest);
  const std::size_t n = bounds.size() - 1;
  const std::vector<const char*>& palette = kYlOrRd[std::min(n, kYlOrRd.size()) - 1];
  for (std::size_t i = 0; i < n; ++i) {
    MapClass k;
    k.lower = bounds[i];
    k.upper = bounds[i + 1];
    k.label = class_label(k.lower, k.upper, i + 1 == n);
    // Palest for the best class: the top one when higher is better.
    const std::size_t rank = lower_is_better(c.direction) ? i : n - 1 - i;
    k.colour = palette[std::min(rank, palette.size() - 1)];
    c.classes.push_back(std::move(k));
  }
  for (double v : values) {
    const std::size_t k = c.class_of(v);
    if (k == c.classes.size()) {
      ++c.no_data;
    } else {
      ++c.classes[k].areas;
    }
  }
  return c;
}

MapClassification classify_map(const StatsTable& table, std::string_view column) {
  const auto level = table.columns.find("level");
  const auto col = table.columns.find(column);
  if (!level || !col) {
    throw engine::internal_error("map classes: the statistics table has no column '" +
                                 std::string(level ? column : "level") + "'; please report this");
  }
  std::vector<double> values;
  for (const std::vector<Cell>& row : table.rows) {
    const auto* l = std::get_if<std::string>(&row[*level]);
    if (l == nullptr || *l != "area") continue;
    values.push_back(cell_number(row[*col], table.columns[*col]));
  }
  return classify_map(column, table.columns[*col].direction, values);
}

std::size_t MapClassification::class_of(double v) const {
  if (std::isnan(v) || classes.empty()) return classes.size();
  std::size_t k = 0;
  while (k + 1 < classes.size() && v >= classes[k + 1].lower) ++k;
  return k;
}

std::string_view MapClassification::colour_of(double v) const {
  const std::size_t k = class_of(v);
  return k == classes.size() ? kMapNoDataColour : std::string_view(classes[k].colour);
}

std::vector<std::size_t> MapClassification::best_first() const {
  std::vector<std::size_t> order(classes.size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    order[i] = lower_is_better(direction) ? i : order.size() - 1 - i;
  }
  return order;
}

std::vector<std::string> mapped_columns(const StatsTable& table) {
  std::vector<std::string> out;
  for (const char* c : {"gigabit_pct", "below_uso_pct", "mob_4g_indoor_none_pct"}) {
    if (table.columns.find(c)) out.emplace_back(c);
  }
  return out;
}

std::string map_better_text(const MapClassification& c) {
  return lower_is_better(c.direction)
             ? "Paler is better, as on every map here: the palest class has the lowest share, "
               "the darkest the highest."
             : "Paler is better, as on every map here: the palest class has the highest share, "
               "the darkest the lowest.";
}

}  // namespace notspot::outputs
