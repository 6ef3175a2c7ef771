#include "background_digests.hpp"

#include <tbb/parallel_for.h>

#include <algorithm>

#include "notspot/io/zip_archive.hpp"

namespace notspot::study {
namespace {

// Digests of files hashed at once, in parallel (the inputs of a national study are gigabytes).
DigestCache digest_files(std::vector<std::filesystem::path> paths) {
  std::sort(paths.begin(), paths.end());
  paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
  // Connection strings and URLs have no file to hash: the manifest records their features.
  std::erase_if(paths,
                [](const std::filesystem::path& p) { return io::is_non_file_source(p.string()); });
  std::vector<io::FileDigest> digests(paths.size());
  tbb::parallel_for(std::size_t{0}, paths.size(),
                    [&](std::size_t i) { digests[i] = io::digest_file(paths[i]); });
  DigestCache cache;
  for (std::size_t i = 0; i < paths.size(); ++i) cache.emplace(paths[i], digests[i]);
  return cache;
}

}  // namespace

BackgroundDigests::BackgroundDigests(std::vector<std::filesystem::path> paths)
    : paths_(std::move(paths)) {
  group_.run([this] {
    try {
      digests_ = digest_files(paths_);
    } catch (...) {
      error_ = std::current_exception();
    }
  });
}

const DigestCache& BackgroundDigests::get() {
  group_.wait();
  if (error_) std::rethrow_exception(error_);
  return digests_;
}

}  // namespace notspot::study
