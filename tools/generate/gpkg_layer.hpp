#pragma once

#include <gdal_priv.h>
#include <ogr_spatialref.h>

#include <filesystem>
#include <initializer_list>
#include <string>

namespace notspot::generate {

/// Throws engine::input_error naming `path`, `what` failed, and GDAL's last error message.
[[noreturn]] void gdal_fail(const std::filesystem::path& path, const std::string& what);

/// A GeoPackage created afresh with one empty layer.
struct NewGeoPackage {
  GDALDatasetUniquePtr dataset;
  OGRLayer* layer = nullptr;
};

/**
 * Replaces `path` with a GeoPackage holding one layer `layer_name` of `geometry_type` in `srs`
 * (geometry column `geom`, FID `fid`, spatial index, `description`) with text fields
 * `string_fields`, in that order.
 * @throws engine::Error (kInput) when GDAL cannot create any of it.
 */
NewGeoPackage create_geopackage(const std::filesystem::path& path, const std::string& layer_name,
                                OGRwkbGeometryType geometry_type, const std::string& description,
                                const OGRSpatialReference& srs,
                                std::initializer_list<const char*> string_fields);

}  // namespace notspot::generate
