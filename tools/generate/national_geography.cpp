#include "national_geography.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

#include "british_national_grid.hpp"
#include "random.hpp"
#include "value_noise.hpp"

namespace notspot::generate {
namespace {

using engine::Point;

/// The lattice spans x in [0, kWidth], y in [0, kHeight] (metres, EPSG:27700).
constexpr double kWidth = 700'000;
constexpr double kHeight = 1'250'000;
/// Lattice vertices move by up to this share of a cell (more could make the noisy edges of
/// one vertex cross each other).
constexpr double kJitter = 0.15;
/// Land stays this far inside the British National Grid's area of use (EPSG:27700: 49.75°N
/// to 61.01°N, 9°W to 2.01°E), in degrees: about 15 km.
constexpr double kLatitudeMargin = 0.14;
constexpr double kLongitudeMargin = 0.25;
/// Towns and villages (positions and sizes do not depend on the number of premises).
constexpr std::size_t kTowns = 1500;
constexpr std::size_t kVillages = 9000;
/// Pareto exponent of town sizes and the cap on a town's weight (the minimum weight is 1).
constexpr double kParetoAlpha = 1.0;
constexpr double kMaxTownWeight = 3000;
/// Shares of premises by kind of place (the rest: hamlets, farms, coast).
constexpr double kTownShare = 0.76;
constexpr double kVillageShare = 0.13;
constexpr double kRuralShare = 0.105;  // hamlets and isolated premises
/// Towns of at least this many nominal premises are cities.
constexpr double kCityNominal = 100'000;
/// Core spread of a settlement: kSpreadScale × nominal^kSpreadExponent metres, at least
/// kMinSpread. A town of 1,000 premises spreads about 550 m, a city of 4 million 18 km.
constexpr double kSpreadScale = 30;
constexpr double kSpreadExponent = 0.42;
constexpr double kMinSpread = 150;

/// An ellipse of the landmass outline (kilometres, degrees).
struct Blob {
  double x, y, a, b, angle;
};
// A loose Great Britain, as overlapping ellipses: the south-west peninsula, southern England,
// Kent, East Anglia, Wales, the Midlands, northern England, the Borders, southern Scotland,
// the Highlands, the far north; then islands: the Outer Hebrides, Skye and Mull, Orkney,
// Shetland, Man, Wight, Anglesey.
constexpr Blob kBlobs[] = {
    {195, 72, 120, 34, 30},   {400, 150, 215, 75, 2}, {585, 178, 55, 45, 0},
    {570, 268, 72, 62, 0},    {262, 282, 66, 100, 0}, {420, 322, 122, 110, 0},
    {392, 500, 88, 150, -10}, {355, 615, 70, 55, 20}, {300, 662, 125, 72, 15},
    {255, 812, 98, 135, -18}, {288, 935, 78, 36, 0},  {105, 860, 16, 85, -28},
    {182, 768, 20, 38, 10},   {336, 1005, 24, 14, 0}, {445, 1140, 13, 62, 8},
    {232, 485, 14, 22, 30},   {450, 85, 18, 8, 0},    {228, 375, 24, 16, 0},
};

struct BlobFrame {
  double cos, sin;
};

/// Positive on land: a smooth union of the blobs (1 at a blob's centre, 0 on its outline;
/// overlapping blobs merge without a waist), plus fractal noise for the coast, rougher in the
/// north-west (sea lochs).
double land_field(Point p, std::uint64_t seed) {
  static const auto frames = [] {
    std::array<BlobFrame, std::size(kBlobs)> f{};
    for (std::size_t i = 0; i < f.size(); ++i) {
      const double angle = kBlobs[i].angle * std::numbers::pi / 180;
      f[i] = {std::cos(angle), std::sin(angle)};
    }
    return f;
  }();
  constexpr double kSoftness = 0.12;
  double sum = 0;
  for (std::size_t i = 0; i < std::size(kBlobs); ++i) {
    const Blob& blob = kBlobs[i];
    const double dx = p.x / 1000 - blob.x;
    const double dy = p.y / 1000 - blob.y;
    const double u = dx * frames[i].cos + dy * frames[i].sin;
    const double v = -dx * frames[i].sin + dy * frames[i].cos;
    sum += std::exp((1 - std::hypot(u / blob.a, v / blob.b)) / kSoftness);
  }
  const double shape = kSoftness * std::log(sum);
  // Rougher coast in the north-west.
  const double t = std::clamp((p.y - 550'000) / 200'000, 0.0, 1.0) *
                   std::clamp((380'000 - p.x) / 100'000, 0.0, 1.0);
  const double rough = 1 + 1.2 * t * t * (3 - 2 * t);
  static constexpr std::array<std::pair<double, double>, 7> kOctaves = {{{160'000, 0.07},
                                                                         {80'000, 0.07},
                                                                         {40'000, 0.065},
                                                                         {20'000, 0.06},
                                                                         {10'000, 0.05},
                                                                         {5000, 0.04},
                                                                         {2500, 0.03}}};
  double noise = 0;
  for (std::size_t k = 0; k < kOctaves.size(); ++k) {
    const auto [scale, amplitude] = kOctaves[k];
    noise += (scale <= 20'000 ? rough : 1.0) * amplitude *
             value_noise(p, scale, seed + static_cast<std::uint64_t>(k));
  }
  return shape + noise;
}

/// Where people live outside towns, relative (0 at sea): lowland England highest, the
/// Southern Uplands and Wales lower, the central belt of Scotland high, the Highlands sparse.
double habitability(Point p, std::uint64_t seed) {
  static constexpr std::array<std::pair<double, double>, 6> kByNorthing = {
      {{0, 1.0}, {500, 1.0}, {580, 0.45}, {650, 0.85}, {760, 0.12}, {1300, 0.12}}};
  const double y = p.y / 1000;
  double regional = kByNorthing.back().second;
  for (std::size_t k = 1; k < kByNorthing.size(); ++k) {
    if (y < kByNorthing[k].first) {
      const auto [y0, r0] = kByNorthing[k - 1];
      const auto [y1, r1] = kByNorthing[k];
      regional = r0 + (r1 - r0) * (y - y0) / (y1 - y0);
      break;
    }
  }
  if (p.x < 320'000 && p.y > 180'000 && p.y < 400'000) regional *= 0.6;  // Wales
  return regional *
         std::exp(0.7 * value_noise(p, 40'000, seed) + 0.4 * value_noise(p, 12'000, seed + 1));
}

/// Cumulative weights for drawing cells.
class WeightedCells {
 public:
  WeightedCells(const std::vector<std::uint32_t>& cells, const std::vector<double>& weights)
      : cells_(cells) {
    cumulative_.reserve(weights.size());
    double total = 0;
    for (double w : weights) cumulative_.push_back(total += w);
  }
  std::uint32_t draw(Rng& rng) const {
    const double u = rng.uniform() * cumulative_.back();
    const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), u);
    const std::size_t k = std::min<std::size_t>(it - cumulative_.begin(), cells_.size() - 1);
    return cells_[k];
  }

 private:
  const std::vector<std::uint32_t>& cells_;
  std::vector<double> cumulative_;
};

/// Adds a settlement's nominal premises to the cells around it: a core Gaussian (65%) and a
/// suburban one 2.2 times wider (35%), evaluated at cell centres.
void add_density(std::vector<float>& density, const Lattice& lattice, const Settlement& s) {
  const double wide = 2.2 * s.sigma;
  const double reach = 3 * wide;
  const double cell = lattice.cell();
  const int i0 = std::max(0, static_cast<int>(std::floor((s.centre.x - reach) / cell)));
  const int i1 = std::min(lattice.columns() - 1, static_cast<int>((s.centre.x + reach) / cell));
  const int j0 = std::max(0, static_cast<int>(std::floor((s.centre.y - reach) / cell)));
  const int j1 = std::min(lattice.rows() - 1, static_cast<int>((s.centre.y + reach) / cell));
  const double core_norm = 0.65 * cell * cell / (2 * std::numbers::pi * s.sigma * s.sigma);
  const double wide_norm = 0.35 * cell * cell / (2 * std::numbers::pi * wide * wide);
  for (int j = j0; j <= j1; ++j) {
    for (int i = i0; i <= i1; ++i) {
      const Point c = lattice.nominal_centre(lattice.index(i, j));
      const double r2 =
          (c.x - s.centre.x) * (c.x - s.centre.x) + (c.y - s.centre.y) * (c.y - s.centre.y);
      const double pdf = core_norm * std::exp(-r2 / (2 * s.sigma * s.sigma)) +
                         wide_norm * std::exp(-r2 / (2 * wide * wide));
      density[lattice.index(i, j)] += static_cast<float>(s.nominal * pdf);
    }
  }
}

}  // namespace

const char* place_kind_name(PlaceKind kind) {
  switch (kind) {
    case PlaceKind::kCity:
      return "city";
    case PlaceKind::kTown:
      return "town";
    case PlaceKind::kVillage:
      return "village";
    case PlaceKind::kHamlet:
      return "hamlet";
    case PlaceKind::kIsolated:
      return "isolated";
    case PlaceKind::kCoast:
      return "coast";
    case PlaceKind::kIslet:
      return "islet";
  }
  return "?";
}

Lattice::Lattice(double cell, int columns, int rows, std::uint64_t seed)
    : cell_(cell), columns_(columns), rows_(rows) {
  Rng rng(seed, "national lattice");
  vertices_.resize(static_cast<std::size_t>(columns + 1) * (rows + 1));
  for (int j = 0; j <= rows; ++j) {
    for (int i = 0; i <= columns; ++i) {
      const double x = (i + rng.uniform(-kJitter, kJitter)) * cell;
      const double y = (j + rng.uniform(-kJitter, kJitter)) * cell;
      vertices_[static_cast<std::size_t>(vertex_id(i, j))] = {x, y};
    }
  }
}

Point Lattice::in_cell(std::size_t c, double s, double t) const {
  const int i = column_of(c);
  const int j = row_of(c);
  const Point p00 = vertex(vertex_id(i, j));
  const Point p10 = vertex(vertex_id(i + 1, j));
  const Point p01 = vertex(vertex_id(i, j + 1));
  const Point p11 = vertex(vertex_id(i + 1, j + 1));
  return {(1 - s) * (1 - t) * p00.x + s * (1 - t) * p10.x + s * t * p11.x + (1 - s) * t * p01.x,
          (1 - s) * (1 - t) * p00.y + s * (1 - t) * p10.y + s * t * p11.y + (1 - s) * t * p01.y};
}

std::ptrdiff_t Lattice::nominal_cell(Point p) const {
  const double fi = std::floor(p.x / cell_);
  const double fj = std::floor(p.y / cell_);
  if (!(fi >= 0 && fj >= 0 && fi < columns_ && fj < rows_)) return -1;
  return static_cast<std::ptrdiff_t>(index(static_cast<int>(fi), static_cast<int>(fj)));
}

double lattice_cell_for(std::size_t areas) {
  constexpr double kCell = 1000;
  constexpr double kAreasAtFullCell = 30'000;
  if (static_cast<double>(areas) <= kAreasAtFullCell) return kCell;
  return kCell * std::sqrt(kAreasAtFullCell / static_cast<double>(areas));
}

Geography make_geography(double lattice_cell, std::uint64_t seed) {
  Geography g;
  const int columns = static_cast<int>(std::ceil(kWidth / lattice_cell));
  const int rows = static_cast<int>(std::ceil(kHeight / lattice_cell));
  g.lattice = Lattice(lattice_cell, columns, rows, seed);
  const Lattice& lattice = g.lattice;
  const std::size_t cells = lattice.cells();

  // Land: the field is positive, and the cell lies well inside the grid's area of use.
  std::vector<double> lon(cells), lat(cells);
  for (std::size_t c = 0; c < cells; ++c) {
    const Point p = lattice.nominal_centre(c);
    lon[c] = p.x;
    lat[c] = p.y;
  }
  BritishNationalGrid bng;
  bng.to_wgs84(lon, lat);
  const std::uint64_t coast_seed = mix64(seed ^ hash_label("coast"));
  const std::uint64_t people_seed = mix64(seed ^ hash_label("habitability"));
  g.land.assign(cells, 0);
  g.rural_weight.assign(cells, 0);
  for (std::size_t c = 0; c < cells; ++c) {
    const int i = lattice.column_of(c);
    const int j = lattice.row_of(c);
    if (i == 0 || j == 0 || i + 1 == columns || j + 1 == rows) continue;
    if (lon[c] < -9 + kLongitudeMargin || lon[c] > 2.01 - kLongitudeMargin ||
        lat[c] < 49.75 + kLatitudeMargin || lat[c] > 61.01 - kLatitudeMargin) {
      continue;
    }
    const Point p = lattice.nominal_centre(c);
    if (land_field(p, coast_seed) <= 0) continue;
    g.land[c] = 1;
    g.land_cells.push_back(static_cast<std::uint32_t>(c));
    g.rural_weight[c] = static_cast<float>(habitability(p, people_seed));
    for (int dj = 0; dj <= 1; ++dj)
      for (int di = 0; di <= 1; ++di)
        g.land_bounds.expand(lattice.vertex(lattice.vertex_id(i + di, j + dj)));
  }

  // Towns on land favoured by habitability (squared: towns grow in the lowlands), Pareto
  // sizes, largest first; then villages with log-normal sizes.
  Rng rng(seed, "national settlements");
  std::vector<double> town_weights(g.land_cells.size());
  std::vector<double> village_weights(g.land_cells.size());
  for (std::size_t k = 0; k < g.land_cells.size(); ++k) {
    const double h = g.rural_weight[g.land_cells[k]];
    town_weights[k] = h * h;
    village_weights[k] = std::pow(h, 1.5);
  }
  const WeightedCells town_cells(g.land_cells, town_weights);
  const WeightedCells village_cells(g.land_cells, village_weights);
  auto centre_in = [&](std::uint32_t c) {
    return lattice.in_cell(c, rng.uniform(0.3, 0.7), rng.uniform(0.3, 0.7));
  };
  std::vector<double> weights(kTowns);
  double total = 0;
  for (double& w : weights) {
    w = std::min(std::pow(1.0 - rng.uniform(), -1.0 / kParetoAlpha), kMaxTownWeight);
    total += w;
  }
  std::sort(weights.begin(), weights.end(), std::greater<>());
  for (double w : weights) {
    Settlement s;
    s.cell = town_cells.draw(rng);
    s.centre = centre_in(s.cell);
    s.nominal = w / total * kTownShare * kNominalPremises;
    s.sigma = std::max(kMinSpread, kSpreadScale * std::pow(s.nominal, kSpreadExponent));
    s.kind = s.nominal >= kCityNominal ? PlaceKind::kCity : PlaceKind::kTown;
    g.settlements.push_back(s);
  }
  g.towns = g.settlements.size();
  weights.assign(kVillages, 0);
  total = 0;
  for (double& w : weights) total += (w = std::exp(0.8 * rng.normal()));
  for (double w : weights) {
    Settlement s;
    s.cell = village_cells.draw(rng);
    s.centre = centre_in(s.cell);
    s.nominal = w / total * kVillageShare * kNominalPremises;
    s.sigma = std::max(kMinSpread, kSpreadScale * std::pow(s.nominal, kSpreadExponent));
    s.kind = PlaceKind::kVillage;
    g.settlements.push_back(s);
  }

  // Nominal density: settlements, plus hamlets and farms spread by habitability.
  g.density.assign(cells, 0);
  for (const Settlement& s : g.settlements) add_density(g.density, lattice, s);
  double rural_total = 0;
  for (std::uint32_t c : g.land_cells) rural_total += g.rural_weight[c];
  for (std::uint32_t c : g.land_cells) {
    g.density[c] +=
        static_cast<float>(kRuralShare * kNominalPremises * g.rural_weight[c] / rural_total);
  }
  return g;
}

}  // namespace notspot::generate
