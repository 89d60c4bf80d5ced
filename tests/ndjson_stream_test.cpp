// Differential tests of the simdjson NDJSON stream: for fixtures and for
// thousands of generated messy files, the rows, columns, rejections and
// counts must be those parse_json_table gives for the same bytes, whatever
// the block size.
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "leadfunnel/encoding.hpp"
#include "leadfunnel/input.hpp"
#include "leadfunnel/ndjson_stream.hpp"
#include "leadfunnel/row_stream.hpp"

namespace leadfunnel {
namespace {

namespace fs = std::filesystem;

/// A directory of its own under the system's temporary directory, removed at the end.
class TempDir {
 public:
  TempDir() : path_(fs::temp_directory_path() / fmt::format("leadfunnel-ndjson-test-{}", ::getpid())) {
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string write(const std::string& name, std::string_view bytes) const {
    const fs::path p = path_ / name;
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return p.string();
  }
  std::string path() const { return path_.string(); }

 private:
  fs::path path_;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

constexpr std::string_view kBom = "\xEF\xBB\xBF";

std::string_view without_bom(std::string_view bytes) {
  if (bytes.substr(0, 3) == kBom) bytes.remove_prefix(3);
  return bytes;
}

/// Whether the stream must decline the file and leave it to the whole-file
/// reader: UTF-16, or bytes that are not UTF-8.
bool must_decline(std::string_view bytes) {
  if (detect_encoding(bytes.substr(0, 4096)).rfind("utf-16", 0) == 0) return true;
  return !is_valid_utf8(without_bom(bytes));
}

/// Whether the file is a JSON array (its first byte after the BOM and
/// whitespace is '['): the stream reads it by elements, or declines it when
/// the array itself is broken (parse_json_table rejects something outside
/// its elements).
bool is_array(std::string_view bytes) {
  const std::string_view text = without_bom(bytes);
  const auto first = text.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && text[first] == '[';
}

std::string show(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') out += fmt::format("\\{}", c);
    else if (u < 0x20 || u == 0x7F) out += fmt::format("\\x{:02X}", u);
    else out += c;
  }
  return out + "\"";
}

/// Every way `got` differs from `want`, field by field (the first few).
std::vector<std::string> differences(const RawTable& want, const RawTable& got) {
  std::vector<std::string> d;
  auto differ = [&](const std::string& what, const auto& w, const auto& g) {
    if (!(w == g)) d.push_back(fmt::format("{}: want {} got {}", what, w, g));
  };
  differ("path", show(want.path), show(got.path));
  differ("format", want.format, got.format);
  differ("encoding", want.encoding, got.encoding);
  differ("bom", want.bom, got.bom);
  differ("blank rows", want.blank_rows, got.blank_rows);
  differ("non-data rows", want.non_data_rows, got.non_data_rows);
  differ("unlisted rejections", want.unlisted_rejections, got.unlisted_rejections);
  differ("number of columns", want.columns.size(), got.columns.size());
  for (std::size_t i = 0; i < std::min(want.columns.size(), got.columns.size()); ++i)
    differ(fmt::format("column {}", i), show(want.columns[i]), show(got.columns[i]));
  differ("number of rows", want.rows.size(), got.rows.size());
  for (std::size_t i = 0; i < std::min(want.rows.size(), got.rows.size()) && d.size() < 20; ++i) {
    const RawRow& w = want.rows[i];
    const RawRow& g = got.rows[i];
    differ(fmt::format("row {}: line", i), w.line, g.line);
    differ(fmt::format("row {} (line {}): width", i, w.line), w.fields.size(), g.fields.size());
    for (std::size_t j = 0; j < std::min(w.fields.size(), g.fields.size()); ++j)
      differ(fmt::format("row {} (line {}) column {}", i, w.line, j), show(w.fields[j]), show(g.fields[j]));
  }
  differ("number of rejections", want.rejections.size(), got.rejections.size());
  for (std::size_t i = 0; i < std::min(want.rejections.size(), got.rejections.size()) && d.size() < 20; ++i) {
    const Rejection& w = want.rejections[i];
    const Rejection& g = got.rejections[i];
    differ(fmt::format("rejection {}: file", i), show(w.file), show(g.file));
    differ(fmt::format("rejection {}: line", i), w.line, g.line);
    differ(fmt::format("rejection {} (line {}): column", i, w.line), show(w.column), show(g.column));
    differ(fmt::format("rejection {} (line {}): reason", i, w.line), show(w.reason), show(g.reason));
  }
  differ("notes", fmt::format("{}", fmt::join(want.notes, " | ")), fmt::format("{}", fmt::join(got.notes, " | ")));
  differ("file errors", fmt::format("{}", fmt::join(want.file_errors, " | ")),
         fmt::format("{}", fmt::join(got.file_errors, " | ")));
  return d;
}

/// What the whole-file path gives: parse_json_table on the text after the
/// BOM, with the BOM flag read_source adds.
RawTable reference(std::string_view bytes, const std::string& path, std::size_t max_field_bytes) {
  RawTable t = parse_json_table(without_bom(bytes), path, max_field_bytes);
  t.bom = bytes.substr(0, 3) == kBom;
  return t;
}

struct Outcome {
  bool declined = false;
  bool guessed = false;        ///< the columns were guessed from the file's start
  bool proven_wrong = false;   ///< ... and a later record proved the guess wrong
  std::vector<std::string> differences;
};

/// Writes `bytes` to a file, streams it and compares with the reference.
/// With `threads` above 1 and a small `range_bytes`, the first pass reads
/// the file in byte ranges at once. With `guess_bytes`, the columns are
/// guessed from the records that start in that many first bytes: a guess
/// proven wrong while the rows are read must have missed a column, or a
/// line that is not UTF-8.
Outcome compare(const TempDir& dir, std::string_view bytes, std::size_t max_field_bytes, std::size_t block_bytes,
                std::size_t threads = 1, std::uint64_t range_bytes = std::uint64_t{16} << 20,
                std::optional<std::uint64_t> guess_bytes = std::nullopt) {
  const std::string path = dir.write("case.ndjson", bytes);
  ReadOptions o;
  o.max_field_bytes = max_field_bytes;
  o.block_bytes = block_bytes;
  o.threads = threads;
  o.range_bytes = range_bytes;
  if (guess_bytes) {
    o.guess_columns = true;
    o.guess_bytes = *guess_bytes;
  }
  Outcome out;
  auto stream = open_ndjson_stream(path, o);
  if (!stream) {
    out.declined = true;
    if (!must_decline(bytes) && !is_array(bytes))
      out.differences.push_back("the stream declined a UTF-8 NDJSON file");
    return out;
  }
  const auto columns_at_open = stream->table().columns;
  out.guessed = stream->guessed_columns();
  // (On a guess, bytes that are not UTF-8 after the guess prove it wrong.)
  if (must_decline(bytes) && !out.guessed)
    out.differences.push_back("the stream took a file it must leave to the whole-file reader");
  if (out.guessed && (!guess_bytes || bytes.size() <= *guess_bytes || is_array(bytes)))
    out.differences.push_back("columns guessed where they must be learned from the whole file");
  RawTable got;
  try {
    got = drain(*stream);
  } catch (const ColumnsGuessedWrong&) {
    out.proven_wrong = true;
    if (!out.guessed) out.differences.push_back("a guess proven wrong where no guess was made");
    const RawTable want = reference(bytes, path, max_field_bytes);
    if (!must_decline(bytes) && want.columns.size() == columns_at_open.size())
      out.differences.push_back("a guess proven wrong though it had every column");
    return out;
  }
  if (must_decline(bytes)) out.differences.push_back("a guess not proven wrong by bytes that are not UTF-8");
  if (columns_at_open != got.columns) out.differences.push_back("the columns changed after the stream was opened");
  for (auto& d : differences(reference(bytes, path, max_field_bytes), got)) out.differences.push_back(std::move(d));
  return out;
}

/// Generated messy NDJSON: every line kind the reference has an answer for.
class Generator {
 public:
  explicit Generator(std::uint32_t seed) : rng_(seed) {}

