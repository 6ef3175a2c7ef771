#include "national_mobile.hpp"

#include <ogr_spatialref.h>
#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <string>

#include "atomic_output.hpp"
#include "british_national_grid.hpp"
#include "mobile_writer.hpp"
#include "notspot/engine/error.hpp"
#include "random.hpp"
#include "value_noise.hpp"

namespace notspot::generate {
namespace {

using engine::Point;

constexpr double kCell = 100;     // raster cell (metres), Ofcom's grid
constexpr double kCoarse = 500;   // signal field grid
constexpr double kMargin = 3000;  // raster extent beyond the land's bounding box
constexpr int kNearLand = 2;      // lattice cells of sea that still get values
constexpr std::int16_t kNodata = -32768;
constexpr int kMinDbm = -140;
constexpr int kMaxDbm = -44;
constexpr double kMastReach = 12'000;  // masts farther than this give nothing useful
constexpr double kBucket = 4000;
/// Premises per town mast (nominal), rural mast spacing (metres) and the chance a rural mast
/// exists where habitability is 0 and 1.
constexpr double kPremisesPerMast = 2500;
constexpr double kRuralSpacing = 8000;
constexpr double kRuralKeepLow = 0.15;
constexpr double kRuralKeepHigh = 0.85;
/// Signal at 1 km (dBm) for town and rural masts, path-loss exponents for 4G and 5G, and the
/// 5G (3.5 GHz) power loss.
constexpr double kTownPower = -80;
constexpr double kRuralPower = -75;
constexpr double kExponent4g = 3.5;
constexpr double kExponent5g = 3.8;
constexpr double k5gLoss = 8;
/// Per operator: 4G offset (dB) and 5G rollout rate.
constexpr double kOperatorOffset[] = {1.5, -2.5, -1.0, 0.0};
constexpr double kRolloutRate[] = {1.0, 0.8, 0.7, 0.75};
/// Premises sampled for the report's coverage figures.
constexpr std::size_t kSample = 2'000'000;

struct Mast {
  Point p;
  double power;    // dBm at 1 km
  double nominal;  // premises of its town (0: rural)
};

/// A node grid (kCoarse apart) over the raster extent, for bilinear interpolation.
struct Coarse {
  double x0 = 0, y0 = 0;
  std::size_t columns = 0, rows = 0;
  Point node(std::size_t a, std::size_t b) const {
    return {x0 + static_cast<double>(a) * kCoarse, y0 + static_cast<double>(b) * kCoarse};
  }
};

/// The best signal over `masts` at every node of `coarse`.
std::vector<float> signal_field(const std::vector<Mast>& masts, const Coarse& coarse,
                                double exponent) {
  const auto bx =
      static_cast<std::size_t>(std::ceil(static_cast<double>(coarse.columns) * kCoarse / kBucket)) +
      1;
  const auto by =
      static_cast<std::size_t>(std::ceil(static_cast<double>(coarse.rows) * kCoarse / kBucket)) + 1;
  auto bucket_of = [&](Point p) -> std::ptrdiff_t {
    const double fx = std::floor((p.x - coarse.x0) / kBucket);
    const double fy = std::floor((p.y - coarse.y0) / kBucket);
    if (fx < 0 || fy < 0 || fx >= static_cast<double>(bx) || fy >= static_cast<double>(by))
      return -1;
    return static_cast<std::ptrdiff_t>(static_cast<std::size_t>(fy) * bx +
                                       static_cast<std::size_t>(fx));
  };
  std::vector<std::size_t> start(bx * by + 1, 0);
  for (const Mast& m : masts)
    if (const auto b = bucket_of(m.p); b >= 0) ++start[static_cast<std::size_t>(b) + 1];
  for (std::size_t k = 1; k < start.size(); ++k) start[k] += start[k - 1];
  std::vector<Mast> sorted(start.back());
  std::vector<std::size_t> fill(start.begin(), start.end() - 1);
  for (const Mast& m : masts)
    if (const auto b = bucket_of(m.p); b >= 0) sorted[fill[static_cast<std::size_t>(b)]++] = m;

  const auto reach = static_cast<std::ptrdiff_t>(std::ceil(kMastReach / kBucket));
  const double half_exponent = 5 * exponent;  // 10 n log10(d) = 5 n log10(d²)
  std::vector<float> field(coarse.columns * coarse.rows);
  tbb::parallel_for(std::size_t{0}, coarse.rows, [&](std::size_t b) {
    for (std::size_t a = 0; a < coarse.columns; ++a) {
      const Point p = coarse.node(a, b);
      const auto cx = static_cast<std::ptrdiff_t>(std::floor((p.x - coarse.x0) / kBucket));
      const auto cy = static_cast<std::ptrdiff_t>(std::floor((p.y - coarse.y0) / kBucket));
      double best = kMinDbm;
      for (std::ptrdiff_t y = std::max<std::ptrdiff_t>(0, cy - reach);
           y <= std::min<std::ptrdiff_t>(static_cast<std::ptrdiff_t>(by) - 1, cy + reach); ++y) {
        for (std::ptrdiff_t x = std::max<std::ptrdiff_t>(0, cx - reach);
             x <= std::min<std::ptrdiff_t>(static_cast<std::ptrdiff_t>(bx) - 1, cx + reach); ++x) {
          const std::size_t bucket = static_cast<std::size_t>(y) * bx + static_cast<std::size_t>(x);
          for (std::size_t k = start[bucket]; k < start[bucket + 1]; ++k) {
            const Mast& m = sorted[k];
            const double d2 = (m.p.x - p.x) * (m.p.x - p.x) + (m.p.y - p.y) * (m.p.y - p.y);
            if (d2 > kMastReach * kMastReach) continue;
            const double s = m.power - half_exponent * std::log10(std::max(d2, 2500.0) * 1e-6);
            best = std::max(best, s);
          }
        }
      }
      field[b * coarse.columns + a] = static_cast<float>(best);
    }
  });
  return field;
}

class Builder {
 public:
  Builder(const std::filesystem::path& dir, const Geography& g, const NationalAreas& areas,
          const NationalPremises& premises, std::uint64_t seed)
      : dir_(dir), g_(g), areas_(areas), premises_(premises), seed_(seed), lattice_(g.lattice) {}

