#include "notspot/io/file_digest.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "notspot/engine/cancellation.hpp"
#include "notspot/engine/error.hpp"
#include "notspot/io/mapped_file.hpp"

namespace notspot::io {

FileDigest digest_file(const std::filesystem::path& path) {
  std::vector<std::filesystem::path> files;
  if (std::filesystem::is_directory(path)) {
    for (const auto& entry : std::filesystem::directory_iterator(path))
      if (entry.is_regular_file()) files.push_back(entry.path());
    std::sort(files.begin(), files.end());
  } else {
    files.push_back(path);
  }
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
    throw engine::internal_error("OpenSSL cannot initialise SHA-256");
  }
  FileDigest out;
  for (const auto& file : files) {
    const MappedFile mapped(file);
    // In pieces, releasing each: hashing a 2 GB input must not hold it all in memory.
    constexpr std::size_t kPiece = std::size_t{64} << 20;
    const std::string_view bytes = mapped.view();
    for (std::size_t at = 0; at < bytes.size(); at += kPiece) {
      engine::throw_if_cancelled();  // SIGINT/SIGTERM: within one piece (64 MB)
      const std::string_view piece = bytes.substr(at, kPiece);
      EVP_DigestUpdate(ctx.get(), piece.data(), piece.size());
      mapped.release(piece);
    }
    // The digest must be of one version of the file, the one the readers read.
    mapped.check_unchanged(file.string());
    out.size_bytes += mapped.size();
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx.get(), digest, &length);
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned int i = 0; i < length; ++i) {
    out.sha256 += kHex[digest[i] >> 4];
    out.sha256 += kHex[digest[i] & 15];
  }
  return out;
}

}  // namespace notspot::io
