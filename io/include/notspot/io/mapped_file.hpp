#pragma once

#include <cstddef>
#include <filesystem>
#include <string_view>

namespace notspot::io {

/**
 * A read-only memory map of a whole file: the CSV readers parse straight from it, without
 * copying, and threads can read disjoint parts at once. An empty file maps to an empty view.
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
  std::size_t size() const { return size_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  const char* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace notspot::io
