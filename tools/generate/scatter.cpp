#include "scatter.hpp"

#include <cpl_error.h>
#include <fmt/format.h>
#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "atomic_output.hpp"
#include "british_national_grid.hpp"
#include "notspot/engine/error.hpp"
#include "random.hpp"

namespace notspot::generate {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::size_t kMaxPremises = 2'147'483'647;
/// Rows transformed to lon/lat and formatted per batch: bounds the memory of the CSV writer.
constexpr std::size_t kCsvBatch = 65'536;

/// The two CRSs a feature can come in: everything is placed in British National Grid.
enum class SourceCrs { kWgs84, kBng };

const char* crs_label(SourceCrs crs) {
  return crs == SourceCrs::kWgs84 ? "EPSG:4326" : "EPSG:27700";
}

/// A premise position in whole centimetres of British National Grid.
struct PointCm {
  std::int64_t x = 0;
  std::int64_t y = 0;
};

double metres(std::int64_t cm) {
  return static_cast<double>(cm) / 100.0;
}

struct Box {
  double xmin = HUGE_VAL, ymin = HUGE_VAL, xmax = -HUGE_VAL, ymax = -HUGE_VAL;
  void add(double x, double y) {
    xmin = std::min(xmin, x);
    ymin = std::min(ymin, y);
    xmax = std::max(xmax, x);
    ymax = std::max(ymax, y);
  }
  void add(const Box& b) {
    add(b.xmin, b.ymin);
    add(b.xmax, b.ymax);
  }
  bool contains(double x, double y) const {
    return x >= xmin && x <= xmax && y >= ymin && y <= ymax;
  }
};

/// One ring as read, in British National Grid.
struct Ring {
  std::vector<double> x, y;
};

/**
 * Even-odd point-in-polygon test over every ring of one feature, as read: a point is inside
 * when a ray to +x crosses an odd number of edges. Works on invalid polygons (self-intersecting
 * rings, overlapping parts) without repairing them; what it calls inside is what the generator
 * promises to be inside. Edges are binned in horizontal bands, so a test looks only at the
 * edges whose y-range can span the point's y (a feature of thousands of edges costs a few).
 */
class FeatureShape {
 public:
  explicit FeatureShape(const std::vector<Ring>& rings) {
    for (const Ring& ring : rings)
      for (std::size_t i = 0; i < ring.x.size(); ++i) box_.add(ring.x[i], ring.y[i]);
    for (const Ring& ring : rings) vertices_ += ring.x.size();
    bin(collect_edges(rings));
  }

  const Box& box() const { return box_; }
  std::size_t vertices() const { return vertices_; }

  bool contains(double x, double y) const {
    if (!box_.contains(x, y)) return false;
    const std::size_t band = band_of(y);
    bool inside = false;
    for (std::size_t i = band_start_[band]; i < band_start_[band + 1]; ++i) {
      const Edge& e = edges_[i];
      if ((e.y0 > y) != (e.y1 > y)) {
        const double crossing = e.x0 + (y - e.y0) * (e.x1 - e.x0) / (e.y1 - e.y0);
        if (x < crossing) inside = !inside;
      }
    }
    return inside;
  }

 private:
  struct Edge {
    double x0, y0, x1, y1;
  };

  /// Every edge of every ring, the closing one included when the ring is not closed;
  /// horizontal edges are left out (a horizontal ray never crosses them).
  static std::vector<Edge> collect_edges(const std::vector<Ring>& rings) {
    std::vector<Edge> edges;
    for (const Ring& ring : rings) {
      const std::size_t n = ring.x.size();
      for (std::size_t i = 0; i < n; ++i) {
        const std::size_t j = (i + 1) % n;
        if (j == 0 && ring.x[i] == ring.x[0] && ring.y[i] == ring.y[0]) break;
        if (ring.y[i] != ring.y[j]) edges.push_back({ring.x[i], ring.y[i], ring.x[j], ring.y[j]});
      }
    }
    return edges;
  }

  std::size_t band_of(double y) const {
    const double band = std::floor((y - box_.ymin) / band_height_);
    if (!(band > 0)) return 0;  // also NaN
    return std::min(bands_ - 1, static_cast<std::size_t>(band));
  }

