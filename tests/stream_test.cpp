// Tests of block-wise reading: the same records whatever the block size, the
// field limit, and bounded memory on a runaway quote.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "leadfunnel/csv.hpp"
#include "leadfunnel/encoding.hpp"
#include "leadfunnel/input.hpp"
#include "leadfunnel/source.hpp"
#include "leadfunnel/text.hpp"

namespace leadfunnel {
namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

RawTable read_with_block(std::string_view bytes, const std::string& path, std::size_t block) {
  ReadOptions o;
  o.block_bytes = block;
  return parse_table(bytes, path, o);
}

/// Everything a table says, as one comparable text.
std::string describe(const RawTable& t) {
  std::string s = t.format + "|" + std::string(1, t.delimiter) + "|" + t.encoding + "|" + t.line_ending + "\n";
  for (const auto& c : t.columns) s += "col:" + c + "\n";
  for (const auto& r : t.rows) {
    s += "row " + std::to_string(r.line) + ":";
    for (const std::string_view f : r.fields) {
      s += "[";
      s += f;
      s += "]";
    }
    s += "\n";
  }
  for (const auto& r : t.rejections) s += "rej " + std::to_string(r.line) + ": " + r.reason + "\n";
  for (const auto& n : t.notes) s += "note: " + n + "\n";
  for (const auto& e : t.file_errors) s += "error: " + e + "\n";
  s += "blank " + std::to_string(t.blank_rows) + " non-data " + std::to_string(t.non_data_rows) + "\n";
  return s;
}

/// A source that makes `size` bytes on demand: a header, then one quote that
/// is never closed, then `line` repeated.
class RunawayQuote final : public ByteSource {
 public:
  RunawayQuote(std::size_t size, std::string line) : size_(size), line_(std::move(line)) {}
  std::size_t read(char* buf, std::size_t n) override {
    std::size_t k = 0;
    while (k < n && pos_ < size_) {
      char c;
      if (pos_ < kHead.size()) c = kHead[pos_];
      else c = line_[(pos_ - kHead.size()) % line_.size()];
      buf[k++] = c;
      ++pos_;
    }
    return k;
  }

 private:
  static constexpr std::string_view kHead = "id,name\n1,\"";
  std::size_t size_;
  std::string line_;
  std::size_t pos_ = 0;
};

}  // namespace

TEST_CASE("stream: every CSV fixture reads the same with blocks of 1, 2, 3, 7 and 64 bytes", "[stream]") {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  for (const char* dir : {"tests/fixtures", "data"})
    for (const auto& e : fs::recursive_directory_iterator(fs::path(LEADFUNNEL_SOURCE_DIR) / dir)) {
      const auto ext = e.path().extension().string();
      if (e.is_regular_file() && (ext == ".csv" || ext == ".tsv" || ext == ".txt")) files.push_back(e.path());
    }
  REQUIRE(files.size() >= 10);
  for (const auto& f : files) {
    const std::string bytes = slurp(f);
    const std::string expected = describe(read_with_block(bytes, f.filename().string(), 1 << 16));
    for (std::size_t block : {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{7}, std::size_t{64}}) {
      INFO("file " << f.string() << ", block " << block);
      CHECK(describe(read_with_block(bytes, f.filename().string(), block)) == expected);
    }
  }
}

TEST_CASE("stream: records that straddle block edges read the same at every block size", "[stream]") {
  const std::vector<std::string> cases = {
      "id,note\r\n1,\"a\"\"b\"\r\n2,\"line one\r\nline two\"\r\n3,plain\r\n",
      "id;note\r4;\"x;y\"\r5;z\r",
      "id,name\n1,Jos\xC3\xA9\n2,\xE2\x82\xAC uro\n3,\xF0\x9F\x98\x80\n",
      "id,name\n1,\"unterminated\n2,ok\n3,\"fine\"\n",
      "id,name\n1,\"a\"x,2\n2,\"b\nc\"tail\n3,ok\n",
      "\xFF\xFEi\0d\0,\0n\0\n\0" "1\0,\0\xE9\0\n\0",
      "id,name\n1,Jos\xE9\n2,ok\n",
  };
  for (const auto& text : cases) {
    const std::string expected = describe(read_with_block(text, "t.csv", 1 << 16));
    for (std::size_t block = 1; block <= 9; ++block) {
      INFO("text " << printable(text, 80) << ", block " << block);
      CHECK(describe(read_with_block(text, "t.csv", block)) == expected);
    }
  }
}

