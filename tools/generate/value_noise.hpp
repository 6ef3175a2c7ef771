#pragma once

#include <cmath>
#include <cstdint>

#include "notspot/engine/geometry.hpp"
#include "random.hpp"

namespace notspot::generate {

/// Uniform in [-√3, √3] (unit variance) from the lattice coordinates: the value at one node
/// of a random field. A hash, not a stream, so that any point can be evaluated on its own, in
/// any order and on any thread.
inline double lattice_value(std::int64_t ix, std::int64_t iy, std::uint64_t seed) {
  const std::uint64_t h =
      mix64(seed ^ mix64(static_cast<std::uint64_t>(ix) * 0x9E3779B97F4A7C15ull ^
                         static_cast<std::uint64_t>(iy)));
  return (static_cast<double>(h >> 11) * 0x1.0p-53 * 2.0 - 1.0) * std::sqrt(3.0);
}

/**
 * Smooth value noise: lattice values `cell` metres apart blended with a smoothstep, so that
 * nearby points get similar values (rollout in patches, shadowing in valleys). Mean 0; the
 * variance is below 1 between lattice nodes, so callers that need unit variance standardise.
 */
inline double value_noise(engine::Point p, double cell, std::uint64_t seed) {
  const double fx = p.x / cell;
  const double fy = p.y / cell;
  const double x0 = std::floor(fx);
  const double y0 = std::floor(fy);
  auto smooth = [](double t) { return t * t * (3 - 2 * t); };
  const double tx = smooth(fx - x0);
  const double ty = smooth(fy - y0);
  const auto ix = static_cast<std::int64_t>(x0);
  const auto iy = static_cast<std::int64_t>(y0);
  const double v00 = lattice_value(ix, iy, seed);
  const double v10 = lattice_value(ix + 1, iy, seed);
  const double v01 = lattice_value(ix, iy + 1, seed);
  const double v11 = lattice_value(ix + 1, iy + 1, seed);
  return (v00 * (1 - tx) + v10 * tx) * (1 - ty) + (v01 * (1 - tx) + v11 * tx) * ty;
}

}  // namespace notspot::generate
