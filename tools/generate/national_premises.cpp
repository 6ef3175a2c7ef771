#include "national_premises.hpp"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <numbers>
#include <string>

#include "atomic_output.hpp"
#include "british_national_grid.hpp"
#include "notspot/engine/error.hpp"
#include "random.hpp"
#include "value_noise.hpp"

namespace notspot::generate {
namespace {

using engine::AreaIndex;
using engine::Point;

/// Shares of premises by kind of place; isolated premises take the rest.
constexpr double kTownShare = 0.76;
constexpr double kVillageShare = 0.13;
constexpr double kHamletShare = 0.055;
/// Premises per islet (when there are at least kIsletMinimumPremises premises).
constexpr std::size_t kIsletPremises = 12;
constexpr std::size_t kIsletMinimumPremises = 10'000;
/// Premises per parallel job.
constexpr std::size_t kJobPremises = 65'536;
constexpr std::size_t kJobHamlets = 2048;
/// Tries before a premise falls back to its settlement's own cell.
constexpr int kMaxTries = 100;
/// In towns, a premise starts a block of flats (2 to 31 premises on one point) with this
/// probability: about a fifth of town premises share their point.
constexpr double kFlatsChance = 0.015;
/// Cities have satellite suburbs taking this share of their premises.
constexpr double kSatelliteShare = 0.3;
/// Premises off the coast lie this far (metres) beyond a coastal lattice edge.
constexpr double kCoastMin = 20;
constexpr double kCoastMax = 600;
/// The largest UPRN (12 digits).
constexpr std::uint64_t kMaxUprn = 999'999'999'999ull;

/// SplitMix64: a light stream for per-block and per-row draws.
class Stream {
 public:
  explicit Stream(std::uint64_t key) : state_(key) {}
  std::uint64_t next() { return mix64(state_ += 0x9E3779B97F4A7C15ull); }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  /// Uniform in [0, n) (modulo; the bias is below 2^-40 for the n used here).
  std::uint64_t below(std::uint64_t n) { return next() % n; }
  bool chance(double p) { return uniform() < p; }
  double normal() {
    const double u1 = 1.0 - uniform();
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  }

 private:
  std::uint64_t state_;
};

std::uint64_t key_of(std::uint64_t seed, std::uint64_t a, std::uint64_t b = 0,
                     std::uint64_t c = 0) {
  return mix64(mix64(mix64(seed ^ 0x6E6174696F6E616Cull) ^ a) ^ b) ^ c;
}

/// Draws indices with probability proportional to their weights.
class CumulativeTable {
 public:
  explicit CumulativeTable(const std::vector<double>& weights) {
    cumulative_.reserve(weights.size());
    double total = 0;
    for (double w : weights) cumulative_.push_back(total += w);
  }
  std::size_t draw(Stream& r) const {
    const double u = r.uniform() * cumulative_.back();
    const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), u);
    return std::min<std::size_t>(static_cast<std::size_t>(it - cumulative_.begin()),
                                 cumulative_.size() - 1);
  }

 private:
  std::vector<double> cumulative_;
};

struct Satellite {
  Point centre;
  double sigma;
};

/// Splits `total` in proportion to `weights` (largest remainders; ties by position).
std::vector<std::size_t> apportion(const std::vector<double>& weights, std::size_t total) {
  double sum = 0;
  for (double w : weights) sum += w;
  std::vector<std::size_t> counts(weights.size(), 0);
  std::vector<std::pair<double, std::size_t>> remainders;
  std::size_t given = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const double exact = weights[i] / sum * static_cast<double>(total);
    counts[i] = static_cast<std::size_t>(exact);
    given += counts[i];
    remainders.emplace_back(exact - std::floor(exact), i);
  }
  std::sort(remainders.begin(), remainders.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  for (std::size_t k = 0; given < total; ++k, ++given)
    ++counts[remainders[k % remainders.size()].second];
  return counts;
}

