#pragma once

#include <stdexcept>
#include <string>

namespace notspot::engine {

/// What went wrong, at the level a caller must react to. The command line maps each kind to
/// an exit code (see README.md): kUsage and kStudy → 2, kInput, kOutput and kInternal → 1.
enum class ErrorKind {
  kUsage,     ///< The command line itself is wrong.
  kStudy,     ///< The study file is wrong: unknown key, wrong type, missing file, bad CRS.
  kInput,     ///< An input file cannot be used as a whole: unreadable, wrong format, no CRS.
  kOutput,    ///< An output cannot be written: disk full, no permission, the folder is in use.
  kInternal,  ///< A broken invariant inside notspot: a bug to report.
};

/**
 * A fatal problem. The message is complete and names the file, the line or feature, and what
 * to do, e.g. `parishes.gpkg: layer 'parishes' has no field 'PAR23CD'; fields are: ...`.
 *
 * Data problems that affect single rows or features are not errors: they are reported and
 * counted (see Diagnostics) so that every input row stays accounted for.
 */
class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const noexcept { return kind_; }

 private:
  ErrorKind kind_;
};

inline Error input_error(const std::string& message) {
  return Error(ErrorKind::kInput, message);
}
inline Error output_error(const std::string& message) {
  return Error(ErrorKind::kOutput, message);
}
inline Error study_error(const std::string& message) {
  return Error(ErrorKind::kStudy, message);
}
inline Error usage_error(const std::string& message) {
  return Error(ErrorKind::kUsage, message);
}
inline Error internal_error(const std::string& message) {
  return Error(ErrorKind::kInternal, message);
}

}  // namespace notspot::engine
