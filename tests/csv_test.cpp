// Tests for the CSV reader, delimiter sniffing, and CSV tables.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <vector>

#include "leadfunnel/csv.hpp"
#include "leadfunnel/error.hpp"
#include "leadfunnel/input.hpp"
#include "leadfunnel/text.hpp"

#include "scan_width.hpp"

namespace leadfunnel {
namespace {

using Fields = std::vector<std::string>;

/// One thing the reader produced: a record or a problem, with its line.
struct Event {
  bool problem = false;
  std::size_t line = 0;
  Fields fields;       // records only
  std::string reason;  // problems only
};

/// Reads `data` to the end and returns everything the reader produced, in order.
std::vector<Event> read_all(std::string_view data, char delimiter, std::size_t* blank_lines = nullptr) {
  CsvReader reader(data, delimiter);
  std::vector<Event> out;
  CsvRecord rec;
  CsvProblem prob;
  for (int guard = 0; guard < 1000; ++guard) {
    const auto st = reader.next(rec, prob);
    if (st == CsvReader::Status::End) break;
    if (st == CsvReader::Status::Record)
      out.push_back(Event{false, rec.line, rec.fields.strings(), {}});
    else
      out.push_back(Event{true, prob.line, {}, prob.reason});
  }
  if (blank_lines) *blank_lines = reader.blank_lines();
  return out;
}

void check_record(const Event& e, std::size_t line, const Fields& fields) {
  INFO("expected a record on line " << line);
  CHECK_FALSE(e.problem);
  CHECK(e.line == line);
  CHECK(e.fields == fields);
}

void check_problem(const Event& e, std::size_t line) {
  INFO("expected a problem on line " << line);
  CHECK(e.problem);
  CHECK(e.line == line);
  CHECK_FALSE(e.reason.empty());
}

}  // namespace

// ---------------------------------------------------------------------------
// sniff_delimiter / sniff_line_ending

TEST_CASE("csv: sniff_delimiter picks the delimiter that splits every line alike", "[csv]") {
  SECTION("comma") { CHECK(sniff_delimiter("id,name,source\n1,Ana,ads\n2,Bia,seo\n") == ','); }
  SECTION("semicolon") { CHECK(sniff_delimiter("id;name;source\n1;Ana;ads\n2;Bia;seo\n") == ';'); }
  SECTION("tab") { CHECK(sniff_delimiter("id\tname\tsource\n1\tAna\tads\n2\tBia\tseo\n") == '\t'); }
  SECTION("pipe") { CHECK(sniff_delimiter("id|name|source\n1|Ana|ads\n2|Bia|seo\n") == '|'); }
  SECTION("CRLF line ends do not matter") { CHECK(sniff_delimiter("id;name\r\n1;Ana\r\n2;Bia\r\n") == ';'); }
}

TEST_CASE("csv: sniff_delimiter ignores other delimiters inside quoted fields", "[csv]") {
  SECTION("semicolon file with commas and pipes in quotes") {
    // The commas and pipes all sit inside quotes; only ';' splits the header
    // and every row into the same 3 columns.
    const std::string data =
        "id;name;note\n"
        "1;\"Smith, John\";\"a,b|c\"\n"
        "2;\"Doe, Jane\";\"x,y|z\"\n"
        "3;\"Roe, Rick\";\"p,q|r\"\n";
    CHECK(sniff_delimiter(data) == ';');
  }
  SECTION("comma file whose header and rows quote semicolons and pipes") {
    // With ';' or '|' the quoted header fields are followed by ',' (text after a
    // closing quote), so those readers see only problems.
    const std::string data =
        "\"Name; full\",Email,\"Tags|list\"\n"
        "\"Smith; J\",j@example.com,\"a|b|c\"\n"
        "\"Doe; K\",k@example.com,\"d|e\"\n";
    CHECK(sniff_delimiter(data) == ',');
  }
  SECTION("tab file with commas in quoted names") {
    const std::string data =
        "id\tname\tsource\n"
        "1\t\"Smith, John\"\tads\n"
        "2\t\"Doe, Jane, Jr\"\tseo\n";
    CHECK(sniff_delimiter(data) == '\t');
  }
  SECTION("pipe file with commas, semicolons and tabs in quotes") {
    const std::string data =
        "id|note|owner\n"
        "1|\"a,b;c\td\"|Ana\n"
        "2|\"e;f\"|Bia\n"
        "3|\"g,h,i\"|Caio\n";
    CHECK(sniff_delimiter(data) == '|');
  }
  SECTION("quoted line breaks do not split records") {
    const std::string data =
        "id;note\n"
        "1;\"first line, with comma\nsecond line, with comma\"\n"
        "2;plain\n";
    CHECK(sniff_delimiter(data) == ';');
  }
}

TEST_CASE("csv: sniff_delimiter prefers the delimiter whose quotes enclose whole fields", "[csv]") {
  SECTION("tab") {
    const std::string data =
        "id\t\"last, first\"\n"
        "1\t\"Smith, John\"\n"
        "2\t\"Doe, Jane\"\n";
    CHECK(sniff_delimiter(data) == '\t');
  }
  SECTION("semicolon") {
    const std::string data =
        "id;\"last, first\"\n"
        "1;\"Smith, John\"\n"
        "2;\"Doe, Jane\"\n";
    CHECK(sniff_delimiter(data) == ';');
  }
}

TEST_CASE("csv: sniff_delimiter falls back to comma when nothing fits", "[csv]") {
  SECTION("one column") { CHECK(sniff_delimiter("id\n1\n2\n") == ','); }
  SECTION("empty") { CHECK(sniff_delimiter("") == ','); }
}

TEST_CASE("csv: sniff_line_ending names the first line ending outside quotes", "[csv]") {
  CHECK(sniff_line_ending("a,b\n1,2\n") == "LF");
  CHECK(sniff_line_ending("a,b\r\n1,2\r\n") == "CRLF");
  CHECK(sniff_line_ending("a,b\r1,2\r") == "CR");
  CHECK(sniff_line_ending("a,b") == "none");
  SECTION("a line break inside quotes is skipped") {
    CHECK(sniff_line_ending("a,\"x\ny\"\r\n1,2\r\n") == "CRLF");
  }
}

// ---------------------------------------------------------------------------
// CsvReader

TEST_CASE("csv: the reader handles LF, CRLF and CR line ends", "[csv]") {
  std::string data;
  SECTION("LF") { data = "id,name\n1,Ana\n2,Bia\n"; }
  SECTION("CRLF") { data = "id,name\r\n1,Ana\r\n2,Bia\r\n"; }
  SECTION("CR") { data = "id,name\r1,Ana\r2,Bia\r"; }
  SECTION("no final line end") { data = "id,name\n1,Ana\n2,Bia"; }
  SECTION("mixed") { data = "id,name\r\n1,Ana\r2,Bia\n"; }
  const auto ev = read_all(data, ',');
  REQUIRE(ev.size() == 3);
  check_record(ev[0], 1, {"id", "name"});
  check_record(ev[1], 2, {"1", "Ana"});
  check_record(ev[2], 3, {"2", "Bia"});
}

TEST_CASE("csv: the reader keeps empty fields", "[csv]") {
  const auto ev = read_all("a,,c\n,,\nx,\n", ',');
  REQUIRE(ev.size() == 3);
  check_record(ev[0], 1, {"a", "", "c"});
  check_record(ev[1], 2, {"", "", ""});
  check_record(ev[2], 3, {"x", ""});
}

TEST_CASE("csv: quoted fields may hold the delimiter and doubled quotes", "[csv]") {
  SECTION("a quoted delimiter") {
    const auto ev = read_all("1,\"Smith, John\",ads\n", ',');
    REQUIRE(ev.size() == 1);
    check_record(ev[0], 1, {"1", "Smith, John", "ads"});
  }
  SECTION("a quoted semicolon with ';' as delimiter") {
    const auto ev = read_all("1;\"a;b\";c\n", ';');
    REQUIRE(ev.size() == 1);
    check_record(ev[0], 1, {"1", "a;b", "c"});
  }
  SECTION("doubled quotes are one quote") {
    const auto ev = read_all("1,\"she said \"\"hi\"\"\",x\n", ',');
    REQUIRE(ev.size() == 1);
    check_record(ev[0], 1, {"1", "she said \"hi\"", "x"});
  }
  SECTION("an empty quoted field") {
    const auto ev = read_all("\"\",\"\"\"\"\n", ',');
    REQUIRE(ev.size() == 1);
    check_record(ev[0], 1, {"", "\""});
  }
  SECTION("a quoted last field at the end of the data") {
    const auto ev = read_all("1,\"end\"", ',');
    REQUIRE(ev.size() == 1);
    check_record(ev[0], 1, {"1", "end"});
  }
}

TEST_CASE("csv: line breaks inside quotes stay in the field and lines are counted physically", "[csv]") {
  SECTION("LF inside quotes") {
    // Record 2 spans lines 2-3, so the next record starts on line 4.
    const auto ev = read_all("id,note\n1,\"line one\nline two\"\n2,x\n", ',');
    REQUIRE(ev.size() == 3);
    check_record(ev[0], 1, {"id", "note"});
    check_record(ev[1], 2, {"1", "line one\nline two"});
    check_record(ev[2], 4, {"2", "x"});
  }
  SECTION("CRLF inside quotes counts as one line break") {
    const auto ev = read_all("id,note\r\n1,\"a\r\nb\"\r\n2,x\r\n", ',');
    REQUIRE(ev.size() == 3);
    check_record(ev[1], 2, {"1", "a\r\nb"});
    check_record(ev[2], 4, {"2", "x"});
  }
  SECTION("CR inside quotes in a CR file") {
    const auto ev = read_all("id,note\r1,\"a\rb\"\r2,x\r", ',');
    REQUIRE(ev.size() == 3);
    check_record(ev[1], 2, {"1", "a\rb"});
    check_record(ev[2], 4, {"2", "x"});
  }
  SECTION("several breaks, including an empty line, inside one field") {
    // The field covers lines 2, 3, 4 and 5; the next record is on line 6.
    const auto ev = read_all("id,note\n1,\"a\n\nb\nc\"\n2,x\n", ',');
    REQUIRE(ev.size() == 3);
    check_record(ev[1], 2, {"1", "a\n\nb\nc"});
    check_record(ev[2], 6, {"2", "x"});
  }
  SECTION("two multi-line fields in one record") {
    // Lines 2-3 and 3-4 are one record; the next starts on line 5.
    const auto ev = read_all("a,b\n\"x\ny\",\"z\nw\"\n1,2\n", ',');
    REQUIRE(ev.size() == 3);
    check_record(ev[1], 2, {"x\ny", "z\nw"});
    check_record(ev[2], 5, {"1", "2"});
  }
}

TEST_CASE("csv: blank lines are skipped and counted", "[csv]") {
  std::size_t blanks = 99;
  // Lines: 1 header, 2 blank, 3 row, 4 blank (CRLF), 5 blank, 6 row, 7 blank.
  const auto ev = read_all("a,b\n\n1,2\r\n\r\n\n3,4\n\n", ',', &blanks);
  REQUIRE(ev.size() == 3);
  check_record(ev[0], 1, {"a", "b"});
  check_record(ev[1], 3, {"1", "2"});
  check_record(ev[2], 6, {"3", "4"});
  CHECK(blanks == 4);
}

TEST_CASE("csv: the reader reuses the record object without leaking fields", "[csv]") {
  CsvReader reader("a,b,c\n1\n", ',');
  CsvRecord rec;
  CsvProblem prob;
  REQUIRE(reader.next(rec, prob) == CsvReader::Status::Record);
  CHECK(rec.fields.size() == 3);
  REQUIRE(reader.next(rec, prob) == CsvReader::Status::Record);
  CHECK(rec.fields == Fields{"1"});
  CHECK(rec.line == 2);
  REQUIRE(reader.next(rec, prob) == CsvReader::Status::End);
  REQUIRE(reader.next(rec, prob) == CsvReader::Status::End);
}

TEST_CASE("csv: an unterminated quote rejects its record and reading resumes on the next line", "[csv]") {
  SECTION("in the middle of the data") {
    const auto ev = read_all("id,name\n1,\"open\n2,Bia\n3,Caio\n", ',');
    REQUIRE(ev.size() == 4);
    check_record(ev[0], 1, {"id", "name"});
    check_problem(ev[1], 2);
    CHECK_THAT(ev[1].reason, Catch::Contains("line 2"));
    check_record(ev[2], 3, {"2", "Bia"});
    check_record(ev[3], 4, {"3", "Caio"});
  }
  SECTION("on the last line, without a final line end") {
    const auto ev = read_all("id,name\n1,Ana\n2,\"open", ',');
    REQUIRE(ev.size() == 3);
    check_record(ev[1], 2, {"1", "Ana"});
    check_problem(ev[2], 3);
  }
  SECTION("with CRLF line ends") {
    const auto ev = read_all("id,name\r\n1,\"open\r\n2,Bia\r\n", ',');
    REQUIRE(ev.size() == 3);
    check_problem(ev[1], 2);
    check_record(ev[2], 3, {"2", "Bia"});
  }
}

TEST_CASE("csv: text after a closing quote is a problem for that record only", "[csv]") {
  SECTION("in the first field") {
    const auto ev = read_all("id,n\n\"abc\"x,1\n2,ok\n", ',');
    REQUIRE(ev.size() == 3);
    check_record(ev[0], 1, {"id", "n"});
    check_problem(ev[1], 2);
    check_record(ev[2], 3, {"2", "ok"});
  }
  SECTION("in the last field") {
    const auto ev = read_all("1,\"abc\" \n2,ok\n", ',');
    REQUIRE(ev.size() == 2);
    check_problem(ev[0], 1);
    check_record(ev[1], 2, {"2", "ok"});
  }
  SECTION("the skipped text never runs past the end of its line") {
    // `"a"b"c` is broken on line 1; skipping stops at the line end even though
    // a quote is open, so line 2 (`d",1`) is read on its own and line 3 too:
    // a broken field cannot swallow the records after it.
    const auto ev = read_all("\"a\"b\"c\nd\",1\n2,ok\n", ',');
    REQUIRE(ev.size() == 3);
    check_problem(ev[0], 1);
    check_record(ev[1], 2, {"d\"", "1"});
    check_record(ev[2], 3, {"2", "ok"});
  }
}

// ---------------------------------------------------------------------------
// parse_csv_table / parse_table

TEST_CASE("csv: parse_csv_table reads a plain file", "[csv]") {
  const RawTable t = parse_csv_table("id,name\n1,Ana\n2,Bia\n", "leads.csv", std::nullopt);
  CHECK(t.path == "leads.csv");
  CHECK(t.format == "csv");
  CHECK(t.delimiter == ',');
  CHECK(t.line_ending == "LF");
  CHECK_FALSE(t.bom);
  CHECK_FALSE(t.trailing_delimiter);
  CHECK(t.columns == Fields{"id", "name"});
  REQUIRE(t.rows.size() == 2);
  CHECK(t.rows[0].line == 2);
  CHECK(t.rows[0].fields == Fields{"1", "Ana"});
  CHECK(t.rows[1].line == 3);
  CHECK(t.rows[1].fields == Fields{"2", "Bia"});
  CHECK(t.rejections.empty());
  CHECK(t.blank_rows == 0);
  CHECK(t.rows_read() == 2);
}

TEST_CASE("csv: parse_csv_table uses a given delimiter and sniffs otherwise", "[csv]") {
  SECTION("sniffed semicolon with CRLF") {
    const RawTable t = parse_csv_table("id;name\r\n1;Ana\r\n", "x.csv", std::nullopt);
    CHECK(t.delimiter == ';');
    CHECK(t.line_ending == "CRLF");
    CHECK(t.columns == Fields{"id", "name"});
  }
  SECTION("forced delimiter") {
    // With '|' forced, "id;name" is a single column.
    const RawTable t = parse_csv_table("id;name\n1;Ana\n", "x.csv", '|');
    CHECK(t.delimiter == '|');
    CHECK(t.columns == Fields{"id;name"});
    REQUIRE(t.rows.size() == 1);
    CHECK(t.rows[0].fields == Fields{"1;Ana"});
  }
}

TEST_CASE("csv: header names are trimmed of surrounding spaces", "[csv]") {
  const RawTable t = parse_csv_table(" id ,\tname\t, Create Date\n1,a,b\n", "x.csv", ',');
  CHECK(t.columns == Fields{"id", "name", "Create Date"});
}

TEST_CASE("csv: parse_table strips a UTF-8 BOM and records it", "[csv]") {
  SECTION("plain header") {
    const RawTable t = parse_table("\xEF\xBB\xBFid,name\n1,Ana\n", "leads.csv", ReadOptions{});
    CHECK(t.format == "csv");
    CHECK(t.bom);
    REQUIRE(t.columns.size() == 2);
    CHECK(t.columns[0] == "id");
    CHECK(t.columns[0].size() == 2);
    REQUIRE(t.rows.size() == 1);
    CHECK(t.rows[0].line == 2);
  }
  SECTION("quoted first header") {
    const RawTable t = parse_table("\xEF\xBB\xBF\"Record ID\",name\n1,Ana\n", "leads.csv", ReadOptions{});
    CHECK(t.bom);
    REQUIRE_FALSE(t.columns.empty());
    CHECK(t.columns[0] == "Record ID");
  }
  SECTION("no BOM") {
    const RawTable t = parse_table("id,name\n1,Ana\n", "leads.csv", ReadOptions{});
    CHECK_FALSE(t.bom);
    CHECK(t.columns == Fields{"id", "name"});
  }
}

TEST_CASE("csv: parse_table honours the format and delimiter options", "[csv]") {
  ReadOptions opts;
  opts.format = "csv";
  opts.delimiter = ';';
  // Forced CSV even though the name ends in .json.
  const RawTable t = parse_table("id;name\n1;Ana\n", "export.json", opts);
  CHECK(t.format == "csv");
  CHECK(t.delimiter == ';');
  CHECK(t.columns == Fields{"id", "name"});
}

TEST_CASE("csv: a trailing delimiter on every line is tolerated", "[csv]") {
  SECTION("comma") {
    const RawTable t = parse_csv_table("id,name,\n1,Ana,\n2,Bia,\n", "x.csv", std::nullopt);
    CHECK(t.trailing_delimiter);
    CHECK(t.columns == Fields{"id", "name"});
    REQUIRE(t.rows.size() == 2);
    CHECK(t.rows[0].fields == Fields{"1", "Ana"});
    CHECK(t.rows[1].fields == Fields{"2", "Bia"});
    CHECK(t.rejections.empty());
  }
  SECTION("semicolon with CRLF") {
    const RawTable t = parse_csv_table("id;name;\r\n1;Ana;\r\n", "x.csv", std::nullopt);
    CHECK(t.delimiter == ';');
    CHECK(t.trailing_delimiter);
    CHECK(t.columns == Fields{"id", "name"});
    REQUIRE(t.rows.size() == 1);
    CHECK(t.rows[0].fields == Fields{"1", "Ana"});
  }
  SECTION("a row that lacks it is still the right width") {
    const RawTable t = parse_csv_table("id,name,\n1,Ana\n", "x.csv", ',');
    REQUIRE(t.rows.size() == 1);
    CHECK(t.rows[0].fields == Fields{"1", "Ana"});
  }
}

TEST_CASE("csv: a ragged row is rejected with its line and both field counts", "[csv]") {
  // Lines: 1 header (2 fields), 2 ok, 3 three fields, 4 one field, 5 ok.
  const RawTable t = parse_csv_table("id,name\n1,Ana\n2,Bia,extra\n3\n4,Duda\n", "leads.csv", ',');
  REQUIRE(t.rows.size() == 2);
  CHECK(t.rows[0].line == 2);
  CHECK(t.rows[1].line == 5);
  CHECK(t.rows[1].fields == Fields{"4", "Duda"});
  REQUIRE(t.rejections.size() == 2);
  CHECK(t.rejections[0].file == "leads.csv");
  CHECK(t.rejections[0].line == 3);
  CHECK(t.rejections[0].column.empty());
  CHECK_THAT(t.rejections[0].reason, Catch::Contains("3") && Catch::Contains("2"));
  CHECK_THAT(t.rejections[0].reason, Catch::Contains("header"));
  CHECK(t.rejections[1].line == 4);
  CHECK_THAT(t.rejections[1].reason, Catch::Contains("1") && Catch::Contains("2"));
  CHECK(t.rows_read() == 4);
}

TEST_CASE("csv: all-empty rows are skipped as blank rows", "[csv]") {
  // Line 3 is ",,", line 4 is blank, line 5 holds only spaces and a tab.
  const RawTable t = parse_csv_table("id,name,src\n1,Ana,ads\n,,\n\n , \t,\n2,Bia,seo\n", "x.csv", ',');
  REQUIRE(t.rows.size() == 2);
  CHECK(t.rows[0].line == 2);
  CHECK(t.rows[1].line == 6);
  CHECK(t.blank_rows == 3);
  CHECK(t.rejections.empty());
  CHECK(t.rows_read() == 2);
}

TEST_CASE("csv: blank lines before the header are skipped", "[csv]") {
  const RawTable t = parse_csv_table("\n\nid,name\n1,Ana\n", "x.csv", ',');
  CHECK(t.columns == Fields{"id", "name"});
  REQUIRE(t.rows.size() == 1);
  CHECK(t.rows[0].line == 4);
}

TEST_CASE("csv: a header-only file has zero rows", "[csv]") {
  SECTION("with a final line end") {
    const RawTable t = parse_csv_table("id,name\n", "x.csv", std::nullopt);
    CHECK(t.columns == Fields{"id", "name"});
    CHECK(t.rows.empty());
    CHECK(t.rejections.empty());
    CHECK(t.rows_read() == 0);
  }
  SECTION("without one") {
    const RawTable t = parse_csv_table("id,name", "x.csv", std::nullopt);
    CHECK(t.columns == Fields{"id", "name"});
    CHECK(t.rows.empty());
    CHECK(t.line_ending == "none");
  }
}

TEST_CASE("csv: a file with no header is a file error, not an exception", "[csv]") {
  std::string data;
  SECTION("empty") { data = ""; }
  SECTION("blank lines only") { data = "\n\r\n\n"; }
  SECTION("all-empty lines only") { data = ",,\n,,\n"; }
  const RawTable t = parse_csv_table(data, "empty.csv", std::nullopt);
  REQUIRE(t.file_errors.size() == 1);
  CHECK_THAT(t.file_errors[0], Catch::Contains("empty.csv") && Catch::Contains("empty"));
  CHECK(t.columns.empty());
  CHECK(t.rows_read() == 0);
}

TEST_CASE("csv: an empty or BOM-only file read through parse_table carries a file error", "[csv]") {
  for (const char* bytes : {"", "\xEF\xBB\xBF", "\xFF\xFE", "\xEF\xBB\xBF\r\n"}) {
    const RawTable t = parse_table(bytes, "empty.csv", ReadOptions{});
    INFO("bytes: " << printable(bytes, 20));
    CHECK(t.file_errors.size() == 1);
    CHECK(t.rows_read() == 0);
  }
}

TEST_CASE("csv: an unreadable header is a file error and every later row is rejected with its line", "[csv]") {
  const RawTable t = parse_csv_table("\n\"id,name\n1,Ana\n2,Bia\n", "bad.csv", ',');
  REQUIRE(t.file_errors.size() == 1);
  CHECK_THAT(t.file_errors[0], Catch::Contains("bad.csv:2"));
  CHECK(t.rows.empty());
  REQUIRE(t.rejections.size() == 2);
  CHECK(t.rejections[0].line == 3);
  CHECK(t.rejections[1].line == 4);
}

TEST_CASE("csv: a column named twice in the header is a file error naming both positions", "[csv]") {
  const RawTable t = parse_csv_table("id,email,Email,email\n1,a@x,b@x,c@x\n", "dup.csv", ',');
  REQUIRE(t.file_errors.size() == 1);
  CHECK_THAT(t.file_errors[0], Catch::Contains("\"email\"") && Catch::Contains("columns 2 and 4"));
  CHECK(t.rows.size() == 1);  // the load step rejects them
}

TEST_CASE("csv: empty header names are not duplicates of each other", "[csv]") {
  const RawTable t = parse_csv_table("id,,,name\n1,a,b,Ana\n", "blank.csv", ',');
  CHECK(t.file_errors.empty());
}

TEST_CASE("csv: quoting problems in rows become rejections and the rest is read", "[csv]") {
  // An unterminated quote is only visible when no later quote closes it, so it
  // comes last. Lines: 1 header, 2 ok, 3 text after a quote, 4-5 one record
  // with a quoted line break, 6 ragged, 7 unterminated quote, 8 ok.
  const std::string data =
      "id,name\n"
      "1,Ana\n"
      "2,\"Bia\"x\n"
      "3,\"Caio\nSilva\"\n"
      "4\n"
      "5,\"Eva\n"
      "6,Fabi\n";
  const RawTable t = parse_csv_table(data, "leads.csv", ',');
  REQUIRE(t.rows.size() == 3);
  CHECK(t.rows[0].line == 2);
  CHECK(t.rows[0].fields == Fields{"1", "Ana"});
  CHECK(t.rows[1].line == 4);
  CHECK(t.rows[1].fields == Fields{"3", "Caio\nSilva"});
  CHECK(t.rows[2].line == 8);
  CHECK(t.rows[2].fields == Fields{"6", "Fabi"});
  REQUIRE(t.rejections.size() == 3);
  CHECK(t.rejections[0].line == 3);
  CHECK(t.rejections[1].line == 6);
  CHECK(t.rejections[2].line == 7);
  for (const auto& r : t.rejections) {
    CHECK(r.file == "leads.csv");
    CHECK(r.column.empty());
    CHECK_FALSE(r.reason.empty());
  }
  CHECK(t.rows_read() == 6);
  CHECK(t.rows_read() == t.rows.size() + t.rejections.size());
}

TEST_CASE("csv: a TAB-delimited ragged row names the delimiter as TAB", "[csv]") {
  const RawTable t = parse_csv_table("id\tname\n1\tAna\tx\n", "x.tsv", '\t');
  REQUIRE(t.rejections.size() == 1);
  CHECK_THAT(t.rejections[0].reason, Catch::Contains("TAB"));
}

TEST_CASE("csv: read_table reads a file with a BOM, semicolons and CRLF", "[csv]") {
  // tests/fixtures/csv/bom_semicolon_crlf.csv: BOM, header on line 1, rows on
  // lines 2 and 4 (line 3 is blank), a quoted ';' in the last field.
  const std::string path = std::string(LEADFUNNEL_SOURCE_DIR) + "/tests/fixtures/csv/bom_semicolon_crlf.csv";
  const RawTable t = read_table(path, ReadOptions{});
  CHECK(t.path == path);
  CHECK(t.format == "csv");
  CHECK(t.bom);
  CHECK(t.delimiter == ';');
  CHECK(t.line_ending == "CRLF");
  CHECK(t.columns == Fields{"Record ID", "Create Date", "Lead Status"});
  REQUIRE(t.rows.size() == 2);
  CHECK(t.rows[0].line == 2);
  CHECK(t.rows[0].fields == Fields{"101", "2024-03-15", "New"});
  CHECK(t.rows[1].line == 4);
  CHECK(t.rows[1].fields == Fields{"102", "2024-03-16 09:30", "Connected; called"});
  CHECK(t.blank_rows == 1);
}

TEST_CASE("csv: read_table on a missing file throws InputError with the no-input status", "[csv]") {
  const std::string path = std::string(LEADFUNNEL_SOURCE_DIR) + "/tests/fixtures/csv/no-such-file.csv";
  try {
    (void)read_table(path, ReadOptions{});
    FAIL("expected InputError");
  } catch (const InputError& e) {
    CHECK(e.code() == ExitCode::NoInput);
    CHECK_THAT(std::string(e.what()), Catch::Contains(path));
  }
}

TEST_CASE("csv: a stray opening quote does not swallow the rows after it", "[csv]") {
  // Line 3 opens a quote that is never closed on purpose; line 5 has a properly
  // quoted field, whose first quote would otherwise close the stray one.
  const std::string data =
      "id,note\n"          // 1
      "1,ok\n"             // 2
      "2,\"stray note\n"   // 3
      "3,fine\n"           // 4
      "4,\"a, b\"\n"       // 5
      "5,last\n";          // 6
  const RawTable t = parse_csv_table(data, "x.csv", ',');
  // Only line 3 is lost; 1..5 minus the stray row = ids 1, 3, 4, 5.
  REQUIRE(t.rejections.size() == 1);
  CHECK(t.rejections[0].line == 3);
  CHECK_THAT(t.rejections[0].reason, Catch::Contains("stray"));
  REQUIRE(t.rows.size() == 4);
  CHECK(t.rows[0].fields[0] == "1");
  CHECK(t.rows[1].fields[0] == "3");
  CHECK(t.rows[1].line == 4);
  CHECK(t.rows[2].fields == Fields{"4", "a, b"});
  CHECK(t.rows[3].line == 6);
  CHECK(t.rows_read() == 5);
}

TEST_CASE("csv: a ragged row that a quote runs across lines is re-read from its next line", "[csv]") {
  // The quote on line 2 closes on line 3 just before a delimiter, so the
  // record looks well quoted but has 3 fields for a 2-column header.
  const std::string data =
      "id,note\n"
      "1,\"open\n"
      "2,x\",y\n"
      "3,z\n";
  const RawTable t = parse_csv_table(data, "x.csv", ',');
  // Line 2 is rejected; line 3 re-read alone has 3 fields (ragged) and line 4 is used.
  REQUIRE(t.rejections.size() == 2);
  CHECK(t.rejections[0].line == 2);
  CHECK(t.rejections[1].line == 3);
  REQUIRE(t.rows.size() == 1);
  CHECK(t.rows[0].line == 4);
}

TEST_CASE("csv: one trailing delimiter on a data row is tolerated even when the header has none", "[csv]") {
  const RawTable t = parse_csv_table("id;name\n1;Ana;\n2;Ben\n", "x.csv", ';');
  CHECK(t.rejections.empty());
  REQUIRE(t.rows.size() == 2);
  CHECK(t.rows[0].fields == Fields{"1", "Ana"});
}

TEST_CASE("csv: UTF-16 and Windows-1252 files are decoded to UTF-8 and say so", "[csv]") {
  SECTION("UTF-16 LE with BOM, TAB-separated (Excel Unicode Text)") {
    // "id<TAB>nome\n1<TAB>Ação\n" in UTF-16 LE: each ASCII char is followed by a zero byte;
    // ç is U+00E7 (E7 00) and ã is U+00E3 (E3 00).
    const std::string data("\xFF\xFE" "i\0d\0\t\0n\0o\0m\0e\0\n\0" "1\0\t\0A\0\xE7\0\xE3\0o\0\n\0", 32);
    const RawTable t = parse_table(data, "x.txt", ReadOptions{});
    CHECK(t.encoding == "utf-16le");
    CHECK(t.bom);
    CHECK(t.delimiter == '\t');
    REQUIRE(t.rows.size() == 1);
    CHECK(t.rows[0].fields[1] == "A\xC3\xA7\xC3\xA3o");  // "Ação" in UTF-8
  }
  SECTION("Windows-1252 bytes that are not UTF-8") {
    // 0xE7 0xE3 alone are not valid UTF-8; in Windows-1252 they are ç and ã; 0x80 is the euro sign.
    const RawTable t = parse_table("id;nome\n1;A\xE7\xE3o \x80\n", "x.csv", ReadOptions{});
    CHECK(t.encoding == "windows-1252");
    REQUIRE(t.rows.size() == 1);
    CHECK(t.rows[0].fields[1] == "A\xC3\xA7\xC3\xA3o \xE2\x82\xAC");
  }
  SECTION("valid UTF-8 stays UTF-8") {
    const RawTable t = parse_table("id,nome\n1,A\xC3\xA7\xC3\xA3o\n", "x.csv", ReadOptions{});
    CHECK(t.encoding == "utf-8");
  }
}

TEST_CASE("csv: a footer starts at its first marker line, and an id-only row before it is still a row", "[csv]") {
  // Line 1 header; 2 a full row; 3 a row with only its id (full width);
  // 4 blank; 5-6 the footer (the copyright line carries a marker).
  const std::string data =
      "id,created_at,source\n"
      "A1,2026-01-01,web\n"
      "A2,,\n"
      "\n"
      "\"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.\"\n"
      "\"Acme Corp\"\n";
  const RawTable t = parse_csv_table(data, "x.csv", ',');
  REQUIRE(t.rows.size() == 2);
  CHECK(t.rows[1].fields[0] == "A2");
  CHECK(t.rejections.empty());
  CHECK(t.non_data_rows == 2);
  CHECK(t.rows_read() == 2);
}

TEST_CASE("csv: one-cell rows at the end with no footer phrase are rejected as usual", "[csv]") {
  const RawTable t = parse_csv_table("id,n\n1,a\nstray\n", "x.csv", ',');
  REQUIRE(t.rejections.size() == 1);
  CHECK(t.rejections[0].line == 3);
  CHECK(t.non_data_rows == 0);
}

}  // namespace leadfunnel

