// The load step gives meaning to text rows: it binds columns to canonical
// fields, parses the timestamps it needs, joins the prospects file, and makes
// sure every row read ends up either in a lead or in the rejection list.
#include "leadfunnel/load.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <unordered_map>

#include "leadfunnel/error.hpp"
#include "leadfunnel/preset.hpp"
#include "leadfunnel/text.hpp"
#include "leadfunnel/timestamp.hpp"

namespace leadfunnel {
namespace {

/// The file's columns for a message: quoted, control characters escaped, and
/// cut after the first 60 so that a binary file does not flood the terminal.
std::string column_list(const RawTable& t) {
  constexpr std::size_t kMax = 60;
  std::vector<std::string> quoted;
  for (std::size_t i = 0; i < t.columns.size() && i < kMax; ++i)
    quoted.push_back(fmt::format("\"{}\"", printable(t.columns[i], 40)));
  if (t.columns.size() > kMax) quoted.push_back(fmt::format("... ({} more)", t.columns.size() - kMax));
  return fmt::format("{}: {}", t.path, fmt::join(quoted, ", "));
}

std::vector<const RawTable*> tables_of(const RawTable& leads, const std::optional<RawTable>& prospects) {
  std::vector<const RawTable*> out{&leads};
  if (prospects) out.push_back(&*prospects);
  return out;
}

/// The message for a column that no file has: the columns, and a guess.
std::string unknown_column_message(std::string_view what, std::string_view column,
                                   const std::vector<const RawTable*>& tables) {
  std::vector<std::string> all;
  std::vector<std::string> lists;
  for (const auto* t : tables) {
    all.insert(all.end(), t->columns.begin(), t->columns.end());
    lists.push_back(column_list(*t));
  }
  std::string hint;
  if (auto near = closest_match(column, all)) hint = fmt::format(" Did you mean \"{}\"?", *near);
  return fmt::format("{}: no column \"{}\" in the input.{} Columns are {}", what, column, hint,
                     fmt::join(lists, "; "));
}

/// A segment or owner value: trimmed, and blank for placeholders (-, N/A, ...).
std::string clean_value(std::string_view v) { return is_placeholder(v) ? std::string() : std::string(trim(v)); }

bool any_has_column(const std::vector<const RawTable*>& tables, std::string_view column) {
  for (const auto* t : tables)
    if (find_column(t->columns, column)) return true;
  return false;
}

std::vector<ColumnRequest> column_requests(const LoadOptions& options, const std::vector<const RawTable*>& tables) {
  std::vector<ColumnRequest> requests;
  if (options.agreement) {
    for (const auto& [field, column] : options.agreement->columns) {
      if (!any_has_column(tables, column))
        throw AgreementError(fmt::format(
            "{}", unknown_column_message(fmt::format("{}: \"columns\".\"{}\"", options.agreement->path, field_name(field)),
                                         column, tables)));
      requests.push_back({field, column, MappingOrigin::Agreement});
    }
  }
  std::vector<std::string> field_names;
  for (Field f : all_fields()) field_names.emplace_back(field_name(f));
  for (const auto& spec : options.map) {
    const auto eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
      throw UsageError(fmt::format("--map {}: write it as FIELD=COLUMN, e.g. --map created_at=\"Create Date\"", spec));
    const std::string name(trim(std::string_view(spec).substr(0, eq)));
    const std::string column(std::string_view(spec).substr(eq + 1));
    auto field = field_from_name(name);
    if (!field) {
      std::string hint;
      if (auto near = closest_match(name, field_names)) hint = fmt::format(" Did you mean \"{}\"?", *near);
      throw UsageError(fmt::format("--map {}: unknown field \"{}\".{} Fields are: {}", spec, name, hint,
                                   fmt::join(field_names, ", ")));
    }
    if (!any_has_column(tables, column))
      throw UsageError(unknown_column_message(fmt::format("--map {}", spec), column, tables));
    requests.push_back({*field, column, MappingOrigin::CommandLine});
  }
  return requests;
}

std::vector<MappedColumn> describe(const ColumnMapping& m, const RawTable& t) {
  std::vector<MappedColumn> out;
  for (Field f : all_fields())
    if (m[f]) out.push_back({f, t.columns[m[f]->column], m[f]->origin});
  return out;
}

/// A rule bound to a column index of one file.
struct BoundRule {
  Stage stage;
  std::size_t column;
  const StageRule* rule;
};

/// The stage rules that apply to `t`: the agreement's for a stage, else the
/// preset's for that stage.
std::vector<BoundRule> bind_rules(const Agreement* agreement, const std::optional<PresetMatch>& preset,
                                  const RawTable& t) {
  std::vector<BoundRule> out;
  for (std::size_t s = 0; s < kStageCount; ++s) {
    const bool agreed = agreement && !agreement->stage_rules[s].empty();
    const auto* rules = agreed ? &agreement->stage_rules[s] : (preset ? &preset->rules[s] : nullptr);
    if (!rules) continue;
    for (const auto& rule : *rules)
      if (auto col = find_column(t.columns, rule.column)) out.push_back({static_cast<Stage>(s), *col, &rule});
  }
  return out;
}

/// Where each --by key reads its value from, per file (npos when not there).
struct SegmentSource {
  std::size_t lead_column = std::string::npos;
  std::size_t prospect_column = std::string::npos;
};

class Loader {
 public:
  Loader(RawTable leads, std::optional<RawTable> prospects, const LoadOptions& options)
      : leads_(std::move(leads)), prospects_(std::move(prospects)), options_(options) {}

