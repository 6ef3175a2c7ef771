#include "notspot/io/coverage_layers.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <optional>
#include <span>
#include <type_traits>

#include "detail/gdal_util.hpp"
#include "notspot/engine/error.hpp"
#include "notspot/engine/geos_context.hpp"
#include "notspot/engine/polygon_ops.hpp"
#include "notspot/io/zip_archive.hpp"

namespace notspot::io {
namespace {

std::string layer_key(const LayerSource& layer) {
  return layer.where.describe() + " [[layers]] '" + layer.name + "'";
}

enum class CellState : std::uint8_t { kNotCovered, kCovered, kNodata };

template <class T>
std::size_t table_index(T value) {
  return static_cast<std::size_t>(static_cast<std::make_unsigned_t<T>>(value));
}

// GDAL's unscaled value of a cell: raw * scale + offset (band metadata, e.g. dBm stored as
// unsigned bytes). covered_when applies to it; nodata is compared on the raw value.
struct Unscale {
  double scale = 1;
  double offset = 0;
  double operator()(double raw) const { return raw * scale + offset; }
};

// The state of every value an 8- or 16-bit cell can hold, indexed by table_index.
template <class T>
std::vector<CellState> classification_table(const engine::CoverageRule& rule,
                                            std::optional<double> nodata, Unscale unscale) {
  std::vector<CellState> table(std::size_t{1} << (8 * sizeof(T)));
  for (std::int64_t v = std::numeric_limits<T>::min(); v <= std::numeric_limits<T>::max(); ++v) {
    const auto value = static_cast<double>(v);
    table[table_index(static_cast<T>(v))] = nodata && value == *nodata  ? CellState::kNodata
                                            : rule.covered(unscale(value)) ? CellState::kCovered
                                                                           : CellState::kNotCovered;
  }
  return table;
}

template <class T>
constexpr GDALDataType gdal_type() {
  if constexpr (std::is_same_v<T, std::uint8_t>) return GDT_Byte;
  if constexpr (std::is_same_v<T, std::int16_t>) return GDT_Int16;
  if constexpr (std::is_same_v<T, std::uint16_t>) return GDT_UInt16;
  if constexpr (std::is_same_v<T, double>) return GDT_Float64;
}

// Reads a band in strips of whole rows, as high as a few block rows, so that memory stays
// small whatever the raster's size and each compressed block is decoded once.
struct StripReader {
  GDALRasterBand& band;
  const engine::Grid& grid;
  const std::string& display;
  GdalErrorCapture& capture;

