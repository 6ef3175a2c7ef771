#include "notspot/outputs/html_report.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <numeric>

#include "detail/html_map.hpp"
#include "detail/markup.hpp"
#include "notspot/engine/error.hpp"
#include "notspot/outputs/data_dates.hpp"
#include "notspot/outputs/map_classes.hpp"
#include "notspot/outputs/quality_status.hpp"
#include "notspot/outputs/targets.hpp"

namespace notspot::outputs {
namespace {

constexpr std::size_t kMostInNeed = 10;
constexpr std::size_t kMaxWarnings = 200;
constexpr std::size_t kMaxChangedAreas = 20;

// The page's behaviour: table sorting and filtering, map read-outs, profiles opened from
// links. Plain DOM code without data in it, so that its hash can go in the CSP.
constexpr std::string_view kScript = R"JS((function () {
  'use strict';
  var doc = document;
  function openProfile(id, focus) {
    var d = doc.getElementById(id);
    if (!d || d.tagName !== 'DETAILS') return;
    d.open = true;
    if (focus) {
      if (location.hash !== '#' + id) location.hash = id;
      d.querySelector('summary').focus();
    }
  }
  function fromHash() {
    if (location.hash.length > 1) openProfile(decodeURIComponent(location.hash.slice(1)), false);
  }
  window.addEventListener('hashchange', fromHash);
  fromHash();
  Array.prototype.forEach.call(doc.querySelectorAll('figure.map'), function (fig) {
    var info = fig.querySelector('.map-info');
    function shape(e) { return e.target.closest ? e.target.closest('path.area') : null; }
    function show(e) { var p = shape(e); if (p) info.textContent = p.getAttribute('aria-label'); }
    fig.addEventListener('mouseover', show);
    fig.addEventListener('focusin', show);
    fig.addEventListener('click', function (e) {
      var p = shape(e);
      if (p) openProfile('p-' + p.getAttribute('data-p'), true);
    });
    fig.addEventListener('keydown', function (e) {
      var p = shape(e);
      if (p && (e.key === 'Enter' || e.key === ' ')) {
        e.preventDefault();
        openProfile('p-' + p.getAttribute('data-p'), true);
      }
    });
  });
  var table = doc.getElementById('parish-table');
  if (table) {
    var tbody = table.tBodies[0];
    var rows = Array.prototype.slice.call(tbody.rows);
    var keys = rows.map(function (r) {
      return (r.cells[0].textContent + ' ' + r.cells[1].textContent).toLowerCase();
    });
    rows.forEach(function (r, i) { r.setAttribute('data-i', String(i)); });
    var filter = doc.getElementById('table-filter');
    var below = doc.getElementById('table-below-target');
    var status = doc.getElementById('table-status');
    var apply = function () {
      var q = filter.value.trim().toLowerCase();
      var shown = 0;
      rows.forEach(function (r, i) {
        var ok = (!q || keys[i].indexOf(q) >= 0) &&
                 (!below || !below.checked || r.getAttribute('data-below') === '1');
        r.hidden = !ok;
        if (ok) shown++;
      });
      status.textContent = 'Showing ' + shown + ' of ' + rows.length + ' parishes.';
    };
    filter.addEventListener('input', apply);
    if (below) below.addEventListener('change', apply);
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, col) {
      var button = th.querySelector('button');
      if (!button) return;
      button.addEventListener('click', function () {
        var ascending = th.getAttribute('aria-sort') !== 'ascending';
        Array.prototype.forEach.call(heads, function (h) {
          if (h.hasAttribute('aria-sort')) h.setAttribute('aria-sort', 'none');
        });
        th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
        var numeric = th.getAttribute('data-type') === 'number';
        var sign = ascending ? 1 : -1;
        rows.sort(function (a, b) {
          var x = a.cells[col], y = b.cells[col], c = 0;
          if (numeric) {
            var vx = x.getAttribute('data-v'), vy = y.getAttribute('data-v');
            if (vx === '' || vy === '') {
              c = (vx === '') - (vy === '');
              if (c !== 0) return c;  // empty cells last, whatever the direction
            } else {
              c = sign * (parseFloat(vx) - parseFloat(vy));
            }
          } else {
            c = sign * x.textContent.localeCompare(y.textContent);
          }
          return c || (a.getAttribute('data-i') - b.getAttribute('data-i'));
        });
        rows.forEach(function (r) { tbody.appendChild(r); });
        rows = Array.prototype.slice.call(tbody.rows);
        keys = rows.map(function (r) {
          return (r.cells[0].textContent + ' ' + r.cells[1].textContent).toLowerCase();
        });
      });
    });
    doc.getElementById('table-controls').hidden = false;
    apply();
  }
  // Browsers without ::details-content print closed profiles empty: open them for printing.
  var openedForPrint = [];
  window.addEventListener('beforeprint', function () {
    Array.prototype.forEach.call(doc.querySelectorAll('details.profile'), function (d) {
      if (!d.open) { d.open = true; openedForPrint.push(d); }
    });
  });
  window.addEventListener('afterprint', function () {
    openedForPrint.forEach(function (d) { d.open = false; });
    openedForPrint = [];
  });
  doc.documentElement.setAttribute('data-report-ready', '1');
})();
)JS";

constexpr std::string_view kStyle = R"CSS(
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; overflow-wrap: break-word;
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans",
  sans-serif; color: #1b1b1b; background: #fff; }