  Dataset run() {
    for (const RawTable* t : tables_of(leads_, prospects_))
      if (!t->file_errors.empty() && options_.strict)
        throw InputError(t->path, 0, "", t->file_errors.front() + " (--strict stops at the first problem)");
    const auto no_records = [](const RawTable& t) { return t.columns.empty() && t.rows_read() == 0; };
    if (leads_.file_errors.empty() && no_records(leads_) && (!prospects_ || prospects_->rows_read() == 0)) {
      // An export with no records at all (a JSON `[]`): zero counts, like a
      // header-only CSV, with nothing to map.
      finish();
      return std::move(out_);
    }
    // Nothing can be read as a lead; every row is still accounted for.
    if (!leads_.file_errors.empty()) return unusable_leads();
    if (prospects_ && prospects_->file_errors.empty() && no_records(*prospects_)) {
      unusable_prospects_ = std::move(prospects_);  // nothing to join: read the leads alone
      prospects_.reset();
    }
    if (prospects_ && !prospects_->file_errors.empty()) drop_prospects();
    const auto requests = column_requests(options_, tables_of(leads_, prospects_));
    lead_preset_ = choose_preset(leads_, false);
    lead_map_ = map_columns(leads_.columns, with_preset(lead_preset_, requests));
    if (auto why = missing_id(leads_, lead_map_)) {
      file_error(leads_, *why);
      return unusable_leads();
    }
    if (prospects_) {
      prospect_preset_ = choose_preset(*prospects_, true);
      prospect_map_ = map_columns(prospects_->columns, with_preset(prospect_preset_, requests));
      if (auto why = missing_id(*prospects_, prospect_map_)) {
        file_error(*prospects_, *why);
        prospect_map_ = ColumnMapping{};
        drop_prospects();
      }
    }
    const auto tables = tables_of(leads_, prospects_);
    if (options_.agreement) check_rules(tables);
    resolve_by(tables);
    note_ambiguous(leads_, lead_map_);
    if (prospects_) note_ambiguous(*prospects_, prospect_map_);

    decide_date_orders();
    read_leads();
    strict_reader_check(leads_, std::string::npos);
    // Checks on the rows kept as leads (after --duplicates chose among them),
    // before prospects rows fill anything in.
    for (std::size_t i = 0; i < out_.leads.size(); ++i) note_lead_checks(out_.leads[i], *lead_rows_[i]);
    if (prospects_) {
      read_prospects();
      strict_reader_check(*prospects_, std::string::npos);
    }
    finish();
    return std::move(out_);
  }

 private:
  std::optional<PresetMatch> choose_preset(const RawTable& t, bool prospects) const {
    if (!options_.preset) return detect_preset(t.columns, prospects);
    if (*options_.preset == "none") return std::nullopt;
    auto m = apply_preset(*options_.preset, t.columns, prospects);
    if (!m)
      throw UsageError(fmt::format("--preset {}: unknown preset; use one of: {}, none", *options_.preset,
                                   fmt::join(preset_names(), ", ")));
    return m;
  }

  /// The preset's bindings come first, so the agreement and --map override them.
  static std::vector<ColumnRequest> with_preset(const std::optional<PresetMatch>& p,
                                                const std::vector<ColumnRequest>& requests) {
    std::vector<ColumnRequest> out;
    if (p) out = p->columns;
    out.insert(out.end(), requests.begin(), requests.end());
    return out;
  }

  /// Why no lead id can be read from `t`, if none can: a file error.
  static std::optional<std::string> missing_id(const RawTable& t, const ColumnMapping& m) {
    if (m[Field::Id]) return std::nullopt;
    if (t.columns.empty() && !t.rejections.empty())
      return fmt::format("{}:{}: no record could be read, so there are no columns (the first problem: {})", t.path,
                         t.rejections.front().line, t.rejections.front().reason);
    for (const auto& [field, cols] : m.ambiguous) {
      if (field != Field::Id) continue;
      std::vector<std::string> names;
      for (std::size_t c : cols) names.push_back(fmt::format("\"{}\"", printable(t.columns[c], 40)));
      return fmt::format("{}: several columns could be the lead id ({}); choose one with --map id=COLUMN", t.path,
                         fmt::join(names, ", "));
    }
    return fmt::format("{}: no column was recognised as the lead id; name it with --map id=COLUMN (columns of {})",
                       t.path, column_list(t));
  }

  /// Records a file error found while mapping; --strict stops on it.
  void file_error(RawTable& t, const std::string& why) {
    if (options_.strict) throw InputError(t.path, 0, "", why);
    t.file_errors.push_back(why);
  }

  /// The leads file cannot be used: every row of both files is rejected.
  Dataset unusable_leads() {
    reject_all(leads_, "the file cannot be used (see its file error)");
    if (prospects_)
      reject_all(*prospects_, fmt::format("the leads file {} cannot be used (see its file error)", leads_.path));
    finish();
    return std::move(out_);
  }

