// NDJSON read in blocks, one physical line at a time, in two passes over the
// file: the first finds the columns (the keys of the records that will be
// kept, in order of first appearance, as parse_json_table gives them), checks
// that every byte is UTF-8 and, when asked (ReadOptions::id_key), collects
// the lead ids; the second hands out the rows. Memory holds one block, one
// line and one batch. A JSON array is read the same way, element by element
// (ElementReader), its first pass on one thread.
//
// A plain record is read by hand (read_flat_object, json_flat.cpp); any
// other line by simdjson's On-Demand API. Equality with parse_json_table is
// the contract, so simdjson only takes the common case: an object of
// strings, numbers, booleans and nulls (nested values are dumped by
// nlohmann, as the reference does) with no key twice and no value over the
// size limit. Any other line (duplicate keys, long values,
// deep nesting, any syntax error, a number that might overflow a double) is
// handed to parse_json_table itself, alone, which gives exactly the
// reference's field texts and rejection reasons.
#include "leadfunnel/ndjson_stream.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <simdjson.h>
#include <sys/stat.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <deque>
#include <filesystem>
#include <functional>
#include <limits>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "leadfunnel/encoding.hpp"
#include "leadfunnel/error.hpp"
#include "leadfunnel/json_flat.hpp"
#include "leadfunnel/parallel.hpp"
#include "leadfunnel/repeats.hpp"
#include "leadfunnel/source.hpp"
#include "leadfunnel/text.hpp"

namespace leadfunnel {
namespace {

namespace od = simdjson::ondemand;

/// The most bytes read per step; ReadOptions::block_bytes (64 KiB unless set)
/// asks for fewer, and tests ask for a handful to split records.
constexpr std::size_t kDefaultBlock = std::size_t{8} << 20;
constexpr std::size_t kPadding = simdjson::SIMDJSON_PADDING;
/// kPadding spaces: what a deferred row carries after its record.
const std::string kPaddingText(kPadding, ' ');

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/// A file read in blocks into a buffer that keeps the bytes from `begin`
/// on (a record longer than a block grows it), with kPadding readable
/// bytes after the data, as simdjson requires.
struct BlockBuffer {
  BlockBuffer(const std::string& path, std::size_t bytes) : source(path), block(std::max<std::size_t>(bytes, 1)) {}

  /// Drops the bytes before `begin` (it becomes 0), then reads the next
  /// block after the rest; `eof` once a read gives nothing.
  void refill() {
    const std::size_t keep = end - begin;
    if (begin > 0 && keep > 0) std::memmove(buf.data(), buf.data() + begin, keep);
    begin = 0;
    end = keep;
    const std::size_t want = keep + block + kPadding;
    if (buf.size() < want) buf.resize(std::max(want, buf.size() * 2));
    const std::size_t got = source.read(buf.data() + end, block);
    if (got == 0) eof = true;
    end += got;
    // Padding bytes are never part of a record; blank them for tidiness.
    std::memset(buf.data() + end, ' ', std::min(kPadding, buf.size() - end));
  }
  /// The bytes from `p` (in the buffer) to its end: simdjson's `allocated`.
  std::size_t capacity_after(const char* p) const { return static_cast<std::size_t>(buf.data() + buf.size() - p); }

  FileSource source;
  std::size_t block;
  std::vector<char> buf = std::vector<char>(kPadding, ' ');
  std::size_t begin = 0, end = 0;
  bool eof = false;
};

/// Physical lines of a file, read in blocks. A line's bytes stay valid until
/// the next call and are followed by at least kPadding readable bytes, as
/// simdjson requires.
class LineReader {
 public:
  /// Reads the lines that start in bytes [from, to) of the file: a reader
  /// from a later byte first skips to the end of the line it lands in (a
  /// line belongs to the range it starts in).
  LineReader(const std::string& path, std::size_t block, std::uint64_t from = 0,
             std::uint64_t to = std::numeric_limits<std::uint64_t>::max())
      : in_(path, block), to_(to), skip_(from > 0) {
    if (from > 0) {
      // A line starts at `from` when the byte before it ends one.
      base_ = from - 1;
      in_.source.seek(base_);
    }
  }

  /// The next line without its '\n'; false at the end. `newline` says
  /// whether a '\n' ended it (only the last line of a file may lack one).
  bool next(std::string_view& line, bool& newline) {
    for (;;) {
      if (!skip_ && base_ + in_.begin >= to_) return false;  // the next range's line: not even read
      const char* nl = static_cast<const char*>(std::memchr(in_.buf.data() + scanned_, '\n', in_.end - scanned_));
      if (nl != nullptr) {
        const auto at = static_cast<std::size_t>(nl - in_.buf.data());
        const std::size_t start = in_.begin;
        in_.begin = scanned_ = at + 1;
        if (skip_) {  // the end of a line that the range before reads
          skip_ = false;
          continue;
        }
        line = std::string_view(in_.buf.data() + start, at - start);
        newline = true;
        return true;
      }
      scanned_ = in_.end;
      if (skip_) in_.begin = in_.end;  // what is skipped is not kept
      if (in_.eof) {
        if (in_.begin == in_.end || skip_) return false;
        line = std::string_view(in_.buf.data() + in_.begin, in_.end - in_.begin);
        newline = false;
        in_.begin = in_.end;
        return true;
      }
      refill();
    }
  }