  std::size_t pick(std::size_t n) { return static_cast<std::size_t>(rng_() % n); }
  bool chance(std::size_t percent) { return pick(100) < percent; }
  template <std::size_t N>
  std::string_view one_of(const std::string_view (&items)[N]) {
    return items[pick(N)];
  }

  std::string key(std::size_t line_index) {
    static constexpr std::string_view kKeys[] = {
        R"("id")",      R"("name")",          R"("email")",  R"("Created At")", R"("stage")",
        R"("a\"b")",    R"("caf\u00e9")",     "\"café\"",    R"("")",           R"("\ud83d\ude00")",
        R"("tab\tkey")", R"("slash\/")",      R"("id")",     R"("email")",      R"("stage")"};
    // Keys that first appear late in the file.
    if (line_index > 3 && chance(15)) return fmt::format(R"("late_{}")", pick(line_index));
    return std::string(one_of(kKeys));
  }

  std::string nested(int depth) {
    std::string open, close;
    for (int i = 0; i < depth; ++i) {
      open += chance(50) ? "[" : "{\"k\":";
      close.insert(0, open.back() == '[' ? "]" : "}");
    }
    return open + "1" + close;
  }

  std::string value() {
    static constexpr std::string_view kStrings[] = {
        R"("plain")",         R"("with \"quotes\"")", R"("line\nbreak")", R"("tab\there")",
        R"("slash\/")",       R"("back\\slash")",     R"("\u00e9t\u00E9")", "\"ção\"",
        R"("\ud83d\ude00")",  R"("\ud800")",          R"("\u0000nul")",   R"("bad \x escape")",
        R"("")",              R"("  spaced  ")",      "\"raw\x01control\"", "\"raw\ttab\"",
        R"("\b\f\r")",        R"("\uDC00 low")",      R"("2024-07-01T09:30:00-03:00")"};
    static constexpr std::string_view kNumbers[] = {
        "0",      "-0",     "12",     "-7",     "12345678901234567890", "18446744073709551615",
        "18446744073709551616", "123456789012345678901234567890",   "-9223372036854775808",
        "-9223372036854775809", "1.50E+3", "1e400", "-1e400", "2.5e-3", "0.1", "1E5", "1e-400",
        "01",     "1.",     "-",      ".5",     "+1",     "1e",     "1e+",    "0.0",    "-0.0",
        "1e308",  "9e307",  "1.7976931348623157e308", "1.8e308", "100e306", "1e0000300", "0e999999",
        "-12.500", "3.14159265358979323846264338327950288"};
    static constexpr std::string_view kLiterals[] = {"true", "false", "null", "tru", "nul", "True", "NaN", "falsey"};
    static constexpr std::string_view kNested[] = {
        "{}",  "[]", R"({"x":[1,2,{"y":null}]})", R"([1.0,2.50,"s"])", R"({"b":2,"a":1})", R"({"a":1,"a":2})",
        "[1e400]", "[12345678901234567890123]", R"({"k":"\u00e9\n"})", "[-0, 1.50E+3, true, false]",
        R"({ "sp" : [ 1 , 2 ] })", "[\"\\ud83d\\ude00\", \"/\"]", "{\"k\":\"\x01\"}", "[1,]", "{\"k\" 1}"};
    switch (pick(10)) {
      case 0:
      case 1:
      case 2: return std::string(one_of(kStrings));
      case 3: {
        std::string s = "\"";
        const std::size_t n = pick(40);
        for (std::size_t i = 0; i < n; ++i) s += static_cast<char>('a' + pick(26));
        return s + "\"";
      }
      case 4:
      case 5: return std::string(one_of(kNumbers));
      case 6: return std::string(one_of(kLiterals));
      case 7: return std::string(one_of(kNested));
      case 8: return chance(10) ? nested(60 + static_cast<int>(pick(8))) : std::string(one_of(kStrings));
      default: return fmt::format("\"{}\"", pick(1000000));
    }
  }

