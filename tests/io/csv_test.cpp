// The CSV tokenizer, chunking for parallel parsing, and field parsing.

#include "notspot/io/csv.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "notspot/engine/error.hpp"

namespace notspot::io {
namespace {

std::vector<std::vector<std::string>> rows_of(std::string_view text,
                                              std::vector<std::uint64_t>* lines = nullptr) {
  std::vector<std::vector<std::string>> out;
  CsvCursor cursor(text, 1);
  for (CsvRow row; cursor.next(row);) {
    out.emplace_back(row.fields.begin(), row.fields.end());
    if (lines) lines->push_back(row.line);
  }
  return out;
}

using Rows = std::vector<std::vector<std::string>>;

TEST(CsvCursor, SplitsPlainRowsWithLfAndCrlf) {
  EXPECT_EQ(rows_of("a,b,c\n1,2,3\n"), (Rows{{"a", "b", "c"}, {"1", "2", "3"}}));
  EXPECT_EQ(rows_of("a,b\r\n1,2\r\n"), (Rows{{"a", "b"}, {"1", "2"}}));
  EXPECT_EQ(rows_of("a,b\n1,2"), (Rows{{"a", "b"}, {"1", "2"}})) << "no final newline";
}

TEST(CsvCursor, KeepsEmptyFields) {
  EXPECT_EQ(rows_of(",x,\n"), (Rows{{"", "x", ""}}));
  EXPECT_EQ(rows_of("\n"), (Rows{{""}}));
}

TEST(CsvCursor, QuotedFieldsWithCommasQuotesAndNewlines) {
  std::vector<std::uint64_t> lines;
  const Rows rows = rows_of(
      "id,name\n1,\"Dorset, Lot 10\"\n2,\"say \"\"hi\"\"\"\n3,\"two\nlines\"\n4,x\n", &lines);
  EXPECT_EQ(rows, (Rows{{"id", "name"},
                        {"1", "Dorset, Lot 10"},
                        {"2", "say \"hi\""},
                        {"3", "two\nlines"},
                        {"4", "x"}}));
  // A row's line is where it starts; the quoted newline moves later rows down.
  EXPECT_EQ(lines, (std::vector<std::uint64_t>{1, 2, 3, 4, 6}));
}

TEST(CsvCursor, QuotedFieldWithCrlfLineEnds) {
  EXPECT_EQ(rows_of("\"a,b\",c\r\n\"d\",\"e\"\r\n"), (Rows{{"a,b", "c"}, {"d", "e"}}));
}

TEST(CsvCursor, QuoteInsideUnquotedFieldIsLiteral) {
  EXPECT_EQ(rows_of("5'10\",tall\n"), (Rows{{"5'10\"", "tall"}}));
}

TEST(CsvCursor, UnterminatedQuoteIsFlaggedAndEndsTheInput) {
  CsvCursor cursor("1,\"open\n2,b\n", 1);
  CsvRow row;
  ASSERT_TRUE(cursor.next(row));
  EXPECT_TRUE(row.unterminated_quote);
  EXPECT_FALSE(cursor.next(row));
}

TEST(CsvCursor, RawTextExcludesTheLineEnd) {
  CsvCursor cursor("1,\"a\"\r\n2,b\r\n", 10);
  CsvRow row;
  ASSERT_TRUE(cursor.next(row));
  EXPECT_EQ(row.raw, "1,\"a\"");
  EXPECT_EQ(row.line, 10u);
  ASSERT_TRUE(cursor.next(row));
  EXPECT_EQ(row.raw, "2,b");
  EXPECT_EQ(row.line, 11u);
}

TEST(CsvCursor, BlankRows) {
  CsvCursor cursor("\r\n  \n1\n", 1);
  CsvRow row;
  ASSERT_TRUE(cursor.next(row));
  EXPECT_TRUE(row.blank());
  ASSERT_TRUE(cursor.next(row));
  EXPECT_TRUE(row.blank());
  ASSERT_TRUE(cursor.next(row));
  EXPECT_FALSE(row.blank());
}

TEST(SplitCsvRows, ChunksCoverEveryRowOnceWithExactLineNumbers) {
  std::string text;
  for (int i = 0; i < 1000; ++i) text += std::to_string(i) + ",row" + std::to_string(i) + "\n";
  for (std::size_t count : {1, 2, 7, 64, 5000}) {
    std::vector<std::string> seen;
    std::vector<std::uint64_t> lines;
    for (const CsvChunk& chunk : split_csv_rows(text, 2, count)) {
      CsvCursor cursor(chunk.text, chunk.first_line);
      for (CsvRow row; cursor.next(row);) {
        seen.emplace_back(row.fields[0]);
        lines.push_back(row.line);
      }
    }
    ASSERT_EQ(seen.size(), 1000u) << count << " chunks";
    for (int i = 0; i < 1000; ++i) {
      EXPECT_EQ(seen[static_cast<std::size_t>(i)], std::to_string(i));
      EXPECT_EQ(lines[static_cast<std::size_t>(i)], static_cast<std::uint64_t>(i + 2));
    }
  }
}

TEST(SplitCsvRows, TextWithQuotesStaysOneChunk) {
  const std::string text = "1,\"a\nb\"\n2,c\n3,d\n";
  const auto chunks = split_csv_rows(text, 5, 8);
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0].first_line, 5u);
}

