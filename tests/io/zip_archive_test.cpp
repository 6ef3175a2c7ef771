// ZIP archives as inputs (issue 13): members found from the central directory (ZIP64 too),
// decompressed and checked against their CRC-32, selected by a glob, nested archives, and the
// errors for what cannot be read. The archives are made by Python's zipfile (or by hand, in
// Python, for ZIP64, and read back by zipfile to prove them well formed) and by Info-ZIP's zip.

#include "notspot/io/zip_archive.hpp"

#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "notspot/engine/error.hpp"
#include "notspot/io/crs.hpp"
#include "notspot/io/csv.hpp"
#include "notspot/io/gdal.hpp"
#include "notspot/io/premises_reader.hpp"
#include "support/temp_dir.hpp"

namespace notspot::io {
namespace {

namespace fs = std::filesystem;

class ZipArchiveTest : public test::TempDirTest {
 protected:
  /// Runs a Python script in dir_ (helpers `z(archive, {name: text}, method)` and `zip64`).
  void python(const std::string& body) {
    const fs::path script = dir_ / "make.py";
    write(script, R"(import os, struct, zipfile, zlib
os.chdir(os.path.dirname(os.path.abspath(__file__)))
def z(archive, members, method=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(archive, 'w', method) as f:
        for name, text in members.items():
            f.writestr(name, text)
def zip64(path, name, data, method=8):
    data = data.encode()
    if method == 8:
        c = zlib.compressobj(6, zlib.DEFLATED, -15)
        comp = c.compress(data) + c.flush()
    else:
        comp = data
    crc = zlib.crc32(data)
    n = name.encode()
    lx = struct.pack('<HHQQ', 1, 16, len(data), len(comp))
    local = struct.pack('<IHHHHHIIIHH', 0x04034b50, 45, 0, method, 0, 0, crc, 0xFFFFFFFF,
                        0xFFFFFFFF, len(n), len(lx)) + n + lx
    body = local + comp
    cx = struct.pack('<HHQQQ', 1, 24, len(data), len(comp), 0)
    cd = struct.pack('<IHHHHHHIIIHHHHHII', 0x02014b50, 45, 45, 0, method, 0, 0, crc, 0xFFFFFFFF,
                     0xFFFFFFFF, len(n), len(cx), 0, 0, 0, 0, 0xFFFFFFFF) + n + cx
    e64 = struct.pack('<IQHHIIQQQQ', 0x06064b50, 44, 45, 45, 0, 0, 1, 1, len(cd), len(body))
    loc = struct.pack('<IIQI', 0x07064b50, 0, len(body) + len(cd), 1)
    eocd = struct.pack('<IHHHHIIH', 0x06054b50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    open(path, 'wb').write(body + cd + e64 + loc + eocd)
    # Python's own reader must read it back: the archive is well formed.
    with zipfile.ZipFile(path) as f:
        assert f.testzip() is None and f.read(name) == data
)" + body + "\n");
    ASSERT_EQ(std::system(("python3 " + script.string()).c_str()), 0) << body;
  }

  static std::string error_of(const std::function<void()>& f, engine::ErrorKind kind) {
    try {
      f();
    } catch (const engine::Error& e) {
      EXPECT_EQ(e.kind(), kind) << e.what();
      return e.what();
    }
    ADD_FAILURE() << "no error";
    return "";
  }
};

constexpr const char* kCsv = "UPRN,X,Y\n1,10.5,20\n2,11,21\n3,12,22\n";

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_F(ZipArchiveTest, DeflatedMemberReadsAsTheCsvWithItsCrc) {
  python(std::string("z('p.zip', {'Data/premises.csv': '''") + kCsv +
         "'''})\n"
         "open('crc.txt', 'w').write('%08x' % zlib.crc32(b'''" +
         kCsv + "'''))");
  const CsvFile csv = open_csv_file(dir_ / "p.zip", std::nullopt, "p.zip");
  EXPECT_EQ(csv.display, "p.zip/Data/premises.csv");
  EXPECT_EQ(csv.header.names(), (std::vector<std::string>{"UPRN", "X", "Y"}));
  EXPECT_EQ(csv.rows, "1,10.5,20\n2,11,21\n3,12,22\n");
  ASSERT_TRUE(csv.file.member());
  EXPECT_EQ(csv.file.member()->name, "Data/premises.csv");
  EXPECT_EQ(csv.file.member()->uncompressed_size, std::string(kCsv).size());
  char crc[9];
  std::snprintf(crc, sizeof crc, "%08x", csv.file.member()->crc32);
  EXPECT_EQ(crc, read(dir_ / "crc.txt"));
}

TEST_F(ZipArchiveTest, StoredMemberAndMemberGlob) {
  python(std::string("z('p.zip', {'a_DT.csv': '''") + kCsv +
         "''', 'a_BH.csv': 'UPRN\\n9\\n', 'readme.pdf': 'x'}, zipfile.ZIP_STORED)");
  const CsvFile csv = open_csv_file(dir_ / "p.zip", std::string("*_DT.csv"), "p.zip");
  EXPECT_EQ(csv.display, "p.zip/a_DT.csv");
  EXPECT_EQ(csv.rows, "1,10.5,20\n2,11,21\n3,12,22\n");
}

TEST_F(ZipArchiveTest, Zip64DirectoryAndSizes) {
  python(std::string("zip64('big.zip', 'uprn.csv', '''") + kCsv + "''')\n" +
         "zip64('big_stored.zip', 'uprn.csv', '''" + kCsv + "''', 0)");
  for (const char* name : {"big.zip", "big_stored.zip"}) {
    const ZipArchive zip(dir_ / name);
    ASSERT_EQ(zip.members().size(), 1u);
    EXPECT_EQ(zip.members()[0].uncompressed_size, std::string(kCsv).size());
    const CsvFile csv = open_csv_file(dir_ / name, std::nullopt, name);
    EXPECT_EQ(csv.rows, "1,10.5,20\n2,11,21\n3,12,22\n") << name;
  }
}

TEST_F(ZipArchiveTest, PremisesFromAZipAreThoseOfTheCsv) {
  write(dir_ / "p.csv", "UPRN,X_COORDINATE,Y_COORDINATE\n1,400000,100000\n2,oops,100000\n");
  python("zipfile.ZipFile('p.zip', 'w', zipfile.ZIP_DEFLATED).write('p.csv', 'p.csv')");
  PremisesSource source;
  source.path = dir_ / "p.zip";
  ProblemLog log;
  Progress progress;
  const PremisesLoad load =
      read_premises(source, Crs::from_definition("EPSG:27700", "test"), "p.zip", log, progress);
  EXPECT_EQ(load.rows_read, 2u);
  EXPECT_EQ(load.table.size(), 1u);
  ASSERT_EQ(log.rejected().size(), 1u);
  EXPECT_EQ(log.rejected()[0].file, "p.zip/p.csv");  // the member, with its line
  EXPECT_EQ(log.rejected()[0].line, 3u);
  ASSERT_EQ(load.members.size(), 1u);
  EXPECT_EQ(load.members[0].name, "p.csv");
}

TEST_F(ZipArchiveTest, SeveralMembersAreOneTableWithOneHeader) {
  python(
      "z('o.zip', {'a.csv': 'pc,v\\nDT1 1AA,1\\n', 'b.csv': 'pc,v\\nDT2 2BB,2\\n'})\n"
      "z('bad.zip', {'a.csv': 'pc,v\\n1,2\\n', 'b.csv': 'pc,w\\n1,2\\n'})");
  const std::vector<CsvFile> files = open_csv_files(dir_ / "o.zip", std::string("*.csv"), "o.zip");
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].rows, "DT1 1AA,1\n");
  EXPECT_EQ(files[1].rows, "DT2 2BB,2\n");
  EXPECT_EQ(files[1].display, "o.zip/b.csv");
  const std::string m =
      error_of([&] { open_csv_files(dir_ / "bad.zip", std::string("*"), "bad.zip"); },
               engine::ErrorKind::kInput);
  EXPECT_TRUE(has(m, "bad.zip/b.csv: its header (pc, w) differs")) << m;
  // One input reading one member: several are an error naming them.
  const std::string one =
      error_of([&] { open_csv_file(dir_ / "o.zip", std::string("*.csv"), "o.zip"); },
               engine::ErrorKind::kStudy);
  EXPECT_TRUE(has(one, "matches 2 members (a.csv, b.csv)")) << one;
  // Without a member: ambiguous.
  const std::string none = error_of([&] { open_csv_file(dir_ / "o.zip", std::nullopt, "o.zip"); },
                                    engine::ErrorKind::kStudy);
  EXPECT_TRUE(has(none, "holds 2 CSV members (a.csv, b.csv)")) << none;
}

TEST_F(ZipArchiveTest, NestedArchiveMembers) {
  python(
      "z('inner.zip', {'x_DT.csv': 'pc,v\\nA,1\\n', 'y_BH.csv': 'pc,v\\nB,2\\n'})\n"
      "zipfile.ZipFile('outer.zip', 'w').write('inner.zip', 'release/postcode_files.zip')");
  const std::vector<CsvFile> files =
      open_csv_files(dir_ / "outer.zip", std::string("*postcode_files.zip/*.csv"), "outer.zip");
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].display, "outer.zip/release/postcode_files.zip/x_DT.csv");
  EXPECT_EQ(files[1].rows, "B,2\n");
}

