// The areas of `notspot-generate national`: labels grown over the lattice's land, traced into
// rings and densified edge by edge. Adapted from benchmarks/support/synthetic_areas.cpp (the
// tracing and densification), with seeds weighted by density, per-edge detail, per-area rates
// of exclaves and enclaves, deliberately invalid polygons, codes and names.

#include <fmt/format.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numbers>
#include <string>
#include <unordered_map>
#include <utility>

#include "national_geography.hpp"
#include "notspot/engine/error.hpp"
#include "random.hpp"

namespace notspot::generate {
namespace {

using engine::MultiPolygon;
using engine::Point;
using engine::Polygon;
using engine::Ring;

constexpr int kSea = -2;    // cell label: not land
constexpr int kUnset = -1;  // land cell not labelled yet
/// Expected exclaves (cells re-labelled while growing, with what grows from them) and enclaves
/// (holes) per area.
constexpr double kExclavesPerArea = 0.04;
constexpr double kEnclavesPerArea = 0.03;
/// An edge is cut into at most this many segments (midpoint displacement levels: 12).
constexpr int kMaxSegments = 4096;
/// Edge detail grows with the local seed weight to this power (areas are smaller there, so
/// they keep a few hundred vertices).
constexpr double kDetailExponent = 0.4;
/// Area seeds: weight sqrt(density + kSeedFloor).
constexpr double kSeedFloor = 4;
/// Codes are numbered north to south in bands of this height, west to east within a band.
constexpr double kCodeBand = 100'000;

enum Direction : int { kEast = 0, kNorth = 1, kWest = 2, kSouth = 3 };

struct DirectedEdge {
  int from;
  int to;
  int direction;
};

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

/// Splits a closed walk (vertex ids; the last links back to the first) into cycles that visit
/// each vertex once.
std::vector<std::vector<int>> simple_cycles(const std::vector<int>& walk) {
  std::vector<std::vector<int>> cycles;
  std::vector<int> stack;
  std::unordered_map<int, std::size_t> position;
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

// ---- Names -------------------------------------------------------------------------------

constexpr const char* kEnglishStart[] = {
    "Ash",  "Brad", "Bur",    "Chal", "Dun",   "Elm",  "Fen",   "Gold", "Hart", "Kings",
    "Lang", "Mar",  "Nor",    "Ock",  "Rib",   "Sand", "Thorn", "Up",   "Whit", "Wyke",
    "Ald",  "Bex",  "Cold",   "Dray", "Eas",   "Farn", "Gras",  "Hol",  "Ick",  "Kel",
    "Lyd",  "Mel",  "Nether", "Oak",  "Pid",   "Rad",  "Shil",  "Tad",  "Ulls", "Wal",
    "Wes",  "Yar",  "Bick",   "Cher", "Ditch", "Ever", "Frit",  "Ged",  "Hamb", "Ly"};
constexpr const char* kEnglishEnd[] = {
    "ton",   "ford",    "ley",  "by",     "ham",    "worth", "field",  "bury", "wick",
    "stead", "combe",   "den",  "thorpe", "bridge", "mouth", "hope",   "well", "more",
    "dale",  "minster", "cote", "hurst",  "ing",    "stow",  "thwaite"};
constexpr const char* kEnglishQualifier[] = {
    " Magna", " Parva",  " St Mary",     " St Andrew",  " Episcopi",  " on the Hill",
    " Regis", " Abbots", "-upon-Severn", " cum Ripley", " Fitzpaine", " and Netherby"};
constexpr const char* kWelshStart[] = {"Llan", "Aber", "Cwm",  "Pen",    "Pont",  "Tre",
                                       "Bryn", "Caer", "Maes", "Ystrad", "Betws", "Ynys"};
constexpr const char* kWelshEnd[] = {"fair", "ddewi", "gwyn", "y-coed", "rhyd", "fechan",
                                     "teg",  "môn",   "dŵr",  "gâr",    "wen",  "ŷd"};
constexpr const char* kScottishStart[] = {"Kil",  "Inver", "Auch", "Bal",  "Dun", "Strath",
                                          "Glen", "Kin",   "Ard",  "Loch", "Tor", "Drum"};
constexpr const char* kScottishEnd[] = {"more", "beg",  "ness", "lochy", "garry", "ary",
                                        "doon", "ross", "tay",  "ellan", "avon",  "lie"};

template <std::size_t N>
const char* pick(const char* const (&list)[N], Rng& rng) {
  return list[rng.below(N)];
}

/// A place name in the style of its region (Welsh, Scottish or English), sometimes with a
/// qualifier, an apostrophe or a comma (which CSV writers must quote).
std::string make_name(Point where, Rng& rng) {
  std::string name;
  if (where.x < 320'000 && where.y > 180'000 && where.y < 400'000 && rng.chance(0.8)) {
    name = std::string(pick(kWelshStart, rng)) + pick(kWelshEnd, rng);
  } else if (where.y > 560'000 && rng.chance(0.85)) {
    name = std::string(pick(kScottishStart, rng)) + pick(kScottishEnd, rng);
  } else {
    name = std::string(pick(kEnglishStart, rng)) + pick(kEnglishEnd, rng);
    if (rng.chance(0.12)) name += pick(kEnglishQualifier, rng);
  }
  if (rng.chance(0.02)) name = "St " + name + "'s";
  if (rng.chance(0.01)) name += ", Upper and Lower";
  return name;
}

// ---- The generator -----------------------------------------------------------------------

class AreasBuilder {
 public:
  AreasBuilder(const Geography& g, const AreasOptions& o)
      : g_(g), o_(o), lattice_(g.lattice), rng_(o.seed, "national areas") {}

  NationalAreas run() {
    if (o_.areas < 1 || o_.areas > g_.land_cells.size()) {
      throw engine::usage_error("--areas must be between 1 and " +
                                std::to_string(g_.land_cells.size()) + " (land cells)");
    }
    weights();
    choose_seeds();
    grow_labels();
    number_areas();
    edge_detail();
    trace();
    make_islets();
    densify_all();
    coast_edges();
    names();
    return std::move(out_);
  }

 private:
  int label_at(int i, int j) const {
    if (i < 0 || j < 0 || i >= lattice_.columns() || j >= lattice_.rows()) return kSea;
    return label_[lattice_.index(i, j)];
  }

  void weights() {
    weight_.assign(lattice_.cells(), 0);
    for (std::uint32_t c : g_.land_cells) weight_[c] = std::sqrt(g_.density[c] + kSeedFloor);
  }

  // Weighted sampling without replacement (exponential keys): more seeds, so smaller areas,
  // where more people live.
  void choose_seeds() {
    std::vector<std::pair<double, std::uint32_t>> keys;
    keys.reserve(g_.land_cells.size());
    for (std::uint32_t c : g_.land_cells) {
      keys.emplace_back(-std::log(1.0 - rng_.uniform()) / weight_[c], c);
    }
    std::nth_element(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(o_.areas - 1),
                     keys.end());
    keys.resize(o_.areas);
    std::sort(keys.begin(), keys.end());
    seeds_.clear();
    for (const auto& key : keys) seeds_.push_back(key.second);
  }

  // The label of a random cell near cell c (other than `exclude`).
  int nearby_label(std::size_t c, int exclude) {
    const int i = lattice_.column_of(c);
    const int j = lattice_.row_of(c);
    for (int radius = 2; radius <= 2 * (lattice_.columns() + lattice_.rows()); radius *= 2) {
      for (int attempt = 0; attempt < 16; ++attempt) {
        const int di =
            static_cast<int>(rng_.below(static_cast<std::uint64_t>(2 * radius + 1))) - radius;
        const int dj =
            static_cast<int>(rng_.below(static_cast<std::uint64_t>(2 * radius + 1))) - radius;
        const int label = label_at(i + di, j + dj);
        if (label >= 0 && label != exclude) return label;
      }
    }
    return static_cast<int>(rng_.below(o_.areas));
  }

  void grow_labels() {
    label_.assign(lattice_.cells(), kSea);
    for (std::uint32_t c : g_.land_cells) label_[c] = kUnset;
    std::vector<std::size_t> queue;
    for (std::size_t a = 0; a < seeds_.size(); ++a) {
      label_[seeds_[a]] = static_cast<int>(a);
      queue.push_back(seeds_[a]);
    }
    auto grow = [&](std::size_t head, auto&& label_for) {
      for (; head < queue.size(); ++head) {
        const std::size_t c = queue[head];
        const int i = lattice_.column_of(c);
        const int j = lattice_.row_of(c);
        std::array<std::pair<int, int>, 4> neighbours{
            {{i - 1, j}, {i + 1, j}, {i, j - 1}, {i, j + 1}}};
        for (std::size_t k = 3; k > 0; --k) std::swap(neighbours[k], neighbours[rng_.below(k + 1)]);
        for (const auto& [ni, nj] : neighbours) {
          if (label_at(ni, nj) != kUnset) continue;
          const std::size_t n = lattice_.index(ni, nj);
          label_[n] = label_for(label_[c], n);
          queue.push_back(n);
        }
      }
    };
    const double exclave_chance = std::min(0.05, kExclavesPerArea * static_cast<double>(o_.areas) /
                                                     static_cast<double>(g_.land_cells.size()));
    grow(0, [&](int from, std::size_t cell) {
      if (o_.areas > 1 && rng_.chance(exclave_chance)) {
        ++out_.exclave_cells;
        return nearby_label(cell, from);
      }
      return from;
    });
    // Land no seed reached (islands) joins a nearby area.
    for (std::uint32_t c : g_.land_cells) {
      if (label_[c] != kUnset) continue;
      label_[c] = nearby_label(c, kUnset);
      ++out_.island_cells;
      const std::size_t head = queue.size();
      queue.push_back(c);
      grow(head, [&](int from, std::size_t) {
        ++out_.island_cells;
        return from;
      });
    }
    // Enclaves: a cell whose four neighbours share its label goes to a nearby other area,
    // which makes a hole in one area and a detached part of the other.
    if (o_.areas < 2) return;
    std::vector<std::uint32_t> surrounded;
    for (std::uint32_t c : g_.land_cells) {
      const int i = lattice_.column_of(c);
      const int j = lattice_.row_of(c);
      const int own = label_[c];
      if (label_at(i - 1, j) == own && label_at(i + 1, j) == own && label_at(i, j - 1) == own &&
          label_at(i, j + 1) == own) {
        surrounded.push_back(c);
      }
    }
    if (surrounded.empty()) return;
    const double enclave_chance = std::min(1.0, kEnclavesPerArea * static_cast<double>(o_.areas) /
                                                    static_cast<double>(surrounded.size()));
    for (std::uint32_t c : surrounded) {
      if (!rng_.chance(enclave_chance)) continue;
      const int i = lattice_.column_of(c);
      const int j = lattice_.row_of(c);
      const int own = label_[c];
      // Still surrounded (an earlier enclave may be next to it)?
      if (label_at(i - 1, j) != own || label_at(i + 1, j) != own || label_at(i, j - 1) != own ||
          label_at(i, j + 1) != own) {
        continue;
      }
      const int other = nearby_label(c, own);
      if (other != own) {
        label_[c] = other;
        ++out_.enclave_cells;
      }
    }
  }

  // Area numbers (code order): by the seed's 100 km band from the north, then west to east.
  void number_areas() {
    std::vector<std::pair<std::array<std::int64_t, 3>, int>> order;
    const auto band = static_cast<std::int64_t>(kCodeBand / lattice_.cell());
    for (std::size_t a = 0; a < seeds_.size(); ++a) {
      const int i = lattice_.column_of(seeds_[a]);
      const int j = lattice_.row_of(seeds_[a]);
      order.push_back({{-(j / band), i, j}, static_cast<int>(a)});
    }
    std::sort(order.begin(), order.end());
    std::vector<int> number(seeds_.size());
    for (std::size_t k = 0; k < order.size(); ++k)
      number[static_cast<std::size_t>(order[k].second)] = static_cast<int>(k);
    out_.label_of_cell.assign(lattice_.cells(), -1);
    for (std::size_t c = 0; c < lattice_.cells(); ++c) {
      if (label_[c] >= 0) label_[c] = number[static_cast<std::size_t>(label_[c])];
      out_.label_of_cell[c] = label_[c] >= 0 ? label_[c] : -1;
    }
    std::vector<std::uint32_t> seed_of(seeds_.size());
    for (std::size_t a = 0; a < seeds_.size(); ++a)
      seed_of[static_cast<std::size_t>(number[a])] = seeds_[a];
    seeds_ = std::move(seed_of);
  }

  // The mean seed weight of the land cells beside an edge (cells c1, c2 may be -1 or sea).
  double edge_weight(std::ptrdiff_t c1, std::ptrdiff_t c2) const {
    double sum = 0;
    int n = 0;
    for (std::ptrdiff_t c : {c1, c2}) {
      if (c >= 0 && weight_[static_cast<std::size_t>(c)] > 0) {
        sum += weight_[static_cast<std::size_t>(c)];
        ++n;
      }
    }
    return n == 0 ? 1.0 : std::pow(sum / n, kDetailExponent);
  }

  // The cells on either side of the lattice edge between vertices a < b.
  std::pair<std::ptrdiff_t, std::ptrdiff_t> edge_cells(int a, int b) const {
    const int nx = lattice_.columns() + 1;
    const int i = a % nx;
    const int j = a / nx;
    auto cell = [&](int ci, int cj) -> std::ptrdiff_t {
      if (ci < 0 || cj < 0 || ci >= lattice_.columns() || cj >= lattice_.rows()) return -1;
      return static_cast<std::ptrdiff_t>(lattice_.index(ci, cj));
    };
    if (b == a + 1) return {cell(i, j), cell(i, j - 1)};  // horizontal: above, below
    return {cell(i - 1, j), cell(i, j)};                  // vertical: west, east
  }

  int segments(int a, int b) const {
    const auto [c1, c2] = edge_cells(a, b);
    const double n = std::round(detail_scale_ * edge_weight(c1, c2));
    return static_cast<int>(std::clamp(n, 1.0, static_cast<double>(kMaxSegments)));
  }

  // Scales edge detail so that the areas have o_.vertices_per_area vertices on average.
  void edge_detail() {
    struct BoundaryEdge {
      double weight;
      int sides;
    };
    std::vector<BoundaryEdge> edges;
    const int nx = lattice_.columns() + 1;
    for (int j = 0; j <= lattice_.rows(); ++j) {
      for (int i = 0; i < lattice_.columns(); ++i) {
        const int above = label_at(i, j);
        const int below = label_at(i, j - 1);
        if (above == below) continue;
        const auto [c1, c2] = edge_cells(j * nx + i, j * nx + i + 1);
        edges.push_back({edge_weight(c1, c2), (above >= 0) + (below >= 0)});
      }
    }
    for (int j = 0; j < lattice_.rows(); ++j) {
      for (int i = 0; i <= lattice_.columns(); ++i) {
        const int west = label_at(i - 1, j);
        const int east = label_at(i, j);
        if (west == east) continue;
        const auto [c1, c2] = edge_cells(j * nx + i, (j + 1) * nx + i);
        edges.push_back({edge_weight(c1, c2), (west >= 0) + (east >= 0)});
      }
    }
    out_.boundary_edges = edges.size();
    const double target = o_.vertices_per_area * static_cast<double>(o_.areas);
    auto vertices = [&](double scale) {
      double total = 0;
      for (const BoundaryEdge& e : edges) {
        total += e.sides *
                 std::clamp(std::round(scale * e.weight), 1.0, static_cast<double>(kMaxSegments));
      }
      return total;
    };
    double lo = 0, hi = 1;
    while (vertices(hi) < target && hi < 1e6) hi *= 2;
    for (int k = 0; k < 60; ++k) {
      const double mid = 0.5 * (lo + hi);
      (vertices(mid) < target ? lo : hi) = mid;
    }
    detail_scale_ = hi;
    double segments_total = 0;
    for (const BoundaryEdge& e : edges) {
      const double n =
          std::clamp(std::round(hi * e.weight), 1.0, static_cast<double>(kMaxSegments));
      segments_total += n;
      out_.max_segments_per_edge = std::max(out_.max_segments_per_edge, static_cast<int>(n));
    }
    out_.mean_segments_per_edge =
        edges.empty() ? 0 : segments_total / static_cast<double>(edges.size());
  }

  // Lattice-level rings (vertex ids) of every area; then merges a few touching parts into one
  // self-touching ring.
  void trace() {
    const std::size_t n = o_.areas;
    std::vector<std::vector<DirectedEdge>> edges(n);
    auto add = [&](int label, int from, int to, int direction) {
      if (label >= 0) edges[static_cast<std::size_t>(label)].push_back({from, to, direction});
    };
    for (int j = 0; j <= lattice_.rows(); ++j) {
      for (int i = 0; i < lattice_.columns(); ++i) {
        const int above = label_at(i, j);
        const int below = label_at(i, j - 1);
        if (above == below) continue;
        add(above, lattice_.vertex_id(i, j), lattice_.vertex_id(i + 1, j), kEast);
        add(below, lattice_.vertex_id(i + 1, j), lattice_.vertex_id(i, j), kWest);
      }
    }
    for (int j = 0; j < lattice_.rows(); ++j) {
      for (int i = 0; i <= lattice_.columns(); ++i) {
        const int west = label_at(i - 1, j);
        const int east = label_at(i, j);
        if (west == east) continue;
        add(west, lattice_.vertex_id(i, j), lattice_.vertex_id(i, j + 1), kNorth);
        add(east, lattice_.vertex_id(i, j + 1), lattice_.vertex_id(i, j), kSouth);
      }
    }
    shells_.assign(n, {});
    holes_.assign(n, {});
    tbb::parallel_for(std::size_t{0}, n, [&](std::size_t a) { trace_area(a, edges[a]); });

    // Self-touching rings: two parts of one area that touch at a lattice vertex (cells touching
    // diagonally) written as one figure-eight ring. GEOS make-valid gives the two parts back.
    struct Candidate {
      std::size_t area, first, second;
      int vertex;
    };
    std::vector<Candidate> candidates;
    for (std::size_t a = 0; a < n; ++a) {
      const auto& shells = shells_[a];
      if (shells.size() < 2) continue;
      std::unordered_map<int, std::size_t> owner;
      bool found = false;
      for (std::size_t s = 0; s < shells.size() && !found; ++s) {
        for (int v : shells[s]) {
          const auto [it, inserted] = owner.emplace(v, s);
          // Parts side by side only: a part inside the other's hole would make a ring whose
          // lobes nest, which make-valid reads differently.
          if (!inserted && it->second != s && !nested(shells[it->second], shells[s])) {
            candidates.push_back({a, it->second, s, v});
            found = true;
            break;
          }
        }
      }
    }
    Rng pick(o_.seed, "national self-touching");
    shuffle(candidates, pick);
    const std::size_t merges = std::min(o_.self_touching, candidates.size());
    std::sort(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(merges),
              [](const Candidate& l, const Candidate& r) { return l.area < r.area; });
    for (std::size_t k = 0; k < merges; ++k) {
      const Candidate& c = candidates[k];
      auto& shells = shells_[c.area];
      auto rotate_to = [&](std::vector<int> cycle) {
        const auto it = std::find(cycle.begin(), cycle.end(), c.vertex);
        std::rotate(cycle.begin(), it, cycle.end());
        return cycle;
      };
      std::vector<int> merged = rotate_to(shells[c.first]);
      const std::vector<int> second = rotate_to(shells[c.second]);
      merged.insert(merged.end(), second.begin(), second.end());
      shells[c.first] = std::move(merged);
      shells.erase(shells.begin() + static_cast<std::ptrdiff_t>(c.second));
      const Point v = lattice_.vertex(c.vertex);
      out_.invalid.push_back({c.area, "self-touching ring",
                              "two parts touching at (" + std::to_string(v.x) + ", " +
                                  std::to_string(v.y) + ") written as one figure-eight ring"});
    }
    figure_eights_ = o_.self_touching - merges;
  }

  engine::Box cycle_bounds(const std::vector<int>& cycle) const {
    engine::Box box;
    for (int v : cycle) box.expand(lattice_.vertex(v));
    return box;
  }

  // Whether one cycle's bounding box holds the other's.
  bool nested(const std::vector<int>& a, const std::vector<int>& b) const {
    const engine::Box ba = cycle_bounds(a);
    const engine::Box bb = cycle_bounds(b);
    auto holds = [](const engine::Box& outer, const engine::Box& inner) {
      return outer.xmin <= inner.xmin && outer.ymin <= inner.ymin && outer.xmax >= inner.xmax &&
             outer.ymax >= inner.ymax;
    };
    return holds(ba, bb) || holds(bb, ba);
  }

  void trace_area(std::size_t a, std::vector<DirectedEdge>& list) {
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
    for (std::size_t start = 0; start < list.size(); ++start) {
      if (used[start]) continue;
      // Sharpest left turn first: where the area touches itself diagonally, this hugs one
      // cell, so each part is one edge-connected group of cells.
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
        if (next < 0) throw engine::internal_error("national areas: open boundary");
        if (static_cast<std::size_t>(next) == start) break;
        if (used[static_cast<std::size_t>(next)]) {
          throw engine::internal_error("national areas: boundary traced twice");
        }
        current = static_cast<std::size_t>(next);
      }
      for (std::vector<int>& cycle : simple_cycles(walk)) {
        Ring straight;
        for (int v : cycle) straight.push_back(lattice_.vertex(v));
        (engine::signed_area(straight) > 0 ? shells_[a] : holes_[a]).push_back(std::move(cycle));
      }
    }
  }

  // Sea cells with open water around them and land nearby get small invalid islets.
  void make_islets() {
    const std::size_t wanted = figure_eights_ + o_.bow_ties;
    if (wanted == 0) return;
    constexpr int kClear = 3;  // cells of sea all around
    constexpr int kReach = 6;  // land within this many cells
    std::vector<std::uint32_t> candidates;
    for (std::size_t c = 0; c < lattice_.cells(); ++c) {
      const int i = lattice_.column_of(c);
      const int j = lattice_.row_of(c);
      if (label_[c] != kSea || i < kReach || j < kReach || i + kReach >= lattice_.columns() ||
          j + kReach >= lattice_.rows()) {
        continue;
      }
      bool clear = true, near = false;
      for (int dj = -kReach; dj <= kReach && clear; ++dj) {
        for (int di = -kReach; di <= kReach; ++di) {
          const bool land = label_at(i + di, j + dj) >= 0;
          if (land && std::max(std::abs(di), std::abs(dj)) <= kClear) {
            clear = false;
            break;
          }
          near = near || land;
        }
      }
      if (clear && near) candidates.push_back(static_cast<std::uint32_t>(c));
    }
    Rng rng(o_.seed, "national islets");
    shuffle(candidates, rng);
    std::vector<std::uint32_t> chosen;
    for (std::uint32_t c : candidates) {
      if (chosen.size() == wanted) break;
      bool far = true;
      for (std::uint32_t other : chosen) {
        far = far && std::max(std::abs(lattice_.column_of(c) - lattice_.column_of(other)),
                              std::abs(lattice_.row_of(c) - lattice_.row_of(other))) > 20;
      }
      if (far) chosen.push_back(c);
    }
    std::sort(chosen.begin(), chosen.end());
    for (std::size_t k = 0; k < chosen.size(); ++k) {
      const std::uint32_t c = chosen[k];
      // The nearest land cell's area owns the islet.
      int owner = -1;
      for (int r = 1; r <= kReach && owner < 0; ++r) {
        for (int dj = -r; dj <= r && owner < 0; ++dj) {
          for (int di = -r; di <= r; ++di) {
            if (std::max(std::abs(di), std::abs(dj)) != r) continue;
            const int label = label_at(lattice_.column_of(c) + di, lattice_.row_of(c) + dj);
            if (label >= 0) {
              owner = label;
              break;
            }
          }
        }
      }
      const bool bow_tie = k < o_.bow_ties || figure_eights_ == 0;
      Islet islet;
      islet.area = static_cast<std::size_t>(owner);
      islet.bow_tie = bow_tie;
      const Point centre = lattice_.nominal_centre(c);
      const double angle = rng.uniform(0, std::numbers::pi);
      const double phase = rng.uniform(0, 2 * std::numbers::pi);
      const double cs = std::cos(angle), sn = std::sin(angle);
      auto place = [&](double u, double v) {
        return Point{centre.x + u * cs - v * sn, centre.y + u * sn + v * cs};
      };
      constexpr int kPoints = 160;  // a multiple of 4: no vertex where the bow-tie crosses
      if (bow_tie) {
        // A lemniscate of Bernoulli: one ring crossing itself at the centre (not a vertex).
        const double a = 1.2 * lattice_.cell();
        for (int p = 0; p < kPoints; ++p) {
          const double t = 2 * std::numbers::pi * (p + 0.5) / kPoints;
          const double s = std::sin(t);
          const double wiggle = 1 + 0.04 * std::sin(5 * t + phase);
          islet.ring.push_back(place(wiggle * a * std::cos(t) / (1 + s * s),
                                     wiggle * a * s * std::cos(t) / (1 + s * s)));
        }
        out_.invalid.push_back({islet.area, "bow-tie",
                                "islet whose ring crosses itself at (" + std::to_string(centre.x) +
                                    ", " + std::to_string(centre.y) + ")"});
      } else {
        // Two counter-clockwise lobes through the centre: a ring touching itself at a vertex.
        const double r = 0.6 * lattice_.cell();
        for (int lobe = 0; lobe < 2; ++lobe) {
          const double side = lobe == 0 ? 1.0 : -1.0;
          islet.ring.push_back(centre);
          for (int p = 1; p < kPoints / 2; ++p) {
            const double t = 2 * std::numbers::pi * p / (kPoints / 2);
            const double half = std::sin(t / 2);
            const double radius = r * (1 + 0.06 * half * half * std::sin(3 * t + phase));
            // Lobe 0 is centred east of the centre, lobe 1 west; both counter-clockwise.
            islet.ring.push_back(
                place(side * (r - radius * std::cos(t)), -side * radius * std::sin(t)));
          }
        }
        out_.invalid.push_back({islet.area, "self-touching ring",
                                "figure-eight islet touching itself at (" +
                                    std::to_string(centre.x) + ", " + std::to_string(centre.y) +
                                    ")"});
      }
      for (const Point& p : islet.ring) islet.bounds.expand(p);
      out_.islets.push_back(std::move(islet));
    }
  }

  // The vertices strictly between lattice vertices a < b: midpoint displacement seeded by the
  // edge, kept within |offset| <= kSlope * min(t, 1 - t) * length, so no two edges meet.
  void densify(int a, int b, std::vector<Point>& out) const {
    constexpr double kAmplitude = 0.12;
    constexpr double kRoughness = 0.55;
    constexpr double kSlope = 0.25;
    const int n = segments(a, b);
    if (n <= 1) return;
    int levels = 0;
    while ((1 << levels) < n) ++levels;
    const int m = 1 << levels;
    Rng r(o_.seed ^ mix64(static_cast<std::uint64_t>(a) * 0x9E3779B97F4A7C15ull ^
                          static_cast<std::uint64_t>(b)),
          "edge");
    std::vector<double> offset(static_cast<std::size_t>(m) + 1, 0.0);
    double amplitude = kAmplitude;
    for (int step = m; step > 1; step /= 2) {
      for (int k = step / 2; k < m; k += step) {
        offset[static_cast<std::size_t>(k)] =
            0.5 * (offset[static_cast<std::size_t>(k - step / 2)] +
                   offset[static_cast<std::size_t>(k + step / 2)]) +
            amplitude * r.uniform(-1, 1);
      }
      amplitude *= kRoughness;
    }
    const Point pa = lattice_.vertex(a);
    const Point pb = lattice_.vertex(b);
    const double dx = pb.x - pa.x;
    const double dy = pb.y - pa.y;
    for (int k = 1; k < n; ++k) {
      const double t = (k + 0.3 * r.uniform(-1, 1)) / n;
      const double f = t * m;
      const auto k0 = std::min(static_cast<int>(f), m - 1);
      const double w = f - k0;
      const double raw = (1 - w) * offset[static_cast<std::size_t>(k0)] +
                         w * offset[static_cast<std::size_t>(k0) + 1];
      const double limit = kSlope * std::min(t, 1 - t);
      const double d = std::clamp(raw, -limit, limit);
      out.push_back({pa.x + t * dx - d * dy, pa.y + t * dy + d * dx});
    }
  }

  Ring densify_cycle(const std::vector<int>& cycle) const {
    Ring ring;
    std::vector<Point> between;
    for (std::size_t k = 0; k < cycle.size(); ++k) {
      const int from = cycle[k];
      const int to = cycle[(k + 1) % cycle.size()];
      ring.push_back(lattice_.vertex(from));
      between.clear();
      densify(std::min(from, to), std::max(from, to), between);
      if (from > to) std::reverse(between.begin(), between.end());
      ring.insert(ring.end(), between.begin(), between.end());
    }
    return ring;
  }

  void densify_all() {
    out_.geometry.assign(o_.areas, {});
    tbb::parallel_for(std::size_t{0}, o_.areas, [&](std::size_t a) {
      MultiPolygon& area = out_.geometry[a];
      for (const std::vector<int>& shell : shells_[a]) area.push_back({densify_cycle(shell), {}});
      // Each hole goes into the smallest part that contains it; a point halfway along its
      // first edge lies on no other ring of the area (only lattice vertices can be shared).
      for (const std::vector<int>& cycle : holes_[a]) {
        Ring hole = densify_cycle(cycle);
        const Point probe{0.5 * (hole[0].x + hole[1].x), 0.5 * (hole[0].y + hole[1].y)};
        Polygon* owner = nullptr;
        double owner_area = 0;
        for (Polygon& part : area) {
          if (!ring_contains(part.exterior, probe)) continue;
          const double part_area = std::abs(engine::signed_area(part.exterior));
          if (owner == nullptr || part_area < owner_area) {
            owner = &part;
            owner_area = part_area;
          }
        }
        if (owner == nullptr) throw engine::internal_error("national areas: hole outside its area");
        owner->holes.push_back(std::move(hole));
      }
    });
    for (const Islet& islet : out_.islets) out_.geometry[islet.area].push_back({islet.ring, {}});
    shells_.clear();
    holes_.clear();
  }

  void coast_edges() {
    for (std::uint32_t c : g_.land_cells) {
      const int i = lattice_.column_of(c);
      const int j = lattice_.row_of(c);
      if (label_at(i, j - 1) == kSea)
        out_.coast.push_back({lattice_.vertex_id(i, j), lattice_.vertex_id(i + 1, j), c});
      if (label_at(i + 1, j) == kSea)
        out_.coast.push_back({lattice_.vertex_id(i + 1, j), lattice_.vertex_id(i + 1, j + 1), c});
      if (label_at(i, j + 1) == kSea)
        out_.coast.push_back({lattice_.vertex_id(i + 1, j + 1), lattice_.vertex_id(i, j + 1), c});
      if (label_at(i - 1, j) == kSea)
        out_.coast.push_back({lattice_.vertex_id(i, j + 1), lattice_.vertex_id(i, j), c});
    }
  }

  void names() {
    Rng rng(o_.seed, "national names");
    for (std::size_t a = 0; a < o_.areas; ++a) {
      out_.code.push_back(fmt::format("Z05{:06}", a + 1));
      out_.name.push_back(make_name(lattice_.nominal_centre(seeds_[a]), rng));
    }
  }

  const Geography& g_;
  const AreasOptions& o_;
  const Lattice& lattice_;
  Rng rng_;
  std::vector<double> weight_;        // per cell: seed weight (0 at sea)
  std::vector<std::uint32_t> seeds_;  // by label, then by area number
  std::vector<int> label_;
  double detail_scale_ = 1;
  std::vector<std::vector<std::vector<int>>> shells_;  // per area: lattice-level shells
  std::vector<std::vector<std::vector<int>>> holes_;
  std::size_t figure_eights_ = 0;
  NationalAreas out_;
};

}  // namespace

NationalAreas make_national_areas(const Geography& geography, const AreasOptions& options) {
  return AreasBuilder(geography, options).run();
}

}  // namespace notspot::generate
