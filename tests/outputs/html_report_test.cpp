// report.html: escaping of input strings, one map shape per area, the table and profiles, the
// summary figures, no external resources, and byte-identical output for the same input.

#include "notspot/outputs/html_report.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <numbers>
#include <regex>
#include <set>
#include <sstream>

#include "notspot/engine/error.hpp"

namespace notspot::outputs {
namespace {

namespace fs = std::filesystem;

constexpr const char* kAttack = "<script>alert(1)</script>";
constexpr const char* kAttribution =
    "Contains Ofcom data, licensed under the Open Government Licence v3.0 "
    "(http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/)";

engine::MultiPolygon square(double x, double y, double size) {
  return {engine::Polygon{{{x, y}, {x + size, y}, {x + size, y + size}, {x, y + size}}, {}}};
}

// A circle of many vertices 0.1 m apart: far below half a pixel at the map's scale.
engine::MultiPolygon dense_circle(double cx, double cy, double r, int vertices) {
  engine::Ring ring;
  for (int i = 0; i < vertices; ++i) {
    const double a = 2 * std::numbers::pi * i / vertices;
    ring.push_back({cx + r * std::cos(a), cy + r * std::sin(a)});
  }
  return {engine::Polygon{ring, {}}};
}

// Four areas in a 2 x 2 km block (one a dense circle, one tiny), with figures chosen by hand:
//   id  name                       premises gigabit below_uso 4G-indoor-none est_gigabit
//   A1  Ashby                      101      90      1         0              88.5
//   A2  <script>alert(1)</script>  50       10      5         10             12.25
//   A3  O'Brien & "Sons"           0        0       0         0              0
//   A4  Tiny                       10       5       0         2              4
//   study                          161      105     6         12             104.75
struct Fixture {
  StatsTable table;
  std::vector<io::Area> areas;
  ReportInput input;

