#pragma once

#include <tbb/task_group.h>

#include <exception>
#include <filesystem>
#include <map>
#include <vector>

#include "notspot/io/file_digest.hpp"

namespace notspot::study {

using DigestCache = std::map<std::filesystem::path, io::FileDigest>;

/**
 * The inputs' digests, computed on a TBB task from construction while the run goes on. Hashing
 * is sequential within a file (2 GB of national premises take 1.5 s of one core): started at
 * the end it left a core idle while the last file was hashed; started once the premises are
 * read, it fills the gaps of the later stages. The destructor waits, so the task never outlives
 * what it uses.
 */
class BackgroundDigests {
 public:
  explicit BackgroundDigests(std::vector<std::filesystem::path> paths);
  ~BackgroundDigests() { group_.wait(); }
  BackgroundDigests(const BackgroundDigests&) = delete;
  BackgroundDigests& operator=(const BackgroundDigests&) = delete;

  /// Waits for the digests. @throws what hashing threw (an unreadable input).
  const DigestCache& get();

 private:
  std::vector<std::filesystem::path> paths_;
  DigestCache digests_;
  std::exception_ptr error_;
  tbb::task_group group_;  // last: destroyed (after the wait) before what the task uses
};

}  // namespace notspot::study
