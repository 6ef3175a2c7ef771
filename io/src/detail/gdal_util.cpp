#include "detail/gdal_util.hpp"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <mutex>
#include <string_view>

#include "notspot/engine/error.hpp"
#include "notspot/io/csv.hpp"
#include "notspot/io/suggest.hpp"
#include "notspot/io/zip_archive.hpp"

namespace notspot::io {

void ensure_gdal() {
  static std::once_flag once;
  std::call_once(once, [] {
    GDALAllRegister();
    // Quiet by default: messages are captured per call by GdalErrorCapture.
    CPLSetErrorHandler(CPLQuietErrorHandler);
  });
}

GdalErrorCapture::GdalErrorCapture() {
  CPLPushErrorHandlerEx(&GdalErrorCapture::handler, this);
}

GdalErrorCapture::~GdalErrorCapture() {
  CPLPopErrorHandler();
}

void CPL_STDCALL GdalErrorCapture::handler(CPLErr level, CPLErrorNum, const char* message) {
  auto* self = static_cast<GdalErrorCapture*>(CPLGetErrorHandlerUserData());
  if (self == nullptr || message == nullptr) return;
  self->messages_.emplace_back(message);
  if (level >= CE_Failure) self->last_error_ = message;
}

std::string GdalErrorCapture::last_error() const {
  return last_error_;
}

}  // namespace notspot::io