  Fixture() {
    CatalogueOptions options;
    options.estimates = true;
    options.estimate_measures[static_cast<std::size_t>(engine::Estimate::kGigabit)] = true;
    options.mobile_groups = {{"4G", "indoor", {"EE"}, false}};
    const std::string_view columns[] = {
        "level",       "area_id",         "area_name",          "premises",
        "gigabit",     "gigabit_pct",     "below_uso",          "below_uso_pct",
        "est_gigabit", "est_gigabit_pct", "mob_4g_indoor_none", "mob_4g_indoor_none_pct"};
    table.columns = ColumnCatalogue(options).subset(columns);
    const double nan = std::nan("");
    auto row = [&](std::string level, std::string id, std::string name, std::uint64_t premises,
                   std::uint64_t gigabit, std::uint64_t uso, std::uint64_t none, double est) {
      const double p = static_cast<double>(premises);
      auto pct = [&](double v) { return premises == 0 ? nan : 100 * v / p; };
      auto count_pct = [&](std::uint64_t n) { return pct(static_cast<double>(n)); };
      table.rows.push_back({level, id, name, premises, gigabit, count_pct(gigabit), uso,
                            count_pct(uso), est, pct(est), none, count_pct(none)});
    };
    row("area", "A1", "Ashby", 101, 90, 1, 0, 88.5);
    row("area", "A2", kAttack, 50, 10, 5, 10, 12.25);
    row("area", "A3", "O'Brien & \"Sons\"", 0, 0, 0, 0, 0);
    row("area", "A4", "Tiny", 10, 5, 0, 2, 4);
    row("study", "", "Test <study>", 161, 105, 6, 12, 104.75);

    areas.push_back({"A1", "Ashby", square(0, 0, 1000), {1}});
    areas.push_back({"A2", kAttack, dense_circle(1500, 500, 400, 20000), {2}});
    areas.push_back({"A3", "O'Brien & \"Sons\"", square(0, 1000, 1000), {3}});
    areas.push_back({"A4", "Tiny", square(1999, 1999, 1), {4}});  // bounds: 0..2000

    input.table = &table;
    input.areas = areas;
    input.study_name = "Test <study>";
    input.crs_description = "EPSG:27700 (OSGB36 / British National Grid)";
    input.boundary_vintage = "December 2023";
    input.software_version = "test";
    input.thresholds = {{"Gigabit-capable", "download >= 1000 Mbit/s"}};
    input.sources = {{"premises<1>.csv", "premises", 171, "0123456789abcdef", ""}};
    input.attribution = {kAttribution};
    input.ledger = {171, 161, 7, 3, {{"speeds", 160, 150, 8, 0, 2}}};
    input.quality = {{"max_rejected_share", 3.0 / 171, 0.05, true, false, ""}};
    input.warnings = {{"areas", "feature 7 <b>repaired</b>"}};
    input.warnings_total = 1;
  }
};

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string write_report(const ReportInput& input, const std::string& name = "report.html") {
  // One folder per process: CTest runs the tests of this file in parallel processes, which
  // overwrote each other's report.html when they shared one.
  const fs::path dir =
      fs::temp_directory_path() / ("notspot_html_report_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path path = dir / name;
  write_html_report(path, input);
  return read_file(path);
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
    ++n;
  }
  return n;
}

// The text between the first `begin` and the next `end` after it.
std::string between(const std::string& text, const std::string& begin, const std::string& end) {
  const std::size_t b = text.find(begin);
  if (b == std::string::npos) return {};
  const std::size_t e = text.find(end, b);
  return text.substr(b, e == std::string::npos ? std::string::npos : e - b);
}

TEST(HtmlEscape, ReplacesMarkupCharacters) {
  EXPECT_EQ(html_escape("<a href=\"x\">Tom's & Jerry's</a>"),
            "&lt;a href=&quot;x&quot;&gt;Tom&#39;s &amp; Jerry&#39;s&lt;/a&gt;");
  EXPECT_EQ(html_escape("plain text, 100% \xC3\xA9"), "plain text, 100% \xC3\xA9");
}

TEST(HtmlReport, InputStringsShowAsText) {
  Fixture f;
  const std::string html = write_report(f.input);
  EXPECT_EQ(html.find(kAttack), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  // The report's own script is the only one.
  EXPECT_EQ(count(html, "<script"), 1u);
  EXPECT_NE(html.find("O&#39;Brien &amp; &quot;Sons&quot;"), std::string::npos);
  EXPECT_EQ(html.find("<study>"), std::string::npos);
  EXPECT_NE(html.find("Test &lt;study&gt;"), std::string::npos);
  EXPECT_EQ(html.find("<b>repaired</b>"), std::string::npos);
  EXPECT_NE(html.find("premises&lt;1&gt;.csv"), std::string::npos);
}

TEST(HtmlReport, OneShapePerAreaInEachMap) {
  Fixture f;
  const std::string html = write_report(f.input);
  // gigabit_pct, below_uso_pct and mob_4g_indoor_none_pct exist: three maps.
  EXPECT_EQ(count(html, "<figure class=\"map\""), 3u);
  for (const char* column : {"gigabit_pct", "below_uso_pct", "mob_4g_indoor_none_pct"}) {
    const std::string figure =
        between(html, std::string("data-column=\"") + column + "\">", "</figure>");
    ASSERT_FALSE(figure.empty()) << column;
    EXPECT_EQ(count(figure, "<path class=\"area\""), 4u) << column;
    EXPECT_EQ(count(figure, "tabindex=\"0\""), 4u) << column;
    EXPECT_NE(figure.find("aria-describedby"), std::string::npos);
  }
  // The dense circle (20,000 vertices 0.13 m apart, about 0.05 px) is simplified; the 1 m
  // square, under a pixel wide, still gets a shape.
  const std::regex path_re("data-p=\"(\\d)\"[^>]* d=\"([^\"]*)\"");
  std::size_t seen = 0;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), path_re);
       it != std::sregex_iterator(); ++it) {
    const std::string d = (*it)[2];
    EXPECT_EQ(d.front(), 'M');
    EXPECT_EQ(d.back(), 'Z');
    if ((*it)[1] == "1") {
      // The block is 2 km square, drawn 740 px wide (760 less 10 px margins): 0.37 px/m, so
      // the circle is centred on (10 + 1500 * 0.37, 10 + 1500 * 0.37) with a 148 px radius.
      // Every kept vertex must lie on it, and no chord may stray more than half a pixel from
      // it (plus the 0.05 px rounding of coordinates).
      std::vector<double> numbers;
      std::string token;
      for (char ch : d + " ") {
        if ((ch >= '0' && ch <= '9') || ch == '.' || ch == '-') {
          token += ch;
        } else if (!token.empty()) {
          numbers.push_back(std::stod(token));
          token.clear();
        }
      }
      ASSERT_EQ(numbers.size() % 2, 0u);
      const double c = 10 + 1500 * 0.37;
      const double r = 400 * 0.37;
      std::vector<double> angles;
      for (std::size_t k = 0; k < numbers.size(); k += 2) {
        EXPECT_NEAR(std::hypot(numbers[k] - c, numbers[k + 1] - c), r, 0.15);
        angles.push_back(std::atan2(numbers[k + 1] - c, numbers[k] - c));
      }
      std::sort(angles.begin(), angles.end());
      angles.push_back(angles.front() + 2 * std::numbers::pi);
      for (std::size_t k = 0; k + 1 < angles.size(); ++k) {
        const double sagitta = r * (1 - std::cos((angles[k + 1] - angles[k]) / 2));
        EXPECT_LE(sagitta, 0.6) << "gap after vertex " << k;
      }
      // Far fewer than the 20,000 given; at least the 38 a 0.5 px tolerance needs.
      EXPECT_LT(angles.size(), 400u);
      EXPECT_GE(angles.size(), 38u);
    }
    ++seen;
  }
  EXPECT_EQ(seen, 12u);
}

