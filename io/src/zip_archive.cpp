#include "notspot/io/zip_archive.hpp"

#include <fmt/format.h>
#include <fnmatch.h>
#include <libdeflate.h>
#include <sys/mman.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <exception>
#include <utility>

#include "notspot/engine/cancellation.hpp"
#include "notspot/engine/error.hpp"

namespace notspot::io {
namespace {

constexpr std::uint32_t kLocalHeader = 0x04034b50;
constexpr std::uint32_t kCentralHeader = 0x02014b50;
constexpr std::uint32_t kEndOfDirectory = 0x06054b50;
constexpr std::uint32_t kZip64EndOfDirectory = 0x06064b50;
constexpr std::uint32_t kZip64Locator = 0x07064b50;

std::uint16_t u16(std::string_view b, std::size_t at) {
  return static_cast<std::uint16_t>(static_cast<unsigned char>(b[at]) |
                                    static_cast<unsigned char>(b[at + 1]) << 8);
}
std::uint32_t u32(std::string_view b, std::size_t at) {
  return static_cast<std::uint32_t>(u16(b, at)) | static_cast<std::uint32_t>(u16(b, at + 2)) << 16;
}
std::uint64_t u64(std::string_view b, std::size_t at) {
  return static_cast<std::uint64_t>(u32(b, at)) | static_cast<std::uint64_t>(u32(b, at + 4)) << 32;
}

std::string method_name(std::uint16_t method) {
  switch (method) {
    case 9:
      return "Deflate64";
    case 12:
      return "bzip2";
    case 14:
      return "LZMA";
    case 93:
      return "Zstandard";
    case 95:
      return "XZ";
    case 98:
      return "PPMd";
    default:
      return "method " + std::to_string(method);
  }
}

bool is_text_name(std::string_view name) {
  const auto dot = name.rfind('.');
  if (dot == std::string_view::npos) return false;
  std::string extension(name.substr(dot));
  for (char& c : extension) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return extension == ".csv" || extension == ".txt";
}

bool name_is_zip(std::string_view name) {
  if (name.size() < 4) return false;
  std::string extension(name.substr(name.size() - 4));
  for (char& c : extension) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return extension == ".zip";
}

}  // namespace

bool has_zip_extension(const std::filesystem::path& path) {
  return name_is_zip(path.filename().string());
}

ZipArchive::ZipArchive(const std::filesystem::path& path, std::string display)
    : file_(std::make_shared<const MappedFile>(path)),
      bytes_(file_->view()),
      display_(display.empty() ? path.string() : std::move(display)) {
  read_directory();
}

ZipArchive::ZipArchive(std::string_view bytes, std::string display)
    : bytes_(bytes), display_(std::move(display)) {
  read_directory();
}

void ZipArchive::read_directory() {
  const std::string_view b = bytes_;
  auto damaged = [&](const std::string& what) {
    return engine::input_error(display_ + ": not a readable ZIP archive (" + what +
                               "); is the download complete? `unzip -t` tests it");
  };
  // The end-of-directory record is in the last 22 + 65535 bytes (it ends with a comment).
  if (b.size() < 22) throw damaged("too short to hold a ZIP directory");
  std::size_t eocd = std::string_view::npos;
  const std::size_t lowest = b.size() > 22 + 65535 ? b.size() - 22 - 65535 : 0;
  for (std::size_t at = b.size() - 22;; --at) {
    if (u32(b, at) == kEndOfDirectory && at + 22 + u16(b, at + 20) <= b.size()) {
      eocd = at;
      break;
    }
    if (at == lowest) break;
  }
  if (eocd == std::string_view::npos) throw damaged("no end-of-directory record");
  std::uint64_t entries = u16(b, eocd + 10);
  std::uint64_t directory_size = u32(b, eocd + 12);
  std::uint64_t directory_offset = u32(b, eocd + 16);
  if ((entries == 0xFFFF || directory_size == 0xFFFFFFFF || directory_offset == 0xFFFFFFFF) &&
      eocd >= 20 && u32(b, eocd - 20) == kZip64Locator) {
    const std::uint64_t record = u64(b, eocd - 20 + 8);
    if (record + 56 > b.size() || u32(b, record) != kZip64EndOfDirectory) {
      throw damaged("the ZIP64 end-of-directory record is missing");
    }
    entries = u64(b, record + 32);
    directory_size = u64(b, record + 40);
    directory_offset = u64(b, record + 48);
  }
  if (directory_offset + directory_size > b.size()) throw damaged("the directory is cut short");
  std::size_t at = directory_offset;
  const std::size_t end = directory_offset + directory_size;
  members_.reserve(std::min<std::uint64_t>(entries, 1 << 20));
  for (std::uint64_t i = 0; i < entries; ++i) {
    if (at + 46 > end || u32(b, at) != kCentralHeader) {
      throw damaged(fmt::format("directory entry {} of {} is damaged", i + 1, entries));
    }
    ZipMember m;
    m.flags = u16(b, at + 8);
    m.method = u16(b, at + 10);
    m.crc32 = u32(b, at + 16);
    m.compressed_size = u32(b, at + 20);
    m.uncompressed_size = u32(b, at + 24);
    const std::size_t name_length = u16(b, at + 28);
    const std::size_t extra_length = u16(b, at + 30);
    const std::size_t comment_length = u16(b, at + 32);
    m.local_header_offset = u32(b, at + 42);
    if (at + 46 + name_length + extra_length + comment_length > end) {
      throw damaged(fmt::format("directory entry {} of {} is cut short", i + 1, entries));
    }
    m.name = std::string(b.substr(at + 46, name_length));
    // ZIP64: the fields set to all ones are in the extra field 0x0001, in this order.
    std::string_view extra = b.substr(at + 46 + name_length, extra_length);
    for (std::size_t e = 0; e + 4 <= extra.size();) {
      const std::uint16_t id = u16(extra, e);
      const std::size_t size = u16(extra, e + 2);
      if (e + 4 + size > extra.size()) break;
      if (id == 0x0001) {
        std::size_t f = e + 4;
        auto take = [&](std::uint64_t& field) {
          if (f + 8 <= e + 4 + size) {
            field = u64(extra, f);
            f += 8;
          }
        };
        if (m.uncompressed_size == 0xFFFFFFFF) take(m.uncompressed_size);
        if (m.compressed_size == 0xFFFFFFFF) take(m.compressed_size);
        if (m.local_header_offset == 0xFFFFFFFF) take(m.local_header_offset);
      }
      e += 4 + size;
    }
    members_.push_back(std::move(m));
    at += 46 + name_length + extra_length + comment_length;
  }
}

std::vector<const ZipMember*> ZipArchive::match(std::string_view pattern) const {
  const std::string p(pattern);
  std::vector<const ZipMember*> out;
  for (const ZipMember& m : members_) {
    if (!m.is_directory() && ::fnmatch(p.c_str(), m.name.c_str(), 0) == 0) out.push_back(&m);
  }
  return out;
}

std::string ZipArchive::describe_members() const {
  std::string out;
  std::size_t shown = 0;
  std::size_t files = 0;
  for (const ZipMember& m : members_) {
    if (m.is_directory()) continue;
    ++files;
    if (shown == 20) continue;
    if (!out.empty()) out += ", ";
    out += fmt::format("{} ({} bytes)", m.name, m.uncompressed_size);
    ++shown;
  }
  if (files > shown) out += fmt::format(" and {} more", files - shown);
  return out.empty() ? "none" : out;
}

std::string_view ZipArchive::compressed(const ZipMember& member) const {
  const std::string_view b = bytes_;
  const std::uint64_t at = member.local_header_offset;
  if (at + 30 > b.size() || u32(b, at) != kLocalHeader) {
    throw engine::input_error(display_ + ": member " + member.name +
                              ": its local header is damaged; is the archive complete? `unzip -t` "
                              "tests it");
  }
  const std::uint64_t data = at + 30 + u16(b, at + 26) + u16(b, at + 28);
  if (data + member.compressed_size > b.size()) {
    throw engine::input_error(display_ + ": member " + member.name +
                              ": its data runs past the end of the archive; is the download "
                              "complete?");
  }
  return b.substr(data, member.compressed_size);
}

DecompressedBytes::~DecompressedBytes() {
  if (data_ != nullptr) ::munmap(data_, mapped_);
}

DecompressedBytes::DecompressedBytes(DecompressedBytes&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      mapped_(std::exchange(other.mapped_, 0)) {}

DecompressedBytes& DecompressedBytes::operator=(DecompressedBytes&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr) ::munmap(data_, mapped_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    mapped_ = std::exchange(other.mapped_, 0);
  }
  return *this;
}

DecompressedBytes DecompressedBytes::extract(const ZipArchive& archive, const ZipMember& member) {
  const std::string where = archive.display() + ": member " + member.name;
  if (member.encrypted()) {
    throw engine::input_error(where +
                              " is encrypted (password-protected); extract it with the "
                              "password and name the extracted file");
  }
  if (member.method != 0 && member.method != 8) {
    throw engine::input_error(where + " is compressed with " + method_name(member.method) +
                              ", which notspot does not read (only stored and deflate); "
                              "extract it, or re-zip it with plain deflate (`zip`)");
  }
  const std::string_view in = archive.compressed(member);
  DecompressedBytes out;
  out.size_ = static_cast<std::size_t>(member.uncompressed_size);
  out.mapped_ = std::max<std::size_t>(out.size_, 1);
  void* p =
      ::mmap(nullptr, out.mapped_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    throw engine::input_error(where + fmt::format(": cannot reserve {} bytes of memory to "
                                                  "decompress it: {}",
                                                  out.size_, std::strerror(errno)));
  }
  out.data_ = static_cast<char*>(p);
  ::madvise(p, out.mapped_, MADV_HUGEPAGE);
  if (member.method == 0) {
    if (in.size() != out.size_) {
      throw engine::input_error(where +
                                ": stored member with different compressed and "
                                "uncompressed sizes; the archive is damaged");
    }
    std::memcpy(out.data_, in.data(), in.size());
  } else {
    std::unique_ptr<libdeflate_decompressor, void (*)(libdeflate_decompressor*)> d(
        libdeflate_alloc_decompressor(), libdeflate_free_decompressor);
    if (!d) throw engine::internal_error("libdeflate cannot allocate a decompressor");
    std::size_t actual = 0;
    const libdeflate_result r =
        libdeflate_deflate_decompress(d.get(), in.data(), in.size(), out.data_, out.size_, &actual);
    if (r != LIBDEFLATE_SUCCESS || actual != out.size_) {
      throw engine::input_error(
          where +
          (r == LIBDEFLATE_INSUFFICIENT_SPACE || (r == LIBDEFLATE_SUCCESS)
               ? ": it decompresses to another size than the archive's directory says"
               : ": its compressed data is damaged") +
          "; the archive is corrupt: download it again (`unzip -t` tests it)");
    }
  }
  engine::throw_if_cancelled();
  // CRC-32 in pieces, so that a national member can be interrupted.
  std::uint32_t crc = 0;
  constexpr std::size_t kPiece = std::size_t{64} << 20;
  for (std::size_t at = 0; at < out.size_; at += kPiece) {
    crc = libdeflate_crc32(crc, out.data_ + at, std::min(kPiece, out.size_ - at));
    engine::throw_if_cancelled();
  }
  if (crc != member.crc32) {
    throw engine::input_error(
        where + fmt::format(": CRC-32 mismatch (the archive says {:08x}, the data gives {:08x}); "
                            "the archive is corrupt: download it again (`unzip -t` tests it)",
                            member.crc32, crc));
  }
  ::mprotect(out.data_, out.mapped_, PROT_READ);
  return out;
}

InputBytes::InputBytes(const std::filesystem::path& path)
    : file_(std::make_shared<const MappedFile>(path)) {}

InputBytes::InputBytes(std::shared_ptr<const MappedFile> archive, DecompressedBytes bytes,
                       MemberRead member)
    : file_(std::move(archive)), bytes_(std::move(bytes)), member_(std::move(member)) {}

std::string_view InputBytes::view() const {
  return member_ ? bytes_.view() : file_->view();
}

void InputBytes::release(std::string_view part) const {
  if (!member_) file_->release(part);
}

void InputBytes::expect_random_access() const {
  if (!member_) file_->expect_random_access();
}

bool InputBytes::changed() const {
  return file_->changed();
}

void InputBytes::check_unchanged(const std::string& display) const {
  // For a member ("archive.zip/member.csv"): the archive, which is what changed.
  file_->check_unchanged(member_ && display.size() > member_->name.size() + 1
                             ? display.substr(0, display.size() - member_->name.size() - 1)
                             : display);
}

namespace {

// "a.csv, b.csv" for the first 20 members of a list, then "and N more": for messages.
std::string member_names(const std::vector<const ZipMember*>& members) {
  std::string names;
  for (std::size_t i = 0; i < members.size() && i < 20; ++i) {
    names += (i ? ", " : "") + members[i]->name;
  }
  if (members.size() > 20) names += fmt::format(" and {} more", members.size() - 20);
  return names;
}

// Resolves `pattern` (or the default) in `archive`, descending into nested archives, and
// extracts every member it selects into `out`. `prefix` names the enclosing members.
void extract_matching(const ZipArchive& archive, const std::shared_ptr<const MappedFile>& file,
                      const std::optional<std::string>& pattern, const std::string& prefix,
                      const std::string& display, bool allow_several,
                      std::vector<InputBytes>& out) {
  std::vector<const ZipMember*> chosen;
  if (pattern) {
    // A nested archive: the shortest prefix ending ".zip/" that matches a member.
    for (std::size_t slash = pattern->find('/'); slash != std::string::npos;
         slash = pattern->find('/', slash + 1)) {
      const std::string head = pattern->substr(0, slash);
      if (!name_is_zip(head)) continue;
      const std::vector<const ZipMember*> inner = archive.match(head);
      if (inner.empty()) continue;
      if (inner.size() > 1) {
        throw engine::study_error(fmt::format(
            "{}: member pattern '{}' matches {} archives ({}{}); name one", display, head,
            inner.size(), inner[0]->name, inner.size() > 1 ? ", " + inner[1]->name + ", ..." : ""));
      }
      const DecompressedBytes inner_bytes = DecompressedBytes::extract(archive, *inner[0]);
      const ZipArchive nested(inner_bytes.view(), archive.display() + ": " + inner[0]->name);
      extract_matching(nested, file, pattern->substr(slash + 1), prefix + inner[0]->name + "/",
                       display, allow_several, out);
      return;
    }
    chosen = archive.match(*pattern);
    if (chosen.empty()) {
      throw engine::input_error(fmt::format(
          "{}: no member matches member = \"{}{}\"; the archive holds: {}. Give a pattern "
          "matching one of them (* matches any characters)",
          display, prefix, *pattern, archive.describe_members()));
    }
  } else {
    std::vector<const ZipMember*> files;
    for (const ZipMember& m : archive.members()) {
      if (m.is_directory()) continue;
      files.push_back(&m);
      if (is_text_name(m.name)) chosen.push_back(&m);
    }
    if (chosen.empty() && files.size() == 1) chosen = files;
    if (chosen.empty()) {
      throw engine::input_error(fmt::format(
          "{}: the archive holds no .csv or .txt member; it holds: {}. Name the member to read "
          "with member = \"...\"",
          display, archive.describe_members()));
    }
    if (chosen.size() > 1) {
      const std::string names = member_names(chosen);
      throw engine::study_error(fmt::format(
          "{}: the archive holds {} CSV members ({}); choose with member = \"...\" (a glob, "
          "e.g. member = \"{}\"{})",
          display, chosen.size(), names, chosen[0]->name,
          allow_several ? ", or member = \"*.csv\" to read them all as one table" : ""));
    }
  }
  if (chosen.size() > 1 && !allow_several) {
    const std::string names = member_names(chosen);
    throw engine::study_error(fmt::format(
        "{}: member = \"{}{}\" matches {} members ({}); this input reads one: make the pattern "
        "match one of them",
        display, prefix, pattern.value_or(""), chosen.size(), names));
  }
  // Members are independent deflate streams: decompressed at once, one per thread (Ofcom's
  // 121 per-area files), though one member is one thread's work.
  std::vector<DecompressedBytes> bytes(chosen.size());
  std::vector<std::exception_ptr> errors(chosen.size());
  tbb::parallel_for(std::size_t{0}, chosen.size(), [&](std::size_t i) {
    try {
      bytes[i] = DecompressedBytes::extract(archive, *chosen[i]);
    } catch (...) {
      errors[i] = std::current_exception();
    }
  });
  // The first damaged member in archive order, whatever the threads did first.
  for (const std::exception_ptr& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    const ZipMember* m = chosen[i];
    out.emplace_back(file, std::move(bytes[i]),
                     MemberRead{prefix + m->name, m->uncompressed_size, m->crc32});
  }
}

// `member` names a file inside a ZIP archive: on any other path it is a mistake, not ignored.
void refuse_member_without_archive(const std::optional<std::string>& member,
                                   const std::string& display) {
  if (!member) return;
  throw engine::study_error(fmt::format(
      "{}: member = \"{}\" is given, but the path is not a ZIP archive (.zip); remove member, "
      "or name the archive",
      display, *member));
}

}  // namespace

std::vector<InputBytes> open_input_bytes(const std::filesystem::path& path,
                                         const std::optional<std::string>& member,
                                         const std::string& display, bool allow_several) {
  std::vector<InputBytes> out;
  if (!has_zip_extension(path)) {
    refuse_member_without_archive(member, display);
    out.emplace_back(path);
    return out;
  }
  const ZipArchive archive(path, display);
  // The archive's mapping is kept by its members, for the changed-while-read check.
  extract_matching(archive, archive.file(), member, "", display, allow_several, out);
  for (const InputBytes& bytes : out) bytes.check_unchanged(display);
  return out;
}

std::string gdal_input_name(const std::filesystem::path& path,
                            const std::optional<std::string>& member, const std::string& display,
                            std::string* member_name) {
  if (!has_zip_extension(path)) {
    refuse_member_without_archive(member, display);
    return path.string();
  }
  std::string name = "/vsizip/{" + path.string() + "}";
  if (!member) return name;
  // Resolve the glob against the directory (nested archives by GDAL's own nesting).
  const ZipArchive archive(path, display);
  std::string pattern = *member;
  std::string resolved;
  std::optional<DecompressedBytes> inner_bytes;
  std::optional<ZipArchive> nested;
  const ZipArchive* current = &archive;
  for (;;) {
    bool descended = false;
    for (std::size_t slash = pattern.find('/'); slash != std::string::npos;
         slash = pattern.find('/', slash + 1)) {
      const std::string head = pattern.substr(0, slash);
      if (!name_is_zip(head)) continue;
      const std::vector<const ZipMember*> inner = current->match(head);
      if (inner.size() != 1) continue;
      name = "/vsizip/{" + name + "/" + inner[0]->name + "}";
      resolved += inner[0]->name + "/";
      DecompressedBytes bytes = DecompressedBytes::extract(*current, *inner[0]);
      ZipArchive next(bytes.view(), current->display() + ": " + inner[0]->name);
      inner_bytes.reset();
      nested.reset();
      inner_bytes.emplace(std::move(bytes));
      nested.emplace(inner_bytes->view(), next.display());
      current = &*nested;
      pattern = pattern.substr(slash + 1);
      descended = true;
      break;
    }
    if (!descended) break;
  }
  const std::vector<const ZipMember*> chosen = current->match(pattern);
  if (chosen.empty()) {
    throw engine::input_error(fmt::format(
        "{}: no member matches member = \"{}\"; the archive holds: {}. Give a pattern matching "
        "one of them (* matches any characters)",
        display, *member, current->describe_members()));
  }
  if (chosen.size() > 1) {
    const std::string names = member_names(chosen);
    throw engine::study_error(fmt::format(
        "{}: member = \"{}\" matches {} members ({}); a vector input reads one dataset: make "
        "the pattern match one (for a Shapefile, its .shp)",
        display, *member, chosen.size(), names));
  }
  if (member_name != nullptr) *member_name = resolved + chosen[0]->name;
  return name + "/" + chosen[0]->name;
}

bool is_non_file_source(std::string_view text) {
  static constexpr std::string_view kPrefixes[] = {
      "PG:",       "WFS:",           "OAPIF:",    "MSSQL:",  "MySQL:",  "OCI:",
      "ODBC:",     "ElasticSearch:", "/vsicurl/", "/vsis3/", "/vsigs/", "/vsiaz/",
      "/vsiadls/", "/vsiswift/",     "http://",   "https://"};
  for (std::string_view prefix : kPrefixes) {
    if (text.size() >= prefix.size() &&
        std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return true;
    }
  }
  return false;
}

std::string redact_source(std::string_view text) {
  std::string out(text);
  // password=... in a connection string (PG: "dbname=x password=secret", or quoted).
  std::string lower = out;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (std::size_t at = lower.find("password"); at != std::string::npos;
       at = lower.find("password", at + 1)) {
    std::size_t eq = at + 8;
    while (eq < out.size() && out[eq] == ' ') ++eq;
    if (eq >= out.size() || out[eq] != '=') continue;
    std::size_t begin = eq + 1;
    while (begin < out.size() && out[begin] == ' ') ++begin;
    std::size_t end = begin;
    if (begin < out.size() && (out[begin] == '\'' || out[begin] == '"')) {
      const char quote = out[begin];
      end = begin + 1;
      while (end < out.size() && out[end] != quote) end += out[end] == '\\' ? 2 : 1;
      end = std::min(end + 1, out.size());
    } else {
      while (end < out.size() && out[end] != ' ' && out[end] != '&' && out[end] != ';' &&
             out[end] != '\'' && out[end] != '"')
        ++end;
    }
    out.replace(begin, end - begin, "***");
    lower.replace(begin, end - begin, "***");
  }
  // user:password@host in a URL.
  const std::size_t scheme = out.find("://");
  if (scheme != std::string::npos) {
    const std::size_t host_end = out.find_first_of("/?#", scheme + 3);
    const std::size_t at = out.rfind('@', host_end == std::string::npos ? out.size() : host_end);
    if (at != std::string::npos && at > scheme) {
      const std::size_t colon = out.find(':', scheme + 3);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  return out;
}

}  // namespace notspot::io