TEST_F(ZipArchiveTest, NoMatchingMemberListsTheMembers) {
  python(std::string("z('p.zip', {'premises.csv': '''") + kCsv + "'''})");
  const std::string m =
      error_of([&] { open_csv_file(dir_ / "p.zip", std::string("*_DT.csv"), "p.zip"); },
               engine::ErrorKind::kInput);
  EXPECT_TRUE(has(m, "no member matches member = \"*_DT.csv\"")) << m;
  EXPECT_TRUE(has(m, "premises.csv (" + std::to_string(std::string(kCsv).size()) + " bytes)")) << m;
}

TEST_F(ZipArchiveTest, MemberOnAPlainFileIsAnError) {
  write(dir_ / "p.csv", kCsv);
  const std::string m =
      error_of([&] { open_csv_file(dir_ / "p.csv", std::string("*.csv"), "p.csv"); },
               engine::ErrorKind::kStudy);
  EXPECT_TRUE(has(m, "not a ZIP archive")) << m;
}

TEST_F(ZipArchiveTest, CrcMismatchNamesArchiveAndMember) {
  // A stored member with one byte changed: its CRC-32 no longer matches.
  python(std::string("z('p.zip', {'premises.csv': '''") + kCsv +
         "'''}, zipfile.ZIP_STORED)\n"
         "b = bytearray(open('p.zip', 'rb').read()); i = b.index(b'10.5'); b[i] = ord('9')\n"
         "open('p.zip', 'wb').write(b)");
  const std::string m = error_of([&] { open_csv_file(dir_ / "p.zip", std::nullopt, "p.zip"); },
                                 engine::ErrorKind::kInput);
  EXPECT_TRUE(has(m, "p.zip: member premises.csv: CRC-32 mismatch")) << m;
}

