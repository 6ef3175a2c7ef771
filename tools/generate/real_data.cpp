#include "real_data.hpp"

#include <cpl_error.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <charconv>
#include <fstream>
#include <system_error>

#include "british_national_grid.hpp"
#include "csv.hpp"
#include "notspot/engine/error.hpp"

namespace notspot::generate {
namespace {

std::ifstream open_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw engine::input_error(path.string() + ": cannot open for reading");
  return in;
}

template <typename T>
bool parse_number(std::string_view text, T& value) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size() && !text.empty();
}

std::string strip_bom(std::string line) {
  if (line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
  return line;
}

int require_column(const std::vector<std::string>& header, std::string_view name,
                   const std::filesystem::path& path) {
  const int index = column_index(header, name);
  if (index < 0) {
    throw engine::input_error(path.string() + ": no column '" + std::string(name) +
                              "' in the header");
  }
  return index;
}

}  // namespace

PostcodeTable read_postcodes(const std::filesystem::path& path) {
  std::ifstream in = open_text(path);
  std::string line;
  if (!std::getline(in, line)) throw engine::input_error(path.string() + ": empty file");
  const std::vector<std::string> header = split_csv_record(strip_bom(line));
  const int code_col = require_column(header, "postcode", path);
  const int quality_col = require_column(header, "quality", path);
  const int x_col = require_column(header, "eastings", path);
  const int y_col = require_column(header, "northings", path);
  const auto needed = static_cast<std::size_t>(std::max({code_col, quality_col, x_col, y_col}));

  PostcodeTable table;
  std::size_t line_number = 1;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.empty() || line == "\r") continue;
    ++table.rows;
    const std::vector<std::string> fields = split_csv_record(line);
    Postcode postcode;
    if (fields.size() <= needed || !parse_number(fields[quality_col], postcode.quality) ||
        !parse_number(fields[x_col], postcode.position.x) ||
        !parse_number(fields[y_col], postcode.position.y)) {
      throw engine::input_error(path.string() + ":" + std::to_string(line_number) +
                                ": expected postcode, quality and numeric eastings/northings");
    }
    postcode.code = fields[code_col];
    // Code-Point marks postcodes it could not place with quality 90 (and zero coordinates).
    if (postcode.quality == 90 || postcode.position.x == 0 || postcode.position.y == 0) {
      ++table.without_coordinates;
      continue;
    }
    table.postcodes.push_back(std::move(postcode));
  }
  return table;
}