  /// The bytes from `p` (in the last line) to the end of the buffer: the
  /// line and at least kPadding more, simdjson's `allocated`.
  std::size_t capacity_after(const char* p) const { return in_.capacity_after(p); }

 private:
  void refill() {
    // Keep the unfinished line; a line longer than a block grows the buffer.
    base_ += in_.begin;
    scanned_ -= in_.begin;
    in_.refill();
  }

  BlockBuffer in_;
  std::uint64_t to_;
  bool skip_;
  std::uint64_t base_ = 0;  // the file offset of in_.buf[0]
  std::size_t scanned_ = 0;
};

/// The elements of a JSON array file, read in blocks: each element's text,
/// the line it starts on, and at least kPadding readable bytes after it.
/// Elements end where parse_json_table's value_end ends them. Only an array
/// parse_json_table would read without a rejection of its own is read here:
/// anything else (no '[' first, an element that never ends or is empty, a
/// missing ',' or ']', a ',' before the ']', text after the ']', an element
/// over kMaxElement bytes) makes next() say Odd, and the caller leaves the
/// file to parse_json_table.
class ElementReader {
 public:
  enum class Status { Element, End, Odd };
  static constexpr std::size_t kMaxElement = std::size_t{64} << 20;

  ElementReader(const std::string& path, std::size_t block) : in_(path, block) {}

  /// The next element and the line it starts on (a BOM is skipped).
  Status next(std::string_view& element, std::size_t& line) {
    if (!bom_checked_) {
      // A byte order mark only as the file's first bytes.
      while (in_.end < 3 && !in_.eof) refill();
      bom_checked_ = true;
      if (in_.end >= 3 && std::memcmp(in_.buf.data(), "\xEF\xBB\xBF", 3) == 0) {
        in_.begin = 3;
        bom_ = true;
      }
    }
    for (;;) {
      // Whitespace between tokens.
      while (in_.begin < in_.end && is_ws(in_.buf[in_.begin])) {
        if (in_.buf[in_.begin] == '\n') ++line_;
        ++in_.begin;
      }
      if (in_.begin == in_.end) {
        if (in_.eof) return state_ == State::Closed ? Status::End : Status::Odd;  // else not closed
        refill();
        continue;
      }
      const char c = in_.buf[in_.begin];
      switch (state_) {
        case State::Start:
          if (c != '[') return Status::Odd;
          ++in_.begin;
          state_ = State::Open;
          continue;
        case State::Open:
        case State::Comma:
          if (c == ']') {
            if (state_ == State::Comma) return Status::Odd;  // a trailing comma
            ++in_.begin;
            state_ = State::Closed;
            continue;
          }
          break;  // an element starts here
        case State::Element:
          if (c == ',') state_ = State::Comma;
          else if (c == ']') state_ = State::Closed;
          else return Status::Odd;
          ++in_.begin;
          continue;
        case State::Closed:
          return Status::Odd;  // text after the array
      }
      // An element from in_.begin: scanned as value_end does, resumed where the
      // last block ended.
      const std::size_t start_line = line_;
      std::size_t i = in_.begin + scanned_;
      bool ended = false;
      for (; i < in_.end; ++i) {
        i = skip_plain(i);
        if (i == in_.end) break;
        const char x = in_.buf[i];
        if (x == '\n') ++element_lines_;
        if (in_string_) {
          if (x == '\\') {
            if (i + 1 == in_.end) break;  // the escaped byte is in the next block
            ++i;
            if (in_.buf[i] == '\n') ++element_lines_;
          } else if (x == '"') {
            in_string_ = false;
            if (depth_ == 0) {
              ++i;
              ended = true;
              break;
            }
          }
          continue;
        }
        if (x == '"') {
          in_string_ = true;
        } else if (x == '{' || x == '[') {
          ++depth_;
        } else if (x == '}' || x == ']') {
          if (depth_ == 0) {
            ended = true;  // a scalar, ended by the array's ']'
            break;
          }
          if (--depth_ == 0) {
            ++i;
            ended = true;
            break;
          }
        } else if (depth_ == 0 && (x == ',' || is_ws(x))) {
          if (x == '\n') --element_lines_;  // not part of the element
          ended = true;
          break;
        }
      }
      if (!ended) {
        scanned_ = i - in_.begin;
        if (in_.eof || scanned_ > kMaxElement) return Status::Odd;  // never ends, or too big to hold
        refill();
        continue;
      }
      if (i == in_.begin) return Status::Odd;  // an empty element
      element = std::string_view(in_.buf.data() + in_.begin, i - in_.begin);
      line = start_line;
      line_ += element_lines_;
      in_.begin = i;
      scanned_ = 0;
      depth_ = 0;
      in_string_ = false;
      element_lines_ = 0;
      state_ = State::Element;
      return Status::Element;
    }
  }