namespace notspot::io::detail {

namespace {

// GDAL opens a Shapefile whose .dbf is missing as a layer without fields, so the user would be
// told the id field does not exist; the real problem is a file left behind when copying.
void require_shapefile_attributes(GDALDataset& dataset, const std::filesystem::path& path,
                                  const std::string& display) {
  if (!EQUAL(dataset.GetDriverName(), "ESRI Shapefile")) return;
  if (!EQUAL(path.extension().c_str(), ".shp")) return;  // a folder of Shapefiles, or a .zip
  for (const char* extension : {".dbf", ".DBF"}) {
    // Through GDAL's file system: the Shapefile may be a member of a ZIP (/vsizip/).
    VSIStatBufL stat;
    if (VSIStatL(std::filesystem::path(path).replace_extension(extension).c_str(), &stat) == 0) {
      return;
    }
  }
  const std::string dbf = path.stem().string() + ".dbf";
  throw engine::input_error(display + ": its attribute table " + dbf +
                            " is missing next to it; a Shapefile is several files (.shp, .shx, "
                            ".dbf, .prj): copy them all into the same folder");
}

}  // namespace

GDALDatasetUniquePtr open_vector(const std::filesystem::path& path, const std::string& display) {
  ensure_gdal();
  GdalErrorCapture capture;
  GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
  if (!ds) {
    std::string why = capture.last_error();
    if (is_non_file_source(path.string())) {
      // A database or web source: the connection failed (GDAL's message may echo the
      // connection string, so it is redacted too).
      if (why.empty()) why = "GDAL gave no reason";
      // libpq's messages span lines: one line, for logs.
      while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
      std::replace(why.begin(), why.end(), '\n', ' ');
      throw engine::input_error(display + ": cannot open this source: " + redact_source(why) +
                                "; check the connection string or URL (host, port, database, "
                                "user, password, layer) and that the server is reachable, e.g. "
                                "with `ogrinfo -so SOURCE`");
    }
    if (why.empty()) why = "GDAL recognises no vector format in it";
    throw engine::input_error(display + ": cannot be read as a vector dataset: " + why +
                              ". Use a GeoPackage, Shapefile, GeoJSON or TopoJSON file (or any "
                              "format `ogrinfo --formats` lists), and check it is complete.");
  }
  require_shapefile_attributes(*ds, path, display);
  return ds;
}

OGRLayer* pick_layer(GDALDataset& dataset, const std::optional<std::string>& name,
                     const std::string& display, const std::string& study_key) {
  std::string names;
  for (int i = 0; i < dataset.GetLayerCount(); ++i) {
    if (!names.empty()) names += ", ";
    names += dataset.GetLayer(i)->GetName();
  }
  if (name) {
    OGRLayer* layer = dataset.GetLayerByName(name->c_str());
    if (layer == nullptr) {
      throw engine::study_error(display + ": no layer named '" + *name + "' (" + study_key +
                                "); its layers are: " + (names.empty() ? "none" : names));
    }
    return layer;
  }
  if (dataset.GetLayerCount() == 1) return dataset.GetLayer(0);
  if (dataset.GetLayerCount() == 0) {
    throw engine::input_error(display + ": the dataset has no layers");
  }
  throw engine::study_error(display + ": the dataset has " +
                            std::to_string(dataset.GetLayerCount()) + " layers (" + names +
                            "); choose one with layer = \"...\" in " + study_key);
}

std::string field_list(OGRLayer& layer) {
  std::string out;
  OGRFeatureDefn* defn = layer.GetLayerDefn();
  for (int i = 0; i < defn->GetFieldCount(); ++i) {
    if (!out.empty()) out += ", ";
    out += defn->GetFieldDefn(i)->GetNameRef();
  }
  return out.empty() ? "none" : out;
}

int require_field(OGRLayer& layer, const std::string& field, const std::string& display,
                  const std::string& study_key) {
  OGRFeatureDefn* defn = layer.GetLayerDefn();
  const int index = defn->GetFieldIndex(field.c_str());
  if (index >= 0) return index;
  std::vector<std::string> names;
  for (int i = 0; i < defn->GetFieldCount(); ++i)
    names.emplace_back(defn->GetFieldDefn(i)->GetNameRef());
  const std::optional<std::string> near = nearest_word(field, names);
  const std::string hint = near ? "; did you mean '" + *near + "'?" : "";
  throw engine::study_error(display + ": layer '" + layer.GetName() + "' has no field '" + field +
                            "' (" + study_key + "); its fields are: " + field_list(layer) + hint);
}

namespace {

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Words of OGR SQL that are not field names (swq_parser's keywords and the usual SQL types).
constexpr std::string_view kSqlWords[] = {
    "AND",      "OR",     "NOT",     "IN",        "LIKE", "ILIKE", "IS",        "NULL",
    "BETWEEN",  "ESCAPE", "TRUE",    "FALSE",     "CAST", "AS",    "CHARACTER", "INTEGER",
    "BIGINT",   "FLOAT",  "NUMERIC", "TIMESTAMP", "DATE", "TIME",  "BOOLEAN",   "GEOMETRY",
    "SMALLINT", "REAL",   "TEXT",    "VARCHAR",   "CHAR"};

// The names a WHERE clause uses as fields: bare words that are not keywords or functions
// (followed by '(') and "double-quoted" names; 'text' literals and numbers are skipped. Only
// used to explain a clause GDAL refused, so a rough scan is enough.
std::vector<std::string> clause_identifiers(std::string_view clause) {
  std::vector<std::string> out;
  std::size_t i = 0;
  const auto is_word = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
           static_cast<unsigned char>(c) >= 0x80;
  };
  while (i < clause.size()) {
    const char c = clause[i];
    if (c == '\'') {  // 'text', with '' for a quote inside
      for (++i; i < clause.size(); ++i) {
        if (clause[i] == '\'' && (i + 1 >= clause.size() || clause[i + 1] != '\'')) break;
        if (clause[i] == '\'') ++i;
      }
      ++i;
    } else if (c == '"') {
      const std::size_t end = clause.find('"', i + 1);
      out.emplace_back(clause.substr(i + 1, end == std::string_view::npos ? end : end - i - 1));
      i = end == std::string_view::npos ? clause.size() : end + 1;
    } else if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
      while (i < clause.size() && (is_word(clause[i]) || clause[i] == '.')) ++i;
    } else if (is_word(c)) {
      const std::size_t start = i;
      while (i < clause.size() && is_word(clause[i])) ++i;
      const std::string_view word = clause.substr(start, i - start);
      std::size_t next = i;
      while (next < clause.size() && std::isspace(static_cast<unsigned char>(clause[next]))) ++next;
      const bool function = next < clause.size() && clause[next] == '(';
      const bool keyword = std::any_of(std::begin(kSqlWords), std::end(kSqlWords),
                                       [&](std::string_view k) { return iequal(k, word); });
      if (!function && !keyword) out.emplace_back(word);
    } else {
      ++i;
    }
  }
  return out;
}

// "; the layer has no field 'LAD24CDD' (did you mean 'LAD24CD'?)" for each name the clause uses
// that the layer does not have, or "".
std::string unknown_fields_hint(OGRLayer& layer, std::string_view clause) {
  OGRFeatureDefn* defn = layer.GetLayerDefn();
  std::vector<std::string> names;
  for (int i = 0; i < defn->GetFieldCount(); ++i)
    names.emplace_back(defn->GetFieldDefn(i)->GetNameRef());
  std::string out;
  std::vector<std::string> seen;
  for (const std::string& word : clause_identifiers(clause)) {
    if (std::any_of(names.begin(), names.end(),
                    [&](const std::string& n) { return iequal(n, word); }) ||
        std::find(seen.begin(), seen.end(), word) != seen.end()) {
      continue;
    }
    seen.push_back(word);
    out += "; the layer has no field '" + word + "'";
    if (const std::optional<std::string> near = nearest_word(word, names)) {
      out += " (did you mean '" + *near + "'?)";
    }
  }
  return out;
}

// GDAL's parser message spans lines (the clause, then a caret under the error): one line for a
// terminal or log, without the caret line.
std::string one_line(const std::string& message) {
  std::string out;
  std::size_t start = 0;
  while (start <= message.size()) {
    std::size_t end = message.find('\n', start);
    if (end == std::string::npos) end = message.size();
    std::string_view line(message.data() + start, end - start);
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.front())))
      line.remove_prefix(1);
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back())))
      line.remove_suffix(1);
    if (!line.empty() && line != "^") {
      if (!out.empty()) out += ' ';
      out += line;
    }
    start = end + 1;
  }
  return out;
}

}  // namespace

