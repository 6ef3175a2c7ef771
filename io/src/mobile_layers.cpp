#include "notspot/io/mobile_layers.hpp"

#include <fmt/format.h>
#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_reduce.h>

#include <cmath>

#include "detail/gdal_util.hpp"
#include "notspot/engine/area_index.hpp"
#include "notspot/engine/error.hpp"
#include "notspot/engine/geos_context.hpp"

namespace notspot::io {
namespace {

std::string layer_key(const LayerSource& layer) {
  return layer.where.describe() + " [[layers]] '" + layer.name + "'";
}

// Premises are processed in blocks of whole 64-bit words, so that threads never write to the
// same word of a BitVector.
constexpr std::size_t kBlock = 64 * 1024;

struct Tally {
  std::uint64_t on_nodata = 0;
  std::uint64_t off_layer = 0;
  Tally operator+(const Tally& o) const {
    return {on_nodata + o.on_nodata, off_layer + o.off_layer};
  }
};

}  // namespace

CoverageRaster read_coverage_raster(const LayerSource& layer, const std::string& display,
                                    ProblemLog& log) {
  detail::ensure_gdal();
  detail::GdalErrorCapture capture;
  GDALDatasetUniquePtr ds(GDALDataset::Open(layer.path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
  if (!ds) {
    std::string why = capture.last_error();
    if (why.empty()) why = "GDAL recognises no raster format in it";
    throw engine::input_error(display + ": cannot be read as a raster: " + why +
                              ". Use a GeoTIFF (or any format `gdalinfo --formats` lists).");
  }
  const std::string key = layer_key(layer);
  if (layer.band < 1 || layer.band > ds->GetRasterCount()) {
    throw engine::study_error(fmt::format("{}: has {} band(s); band = {} ({}) does not exist",
                                          display, ds->GetRasterCount(), layer.band, key));
  }
  double gt[6];
  if (ds->GetGeoTransform(gt) != CE_None) {
    throw engine::input_error(display +
                              ": has no georeferencing (geotransform); notspot needs "
                              "to know where each cell is");
  }
  if (gt[2] != 0 || gt[4] != 0 || gt[1] <= 0 || gt[5] >= 0) {
    throw engine::input_error(display +
                              ": the raster is rotated, sheared or not north-up; warp "
                              "it to a north-up grid first (e.g. gdalwarp)");
  }
  CoverageRaster out;
  out.crs = detail::resolve_crs(ds->GetSpatialRef(), layer.crs, display, "the raster", key,
                                layer.name, log);
  engine::Grid& grid = out.coverage.grid;
  grid.xmin = gt[0];
  grid.ymax = gt[3];
  grid.cell_width = gt[1];
  grid.cell_height = -gt[5];
  grid.columns = static_cast<std::size_t>(ds->GetRasterXSize());
  grid.rows = static_cast<std::size_t>(ds->GetRasterYSize());
  const std::size_t cells = grid.columns * grid.rows;
  out.coverage.covered = engine::BitVector(cells);
  out.coverage.nodata = engine::BitVector(cells);

  GDALRasterBand* band = ds->GetRasterBand(layer.band);
  GDALRasterBand* mask = band->GetMaskBand();
  const bool all_valid = band->GetMaskFlags() == GMF_ALL_VALID;
  int has_nodata = 0;
  const double nodata_value = band->GetNoDataValue(&has_nodata);
  // Rows are read in strips to keep memory small whatever the raster's size.
  const int strip = 256;
  std::vector<double> values;
  std::vector<GByte> valid;
  for (int row0 = 0; row0 < static_cast<int>(grid.rows); row0 += strip) {
    const int rows = std::min(strip, static_cast<int>(grid.rows) - row0);
    const int cols = static_cast<int>(grid.columns);
    values.resize(static_cast<std::size_t>(rows) * grid.columns);
    if (band->RasterIO(GF_Read, 0, row0, cols, rows, values.data(), cols, rows, GDT_Float64, 0,
                       0) != CE_None) {
      throw engine::input_error(
          fmt::format("{}: cannot read rows {}-{}: {}; is the file "
                      "complete?",
                      display, row0, row0 + rows - 1, capture.last_error()));
    }
    if (!all_valid) {
      valid.resize(values.size());
      if (mask->RasterIO(GF_Read, 0, row0, cols, rows, valid.data(), cols, rows, GDT_Byte, 0, 0) !=
          CE_None) {
        throw engine::input_error(display +
                                  ": cannot read its nodata mask: " + capture.last_error());
      }
    }
    for (std::size_t k = 0; k < values.size(); ++k) {
      const std::size_t cell = static_cast<std::size_t>(row0) * grid.columns + k;
      const double v = values[k];
      if ((!all_valid && valid[k] == 0) || std::isnan(v)) {
        out.coverage.nodata.set(cell);
        ++out.nodata_cells;
      } else if (layer.covered_when.covered(v)) {
        out.coverage.covered.set(cell);
        ++out.covered_cells;
      }
    }
  }
  out.description =
      fmt::format("{} x {} cells of {} x {}, {}{}", grid.columns, grid.rows, grid.cell_width,
                  grid.cell_height, GDALGetDataTypeName(band->GetRasterDataType()),
                  has_nodata ? fmt::format(", nodata {}", nodata_value) : std::string());
  return out;
}

CoverageFootprints read_coverage_footprints(const LayerSource& layer, const Crs& crs,
                                            const std::string& display, ProblemLog& log) {
  GDALDatasetUniquePtr dataset = detail::open_vector(layer.path, display);
  const std::string key = layer_key(layer);
  OGRLayer* ogr = detail::pick_layer(*dataset, layer.ogr_layer, display, key + " layer");
  const Crs source_crs =
      detail::resolve_crs(ogr->GetSpatialRef(), layer.crs, display,
                          std::string("layer '") + ogr->GetName() + "'", key, layer.name, log);
  const CoordinateTransform transform(source_crs, crs);
  CoverageFootprints out;
  out.source_crs = source_crs.describe();

  engine::GeosContext geos;
  std::vector<GEOSGeometry*> parts;  // owned until handed to the collection below
  double summed_area = 0;
  detail::GdalErrorCapture capture;
  ogr->ResetReading();
  for (auto& feature : *ogr) {
    ++out.features;
    engine::MultiPolygon geometry;
    detail::collect_polygons(feature->GetGeometryRef(), geometry);
    if (geometry.empty()) {
      ++out.not_polygons;
      continue;
    }
    detail::transform_in_place(geometry, transform);
    if (!engine::all_finite(geometry)) {
      throw engine::input_error(
          fmt::format("{}: feature {}: coordinates cannot be transformed "
                      "to {}; is the layer's CRS right?",
                      display, feature->GetFID(), crs.describe()));
    }
    engine::RepairReport report;
    geometry = geos.repair_polygonal(geometry, report);
    if (report.was_invalid) {
      ++out.repaired;
      log.warn(layer.name, fmt::format("{}: feature {}: invalid footprint ({}) repaired with GEOS "
                                       "make-valid",
                                       display, feature->GetFID(), report.reason));
    }
    summed_area += engine::area(geometry);
    parts.push_back(geos.to_geos(geometry).release());
  }
  if (!capture.last_error().empty()) {
    throw engine::input_error(display + ": reading failed part-way: " + capture.last_error() +
                              "; is the file complete?");
  }
  if (out.not_polygons > 0) {
    log.warn(layer.name, fmt::format("{}: {} features have no polygon (points, lines or empty) "
                                     "and cover nothing",
                                     display, out.not_polygons));
  }
  engine::GeosGeometry all =
      geos.own(GEOSGeom_createCollection_r(geos.handle(), GEOS_GEOMETRYCOLLECTION, parts.data(),
                                           static_cast<unsigned>(parts.size())),
               "collection");
  engine::GeosGeometry dissolved = geos.own(GEOSUnaryUnion_r(geos.handle(), all.get()), "union");
  out.union_geometry = geos.polygonal_parts(dissolved.get());
  out.overlap_area = summed_area - engine::area(out.union_geometry);
  if (out.overlap_area > 1e-9 * std::max(summed_area, 1.0)) {
    log.warn(layer.name, fmt::format("{}: footprints overlap ({:.1f} square units counted twice); "
                                     "they were merged, so each place counts once",
                                     display, out.overlap_area));
  } else {
    out.overlap_area = 0;
  }
  return out;
}

PremisesCoverage premises_coverage(const CoverageRaster& raster,
                                   const engine::PremisesTable& premises, const Crs& study_crs) {
  const std::size_t n = premises.size();
  PremisesCoverage out;
  out.covered = engine::BitVector(n);
  // One PROJ transformation per thread (they are not thread-safe, and costly to create).
  tbb::enumerable_thread_specific<std::optional<CoordinateTransform>> transforms;
  const engine::CoverageGrid& g = raster.coverage;
  const Tally tally = tbb::parallel_reduce(
      tbb::blocked_range<std::size_t>(0, (n + kBlock - 1) / kBlock), Tally{},
      [&](const tbb::blocked_range<std::size_t>& blocks, Tally t) {
        std::optional<CoordinateTransform>& transform = transforms.local();
        if (!transform) transform.emplace(study_crs, raster.crs);
        std::vector<double> xs, ys;
        for (std::size_t b = blocks.begin(); b != blocks.end(); ++b) {
          const std::size_t begin = b * kBlock, end = std::min(n, begin + kBlock);
          xs.assign(premises.x.begin() + static_cast<std::ptrdiff_t>(begin),
                    premises.x.begin() + static_cast<std::ptrdiff_t>(end));
          ys.assign(premises.y.begin() + static_cast<std::ptrdiff_t>(begin),
                    premises.y.begin() + static_cast<std::ptrdiff_t>(end));
          transform->transform(xs, ys);
          for (std::size_t i = begin; i < end; ++i) {
            const auto cell = g.grid.cell_of({xs[i - begin], ys[i - begin]});
            if (!cell) {
              ++t.off_layer;
              continue;
            }
            const std::size_t k = g.cell_index(cell->first, cell->second);
            if (g.nodata.test(k)) {
              ++t.on_nodata;
            } else if (g.covered.test(k)) {
              out.covered.set(i);
            }
          }
        }
        return t;
      },
      [](const Tally& a, const Tally& b) { return a + b; });
  out.on_nodata = tally.on_nodata;
  out.off_layer = tally.off_layer;
  return out;
}

PremisesCoverage premises_coverage(const CoverageFootprints& footprints,
                                   const engine::PremisesTable& premises) {
  PremisesCoverage out;
  out.covered = engine::BitVector(premises.size());
  // Each part of the union is an "area": a premise is covered when it is in any of them.
  std::vector<engine::MultiPolygon> parts;
  for (const engine::Polygon& p : footprints.union_geometry) parts.push_back({p});
  const engine::AreaIndex index(parts);
  std::vector<std::uint32_t> located(premises.size());
  index.locate_all(premises.x, premises.y, located);
  for (std::size_t i = 0; i < located.size(); ++i) {
    if (located[i] != engine::AreaIndex::kOutside) out.covered.set(i);
  }
  return out;
}

}  // namespace notspot::io
