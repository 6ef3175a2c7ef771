#pragma once

#include <string>
#include <string_view>

namespace notspot::outputs::detail {

/// `text` with & < > " ' as character references, safe in XML and HTML text and attribute
/// values (QML styles, report.html).
inline std::string markup_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace notspot::outputs::detail