  std::string space() {
    static constexpr std::string_view kSpace[] = {"", "", "", "", " ", "  ", "\t", " \r "};
    return std::string(one_of(kSpace));
  }

  std::string object(std::size_t line_index) {
    std::string s = space() + "{" + space();
    const std::size_t n = pick(7);
    std::vector<std::string> keys;
    for (std::size_t i = 0; i < n; ++i) {
      keys.push_back(chance(5) && !keys.empty() ? keys[pick(keys.size())] : key(line_index));
      if (i > 0) s += "," + space();
      s += keys.back() + space() + ":" + space() + value() + space();
    }
    return s + "}" + space();
  }

  std::string line(std::size_t line_index) {
    static constexpr std::string_view kNotObjects[] = {"42", R"("str")", "[1,2]", "null", "true", " [ ]", "-", "x"};
    static constexpr std::string_view kBlank[] = {"", "", "   ", "\t", "\r", " \r"};
    static constexpr std::string_view kGarbage[] = {" x", "}", ",", " {}", "]", "\"", "\x00", " // c"};
    const std::size_t k = pick(100);
    if (k < 60) return object(line_index);
    if (k < 70) return std::string(one_of(kBlank));
    if (k < 76) return std::string(one_of(kNotObjects));
    if (k < 84) {  // broken: the start of an object
      std::string s = object(line_index);
      return s.substr(0, pick(s.size() + 1));
    }
    if (k < 89) return object(line_index) + std::string(one_of(kGarbage));
    if (k < 90) return std::string(chance(50) ? "" : " ") + std::string(kBom) + object(line_index);
    if (k < 95) {  // random bytes, mostly JSON's own punctuation
      static constexpr std::string_view kAlphabet = "{}[]\":,.-+eE0123456789 \\tnulrfas\t";
      std::string s;
      const std::size_t n = 1 + pick(30);
      for (std::size_t i = 0; i < n; ++i) s += kAlphabet[pick(kAlphabet.size())];
      return s;
    }
    // A flat record of the common kind.
    return fmt::format(R"({{"id":"{}","email":"x{}@example.com","amount":{}.{},"won":{}}})", line_index,
                       pick(100), pick(1000), pick(100), chance(50) ? "true" : "null");
  }

