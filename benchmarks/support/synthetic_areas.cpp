#include "support/synthetic_areas.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>
#include <unordered_map>

namespace notspot::bench {
namespace {

using engine::MultiPolygon;
using engine::Point;
using engine::Polygon;
using engine::Ring;

// SplitMix64: tiny, fast, and fully specified, so that the data do not depend on the standard
// library's distributions (which differ between implementations).
class Random {
 public:
  explicit Random(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  /// Uniform in [0, 1).
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  /// Uniform in [-1, 1).
  double symmetric() { return 2.0 * uniform() - 1.0; }
  /// Uniform in [0, n) (the modulo bias is irrelevant here). REQUIRES: n > 0.
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
  /// Standard normal (Box–Muller).
  double normal() {
    const double u1 = 1.0 - uniform();  // (0, 1]
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  }

 private:
  std::uint64_t state_;
};

std::uint64_t mix(std::uint64_t seed, std::uint64_t a, std::uint64_t b) {
  Random r(seed ^ (a * 0x9E3779B97F4A7C15ull) ^ (b * 0xC2B2AE3D27D4EB4Full));
  return r.next();
}

constexpr int kSea = -2;    // cell label: not land
constexpr int kUnset = -1;  // land cell not labelled yet

// Lattice directions; turning left is +1.
enum Direction : int { kEast = 0, kNorth = 1, kWest = 2, kSouth = 3 };

// An edge of the lattice traversed with its area on the left.
struct DirectedEdge {
  int from;
  int to;
  int direction;
};

// Even-odd point-in-ring test (the ring is implicitly closed).
bool ring_contains(const Ring& ring, Point p) {
  bool inside = false;
  const std::size_t n = ring.size();
  for (std::size_t i = 0, j = n - 1; i < n; j = i++) {
    const Point a = ring[i];
    const Point b = ring[j];
    if ((a.y > p.y) != (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x) {
      inside = !inside;
    }
  }
  return inside;
}

// Splits a closed walk (vertex numbers; the last links back to the first) into cycles that
// visit each vertex once.
std::vector<std::vector<int>> simple_cycles(const std::vector<int>& walk) {
  std::vector<std::vector<int>> cycles;
  std::vector<int> stack;
  std::unordered_map<int, std::size_t> position;  // vertex -> index in stack
  for (int v : walk) {
    const auto it = position.find(v);
    if (it == position.end()) {
      position.emplace(v, stack.size());
      stack.push_back(v);
      continue;
    }
    const std::size_t i = it->second;
    cycles.emplace_back(stack.begin() + static_cast<std::ptrdiff_t>(i), stack.end());
    for (std::size_t k = i + 1; k < stack.size(); ++k) position.erase(stack[k]);
    stack.resize(i + 1);
  }
  cycles.push_back(std::move(stack));
  return cycles;
}

class Generator {
 public:
  explicit Generator(const SyntheticOptions& o)
      : o_(o),
        rng_(o.seed),
        nx_(o.columns + 1),
        ny_(o.rows + 1),
        cell_w_(o.width / o.columns),
        cell_h_(o.height / o.rows) {}

  SyntheticStudy run() {
    SyntheticStudy out;
    make_lattice(out);
    make_land();
    grow_labels();
    make_areas(out);
    make_points(out);
    return out;
  }

 private:
  std::size_t cell(int i, int j) const { return static_cast<std::size_t>(j) * o_.columns + i; }
  int vertex_id(int i, int j) const { return j * nx_ + i; }
  int label_at(int i, int j) const {
    if (i < 0 || j < 0 || i >= o_.columns || j >= o_.rows) return kSea;
    return label_[cell(i, j)];
  }
  // A point of cell (i, j), by bilinear interpolation of its four jittered corners.
  Point in_cell(std::size_t c, double s, double t) const {
    const int i = static_cast<int>(c % static_cast<std::size_t>(o_.columns));
    const int j = static_cast<int>(c / static_cast<std::size_t>(o_.columns));
    const Point p00 = vertices_[vertex_id(i, j)];
    const Point p10 = vertices_[vertex_id(i + 1, j)];
    const Point p01 = vertices_[vertex_id(i, j + 1)];
    const Point p11 = vertices_[vertex_id(i + 1, j + 1)];
    return {(1 - s) * (1 - t) * p00.x + s * (1 - t) * p10.x + s * t * p11.x + (1 - s) * t * p01.x,
            (1 - s) * (1 - t) * p00.y + s * (1 - t) * p10.y + s * t * p11.y + (1 - s) * t * p01.y};
  }

  void make_lattice(SyntheticStudy& out) {
    vertices_.resize(static_cast<std::size_t>(nx_) * ny_);
    for (int j = 0; j < ny_; ++j) {
      for (int i = 0; i < nx_; ++i) {
        const double x = (i + rng_.symmetric() * o_.jitter) * cell_w_;
        const double y = (j + rng_.symmetric() * o_.jitter) * cell_h_;
        vertices_[vertex_id(i, j)] = {x, y};
        out.bounds.expand(Point{x, y});
      }
    }
  }

  // Land where a smooth random field (a few long waves plus a bump in the middle) is high.
  void make_land() {
    struct Wave {
      double kx, ky, phase, weight;
    };
    std::array<Wave, 8> waves{};
    for (Wave& w : waves) {
      const double wavelength = 80'000.0 * std::pow(7.5, rng_.uniform());  // 80 to 600 km
      const double angle = 2 * std::numbers::pi * rng_.uniform();
      const double k = 2 * std::numbers::pi / wavelength;
      w = {k * std::cos(angle), k * std::sin(angle), 2 * std::numbers::pi * rng_.uniform(),
           wavelength / 600'000.0};
    }
    const std::size_t cells = static_cast<std::size_t>(o_.columns) * o_.rows;
    std::vector<double> field(cells);
    for (int j = 0; j < o_.rows; ++j) {
      for (int i = 0; i < o_.columns; ++i) {
        const double x = (i + 0.5) * cell_w_;
        const double y = (j + 0.5) * cell_h_;
        const double u = std::abs(2 * x / o_.width - 1);
        const double v = std::abs(2 * y / o_.height - 1);
        double f = 1.5 * (1 - std::pow(std::max(u, v), 4));
        for (const Wave& w : waves) f += w.weight * std::sin(w.kx * x + w.ky * y + w.phase);
        field[cell(i, j)] = f;
      }
    }
    std::vector<double> sorted = field;
    const auto sea_cells = static_cast<std::size_t>(std::clamp(
        (1.0 - o_.land_share) * static_cast<double>(cells), 0.0, static_cast<double>(cells - 1)));
    std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(sea_cells),
                     sorted.end());
    const double threshold = sorted[sea_cells];
    label_.assign(cells, kSea);
    for (std::size_t c = 0; c < cells; ++c) {
      if (field[c] >= threshold) {
        label_[c] = kUnset;
        land_.push_back(c);
      }
    }
    if (land_.size() < static_cast<std::size_t>(o_.areas)) {
      throw std::invalid_argument("synthetic study: fewer land cells (" +
                                  std::to_string(land_.size()) + ") than areas");
    }
  }

  // The label of a random cell near cell c (other than `exclude`): detached parts of real
  // parishes lie near the rest, and a far-flung part would give an area an envelope the size
  // of the country, which no real data set has.
  int nearby_label(std::size_t c, int exclude) {
    const int i = static_cast<int>(c % static_cast<std::size_t>(o_.columns));
    const int j = static_cast<int>(c / static_cast<std::size_t>(o_.columns));
    for (int radius = 2; radius <= 2 * (o_.columns + o_.rows); radius *= 2) {
      for (int attempt = 0; attempt < 16; ++attempt) {
        const int di =
            static_cast<int>(rng_.below(static_cast<std::size_t>(2 * radius + 1))) - radius;
        const int dj =
            static_cast<int>(rng_.below(static_cast<std::size_t>(2 * radius + 1))) - radius;
        const int label = label_at(i + di, j + dj);
        if (label >= 0 && label != exclude) return label;
      }
    }
    return static_cast<int>(rng_.below(static_cast<std::size_t>(o_.areas)));
  }

  // Breadth-first growth from distinct random seed cells, as in tests/support/tessellation.
  void grow_labels() {
    std::vector<std::size_t> seeds = land_;
    std::vector<std::size_t> queue;
    for (int a = 0; a < o_.areas; ++a) {
      const std::size_t k =
          static_cast<std::size_t>(a) + rng_.below(seeds.size() - static_cast<std::size_t>(a));
      std::swap(seeds[static_cast<std::size_t>(a)], seeds[k]);
      label_[seeds[static_cast<std::size_t>(a)]] = a;
      queue.push_back(seeds[static_cast<std::size_t>(a)]);
    }
    auto grow = [&](std::size_t head, auto&& label_for) {
      for (; head < queue.size(); ++head) {
        const std::size_t c = queue[head];
        const int i = static_cast<int>(c % static_cast<std::size_t>(o_.columns));
        const int j = static_cast<int>(c / static_cast<std::size_t>(o_.columns));
        std::array<std::pair<int, int>, 4> neighbours{
            {{i - 1, j}, {i + 1, j}, {i, j - 1}, {i, j + 1}}};
        for (std::size_t k = 3; k > 0; --k) std::swap(neighbours[k], neighbours[rng_.below(k + 1)]);
        for (const auto& [ni, nj] : neighbours) {
          if (label_at(ni, nj) != kUnset) continue;
          const std::size_t n = cell(ni, nj);
          label_[n] = label_for(label_[c], n);
          queue.push_back(n);
        }
      }
    };
    grow(0, [&](int from, std::size_t cell) {
      if (o_.exclave_every > 0 && rng_.below(static_cast<std::size_t>(o_.exclave_every)) == 0) {
        return nearby_label(cell, from);
      }
      return from;
    });
    // Land not reached from any seed (islands) joins a random area: multi-part areas.
    for (std::size_t c : land_) {
      if (label_[c] != kUnset) continue;
      label_[c] = nearby_label(c, kUnset);
      const std::size_t head = queue.size();
      queue.push_back(c);
      grow(head, [](int from, std::size_t) { return from; });
    }
    // Enclaves: a cell whose four neighbours share its label goes to another area, which makes
    // a hole in one area and a detached part of the other (touching other areas at a corner
    // when a diagonal neighbour differs).
    if (o_.enclave_every == 0) return;
    for (std::size_t c : land_) {
      const int i = static_cast<int>(c % static_cast<std::size_t>(o_.columns));
      const int j = static_cast<int>(c / static_cast<std::size_t>(o_.columns));
      const int own = label_[c];
      const bool surrounded = label_at(i - 1, j) == own && label_at(i + 1, j) == own &&
                              label_at(i, j - 1) == own && label_at(i, j + 1) == own;
      if (!surrounded || rng_.below(static_cast<std::size_t>(o_.enclave_every)) != 0) continue;
      const int other = nearby_label(c, own);
      if (other != own) label_[c] = other;
    }
  }

  // The vertices strictly between lattice vertices a < b: midpoint displacement seeded by (a, b),
  // kept within |offset| <= kSlope * min(t, 1 - t) * length of the straight edge, so that the
  // curve stays inside a thin diamond and never meets another edge's diamond.
  std::vector<Point> densify(int a, int b) const {
    constexpr double kAmplitude = 0.12;  // first displacement, as a fraction of the length
    constexpr double kRoughness = 0.55;  // amplitude ratio between successive levels
    constexpr double kSlope = 0.25;      // diamond half-width slope: atan(0.25) = 14 degrees
    const int n = 1 << o_.edge_levels;
    Random r(mix(o_.seed, static_cast<std::uint64_t>(a), static_cast<std::uint64_t>(b)));
    std::vector<double> offset(static_cast<std::size_t>(n) + 1, 0.0);
    double amplitude = kAmplitude;
    for (int step = n; step > 1; step /= 2) {
      for (int k = step / 2; k < n; k += step) {
        offset[static_cast<std::size_t>(k)] =
            0.5 * (offset[static_cast<std::size_t>(k - step / 2)] +
                   offset[static_cast<std::size_t>(k + step / 2)]) +
            amplitude * r.symmetric();
      }
      amplitude *= kRoughness;
    }
    const Point pa = vertices_[static_cast<std::size_t>(a)];
    const Point pb = vertices_[static_cast<std::size_t>(b)];
    const double dx = pb.x - pa.x;
    const double dy = pb.y - pa.y;
    std::vector<Point> out;
    out.reserve(static_cast<std::size_t>(n) - 1);
    for (int k = 1; k < n; ++k) {
      // Uneven spacing along the edge; positions stay increasing (jitter < half a step).
      const double t = (k + 0.3 * r.symmetric()) / n;
      const double limit = kSlope * std::min(t, 1 - t);
      const double d = std::clamp(offset[static_cast<std::size_t>(k)], -limit, limit);
      out.push_back({pa.x + t * dx - d * dy, pa.y + t * dy + d * dx});
    }
    return out;
  }

  void make_areas(SyntheticStudy& out) {
    // Directed boundary edges of each label, with the label on the left.
    std::vector<std::vector<DirectedEdge>> edges(static_cast<std::size_t>(o_.areas));
    auto add = [&](int label, int from, int to, int direction) {
      if (label >= 0) edges[static_cast<std::size_t>(label)].push_back({from, to, direction});
    };
    for (int j = 0; j < ny_; ++j) {
      for (int i = 0; i < o_.columns; ++i) {
        const int above = label_at(i, j);
        const int below = label_at(i, j - 1);
        if (above == below) continue;
        add(above, vertex_id(i, j), vertex_id(i + 1, j), kEast);
        add(below, vertex_id(i + 1, j), vertex_id(i, j), kWest);
      }
    }
    for (int j = 0; j < o_.rows; ++j) {
      for (int i = 0; i < nx_; ++i) {
        const int west = label_at(i - 1, j);
        const int east = label_at(i, j);
        if (west == east) continue;
        add(west, vertex_id(i, j), vertex_id(i, j + 1), kNorth);
        add(east, vertex_id(i, j + 1), vertex_id(i, j), kSouth);
      }
    }

    out.areas.resize(static_cast<std::size_t>(o_.areas));
    for (std::size_t a = 0; a < edges.size(); ++a) {
      std::vector<DirectedEdge>& list = edges[a];
      // Sorted by (from, direction): an edge is found by its start vertex and direction.
      std::sort(list.begin(), list.end(), [](const DirectedEdge& l, const DirectedEdge& r) {
        return l.from != r.from ? l.from < r.from : l.direction < r.direction;
      });
      auto find = [&](int from, int direction) -> std::ptrdiff_t {
        const auto it = std::lower_bound(list.begin(), list.end(), std::pair{from, direction},
                                         [](const DirectedEdge& e, const std::pair<int, int>& key) {
                                           return e.from != key.first ? e.from < key.first
                                                                      : e.direction < key.second;
                                         });
        if (it == list.end() || it->from != from || it->direction != direction) return -1;
        return it - list.begin();
      };
      std::vector<char> used(list.size(), 0);
      std::vector<Ring> shells;
      std::vector<Ring> holes;
      for (std::size_t start = 0; start < list.size(); ++start) {
        if (used[start]) continue;
        // Follow the boundary, sharpest left turn first: where the area touches itself
        // diagonally at a vertex, this hugs one cell, so each part is one edge-connected group
        // of cells and its interior is connected.
        std::vector<int> walk;
        std::size_t current = start;
        while (true) {
          used[current] = 1;
          const DirectedEdge& e = list[current];
          walk.push_back(e.from);
          std::ptrdiff_t next = -1;
          for (int turn : {1, 0, 3}) {
            next = find(e.to, (e.direction + turn) % 4);
            if (next >= 0) break;
          }
          if (next < 0) throw std::logic_error("synthetic study: open boundary");
          if (static_cast<std::size_t>(next) == start) break;
          if (used[static_cast<std::size_t>(next)]) {
            throw std::logic_error("synthetic study: boundary traced twice");
          }
          current = static_cast<std::size_t>(next);
        }
        // A walk may still pass a vertex twice (around a background cell that touches the
        // outside diagonally). OGC rings must not touch themselves: cut the walk there into
        // simple rings, which then touch each other at that vertex only.
        for (const std::vector<int>& cycle : simple_cycles(walk)) {
          Ring ring;
          for (std::size_t k = 0; k < cycle.size(); ++k) {
            const int from = cycle[k];
            const int to = cycle[(k + 1) % cycle.size()];
            ring.push_back(vertices_[static_cast<std::size_t>(from)]);
            std::vector<Point> between = densify(std::min(from, to), std::max(from, to));
            if (from > to) std::reverse(between.begin(), between.end());
            ring.insert(ring.end(), between.begin(), between.end());
          }
          (engine::signed_area(ring) > 0 ? shells : holes).push_back(std::move(ring));
        }
      }
      MultiPolygon& area = out.areas[a];
      for (Ring& shell : shells) area.push_back({std::move(shell), {}});
      // Each hole goes into the smallest part that contains it. A point halfway along its first
      // edge lies on no other ring of the same area (only lattice vertices can be shared).
      for (Ring& hole : holes) {
        const Point probe{0.5 * (hole[0].x + hole[1].x), 0.5 * (hole[0].y + hole[1].y)};
        Polygon* owner = nullptr;
        double owner_area = 0;
        for (Polygon& part : area) {
          if (!ring_contains(part.exterior, probe)) continue;
          const double part_area = engine::signed_area(part.exterior);
          if (owner == nullptr || part_area < owner_area) {
            owner = &part;
            owner_area = part_area;
          }
        }
        if (owner == nullptr) throw std::logic_error("synthetic study: hole outside its area");
        owner->holes.push_back(std::move(hole));
      }
    }
  }

  void make_points(SyntheticStudy& out) {
    const std::size_t rural =
        static_cast<std::size_t>(static_cast<double>(o_.points) * o_.rural_share);
    const std::size_t hamlet_points = rural / 2;
    const std::size_t scattered = rural - hamlet_points;
    const std::size_t town_points = o_.points - rural;
    out.xs.reserve(o_.points);
    out.ys.reserve(o_.points);
    auto random_land_point = [&] {
      return in_cell(land_[rng_.below(land_.size())], rng_.uniform(), rng_.uniform());
    };
    auto add_cluster = [&](Point centre, double sigma, std::size_t count) {
      for (std::size_t k = 0; k < count; ++k) {
        const double x = centre.x + sigma * rng_.normal();
        const double y = centre.y + sigma * rng_.normal();
        out.xs.push_back(x);
        out.ys.push_back(y);
      }
    };

    // Towns: Pareto-distributed sizes (a few cities, many small towns).
    if (o_.towns > 0 && town_points > 0) {
      std::vector<double> weight(static_cast<std::size_t>(o_.towns));
      std::vector<Point> centre(weight.size());
      double total = 0;
      for (std::size_t t = 0; t < weight.size(); ++t) {
        centre[t] = random_land_point();
        weight[t] = std::min(std::pow(1.0 - rng_.uniform(), -1.0 / 1.1), 3000.0);
        total += weight[t];
      }
      std::size_t placed = 0;
      for (std::size_t t = 0; t < weight.size(); ++t) {
        std::size_t count =
            static_cast<std::size_t>(weight[t] / total * static_cast<double>(town_points));
        if (t + 1 == weight.size()) count = town_points - placed;
        const double sigma = std::min(350.0 * std::pow(weight[t], 0.45), 12'000.0);
        add_cluster(centre[t], sigma, count);
        placed += count;
      }
    } else {
      for (std::size_t k = 0; k < town_points; ++k) add_cluster(random_land_point(), 0, 1);
    }
    // Hamlets of 5 to 40 premises within a few hundred metres.
    for (std::size_t placed = 0; placed < hamlet_points;) {
      const std::size_t count = std::min<std::size_t>(5 + rng_.below(36), hamlet_points - placed);
      add_cluster(random_land_point(), 150.0, count);
      placed += count;
    }
    // Isolated farms, uniform over land.
    for (std::size_t k = 0; k < scattered; ++k) add_cluster(random_land_point(), 0, 1);

    // Input order carries no spatial locality.
    for (std::size_t i = out.xs.size(); i > 1; --i) {
      const std::size_t j = rng_.below(i);
      std::swap(out.xs[i - 1], out.xs[j]);
      std::swap(out.ys[i - 1], out.ys[j]);
    }
  }

  const SyntheticOptions& o_;
  Random rng_;
  int nx_;
  int ny_;
  double cell_w_;
  double cell_h_;
  std::vector<Point> vertices_;
  std::vector<int> label_;         // per cell: area number, kSea or kUnset
  std::vector<std::size_t> land_;  // land cells, in cell order
};

}  // namespace

SyntheticStudy make_synthetic_study(const SyntheticOptions& o) {
  if (!(o.width > 0) || !(o.height > 0) || o.columns < 1 || o.rows < 1 || !(o.jitter >= 0) ||
      o.jitter > 0.15 || o.areas < 1 || o.edge_levels < 0 || o.edge_levels > 12 ||
      !(o.land_share > 0) || o.land_share > 1 || o.exclave_every < 0 || o.enclave_every < 0 ||
      o.towns < 0 || !(o.rural_share >= 0) || o.rural_share > 1) {
    throw std::invalid_argument("SyntheticOptions out of range");
  }
  return Generator(o).run();
}

}  // namespace notspot::bench