TEST(SplitCsvRows, EmptyTextHasNoChunks) {
  EXPECT_TRUE(split_csv_rows("", 1, 4).empty());
}

TEST(CsvText, RemovesOnlyALeadingUtf8Bom) {
  EXPECT_EQ(csv_text("\xEF\xBB\xBFUPRN", "f.csv"), "UPRN");
  EXPECT_EQ(csv_text("UPRN", "f.csv"), "UPRN");
  EXPECT_EQ(csv_text("a\xEF\xBB\xBF", "f.csv"), "a\xEF\xBB\xBF");
  EXPECT_EQ(csv_text("", "f.csv"), "");
}

// The message must name the file and the encoding, and say what to save it as.
void expect_encoding_error(std::string_view bytes, const std::string& encoding) {
  try {
    csv_text(bytes, "premises.csv");
    ADD_FAILURE() << "no error for " << encoding;
  } catch (const notspot::engine::Error& e) {
    EXPECT_EQ(e.kind(), notspot::engine::ErrorKind::kInput);
    const std::string message = e.what();
    EXPECT_NE(message.find("premises.csv is " + encoding), std::string::npos) << message;
    EXPECT_NE(message.find("UTF-8"), std::string::npos) << message;
  }
}

TEST(CsvText, RefusesWideEncodingsByTheirMarkOrTheirNulBytes) {
  using namespace std::string_view_literals;
  expect_encoding_error("\xFF\xFEU\0P\0R\0N\0"sv, "UTF-16");  // Excel "Unicode text"
  expect_encoding_error("\xFE\xFF\0U\0P\0R\0N"sv, "UTF-16");
  expect_encoding_error("\xFF\xFE\0\0U\0\0\0"sv, "UTF-32");
  expect_encoding_error("\0\0\xFE\xFF\0\0\0U"sv, "UTF-32");
  expect_encoding_error("U\0P\0R\0N\0,\0"sv, "UTF-16");  // no mark
}

TEST(CsvText, CallsNulBytesInRunsBinaryNotUtf16) {
  using namespace std::string_view_literals;
  for (const std::string_view bytes :
       {std::string_view("\0\0\0\0\0\0\0\0\0\0\0\0", 12), "UPRN,X\0\0\0\0\0\0,Y\n"sv}) {
    try {
      csv_text(bytes, "premises.csv");
      ADD_FAILURE() << "no error for NUL bytes";
    } catch (const notspot::engine::Error& e) {
      const std::string message = e.what();
      EXPECT_NE(message.find("premises.csv:1: binary data (a NUL byte, "), std::string::npos)
          << message;
      EXPECT_EQ(message.find("UTF-16"), std::string::npos) << message;
    }
  }
}

TEST(CsvChunks, NulBytesAfterTheHeaderAreRefusedWithTheirLine) {
  const std::string text = std::string("1,2,3\n4,5,6\n7,") + std::string(40, '\0') + "\n8,9,0\n";
  for (const std::size_t count : {1u, 3u}) {
    const auto chunks = split_csv_rows(text, 2, count);
    try {
      refuse_binary(chunks, text, "p.csv");
      ADD_FAILURE() << "no error for NUL bytes";
    } catch (const notspot::engine::Error& e) {
      EXPECT_EQ(e.kind(), notspot::engine::ErrorKind::kInput);
      // rows start on line 2: the NUL is on the third row, line 4, 14 bytes in (12 + "7,").
      EXPECT_NE(std::string(e.what()).find("p.csv:4: binary data (a NUL byte, 14 bytes"),
                std::string::npos)
          << e.what();
    }
  }
  EXPECT_NO_THROW(refuse_binary(split_csv_rows("1,2\n", 2, 1), "1,2\n", "p.csv"));
}

