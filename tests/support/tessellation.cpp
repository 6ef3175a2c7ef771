#include "tessellation.hpp"

#include <queue>
#include <random>
#include <stdexcept>

#include "notspot/engine/geos_context.hpp"

namespace notspot::test {

using engine::GeosContext;
using engine::GeosGeometry;
using engine::MultiPolygon;
using engine::Point;

Tessellation random_tessellation(const TessellationOptions& o) {
  std::mt19937_64 rng(o.seed);
  std::uniform_real_distribution<double> unit(-1.0, 1.0);
  const int nx = o.columns + 1;
  const int ny = o.rows + 1;
  auto straight = [&](int i) { return o.straight_every > 0 && i % o.straight_every == 0; };

  Tessellation t;
  std::vector<Point> v(static_cast<std::size_t>(nx * ny));
  for (int j = 0; j < ny; ++j) {
    for (int i = 0; i < nx; ++i) {
      double x = i * o.cell_size;
      double y = j * o.cell_size;
      // Border vertices stay on the rectangle; straight lattice lines stay straight.
      if (i > 0 && i < nx - 1 && !straight(i)) x += unit(rng) * o.jitter * o.cell_size;
      if (j > 0 && j < ny - 1 && !straight(j)) y += unit(rng) * o.jitter * o.cell_size;
      v[static_cast<std::size_t>(j * nx + i)] = {x, y};
    }
  }
  t.lattice = v;
  t.bounds = {0, 0, o.columns * o.cell_size, o.rows * o.cell_size};

  // Grow labels from random seeds (breadth-first over quads), so that areas are connected
  // mostly, with enclaves and exclaves appearing where growth fronts meet oddly.
  const int quads = o.columns * o.rows;
  std::vector<int> label(static_cast<std::size_t>(quads), -1);
  std::queue<int> frontier;
  std::uniform_int_distribution<int> pick(0, quads - 1);
  for (int a = 0; a < o.areas; ++a) {
    int q = pick(rng);
    for (int tries = 0; label[static_cast<std::size_t>(q)] != -1 && tries < 100; ++tries)
      q = pick(rng);
    if (label[static_cast<std::size_t>(q)] != -1) continue;
    label[static_cast<std::size_t>(q)] = a;
    frontier.push(q);
  }
  std::vector<int> order;
  while (!frontier.empty()) {
    const int q = frontier.front();
    frontier.pop();
    const int qi = q % o.columns;
    const int qj = q / o.columns;
    int neighbours[4] = {-1, -1, -1, -1};
    if (qi > 0) neighbours[0] = q - 1;
    if (qi + 1 < o.columns) neighbours[1] = q + 1;
    if (qj > 0) neighbours[2] = q - o.columns;
    if (qj + 1 < o.rows) neighbours[3] = q + o.columns;
    // Random order makes shapes irregular.
    std::shuffle(std::begin(neighbours), std::end(neighbours), rng);
    for (int n : neighbours) {
      if (n < 0 || label[static_cast<std::size_t>(n)] != -1) continue;
      // Occasionally a quad takes a random label: exclaves and enclaves (holes).
      label[static_cast<std::size_t>(n)] =
          (rng() % 97 == 0) ? static_cast<int>(rng() % static_cast<unsigned>(o.areas))
                            : label[static_cast<std::size_t>(q)];
      frontier.push(n);
    }
  }

  GeosContext geos;
  std::vector<std::vector<GEOSGeometry*>> parts(static_cast<std::size_t>(o.areas));
  for (int q = 0; q < quads; ++q) {
    const int i = q % o.columns;
    const int j = q / o.columns;
    const auto at = [&](int di, int dj) {
      return v[static_cast<std::size_t>((j + dj) * nx + i + di)];
    };
    MultiPolygon quad{{{at(0, 0), at(1, 0), at(1, 1), at(0, 1)}, {}}};
    parts[static_cast<std::size_t>(label[static_cast<std::size_t>(q)])].push_back(
        geos.to_geos(quad).release());
  }
  for (auto& list : parts) {
    if (list.empty()) {
      t.areas.emplace_back();
      continue;
    }
    GeosGeometry collection =
        geos.own(GEOSGeom_createCollection_r(geos.handle(), GEOS_GEOMETRYCOLLECTION, list.data(),
                                             static_cast<unsigned>(list.size())),
                 "collection");
    GeosGeometry dissolved = geos.own(GEOSUnaryUnion_r(geos.handle(), collection.get()), "union");
    t.areas.push_back(geos.polygonal_parts(dissolved.get()));
  }

  // Points exactly on straight lattice lines: on vertical lines x = i * size, any y works.
  std::uniform_real_distribution<double> along_x(0, o.columns * o.cell_size);
  std::uniform_real_distribution<double> along_y(0, o.rows * o.cell_size);
  for (int i = 0; i < nx; ++i) {
    if (!straight(i) && i != 0 && i != nx - 1) continue;
    for (int k = 0; k < 50; ++k) t.straight_edge_points.push_back({i * o.cell_size, along_y(rng)});
  }
  for (int j = 0; j < ny; ++j) {
    if (!straight(j) && j != 0 && j != ny - 1) continue;
    for (int k = 0; k < 50; ++k) t.straight_edge_points.push_back({along_x(rng), j * o.cell_size});
  }
  return t;
}

}  // namespace notspot::test