// The outline is every edge no two areas share. A1 and A3 share the edge y = 1000, so each
// leaves an open polyline of its other three edges; the circle and the tiny square are closed
// rings: four parts. A1's, from its corner (0, 1000) round to (1000, 1000), is drawn at
// (10 + x * 0.37, 10 + (2000 - y) * 0.37).
TEST(HtmlReport, EveryMapDrawsTheStudyOutline) {
  Fixture f;
  const std::string html = write_report(f.input);
  EXPECT_EQ(count(html, "<path class=\"outline\""), 3u);
  std::smatch m;
  ASSERT_TRUE(
      std::regex_search(html, m, std::regex("<path class=\"outline\"[^>]* d=\"([^\"]*)\"")));
  const std::string d = m[1];
  EXPECT_EQ(count(d, "M"), 4u) << d;
  EXPECT_NE(d.find("M10 380L10 750 380 750 380 380"), std::string::npos) << d;
  EXPECT_EQ(count(d, "Z"), 2u) << d;  // the circle and the tiny square
}

// Labels by rank, as many as fit: Smallville's dot would sit under Bigtown's label, Faraway
// is outside the drawing; names are escaped; the text alternative lists what is labelled.
TEST(HtmlReport, PlaceLabelsThatFitAreDrawnOnEveryMap) {
  Fixture f;
  f.input.places = {{"Smallville", {520, 520}, 1},
                    {"Bigtown", {500, 500}, 100},
                    {"Faraway", {90000, 90000}, 50},
                    {"<b>X</b>", {500, 1500}, 10}};
  const std::string html = write_report(f.input);
  EXPECT_EQ(count(html, ">Bigtown</text>"), 3u);
  EXPECT_EQ(count(html, ">&lt;b&gt;X&lt;/b&gt;</text>"), 3u);
  EXPECT_EQ(html.find("<b>X"), std::string::npos);
  EXPECT_EQ(html.find("Smallville"), std::string::npos);
  EXPECT_EQ(html.find("Faraway"), std::string::npos);
  EXPECT_EQ(count(html, "Places labelled: Bigtown, &lt;b&gt;X&lt;/b&gt;."), 3u);
  // A halo: a white stroke painted under the letters.
  EXPECT_NE(html.find("stroke=\"#fff\" stroke-width=\"3\" stroke-linejoin=\"round\" "
                      "paint-order=\"stroke\""),
            std::string::npos);
  f.input.max_place_labels = 1;
  const std::string one = write_report(f.input);
  EXPECT_EQ(count(one, ">Bigtown</text>"), 3u);
  EXPECT_EQ(one.find("X&lt;/b&gt;</text>"), std::string::npos);
}