Boundary read_boundary(const std::filesystem::path& path, const engine::GeosContext& geos,
                       const BritishNationalGrid& bng, double grid_size) {
  GDALDatasetUniquePtr dataset(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
  if (!dataset) {
    throw engine::input_error(path.string() +
                              ": GDAL cannot open it as a vector dataset: " + CPLGetLastErrorMsg());
  }
  if (dataset->GetLayerCount() < 1) throw engine::input_error(path.string() + ": no layer");
  OGRLayer* layer = dataset->GetLayer(0);
  const OGRSpatialReference* source_srs = layer->GetSpatialRef();
  // GeoJSON without a "crs" member is WGS84 by definition (RFC 7946).
  const bool is_wgs84 = source_srs == nullptr || source_srs->IsSame(&bng.wgs84());
  if (!is_wgs84 && !source_srs->IsSame(&bng.bng())) {
    // Only the two CRSs the sample needs are supported: anything else is a wrong file.
    throw engine::input_error(path.string() + ": expected a boundary in WGS84 or EPSG:27700, got " +
                              source_srs->GetName());
  }

  Boundary boundary;
  struct ReaderDeleter {
    GEOSContextHandle_t handle;
    void operator()(GEOSWKBReader* r) const noexcept { GEOSWKBReader_destroy_r(handle, r); }
  };
  std::unique_ptr<GEOSWKBReader, ReaderDeleter> reader(GEOSWKBReader_create_r(geos.handle()),
                                                       ReaderDeleter{geos.handle()});
  std::vector<engine::GeosGeometry> parts;
  for (const auto& feature : *layer) {
    const OGRGeometry* original = feature->GetGeometryRef();
    if (original == nullptr) continue;
    const OGRwkbGeometryType type = wkbFlatten(original->getGeometryType());
    if (type != wkbPolygon && type != wkbMultiPolygon) continue;
    if (boundary.code.empty()) {
      for (int i = 0; i < feature->GetFieldCount(); ++i) {
        const std::string name = feature->GetFieldDefnRef(i)->GetNameRef();
        if (name.size() > 2 && name.ends_with("CD")) boundary.code = feature->GetFieldAsString(i);
        if (name.size() > 2 && name.ends_with("NM")) boundary.name = feature->GetFieldAsString(i);
      }
    }
    std::unique_ptr<OGRGeometry> geometry(original->clone());
    if (is_wgs84 && geometry->transform(&bng.wgs84_to_bng()) != OGRERR_NONE) {
      throw engine::input_error(path.string() + ": cannot transform feature " +
                                std::to_string(feature->GetFID()) + " to EPSG:27700");
    }
    std::vector<unsigned char> wkb(geometry->WkbSize());
    geometry->exportToWkb(wkbNDR, wkb.data(), wkbVariantIso);
    parts.push_back(geos.own(
        GEOSWKBReader_read_r(geos.handle(), reader.get(), wkb.data(), wkb.size()), "WKB read"));
  }
  if (parts.empty()) throw engine::input_error(path.string() + ": no polygon feature");

  engine::GeosGeometry merged;
  if (parts.size() == 1) {
    merged = std::move(parts.front());
  } else {
    std::vector<GEOSGeometry*> raw;
    for (engine::GeosGeometry& part : parts) raw.push_back(part.release());
    engine::GeosGeometry collection =
        geos.own(GEOSGeom_createCollection_r(geos.handle(), GEOS_GEOMETRYCOLLECTION, raw.data(),
                                             static_cast<unsigned int>(raw.size())),
                 "createCollection");
    merged = geos.own(GEOSUnaryUnion_r(geos.handle(), collection.get()), "boundary union");
  }
  boundary.parts_as_read =
      static_cast<std::size_t>(GEOSGetNumGeometries_r(geos.handle(), merged.get()));
  GEOSArea_r(geos.handle(), merged.get(), &boundary.area_as_read_m2);
  // Repaired the way a study repairs areas (GEOS make-valid, "structure" method, which keeps
  // the area a ring encloses), so the sample and the engine agree on what the boundary is.
  engine::RepairReport repair;
  const engine::MultiPolygon repaired =
      geos.repair_polygonal(geos.polygonal_parts(merged.get()), repair);
  boundary.was_invalid = repair.was_invalid;
  boundary.invalid_reason = repair.reason;
  if (repair.was_invalid) merged = geos.to_geos(repaired);
  engine::GeosGeometry snapped =
      geos.own(GEOSGeom_setPrecision_r(geos.handle(), merged.get(), grid_size, 0), "setPrecision");
  // Rebuild as a MultiPolygon of the polygonal parts: make-valid or snapping may return a
  // Polygon or a collection with slivers collapsed to lines.
  const engine::MultiPolygon polygons = geos.polygonal_parts(snapped.get());
  boundary.geometry = geos.to_geos(polygons);
  if (auto reason = geos.invalid_reason(boundary.geometry.get())) {
    throw engine::input_error(path.string() + ": boundary still invalid after repair: " + *reason);
  }
  boundary.parts = polygons.size();
  boundary.vertices = engine::vertex_count(polygons);
  GEOSArea_r(geos.handle(), boundary.geometry.get(), &boundary.area_m2);
  return boundary;
}

double OfcomRow::number(const std::string& column) const {
  const auto it = values.find(column);
  if (it == values.end()) {
    throw engine::input_error(file.string() + ": no column '" + column + "'");
  }
  double value = 0;
  if (!parse_number(std::string_view(it->second), value)) {
    throw engine::input_error(file.string() + ": column '" + column + "' is '" + it->second +
                              "', not a number");
  }
  return value;
}

double OfcomRow::number_or(const std::string& column, double if_blank) const {
  const auto it = values.find(column);
  if (it != values.end() && it->second.find_first_not_of(' ') == std::string::npos) return if_blank;
  return number(column);
}

OfcomRow read_ofcom_row(const std::filesystem::path& path, const std::string& laua) {
  std::ifstream in = open_text(path);
  std::string line;
  if (!std::getline(in, line)) throw engine::input_error(path.string() + ": empty file");
  const std::vector<std::string> header = split_csv_record(strip_bom(line));
  const int key = require_column(header, "laua", path);
  while (std::getline(in, line)) {
    const std::vector<std::string> fields = split_csv_record(line);
    if (fields.size() <= static_cast<std::size_t>(key) || fields[key] != laua) continue;
    if (fields.size() != header.size()) {
      throw engine::input_error(path.string() + ": the row of " + laua + " has " +
                                std::to_string(fields.size()) + " fields, the header " +
                                std::to_string(header.size()));
    }
    OfcomRow row;
    row.file = path;
    for (std::size_t i = 0; i < header.size(); ++i) row.values[header[i]] = fields[i];
    return row;
  }
  throw engine::input_error(path.string() + ": no row with laua = " + laua);
}

}  // namespace notspot::generate