  /// The bytes from `p` (in the last element) to the end of the buffer.
  std::size_t capacity_after(const char* p) const { return in_.capacity_after(p); }
  /// Whether the file starts with a UTF-8 byte order mark (known after the first next()).
  bool bom() const { return bom_; }

 private:
  /// The first byte at or after `i` (before in_.end) that the element scan
  /// must look at, 16 bytes a step: in a string a quote, a backslash or a
  /// line break; inside an object or array also a bracket or a brace. (At
  /// the element's own level every byte counts: `i` as it is.)
  std::size_t skip_plain(std::size_t i) const {
#if defined(__SSE2__)
    if (!in_string_ && depth_ == 0) return i;
    const __m128i quote = _mm_set1_epi8('"'), back = _mm_set1_epi8('\\'), nl = _mm_set1_epi8('\n');
    const __m128i open_b = _mm_set1_epi8('{'), close_b = _mm_set1_epi8('}');
    const __m128i open_s = _mm_set1_epi8('['), close_s = _mm_set1_epi8(']');
    for (; i + 16 <= in_.end; i += 16) {
      const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in_.buf.data() + i));
      __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, back)),
                                 _mm_cmpeq_epi8(x, nl));
      if (!in_string_)
        hit = _mm_or_si128(hit, _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, open_b), _mm_cmpeq_epi8(x, close_b)),
                                             _mm_or_si128(_mm_cmpeq_epi8(x, open_s), _mm_cmpeq_epi8(x, close_s))));
      if (const auto m = static_cast<unsigned>(_mm_movemask_epi8(hit)))
        return i + static_cast<std::size_t>(__builtin_ctz(m));
    }
#endif
    return i;
  }

  enum class State { Start, Open, Element, Comma, Closed };

  /// Keeps the unfinished element; one longer than a block grows the buffer.
  void refill() { in_.refill(); }

  BlockBuffer in_;
  bool bom_checked_ = false, bom_ = false;
  State state_ = State::Start;
  std::size_t line_ = 1;  // the line of in_.buf[in_.begin]
  // An element being scanned: how far, and the scan's state there.
  std::size_t scanned_ = 0;
  int depth_ = 0;
  bool in_string_ = false;
  std::size_t element_lines_ = 0;
};

/// Runs `read(k, from, to)` for each of `parts` byte ranges of a file of
/// `size` bytes at once (run_parts).
void for_each_range(std::uint64_t size, std::size_t parts,
                    const std::function<void(std::size_t, std::uint64_t, std::uint64_t)>& read) {
  run_parts(parts, [&](std::size_t k) {
    const std::uint64_t from = size / parts * k;
    const std::uint64_t to = k + 1 == parts ? std::numeric_limits<std::uint64_t>::max() : size / parts * (k + 1);
    read(k, from, to);
  });
}

std::string_view trim_ws_right(std::string_view s) {
  while (!s.empty() && is_ws(s.back())) s.remove_suffix(1);
  return s;
}

/// FlatObject rejects a record whose values nest deeper than 64 levels,
/// counting the record itself: a value may hold 63.
constexpr int kMaxNested = 63;