  /// The prospects file cannot be used: its rows are rejected and the leads are read alone.
  void drop_prospects() {
    reject_all(*prospects_, "the file cannot be used (see its file error)");
    unusable_prospects_ = std::move(prospects_);
    prospects_.reset();
  }

  void check_rules(const std::vector<const RawTable*>& tables) {
    for (std::size_t s = 0; s < kStageCount; ++s)
      for (const auto& rule : options_.agreement->stage_rules[s])
        if (!any_has_column(tables, rule.column))
          throw AgreementError(unknown_column_message(
              fmt::format("{}: \"stages\".\"{}\"", options_.agreement->path, stage_name(static_cast<Stage>(s))),
              rule.column, tables));
  }

  /// A file that cannot be used: each of its rows becomes a rejection.
  static void reject_all(RawTable& t, const std::string& why) {
    for (const auto& row : t.rows) t.rejections.push_back(Rejection{t.path, row.line, "", "not used: " + why});
    t.rows.clear();
  }

  void note_ambiguous(const RawTable& t, const ColumnMapping& m) {
    for (const auto& [field, cols] : m.ambiguous) {
      std::vector<std::string> names;
      for (std::size_t c : cols) names.push_back(fmt::format("\"{}\"", t.columns[c]));
      out_.input.notes.push_back(fmt::format("{}: {} was not mapped because several columns could be it ({}); "
                                             "choose one with --map {}=COLUMN",
                                             t.path, field_name(field), fmt::join(names, ", "), field_name(field)));
    }
  }

  void resolve_by(const std::vector<const RawTable*>& tables) {
    for (const auto& name : options_.by) {
      ByKey key;
      key.name = name;
      SegmentSource src;
      if (auto p = period_from_name(name)) {
        key.kind = ByKey::Kind::Period;
        key.period = *p;
        if (!lead_map_[Field::CreatedAt])
          throw UsageError(fmt::format("--by {}: cohort periods need the lead creation date, and no column is mapped "
                                       "to created_at; use --map created_at=COLUMN",
                                       name));
      } else if (auto f = field_from_name(name); f && !is_timestamp_field(*f) && *f != Field::Id) {
        key.kind = ByKey::Kind::Field;
        key.field = *f;
        if (lead_map_[*f]) src.lead_column = lead_map_[*f]->column;
        if (prospects_ && prospect_map_[*f]) src.prospect_column = prospect_map_[*f]->column;
        if (src.lead_column == std::string::npos && src.prospect_column == std::string::npos)
          throw UsageError(fmt::format("--by {}: no column is mapped to {}; use --map {}=COLUMN (columns of {})", name,
                                       name, name, column_list(leads_)));
        key.column = src.lead_column != std::string::npos ? leads_.columns[src.lead_column]
                                                          : prospects_->columns[src.prospect_column];
        key.file = src.lead_column != std::string::npos ? leads_.path : prospects_->path;
      } else {
        key.kind = ByKey::Kind::Column;
        if (auto c = find_column(leads_.columns, name)) {
          src.lead_column = *c;
          key.column = leads_.columns[*c];
          key.file = leads_.path;
        } else if (prospects_) {
          if (auto pc = find_column(prospects_->columns, name)) {
            src.prospect_column = *pc;
            key.column = prospects_->columns[*pc];
            key.file = prospects_->path;
          }
        }
        if (key.column.empty())
          throw UsageError(unknown_column_message(fmt::format("--by {}", name), name, tables) +
                           ". Besides columns, --by takes a field (source, campaign, owner, status) or a period "
                           "(day, week, month, quarter, year)");
      }
      out_.by.push_back(key);
      segment_sources_.push_back(src);
    }
  }

  /// The order locale dates of column `col` of `t` are read in, if decided.
  std::optional<DateOrder> order_of(const RawTable& t, std::size_t col) const {
    const auto& orders = &t == &leads_ ? lead_orders_ : prospect_orders_;
    return col < orders.size() ? orders[col] : std::nullopt;
  }

