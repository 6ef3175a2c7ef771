#include "premises_placement.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "notspot/engine/error.hpp"
#include "random.hpp"

namespace notspot::generate {
namespace {

/// Rounds to the centimetre grid exactly as the CSV will print and a reader will parse it:
/// an integer number of centimetres divided by 100 is the double nearest that decimal.
double to_centimetres(double v) {
  return std::round(v * 100.0) / 100.0;
}

}  // namespace

std::vector<double> neighbour_spacing(std::span<const engine::Point> points, int k) {
  const std::size_t n = points.size();
  if (k < 1 || static_cast<std::size_t>(k) >= n) {
    throw engine::internal_error("neighbour_spacing: k must be in [1, n)");
  }
  engine::Box box;
  for (engine::Point p : points) box.expand(p);
  const double cell =
      std::max(1.0, std::sqrt(box.width() * box.height() / static_cast<double>(n)) * 2);
  const auto columns = static_cast<long>(box.width() / cell) + 1;
  const auto rows = static_cast<long>(box.height() / cell) + 1;
  std::vector<std::vector<std::uint32_t>> grid(static_cast<std::size_t>(columns * rows));
  auto column_of = [&](double x) {
    return std::clamp(static_cast<long>((x - box.xmin) / cell), 0L, columns - 1);
  };
  auto row_of = [&](double y) {
    return std::clamp(static_cast<long>((y - box.ymin) / cell), 0L, rows - 1);
  };
  for (std::size_t i = 0; i < n; ++i)
    grid[row_of(points[i].y) * columns + column_of(points[i].x)].push_back(
        static_cast<std::uint32_t>(i));

  std::vector<double> spacing(n);
  std::vector<double> d2;
  for (std::size_t i = 0; i < n; ++i) {
    const long c0 = column_of(points[i].x);
    const long r0 = row_of(points[i].y);
    d2.clear();
    // Grow square rings of cells until the k-th distance found is closer than any point in
    // a cell not yet searched.
    for (long ring = 0;; ++ring) {
      for (long r = r0 - ring; r <= r0 + ring; ++r) {
        for (long c = c0 - ring; c <= c0 + ring; ++c) {
          if (std::max(std::abs(r - r0), std::abs(c - c0)) != ring) continue;
          if (r < 0 || r >= rows || c < 0 || c >= columns) continue;
          for (std::uint32_t j : grid[r * columns + c]) {
            if (j == i) continue;
            const double dx = points[j].x - points[i].x;
            const double dy = points[j].y - points[i].y;
            d2.push_back(dx * dx + dy * dy);
          }
        }
      }
      const bool covered = ring >= std::max({c0, r0, columns - 1 - c0, rows - 1 - r0});
      if (d2.size() >= static_cast<std::size_t>(k)) {
        std::nth_element(d2.begin(), d2.begin() + (k - 1), d2.end());
        const double kth = std::sqrt(d2[k - 1]);
        if (kth <= static_cast<double>(ring) * cell || covered) {
          spacing[i] = kth;
          break;
        }
      }
      if (covered) {
        spacing[i] = std::numeric_limits<double>::infinity();
        break;
      }
    }
  }
  return spacing;
}

Placement place_premises(std::span<const PlacementSite> sites, const engine::AreaIndex& areas,
                         const PlacementOptions& options) {
  Placement placement;
  auto on_side = [&](const PlacementSite& site, engine::Point p, std::uint32_t& area) {
    area = areas.locate(p);
    return (area != engine::AreaIndex::kOutside) == site.inside && site.allowed.contains(p);
  };
  std::size_t inside_sites = 0;
  for (const PlacementSite& site : sites) {
    std::uint32_t area = 0;
    const engine::Point centre{to_centimetres(site.centre.x), to_centimetres(site.centre.y)};
    if (!on_side(site, centre, area)) {
      throw engine::internal_error(fmt::format("place_premises: site ({:.2f}, {:.2f}) is not {}",
                                               centre.x, centre.y,
                                               site.inside ? "inside" : "outside"));
    }
    if (site.inside) ++inside_sites;
  }
  if (options.outside_min > options.outside_max) {
    throw engine::internal_error("place_premises: outside_min > outside_max");
  }
  if (options.inside_premises < inside_sites) {
    throw engine::internal_error("place_premises: " + std::to_string(options.inside_premises) +
                                 " premises cannot cover " + std::to_string(inside_sites) +
                                 " inside sites");
  }

  // Premises per site: inside sites one each, the rest shared by log-normal weights with the
  // largest-remainder method so that the total is exact.
  Rng count_rng(options.seed, "premises per site");
  std::vector<std::uint64_t> count(sites.size(), 0);
  std::vector<double> weight(sites.size(), 0);
  double total_weight = 0;
  for (std::size_t i = 0; i < sites.size(); ++i) {
    if (sites[i].inside) {
      weight[i] = std::exp(options.count_spread * count_rng.normal());
      total_weight += weight[i];
      count[i] = 1;
    } else {
      count[i] =
          options.outside_min + count_rng.below(options.outside_max - options.outside_min + 1);
    }
  }
  const std::uint64_t to_share = options.inside_premises - inside_sites;
  std::uint64_t shared = 0;
  std::vector<std::pair<double, std::size_t>> remainders;
  for (std::size_t i = 0; i < sites.size(); ++i) {
    if (!sites[i].inside) continue;
    const double exact = static_cast<double>(to_share) * weight[i] / total_weight;
    const auto whole = static_cast<std::uint64_t>(exact);
    count[i] += whole;
    shared += whole;
    remainders.push_back({exact - static_cast<double>(whole), i});
  }
  std::sort(remainders.begin(), remainders.end(), [](const auto& a, const auto& b) {
    return a.first > b.first || (a.first == b.first && a.second < b.second);
  });
  for (std::size_t r = 0; shared < to_share; ++r, ++shared) ++count[remainders.at(r).second];

  Rng scatter_rng(options.seed, "premises scatter");
  for (std::size_t i = 0; i < sites.size(); ++i) {
    const PlacementSite& site = sites[i];
    for (std::uint64_t k = 0; k < count[i]; ++k) {
      Premise premise;
      premise.postcode = site.postcode;
      bool placed = false;
      double s = site.scatter;
      for (int attempt = 0; attempt < 40 && !placed; ++attempt, s *= 0.85) {
        const engine::Point p{to_centimetres(site.centre.x + s * scatter_rng.normal()),
                              to_centimetres(site.centre.y + s * scatter_rng.normal())};
        if (on_side(site, p, premise.area)) {
          premise.position = p;
          placed = true;
        } else {
          ++placement.redrawn;
        }
      }
      if (!placed) {  // a centre on the coast or border: the centre itself is on its side
        premise.position = {to_centimetres(site.centre.x), to_centimetres(site.centre.y)};
        premise.area = areas.locate(premise.position);
        ++placement.placed_at_centre;
      }
      (premise.inside() ? placement.inside : placement.outside)++;
      placement.premises.push_back(premise);
    }
  }

  // UPRNs: increasing in file order, with the file order shuffled, so that neither the order
  // nor the numbers reveal where a premise is (as with real UPRNs).
  Rng uprn_rng(options.seed, "uprn");
  shuffle(placement.premises, uprn_rng);
  std::uint64_t uprn = options.first_uprn;
  for (Premise& premise : placement.premises) {
    premise.uprn = uprn;
    uprn += 1 + (uprn_rng.chance(0.2) ? uprn_rng.below(40) : 0);
  }
  return placement;
}

}  // namespace notspot::generate