  NationalMobile run() {
    const auto start = std::chrono::steady_clock::now();
    make_grid();
    make_near_land();
    make_masts();
    make_fields();
    sample_premises();
    out_.fields_seconds = since(start);
    const auto layers_start = std::chrono::steady_clock::now();
    std::filesystem::create_directories(dir_ / "mobile");
    for (std::size_t kind = 0; kind < std::size(kNationalMobileKinds); ++kind) write_group(kind);
    out_.layers_seconds = since(layers_start);
    return std::move(out_);
  }

 private:
  static double since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
  }

  void make_grid() {
    engine::Box box = g_.land_bounds;
    for (const Islet& islet : areas_.islets) box.expand(islet.bounds);
    const double xmin = std::floor((box.xmin - kMargin) / 1000) * 1000;
    const double ymin = std::floor((box.ymin - kMargin) / 1000) * 1000;
    const double xmax = std::ceil((box.xmax + kMargin) / 1000) * 1000;
    const double ymax = std::ceil((box.ymax + kMargin) / 1000) * 1000;
    engine::Grid& grid = out_.grid;
    grid.xmin = xmin;
    grid.ymax = ymax;
    grid.cell_width = kCell;
    grid.cell_height = kCell;
    grid.columns = static_cast<std::size_t>(std::llround((xmax - xmin) / kCell));
    grid.rows = static_cast<std::size_t>(std::llround((ymax - ymin) / kCell));
    coarse_.x0 = xmin;
    coarse_.y0 = ymin;
    coarse_.columns = static_cast<std::size_t>(std::ceil((xmax - xmin) / kCoarse)) + 1;
    coarse_.rows = static_cast<std::size_t>(std::ceil((ymax - ymin) / kCoarse)) + 1;
  }

  // Lattice cells within kNearLand of land (or around an islet) get values; the rest nodata.
  void make_near_land() {
    near_.assign(lattice_.cells(), 0);
    auto mark = [&](int i, int j) {
      if (i >= 0 && j >= 0 && i < lattice_.columns() && j < lattice_.rows())
        near_[lattice_.index(i, j)] = 1;
    };
    for (std::uint32_t c : g_.land_cells) {
      for (int dj = -kNearLand; dj <= kNearLand; ++dj)
        for (int di = -kNearLand; di <= kNearLand; ++di)
          mark(lattice_.column_of(c) + di, lattice_.row_of(c) + dj);
    }
    for (const Islet& islet : areas_.islets) {
      const double reach = lattice_.cell();
      for (auto j = static_cast<int>(std::floor((islet.bounds.ymin - reach) / lattice_.cell()));
           j <= static_cast<int>(std::floor((islet.bounds.ymax + reach) / lattice_.cell())); ++j)
        for (auto i = static_cast<int>(std::floor((islet.bounds.xmin - reach) / lattice_.cell()));
             i <= static_cast<int>(std::floor((islet.bounds.xmax + reach) / lattice_.cell())); ++i)
          mark(i, j);
    }
  }

