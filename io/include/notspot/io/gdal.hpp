#pragma once

#include <cpl_error.h>

#include <string>
#include <vector>

namespace notspot::io {

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

}  // namespace notspot::io
