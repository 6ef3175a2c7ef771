#include "mobile_model.hpp"

#include <fmt/format.h>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string_view>

#include "notspot/engine/error.hpp"
#include "premises_placement.hpp"
#include "random.hpp"
#include "real_data.hpp"
#include "value_noise.hpp"

namespace notspot::generate {
namespace {

using engine::Point;

/// Signals are clamped to what a phone reports (RSRP range): no cell is "off the scale".
constexpr double kMinDbm = -140;
constexpr double kMaxDbm = -44;
/// Path loss is flat within this distance of a mast (metres): the mast's own cell.
constexpr double kMinDistance = 50;
/// Neighbour rank of the settlement density that spaces town masts: the distance to the 30th
/// nearest postcode is ~150 m in a town centre and kilometres in the countryside.
constexpr int kDensityRank = 30;
/// Town masts of one network are at least factor × density apart, within [min, max] metres.
constexpr double kTownSpacingFactor = 2.5;
constexpr double kMinTownSpacing = 600;
constexpr double kMaxTownSpacing = 6000;
/// A postcode farther than this (metres) from every mast gets a village mast.
constexpr double kVillageReach = 3000;
/// Rural masts: at least this far (metres) from every other mast, from this many random
/// candidate places.
constexpr double kRuralSpacing = 5000;
constexpr int kRuralCandidates = 6000;
/// Road masts every 2.5–4 km along a corridor, unless a mast is this close already.
constexpr double kRoadSiteClearance = 1500;
/// A postcode district with at least this many postcodes is a town the corridors join.
constexpr std::size_t kTownPostcodes = 100;
/// Besides the spanning tree, this many more of the shortest town pairs (up to kMaxExtraRoad
/// metres) get a corridor, so that the road network has a few loops.
constexpr std::size_t kExtraRoads = 4;
constexpr double kMaxExtraRoad = 25000;
/// Search buckets for the strongest mast (metres) and the farthest a mast is looked for.
constexpr double kSearchBucket = 2000;
constexpr int kMaxSearchRing = 25;
/// A mast has an operator's 5G where that operator's rollout score is within this margin of
/// the leading operator's there.
constexpr double kRolloutMargin = 0.1;
/// Share of road and rural masts that have 5G (for the operators that lead there).
constexpr double kRural5g = 0.3;
/// Share of the land in valleys, where every operator loses up to valley_db.
constexpr double kValleyShare = 0.04;
/// Valleys are full depth where at most first postcodes lie within kValleyWindow cells
/// (each way) of a cell, and vanish from second postcodes on.
constexpr std::pair<double, double> kValleyPostcodes = {3, 60};
constexpr std::size_t kValleyWindow = 15;
/// Bisection steps for the shadowing correlation (in [0, 1]: 2^-20 is plenty).
constexpr int kCorrelationSteps = 20;

/// Rounds a signal to the whole dBm the raster stores, within the reported range.
std::int16_t to_dbm(double signal) {
  return static_cast<std::int16_t>(std::clamp(std::round(signal), kMinDbm, kMaxDbm));
}

bool is_covered(double signal) {
  return to_dbm(signal) >= kCoveredDbm;
}

bool is_covered(std::int16_t dbm) {
  return dbm != kSignalNodata && dbm >= kCoveredDbm;
}

enum class SiteKind : std::uint8_t { kTown, kRoad, kRural };

/// A mast site: where it is and which operators (4G, 5G) transmit from it.
struct Site {
  Point position;
  SiteKind kind = SiteKind::kTown;
  double density = 0;             ///< Settlement spacing there (metres): small in towns.
  std::uint8_t operators = 0;     ///< Bit o: operator o has 4G here.
  std::uint8_t operators_5g = 0;  ///< Bit o: operator o has 5G here.
  std::array<double, kOperatorCount> gain_db{};  ///< Height and antenna, per operator.
};

/// Points in square buckets, to ask whether any lies within a distance.
class PointBuckets {
 public:
  PointBuckets(const engine::Box& box, double bucket)
      : box_(box),
        bucket_(bucket),
        columns_(static_cast<long>(box.width() / bucket) + 1),
        rows_(static_cast<long>(box.height() / bucket) + 1),
        cells_(static_cast<std::size_t>(columns_ * rows_)) {}

  void add(Point p) { cells_[index(column(p.x), row(p.y))].push_back(p); }

  bool any_within(Point p, double distance) const {
    const long reach = static_cast<long>(std::ceil(distance / bucket_));
    const long c0 = column(p.x), r0 = row(p.y);
    for (long r = std::max(0L, r0 - reach); r <= std::min(rows_ - 1, r0 + reach); ++r) {
      for (long c = std::max(0L, c0 - reach); c <= std::min(columns_ - 1, c0 + reach); ++c) {
        for (Point q : cells_[index(c, r)])
          if (std::hypot(q.x - p.x, q.y - p.y) < distance) return true;
      }
    }
    return false;
  }