/// How deeply the JSON text `s` nests arrays and objects.
int nesting(std::string_view s) {
  int depth = 0, deepest = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

using Field = JsonField;

/// Reads a flat object the way FlatObject in json_input.cpp does. False when
/// the line is anything else (or might be): the caller asks the reference.
/// The views point into `line`, into the parser's string buffer or into `dumps`.
bool parse_flat(od::parser& parser, std::string_view line, std::size_t capacity, std::size_t max_field_bytes,
                std::vector<Field>& out, std::deque<std::string>& dumps) {
  // The common record first, by hand; simdjson for anything else.
  if (read_flat_object(line, capacity, max_field_bytes, out)) return true;
  out.clear();
  std::size_t dumps_used = 0;
  od::document doc;
  if (parser.iterate(line.data(), line.size(), capacity).get(doc)) return false;
  od::object obj;
  if (doc.get_object().get(obj)) return false;
  for (auto field : obj) {
    Field f;
    if (field.unescaped_key().get(f.key)) return false;
    od::value v;
    if (field.value().get(v)) return false;
    od::json_type type;
    if (v.type().get(type)) return false;
    switch (type) {
      case od::json_type::string:
        if (v.get_string().get(f.text)) return false;
        break;
      case od::json_type::number: {
        const std::string_view raw = trim_ws_right(v.raw_json_token());
        if (!plain_json_number(raw)) return false;
        // nlohmann reads integers as integers and prints them back: only
        // "-0" changes. Other numbers keep their text.
        f.text = same_text(raw, "-0") ? std::string_view("0") : raw;
        break;
      }
      case od::json_type::boolean:
      case od::json_type::null: {
        const std::string_view raw = trim_ws_right(v.raw_json_token());
        if (same_text(raw, "null")) f.text = std::string_view();
        else if (same_text(raw, "true") || same_text(raw, "false")) f.text = raw;
        else return false;
        break;
      }
      case od::json_type::object:
      case od::json_type::array: {
        // FlatObject keeps a nested value as nlohmann's dump of it: parse
        // its text with nlohmann and dump it. Nesting past the reference's
        // limit, and every error, go the slow way for the reference's reason.
        std::string_view raw;
        if (type == od::json_type::object) {
          od::object nested;
          if (v.get_object().get(nested) || nested.raw_json().get(raw)) return false;
        } else {
          od::array nested;
          if (v.get_array().get(nested) || nested.raw_json().get(raw)) return false;
        }
        if (nesting(raw) > kMaxNested) return false;
        const auto parsed = nlohmann::json::parse(raw, nullptr, false);
        if (parsed.is_discarded()) return false;
        if (dumps_used == dumps.size()) dumps.emplace_back();
        std::string& dump = dumps[dumps_used++];
        dump = parsed.dump();
        f.text = dump;
        break;
      }
      default:
        return false;
    }
    if (f.text.size() > max_field_bytes) return false;
    out.push_back(f);
  }
  // Anything after the object's '}' is an error for nlohmann.
  return doc.current_location().error() == simdjson::OUT_OF_BOUNDS;
}

/// What a record's fields say about its lead id, by scan_ndjson_ids' rule.
enum class IdValue { Found, None, Unsure };

/// An id's text as a value: None when blank; Unsure when not ASCII.
IdValue id_of(std::string_view value, std::string_view& id) {
  id = trim(value);
  for (char c : id)
    if (static_cast<unsigned char>(c) >= 0x80) return IdValue::Unsure;
  return id.empty() ? IdValue::None : IdValue::Found;
}

/// The trimmed value of key `id_key` in `fields`, into `id`: None when the
/// key is missing or its value blank; Unsure when the key is there twice
/// (the reference reader decides) or the value is not ASCII. `at` becomes
/// the key's place in `fields` when it is there once, else npos.
IdValue id_value(const std::vector<Field>& fields, std::string_view id_key, std::string_view& id,
                 std::size_t& at) {
  at = std::string_view::npos;
  for (std::size_t i = 0; i < fields.size(); ++i)
    if (same_text(fields[i].key, id_key)) {
      if (at != std::string_view::npos) {
        at = std::string_view::npos;
        return IdValue::Unsure;
      }
      at = i;
    }
  if (at == std::string_view::npos) return IdValue::None;
  return id_of(fields[at].text, id);
}

IdValue id_value(const std::vector<Field>& fields, std::string_view id_key, std::string_view& id) {
  std::size_t at = 0;
  return id_value(fields, id_key, id, at);
}

/// The lead ids of one byte range, collected in the columns pass for the
/// key ReadOptions::id_key names given the range's first record's keys.
struct RangeIds {
  bool guessed = false;  ///< a record was read, and the key chosen from it
  std::optional<std::string> key;
  bool unsure = false;  ///< some line needs the reference reader: no ids from here
  RepeatFinder finder;

  /// Takes the id of one non-blank line (`fields` as LineParser::learn
  /// gives them; `no_key_twice` when none of their keys is there twice).
  void take(const std::vector<Field>* fields, bool no_key_twice, const ReadOptions& options) {
    if (unsure) return;
    if (fields == nullptr) {
      unsure = true;
      return;
    }
    if (!guessed) {
      guessed = true;
      std::vector<std::string> keys;
      for (const Field& f : *fields) keys.emplace_back(f.key);
      key = options.id_key(keys);
    }
    std::string_view id;
    IdValue v = IdValue::Unsure;
    // Records mostly list their keys in the same order: where the last
    // record had the id key is tried first. With no key twice, a match there
    // is the only one.
    if (key && no_key_twice && at_ < fields->size() && same_text((*fields)[at_].key, *key))
      v = id_of((*fields)[at_].text, id);
    else if (key)
      v = id_value(*fields, *key, id, at_);
    if (v == IdValue::Unsure) unsure = true;
    else if (v == IdValue::Found) finder.add(lead_id_hash(id));
  }

 private:
  std::size_t at_ = std::string_view::npos;  ///< where the last record had the id key
};

/// What one non-blank line gives: a row (fields by column) or a rejection.
class LineParser {
 public:
  LineParser(std::string path, std::size_t max_field_bytes)
      : path_(std::move(path)), max_field_bytes_(max_field_bytes) {}

  std::vector<std::string> columns;

  /// First pass: adds the keys of `line` to the columns when the line is a
  /// row the reference keeps. Returns the line's fields when the line is
  /// an object that parse_flat reads (a key may be there twice), else
  /// nullptr; they stay valid until the next line.
  const std::vector<Field>* learn(std::string_view line, std::size_t capacity) {
    ++stamp_;
    no_key_twice_ = false;
    if (parse_flat(parser_, line, capacity, max_field_bytes_, fields_, dumps_)) {
      if (same_keys()) {
        no_key_twice_ = true;
        return &fields_;
      }
      pending_.clear();
      cols_.clear();
      bool clean = true;
      for (std::size_t i = 0; i < fields_.size() && clean; ++i) {
        const std::size_t col = find(i, fields_[i].key);
        if (col != kNone) {
          clean = mark(col);
        } else {
          clean = std::find(pending_.begin(), pending_.end(), fields_[i].key) == pending_.end();
          pending_.push_back(fields_[i].key);
        }
        cols_.push_back(col);
      }
      if (clean) {
        std::size_t next = columns.size();
        for (auto k : pending_) add_column(k);
        // New keys got the new columns, in order.
        for (auto& c : cols_)
          if (c == kNone) c = next++;
        order_.swap(cols_);
        no_key_twice_ = true;
        return &fields_;
      }
      add_reference_columns(line);
      return &fields_;
    }
    add_reference_columns(line);
    return nullptr;
  }

  /// Second pass: fills `row` (as wide as the columns), or returns the
  /// line's rejection. With guessed columns, throws ColumnsGuessedWrong
  /// where learn() would have added a column or found the file not UTF-8.
  std::optional<Rejection> read(std::string_view line, std::size_t capacity, std::size_t line_no, RawRow& row) {
    ++stamp_;
    row.line = line_no;
    // Each column's text, in column order once every key is placed.
    slots_.assign(columns.size(), std::string_view());
    auto fill = [&] { row.fields.assign(slots_); };
    if (parse_flat(parser_, line, capacity, max_field_bytes_, fields_, dumps_)) {
      if (same_keys()) {
        for (std::size_t i = 0; i < fields_.size(); ++i) slots_[order_[i]] = fields_[i].text;
        fill();
        return std::nullopt;
      }
      bool clean = true;
      cols_.clear();
      for (std::size_t i = 0; i < fields_.size() && clean; ++i) {
        const std::size_t col = find(i, fields_[i].key);
        clean = col != kNone && mark(col);
        if (clean) slots_[col] = fields_[i].text;
        cols_.push_back(col);
      }
      if (clean) {
        order_.swap(cols_);
        fill();
        return std::nullopt;
      }
      slots_.assign(columns.size(), std::string_view());
    } else if (guessed_ && !simdjson::validate_utf8(line.data(), line.size())) {
      throw ColumnsGuessedWrong{};  // the columns pass would have left the file to parse_json_table
    }
    RawTable t = reference(line);
    if (guessed_)
      for (const auto& c : t.columns)
        if (index_.find(std::string_view(c)) == index_.end()) throw ColumnsGuessedWrong{};
    if (!t.rejections.empty()) {
      Rejection r = std::move(t.rejections.front());
      r.line = line_no;
      r.file = path_;
      return r;
    }
    // Cannot happen (a non-blank line is a row or a rejection); not dropped unseen if it does.
    if (t.rows.empty()) return Rejection{path_, line_no, "", "the line holds no record"};
    for (std::size_t j = 0; j < t.columns.size(); ++j) {
      const auto it = index_.find(std::string_view(t.columns[j]));
      // Every key of a kept line became a column in the first pass, unless
      // the file changed in between.
      if (it != index_.end()) slots_[it->second] = t.rows.front().fields[j];
    }
    fill();
    return std::nullopt;
  }

  /// Whether no key of the line learn() read last is there twice.
  bool no_key_twice() const { return no_key_twice_; }

  /// The columns come from the start of the file only (see read()).
  void guess_columns() { guessed_ = true; }
  bool guessed() const { return guessed_; }

  /// From now on each "line" is an element of a JSON array (ElementReader),
  /// which the reference reads as the array's element, not as a line.
  void read_array_elements() { elements_ = true; }

  /// Adds the columns `other` learned (from a later part of the file) that
  /// this one has not, in their order.
  void take_columns(const LineParser& other) {
    for (const auto& c : other.columns)
      if (index_.find(std::string_view(c)) == index_.end()) add_column(c);
  }

 private:
  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);

  /// Whether the line's keys (fields_) are those of order_ (the last line
  /// the hand reader read with no key twice), in the same order: then each
  /// is a column and none is there twice, since a column's name is never
  /// repeated (add_column is called for new keys only).
  bool same_keys() const {
    if (fields_.size() != order_.size()) return false;
    for (std::size_t i = 0; i < fields_.size(); ++i)
      if (!same_text(columns[order_[i]], fields_[i].key)) return false;
    return true;
  }

  /// The column of the i-th key: records mostly list keys in the same order,
  /// so the last record's order is tried before the hash table.
  std::size_t find(std::size_t i, std::string_view key) const {
    if (i < order_.size() && same_text(columns[order_[i]], key)) return order_[i];
    const auto it = index_.find(key);
    return it == index_.end() ? kNone : it->second;
  }
  /// Marks a column as seen in this line; false when it already was.
  bool mark(std::size_t col) {
    if (seen_[col] == stamp_) return false;
    seen_[col] = stamp_;
    return true;
  }
  void add_column(std::string_view key) {
    index_.emplace(std::string(key), columns.size());
    columns.emplace_back(key);
    seen_.push_back(0);
  }

  /// The keys of a line the reference reader keeps become columns.
  void add_reference_columns(std::string_view line) {
    const RawTable t = reference(line);
    for (const auto& c : t.columns)
      if (index_.find(std::string_view(c)) == index_.end()) add_column(c);
  }

  /// The reference reader on this one line. The "\r\n" ends it as a line of
  /// its own without changing its text (one trailing '\r' is dropped).
  RawTable reference(std::string_view line) const {
    if (elements_) {
      // The element alone in an array: parse_json_table reads it as the
      // element it was, from line 1 (read() puts its own line in).
      std::string text;
      text.reserve(line.size() + 2);
      text += '[';
      text.append(line);
      text += ']';
      return parse_json_table(text, path_, max_field_bytes_);
    }
    const auto first = line.find_first_not_of(" \t\r\n");
    if (first != std::string_view::npos && line[first] == '[') {
      // parse_json_table would read the line as a JSON array; as an NDJSON
      // line nlohmann stops at the '[' and FlatObject calls it an array.
      RawTable t;
      t.rejections.push_back(Rejection{path_, 1, "", "expected an object, found an array"});
      return t;
    }
    std::string text;
    text.reserve(line.size() + 2);
    text.append(line);
    text.append("\r\n");
    return parse_json_table(text, path_, max_field_bytes_);
  }

  std::string path_;
  std::size_t max_field_bytes_;
  od::parser parser_;
  std::vector<Field> fields_;
  std::deque<std::string> dumps_;  // nested values as text; a deque keeps them in place
  std::vector<std::string_view> pending_;
  std::unordered_map<std::string, std::size_t, TextHash, std::equal_to<>> index_;
  std::vector<std::size_t> seen_;   // per column: the stamp of the last line that had it
  std::vector<std::size_t> order_;  // columns of the last row's keys, in order
  std::vector<std::size_t> cols_;   // columns of this line's keys
  std::vector<std::string_view> slots_;  // this line's text by column
  std::size_t stamp_ = 0;
  bool no_key_twice_ = false;  // of the line learn() read last
  bool elements_ = false;      // lines are JSON array elements (read_array_elements)
  bool guessed_ = false;       // the columns come from the file's start (guess_columns)
};

