#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "notspot/io/mapped_file.hpp"

namespace notspot::io {

/// One member of a ZIP archive, as its central directory describes it.
struct ZipMember {
  std::string name;  ///< As stored, e.g. "Data/osopenuprn_202610.csv".
  std::uint64_t compressed_size = 0;
  std::uint64_t uncompressed_size = 0;
  std::uint32_t crc32 = 0;
  std::uint16_t method = 0;  ///< 0 stored, 8 deflate; others are refused when read.
  std::uint16_t flags = 0;   ///< Bit 0: encrypted.
  std::uint64_t local_header_offset = 0;
  bool is_directory() const { return !name.empty() && name.back() == '/'; }
  bool encrypted() const { return (flags & 1) != 0; }
};

/**
 * A ZIP archive read from its central directory (ZIP64 included), without minizip: the members'
 * names and sizes come from the directory, and a member's compressed bytes are a view into the
 * mapped archive. Archives nested in archives are read from memory (a member decompressed).
 *
 * Typical usage:
 * @code
 *   ZipArchive zip("osopenuprn_202610_csv.zip");
 *   const ZipMember& m = zip.single_match("*.csv", "premises");
 *   ZipMemberBytes bytes = zip.extract(m);
 * @endcode
 */
class ZipArchive {
 public:
  /// Maps and reads the archive. @throws engine::Error (kInput) naming the file when it is not
  /// a ZIP archive or its directory is damaged.
  /// @param display how messages name the archive. DEFAULT: its path.
  explicit ZipArchive(const std::filesystem::path& path, std::string display = {});
  /// An archive held in memory (`bytes` must outlive it), named `display` in messages.
  ZipArchive(std::string_view bytes, std::string display);

  const std::vector<ZipMember>& members() const { return members_; }
  const std::string& display() const { return display_; }
  /// The mapped archive file; null for an archive held in memory.
  const std::shared_ptr<const MappedFile>& file() const { return file_; }

  /// Members (not folders) whose whole name matches the glob `pattern` (fnmatch: `*`, `?`,
  /// `[...]`; `*` also matches `/`), in directory order.
  std::vector<const ZipMember*> match(std::string_view pattern) const;

  /// "a.csv (12 bytes), b.csv (7 bytes)" (at most 20), for messages.
  std::string describe_members() const;

  /// The member's compressed bytes. @throws engine::Error (kInput) when its local header is
  /// damaged or its data runs past the end of the archive.
  std::string_view compressed(const ZipMember& member) const;

 private:
  void read_directory();

  std::shared_ptr<const MappedFile> file_;
  std::string_view bytes_;
  std::string display_;
  std::vector<ZipMember> members_;
};

/// Whether `path` names a ZIP archive: its extension is .zip (any case).
bool has_zip_extension(const std::filesystem::path& path);

/**
 * Bytes decompressed into an anonymous memory mapping of the member's uncompressed size.
 * Checked against the archive's CRC-32; the SHA-256 of the bytes is computed in the same pass
 * when asked.
 */
class DecompressedBytes {
 public:
  DecompressedBytes() = default;
  ~DecompressedBytes();
  DecompressedBytes(DecompressedBytes&& other) noexcept;
  DecompressedBytes& operator=(DecompressedBytes&& other) noexcept;
  DecompressedBytes(const DecompressedBytes&) = delete;
  DecompressedBytes& operator=(const DecompressedBytes&) = delete;

  std::string_view view() const { return {data_, size_}; }

  /**
   * Decompresses `member` of `archive` (stored or deflate).
   * @throws engine::Error (kInput) naming the archive and the member on an encrypted member, an
   *   unsupported method, damaged data or a CRC-32 mismatch.
   */
  static DecompressedBytes extract(const ZipArchive& archive, const ZipMember& member);

