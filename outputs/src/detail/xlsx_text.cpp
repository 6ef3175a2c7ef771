#include "detail/xlsx_text.hpp"

namespace notspot::outputs::detail {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr std::string_view kEllipsis = "\xE2\x80\xA6";     // U+2026, one UTF-16 unit

// The code point of the well-formed UTF-8 sequence at the start of `s` and its length, or
// length 0 when the bytes are not well-formed (RFC 3629).
struct Decoded {
  char32_t code_point = 0;
  std::size_t length = 0;
};

Decoded decode(std::string_view s) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const auto continuation = [&](std::size_t i) { return i < s.size() && (byte(i) & 0xC0) == 0x80; };
  const unsigned char b = byte(0);
  if (b < 0x80) return {b, 1};
  if (b >= 0xC2 && b <= 0xDF && continuation(1)) {
    return {static_cast<char32_t>((b & 0x1F) << 6 | (byte(1) & 0x3F)), 2};
  }
  if (b >= 0xE0 && b <= 0xEF && continuation(1) && continuation(2)) {
    const char32_t cp = (b & 0x0F) << 12 | (byte(1) & 0x3F) << 6 | (byte(2) & 0x3F);
    if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF)) return {};  // overlong, surrogate
    return {cp, 3};
  }
  if (b >= 0xF0 && b <= 0xF4 && continuation(1) && continuation(2) && continuation(3)) {
    const char32_t cp =
        (b & 0x07) << 18 | (byte(1) & 0x3F) << 12 | (byte(2) & 0x3F) << 6 | (byte(3) & 0x3F);
    if (cp < 0x10000 || cp > 0x10FFFF) return {};
    return {cp, 4};
  }
  return {};
}

bool xml_allows(char32_t cp) {
  if (cp < 0x20) return cp == '\t' || cp == '\n' || cp == '\r';
  return cp != 0xFFFE && cp != 0xFFFF;
}

}  // namespace

XlsxText xlsx_text(std::string_view text, std::size_t limit) {
  XlsxText out;
  out.text.reserve(text.size());
  std::size_t units = 0;  // UTF-16 code units written so far
  std::size_t i = 0;
  while (i < text.size()) {
    Decoded d = decode(text.substr(i));
    std::string_view piece = text.substr(i, d.length);
    if (d.length == 0 || !xml_allows(d.code_point)) {
      piece = kReplacement;
      out.replaced = true;
      d.length = d.length == 0 ? 1 : d.length;
      d.code_point = 0xFFFD;
    }
    const std::size_t piece_units = d.code_point >= 0x10000 ? 2 : 1;
    if (units + piece_units > limit) {
      out.cut = true;
      break;
    }
    out.text.append(piece);
    units += piece_units;
    i += d.length;
  }
  if (out.cut) {
    // Room for the ellipsis: drop whole characters from the end until it fits.
    while (units + 1 > limit && !out.text.empty()) {
      std::size_t start = out.text.size() - 1;
      while (start > 0 && (static_cast<unsigned char>(out.text[start]) & 0xC0) == 0x80) --start;
      units -= out.text.size() - start == 4 ? 2 : 1;
      out.text.resize(start);
    }
    if (units + 1 <= limit) out.text.append(kEllipsis);
  }
  return out;
}

}  // namespace notspot::outputs::detail