  /// Copies each edge into every band its y-range overlaps (CSR layout: band_start_).
  void bin(const std::vector<Edge>& edges) {
    // About four edges per band: the test stays short without many edges spanning bands.
    bands_ = std::clamp<std::size_t>(edges.size() / 4, 1, 1u << 16);
    band_height_ = (box_.ymax - box_.ymin) / static_cast<double>(bands_);
    if (!(band_height_ > 0)) band_height_ = 1;
    band_start_.assign(bands_ + 1, 0);
    for (const Edge& e : edges)
      for (std::size_t b = band_of(std::min(e.y0, e.y1)); b <= band_of(std::max(e.y0, e.y1)); ++b)
        ++band_start_[b + 1];
    for (std::size_t b = 0; b < bands_; ++b) band_start_[b + 1] += band_start_[b];
    edges_.resize(band_start_[bands_]);
    std::vector<std::size_t> fill(band_start_.begin(), band_start_.end() - 1);
    for (const Edge& e : edges)
      for (std::size_t b = band_of(std::min(e.y0, e.y1)); b <= band_of(std::max(e.y0, e.y1)); ++b)
        edges_[fill[b]++] = e;
  }

  Box box_;
  std::size_t vertices_ = 0;
  std::size_t bands_ = 1;
  double band_height_ = 1;
  std::vector<std::size_t> band_start_;
  std::vector<Edge> edges_;
};

/// The areas as the generator uses them, with what the report says about them.
struct ScatterAreas {
  std::string layer;
  std::string declared_crs;  // the layer's own CRS name, or "none"
  SourceCrs crs = SourceCrs::kWgs84;
  bool swapped_axes = false;  // the file stores latitude first
  std::vector<FeatureShape> features;
  std::size_t features_read = 0;
  std::size_t rings = 0;
  std::size_t vertices = 0;
  Box box;
};

std::optional<SourceCrs> classify_crs(const OGRSpatialReference& srs,
                                      const BritishNationalGrid& bng) {
  // Axis order is handled separately (swapped_axes): EPSG:4326 and OGC:CRS84 are the same here.
  const char* const criteria[] = {"IGNORE_DATA_AXIS_TO_SRS_AXIS_MAPPING=YES",
                                  "CRITERION=EQUIVALENT_EXCEPT_AXIS_ORDER_GEOGCRS", nullptr};
  if (srs.IsSame(&bng.bng(), criteria)) return SourceCrs::kBng;
  if (srs.IsSame(&bng.wgs84(), criteria)) return SourceCrs::kWgs84;
  return std::nullopt;
}

std::string srs_name(const OGRSpatialReference& srs) {
  const char* authority = srs.GetAuthorityName(nullptr);
  const char* code = srs.GetAuthorityCode(nullptr);
  std::string name = srs.GetName() != nullptr ? srs.GetName() : "unnamed";
  if (authority != nullptr && code != nullptr) name += fmt::format(" ({}:{})", authority, code);
  return name;
}

[[noreturn]] void unsupported_crs(const std::string& where, const std::string& name) {
  throw engine::usage_error(where + " is in " + name +
                            "; scatter reads areas in EPSG:4326 (or OGC:CRS84) longitude/latitude "
                            "or EPSG:27700 only: reproject them first (ogr2ogr -t_srs EPSG:27700)");
}

/// True when the layer's first data axis is latitude (a geographic CRS stored lat-first).
bool latitude_first(const OGRSpatialReference& srs) {
  const std::vector<int>& mapping = srs.GetDataAxisToSRSAxisMapping();
  if (mapping.empty()) return false;
  OGRAxisOrientation orientation = OAO_Other;
  srs.GetAxis(nullptr, std::abs(mapping[0]) - 1, &orientation);
  return orientation == OAO_North || orientation == OAO_South;
}

/// Decides the areas' CRS from the layer's declaration and --areas-crs.
void resolve_crs(const ScatterOptions& options, OGRLayer& layer, const BritishNationalGrid& bng,
                 ScatterAreas& areas) {
  const std::string where = options.areas.string() + " (layer '" + areas.layer + "')";
  const OGRSpatialReference* declared = layer.GetSpatialRef();
  std::optional<SourceCrs> given;
  if (!options.areas_crs.empty()) {
    OGRSpatialReference srs;
    if (srs.SetFromUserInput(options.areas_crs.c_str()) != OGRERR_NONE) {
      throw engine::usage_error("--areas-crs '" + options.areas_crs + "' is not a CRS PROJ knows");
    }
    given = classify_crs(srs, bng);
    if (!given) unsupported_crs("--areas-crs " + options.areas_crs, srs_name(srs));
  }
  if (declared == nullptr) {
    if (!given) {
      throw engine::usage_error(where +
                                " declares no CRS (TopoJSON never does): give "
                                "--areas-crs EPSG:4326 for longitude/latitude or --areas-crs "
                                "EPSG:27700 for British National Grid");
    }
    areas.declared_crs = "none";
    areas.crs = *given;  // traditional GIS order assumed: longitude first
    return;
  }
  areas.declared_crs = srs_name(*declared);
  const std::optional<SourceCrs> own = classify_crs(*declared, bng);
  if (!own) unsupported_crs(where, areas.declared_crs);
  if (given && *given != *own) {
    throw engine::usage_error(where + " declares " + areas.declared_crs + ", not --areas-crs " +
                              options.areas_crs + ": drop --areas-crs or fix the file");
  }
  areas.crs = *own;
  areas.swapped_axes = latitude_first(*declared);
}

/// Appends the rings of a (multi)polygon, of a collection's polygons and of linearised curved
/// polygons; points and lines have no inside and are skipped.
void collect_rings(const OGRGeometry& geometry, std::vector<Ring>& rings) {
  const OGRwkbGeometryType type = wkbFlatten(geometry.getGeometryType());
  if (type == wkbPolygon || type == wkbTriangle) {
    for (const OGRLinearRing* ring : *geometry.toPolygon()) {
      Ring r;
      r.x.reserve(static_cast<std::size_t>(ring->getNumPoints()));
      r.y.reserve(r.x.capacity());
      for (int i = 0; i < ring->getNumPoints(); ++i) {
        r.x.push_back(ring->getX(i));
        r.y.push_back(ring->getY(i));
      }
      if (r.x.size() >= 3) rings.push_back(std::move(r));
    }
  } else if (OGR_GT_IsSubClassOf(type, wkbGeometryCollection)) {
    for (const OGRGeometry* part : *geometry.toGeometryCollection()) collect_rings(*part, rings);
  } else if (OGR_GT_IsSurface(type)) {
    const std::unique_ptr<OGRGeometry> linear(geometry.getLinearGeometry());
    if (linear) collect_rings(*linear, rings);
  }
}

/// Rings of one feature in British National Grid (transformed in one call per feature).
void to_bng(std::vector<Ring>& rings, const ScatterAreas& areas, const BritishNationalGrid& bng,
            const std::string& feature) {
  if (areas.swapped_axes)
    for (Ring& r : rings) std::swap(r.x, r.y);
  if (areas.crs == SourceCrs::kBng) return;
  std::vector<double> x, y;
  for (const Ring& r : rings) {
    x.insert(x.end(), r.x.begin(), r.x.end());
    y.insert(y.end(), r.y.begin(), r.y.end());
  }
  try {
    bng.from_wgs84(x, y);
  } catch (const engine::Error& error) {
    throw engine::input_error(feature + ": " + error.what());
  }
  std::size_t k = 0;
  for (Ring& r : rings) {
    std::copy_n(x.begin() + static_cast<std::ptrdiff_t>(k), r.x.size(), r.x.begin());
    std::copy_n(y.begin() + static_cast<std::ptrdiff_t>(k), r.y.size(), r.y.begin());
    k += r.x.size();
  }
}

OGRLayer& open_layer(const ScatterOptions& options, GDALDataset& dataset) {
  const std::string file = options.areas.string();
  if (!options.layer.empty()) {
    OGRLayer* layer = dataset.GetLayerByName(options.layer.c_str());
    if (layer != nullptr) return *layer;
  } else if (dataset.GetLayerCount() == 1) {
    return *dataset.GetLayer(0);
  }
  std::string names;
  for (int i = 0; i < dataset.GetLayerCount(); ++i)
    names += (i ? ", '" : "'") + std::string(dataset.GetLayer(i)->GetName()) + "'";
  if (dataset.GetLayerCount() == 0) throw engine::input_error(file + ": no layer");
  throw engine::usage_error(file +
                            (options.layer.empty() ? ": several layers; choose one with --layer"
                                                   : ": no layer '" + options.layer + "'") +
                            " (layers: " + names + ")");
}

ScatterAreas read_areas(const ScatterOptions& options, const BritishNationalGrid& bng) {
  const std::string file = options.areas.string();
  GDALDatasetUniquePtr dataset(GDALDataset::Open(file.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
  if (!dataset) {
    throw engine::input_error(file +
                              ": GDAL cannot open it as a vector dataset: " + CPLGetLastErrorMsg());
  }
  OGRLayer& layer = open_layer(options, *dataset);
  ScatterAreas areas;
  areas.layer = layer.GetName();
  resolve_crs(options, layer, bng, areas);
  layer.ResetReading();
  for (const auto& feature : layer) {
    ++areas.features_read;
    const OGRGeometry* geometry = feature->GetGeometryRef();
    if (geometry == nullptr) continue;
    std::vector<Ring> rings;
    collect_rings(*geometry, rings);
    if (rings.empty()) continue;
    const std::string name =
        fmt::format("{} (layer '{}'), feature FID {}", file, areas.layer, feature->GetFID());
    to_bng(rings, areas, bng, name);
    areas.rings += rings.size();
    areas.features.emplace_back(rings);
    areas.vertices += areas.features.back().vertices();
    areas.box.add(areas.features.back().box());
  }
  if (areas.features.empty()) {
    throw engine::input_error(file + " (layer '" + areas.layer + "'): no polygon feature among " +
                              std::to_string(areas.features_read));
  }
  return areas;
}

/// A guard against looping for ever on a feature (or layer) that has no area to draw in.
std::size_t attempt_limit(std::size_t wanted) {
  return 1'000 * wanted + 1'000'000;
}

/// A uniform point of the box, rounded to the centimetre (the test sees what the file will say).
PointCm draw(const Box& box, Rng& rng) {
  return {std::llround(rng.uniform(box.xmin, box.xmax) * 100.0),
          std::llround(rng.uniform(box.ymin, box.ymax) * 100.0)};
}

struct Placement {
  std::vector<PointCm> points;
  std::size_t inside = 0;
  std::size_t outside = 0;
  std::size_t per_feature_min = 0;
  std::size_t per_feature_max = 0;
  std::size_t candidates = 0;
};

/// Constituencies (the layer this was written for) have near-equal electorates, and so about
/// equal numbers of premises: each feature gets the same share, the remainder going one each
/// to the first features in layer order.
void place_inside(const ScatterAreas& areas, std::size_t total, std::uint64_t seed,
                  const std::string& file, Placement& out) {
  Rng rng(seed, "scatter inside");
  const std::size_t n = areas.features.size();
  out.per_feature_min = total / n;
  out.per_feature_max = out.per_feature_min + (total % n != 0 ? 1 : 0);
  for (std::size_t f = 0; f < n; ++f) {
    const FeatureShape& shape = areas.features[f];
    const std::size_t wanted = out.per_feature_min + (f < total % n ? 1 : 0);
    std::size_t placed = 0, attempts = 0;
    while (placed < wanted) {
      if (++attempts > attempt_limit(wanted)) {
        throw engine::input_error(fmt::format(
            "{} (layer '{}'): polygon feature {} in layer order has (almost) no area: {} of {} "
            "premises placed after {} candidate points",
            file, areas.layer, f + 1, placed, wanted, attempts - 1));
      }
      const PointCm p = draw(shape.box(), rng);
      if (shape.contains(metres(p.x), metres(p.y))) {
        out.points.push_back(p);
        ++placed;
      }
    }
    out.candidates += attempts;
  }
  out.inside = total;
}

bool in_any(const ScatterAreas& areas, double x, double y) {
  for (const FeatureShape& shape : areas.features)
    if (shape.contains(x, y)) return true;  // contains() starts with the bounding-box test
  return false;
}

void place_outside(const ScatterAreas& areas, std::size_t total, std::uint64_t seed,
                   const std::string& file, Placement& out) {
  Rng rng(seed, "scatter outside");
  std::size_t attempts = 0;
  for (std::size_t placed = 0; placed < total;) {
    if (++attempts > attempt_limit(total)) {
      throw engine::input_error(fmt::format(
          "{} (layer '{}'): its features fill their bounding box: only {} of {} premises could "
          "be placed outside them; use --outside-per-mille 0",
          file, areas.layer, placed, total));
    }
    const PointCm p = draw(areas.box, rng);
    if (!in_any(areas, metres(p.x), metres(p.y))) {
      out.points.push_back(p);
      ++placed;
    }
  }
  out.candidates += attempts;
  out.outside = total;
}

/// Appends v / scale with exactly `decimals` decimals (v may be negative).
char* put_fixed(char* p, std::int64_t v, int decimals, std::int64_t scale) {
  if (v < 0) {
    *p++ = '-';
    v = -v;
  }
  p = std::to_chars(p, p + 24, v / scale).ptr;
  *p++ = '.';
  std::int64_t frac = v % scale;
  for (int d = decimals - 1; d >= 0; --d) {
    p[d] = static_cast<char>('0' + frac % 10);
    frac /= 10;
  }
  return p + decimals;
}

/// Writes premises.csv; returns its size in bytes.
std::size_t write_premises(const std::filesystem::path& path, const std::vector<PointCm>& points,
                           const BritishNationalGrid& bng) {
  AtomicOutput out(path);
  std::FILE* file = std::fopen(out.temp_path().c_str(), "wb");
  if (file == nullptr) {
    throw engine::input_error("cannot create " + out.temp_path().string() + ": " +
                              std::strerror(errno));
  }
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> closer(file, std::fclose);
  std::string text = "\xEF\xBB\xBFUPRN,X_COORDINATE,Y_COORDINATE,LATITUDE,LONGITUDE\n";
  std::size_t bytes = 0;
  std::vector<double> lon, lat;
  for (std::size_t begin = 0; begin < points.size(); begin += kCsvBatch) {
    const std::size_t n = std::min(kCsvBatch, points.size() - begin);
    lon.resize(n);
    lat.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      lon[i] = metres(points[begin + i].x);
      lat[i] = metres(points[begin + i].y);
    }
    bng.to_wgs84(lon, lat);
    const std::size_t start = text.size();
    text.resize(start + n * 80);
    char* p = text.data() + start;
    for (std::size_t i = 0; i < n; ++i) {
      p = std::to_chars(p, p + 24, begin + i + 1).ptr;  // UPRN: 1..N in file order
      *p++ = ',';
      p = put_fixed(p, points[begin + i].x, 2, 100);
      *p++ = ',';
      p = put_fixed(p, points[begin + i].y, 2, 100);
      *p++ = ',';
      p = put_fixed(p, std::llround(lat[i] * 1e8), 8, 100'000'000);
      *p++ = ',';
      p = put_fixed(p, std::llround(lon[i] * 1e8), 8, 100'000'000);
      *p++ = '\n';
    }
    text.resize(static_cast<std::size_t>(p - text.data()));
    if (std::fwrite(text.data(), 1, text.size(), file) != text.size()) {
      throw engine::input_error("cannot write " + out.temp_path().string() + ": " +
                                std::strerror(errno));
    }
    bytes += text.size();
    text.clear();
  }
  // fsync before rename: otherwise a crash right after the rename can publish an empty file.
  if (std::fflush(file) != 0 || ::fsync(::fileno(file)) != 0) {
    throw engine::input_error("cannot write " + out.temp_path().string() + ": " +
                              std::strerror(errno));
  }
  out.commit();
  return bytes;
}

Json report_of(const ScatterOptions& options, const ScatterAreas& areas, const Placement& placed,
               std::size_t csv_bytes) {
  std::error_code ignored;
  const auto areas_bytes = std::filesystem::file_size(options.areas, ignored);
  Json report;
  report["generator"] = "notspot-generate scatter";
  report["options"] = {
      {"areas", options.areas.string()},
      {"areas_bytes",
       areas_bytes == static_cast<std::uintmax_t>(-1) ? Json(nullptr) : Json(areas_bytes)},
      {"layer", areas.layer},
      {"areas_crs", options.areas_crs.empty() ? Json(nullptr) : Json(options.areas_crs)},
      {"premises", options.premises},
      {"outside_per_mille", options.outside_per_mille},
      {"seed", options.seed}};
  report["source_crs"] = {
      {"declared", areas.declared_crs},
      {"used", crs_label(areas.crs)},
      {"latitude_first_in_file", areas.swapped_axes},
      {"to_epsg_27700", areas.crs == SourceCrs::kWgs84
                            ? "OSGB36 to WGS 84 (6) Helmert, pinned (BritishNationalGrid)"
                            : "none (same CRS)"}};
  report["features"] = {
      {"read", areas.features_read},
      {"with_polygon", areas.features.size()},
      {"without_polygon", areas.features_read - areas.features.size()},
      {"rings", areas.rings},
      {"vertices", areas.vertices},
      {"bbox_epsg_27700", {areas.box.xmin, areas.box.ymin, areas.box.xmax, areas.box.ymax}}};
  report["premises"] = {{"file", "premises.csv"},
                        {"rows", placed.points.size()},
                        {"bytes", csv_bytes},
                        {"inside_a_feature", placed.inside},
                        {"outside_every_feature", placed.outside},
                        {"per_feature_min", placed.per_feature_min},
                        {"per_feature_max", placed.per_feature_max},
                        {"candidate_points_drawn", placed.candidates},
                        {"inside_means",
                         "even-odd crossing test over every ring of the feature as read, in "
                         "EPSG:27700, at the centimetre coordinates written"},
                        {"order", "rows shuffled; UPRN 1..N in file order"}};
  return report;
}

void check_options(const ScatterOptions& options) {
  if (options.premises < 1 || options.premises > kMaxPremises)
    throw engine::usage_error("--premises must be between 1 and 2147483647");
  if (options.outside_per_mille > 1000)
    throw engine::usage_error("--outside-per-mille must be between 0 and 1000");
  if (options.areas.empty()) throw engine::usage_error("--areas is required");
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

void generate_scatter(const ScatterOptions& options, std::ostream& log) {
  check_options(options);
  const auto start = std::chrono::steady_clock::now();
  const BritishNationalGrid bng;
  const ScatterAreas areas = read_areas(options, bng);
  log << fmt::format("scatter: {} polygon features ({} vertices) of {} in {}, read in {:.2f} s\n",
                     areas.features.size(), areas.vertices, options.areas.string(),
                     crs_label(areas.crs), seconds_since(start));

  const std::size_t outside = options.premises * options.outside_per_mille / 1000;
  Placement placed;
  placed.points.reserve(options.premises);
  place_inside(areas, options.premises - outside, options.seed, options.areas.string(), placed);
  place_outside(areas, outside, options.seed, options.areas.string(), placed);
  // Shuffled, so that no tool gains from rows grouped by area.
  Rng order(options.seed, "scatter order");
  shuffle(placed.points, order);
  log << fmt::format("  {} premises inside, {} outside ({} candidate points), {:.2f} s\n",
                     placed.inside, placed.outside, placed.candidates, seconds_since(start));

  std::error_code error;
  std::filesystem::create_directories(options.output_dir, error);
  if (error) {
    throw engine::input_error("cannot create " + options.output_dir.string() + ": " +
                              error.message());
  }
  const std::size_t bytes = write_premises(options.output_dir / "premises.csv", placed.points, bng);
  // No timings in the report: it is byte-identical for the same options, like premises.csv.
  write_file_atomically(options.output_dir / "generation_report.json",
                        report_of(options, areas, placed, bytes).dump(2) + "\n");
  log << fmt::format("  wrote {} ({:.1f} MB) and generation_report.json, {:.2f} s\n",
                     (options.output_dir / "premises.csv").string(),
                     static_cast<double>(bytes) / 1e6, seconds_since(start));
}

}  // namespace notspot::generate