  // The lattice cell of a point, or -1.
  std::ptrdiff_t cell_of(Point p) const { return lattice_.nominal_cell(p); }
  bool is_land(Point p) const {
    const auto c = cell_of(p);
    return c >= 0 && g_.land[static_cast<std::size_t>(c)] != 0;
  }

  void make_masts() {
    const engine::Grid& grid = out_.grid;
    const double ymin = grid.ymax - static_cast<double>(grid.rows) * kCell;
    const double xmax = grid.xmin + static_cast<double>(grid.columns) * kCell;
    for (std::size_t network = 0; network < 2; ++network) {
      Rng rng(seed_ ^ network, "national masts");
      std::vector<Mast>& masts = masts_[network];
      for (const Settlement& s : g_.settlements) {
        const double expected = s.nominal / kPremisesPerMast;
        auto count = static_cast<std::size_t>(expected);
        if (rng.chance(expected - static_cast<double>(count))) ++count;
        for (std::size_t k = 0; k < count; ++k) {
          masts.push_back({{s.centre.x + 1.2 * s.sigma * rng.normal(),
                            s.centre.y + 1.2 * s.sigma * rng.normal()},
                           kTownPower + 2 * rng.normal(),
                           s.nominal});
        }
      }
      for (double y = ymin; y < ymin + (static_cast<double>(grid.rows) * kCell);
           y += kRuralSpacing) {
        for (double x = grid.xmin; x < xmax; x += kRuralSpacing) {
          const Point p{x + kRuralSpacing * rng.uniform(-0.4, 0.4),
                        y + kRuralSpacing * rng.uniform(-0.4, 0.4)};
          const auto c = cell_of(p);
          if (c < 0 || g_.land[static_cast<std::size_t>(c)] == 0) continue;
          const double h =
              std::min(1.0, static_cast<double>(g_.rural_weight[static_cast<std::size_t>(c)]));
          if (!rng.chance(kRuralKeepLow + (kRuralKeepHigh - kRuralKeepLow) * h)) continue;
          masts.push_back({p, kRuralPower + 2 * rng.normal(), 0});
        }
      }
      out_.masts[network] = masts.size();
    }
  }

