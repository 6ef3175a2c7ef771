#include "mobile_writer.hpp"

#include <cpl_error.h>
#include <cpl_string.h>
#include <fmt/format.h>
#include <gdal_alg.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "gpkg_layer.hpp"
#include "notspot/engine/error.hpp"

namespace notspot::generate {
namespace {

/// Closes a dataset and fails if closing raised an error (GDAL 3.6's GDALClose() returns
/// nothing; a failed final write shows only as an error).
void close_dataset(GDALDatasetUniquePtr dataset, const std::filesystem::path& path) {
  CPLErrorReset();
  GDALClose(GDALDataset::ToHandle(dataset.release()));
  if (CPLGetLastErrorType() >= CE_Failure) gdal_fail(path, "cannot close");
}

/// Drops the vertices where a ring goes straight on (the middle of a run of cell edges). On
/// the 100 m grid the coordinates are whole metres, so the test is exact.
engine::Ring without_straight_vertices(const engine::Ring& ring) {
  engine::Ring out;
  const std::size_t n = ring.size();
  for (std::size_t i = 0; i < n; ++i) {
    const engine::Point a = ring[(i + n - 1) % n], b = ring[i], c = ring[(i + 1) % n];
    const double cross = (b.x - a.x) * (c.y - b.y) - (b.y - a.y) * (c.x - b.x);
    const double dot = (b.x - a.x) * (c.x - b.x) + (b.y - a.y) * (c.y - b.y);
    if (cross == 0 && dot > 0) continue;
    out.push_back(b);
  }
  return out;
}

std::unique_ptr<OGRLinearRing> to_ogr_ring(const engine::Ring& ring) {
  auto out = std::make_unique<OGRLinearRing>();
  out->setNumPoints(static_cast<int>(ring.size() + 1));
  for (std::size_t i = 0; i <= ring.size(); ++i) {
    const engine::Point p = ring[i % ring.size()];
    out->setPoint(static_cast<int>(i), p.x, p.y);
  }
  return out;
}

}  // namespace

void write_int16_geotiff(const std::filesystem::path& path, const engine::Grid& grid,
                         std::span<const std::int16_t> values, std::int16_t nodata,
                         const OGRSpatialReference& srs,
                         const std::map<std::string, std::string>& metadata,
                         int compression_threads) {
  GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("GTiff");
  if (driver == nullptr) throw engine::input_error("GDAL has no GTiff driver");
  std::error_code ignored;
  std::filesystem::remove(path, ignored);
  CPLStringList options;
  options.SetNameValue("COMPRESS", "DEFLATE");
  options.SetNameValue("PREDICTOR", "2");  // horizontal differencing: neighbours are similar
  options.SetNameValue("TILED", "YES");
  if (compression_threads > 1)
    options.SetNameValue("NUM_THREADS", std::to_string(compression_threads).c_str());
  GDALDatasetUniquePtr dataset(driver->Create(path.c_str(), static_cast<int>(grid.columns),
                                              static_cast<int>(grid.rows), 1, GDT_Int16,
                                              options.List()));
  if (!dataset) gdal_fail(path, "cannot create GeoTIFF");
  double transform[6] = {grid.xmin, grid.cell_width, 0, grid.ymax, 0, -grid.cell_height};
  if (dataset->SetGeoTransform(transform) != CE_None)
    gdal_fail(path, "cannot set the geotransform");
  if (dataset->SetSpatialRef(&srs) != CE_None) gdal_fail(path, "cannot set the CRS");
  for (const auto& [key, value] : metadata) dataset->SetMetadataItem(key.c_str(), value.c_str());
  GDALRasterBand* band = dataset->GetRasterBand(1);
  if (band->SetNoDataValue(nodata) != CE_None) gdal_fail(path, "cannot set nodata");
  band->SetUnitType("dBm");
  if (band->RasterIO(GF_Write, 0, 0, static_cast<int>(grid.columns), static_cast<int>(grid.rows),
                     const_cast<std::int16_t*>(values.data()), static_cast<int>(grid.columns),
                     static_cast<int>(grid.rows), GDT_Int16, 0, 0, nullptr) != CE_None) {
    gdal_fail(path, "cannot write the band");
  }
  close_dataset(std::move(dataset), path);
  // Everything above is stored in the TIFF itself; a side-car would mean something was not.
  std::filesystem::path aux = path;
  aux += ".aux.xml";
  if (std::filesystem::exists(aux)) {
    std::filesystem::remove(aux, ignored);
    throw engine::internal_error(path.string() + ": GDAL wrote an .aux.xml side-car");
  }
}

CoveragePolygons polygonize_coverage(const engine::Grid& grid, std::span<const std::int16_t> values,
                                     std::int16_t nodata, int threshold,
                                     const engine::GeosContext& geos) {
  CoveragePolygons result;
  const auto columns = static_cast<int>(grid.columns);
  const auto rows = static_cast<int>(grid.rows);
  std::vector<std::uint8_t> mask(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    mask[i] = values[i] != nodata && values[i] >= threshold;
    result.covered_cells += mask[i];
  }

  // The mask as an in-memory raster, polygonised into an in-memory layer. The band is its own
  // mask, so only covered cells become polygons.
  GDALDriver* mem = GetGDALDriverManager()->GetDriverByName("MEM");
  GDALDriver* memory = GetGDALDriverManager()->GetDriverByName("Memory");
  if (mem == nullptr || memory == nullptr) throw engine::internal_error("GDAL has no MEM driver");
  GDALDatasetUniquePtr raster(mem->Create("", columns, rows, 1, GDT_Byte, nullptr));
  double transform[6] = {grid.xmin, grid.cell_width, 0, grid.ymax, 0, -grid.cell_height};
  raster->SetGeoTransform(transform);
  GDALRasterBand* band = raster->GetRasterBand(1);
  if (band->RasterIO(GF_Write, 0, 0, columns, rows, mask.data(), columns, rows, GDT_Byte, 0, 0,
                     nullptr) != CE_None) {
    throw engine::internal_error(std::string("cannot fill the coverage mask: ") +
                                 CPLGetLastErrorMsg());
  }
  GDALDatasetUniquePtr vector(memory->Create("", 0, 0, 0, GDT_Unknown, nullptr));
  OGRLayer* layer = vector->CreateLayer("covered", nullptr, wkbPolygon, nullptr);
  OGRFieldDefn field("covered", OFTInteger);
  layer->CreateField(&field);
  if (GDALPolygonize(band, band, OGRLayer::ToHandle(layer), 0, nullptr, nullptr, nullptr) !=
      CE_None) {
    throw engine::internal_error(std::string("GDALPolygonize failed: ") + CPLGetLastErrorMsg());
  }

  // Dissolve: a union of all the pieces (GEOS overlay output is valid, also where a region's
  // boundary touches itself at a cell corner).
  std::vector<GEOSGeometry*> pieces;
  for (const auto& feature : *layer) {
    const OGRGeometry* g = feature->GetGeometryRef();
    if (g == nullptr) continue;
    std::vector<unsigned char> wkb(g->WkbSize());
    g->exportToWkb(wkbNDR, wkb.data(), wkbVariantIso);
    GEOSGeometry* piece = GEOSGeomFromWKB_buf_r(geos.handle(), wkb.data(), wkb.size());
    if (piece == nullptr) throw engine::internal_error("GEOS cannot read a polygonised cell run");
    pieces.push_back(piece);
  }
  result.polygonized = pieces.size();
  engine::GeosGeometry collection =
      geos.own(GEOSGeom_createCollection_r(geos.handle(), GEOS_GEOMETRYCOLLECTION, pieces.data(),
                                           static_cast<unsigned int>(pieces.size())),
               "createCollection");
  engine::GeosGeometry dissolved =
      geos.own(GEOSUnaryUnion_r(geos.handle(), collection.get()), "coverage union");

  for (engine::Polygon& polygon : geos.polygonal_parts(dissolved.get())) {
    polygon.exterior = without_straight_vertices(polygon.exterior);
    for (engine::Ring& hole : polygon.holes) hole = without_straight_vertices(hole);
    result.polygons.push_back(std::move(polygon));
  }
  // Largest first; ties (equal areas) by position, so the order never depends on GEOS's.
  std::vector<std::pair<double, std::size_t>> order;
  for (std::size_t i = 0; i < result.polygons.size(); ++i)
    order.emplace_back(engine::area(result.polygons[i]), i);
  std::sort(order.begin(), order.end(), [&](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first > b.first;
    const engine::Point pa = *std::min_element(
        result.polygons[a.second].exterior.begin(), result.polygons[a.second].exterior.end(),
        [](engine::Point p, engine::Point q) { return p.x < q.x || (p.x == q.x && p.y < q.y); });
    const engine::Point pb = *std::min_element(
        result.polygons[b.second].exterior.begin(), result.polygons[b.second].exterior.end(),
        [](engine::Point p, engine::Point q) { return p.x < q.x || (p.x == q.x && p.y < q.y); });
    return pa.x < pb.x || (pa.x == pb.x && pa.y < pb.y);
  });
  engine::MultiPolygon sorted;
  for (const auto& [area, i] : order) sorted.push_back(std::move(result.polygons[i]));
  result.polygons = std::move(sorted);
  result.area = engine::area(result.polygons);

  // The footprint must be exactly the covered cells, and valid.
  const double expected = static_cast<double>(result.covered_cells) * grid.cell_area();
  if (std::abs(result.area - expected) > 1e-9 * expected) {
    throw engine::internal_error(fmt::format(
        "coverage polygons cover {:.1f} m², the covered cells {:.1f} m²", result.area, expected));
  }
  engine::GeosGeometry check = geos.to_geos(result.polygons);
  if (auto reason = geos.invalid_reason(check.get())) {
    throw engine::internal_error("coverage polygons are invalid: " + *reason);
  }
  return result;
}

void write_coverage_geopackage(const std::filesystem::path& path, const std::string& layer_name,
                               const engine::MultiPolygon& polygons,
                               const CoverageAttributes& attributes,
                               const OGRSpatialReference& srs) {
  auto [dataset, layer] = create_geopackage(path, layer_name, wkbPolygon,
                                            "Synthetic mobile coverage footprint (notspot sample)",
                                            srs, {"operator", "technology", "setting"});
  // One transaction: without it every feature is its own SQLite commit.
  if (dataset->StartTransaction() != OGRERR_NONE) gdal_fail(path, "cannot start a transaction");
  for (const engine::Polygon& polygon : polygons) {
    auto geometry = std::make_unique<OGRPolygon>();
    geometry->addRingDirectly(to_ogr_ring(polygon.exterior).release());
    for (const engine::Ring& hole : polygon.holes)
      geometry->addRingDirectly(to_ogr_ring(hole).release());
    OGRFeature feature(layer->GetLayerDefn());
    feature.SetField("operator", attributes.operator_name.c_str());
    feature.SetField("technology", attributes.technology.c_str());
    feature.SetField("setting", attributes.setting.c_str());
    feature.SetGeometryDirectly(geometry.release());
    if (layer->CreateFeature(&feature) != OGRERR_NONE) gdal_fail(path, "cannot write a polygon");
  }
  if (dataset->CommitTransaction() != OGRERR_NONE) gdal_fail(path, "cannot commit");
  close_dataset(std::move(dataset), path);
}

}  // namespace notspot::generate