// Gigabit shares by hand: A1 89.11, A2 20, A3 none (no premises), A4 50; classes (map_breaks):
// 0-50-80-85-90-95-99-100, 99 kept as a target although empty.
TEST(HtmlReport, LegendCountsTheAreasOfEachClassBestFirst) {
  Fixture f;
  const std::string html = write_report(f.input);
  const std::string legend = between(between(html, "data-column=\"gigabit_pct\">", "</figure>"),
                                     "<ul class=\"legend\"", "</ul>");
  EXPECT_NE(legend.find("under 50%: 1 parish<"), std::string::npos) << legend;
  EXPECT_NE(legend.find("50% to under 80%: 1 parish<"), std::string::npos) << legend;
  EXPECT_NE(legend.find("85% to under 90%: 1 parish<"), std::string::npos) << legend;
  EXPECT_NE(legend.find("no premises (no data): 1 parish<"), std::string::npos) << legend;
  EXPECT_LT(legend.find("99% or more: 0 parishes"), legend.find("under 50%"));  // best first
  const std::regex areas_re("data-areas=\"(\\d+)\"");
  std::size_t sum = 0;
  for (auto it = std::sregex_iterator(legend.begin(), legend.end(), areas_re);
       it != std::sregex_iterator(); ++it) {
    sum += std::stoul((*it)[1]);
  }
  EXPECT_EQ(sum, 4u);
  EXPECT_NE(html.find("Paler is better"), std::string::npos);
}

TEST(HtmlReport, TableHasOneRowPerAreaAndProfiles) {
  Fixture f;
  const std::string html = write_report(f.input);
  const std::string body =
      between(between(html, "id=\"parish-table\"", "</table>"), "<tbody>", "</tbody>");
  EXPECT_EQ(count(body, "<tr"), 4u);
  EXPECT_EQ(count(body, "<th scope=\"row\">"), 4u);
  EXPECT_GE(count(html, "<th scope=\"col\""), 5u);
  EXPECT_EQ(count(html, "<details class=\"profile\""), 4u);
  for (int i = 0; i < 4; ++i) {
    EXPECT_NE(html.find("id=\"p-" + std::to_string(i) + "\""), std::string::npos);
    EXPECT_NE(html.find("href=\"#p-" + std::to_string(i) + "\""), std::string::npos);
  }
}

TEST(HtmlReport, SummaryFiguresAreTheStudyRowAsTheCsvWritesThem) {
  Fixture f;
  const std::string html = write_report(f.input);
  const std::string summary = between(html, "<section id=\"summary\"", "</section>");
  // Hand-computed from the fixture's study row: 105 / 161 = 65.217%, 6 / 161 = 3.727%,
  // 12 / 161 = 7.453%.
  const std::map<std::string, std::string> expected = {{"premises", "161"},
                                                       {"gigabit", "105"},
                                                       {"gigabit_pct", "65.22"},
                                                       {"below_uso", "6"},
                                                       {"below_uso_pct", "3.73"},
                                                       {"mob_4g_indoor_none", "12"},
                                                       {"mob_4g_indoor_none_pct", "7.45"}};
  const std::regex figure_re("data-column=\"([a-z0-9_]+)\" value=\"([^\"]*)\"");
  std::set<std::string> seen;
  for (auto it = std::sregex_iterator(summary.begin(), summary.end(), figure_re);
       it != std::sregex_iterator(); ++it) {
    const auto e = expected.find((*it)[1]);
    ASSERT_NE(e, expected.end()) << "unexpected summary figure " << (*it)[1];
    EXPECT_EQ((*it)[2], e->second) << e->first;
    seen.insert(e->first);
  }
  EXPECT_EQ(seen.size(), expected.size());
  // 85% of 161 = 136.85: 137 premises, 32 more than the 105 gigabit-capable; 85 - 65.22 =
  // 19.78 points short.
  EXPECT_NE(summary.find("by 19.78 percentage points: 32 more premises"), std::string::npos);
  // The ten most in need: A2 (20%) before A4 (50%) before A1 (90%); A3 has no premises.
  const std::string need = between(summary, "id=\"need-table\"", "</table>");
  const std::size_t a2 = need.find("&lt;script&gt;");
  const std::size_t a4 = need.find(">Tiny<");
  const std::size_t a1 = need.find(">Ashby<");
  ASSERT_NE(a2, std::string::npos);
  ASSERT_NE(a4, std::string::npos);
  ASSERT_NE(a1, std::string::npos);
  EXPECT_LT(a2, a4);
  EXPECT_LT(a4, a1);
  EXPECT_EQ(need.find("O&#39;Brien"), std::string::npos);
}

