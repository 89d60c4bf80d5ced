// The terminal report: the headline first, then aligned sections that fit
// an 80-column terminal for typical values.
#include <fmt/format.h>

#include "leadfunnel/report.hpp"
#include "sections.hpp"

namespace leadfunnel {
namespace {

/// Width in code points, so accented names line up.
std::size_t width(std::string_view s) {
  std::size_t w = 0;
  for (char c : s)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++w;
  return w;
}

std::string pad(const std::string& s, std::size_t w, bool right) {
  const std::size_t have = width(s);
  if (have >= w) return s;
  const std::string fill(w - have, ' ');
  return right ? fill + s : s + fill;
}

std::string grid_text(const detail::Grid& g) {
  std::vector<std::size_t> w(g.header.size(), 0);
  for (std::size_t i = 0; i < g.header.size(); ++i) w[i] = width(g.header[i]);
  for (const auto& row : g.rows)
    for (std::size_t i = 0; i < row.size() && i < w.size(); ++i) w[i] = std::max(w[i], width(row[i]));
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    std::string l = " ";
    for (std::size_t i = 0; i < cells.size(); ++i) {
      l += ' ';
      l += pad(cells[i], w[i], g.right[i]);
      if (i + 1 < cells.size()) l += ' ';
    }
    while (!l.empty() && l.back() == ' ') l.pop_back();
    out += l + "\n";
  };
  line(g.header);
  for (const auto& row : g.rows) line(row);
  return out;
}

}  // namespace

std::string render_table(const Report& report) {
  std::string out = detail::title_line(report) + "\n\n";
  if (report.funnel) out += detail::headline(report) + "\n";
  if (const auto sla = detail::sla_headline(report); !sla.empty()) out += sla + "\n";
  if (report.funnel) out += "\n";
  for (const auto& s : detail::build_sections(report)) {
    out += s.title + "\n";
    for (const auto& l : s.lines) out += "  " + l + "\n";
    if (!s.grid.header.empty()) out += grid_text(s.grid);
    for (const auto& l : s.after) out += "  " + l + "\n";
    out += "\n";
  }
  out.pop_back();
  return out;
}

}  // namespace leadfunnel