 private:
  long column(double x) const {
    return std::clamp(static_cast<long>((x - box_.xmin) / bucket_), 0L, columns_ - 1);
  }
  long row(double y) const {
    return std::clamp(static_cast<long>((y - box_.ymin) / bucket_), 0L, rows_ - 1);
  }
  std::size_t index(long c, long r) const { return static_cast<std::size_t>(r * columns_ + c); }

  engine::Box box_;
  double bucket_;
  long columns_, rows_;
  std::vector<std::vector<Point>> cells_;
};

/**
 * The strongest of a set of masts at any point: max over masts of gain − 10·n·log10(d / 1 km).
 * Maximising gain − 5n·log10(d²) is maximising w / d² with w = 10^(gain / 5n), so the search
 * needs no logarithm per mast; buckets are visited in rings outwards until no farther mast
 * can beat the best found.
 */
class StrongestMast {
 public:
  StrongestMast(std::span<const Point> positions, std::span<const double> gains_db, double exponent,
                const engine::Box& box)
      : box_(box),
        columns_(static_cast<long>(box.width() / kSearchBucket) + 1),
        rows_(static_cast<long>(box.height() / kSearchBucket) + 1),
        five_n_(5 * exponent),
        start_(static_cast<std::size_t>(columns_ * rows_) + 1, 0) {
    std::vector<std::size_t> bucket_of(positions.size());
    for (std::size_t i = 0; i < positions.size(); ++i) {
      bucket_of[i] = index(column(positions[i].x), row(positions[i].y));
      ++start_[bucket_of[i] + 1];
    }
    for (std::size_t b = 1; b < start_.size(); ++b) start_[b] += start_[b - 1];
    masts_.resize(positions.size());
    std::vector<std::size_t> fill(start_.begin(), start_.end() - 1);
    for (std::size_t i = 0; i < positions.size(); ++i) {
      const double weight = std::pow(10.0, gains_db[i] / five_n_);
      masts_[fill[bucket_of[i]]++] = {positions[i], weight};
      max_weight_ = std::max(max_weight_, weight);
    }
  }

  /// The strongest signal at p relative to the 1 km reference (dB); -infinity without masts.
  double at(Point p) const {
    const long c0 = column(p.x), r0 = row(p.y);
    double best = 0;  // w / d², in 1/m²
    for (int ring = 0; ring <= kMaxSearchRing; ++ring) {
      if (ring >= 2) {
        const double nearest = (ring - 1) * kSearchBucket;
        if (max_weight_ / (nearest * nearest) <= best) break;
      }
      for (long r = r0 - ring; r <= r0 + ring; ++r) {
        if (r < 0 || r >= rows_) continue;
        const bool edge_row = r == r0 - ring || r == r0 + ring;
        for (long c = c0 - ring; c <= c0 + ring; c += edge_row ? 1 : 2 * ring) {
          if (c >= 0 && c < columns_) {
            const std::size_t b = index(c, r);
            for (std::size_t k = start_[b]; k < start_[b + 1]; ++k) {
              const Mast& m = masts_[k];
              const double dx = m.position.x - p.x, dy = m.position.y - p.y;
              best = std::max(best,
                              m.weight / std::max(dx * dx + dy * dy, kMinDistance * kMinDistance));
            }
          }
          if (ring == 0) break;
        }
      }
    }
    if (best <= 0) return -std::numeric_limits<double>::infinity();
    return five_n_ * (std::log10(best) + 6);  // + 6: distances relative to 1 km (1e6 m²)
  }

 private:
  struct Mast {
    Point position;
    double weight;
  };
  long column(double x) const {
    return std::clamp(static_cast<long>((x - box_.xmin) / kSearchBucket), 0L, columns_ - 1);
  }
  long row(double y) const {
    return std::clamp(static_cast<long>((y - box_.ymin) / kSearchBucket), 0L, rows_ - 1);
  }
  std::size_t index(long c, long r) const { return static_cast<std::size_t>(r * columns_ + c); }