TEST_F(ZipArchiveTest, DamagedDeflateDataAndTruncatedArchive) {
  python(std::string("z('p.zip', {'premises.csv': '''") + kCsv +
         "''' * 50})\n"
         "b = bytearray(open('p.zip', 'rb').read())\n"
         "for i in range(40, 60): b[i] ^= 0x5A\n"
         "open('damaged.zip', 'wb').write(b)\n"
         "open('cut.zip', 'wb').write(b[:len(b) // 2])");
  const std::string damaged =
      error_of([&] { open_csv_file(dir_ / "damaged.zip", std::nullopt, "damaged.zip"); },
               engine::ErrorKind::kInput);
  EXPECT_TRUE(has(damaged, "member premises.csv")) << damaged;
  EXPECT_TRUE(has(damaged, "corrupt")) << damaged;
  const std::string cut = error_of(
      [&] { open_csv_file(dir_ / "cut.zip", std::nullopt, "cut.zip"); }, engine::ErrorKind::kInput);
  EXPECT_TRUE(has(cut, "not a readable ZIP archive")) << cut;
}

TEST_F(ZipArchiveTest, UnsupportedMethodAndEncryptedMember) {
  python(std::string("z('b.zip', {'premises.csv': '''") + kCsv + "'''}, zipfile.ZIP_BZIP2)");
  const std::string m = error_of([&] { open_csv_file(dir_ / "b.zip", std::nullopt, "b.zip"); },
                                 engine::ErrorKind::kInput);
  EXPECT_TRUE(has(m, "member premises.csv is compressed with bzip2")) << m;
  write(dir_ / "premises.csv", kCsv);
  if (std::system(("cd " + dir_.string() + " && zip -q -P secret e.zip premises.csv").c_str()) !=
      0) {
    GTEST_SKIP() << "Info-ZIP zip is not installed";
  }
  const std::string e = error_of([&] { open_csv_file(dir_ / "e.zip", std::nullopt, "e.zip"); },
                                 engine::ErrorKind::kInput);
  EXPECT_TRUE(has(e, "member premises.csv is encrypted")) << e;
}