  void make_fields() {
    // 4G: one field per network, then per operator an offset and smooth operator noise.
    const std::vector<float> network[2] = {signal_field(masts_[0], coarse_, kExponent4g),
                                           signal_field(masts_[1], coarse_, kExponent4g)};
    for (std::size_t op = 0; op < 4; ++op) {
      // Operators differ regionally (25 km) and locally (antenna placement, bands: 1.5 km).
      const std::uint64_t noise_seed = mix64(seed_ ^ hash_label("operator noise") ^ op);
      const std::uint64_t local_seed = mix64(seed_ ^ hash_label("operator shadowing") ^ op);
      auto add_noise = [&](std::vector<float>& field, double offset) {
        tbb::parallel_for(std::size_t{0}, coarse_.rows, [&](std::size_t b) {
          for (std::size_t a = 0; a < coarse_.columns; ++a) {
            const Point p = coarse_.node(a, b);
            field[b * coarse_.columns + a] +=
                static_cast<float>(offset + 3 * value_noise(p, 25'000, noise_seed) +
                                   2 * value_noise(p, 1500, local_seed));
          }
        });
      };
      std::vector<float> field = network[op / 2];
      add_noise(field, kOperatorOffset[op]);
      fields_4g_[op] = std::move(field);
      // 5G: the masts this operator has upgraded, mostly in larger towns, in patches.
      Rng rng(seed_ ^ op, "national 5G");
      const std::uint64_t patch_seed = mix64(seed_ ^ hash_label("5G patches") ^ op);
      std::vector<Mast> upgraded;
      for (const Mast& m : masts_[op / 2]) {
        const double base = m.nominal >= 20'000 ? 0.85
                            : m.nominal >= 5000 ? 0.45
                            : m.nominal > 0     ? 0.05
                                                : 0.01;
        const double patch = value_noise(m.p, 30'000, patch_seed) > -0.3 ? 1.0 : 0.3;
        if (rng.chance(kRolloutRate[op] * base * patch))
          upgraded.push_back({m.p, m.power - k5gLoss, m.nominal});
      }
      out_.masts_5g[op] = upgraded.size();
      fields_5g_[op] = signal_field(upgraded, coarse_, kExponent5g);
      add_noise(fields_5g_[op], 0);
    }

    // Shared 100 m fields: shadowing (dB) and indoor loss (quarter dB).
    const engine::Grid& grid = out_.grid;
    const std::size_t cells = grid.columns * grid.rows;
    shadow_.assign(cells, 0);
    indoor_.assign(cells, 0);
    land_.assign(cells, 0);
    const std::uint64_t shadow_seed = mix64(seed_ ^ hash_label("shadowing"));
    const std::uint64_t indoor_seed = mix64(seed_ ^ hash_label("indoor loss"));
    tbb::enumerable_thread_specific<std::pair<std::size_t, std::size_t>> counts;
    tbb::parallel_for(std::size_t{0}, grid.rows, [&](std::size_t row) {
      auto& [nodata, land] = counts.local();
      const double y = grid.ymax - (static_cast<double>(row) + 0.5) * kCell;
      for (std::size_t col = 0; col < grid.columns; ++col) {
        const Point p{grid.xmin + (static_cast<double>(col) + 0.5) * kCell, y};
        const std::size_t k = row * grid.columns + col;
        const auto c = cell_of(p);
        if (c < 0 || near_[static_cast<std::size_t>(c)] == 0) {
          shadow_[k] = std::numeric_limits<float>::quiet_NaN();
          ++nodata;
          continue;
        }
        if (g_.land[static_cast<std::size_t>(c)] != 0) {
          land_[k] = 1;
          ++land;
        }
        shadow_[k] = static_cast<float>(4.5 * value_noise(p, 800, shadow_seed) +
                                        2.5 * value_noise(p, 250, shadow_seed + 1));
        indoor_[k] =
            static_cast<std::uint8_t>(std::lround(4 * (13 + 3 * value_noise(p, 400, indoor_seed))));
      }
    });
    for (const auto& [nodata, land] : counts) {
      out_.nodata_cells += nodata;
      out_.land_cells += land;
    }
  }

  void sample_premises() {
    const engine::Grid& grid = out_.grid;
    const std::size_t n = premises_.records.size();
    const std::size_t stride = std::max<std::size_t>(1, n / kSample);
    for (std::size_t i = 0; i < n; i += stride) {
      const PremiseRecord& r = premises_.records[i];
      const double x = r.x_cm / 100.0, y = r.y_cm / 100.0;
      const double col = std::floor((x - grid.xmin) / kCell);
      const double row = std::floor((grid.ymax - y) / kCell);
      std::ptrdiff_t cell = -1;
      if (col >= 0 && row >= 0 && col < static_cast<double>(grid.columns) &&
          row < static_cast<double>(grid.rows)) {
        cell = static_cast<std::ptrdiff_t>(static_cast<std::size_t>(row) * grid.columns +
                                           static_cast<std::size_t>(col));
      }
      sample_.push_back(cell);
    }
    out_.sampled_premises = sample_.size();
  }

  // The four operators' layers of one technology and setting.
  void write_group(std::size_t kind) {
    const NationalMobileKind& k = kNationalMobileKinds[kind];
    const bool indoor = std::string(k.setting) == "indoor";
    const bool is5g = std::string(k.technology) == "5G";
    const engine::Grid& grid = out_.grid;
    const std::size_t cells = grid.columns * grid.rows;
    std::vector<std::uint8_t> cell_mask(cells, 0);
    std::vector<std::uint8_t> premise_mask(sample_.size(), 0);
    std::vector<std::int16_t> values(cells);
    BritishNationalGrid bng;
    for (std::size_t op = 0; op < 4; ++op) {
      const std::vector<float>& field = is5g ? fields_5g_[op] : fields_4g_[op];
      tbb::enumerable_thread_specific<std::size_t> covered_land;
      tbb::parallel_for(std::size_t{0}, grid.rows, [&](std::size_t row) {
        std::size_t& land = covered_land.local();
        const double y = grid.ymax - (static_cast<double>(row) + 0.5) * kCell;
        const double gy = (y - coarse_.y0) / kCoarse;
        const auto b = std::min(static_cast<std::size_t>(gy), coarse_.rows - 2);
        const double ty = gy - static_cast<double>(b);
        for (std::size_t col = 0; col < grid.columns; ++col) {
          const std::size_t cell = row * grid.columns + col;
          const float shadow = shadow_[cell];
          if (std::isnan(shadow)) {
            values[cell] = kNodata;
            continue;
          }
          const double x = grid.xmin + (static_cast<double>(col) + 0.5) * kCell;
          const double gx = (x - coarse_.x0) / kCoarse;
          const auto a = std::min(static_cast<std::size_t>(gx), coarse_.columns - 2);
          const double tx = gx - static_cast<double>(a);
          const float* f0 = field.data() + b * coarse_.columns + a;
          const float* f1 = f0 + coarse_.columns;
          double dbm =
              (1 - ty) * ((1 - tx) * f0[0] + tx * f0[1]) + ty * ((1 - tx) * f1[0] + tx * f1[1]);
          dbm += shadow;
          if (indoor) dbm -= 0.25 * indoor_[cell];
          const auto v =
              static_cast<std::int16_t>(std::clamp<long>(std::lround(dbm), kMinDbm, kMaxDbm));
          values[cell] = v;
          if (v >= kNationalCoveredDbm) {
            cell_mask[cell] |= static_cast<std::uint8_t>(1u << op);
            land += land_[cell];
          }
        }
      });
      std::size_t land_covered = 0;
      for (std::size_t c : covered_land) land_covered += c;
      std::size_t premises_covered = 0;
      for (std::size_t i = 0; i < sample_.size(); ++i) {
        const std::ptrdiff_t cell = sample_[i];
        if (cell >= 0 && values[static_cast<std::size_t>(cell)] != kNodata &&
            values[static_cast<std::size_t>(cell)] >= kNationalCoveredDbm) {
          ++premises_covered;
          premise_mask[i] |= static_cast<std::uint8_t>(1u << op);
        }
      }

      NationalMobileLayer layer;
      layer.operator_name = kNationalOperators[op];
      layer.technology = k.technology;
      layer.setting = k.setting;
      layer.file =
          "mobile/" + layer.operator_name + "_" + layer.technology + "_" + layer.setting + ".tif";
      layer.premises_covered_pct = pct(premises_covered, sample_.size());
      layer.land_covered_pct = pct(land_covered, out_.land_cells);
      const std::filesystem::path path = dir_ / layer.file;
      {
        AtomicOutput out(path);
        const std::map<std::string, std::string> metadata = {
            {"OPERATOR", layer.operator_name},
            {"TECHNOLOGY", layer.technology},
            {"SETTING", layer.setting},
            {"COVERED_WHEN", ">= " + std::to_string(kNationalCoveredDbm)},
            {"TIFFTAG_IMAGEDESCRIPTION",
             "Synthetic " + layer.operator_name + " " + layer.technology + " " + layer.setting +
                 " signal strength (dBm), notspot national benchmark data"}};
        write_int16_geotiff(out.temp_path(), grid, values, kNodata, bng.bng(), metadata,
                            tbb::this_task_arena::max_concurrency());
        out.commit();
      }
      layer.bytes = static_cast<std::size_t>(std::filesystem::file_size(path));
      out_.layers.push_back(std::move(layer));
    }
    NationalMobileGroup group;
    group.technology = k.technology;
    group.setting = k.setting;
    std::size_t any = 0, all = 0, land_any = 0;
    for (std::uint8_t m : premise_mask) {
      any += m != 0;
      all += m == 0xF;
    }
    for (std::size_t c = 0; c < cells; ++c) land_any += land_[c] != 0 && cell_mask[c] != 0;
    group.premises_any_pct = pct(any, premise_mask.size());
    group.premises_all_pct = pct(all, premise_mask.size());
    group.land_any_pct = pct(land_any, out_.land_cells);
    out_.groups.push_back(group);
  }

  static double pct(std::size_t part, std::size_t whole) {
    return whole == 0 ? 0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole);
  }

  const std::filesystem::path& dir_;
  const Geography& g_;
  const NationalAreas& areas_;
  const NationalPremises& premises_;
  std::uint64_t seed_;
  const Lattice& lattice_;
  NationalMobile out_;
  Coarse coarse_;
  std::vector<std::uint8_t> near_;
  std::vector<Mast> masts_[2];
  std::vector<float> fields_4g_[4];
  std::vector<float> fields_5g_[4];
  std::vector<float> shadow_;         // dB; NaN where nodata
  std::vector<std::uint8_t> indoor_;  // quarter dB
  std::vector<std::uint8_t> land_;    // 1 on land cells
  std::vector<std::ptrdiff_t> sample_;
};

}  // namespace

NationalMobile write_national_mobile(const std::filesystem::path& dir, const Geography& geography,
                                     const NationalAreas& areas, const NationalPremises& premises,
                                     std::uint64_t seed) {
  return Builder(dir, geography, areas, premises, seed).run();
}

}  // namespace notspot::generate