TEST(HtmlReport, LoadsNothingFromOutside) {
  Fixture f;
  const std::string html = write_report(f.input);
  EXPECT_EQ(html.find(" src="), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  const std::regex href_re("href=\"([^\"]*)\"");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), href_re);
       it != std::sregex_iterator(); ++it) {
    EXPECT_EQ((*it)[1].str().front(), '#') << (*it)[0];
  }
  // "http" appears only in the attribution text given as input (and in http-equiv).
  std::string rest = std::regex_replace(html, std::regex("<meta http-equiv="), "<meta ");
  const std::string attribution = html_escape(kAttribution);
  const std::size_t at = rest.find(attribution);
  ASSERT_NE(at, std::string::npos);
  rest.erase(at, attribution.size());
  EXPECT_EQ(rest.find("http"), std::string::npos);
  EXPECT_NE(html.find("Content-Security-Policy\" content=\"default-src 'none'"), std::string::npos);
}

TEST(HtmlReport, SameInputSameBytes) {
  Fixture f;
  const std::string first = write_report(f.input, "a.html");
  Fixture g;  // built again: nothing may depend on addresses or time
  const std::string second = write_report(g.input, "b.html");
  EXPECT_EQ(first, second);
  EXPECT_GT(first.size(), 1000u);
}

// A run that failed a check opens with a banner naming it and what it means, before anything
// else in <main>; the texts are quality_status()'s, escaped.
TEST(HtmlReport, FailedCheckOpensThePageWithABanner) {
  Fixture f;
  f.input.quality.push_back({"max_outside_share", 0.021, 0.01, false, false, "see <b>this</b>"});
  const std::string html = write_report(f.input);
  const std::string opening = "<main id=\"main\" tabindex=\"-1\">\n";
  const std::size_t main = html.find(opening);
  ASSERT_NE(main, std::string::npos);
  const std::string banner_start = "<section class=\"quality-banner\" role=\"alert\"";
  EXPECT_EQ(html.compare(main + opening.size(), banner_start.size(), banner_start), 0)
      << html.substr(main, 200);
  EXPECT_EQ(count(html, "<section class=\"quality-banner\" role=\"alert\""), 1u);
  const std::string banner = between(html, "<section class=\"quality-banner\"", "</section>");
  EXPECT_NE(banner.find("Data quality: FAILED: 1 of 2 checks failed (max_outside_share)"),
            std::string::npos)
      << banner;
  // 2.1% measured against a 1% limit, and what it means for the reader.
  EXPECT_NE(banner.find("<li>max_outside_share: 2.1% of the premises read were outside every "
                        "area (limit 1%): figures may be missing premises; check the "
                        "premises&#39; CRS and the areas&#39; coverage. In detail: see "
                        "&lt;b&gt;this&lt;/b&gt;</li>"),
            std::string::npos)
      << banner;
  EXPECT_EQ(banner.find("max_rejected_share"), std::string::npos) << "it passed";
  EXPECT_NE(banner.find("href=\"#quality\""), std::string::npos);
  EXPECT_LT(main, html.find("id=\"summary\""));
  // Styled for screen and print.
  const std::string print = between(html, "@media print", "</style>");
  EXPECT_NE(print.find(".quality-banner"), std::string::npos);
}

TEST(HtmlReport, NoBannerWhenEveryCheckPassed) {
  Fixture f;
  f.input.quality.push_back({"premises_assigned", 161.0 / 171, 0, true, true, ""});
  const std::string html = write_report(f.input);
  EXPECT_EQ(html.find("<section class=\"quality-banner\""), std::string::npos);
  EXPECT_EQ(html.find("role=\"alert\""), std::string::npos);
}

TEST(HtmlReport, ShowsChangesSinceThePreviousRun) {
  Fixture f;
  f.input.changes =
      ReportChanges{"run of <October>",
                    {{"", "", {{"gigabit_pct", 2.5}}}, {"A1", "Ashby", {{"gigabit_pct", -1.25}}}},
                    {{"A1", "Ashby", "gigabit_pct", 85, true}},
                    {"3 premises added"},
                    {},
                    {}};
  const std::string html = write_report(f.input);
  const std::string summary = between(html, "<section id=\"summary\"", "</section>");
  EXPECT_NE(summary.find("run of &lt;October&gt;"), std::string::npos);
  EXPECT_NE(summary.find("+2.50 points"), std::string::npos);
  EXPECT_NE(summary.find("-1.25 points"), std::string::npos);
  // The crossing in words (the measure, not the column's name or its table heading), with
  // its target.
  EXPECT_NE(
      summary.find(
          "Gigabit-capable (&gt;= 1000 Mbit/s) rose to at least "
          "85% of premises: gigabit-capable broadband for at least 85% of UK premises by 2025 "
          "(Project Gigabit)"),
      std::string::npos)
      << summary;
  EXPECT_NE(summary.find("3 premises added"), std::string::npos);
  // No column name in what a reader sees (tags and their attributes aside).
  const std::string changes =
      std::regex_replace(between(summary, "What changed", "</section>"), std::regex("<[^>]*>"), "");
  EXPECT_EQ(changes.find("gigabit_pct"), std::string::npos) << changes;
  const std::string profile = between(html, "id=\"p-0\"", "</details>");
  EXPECT_NE(profile.find("-1.25 points"), std::string::npos);
}