class NdjsonRows final : public RowStream {
 public:
  NdjsonRows(const std::string& path, const ReadOptions& options)
      : path_(path),
        block_(std::clamp<std::size_t>(options.block_bytes, 1, kDefaultBlock)),
        max_field_bytes_(options.max_field_bytes),
        read_(options),
        lines_(path, options.max_field_bytes) {
    table_.path = path;
    table_.format = "ndjson";
    table_.encoding = "utf-8";
  }

  /// The first pass. False when the file is not one to stream (bytes that
  /// are not UTF-8, or a JSON array). `guess`: only the records that start
  /// in the file's first ReadOptions::guess_bytes are read, when the file is
  /// larger and they give some column.
  bool learn(bool guess) {
    // A big file is read in ranges at once, each learning its own columns in
    // the order they first appear there; taken in range order they are the
    // columns in order of first appearance in the file.
    std::error_code ec;
    const std::uint64_t size = std::filesystem::file_size(path_, ec);
    guess = guess && !ec && size > read_.guess_bytes;
    const std::size_t parts = ec || guess ? 1 : pass_ranges(size, read_);
    const std::uint64_t end = guess ? read_.guess_bytes : std::numeric_limits<std::uint64_t>::max();
    // Each range's state is an allocation of its own: what one thread
    // writes for every line must not share a cache line with what another
    // reads for every line (measured: 45% more CPU on two threads when the
    // first range used lines_ and its neighbour ids_).
    struct alignas(64) Part {
      Part(const std::string& path, std::size_t max_field_bytes) : lines(path, max_field_bytes) {}
      LineParser lines;
      RangeIds ids;
      bool utf8 = true;
      std::optional<bool> array;  ///< whether its first non-blank line starts with '['
    };
    std::vector<std::unique_ptr<Part>> part(parts);
    for (auto& p : part) p = std::make_unique<Part>(path_, max_field_bytes_);
    const bool want_ids = read_.id_key && !guess;
    std::atomic<bool> stop{false};  // the file is not one to stream: every range stops
    for_each_range(size, parts, [&](std::size_t k, std::uint64_t from, std::uint64_t to) {
      Part& mine = *part[k];
      LineReader reader(path_, block_, from, std::min(to, end));
      std::string_view line;
      bool newline = false;
      bool first = k == 0;
      while (!stop && reader.next(line, newline)) {
        if (first && line.substr(0, 3) == "\xEF\xBB\xBF") {
          line.remove_prefix(3);
          table_.bom = true;
        }
        first = false;
        std::size_t i = 0;
        while (i < line.size() && is_ws(line[i])) ++i;
        if (i == line.size()) continue;
        // Only the file's first record may make it a JSON array: a later
        // range's first one counts when no range before it has any.
        if (!mine.array) {
          mine.array = line[i] == '[';
          if (*mine.array && k == 0) {
            stop = true;
            return;
          }
        }
        const auto* fields = mine.lines.learn(strip_cr(line), reader.capacity_after(line.data()));
        // A line read as a record is UTF-8 (both readers check); any other
        // line is checked here.
        if (fields == nullptr && !simdjson::validate_utf8(line.data(), line.size())) {
          mine.utf8 = false;
          stop = true;
          return;
        }
        if (want_ids) mine.ids.take(fields, mine.lines.no_key_twice(), read_);
      }
    });
    bool any = false;
    for (const auto& p : part) {
      if (!p->utf8) return false;
      if (!any && p->array) {
        if (*p->array) return learn_array();
        any = true;
      }
      // In range order: the columns in order of first appearance in the file.
      lines_.take_columns(p->lines);
      if (want_ids) ids_.push_back(std::move(p->ids));
    }
    if (guess && lines_.columns.empty()) return learn(false);  // nothing to guess from
    if (guess) lines_.guess_columns();
    if (!any) {
      // As parse_json_table: a file of nothing but whitespace is empty.
      table_.format = "json";
      table_.file_errors.push_back(
          fmt::format("{}: the file is empty; expected a JSON array of objects or NDJSON", path_));
      done_ = true;
    }
    table_.columns = lines_.columns;
    return true;
  }