// ---------------------------------------------------------------------------
// The plain-line fast path against the general reader

namespace leadfunnel {
namespace {

/// Everything a reader produced, with the details the fast path must match.
std::vector<std::string> trace(std::string_view data, char delimiter, CsvLimits limits) {
  CsvReader reader(data, delimiter, limits);
  std::vector<std::string> out;
  CsvRecord rec;
  CsvProblem prob;
  for (int guard = 0; guard < 100000; ++guard) {
    const auto st = reader.next(rec, prob);
    if (st == CsvReader::Status::End) break;
    if (st == CsvReader::Status::Problem) {
      out.push_back(fmt::format("problem line {}: {}", prob.line, prob.reason));
      continue;
    }
    out.push_back(fmt::format("record lines {}-{} at {}: [{}]", rec.line, rec.end_line, rec.offset,
                              fmt::join(rec.fields, "|")));
    // Broken multi-line records are read again from their second line, as the table reader does.
    if (rec.end_line > rec.line && rec.fields.size() != 3) reader.resume_after_first_line(rec);
  }
  out.push_back(fmt::format("blank {} stray {}", reader.blank_lines(), reader.stray_quotes()));
  return out;
}

}  // namespace
}  // namespace leadfunnel

TEST_CASE("csv: records cut by the fast paths equal those of the byte-by-byte reader", "[csv]") {
  using namespace leadfunnel;
  // A block of 1 byte never holds a whole line, so every record takes the
  // general path; a large block lets plain lines, and well-formed records
  // with quoted fields, take the fast ones.
  // Both widths of the plain-line scan: 64 bytes a step where the
  // processor has AVX-512BW, 16 otherwise; the long pieces make lines that
  // fill several 64-byte steps, with a delimiter or line end at any offset.
  const bool wide = GENERATE(true, false);
  const ScanWidth width(wide);
  INFO("64-byte scan allowed: " << wide);
  const std::string long_piece(61, 'L');
  const std::vector<std::string> pieces{"a",  "bb", "",    "\"q,x\"", "\"\"", "\"multi\nline\"", "x\"y", "\r",
                                        "\n", ",",  "\r\n", ";",     "\"",   "0123456789abcdef", " ", long_piece,
                                        long_piece + "," + long_piece,
                                        // quoted fields longer than a 16-byte step, with a line break, a
                                        // doubled quote or a CR past the first step
                                        "\"" + long_piece.substr(0, 20) + "\n" + long_piece.substr(0, 30) + "\"",
                                        "\"" + long_piece.substr(0, 18) + "\"\"" + long_piece.substr(0, 17) + "\"",
                                        "\"" + long_piece.substr(0, 33) + "\r\n" + long_piece.substr(0, 3) + "\""};
  std::uint64_t state = 12345;
  auto rnd = [&](std::uint64_t n) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (state >> 33) % n;
  };
  for (int c = 0; c < 3000; ++c) {
    std::string data;
    const std::size_t n = 1 + rnd(60);
    for (std::size_t i = 0; i < n; ++i) {
      // Mostly well-formed rows, with a messy piece now and then.
      // Rows end with LF, or now and then CRLF (Windows exports).
      const char* eol = rnd(4) == 0 ? "\r\n" : "\n";
      if (rnd(4) == 0) data += pieces[rnd(pieces.size())];
      else if (rnd(3) == 0) data += fmt::format("{},{},{}{}", std::string(rnd(130), 'w'), pieces[rnd(6)], rnd(50), eol);
      else if (rnd(4) == 0)
        data += fmt::format("{},{},{}{}", pieces[15 + rnd(5)], std::string(rnd(40), 'u'), rnd(50), eol);
      else if (rnd(3) == 0) data += fmt::format("\"{}\",{},\"{}\"{}", rnd(1000), pieces[rnd(6)], rnd(50), eol);
      else if (rnd(3) == 0) {
        // Every field quoted (Salesforce reports), of any length, so that
        // quotes, delimiters and line ends fall on every offset of a
        // 64-byte step; now and then a field unquoted, or a messy piece.
        const std::size_t fields = 1 + rnd(12);
        for (std::size_t f = 0; f < fields; ++f) {
          if (f > 0) data += ',';
          const std::string text(rnd(70), static_cast<char>('a' + rnd(26)));
          if (rnd(8) == 0) data += text;
          else if (rnd(10) == 0) data += pieces[rnd(pieces.size())];
          else data += '"' + text + (rnd(10) == 0 ? "\n" : rnd(12) == 0 ? ",x" : "") + '"';
        }
        data += eol;
      }
      else data += fmt::format("{}{},{},{}{}", rnd(3) == 0 ? " " : "", rnd(1000), pieces[rnd(6)], rnd(50), eol);
    }
    const char delimiter = rnd(5) == 0 ? ';' : ',';
    for (std::size_t max_field : {std::size_t{1} << 20, std::size_t{4}}) {
      INFO(fmt::format("case {}, max_field_bytes {}, data: {}", c, max_field, printable(data, 400)));
      const auto slow = trace(data, delimiter, CsvLimits{max_field, 1});
      const auto fast = trace(data, delimiter, CsvLimits{max_field, std::size_t{1} << 16});
      REQUIRE(slow == fast);
    }
  }
}