TEST(HtmlReport, ListsTheDataDatesBeforeTheSummary) {
  Fixture f;
  f.input.data_dates = {{"Study", "October 2026"},
                        {"Fixed broadband: <speeds>", "July 2025"},
                        {"Premises: premises.csv", "not stated"}};
  const std::string html = write_report(f.input);
  const std::string dates = between(html, "<section id=\"data-dates\"", "</section>");
  ASSERT_FALSE(dates.empty()) << html.substr(0, 3000);
  EXPECT_NE(dates.find("<h2 id=\"data-dates-h\">Data dates</h2>"), std::string::npos);
  EXPECT_NE(dates.find("<li>Study, October 2026</li>"), std::string::npos) << dates;
  EXPECT_NE(dates.find("<li>Fixed broadband: &lt;speeds&gt;, July 2025</li>"), std::string::npos);
  EXPECT_NE(dates.find("<li>Premises: premises.csv, not stated</li>"), std::string::npos);
  EXPECT_LT(html.find("id=\"data-dates\""), html.find("<section id=\"summary\""));
}

TEST(HtmlReport, WithoutDataDatesHasNoDataDatesSection) {
  Fixture f;
  EXPECT_EQ(write_report(f.input).find("data-dates"), std::string::npos);
}

TEST(HtmlReport, NamesBothRunsByTheirDates) {
  Fixture f;
  ReportChanges changes;
  changes.previous_run = "out_sep";
  changes.comparison = "October 2026 compared with September 2026";
  f.input.changes = changes;
  const std::string summary =
      between(write_report(f.input), "<section id=\"summary\"", "</section>");
  EXPECT_NE(summary.find("<p>October 2026 compared with September 2026.</p>"), std::string::npos)
      << summary;
  EXPECT_EQ(summary.find("Compared with out_sep"), std::string::npos);
}

TEST(HtmlReport, ListsTheColumnsNotCompared) {
  // Columns measured from different layers in the two runs: listed with their label and reason.
  Fixture f;
  f.input.changes = ReportChanges{
      "run of October", {}, {}, {}, {}, {{"gigabit_pct", "the previous run had <no> BDUK layer"}}};
  const std::string html = write_report(f.input);
  const std::string summary = between(html, "<section id=\"summary\"", "</section>");
  EXPECT_NE(summary.find("Not compared, because the two runs did not measure them"),
            std::string::npos)
      << summary;
  EXPECT_NE(summary.find("<li>Gigabit-capable (&gt;= 1000 Mbit/s): "
                         "the previous run had &lt;no&gt; BDUK layer</li>"),
            std::string::npos)
      << summary;
}

TEST(HtmlReport, FirstSentenceNamesThePlaceAndTheDate) {
  Fixture f;
  f.input.place = "Dorset & <Poole>";
  f.input.as_at = "2026-10";
  const std::string html = write_report(f.input);
  const std::string lead = between(html, "<p class=\"lead\"", "</p>");
  // 105 of 161 premises gigabit-capable: 65.22%, in 4 parishes.
  EXPECT_NE(lead.find("In Dorset &amp; &lt;Poole&gt;, as at October 2026, "), std::string::npos)
      << lead;
  EXPECT_NE(lead.find(">65.22%</data> of premises (<data value=\"105\">105</data> of <data "
                      "value=\"161\">161</data>, in 4 parishes) can get gigabit-capable"),
            std::string::npos)
      << lead;
  // The first paragraph of <main>: nothing but a failed run's banner comes before it.
  EXPECT_EQ(html.find("<p", html.find("<main")), html.find("<p class=\"lead\""));
}

TEST(HtmlReport, FirstSentenceWithoutPlaceOrDateSaysSo) {
  Fixture f;  // no place, no as_at: the study's name stands in, and the date is not hidden
  const std::string lead = between(write_report(f.input), "<p class=\"lead\"", "</p>");
  EXPECT_NE(lead.find("In Test &lt;study&gt;, at a date the study file does not state, "),
            std::string::npos)
      << lead;
}