  /// The first pass over a JSON array, on one thread (its elements cannot
  /// be found from the middle of the file). False when parse_json_table
  /// must read it (see ElementReader), or a byte is not UTF-8.
  bool learn_array() {
    ElementReader reader(path_, block_);
    lines_.read_array_elements();
    RangeIds ids;
    const bool want_ids = static_cast<bool>(read_.id_key);
    std::string_view element;
    std::size_t line = 0;
    for (;;) {
      const ElementReader::Status st = reader.next(element, line);
      if (st == ElementReader::Status::Odd) return false;
      if (st == ElementReader::Status::End) break;
      const auto* fields = lines_.learn(element, reader.capacity_after(element.data()));
      if (fields == nullptr && !simdjson::validate_utf8(element.data(), element.size())) return false;
      if (want_ids) ids.take(fields, lines_.no_key_twice(), read_);
    }
    array_ = true;
    table_.format = "json";
    table_.bom = reader.bom();
    table_.columns = lines_.columns;
    if (want_ids) ids_.push_back(std::move(ids));
    return true;
  }

  RawTable& table() override { return table_; }

  std::optional<RepeatFinder> first_ids(std::string_view id_key) override {
    std::vector<RangeIds> ids = std::move(ids_);
    ids_.clear();
    if (ids.empty()) return std::nullopt;
    for (const RangeIds& r : ids)
      if (r.unsure || (r.guessed && r.key != id_key)) return std::nullopt;
    for (std::size_t k = 1; k < ids.size(); ++k) ids[0].finder.merge(ids[k].finder);
    return std::move(ids[0].finder);
  }