TEST(CsvText, RefusesCarriageReturnsAloneAsLineEnds) {
  EXPECT_THROW(csv_text("UPRN,X\r1,2\r", "f.csv"), notspot::engine::Error);
  EXPECT_EQ(csv_text("UPRN,X\r\n1,2\r\n", "f.csv"), "UPRN,X\r\n1,2\r\n");
}

TEST(CsvHeader, FindsExactThenUniqueCaseInsensitiveMatches) {
  CsvCursor cursor("UPRN,uprn2,X_Coordinate, spaced \n", 1);
  CsvRow row;
  ASSERT_TRUE(cursor.next(row));
  const CsvHeader header(row);
  EXPECT_EQ(header.find("UPRN"), 0u);
  EXPECT_EQ(header.find("x_coordinate"), 2u);
  EXPECT_EQ(header.find("spaced"), 3u) << "names are trimmed";
  EXPECT_FALSE(header.find("Y_COORDINATE"));
  EXPECT_EQ(header.closest("X_COORDINATES"), "X_Coordinate");
  EXPECT_FALSE(header.closest("completely different"));
}

TEST(CsvHeader, AmbiguousCaseInsensitiveMatchIsNotGuessed) {
  CsvCursor cursor("Name,NAME\n", 1);
  CsvRow row;
  ASSERT_TRUE(cursor.next(row));
  EXPECT_FALSE(CsvHeader(row).find("name"));
}

TEST(CsvHeader, RequireRefusesANameTheHeaderHasTwice) {
  CsvCursor cursor("UPRN,X,Y,X,NOTE,NOTE\n", 1);
  CsvRow row;
  ASSERT_TRUE(cursor.next(row));
  const CsvHeader header(row);
  try {
    header.require("X", "p.csv", "study.toml:3 [premises] x");
    FAIL() << "an ambiguous column was accepted";
  } catch (const notspot::engine::Error& e) {
    EXPECT_EQ(e.kind(), notspot::engine::ErrorKind::kStudy);
    const std::string m = e.what();
    EXPECT_NE(m.find("p.csv: the header has 2 columns named 'X' (columns 2 and 4"),
              std::string::npos)
        << m;
    EXPECT_NE(m.find("study.toml:3 [premises] x"), std::string::npos) << m;
  }
  EXPECT_EQ(header.require("Y", "p.csv", "key"), 2u) << "unique names still resolve";
  EXPECT_EQ(header.duplicate_names(), (std::vector<std::string>{"X", "NOTE"}));
}

TEST(ParseDouble, AcceptsNumbersOnly) {
  EXPECT_EQ(parse_double("400500.25"), 400500.25);
  EXPECT_EQ(parse_double(" -2.5 "), -2.5);
  EXPECT_EQ(parse_double("+3"), 3.0);
  EXPECT_EQ(parse_double("1e3"), 1000.0);
  EXPECT_FALSE(parse_double(""));
  EXPECT_FALSE(parse_double("12a"));
  EXPECT_FALSE(parse_double("1,5"));
  EXPECT_FALSE(parse_double("abc"));
  ASSERT_TRUE(parse_double("nan"));
  EXPECT_TRUE(std::isnan(*parse_double("nan")));
  EXPECT_TRUE(std::isinf(*parse_double("inf")));
}

TEST(ParseUint64, AcceptsWholeNumbersUpTo64Bits) {
  EXPECT_EQ(parse_uint64("100000000001"), 100000000001u);
  EXPECT_EQ(parse_uint64("18446744073709551615"), std::numeric_limits<std::uint64_t>::max());
  EXPECT_FALSE(parse_uint64("18446744073709551616"));
  EXPECT_FALSE(parse_uint64("-1"));
  EXPECT_FALSE(parse_uint64("12.0"));
  EXPECT_FALSE(parse_uint64(""));
}

TEST(CsvEscape, QuotesOnlyWhenNeeded) {
  EXPECT_EQ(csv_escape("plain"), "plain");
  EXPECT_EQ(csv_escape("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_escape("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_escape("two\nlines"), "\"two\nlines\"");
}

}  // namespace
}  // namespace notspot::io
