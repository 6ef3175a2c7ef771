#include "layer_kinds.hpp"

#include <algorithm>
#include <array>

#include "notspot/engine/error.hpp"
#include "notspot/io/broadband_reader.hpp"
#include "notspot/io/coverage_layers.hpp"
#include "notspot/io/postcode_layer.hpp"

namespace notspot::study {
namespace {

using io::LayerKind;

LayerInspection inspect_fixed(const io::LayerSource& layer, const std::string& display,
                              io::ProblemLog&) {
  return {io::inspect_fixed_broadband(layer, display), std::nullopt};
}

LayerInspection inspect_postcodes(const io::LayerSource& layer, const std::string& display,
                                  io::ProblemLog&) {
  return {io::inspect_ofcom_postcodes(layer, display), std::nullopt};
}

LayerInspection inspect_raster(const io::LayerSource& layer, const std::string& display,
                               io::ProblemLog& log) {
  io::CoverageInspection raster = io::inspect_coverage_raster(layer, display, log);
  return {"layer '" + layer.name + "' (raster): " + display + ": " + raster.description,
          std::move(raster.crs)};
}

LayerInspection inspect_polygons(const io::LayerSource& layer, const std::string& display,
                                 io::ProblemLog& log) {
  io::CoverageInspection footprints = io::inspect_coverage_footprints(layer, display, log);
  return {"layer '" + layer.name + "' (polygons): " + display + ": " + footprints.description,
          std::move(footprints.crs)};
}

constexpr std::array<LayerKindInfo, 5> kLayerKinds = {{
    {LayerKind::kBdukPremises, "bduk-premises", LayerFamily::kFixedBroadband, "bduk_premises.csv",
     false, "; name the CSV file inside it", inspect_fixed},
    {LayerKind::kFixedSpeeds, "fixed-speeds", LayerFamily::kFixedBroadband, "speeds.csv", false,
     "; name the CSV file inside it", inspect_fixed},
    {LayerKind::kOfcomPostcode, "ofcom-postcode", LayerFamily::kPostcode,
     "ofcom_fixed_postcode_DT.csv", false, "; name the CSV file inside it", inspect_postcodes},
    {LayerKind::kRaster, "raster", LayerFamily::kMobileCoverage, "EE_4G_indoor.tif", false,
     "; name the raster file inside it", inspect_raster},
    // An OGR dataset may be a folder, e.g. of Shapefiles.
    {LayerKind::kPolygons, "polygons", LayerFamily::kMobileCoverage, "EE_4G_outdoor_coverage.gpkg",
     true, "", inspect_polygons},
}};

}  // namespace

std::span<const LayerKindInfo> layer_kinds() {
  return kLayerKinds;
}

const LayerKindInfo& layer_kind_info(io::LayerKind kind) {
  const auto it = std::find_if(kLayerKinds.begin(), kLayerKinds.end(),
                               [&](const LayerKindInfo& k) { return k.kind == kind; });
  if (it == kLayerKinds.end()) throw engine::internal_error("a layer kind has no table entry");
  return *it;
}

const LayerKindInfo* find_layer_kind(std::string_view name) {
  const auto it = std::find_if(kLayerKinds.begin(), kLayerKinds.end(),
                               [&](const LayerKindInfo& k) { return k.name == name; });
  return it == kLayerKinds.end() ? nullptr : &*it;
}

}  // namespace notspot::study
