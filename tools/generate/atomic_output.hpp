#pragma once

#include <filesystem>
#include <string_view>

namespace notspot::generate {

/**
 * Publishes one output file atomically: the content is written under a temporary name in the
 * same folder and renamed over the final name on commit(), so that a failed or killed run
 * never leaves a half-written file where a study would read it. Without commit(), the
 * destructor removes the temporary file.
 *
 * Typical usage:
 * @code
 *   AtomicOutput out(dir / "parishes.gpkg");
 *   write_geopackage(out.temp_path(), ...);   // any writer that takes a path
 *   out.commit();
 * @endcode
 */
class AtomicOutput {
 public:
  /// @param final_path where the file appears on commit(). Its folder must exist.
  explicit AtomicOutput(std::filesystem::path final_path);
  ~AtomicOutput();
  AtomicOutput(const AtomicOutput&) = delete;
  AtomicOutput& operator=(const AtomicOutput&) = delete;

  /// The temporary name: hidden, same folder, same extension (GDAL drivers look at it).
  const std::filesystem::path& temp_path() const { return temp_path_; }
  const std::filesystem::path& final_path() const { return final_path_; }

  /// Renames the temporary file over the final one. @throws Error (kInput) on failure.
  void commit();

 private:
  std::filesystem::path final_path_;
  std::filesystem::path temp_path_;
  bool committed_ = false;
};

/**
 * Writes `contents` to `path` atomically (see AtomicOutput).
 * @throws Error (kInput) naming the file when it cannot be written.
 */
void write_file_atomically(const std::filesystem::path& path, std::string_view contents);

}  // namespace notspot::generate