  /// Decides, per mapped date column, the day/month order of its locale
  /// dates from the evidence in the whole column: a first number above 12
  /// means day-first, a second number above 12 month-first. --date-order (or
  /// the agreement) wins over evidence; dotted dates (01.10.2026) are
  /// day-first by convention; a column with no evidence takes the order other
  /// columns showed; with none at all the run stops and asks.
  void decide_date_orders() {
    struct Pending {
      const RawTable* t;
      std::size_t col;
      std::vector<std::string> examples;
    };
    std::vector<Pending> undecided;
    std::optional<std::pair<DateOrder, std::string>> seen;  // an order some column proved, and where
    const std::optional<DateOrder> explicit_order =
        options_.date_order ? options_.date_order
                            : (options_.agreement ? options_.agreement->date_order : std::nullopt);
    const std::string explicit_how = options_.date_order ? "--date-order" : "the agreement's date_order";
    auto scan = [&](const RawTable& t, const ColumnMapping& m, std::vector<std::optional<DateOrder>>& orders,
                    std::vector<DateColumn>& described) {
      orders.assign(t.columns.size(), std::nullopt);
      std::vector<bool> done(t.columns.size(), false);
      for (Field f : all_fields()) {
        if (!is_timestamp_field(f) || !m[f] || done[m[f]->column]) continue;
        const std::size_t col = m[f]->column;
        done[col] = true;
        std::size_t locale = 0;
        bool ymd_only = true, dots_only = true;
        std::optional<std::pair<std::size_t, std::string>> dmy, mdy;
        std::vector<std::string> examples;
        for (const auto& row : t.rows) {
          const std::string_view v = trim(row.fields[col]);
          if (is_placeholder(v)) continue;
          const auto ld = scan_locale_date(v);
          if (!ld) continue;
          ++locale;
          if (ld->first_digits == 4) continue;
          ymd_only = false;
          if (ld->separator != '.') dots_only = false;
          if (examples.size() < 3) examples.emplace_back(printable(v, 30));
          if (ld->first > 12 && !dmy) dmy.emplace(row.line, printable(v, 30));
          if (ld->second > 12 && !mdy) mdy.emplace(row.line, printable(v, 30));
        }
        const std::string& name = t.columns[col];
        if (locale == 0) {
          described.push_back({name, "iso", "ISO 8601 or epoch values"});
          continue;
        }
        if (ymd_only) {
          orders[col] = DateOrder::Ymd;
          described.push_back({name, "ymd", "the year comes first"});
          continue;
        }
        if (explicit_order) {
          orders[col] = *explicit_order;
          described.push_back({name, std::string(date_order_name(*explicit_order)), explicit_how});
          continue;
        }
        if (dmy && mdy)
          throw InputError(t.path, mdy->first, name,
                           fmt::format("{}: column \"{}\" mixes day-first dates ('{}', line {}) and month-first "
                                       "dates ('{}', line {}); fix the export, or pass --date-order dmy|mdy to read "
                                       "them one way and reject the rest",
                                       t.path, name, dmy->second, dmy->first, mdy->second, mdy->first));
        if (dmy || mdy) {
          const DateOrder o = dmy ? DateOrder::Dmy : DateOrder::Mdy;
          const auto& ev = dmy ? *dmy : *mdy;
          orders[col] = o;
          const std::string how = fmt::format("'{}' on line {} has a {} above 12", ev.second, ev.first,
                                              dmy ? "first number" : "second number");
          described.push_back({name, std::string(date_order_name(o)), how});
          if (!seen) seen.emplace(o, fmt::format("column \"{}\" of {}", name, t.path));
          continue;
        }
        const auto& preset = &t == &leads_ ? lead_preset_ : prospect_preset_;
        if (preset && preset->date_order) {
          orders[col] = *preset->date_order;
          described.push_back({name, std::string(date_order_name(*preset->date_order)),
                               fmt::format("the {} preset's date order (no day above 12 in the column)", preset->name)});
          continue;
        }
        if (dots_only) {
          orders[col] = DateOrder::Dmy;
          described.push_back({name, "dmy", "dotted dates (01.10.2026) are day-first"});
          continue;
        }
        undecided.push_back({&t, col, examples});
        described.push_back({name, "", ""});
      }
    };
    scan(leads_, lead_map_, lead_orders_, lead_dates_);
    if (prospects_) scan(*prospects_, prospect_map_, prospect_orders_, prospect_dates_);
    for (const auto& u : undecided) {
      const std::string& name = u.t->columns[u.col];
      if (!seen)
        throw InputError(u.t->path, 1, name,
                         fmt::format("{}: the dates in column \"{}\" ({}) could be day-first or month-first: no "
                                     "day above 12 anywhere. Pass --date-order dmy or --date-order mdy (or set "
                                     "\"date_order\" in the agreement)",
                                     u.t->path, name, fmt::join(u.examples, ", ")));
      (u.t == &leads_ ? lead_orders_ : prospect_orders_)[u.col] = seen->first;
      for (auto* list : {&lead_dates_, &prospect_dates_})
        for (auto& d : *list)
          if (d.column == name && d.format.empty()) {
            d.format = std::string(date_order_name(seen->first));
            d.decided_by = fmt::format("no evidence in this column; same order as {}", seen->second);
          }
    }
  }

  static constexpr std::size_t kExamples = 5;

  /// Counts one finding of a check, keeping the first few examples.
  void note_check(const std::string& kind, const std::string& description, const std::string& file, std::size_t line,
                  const std::string& id, const std::string& value) {
    auto it = std::find_if(checks_.begin(), checks_.end(), [&](const QualityCheck& c) { return c.kind == kind; });
    if (it == checks_.end()) {
      checks_.push_back(QualityCheck{kind, description, 0, {}});
      it = std::prev(checks_.end());
    }
    ++it->count;
    if (it->examples.size() < kExamples) it->examples.push_back({file, line, printable(id, 40), printable(value, 60)});
  }

