#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace notspot::io {

/// A file's size and SHA-256, for the manifest.
struct FileDigest {
  std::uint64_t size_bytes = 0;
  std::string sha256;  ///< Lower-case hex.
};

/// Hashes a whole file (or every file of a folder, in name order, for folder datasets such
/// as a Shapefile directory). @throws engine::Error (kInput) when it cannot be read.
FileDigest digest_file(const std::filesystem::path& path);

}  // namespace notspot::io
