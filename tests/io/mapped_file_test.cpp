// A mapped input that another process truncates or rewrites while notspot reads it: an input
// error naming the file, never SIGBUS (issue 12).

#include "notspot/io/mapped_file.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <filesystem>
#include <fstream>
#include <string>

#include "notspot/engine/error.hpp"
#include "notspot/io/crs.hpp"
#include "notspot/io/premises_reader.hpp"
#include "support/temp_dir.hpp"

namespace notspot::io {
namespace {

namespace fs = std::filesystem;
using MappedFileTest = test::TempDirTest;

void expect_changed_error(const std::function<void()>& f, const std::string& display) {
  try {
    f();
    ADD_FAILURE() << "no error for a file changed while it was read";
  } catch (const engine::Error& e) {
    EXPECT_EQ(e.kind(), engine::ErrorKind::kInput);
    const std::string m = e.what();
    EXPECT_EQ(m.rfind(display + ": changed while it was being read", 0), 0u) << m;
    EXPECT_NE(m.find("rerun when the refresh has finished"), std::string::npos) << m;
  }
}

TEST_F(MappedFileTest, ReadingPastATruncationGivesZerosAndAnErrorNotSigbus) {
  const fs::path path = dir_ / "p.csv";
  write(path, std::string(1 << 20, 'a'));
  const MappedFile file(path);
  ASSERT_EQ(file.size(), std::size_t{1} << 20);
  EXPECT_FALSE(file.changed());
  EXPECT_NO_THROW(file.check_unchanged("p.csv"));
  // What another process's `truncate -s 0` or `> p.csv` does, here in the same process. The
  // pages are dropped first so that the reads below go to the (now shorter) file.
  file.release(file.view());
  fs::resize_file(path, 4096);
  const std::string_view bytes = file.view();
  EXPECT_EQ(bytes[100], 'a') << "the page still in the file reads as before";
  EXPECT_EQ(bytes[bytes.size() - 1], '\0') << "past the new end: zeros, not a signal";
  EXPECT_EQ(bytes[8192], '\0');
  EXPECT_TRUE(file.changed());
  expect_changed_error([&] { file.check_unchanged("p.csv"); }, "p.csv");
}

TEST_F(MappedFileTest, AFileRewrittenOrReplacedAfterOpeningIsChanged) {
  const fs::path path = dir_ / "p.csv";
  write(path, "UPRN,X,Y\n1,2,3\n");
  const MappedFile rewritten(path);
  write(path, "UPRN,X,Y\n1,2,4\n");  // same size, new contents and modification time
  fs::last_write_time(path, fs::last_write_time(path) + std::chrono::seconds(5));
  EXPECT_TRUE(rewritten.changed());
  write(dir_ / "new.csv", "UPRN,X,Y\n9,9,9\n");
  const MappedFile replaced(path);
  fs::rename(dir_ / "new.csv", path);  // an atomic refresh: another inode at the same path
  EXPECT_TRUE(replaced.changed());
}

// The Progress hook runs while read_premises is part-way through the file: there it truncates
// the file as a refresh would, at a point where the reader has mapped but not parsed it all.
struct TruncateOnFirstAdvance : Progress {
  fs::path path;
  std::atomic<bool> done{false};
  void advance(std::uint64_t, std::uint64_t) override {
    if (!done.exchange(true)) fs::resize_file(path, fs::file_size(path) / 3);
  }
};

TEST_F(MappedFileTest, PremisesTruncatedWhileReadIsAnInputErrorNamingTheFile) {
  const fs::path path = dir_ / "premises.csv";
  {
    std::ofstream out(path, std::ios::binary);
    out << "UPRN,X_COORDINATE,Y_COORDINATE\n";
    // 600,000 rows of 29 bytes: 17 MB, four chunks of 4 MB or more.
    for (int i = 0; i < 600'000; ++i) out << 10'000'000 + i << ",400500.25,100500.75\n";
  }
  PremisesSource source;
  source.path = path;
  ProblemLog log;
  TruncateOnFirstAdvance progress;
  progress.path = path;
  expect_changed_error(
      [&] {
        read_premises(source, Crs::from_definition("EPSG:27700", "t"), "premises.csv", log,
                      progress);
      },
      "premises.csv");
  EXPECT_TRUE(progress.done) << "the hook did not run: the test tested nothing";
}

}  // namespace
}  // namespace notspot::io