  /// A whole file.
  std::string file() {
    std::string s;
    if (chance(10)) s += kBom;
    const std::size_t lines = 1 + pick(40);
    const std::string_view eol = chance(30) ? "\r\n" : "\n";
    for (std::size_t i = 0; i < lines; ++i) {
      // Most files start with a record; a '[' first is a JSON array.
      std::string l = i == 0 && chance(90) ? object(0) : line(i);
      s += l;
      if (i + 1 < lines || chance(70)) s += chance(5) ? std::string_view("\r\r\n") : eol;
    }
    if (chance(3)) s += "\r";
    if (chance(2)) s.insert(pick(s.size() + 1), "\xC3(");  // bytes that are not UTF-8
    return s;
  }

 private:
  std::mt19937 rng_;
};

}  // namespace

TEST_CASE("ndjson stream: every NDJSON fixture and corpus file reads as parse_json_table reads it",
          "[ndjson]") {
  TempDir dir;
  const fs::path root = LEADFUNNEL_SOURCE_DIR;
  std::size_t compared = 0;
  for (const fs::path& base : {root / "tests" / "fixtures", root / "fuzz" / "corpus", root / "data"}) {
    for (const auto& entry : fs::recursive_directory_iterator(base)) {
      const auto ext = entry.path().extension().string();
      if (!entry.is_regular_file() || (ext != ".ndjson" && ext != ".jsonl" && ext != ".json")) continue;
      const std::string bytes = slurp(entry.path());
      for (const std::size_t block : {std::size_t{1}, std::size_t{7}, std::size_t{64}, std::size_t{1} << 16}) {
        for (const std::size_t max : {std::size_t{1} << 20, std::size_t{8}}) {
          const Outcome o = compare(dir, bytes, max, block);
          INFO(fmt::format("{} with block_bytes {} and max_field_bytes {}", entry.path().string(), block, max));
          INFO(fmt::format("{}", fmt::join(o.differences, "\n")));
          CHECK(o.differences.empty());
          if (!o.declined) ++compared;
        }
      }
    }
  }
  // The corpus holds NDJSON files (bad-line.ndjson, ndjson.ndjson, ...).
  CHECK(compared >= 8 * 3);
}

TEST_CASE("ndjson stream: thousands of generated messy NDJSON files read as parse_json_table reads them",
          "[ndjson]") {
  TempDir dir;
  constexpr std::uint32_t kSeed = 20260301u;
  constexpr std::size_t kCases = 3000;
  std::size_t failed = 0, declined = 0;
  for (std::size_t i = 0; i < kCases; ++i) {
    const std::uint32_t seed = kSeed + static_cast<std::uint32_t>(i);
    Generator g(seed);
    const std::string bytes = g.file();
    // Tiny blocks put records across block boundaries (one byte at a time is
    // slow, so only some cases); small limits reject long values.
    static constexpr std::size_t kBlocks[] = {1, 7, 64, 4096, std::size_t{1} << 16, 7, 64, std::size_t{1} << 16};
    const std::size_t block = kBlocks[i % 8];
    const std::size_t max = i % 3 == 0 ? 4 + (i / 3) % 30 : std::size_t{1} << 20;
    // Half the cases learn the columns in 2 to 4 byte ranges at once, of a
    // few bytes each: ranges start inside records, blank lines and the BOM.
    const std::size_t threads = i % 2 == 0 ? 1 : 2 + i % 3;
    const std::uint64_t range = 1 + i % 97;
    const Outcome o = compare(dir, bytes, max, block, threads, range);
    if (o.declined) ++declined;
    if (o.differences.empty()) continue;
    if (++failed > 5) continue;
    INFO(fmt::format("case {} (seed {}), block_bytes {}, max_field_bytes {}, {} threads, ranges of {} bytes", i, seed,
                     block, max, threads, range));
    INFO("file: " << show(bytes));
    INFO(fmt::format("{}", fmt::join(o.differences, "\n")));
    CHECK(o.differences.empty());
  }
  CHECK(failed == 0);
  // Some files are declined (a JSON array, bytes not UTF-8), most are streamed.
  CHECK(declined > 0);
  CHECK(declined < kCases / 5);
}

