#include "leadfunnel/input.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <memory>
#include <unordered_map>

#include "leadfunnel/csv.hpp"
#include "leadfunnel/encoding.hpp"
#include "leadfunnel/error.hpp"
#include "leadfunnel/source.hpp"
#include "leadfunnel/text.hpp"

namespace leadfunnel {
namespace {

/// The bytes sniffed for the encoding, the format, the delimiter and the line ending.
constexpr std::size_t kSniffBytes = std::size_t{1} << 16;

/// Decodes another source to UTF-8 as it is read.
class DecodingSource final : public ByteSource {
 public:
  DecodingSource(ByteSource& raw, StreamDecoder& decoder, std::size_t block)
      : raw_(raw), decoder_(decoder), block_(std::max<std::size_t>(block, 1)) {}

  std::size_t read(char* buf, std::size_t n) override {
    while (pos_ == out_.size() && !done_) {
      out_.clear();
      pos_ = 0;
      if (!in_) in_ = std::make_unique<char[]>(block_);
      const std::size_t got = raw_.read(in_.get(), block_);
      done_ = got == 0;
      decoder_.decode(std::string_view(in_.get(), got), out_, done_);
    }
    const std::size_t k = std::min(n, out_.size() - pos_);
    std::copy_n(out_.data() + pos_, k, buf);
    pos_ += k;
    return k;
  }

