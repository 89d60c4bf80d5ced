// Markdown: pipe tables for a wiki page or a chat message.
#include <fmt/format.h>

#include "leadfunnel/report.hpp"
#include "sections.hpp"

namespace leadfunnel {
namespace {

/// Escapes characters that would break a pipe table cell.
std::string cell(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += "\\|";
    else if (c == '\n' || c == '\r') out += ' ';
    else out += c;
  }
  return out;
}

/// One list item; nested lines (indented in the text report) stay nested.
std::string bullet(std::string_view line) {
  std::size_t indent = 0;
  while (indent < line.size() && line[indent] == ' ') ++indent;
  line.remove_prefix(indent);
  if (line.substr(0, 2) == "- ") line.remove_prefix(2);
  return fmt::format("{}- {}\n", indent ? "  " : "", cell(line));
}

std::string grid_markdown(const detail::Grid& g) {
  std::string out = "|";
  for (const auto& h : g.header) out += fmt::format(" {} |", cell(h));
  out += "\n|";
  for (std::size_t i = 0; i < g.header.size(); ++i) out += g.right[i] ? "---:|" : "---|";
  out += "\n";
  for (const auto& row : g.rows) {
    out += "|";
    for (const auto& c : row) out += fmt::format(" {} |", cell(c));
    out += "\n";
  }
  return out;
}

}  // namespace

std::string render_markdown(const Report& report) {
  std::string out = "# " + cell(detail::title_line(report)) + "\n\n";
  if (report.funnel) out += "**" + cell(detail::headline(report)) + "**\n\n";
  if (const auto sla = detail::sla_headline(report); !sla.empty()) out += "**" + cell(sla) + "**\n\n";
  for (const auto& s : detail::build_sections(report)) {
    out += "## " + cell(s.title) + "\n\n";
    if (!s.lines.empty()) {
      for (const auto& l : s.lines) out += bullet(l);
      out += "\n";
    }
    if (!s.grid.header.empty()) out += grid_markdown(s.grid) + "\n";
    if (!s.after.empty()) {
      for (const auto& l : s.after) out += bullet(l);
      out += "\n";
    }
  }
  out.pop_back();
  return out;
}

}  // namespace leadfunnel