TEST_CASE("ndjson stream: columns guessed from the file's start read as parse_json_table reads them, or are proven "
          "wrong by a later key or a line that is not UTF-8",
          "[ndjson]") {
  TempDir dir;
  constexpr std::uint32_t kSeed = 20261129u;
  constexpr std::size_t kCases = 3000;
  std::size_t failed = 0, guessed = 0, proven_wrong = 0;
  for (std::size_t i = 0; i < kCases; ++i) {
    const std::uint32_t seed = kSeed + static_cast<std::uint32_t>(i);
    Generator g(seed);
    const std::string bytes = g.file();
    static constexpr std::size_t kBlocks[] = {7, 64, 4096, std::size_t{1} << 16};
    const std::size_t block = kBlocks[i % 4];
    const std::size_t max = i % 3 == 0 ? 4 + (i / 3) % 30 : std::size_t{1} << 20;
    // From a few bytes (the first record alone) to more than most files.
    const std::uint64_t guess = 1 + (i * 37) % 700;
    const Outcome o = compare(dir, bytes, max, block, 1, std::uint64_t{16} << 20, guess);
    guessed += o.guessed ? 1 : 0;
    proven_wrong += o.proven_wrong ? 1 : 0;
    if (o.differences.empty()) continue;
    if (++failed > 5) continue;
    INFO(fmt::format("case {} (seed {}), block_bytes {}, max_field_bytes {}, guess_bytes {}", i, seed, block, max,
                     guess));
    INFO("file: " << show(bytes));
    INFO(fmt::format("{}", fmt::join(o.differences, "\n")));
    CHECK(o.differences.empty());
  }
  CHECK(failed == 0);
  // Both outcomes of a guess are common (these files bring new keys late
  // on purpose: 1,224 of 1,532 guesses are proven wrong).
  CHECK(proven_wrong > 500);
  CHECK(guessed - proven_wrong > 150);
}

TEST_CASE("ndjson stream: columns guessed from the file's start are proven wrong by a later key on any thread that "
          "parses the rows",
          "[ndjson]") {
  TempDir dir;
  std::string bytes;
  for (int i = 0; i < 2000; ++i) bytes += fmt::format("{{\"id\":{},\"name\":\"N{}\"}}\n", i, i % 7);
  const std::string fine = dir.write("fine.ndjson", bytes);
  bytes += "{\"id\":\"last\",\"late\":true}\n";
  const std::string late = dir.write("late.ndjson", bytes);
  ReadOptions o;
  o.guess_columns = true;
  o.guess_bytes = 1000;
  for (bool deferred : {false, true}) {
    INFO("rows parsed " << (deferred ? "by row parsers" : "as they are read"));
    auto parse_all = [&](const std::string& path) {
      auto stream = open_ndjson_stream(path, o);
      REQUIRE(stream != nullptr);
      CHECK(stream->guessed_columns());
      CHECK(stream->table().columns == std::vector<std::string>{"id", "name"});
      std::unique_ptr<RowParser> parser;
      if (deferred) {
        REQUIRE(stream->defer_parsing());
        parser = stream->row_parser();
      }
      std::size_t rows = 0;
      std::vector<RawRow> batch;
      for (stream->next_batch(batch, 100); !batch.empty(); stream->next_batch(batch, 100))
        for (auto& r : batch) {
          const bool rejected = parser && parser->parse(r).has_value();
          CHECK_FALSE(rejected);
          ++rows;
        }
      return rows;
    };
    CHECK(parse_all(fine) == 2000);
    CHECK_THROWS_AS(parse_all(late), ColumnsGuessedWrong);
  }
  // Not guessed: a start with no record in guess_bytes (nothing to guess
  // from), a file no larger than guess_bytes, or a guess not asked for.
  const std::string blank_start = dir.write("blank-start.ndjson", std::string(1500, '\n') + bytes);
  auto stream = open_ndjson_stream(blank_start, o);
  CHECK_FALSE(stream->guessed_columns());
  CHECK(drain(*stream).rows.size() == 2001);
  o.guess_bytes = 1 << 20;
  CHECK_FALSE(open_ndjson_stream(late, o)->guessed_columns());
  o.guess_bytes = 1000;
  o.guess_columns = false;
  CHECK_FALSE(open_ndjson_stream(late, o)->guessed_columns());
  CHECK(open_ndjson_stream(late, o)->table().columns == std::vector<std::string>{"id", "name", "late"});
}