 private:
  char* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t mapped_ = 0;
};

/// What was read of one archive member, for the manifest.
struct MemberRead {
  std::string name;  ///< "inner.zip/x.csv" for a member of a nested archive.
  std::uint64_t uncompressed_size = 0;
  std::uint32_t crc32 = 0;  ///< From the archive, checked against the bytes.
};

/**
 * The bytes of an input: a file mapped as it is, or, for a ZIP archive, its member(s)
 * decompressed into memory. What the CSV readers parse.
 *
 * Members: `member` is a glob over the archive's member names. A name `outer/inner.zip/…` whose
 * prefix up to `.zip/` names a member that is itself an archive descends into it (Ofcom's
 * release ZIP holding a ZIP of per-area CSVs: member = "*_postcode_files.zip/ *.csv").
 * Without `member`: the archive's only member with a .csv or .txt extension (or its only
 * member at all). Several matching members are read by the caller (CsvFile) one after another.
 *
 * Changes to the archive while it is read are caught by check_unchanged().
 */
class InputBytes {
 public:
  /// A plain file, mapped. @throws as MappedFile.
  explicit InputBytes(const std::filesystem::path& path);
  /// One decompressed member; `archive` is the mapped archive file (kept for change checks).
  InputBytes(std::shared_ptr<const MappedFile> archive, DecompressedBytes bytes, MemberRead member);

  std::string_view view() const;
  /// Gives back the pages of `part` for a mapped file (MappedFile::release); nothing for a
  /// decompressed member, whose memory holds the only copy.
  void release(std::string_view part) const;
  void expect_random_access() const;
  std::size_t size() const { return view().size(); }
  /// Whether the file (or the archive) changed since it was opened.
  bool changed() const;
  /// @throws engine::Error (kInput) as MappedFile::check_unchanged(), for the archive.
  void check_unchanged(const std::string& display) const;
  /// The member read; nullopt for a plain file.
  const std::optional<MemberRead>& member() const { return member_; }

 private:
  std::shared_ptr<const MappedFile> file_;  // the file, or the archive holding the member
  DecompressedBytes bytes_;
  std::optional<MemberRead> member_;
};

/**
 * Opens `path` as CSV input bytes: a plain file, or the members of a ZIP archive that `member`
 * selects (see InputBytes).
 * @param allow_several when false, a pattern matching several members is an error.
 * @throws engine::Error (kInput) naming `display` (the archive) when the archive cannot be
 *   read, no member matches (listing the members), several match and !allow_several, or a
 *   member cannot be decompressed; (kStudy) when `member` is given for a path that is not a
 *   ZIP archive.
 */
std::vector<InputBytes> open_input_bytes(const std::filesystem::path& path,
                                         const std::optional<std::string>& member,
                                         const std::string& display, bool allow_several);

/**
 * The GDAL name of a vector (or raster) input: `path` itself, or for a ZIP archive
 * `/vsizip/{path}` (GDAL finds the dataset in it) or `/vsizip/{path}/MEMBER` for the one member
 * the glob `member` matches (nested archives as in InputBytes).
 * @param member_name when given, set to the member opened ("inner.zip/x.shp" in a nested
 *   archive), or left as it is without `member`.
 * @throws engine::Error as open_input_bytes() for a member pattern.
 */
std::string gdal_input_name(const std::filesystem::path& path,
                            const std::optional<std::string>& member, const std::string& display,
                            std::string* member_name = nullptr);

/**
 * Whether `text` names a source GDAL opens that is not a file: a connection string (`PG:`,
 * `WFS:`, `OAPIF:`, `MSSQL:`, `MySQL:`, `OCI:`, `ODBC:`, `ElasticSearch:`) or a network path
 * (`/vsicurl/`, `/vsis3/`, `/vsigs/`, `/vsiaz/`, `/vsiadls/`, `/vsiswift/`, `http://`, `https://`).
 */
bool is_non_file_source(std::string_view text);

/// `text` with the password of a connection string hidden: `password=secret` (any case, quoted
/// or not) becomes `password=***`, as does the password in a URL's user info
/// (`https://user:secret@host` to `https://user:***@host`).
std::string redact_source(std::string_view text);

}  // namespace notspot::io
