#include "leadfunnel/report.hpp"

#include <fmt/format.h>

#include <ostream>

#include "leadfunnel/text.hpp"

namespace leadfunnel {

std::string render(const Report& report, Format format) {
  switch (format) {
    case Format::Table: return render_table(report);
    case Format::Json: return render_json(report);
    case Format::Csv: return render_csv(report);
    case Format::Markdown: return render_markdown(report);
  }
  return render_table(report);
}

void render(const Report& report, Format format, std::ostream& out) {
  if (format == Format::Json) return render_json(report, out);
  if (format == Format::Csv) return render_csv(report, out);
  out << render(report, format);
}

std::string percent_text(const std::optional<double>& rate) {
  if (!rate) return "n/a";
  return fmt::format("{:.1f}%", *rate * 100.0);
}

std::string interval_text(const std::optional<Interval>& ci) {
  if (!ci) return "n/a";
  return fmt::format("{:.1f}%-{:.1f}%", ci->low * 100.0, ci->high * 100.0);
}

std::string hours_text(const std::optional<double>& hours) {
  if (!hours) return "n/a";
  if (*hours < 48.0) return fmt::format("{:.1f} h", *hours);
  return fmt::format("{:.1f} d", *hours / 24.0);
}

std::string delimiter_name(char d) {
  switch (d) {
    case ',': return "comma";
    case ';': return "semicolon";
    case '\t': return "tab";
    case '|': return "pipe";
    default: return fmt::format("'{}'", d);
  }
}

std::string segment_text(const std::optional<std::string>& key) {
  return key ? printable(*key, 40) : std::string("(blank)");
}

std::string pair_text(Stage from, Stage to) { return fmt::format("{} -> {}", stage_name(from), stage_name(to)); }

}  // namespace leadfunnel