  /// Calls `use(first_cell, values)` for each strip, values row-major, in row order.
  template <class T, class Use>
  void read(Use&& use) const {
    int block_columns = 0, block_rows = 0;
    band.GetBlockSize(&block_columns, &block_rows);
    const int strip = std::max(1, 256 / std::max(1, block_rows)) * std::max(1, block_rows);
    const int cols = static_cast<int>(grid.columns);
    std::vector<T> values;
    for (int row0 = 0; row0 < static_cast<int>(grid.rows); row0 += strip) {
      const int rows = std::min(strip, static_cast<int>(grid.rows) - row0);
      values.resize(static_cast<std::size_t>(rows) * grid.columns);
      if (band.RasterIO(GF_Read, 0, row0, cols, rows, values.data(), cols, rows, gdal_type<T>(), 0,
                        0) != CE_None) {
        throw engine::input_error(
            fmt::format("{}: cannot read rows {}-{}: {}; is the file complete?", display, row0,
                        row0 + rows - 1, capture.last_error()));
      }
      use(static_cast<std::size_t>(row0) * grid.columns, std::span<const T>(values));
    }
  }
};

// A raster opened and checked as the run reads it: the band exists, it is georeferenced and
// north-up, its CRS is known. Cells are not read.
struct OpenedRaster {
  GDALDatasetUniquePtr dataset;
  GDALRasterBand* band = nullptr;
  engine::Grid grid;
  Crs crs;
};

OpenedRaster open_coverage_raster(const LayerSource& layer, const std::string& display,
                                  GdalErrorCapture& capture, ProblemLog& log) {
  ensure_gdal();
  OpenedRaster out;
  out.dataset.reset(GDALDataset::Open(gdal_input_name(layer.path, layer.member, display).c_str(),
                                      GDAL_OF_RASTER | GDAL_OF_READONLY));
  GDALDataset* ds = out.dataset.get();
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
  out.crs = detail::resolve_crs(ds->GetSpatialRef(), layer.crs, display, "the raster", key,
                                layer.name, log);
  out.grid.xmin = gt[0];
  out.grid.ymax = gt[3];
  out.grid.cell_width = gt[1];
  out.grid.cell_height = -gt[5];
  out.grid.columns = static_cast<std::size_t>(ds->GetRasterXSize());
  out.grid.rows = static_cast<std::size_t>(ds->GetRasterYSize());
  out.band = ds->GetRasterBand(layer.band);
  return out;
}

// The band's scale and offset (1 and 0 when it has none); refused when not finite.
Unscale band_unscale(GDALRasterBand& band, const LayerSource& layer, const std::string& display) {
  Unscale u{band.GetScale(), band.GetOffset()};
  if (!std::isfinite(u.scale) || !std::isfinite(u.offset)) {
    throw engine::input_error(fmt::format(
        "{}: band {} has scale {} and offset {}; notspot needs finite values to compute the "
        "cells' real values (raw * scale + offset) for covered_when ({}). Fix the band's "
        "metadata (gdal_edit.py -scale/-offset) or remove it",
        display, layer.band, u.scale, u.offset, layer_key(layer)));
  }
  return u;
}

std::string describe_raster(const engine::Grid& grid, GDALRasterBand& band, Unscale unscale) {
  int has_nodata = 0;
  const double nodata_value = band.GetNoDataValue(&has_nodata);
  const bool scaled = unscale.scale != 1 || unscale.offset != 0;
  return fmt::format(
      "{} x {} cells of {} x {}, {}{}{}", grid.columns, grid.rows, grid.cell_width,
      grid.cell_height, GDALGetDataTypeName(band.GetRasterDataType()),
      has_nodata ? fmt::format(", nodata {}", nodata_value) : std::string(),
      scaled ? fmt::format(", scale {} and offset {} applied (covered_when tests raw * scale + "
                           "offset; nodata is the raw value)",
                           unscale.scale, unscale.offset)
             : std::string());
}

}  // namespace

CoverageRaster read_coverage_raster(const LayerSource& layer, const std::string& display,
                                    ProblemLog& log) {
  GdalErrorCapture capture;
  OpenedRaster opened = open_coverage_raster(layer, display, capture, log);
  CoverageRaster out;
  out.crs = std::move(opened.crs);
  out.coverage.grid = opened.grid;
  const engine::Grid& grid = out.coverage.grid;
  const std::size_t cells = grid.columns * grid.rows;
  out.coverage.covered = engine::BitVector(cells);
  out.coverage.nodata = engine::BitVector(cells);

  GDALRasterBand* band = opened.band;
  const GDALDataType type = band->GetRasterDataType();
  const double nodata_value = band->GetNoDataValue();
  const int mask_flags = band->GetMaskFlags();
  const Unscale unscale = band_unscale(*band, layer, display);
  out.scale = unscale.scale;
  out.offset = unscale.offset;
  const StripReader strips{*band, grid, display, capture};
  auto mark = [&](std::size_t cell, CellState state) {
    if (state == CellState::kNodata) {
      out.coverage.nodata.set(cell);
      ++out.nodata_cells;
    } else if (state == CellState::kCovered) {
      out.coverage.covered.set(cell);
      ++out.covered_cells;
    }
  };
  // 8- and 16-bit cells (signal in dBm, class codes) whose nodata is a plain value: one table
  // lookup per cell, with the rule evaluated once per possible value. Reading the mask band
  // instead would decode the whole raster a second time.
  const bool value_mask = mask_flags == GMF_ALL_VALID || mask_flags == GMF_NODATA;
  auto classify_small = [&]<class T>(T) {
    const std::vector<CellState> table = classification_table<T>(
        layer.covered_when,
        mask_flags == GMF_NODATA ? std::optional<double>(nodata_value) : std::nullopt, unscale);
    strips.read<T>([&](std::size_t first_cell, std::span<const T> values) {
      for (std::size_t k = 0; k < values.size(); ++k) {
        mark(first_cell + k, table[table_index(values[k])]);
      }
    });
  };
  if (value_mask && type == GDT_Byte) {
    classify_small(std::uint8_t{});
  } else if (value_mask && type == GDT_Int16) {
    classify_small(std::int16_t{});
  } else if (value_mask && type == GDT_UInt16) {
    classify_small(std::uint16_t{});
  } else {
    // Anything else: values as doubles, nodata from GDAL's mask band (a nodata value, an alpha
    // band or a mask file), and NaN.
    GDALRasterBand* mask = band->GetMaskBand();
    const bool all_valid = mask_flags == GMF_ALL_VALID;
    std::vector<GByte> valid;
    strips.read<double>([&](std::size_t first_cell, std::span<const double> values) {
      if (!all_valid) {
        valid.resize(values.size());
        const int cols = static_cast<int>(grid.columns);
        const int row0 = static_cast<int>(first_cell / grid.columns);
        const int rows = static_cast<int>(values.size() / grid.columns);
        if (mask->RasterIO(GF_Read, 0, row0, cols, rows, valid.data(), cols, rows, GDT_Byte, 0,
                           0) != CE_None) {
          throw engine::input_error(display +
                                    ": cannot read its nodata mask: " + capture.last_error());
        }
      }
      for (std::size_t k = 0; k < values.size(); ++k) {
        const double v = values[k];
        const bool nodata = (!all_valid && valid[k] == 0) || std::isnan(v);
        mark(first_cell + k, nodata                                   ? CellState::kNodata
                             : layer.covered_when.covered(unscale(v)) ? CellState::kCovered
                                                                      : CellState::kNotCovered);
      }
    });
  }
  out.description = describe_raster(grid, *band, unscale);
  return out;
}

CoverageInspection inspect_coverage_raster(const LayerSource& layer, const std::string& display,
                                           ProblemLog& log) {
  GdalErrorCapture capture;
  OpenedRaster opened = open_coverage_raster(layer, display, capture, log);
  return {describe_raster(opened.grid, *opened.band, band_unscale(*opened.band, layer, display)),
          std::move(opened.crs)};
}

namespace {

// A footprint layer opened as the run reads it: the OGR layer exists and its CRS is known.
struct OpenedFootprints {
  GDALDatasetUniquePtr dataset;
  OGRLayer* layer = nullptr;
  Crs crs;
  std::optional<AttributeFilterResult> filter;  // `where`, applied to `layer`
};

OpenedFootprints open_footprints(const LayerSource& layer, const std::string& display,
                                 ProblemLog& log) {
  OpenedFootprints out;
  out.dataset = detail::open_vector(gdal_input_name(layer.path, layer.member, display), display);
  const std::string key = layer_key(layer);
  out.layer = detail::pick_layer(*out.dataset, layer.ogr_layer, display, key + " layer");
  out.crs = detail::resolve_crs(out.layer->GetSpatialRef(), layer.crs, display,
                                std::string("layer '") + out.layer->GetName() + "'", key,
                                layer.name, log);
  out.filter =
      detail::apply_attribute_filter(*out.layer, layer.attribute_filter, display, key + " where");
  return out;
}

}  // namespace

CoverageInspection inspect_coverage_footprints(const LayerSource& layer, const std::string& display,
                                               ProblemLog& log) {
  OpenedFootprints opened = open_footprints(layer, display, log);
  // Without forcing: a count that needs a full scan (GeoJSON, CSV) is not worth it here.
  std::string description = fmt::format("layer '{}'", opened.layer->GetName());
  if (opened.filter) {
    description +=
        fmt::format(", {} features, {} selected by where \"{}\"", opened.filter->features_in_layer,
                    opened.filter->features_selected, opened.filter->clause);
  } else if (const GIntBig features = opened.layer->GetFeatureCount(/*bForce=*/FALSE);
             features >= 0) {
    description += fmt::format(", {} features", features);
  }
  return {std::move(description), std::move(opened.crs), std::move(opened.filter)};
}

CoverageFootprints read_coverage_footprints(const LayerSource& layer, const Crs& crs,
                                            const std::string& display, ProblemLog& log) {
  OpenedFootprints opened = open_footprints(layer, display, log);
  OGRLayer* ogr = opened.layer;
  const Crs& source_crs = opened.crs;
  const CoordinateTransform transform(source_crs, crs);
  CoverageFootprints out;
  out.source_crs = source_crs.describe();
  out.layer_crs = source_crs;
  out.filter = opened.filter;

  engine::GeosContext geos;
  std::vector<engine::MultiPolygon> parts;  // valid, in the study CRS
  double summed_area = 0;
  std::uint64_t curved = 0;  // features whose arcs were linearised
  GdalErrorCapture capture;
  ogr->ResetReading();
  for (auto& feature : *ogr) {
    ++out.features;
    engine::MultiPolygon geometry;
    std::size_t curved_parts = 0;
    const std::size_t unclosed_rings =
        detail::collect_polygons(feature->GetGeometryRef(), geometry, &curved_parts);
    curved += curved_parts > 0;
    if (geometry.empty()) {
      ++out.not_polygons;
      continue;
    }
    if (unclosed_rings > 0) {
      ++out.repaired;
      log.warn(layer.name, fmt::format("{}: feature {}: {} ring(s) not closed (the last point is "
                                       "not the first); closed by joining the last point to the "
                                       "first",
                                       display, feature->GetFID(), unclosed_rings));
    }
    transform.transform(geometry);
    if (!engine::all_finite(geometry)) {
      throw engine::input_error(
          fmt::format("{}: feature {}: coordinates cannot be transformed "
                      "to {}; is the layer's CRS right?",
                      display, feature->GetFID(), crs.describe()));
    }
    engine::RepairReport report;
    geometry = geos.repair_polygonal(geometry, report);
    if (report.was_invalid) {
      if (unclosed_rings == 0) ++out.repaired;
      log.warn(layer.name, fmt::format("{}: feature {}: invalid footprint ({}) repaired with GEOS "
                                       "make-valid",
                                       display, feature->GetFID(), report.reason));
    }
    summed_area += engine::area(geometry);
    parts.push_back(std::move(geometry));
  }
  if (!capture.last_error().empty()) {
    throw engine::input_error(display + ": reading failed part-way: " + capture.last_error() +
                              "; is the file complete?");
  }
  if (curved > 0) log.warn(layer.name, detail::curve_warning(display, curved));
  if (out.not_polygons > 0) {
    log.warn(layer.name, fmt::format("{}: {} features have no polygon (points, lines or empty) "
                                     "and cover nothing",
                                     display, out.not_polygons));
  }
  out.union_geometry = engine::dissolve(geos, std::move(parts));
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

}  // namespace notspot::io