  engine::Box box_;
  long columns_, rows_;
  double five_n_;
  double max_weight_ = 0;
  std::vector<std::size_t> start_;  // bucket b holds masts_[start_[b], start_[b + 1])
  std::vector<Mast> masts_;
};

/// "DT1 1AA" → "DT1", "BA215BT" → "BA21": the postcode district (outward code).
std::string_view outward_code(std::string_view code) {
  std::string_view outward = code.substr(0, code.size() >= 3 ? code.size() - 3 : 0);
  while (!outward.empty() && outward.back() == ' ') outward.remove_suffix(1);
  return outward;
}

/// Towns: for each postcode district with enough postcodes, the postcode with the most of
/// the district's postcodes within 1 km (its densest spot, a town centre).
std::vector<Point> find_towns(std::span<const Postcode> postcodes) {
  std::map<std::string, std::vector<std::size_t>, std::less<>> districts;
  for (std::size_t i = 0; i < postcodes.size(); ++i)
    districts[std::string(outward_code(postcodes[i].code))].push_back(i);
  std::vector<Point> towns;
  for (const auto& [district, members] : districts) {
    if (members.size() < kTownPostcodes) continue;
    std::size_t best = 0, best_count = 0;
    for (std::size_t i : members) {
      std::size_t count = 0;
      for (std::size_t j : members) {
        const double dx = postcodes[i].position.x - postcodes[j].position.x;
        const double dy = postcodes[i].position.y - postcodes[j].position.y;
        count += dx * dx + dy * dy < 1e6;
      }
      if (count > best_count) {
        best_count = count;
        best = i;
      }
    }
    towns.push_back(postcodes[best].position);
  }
  return towns;
}

/// Corridors between towns: a minimum spanning tree (Prim) plus a few more short links.
std::vector<std::pair<std::size_t, std::size_t>> road_links(std::span<const Point> towns) {
  const std::size_t n = towns.size();
  auto distance = [&](std::size_t a, std::size_t b) {
    return std::hypot(towns[a].x - towns[b].x, towns[a].y - towns[b].y);
  };
  std::vector<std::pair<std::size_t, std::size_t>> links;
  if (n < 2) return links;
  std::vector<bool> in_tree(n, false);
  std::vector<double> best(n, std::numeric_limits<double>::infinity());
  std::vector<std::size_t> parent(n, 0);
  best[0] = 0;
  for (std::size_t step = 0; step < n; ++step) {
    std::size_t next = n;
    for (std::size_t i = 0; i < n; ++i)
      if (!in_tree[i] && (next == n || best[i] < best[next])) next = i;
    in_tree[next] = true;
    if (step > 0) links.emplace_back(std::min(parent[next], next), std::max(parent[next], next));
    for (std::size_t i = 0; i < n; ++i) {
      if (!in_tree[i] && distance(next, i) < best[i]) {
        best[i] = distance(next, i);
        parent[i] = next;
      }
    }
  }
  std::vector<std::pair<double, std::pair<std::size_t, std::size_t>>> others;
  for (std::size_t a = 0; a < n; ++a) {
    for (std::size_t b = a + 1; b < n; ++b) {
      if (std::find(links.begin(), links.end(), std::pair{a, b}) == links.end() &&
          distance(a, b) <= kMaxExtraRoad)
        others.push_back({distance(a, b), {a, b}});
    }
  }
  std::sort(others.begin(), others.end());
  for (std::size_t k = 0; k < others.size() && k < kExtraRoads; ++k)
    links.push_back(others[k].second);
  return links;
}

/// A wiggly road from a to b: midpoint displacement, 4 levels.
std::vector<Point> road_line(Point a, Point b, Rng& rng) {
  std::vector<Point> line = {a, b};
  double amplitude = 0.06 * std::hypot(b.x - a.x, b.y - a.y);
  for (int level = 0; level < 4; ++level, amplitude *= 0.55) {
    std::vector<Point> finer = {line.front()};
    for (std::size_t i = 0; i + 1 < line.size(); ++i) {
      const Point p = line[i], q = line[i + 1];
      const double length = std::max(1e-9, std::hypot(q.x - p.x, q.y - p.y));
      const double shift = amplitude * rng.normal();
      finer.push_back({(p.x + q.x) / 2 - (q.y - p.y) / length * shift,
                       (p.y + q.y) / 2 + (q.x - p.x) / length * shift});
      finer.push_back(q);
    }
    line = std::move(finer);
  }
  return line;
}

/// Masts of both site-sharing networks, the road corridors and the countryside.
std::vector<Site> place_sites(const MobileInputs& in, const engine::Box& box, Rng& rng,
                              MobileSites& stats) {
  std::vector<Point> positions;
  for (const Postcode& postcode : in.postcodes) positions.push_back(postcode.position);
  const std::vector<double> density = neighbour_spacing(positions, kDensityRank);
  std::vector<Site> sites;
  PointBuckets all(box, 1000);

  // Town masts: each network throws darts at the postcodes in its own random order, so the
  // two networks' masts follow the same density at different places.
  for (int network = 0; network < 2; ++network) {
    std::vector<std::size_t> order(positions.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    shuffle(order, rng);
    PointBuckets mine(box, 1000);
    for (std::size_t i : order) {
      const double spacing =
          std::clamp(kTownSpacingFactor * density[i], kMinTownSpacing, kMaxTownSpacing);
      const Point p = {positions[i].x + 120 * rng.normal(), positions[i].y + 120 * rng.normal()};
      if (mine.any_within(p, spacing)) continue;
      mine.add(p);
      all.add(p);
      Site site;
      site.position = p;
      site.kind = SiteKind::kTown;
      site.density = density[i];
      // EE + Three (MBNL) or O2 + Vodafone (Beacon); one of a pair is sometimes missing.
      const std::size_t first = network == 0 ? 0 : 2;
      if (rng.chance(network == 0 ? 0.97 : 0.93)) site.operators |= 1u << first;
      if (rng.chance(network == 0 ? 0.85 : 0.93)) site.operators |= 1u << (first + 1);
      if (site.operators == 0) site.operators = 1u << first;
      sites.push_back(site);
      ++stats.town;
    }
  }

  // Road corridors between towns: masts every 2.5–4 km, on either network or shared by all.
  const std::vector<Point> towns = find_towns(in.postcodes);
  const auto links = road_links(towns);
  stats.towns = towns.size();
  stats.corridors = links.size();
  for (const auto& [a, b] : links) {
    const std::vector<Point> line = road_line(towns[a], towns[b], rng);
    double next = rng.uniform(1000, 3000);
    double travelled = 0;
    for (std::size_t i = 0; i + 1 < line.size(); ++i) {
      const Point p = line[i], q = line[i + 1];
      const double length = std::hypot(q.x - p.x, q.y - p.y);
      while (next <= travelled + length) {
        const double t = (next - travelled) / length;
        next += rng.uniform(2500, 4000);
        const Point s = {p.x + t * (q.x - p.x) + 150 * rng.normal(),
                         p.y + t * (q.y - p.y) + 150 * rng.normal()};
        const double u = rng.uniform();
        if (all.any_within(s, kRoadSiteClearance)) continue;
        all.add(s);
        Site site;
        site.position = s;
        site.kind = SiteKind::kRoad;
        site.density = 3000;
        site.operators = u < 0.4 ? 0b1111 : u < 0.7 ? 0b0011 : 0b1100;
        sites.push_back(site);
        ++stats.road;
      }
      travelled += length;
    }
  }

  // Rural masts wherever no mast is near, on land (inside the boundary, or across the land
  // border); a third are shared by all four (like the Shared Rural Network's).
  for (int k = 0; k < kRuralCandidates; ++k) {
    const Point p = {rng.uniform(box.xmin, box.xmax), rng.uniform(box.ymin, box.ymax)};
    const double u = rng.uniform();
    const bool inside = in.boundary->locate(p) != engine::AreaIndex::kOutside;
    if (!inside && p.y < in.land_border_northing) continue;
    if (all.any_within(p, kRuralSpacing)) continue;
    all.add(p);
    Site site;
    site.position = p;
    site.kind = SiteKind::kRural;
    site.density = 5000;
    site.operators = u < 0.35 ? 0b1111 : u < 0.675 ? 0b0011 : 0b1100;
    sites.push_back(site);
    ++stats.rural;
  }

  // Village masts: a postcode with no mast within reach gets one, for one network only (the
  // coverage obligations that bring a village its first operator, not all four).
  {
    std::vector<std::size_t> order(positions.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    shuffle(order, rng);
    for (std::size_t i : order) {
      const Point p = {positions[i].x + 150 * rng.normal(), positions[i].y + 150 * rng.normal()};
      const bool network_a = rng.chance(0.5);
      if (all.any_within(p, kVillageReach)) continue;
      all.add(p);
      Site site;
      site.position = p;
      site.kind = SiteKind::kRural;
      site.density = density[i];
      site.operators = network_a ? 0b0011 : 0b1100;
      sites.push_back(site);
      ++stats.village;
    }
  }

  // Gains: rural masts are taller; each operator's antennas differ a little. 5G: operators
  // roll out region by region, each where its own smooth rollout field leads the others'
  // (within a margin, so that some places get two or more), on town masts and a few rural
  // ones. Their 5G footprints therefore overlap little, as Ofcom's shares of premises and
  // land by number of operators show (each operator ~38% of premises, together ~90%).
  const std::uint64_t rollout_seed = mix64(rng.next());
  for (Site& site : sites) {
    const double height = site.kind == SiteKind::kTown ? 0 : site.kind == SiteKind::kRoad ? 2 : 4;
    std::array<double, kOperatorCount> score{};
    for (std::size_t o = 0; o < kOperatorCount; ++o) {
      site.gain_db[o] = height + 1.5 * rng.normal();
      const std::uint64_t seed = mix64(rollout_seed + o);
      score[o] = value_noise(site.position, 15000, seed) +
                 0.5 * value_noise(site.position, 5000, mix64(seed)) + 0.25 * rng.normal();
    }
    const double lead = *std::max_element(score.begin(), score.end());
    const bool eligible = rng.chance(site.kind == SiteKind::kTown ? 1.0 : kRural5g);
    for (std::size_t o = 0; o < kOperatorCount; ++o) {
      if (eligible && (site.operators >> o & 1u) && score[o] >= lead - kRolloutMargin)
        site.operators_5g |= 1u << o;
    }
    if (site.operators == 0b1111) ++stats.shared_by_all;
    for (std::size_t o = 0; o < kOperatorCount; ++o) {
      stats.sites_4g[o] += site.operators >> o & 1u;
      stats.sites_5g[o] += site.operators_5g >> o & 1u;
    }
  }
  return sites;
}

/// Runs body(row) for every grid row, in parallel; each row writes only its own cells.
template <class Body>
void for_each_row(const engine::Grid& grid, Body&& body) {
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, grid.rows),
                    [&](const tbb::blocked_range<std::size_t>& range) {
                      for (std::size_t row = range.begin(); row < range.end(); ++row) body(row);
                    });
}

Point cell_centre(const engine::Grid& grid, std::size_t col, std::size_t row) {
  return {grid.cell_xmin(col) + grid.cell_width / 2, grid.cell_ymax(row) - grid.cell_height / 2};
}

/// Rescales a field to mean 0 and variance 1 over the data cells (summed in a fixed order).
void standardise(std::vector<float>& field, const std::vector<std::uint8_t>& has_data) {
  double sum = 0, sum2 = 0, n = 0;
  for (std::size_t i = 0; i < field.size(); ++i) {
    if (!has_data[i]) continue;
    sum += field[i];
    sum2 += static_cast<double>(field[i]) * field[i];
    ++n;
  }
  const double mean = sum / n;
  const double sd = std::sqrt(std::max(1e-12, sum2 / n - mean * mean));
  for (float& v : field) v = static_cast<float>((v - mean) / sd);
}

/// Shadowing: three octaves of value noise (6 km, 2 km, 700 m).
double shadowing(Point p, std::uint64_t seed) {
  return value_noise(p, 6000, mix64(seed ^ 1)) + 0.6 * value_noise(p, 2000, mix64(seed ^ 2)) +
         0.35 * value_noise(p, 700, mix64(seed ^ 3));
}

/// x in [lo, hi] where the monotone step function f comes closest to target (bisection).
template <class F>
double solve(F&& f, double lo, double hi, double target, bool increasing, int steps = 40) {
  double f_lo = f(lo), f_hi = f(hi);
  for (int i = 0; i < steps; ++i) {
    const double mid = (lo + hi) / 2;
    const double f_mid = f(mid);
    if ((f_mid < target) == increasing) {
      lo = mid;
      f_lo = f_mid;
    } else {
      hi = mid;
      f_hi = f_mid;
    }
  }
  return std::abs(f_lo - target) <= std::abs(f_hi - target) ? lo : hi;
}

/// Postcodes within `window` cells (each way, a square) of every cell: a summed-area table.
std::vector<std::uint32_t> postcodes_nearby(const MobileInputs& in, std::size_t window) {
  const engine::Grid& grid = in.grid;
  const std::size_t w = grid.columns + 1;
  std::vector<std::uint32_t> sum(w * (grid.rows + 1), 0);  // sum[(r)(w) + c]: cells above-left
  for (const Postcode& postcode : in.postcodes) {
    if (const auto cell = grid.cell_of(postcode.position))
      ++sum[(cell->second + 1) * w + cell->first + 1];
  }
  for (std::size_t r = 1; r <= grid.rows; ++r)
    for (std::size_t c = 1; c <= grid.columns; ++c)
      sum[r * w + c] += sum[(r - 1) * w + c] + sum[r * w + c - 1] - sum[(r - 1) * w + c - 1];
  std::vector<std::uint32_t> out(grid.columns * grid.rows);
  for (std::size_t r = 0; r < grid.rows; ++r) {
    const std::size_t r0 = r >= window ? r - window : 0, r1 = std::min(grid.rows, r + window + 1);
    for (std::size_t c = 0; c < grid.columns; ++c) {
      const std::size_t c0 = c >= window ? c - window : 0;
      const std::size_t c1 = std::min(grid.columns, c + window + 1);
      out[r * grid.columns + c] =
          sum[r1 * w + c1] - sum[r0 * w + c1] - sum[r1 * w + c0] + sum[r0 * w + c0];
    }
  }
  return out;
}

/**
 * The weighted share (percent) of cells covered when a shift is added to their signals, in
 * O(log n) per shift: values sorted strongest first, so the covered ones are a prefix.
 */
class CoveredShare {
 public:
  CoveredShare(std::span<const double> values, std::span<const double> weights, double total)
      : total_(total) {
    std::vector<std::pair<double, double>> sorted;
    for (std::size_t j = 0; j < values.size(); ++j) sorted.emplace_back(values[j], weights[j]);
    std::sort(sorted.begin(), sorted.end(), std::greater<>());
    values_.reserve(sorted.size());
    cumulative_.assign(1, 0.0);
    for (const auto& [value, weight] : sorted) {
      values_.push_back(value);
      cumulative_.push_back(cumulative_.back() + weight);
    }
  }

