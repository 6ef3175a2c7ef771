#include "british_national_grid.hpp"

#include <cpl_error.h>
#include <ogr_spatialref.h>

#include <limits>
#include <string>
#include <vector>

#include "notspot/engine/error.hpp"

namespace notspot::generate {
namespace {

// `projinfo -s EPSG:4326 -t EPSG:27700`, operation "Inverse of OSGB36 to WGS 84 (6) + British
// National Grid", in the CRS axis order PROJ expects (latitude first; OGR swaps for us).
constexpr const char* kWgs84ToBng =
    "+proj=pipeline +step +proj=axisswap +order=2,1 "
    "+step +proj=unitconvert +xy_in=deg +xy_out=rad +step +proj=push +v_3 "
    "+step +proj=cart +ellps=WGS84 "
    "+step +inv +proj=helmert +x=446.448 +y=-125.157 +z=542.06 +rx=0.15 +ry=0.247 +rz=0.842 "
    "+s=-20.489 +convention=position_vector "
    "+step +inv +proj=cart +ellps=airy +step +proj=pop +v_3 "
    "+step +proj=tmerc +lat_0=49 +lon_0=-2 +k=0.9996012717 +x_0=400000 +y_0=-100000 "
    "+ellps=airy";

void transform(OGRCoordinateTransformation& t, std::span<double> x, std::span<double> y,
               const char* what) {
  if (x.size() != y.size()) throw engine::internal_error("coordinate spans differ in length");
  if (x.empty()) return;
  if (x.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    throw engine::internal_error("too many coordinates for one OGR transformation call");
  }
  std::vector<int> ok(x.size(), 0);
  if (!t.Transform(static_cast<int>(x.size()), x.data(), y.data(), nullptr, ok.data())) {
    throw engine::input_error(std::string("PROJ could not transform coordinates ") + what + ": " +
                              CPLGetLastErrorMsg());
  }
  for (std::size_t i = 0; i < ok.size(); ++i) {
    if (!ok[i]) {
      throw engine::input_error(std::string("PROJ could not transform coordinate ") + what + " (" +
                                std::to_string(x[i]) + ", " + std::to_string(y[i]) + ")");
    }
  }
}

}  // namespace

void BritishNationalGrid::TransformDeleter::operator()(
    OGRCoordinateTransformation* t) const noexcept {
  OGRCoordinateTransformation::DestroyCT(t);
}

void BritishNationalGrid::SrsDeleter::operator()(OGRSpatialReference* s) const noexcept {
  if (s != nullptr) s->Release();
}

BritishNationalGrid::BritishNationalGrid()
    : wgs84_(new OGRSpatialReference()), bng_(new OGRSpatialReference()) {
  if (wgs84_->importFromEPSG(4326) != OGRERR_NONE || bng_->importFromEPSG(27700) != OGRERR_NONE) {
    throw engine::input_error(std::string("PROJ does not know EPSG:4326 or EPSG:27700: ") +
                              CPLGetLastErrorMsg());
  }
  wgs84_->SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  bng_->SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  OGRCoordinateTransformationOptions forward;
  forward.SetCoordinateOperation(kWgs84ToBng, false);
  to_bng_.reset(OGRCreateCoordinateTransformation(wgs84_.get(), bng_.get(), forward));
  OGRCoordinateTransformationOptions inverse;
  inverse.SetCoordinateOperation(kWgs84ToBng, true);
  to_wgs84_.reset(OGRCreateCoordinateTransformation(bng_.get(), wgs84_.get(), inverse));
  if (!to_bng_ || !to_wgs84_) {
    throw engine::input_error(std::string("PROJ cannot build the WGS84 <-> EPSG:27700 "
                                          "transformation: ") +
                              CPLGetLastErrorMsg());
  }
}

BritishNationalGrid::~BritishNationalGrid() = default;

void BritishNationalGrid::from_wgs84(std::span<double> x, std::span<double> y) const {
  transform(*to_bng_, x, y, "from WGS84 to EPSG:27700");
}

void BritishNationalGrid::to_wgs84(std::span<double> x, std::span<double> y) const {
  transform(*to_wgs84_, x, y, "from EPSG:27700 to WGS84");
}

}  // namespace notspot::generate
