// The premises table's columns and rows (outputs/premises_table.hpp), on premises whose every
// cell is worked out by hand in the comments: the values below are written from the
// definitions in docs/outputs-folder.md, not from the code's output.

#include "notspot/outputs/premises_table.hpp"

#include <gtest/gtest.h>
#include <tbb/global_control.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "notspot/engine/area_index.hpp"

namespace notspot::outputs {
namespace {

std::vector<std::string> names(const ColumnCatalogue& c) {
  std::vector<std::string> out;
  for (const ColumnSpec& s : c) out.push_back(s.name);
  return out;
}

struct Fixture {
  engine::PremisesTable premises;
  std::vector<std::uint32_t> area_of;
  std::vector<engine::FixedBroadband> broadband;
  std::vector<io::Area> areas;
  std::vector<engine::BitVector> operators;
  engine::BitVector any;
  PremisesResults results;

  Fixture() {
    areas.push_back({"E04000001", "Alpha", {}, {}});
    areas.push_back({"=HYPERLINK(1)", "Bravo, the \"big\" one", {}, {}});
    // 1: in Alpha; speeds layer (layer 1): 1000/110 FTTP; BDUK (layer 0) grey/black, gigabit.
    // 2: in Bravo; BDUK only: white, not gigabit. Negative x, rounding 0.005 up (half away).
    // 3: outside; no layer at all.
    premises.push_back(100012345678, 400500.004, 100500.5, 2);
    premises.push_back(2, -12.345, 0.005, 3);
    premises.push_back(3, 1, 2, 4);
    area_of = {0, 1, engine::AreaIndex::kOutside};
    broadband.resize(3);
    broadband[0].has_speed_record = true;
    broadband[0].speed_layer = 1;
    broadband[0].down_mbps = 1000;
    broadband[0].up_mbps = 110;
    broadband[0].full_fibre = true;
    broadband[0].has_bduk_record = true;
    broadband[0].bduk_layer = 0;
    broadband[0].current_gigabit = true;
    broadband[0].subsidy = engine::SubsidyStatus::kGreyBlack;
    broadband[1].has_bduk_record = true;
    broadband[1].bduk_layer = 0;
    broadband[1].subsidy = engine::SubsidyStatus::kWhite;
    // Two operators: A covers 1 and 2, B covers 1: premise 1 all, 2 partial, 3 none.
    operators.emplace_back(3);
    operators.emplace_back(3);
    operators[0].set(0);
    operators[0].set(1);
    operators[1].set(0);
    any = engine::BitVector(3);
    any |= operators[0];
    any |= operators[1];
    results.premises = &premises;
    results.area_of = area_of;
    results.broadband = broadband;
    results.areas = areas;
    results.fixed_layers = {"bduk", "speeds"};
    results.mobile = {{&operators[0], &operators[1]}};
    results.exclusion_any = &any;
  }
};

CatalogueOptions mobile_options() {
  CatalogueOptions options;
  options.mobile_groups = {{"4G", "indoor", {"A", "B"}, true}};
  options.exclusion_technology = "4G";
  options.exclusion_setting = "indoor";
  return options;
}

TEST(PremisesTable, ColumnsInTheDocumentedOrder) {
  const ColumnCatalogue c = ColumnCatalogue::premises_table(mobile_options());
  EXPECT_EQ(names(c), (std::vector<std::string>{"uprn",
                                                "x",
                                                "y",
                                                "area_id",
                                                "area_name",
                                                "status",
                                                "gigabit",
                                                "ultrafast",
                                                "superfast",
                                                "decent",
                                                "below_uso",
                                                "full_fibre",
                                                "bduk_white",
                                                "bduk_grey_black",
                                                "bduk_under_review",
                                                "no_data",
                                                "fixed_source",
                                                "gigabit_source",
                                                "mob_4g_indoor_a",
                                                "mob_4g_indoor_b",
                                                "mob_4g_indoor_any",
                                                "mob_4g_indoor_all",
                                                "mob_4g_indoor_none",
                                                "mob_4g_indoor_partial",
                                                "digitally_excluded"}));
  for (const ColumnSpec& s : c) {
    EXPECT_FALSE(s.label.empty()) << s.name;
    EXPECT_FALSE(s.definition.empty()) << s.name;
  }
  // Without mobile layers or digital exclusion, the table ends with the sources.
  EXPECT_EQ(names(ColumnCatalogue::premises_table({})).back(), "gigabit_source");
}

TEST(PremisesTable, RowsFormattedByHand) {
  const Fixture f;
  const ColumnCatalogue c = ColumnCatalogue::premises_table(mobile_options());
  const PremisesCsvFormatter formatter(c, f.results);
  std::string out;
  formatter.format(0, 3, out);
  // Premise 1: gigabit by both layers; ultrafast/superfast/decent by its speed; full fibre;
  // grey/black. Premise 2: white, no speed so no tier and not below the USO; partial 4G.
  // Premise 3: no data; none of the operators; not below the USO on evidence, so not excluded.
  EXPECT_EQ(out,
            "100012345678,400500.00,100500.50,E04000001,Alpha,assigned,"
            "1,1,1,1,0,1,0,1,0,0,bduk+speeds,bduk+speeds,1,1,1,1,0,0,0\n"
            "2,-12.35,0.01,'=HYPERLINK(1),\"Bravo, the \"\"big\"\" one\",assigned,"
            "0,0,0,0,0,0,1,0,0,0,bduk,,1,0,1,0,0,1,0\n"
            "3,1.00,2.00,,,outside,0,0,0,0,0,0,0,0,0,1,none,,0,0,0,0,1,0,0\n");
  EXPECT_LE(out.size(), 3 * formatter.max_row_bytes());
}

TEST(PremisesTable, NotMeasuredColumnsAreEmptyAndDegreesHaveSevenDecimals) {
  Fixture f;
  f.premises.x[0] = -2.12345678;  // 7 decimals: -2.1234568
  f.premises.y[0] = 50.5;
  CatalogueOptions options;  // no mobile groups, no exclusion
  options.layer_kinds = {"fixed-speeds"};
  options.crs_geographic = true;
  f.results.mobile.clear();
  const ColumnCatalogue c = ColumnCatalogue::premises_table(options);
  const PremisesCsvFormatter formatter(c, f.results);
  std::string out;
  formatter.format(0, 1, out);
  // No BDUK layer: the three bduk_ flags are empty; gigabit and no_data are still measured.
  EXPECT_EQ(out,
            "100012345678,-2.1234568,50.5000000,E04000001,Alpha,assigned,"
            "1,1,1,1,0,1,,,,0,bduk+speeds,bduk+speeds\n");
}

TEST(PremisesTable, TypedCellsMatchTheCsv) {
  const Fixture f;
  const ColumnCatalogue c = ColumnCatalogue::premises_table(mobile_options());
  const PremisesCells cells(c, f.results);
  std::vector<PremisesCell> row(c.size());
  cells.row(1, row);
  EXPECT_EQ(row[0].type, PremisesCell::Type::kInteger);
  EXPECT_EQ(row[0].integer, 2);
  EXPECT_DOUBLE_EQ(row[1].real, -12.35);
  EXPECT_EQ(row[3].text, "=HYPERLINK(1)");  // text as text: no CSV prefix in the GeoPackage
  EXPECT_EQ(row[12].type, PremisesCell::Type::kFlag);  // bduk_white
  EXPECT_EQ(row[12].integer, 1);
  EXPECT_EQ(row[17].type, PremisesCell::Type::kNull);  // gigabit_source: not gigabit
  cells.row(2, row);
  EXPECT_EQ(row[3].type, PremisesCell::Type::kNull);  // outside: no area
  EXPECT_EQ(row[5].text, "outside");
}

// The file is the header and the rows in order, identical with 1 and 2 threads and whatever
// the block size (here 7 rows per block over 1,000 premises: blocks end mid-way).
TEST(PremisesTable, FileIsTheSameWhateverThreadsAndBlocks) {
  Fixture f;
  for (std::uint64_t i = 3; i < 1000; ++i) {
    f.premises.push_back(i + 1, 400000 + static_cast<double>(i) * 0.37, 100000, i + 2);
    f.area_of.push_back(
        static_cast<std::uint32_t>(i % 3 == 0 ? engine::AreaIndex::kOutside : i % 2));
    f.broadband.push_back(f.broadband[i % 3]);
  }
  f.results.premises = &f.premises;
  f.results.area_of = f.area_of;
  f.results.broadband = f.broadband;
  f.results.mobile.clear();
  f.results.exclusion_any = nullptr;
  const ColumnCatalogue c = ColumnCatalogue::premises_table({});
  const PremisesCsvFormatter formatter(c, f.results);
  std::string expected = formatter.header();
  for (std::size_t i = 0; i < 1000; ++i) formatter.format(i, i + 1, expected);
  const auto dir = std::filesystem::temp_directory_path() / "notspot_premises_table_test";
  std::filesystem::create_directories(dir);
  for (int threads : {1, 2}) {
    for (std::size_t block : {std::size_t{7}, std::size_t{65536}}) {
      const tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
      const auto path = dir / "premises.csv";
      write_premises_csv(path, c, f.results, {block});
      std::ifstream in(path, std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      EXPECT_EQ(text.str(), expected) << threads << " threads, blocks of " << block;
    }
  }
  EXPECT_EQ(expected.substr(0, expected.find('\n')),
            "uprn,x,y,area_id,area_name,status,gigabit,ultrafast,superfast,decent,below_uso,"
            "full_fibre,bduk_white,bduk_grey_black,bduk_under_review,no_data,fixed_source,"
            "gigabit_source");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace notspot::outputs