TEST_CASE("stream: UTF-8 after an ASCII start is kept, and a bad byte before any accent means Windows-1252",
          "[stream]") {
  SECTION("valid UTF-8") {
    const RawTable t = parse_table("id,name\n1,Jos\xC3\xA9\n", "t.csv", ReadOptions{});
    CHECK(t.encoding == "utf-8");
    CHECK(t.rows.at(0).fields.at(1) == "Jos\xC3\xA9");
  }
  SECTION("Windows-1252") {
    const RawTable t = parse_table("id,name\n1,Jos\xE9\n", "t.csv", ReadOptions{});
    CHECK(t.encoding == "windows-1252");
    CHECK(t.rows.at(0).fields.at(1) == "Jos\xC3\xA9");
  }
  SECTION("a bad byte after real UTF-8 becomes U+FFFD and is counted in a note") {
    const RawTable t = parse_table("id,name\n1,Jos\xC3\xA9\n2,Ren\xE9\n", "t.csv", ReadOptions{});
    CHECK(t.encoding == "utf-8");
    CHECK(t.rows.at(1).fields.at(1) == "Ren\xEF\xBF\xBD");
    REQUIRE(t.notes.size() == 1);
    CHECK_THAT(t.notes[0], Catch::Contains("U+FFFD"));
  }
}

TEST_CASE("stream: StreamDecoder gives the same text however the bytes are cut", "[stream]") {
  const std::string utf8 = "a\xC3\xA9" "b\xE2\x82\xAC" "c\xF0\x9F\x98\x80" "d";
  const std::string utf16le("\x41\x00\x3D\xD8\x00\xDE\x42\x00", 8);  // A, U+1F600, B
  for (const auto& [enc, bytes] : std::vector<std::pair<std::string, std::string>>{{"utf-8", utf8}, {"utf-16le", utf16le}}) {
    StreamDecoder whole(enc, false);
    std::string expected;
    whole.decode(bytes, expected, true);
    for (std::size_t cut = 1; cut < bytes.size(); ++cut) {
      StreamDecoder parts(enc, false);
      std::string got;
      parts.decode(std::string_view(bytes).substr(0, cut), got, false);
      parts.decode(std::string_view(bytes).substr(cut), got, true);
      INFO(enc << " cut at " << cut);
      CHECK(got == expected);
      CHECK(parts.replaced() == 0);
    }
  }
}

TEST_CASE("stream: a field longer than max_field_bytes rejects its record and the next line is read", "[stream]") {
  ReadOptions o;
  o.max_field_bytes = 16;
  SECTION("unquoted") {
    const RawTable t = parse_table("id,note\n1," + std::string(40, 'x') + "\n2,short\n", "t.csv", o);
    REQUIRE(t.rows.size() == 1);
    CHECK(t.rows[0].line == 3);
    REQUIRE(t.rejections.size() == 1);
    CHECK(t.rejections[0].line == 2);
    CHECK_THAT(t.rejections[0].reason, Catch::Contains("--max-field-bytes"));
  }
  SECTION("quoted, running over lines") {
    const RawTable t = parse_table("id,note\n1,\"abc\ndefghijkl\nmnopqrstu\nvw\"\n2,short\n", "t.csv", o);
    REQUIRE(t.rejections.size() >= 1);
    CHECK(t.rejections[0].line == 2);
    CHECK_THAT(t.rejections[0].reason, Catch::Contains("stray quote"));
    REQUIRE_FALSE(t.rows.empty());
    CHECK(t.rows.back().fields == std::vector<std::string>{"2", "short"});
  }
  SECTION("a field exactly at the limit is kept") {
    const RawTable t = parse_table("id,note\n1," + std::string(16, 'x') + "\n", "t.csv", o);
    CHECK(t.rows.size() == 1);
    CHECK(t.rejections.empty());
  }
}