TEST_CASE("ndjson stream: records that straddle blocks, rejections and late keys match the reference",
          "[ndjson]") {
  TempDir dir;
  const std::string bytes = std::string(kBom) +
                            "{\"id\":1,\"name\":\"Ana\"}\r\n"
                            "\n"
                            "   \r\n"
                            "{\"id\":2,\"id\":3}\n"
                            "{\"id\":-0,\"n\":1.50E+3,\"big\":12345678901234567890,\"huge\":123456789012345678901}\n"
                            "[1,2]\n"
                            "{\"id\":4,\"deep\":" + std::string(70, '[') + std::string(70, ']') + "}\n"
                            "{\"id\":5,\"nested\":{\"b\":[1.0,\"\\u00e9\"],\"a\":null}}\n"
                            "{\"id\":6,\"long\":\"" + std::string(100, 'x') + "\"}\n"
                            "{\"id\":7} x\n"
                            "{\"id\":8,\"esc\":\"a\\\"b\\\\c\\n\\ud83d\\ude00\"}\n"
                            "{\"id\":\n"
                            "9}\n"
                            "{\"id\":10,\"last\":true}";
  for (const std::size_t block : {std::size_t{1}, std::size_t{7}, std::size_t{64}, std::size_t{1} << 16}) {
    SECTION(fmt::format("block_bytes {}", block)) {
      const Outcome o = compare(dir, bytes, 50, block);
      INFO(fmt::format("{}", fmt::join(o.differences, "\n")));
      CHECK_FALSE(o.declined);
      CHECK(o.differences.empty());
    }
  }
  // A spot check of the reference itself, so that the comparison is not vacuous.
  ReadOptions o;
  o.max_field_bytes = 50;
  o.block_bytes = 7;
  const RawTable t = drain(*open_ndjson_stream(dir.write("spot.ndjson", bytes), o));
  CHECK(t.bom);
  CHECK(t.blank_rows == 2);
  CHECK(t.columns == std::vector<std::string>{"id", "name", "n", "big", "huge", "nested", "esc", "last"});
  REQUIRE(t.rows.size() == 5);
  CHECK(t.rows[1].line == 5);
  CHECK(t.rows[1].fields[0] == "0");
  CHECK(t.rows[1].fields[2] == "1.50E+3");
  CHECK(t.rows[2].fields[5] == R"({"a":null,"b":[1.0,"é"]})");
  CHECK(t.rows[3].fields[6] == "a\"b\\c\n\xF0\x9F\x98\x80");
  REQUIRE(t.rejections.size() == 7);
  CHECK(t.rejections[0].line == 4);
  CHECK(t.rejections[0].reason == "key \"id\" appears twice in this object; keep one");
  CHECK(t.rejections[1].reason == "expected an object, found an array");
  CHECK(t.rejections[2].reason == "values are nested deeper than 64 levels; flatten the record");
  CHECK(t.rejections[3].column == "long");
}

TEST_CASE("ndjson stream: rows handed out unparsed and parsed on two threads match the rows and rejections read in turn",
          "[ndjson]") {
  TempDir dir;
  std::string bytes = std::string(kBom) + "{\"id\":1,\"name\":\"Ana\"}\r\n\n   \r\n{\"id\":2,\"id\":3}\n[1,2]\n";
  std::mt19937 rng(11);
  for (int i = 0; i < 5000; ++i) {
    switch (rng() % 8) {
      case 0: bytes += fmt::format("{{\"id\":{},\"nested\":{{\"a\":[1,\"\\u00e9\"]}}}}\n", i); break;
      case 1: bytes += fmt::format("{{\"id\":{},\"esc\":\"a\\\"b\"}}\n", i); break;
      case 2: bytes += "{\"id\":\n"; break;
      case 3: bytes += "\n"; break;
      default: bytes += fmt::format("{{\"id\":\"{}\",\"name\":\"N{}\"}}\n", i, i % 7); break;
    }
  }
  bytes += "{\"id\":\"last\",\"late\":true}";
  const std::string path = dir.write("deferred.ndjson", bytes);
  ReadOptions o;
  o.block_bytes = 4096;
  const RawTable in_turn = drain(*open_ndjson_stream(path, o));

  auto stream = open_ndjson_stream(path, o);
  REQUIRE(stream != nullptr);
  REQUIRE(stream->defer_parsing());
  std::vector<std::unique_ptr<RowParser>> parsers;
  parsers.push_back(stream->row_parser());
  parsers.push_back(stream->row_parser());
  std::vector<RawRow> all, batch;
  for (;;) {
    stream->next_batch(batch, 100);
    if (batch.empty()) break;
    for (auto& r : batch) all.push_back(std::move(r));
  }
  // Even rows on one thread, odd rows on another.
  std::vector<std::optional<Rejection>> why(all.size());
  std::vector<std::thread> threads;
  for (std::size_t k = 0; k < 2; ++k)
    threads.emplace_back([&, k] {
      for (std::size_t i = k; i < all.size(); i += 2) why[i] = parsers[k]->parse(all[i]);
    });
  for (auto& t : threads) t.join();
  std::vector<RawRow> rows;
  std::vector<Rejection> rejections;
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (why[i]) rejections.push_back(*why[i]);
    else rows.push_back(std::move(all[i]));
  }
  const RawTable& t = stream->table();
  CHECK(t.rejections.empty());  // a deferring stream rejects nothing itself
  CHECK(t.columns == in_turn.columns);
  CHECK(t.blank_rows == in_turn.blank_rows);
  CHECK(t.bom == in_turn.bom);
  REQUIRE(rows.size() == in_turn.rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    INFO("row " << i);
    CHECK(rows[i].line == in_turn.rows[i].line);
    CHECK(rows[i].fields == in_turn.rows[i].fields);
  }
  REQUIRE(rejections.size() == in_turn.rejections.size());
  CHECK(rejections.size() > 500);
  for (std::size_t i = 0; i < rejections.size(); ++i) {
    INFO("rejection " << i);
    CHECK(rejections[i].file == in_turn.rejections[i].file);
    CHECK(rejections[i].line == in_turn.rejections[i].line);
    CHECK(rejections[i].column == in_turn.rejections[i].column);
    CHECK(rejections[i].reason == in_turn.rejections[i].reason);
  }
}

