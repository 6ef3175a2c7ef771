#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "notspot/engine/geometry.hpp"

namespace notspot::generate {

class Rng;

/// Options for weighted_kmeans().
struct KMeansOptions {
  std::size_t clusters = 250;  ///< k. REQUIRES: 1 <= clusters <= number of points.
  int iterations = 40;         ///< Lloyd iterations at most. DEFAULT: 40.
};

/**
 * Weighted k-means (k-means++ start, then Lloyd iterations) over points, deterministic for a
 * given Rng state. Each returned centre is then moved to the nearest input point of its
 * cluster, so that centres lie where the points are (inside the boundary, on land) rather
 * than in a bay between two towns.
 *
 * @param weights one non-negative weight per point; at least one must be positive.
 * @return the centres, distinct, at most `clusters` of them (empty clusters are dropped).
 */
std::vector<engine::Point> weighted_kmeans(std::span<const engine::Point> points,
                                           std::span<const double> weights,
                                           const KMeansOptions& options, Rng& rng);

}  // namespace notspot::generate