  /// Checks on one accepted lead row: blank source, date-only stage values,
  /// and the raw values of segment fields for the case-variant check.
  void note_lead_checks(const Lead& lead, const RawRow& row) {
    if (lead_map_[Field::Source] && is_placeholder(row.fields[lead_map_[Field::Source]->column]))
      note_check("blank_source", "leads with no source", leads_.path, row.line, lead.id, "");
    for (std::size_t s = 0; s < kStageCount; ++s) {
      const Field f = stage_field(static_cast<Stage>(s));
      if (lead.at[s] && lead.date_only[s] && lead_map_[f])
        note_check("date_only", "stage dates with no time of day (durations to them have whole-day precision)",
                   leads_.path, row.line, lead.id, fmt::format("{} = {}", field_name(f), row.fields[lead_map_[f]->column]));
    }
    for (Field f : {Field::Source, Field::Campaign, Field::Owner}) {
      if (!lead_map_[f]) continue;
      const std::string v = clean_value(row.fields[lead_map_[f]->column]);
      if (v.empty()) continue;
      auto& variants = variants_[static_cast<std::size_t>(f)][fold_value(v)];
      if (std::find_if(variants.begin(), variants.end(), [&](const auto& x) { return x.first == v; }) == variants.end())
        variants.emplace_back(v, row.line);
    }
  }

  /// Ids Excel turned into 1.23457E+15, or whose leading zeros it dropped,
  /// no longer match their lead.
  void check_mangled_id(const RawTable& t, std::size_t line, const std::string& id) {
    const bool scientific = id.find_first_of("eE") != std::string::npos && id.find('+') != std::string::npos &&
                            id.find_first_not_of("0123456789.,eE+-") == std::string::npos;
    if (scientific) {
      note_check("excel_mangled_ids", "ids that Excel turned into scientific notation or stripped of leading zeros, "
                 "so they no longer match their lead", t.path, line, id, "scientific notation");
      return;
    }
    if (stripped_ids_.empty())
      for (const auto& l : out_.leads) {
        const auto nz = l.id.find_first_not_of('0');
        if (nz != 0 && nz != std::string::npos) stripped_ids_.emplace(l.id.substr(nz), l.id);
      }
    if (auto s = stripped_ids_.find(id); s != stripped_ids_.end())
      note_check("excel_mangled_ids", "ids that Excel turned into scientific notation or stripped of leading zeros, "
                 "so they no longer match their lead", t.path, line, id, fmt::format("lead \"{}\" has leading zeros", s->second));
  }