  double operator()(double shift) const {
    const auto covered = std::partition_point(values_.begin(), values_.end(),
                                              [&](double v) { return is_covered(v + shift); });
    return 100 * cumulative_[static_cast<std::size_t>(covered - values_.begin())] / total_;
  }

 private:
  double total_;
  std::vector<double> values_;
  std::vector<double> cumulative_;
};

}  // namespace

const char* technology_name(MobileLayerKind kind) {
  return kind == MobileLayerKind::k5gOutdoor ? "5G" : "4G";
}

const char* setting_name(MobileLayerKind kind) {
  return kind == MobileLayerKind::k4gIndoor ? "indoor" : "outdoor";
}

MobileTargets MobileTargets::from_ofcom(const OfcomRow& row) {
  MobileTargets t;
  auto read = [&](OperatorShares& shares, const std::string& stem) {
    double total = 0;
    for (std::size_t k = 0; k <= kOperatorCount; ++k) {
      shares[k] = row.number_or(stem + std::to_string(k), 0.0);
      total += shares[k];
    }
    // Shares of k = 0..4 operators partition the premises (or land): Ofcom rounds each.
    if (std::abs(total - 100) > 0.5) {
      throw engine::input_error(fmt::format("{}: the columns {}0..4 add up to {}%, not 100%",
                                            row.file.string(), stem, total));
    }
  };
  read(t.prem_in_4g, "4G_prem_in_");
  read(t.prem_out_4g, "4G_prem_out_");
  read(t.geo_out_4g, "4G_geo_out_");
  read(t.prem_out_5g, "5G_high_confidence_prem_out_");
  read(t.geo_out_5g, "5G_high_confidence_geo_out_");
  return t;
}

OperatorShares premises_shares(const MobileInputs& inputs,
                               std::span<const MobileLayer* const> layers) {
  std::array<std::uint64_t, kOperatorCount + 1> counts{};
  for (const auto& [cell, premises] : inputs.premises_cells) {
    std::size_t k = 0;
    for (const MobileLayer* layer : layers) k += is_covered(layer->dbm[cell]);
    counts[k] += premises;
  }
  OperatorShares shares{};
  for (std::size_t k = 0; k < shares.size(); ++k)
    shares[k] = 100.0 * static_cast<double>(counts[k]) / static_cast<double>(inputs.premises);
  return shares;
}

OperatorShares area_shares(const MobileInputs& inputs, std::span<const MobileLayer* const> layers) {
  OperatorShares area{};
  for (const engine::CellArea& c : inputs.area_cells) {
    const std::size_t cell = c.row * inputs.grid.columns + c.col;
    std::size_t k = 0;
    for (const MobileLayer* layer : layers) k += is_covered(layer->dbm[cell]);
    area[k] += c.area;
  }
  for (double& a : area) a = 100.0 * a / inputs.area;
  return area;
}

MobileCoverage make_mobile_coverage(const MobileInputs& in, const MobileTargets& targets,
                                    const MobileOptions& options) {
  const engine::Grid& grid = in.grid;
  const std::size_t cells = grid.columns * grid.rows;
  MobileCoverage result;

  // Masts may stand a few kilometres beyond the raster: their signal reaches into it.
  engine::Box box{grid.xmin - 6000, grid.cell_ymax(grid.rows) - 6000,
                  grid.cell_xmin(grid.columns) + 6000, grid.ymax + 6000};
  Rng rng(options.seed, "mobile sites");
  const std::vector<Site> sites = place_sites(in, box, rng, result.sites);

  // Strongest mast per operator and technology (relative to the 1 km reference).
  std::array<std::vector<float>, kOperatorCount> raw4, raw5;
  for (std::size_t o = 0; o < kOperatorCount; ++o) {
    std::vector<Point> p4, p5;
    std::vector<double> g4, g5;
    for (const Site& site : sites) {
      if (site.operators >> o & 1u) {
        p4.push_back(site.position);
        g4.push_back(site.gain_db[o]);
      }
      if (site.operators_5g >> o & 1u) {
        p5.push_back(site.position);
        g5.push_back(site.gain_db[o]);
      }
    }
    const StrongestMast masts4(p4, g4, options.exponent_4g, box);
    const StrongestMast masts5(p5, g5, options.exponent_5g, box);
    raw4[o].assign(cells, 0);
    raw5[o].assign(cells, 0);
    for_each_row(grid, [&](std::size_t row) {
      for (std::size_t col = 0; col < grid.columns; ++col) {
        const std::size_t i = row * grid.columns + col;
        if (!in.has_data[i]) continue;
        const Point p = cell_centre(grid, col, row);
        raw4[o][i] = static_cast<float>(options.reference_4g_dbm + options.operator_offset_db[o] +
                                        masts4.at(p));
        raw5[o][i] = static_cast<float>(options.reference_5g_dbm + masts5.at(p));
      }
    });
  }

  // Shadowing: a field common to all operators (terrain and clutter, with a slightly heavier
  // low tail than a Gaussian's) and one per operator; valleys that every operator struggles
  // in; building loss that varies on a finer scale.
  const std::uint64_t field_seed = mix64(options.seed ^ hash_label("mobile shadowing"));
  std::vector<float> common(cells, 0), building(cells, 0), valley(cells, 0);
  std::array<std::vector<float>, kOperatorCount> own;
  for (auto& field : own) field.assign(cells, 0);
  for_each_row(grid, [&](std::size_t row) {
    for (std::size_t col = 0; col < grid.columns; ++col) {
      const std::size_t i = row * grid.columns + col;
      const Point p = cell_centre(grid, col, row);
      const double c = shadowing(p, field_seed);
      common[i] = static_cast<float>(c - 0.3 * std::pow(std::max(0.0, -c - 0.7), 2));
      for (std::size_t o = 0; o < kOperatorCount; ++o)
        own[o][i] = static_cast<float>(shadowing(p, mix64(field_seed + 11 * (o + 1))));
      building[i] = static_cast<float>(value_noise(p, 400, mix64(field_seed ^ 99)));
      valley[i] = static_cast<float>(value_noise(p, 2500, mix64(field_seed ^ 77)) +
                                     0.5 * value_noise(p, 900, mix64(field_seed ^ 78)));
    }
  });
  {
    // The valleys are the lowest kValleyShare of the data cells' valley field, deepest
    // (valley_db) at its minimum: a rank, so their extent does not depend on the field's
    // distribution. They fade out where postcodes are dense: settlements are not built in
    // the places no signal reaches, so valleys take land more than premises.
    std::vector<float> sorted;
    for (std::size_t i = 0; i < cells; ++i)
      if (in.has_data[i]) sorted.push_back(valley[i]);
    const auto rank =
        static_cast<std::ptrdiff_t>(kValleyShare * static_cast<double>(sorted.size()));
    std::nth_element(sorted.begin(), sorted.begin() + rank, sorted.end());
    const double edge = sorted[static_cast<std::size_t>(rank)];
    const double bottom = *std::min_element(sorted.begin(), sorted.begin() + rank + 1);
    const std::vector<std::uint32_t> nearby = postcodes_nearby(in, kValleyWindow);
    const double sparse = std::log(kValleyPostcodes.first + 1);
    const double dense = std::log(kValleyPostcodes.second + 1);
    for (std::size_t i = 0; i < cells; ++i) {
      const double depth = std::clamp((edge - valley[i]) / std::max(1e-9, edge - bottom), 0.0, 1.0);
      const double rural = std::clamp(
          (dense - std::log(static_cast<double>(nearby[i]) + 1)) / (dense - sparse), 0.0, 1.0);
      valley[i] = static_cast<float>(-options.valley_db * std::sqrt(depth) * rural);
    }
  }
  standardise(common, in.has_data);
  standardise(building, in.has_data);
  for (auto& field : own) standardise(field, in.has_data);
  const double spread = options.building_spread_db;
  for (float& b : building) b = static_cast<float>(std::clamp(0.6 * spread * b, -spread, spread));

  for (std::size_t o = 0; o < kOperatorCount; ++o) {
    for (std::size_t i = 0; i < cells; ++i) {
      raw4[o][i] += valley[i];
      raw5[o][i] += valley[i];
    }
  }

  // The calibration measures the cells holding premises and the cells the boundary touches,
  // through the weakest and the strongest operator per cell: all four cover where the
  // weakest does, none where the strongest does not.
  std::vector<std::uint32_t> premises_cells, area_cells;
  std::vector<double> premises_weights, area_weights;
  for (const auto& [cell, premises] : in.premises_cells) {
    premises_cells.push_back(cell);
    premises_weights.push_back(premises);
  }
  for (const engine::CellArea& c : in.area_cells) {
    area_cells.push_back(static_cast<std::uint32_t>(c.row * grid.columns + c.col));
    area_weights.push_back(c.area);
  }
  const double premises_total = static_cast<double>(in.premises);
  auto mix = [&](double rho, std::size_t o, std::size_t i) {
    return options.shadowing_db * (std::sqrt(rho) * common[i] + std::sqrt(1 - rho) * own[o][i]);
  };
  auto extreme = [&](const std::array<std::vector<float>, kOperatorCount>& raw, double rho,
                     std::size_t i, bool strongest) {
    double best = strongest ? -std::numeric_limits<double>::infinity()
                            : std::numeric_limits<double>::infinity();
    for (std::size_t o = 0; o < kOperatorCount; ++o) {
      const double v = raw[o][i] + mix(rho, o, i);
      best = strongest ? std::max(best, v) : std::min(best, v);
    }
    return best;
  };

  MobileTuning& tuning = result.tuning;
  std::vector<double> values;
  // One correlation: the 4G offset and the indoor loss that hit Ofcom's all-four shares (by
  // area, indoors at premises); returns the share of premises with no operator indoors.
  auto tune_offsets = [&](double rho) {
    values.clear();
    for (std::uint32_t i : area_cells) values.push_back(extreme(raw4, rho, i, false));
    tuning.offset_4g_db =
        solve(CoveredShare(values, area_weights, in.area), -60, 60, targets.geo_out_4g[4], true);
    values.clear();
    for (std::uint32_t i : premises_cells)
      values.push_back(extreme(raw4, rho, i, false) + tuning.offset_4g_db - building[i]);
    const CoveredShare indoor_all(values, premises_weights, premises_total);
    tuning.indoor_loss_db =
        solve([&](double loss) { return indoor_all(-loss); }, 0, 40, targets.prem_in_4g[4], false);
    double none = 0;
    for (std::size_t j = 0; j < premises_cells.size(); ++j) {
      const std::uint32_t i = premises_cells[j];
      if (!is_covered(extreme(raw4, rho, i, true) + tuning.offset_4g_db - tuning.indoor_loss_db -
                      building[i]))
        none += premises_weights[j];
    }
    return 100 * none / premises_total;
  };
  // More common shadowing makes operators fail together: more premises with none.
  tuning.correlation = solve(
      [&](double rho) {
        ++tuning.iterations;
        return tune_offsets(rho);
      },
      0, 1, targets.prem_in_4g[0], true, kCorrelationSteps);
  tune_offsets(tuning.correlation);

  // 5G: the offset that gives Ofcom's share of premises with at least one operator.
  values.clear();
  for (std::uint32_t i : premises_cells)
    values.push_back(extreme(raw5, tuning.correlation, i, true));
  tuning.offset_5g_db = solve(CoveredShare(values, premises_weights, premises_total), -60, 60,
                              100 - targets.prem_out_5g[0], true);
  // The rasters.
  for (std::size_t o = 0; o < kOperatorCount; ++o) {
    for (std::size_t k = 0; k < kMobileLayerKinds; ++k) {
      MobileLayer layer;
      layer.operator_index = o;
      layer.kind = static_cast<MobileLayerKind>(k);
      layer.name = fmt::format("{}_{}_{}", kOperators[o], technology_name(layer.kind),
                               setting_name(layer.kind));
      layer.dbm.assign(cells, kSignalNodata);
      for (std::size_t i = 0; i < cells; ++i) {
        if (!in.has_data[i]) continue;
        const double shadow = mix(tuning.correlation, o, i);
        switch (layer.kind) {
          case MobileLayerKind::k4gOutdoor:
            layer.dbm[i] = to_dbm(raw4[o][i] + shadow + tuning.offset_4g_db);
            break;
          case MobileLayerKind::k4gIndoor:
            layer.dbm[i] = to_dbm(raw4[o][i] + shadow + tuning.offset_4g_db -
                                  tuning.indoor_loss_db - building[i]);
            break;
          case MobileLayerKind::k5gOutdoor:
            layer.dbm[i] = to_dbm(raw5[o][i] + shadow + tuning.offset_5g_db);
            break;
        }
      }
      result.layers.push_back(std::move(layer));
    }
  }
  return result;
}

}  // namespace notspot::generate
