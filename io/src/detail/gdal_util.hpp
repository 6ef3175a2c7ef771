#pragma once

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "notspot/io/crs.hpp"

namespace notspot::io::detail {

/// Registers GDAL drivers once per process and routes GDAL's messages to GdalErrorCapture.
void ensure_gdal();

/**
 * While alive, captures the messages GDAL emits on this thread (instead of printing them), so
 * that a failed call can be reported as one clear error naming the file.
 */
class GdalErrorCapture {
 public:
  GdalErrorCapture();
  ~GdalErrorCapture();
  GdalErrorCapture(const GdalErrorCapture&) = delete;
  GdalErrorCapture& operator=(const GdalErrorCapture&) = delete;

  /// The last failure message, or "" when none.
  std::string last_error() const;
  const std::vector<std::string>& messages() const { return messages_; }

 private:
  static void CPL_STDCALL handler(CPLErr level, CPLErrorNum code, const char* message);
  std::vector<std::string> messages_;
  std::string last_error_;
};

/// Opens a vector dataset read-only. @throws engine::Error (kInput) naming `display`.
GDALDatasetUniquePtr open_vector(const std::filesystem::path& path, const std::string& display);

/// Picks a layer by name, or the only one. @throws engine::Error (kStudy) listing the layers.
OGRLayer* pick_layer(GDALDataset& dataset, const std::optional<std::string>& name,
                     const std::string& display, const std::string& study_key);

/// Names of a layer's fields, "a, b, c", for error messages.
std::string field_list(OGRLayer& layer);

/// Index of a field, or an Error (kStudy) naming the file, the field, the study key, the
/// fields there are and the nearest one.
int require_field(OGRLayer& layer, const std::string& field, const std::string& display,
                  const std::string& study_key);

/// The layer's CRS as a Crs. REQUIRES: layer.GetSpatialRef() != nullptr.
Crs layer_crs(OGRLayer& layer, const std::string& display);

}  // namespace notspot::io::detail