 private:
  ByteSource& raw_;
  StreamDecoder& decoder_;
  std::size_t block_;
  std::unique_ptr<char[]> in_;
  std::string out_;
  std::size_t pos_ = 0;
  bool done_ = false;
};

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool all_empty(const std::vector<std::string>& fields) {
  for (const auto& f : fields)
    for (char c : f)
      if (c != ' ' && c != '\t') return false;
  return true;
}

/// The byte-order mark `raw` starts with for `encoding`, if any.
std::size_t bom_length(std::string_view raw, std::string_view encoding) {
  if (encoding == "utf-8" && raw.substr(0, 3) == "\xEF\xBB\xBF") return 3;
  if (encoding == "utf-16le" && raw.substr(0, 2) == "\xFF\xFE") return 2;
  if (encoding == "utf-16be" && raw.substr(0, 2) == "\xFE\xFF") return 2;
  return 0;
}

}  // namespace

RawTable read_table(const std::string& path, const ReadOptions& options) {
  FileSource file(path);
  return read_source(file, path, options);
}

RawTable parse_table(std::string_view bytes, const std::string& path, const ReadOptions& options) {
  MemorySource memory(bytes);
  return read_source(memory, path, options);
}

RawTable read_source(ByteSource& source, const std::string& path, const ReadOptions& options) {
  // Everything after the decoder sees UTF-8 only. Without --encoding, a BOM
  // or UTF-16's zero bytes decide; else UTF-8, falling back to Windows-1252
  // when a byte is not UTF-8 before any non-ASCII text was seen.
  std::string raw_start = read_up_to(source, kSniffBytes);
  std::string encoding;
  if (options.encoding) {
    encoding = *options.encoding;
  } else {
    encoding = detect_encoding(std::string_view(raw_start).substr(0, 4096));
    if (encoding == "windows-1252") encoding = "utf-8";
  }
  const std::size_t bom = bom_length(raw_start, encoding);
  // A UTF-8 byte order mark is a promise: no fallback then.
  StreamDecoder decoder(encoding, !options.encoding && encoding == "utf-8" && bom == 0);
  PrefixedSource raw(raw_start.substr(bom), source);
  raw_start.clear();
  DecodingSource decoded(raw, decoder, options.block_bytes);
  std::string sample = read_up_to(decoded, kSniffBytes);

  std::string format;
  if (options.format) {
    format = *options.format;
  } else if (ends_with(path, ".ndjson") || ends_with(path, ".jsonl") || ends_with(path, ".json")) {
    format = "json";
  } else {
    std::size_t i = 0;
    while (i < sample.size() && (sample[i] == ' ' || sample[i] == '\t' || sample[i] == '\n' || sample[i] == '\r'))
      ++i;
    format = (i < sample.size() && (sample[i] == '[' || sample[i] == '{')) ? "json" : "csv";
  }
  RawTable table;
  if (format == "csv") {
    PrefixedSource text(sample, decoded);
    table = parse_csv_stream(text, sample, path, options);
  } else {
    sample += read_rest(decoded);
    table = parse_json_table(sample, path, options.max_field_bytes);
  }
  table.bom = bom > 0;
  table.encoding = decoder.encoding();
  if (table.encoding != "utf-8")
    table.notes.push_back(fmt::format("decoded from {} to UTF-8{}", table.encoding,
                                      options.encoding ? " (--encoding)" : " (detected)"));
  if (decoder.replaced() > 0)
    table.notes.push_back(fmt::format("{} byte{} that {} not valid {} became U+FFFD (the replacement character)",
                                      decoder.replaced(), decoder.replaced() == 1 ? "" : "s",
                                      decoder.replaced() == 1 ? "is" : "are", table.encoding));
  return table;
}

namespace {

std::size_t non_empty_fields(const std::vector<std::string>& fields) {
  std::size_t n = 0;
  for (const auto& f : fields)
    if (f.find_first_not_of(" \t") != std::string::npos) ++n;
  return n;
}

std::string first_non_empty(const std::vector<std::string>& fields) {
  for (const auto& f : fields)
    if (f.find_first_not_of(" \t") != std::string::npos) return f;
  return {};
}

/// Report footers (Salesforce and others) carry these words.
bool looks_like_footer(std::string_view text) {
  const std::string t = to_lower(text);
  for (const char* marker : {"copyright", "generated by", "confidential", "salesforce", "all rights reserved",
                             "grand total"})
    if (t.find(marker) != std::string::npos) return true;
  return false;
}

}  // namespace

RawTable parse_csv_table(std::string_view bytes, const std::string& path, std::optional<char> delimiter) {
  MemorySource memory(bytes);
  ReadOptions options;
  options.delimiter = delimiter;
  return parse_csv_stream(memory, bytes.substr(0, kSniffBytes), path, options);
}

RawTable parse_csv_stream(ByteSource& source, std::string_view sample, const std::string& path,
                          const ReadOptions& options) {
  RawTable table;
  table.path = path;
  table.format = "csv";
  table.delimiter = options.delimiter ? *options.delimiter : sniff_delimiter(sample);
  table.line_ending = sniff_line_ending(sample);

  CsvReader reader(source, table.delimiter, CsvLimits{options.max_field_bytes, options.block_bytes});
  CsvRecord rec;
  CsvProblem prob;
  // When the header cannot be read, every later record is still counted,
  // each rejected with its line, so the accounting holds.
  auto reject_rest = [&](const std::string& why) {
    for (;;) {
      const auto st = reader.next(rec, prob);
      if (st == CsvReader::Status::End) break;
      if (st == CsvReader::Status::Record && all_empty(rec.fields)) {
        ++table.blank_rows;
        continue;
      }
      table.reject(
          Rejection{path, st == CsvReader::Status::Record ? rec.line : prob.line, "", "not used: " + why});
    }
    table.blank_rows += reader.blank_lines();
  };
  std::optional<std::size_t> header_problem_line;
  auto next_non_blank = [&](CsvRecord& r) -> bool {
    for (;;) {
      const auto st = reader.next(r, prob);
      if (st == CsvReader::Status::End) return false;
      if (st == CsvReader::Status::Problem) {
        header_problem_line = prob.line;
        return false;
      }
      if (!all_empty(r.fields)) return true;
      ++table.blank_rows;
    }
  };
  auto header_unreadable = [&] {
    table.file_errors.push_back(
        fmt::format("{}:{}: the header line cannot be read: {}", path, *header_problem_line, prob.reason));
    reject_rest(fmt::format("the header line ({}) of this file cannot be read", *header_problem_line));
    return table;
  };
  // The header is the first readable record, unless that is a one-cell title
  // line (report exports start with one) followed by a wider record.
  if (!next_non_blank(rec)) {
    if (header_problem_line) return header_unreadable();
    table.file_errors.push_back(
        fmt::format("{}: the file is empty (no header line); export it again with a header row", path));
    table.blank_rows += reader.blank_lines();
    return table;
  }
  std::optional<CsvRecord> first_data;
  if (non_empty_fields(rec.fields) == 1 && !options.raw_records) {
    CsvRecord second;
    if (next_non_blank(second)) {
      if (non_empty_fields(second.fields) >= 2) {
        ++table.non_data_rows;
        table.notes.push_back(fmt::format("line {} ('{}') looks like a report title and was skipped", rec.line,
                                          printable(first_non_empty(rec.fields), 40)));
        rec = std::move(second);
      } else {
        first_data = std::move(second);
      }
    } else if (header_problem_line) {
      // The one-cell line is the header; the record after it is broken.
      table.reject(Rejection{path, prob.line, "", prob.reason});
      header_problem_line.reset();
    }
  }
  table.header = rec.fields;
  table.columns = rec.fields;
  for (auto& c : table.columns) {
    // Trim spaces around header names; they are never meaningful.
    const auto b = c.find_first_not_of(" \t");
    const auto e = c.find_last_not_of(" \t");
    c = (b == std::string::npos) ? std::string() : c.substr(b, e - b + 1);
  }
  if (table.columns.size() > 1 && table.columns.back().empty()) {
    table.trailing_delimiter = true;
    table.columns.pop_back();
  }
  {
    // A column named twice makes every value of that name ambiguous.
    std::unordered_map<std::string_view, std::size_t> first;
    for (std::size_t j = 0; j < table.columns.size(); ++j) {
      if (table.columns[j].empty()) continue;
      const auto [it, fresh] = first.emplace(table.columns[j], j);
      if (!fresh)
        table.file_errors.push_back(fmt::format(
            "{}:{}: column \"{}\" appears twice in the header (columns {} and {}); rename one so that every column "
            "has its own name",
            path, rec.line, printable(table.columns[j], 40), it->second + 1, j + 1));
    }
  }
  const std::size_t width = table.columns.size();
  const std::string delimiter_word = table.delimiter == '\t' ? std::string("TAB") : std::string(1, table.delimiter);

  // Rows with at most one non-empty cell are held back: at the end of the
  // file they may be a report footer (skipped, counted; Excel pads footer
  // lines to the header's width); anywhere else they are read as usual.
  // At most this many are held: a footer is never that long, and a file of
  // millions of one-cell lines must not be held in memory.
  constexpr std::size_t kMaxHeld = 1000;
  std::vector<CsvRecord> held;
  auto ragged = [&](std::size_t line, std::size_t fields) {
    if (table.rejections.size() >= RawTable::kListedRejections) {
      ++table.unlisted_rejections;  // counted only: no message to build
      return;
    }
    table.reject(Rejection{
        path, line, "",
        fmt::format("row has {} fields but the header has {}; check for an unquoted '{}' or a missing value", fields,
                    width, delimiter_word)});
  };
  auto release_held = [&] {
    for (auto& h : held) {
      if (h.fields.size() == width) table.rows.push_back(RawRow{h.line, std::move(h.fields)});
      else ragged(h.line, h.fields.size());
    }
    held.clear();
  };
  auto take = [&](CsvRecord& r) {
    if (all_empty(r.fields) && !(options.raw_records && r.fields.size() == width)) {
      ++table.blank_rows;
      return;
    }
    // A trailing delimiter (one extra empty field) is tolerated on any row.
    if (r.fields.size() == width + 1 && r.fields.back().empty()) r.fields.pop_back();
    if (r.fields.size() != width && r.end_line > r.line) {
      // A broken record spanning lines most likely holds a stray quote: do
      // not let it swallow the rows after it.
      release_held();
      table.reject(Rejection{
          path, r.line, "",
          fmt::format("row has {} fields but the header has {}, and a quote makes it run on to line {}; the quote "
                      "is probably stray: the row was skipped and reading resumed on line {}",
                      r.fields.size(), width, r.end_line, r.line + 1)});
      reader.resume_after_first_line(r);
      return;
    }
    if (width > 1 && non_empty_fields(r.fields) <= 1 && !options.raw_records) {
      if (held.size() == kMaxHeld) release_held();
      held.push_back(std::move(r));
      return;
    }
    if (r.fields.size() != width) {
      release_held();
      ragged(r.line, r.fields.size());
      return;
    }
    release_held();
    table.rows.push_back(RawRow{r.line, std::move(r.fields)});
  };
  if (first_data) take(*first_data);
  for (;;) {
    const auto st = reader.next(rec, prob);
    if (st == CsvReader::Status::End) break;
    if (st == CsvReader::Status::Problem) {
      release_held();
      table.reject(Rejection{path, prob.line, "", prob.reason});
      continue;
    }
    take(rec);
  }
  // The footer starts at the first held row that carries a footer phrase;
  // held rows before it are ordinary rows.
  const auto footer = std::find_if(held.begin(), held.end(),
                                   [](const CsvRecord& h) { return looks_like_footer(first_non_empty(h.fields)); });
  if (footer != held.end()) {
    std::vector<CsvRecord> tail(std::make_move_iterator(footer), std::make_move_iterator(held.end()));
    held.erase(footer, held.end());
    release_held();
    table.non_data_rows += tail.size();
    const std::size_t first = tail.front().line, last = tail.back().end_line;
    table.notes.push_back(fmt::format("{} look like a report footer ('{}') and were skipped",
                                      first == last ? fmt::format("line {}", first) : fmt::format("lines {}-{}", first, last),
                                      printable(first_non_empty(tail.front().fields), 40)));
  }
  release_held();
  table.blank_rows += reader.blank_lines();
  return table;
}

}  // namespace leadfunnel
