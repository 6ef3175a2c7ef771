#include "layer_kinds.hpp"

#include <algorithm>
#include <array>

#include "notspot/engine/error.hpp"

namespace notspot::study {
namespace {

using io::LayerKind;

constexpr std::array<LayerKindInfo, 5> kLayerKinds = {{
    {LayerKind::kBdukPremises, "bduk-premises", LayerFamily::kFixedBroadband, "bduk_premises.csv",
     false, "; name the CSV file inside it"},
    {LayerKind::kFixedSpeeds, "fixed-speeds", LayerFamily::kFixedBroadband, "speeds.csv", false,
     "; name the CSV file inside it"},
    {LayerKind::kOfcomPostcode, "ofcom-postcode", LayerFamily::kPostcode,
     "ofcom_fixed_postcode_DT.csv", false, "; name the CSV file inside it"},
    {LayerKind::kRaster, "raster", LayerFamily::kMobileCoverage, "EE_4G_indoor.tif", false,
     "; name the raster file inside it"},
    // An OGR dataset may be a folder, e.g. of Shapefiles.
    {LayerKind::kPolygons, "polygons", LayerFamily::kMobileCoverage, "EE_4G_outdoor_coverage.gpkg",
     true, ""},
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