struct Job {
  PlaceKind kind;
  std::size_t item;   // settlement, first hamlet, islet, or part number
  std::size_t items;  // hamlets in the job
  std::size_t part;
  std::size_t offset;
  std::size_t count;
};

class Placer {
 public:
  Placer(const Geography& g, const NationalAreas& areas, const AreaIndex& index,
         const PremisesOptions& o)
      : g_(g), areas_(areas), index_(index), o_(o), lattice_(g.lattice) {}

  NationalPremises run() {
    if (o_.count < 1 || o_.count >= (std::size_t{1} << 31)) {
      throw engine::usage_error("--premises must be between 1 and 2147483647");
    }
    plan();
    out_.records.resize(o_.count);
    struct Tally {
      std::size_t attempts = 0, fallbacks = 0, shared = 0;
    };
    tbb::enumerable_thread_specific<Tally> tallies;
    tbb::parallel_for(std::size_t{0}, jobs_.size(), [&](std::size_t j) {
      Tally& t = tallies.local();
      run_job(jobs_[j], t.attempts, t.fallbacks, t.shared);
    });
    for (const Tally& t : tallies) {
      out_.attempts += t.attempts;
      out_.fallbacks += t.fallbacks;
      out_.shared_position += t.shared;
    }
    for (const Job& job : jobs_) out_.by_kind[static_cast<std::size_t>(job.kind)] += job.count;
    out_.outside = out_.by_kind[static_cast<std::size_t>(PlaceKind::kCoast)];
    return std::move(out_);
  }

 private:
  void add_jobs(PlaceKind kind, std::size_t item, std::size_t count) {
    for (std::size_t part = 0; part * kJobPremises < count; ++part) {
      const std::size_t n = std::min(kJobPremises, count - part * kJobPremises);
      jobs_.push_back({kind, item, 0, part, next_offset_, n});
      next_offset_ += n;
    }
  }