TEST_F(ZipArchiveTest, ArchiveRewrittenWhileReadIsAnErrorNamingTheArchive) {
  python(std::string("z('p.zip', {'premises.csv': '''") + kCsv + "'''})");
  const CsvFile csv = open_csv_file(dir_ / "p.zip", std::nullopt, "p.zip");
  EXPECT_NO_THROW(csv.file.check_unchanged(csv.display));
  write(dir_ / "p.zip", "a refreshed download, half written");
  const std::string m =
      error_of([&] { csv.file.check_unchanged(csv.display); }, engine::ErrorKind::kInput);
  EXPECT_EQ(m.rfind("p.zip: changed while it was being read", 0), 0u) << m;
}

TEST_F(ZipArchiveTest, VectorMemberThroughVsizip) {
  write(dir_ / "a.geojson",
        R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"A"},)"
        R"("geometry":{"type":"Point","coordinates":[1,2]}},{"type":"Feature","properties":)"
        R"({"id":"B"},"geometry":{"type":"Point","coordinates":[3,4]}}]})");
  python(
      "with zipfile.ZipFile('v.zip', 'w', zipfile.ZIP_DEFLATED) as f:\n"
      "    f.write('a.geojson', 'shapes/areas.geojson')\n"
      "    f.writestr('shapes/readme.txt', 'x')");
  const std::string name = gdal_input_name(dir_ / "v.zip", std::string("*.geojson"), "v.zip");
  EXPECT_EQ(name, "/vsizip/{" + (dir_ / "v.zip").string() + "}/shapes/areas.geojson");
  ensure_gdal();
  GDALDatasetUniquePtr ds(GDALDataset::Open(name.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
  ASSERT_TRUE(ds);
  EXPECT_EQ(ds->GetLayer(0)->GetFeatureCount(), 2);
  EXPECT_EQ(gdal_input_name(dir_ / "a.geojson", std::nullopt, "a"), (dir_ / "a.geojson").string());
}

TEST(NonFileSources, RecognisedAndRedacted) {
  EXPECT_TRUE(is_non_file_source("PG:host=db dbname=gis"));
  EXPECT_TRUE(is_non_file_source("/vsicurl/https://example.org/a.fgb"));
  EXPECT_TRUE(is_non_file_source("https://example.org/a.fgb"));
  EXPECT_TRUE(is_non_file_source("WFS:https://example.org/wfs"));
  EXPECT_TRUE(is_non_file_source("OAPIF:https://example.org/ogcapi"));
  EXPECT_FALSE(is_non_file_source("parishes.gpkg"));
  EXPECT_FALSE(is_non_file_source("/data/PG/parishes.gpkg"));
  EXPECT_EQ(redact_source("PG:host=db user=me password=hunter2 dbname=gis"),
            "PG:host=db user=me password=*** dbname=gis");
  EXPECT_EQ(redact_source("PG:host=db PASSWORD = 'two words' dbname=gis"),
            "PG:host=db PASSWORD = *** dbname=gis");
  EXPECT_EQ(redact_source("/vsicurl/https://me:hunter2@example.org/a.fgb"),
            "/vsicurl/https://me:***@example.org/a.fgb");
  EXPECT_EQ(redact_source("https://example.org/a.fgb?x=1"), "https://example.org/a.fgb?x=1");
}

}  // namespace
}  // namespace notspot::io