std::optional<AttributeFilterResult> apply_attribute_filter(
    OGRLayer& layer, const std::optional<std::string>& clause, const std::string& display,
    const std::string& study_key) {
  if (!clause) return std::nullopt;
  AttributeFilterResult result;
  result.clause = *clause;
  const GIntBig total = layer.GetFeatureCount(TRUE);
  result.features_in_layer = total > 0 ? static_cast<std::uint64_t>(total) : 0;
  GdalErrorCapture capture;  // from here on, a failure is the clause's
  // Some drivers (GeoJSON, Shapefile: OGR SQL) check the clause here; others (GeoPackage:
  // SQLite) only when it runs, so the count below is the check for them.
  const OGRErr set = layer.SetAttributeFilter(clause->c_str());
  GIntBig selected = -1;
  if (set == OGRERR_NONE && capture.last_error().empty()) selected = layer.GetFeatureCount(TRUE);
  if (set != OGRERR_NONE || selected < 0 || !capture.last_error().empty()) {
    std::string why = one_line(capture.last_error());
    if (why.empty()) why = "GDAL refused it without saying why";
    layer.SetAttributeFilter(nullptr);
    throw engine::study_error(fmt::format(
        "{}: layer '{}': where \"{}\" ({}) cannot be used: {}{}; its fields are: {}. Write a "
        "condition on those fields, e.g. where = \"FIELD = 'value'\" (text values in "
        "single quotes)",
        display, layer.GetName(), *clause, study_key, why, unknown_fields_hint(layer, *clause),
        field_list(layer)));
  }
  result.features_selected = static_cast<std::uint64_t>(selected);
  if (result.features_selected == 0) {
    throw engine::input_error(fmt::format(
        "{}: layer '{}': where \"{}\" ({}) selects 0 of {} features; check the value (its "
        "spelling, and its case for a GeoPackage) and the field, or remove where to read them all",
        display, layer.GetName(), *clause, study_key, result.features_in_layer));
  }
  layer.ResetReading();
  return result;
}

