#include "kmeans.hpp"

#include <algorithm>
#include <limits>

#include "notspot/engine/error.hpp"
#include "random.hpp"

namespace notspot::generate {
namespace {

double distance2(engine::Point a, engine::Point b) {
  const double dx = a.x - b.x;
  const double dy = a.y - b.y;
  return dx * dx + dy * dy;
}

std::size_t nearest(engine::Point p, const std::vector<engine::Point>& centres) {
  std::size_t best = 0;
  double best_d2 = std::numeric_limits<double>::infinity();
  for (std::size_t c = 0; c < centres.size(); ++c) {
    const double d2 = distance2(p, centres[c]);
    if (d2 < best_d2) {
      best_d2 = d2;
      best = c;
    }
  }
  return best;
}

}  // namespace

std::vector<engine::Point> weighted_kmeans(std::span<const engine::Point> points,
                                           std::span<const double> weights,
                                           const KMeansOptions& options, Rng& rng) {
  const std::size_t n = points.size();
  if (weights.size() != n || options.clusters == 0 || options.clusters > n) {
    throw engine::internal_error("weighted_kmeans: bad arguments");
  }

  // k-means++: each next centre is drawn with probability proportional to weight times the
  // squared distance to the nearest centre so far, which spreads the start over the map.
  std::vector<engine::Point> centres;
  centres.reserve(options.clusters);
  std::vector<double> d2(n, std::numeric_limits<double>::infinity());
  auto draw = [&](auto score) {
    double total = 0;
    for (std::size_t i = 0; i < n; ++i) total += score(i);
    double target = rng.uniform() * total;
    for (std::size_t i = 0; i < n; ++i) {
      target -= score(i);
      if (target < 0) return i;
    }
    return n - 1;
  };
  centres.push_back(points[draw([&](std::size_t i) { return weights[i]; })]);
  while (centres.size() < options.clusters) {
    for (std::size_t i = 0; i < n; ++i)
      d2[i] = std::min(d2[i], distance2(points[i], centres.back()));
    centres.push_back(points[draw([&](std::size_t i) { return weights[i] * d2[i]; })]);
  }

  std::vector<std::size_t> cluster(n, 0);
  for (int iteration = 0; iteration < options.iterations; ++iteration) {
    bool changed = iteration == 0;
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t c = nearest(points[i], centres);
      changed = changed || c != cluster[i];
      cluster[i] = c;
    }
    if (!changed) break;
    std::vector<double> sx(centres.size(), 0), sy(centres.size(), 0), sw(centres.size(), 0);
    for (std::size_t i = 0; i < n; ++i) {
      sx[cluster[i]] += weights[i] * points[i].x;
      sy[cluster[i]] += weights[i] * points[i].y;
      sw[cluster[i]] += weights[i];
    }
    for (std::size_t c = 0; c < centres.size(); ++c)
      if (sw[c] > 0) centres[c] = {sx[c] / sw[c], sy[c] / sw[c]};
  }

  // Move each centre to its nearest member point; drop clusters without members.
  std::vector<std::size_t> member(centres.size(), n);
  std::vector<double> member_d2(centres.size(), std::numeric_limits<double>::infinity());
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t c = nearest(points[i], centres);
    const double d = distance2(points[i], centres[c]);
    if (d < member_d2[c]) {
      member_d2[c] = d;
      member[c] = i;
    }
  }
  std::vector<engine::Point> result;
  for (std::size_t c = 0; c < centres.size(); ++c)
    if (member[c] < n) result.push_back(points[member[c]]);
  std::sort(result.begin(), result.end(), [](engine::Point a, engine::Point b) {
    return a.x < b.x || (a.x == b.x && a.y < b.y);
  });
  result.erase(std::unique(result.begin(), result.end()), result.end());
  return result;
}

}  // namespace notspot::generate
