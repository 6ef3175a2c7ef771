#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace notspot::outputs {

/**
 * Publishes a run's outputs atomically: files are written into a staging folder beside the
 * outputs folder, made durable (fsync), then swapped into place with one rename, so a reader
 * sees either the previous complete outputs or the new complete outputs, never a mixture,
 * even if the run is killed at any moment. A lock file beside the folder keeps two runs from
 * writing the same outputs at once.
 *
 * Ownership (docs/outputs-folder.md): an existing folder is only ever replaced when everything
 * in it is a file that the previous run listed in its manifest.json, with the same size and
 * SHA-256; a user's file added to it, or an output edited since, makes notspot refuse (exit 2),
 * naming them. This is checked when the folder is opened and again right before the swap.
 *
 * Links: the lock file is opened without following symbolic links and the staging folder is
 * created with mkdir (never reused); an outputs path that is a link is followed (the folder it
 * points to is what gets replaced; the link stays a link), a dangling one is refused.
 *
 * A run that fails a quality gate may instead be published beside the folder, in
 * failed_dir() (`DIR.failed`), under the same rules, leaving DIR as it was.
 *
 * Typical usage:
 * @code
 *   OutputDirectory out("out/2026-11");     // locks, checks ownership, creates the staging folder
 *   write_csv(out.file("parish_stats.csv"));
 *   out.publish();                          // atomic swap; the old outputs are removed
 * @endcode
 */
class OutputDirectory {
 public:
  /// @throws engine::Error (kOutput) when another run holds the lock, the lock file is a link
  ///   or not a file, or a folder cannot be created; (kStudy) when the folder (or, with
  ///   `check_failed_dir`, failed_dir()) holds anything that is not the previous run's outputs,
  ///   is not a folder, or is a dangling link.
  explicit OutputDirectory(std::filesystem::path final_dir, bool check_failed_dir = false);
  /// Removes the staging folder if nothing was published; releases the lock.
  ~OutputDirectory();
  OutputDirectory(const OutputDirectory&) = delete;
  OutputDirectory& operator=(const OutputDirectory&) = delete;

  /// Where to write output `name` before publishing.
  std::filesystem::path file(const std::string& name) const { return staging_ / name; }
  /// The outputs folder, links resolved: the folder that publish() replaces.
  const std::filesystem::path& final_dir() const { return final_; }
  /// `DIR.failed` beside final_dir(): where publish_failed() publishes.
  std::filesystem::path failed_dir() const;
  const std::filesystem::path& staging_dir() const { return staging_; }

  /// Makes the staged files durable and swaps them into final_dir(); then removes an old
  /// failed_dir() when it holds only notspot's outputs. Call once (this or publish_failed()).
  void publish();
  /// Makes the staged files durable and swaps them into failed_dir(); final_dir() is left as
  /// it was. Call once (this or publish()).
  void publish_failed();

 private:
  void publish_to(const std::filesystem::path& target);

  std::filesystem::path final_;
  std::filesystem::path staging_;
  int lock_fd_ = -1;
  bool published_ = false;
};

/// What in `dir` notspot does not own: every entry (sorted by name, each with why, e.g.
/// "notes.docx (not written by the previous run)") other than manifest.json and the files its
/// outputs list names with their size and SHA-256. All entries when there is no notspot
/// manifest.json. Empty when `dir` is empty or does not exist.
std::vector<std::string> foreign_entries(const std::filesystem::path& dir);

/// True when `dir` is empty or holds only a previous notspot run's outputs (foreign_entries()
/// is empty).
bool is_replaceable_output_dir(const std::filesystem::path& dir);

}  // namespace notspot::outputs
