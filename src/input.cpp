#include "leadfunnel/input.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "leadfunnel/csv.hpp"
#include "leadfunnel/encoding.hpp"
#include "leadfunnel/error.hpp"

namespace leadfunnel {
namespace {

std::string read_all(const std::string& path) {
  if (path == "-") {
    std::ostringstream ss;
    ss << std::cin.rdbuf();
    return ss.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw InputError(path, 0, "",
                     fmt::format("{}: cannot open: {}; check the path and permissions", path,
                                 std::strerror(errno)),
                     ExitCode::NoInput);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad())
    throw InputError(path, 0, "", fmt::format("{}: read failed", path), ExitCode::Io);
  return bytes;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool all_empty(const std::vector<std::string>& fields) {
  for (const auto& f : fields)
    for (char c : f)
      if (c != ' ' && c != '\t') return false;
  return true;
}

}  // namespace

RawTable read_table(const std::string& path, const ReadOptions& options) {
  const std::string bytes = read_all(path);
  return parse_table(bytes, path, options);
}

RawTable parse_table(std::string_view raw, const std::string& path, const ReadOptions& options) {
  // Decode once to UTF-8; everything after sees UTF-8 only.
  const std::string encoding = options.encoding ? *options.encoding : detect_encoding(raw);
  const bool bom = raw.substr(0, 3) == "\xEF\xBB\xBF" || raw.substr(0, 2) == "\xFF\xFE" ||
                   raw.substr(0, 2) == "\xFE\xFF";
  std::string decoded;
  std::string_view bytes = raw;
  if (encoding == "utf-8") {
    if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
  } else {
    decoded = decode_to_utf8(raw, encoding);
    bytes = decoded;
  }
  std::string format;
  if (options.format) {
    format = *options.format;
  } else if (ends_with(path, ".ndjson") || ends_with(path, ".jsonl") || ends_with(path, ".json")) {
    format = "json";
  } else {
    std::size_t i = 0;
    while (i < bytes.size() && (bytes[i] == ' ' || bytes[i] == '\t' || bytes[i] == '\n' || bytes[i] == '\r')) ++i;
    format = (i < bytes.size() && (bytes[i] == '[' || bytes[i] == '{')) ? "json" : "csv";
  }
  RawTable table = (format == "csv") ? parse_csv_table(bytes, path, options.delimiter)
                                     : parse_json_table(bytes, path);
  table.bom = bom;
  table.encoding = encoding;
  if (encoding != "utf-8")
    table.notes.push_back(fmt::format("decoded from {} to UTF-8{}", encoding,
                                      options.encoding ? " (--encoding)" : " (detected)"));
  return table;
}

RawTable parse_csv_table(std::string_view bytes, const std::string& path, std::optional<char> delimiter) {
  RawTable table;
  table.path = path;
  table.format = "csv";
  table.delimiter = delimiter ? *delimiter : sniff_delimiter(bytes);
  table.line_ending = sniff_line_ending(bytes);

  CsvReader reader(bytes, table.delimiter);
  CsvRecord rec;
  CsvProblem prob;
  // The header is the first readable record.
  for (;;) {
    const auto st = reader.next(rec, prob);
    if (st == CsvReader::Status::End)
      throw InputError(path, 0, "",
                       fmt::format("{}: the file is empty (no header line); export it again with a header row", path));
    if (st == CsvReader::Status::Problem)
      throw InputError(path, prob.line, "", fmt::format("{}:{}: the header line cannot be read: {}", path, prob.line, prob.reason));
    if (!all_empty(rec.fields)) break;
  }
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
  const std::size_t width = table.columns.size();

  for (;;) {
    const auto st = reader.next(rec, prob);
    if (st == CsvReader::Status::End) break;
    if (st == CsvReader::Status::Problem) {
      table.rejections.push_back(Rejection{path, prob.line, "", prob.reason});
      continue;
    }
    if (all_empty(rec.fields)) {
      ++table.blank_rows;
      continue;
    }
    // A trailing delimiter (one extra empty field) is tolerated on any row.
    if (rec.fields.size() == width + 1 && rec.fields.back().empty()) rec.fields.pop_back();
    if (rec.fields.size() != width && rec.end_line > rec.line) {
      // A broken record spanning lines most likely holds a stray quote: do
      // not let it swallow the rows after it.
      table.rejections.push_back(Rejection{
          path, rec.line, "",
          fmt::format("row has {} fields but the header has {}, and a quote makes it run on to line {}; the quote "
                      "is probably stray: the row was skipped and reading resumed on line {}",
                      rec.fields.size(), width, rec.end_line, rec.line + 1)});
      reader.resume_after_first_line(rec);
      continue;
    }
    if (rec.fields.size() != width) {
      table.rejections.push_back(Rejection{
          path, rec.line, "",
          fmt::format("row has {} fields but the header has {}; check for an unquoted '{}' "
                      "or a missing value",
                      rec.fields.size(), width, table.delimiter == '\t' ? std::string("TAB") : std::string(1, table.delimiter))});
      continue;
    }
    table.rows.push_back(RawRow{rec.line, std::move(rec.fields)});
  }
  table.blank_rows += reader.blank_lines();
  return table;
}

}  // namespace leadfunnel
