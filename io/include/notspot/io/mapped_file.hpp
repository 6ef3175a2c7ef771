#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace notspot::io {

/**
 * A read-only memory map of a whole file: the CSV readers parse straight from it, without
 * copying, and threads can read disjoint parts at once. An empty file maps to an empty view.
 *
 * A file truncated by another process while mapped does not kill notspot with SIGBUS: the
 * pages past its new end read as zeros and changed() says so; readers call check_unchanged()
 * before trusting what they read (the same check catches a file rewritten or replaced).
 *
 * Typical usage:
 * @code
 *   MappedFile file("premises.csv");
 *   std::string_view bytes = file.view();
 * @endcode
 */
class MappedFile {
 public:
  /// @throws engine::Error (kInput) naming the file and the system's reason.
  explicit MappedFile(const std::filesystem::path& path);
  ~MappedFile();
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::string_view view() const { return {data_, size_}; }

  /// Tells the kernel the pages of `part` (a view into this file) are done with: they leave
  /// the process's resident memory (a 2 GB premises file would otherwise count in full) and
  /// are read again from the page cache if touched. Views into `part` stay valid.
  void release(std::string_view part) const;
  /// Tells the kernel the file will be read here and there, not from start to end (the
  /// mapping's default): a touched page is read alone, without read-ahead, so sampling a few
  /// thousand rows of a 2 GB file reads a few thousand pages, not half a gigabyte.
  void expect_random_access() const;
  std::size_t size() const { return size_; }
  const std::filesystem::path& path() const { return path_; }

  /// What identifies one version of a file: device, inode, size and modification time.
  struct Identity {
    std::uint64_t device = 0;
    std::uint64_t inode = 0;
    std::uint64_t size = 0;
    std::int64_t mtime_ns = 0;
    bool operator==(const Identity&) const = default;
  };
  /// The file as it was when opened.
  const Identity& opened() const { return opened_; }

  /// Whether the file is not what was opened: a read past a truncation (zeros were read), or
  /// the path now has another size, modification time or inode (rewritten, replaced, gone).
  bool changed() const;

  /// @throws engine::Error (kInput) naming `display`, "changed while it was being read; ...
  ///   rerun when the refresh has finished", when changed().
  void check_unchanged(const std::string& display) const;

 private:
  void unmap();

  std::filesystem::path path_;
  const char* data_ = nullptr;
  std::size_t size_ = 0;
  void* slot_ = nullptr;  // the SIGBUS guard's record of this mapping
  Identity opened_;
};

}  // namespace notspot::io