  /// Lowercase with runs of spaces collapsed: "Google  Ads" and "google ads" fold together.
  static std::string fold_value(std::string_view v) {
    std::string out;
    bool space = false;
    for (char c : trim(v)) {
      if (c == ' ' || c == '\t') {
        space = true;
        continue;
      }
      if (space && !out.empty()) out += ' ';
      space = false;
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
  }

  /// Records a rejection; with --strict, the first one ends the run.
  void reject(const std::string& file, std::size_t line, const std::string& column, const std::string& reason) {
    if (options_.strict) {
      const std::string where = column.empty() ? "" : fmt::format("column \"{}\": ", column);
      throw InputError(file, line, column,
                       fmt::format("{}:{}: {}{} (stopped by --strict; drop --strict to skip such rows and "
                                   "report them)",
                                   file, line, where, reason));
    }
    out_.input.rejections.push_back(Rejection{file, line, column, reason});
  }

  /// With --strict, a row the reader could not read at all, on a line before
  /// `line`, is the first rejection: stop there.
  void strict_reader_check(const RawTable& t, std::size_t line) {
    if (!options_.strict) return;
    // The reader lists its rejections in line order, so the first is the earliest.
    if (!t.rejections.empty() && t.rejections.front().line < line) {
      const Rejection& r = t.rejections.front();
      reject(r.file, r.line, r.column, r.reason);
    }
  }

  /// Parses every mapped timestamp of a row; false (and a rejection) on the first bad one.
  bool parse_times(const RawTable& t, const ColumnMapping& m, const RawRow& row,
                   std::array<std::optional<Timestamp>, kFieldCount>& times) {
    for (Field f : all_fields()) {
      if (!is_timestamp_field(f) || !m[f]) continue;
      const std::string& cell = row.fields[m[f]->column];
      if (is_placeholder(cell)) continue;
      auto parsed = parse_timestamp(cell, *options_.zone, order_of(t, m[f]->column));
      if (!parsed.value) {
        reject(t.path, row.line, t.columns[m[f]->column],
               fmt::format("{} for {}; fix the value or map another column", parsed.error, field_name(f)));
        return false;
      }
      times[static_cast<std::size_t>(f)] = parsed.value;
    }
    return true;
  }

  void read_leads() {
    const auto rules = bind_rules(options_.agreement ? &*options_.agreement : nullptr, lead_preset_, leads_);
    const std::size_t id_col = lead_map_[Field::Id]->column;
    for (const auto& row : leads_.rows) {
      strict_reader_check(leads_, row.line);
      const std::string id(trim(row.fields[id_col]));
      if (id.empty()) {
        reject(leads_.path, row.line, leads_.columns[id_col], "the lead id is blank; every lead needs an id");
        continue;
      }
      if (auto rl = rejected_leads_.find(id); rl != rejected_leads_.end()) {
        ++out_.input.duplicate_ids;
        reject(leads_.path, row.line, leads_.columns[id_col],
               fmt::format("duplicate lead id \"{}\" (first seen on line {}, which was rejected); fix that row and "
                           "remove this one",
                           printable(id), rl->second));
        continue;
      }
      std::optional<std::size_t> replace;
      if (auto it = index_.find(id); it != index_.end()) {
        const std::size_t first_line = out_.leads[it->second].line;
        note_check("duplicate_ids", "later rows repeating a lead id", leads_.path, row.line, id, "");
        if (options_.duplicates == DuplicatePolicy::Error)
          throw InputError(leads_.path, row.line, leads_.columns[id_col],
                           fmt::format("{}:{}: lead id \"{}\" is also on line {} (stopped by --duplicates error; "
                                       "remove one, or use --duplicates first or last)",
                                       leads_.path, row.line, printable(id), first_line));
        ++out_.input.duplicate_ids;
        if (options_.duplicates == DuplicatePolicy::First) {
          reject(leads_.path, row.line, leads_.columns[id_col],
                 fmt::format("duplicate lead id \"{}\" (first seen on line {}); the first row is kept",
                             printable(id), first_line));
          continue;
        }
        replace = it->second;
      }
      std::array<std::optional<Timestamp>, kFieldCount> times{};
      if (!parse_times(leads_, lead_map_, row, times)) {
        if (!replace) rejected_leads_.emplace(id, row.line);
        continue;
      }

      Lead lead;
      lead.id = id;
      lead.line = row.line;
      for (std::size_t s = 0; s < kStageCount; ++s) {
        const auto& t = times[static_cast<std::size_t>(stage_field(static_cast<Stage>(s)))];
        if (t) {
          lead.at[s] = t->at;
          lead.date_only[s] = t->date_only;
        }
      }
      if (const auto& t = times[static_cast<std::size_t>(Field::FirstTouchAt)]) lead.first_touch_at = t->at;
      if (const auto& t = times[static_cast<std::size_t>(Field::LostAt)]) lead.lost_at = t->at;
      if (lead_map_[Field::Owner]) lead.owner = clean_value(row.fields[lead_map_[Field::Owner]->column]);
      for (const auto& r : rules)
        if (rule_matches(*r.rule, row.fields[r.column])) lead.flagged[static_cast<std::size_t>(r.stage)] = true;
      lead.segments.resize(out_.by.size());
      for (std::size_t k = 0; k < out_.by.size(); ++k)
        if (segment_sources_[k].lead_column != std::string::npos)
          lead.segments[k] = clean_value(row.fields[segment_sources_[k].lead_column]);
      if (replace) {
        lead_rows_[*replace] = &row;
        // --duplicates last: this row replaces the earlier one, which becomes the rejected row.
        reject(leads_.path, out_.leads[*replace].line, leads_.columns[id_col],
               fmt::format("duplicate lead id \"{}\": the later row on line {} replaces this one (--duplicates last)",
                           printable(id), row.line));
        out_.leads[*replace] = std::move(lead);
        continue;
      }
      index_.emplace(lead.id, out_.leads.size());
      out_.leads.push_back(std::move(lead));
      lead_rows_.push_back(&row);
    }
  }

  static void keep_earliest(std::optional<Instant>& slot, bool& date_only, const Timestamp& t) {
    if (!slot || t.at < *slot) {
      slot = t.at;
      date_only = t.date_only;
    }
  }

  void read_prospects() {
    const RawTable& p = *prospects_;
    const auto rules = bind_rules(options_.agreement ? &*options_.agreement : nullptr, prospect_preset_, p);
    const std::size_t id_col = prospect_map_[Field::Id]->column;
    // In the prospects file, the row's own creation date is when the lead
    // became a prospect, unless a prospect_at column is mapped there.
    const bool created_is_prospect = !prospect_map_[Field::ProspectAt] && prospect_map_[Field::CreatedAt];
    std::vector<bool> filled(out_.leads.size() * out_.by.size(), false);
    for (const auto& row : p.rows) {
      strict_reader_check(p, row.line);
      const std::string id(trim(row.fields[id_col]));
      if (id.empty()) {
        reject(p.path, row.line, p.columns[id_col], "the lead id is blank, so this row cannot be joined to a lead");
        continue;
      }
      auto it = index_.find(id);
      if (auto rl = rejected_leads_.find(id); it == index_.end() && rl != rejected_leads_.end()) {
        reject(p.path, row.line, p.columns[id_col],
               fmt::format("its lead \"{}\" ({} line {}) was rejected, so this row cannot be joined; fix that row",
                           printable(id), leads_.path, rl->second));
        continue;
      }
      if (it == index_.end()) {
        ++out_.input.orphans;
        check_mangled_id(p, row.line, id);
        reject(p.path, row.line, p.columns[id_col],
               fmt::format("orphan: no lead with id \"{}\" in {}; add the lead or check the id", printable(id),
                           leads_.path));
        continue;
      }
      std::array<std::optional<Timestamp>, kFieldCount> times{};
      if (!parse_times(p, prospect_map_, row, times)) continue;

      Lead& lead = out_.leads[it->second];
      // A row makes its lead a prospect. When the row dates that (its own
      // prospect or creation date, or a later stage), the date decides, so
      // --as-of and --window apply; an undated row marks the stage as reached.
      bool dated = created_is_prospect && times[static_cast<std::size_t>(Field::CreatedAt)].has_value();
      for (std::size_t s = static_cast<std::size_t>(Stage::Prospect); s < kStageCount; ++s)
        dated = dated || times[static_cast<std::size_t>(stage_field(static_cast<Stage>(s)))].has_value();
      if (!dated) lead.flagged[static_cast<std::size_t>(Stage::Prospect)] = true;
      else lead.prospect_row = true;
      for (std::size_t s = 1; s < kStageCount; ++s) {
        const auto& t = times[static_cast<std::size_t>(stage_field(static_cast<Stage>(s)))];
        if (t) keep_earliest(lead.at[s], lead.date_only[s], *t);
      }
      const std::size_t prospect = static_cast<std::size_t>(Stage::Prospect);
      if (created_is_prospect)
        if (const auto& t = times[static_cast<std::size_t>(Field::CreatedAt)])
          keep_earliest(lead.at[prospect], lead.date_only[prospect], *t);
      bool unused = false;
      if (const auto& t = times[static_cast<std::size_t>(Field::FirstTouchAt)])
        keep_earliest(lead.first_touch_at, unused, *t);
      if (const auto& t = times[static_cast<std::size_t>(Field::LostAt)]) keep_earliest(lead.lost_at, unused, *t);
      if (lead.owner.empty() && prospect_map_[Field::Owner])
        lead.owner = clean_value(row.fields[prospect_map_[Field::Owner]->column]);
      for (const auto& r : rules)
        if (rule_matches(*r.rule, row.fields[r.column])) lead.flagged[static_cast<std::size_t>(r.stage)] = true;
      // Segment values missing from the leads file come from the first
      // prospects row of the lead, in file order.
      for (std::size_t k = 0; k < out_.by.size(); ++k) {
        const std::size_t col = segment_sources_[k].prospect_column;
        if (col == std::string::npos) continue;
        const std::size_t slot = it->second * out_.by.size() + k;
        if (filled[slot]) continue;
        filled[slot] = true;
        if (lead.segments[k].empty()) lead.segments[k] = clean_value(row.fields[col]);
      }
      ++prospect_rows_used_;
    }
  }

  FileSummary summarize(const RawTable& t, const ColumnMapping& m, std::string role, std::size_t used) {
    FileSummary f;
    f.role = std::move(role);
    f.path = t.path;
    f.format = t.format;
    f.delimiter = t.delimiter;
    f.bom = t.bom;
    f.encoding = t.encoding;
    f.line_ending = t.line_ending;
    f.trailing_delimiter = t.trailing_delimiter;
    f.columns = t.columns;
    f.mapping = describe(m, t);
    f.rows_read = t.rows_read();
    f.rows_used = used;
    f.rows_rejected = f.rows_read - used;
    f.blank_rows = t.blank_rows;
    f.non_data_rows = t.non_data_rows;
    f.errors = t.file_errors;
    return f;
  }

  void finish() {
    auto& in = out_.input;
    // Reader-level rejections come first in each file, then mapping ones; sort by file role then line.
    std::vector<Rejection> all;
    auto add_file = [&](const RawTable& t) {
      std::vector<Rejection> mine = t.rejections;
      for (const auto& r : in.rejections)
        if (r.file == t.path) mine.push_back(r);
      std::stable_sort(mine.begin(), mine.end(), [](const Rejection& a, const Rejection& b) { return a.line < b.line; });
      all.insert(all.end(), mine.begin(), mine.end());
    };
    add_file(leads_);
    if (prospects_ && prospects_->path != leads_.path) add_file(*prospects_);
    if (unusable_prospects_ && unusable_prospects_->path != leads_.path) add_file(*unusable_prospects_);
    in.rejections = std::move(all);
    for (const RawTable* t : {&leads_, prospects_ ? &*prospects_ : nullptr,
                              unusable_prospects_ ? &*unusable_prospects_ : nullptr})
      if (t) {
        for (const auto& e : t->file_errors) in.file_errors.push_back(FileError{t->path, e});
        in.rejections_unlisted += t->unlisted_rejections;
      }

    in.files.push_back(summarize(leads_, lead_map_, "leads", out_.leads.size()));
    in.files.back().dates = lead_dates_;
    if (lead_preset_) in.files.back().preset = lead_preset_->name;
    if (prospects_) {
      in.files.push_back(summarize(*prospects_, prospect_map_, "prospects", prospect_rows_used_));
      in.files.back().dates = prospect_dates_;
      if (prospect_preset_) in.files.back().preset = prospect_preset_->name;
    }
    if (unusable_prospects_) in.files.push_back(summarize(*unusable_prospects_, ColumnMapping{}, "prospects", 0));
    for (const auto& f : in.files) {
      in.rows_read += f.rows_read;
      in.rows_used += f.rows_used;
      in.rows_rejected += f.rows_rejected;
    }
    for (Field f : {Field::Source, Field::Campaign, Field::Owner})
      for (const auto& [folded, raw] : variants_[static_cast<std::size_t>(f)]) {
        if (raw.size() < 2) continue;
        std::vector<std::string> shown;
        for (const auto& [v, line] : raw) shown.push_back(fmt::format("\"{}\"", printable(v, 30)));
        note_check("case_variants",
                   options_.fold_case ? "values that differ only by case or spaces (merged by --fold-case)"
                                      : "values that differ only by case or spaces (merge them with --fold-case)",
                   leads_.path, raw[1].second, "", fmt::format("{}: {}", field_name(f), fmt::join(shown, " vs ")));
      }
    for (const RawTable* t : {&leads_, prospects_ ? &*prospects_ : nullptr})
      if (t && t->non_data_rows)
        for (std::size_t k = 0; k < t->non_data_rows; ++k)
          note_check("non_data_rows", "report titles and footers skipped (not counted as rows read)", t->path, 0, "", "");
    in.checks = std::move(checks_);
    if (options_.fold_case) fold_segments();
    for (const auto& n : leads_.notes) in.notes.push_back(fmt::format("{}: {}", leads_.path, n));
    if (prospects_)
      for (const auto& n : prospects_->notes) in.notes.push_back(fmt::format("{}: {}", prospects_->path, n));

    for (Field f : all_fields())
      out_.has_field[static_cast<std::size_t>(f)] = lead_map_[f].has_value() || (prospects_ && prospect_map_[f]);
    // Only the leads file says when a lead was created; in the prospects file
    // created_at is the prospect's own date.
    out_.has_field[static_cast<std::size_t>(Field::CreatedAt)] = lead_map_[Field::CreatedAt].has_value();
    // A prospects file with no records at all still says "no lead became a prospect".
    const bool empty_prospects = unusable_prospects_ && unusable_prospects_->file_errors.empty();
    out_.two_files = prospects_.has_value() || empty_prospects;
    for (std::size_t s = 0; s < kStageCount; ++s) {
      const Stage stage = static_cast<Stage>(s);
      bool observable = out_.has_field[static_cast<std::size_t>(stage_field(stage))] || stage == Stage::Lead;
      if (options_.agreement && !options_.agreement->stage_rules[s].empty()) observable = true;
      for (const auto* pm : {&lead_preset_, &prospect_preset_})
        if (*pm && !(*pm)->rules[s].empty()) observable = true;
      if (stage == Stage::Prospect && (prospects_ || empty_prospects)) observable = true;
      out_.stage_observable[s] = observable;
    }
    if (prospects_ && !prospect_map_[Field::ProspectAt] && prospect_map_[Field::CreatedAt])
      in.notes.push_back(fmt::format("{}: column \"{}\" (created_at) is read as the date each lead became a prospect",
                                     prospects_->path, prospects_->columns[prospect_map_[Field::CreatedAt]->column]));
  }

  /// --fold-case: segment values that fold together take the spelling seen first.
  void fold_segments() {
    for (std::size_t k = 0; k < out_.by.size(); ++k) {
      if (out_.by[k].kind == ByKey::Kind::Period) continue;
      std::unordered_map<std::string, std::string> first;
      for (auto& lead : out_.leads) {
        if (lead.segments[k].empty()) continue;
        auto [it, fresh] = first.emplace(fold_value(lead.segments[k]), lead.segments[k]);
        if (!fresh) lead.segments[k] = it->second;
      }
    }
    std::unordered_map<std::string, std::string> owners;
    for (auto& lead : out_.leads)
      if (!lead.owner.empty()) {
        auto [it, fresh] = owners.emplace(fold_value(lead.owner), lead.owner);
        if (!fresh) lead.owner = it->second;
      }
  }

  RawTable leads_;
  std::optional<RawTable> prospects_;
  std::optional<RawTable> unusable_prospects_;  ///< a prospects file with a file error: accounted, not read
  const LoadOptions& options_;
  ColumnMapping lead_map_;
  ColumnMapping prospect_map_;
  std::vector<SegmentSource> segment_sources_;
  std::optional<PresetMatch> lead_preset_, prospect_preset_;
  std::vector<QualityCheck> checks_;
  std::vector<const RawRow*> lead_rows_;  ///< the row each lead came from
  std::unordered_map<std::string, std::string> stripped_ids_;
  /// Per segment field: folded value -> raw variants seen, with the first line of each.
  std::array<std::map<std::string, std::vector<std::pair<std::string, std::size_t>>>, kFieldCount> variants_;
  std::vector<std::optional<DateOrder>> lead_orders_, prospect_orders_;
  std::vector<DateColumn> lead_dates_, prospect_dates_;
  std::unordered_map<std::string, std::size_t> index_;
  std::unordered_map<std::string, std::size_t> rejected_leads_;  ///< id -> line, for rows rejected for a bad date
  std::size_t prospect_rows_used_ = 0;
  Dataset out_;
};

}  // namespace

std::optional<Period> period_from_name(std::string_view name) {
  if (name == "day") return Period::Day;
  if (name == "week") return Period::Week;
  if (name == "month") return Period::Month;
  if (name == "quarter") return Period::Quarter;
  if (name == "year") return Period::Year;
  return std::nullopt;
}

Dataset build_dataset(RawTable leads, std::optional<RawTable> prospects, const LoadOptions& options) {
  if (!options.zone) throw Error(ExitCode::Internal, "build_dataset called without a time zone");
  return Loader(std::move(leads), std::move(prospects), options).run();
}

Dataset load_dataset(const std::string& leads_path, const std::optional<std::string>& prospects_path,
                     const LoadOptions& options) {
  if (prospects_path && *prospects_path == "-" && leads_path == "-")
    throw UsageError("LEADS and --prospects cannot both read stdin (-); give at least one of them as a file");
  RawTable leads = read_table(leads_path, options.read);
  std::optional<RawTable> prospects;
  if (prospects_path) prospects = read_table(*prospects_path, options.read);
  return build_dataset(std::move(leads), std::move(prospects), options);
}

}  // namespace leadfunnel
