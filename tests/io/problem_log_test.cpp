// ProblemLog keeps quoted input valid UTF-8, so rejected.csv opens in pandas and Excel.

#include "notspot/io/problem_log.hpp"

#include <gtest/gtest.h>

#include <string>

namespace notspot::io {
namespace {

std::string escaped(std::string text) {
  escape_invalid_utf8(text);
  return text;
}

TEST(EscapeInvalidUtf8, LeavesWellFormedTextAlone) {
  std::string text = "Sturminster Newton, caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x93\xB6";
  EXPECT_FALSE(escape_invalid_utf8(text));
  EXPECT_EQ(text, "Sturminster Newton, caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x93\xB6");
}

TEST(EscapeInvalidUtf8, EscapesEachByteOutsideAWellFormedSequence) {
  EXPECT_EQ(escaped("2\xFF"), "2\\xFF");
  EXPECT_EQ(escaped("caf\xE9"), "caf\\xE9");                       // Latin-1 e-acute
  EXPECT_EQ(escaped("\xC0\xAF"), "\\xC0\\xAF");                    // overlong '/'
  EXPECT_EQ(escaped("\xED\xA0\x80"), "\\xED\\xA0\\x80");           // a UTF-16 surrogate
  EXPECT_EQ(escaped("\xF4\x90\x80\x80"), "\\xF4\\x90\\x80\\x80");  // above U+10FFFF
  EXPECT_EQ(escaped("a\xE2\x82"), "a\\xE2\\x82");                  // cut short at the end
  EXPECT_EQ(escaped("\xE2\x82\xC3\xA9"), "\\xE2\\x82\xC3\xA9");    // cut short, then valid
}

TEST(ProblemLog, RejectedRowsQuotingBadBytesAreEscapedAndSaySo) {
  ProblemLog log;
  log.reject({"premises", "p.csv", 3, std::nullopt, "UPRN '2\xFF' is not an integer",
              "2\xFF,400500,100500"});
  const RejectedRow& row = log.rejected().at(0);
  EXPECT_EQ(row.record, "2\\xFF,400500,100500");
  EXPECT_EQ(row.reason.rfind("UPRN '2\\xFF' is not an integer; the row is not valid UTF-8", 0), 0u)
      << row.reason;
}

TEST(ProblemLog, LongRecordsAreCutBetweenCharactersNotInsideOne) {
  ProblemLog log;
  // A two-byte character straddles the cut: it must go whole, not leave half a character.
  std::string record(ProblemLog::kMaxRecordBytes - 1, 'a');
  record += "\xC3\xA9";
  record += std::string(100, 'b');
  log.reject({"premises", "p.csv", 2, std::nullopt, "too many columns", record});
  const RejectedRow& row = log.rejected().at(0);
  EXPECT_EQ(row.record, std::string(ProblemLog::kMaxRecordBytes - 1, 'a') + " [cut: 102 bytes]");
  EXPECT_EQ(row.reason, "too many columns") << "valid UTF-8 needs no note";
}

TEST(ProblemLog, WarningsAreEscapedToo) {
  ProblemLog log;
  log.warn("areas", "feature 3 (\xA3name): repaired");
  EXPECT_EQ(log.warnings().at(0).message, "feature 3 (\\xA3name): repaired");
}

}  // namespace
}  // namespace notspot::io