TEST_CASE("ndjson stream: runs of records in one key order, broken by other orders and keys named twice, read as the "
          "reference reads them",
          "[ndjson]") {
  // A record with the last record's keys in the same order skips the key
  // lookups: runs of one order, then a change (a swap, a key twice, a key
  // missing, a new key, an empty object), on one thread and parsed on two.
  TempDir dir;
  std::mt19937 rng(20261129u);
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  std::size_t failed = 0;
  for (int c = 0; c < 300; ++c) {
    std::vector<std::string> keys{"id", "a", "b", "c"};
    std::string bytes;
    for (std::size_t r = 0, rows = 1 + pick(40); r < rows; ++r) {
      std::vector<std::string> line = keys;
      switch (pick(10)) {
        case 0: std::swap(keys[pick(keys.size())], keys[pick(keys.size())]); line = keys; break;
        case 1: line[pick(line.size())] = line[pick(line.size())]; break;  // a key twice, or nothing
        case 2: line.erase(line.begin() + static_cast<std::ptrdiff_t>(pick(line.size()))); break;
        case 3: line.push_back(fmt::format("new{}", pick(3))); break;
        case 4: line.clear(); break;
        default: break;
      }
      std::string record = "{";
      for (std::size_t k = 0; k < line.size(); ++k)
        record += fmt::format("{}\"{}\":{}", k == 0 ? "" : ",", line[k],
                              pick(4) == 0 ? std::string("null") : fmt::format("\"{}{}\"", line[k], pick(5)));
      bytes += record + "}\n";
    }
    const std::size_t threads = 1 + static_cast<std::size_t>(c % 2);
    const Outcome o = compare(dir, bytes, std::size_t{1} << 20, std::size_t{1} << 16, threads, 1 + pick(300));
    if (o.differences.empty() || ++failed > 3) continue;
    INFO(fmt::format("case {}, {} threads, file:\n{}", c, threads, bytes));
    INFO(fmt::format("{}", fmt::join(o.differences, "\n")));
    CHECK(o.differences.empty());
  }
  CHECK(failed == 0);
}

TEST_CASE("ndjson stream: an empty or white-space file reads as parse_json_table reads it", "[ndjson]") {
  TempDir dir;
  for (const std::string_view bytes : {std::string_view(""), std::string_view("\n\n  \r\n"), kBom}) {
    const Outcome o = compare(dir, bytes, std::size_t{1} << 20, std::size_t{1} << 16);
    INFO(show(bytes) << ": " << fmt::format("{}", fmt::join(o.differences, "\n")));
    CHECK_FALSE(o.declined);
    CHECK(o.differences.empty());
  }
}

TEST_CASE("ndjson stream: stdin, a directory, a broken JSON array, UTF-16 and non-UTF-8 bytes are declined",
          "[ndjson]") {
  TempDir dir;
  const ReadOptions o;
  CHECK(open_ndjson_stream("-", o) == nullptr);
  CHECK(open_ndjson_stream(dir.path(), o) == nullptr);
  // A whole array is read by elements; one the reference rejects outside its
  // elements is left to it.
  CHECK(open_ndjson_stream(dir.write("array.json", " \n [{\"a\":1}]"), o) != nullptr);
  for (const char* broken : {"[{\"a\":1}", "[{\"a\":1},]", "[{\"a\":1} {\"a\":2}]", "[{\"a\":1}] x", "[,]",
                             "[{\"a\":\"never ends}]", "[{\"a\":1}}]"}) {
    INFO(show(broken));
    CHECK(open_ndjson_stream(dir.write("broken.json", broken), o) == nullptr);
  }
  CHECK(open_ndjson_stream(dir.write("bom16.ndjson", std::string("\xFF\xFE{\0\"\0a\0\"\0:\0\x31\0}\0", 16)), o) ==
        nullptr);
  CHECK(open_ndjson_stream(dir.write("le16.ndjson", std::string("{\0\"\0a\0\"\0:\0\x31\0}\0\n\0", 16)), o) ==
        nullptr);
  // A bad byte far from the start, after many good lines.
  std::string late;
  for (int i = 0; i < 20000; ++i) late += fmt::format("{{\"id\":{}}}\n", i);
  late += "{\"id\":\"caf\xE9\"}\n";
  CHECK(open_ndjson_stream(dir.write("cp1252.ndjson", late), o) == nullptr);
  ReadOptions forced;
  forced.encoding = "windows-1252";
  CHECK(open_ndjson_stream(dir.write("ok.ndjson", "{\"a\":1}\n"), forced) == nullptr);
  CHECK(open_ndjson_stream(dir.write("ok.ndjson", "{\"a\":1}\n"), o) != nullptr);
}