  void next_batch(std::vector<RawRow>& rows, std::size_t max_rows) override {
    if (array_) return next_elements(rows, max_rows);
    std::size_t n = 0;
    if (!done_ && !reader_) reader_ = std::make_unique<LineReader>(path_, block_);
    std::string_view line;
    bool newline = false;
    while (!done_ && n < max_rows) {
      if (!reader_->next(line, newline)) {
        done_ = true;
        reader_.reset();  // closes the file
        break;
      }
      const std::size_t line_no = ++line_no_;
      if (line_no == 1 && table_.bom) line.remove_prefix(3);
      const std::string_view text = strip_cr(line);
      std::size_t i = 0;
      while (i < text.size() && is_ws(text[i])) ++i;
      if (i == text.size()) {
        // As parse_json_table: the empty piece after a final '\n' is no line.
        if (newline || !text.empty()) ++table_.blank_rows;
        continue;
      }
      if (take_record(rows, n, text, reader_->capacity_after(text.data()), line_no)) ++n;
    }
    rows.resize(n);
  }

  bool defer_parsing() override {
    deferred_ = true;
    return true;
  }

  std::unique_ptr<RowParser> row_parser() override;

  bool guessed_columns() const override { return lines_.guessed(); }

 private:
  /// next_batch for a JSON array: an element is a row (or a rejection).
  void next_elements(std::vector<RawRow>& rows, std::size_t max_rows) {
    std::size_t n = 0;
    if (!done_ && !elements_) elements_ = std::make_unique<ElementReader>(path_, block_);
    std::string_view element;
    std::size_t line = 0;
    while (!done_ && n < max_rows) {
      const ElementReader::Status st = elements_->next(element, line);
      if (st == ElementReader::Status::End) {
        done_ = true;
        elements_.reset();  // closes the file
        break;
      }
      if (st == ElementReader::Status::Odd)  // the first pass read the whole array
        throw InputError(path_, 0, "",
                         fmt::format("{}: the file changed while it was being read; run again when nothing is "
                                     "writing to it",
                                     path_));
      if (take_record(rows, n, element, elements_->capacity_after(element.data()), line)) ++n;
    }
    rows.resize(n);
  }

