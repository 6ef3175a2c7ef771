#include "dorset_sample.hpp"

#include <cpl_conv.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>
#include <ostream>
#include <string>
#include <vector>

#include "atomic_output.hpp"
#include "british_national_grid.hpp"
#include "calibration.hpp"
#include "csv.hpp"
#include "kmeans.hpp"
#include "mobile_model.hpp"
#include "mobile_writer.hpp"
#include "notspot/engine/area_index.hpp"
#include "notspot/engine/error.hpp"
#include "notspot/engine/geos_context.hpp"
#include "notspot/engine/grid_coverage.hpp"
#include "notspot/engine/indicators.hpp"
#include "ofcom_postcode.hpp"
#include "parish_writer.hpp"
#include "premises_placement.hpp"
#include "random.hpp"
#include "real_data.hpp"
#include "tessellation.hpp"

namespace notspot::generate {
namespace {

using engine::AreaIndex;
using engine::GeosGeometry;
using engine::Point;
using Json = nlohmann::ordered_json;

constexpr const char* kBoundaryFile = "dorset_boundary_lad_may2025_bgc.geojson";
constexpr const char* kPostcodesFile = "dorset_postcodes_codepoint_2014.csv";
constexpr const char* kOfcomFixedFile = "ofcom_cn2025_fixed_laua_extract.csv";
constexpr const char* kOfcomMobileFile = "ofcom_cn2025_mobile_laua_extract.csv";
constexpr const char* kPostcodeFile = "ofcom_fixed_postcode_DT.csv";
constexpr const char* kMobileFolder = "mobile";
/// The layer also written as polygons, and the GeoPackage it goes to.
constexpr std::size_t kFootprintOperator = 0;  // EE
constexpr MobileLayerKind kFootprintKind = MobileLayerKind::k4gOutdoor;
constexpr const char* kFootprintFile = "EE_4G_outdoor_coverage.gpkg";
/// Mobile rasters: Ofcom's 100 m squares on the British National Grid, over the boundary's
/// bounding box plus kRasterMargin; cells whose centre is farther than kRasterMargin from the
/// boundary hold no data.
constexpr double kRasterCell = 100;
constexpr double kRasterMargin = 1000;
/// Mobile figures must be within this many percentage points of Ofcom's.
constexpr double kMobileTolerance = 1.0;
/// Rows of the postcode file for postcodes that no premise carries.
constexpr std::size_t kPostcodesWithoutPremises = 20;
/// Aggregated postcode percentages must give the per-premise figures back within this many
/// percentage points: each postcode's percentage is rounded to 0.05 points at worst.
constexpr double kPostcodeAggregateTolerance = 0.05;

/// The boundary is snapped to this grid (metres), like the premises' two decimals; parish
/// vertices where Voronoi edges cross each other or the boundary are exact intersections.
constexpr double kGridSize = 0.01;
/// The GeoPackage stores a modification time; a fixed one (in the format the GeoPackage
/// standard asks for, with milliseconds) makes the file reproducible.
constexpr const char* kFixedDate = "2026-01-01T00:00:00.000Z";
/// Neighbour rank and floor (metres) of the density measure that weights parish seeds.
constexpr int kSeedSpacingRank = 12;
constexpr double kMinSeedSpacing = 30;
/// Neighbour rank for the density measure (distance to the k-th nearest postcode) that sets
/// the premises' scatter and rurality.
constexpr int kSpacingRank = 4;
/// Scatter of premises around a postcode = factor × spacing, clamped (metres).
constexpr double kScatterFactor = 0.35;
constexpr double kMinScatter = 8;
constexpr double kMaxScatter = 250;
/// Dorset's coast lies south of this northing (Lyme Regis, the northernmost coastal town, is
/// at about 92 km). North of it the boundary is a land border with Devon, Somerset,
/// Wiltshire, Hampshire and BCP, so a premise placed outside the boundary there is on land,
/// in a neighbouring authority, not in the sea.
constexpr double kLandBorderNorthing = 96000;
/// Inside postcodes this close (metres) to the land border get a mirrored site across it.
constexpr double kCrossBorderReach = 1200;
/// Of the inside premises without a speed row, the share that still has a BDUK row.
constexpr double kBdukWithoutSpeedShare = 0.1;
/// Inside premises with a speed row but no BDUK row.
constexpr std::size_t kSpeedWithoutBduk = 40;
/// Rows whose UPRN is not a premise, to exercise unmatched-key counting: kUnmatchedRows
/// such UPRNs, the first kUnmatchedSpeedRows in fixed_speeds.csv, the last kUnmatchedBdukRows
/// in bduk_premises.csv (so some are in both).
constexpr std::size_t kUnmatchedRows = 48;
constexpr std::size_t kUnmatchedSpeedRows = 36;
constexpr std::size_t kUnmatchedBdukRows = 42;
/// Outside premises lack rows with this probability (as inside ones about do).
constexpr double kOutsideMissingShare = 0.0015;

class Stopwatch {
 public:
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

/// "BA215BT" or "BA21 5BT" → "BA21 5BT" (outward code, space, inward code).
std::string spaced_postcode(std::string_view code) {
  std::string compact;
  for (char c : code)
    if (c != ' ') compact += c;
  if (compact.size() < 5) return compact;
  return compact.substr(0, compact.size() - 3) + " " + compact.substr(compact.size() - 3);
}

/// "DT2 9AB" → "DT2 9": the postcode sector.
std::string postcode_sector(std::string_view code) {
  const std::string spaced = spaced_postcode(code);
  return spaced.size() >= 5 ? spaced.substr(0, spaced.size() - 2) : spaced;
}

/// v rounded to `decimals` places, as the double nearest that decimal (so JSON shows it
/// without binary noise such as 96.21000000000001).
double round_to(double v, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(v * scale) / scale;
}

template <typename T>
Json summary(std::vector<T> values, int decimals) {
  if (values.empty()) return Json::object();
  std::sort(values.begin(), values.end());
  auto pick = [&](T v) -> Json {
    if constexpr (std::is_integral_v<T>) {
      return v;
    } else {
      return round_to(v, decimals);
    }
  };
  return Json{{"min", pick(values.front())},
              {"median", pick(values[values.size() / 2])},
              {"max", pick(values.back())}};
}

/// Seeds for the parishes: weighted k-means over the inside postcodes. Plain k-means puts
/// centres at a density that grows only with the square root of the points' density; weighting
/// each postcode by its local density (inverse neighbour spacing) makes parish counts follow
/// the postcodes, so towns get small parishes and the countryside large ones.
std::vector<Point> parish_seeds(std::span<const Point> inside_postcodes,
                                std::span<const double> spacing, std::size_t count,
                                std::uint64_t seed) {
  std::vector<double> sorted(spacing.begin(), spacing.end());
  std::sort(sorted.begin(), sorted.end());
  const double median = sorted[sorted.size() / 2];
  std::vector<double> weights;
  // The floor keeps clusters of near-identical centroids (blocks of flats) from taking seeds.
  for (double s : spacing) weights.push_back(median / std::max(s, kMinSeedSpacing));
  Rng rng(seed, "parish seeds");
  return weighted_kmeans(inside_postcodes, weights, {.clusters = count, .iterations = 40}, rng);
}

/**
 * Where premises are placed: every real postcode (inside or outside the parishes), plus
 * sites across the land border that stand for the neighbouring authorities' premises. The
 * Code-Point extract has almost no postcodes outside the 2025 boundary, so without them a
 * study would see only a handful of premises "outside every area". A cross-border site
 * mirrors an inside postcode near the border to the other side, keeps its postcode, and
 * stays north of the coast.
 */
std::vector<PlacementSite> placement_sites(std::span<const Point> postcodes,
                                           std::span<const double> spacing,
                                           const AreaIndex& parishes, const GEOSGeometry* boundary,
                                           const engine::GeosContext& geos, std::uint64_t seed) {
  std::vector<PlacementSite> sites;
  for (std::size_t i = 0; i < postcodes.size(); ++i) {
    PlacementSite site;
    site.centre = postcodes[i];
    site.scatter = std::clamp(kScatterFactor * spacing[i], kMinScatter, kMaxScatter);
    site.postcode = static_cast<std::uint32_t>(i);
    site.inside = parishes.locate(postcodes[i]) != AreaIndex::kOutside;
    sites.push_back(site);
  }
  GeosGeometry border = geos.own(GEOSBoundary_r(geos.handle(), boundary), "boundary");
  engine::GeosPrepared prepared = geos.prepare(border.get());
  Rng rng(seed, "cross-border sites");
  const std::size_t real_sites = sites.size();
  for (std::size_t i = 0; i < real_sites; ++i) {
    const Point p = postcodes[i];
    if (!sites[i].inside || p.y < kLandBorderNorthing - kCrossBorderReach) continue;
    GeosGeometry point = geos.to_geos(p);
    GEOSCoordSequence* nearest =
        GEOSPreparedNearestPoints_r(geos.handle(), prepared.get(), point.get());
    if (nearest == nullptr) throw engine::internal_error("GEOS nearest points failed");
    Point b;
    GEOSCoordSeq_getXY_r(geos.handle(), nearest, 0, &b.x, &b.y);
    GEOSCoordSeq_destroy_r(geos.handle(), nearest);
    const double d = std::hypot(b.x - p.x, b.y - p.y);
    const double beyond = rng.uniform(150, 700);  // drawn always, to keep the stream aligned
    if (d > kCrossBorderReach || d < 1 || b.y < kLandBorderNorthing) continue;
    PlacementSite site;
    site.centre = {std::round((b.x + (b.x - p.x) / d * beyond) * 100) / 100,
                   std::round((b.y + (b.y - p.y) / d * beyond) * 100) / 100};
    site.scatter = std::clamp(kScatterFactor * spacing[i], 15.0, 150.0);
    site.postcode = static_cast<std::uint32_t>(i);
    site.inside = false;
    site.allowed.ymin = kLandBorderNorthing;
    if (site.centre.y < kLandBorderNorthing || parishes.locate(site.centre) != AreaIndex::kOutside)
      continue;  // a narrow neck of Dorset: the mirror landed inside again
    sites.push_back(site);
  }
  return sites;
}

struct Parish {
  GeosGeometry geometry;
  engine::MultiPolygon polygons;
  std::string sector;
  double x = 0;  ///< Interior point, for ordering.
  std::string code;
  std::string name;
};

/// Names each parish after the most common postcode sector among the postcodes it contains
/// (or, when it contains none, the postcode nearest its interior point), and numbers the
/// parishes in order of sector and then west to east.
void name_parishes(std::vector<Parish>& parishes, std::span<const Postcode> postcodes,
                   const engine::GeosContext& geos) {
  std::vector<engine::MultiPolygon> polygons;
  for (const Parish& parish : parishes) polygons.push_back(parish.polygons);
  AreaIndex index(polygons);
  std::vector<std::map<std::string, std::size_t>> sectors(parishes.size());
  for (const Postcode& postcode : postcodes) {
    const std::uint32_t area = index.locate(postcode.position);
    if (area != AreaIndex::kOutside) ++sectors[area][postcode_sector(postcode.code)];
  }
  for (std::size_t i = 0; i < parishes.size(); ++i) {
    GeosGeometry probe =
        geos.own(GEOSPointOnSurface_r(geos.handle(), parishes[i].geometry.get()), "pointOnSurface");
    double px = 0, py = 0;
    GEOSGeomGetX_r(geos.handle(), probe.get(), &px);
    GEOSGeomGetY_r(geos.handle(), probe.get(), &py);
    parishes[i].x = px;
    std::size_t best = 0;
    for (const auto& [sector, n] : sectors[i]) {  // map order: ties go to the first sector
      if (n > best) {
        best = n;
        parishes[i].sector = sector;
      }
    }
    if (best == 0) {
      double nearest = std::numeric_limits<double>::infinity();
      for (const Postcode& postcode : postcodes) {
        const double d = std::hypot(postcode.position.x - px, postcode.position.y - py);
        if (d < nearest) {
          nearest = d;
          parishes[i].sector = postcode_sector(postcode.code);
        }
      }
    }
  }
  std::sort(parishes.begin(), parishes.end(), [](const Parish& a, const Parish& b) {
    return a.sector < b.sector || (a.sector == b.sector && a.x < b.x);
  });
  for (std::size_t i = 0; i < parishes.size(); ++i) {
    // "Z" is no ONS country letter, so the codes cannot be mistaken for real E04 codes.
    parishes[i].code = fmt::format("Z04{:06d}", i + 1);
    parishes[i].name = fmt::format("Parish {:03d} ({})", i + 1, parishes[i].sector);
  }
}

/// The premise with this UPRN, or null. REQUIRES: premises sorted by UPRN.
const Premise* find_premise(std::span<const Premise> premises, std::uint64_t uprn) {
  const auto it = std::lower_bound(premises.begin(), premises.end(), uprn,
                                   [](const Premise& p, std::uint64_t u) { return p.uprn < u; });
  return it != premises.end() && it->uprn == uprn ? &*it : nullptr;
}

/// UPRNs that are not premises: drawn from the premises' range (so they look real), distinct.
std::vector<std::uint64_t> unmatched_uprns(std::span<const Premise> premises, std::size_t count,
                                           Rng& rng) {
  const std::uint64_t first = premises.front().uprn;
  const std::uint64_t last = premises.back().uprn + 1000;
  std::vector<std::uint64_t> result;
  while (result.size() < count) {
    const std::uint64_t candidate = first + rng.below(last - first);
    if (find_premise(premises, candidate) == nullptr &&
        std::find(result.begin(), result.end(), candidate) == result.end()) {
      result.push_back(candidate);
    }
  }
  return result;
}

/// One row of a premises layer: a speed row (service set) or a BDUK row (bduk set).
struct Row {
  std::uint64_t uprn;
  std::optional<FixedService> service;
  std::optional<BdukRecord> bduk;
  std::string postcode;  ///< Spaced form, e.g. "DT1 1AA".
};

/// The rows of fixed_speeds.csv and bduk_premises.csv, in no particular order yet.
struct LayerRows {
  std::vector<Row> speeds;
  std::vector<Row> bduk;
  std::size_t premises_with_speed_row = 0;
  std::size_t premises_with_bduk_row = 0;
};

/// Premise indicator counts, with the engine's own definitions: what a study run will report.
struct Achieved {
  engine::AreaCounts dorset;  ///< All premises inside the boundary.
  std::vector<engine::AreaCounts> by_parish;
  std::array<engine::AreaCounts, 4> by_density;  ///< Quarters of postcode spacing, towns first.
};

/// The parishes: seeds, tessellation, names, and the checks that they tile the boundary.
struct Parishes {
  std::vector<Parish> parishes;
  std::size_t seeds = 0;
  std::size_t voronoi_edges = 0;
  std::size_t faces = 0;
  TessellationCheck check;
};

Parishes make_parishes(const Boundary& boundary, std::span<const Postcode> postcodes,
                       const AreaIndex& boundary_index, const DorsetSampleOptions& options,
                       const engine::GeosContext& geos) {
  std::vector<Point> positions;
  for (const Postcode& postcode : postcodes) positions.push_back(postcode.position);
  const std::vector<double> spacing = neighbour_spacing(positions, kSeedSpacingRank);
  std::vector<Point> inside;
  std::vector<double> inside_spacing;
  for (std::size_t i = 0; i < positions.size(); ++i) {
    if (boundary_index.locate(positions[i]) == AreaIndex::kOutside) continue;
    inside.push_back(positions[i]);
    inside_spacing.push_back(spacing[i]);
  }
  const std::vector<Point> seeds =
      parish_seeds(inside, inside_spacing, options.parishes, options.seed);
  TessellationOptions tessellation_options;
  tessellation_options.seed = options.seed;
  Tessellation tessellation =
      tessellate(geos, boundary.geometry.get(), seeds, tessellation_options);

  Parishes result;
  result.seeds = seeds.size();
  result.voronoi_edges = tessellation.voronoi_edges;
  result.faces = tessellation.faces;
  for (GeosGeometry& area : tessellation.areas) {
    if (!area) continue;
    Parish parish;
    parish.polygons = geos.polygonal_parts(area.get());
    parish.geometry = std::move(area);
    result.parishes.push_back(std::move(parish));
  }
  name_parishes(result.parishes, postcodes, geos);

  std::vector<GeosGeometry> geometries;
  for (const Parish& parish : result.parishes)
    geometries.push_back(geos.own(GEOSGeom_clone_r(geos.handle(), parish.geometry.get()), "clone"));
  result.check = verify_tessellation(geos, boundary.geometry.get(), geometries);
  return result;
}

/**
 * Decides which premises have no row in a layer. Exactly Ofcom's unmatched count (All
 * Premises − All Matched Premises) of the inside premises has no speed row, most of those no
 * BDUK row either (so the engine reports them as "no data"); a few more lack only a BDUK
 * row; outside premises lack both at about the same rate.
 */
void mark_missing_rows(std::vector<PremiseProfile>& profiles, const FixedTargets& targets,
                       std::uint64_t seed) {
  Rng rng(seed, "missing rows");
  std::vector<std::size_t> inside;
  for (std::size_t i = 0; i < profiles.size(); ++i) {
    if (profiles[i].inside) {
      inside.push_back(i);
    } else if (rng.chance(kOutsideMissingShare)) {
      profiles[i].has_speed_row = false;
      profiles[i].has_bduk_row = false;
    }
  }
  shuffle(inside, rng);
  const std::size_t without_speed = targets.premises - targets.matched;
  const auto bduk_only =
      static_cast<std::size_t>(kBdukWithoutSpeedShare * static_cast<double>(without_speed));
  for (std::size_t k = 0; k < inside.size() && k < without_speed + kSpeedWithoutBduk; ++k) {
    PremiseProfile& profile = profiles[inside[k]];
    if (k < without_speed) {
      profile.has_speed_row = false;
      profile.has_bduk_row = k < bduk_only;
    } else {
      profile.has_bduk_row = false;
    }
  }
}

Achieved measure(std::span<const Premise> premises, std::span<const PremiseProfile> profiles,
                 const FixedCalibration& calibration, std::size_t parish_count) {
  Achieved achieved;
  achieved.by_parish.resize(parish_count);
  std::vector<double> spacing;
  for (std::size_t i = 0; i < premises.size(); ++i)
    if (premises[i].inside()) spacing.push_back(profiles[i].spacing);
  std::sort(spacing.begin(), spacing.end());
  const engine::Thresholds thresholds;
  for (std::size_t i = 0; i < premises.size(); ++i) {
    if (!premises[i].inside()) continue;
    const std::uint32_t flags = engine::indicator_flags(
        to_engine(calibration.services[i], calibration.bduk[i]), thresholds);
    engine::AreaCounts one;
    one.premises = 1;
    for (std::size_t b = 0; b < engine::kIndicatorCount; ++b) one.counts[b] = (flags >> b) & 1u;
    achieved.dorset += one;
    achieved.by_parish[premises[i].area] += one;
    const auto rank = static_cast<std::size_t>(
        std::lower_bound(spacing.begin(), spacing.end(), profiles[i].spacing) - spacing.begin());
    achieved.by_density[std::min<std::size_t>(3, 4 * rank / spacing.size())] += one;
  }
  return achieved;
}

/// Target and achieved figure of one indicator.
struct Figure {
  const char* name;
  engine::Indicator indicator;
  double target_pct;
  std::uint64_t target_count;
};

std::vector<Figure> figures(const FixedTargets& t) {
  return {{"superfast", engine::Indicator::kSuperfast, t.superfast_pct, t.superfast},
          {"ultrafast", engine::Indicator::kUltrafast, t.ultrafast_pct, t.ultrafast},
          {"full_fibre", engine::Indicator::kFullFibre, t.full_fibre_pct, t.full_fibre},
          {"gigabit", engine::Indicator::kGigabit, t.gigabit_pct, t.gigabit},
          {"below_uso", engine::Indicator::kBelowUso, t.below_uso_pct, t.below_uso}};
}

double achieved_pct(const engine::AreaCounts& counts, engine::Indicator indicator) {
  return engine::percentage(counts.count(indicator), counts.premises);
}

/// Fails loudly when the calibrated layers miss Ofcom's figures by more than a point.
void check_calibration(const Achieved& achieved, const FixedTargets& targets) {
  if (achieved.dorset.premises != targets.premises) {
    throw engine::internal_error(fmt::format("calibration: {} premises inside, Ofcom counts {}",
                                             achieved.dorset.premises, targets.premises));
  }
  for (const Figure& f : figures(targets)) {
    const double pct = achieved_pct(achieved.dorset, f.indicator);
    if (!(std::abs(pct - f.target_pct) <= 1.0)) {
      throw engine::internal_error(
          fmt::format("calibration: {} is {:.3f}%, Ofcom's {}%", f.name, pct, f.target_pct));
    }
  }
}

LayerRows make_layer_rows(std::span<const Premise> premises, std::span<const Postcode> postcodes,
                          const FixedCalibration& calibration, std::uint64_t seed) {
  LayerRows rows;
  std::vector<std::size_t> complete;  // premises with rows in both layers
  for (std::size_t i = 0; i < premises.size(); ++i) {
    const std::string postcode = spaced_postcode(postcodes[premises[i].postcode].code);
    if (calibration.services[i])
      rows.speeds.push_back({premises[i].uprn, calibration.services[i], {}, postcode});
    if (calibration.bduk[i])
      rows.bduk.push_back({premises[i].uprn, {}, calibration.bduk[i], postcode});
    if (premises[i].inside() && calibration.services[i] && calibration.bduk[i])
      complete.push_back(i);
  }
  rows.premises_with_speed_row = rows.speeds.size();
  rows.premises_with_bduk_row = rows.bduk.size();

  // Rows for UPRNs that are not premises (retired or non-addressable ones, in real layers):
  // most in both layers, some in one only. Their values are copied from a random premise
  // with rows in both, so that the two layers still agree with each other.
  Rng rng(seed, "unmatched rows");
  const std::vector<std::uint64_t> strays = unmatched_uprns(premises, kUnmatchedRows, rng);
  for (std::size_t k = 0; k < strays.size(); ++k) {
    const std::size_t like = complete[rng.below(complete.size())];
    const std::string postcode = spaced_postcode(postcodes[premises[like].postcode].code);
    const bool in_speeds = k < kUnmatchedSpeedRows;
    const bool in_bduk = k >= kUnmatchedRows - kUnmatchedBdukRows;
    if (in_speeds) rows.speeds.push_back({strays[k], calibration.services[like], {}, postcode});
    if (in_bduk) {
      BdukRecord record = *calibration.bduk[like];
      if (!in_speeds && record.current_gigabit) {
        record.current_gigabit = false;  // no speed row backs it
        record.status = engine::SubsidyStatus::kUnderReview;
      }
      rows.bduk.push_back({strays[k], {}, record, postcode});
    }
  }
  return rows;
}

/// premises.csv in the OS Open UPRN layout (byte-order mark, X/Y with two decimals,
/// latitude/longitude (WGS84, same fixed transformation) with six), plus the postcode each
/// premise was placed around, exactly as Code-Point writes it, to join postcode-level layers.
void write_premises(const std::filesystem::path& path, std::span<const Premise> premises,
                    std::span<const Postcode> postcodes, const BritishNationalGrid& bng) {
  const std::size_t n = premises.size();
  std::vector<double> lon(n), lat(n);
  for (std::size_t i = 0; i < n; ++i) {
    lon[i] = premises[i].position.x;
    lat[i] = premises[i].position.y;
  }
  bng.to_wgs84(lon, lat);
  std::string csv = "\xEF\xBB\xBFUPRN,X_COORDINATE,Y_COORDINATE,LATITUDE,LONGITUDE,POSTCODE\n";
  csv.reserve(n * 72);
  for (std::size_t i = 0; i < n; ++i) {
    fmt::format_to(std::back_inserter(csv), "{},{:.2f},{:.2f},{:.6f},{:.6f},", premises[i].uprn,
                   premises[i].position.x, premises[i].position.y, lat[i], lon[i]);
    append_csv_field(csv, postcodes[premises[i].postcode].code);
    csv += '\n';
  }
  write_file_atomically(path, csv);
}

/// fixed_speeds.csv, shuffled: real layers come in their own order, not the premises'.
void write_fixed_speeds(const std::filesystem::path& path, std::vector<Row> rows,
                        std::uint64_t seed) {
  Rng order(seed, "fixed speeds order");
  shuffle(rows, order);
  std::string csv = "uprn,max_down_mbps,max_up_mbps,technology\n";
  for (const Row& row : rows) {
    // {} prints the shortest exact form: 1000, 67.3, 0.9.
    fmt::format_to(std::back_inserter(csv), "{},{},{},{}\n", row.uprn, row.service->down_mbps,
                   row.service->up_mbps, technology_name(row.service->technology));
  }
  write_file_atomically(path, csv);
}

/// bduk_premises.csv, sorted by postcode as BDUK publishes it. Lots are synthetic: Dorset
/// Council's area is one lot, its neighbours another; lot names hold a comma, so they are
/// quoted.
void write_bduk(const std::filesystem::path& path, std::vector<Row> rows,
                std::span<const Premise> premises) {
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return a.postcode < b.postcode || (a.postcode == b.postcode && a.uprn < b.uprn);
  });
  std::string csv =
      "uprn,struprn,bduk_recognised_premises,country,postcode,lot_id,lot_name,"
      "subsidy_control_status,current_gigabit,future_gigabit\n";
  for (const Row& row : rows) {
    const Premise* premise = find_premise(premises, row.uprn);
    const bool inside = premise == nullptr || premise->inside();
    const BdukRecord& b = *row.bduk;
    fmt::format_to(std::back_inserter(csv), "{},{},{},England,", row.uprn, row.uprn,
                   b.recognised ? "true" : "false");
    append_csv_field(csv, row.postcode);
    csv += inside ? ",10," : ",11,";
    append_csv_field(csv, inside ? "Dorset, Lot 10" : "Neighbouring areas, Lot 11");
    csv += ',';
    append_csv_field(csv, subsidy_status_name(b.status));
    csv += b.current_gigabit ? ",true" : ",false";
    csv += b.future_gigabit ? ",true\n" : ",false\n";
  }
  write_file_atomically(path, csv);
}

/// The raster grid, its data cells, and where premises and the boundary fall on it.
MobileInputs make_mobile_inputs(const engine::MultiPolygon& boundary_polygons,
                                const GEOSGeometry* boundary, const AreaIndex& boundary_index,
                                std::span<const Premise> premises,
                                std::span<const Postcode> postcodes,
                                const engine::GeosContext& geos) {
  MobileInputs in;
  // Cell edges on multiples of 100 m (Ofcom's squares on the National Grid).
  const engine::Box box = engine::bounding_box(boundary_polygons);
  const double xmin = std::floor((box.xmin - kRasterMargin) / kRasterCell) * kRasterCell;
  const double ymin = std::floor((box.ymin - kRasterMargin) / kRasterCell) * kRasterCell;
  const double xmax = std::ceil((box.xmax + kRasterMargin) / kRasterCell) * kRasterCell;
  const double ymax = std::ceil((box.ymax + kRasterMargin) / kRasterCell) * kRasterCell;
  engine::Grid& grid = in.grid;
  grid.xmin = xmin;
  grid.ymax = ymax;
  grid.cell_width = grid.cell_height = kRasterCell;
  grid.columns = static_cast<std::size_t>(std::lround((xmax - xmin) / kRasterCell));
  grid.rows = static_cast<std::size_t>(std::lround((ymax - ymin) / kRasterCell));

  // Data where the cell centre is within kRasterMargin of the boundary.
  GeosGeometry buffered =
      geos.own(GEOSBuffer_r(geos.handle(), boundary, kRasterMargin, 16), "boundary buffer");
  const engine::MultiPolygon near = geos.polygonal_parts(buffered.get());
  const AreaIndex near_index(std::span(&near, 1));
  const std::size_t cells = grid.columns * grid.rows;
  std::vector<double> xs(cells), ys(cells);
  for (std::size_t row = 0; row < grid.rows; ++row) {
    for (std::size_t col = 0; col < grid.columns; ++col) {
      xs[row * grid.columns + col] = grid.cell_xmin(col) + kRasterCell / 2;
      ys[row * grid.columns + col] = grid.cell_ymax(row) - kRasterCell / 2;
    }
  }
  std::vector<std::uint32_t> where(cells);
  near_index.locate_all(xs, ys, where);
  in.has_data.resize(cells);
  for (std::size_t i = 0; i < cells; ++i) in.has_data[i] = where[i] != AreaIndex::kOutside;

  // Premises inside, by the cell that holds them (half-open cells, as GDAL reads a raster).
  std::vector<std::uint32_t> premise_cells;
  for (const Premise& premise : premises) {
    if (!premise.inside()) continue;
    const auto cell = grid.cell_of(premise.position);
    if (!cell) throw engine::internal_error("a premise inside lies off the mobile grid");
    premise_cells.push_back(static_cast<std::uint32_t>(cell->second * grid.columns + cell->first));
  }
  std::sort(premise_cells.begin(), premise_cells.end());
  for (std::uint32_t cell : premise_cells) {
    if (in.premises_cells.empty() || in.premises_cells.back().first != cell)
      in.premises_cells.emplace_back(cell, 0);
    ++in.premises_cells.back().second;
  }
  in.premises = premise_cells.size();

  in.area_cells = engine::cell_areas(boundary_polygons, grid);
  in.area = engine::area(boundary_polygons);
  double sum = 0;
  for (const engine::CellArea& c : in.area_cells) sum += c.area;
  if (std::abs(sum - in.area) > 1e-9 * in.area) {
    throw engine::internal_error(fmt::format(
        "cell_areas() gives the boundary {:.3f} m², its area is {:.3f} m²", sum, in.area));
  }
  in.postcodes = postcodes;
  in.boundary = &boundary_index;
  in.land_border_northing = kLandBorderNorthing;
  return in;
}

/// One mobile figure against Ofcom's.
struct MobileFigure {
  const char* name;
  std::string column;  ///< Ofcom's column(s).
  double target_pct;
  double achieved_pct;
  bool checked;  ///< The run fails when it is more than kMobileTolerance off.
};

/// What the rasters give, measured like a study measures them.
struct MobileMeasures {
  OperatorShares prem_in_4g{}, prem_out_4g{}, geo_out_4g{}, prem_out_5g{}, geo_out_5g{};
  std::vector<MobileFigure> figures;
  std::vector<std::pair<double, double>> by_layer;  ///< Premises and area covered (percent).
};

MobileMeasures measure_mobile(const MobileInputs& in, const MobileCoverage& mobile,
                              const MobileTargets& t) {
  auto group = [&](MobileLayerKind kind) {
    std::array<const MobileLayer*, kOperatorCount> layers{};
    for (std::size_t o = 0; o < kOperatorCount; ++o) layers[o] = &mobile.layer(o, kind);
    return layers;
  };
  MobileMeasures m;
  m.prem_in_4g = premises_shares(in, group(MobileLayerKind::k4gIndoor));
  m.prem_out_4g = premises_shares(in, group(MobileLayerKind::k4gOutdoor));
  m.geo_out_4g = area_shares(in, group(MobileLayerKind::k4gOutdoor));
  m.prem_out_5g = premises_shares(in, group(MobileLayerKind::k5gOutdoor));
  m.geo_out_5g = area_shares(in, group(MobileLayerKind::k5gOutdoor));
  m.figures = {
      {"4G indoor at premises, no operator", "4G_prem_in_0", t.prem_in_4g[0], m.prem_in_4g[0],
       true},
      {"4G indoor at premises, all four", "4G_prem_in_4", t.prem_in_4g[4], m.prem_in_4g[4], true},
      {"4G outdoor by area, all four", "4G_geo_out_4", t.geo_out_4g[4], m.geo_out_4g[4], true},
      {"5G outdoor at premises, at least one", "100 - 5G_high_confidence_prem_out_0",
       100 - t.prem_out_5g[0], 100 - m.prem_out_5g[0], true},
      {"4G outdoor at premises, no operator", "4G_prem_out_0", t.prem_out_4g[0], m.prem_out_4g[0],
       false},
      {"4G outdoor at premises, all four", "4G_prem_out_4", t.prem_out_4g[4], m.prem_out_4g[4],
       false},
      {"4G outdoor by area, no operator", "4G_geo_out_0", t.geo_out_4g[0], m.geo_out_4g[0], false},
  };
  for (const MobileLayer& layer : mobile.layers) {
    const MobileLayer* one[] = {&layer};
    m.by_layer.emplace_back(100 - premises_shares(in, one)[0], 100 - area_shares(in, one)[0]);
  }
  return m;
}

/// Fails loudly when a calibrated mobile figure misses Ofcom's by more than the tolerance.
void check_mobile(const MobileMeasures& m) {
  for (const MobileFigure& f : m.figures) {
    if (f.checked && !(std::abs(f.achieved_pct - f.target_pct) <= kMobileTolerance)) {
      throw engine::internal_error(fmt::format("mobile calibration: {} is {:.3f}%, Ofcom's {}%",
                                               f.name, f.achieved_pct, f.target_pct));
    }
  }
}

/// The polygon form of one layer, and the proof that it says what the raster says.
struct Footprint {
  CoveragePolygons polygons;
  std::size_t vertices = 0;
  std::size_t holes = 0;
  double raster_area = 0;   ///< Area of the boundary on covered cells (area-weighted), m².
  double polygon_area = 0;  ///< Area of the boundary ∩ the polygons (GEOS), m².
  std::size_t premises_covered_raster = 0;
  std::size_t premises_covered_polygons = 0;
  std::size_t premises_disagreeing = 0;  ///< Located differently by the two forms.
  std::size_t premises_on_cell_edges = 0;
  /// On an edge between a covered and an uncovered cell: there the answer depends on the
  /// boundary rule (the raster's half-open cells put a point on a horizontal edge in the cell
  /// south of it, the engine's polygon rule north of it).
  std::size_t premises_on_footprint_boundary = 0;
};

Footprint make_footprint(const MobileInputs& in, const MobileLayer& layer,
                         std::span<const Premise> premises, const GEOSGeometry* boundary,
                         const engine::GeosContext& geos) {
  Footprint f;
  f.polygons = polygonize_coverage(in.grid, layer.dbm, kSignalNodata, kCoveredDbm, geos);
  for (const engine::Polygon& polygon : f.polygons.polygons) f.holes += polygon.holes.size();
  f.vertices = engine::vertex_count(f.polygons.polygons);

  for (const engine::CellArea& c : in.area_cells) {
    const std::int16_t v = layer.dbm[c.row * in.grid.columns + c.col];
    if (v != kSignalNodata && v >= kCoveredDbm) f.raster_area += c.area;
  }
  GeosGeometry footprint = geos.to_geos(f.polygons.polygons);
  GeosGeometry inside =
      geos.own(GEOSIntersection_r(geos.handle(), footprint.get(), boundary), "intersection");
  GEOSArea_r(geos.handle(), inside.get(), &f.polygon_area);
  if (std::abs(f.polygon_area - f.raster_area) > 1e-6 * in.area) {
    throw engine::internal_error(
        fmt::format("{}: the polygons cover {:.1f} m² of the boundary, the raster {:.1f} m²",
                    layer.name, f.polygon_area, f.raster_area));
  }

  // Premises: the raster cell holding each one against the engine's point-in-polygon rule.
  const engine::Grid& grid = in.grid;
  auto covered_at = [&](double x, double y) {
    const auto cell = grid.cell_of({x, y});
    if (!cell) return false;
    const std::int16_t v = layer.dbm[cell->second * grid.columns + cell->first];
    return v != kSignalNodata && v >= kCoveredDbm;
  };
  const AreaIndex index(std::span(&f.polygons.polygons, 1));
  for (const Premise& premise : premises) {
    if (!premise.inside()) continue;
    const auto [x, y] = premise.position;
    const bool by_raster = covered_at(x, y);
    const bool by_polygon = index.locate(premise.position) != AreaIndex::kOutside;
    f.premises_covered_raster += by_raster;
    f.premises_covered_polygons += by_polygon;
    const bool on_column_edge = std::fmod(x, kRasterCell) == 0;
    const bool on_row_edge = std::fmod(y, kRasterCell) == 0;
    // The cells touching the point: a step of a quarter cell lands in each of them.
    bool on_boundary = false;
    for (double dx : {-0.25, 0.25}) {
      for (double dy : {-0.25, 0.25}) {
        const double px = on_column_edge ? x + dx * kRasterCell : x;
        const double py = on_row_edge ? y + dy * kRasterCell : y;
        on_boundary |= covered_at(px, py) != by_raster;
      }
    }
    f.premises_on_cell_edges += on_column_edge || on_row_edge;
    f.premises_on_footprint_boundary += on_boundary;
    if (by_raster != by_polygon) {
      ++f.premises_disagreeing;
      if (!on_boundary) {
        throw engine::internal_error(fmt::format(
            "{}: the premise at ({:.2f}, {:.2f}) is covered by the raster but not the polygons, "
            "or the other way round",
            layer.name, x, y));
      }
    }
  }
  return f;
}

/// Everything the report describes.
struct ReportInputs {
  const DorsetSampleOptions& options;
  const Boundary& boundary;
  const PostcodeTable& postcodes;
  const FixedTargets& targets;
  const Parishes& parishes;
  std::span<const PlacementSite> sites;
  const Placement& placement;
  const LayerRows& rows;
  const Achieved& achieved;
  const MobileInputs& mobile_inputs;
  const MobileOptions& mobile_options;
  const MobileCoverage& mobile;
  const MobileMeasures& mobile_measures;
  const MobileTargets& mobile_targets;
  const Footprint& footprint;
  const OfcomPostcodeFile& postcode_file;
};

Json shares_json(const OperatorShares& shares, int decimals) {
  Json out = Json::array();
  for (double v : shares) out.push_back(round_to(v, decimals));
  return out;
}

Json mobile_report(const ReportInputs& in) {
  const MobileInputs& m = in.mobile_inputs;
  const engine::Grid& g = m.grid;
  std::size_t data_cells = 0;
  for (std::uint8_t d : m.has_data) data_cells += d;
  const MobileSites& sites = in.mobile.sites;
  Json per_operator = Json::object();
  for (std::size_t o = 0; o < kOperatorCount; ++o) {
    per_operator[kOperators[o]] = {{"4G", sites.sites_4g[o]}, {"5G", sites.sites_5g[o]}};
  }
  Json layers = Json::array();
  for (std::size_t i = 0; i < in.mobile.layers.size(); ++i) {
    const MobileLayer& layer = in.mobile.layers[i];
    layers.push_back({{"file", fmt::format("{}/{}.tif", kMobileFolder, layer.name)},
                      {"operator", kOperators[layer.operator_index]},
                      {"technology", technology_name(layer.kind)},
                      {"setting", setting_name(layer.kind)},
                      {"premises_covered_pct", round_to(in.mobile_measures.by_layer[i].first, 3)},
                      {"area_covered_pct", round_to(in.mobile_measures.by_layer[i].second, 3)}});
  }
  Json calibration = Json::array();
  for (const MobileFigure& f : in.mobile_measures.figures) {
    calibration.push_back(
        {{"figure", f.name},
         {"ofcom_column", f.column},
         {"target_pct", round_to(f.target_pct, 3)},
         {"achieved_pct", round_to(f.achieved_pct, 3)},
         {"difference_pct_points", round_to(f.achieved_pct - f.target_pct, 3)},
         {"checked_within_pct_points", f.checked ? Json(kMobileTolerance) : Json(nullptr)}});
  }
  const MobileTargets& t = in.mobile_targets;
  const MobileMeasures& a = in.mobile_measures;
  auto k_shares = [&](const char* columns, const OperatorShares& ofcom,
                      const OperatorShares& sample) {
    return Json{{"ofcom_columns", columns},
                {"ofcom_pct", shares_json(ofcom, 2)},
                {"sample_pct", shares_json(sample, 3)}};
  };
  const Footprint& f = in.footprint;
  const MobileTuning& tuning = in.mobile.tuning;
  const MobileOptions& o = in.mobile_options;
  return {{"folder", kMobileFolder},
          {"source", std::string(kOfcomMobileFile) + ", Ofcom Connected Nations July 2025"},
          {"grid",
           {{"crs", "EPSG:27700"},
            {"cell_size_m", kRasterCell},
            {"xmin", g.xmin},
            {"ymin", g.cell_ymax(g.rows)},
            {"xmax", g.cell_xmin(g.columns)},
            {"ymax", g.ymax},
            {"columns", g.columns},
            {"rows", g.rows},
            {"data_cells", data_cells},
            {"nodata_cells", g.columns * g.rows - data_cells},
            {"nodata_rule", "cell centre more than 1 km from the boundary"},
            {"cells_touching_boundary", m.area_cells.size()}}},
          {"values",
           {{"type", "Int16"},
            {"units", "dBm"},
            {"nodata", kSignalNodata},
            {"covered_when", fmt::format(">= {}", kCoveredDbm)},
            {"creation_options", "COMPRESS=DEFLATE, PREDICTOR=2, TILED=YES"}}},
          {"sites",
           {{"town", sites.town},
            {"road", sites.road},
            {"rural", sites.rural},
            {"village", sites.village},
            {"shared_by_all_four", sites.shared_by_all},
            {"towns_joined", sites.towns},
            {"road_corridors", sites.corridors},
            {"per_operator", per_operator}}},
          {"model",
           {{"path_loss_4g",
             fmt::format("{} dBm at 1 km, exponent {}", o.reference_4g_dbm, o.exponent_4g)},
            {"path_loss_5g",
             fmt::format("{} dBm at 1 km, exponent {}", o.reference_5g_dbm, o.exponent_5g)},
            {"shadowing_sd_db", o.shadowing_db},
            {"tuned",
             {{"shadowing_common_share", round_to(tuning.correlation, 4)},
              {"offset_4g_db", round_to(tuning.offset_4g_db, 3)},
              {"indoor_loss_db", round_to(tuning.indoor_loss_db, 3)},
              {"indoor_loss_range_db",
               {round_to(tuning.indoor_loss_db - o.building_spread_db, 3),
                round_to(tuning.indoor_loss_db + o.building_spread_db, 3)}},
              {"offset_5g_db", round_to(tuning.offset_5g_db, 3)},
              {"correlation_iterations", tuning.iterations}}}}},
          {"layers", layers},
          {"calibration", calibration},
          {"operators_covering",
           {{"note", "share of premises or area covered by exactly k = 0..4 operators"},
            {"4G_indoor_premises", k_shares("4G_prem_in_0..4", t.prem_in_4g, a.prem_in_4g)},
            {"4G_outdoor_premises", k_shares("4G_prem_out_0..4", t.prem_out_4g, a.prem_out_4g)},
            {"4G_outdoor_area", k_shares("4G_geo_out_0..4", t.geo_out_4g, a.geo_out_4g)},
            {"5G_outdoor_premises",
             k_shares("5G_high_confidence_prem_out_0..4", t.prem_out_5g, a.prem_out_5g)},
            {"5G_outdoor_area",
             k_shares("5G_high_confidence_geo_out_0..4", t.geo_out_5g, a.geo_out_5g)}}},
          {"footprint",
           {{"file", fmt::format("{}/{}", kMobileFolder, kFootprintFile)},
            {"layer", "coverage"},
            {"of", fmt::format("{}/{}.tif", kMobileFolder,
                               in.mobile.layer(kFootprintOperator, kFootprintKind).name)},
            {"covered_cells", f.polygons.covered_cells},
            {"polygonized_pieces", f.polygons.polygonized},
            {"polygons", f.polygons.polygons.size()},
            {"holes", f.holes},
            {"vertices", f.vertices},
            {"area_m2", round_to(f.polygons.area, 2)},
            {"all_valid", true},
            {"boundary_area_covered_raster_m2", round_to(f.raster_area, 2)},
            {"boundary_area_covered_polygons_m2", round_to(f.polygon_area, 2)},
            {"premises_covered_raster", f.premises_covered_raster},
            {"premises_covered_polygons", f.premises_covered_polygons},
            {"premises_located_differently", f.premises_disagreeing},
            {"premises_on_cell_edges", f.premises_on_cell_edges},
            {"premises_on_footprint_boundary", f.premises_on_footprint_boundary}}}};
}

Json postcode_report(const OfcomPostcodeFile& file) {
  Json checks = Json::array();
  for (const PostcodeAggregateCheck& c : file.checks) {
    checks.push_back({{"column", c.column},
                      {"premises_count", c.premises_count},
                      {"premises_pct", round_to(c.premises_pct, 3)},
                      {"aggregated_count", round_to(c.aggregated_count, 2)},
                      {"aggregated_pct", round_to(c.aggregated_pct, 3)},
                      {"difference_pct_points", round_to(c.aggregated_pct - c.premises_pct, 4)}});
  }
  return {{"file", kPostcodeFile},
          {"layout", "Ofcom Connected Nations postcode file (fixed), percentages with 1 decimal"},
          {"postcodes_with_premises", file.postcodes_with_premises},
          {"postcodes_without_premises", file.postcodes_without_premises},
          {"postcodes_without_premises_list", file.extra_postcodes},
          {"scope",
           "percentages of the postcode's premises inside the boundary (of all its "
           "premises for the postcodes with none inside); checked by aggregating them "
           "over the premises inside"},
          {"aggregation_check", checks},
          {"max_difference_pct_points", round_to(file.max_difference_pct_points, 4)},
          {"tolerance_pct_points", kPostcodeAggregateTolerance}};
}

Json make_report(const ReportInputs& in) {
  const std::vector<Parish>& parishes = in.parishes.parishes;
  const std::vector<Premise>& premises = in.placement.premises;
  const std::size_t postcode_count = in.postcodes.postcodes.size();
  std::size_t postcodes_inside = 0;
  for (std::size_t i = 0; i < postcode_count; ++i) postcodes_inside += in.sites[i].inside;
  std::size_t outside_real = 0;  // outside premises around real postcodes outside the boundary
  for (const Premise& premise : premises)
    if (!premise.inside() && !in.sites[premise.postcode].inside) ++outside_real;

  std::vector<std::size_t> vertices, premises_per_parish;
  std::vector<double> areas_km2;
  std::size_t multipart = 0, with_holes = 0, total_vertices = 0;
  for (std::size_t p = 0; p < parishes.size(); ++p) {
    const engine::MultiPolygon& polygons = parishes[p].polygons;
    vertices.push_back(engine::vertex_count(polygons));
    total_vertices += vertices.back();
    areas_km2.push_back(engine::area(polygons) / 1e6);
    premises_per_parish.push_back(in.achieved.by_parish[p].premises);
    if (polygons.size() > 1) ++multipart;
    if (std::any_of(polygons.begin(), polygons.end(),
                    [](const engine::Polygon& polygon) { return !polygon.holes.empty(); }))
      ++with_holes;
  }

  Json indicators = Json::array();
  for (const Figure& f : figures(in.targets)) {
    const double pct = achieved_pct(in.achieved.dorset, f.indicator);
    indicators.push_back(Json{{"indicator", f.name},
                              {"target_pct", f.target_pct},
                              {"target_count", f.target_count},
                              {"achieved_count", in.achieved.dorset.count(f.indicator)},
                              {"achieved_pct", round_to(pct, 3)},
                              {"difference_pct_points", round_to(pct - f.target_pct, 3)}});
  }
  Json density = Json::array();
  const char* quarter_names[] = {"densest quarter (towns)", "second quarter", "third quarter",
                                 "sparsest quarter (countryside)"};
  for (std::size_t q = 0; q < 4; ++q) {
    const engine::AreaCounts& c = in.achieved.by_density[q];
    density.push_back(
        Json{{"premises", quarter_names[q]},
             {"count", c.premises},
             {"gigabit_pct", round_to(achieved_pct(c, engine::Indicator::kGigabit), 2)},
             {"superfast_pct", round_to(achieved_pct(c, engine::Indicator::kSuperfast), 2)},
             {"below_uso_pct", round_to(achieved_pct(c, engine::Indicator::kBelowUso), 2)}});
  }
  std::map<std::string, std::size_t> technologies;
  for (const Row& row : in.rows.speeds)
    ++technologies[std::string(technology_name(row.service->technology))];
  std::map<std::string, std::size_t> statuses;
  for (const Row& row : in.rows.bduk)
    ++statuses[std::string(subsidy_status_name(row.bduk->status))];

  const Boundary& b = in.boundary;
  const TessellationCheck& check = in.parishes.check;
  Json report;
  report["generator"] = "notspot-generate dorset";
  report["seed"] = in.options.seed;
  report["synthetic"] =
      "Parishes, premises (positions and UPRNs), fixed speeds, BDUK statuses, the postcode-level "
      "fixed figures and the mobile coverage are synthetic; the boundary, postcode centroids "
      "(and the postcode each premise carries) and Ofcom targets are real.";
  report["inputs"] = {
      {"boundary",
       {{"file", kBoundaryFile},
        {"code", b.code},
        {"name", b.name},
        {"parts_as_read", b.parts_as_read},
        {"area_as_read_km2", round_to(b.area_as_read_m2 / 1e6, 6)},
        {"valid_as_read", !b.was_invalid},
        {"invalid_reason", b.invalid_reason},
        {"parts", b.parts},
        {"vertices", b.vertices},
        {"area_km2", round_to(b.area_m2 / 1e6, 6)},
        {"transformation", "EPSG:4326 -> EPSG:27700, OSGB36 to WGS 84 (6) Helmert"},
        {"snapped_to_grid_m", kGridSize}}},
      {"postcodes",
       {{"file", kPostcodesFile},
        {"rows", in.postcodes.rows},
        {"without_coordinates_skipped", in.postcodes.without_coordinates},
        {"inside_boundary", postcodes_inside},
        {"outside_boundary", postcode_count - postcodes_inside}}},
      {"ofcom",
       {{"file", kOfcomFixedFile}, {"laua", in.targets.laua}, {"laua_name", in.targets.name}}}};
  report["parishes"] = {
      {"file", "parishes.gpkg"},
      {"layer", "parishes"},
      {"count", parishes.size()},
      {"seeds", in.parishes.seeds},
      {"voronoi_edges", in.parishes.voronoi_edges},
      {"faces", in.parishes.faces},
      {"multipart", multipart},
      {"with_holes", with_holes},
      {"vertices_total", total_vertices},
      {"vertices_per_parish", summary(vertices, 0)},
      {"area_km2", summary(areas_km2, 3)},
      {"premises_per_parish", summary(premises_per_parish, 0)},
      // verify_tessellation() threw otherwise: every parish is valid, no neighbours overlap.
      {"check",
       {{"boundary_area_m2", round_to(check.boundary_area, 2)},
        {"sum_of_areas_m2", round_to(check.area_sum, 2)},
        {"relative_area_difference", check.relative_area_difference},
        {"union_vs_boundary_difference_m2", round_to(check.union_difference_area, 4)},
        {"neighbour_pairs_checked", check.pairs_checked},
        {"neighbour_pairs_sharing_edges", check.pairs_sharing_edges},
        {"all_valid", true}}}};
  report["premises"] = {{"file", "premises.csv"},
                        {"postcode_column", "POSTCODE"},
                        {"total", premises.size()},
                        {"inside_boundary", in.placement.inside},
                        {"outside_boundary", in.placement.outside},
                        {"outside_around_real_postcodes", outside_real},
                        {"outside_across_land_border", in.placement.outside - outside_real},
                        {"cross_border_sites", in.sites.size() - postcode_count},
                        {"first_uprn", premises.front().uprn},
                        {"last_uprn", premises.back().uprn},
                        {"redrawn_points", in.placement.redrawn},
                        {"placed_at_site_centre", in.placement.placed_at_centre}};
  report["fixed_speeds"] = {
      {"file", "fixed_speeds.csv"},
      {"rows", in.rows.speeds.size()},
      {"premises_with_row", in.rows.premises_with_speed_row},
      {"premises_without_row", premises.size() - in.rows.premises_with_speed_row},
      {"rows_not_matching_a_premise", kUnmatchedSpeedRows},
      {"technologies", technologies}};
  report["bduk_premises"] = {
      {"file", "bduk_premises.csv"},
      {"rows", in.rows.bduk.size()},
      {"premises_with_row", in.rows.premises_with_bduk_row},
      {"premises_without_row", premises.size() - in.rows.premises_with_bduk_row},
      {"rows_not_matching_a_premise", kUnmatchedBdukRows},
      {"subsidy_control_status", statuses}};
  report["calibration"] = {
      {"source", std::string(kOfcomFixedFile) + ", Ofcom Connected Nations July 2025"},
      {"scope", "premises inside the boundary; percentages of all of them (no-data included)"},
      {"premises", {{"target", in.targets.premises}, {"achieved", in.achieved.dorset.premises}}},
      {"indicators", indicators},
      {"no_data", in.achieved.dorset.count(engine::Indicator::kNoData)},
      {"by_postcode_density", density}};
  report["mobile"] = mobile_report(in);
  report["ofcom_postcode"] = postcode_report(in.postcode_file);
  return report;
}

}  // namespace