main, header, footer { max-width: 1100px; margin: 0 auto; padding: 0 1rem; }
header { border-bottom: 4px solid #253494; padding-top: 1rem; }
h1 { font-size: 1.9rem; margin: .3rem 0; }
p.lead { font-size: 1.2rem; margin: 1.2rem 0 0; }
h2 { font-size: 1.5rem; margin-top: 2.5rem; border-bottom: 1px solid #767676; }
h3 { font-size: 1.2rem; }
a { color: #0b4f9c; }
a:focus, button:focus, input:focus, summary:focus, path.area:focus {
  outline: 3px solid #b3400a; outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; background: #fff; padding: .5rem 1rem;
  z-index: 10; }
.skip:focus { left: 1rem; }
nav ul { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .25rem 1.2rem; }
.muted { color: #4a4a4a; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(240px, 1fr)); gap: 1rem; }
.card { border: 1px solid #767676; border-radius: 6px; padding: .8rem 1rem; }
.card h3 { margin: 0 0 .3rem; font-size: 1.05rem; }
.card .big { font-size: 2rem; font-weight: 700; margin: 0; }
.status { display: inline-block; padding: .1rem .5rem; border-radius: 4px; font-weight: 600; }
.met { background: #e6f4e7; color: #1b5e20; }
.unmet { background: #fdecea; color: #8a1c1c; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { border-bottom: 1px solid #c4c4c4; padding: .3rem .5rem; text-align: left;
  vertical-align: top; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
thead th { background: #eef1f8; }
caption { text-align: left; font-weight: 600; padding: .3rem 0; }
th button { font: inherit; font-weight: 700; background: none; border: 0; padding: 0;
  color: #0b4f9c; cursor: pointer; text-align: inherit; }
th[aria-sort="ascending"] button::after { content: " \25B2"; }
th[aria-sort="descending"] button::after { content: " \25BC"; }
.table-wrap { overflow-x: auto; max-width: 100%; }
td { overflow-wrap: anywhere; }
td.n, details.profile td { overflow-wrap: normal; }
@media (max-width: 480px) {
  main, header, footer { padding: 0 .6rem; }
  th, td { padding: .25rem .3rem; }
  input[type="search"] { min-width: 0; width: 100%; }
}
#table-controls { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; }
#table-controls[hidden] { display: none; }
input[type="search"] { font: inherit; padding: .3rem .5rem; border: 1px solid #767676;
  border-radius: 4px; min-width: 18rem; }
figure.map { margin: 1.5rem 0; position: relative; }
figure.map svg { max-width: 100%; height: auto; display: block; }
path.area { stroke: #4d4d4d; stroke-width: .4; stroke-linejoin: round; cursor: pointer; }
path.area:hover, path.area:focus { stroke: #000; stroke-width: 2; }
path.outline { stroke: #1b1b1b; stroke-width: 1.6; stroke-linejoin: round; pointer-events: none; }
.legend-better { margin: .3rem 0; font-weight: 600; }
.legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .3rem 1.2rem; }
figure.map .legend svg { display: inline-block; vertical-align: middle; margin-right: .3rem; }
.map-info { min-height: 1.5em; font-weight: 600; }
details.profile { border: 1px solid #c4c4c4; border-radius: 4px; margin: .4rem 0;
  padding: .2rem .6rem; }
details.profile summary { cursor: pointer; font-weight: 600; }
details.profile td { text-align: right; font-variant-numeric: tabular-nums; }
details.profile:target { border-color: #253494; }
dl.glossary dt { font-weight: 700; margin-top: .7rem; }
dl.glossary dd { margin: .1rem 0 0 1.2rem; }
.delta-good { color: #1b5e20; } .delta-bad { color: #8a1c1c; }
.quality-banner { margin: 1rem 0 0; padding: .6rem 1rem .8rem; border: 3px solid #8a1c1c;
  border-left-width: 10px; border-radius: 4px; background: #fdecea; color: #3d0a0a; }
.quality-banner h2 { margin: 0 0 .3rem; border: 0; font-size: 1.35rem; color: #8a1c1c; }
.quality-banner ul { margin: .3rem 0; padding-left: 1.3rem; }
.quality-banner li { margin: .25rem 0; }
.quality-banner a { color: #6b1010; }
footer { margin-top: 3rem; padding-bottom: 2rem; border-top: 1px solid #767676; }
@media print {
  body { font-size: 10pt; }
  main, header, footer { max-width: none; padding: 0; }
  .skip, nav, #table-controls, .map-info { display: none !important; }
  h2 { break-after: avoid; }
  h3 { break-after: avoid; }
  figure.map, .card, tr, .legend, dl.glossary dd { break-inside: avoid; }
  figure.map svg { max-height: 200mm; }
  /* Every page of a long table starts with its header; the study row prints once, last. */
  thead { display: table-header-group; }
  tfoot { display: table-row-group; }
  th button { display: contents; color: inherit; }
  td, th { overflow-wrap: normal; }
  /* The table of all parishes is wide: its pages are landscape. */
  @page wide { size: A4 landscape; }
  #parishes { page: wide; }
  #parish-table { font-size: 8pt; }
  #parish-table tbody th { min-width: 9em; }
  #parish-table th, #parish-table td { padding: .15rem .3rem; }
  #parish-table td:nth-child(2) { white-space: nowrap; }
  /* Profiles print open, one to a page, compact enough for the page. */
  details.profile { break-before: page; break-inside: avoid; border: 0; padding: 0; margin: 0; }
  details.profile::details-content { content-visibility: visible; display: block; }
  details.profile summary { list-style: none; font-size: 12pt; margin-bottom: .2rem; }
  details.profile summary::-webkit-details-marker { display: none; }
  details.profile table { font-size: 7.5pt; line-height: 1.2; margin: 0; width: 100%; }
  details.profile th, details.profile td { padding: 0 .3rem; }
  details.profile td { white-space: nowrap; }
  details.profile caption { padding: 0; }
  details.profile p { margin: .2rem 0; font-size: 8pt; }
  #glossary { break-before: page; }
  a { color: inherit; text-decoration: none; }
  .table-wrap { overflow: visible; }
  .quality-banner { border: 3pt solid #000; border-left-width: 8pt; background: #fdecea;
    color: #000; break-inside: avoid; }
  .quality-banner h2 { color: #000; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
)CSS";

std::string sha256_base64(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    throw engine::internal_error("OpenSSL could not compute SHA-256 for report.html");
  }
  std::string out(4 * ((length + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), digest,
                                static_cast<int>(length));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string esc(std::string_view text) {
  return html_escape(text);
}

// `text` as a quoted CSS string: every character that could end the string, the rule or the
// <style> element is written as a CSS escape ("\\22 " for a quote).
std::string css_string(std::string_view text) {
  std::string out = "\"";
  for (const char ch : text) {
    const auto b = static_cast<unsigned char>(ch);
    if (b < 0x20 || b == 0x7F || ch == '"' || ch == '\\' || ch == '<' || ch == '>' || ch == '&') {
      out += fmt::format("\\{:x} ", b);
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

// "197117" -> "197,117"; "1234.50" -> "1,234.50"; other text unchanged.
std::string group_digits(const std::string& text) {
  std::size_t start = (!text.empty() && text[0] == '-') ? 1 : 0;
  std::size_t end = text.find('.');
  if (end == std::string::npos) end = text.size();
  if (end - start <= 3) return text;
  std::string out = text.substr(0, start);
  for (std::size_t i = start; i < end; ++i) {
    out += text[i];
    const std::size_t left = end - i - 1;
    if (left > 0 && left % 3 == 0) out += ',';
  }
  return out + text.substr(end);
}

// The first national target on a column (the nearest deadline comes first), if any.
std::optional<Target> first_target(std::string_view column) {
  for (const Target& t : targets_for(column)) {
    if (t.national) return t;
  }
  return std::nullopt;
}

// "85" or "99.5": a target's level in running text.
std::string level_text(double level) {
  return fmt::format("{:g}", level);
}

// The table with names to find columns and typed access to the cells.
class TableView {
 public:
  explicit TableView(const StatsTable& table) : table_(table) {
    for (std::size_t i = 0; i < table.columns.size(); ++i) index_[table.columns[i].name] = i;
    for (const char* required : {"level", "area_id", "area_name", "premises"}) {
      if (!index_.contains(required)) {
        throw engine::internal_error(std::string("report.html: the statistics table has no '") +
                                     required + "' column; please report this");
      }
    }
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
      if (table.rows[r].size() != table.columns.size()) {
        throw engine::internal_error(
            "report.html: a statistics row has the wrong number of "
            "cells; please report this");
      }
      const std::string level = text(r, "level");
      if (level == "area") areas_.push_back(r);
      if (level == "study") study_ = r;
    }
    if (study_ == kNone) {
      throw engine::internal_error(
          "report.html: the statistics table has no study row; please "
          "report this");
    }
  }
  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);

  const StatsTable& table() const { return table_; }
  const std::vector<std::size_t>& area_rows() const { return areas_; }
  std::size_t study_row() const { return study_; }
  bool has(std::string_view column) const { return index_.contains(column); }
  std::size_t column(std::string_view name) const {
    const auto it = index_.find(name);
    return it == index_.end() ? kNone : it->second;
  }
  /// A text cell's raw text (not CSV-quoted), or the formatted cell.
  std::string text(std::size_t row, std::string_view name) const {
    const std::size_t c = column(name);
    if (c == kNone) return {};
    if (const auto* s = std::get_if<std::string>(&table_.rows[row][c])) return *s;
    return formatted(row, c);
  }
  /// The cell exactly as parish_stats.csv writes it.
  std::string formatted(std::size_t row, std::size_t c) const {
    return format_cell(table_.rows[row][c], table_.columns[c]);
  }
  std::string formatted(std::size_t row, std::string_view name) const {
    const std::size_t c = column(name);
    return c == kNone ? std::string() : formatted(row, c);
  }
  double number(std::size_t row, std::string_view name) const {
    const std::size_t c = column(name);
    if (c == kNone) return std::nan("");
    return cell_number(table_.rows[row][c], table_.columns[c]);
  }
  /// The column's description.
  const ColumnSpec& spec(std::string_view name) const {
    const std::size_t c = column(name);
    if (c == kNone) {
      throw engine::internal_error("report.html: the statistics table has no column '" +
                                   std::string(name) + "'; please report this");
    }
    return table_.columns[c];
  }
  /// "<area name> (<id>)", escaped.
  std::string area_title(std::size_t row) const {
    return esc(text(row, "area_name")) + " (" + esc(text(row, "area_id")) + ")";
  }

 private:
  const StatsTable& table_;
  std::map<std::string, std::size_t, std::less<>> index_;
  std::vector<std::size_t> areas_;
  std::size_t study_ = kNone;
};

// A cell as a reader sees it: digits grouped, "%" after a percentage. An estimate is an
// expected number ("386.04 premises" is not a count anyone can check), so it is shown
// rounded and called one: "about 386". `value` is the CSV text, empty for an empty cell.
std::string shown_value(const std::string& value, const ColumnSpec& spec) {
  if (value.empty()) return spec.measured ? "n/a" : "not measured";
  if (spec.kind == ColumnKind::kEstimate) {
    return "about " + group_digits(fmt::format("{:.0f}", std::round(std::stod(value))));
  }
  return group_digits(value) + (spec.kind == ColumnKind::kPercent ? "%" : "");
}

// A figure as <data>: the machine value is the CSV text, the shown text groups digits.
std::string data_figure(const TableView& t, std::size_t row, std::string_view column,
                        bool with_attr = false) {
  const std::size_t c = t.column(column);
  if (c == TableView::kNone) return "";
  const std::string value = t.formatted(row, c);
  // A column without its source layer is not measured: say so rather than "n/a" or 0.
  const std::string shown = shown_value(value, t.table().columns[c]);
  return fmt::format("<data{} value=\"{}\">{}</data>",
                     with_attr ? fmt::format(" data-column=\"{}\"", esc(column)) : "", esc(value),
                     shown);
}

std::string fmt_points(double v) {
  return fmt::format("{:.2f}", std::abs(v) < 0.005 ? 0.0 : v);
}

struct MapSpec {
  std::string column;
  std::string title;
  std::string what;  // "are gigabit-capable"
};

class ReportWriter {
 public:
  ReportWriter(const ReportInput& input, const TableView& t) : in_(input), t_(t) {}

  std::string write() {
    const std::string script_hash = sha256_base64(kScript);
    out_ += "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n";
    // Nothing may be loaded from anywhere: the report works offline, and even a string that
    // escaped escaping could not run a script (only the report's own script, by hash).
    out_ += fmt::format(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; img-src data:; script-src 'sha256-{}'\">\n",
        script_hash);
    out_ += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    out_ += "<meta name=\"generator\" content=\"notspot " + esc(in_.software_version) + "\">\n";
    out_ += "<title>" + esc(in_.study_name) + ": connectivity report</title>\n";
    out_ += "<style>" + std::string(kStyle) + page_style() + "</style>\n</head>\n<body>\n";
    out_ += "<a class=\"skip\" href=\"#main\">Skip to main content</a>\n";
    out_ += "<header>\n<p class=\"muted\">Digital connectivity report</p>\n";
    out_ += "<h1>" + esc(in_.study_name) + "</h1>\n";
    out_ +=
        "<nav aria-label=\"Contents\"><ul>"
        "<li><a href=\"#summary\">Summary</a></li>";
    if (!maps().empty()) out_ += "<li><a href=\"#maps\">Maps</a></li>";
    out_ +=
        "<li><a href=\"#parishes\">All parishes</a></li>"
        "<li><a href=\"#profiles\">Parish profiles</a></li>"
        "<li><a href=\"#glossary\">Glossary</a></li>"
        "<li><a href=\"#methodology\">Methodology</a></li>"
        "<li><a href=\"#quality\">Data quality</a></li></ul></nav>\n</header>\n";
    out_ += "<main id=\"main\" tabindex=\"-1\">\n";
    quality_banner();
    lead();
    data_dates();
    summary();
    map_section();
    parish_table();
    profiles();
    glossary();
    methodology();
    quality();
    out_ += "</main>\n<footer><p class=\"muted\">Made by notspot " + esc(in_.software_version) +
            " from the same run as parish_stats.csv; every figure here reads as it does "
            "there.</p></footer>\n";
    out_ += "<script>" + std::string(kScript) + "</script>\n</body>\n</html>\n";
    return std::move(out_);
  }

 private:
  std::size_t study() const { return t_.study_row(); }

  // Printed pages: A4, with the study's name and date and "Page 3 of 40" in the footer.
  std::string page_style() const {
    const std::string name =
        in_.study_name + (in_.as_at ? ", " + describe_as_at(in_.as_at) : std::string());
    return "@page { size: A4; margin: 14mm 12mm 16mm;\n"
           "  @bottom-left { content: " +
           css_string(name) +
           "; font: 8pt system-ui, \"DejaVu Sans\", sans-serif; color: #4a4a4a; }\n"
           "  @bottom-right { content: \"Page \" counter(page) \" of \" counter(pages); "
           "font: 8pt system-ui, \"DejaVu Sans\", sans-serif; color: #4a4a4a; } }\n";
  }

  const std::vector<MapSpec>& maps() {
    if (!maps_built_) {
      maps_built_ = true;
      if (in_.areas.empty()) return maps_;
      // The same columns the GeoPackage styles (mapped_columns()), with the same classes.
      for (const std::string& c : mapped_columns(t_.table())) {
        const char* what = c == "gigabit_pct"     ? "are gigabit-capable"
                           : c == "below_uso_pct" ? "are below the USO on a known speed"
                                                  : "have no indoor 4G from any operator";
        maps_.push_back({c, t_.spec(c).measure, what});
      }
    }
    return maps_;
  }

  // Profiles are 10 kB an area: beyond this many areas (a national study has 10,000) the page
  // would weigh hundreds of megabytes, so the sortable table and parish_stats.xlsx stand in.
  static constexpr std::size_t kMaxProfiles = 2000;
  bool profiles_shown() const { return t_.area_rows().size() <= kMaxProfiles; }

  std::string profile_link(std::size_t area_number) const {
    const std::size_t row = t_.area_rows()[area_number];
    if (!profiles_shown()) return esc(t_.text(row, "area_name"));
    return fmt::format("<a href=\"#p-{}\">{}</a>", area_number, esc(t_.text(row, "area_name")));
  }

  // The first sentence names the place and the date, then gives the headline figure: "In
  // Dorset, as at July 2025, 71.42% of premises (140,778 of 197,117) can get gigabit-capable
  // broadband."
  void lead() {
    const std::string place = esc(in_.place.empty() ? in_.study_name : in_.place);
    const std::string when = in_.as_at ? "as at " + esc(describe_as_at(in_.as_at))
                                       : std::string("at a date the study file does not state");
    const std::size_t s = study();
    const std::size_t n = t_.area_rows().size();
    const std::string areas = group_digits(std::to_string(n)) + (n == 1 ? " parish" : " parishes");
    out_ += "<p class=\"lead\" id=\"lead\">In " + place + ", " + when + ", ";
    const bool gigabit = t_.has("gigabit_pct") && t_.spec("gigabit_pct").measured &&
                         !std::isnan(t_.number(s, "gigabit_pct"));
    if (gigabit) {
      out_ += data_figure(t_, s, "gigabit_pct") + " of premises (" + data_figure(t_, s, "gigabit") +
              " of " + data_figure(t_, s, "premises") + ", in " + areas +
              ") can get gigabit-capable broadband.</p>\n";
    } else {
      out_ += "this report covers " + data_figure(t_, s, "premises") + " premises in " + areas +
              ".</p>\n";
    }
  }

  // "Data dates": what each input describes, before any figure (empty input: nothing).
  void data_dates() {
    if (in_.data_dates.empty()) return;
    out_ +=
        "<section id=\"data-dates\" aria-labelledby=\"data-dates-h\">\n"
        "<h2 id=\"data-dates-h\">Data dates</h2>\n<ul class=\"data-dates\">\n";
    for (const auto& [label, date] : in_.data_dates)
      out_ += "<li>" + esc(label) + ", " + esc(date) + "</li>\n";
    out_ += "</ul>\n</section>\n";
  }

  void summary() {
    const std::size_t s = study();
    const std::size_t n = t_.area_rows().size();
    out_ +=
        "<section id=\"summary\" aria-labelledby=\"summary-h\">\n"
        "<h2 id=\"summary-h\">Summary</h2>\n";
    out_ += "<p>This report covers " + data_figure(t_, s, "premises", true) + " premises in " +
            std::to_string(n) + (n == 1 ? " parish" : " parishes") + " of " + esc(in_.study_name) +
            ". Figures are shares of all premises in each area (as Ofcom reports them): a "
            "premise without data counts as not meeting a threshold. The terms are explained "
            "in the <a href=\"#glossary\">Glossary</a>.</p>\n";
    out_ += "<div class=\"cards\">\n";
    gigabit_card();
    uso_card();
    not_spot_card();
    land_card();
    no_data_card();
    out_ += "</div>\n";
    most_in_need();
    changes();
    out_ += "</section>\n";
  }

  // "<p>Targets: 85% by 2025, 99% by 2030 (Project Gigabit)</p>" for the targets on a column,
  // national ones first; "" when none. The methodology lists them in full.
  static std::string targets_line(std::string_view column) {
    std::vector<Target> on = targets_for(column);
    std::stable_partition(on.begin(), on.end(), [](const Target& t) { return t.national; });
    std::string out;
    for (std::size_t i = 0; i < on.size(); ++i) {
      const Target& t = on[i];
      const bool same_source = i > 0 && on[i - 1].programme == t.programme;
      if (i > 0) out += same_source ? ", " : "; ";
      out += (t.direction == Direction::kLowerIsBetter ? "under " : "") + level_text(t.level) +
             "%" + (t.deadline.empty() ? "" : " by " + std::string(t.deadline));
      if (i + 1 == on.size() || on[i + 1].programme != t.programme) {
        out += " (" + std::string(t.programme) + ")";
      }
    }
    if (out.empty()) return out;
    return "<p class=\"muted\">" + std::string(on.size() == 1 ? "Target: " : "Targets: ") +
           esc(out) + ".</p>";
  }

  // Whether the study meets the first target on a column (a national one before a marker).
  std::string status_badge(std::string_view column) const {
    const std::vector<Target> on = targets_for(column);
    if (on.empty()) return {};
    const std::optional<Target> national = first_target(column);
    const Target& t = national ? *national : on.front();
    const double v = t_.number(study(), column);
    if (!t_.spec(column).measured) return "<p>" + esc(t_.spec(column).null_meaning) + "</p>";
    if (std::isnan(v)) return "<p>No premises, so no share.</p>";
    const char* what = t.national ? "target" : "local marker";
    if (t.met(v)) {
      return fmt::format("<p><span class=\"status met\">{}</span></p>",
                         t.national ? "Target met" : "Within the local marker");
    }
    return fmt::format("<p><span class=\"status unmet\">{} the {}</span></p>",
                       t.direction == Direction::kLowerIsBetter ? "Above" : "Below", what);
  }

  std::string card_heading(std::string_view column) const {
    return "<div class=\"card\"><h3>" + esc(t_.spec(column).measure) + "</h3><p class=\"big\">" +
           data_figure(t_, study(), column, true) + "</p><p>";
  }

  void gigabit_card() {
    if (!t_.has("gigabit_pct")) return;
    const std::size_t s = study();
    const double pct = t_.number(s, "gigabit_pct");
    const std::optional<Target> target = first_target("gigabit_pct");
    std::string status = status_badge("gigabit_pct");
    if (target && !std::isnan(pct) && !target->met(pct)) {
      const double premises = t_.number(s, "premises");
      const double needed =
          std::ceil(premises * target->level / 100 - 1e-9) - t_.number(s, "gigabit");
      status = fmt::format(
          "<p><span class=\"status unmet\">Below the target</span> by {} percentage points: "
          "{} more premises need gigabit-capable broadband to reach {}%.</p>",
          fmt_points(target->level - pct),
          group_digits(fmt::format("{:.0f}", std::max(0.0, needed))), level_text(target->level));
    }
    out_ += card_heading("gigabit_pct") + data_figure(t_, s, "gigabit", true) + " premises." +
            "</p>" + targets_line("gigabit_pct") + status + "</div>\n";
  }

  void uso_card() {
    const bool decent = t_.has("decent_pct");
    if (!decent && !t_.has("below_uso_pct")) return;
    const std::size_t s = study();
    const std::string column = decent ? "decent_pct" : "below_uso_pct";
    out_ += card_heading(column);
    if (decent) {
      out_ += data_figure(t_, s, "decent", true) +
              " premises can get decent broadband, the Universal Service Obligation "
              "(download and upload thresholds under Methodology).";
    }
    if (t_.has("below_uso")) {
      out_ += " " + data_figure(t_, s, "below_uso", true) + " premises" +
              (decent ? " (" + data_figure(t_, s, "below_uso_pct", true) + ")" : std::string()) +
              " are below the Universal Service Obligation on known speeds and can request a "
              "USO connection.";
    }
    out_ += "</p>" + targets_line(column) + status_badge(column) + "</div>\n";
  }

  void not_spot_card() {
    if (!t_.has("mob_4g_indoor_none_pct")) return;
    const std::size_t s = study();
    out_ += card_heading("mob_4g_indoor_none_pct") +
            data_figure(t_, s, "mob_4g_indoor_none", true) +
            " premises have no indoor 4G from any operator.";
    if (t_.has("mob_4g_indoor_partial")) {
      out_ += " " + data_figure(t_, s, "mob_4g_indoor_partial", true) +
              " more have some but not all operators (partial not-spots).";
    }
    out_ += "</p>" + targets_line("mob_4g_indoor_none_pct") +
            status_badge("mob_4g_indoor_none_pct") + "</div>\n";
  }

  // Outdoor 4G across the land, the Shared Rural Network's measure; else indoor 4G.
  void land_card() {
    for (const char* land : {"land_4g_outdoor_any_pct", "land_4g_indoor_any_pct"}) {
      if (!t_.has(land)) continue;
      const MobileSubject& m = *t_.spec(land).mobile;
      out_ += card_heading(land) + "of the land has " + esc(m.technology) + " " + esc(m.setting) +
              " coverage from at least one operator.</p>" + targets_line(land) +
              status_badge(land) + "</div>\n";
      return;
    }
  }

  void no_data_card() {
    if (!t_.has("no_data") || !(t_.number(study(), "no_data") > 0)) return;
    out_ += card_heading("no_data_pct") + data_figure(t_, study(), "no_data", true) +
            " premises have no row in any fixed-broadband layer; they count as not meeting "
            "any speed threshold.</p></div>\n";
  }

  void most_in_need() {
    if (!t_.has("gigabit_pct")) return;
    std::vector<std::size_t> order;
    for (std::size_t a = 0; a < t_.area_rows().size(); ++a) {
      if (!std::isnan(t_.number(t_.area_rows()[a], "gigabit_pct"))) order.push_back(a);
    }
    auto without = [&](std::size_t a) {
      const std::size_t r = t_.area_rows()[a];
      return t_.number(r, "premises") - t_.number(r, "gigabit");
    };
    // Lowest gigabit share first; among equals, the parish with more premises to connect.
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      const double pa = t_.number(t_.area_rows()[a], "gigabit_pct");
      const double pb = t_.number(t_.area_rows()[b], "gigabit_pct");
      if (pa != pb) return pa < pb;
      return without(a) > without(b);
    });
    if (order.size() > kMostInNeed) order.resize(kMostInNeed);
    out_ += "<h3 id=\"need-h\">The " + std::to_string(order.size()) +
            " parishes most in need of gigabit-capable broadband</h3>\n";
    out_ +=
        "<div class=\"table-wrap\"><table id=\"need-table\" aria-labelledby=\"need-h\">"
        "<thead><tr><th scope=\"col\" class=\"n\">Rank</th><th scope=\"col\">Parish</th>"
        "<th scope=\"col\" class=\"n\">Premises</th>"
        "<th scope=\"col\" class=\"n\">Gigabit-capable</th>"
        "<th scope=\"col\" class=\"n\">Premises without gigabit</th>";
    const bool uso = t_.has("below_uso");
    const bool notspot = t_.has("mob_4g_indoor_none");
    if (uso) out_ += "<th scope=\"col\" class=\"n\">Below the USO</th>";
    if (notspot) out_ += "<th scope=\"col\" class=\"n\">4G indoor not-spots</th>";
    out_ += "</tr></thead><tbody>\n";
    for (std::size_t i = 0; i < order.size(); ++i) {
      const std::size_t r = t_.area_rows()[order[i]];
      out_ += fmt::format(
          "<tr><td class=\"n\">{}</td><th scope=\"row\">{}</th><td class=\"n\">{}</td>"
          "<td class=\"n\">{}</td><td class=\"n\">{}</td>",
          i + 1, profile_link(order[i]), data_figure(t_, r, "premises"),
          data_figure(t_, r, "gigabit_pct"),
          group_digits(fmt::format("{:.0f}", without(order[i]))));
      if (uso) out_ += "<td class=\"n\">" + data_figure(t_, r, "below_uso") + "</td>";
      if (notspot) out_ += "<td class=\"n\">" + data_figure(t_, r, "mob_4g_indoor_none") + "</td>";
      out_ += "</tr>\n";
    }
    out_ += "</tbody></table></div>\n";
  }

  // A change in percentage points, coloured by whether it is good news for that measure.
  std::string delta_text(const ReportIndicatorChange& change) const {
    const std::string text = fmt_points(change.delta);
    const Direction direction = t_.spec(change.column).direction;
    const bool good = (change.delta > 0) == (direction == Direction::kHigherIsBetter);
    const bool neutral = text == "0.00" || direction == Direction::kNeutral;
    return fmt::format("<span class=\"{}\">{}{} points</span>",
                       neutral ? "" : (good ? "delta-good" : "delta-bad"),
                       text == "0.00" || change.delta < 0 ? "" : "+", text);
  }

  // "Gigabit-capable (>= 1000 Mbit/s) rose to at least 85% of premises: <the target>",
  // coloured as good or bad news.
  std::string crossing_text(const ReportThresholdCrossing& x) const {
    const ColumnSpec& c = t_.spec(x.column);
    std::string what = c.measure + (x.passed ? " rose to at least " : " fell below ") +
                       level_text(x.level) + c.unit;
    for (const Target& t : targets_for(x.column)) {
      if (t.level == x.level) what += ": " + t.describe();
    }
    const bool good = x.passed == (c.direction == Direction::kHigherIsBetter);
    return fmt::format("<span class=\"{}\">{}</span>", good ? "delta-good" : "delta-bad",
                       esc(what));
  }

  void changes() {
    out_ += "<h3 id=\"changes-h\">What changed since the previous run</h3>\n";
    if (!in_.changes) {
      out_ += "<p>No previous run was given to compare with.</p>\n";
      return;
    }
    const ReportChanges& c = *in_.changes;
    if (!c.not_comparable.empty()) {
      out_ += "<p>The previous run (" + esc(c.previous_run) +
              ") was not compared with this one, because:</p><ul>\n";
      for (const std::string& reason : c.not_comparable) out_ += "<li>" + esc(reason) + "</li>\n";
      out_ += "</ul>\n";
      return;
    }
    out_ += c.comparison.empty() ? "<p>Compared with " + esc(c.previous_run) + ".</p>\n"
                                 : "<p>" + esc(c.comparison) + ".</p>\n";
    for (const std::string& note : c.notes) out_ += "<p>" + esc(note) + "</p>\n";
    if (!c.columns_not_compared.empty()) {
      out_ +=
          "<p>Not compared, because the two runs did not measure them from the same layers "
          "or operators (a change would come from a layer added or removed, not from the "
          "data):</p><ul>\n";
      for (const auto& [column, reason] : c.columns_not_compared) {
        const std::optional<std::size_t> i = t_.table().columns.find(column);
        const std::string label = i ? t_.table().columns[*i].measure : column;
        out_ += "<li>" + esc(label) + ": " + esc(reason) + "</li>\n";
      }
      out_ += "</ul>\n";
    }
    // The summary names the headline measures only; a parish's profile lists all its changes.
    auto headline = [&](const ReportAreaChange& a) {
      std::vector<ReportIndicatorChange> key;
      for (const ReportIndicatorChange& i : a.indicators) {
        if (t_.spec(i.column).summary) key.push_back(i);
      }
      return key;
    };
    auto list = [&](const std::vector<ReportIndicatorChange>& changes) {
      std::string s;
      for (std::size_t i = 0; i < changes.size(); ++i) {
        s += (i ? "; " : "") + esc(t_.spec(changes[i].column).measure) + ": " +
             delta_text(changes[i]);
      }
      return s;
    };
    auto largest = [](const std::vector<ReportIndicatorChange>& changes) {
      double m = 0;
      for (const ReportIndicatorChange& i : changes) m = std::max(m, std::abs(i.delta));
      return m;
    };
    std::vector<std::pair<const ReportAreaChange*, std::vector<ReportIndicatorChange>>> areas;
    for (const ReportAreaChange& a : c.areas) {
      std::vector<ReportIndicatorChange> key = headline(a);
      if (a.area_id.empty()) {
        if (!key.empty()) {
          out_ += "<p>Whole study: " +
                  (largest(key) < 0.005 ? std::string("no headline figure changed") : list(key)) +
                  ".</p>\n";
        }
      } else if (largest(key) >= 0.005) {
        areas.emplace_back(&a, std::move(key));
      }
    }
    if (!c.crossings.empty()) {
      out_ += "<p>Parishes that crossed a threshold:</p><ul>\n";
      for (const ReportThresholdCrossing& x : c.crossings) {
        out_ += "<li>" + esc(x.area_name) + " (" + esc(x.area_id) + "): " + crossing_text(x) +
                "</li>\n";
      }
      out_ += "</ul>\n";
    }
    std::stable_sort(areas.begin(), areas.end(), [&](const auto& a, const auto& b) {
      return largest(a.second) > largest(b.second);
    });
    if (areas.size() > kMaxChangedAreas) areas.resize(kMaxChangedAreas);
    if (!areas.empty()) {
      out_ += "<p>The largest changes by parish (percentage points):</p><ul>\n";
      for (const auto& [a, key] : areas) {
        out_ += "<li>" + esc(a->area_name) + " (" + esc(a->area_id) + "): " + list(key) + "</li>\n";
      }
      out_ += "</ul>\n";
    }
  }

  void map_section() {
    if (maps().empty()) return;
    if (in_.areas.size() != t_.area_rows().size()) {
      throw engine::internal_error(
          fmt::format("report.html: {} area geometries for {} area rows; please report this",
                      in_.areas.size(), t_.area_rows().size()));
    }
    engine::Box bounds;
    for (const io::Area& a : in_.areas) {
      if (!a.geometry.empty()) bounds.expand(engine::bounding_box(a.geometry));
    }
    const detail::MapProjection projection =
        detail::fit_projection(bounds, in_.crs_geographic, 760, 900);
    // The shapes, the study outline and the place labels are the same in every map: computed
    // once.
    std::vector<std::string> shapes;
    for (const io::Area& a : in_.areas)
      shapes.push_back(detail::svg_path_data(a.geometry, projection));
    MapLayers layers;
    layers.outline = detail::svg_outline(in_.areas, projection);
    layers.labels = detail::place_labels(in_.places, projection, in_.max_place_labels);

    out_ +=
        "<section id=\"maps\" aria-labelledby=\"maps-h\">\n<h2 id=\"maps-h\">Maps</h2>\n"
        "<p>Each parish is shaded by its class. <strong>On every map, paler is better and "
        "darker needs attention.</strong> Hover over a parish, or move to it with the "
        "Tab key, to read its figures; click it or press Enter to open its profile. The "
        "table of all parishes below holds the same figures as text.</p>\n";
    for (std::size_t m = 0; m < maps().size(); ++m) {
      draw_map(m, maps()[m], projection, shapes, layers);
    }
    out_ += "</section>\n";
  }

  static std::string parishes(std::size_t n) {
    return fmt::format("{} {}", n, n == 1 ? "parish" : "parishes");
  }

  // What every map draws over the parishes: the study's outline and the place labels.
  struct MapLayers {
    std::string outline;  // SVG path data
    std::vector<detail::MapLabel> labels;
  };

  void draw_map(std::size_t m, const MapSpec& spec, const detail::MapProjection& projection,
                const std::vector<std::string>& shapes, const MapLayers& layers) {
    const std::vector<std::size_t>& rows = t_.area_rows();
    // The same classes, colours and counts as the GeoPackage's style of this column.
    const MapClassification classes = classify_map(t_.table(), spec.column);
    std::size_t lowest = TableView::kNone;
    std::size_t highest = TableView::kNone;
    for (std::size_t a = 0; a < rows.size(); ++a) {
      const double v = t_.number(rows[a], spec.column);
      if (std::isnan(v)) continue;
      if (lowest == TableView::kNone || v < t_.number(rows[lowest], spec.column)) lowest = a;
      if (highest == TableView::kNone || v > t_.number(rows[highest], spec.column)) highest = a;
    }
    const std::string id = fmt::format("map{}", m + 1);
    std::string desc = fmt::format(
        "Choropleth map of {} parishes: the share of premises that {}. "
        "Study-wide: {}%. {}",
        rows.size(), esc(spec.what), esc(t_.formatted(study(), spec.column)),
        esc(map_better_text(classes)));
    for (std::size_t k : classes.best_first()) {
      desc += fmt::format(" {}: {}.", classes.classes[k].label, parishes(classes.classes[k].areas));
    }
    if (classes.no_data > 0) desc += " No premises: " + parishes(classes.no_data) + ".";
    if (lowest != TableView::kNone) {
      desc += " Lowest: " + t_.area_title(rows[lowest]) + ", " +
              esc(t_.formatted(rows[lowest], spec.column)) +
              "%. Highest: " + t_.area_title(rows[highest]) + ", " +
              esc(t_.formatted(rows[highest], spec.column)) + "%.";
    }
    if (!layers.labels.empty()) {
      desc += " Places labelled:";
      for (std::size_t i = 0; i < layers.labels.size(); ++i) {
        desc += (i == 0 ? " " : ", ") + esc(layers.labels[i].name);
      }
      desc += ".";
    }

    const double bar_h = 44;  // strip under the map for the scale bar and north arrow
    const double w = projection.width;
    const double h = projection.height + bar_h;
    out_ += fmt::format(
        "<figure class=\"map\" id=\"{0}\" data-column=\"{1}\">\n"
        "<h3 id=\"{0}-h\">{2}</h3>\n",
        id, esc(spec.column), esc(spec.title));
    // Keyboard users can pass over the shapes of a map in one step.
    out_ += fmt::format("<a class=\"skip\" href=\"#{}-legend\">Skip past this map's parishes</a>\n",
                        id);
    // role="group" rather than role="img": the parishes inside are focusable, and an img's
    // children are hidden from assistive technology. The group is named and described.
    out_ += fmt::format(
        "<svg role=\"group\" viewBox=\"0 0 {0} {1}\" width=\"{0}\" height=\"{1}\" "
        "aria-labelledby=\"{2}-t\" aria-describedby=\"{2}-d\">\n<title id=\"{2}-t\">Map: "
        "{3}</title>\n<desc id=\"{2}-d\">{4}</desc>\n<g fill-rule=\"evenodd\">\n",
        w, h, id, esc(spec.title), desc);
    for (std::size_t a = 0; a < rows.size(); ++a) {
      const std::size_t r = rows[a];
      const double v = t_.number(r, spec.column);
      const std::string value = t_.formatted(r, spec.column);
      const std::string label = t_.area_title(r) + ": " +
                                (value.empty() ? "no premises" : value + "% " + esc(spec.what)) +
                                " (" + group_digits(t_.formatted(r, "premises")) + " premises)";
      out_ += fmt::format(
          "<path class=\"area\" data-p=\"{}\" fill=\"{}\" tabindex=\"0\" role=\"img\" "
          "aria-label=\"{}\" d=\"{}\"><title>{}</title></path>\n",
          a, classes.colour_of(v), label, shapes[a], label);
    }
    out_ += "</g>\n";
    if (!layers.outline.empty()) {
      out_ +=
          "<path class=\"outline\" aria-hidden=\"true\" fill=\"none\" fill-rule=\"evenodd\" d=\"" +
          layers.outline + "\"/>\n";
    }
    out_ += detail::svg_labels(layers.labels);
    // Scale bar (bottom left) and north arrow (bottom right), outside the shapes.
    const double draw_w = w - 2 * projection.margin;
    const double ground_w = draw_w / projection.scale * projection.metres_per_unit;
    const double length = detail::nice_scale_length(ground_w / 4);
    const double px = length / projection.metres_per_unit * projection.scale;
    const double y0 = projection.height + 8;
    const std::string length_text =
        length >= 1000 ? fmt::format("{} km", length / 1000) : fmt::format("{} m", length);
    out_ += fmt::format(
        "<g aria-hidden=\"true\" font-size=\"13\" fill=\"#1b1b1b\">"
        "<rect x=\"{0}\" y=\"{1}\" width=\"{2:.1f}\" height=\"6\" fill=\"#fff\" "
        "stroke=\"#1b1b1b\"/>"
        "<rect x=\"{0}\" y=\"{1}\" width=\"{3:.1f}\" height=\"6\" fill=\"#1b1b1b\"/>"
        "<text x=\"{0}\" y=\"{4}\">0</text><text x=\"{5:.1f}\" y=\"{4}\" "
        "text-anchor=\"end\">{6}{7}</text>",
        projection.margin, y0, px, px / 2, y0 + 22, projection.margin + px,
        in_.crs_geographic ? "about " : "", length_text);
    const double ax = w - projection.margin - 12;
    out_ += fmt::format(
        "<path d=\"M{0} {1}l-8 20l8 -5l8 5Z\" fill=\"#1b1b1b\"/>"
        "<text x=\"{0}\" y=\"{2}\" text-anchor=\"middle\" font-weight=\"700\">N</text></g>\n",
        ax, y0 + 13, y0 + 10);
    out_ += "</svg>\n";
    out_ += fmt::format(
        "<figcaption id=\"{}-legend\" tabindex=\"-1\"><p class=\"map-info\" "
        "aria-live=\"polite\">Hover over or tab to a parish to see its figures.</p>\n"
        "<p class=\"legend-better\">{}</p>\n"
        "<ul class=\"legend\" aria-label=\"Legend: {}, best class first\">\n",
        id, esc(map_better_text(classes)), esc(spec.title));
    // Best class first: the legend reads from "fine" to "needs attention".
    for (std::size_t k : classes.best_first()) {
      const MapClass& c = classes.classes[k];
      out_ += fmt::format(
          "<li data-lower=\"{}\" data-upper=\"{}\" data-colour=\"{}\" data-areas=\"{}\"><svg "
          "width=\"18\" height=\"14\" aria-hidden=\"true\"><rect width=\"18\" "
          "height=\"14\" fill=\"{}\" stroke=\"#4d4d4d\"/></svg>{}: {}</li>\n",
          c.lower, c.upper, c.colour, c.areas, c.colour, esc(c.label), parishes(c.areas));
    }
    if (classes.no_data > 0) {
      out_ += fmt::format(
          "<li data-areas=\"{}\" data-colour=\"{}\"><svg width=\"18\" height=\"14\" "
          "aria-hidden=\"true\"><rect width=\"18\" height=\"14\" fill=\"{}\" "
          "stroke=\"#4d4d4d\"/></svg>no premises (no data): {}</li>\n",
          classes.no_data, kMapNoDataColour, kMapNoDataColour, parishes(classes.no_data));
    }
    std::string breaks_note = "round numbers";
    std::vector<std::string> at_targets;
    for (const Target& t : targets_for(spec.column)) {
      if (std::find(classes.target_levels.begin(), classes.target_levels.end(), t.level) ==
          classes.target_levels.end()) {
        continue;
      }
      at_targets.push_back(level_text(t.level) + "% (" + esc(t.programme) +
                           (t.deadline.empty() ? std::string() : ", " + esc(t.deadline)) + ")");
    }
    for (std::size_t i = 0; i < at_targets.size(); ++i) {
      breaks_note += (i == 0                       ? "; breaks at "
                      : i + 1 == at_targets.size() ? " and "
                                                   : ", ") +
                     at_targets[i];
    }
    out_ += "</ul>\n<p class=\"muted\">Study-wide: " + data_figure(t_, study(), spec.column) +
            ". Classes: " + breaks_note +
            "; the same as the GeoPackage's QGIS style. The thick line is the study's outline. " +
            esc(in_.crs_description) + ", north up.</p></figcaption>\n</figure>\n";
  }

  // Columns of the table of all parishes, when the study has them.
  std::vector<std::string> table_columns() const {
    std::vector<std::string> columns;
    for (const char* c : {"gigabit_pct", "superfast_pct", "full_fibre_pct", "decent_pct",
                          "below_uso_pct", "no_data_pct", "mob_4g_indoor_none_pct",
                          "mob_4g_outdoor_none_pct", "digitally_excluded_pct"}) {
      if (t_.has(c)) columns.emplace_back(c);
    }
    return columns;
  }

  void parish_table() {
    const std::vector<std::string> columns = table_columns();
    out_ +=
        "<section id=\"parishes\" aria-labelledby=\"parishes-h\">\n"
        "<h2 id=\"parishes-h\">All parishes</h2>\n";
    out_ +=
        "<div id=\"table-controls\" hidden><label for=\"table-filter\">Filter by name or "
        "ID</label><input type=\"search\" id=\"table-filter\" autocomplete=\"off\">";
    const std::optional<Target> target =
        t_.has("gigabit_pct") ? first_target("gigabit_pct") : std::nullopt;
    if (target) {
      out_ +=
          "<label><input type=\"checkbox\" id=\"table-below-target\"> Only parishes below "
          "the " +
          level_text(target->level) + "% gigabit target (" + esc(target->programme) + ")</label>";
    }
    out_ += "<p id=\"table-status\" aria-live=\"polite\"></p></div>\n";
    out_ += "<div class=\"table-wrap\"><table id=\"parish-table\">\n<caption>All " +
            std::to_string(t_.area_rows().size()) +
            " parishes: percentages of premises. Select a column heading to sort.</caption>\n"
            "<thead><tr><th scope=\"col\" aria-sort=\"none\" data-type=\"text\"><button "
            "type=\"button\">Parish</button></th><th scope=\"col\" aria-sort=\"none\" "
            "data-type=\"text\"><button type=\"button\">ID</button></th><th scope=\"col\" "
            "class=\"n\" aria-sort=\"none\" data-type=\"number\" data-column=\"premises\">"
            "<button type=\"button\">" +
            esc(t_.spec("premises").label) + "</button></th>";
    for (const std::string& c : columns) {
      out_ +=
          "<th scope=\"col\" class=\"n\" aria-sort=\"none\" data-type=\"number\" "
          "data-column=\"" +
          esc(c) + "\"><button type=\"button\">" + esc(t_.spec(c).label) + "</button></th>";
    }
    out_ += "</tr></thead>\n<tbody>\n";
    auto cells = [&](std::size_t r) {
      std::string s = "<td class=\"n\" data-v=\"" + esc(t_.formatted(r, "premises")) + "\">" +
                      data_figure(t_, r, "premises") + "</td>";
      for (const std::string& c : columns) {
        s += "<td class=\"n\" data-v=\"" + esc(t_.formatted(r, c)) + "\">" + data_figure(t_, r, c) +
             "</td>";
      }
      return s;
    };
    for (std::size_t a = 0; a < t_.area_rows().size(); ++a) {
      const std::size_t r = t_.area_rows()[a];
      const double g = t_.number(r, "gigabit_pct");
      out_ += fmt::format("<tr data-below=\"{}\"><th scope=\"row\">{}</th><td>{}</td>{}</tr>\n",
                          target && !std::isnan(g) && !target->met(g) ? 1 : 0, profile_link(a),
                          esc(t_.text(r, "area_id")), cells(r));
    }
    out_ += "</tbody>\n<tfoot><tr><th scope=\"row\">Whole study</th><td></td>" + cells(study()) +
            "</tr></tfoot>\n</table></div>\n</section>\n";
  }

  void profiles() {
    const std::vector<Measure> rows = t_.table().columns.measures();
    std::map<std::string, const ReportAreaChange*, std::less<>> changes;
    if (in_.changes) {
      for (const ReportAreaChange& a : in_.changes->areas) {
        if (!a.area_id.empty()) changes[a.area_id] = &a;
      }
    }
    out_ +=
        "<section id=\"profiles\" aria-labelledby=\"profiles-h\">\n"
        "<h2 id=\"profiles-h\">Parish profiles</h2>\n";
    if (!profiles_shown()) {
      out_ += fmt::format(
          "<p>Profiles are given for studies of up to {} parishes; this one has {}. Every "
          "parish's figures are in the table above (sort and filter it) and in "
          "parish_stats.xlsx.</p>\n</section>\n",
          group_digits(std::to_string(kMaxProfiles)),
          group_digits(std::to_string(t_.area_rows().size())));
      return;
    }
    out_ +=
        "<p>Each parish's figures next to the "
        "whole study's. Open a parish to see them.</p>\n";
    auto cell = [&](std::size_t r, std::optional<std::size_t> c) {
      if (!c) return std::string("<td></td>");
      return "<td>" + shown_value(t_.formatted(r, *c), t_.table().columns[*c]) + "</td>";
    };
    for (std::size_t a = 0; a < t_.area_rows().size(); ++a) {
      const std::size_t r = t_.area_rows()[a];
      const std::string name = esc(t_.text(r, "area_name"));
      out_ += fmt::format("<details class=\"profile\" id=\"p-{}\"><summary>{}</summary>\n", a,
                          t_.area_title(r));
      out_ += "<div class=\"table-wrap\"><table><caption>" + name +
              " and the whole study</caption><thead><tr>"
              "<th scope=\"col\">Measure</th><th scope=\"col\" class=\"n\">" +
              name + "</th><th scope=\"col\" class=\"n\">" + name +
              " (%)</th><th scope=\"col\" class=\"n\">Study</th><th scope=\"col\" "
              "class=\"n\">Study (%)</th></tr></thead><tbody>\n";
      for (const Measure& p : rows) {
        out_ += "<tr><th scope=\"row\">" + esc(p.label) + "</th>" + cell(r, p.value) +
                cell(r, p.share) + cell(study(), p.value) + cell(study(), p.share) + "</tr>\n";
      }
      out_ += "</tbody></table></div>\n";
      if (const auto it = changes.find(t_.text(r, "area_id")); it != changes.end()) {
        out_ += "<p>Since the previous run: ";
        for (std::size_t i = 0; i < it->second->indicators.size(); ++i) {
          const ReportIndicatorChange& c = it->second->indicators[i];
          out_ += (i ? "; " : "") + esc(t_.spec(c.column).measure) + ": " + delta_text(c);
        }
        out_ += ".</p>\n";
      }
      out_ += "</details>\n";
    }
    out_ += "</section>\n";
  }

  // The terms of the report in plain words, for the measures this study has: what each means
  // and, where it matters, what it means for funding or for a resident's rights.
  void glossary() {
    auto any = [&](std::string_view prefix) {
      for (const ColumnSpec& c : t_.table().columns)
        if (c.name.starts_with(prefix)) return true;
      return false;
    };
    std::vector<std::pair<std::string_view, std::string_view>> terms;
    terms.emplace_back("Premises",
                       "Homes and business addresses, each counted once at its address point "
                       "(its UPRN, the Unique Property Reference Number).");
    if (t_.has("gigabit_pct"))
      terms.emplace_back(
          "Gigabit-capable",
          "A connection that can deliver a download speed of 1 gigabit per second (1,000 "
          "Mbit/s): full fibre, or upgraded cable. Project Gigabit is the government's "
          "programme to bring it to nearly every premise, funding builds where the market "
          "will not.");
    if (t_.has("ultrafast_pct"))
      terms.emplace_back("Ultrafast", "A download speed of at least 300 Mbit/s.");
    if (t_.has("superfast_pct"))
      terms.emplace_back("Superfast",
                         "A download speed of at least 30 Mbit/s, the UK's long-standing "
                         "measure of a good connection.");
    if (t_.has("full_fibre_pct"))
      terms.emplace_back("Full fibre",
                         "Fibre optic cable all the way to the premises (FTTP), rather than "
                         "fibre to a street cabinet and copper from there.");
    if (t_.has("decent_pct") || t_.has("below_uso_pct"))
      terms.emplace_back(
          "Decent broadband and the USO",
          "The Universal Service Obligation (USO) gives every home and business the legal "
          "right, since March 2020, to request a decent connection: at least 10 Mbit/s down "
          "and 1 Mbit/s up. The provider pays up to \xC2\xA3"
          "3,400 of the cost; above that "
          "the customer pays the rest or shares it with neighbours. Premises below the USO can "
          "make such a request.");
    if (t_.has("no_data_pct"))
      terms.emplace_back("No fixed-broadband data",
                         "Premises that no broadband data source mentions. They count as not "
                         "meeting any speed, so figures are not flattered by gaps in the data.");
    if (any("bduk_"))
      terms.emplace_back(
          "BDUK White, Grey and Black",
          "Building Digital UK (BDUK) classes premises for Project Gigabit subsidy. White: no "
          "gigabit-capable network exists or is planned within three years, so public money "
          "may pay for one. Grey: one such network exists or is planned; usually not eligible "
          "for subsidy. Black: two or more; not eligible. Under review: BDUK is still checking "
          "suppliers' plans for the premises.");
    if (any("mob_")) {
      terms.emplace_back("Not-spot",
                         "A premise (or an area of land) where no mobile operator gives "
                         "coverage of that kind, e.g. no indoor 4G from any of the operators.");
      terms.emplace_back("Partial not-spot",
                         "Coverage from some operators but not all: a resident may have signal "
                         "only by changing provider.");
      terms.emplace_back("Indoor and outdoor coverage",
                         "Ofcom's predictions of a signal strong enough inside a building, or "
                         "outdoors at street level. Indoor coverage is the harder test.");
    }
    if (any("land_"))
      terms.emplace_back(
          "Land coverage",
          "The share of an area's land, not of its premises, where a signal is predicted. The "
          "Shared Rural Network, a programme of the government and the four operators, "
          "targets 4G from at least one operator across 95% of the UK's land by the end of "
          "2025.");
    if (t_.has("digitally_excluded_pct"))
      terms.emplace_back("Digitally excluded",
                         "Premises below the USO that also have no indoor 4G from any "
                         "operator: neither a decent fixed line nor mobile data at home.");
    if (any("est_"))
      terms.emplace_back(
          "Estimate",
          "A figure worked out from Ofcom's postcode-level percentages rather than counted "
          "premise by premise. It is an expected number, shown rounded (\u201Cabout 386\u201D).");
    out_ +=
        "<section id=\"glossary\" aria-labelledby=\"glossary-h\">\n"
        "<h2 id=\"glossary-h\">Glossary</h2>\n<dl class=\"glossary\">\n";
    for (const auto& [term, meaning] : terms) {
      out_ += "<dt id=\"g-" + column_slug(term) + "\"><dfn>" + esc(term) + "</dfn></dt><dd>" +
              esc(meaning) + "</dd>\n";
    }
    out_ +=
        "</dl>\n<p class=\"muted\">The thresholds this study used are under "
        "<a href=\"#methodology\">Methodology</a>.</p>\n</section>\n";
  }

  // Every measure of parish_stats.csv: its columns, label, definition and empty cells.
  void definitions() {
    const ColumnCatalogue& columns = t_.table().columns;
    out_ +=
        "<div class=\"table-wrap\"><table id=\"definitions\"><caption>Definitions of the columns "
        "of parish_stats.csv"
        "</caption><thead><tr><th scope=\"col\">Columns</th><th scope=\"col\">Measure</th>"
        "<th scope=\"col\">Definition</th><th scope=\"col\">An empty cell means</th></tr>"
        "</thead><tbody>\n";
    for (const Measure& m : columns.measures()) {
      const ColumnSpec& first = columns[m.value ? *m.value : *m.share];
      const ColumnSpec& last = columns[m.share ? *m.share : *m.value];
      std::string names = "<code>" + esc(first.name) + "</code>";
      if (&first != &last) names += ", <code>" + esc(last.name) + "</code>";
      out_ += "<tr><th scope=\"row\">" + names + "</th><td>" + esc(m.label) + "</td><td>" +
              esc(first.definition) + "</td><td>" + esc(last.null_meaning) + "</td></tr>\n";
    }
    out_ += "</tbody></table></div>\n";
  }

  // The targets and markers on the table's columns, in full.
  void targets_table() {
    std::string rows;
    for (const Target& t : targets()) {
      if (!t_.has(t.column)) continue;
      const ColumnSpec& c = t_.spec(t.column);
      std::string level = (t.direction == Direction::kLowerIsBetter ? "under " : "at least ") +
                          level_text(t.level) + (c.kind == ColumnKind::kPercent ? "%" : "");
      if (c.kind == ColumnKind::kCount && t.direction == Direction::kLowerIsBetter &&
          t.level == 1) {
        level = "none";  // fewer than one premise
      }
      rows += "<tr><th scope=\"row\">" + esc(c.label) + "</th><td class=\"n\">" + level +
              "</td><td>" + esc(t.deadline) + "</td><td>" + esc(t.programme) + "</td><td>" +
              esc(t.commitment) + "</td></tr>\n";
    }
    if (rows.empty()) return;
    out_ +=
        "<div class=\"table-wrap\"><table id=\"targets\"><caption>National targets and local "
        "markers</caption><thead><tr>"
        "<th scope=\"col\">Measure</th><th scope=\"col\" class=\"n\">Level</th><th "
        "scope=\"col\">By</th><th scope=\"col\">Source</th><th scope=\"col\">What it "
        "is</th></tr></thead><tbody>\n" +
        rows + "</tbody></table></div>\n";
  }

  void methodology() {
    out_ +=
        "<section id=\"methodology\" aria-labelledby=\"methodology-h\">\n"
        "<h2 id=\"methodology-h\">Methodology</h2>\n";
    out_ += "<h3>Study</h3><ul><li>Coordinate reference system: " + esc(in_.crs_description) +
            "</li><li>Boundary vintage: " +
            (in_.boundary_vintage ? esc(*in_.boundary_vintage)
                                  : std::string("not stated in the study file")) +
            "</li><li>A premise exactly on a boundary belongs to the area immediately east of "
            "it (on an east-west edge, immediately north), so it is counted once.</li></ul>\n";
    if (!in_.thresholds.empty()) {
      out_ +=
          "<div class=\"table-wrap\"><table><caption>Thresholds used</caption><thead><tr><th "
          "scope=\"col\">Measure"
          "</th><th scope=\"col\">Threshold</th></tr></thead><tbody>\n";
      for (const ReportThreshold& t : in_.thresholds) {
        out_ +=
            "<tr><th scope=\"row\">" + esc(t.label) + "</th><td>" + esc(t.value) + "</td></tr>\n";
      }
      out_ += "</tbody></table></div>\n";
    }
    definitions();
    targets_table();
    out_ +=
        "<h3>Caveats</h3><ul>"
        "<li>Percentages are of all premises in the area, as Ofcom reports them; premises "
        "with no fixed-broadband data count as not meeting any threshold.</li>";
    bool estimates = false;
    for (const ColumnSpec& c : t_.table().columns) estimates |= c.family == ColumnFamily::kEstimate;
    if (estimates) {
      out_ +=
          "<li>Columns starting <code>est_</code> (shown as \xE2\x80\x9C"
          "Estimate\xE2\x80\x9D) "
          "are <strong>estimates</strong> from postcode-level data: the postcode's "
          "percentages applied to its premises and summed. They are expected numbers, not "
          "counts of known premises.</li>";
    }
    if (t_.has("land_km2")) {
      out_ +=
          "<li>Mobile coverage is Ofcom-style predicted coverage; land shares are exact "
          "shares of each parish's land.</li>";
    }
    out_ += "</ul>\n";
    if (!in_.sources.empty()) {
      out_ +=
          "<div class=\"table-wrap\"><table><caption>Data sources</caption><thead><tr><th "
          "scope=\"col\">File</th>"
          "<th scope=\"col\">Role</th><th scope=\"col\" class=\"n\">Rows</th>"
          "<th scope=\"col\">SHA-256 (first 12)</th><th scope=\"col\">Notes</th></tr>"
          "</thead><tbody>\n";
      for (const ReportDataSource& s : in_.sources) {
        out_ += "<tr><th scope=\"row\">" + esc(s.file) + "</th><td>" + esc(s.role) +
                "</td><td class=\"n\">" +
                (s.rows ? group_digits(std::to_string(*s.rows)) : std::string()) +
                "</td><td><code>" + esc(s.sha256.substr(0, 12)) + "</code></td><td>" + esc(s.note) +
                "</td></tr>\n";
      }
      out_ += "</tbody></table></div>\n";
    }
    out_ += "<h3>Attribution</h3>\n";
    if (in_.attribution.empty()) {
      out_ += "<p>No attribution lines were given for this study.</p>\n";
    } else {
      out_ += "<ul>";
      for (const std::string& line : in_.attribution) out_ += "<li>" + esc(line) + "</li>";
      out_ += "</ul>\n";
    }
    out_ += "</section>\n";
  }

  // When a check failed, the page opens with what failed and what it means (quality_status()).
  void quality_banner() {
    std::vector<QualityCheck> checks;
    for (const ReportQualityCheck& q : in_.quality)
      checks.push_back({q.name, "", q.value, q.limit, q.passed, q.explanation, q.always});
    const QualityStatus status = quality_status(checks);
    if (status.passed) return;
    out_ +=
        "<section class=\"quality-banner\" role=\"alert\" aria-labelledby=\"quality-banner-h\">"
        "\n<h2 id=\"quality-banner-h\">This run failed its data-quality checks</h2>\n<p><strong>" +
        esc(status.line) + "</strong></p>\n<ul>\n";
    for (const FailedCheckText& f : status.failures) {
      out_ += "<li>" + esc(f.sentence) + "</li>\n";
    }
    out_ +=
        "</ul>\n<p>The figures below were published so that the problem can be seen; see "
        "<a href=\"#quality\">Data quality</a> for every check and the ledger.</p>\n"
        "</section>\n";
  }

  void quality() {
    const ReportLedger& l = in_.ledger;
    out_ +=
        "<section id=\"quality\" aria-labelledby=\"quality-h\">\n"
        "<h2 id=\"quality-h\">Data quality</h2>\n";
    const bool balanced =
        l.premises_read == l.premises_assigned + l.premises_outside + l.premises_rejected;
    auto n = [](std::uint64_t v) { return group_digits(std::to_string(v)); };
    out_ +=
        "<p>Every premises row read is assigned to a parish, outside every parish, or "
        "rejected with a reason (rejected.csv). " +
        std::string(balanced ? "The ledger balances."
                             : "<strong>The ledger does not "
                               "balance.</strong>") +
        "</p>\n<div class=\"table-wrap\"><table id=\"ledger\"><caption>Premises "
        "ledger</caption><thead><tr><th "
        "scope=\"col\">Rows</th><th scope=\"col\" class=\"n\">Premises</th></tr></thead>"
        "<tbody>\n";
    for (const auto& [label, v] : std::vector<std::pair<const char*, std::uint64_t>>{
             {"Read", l.premises_read},
             {"Assigned to a parish", l.premises_assigned},
             {"Outside every parish", l.premises_outside},
             {"Rejected", l.premises_rejected}}) {
      out_ +=
          fmt::format("<tr><th scope=\"row\">{}</th><td class=\"n\">{}</td></tr>\n", label, n(v));
    }
    out_ += "</tbody></table></div>\n";
    if (!l.layers.empty()) {
      out_ +=
          "<div class=\"table-wrap\"><table><caption>Attribute layers: read = matched + unmatched "
          "+ duplicate keys + "
          "rejected</caption><thead><tr><th scope=\"col\">Layer</th><th scope=\"col\" "
          "class=\"n\">Read</th><th scope=\"col\" class=\"n\">Matched</th><th scope=\"col\""
          " class=\"n\">Unmatched</th><th scope=\"col\" class=\"n\">Duplicate keys</th>"
          "<th scope=\"col\" class=\"n\">Rejected</th></tr></thead><tbody>\n";
      for (const ReportLayerLedger& y : l.layers) {
        out_ += fmt::format(
            "<tr><th scope=\"row\">{}</th><td class=\"n\">{}</td><td class=\"n\">{}</td>"
            "<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
            esc(y.name), n(y.read), n(y.matched), n(y.unmatched), n(y.duplicate_keys),
            n(y.rejected));
      }
      out_ += "</tbody></table></div>\n";
    }
    if (!in_.quality.empty()) {
      out_ +=
          "<div class=\"table-wrap\"><table><caption>Quality gates</caption><thead><tr><th "
          "scope=\"col\">Check</th>"
          "<th scope=\"col\" class=\"n\">Measured</th><th scope=\"col\" class=\"n\">Limit"
          "</th><th scope=\"col\">Result</th></tr></thead><tbody>\n";
      for (const ReportQualityCheck& q : in_.quality) {
        out_ += fmt::format(
            "<tr><th scope=\"row\">{}</th><td class=\"n\">{:.4f}%</td><td class=\"n\">{}"
            "</td><td><span class=\"status {}\">{}</span></td></tr>\n",
            esc(q.name), 100 * q.value,
            q.always ? std::string("always checked") : fmt::format("{:.4f}%", 100 * q.limit),
            q.passed ? "met" : "unmet", q.passed ? "passed" : "failed");
      }
      out_ += "</tbody></table></div>\n";
    }
    const std::uint64_t total = std::max<std::uint64_t>(in_.warnings_total, in_.warnings.size());
    out_ += "<h3>Warnings</h3>\n";
    if (total == 0) {
      out_ += "<p>None.</p>\n";
    } else {
      const std::size_t shown = std::min(in_.warnings.size(), kMaxWarnings);
      out_ += fmt::format("<p>{} warnings{}.</p>\n<ul id=\"warnings\">", n(total),
                          shown < total ? fmt::format(" (the first {} are listed; all are in "
                                                      "manifest.json)",
                                                      shown)
                                        : std::string());
      for (std::size_t i = 0; i < shown; ++i) {
        out_ +=
            "<li>" + esc(in_.warnings[i].source) + ": " + esc(in_.warnings[i].message) + "</li>";
      }
      out_ += "</ul>\n";
    }
    out_ += "</section>\n";
  }

  const ReportInput& in_;
  const TableView& t_;
  std::string out_;
  std::vector<MapSpec> maps_;
  bool maps_built_ = false;
};

}  // namespace

std::string html_escape(std::string_view text) {
  return detail::markup_escape(text);
}

void write_html_report(const std::filesystem::path& path, const ReportInput& input) {
  if (input.table == nullptr) {
    throw engine::internal_error("report.html: no statistics table given; please report this");
  }
  const TableView view(*input.table);
  const std::string html = ReportWriter(input, view).write();
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (!file) {
    throw engine::output_error("cannot create " + path.string() +
                               ": check that the folder exists and is writable");
  }
  file.write(html.data(), static_cast<std::streamsize>(html.size()));
  if (!file.flush()) {
    throw engine::output_error("cannot write " + path.string() + " (disk full?)");
  }
}

}  // namespace notspot::outputs
