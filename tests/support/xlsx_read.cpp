#include "support/xlsx_read.hpp"

#include <cstdio>
#include <cstring>
#include <regex>
#include <stdexcept>

namespace notspot::test {

std::string unzip_member(const std::filesystem::path& zip, const std::string& member) {
  const std::string command = "unzip -p '" + zip.string() + "' '" + member + "'";
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("cannot run " + command);
  std::string out;
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
  if (::pclose(pipe) != 0) throw std::runtime_error(command + " failed");
  return out;
}

std::string xml_unescape(std::string s) {
  const std::pair<const char*, const char*> entities[] = {
      {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}, {"&amp;", "&"}};
  for (const auto& [from, to] : entities) {
    for (std::size_t at; (at = s.find(from)) != std::string::npos;) s.replace(at, strlen(from), to);
  }
  return s;
}

std::string column_letters(std::size_t column) {
  std::string out;
  for (std::size_t n = column + 1; n > 0; n = (n - 1) / 26) {
    out.insert(out.begin(), static_cast<char>('A' + (n - 1) % 26));
  }
  return out;
}

std::map<std::string, XmlCell> cells_of(const std::string& sheet_xml) {
  std::map<std::string, XmlCell> cells;
  static const std::regex cell_re(R"re(<c r="([A-Z]+[0-9]+)"([^>]*?)(?:/>|>(.*?)</c>))re");
  static const std::regex type_re(R"re(\bt="([^"]*)")re");
  static const std::regex style_re(R"re(\bs="([0-9]+)")re");
  static const std::regex value_re(R"re(<v>(.*?)</v>)re");
  for (auto it = std::sregex_iterator(sheet_xml.begin(), sheet_xml.end(), cell_re);
       it != std::sregex_iterator(); ++it) {
    XmlCell cell;
    const std::string attributes = (*it)[2];
    const std::string body = (*it)[3];
    std::smatch m;
    if (std::regex_search(attributes, m, type_re)) cell.type = m[1];
    if (std::regex_search(attributes, m, style_re)) cell.style = std::stoi(m[1]);
    if (std::regex_search(body, m, value_re)) cell.value = m[1];
    cells[(*it)[1]] = cell;
  }
  return cells;
}

std::vector<std::string> shared_strings(const std::string& xml) {
  std::vector<std::string> out;
  static const std::regex si_re(R"re(<si><t[^>]*>(.*?)</t></si>)re");
  for (auto it = std::sregex_iterator(xml.begin(), xml.end(), si_re); it != std::sregex_iterator();
       ++it) {
    out.push_back(xml_unescape((*it)[1]));
  }
  return out;
}

}  // namespace notspot::test