Crs resolve_crs(const OGRSpatialReference* file_crs, const std::optional<std::string>& declared,
                const std::string& display, const std::string& what, const std::string& key,
                const std::string& source, ProblemLog& log) {
  if (file_crs == nullptr) {
    if (!declared) {
      throw engine::study_error(display + ": " + what +
                                " has no coordinate reference system; declare it with crs = "
                                "\"EPSG:...\" in " +
                                key);
    }
    return Crs::from_definition(*declared, key + " crs");
  }
  char* wkt = nullptr;
  const char* options[] = {"FORMAT=WKT2_2019", nullptr};
  file_crs->exportToWkt(&wkt, options);
  const std::string text = wkt ? wkt : "";
  CPLFree(wkt);
  const Crs from_file = Crs::from_wkt(text, display);
  if (!declared) return from_file;
  Crs chosen = Crs::from_definition(*declared, key + " crs");
  if (!chosen.equivalent_to(from_file)) {
    log.warn(source, display + ": the file says its CRS is " + from_file.describe() +
                         " but the study declares " + chosen.describe() +
                         "; using the declared CRS");
  }
  return chosen;
}

namespace {
// Rings are implicitly closed in the engine, so the closing point is dropped. A ring whose last
// point differs from its first is invalid (Simple Features, RFC 7946 3.1.6) but GDAL accepts it
// (OGR_GEOMETRY_ACCEPT_UNCLOSED_RING): it is closed here too, and counted in `unclosed`.
engine::Ring read_ring(const OGRLinearRing* ring, std::size_t& unclosed) {
  engine::Ring out;
  if (ring == nullptr) return out;
  const int n = ring->getNumPoints();
  out.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) out.push_back({ring->getX(i), ring->getY(i)});
  if (out.size() > 1 && out.front() == out.back()) {
    out.pop_back();
  } else if (out.size() > 1) {
    ++unclosed;
  }
  return out;
}
}  // namespace

std::size_t collect_polygons(const OGRGeometry* g, engine::MultiPolygon& out,
                             std::size_t* curved) {
  std::size_t unclosed = 0;
  if (g == nullptr || g->IsEmpty()) return unclosed;
  switch (wkbFlatten(g->getGeometryType())) {
    case wkbPolygon: {
      const auto* polygon = g->toPolygon();
      engine::Polygon p;
      p.exterior = read_ring(polygon->getExteriorRing(), unclosed);
      for (int i = 0; i < polygon->getNumInteriorRings(); ++i)
        p.holes.push_back(read_ring(polygon->getInteriorRing(i), unclosed));
      out.push_back(std::move(p));
      break;
    }
    case wkbMultiPolygon:
    case wkbGeometryCollection:
    case wkbMultiSurface: {
      for (const OGRGeometry* part : *g->toGeometryCollection())
        unclosed += collect_polygons(part, out, curved);
      break;
    }
    case wkbCurvePolygon: {
      // 0: GDAL's default step, OGR_ARC_STEPSIZE degrees of arc per segment (curve_warning).
      std::unique_ptr<OGRGeometry> linear(g->getLinearGeometry());
      if (curved != nullptr) ++*curved;
      unclosed += collect_polygons(linear.get(), out, curved);
      break;
    }
    default:
      break;  // points and lines have no area
  }
  return unclosed;
}

std::string curve_warning(const std::string& display, std::uint64_t features) {
  const double step = CPLAtof(CPLGetConfigOption("OGR_ARC_STEPSIZE", "4"));
  // A chord spanning `step` degrees of a circle of radius r is at most r (1 - cos(step / 2))
  // from the arc.
  const double deviation = 1 - std::cos(step / 2 * M_PI / 180);
  return fmt::format(
      "{}: {} feature(s) have curved geometry (arcs: CURVEPOLYGON, MULTISURFACE, CIRCULARSTRING "
      "rings), linearised into straight segments of {:g} degrees of arc (GDAL's OGR_ARC_STEPSIZE), "
      "so the boundary is off by at most {:.3g}% of each arc's radius ({:.2g} m on a 1 km arc); "
      "set OGR_ARC_STEPSIZE for a finer step, or convert the layer to polygons yourself "
      "(ogr2ogr -nlt MULTIPOLYGON)",
      display, features, step, deviation * 100, deviation * 1000);
}

}  // namespace notspot::io::detail