void generate_dorset_sample(const DorsetSampleOptions& options, std::ostream& log) {
  if (options.parishes < 2 || options.parishes > 2000) {
    throw engine::usage_error("--parishes must be between 2 and 2000");
  }
  const std::filesystem::path& real = options.real_data_dir;
  for (const char* file : {kBoundaryFile, kPostcodesFile, kOfcomFixedFile, kOfcomMobileFile}) {
    if (!std::filesystem::is_regular_file(real / file)) {
      throw engine::input_error((real / file).string() +
                                ": no such file; --real-data must name the folder holding the "
                                "real open data (the repository's data/real)");
    }
  }
  const Stopwatch total;
  Stopwatch step;
  auto done = [&](const std::string& what) {
    log << fmt::format("  {:<46} {:6.2f} s\n", what, step.seconds());
    step = Stopwatch();
  };
  log << "notspot-generate dorset: seed " << options.seed << ", real data " << real.string()
      << ", output " << options.output_dir.string() << "\n";

  // Real inputs.
  const engine::GeosContext geos;
  const BritishNationalGrid bng;
  const Boundary boundary = read_boundary(real / kBoundaryFile, geos, bng, kGridSize);
  const PostcodeTable postcodes = read_postcodes(real / kPostcodesFile);
  const FixedTargets targets =
      FixedTargets::from_ofcom(read_ofcom_row(real / kOfcomFixedFile, boundary.code));
  const MobileTargets mobile_targets =
      MobileTargets::from_ofcom(read_ofcom_row(real / kOfcomMobileFile, boundary.code));
  done(fmt::format("read boundary ({} parts), {} postcodes, targets", boundary.parts,
                   postcodes.postcodes.size()));

  // Parishes.
  const engine::MultiPolygon boundary_polygons = geos.polygonal_parts(boundary.geometry.get());
  const AreaIndex boundary_index(std::span(&boundary_polygons, 1));
  const Parishes parishes =
      make_parishes(boundary, postcodes.postcodes, boundary_index, options, geos);
  std::vector<engine::MultiPolygon> parish_polygons;
  for (const Parish& parish : parishes.parishes) parish_polygons.push_back(parish.polygons);
  // Premises are located with the engine's index, as a study run will locate them; it also
  // proves once more that no two parishes overlap.
  const AreaIndex parish_index(parish_polygons);
  if (!parish_index.overlaps().empty()) {
    const engine::AreaOverlap& o = parish_index.overlaps().front();
    throw engine::internal_error(fmt::format("parishes {} and {} overlap near ({:.2f}, {:.2f})",
                                             parishes.parishes[o.first].code,
                                             parishes.parishes[o.second].code, o.near.x, o.near.y));
  }
  done(fmt::format("{} parishes, tessellation verified", parishes.parishes.size()));

  // Premises.
  std::vector<Point> positions;
  for (const Postcode& postcode : postcodes.postcodes) positions.push_back(postcode.position);
  const std::vector<double> spacing = neighbour_spacing(positions, kSpacingRank);
  const std::vector<PlacementSite> sites = placement_sites(
      positions, spacing, parish_index, boundary.geometry.get(), geos, options.seed);
  PlacementOptions placement_options;
  placement_options.inside_premises = targets.premises;
  placement_options.outside_max = 3;
  placement_options.seed = options.seed;
  const Placement placement = place_premises(sites, parish_index, placement_options);
  const std::vector<Premise>& premises = placement.premises;
  done(fmt::format("placed {} + {} premises", placement.inside, placement.outside));

  // Fixed broadband, checked before anything is written.
  std::vector<PremiseProfile> profiles(premises.size());
  for (std::size_t i = 0; i < premises.size(); ++i) {
    profiles[i].position = premises[i].position;
    profiles[i].spacing = spacing[premises[i].postcode];
    profiles[i].inside = premises[i].inside();
  }
  mark_missing_rows(profiles, targets, options.seed);
  CalibrationOptions calibration_options;
  calibration_options.seed = options.seed;
  const FixedCalibration calibration = calibrate_fixed(profiles, targets, calibration_options);
  const Achieved achieved = measure(premises, profiles, calibration, parishes.parishes.size());
  check_calibration(achieved, targets);
  const LayerRows rows = make_layer_rows(premises, postcodes.postcodes, calibration, options.seed);
  const OfcomPostcodeFile postcode_file =
      make_ofcom_postcode_file(premises, postcodes.postcodes, calibration.services,
                               calibration.bduk, kPostcodesWithoutPremises, options.seed);
  if (!(postcode_file.max_difference_pct_points <= kPostcodeAggregateTolerance)) {
    throw engine::internal_error(fmt::format(
        "postcode file: aggregated percentages are up to {:.4f} points off the per-premise "
        "figures",
        postcode_file.max_difference_pct_points));
  }
  done("calibrated fixed broadband, postcode file");

  // Mobile coverage, checked before anything is written.
  const MobileInputs mobile_inputs =
      make_mobile_inputs(boundary_polygons, boundary.geometry.get(), boundary_index, premises,
                         postcodes.postcodes, geos);
  MobileOptions mobile_options;
  mobile_options.seed = options.seed;
  const MobileCoverage mobile = make_mobile_coverage(mobile_inputs, mobile_targets, mobile_options);
  const MobileMeasures mobile_measures = measure_mobile(mobile_inputs, mobile, mobile_targets);
  check_mobile(mobile_measures);
  done(fmt::format("mobile coverage ({} x {} cells, 12 layers)", mobile_inputs.grid.columns,
                   mobile_inputs.grid.rows));
  const Footprint footprint =
      make_footprint(mobile_inputs, mobile.layer(kFootprintOperator, kFootprintKind), premises,
                     boundary.geometry.get(), geos);
  done(fmt::format("coverage polygons ({} polygons, {} vertices)",
                   footprint.polygons.polygons.size(), footprint.vertices));

  // Outputs, each published atomically.
  CPLSetConfigOption("OGR_CURRENT_DATE", kFixedDate);
  std::error_code dir_error;
  std::filesystem::create_directories(options.output_dir, dir_error);
  if (dir_error) {
    throw engine::input_error("cannot create " + options.output_dir.string() + ": " +
                              dir_error.message());
  }
  {
    AtomicOutput out(options.output_dir / "parishes.gpkg");
    std::vector<ParishFeature> features;
    for (const Parish& parish : parishes.parishes)
      features.push_back({parish.code, parish.name, parish.geometry.get()});
    write_parishes(out.temp_path(), "parishes", features, geos, bng.bng());
    out.commit();
  }
  write_premises(options.output_dir / "premises.csv", premises, postcodes.postcodes, bng);
  write_fixed_speeds(options.output_dir / "fixed_speeds.csv", rows.speeds, options.seed);
  write_bduk(options.output_dir / "bduk_premises.csv", rows.bduk, premises);
  write_file_atomically(options.output_dir / kPostcodeFile, postcode_file.csv);
  const std::filesystem::path mobile_dir = options.output_dir / kMobileFolder;
  std::filesystem::create_directories(mobile_dir, dir_error);
  if (dir_error) {
    throw engine::input_error("cannot create " + mobile_dir.string() + ": " + dir_error.message());
  }
  for (const MobileLayer& layer : mobile.layers) {
    AtomicOutput out(mobile_dir / (layer.name + ".tif"));
    const std::map<std::string, std::string> metadata = {
        {"OPERATOR", kOperators[layer.operator_index]},
        {"TECHNOLOGY", technology_name(layer.kind)},
        {"SETTING", setting_name(layer.kind)},
        {"COVERED_WHEN", fmt::format(">= {}", kCoveredDbm)},
        {"TIFFTAG_IMAGEDESCRIPTION",
         fmt::format("Synthetic {} {} {} signal strength (dBm), notspot Dorset sample",
                     kOperators[layer.operator_index], technology_name(layer.kind),
                     setting_name(layer.kind))}};
    write_int16_geotiff(out.temp_path(), mobile_inputs.grid, layer.dbm, kSignalNodata, bng.bng(),
                        metadata);
    out.commit();
  }
  {
    AtomicOutput out(mobile_dir / kFootprintFile);
    const MobileLayer& layer = mobile.layer(kFootprintOperator, kFootprintKind);
    write_coverage_geopackage(
        out.temp_path(), "coverage", footprint.polygons.polygons,
        {kOperators[layer.operator_index], technology_name(layer.kind), setting_name(layer.kind)},
        bng.bng());
    out.commit();
  }
  const Json report = make_report({options, boundary, postcodes, targets, parishes, sites,
                                   placement, rows, achieved, mobile_inputs, mobile_options, mobile,
                                   mobile_measures, mobile_targets, footprint, postcode_file});
  write_file_atomically(options.output_dir / "generation_report.json", report.dump(2) + "\n");
  done("wrote outputs");

  const engine::AreaCounts& d = achieved.dorset;
  log << fmt::format(
      "  {} premises inside: superfast {:.2f}%, ultrafast {:.2f}%, full fibre {:.2f}%, "
      "gigabit {:.2f}%, below USO {:.2f}%\n",
      d.premises, achieved_pct(d, engine::Indicator::kSuperfast),
      achieved_pct(d, engine::Indicator::kUltrafast),
      achieved_pct(d, engine::Indicator::kFullFibre), achieved_pct(d, engine::Indicator::kGigabit),
      achieved_pct(d, engine::Indicator::kBelowUso));
  for (const MobileFigure& f : mobile_measures.figures) {
    log << fmt::format("  {:<40} {:7.3f}% (Ofcom {}%)\n", f.name, f.achieved_pct, f.target_pct);
  }
  log << fmt::format("  done in {:.2f} s\n", total.seconds());
}

}  // namespace notspot::generate