TEST_CASE("csv: a record of quoted fields over the record limit is rejected by every path alike", "[csv]") {
  using namespace leadfunnel;
  const bool wide = GENERATE(true, false);
  const ScanWidth width(wide);
  INFO("64-byte scan allowed: " << wide);
  // 40,000 fields of 2 bytes: 160,000 bytes, and 32 more a field for the
  // limit, 1,440,000 in all, over the 1 MiB a record may take; the rows
  // around it are read.
  std::string data = "\"a\",\"b\"\n";
  for (int i = 0; i < 40000; ++i) data += i == 0 ? "\"x\"" : ",\"x\"";
  data += "\n\"c\",\"d\"\n";
  const auto slow = trace(data, ',', CsvLimits{1000, 1});
  const auto fast = trace(data, ',', CsvLimits{1000, std::size_t{1} << 22});
  CHECK(slow == fast);
  REQUIRE(fast.size() == 4);
  CHECK(fast[1].find("the record is longer than 1048576 bytes") != std::string::npos);
  CHECK(fast[2].find("[c|d]") != std::string::npos);
}

TEST_CASE("csv: quotes at every offset of a 64-byte step are read as the byte-by-byte reader reads them", "[csv]") {
  using namespace leadfunnel;
  const bool wide = GENERATE(true, false);
  const ScanWidth width(wide);
  INFO("64-byte scan allowed: " << wide);
  // A quote inside an unquoted field, a field quoted after a delimiter, a
  // doubled quote and a CRLF, each moved one byte further at a time.
  for (std::size_t n = 0; n < 140; ++n) {
    const std::string u(n, 'u');
    const std::string data = "\"a\"," + u + "\"q\",z\n" + "\"a\"," + u + ",\"q\",z\n" + "\"a\",\"" + u + "\"\"q\",z\n" +
                             "\"a\",\"" + u + "\"\r\n" + "\"" + u + "\n" + u + "\",\"b\"\n";
    INFO(printable(data, 600));
    CHECK(trace(data, ',', CsvLimits{1 << 20, 1}) == trace(data, ',', CsvLimits{1 << 20, 1 << 16}));
  }
}