  void plan() {
    const auto n = static_cast<double>(o_.count);
    const std::size_t islets = o_.count >= kIsletMinimumPremises ? areas_.islets.size() : 0;
    const auto towns_total = static_cast<std::size_t>(kTownShare * n);
    const auto villages_total = static_cast<std::size_t>(kVillageShare * n);
    const auto hamlets_total = static_cast<std::size_t>(kHamletShare * n);
    const auto coast_total = static_cast<std::size_t>(o_.outside_share * n);
    const std::size_t islet_total = islets * kIsletPremises;
    const std::size_t taken =
        towns_total + villages_total + hamlets_total + coast_total + islet_total;
    if (taken > o_.count) throw engine::usage_error("--premises is too small");
    const std::size_t isolated_total = o_.count - taken;

    std::vector<double> town_weights, village_weights;
    for (std::size_t s = 0; s < g_.settlements.size(); ++s) {
      (s < g_.towns ? town_weights : village_weights).push_back(g_.settlements[s].nominal);
    }
    const std::vector<std::size_t> town_counts = apportion(town_weights, towns_total);
    const std::vector<std::size_t> village_counts = apportion(village_weights, villages_total);
    for (std::size_t s = 0; s < g_.settlements.size(); ++s) {
      const std::size_t count = s < g_.towns ? town_counts[s] : village_counts[s - g_.towns];
      add_jobs(g_.settlements[s].kind, s, count);
    }
    // Cities' satellite suburbs.
    satellites_.resize(g_.settlements.size());
    for (std::size_t s = 0; s < g_.towns; ++s) {
      const Settlement& town = g_.settlements[s];
      if (town.kind != PlaceKind::kCity) continue;
      Stream r(key_of(o_.seed, hash_label("satellites"), s));
      const int k = 3 + std::min(5, static_cast<int>(std::log2(town.nominal / 100'000)));
      for (int i = 0; i < k; ++i) {
        const double angle = r.uniform(0, 2 * std::numbers::pi);
        const double distance = town.sigma * r.uniform(1.2, 2.8);
        satellites_[s].push_back({{town.centre.x + distance * std::cos(angle),
                                   town.centre.y + distance * std::sin(angle)},
                                  0.4 * town.sigma});
      }
    }
    // Hamlets of 5 to 40.
    Stream sizes(key_of(o_.seed, hash_label("hamlet sizes")));
    for (std::size_t placed = 0; placed < hamlets_total;) {
      const std::size_t size = std::min<std::size_t>(5 + sizes.below(36), hamlets_total - placed);
      hamlet_sizes_.push_back(static_cast<std::uint8_t>(size));
      placed += size;
    }
    for (std::size_t h = 0; h < hamlet_sizes_.size(); h += kJobHamlets) {
      const std::size_t end = std::min(hamlet_sizes_.size(), h + kJobHamlets);
      std::size_t count = 0;
      for (std::size_t k = h; k < end; ++k) count += hamlet_sizes_[k];
      jobs_.push_back({PlaceKind::kHamlet, h, end - h, 0, next_offset_, count});
      next_offset_ += count;
    }
    add_jobs(PlaceKind::kIsolated, 0, isolated_total);
    add_jobs(PlaceKind::kCoast, 0, coast_total);
    for (std::size_t i = 0; i < islets; ++i) add_jobs(PlaceKind::kIslet, i, kIsletPremises);
    if (next_offset_ != o_.count) throw engine::internal_error("premises plan does not add up");

    std::vector<double> rural(g_.land_cells.size());
    for (std::size_t k = 0; k < rural.size(); ++k) rural[k] = g_.rural_weight[g_.land_cells[k]];
    rural_ = std::make_unique<CumulativeTable>(rural);
    std::vector<double> coast(areas_.coast.size());
    for (std::size_t k = 0; k < coast.size(); ++k) coast[k] = g_.density[areas_.coast[k].cell] + 5;
    if (!coast.empty()) coast_ = std::make_unique<CumulativeTable>(coast);
  }

  static PremiseRecord record(Point p, PlaceKind kind) {
    return {static_cast<std::int32_t>(std::llround(p.x * 100)),
            static_cast<std::int32_t>(std::llround(p.y * 100)), kind};
  }
  std::uint32_t locate(const PremiseRecord& r) const {
    return index_.locate({r.x_cm / 100.0, r.y_cm / 100.0});
  }
  bool inside(const PremiseRecord& r) const { return locate(r) != AreaIndex::kOutside; }

  // A point on land inside an area: draw() until one is, then fall back to `cell`.
  template <typename Draw>
  PremiseRecord on_land(Draw&& draw, std::uint32_t cell, PlaceKind kind, Stream& r,
                        std::size_t& attempts, std::size_t& fallbacks) const {
    for (int t = 0; t < kMaxTries; ++t) {
      ++attempts;
      const PremiseRecord candidate = record(draw(), kind);
      if (inside(candidate)) return candidate;
    }
    ++fallbacks;
    for (int t = 0; t < kMaxTries; ++t) {
      const PremiseRecord candidate =
          record(lattice_.in_cell(cell, r.uniform(0.3, 0.7), r.uniform(0.3, 0.7)), kind);
      if (inside(candidate)) return candidate;
    }
    return record(lattice_.in_cell(cell, 0.5, 0.5), kind);
  }

  void run_job(const Job& job, std::size_t& attempts, std::size_t& fallbacks,
               std::size_t& shared) const {
    Stream r(key_of(o_.seed, static_cast<std::uint64_t>(job.kind), job.item, job.part));
    PremiseRecord* out = out_.records.data() + job.offset;
    switch (job.kind) {
      case PlaceKind::kCity:
      case PlaceKind::kTown:
      case PlaceKind::kVillage: {
        const Settlement& s = g_.settlements[job.item];
        const std::vector<Satellite>& satellites = satellites_[job.item];
        auto draw = [&] {
          Point centre = s.centre;
          double sigma = r.uniform() < 0.65 ? s.sigma : 2.2 * s.sigma;
          if (!satellites.empty() && r.uniform() < kSatelliteShare) {
            const Satellite& sat = satellites[r.below(satellites.size())];
            centre = sat.centre;
            sigma = sat.sigma;
          }
          return Point{centre.x + sigma * r.normal(), centre.y + sigma * r.normal()};
        };
        const bool flats = job.kind != PlaceKind::kVillage;
        std::size_t block = 0;
        for (std::size_t i = 0; i < job.count; ++i) {
          if (block > 0) {
            out[i] = out[i - 1];
            --block;
            ++shared;
            continue;
          }
          out[i] = on_land(draw, s.cell, job.kind, r, attempts, fallbacks);
          if (flats && r.chance(kFlatsChance)) block = 1 + r.below(30);
        }
        break;
      }
      case PlaceKind::kHamlet: {
        std::size_t i = 0;
        for (std::size_t h = job.item; h < job.item + job.items; ++h) {
          const auto cell = g_.land_cells[rural_->draw(r)];
          const Point centre = lattice_.in_cell(cell, r.uniform(0.2, 0.8), r.uniform(0.2, 0.8));
          auto draw = [&] {
            return Point{centre.x + 150 * r.normal(), centre.y + 150 * r.normal()};
          };
          for (std::size_t k = 0; k < hamlet_sizes_[h]; ++k)
            out[i++] = on_land(draw, cell, job.kind, r, attempts, fallbacks);
        }
        break;
      }
      case PlaceKind::kIsolated: {
        for (std::size_t i = 0; i < job.count; ++i) {
          const auto cell = g_.land_cells[rural_->draw(r)];
          auto draw = [&] { return lattice_.in_cell(cell, r.uniform(), r.uniform()); };
          out[i] = on_land(draw, cell, job.kind, r, attempts, fallbacks);
        }
        break;
      }
      case PlaceKind::kCoast: {
        for (std::size_t i = 0; i < job.count; ++i) {
          for (int t = 0;; ++t) {
            if (t == 100 * kMaxTries)
              throw engine::internal_error("cannot place a premise off the coast");
            ++attempts;
            const CoastEdge& e = areas_.coast[coast_->draw(r)];
            const Point a = lattice_.vertex(e.from);
            const Point b = lattice_.vertex(e.to);
            const double dx = b.x - a.x, dy = b.y - a.y;
            const double length = std::hypot(dx, dy);
            const double along = r.uniform(0.05, 0.95);
            const double off = r.uniform(kCoastMin, kCoastMax) / length;
            // Land is on the left of from -> to; the sea on the right.
            const PremiseRecord candidate =
                record({a.x + along * dx + off * dy, a.y + along * dy - off * dx}, job.kind);
            if (!inside(candidate)) {
              out[i] = candidate;
              break;
            }
          }
        }
        break;
      }
      case PlaceKind::kIslet: {
        const Islet& islet = areas_.islets[job.item];
        for (std::size_t i = 0; i < job.count; ++i) {
          for (int t = 0;; ++t) {
            if (t == 100 * kMaxTries)
              throw engine::internal_error("cannot place a premise on an islet");
            ++attempts;
            const PremiseRecord candidate =
                record({r.uniform(islet.bounds.xmin, islet.bounds.xmax),
                        r.uniform(islet.bounds.ymin, islet.bounds.ymax)},
                       job.kind);
            if (locate(candidate) == islet.area) {
              out[i] = candidate;
              break;
            }
          }
        }
        break;
      }
    }
  }

  const Geography& g_;
  const NationalAreas& areas_;
  const AreaIndex& index_;
  const PremisesOptions& o_;
  const Lattice& lattice_;
  std::vector<Job> jobs_;
  std::size_t next_offset_ = 0;
  std::vector<std::vector<Satellite>> satellites_;
  std::vector<std::uint8_t> hamlet_sizes_;
  std::unique_ptr<CumulativeTable> rural_;
  std::unique_ptr<CumulativeTable> coast_;
  mutable NationalPremises out_;
};

// ---- Writing ----------------------------------------------------------------------------

/// An output file written in order from parallel blocks, published atomically.
class OrderedFile {
 public:
  explicit OrderedFile(const std::filesystem::path& path) : out_(path) {
    file_ = std::fopen(out_.temp_path().c_str(), "wb");
    if (file_ == nullptr) fail("cannot create");
    std::setvbuf(file_, nullptr, _IOFBF, std::size_t{1} << 22);
  }
  ~OrderedFile() {
    if (file_ != nullptr) std::fclose(file_);
  }
  OrderedFile(const OrderedFile&) = delete;
  OrderedFile& operator=(const OrderedFile&) = delete;

  void write(std::string_view text) {
    if (std::fwrite(text.data(), 1, text.size(), file_) != text.size()) fail("cannot write");
    bytes_ += text.size();
  }
  std::size_t bytes() const { return bytes_; }
  void commit() {
    const bool ok = std::fflush(file_) == 0 && ::fsync(::fileno(file_)) == 0;
    const bool closed = std::fclose(file_) == 0;
    file_ = nullptr;
    if (!ok || !closed) fail("cannot write");
    out_.commit();
  }

 private:
  [[noreturn]] void fail(const char* what) const {
    throw engine::input_error(std::string(what) + " " + out_.temp_path().string() + ": " +
                              std::strerror(errno));
  }
  AtomicOutput out_;
  std::FILE* file_ = nullptr;
  std::size_t bytes_ = 0;
};

/// Runs make(block) for every block in parallel and hands the results to sink() in order.
template <typename Result, typename Make, typename Sink>
void ordered_blocks(std::size_t blocks, Make&& make, Sink&& sink) {
  std::size_t next = 0;
  const auto tokens = static_cast<std::size_t>(2 * tbb::this_task_arena::max_concurrency() + 2);
  tbb::parallel_pipeline(
      tokens, tbb::make_filter<void, std::size_t>(tbb::filter_mode::serial_in_order,
                                                  [&](tbb::flow_control& control) -> std::size_t {
                                                    if (next == blocks) {
                                                      control.stop();
                                                      return 0;
                                                    }
                                                    return next++;
                                                  }) &
                  tbb::make_filter<std::size_t, std::shared_ptr<Result>>(
                      tbb::filter_mode::parallel,
                      [&](std::size_t block) { return std::make_shared<Result>(make(block)); }) &
                  tbb::make_filter<std::shared_ptr<Result>, void>(
                      tbb::filter_mode::serial_in_order,
                      [&](const std::shared_ptr<Result>& result) { sink(*result); }));
}

/// Appends an integer.
inline char* put(char* p, std::uint64_t v) {
  return std::to_chars(p, p + 24, v).ptr;
}

/// Appends v / 10^decimals with exactly `decimals` decimals (v may be negative).
inline char* put_fixed(char* p, std::int64_t v, int decimals, std::int64_t scale) {
  if (v < 0) {
    *p++ = '-';
    v = -v;
  }
  p = put(p, static_cast<std::uint64_t>(v / scale));
  *p++ = '.';
  std::int64_t frac = v % scale;
  for (int d = decimals - 1; d >= 0; --d) {
    p[d] = static_cast<char>('0' + frac % 10);
    frac /= 10;
  }
  return p + decimals;
}

/// Appends a speed in tenths of Mbit/s: "1000", "67.3".
inline char* put_tenths(char* p, int tenths) {
  p = put(p, static_cast<std::uint64_t>(tenths / 10));
  if (tenths % 10 != 0) {
    *p++ = '.';
    *p++ = static_cast<char>('0' + tenths % 10);
  }
  return p;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// ---- Fixed broadband model --------------------------------------------------------------

enum FixedTechnology : int { kFttp, kCable, kGfast, kFttc, kAdsl, kFwa };

struct Service {
  int down = 0;  // tenths of Mbit/s
  int up = 0;
  int technology = kFttc;
};

/// How fixed broadband looks in each kind of place.
struct PlaceProfile {
  double gigabit;  // chance of a gigabit-capable service (before rollout patches)
  double cable;    // share of gigabit services that are cable (DOCSIS 3.1), not FTTP
  double gfast;    // chance of G.fast among the others
  double line_km;  // mean copper line length to the cabinet
  double fwa;      // chance of fixed wireless where copper is slow
};
// City, town, village, hamlet, isolated, coast, islet.
constexpr PlaceProfile kProfiles[kPlaceKinds] = {
    {0.90, 0.25, 0.10, 0.45, 0.10}, {0.84, 0.12, 0.06, 0.55, 0.15}, {0.68, 0.03, 0.02, 0.80, 0.35},
    {0.52, 0.00, 0.00, 1.10, 0.45}, {0.40, 0.00, 0.00, 1.50, 0.50}, {0.80, 0.12, 0.06, 0.55, 0.15},
    {0.10, 0.00, 0.00, 3.00, 0.50}};

int tenths(double mbps) {
  return static_cast<int>(std::lround(mbps * 10));
}

Service draw_service(PlaceKind kind, double rollout, Stream& r) {
  const PlaceProfile& p = kProfiles[static_cast<std::size_t>(kind)];
  const double gigabit = std::clamp(p.gigabit + 0.15 * rollout, 0.02, 0.99);
  if (r.chance(gigabit)) {
    if (r.chance(p.cable))
      return {r.chance(0.7) ? 11300 : 10000, r.chance(0.5) ? 1040 : 520, kCable};
    const double u = r.uniform();
    if (u < 0.80) return {10000, r.chance(0.6) ? 1150 : 2200, kFttp};
    if (u < 0.90) return {16000, 1150, kFttp};
    if (u < 0.97) return {18000, 1200, kFttp};
    return {20000, 20000, kFttp};
  }
  if (r.chance(p.gfast)) {
    const double down = r.uniform(160, 330);
    return {tenths(down), tenths(r.uniform(30, 50)), kGfast};
  }
  const double line = -p.line_km * std::log(1.0 - r.uniform());
  if (line < 3.0) {
    const double down =
        std::clamp(80 / (1 + std::pow(line / 1.3, 2.5)) * r.uniform(0.9, 1.1), 2.0, 80.0);
    if (down < 24 && r.chance(p.fwa)) {
      return {tenths(r.uniform(15, 60)), tenths(r.uniform(2, 10)), kFwa};
    }
    return {tenths(down), tenths(std::clamp(down * 0.25 * r.uniform(0.8, 1.2), 0.5, 20.0)), kFttc};
  }
  if (r.chance(p.fwa)) return {tenths(r.uniform(10, 40)), tenths(r.uniform(1, 6)), kFwa};
  const double down = std::clamp(17 * std::exp(-(line - 1) / 1.5) * r.uniform(0.8, 1.2), 0.5, 17.0);
  return {tenths(down), tenths(std::clamp(down * 0.08, 0.1, 1.2)), kAdsl};
}

}  // namespace

NationalPremises place_national_premises(const Geography& geography, const NationalAreas& areas,
                                         const engine::AreaIndex& index,
                                         const PremisesOptions& options) {
  return Placer(geography, areas, index, options).run();
}

UprnOrder::UprnOrder(std::size_t count, std::uint64_t seed)
    : count_(count), key_(key_of(seed, hash_label("uprn"))) {
  if (count == 0) throw engine::usage_error("no premises");
  // About 1% of gaps are jumps (a new run), sized so that the last UPRN is around 2.5e11.
  jump_ = std::clamp<std::uint64_t>(50'000'000'000'000ull / count, 3, 100'000'000'000ull);
  auto bits = static_cast<int>(std::bit_width(std::max<std::uint64_t>(count - 1, 3)));
  if (bits % 2 != 0) ++bits;
  half_bits_ = bits / 2;
  for (std::size_t r = 0; r < round_keys_.size(); ++r)
    round_keys_[r] = key_of(seed, hash_label("feistel"), r);
  std::uint64_t u = 1 + key_ % 1000;
  starts_.reserve(blocks());
  for (std::size_t k = 0; k < count; ++k) {
    if (k > 0) u += gap(u, k);
    if (k % kBlock == 0) starts_.push_back(u);
  }
  last_ = u;
}

std::uint64_t UprnOrder::gap(std::uint64_t previous, std::size_t k) const {
  const std::uint64_t h = mix64(key_ ^ (static_cast<std::uint64_t>(k) * 0xD1B54A32D192ED03ull));
  const std::uint64_t g = h % 100 == 0 ? 1 + (h >> 8) % jump_ : 1 + (h >> 8) % 3;
  // Always leave room for the rows still to come.
  const std::uint64_t room = kMaxUprn - previous - (count_ - 1 - k);
  return g <= room ? g : 1;
}

std::size_t UprnOrder::premise(std::size_t k) const {
  const std::uint64_t mask = (std::uint64_t{1} << half_bits_) - 1;
  std::uint64_t x = k;
  do {
    std::uint64_t left = x >> half_bits_;
    std::uint64_t right = x & mask;
    for (const std::uint64_t key : round_keys_) {
      const std::uint64_t mixed = left ^ (mix64(right ^ key) & mask);
      left = right;
      right = mixed;
    }
    x = (left << half_bits_) | right;
  } while (x >= count_);
  return static_cast<std::size_t>(x);
}

void UprnOrder::block_uprns(std::size_t block, std::vector<std::uint64_t>& out) const {
  const std::size_t begin = block * kBlock;
  const std::size_t end = std::min(count_, begin + kBlock);
  std::uint64_t u = starts_[block];
  out.push_back(u);
  for (std::size_t k = begin + 1; k < end; ++k) out.push_back(u += gap(u, k));
  out.push_back(block + 1 < starts_.size() ? starts_[block + 1] : 0);
}

CsvOutput write_premises_csv(const std::filesystem::path& path, const NationalPremises& premises,
                             const UprnOrder& order) {
  const auto start = std::chrono::steady_clock::now();
  OrderedFile file(path);
  file.write("\xEF\xBB\xBFUPRN,X_COORDINATE,Y_COORDINATE,LATITUDE,LONGITUDE\n");
  tbb::enumerable_thread_specific<std::unique_ptr<BritishNationalGrid>> grids;
  ordered_blocks<std::string>(
      order.blocks(),
      [&](std::size_t block) {
        std::unique_ptr<BritishNationalGrid>& bng = grids.local();
        if (!bng) bng = std::make_unique<BritishNationalGrid>();
        std::vector<std::uint64_t> uprns;
        order.block_uprns(block, uprns);
        const std::size_t begin = block * UprnOrder::kBlock;
        const std::size_t n = uprns.size() - 1;
        std::vector<const PremiseRecord*> rows(n);
        std::vector<double> lon(n), lat(n);
        for (std::size_t i = 0; i < n; ++i) {
          rows[i] = &premises.records[order.premise(begin + i)];
          lon[i] = rows[i]->x_cm / 100.0;
          lat[i] = rows[i]->y_cm / 100.0;
        }
        bng->to_wgs84(lon, lat);
        std::string text(n * 64, '\0');
        char* p = text.data();
        for (std::size_t i = 0; i < n; ++i) {
          if (!(lat[i] >= 49.75 && lat[i] <= 61.01 && lon[i] >= -9.0 && lon[i] <= 2.01)) {
            throw engine::internal_error("premise " + std::to_string(uprns[i]) +
                                         " lies outside the British National Grid's area of use");
          }
          p = put(p, uprns[i]);
          *p++ = ',';
          p = put_fixed(p, rows[i]->x_cm, 2, 100);
          *p++ = ',';
          p = put_fixed(p, rows[i]->y_cm, 2, 100);
          *p++ = ',';
          p = put_fixed(p, std::llround(lat[i] * 1e6), 6, 1'000'000);
          *p++ = ',';
          p = put_fixed(p, std::llround(lon[i] * 1e6), 6, 1'000'000);
          *p++ = '\n';
        }
        text.resize(static_cast<std::size_t>(p - text.data()));
        return text;
      },
      [&](const std::string& text) { file.write(text); });
  const std::size_t bytes = file.bytes();
  file.commit();
  return {order.size(), bytes, seconds_since(start)};
}

SpeedStats write_fixed_speeds_csv(const std::filesystem::path& path,
                                  const NationalPremises& premises, const UprnOrder& order,
                                  std::uint64_t seed) {
  constexpr double kMissing = 0.001;
  constexpr double kUnmatched = 0.0001;
  const auto start = std::chrono::steady_clock::now();
  const std::uint64_t row_key = key_of(seed, hash_label("fixed speeds"));
  const std::uint64_t rollout_seed = key_of(seed, hash_label("rollout"));
  struct Block {
    std::string text;
    SpeedStats stats;
  };
  SpeedStats total;
  OrderedFile file(path);
  file.write("uprn,max_down_mbps,max_up_mbps,technology\n");
  ordered_blocks<Block>(
      order.blocks(),
      [&](std::size_t block) {
        Block out;
        SpeedStats& s = out.stats;
        std::vector<std::uint64_t> uprns;
        order.block_uprns(block, uprns);
        const std::size_t begin = block * UprnOrder::kBlock;
        const std::size_t n = uprns.size() - 1;
        out.text.resize(n * 2 * 48);
        char* p = out.text.data();
        auto put_row = [&](std::uint64_t uprn, const Service& service) {
          p = put(p, uprn);
          *p++ = ',';
          p = put_tenths(p, service.down);
          *p++ = ',';
          p = put_tenths(p, service.up);
          *p++ = ',';
          const char* name = kFixedTechnologies[service.technology];
          const std::size_t length = std::strlen(name);
          std::memcpy(p, name, length);
          p += length;
          *p++ = '\n';
          ++s.rows;
          ++s.by_technology[static_cast<std::size_t>(service.technology)];
        };
        for (std::size_t i = 0; i < n; ++i) {
          const std::size_t k = begin + i;
          const PremiseRecord& premise = premises.records[order.premise(k)];
          Stream r(mix64(row_key ^ k));
          SpeedStats::Counts& c = s.by_kind[static_cast<std::size_t>(premise.kind)];
          ++c.premises;
          if (r.chance(kMissing)) {
            ++s.missing;
          } else {
            const double rollout =
                value_noise({premise.x_cm / 100.0, premise.y_cm / 100.0}, 6000, rollout_seed);
            const Service service = draw_service(premise.kind, rollout, r);
            put_row(uprns[i], service);
            ++c.with_row;
            c.gigabit += service.down >= 10000;
            c.ultrafast += service.down >= 3000;
            c.superfast += service.down >= 300;
            c.below_uso += service.down < 100 || service.up < 10;
            c.full_fibre += service.technology == kFttp;
          }
          // Now and then a row for a UPRN that is no premise (a gap in the numbering).
          const std::uint64_t next = uprns[i + 1];
          if (r.chance(kUnmatched) && (next == 0 || next - uprns[i] >= 2)) {
            put_row(uprns[i] + 1, draw_service(PlaceKind::kTown, 0, r));
            ++s.unmatched;
          }
        }
        out.text.resize(static_cast<std::size_t>(p - out.text.data()));
        return out;
      },
      [&](const Block& block) {
        file.write(block.text);
        total.rows += block.stats.rows;
        total.missing += block.stats.missing;
        total.unmatched += block.stats.unmatched;
        for (std::size_t k = 0; k < kPlaceKinds; ++k) total.by_kind[k].add(block.stats.by_kind[k]);
        for (std::size_t t = 0; t < total.by_technology.size(); ++t)
          total.by_technology[t] += block.stats.by_technology[t];
      });
  total.bytes = file.bytes();
  file.commit();
  total.seconds = seconds_since(start);
  return total;
}

}  // namespace notspot::generate
