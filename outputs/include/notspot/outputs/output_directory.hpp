#pragma once

#include <filesystem>
#include <string>

namespace notspot::outputs {

/**
 * Publishes a run's outputs atomically: files are written into a staging folder beside the
 * outputs folder, made durable (fsync), then swapped into place with one rename, so a reader
 * sees either the previous complete outputs or the new complete outputs, never a mixture,
 * even if the run is killed at any moment. A lock file beside the folder keeps two runs from
 * writing the same outputs at once.
 *
 * Only a folder that is empty or holds a previous notspot run (it has a manifest.json written
 * by notspot) is ever replaced, so pointing --out at a folder of other files cannot delete them.
 *
 * Typical usage:
 * @code
 *   OutputDirectory out("out/2026-11");     // locks, creates the staging folder
 *   write_csv(out.file("parish_stats.csv"));
 *   out.publish();                          // atomic swap; the old outputs are removed
 * @endcode
 */
class OutputDirectory {
 public:
  /// @throws engine::Error (kInput) when another run holds the lock, the folder cannot be
  ///   created, or it exists and is not a notspot output folder.
  explicit OutputDirectory(std::filesystem::path final_dir);
  /// Removes the staging folder if publish() was not reached; releases the lock.
  ~OutputDirectory();
  OutputDirectory(const OutputDirectory&) = delete;
  OutputDirectory& operator=(const OutputDirectory&) = delete;

  /// Where to write output `name` before publishing.
  std::filesystem::path file(const std::string& name) const { return staging_ / name; }
  const std::filesystem::path& final_dir() const { return final_; }
  const std::filesystem::path& staging_dir() const { return staging_; }

  /// Makes the staged files durable and swaps them into place. Call once.
  void publish();

 private:
  std::filesystem::path final_;
  std::filesystem::path staging_;
  int lock_fd_ = -1;
  bool published_ = false;
};

/// True when `dir` is empty or holds a notspot manifest.json.
bool is_replaceable_output_dir(const std::filesystem::path& dir);

}  // namespace notspot::outputs