TEST_CASE("ndjson stream: generated JSON arrays read by elements as parse_json_table reads them", "[ndjson]") {
  // Arrays of the generator's records and odd elements (numbers, strings,
  // nested arrays, broken objects whose brackets still close, keys twice),
  // laid out on one line, one element a line, or pretty-printed across
  // lines, with a BOM and CRLF sometimes; every block size splits them.
  TempDir dir;
  Generator g(20261129u);
  std::size_t taken = 0;
  static constexpr std::string_view kOdd[] = {"42", R"("str")", "[1,2]", "null", "true", "[ ]", "{}",
                                               R"({"a":1,"a":2})", R"({"a":tru})", R"({"a" 1})", "-1e400",
                                               R"({"n":{"deep":[1,{"x":"y"}]}})", R"({"s":"a"b\c"})"};
  for (std::size_t c = 0; c < 400; ++c) {
    const std::size_t layout = g.pick(3);
    const std::string_view eol = g.chance(30) ? "\r\n" : "\n";
    std::string s = g.chance(10) ? std::string(kBom) : std::string();
    if (g.chance(20)) {
      s += eol;
      s += ' ';
    }
    s += '[';
    const std::size_t n = g.pick(30);
    for (std::size_t i = 0; i < n; ++i) {
      std::string e = g.chance(80) ? g.object(i + 1) : std::string(g.one_of(kOdd));
      if (layout == 2) {  // pretty: a line break after each ',' and '{' outside strings
        std::string p;
        bool in_string = false;
        for (std::size_t k = 0; k < e.size(); ++k) {
          p += e[k];
          if (in_string && e[k] == '\\' && k + 1 < e.size()) {
            p += e[++k];
            continue;
          }
          if (e[k] == '"') in_string = !in_string;
          if (!in_string && (e[k] == ',' || e[k] == '{')) {
            p += eol;
            p += "  ";
          }
        }
        e = p;
      }
      if (i > 0) {
        if (g.chance(20)) s += eol;  // a line break before the ',' ends a number there
        s += ',';
      }
      if (layout != 0) s += eol;
      s += e;
    }
    if (layout != 0) s += eol;
    s += ']';
    if (g.chance(30)) s += eol;
    for (const std::size_t block : {std::size_t{1}, std::size_t{5}, std::size_t{64}, std::size_t{1} << 16}) {
      const Outcome o = compare(dir, s, g.chance(10) ? 8 : std::size_t{1} << 20, block);
      INFO(show(s) << " with block_bytes " << block << ": " << fmt::format("{}", fmt::join(o.differences, "\n")));
      CHECK(o.differences.empty());
      if (!o.declined) ++taken;
    }
  }
  // Elements the generator breaks inside their brackets are still elements:
  // most arrays are read by elements (a key or value cut before its closing
  // quote can swallow the array's end, and leaves the file to the reference).
  CHECK(taken > 400 * 4 / 2);
}

TEST_CASE("ndjson stream: rows come in batches of at most max_rows, in file order, with final columns",
          "[ndjson]") {
  TempDir dir;
  std::string bytes;
  for (int i = 1; i <= 9; ++i) bytes += fmt::format("{{\"id\":{}}}\n", i);
  bytes += "{\"id\":10,\"late\":\"yes\"}\n";
  ReadOptions o;
  o.block_bytes = 7;
  auto stream = open_ndjson_stream(dir.write("batches.ndjson", bytes), o);
  REQUIRE(stream != nullptr);
  CHECK(stream->table().columns == std::vector<std::string>{"id", "late"});
  CHECK(stream->table().format == "ndjson");
  std::vector<RawRow> batch;
  std::vector<std::size_t> sizes, lines;
  for (;;) {
    stream->next_batch(batch, 4);
    if (batch.empty()) break;
    sizes.push_back(batch.size());
    for (const auto& r : batch) {
      lines.push_back(r.line);
      CHECK(r.fields.size() == 2);
    }
  }
  CHECK(sizes == std::vector<std::size_t>{4, 4, 2});
  CHECK(lines == std::vector<std::size_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
  stream->next_batch(batch, 4);
  CHECK(batch.empty());
}

}  // namespace leadfunnel