  /// One record (a line or an element, `capacity` bytes readable from its
  /// start) into rows[n]: handed out unparsed when deferred, else read now.
  /// False when it was rejected.
  bool take_record(std::vector<RawRow>& rows, std::size_t n, std::string_view text, std::size_t capacity,
                   std::size_t line) {
    if (n == rows.size()) rows.emplace_back();
    RawRow& row = rows[n];
    if (deferred_) {
      // The record and padding bytes after it (simdjson reads past the
      // end), for a NdjsonRowParser.
      row.line = line;
      row.fields.clear();
      row.fields.push_back(text);
      row.fields.push_back(kPaddingText);
      return true;
    }
    if (auto bad = lines_.read(text, capacity, line, row)) {
      table_.reject(std::move(*bad));
      return false;
    }
    return true;
  }

  static std::string_view strip_cr(std::string_view s) {
    if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
    return s;
  }

  std::string path_;
  std::size_t block_;
  std::size_t max_field_bytes_;
  ReadOptions read_;
  LineParser lines_;
  std::vector<RangeIds> ids_;  ///< per byte range of the columns pass, when ReadOptions::id_key is set
  RawTable table_;
  std::unique_ptr<LineReader> reader_;
  std::unique_ptr<ElementReader> elements_;
  bool array_ = false;  ///< a JSON array, read by elements (learn_array)
  std::size_t line_no_ = 0;
  bool done_ = false;
  bool deferred_ = false;
};

/// Parses the rows a deferred NdjsonRows hands out: its own LineParser
/// with the stream's columns, on the thread that owns it.
class NdjsonRowParser final : public RowParser {
 public:
  NdjsonRowParser(const std::string& path, std::size_t max_field_bytes, const LineParser& columns, bool array)
      : lines_(path, max_field_bytes) {
    lines_.take_columns(columns);
    if (array) lines_.read_array_elements();
    if (columns.guessed()) lines_.guess_columns();
  }

  std::optional<Rejection> parse(RawRow& row) override {
    // The record's text moves to scratch_, so that the cells can be written
    // into the row while they are read from it.
    scratch_.swap(row.fields);
    const std::string_view text = scratch_[0];
    return lines_.read(text, text.size() + 1 + scratch_[1].size(), row.line, row);
  }

 private:
  LineParser lines_;
  Cells scratch_;
};

std::unique_ptr<RowParser> NdjsonRows::row_parser() {
  return std::make_unique<NdjsonRowParser>(path_, max_field_bytes_, lines_, array_);
}

}  // namespace

bool scan_ndjson_ids(const std::string& path, std::string_view id_key, const ReadOptions& options,
                     const std::function<void(std::size_t, std::string_view)>& id) {
  std::error_code ec;
  const std::uint64_t size = std::filesystem::file_size(path, ec);
  const std::size_t parts = ec ? 1 : pass_ranges(size, options);
  std::atomic<bool> unsure{false};
  for_each_range(size, parts, [&](std::size_t k, std::uint64_t from, std::uint64_t to) {
    LineReader reader(path, std::clamp<std::size_t>(options.block_bytes, 1, kDefaultBlock), from, to);
    od::parser parser;
    std::vector<Field> fields;
    std::deque<std::string> dumps;
    std::string_view line;
    bool newline = false;
    bool first = k == 0;
    while (!unsure && reader.next(line, newline)) {
      if (first && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
      first = false;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      std::size_t i = 0;
      while (i < line.size() && is_ws(line[i])) ++i;
      if (i == line.size()) continue;
      // Only a line the stream reads itself is sure to give the same text.
      if (!parse_flat(parser, line, reader.capacity_after(line.data()), options.max_field_bytes, fields, dumps)) {
        unsure = true;
        return;
      }
      std::string_view value;
      switch (id_value(fields, id_key, value)) {
        case IdValue::Found:
          id(k, value);
          break;
        case IdValue::None:
          break;
        case IdValue::Unsure:
          unsure = true;
          return;
      }
    }
  });
  return !unsure;
}

std::unique_ptr<RowStream> open_ndjson_stream(const std::string& path, const ReadOptions& options) {
  if (path == "-") return nullptr;
  if (options.encoding && *options.encoding != "utf-8") return nullptr;
  if (options.format && *options.format != "json" && *options.format != "ndjson") return nullptr;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return nullptr;
  {
    // The encoding as read_source detects it, from the same first bytes.
    FileSource file(path);
    const std::string start = read_up_to(file, 4096);
    if (detect_encoding(start).rfind("utf-16", 0) == 0) return nullptr;
  }
  auto stream = std::make_unique<NdjsonRows>(path, options);
  if (!stream->learn(options.guess_columns)) return nullptr;
  return stream;
}

}  // namespace leadfunnel
