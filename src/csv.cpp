#include "leadfunnel/csv.hpp"

#include <fmt/format.h>

#include <array>
#include <map>

namespace leadfunnel {
namespace {

bool is_line_end(char c) { return c == '\n' || c == '\r'; }

}  // namespace

char sniff_delimiter(std::string_view data) {
  constexpr std::array<char, 4> kCandidates{',', ';', '\t', '|'};
  constexpr std::size_t kSampleRecords = 50;
  char best = ',';
  double best_score = 0;
  for (char d : kCandidates) {
    CsvReader reader(data, d);
    CsvRecord rec;
    CsvProblem prob;
    std::map<std::size_t, std::size_t> widths;  // field count -> records
    std::size_t header_width = 0, records = 0, problems = 0;
    while (records + problems < kSampleRecords) {
      const auto st = reader.next(rec, prob);
      if (st == CsvReader::Status::End) break;
      if (st == CsvReader::Status::Problem) {
        ++problems;
        continue;
      }
      if (records == 0) header_width = rec.fields.size();
      ++widths[rec.fields.size()];
      ++records;
    }
    if (header_width < 2) continue;
    // Share of records as wide as the header, weighted a little by width so
    // that a delimiter splitting into more consistent columns wins ties.
    const double consistency = static_cast<double>(widths[header_width]) / static_cast<double>(records);
    const double penalty = static_cast<double>(problems + reader.stray_quotes()) /
                           static_cast<double>(records + problems);
    const double score = consistency - penalty + static_cast<double>(header_width) * 1e-4;
    if (score > best_score) {
      best_score = score;
      best = d;
    }
  }
  return best;
}

std::string sniff_line_ending(std::string_view data) {
  bool quoted = false;
  for (std::size_t i = 0; i < data.size(); ++i) {
    const char c = data[i];
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    if (c == '\n') return "LF";
    if (c == '\r') return (i + 1 < data.size() && data[i + 1] == '\n') ? "CRLF" : "CR";
  }
  return "none";
}

void CsvReader::resume_after_first_line(const CsvRecord& record) {
  pos_ = record.offset;
  line_ = record.line;
  while (pos_ < data_.size() && !is_line_end(data_[pos_])) ++pos_;
  if (pos_ < data_.size()) skip_line_end();
}

void CsvReader::skip_line_end() {
  if (pos_ < data_.size() && data_[pos_] == '\r') {
    ++pos_;
    if (pos_ < data_.size() && data_[pos_] == '\n') ++pos_;
  } else if (pos_ < data_.size() && data_[pos_] == '\n') {
    ++pos_;
  }
  ++line_;
}

CsvReader::Status CsvReader::next(CsvRecord& record, CsvProblem& problem) {
  const std::size_t n = data_.size();
  while (pos_ < n && is_line_end(data_[pos_])) {
    skip_line_end();
    ++blank_lines_;
  }
  if (pos_ >= n) return Status::End;

  const std::size_t start_pos = pos_;
  const std::size_t start_line = line_;
  record.line = start_line;
  record.offset = start_pos;
  record.fields.clear();
  std::string bad;  // the first quoting problem in this record, if any

  for (;;) {
    std::string field;
    if (pos_ < n && data_[pos_] == '"') {
      ++pos_;
      bool closed = false;
      while (pos_ < n) {
        const char c = data_[pos_];
        if (c == '"') {
          if (pos_ + 1 < n && data_[pos_ + 1] == '"') {
            field += '"';
            pos_ += 2;
            continue;
          }
          ++pos_;
          closed = true;
          break;
        }
        if (c == '\n' || (c == '\r' && !(pos_ + 1 < n && data_[pos_ + 1] == '\n'))) ++line_;
        field += c;
        ++pos_;
      }
      if (!closed) {
        // Resume on the physical line after the one the record started on.
        problem.line = start_line;
        problem.reason = fmt::format(
            "a quoted field opened on line {} is never closed before the end of the file (a stray quote, or a "
            "truncated file); the record was skipped and reading resumed on line {}; close or remove the quote, or "
            "export the file again",
            start_line, start_line + 1);
        pos_ = start_pos;
        line_ = start_line;
        while (pos_ < n && !is_line_end(data_[pos_])) ++pos_;
        if (pos_ < n) skip_line_end();
        return Status::Problem;
      }
      if (pos_ < n && data_[pos_] != delimiter_ && !is_line_end(data_[pos_]) && line_ > start_line) {
        // The closing quote is on a later line and text follows it: the quote
        // that opened the field was stray. Skip only the first line.
        problem.line = start_line;
        problem.reason = fmt::format(
            "a quote opened on line {} is not closed before line {}, where text follows the closing quote; the "
            "quote is probably stray: the record was skipped and reading resumed on line {}; remove or double the "
            "quote",
            start_line, line_, start_line + 1);
        resume_after_first_line(record);
        return Status::Problem;
      }
      if (pos_ < n && data_[pos_] != delimiter_ && !is_line_end(data_[pos_])) {
        if (bad.empty())
          bad = fmt::format("text after the closing quote of field {}; quote the whole field",
                            record.fields.size() + 1);
        // Skip the rest of this field, honouring quotes but never past the
        // end of the line, so a broken field cannot swallow the next record.
        bool quoted = false;
        while (pos_ < n) {
          const char c = data_[pos_];
          if (is_line_end(c)) break;
          if (c == '"') quoted = !quoted;
          else if (!quoted && c == delimiter_) break;
          ++pos_;
        }
      }
    } else {
      const std::size_t begin = pos_;
      while (pos_ < n && data_[pos_] != delimiter_ && !is_line_end(data_[pos_])) ++pos_;
      field.assign(data_.substr(begin, pos_ - begin));
      if (field.find('"') != std::string::npos) ++stray_quotes_;
    }
    record.fields.push_back(std::move(field));
    record.end_line = line_;
    if (pos_ >= n) break;
    if (data_[pos_] == delimiter_) {
      ++pos_;
      continue;
    }
    skip_line_end();
    break;
  }
  if (!bad.empty()) {
    problem.line = start_line;
    problem.reason = std::move(bad);
    return Status::Problem;
  }
  return Status::Record;
}

}  // namespace leadfunnel
