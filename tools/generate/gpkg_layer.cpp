#include "gpkg_layer.hpp"

#include <cpl_error.h>
#include <cpl_string.h>
#include <ogrsf_frmts.h>

#include <memory>
#include <system_error>

#include "notspot/engine/error.hpp"

namespace notspot::generate {

void gdal_fail(const std::filesystem::path& path, const std::string& what) {
  throw engine::input_error(path.string() + ": " + what + ": " + CPLGetLastErrorMsg());
}

NewGeoPackage create_geopackage(const std::filesystem::path& path, const std::string& layer_name,
                                OGRwkbGeometryType geometry_type, const std::string& description,
                                const OGRSpatialReference& srs,
                                std::initializer_list<const char*> string_fields) {
  GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("GPKG");
  if (driver == nullptr) throw engine::input_error("GDAL has no GPKG driver");
  std::error_code ignored;
  std::filesystem::remove(path, ignored);
  NewGeoPackage out;
  out.dataset.reset(driver->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
  if (!out.dataset) gdal_fail(path, "cannot create GeoPackage");
  CPLStringList options;
  options.SetNameValue("GEOMETRY_NAME", "geom");
  options.SetNameValue("FID", "fid");
  options.SetNameValue("SPATIAL_INDEX", "YES");
  options.SetNameValue("DESCRIPTION", description.c_str());
  // GDAL 3.6 takes a non-const SRS; give it a reference-counted copy.
  struct SrsRelease {
    void operator()(OGRSpatialReference* s) const noexcept { s->Release(); }
  };
  const std::unique_ptr<OGRSpatialReference, SrsRelease> layer_srs(srs.Clone());
  out.layer =
      out.dataset->CreateLayer(layer_name.c_str(), layer_srs.get(), geometry_type, options.List());
  if (out.layer == nullptr) gdal_fail(path, "cannot create layer " + layer_name);
  for (const char* field : string_fields) {
    OGRFieldDefn definition(field, OFTString);
    if (out.layer->CreateField(&definition) != OGRERR_NONE)
      gdal_fail(path, std::string("cannot create field ") + field);
  }
  return out;
}

}  // namespace notspot::generate
