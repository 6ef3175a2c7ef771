#include "detail/gdal_util.hpp"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <fmt/format.h>

#include <cmath>

#include <mutex>

#include "notspot/engine/error.hpp"
#include "notspot/io/csv.hpp"
#include "notspot/io/suggest.hpp"

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
  std::error_code ec;
  for (const char* extension : {".dbf", ".DBF"}) {
    if (std::filesystem::exists(std::filesystem::path(path).replace_extension(extension), ec)) {
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
