#include "parish_writer.hpp"

#include <cpl_error.h>
#include <cpl_string.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <memory>
#include <vector>

#include "gpkg_layer.hpp"
#include "notspot/engine/error.hpp"

namespace notspot::generate {
namespace {}  // namespace

void write_parishes(const std::filesystem::path& path, const std::string& layer_name,
                    std::span<const ParishFeature> parishes, const engine::GeosContext& geos,
                    const OGRSpatialReference& srs) {
  auto [dataset, layer] = create_geopackage(path, layer_name, wkbMultiPolygon,
                                            "Synthetic parish-like areas (notspot sample)", srs,
                                            {"PAR23CD", "PAR23NM"});

  struct WriterDeleter {
    GEOSContextHandle_t handle;
    void operator()(GEOSWKBWriter* w) const noexcept { GEOSWKBWriter_destroy_r(handle, w); }
  };
  std::unique_ptr<GEOSWKBWriter, WriterDeleter> writer(GEOSWKBWriter_create_r(geos.handle()),
                                                       WriterDeleter{geos.handle()});
  GEOSWKBWriter_setByteOrder_r(geos.handle(), writer.get(), GEOS_WKB_NDR);

  // One transaction: without it every feature is its own SQLite commit (slow, many fsyncs).
  if (dataset->StartTransaction() != OGRERR_NONE) gdal_fail(path, "cannot start a transaction");
  for (const ParishFeature& parish : parishes) {
    std::size_t size = 0;
    unsigned char* wkb = GEOSWKBWriter_write_r(geos.handle(), writer.get(), parish.geometry, &size);
    if (wkb == nullptr) throw engine::internal_error("GEOS cannot write WKB for " + parish.code);
    OGRGeometry* geometry = nullptr;
    const OGRErr read = OGRGeometryFactory::createFromWkb(wkb, nullptr, &geometry, size);
    GEOSFree_r(geos.handle(), wkb);
    if (read != OGRERR_NONE || geometry == nullptr)
      gdal_fail(path, "cannot read WKB of " + parish.code);
    std::unique_ptr<OGRGeometry> multi(OGRGeometryFactory::forceToMultiPolygon(geometry));

    OGRFeature feature(layer->GetLayerDefn());
    feature.SetField("PAR23CD", parish.code.c_str());
    feature.SetField("PAR23NM", parish.name.c_str());
    feature.SetGeometryDirectly(multi.release());
    if (layer->CreateFeature(&feature) != OGRERR_NONE)
      gdal_fail(path, "cannot write " + parish.code);
  }
  if (dataset->CommitTransaction() != OGRERR_NONE) gdal_fail(path, "cannot commit");
  // Closing writes the last pages and the spatial index; GDAL 3.6's GDALClose() returns
  // nothing, so failure shows only as an error raised while closing.
  CPLErrorReset();
  GDALClose(GDALDataset::ToHandle(dataset.release()));
  if (CPLGetLastErrorType() >= CE_Failure) gdal_fail(path, "cannot close");
}

}  // namespace notspot::generate