TEST_CASE("stream: a runaway quote over 64 MB is read in bounded memory", "[stream]") {
  constexpr std::size_t kSize = std::size_t{64} << 20;
  SECTION("one line without an end") {
    RunawayQuote src(kSize, "abcdefgh");
    CsvReader reader(src, ',');
    CsvRecord rec;
    CsvProblem prob;
    REQUIRE(reader.next(rec, prob) == CsvReader::Status::Record);
    CHECK(reader.next(rec, prob) == CsvReader::Status::Problem);
    CHECK(prob.line == 2);
    CHECK(reader.next(rec, prob) == CsvReader::Status::End);
    CHECK(reader.buffer_high_water() < (std::size_t{4} << 20));
  }
  SECTION("many lines, each then read as a record of its own") {
    RunawayQuote src(kSize, "x,y\n");
    CsvReader reader(src, ',');
    CsvRecord rec;
    CsvProblem prob;
    std::size_t records = 0, problems = 0;
    for (;;) {
      const auto st = reader.next(rec, prob);
      if (st == CsvReader::Status::End) break;
      (st == CsvReader::Status::Record ? records : problems) += 1;
    }
    CHECK(problems == 1);
    CHECK(records > 1000000);
    CHECK(reader.buffer_high_water() < (std::size_t{4} << 20));
  }
}

TEST_CASE("stream: a file of millions of broken lines lists the first rejections and counts the rest", "[stream]") {
  std::string text = "id,name\n";
  const std::size_t lines = RawTable::kListedRejections + 500;
  text.reserve(lines * 8);
  for (std::size_t i = 0; i < lines; ++i) text += "a,b,c\n";
  const RawTable t = parse_table(text, "t.csv", ReadOptions{});
  CHECK(t.rejections.size() == RawTable::kListedRejections);
  CHECK(t.unlisted_rejections == 500);
  CHECK(t.rows_read() == lines);
}

}  // namespace leadfunnel

namespace leadfunnel {

TEST_CASE("stream: one-cell lines held as a possible footer are released in bounded batches", "[stream]") {
  std::string text = "id,name\n";
  const std::size_t lines = 5000;
  for (std::size_t i = 0; i < lines; ++i) text += "x\n";
  text += "Generated by Salesforce\n";
  const RawTable t = parse_table(text, "t.csv", ReadOptions{});
  CHECK(t.rows_read() == lines);
  CHECK(t.rejections.size() == lines);
  CHECK(t.rejections.back().line == lines + 1);
  CHECK(t.non_data_rows == 1);
}

}  // namespace leadfunnel

namespace leadfunnel {

TEST_CASE("stream: a chain of stray quotes rejects each line once and reads on", "[stream]") {
  // Each line closes the quote the line before opened, so the whole chain
  // parses as one long ragged record; read again, every line is its own row.
  std::string text = "id,name\n1,\"x\n";
  const std::size_t n = 3000;
  for (std::size_t k = 0; k < n; ++k) text += std::to_string(k) + "\",\"y\n";
  text += "end\",z\n9,ok\n";
  const RawTable t = parse_table(text, "t.csv", ReadOptions{});
  CHECK(t.rows_read() == n + 3);
  REQUIRE_FALSE(t.rows.empty());
  CHECK(t.rows.back().fields == std::vector<std::string>{"9", "ok"});
  CHECK(t.rows.back().line == n + 4);
}

TEST_CASE("stream: a record over the record limit is read again from its second line", "[stream]") {
  std::string text = "id,name\n1,\"x\n";
  const std::size_t n = 200;
  for (std::size_t k = 0; k < n; ++k) text += std::to_string(k) + "\",\"" + std::string(10000, 'y') + "\n";
  text += "end\",z\n9,ok\n";
  ReadOptions o;
  o.max_field_bytes = 1 << 14;  // record limit: 1 MiB, far below the chain's 2 MB
  const RawTable t = parse_table(text, "t.csv", o);
  CHECK(t.rows_read() == n + 3);
  REQUIRE(t.rejections.size() >= 1);
  CHECK_THAT(t.rejections[0].reason, Catch::Contains("record is longer"));
  CHECK(t.rows.back().fields == std::vector<std::string>{"9", "ok"});
}

}  // namespace leadfunnel