TEST(HtmlReport, EstimatesAreRoundedAndCalledEstimates) {
  Fixture f;  // est_gigabit: A1 88.5, A2 12.25, study 104.75
  const std::string html = write_report(f.input);
  const std::string a1 = between(html, "id=\"p-0\"", "</details>");
  const std::string a2 = between(html, "id=\"p-1\"", "</details>");
  EXPECT_NE(a1.find("<td>about 89</td>"), std::string::npos) << a1;   // 88.5 rounds up
  EXPECT_NE(a1.find("<td>about 105</td>"), std::string::npos) << a1;  // the study's 104.75
  EXPECT_NE(a2.find("<td>about 12</td>"), std::string::npos) << a2;
  EXPECT_EQ(html.find("88.50"), std::string::npos);
  EXPECT_EQ(html.find("12.25</td>"), std::string::npos);
  // The glossary says what an estimate is.
  const std::string glossary = between(html, "<section id=\"glossary\"", "</section>");
  EXPECT_NE(glossary.find("<dfn>Estimate</dfn>"), std::string::npos) << glossary;
}

TEST(HtmlReport, GlossaryExplainsTheTermsOfTheStudysMeasures) {
  Fixture f;  // gigabit, below_uso, estimates and 4G indoor: no BDUK, no land columns
  const std::string html = write_report(f.input);
  const std::string glossary = between(html, "<section id=\"glossary\"", "</section>");
  ASSERT_FALSE(glossary.empty());
  for (const char* term : {"Gigabit-capable", "Decent broadband and the USO", "Not-spot",
                           "Partial not-spot", "Premises"}) {
    EXPECT_NE(glossary.find(std::string("<dfn>") + term + "</dfn>"), std::string::npos) << term;
  }
  EXPECT_NE(glossary.find("10 Mbit/s down and 1 Mbit/s up"), std::string::npos);
  // Terms of measures the study does not have are left out.
  EXPECT_EQ(glossary.find("BDUK"), std::string::npos);
  EXPECT_EQ(glossary.find("Land coverage"), std::string::npos);
  EXPECT_NE(html.find("<a href=\"#glossary\">Glossary</a>"), std::string::npos);
}

TEST(HtmlReport, PrintFooterNamesTheStudySafely) {
  Fixture f;
  f.input.study_name = "Q\"uote\\ </style><script>x</script>";
  f.input.as_at = "2026-10-05";
  const std::string html = write_report(f.input);
  const std::string style = between(html, "<style>", "</style>");
  // The name as a CSS string, every character that could end it escaped, and the date.
  EXPECT_NE(style.find("@bottom-left { content: \"Q\\22 uote\\5c  \\3c /style\\3e \\3c "
                       "script\\3e x\\3c /script\\3e , 5 October 2026\";"),
            std::string::npos)
      << style;
  EXPECT_NE(style.find("counter(page) \" of \" counter(pages)"), std::string::npos);
  EXPECT_EQ(count(html, "</style>"), 1u);
}

TEST(HtmlReport, SaysWhyRunsWereNotCompared) {
  Fixture f;
  f.input.changes = ReportChanges{"run of October", {}, {}, {}, {"thresholds differ: <x>"}, {}};
  const std::string html = write_report(f.input);
  EXPECT_NE(html.find("was not compared"), std::string::npos);
  EXPECT_NE(html.find("thresholds differ: &lt;x&gt;"), std::string::npos);
}

TEST(HtmlReport, WithoutGeometriesHasNoMaps) {
  Fixture f;
  f.input.areas = {};
  const std::string html = write_report(f.input);
  EXPECT_EQ(html.find("<figure class=\"map\""), std::string::npos);
  EXPECT_EQ(count(html, "<details class=\"profile\""), 4u);
}

TEST(HtmlReport, RefusesInputThatBreaksItsRequirements) {
  Fixture f;
  f.input.areas = std::span<const io::Area>(f.areas).first(3);
  EXPECT_THROW(write_report(f.input), engine::Error);
  ReportInput empty;
  EXPECT_THROW(write_report(empty), engine::Error);
  Fixture g;
  EXPECT_THROW(write_html_report("/nonexistent-folder/report.html", g.input), engine::Error);
}

}  // namespace
}  // namespace notspot::outputs
