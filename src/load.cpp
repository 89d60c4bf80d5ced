// The load step gives meaning to text rows: it binds columns to canonical
// fields, parses the timestamps it needs, joins the prospects file, and makes
// sure every row read ends up either in a lead or in the rejection list.
#include "leadfunnel/load.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cctype>
#include <cstdlib>
#include <map>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <filesystem>
#include <functional>
#include <iterator>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#if defined(__GLIBC__)
#include <malloc.h>  // malloc_trim
#endif

#include "leadfunnel/block_list.hpp"
#include "leadfunnel/error.hpp"
#include "leadfunnel/fault_ahead.hpp"
#include "leadfunnel/id_scan.hpp"
#include "leadfunnel/ndjson_stream.hpp"
#include "leadfunnel/parallel.hpp"
#include "leadfunnel/prefetch.hpp"
#include "leadfunnel/preset.hpp"
#include "leadfunnel/repeats.hpp"
#include "leadfunnel/row_stream.hpp"
#include "leadfunnel/text.hpp"
#include "leadfunnel/text_store.hpp"
#include "leadfunnel/timestamp.hpp"
#include "timestamp_detail.hpp"

namespace leadfunnel {
namespace {

/// The size of the file at `path`; 0 for stdin, or a file of no known size.
std::uintmax_t file_bytes(const std::string& path) {
  std::error_code ec;
  const std::uintmax_t n = std::filesystem::file_size(path, ec);
  return ec ? 0 : n;
}

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

std::vector<const RawTable*> tables_of(const RawTable& leads, const RawTable* prospects) {
  std::vector<const RawTable*> out{&leads};
  if (prospects) out.push_back(prospects);
  return out;
}

/// Ids by a 64-bit hash of the id: a 16-byte slot per id, the table at most
/// three quarters full. After a first read of the ids it holds only those
/// that occur twice (or that the prospects file names); without one, every
/// id (ten million ids: 256 MB). Two different ids sharing a hash would be
/// taken for a duplicate; with 64 bits, the odds for ten million ids are
/// about 3 in a million. Each slot keeps a number (a line, or a lead's index).
class IdIndex {
 public:
  static std::uint64_t hash(std::string_view id) { return lead_id_hash(id); }
  /// The number stored for `id`, if it was added.
  /// Starts loading the slot of hash `h` into the cache, for a lookup soon after.
  bool empty() const { return count_ == 0; }
  std::size_t size() const { return count_; }
  /// Starts loading the slots a search for `h` reads into the cache: its
  /// home slot's cache line and the next (4 slots a line; a search that
  /// finds nothing, the most common kind, reads several slots, about 5 when
  /// the table is two thirds full, and so often runs on into the next line).
  void prefetch(std::uint64_t h) const {
    if (slots_.empty()) return;
    prefetch_line(&slots_[home(h)]);
    prefetch_line(&slots_[(home(h) + kSlotsPerLine) & mask_]);
  }

  std::optional<std::uint64_t> find(std::uint64_t h) const {
    const std::uint64_t* v = find_value(h);
    return v ? std::optional<std::uint64_t>(*v) : std::nullopt;
  }
  /// find() as a pointer to the stored number (null: not added), valid until
  /// the next find_or_add. The search loop is not inlined; an std::optional
  /// returned from it went through the stack, and reading its flag back (a
  /// byte stored, eight bytes loaded) stalled every lookup. A pointer comes
  /// back in a register.
  const std::uint64_t* find_value(std::uint64_t h) const {
    if (count_ == 0) return nullptr;  // no slot to read (a table reserved for nothing still has 1,024)
    for (std::size_t i = home(h);; i = (i + 1) & mask_) {
      if (slots_[i].hash == 0) return nullptr;
      if (slots_[i].hash == h) return &slots_[i].value;
    }
  }
  /// The number stored for `id` if it was added; else adds it with `value`.
  std::optional<std::uint64_t> find_or_add(std::uint64_t h, std::uint64_t value) {
    if ((count_ + 1) * 4 > slots_.size() * 3) grow();
    std::size_t i = home(h);
    for (; slots_[i].hash != 0; i = (i + 1) & mask_)
      if (slots_[i].hash == h) return slots_[i].value;
    slots_[i] = Slot{h, value};
    ++count_;
    return std::nullopt;
  }
  /// Makes room for `n` entries in all, so that adding them does not grow
  /// the table (growing holds the old table and the new one at once).
  void reserve(std::size_t n) {
    std::size_t size = std::max<std::size_t>(slots_.size(), 1024);
    while ((n + 1) * 4 > size * 3) size *= 2;
    if (size == slots_.size()) return;
    auto old = std::move(slots_);
    slots_.assign(size, Slot{});
    mask_ = slots_.size() - 1;
    for (const Slot& sl : old)
      if (sl.hash != 0) place(sl.hash, sl.value);
  }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    std::uint64_t value = 0;
  };
  /// The slot a hash starts its search at: from the bits above the lowest,
  /// which hash() sets to 1 in every hash (with it, only odd slots would be
  /// first choices, and searches would run long).
  std::size_t home(std::uint64_t h) const { return static_cast<std::size_t>(h >> 1) & mask_; }
  void place(std::uint64_t h, std::uint64_t value) {
    std::size_t i = home(h);
    while (slots_[i].hash != 0) i = (i + 1) & mask_;
    slots_[i] = Slot{h, value};
  }
  void grow() { reserve(slots_.empty() ? 0 : slots_.size()); }
  static constexpr std::size_t kSlotsPerLine = 64 / sizeof(Slot);
  std::vector<Slot, LargePageAllocator<Slot>> slots_;
  std::size_t mask_ = 0;
  std::size_t count_ = 0;
};

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
std::string_view clean_value(std::string_view v) { return is_placeholder(v) ? std::string_view() : trim(v); }

bool any_has_column(const std::vector<const RawTable*>& tables, std::string_view column) {
  for (const auto* t : tables)
    if (find_column(t->columns, column)) return true;
  return false;
}

/// The columns the agreement and --map ask for. Each must be in one of
/// `tables`, unless `check` is false.
std::vector<ColumnRequest> column_requests(const LoadOptions& options, const std::vector<const RawTable*>& tables,
                                           bool check = true) {
  std::vector<ColumnRequest> requests;
  if (options.agreement) {
    for (const auto& [field, column] : options.agreement->columns) {
      if (check && !any_has_column(tables, column))
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
    if (check && !any_has_column(tables, column))
      throw UsageError(unknown_column_message(fmt::format("--map {}", spec), column, tables));
    requests.push_back({*field, column, MappingOrigin::CommandLine});
  }
  return requests;
}

/// The preset a file with these columns is read with (--preset, or the one
/// its columns match).
std::optional<PresetMatch> preset_for(const LoadOptions& options, const std::vector<std::string>& columns,
                                      bool prospects) {
  if (!options.preset) return detect_preset(columns, prospects);
  if (*options.preset == "none") return std::nullopt;
  auto m = apply_preset(*options.preset, columns, prospects);
  if (!m)
    throw UsageError(fmt::format("--preset {}: unknown preset; use one of: {}, none", *options.preset,
                                 fmt::join(preset_names(), ", ")));
  return m;
}

/// The preset's bindings come first, so the agreement and --map override them.
std::vector<ColumnRequest> with_preset(const std::optional<PresetMatch>& p, const std::vector<ColumnRequest>& requests) {
  std::vector<ColumnRequest> out;
  if (p) out = p->columns;
  out.insert(out.end(), requests.begin(), requests.end());
  return out;
}

/// The column the loader would map as the lead id of a leads file with
/// these columns, if any: ReadOptions::id_key. A guess from one record's
/// keys; the loader takes the ids it gives only for the column it maps.
std::optional<std::string> lead_id_column(const LoadOptions& options, const std::vector<std::string>& columns) {
  try {
    RawTable t;
    t.columns = columns;
    const auto requests = with_preset(preset_for(options, columns, false), column_requests(options, {&t}, false));
    if (const auto id = map_columns(columns, requests)[Field::Id]) return columns[id->column];
  } catch (const std::exception&) {
    // Options that do not fit these columns: no guess.
  }
  return std::nullopt;
}

std::vector<MappedColumn> describe(const ColumnMapping& m, const RawTable& t) {
  std::vector<MappedColumn> out;
  for (Field f : all_fields())
    if (m[f]) out.push_back({f, t.columns[m[f]->column], m[f]->origin});
  return out;
}

/// The stage rules on one column of one file (bit s of what `matches`
/// returns: a rule of stage s is satisfied).
struct BoundRules {
  std::size_t column;
  ColumnRules matches;
};

/// The stage rules that apply to `t`, one entry per column: the agreement's
/// for a stage, else the preset's for that stage.
std::vector<BoundRules> bind_rules(const Agreement* agreement, const std::optional<PresetMatch>& preset,
                                   const RawTable& t) {
  std::vector<BoundRules> out;
  for (std::size_t s = 0; s < kStageCount; ++s) {
    const bool agreed = agreement && !agreement->stage_rules[s].empty();
    const auto* rules = agreed ? &agreement->stage_rules[s] : (preset ? &preset->rules[s] : nullptr);
    if (!rules) continue;
    for (const auto& rule : *rules) {
      const auto col = find_column(t.columns, rule.column);
      if (!col) continue;
      auto it = std::find_if(out.begin(), out.end(), [&](const BoundRules& b) { return b.column == *col; });
      if (it == out.end()) it = out.insert(out.end(), BoundRules{*col, {}});
      it->matches.add(s, rule);
    }
  }
  return out;
}

/// Where each --by key reads its value from, per file (npos when not there).
struct SegmentSource {
  std::size_t lead_column = std::string::npos;
  std::size_t prospect_column = std::string::npos;
};

/// Rows already read, handed out again; the table is the original stream's.
class Replay final : public RowStream {
 public:
  Replay(std::unique_ptr<RowStream> inner, std::vector<RawRow> rows) : inner_(std::move(inner)), rows_(std::move(rows)) {}
  RawTable& table() override { return inner_->table(); }
  void next_batch(std::vector<RawRow>& rows, std::size_t max_rows) override {
    const std::size_t n = std::min(max_rows, rows_.size() - next_);
    rows.resize(n);
    for (std::size_t i = 0; i < n; ++i) rows[i] = std::move(rows_[next_ + i]);
    next_ += n;
  }
  std::optional<RepeatFinder> first_ids(std::string_view id_key) override { return inner_->first_ids(id_key); }

 private:
  std::unique_ptr<RowStream> inner_;
  std::vector<RawRow> rows_;
  std::size_t next_ = 0;
};

/// One leads row worked out without touching the loader's state, so that
/// rows can be prepared on several threads; commit() applies them in file order.
struct Prepared {
  bool accepted = false;  ///< committed as a lead, to be handed to a consumer part (several threads)
  bool blank_id = false;
  std::uint64_t id_hash = 0;
  bool indexed = false;  ///< the duplicate index follows this id (every id without a first read)
  /// The id's place in the prospects joins (Loader::join_index_), once looked
  /// up for this row (join_known).
  std::optional<std::uint64_t> join_at;
  bool join_known = false;
  /// The reader rejected the record, parsed late (RowParser); why is kept
  /// with its batch (Work::unread), so that a row stays small.
  bool unread = false;
  /// A timestamp that cannot be read (rare: kept apart, so that a batch of
  /// rows fits the core's cache).
  std::unique_ptr<Rejection> bad;
  Lead lead;                     ///< id and line are always set
  bool blank_source = false;
  /// Every mapped timestamp was read (by prepare(), with the orders of the
  /// batch's reading); then `order_cells` has bit k set when the cell of
  /// lead_times_[k] is a locale date that could tell its column's day/month
  /// order (not blank, not a date, not ISO 8601). A row with none, or with
  /// only cells of settled columns read in their order, gives no evidence
  /// that can change anything, so none is gathered at commit.
  bool dates_read = false;
  std::uint32_t order_cells = 0;
  std::vector<std::pair<Field, std::string>> date_only_cells;  ///< for the date_only check's examples
  /// Source, campaign and owner: the clean value and its hash (case-variant check).
  /// (Views into the row's cells, which live until the row is committed.)
  std::array<std::pair<std::string_view, std::size_t>, 3> variants;
};

constexpr std::array<Field, 3> kVariantFields{Field::Source, Field::Campaign, Field::Owner};
/// The different values of one column the case-variant check keeps (about
/// 300 bytes each, with their folded forms); a column with more is not
/// checked (see Loader::note_lead_checks).
constexpr std::size_t kVariantValues = 20000;

/// The different values of one column already recorded for the case-variant
/// check, known by their 64-bit hash_text alone, as lead ids are known by
/// theirs (two values with the same hash would count as one: for the 20,000
/// values a column may have, odds of about 1 in 10^11). An open-addressing
/// table of hashes, at most half full. Comparing the row's text as well, at
/// commit, cost a cache miss on most rows: the text had left the core's
/// cache since the row was prepared.
class SeenValues {
 public:
  std::size_t size() const { return count_; }
  /// Frees the values (the check gave up on the column).
  void clear() {
    slots_ = std::vector<std::uint64_t>();
    mask_ = 0;
    count_ = 0;
  }
  /// Whether a value with hash_text `hash` was added before.
  bool contains(std::uint64_t hash) const {
    const std::uint64_t h = stored(hash);
    return !slots_.empty() && slots_[slot_of(h)] == h;
  }
  /// Whether a value with hash_text `hash` was added before; adds it if not.
  bool seen_or_add(std::uint64_t hash) {
    if (slots_.empty()) grow();
    const std::uint64_t h = stored(hash);
    std::uint64_t& slot = slots_[slot_of(h)];
    if (slot == h) return true;
    slot = h;
    if (++count_ * 2 > slots_.size()) grow();
    return false;
  }

 private:
  /// A hash as the table keeps it: 0 marks a free slot.
  static std::uint64_t stored(std::uint64_t hash) { return hash == 0 ? 1 : hash; }
  /// The slot that holds `h`, or the free slot where it goes.
  std::size_t slot_of(std::uint64_t h) const {
    std::size_t i = h & mask_;
    while (slots_[i] != 0 && slots_[i] != h) i = (i + 1) & mask_;
    return i;
  }
  /// Doubles the table (64 slots at first), placing every hash again.
  void grow() {
    std::vector<std::uint64_t> old = std::move(slots_);
    slots_ = std::vector<std::uint64_t>(old.empty() ? 64 : old.size() * 2, 0);
    mask_ = slots_.size() - 1;
    for (const std::uint64_t h : old)
      if (h != 0) slots_[slot_of(h)] = h;
  }

  std::vector<std::uint64_t> slots_;
  std::size_t mask_ = 0;
  std::size_t count_ = 0;
};

/// One prospects row, until the leads are read: its line, its lead id, and
/// why it cannot be used if a value cannot be read.
/// A prospects row as read, until the leads are read and it can be settled
/// (used or rejected). 16 bytes: a row with a bad date keeps its rejection
/// apart (Loader::prospect_bad_), and its id is that of its join.
struct ProspectRow {
  std::uint64_t line = 0;
  std::uint64_t join = 0;  ///< 1 + the index of its id's ProspectJoin; 0: the id is blank
};

/// An instant or none in 8 bytes (std::optional<Instant> takes 16): a
/// ProspectJoin is kept for every id the prospects file names.
class CompactInstant {
 public:
  explicit operator bool() const { return ms_ != kNone; }
  Instant operator*() const { return Instant{std::chrono::milliseconds{ms_}}; }
  CompactInstant& operator=(Instant t) {
    ms_ = t.time_since_epoch().count();
    return *this;
  }

 private:
  static constexpr std::int64_t kNone = INT64_MIN;
  std::int64_t ms_ = kNone;
};

/// What the prospects rows of one lead id say, folded in file order: the
/// earliest date of each stage after Lead, stages reached by a rule or an
/// undated row, the first owner given, and the --by values of the first row.
/// 88 bytes, kept for every id the file names: the id itself is in an arena
/// (Loader::join_ids_), owners and --by values are numbers in a table of
/// distinct values, and flags are bits. `check` is a second hash of the id,
/// independent of the index's: an id is taken for this one when both match.
struct ProspectJoin {
  std::array<CompactInstant, kStageCount - 1> at{};  ///< stage s at at[s - 1]
  CompactInstant first_touch_at, lost_at;
  TextArena::Handle id = 0;
  std::uint32_t check = 0;
  std::uint32_t owner = 0;     ///< in Loader::join_values_
  std::uint32_t segments = 0;  ///< 1 + where its --by values start in Loader::join_segments_; 0: none
  std::uint8_t date_only = 0;  ///< bit s: stage s's date had no time of day
  std::uint8_t flagged = 0;    ///< bit s: stage s reached by a rule or an undated row
  bool prospect_row = false;   ///< a dated row made the lead a prospect
  bool has_row = false;        ///< some row of the id had readable dates
  /// A lead row of this id was committed with readable dates (set while the
  /// leads are read, by the one thread committing; read when settling).
  bool lead_found = false;

  static constexpr std::uint8_t bit(std::size_t s) { return static_cast<std::uint8_t>(1u << s); }
  /// Keeps `t` as stage s's date when it is the earliest.
  void keep_earliest(std::size_t s, const Timestamp& t) {
    CompactInstant& slot = at[s - 1];
    if (!slot || t.at < *slot) {
      slot = t.at;
      date_only = static_cast<std::uint8_t>(t.date_only ? date_only | bit(s) : date_only & ~bit(s));
    }
  }
};
static_assert(kStageCount <= 8, "a stage is a bit of ProspectJoin::flagged");

/// The second hash of an id (ProspectJoin::check).
inline std::uint32_t id_check(std::string_view id) { return static_cast<std::uint32_t>(hash_text(id)); }

/// The mapped timestamps of one row, as parse_times reads them: an instant
/// per field and bits for which are there and which carried only a date. Not
/// std::array<std::optional<Timestamp>>: value-initialising one took a
/// `rep stos` of 312 bytes on every row, and GCC 12 copied each optional
/// through the stack in small stores read back by one wide load, which the
/// processor cannot forward (a stall of some twenty cycles a value).
class RowTimes {
 public:
  bool has(Field f) const { return (present_ >> bit(f)) & 1U; }
  /// The value of a field that has one.
  Timestamp get(Field f) const { return Timestamp{Instant{Millis{at_[bit(f)]}}, ((date_only_ >> bit(f)) & 1U) != 0}; }
  void set(Field f, Instant at, bool date_only) {
    at_[bit(f)] = at.time_since_epoch().count();
    present_ |= std::uint32_t{1} << bit(f);
    if (date_only) date_only_ |= std::uint32_t{1} << bit(f);
  }

 private:
  static std::size_t bit(Field f) { return static_cast<std::size_t>(f); }
  static_assert(kFieldCount <= 32, "a field is a bit of RowTimes");
  std::int64_t at_[kFieldCount];  ///< milliseconds since the epoch; set only where present_ says
  std::uint32_t present_ = 0;
  std::uint32_t date_only_ = 0;
};

/// Rows handed from a stream at a time: few enough that a batch read is
/// still in the core's cache when it is prepared (4,096 rows took 25% more
/// time on one thread).
constexpr std::size_t kBatchRows = 512;

/// Thrown by a Loader reading the leads once (Loader::speculate_) when an id
/// turns out to repeat: the load must start over, with the ids read first.
struct RepeatedIdsFound {};

/// How many ids' hashes a Loader reading the leads once keeps to find a
/// repeat at once (a RepeatSample): every id of the first kEarlyIds (a
/// table of 2 x kEarlyIds slots of 8 bytes, 4 MB), then a sample of at most
/// kLaterIds (1 MB) that thins out as the file goes on. A file with
/// repeated ids most often has some among its first rows, or many (an
/// export appended to another): then little of the read is lost. Any other
/// repeat is found at the end.
constexpr std::size_t kEarlyIds = std::size_t{1} << 18;
constexpr std::size_t kLaterIds = std::size_t{1} << 16;

/// Rows in a batch passed between threads: smaller, since 3 batches per
/// thread are in flight at once and each row costs about 1.5 KB on its way.
constexpr std::size_t kThreadBatchRows = 1024;

class Loader {
 public:
  /// `reopen_leads`, when given, opens the leads file again from its start
  /// (a regular file): the lead ids are then read once before the leads, so
  /// that only ids that occur twice need to be remembered.
  /// `scan_path`, when given, is the leads file's path, for a quicker first
  /// read of the ids (CSV only).
  /// `speculate`: the caller can start the load over (both files can be
  /// read again, and the consumer starts afresh at begin()); a CSV leads
  /// file (or NDJSON with guessed columns) is then read once, and
  /// RepeatedIdsFound thrown if an id repeats.
  Loader(std::unique_ptr<RowStream> leads, std::unique_ptr<RowStream> prospects, const LoadOptions& options,
         LeadConsumer& consumer, std::function<std::unique_ptr<RowStream>()> reopen_leads = {},
         std::string scan_path = {}, bool speculate = false)
      : lead_stream_(std::move(leads)),
        prospect_stream_(std::move(prospects)),
        leads_(lead_stream_->table()),
        prospects_(prospect_stream_ ? &prospect_stream_->table() : nullptr),
        options_(options),
        consumer_(consumer),
        reopen_leads_(std::move(reopen_leads)),
        scan_path_(std::move(scan_path)),
        speculate_(speculate) {}

  InputSummary run() {
    for (const RawTable* t : tables_of(leads_, prospects_))
      if (!t->file_errors.empty() && options_.strict)
        throw InputError(t->path, 0, "", t->file_errors.front() + " (--strict stops at the first problem)");
    if (leads_.file_errors.empty() && no_records(lead_stream_) && (!prospects_ || !any_rows(prospect_stream_))) {
      // An export with no records at all (a JSON `[]`): zero counts, like a
      // header-only CSV, with nothing to map.
      if (prospects_) reject_all(*prospect_stream_, "not used");
      return finish();
    }
    // Nothing can be read as a lead; every row is still accounted for.
    if (!leads_.file_errors.empty()) return unusable_leads();
    if (prospects_ && prospects_->file_errors.empty() && no_records(prospect_stream_)) {
      unusable_prospects_ = prospects_;  // nothing to join: read the leads alone
      prospects_ = nullptr;
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
    lead_times_ = time_columns(lead_map_);
    prospect_times_ = time_columns(prospect_map_);
    const auto tables = tables_of(leads_, prospects_);
    if (options_.agreement) check_rules(tables);
    resolve_by(tables);
    note_ambiguous(leads_, lead_map_);
    if (prospects_) note_ambiguous(*prospects_, prospect_map_);

    make_shape();
    consumer_.begin(shape_);
    begun_ = true;
    start_dates(leads_, lead_map_, lead_dates_state_);
    if (prospects_) start_dates(*prospects_, prospect_map_, prospect_dates_state_);
    // The prospects file is read first, into what it says about each lead
    // id, so that each lead can be joined and counted as it is read. At the
    // same time (they do not depend on each other) the lead ids are read
    // once, to learn which occur more than once: only those, and the ids
    // the prospects file names, are then kept while the leads are read, so
    // the memory for ids does not grow with the file. The second read must
    // see the same ids (checked in finish()).
    std::optional<FirstRead> first;
    // (A JSON array read by elements has its ids from the columns pass; one
    // read whole has none, and is not read again for them.)
    bool read_ids = reopen_leads_ && options_.duplicates != DuplicatePolicy::Last;
    // A CSV file is read once when the load can start over: most exports
    // repeat no id, and then the first read is not needed. Every id is
    // checked for a repeat as the rows are committed (see speculative_id);
    // at the first one found, the load starts again with the first read.
    // So is an NDJSON file whose columns were guessed from its start; else
    // its ids came with its columns pass, which was needed anyway.
    speculating_ = speculate_ && read_ids && (leads_.format == "csv" || lead_stream_->guessed_columns());
    if (speculating_) read_ids = false;
    const bool apart = prospects_ && read_ids && options_.threads > 1;  // on two threads
    {
      // Reading a big prospects file alone, with a core to spare: its
      // tables' pages are brought in on that core. (The 10M two-file
      // export's 1.5M deals, 5 runs each on cold memory: 0.45 -> 0.40 s;
      // the kernel's zeroing of fresh pages on the reading thread, 3.7% of
      // the run's CPU time before, 0.1% after.) A small file would only
      // have 16 MB brought in for nothing.
      constexpr std::uintmax_t kAheadFrom = std::uintmax_t{64} << 20;
      std::optional<FaultAhead> ahead;
      if (prospects_ && !apart && options_.threads > 1 && file_bytes(prospects_->path) >= kAheadFrom)
        ahead.emplace();
      run_parts(apart ? 2 : 1, [&](std::size_t k) {
        if (k == 0 && prospects_) read_prospects();
        if (read_ids && (k == 1 || !apart)) first = read_ids_first();
      });
    }
    // Leads go to the consumer as they are read, unless a later row may
    // replace an earlier one, or prospects rows still wait for a date order.
    stored_ = options_.duplicates == DuplicatePolicy::Last || !prospect_dates_state_.waiting.empty();
    if (first) {
      prepass_exact_ = first->exact;
      use_repeats(first->finder);
    }
    if (!speculating_) {
      read_leads();
      strict_reader_check(leads_, std::string::npos);
      return finish();
    }
    RepeatFinder none;
    use_repeats(none);  // no id repeats, until one does
    try {
      read_leads();
      strict_reader_check(leads_, std::string::npos);
      return finish();
    } catch (const RepeatedIdsFound&) {
      throw;
    } catch (const ColumnsGuessedWrong&) {
      throw;  // the load starts over anyway
    } catch (...) {
      // An error stops the load at a row: if an id repeated before it, the
      // load read with the ids first may stop earlier, at the repeat.
      if (!speculative_ids_.repeated(options_.threads).empty()) throw RepeatedIdsFound{};
      throw;
    }
  }

 private:
  std::optional<PresetMatch> choose_preset(const RawTable& t, bool prospects) const {
    return preset_for(options_, t.columns, prospects);
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
  InputSummary unusable_leads() {
    reject_all(*lead_stream_, "the file cannot be used (see its file error)");
    if (prospects_)
      reject_all(*prospect_stream_,
                 fmt::format("the leads file {} cannot be used (see its file error)", leads_.path));
    return finish();
  }

  /// The prospects file cannot be used: its rows are rejected and the leads are read alone.
  void drop_prospects() {
    reject_all(*prospect_stream_, "the file cannot be used (see its file error)");
    unusable_prospects_ = prospects_;
    prospects_ = nullptr;
  }

  /// Whether a stream has no columns and nothing at all to read. A file
  /// without columns is rare and small (a JSON `[]`, or objects with no
  /// keys), so it is read whole to be sure.
  bool no_records(std::unique_ptr<RowStream>& stream) {
    if (!stream->table().columns.empty()) return false;
    return !any_rows(stream);
  }

  /// Whether a stream has any row or rejection; a stream without columns is read whole first.
  static bool any_rows(std::unique_ptr<RowStream>& stream) {
    RawTable& t = stream->table();
    if (!t.columns.empty()) return true;
    std::vector<RawRow> rows, batch;
    for (;;) {
      stream->next_batch(batch, kBatchRows);
      if (batch.empty()) break;
      for (auto& r : batch) rows.push_back(std::move(r));
    }
    const bool any = !rows.empty() || !t.rejections.empty() || t.unlisted_rejections > 0;
    stream = std::make_unique<Replay>(std::move(stream), std::move(rows));
    return any;
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
  static void reject_all(RowStream& stream, const std::string& why) {
    RawTable& t = stream.table();
    std::vector<RawRow> batch;
    for (;;) {
      stream.next_batch(batch, kBatchRows);
      if (batch.empty()) break;
      for (const auto& row : batch) t.reject(Rejection{t.path, row.line, "", "not used: " + why});
    }
  }

  void note_ambiguous(const RawTable& t, const ColumnMapping& m) {
    for (const auto& [field, cols] : m.ambiguous) {
      std::vector<std::string> names;
      for (std::size_t c : cols) names.push_back(fmt::format("\"{}\"", t.columns[c]));
      input_.notes.push_back(fmt::format("{}: {} was not mapped because several columns could be it ({}); "
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
      shape_.by.push_back(key);
      segment_sources_.push_back(src);
      if (src.prospect_column != std::string::npos) prospects_give_segments_ = true;
    }
  }

  /// What one mapped date column has shown so far about the order of the
  /// day and the month in its locale dates (03/04/2026).
  struct DateEvidence {
    std::size_t col = 0;
    std::size_t locale = 0;  ///< values in a locale shape
    bool ymd_only = true, dots_only = true;
    std::optional<std::pair<std::size_t, std::string>> dmy, mdy;  ///< first proof of each order: line, value
    std::vector<std::string> examples;
    bool decided = false;  ///< its locale dates can be read now
    /// Decided for good, with a locale date not year-first seen: by its own
    /// proof of an order (dmy or mdy) or by --date-order. A later cell can
    /// then only change something by proving the other order, and such a
    /// cell cannot be read in the column's order.
    bool settled = false;
    std::optional<DateOrder> order;
    DateColumn described;
  };

  /// The date columns of one file, and its rows waiting for an order.
  struct FileDates {
    const RawTable* t = nullptr;
    std::vector<DateEvidence> cols;
    std::vector<std::optional<DateOrder>> orders;  ///< by column index
    std::size_t version = 0;                       ///< counts the changes to `orders`
    std::size_t undecided = 0;
    std::size_t settled = 0;  ///< columns settled so far
    std::vector<RawRow> waiting;
  };

  std::optional<DateOrder> explicit_order() const {
    return options_.date_order ? options_.date_order
                               : (options_.agreement ? options_.agreement->date_order : std::nullopt);
  }

  /// The order locale dates of column `col` of `t` are read in, if decided.
  std::optional<DateOrder> order_of(const RawTable& t, std::size_t col) const {
    const auto& orders = (&t == &leads_ ? lead_dates_state_ : prospect_dates_state_).orders;
    return col < orders.size() ? orders[col] : std::nullopt;
  }

  /// The mapped date columns of `t`, each once, in field order. With
  /// --date-order (or the agreement's), every column is decided at once.
  void start_dates(const RawTable& t, const ColumnMapping& m, FileDates& fd) {
    fd.t = &t;
    fd.orders.assign(t.columns.size(), std::nullopt);
    std::vector<bool> done(t.columns.size(), false);
    const auto given = explicit_order();
    for (Field f : all_fields()) {
      if (!is_timestamp_field(f) || !m[f] || done[m[f]->column]) continue;
      done[m[f]->column] = true;
      DateEvidence e;
      e.col = m[f]->column;
      if (given) {
        e.decided = true;
        e.order = given;
        fd.orders[e.col] = given;
      } else {
        ++fd.undecided;
      }
      fd.cols.push_back(std::move(e));
    }
  }

  /// Decides the day/month order of locale dates per column from the
  /// evidence in the column, as rows arrive: a first number above 12 means
  /// day-first, a second number above 12 month-first; both in one column is
  /// an error. Returns whether the row can be read now: it can when each of
  /// its locale dates is in a decided column, or year-first in a column that
  /// has only year-first dates so far.
  /// Sets the order column `col`'s locale dates are read in, counting the change.
  static void set_order(FileDates& fd, std::size_t col, std::optional<DateOrder> order) {
    if (fd.orders[col] == order) return;
    fd.orders[col] = order;
    ++fd.version;
  }

  /// Whether a date cell is blank, not a date, or ISO 8601 (2026-03-04...,
  /// the common case): never a locale date, so no evidence of an order.
  static bool says_no_date_order(std::string_view cell) {
    auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
    auto iso_or_not_a_date = [&](std::string_view v) {
      return v.empty() || !is_digit(v.front()) || (v.size() >= 5 && v[4] == '-' && is_digit(v[3]));
    };
    // Most cells are blank or ISO with nothing around them: told apart
    // before any trimming.
    if (!cell.empty() && is_digit(cell.front()) && iso_or_not_a_date(cell)) return true;
    return iso_or_not_a_date(trim(cell));
  }

  bool gather_evidence(FileDates& fd, const RawRow& row) {
    bool ready = true;
    for (auto& e : fd.cols) {
      const std::string_view cell = row.fields[e.col];
      if (says_no_date_order(cell)) continue;
      const std::string_view v = trim(cell);
      const auto ld = scan_locale_date(v);
      if (!ld) continue;
      ++e.locale;
      if (ld->first_digits == 4) {
        // Year-first dates need no order while the column has no other kind.
        if (e.ymd_only) set_order(fd, e.col, DateOrder::Ymd);
        continue;
      }
      if (e.ymd_only) {
        e.ymd_only = false;
        set_order(fd, e.col, e.order);
      }
      if (ld->separator != '.') e.dots_only = false;
      if (e.examples.size() < 3) e.examples.emplace_back(printable(v, 30));
      if (ld->first > 12 && !e.dmy) e.dmy.emplace(row.line, printable(v, 30));
      if (ld->second > 12 && !e.mdy) e.mdy.emplace(row.line, printable(v, 30));
      if (e.dmy && e.mdy && !explicit_order()) {
        const std::string& name = fd.t->columns[e.col];
        throw InputError(fd.t->path, e.mdy->first, name,
                         fmt::format("{}: column \"{}\" mixes day-first dates ('{}', line {}) and month-first "
                                     "dates ('{}', line {}); fix the export, or pass --date-order dmy|mdy to read "
                                     "them one way and reject the rest",
                                     fd.t->path, name, e.dmy->second, e.dmy->first, e.mdy->second, e.mdy->first));
      }
      if (!e.decided && (e.dmy || e.mdy)) {
        e.decided = true;
        e.order = e.dmy ? DateOrder::Dmy : DateOrder::Mdy;
        set_order(fd, e.col, e.order);
        --fd.undecided;
      }
      if (!e.decided) ready = false;
      // Here with a locale date not year-first: decided now means by a
      // proof of an order or by --date-order.
      if (!e.settled && e.decided) {
        e.settled = true;
        ++fd.settled;
      }
    }
    return ready;
  }

  /// At the end of a file: columns without evidence take their preset's
  /// order, or day-first when all their dates are dotted (01.10.2026).
  void decide_by_convention(FileDates& fd) {
    const auto& preset = fd.t == &leads_ ? lead_preset_ : prospect_preset_;
    for (auto& e : fd.cols) {
      if (e.decided || e.locale == 0 || e.ymd_only) continue;
      if (preset && preset->date_order) e.order = preset->date_order;
      else if (e.dots_only) e.order = DateOrder::Dmy;
      else continue;
      e.decided = true;
      set_order(fd, e.col, e.order);
      --fd.undecided;
    }
  }

  /// When every file has been read: columns still without an order take the
  /// order another column proved; with none at all the run stops and asks.
  /// Then each column is described for the report.
  void decide_the_rest() {
    std::optional<std::pair<DateOrder, std::string>> seen;  // an order some column proved, and where
    for (FileDates* fd : {&lead_dates_state_, &prospect_dates_state_})
      for (auto& e : fd->cols)
        if (!seen && e.locale > 0 && !e.ymd_only && (e.dmy || e.mdy) && !explicit_order())
          seen.emplace(e.dmy ? DateOrder::Dmy : DateOrder::Mdy,
                       fmt::format("column \"{}\" of {}", fd->t->columns[e.col], fd->t->path));
    const auto given = explicit_order();
    const std::string given_how = options_.date_order ? "--date-order" : "the agreement's date_order";
    for (FileDates* fd : {&lead_dates_state_, &prospect_dates_state_}) {
      if (!fd->t) continue;
      const auto& preset = fd->t == &leads_ ? lead_preset_ : prospect_preset_;
      for (auto& e : fd->cols) {
        const std::string& name = fd->t->columns[e.col];
        if (e.locale == 0) {
          e.described = {name, "iso", "ISO 8601 or epoch values"};
        } else if (e.ymd_only) {
          set_order(*fd, e.col, DateOrder::Ymd);
          e.described = {name, "ymd", "the year comes first"};
        } else if (given) {
          e.described = {name, std::string(date_order_name(*given)), given_how};
        } else if (e.dmy || e.mdy) {
          const auto& ev = e.dmy ? *e.dmy : *e.mdy;
          e.described = {name, std::string(date_order_name(*e.order)),
                         fmt::format("'{}' on line {} has a {} above 12", ev.second, ev.first,
                                     e.dmy ? "first number" : "second number")};
        } else if (e.decided && preset && preset->date_order) {
          e.described = {name, std::string(date_order_name(*preset->date_order)),
                         fmt::format("the {} preset's date order (no day above 12 in the column)", preset->name)};
        } else if (e.decided) {
          e.described = {name, "dmy", "dotted dates (01.10.2026) are day-first"};
        } else {
          if (!seen)
            throw InputError(fd->t->path, 1, name,
                             fmt::format("{}: the dates in column \"{}\" ({}) could be day-first or month-first: no "
                                         "day above 12 anywhere. Pass --date-order dmy or --date-order mdy (or set "
                                         "\"date_order\" in the agreement)",
                                         fd->t->path, name, fmt::join(e.examples, ", ")));
          e.decided = true;
          e.order = seen->first;
          set_order(*fd, e.col, e.order);
          --fd->undecided;
          e.described = {name, std::string(date_order_name(seen->first)),
                         fmt::format("no evidence in this column; same order as {}", seen->second)};
        }
        (fd == &lead_dates_state_ ? lead_dates_ : prospect_dates_).push_back(e.described);
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
  /// Inline, for the common row that none of them notes (its values all
  /// seen before); the rest is done apart. (As one call on every row, the
  /// call and its large frame took half of the check's time.)
  void note_lead_checks(const Prepared& p) {
    if (p.blank_source || !p.date_only_cells.empty()) return note_lead_checks_in_full(p);
    for (std::size_t i = 0; i < kVariantFields.size(); ++i)
      if (!p.variants[i].first.empty() && !variants_given_up_[i] && !variant_seen_[i].contains(p.variants[i].second))
        return note_lead_checks_in_full(p);
  }

  [[gnu::noinline]] void note_lead_checks_in_full(const Prepared& p) {
    const Lead& lead = p.lead;
    if (p.blank_source) {
      note_check("blank_source", "leads with no source", leads_.path, lead.line, lead.id, "");
      if (options_.duplicates == DuplicatePolicy::Last) lead_flags_blank_source_.insert(lead.line);
    }
    for (const auto& [f, cell] : p.date_only_cells)
      note_check("date_only", "stage dates with no time of day (durations to them have whole-day precision)",
                 leads_.path, lead.line, lead.id, fmt::format("{} = {}", field_name(f), cell));
    for (std::size_t i = 0; i < kVariantFields.size(); ++i) {
      const std::string_view v = p.variants[i].first;  // not a structured binding: clang 14 cannot capture one
      if (v.empty() || variants_given_up_[i]) continue;
      // Most rows repeat a value already recorded: a lookup with the hash
      // the worker computed skips them.
      if (variant_seen_[i].seen_or_add(p.variants[i].second)) continue;
      if (variant_seen_[i].size() > kVariantValues) {
        // Not a column of categories (a URL or a keyword per lead, say):
        // the check stops there, so that its memory does not grow with the file.
        variants_given_up_[i] = true;
        variant_seen_[i].clear();
        variants_[static_cast<std::size_t>(kVariantFields[i])].clear();
        continue;
      }
      auto& variants = variants_[static_cast<std::size_t>(kVariantFields[i])][fold_value(v)];
      if (std::find_if(variants.begin(), variants.end(), [&](const auto& x) { return x.first == v; }) == variants.end())
        variants.emplace_back(std::string(v), lead.line);
    }
  }

  /// Takes back the checks of a lead row that a later row replaced (--duplicates last).
  void unnote_lead_checks(const Lead& lead) {
    auto unnote = [&](const std::string& kind, std::size_t times) {
      auto it = std::find_if(checks_.begin(), checks_.end(), [&](const QualityCheck& c) { return c.kind == kind; });
      if (it == checks_.end() || times == 0) return;
      it->count -= std::min(times, it->count);
      it->examples.erase(std::remove_if(it->examples.begin(), it->examples.end(),
                                        [&](const QualityExample& e) { return e.line == lead.line; }),
                         it->examples.end());
      if (it->count == 0) checks_.erase(it);
    };
    if (lead_map_[Field::Source] && lead_flags_blank_source_.count(lead.line)) {
      unnote("blank_source", 1);
      lead_flags_blank_source_.erase(lead.line);
    }
    std::size_t date_only = 0;
    for (std::size_t s = 0; s < kStageCount; ++s)
      if (lead.at[s] && lead.date_only[s] && lead_map_[stage_field(static_cast<Stage>(s))]) ++date_only;
    unnote("date_only", date_only);
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
    if (auto s = stripped_ids_.find(id); s != stripped_ids_.end())
      note_check("excel_mangled_ids", "ids that Excel turned into scientific notation or stripped of leading zeros, "
                 "so they no longer match their lead", t.path, line, id, fmt::format("lead \"{}\" has leading zeros", s->second));
  }

  /// Lowercase with runs of spaces collapsed: "Google  Ads" and "google ads" fold together.
  static std::string fold_value(std::string_view v) {
    std::string out;
    fold_value_into(v, out);
    return out;
  }
  static void fold_value_into(std::string_view v, std::string& out) {
    out.clear();
    bool space = false;
    for (char c : trim(v)) {
      if (c == ' ' || c == '\t') {
        space = true;
        continue;
      }
      if (space && !out.empty()) out += ' ';
      space = false;
      out += ascii_lower(c);
    }
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
    // Listed up to the same limit as the reader's; the rest are counted.
    if (loader_listed_ < RawTable::kListedRejections) {
      ++loader_listed_;
      rejected_.push_back(Rejection{file, line, column, reason});
    } else {
      ++loader_unlisted_;
    }
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

  /// The mapped timestamp fields of a file and their columns, in field order.
  using TimeColumns = std::vector<std::pair<Field, std::size_t>>;
  static TimeColumns time_columns(const ColumnMapping& m) {
    TimeColumns out;
    for (Field f : all_fields())
      if (is_timestamp_field(f) && m[f]) out.emplace_back(f, m[f]->column);
    return out;
  }

  /// Parses every mapped timestamp of a row (`cols`, from time_columns),
  /// reading locale dates in `orders` (by column); the first value that
  /// cannot be read is returned as a rejection. With `order_cells`, also
  /// sets bit k for each cell of cols[k] that does not says_no_date_order
  /// (when all were read).
  std::optional<Rejection> parse_times(const RawTable& t, const TimeColumns& cols, const RawRow& row,
                                       const std::vector<std::optional<DateOrder>>& orders, RowTimes& times,
                                       std::uint32_t* order_cells = nullptr) const {
    std::uint32_t cells = 0;
    for (std::size_t k = 0; k < cols.size(); ++k) {
      const auto& [f, col] = cols[k];
      const std::string_view cell = row.fields[col];
      if (!says_no_date_order(cell)) cells |= std::uint32_t{1} << k;
      if (is_placeholder(cell)) continue;
      const std::optional<DateOrder> order = col < orders.size() ? orders[col] : std::nullopt;
      // The fast path first (as parse_timestamp does), without building a
      // TimestampParse; its result is read member by member (see RowTimes).
      Timestamp fast;
      if (detail::parse_timestamp_fast(cell, *options_.zone, order, fast)) {
        times.set(f, fast.at, fast.date_only);
        continue;
      }
      const TimestampParse parsed = detail::parse_timestamp_general(cell, *options_.zone, order);
      if (!parsed.value)
        return Rejection{t.path, row.line, t.columns[col],
                         fmt::format("{} for {}; fix the value or map another column", parsed.error, field_name(f))};
      times.set(f, parsed.value->at, parsed.value->date_only);
    }
    if (order_cells) *order_cells = cells;
    return std::nullopt;
  }

  /// `id_hash`: IdIndex::hash of the row's id if already known, else 0.
  void prepare(const RawRow& row, const std::vector<std::optional<DateOrder>>& orders, Prepared& p,
               std::uint64_t id_hash = 0) const {
    const std::size_t id_col = lead_map_[Field::Id]->column;
    const bool join_known = std::exchange(p.join_known, false);  // false again for the next row into `p`
    Lead& lead = p.lead;
    lead.id.assign(trim(row.fields[id_col]));
    lead.line = row.line;
    p.blank_id = lead.id.empty();
    p.bad.reset();
    p.dates_read = false;
    if (p.blank_id) return;
    p.id_hash = id_hash != 0 ? id_hash : IdIndex::hash(lead.id);
    if (!join_known) p.join_at = join_of_hash(p.id_hash);
    if (p.join_at) p.join_at = find_join(lead.id, *p.join_at);  // the id's own, or none
    // Whether the duplicate index follows this id: looked up here, on the
    // workers, since neither table changes while the leads are read. (Ids
    // the prospects file names need not be followed: their joins say
    // whether a lead of theirs was found.)
    p.indexed =
        !prepass_ || repeated_.find_value(p.id_hash) != nullptr || prospect_hashes_.find_value(p.id_hash) != nullptr;
    RowTimes times;
    // order_cells: the same cells the evidence would look at
    // (lead_dates_state_.cols are these columns, each once), looked at as
    // they are parsed.
    if (auto bad = parse_times(leads_, lead_times_, row, orders, times, &p.order_cells)) {
      p.bad = std::make_unique<Rejection>(std::move(*bad));
      return;
    }
    p.dates_read = true;
    // One by one: `lead.at = {}` compiled to a `rep stos`, slow to start on every row.
    for (auto& at : lead.at) at.reset();
    lead.date_only = {};
    lead.flagged = {};
    lead.prospect_row = false;
    lead.first_touch_at.reset();
    lead.lost_at.reset();
    for (std::size_t s = 0; s < kStageCount; ++s) {
      const Field f = stage_field(static_cast<Stage>(s));
      if (times.has(f)) {
        const Timestamp t = times.get(f);
        lead.at[s] = t.at;
        lead.date_only[s] = t.date_only;
      }
    }
    if (times.has(Field::FirstTouchAt)) lead.first_touch_at = times.get(Field::FirstTouchAt).at;
    if (times.has(Field::LostAt)) lead.lost_at = times.get(Field::LostAt).at;
    // Each text cell is cleaned once, however many uses it has. (Plain
    // members, so that the table is not zeroed on every row: an array of
    // pairs was, with a `rep stos`.)
    struct Cleaned {
      std::size_t col;
      const char* data;
      std::size_t size;
    };
    std::array<Cleaned, 8> cleaned;
    std::size_t n_cleaned = 0;
    auto clean = [&](std::size_t col) -> std::string_view {
      for (std::size_t i = 0; i < n_cleaned; ++i)
        if (cleaned[i].col == col) return {cleaned[i].data, cleaned[i].size};
      const std::string_view cell = row.fields[col];
      const std::string_view v = is_placeholder(cell) ? std::string_view() : trim(cell);
      if (n_cleaned < cleaned.size()) cleaned[n_cleaned++] = Cleaned{col, v.data(), v.size()};
      return v;
    };
    lead.owner.clear();
    if (lead_map_[Field::Owner]) lead.owner.assign(clean(lead_map_[Field::Owner]->column));
    for (const auto& r : lead_rules_)
      for (std::uint32_t m = r.matches(row.fields[r.column]); m != 0; m &= m - 1)
        lead.flagged[static_cast<std::size_t>(std::countr_zero(m))] = true;
    lead.segments.resize(shape_.by.size());
    for (std::size_t k = 0; k < shape_.by.size(); ++k) {
      lead.segments[k].clear();
      if (segment_sources_[k].lead_column != std::string::npos)
        lead.segments[k].assign(clean(segment_sources_[k].lead_column));
    }
    // What the data-quality checks need from the row.
    p.blank_source = lead_map_[Field::Source] && clean(lead_map_[Field::Source]->column).empty();
    p.date_only_cells.clear();
    for (std::size_t s = 0; s < kStageCount; ++s) {
      const Field f = stage_field(static_cast<Stage>(s));
      if (lead.at[s] && lead.date_only[s] && lead_map_[f]) p.date_only_cells.emplace_back(f, row.fields[lead_map_[f]->column]);
    }
    for (std::size_t i = 0; i < kVariantFields.size(); ++i) {
      auto& [value, hash] = p.variants[i];
      value = {};
      if (!lead_map_[kVariantFields[i]]) continue;
      value = clean(lead_map_[kVariantFields[i]]->column);
      hash = hash_text(value);
    }
    // The join with the prospects file reads only what that file said (it
    // does not change while leads are read), so it is done here, on the
    // worker threads; the checks above saw the lead's own values. Kept leads
    // (--duplicates last, or prospects rows still waiting) are joined at the end.
    if (!stored_ && p.join_at) join(lead, &joins_[*p.join_at]);
  }


  /// Applies a prepared row in file order: blank and duplicate ids, bad
  /// dates, the data-quality checks; an accepted lead goes to the consumer
  /// (or is kept, with two files).
  void commit(Prepared& p) {
    p.accepted = false;
    Lead& lead = p.lead;
    const std::size_t line = lead.line;
    strict_reader_check(leads_, line);
    const std::size_t id_col = lead_map_[Field::Id]->column;
    if (p.blank_id) {
      reject(leads_.path, line, leads_.columns[id_col], "the lead id is blank; every lead needs an id");
      return;
    }
    const std::string& id = lead.id;
    ++ids_committed_;
    if (speculating_) speculative_id(p.id_hash);
    const bool indexed = p.indexed;
    if (indexed && !rejected_leads_.empty())
      if (auto rl = rejected_leads_.find(id); rl != rejected_leads_.end()) {
        ++input_.duplicate_ids;
        reject(leads_.path, line, leads_.columns[id_col],
               fmt::format("duplicate lead id \"{}\" (first seen on line {}, which was rejected); fix that row and "
                           "remove this one",
                           printable(id), rl->second));
        return;
      }
    std::optional<std::size_t> replace;
    // One probe: a row that will be accepted is added to the index at once.
    const std::uint64_t slot = stored_ ? leads_kept_.size() : line;
    std::optional<std::uint64_t> seen;
    if (indexed) seen = p.bad ? index_.find(p.id_hash) : index_.find_or_add(p.id_hash, slot);
    if (p.join_at && !p.bad) joins_[*p.join_at].lead_found = true;
    if (seen) {
      const std::size_t first_line = stored_ ? leads_kept_[*seen].line : static_cast<std::size_t>(*seen);
      note_check("duplicate_ids", "later rows repeating a lead id", leads_.path, line, id, "");
      if (options_.duplicates == DuplicatePolicy::Error)
        throw InputError(leads_.path, line, leads_.columns[id_col],
                         fmt::format("{}:{}: lead id \"{}\" is also on line {} (stopped by --duplicates error; "
                                     "remove one, or use --duplicates first or last)",
                                     leads_.path, line, printable(id), first_line));
      ++input_.duplicate_ids;
      if (options_.duplicates == DuplicatePolicy::First) {
        reject(leads_.path, line, leads_.columns[id_col],
               fmt::format("duplicate lead id \"{}\" (first seen on line {}); the first row is kept", printable(id),
                           first_line));
        return;
      }
      replace = static_cast<std::size_t>(*seen);
    }
    if (p.bad) {
      if (!replace && (indexed || p.join_at)) rejected_leads_.emplace(id, line);
      reject(p.bad->file, p.bad->line, p.bad->column, p.bad->reason);
      return;
    }
    if (replace) {
      // --duplicates last: this row replaces the earlier one, which becomes the rejected row.
      Lead& old = leads_kept_[*replace];
      unnote_lead_checks(old);
      reject(leads_.path, old.line, leads_.columns[id_col],
             fmt::format("duplicate lead id \"{}\": the later row on line {} replaces this one (--duplicates last)",
                         printable(id), line));
      note_lead_checks(p);
      old = lead;
      return;
    }
    note_lead_checks(p);
    ++leads_used_;
    if (prospects_) {
      const auto nz = id.find_first_not_of('0');
      if (nz != 0 && nz != std::string::npos) stripped_ids_.emplace(id.substr(nz), id);
    }
    if (stored_) {
      leads_kept_.push_back(std::move(lead));
    } else {
      // Joined to its prospects rows already, in prepare().
      if (parts_active_) {
        fold(lead);
        p.accepted = true;  // a worker hands it to its consumer part
      } else {
        feed(lead);
      }
    }
  }

  /// Reads the leads file row by row. Rows wait (in order) while a date
  /// column they need has no known day/month order yet. The threads (one
  /// or more) take turns reading batches, prepare them in parallel, and
  /// commit them one at a time in file order, so the result is the same
  /// for any number of threads. Only --strict keeps to the one-thread loop
  /// below, which stops at its first rejection (and so does a caller that
  /// asks for 0 threads; the command line turns 0 into the number of cores).
  void read_leads() {
    lead_rules_ = bind_rules(options_.agreement ? &*options_.agreement : nullptr, lead_preset_, leads_);
    if (!options_.strict && options_.threads >= 1) return read_leads_in_parallel();
    FileDates& fd = lead_dates_state_;
    std::vector<RawRow> batch;
    for (;;) {
      lead_stream_->next_batch(batch, kBatchRows);
      if (batch.empty()) break;
      lead_rows_seen_ += batch.size();
      std::size_t ready_rows = 0;  // rows before any that waits are prepared together
      auto flush = [&] {
        if (prepared_.size() < ready_rows) prepared_.resize(ready_rows);
        prepare_all(batch, fd.orders, prepared_, ready_rows);
        commit_all(prepared_, ready_rows);
        ready_rows = 0;
      };
      for (std::size_t r = 0; r < batch.size(); ++r) {
        RawRow& row = batch[r];
        bool ready = false;
        try {
          ready = gather_evidence(fd, row);
        } catch (...) {
          // A date-order conflict on this row: the rows before it are
          // committed first, so that an error of theirs is the one reported,
          // as on any number of threads.
          flush();
          throw;
        }
        if (ready && fd.waiting.empty()) {
          if (ready_rows != r) std::swap(batch[ready_rows], row);
          ++ready_rows;
          continue;
        }
        flush();
        fd.waiting.push_back(std::move(row));
        if (fd.undecided == 0) release_leads();
      }
      flush();
    }
    decide_by_convention(fd);
    if (fd.undecided == 0) release_leads();
  }

  /// The ids of the first read, and whether the full reader counted them
  /// exactly (else the quick scan, which may give more).
  struct FirstRead {
    RepeatFinder finder;
    bool exact = false;
  };

  /// The first read of the lead ids (the file is read twice), to learn which
  /// ids occur more than once (see run()). Nothing when the file reopened is
  /// not the same (every id is kept then). Changes nothing in the loader, so
  /// it may run while the prospects file is read.
  std::optional<FirstRead> read_ids_first() const {
    if (auto quick = scan_ids()) return FirstRead{std::move(*quick), false};
    if (leads_.format == "json") return std::nullopt;
    auto stream = reopen_leads_();
    if (stream->table().columns != leads_.columns) return std::nullopt;
    const std::size_t id_col = lead_map_[Field::Id]->column;
    FirstRead out{RepeatFinder{}, true};
    std::vector<RawRow> batch;
    for (;;) {
      stream->next_batch(batch, kBatchRows);
      if (batch.empty()) break;
      for (const RawRow& row : batch) {
        const std::string_view id = trim(row.fields[id_col]);
        if (!id.empty()) out.finder.add(IdIndex::hash(id));
      }
    }
    return out;
  }

  /// The quick first read (scan_csv_ids, scan_ndjson_ids): a CSV file in
  /// UTF-8 or Windows-1252 whose lines end in LF or CRLF, or an NDJSON file
  /// in UTF-8. It may give more ids than the rows hold (never fewer);
  /// nothing when the file needs the full reader.
  std::optional<RepeatFinder> scan_ids() const {
    if (scan_path_.empty()) return std::nullopt;
    // The file is cut into ranges read at once, one per thread (at most),
    // each into a finder of its own.
    ReadOptions read = options_.read;
    read.threads = std::max<std::size_t>(options_.threads, 1);
    std::vector<RepeatFinder> finders(read.threads);
    auto add = [&](std::size_t k, std::string_view id) { finders[k].add(IdIndex::hash(id)); };
    const std::size_t id_col = lead_map_[Field::Id]->column;
    bool scanned = false;
    if (leads_.format == "csv" && leads_.line_ending != "CR" &&
        (leads_.encoding == "utf-8" || leads_.encoding == "windows-1252")) {
      std::error_code ec;
      const auto size = std::filesystem::file_size(scan_path_, ec);
      scanned = scan_csv_ids(scan_path_, leads_.delimiter, id_col, leads_.header_end_line, read.block_bytes,
                             ec ? 1 : pass_ranges(size, read), add);
    } else if (leads_.format == "ndjson" && leads_.encoding == "utf-8") {
      // Most often the columns pass collected them already.
      if (auto early = lead_stream_->first_ids(leads_.columns[id_col])) return early;
      scanned = scan_ndjson_ids(scan_path_, leads_.columns[id_col], read, add);
    } else if (leads_.format == "json") {
      return lead_stream_->first_ids(leads_.columns[id_col]);  // a JSON array read by elements
    }
    if (!scanned) return std::nullopt;
    for (std::size_t k = 1; k < finders.size(); ++k) finders[0].merge(finders[k]);
    return std::move(finders[0]);
  }

  /// Reading the leads once (speculating_): notes a committed id's hash,
  /// and throws RepeatedIdsFound when the sample of ids kept so far has it
  /// already. (A clash of hashes only costs the load a start over, never a
  /// wrong count.)
  void speculative_id(std::uint64_t hash) {
    speculative_ids_.add(hash);
    if (early_ids_.seen_or_add(hash)) throw RepeatedIdsFound{};
    if (ids_committed_ == kEarlyIds) early_ids_.set_capacity(kLaterIds);
  }

  void use_repeats(RepeatFinder& finder) {
    prepass_ids_ = finder.size();
    const std::vector<std::uint64_t> repeated = finder.repeated(options_.threads);
    // Both tables sized at once: the row pass adds each repeated id to the index.
    repeated_.reserve(repeated.size());
    index_.reserve(index_.size() + repeated.size());
    for (const std::uint64_t h : repeated) repeated_.find_or_add(h, 0);
    // The ids of the prospects rows read so far are in join_index_; those of
    // rows still waiting for a date order are noted here.
    if (prospects_)
      for (const RawRow& row : prospect_dates_state_.waiting) {
        const std::string_view id = trim(row.fields[prospect_map_[Field::Id]->column]);
        if (!id.empty()) prospect_hashes_.find_or_add(IdIndex::hash(id), 0);
      }
    prepass_ = true;
  }

  /// Commits the rows that waited for a date order, now decided; with
  /// consumer parts (several threads), accepted leads go to `part`.
  void release_leads(LeadConsumer* part = nullptr) {
    for (const auto& row : lead_dates_state_.waiting) {
      lead_row(row);
      if (part && scratch_.accepted) part->add(scratch_.lead);
    }
    lead_dates_state_.waiting.clear();
  }

  void lead_row(const RawRow& row) {
    prepare(row, lead_dates_state_.orders, scratch_);
    commit(scratch_);
  }

  /// Commits prepared rows in order, loading each row's index slot into the
  /// cache a few rows ahead: the index is too big for the cache, and a miss
  /// per row would otherwise be most of the cost of committing.
  void commit_all(std::vector<Prepared>& rows, std::size_t n) {
    constexpr std::size_t kAhead = 8;
    for (std::size_t i = 0; i < n && i < kAhead; ++i) prefetch_index(rows[i]);
    for (std::size_t i = 0; i < n; ++i) {
      if (i + kAhead < n) {
        prefetch_index(rows[i + kAhead]);
        prefetch_segments(rows[i + kAhead].lead);
      }
      commit(rows[i]);
    }
  }

  /// Prepares the first `n` rows into `out` (but those the reader rejected
  /// after the fact, `unread`), loading each row's cells and
  /// its lead's `--by` values into the cache a few rows ahead.
  /// When the prospects file names ids, a row's id is hashed and the slots
  /// of the indexes it will look up start loading kFar rows ahead, its join
  /// is looked up and starts loading kAhead rows ahead (random reads in
  /// tables larger than the cache). Not all rows at once: a core has room
  /// for only so many loads in flight (a prefetch waits for one to end),
  /// and lines loaded a whole batch early are gone from the cache again.
  void prepare_all(const std::vector<RawRow>& rows, const std::vector<std::optional<DateOrder>>& orders,
                   std::vector<Prepared>& out, std::size_t n) const {
    const std::size_t id_col = lead_map_[Field::Id]->column;
    // Each row's id is hashed a few rows ahead, and the slots its lookups
    // will read loaded into the cache: with many repeated ids, or two
    // files, the tables are far bigger than the cache.
    const bool ahead = !repeated_.empty() || !prospect_hashes_.empty() || !join_index_.empty();
    const bool joins = ahead && !join_index_.empty();
    auto hash_ahead = [&](std::size_t r) {
      if (out[r].unread) {  // a record the reader rejected: no cells to read
        out[r].id_hash = 0;
        return;
      }
      const std::string_view id = trim(rows[r].fields[id_col]);
      const std::uint64_t h = id.empty() ? 0 : IdIndex::hash(id);
      out[r].id_hash = h;
      if (h == 0) return;
      repeated_.prefetch(h);
      prospect_hashes_.prefetch(h);
      join_index_.prefetch(h);
    };
    constexpr std::size_t kFar = 12, kAhead = 4;
    for (std::size_t r = 0; ahead && r < n && r < kFar; ++r) hash_ahead(r);
    for (std::size_t r = 0; joins && r < n && r < kAhead; ++r) look_up_join(out[r]);
    for (std::size_t r = 0; r < n; ++r) {
      if (ahead && r + kFar < n) hash_ahead(r + kFar);
      if (r + kAhead < n) {
        rows[r + kAhead].fields.prefetch();
        prefetch_segments(out[r + kAhead].lead);
        if (joins) look_up_join(out[r + kAhead]);
      }
      if (!out[r].unread) prepare(rows[r], orders, out[r], ahead ? out[r].id_hash : 0);
    }
  }

  /// Looks up the place of a row's id (hash already in `p`) in the prospects
  /// joins, for prepare(), and starts loading that join into the cache: a
  /// random read in a table much larger than the cache.
  void look_up_join(Prepared& p) const {
    p.join_known = true;
    p.join_at = p.id_hash == 0 ? std::nullopt : join_of_hash(p.id_hash);
    if (!p.join_at) return;
    const char* at = reinterpret_cast<const char*>(&joins_[*p.join_at]);
    // 88 bytes: two cache lines, or three when it starts late in one.
    for (std::size_t line = 0; line < sizeof(ProspectJoin); line += 64) prefetch_line(at + line);
    prefetch_line(at + sizeof(ProspectJoin) - 1);
  }

  /// Starts loading the duplicate index's slot of a prepared row into the
  /// cache, when commit() will look there (a lookup not made would still
  /// take room for a load in flight, and with two files the index is large),
  /// and, reading the leads once, the slot of the sample of early ids.
  void prefetch_index(const Prepared& p) const {
    if (p.blank_id) return;
    if (p.indexed) index_.prefetch(p.id_hash);
    if (speculating_) early_ids_.prefetch(p.id_hash);
  }

  /// Starts loading a lead's `--by` values (a block of their own on the heap,
  /// which the hardware does not see coming) into the cache.
  static void prefetch_segments(const Lead& lead) { prefetch_line(lead.segments.data()); }

  /// A batch of leads rows on its way through the threads.
  struct Work {
    std::size_t seq = 0;
    std::vector<RawRow> rows;
    std::vector<std::optional<DateOrder>> orders;  ///< the date orders the rows were prepared with
    std::size_t version = 0;                       ///< FileDates::version of `orders`
    std::vector<Prepared> out;
    std::size_t ready = 0;           ///< rows parsed and prepared (all, unless parsing threw)
    std::exception_ptr failure;      ///< why row `ready` could not be parsed
    std::vector<Rejection> unread;   ///< why the rows marked `unread` were rejected, in row order
  };

  /// Works out the cells of rows the stream handed out unparsed; a record
  /// the parser rejects is marked in its Prepared and not prepared. Returns
  /// how many rows were parsed: all of them, unless the parser threw (kept
  /// in `failure`, to be raised when the commits reach that row, so that an
  /// error in an earlier row still comes first, as on one thread).
  static std::size_t parse_all(RowParser& parser, Work& w) {
    w.unread.clear();
    for (std::size_t r = 0; r < w.rows.size(); ++r) {
      std::optional<Rejection> why;
      try {
        why = parser.parse(w.rows[r]);
      } catch (...) {
        w.failure = std::current_exception();
        return r;
      }
      Prepared& p = w.out[r];
      p.unread = why.has_value();
      if (why) {  // nothing of the row is read: no stale lookups either
        w.unread.push_back(std::move(*why));
        p.id_hash = 0;
        p.join_known = false;
      }
    }
    return w.rows.size();
  }

  /// Commits a prepared batch in file order (several threads): the date
  /// evidence of each row is gathered here, in order, exactly as on one
  /// thread; a row whose date orders changed since it was prepared is
  /// prepared again; rows wait while an order they need is undecided, and
  /// go on as soon as it is decided. Accepted leads are marked for `part`
  /// (released waiting rows are handed to it at once).
  void commit_batch(Work& w, LeadConsumer* part) {
    FileDates& fd = lead_dates_state_;
    const std::size_t n = w.ready;
    std::size_t next_unread = 0;
    constexpr std::size_t kAhead = 8;
    for (std::size_t i = 0; i < n && i < kAhead; ++i) prefetch_index(w.out[i]);
    for (std::size_t r = 0; r < n; ++r) {
      if (r + kAhead < n) {
        prefetch_index(w.out[r + kAhead]);
        prefetch_segments(w.out[r + kAhead].lead);
        w.rows[r + kAhead].fields.prefetch();  // its date cells, for the evidence
      }
      Prepared& p = w.out[r];
      p.accepted = false;
      if (p.unread) {  // the reader's rejection, in line order as on one thread
        unread_.reject(std::move(w.unread[next_unread++]));
        p.unread = false;
        ++lead_rows_unread_;
        continue;
      }
      RawRow& row = w.rows[r];
      // A date-order conflict throws here: every row before it is committed.
      // A row whose dates can tell nothing new about an order needs no look.
      if ((no_new_evidence(p, w.version) || gather_evidence(fd, row)) && fd.waiting.empty()) {
        if (fd.version != w.version) prepare(row, fd.orders, p);
        commit(p);
        continue;
      }
      fd.waiting.push_back(std::move(row));
      if (fd.undecided == 0) release_leads(part);
    }
    if (w.failure) std::rethrow_exception(std::exchange(w.failure, nullptr));
  }

  /// Whether a prepared row's dates cannot change what the leads file's
  /// date columns have shown (so gather_evidence may be skipped): each of
  /// its cells is blank, not a date or ISO 8601, or in a settled column and
  /// read in that column's order (the orders have not changed since the
  /// row was prepared with them, at `version`).
  bool no_new_evidence(const Prepared& p, std::size_t version) {
    if (!p.dates_read) return false;
    if (p.order_cells == 0) return true;
    const FileDates& fd = lead_dates_state_;
    if (version != fd.version || fd.settled == 0) return false;
    if (settled_seen_ != fd.settled) {
      settled_seen_ = fd.settled;
      settled_cells_ = 0;
      for (std::size_t k = 0; k < lead_times_.size(); ++k)
        for (const DateEvidence& e : fd.cols)
          if (e.col == lead_times_[k].second && e.settled) settled_cells_ |= std::uint32_t{1} << k;
    }
    return (p.order_cells & ~settled_cells_) == 0;
  }

  void read_leads_in_parallel() {
    FileDates& fd = lead_dates_state_;
    // Where the stream allows it, records are parsed by the threads that
    // prepare them, not in the one-at-a-time reading turn (NDJSON).
    std::vector<std::unique_ptr<RowParser>> parsers;
    if (lead_stream_->defer_parsing())
      for (std::size_t i = 0; i < options_.threads; ++i) parsers.push_back(lead_stream_->row_parser());
    std::mutex m;
    std::condition_variable cv;
    std::deque<std::unique_ptr<Work>> todo;             // read, not yet prepared
    std::map<std::size_t, std::unique_ptr<Work>> done;  // prepared, by sequence number
    // Finished batches to reuse, per thread: a thread reads into a batch it
    // used last, whose memory is still in its core's cache.
    std::vector<std::vector<std::unique_ptr<Work>>> spare(options_.threads);
    bool reading = true;
    bool stop = false;
    bool commit_busy = false;     // a thread is committing batch next_commit
    std::size_t next_commit = 0;  // the batch to commit next
    // The date orders as the rows committed so far decided them, for the
    // batches read next (the committing thread changes fd.orders).
    std::vector<std::optional<DateOrder>> orders = fd.orders;
    std::size_t orders_version = fd.version;
    // Accepted leads go to consumer parts when the consumer can take them on
    // several threads (one part per thread: the workers and this one); else
    // to the consumer itself, by the committing thread.
    std::vector<std::unique_ptr<LeadConsumer>> parts;
    const std::size_t main_part = options_.threads - 1;
    for (std::size_t i = 0; i <= main_part; ++i) {
      auto part = consumer_.part();
      if (!part) {
        parts.clear();
        break;
      }
      parts.push_back(std::move(part));
    }
    parts_active_ = !parts.empty();
    std::exception_ptr failure;       // from preparing or committing: stops every thread
    std::exception_ptr read_failure;  // from reading: what was read before it is finished first
    std::size_t next_seq = 0;
    const std::size_t in_flight = 3 * options_.threads;
    std::size_t live = 0;  // batches read and not yet finished

    auto fail = [&](std::exception_ptr e) {
      std::lock_guard lock(m);
      if (!failure) failure = e;
      stop = true;
      cv.notify_all();
    };
    // Every thread that would wait does work instead: commits the next batch
    // when it is prepared and nobody is committing (then hands its accepted
    // leads to its own consumer part), or prepares a batch. A batch is thus
    // most often prepared, committed and accumulated by one thread, its rows
    // still in that core's cache. Commits stay one at a time, in file order.
    // Called with the lock held; returns whether it did something (the lock
    // is held again then).
    auto help = [&](std::unique_lock<std::mutex>& lock, std::size_t part) {
      if (!commit_busy) {
        if (auto it = done.find(next_commit); it != done.end()) {
          std::unique_ptr<Work> w = std::move(it->second);
          done.erase(it);
          commit_busy = true;
          lock.unlock();
          try {
            commit_batch(*w, parts_active_ ? parts[part].get() : nullptr);
          } catch (...) {
            lock.lock();
            commit_busy = false;
            throw;
          }
          lock.lock();
          commit_busy = false;
          ++next_commit;
          if (fd.version != orders_version) {
            orders = fd.orders;
            orders_version = fd.version;
          }
          cv.notify_all();
          if (parts_active_) {
            lock.unlock();
            constexpr std::size_t kAhead = 8;
            LeadConsumer& to = *parts[part];
            const std::vector<Prepared>& out = w->out;
            const std::size_t n = out.size();
            // Asked once a batch: most consumers want no hints.
            const bool warm = to.wants_prefetch();
            auto hint = [&](std::size_t i, std::size_t step) {
              if (i < n && out[i].accepted) to.prefetch(out[i].lead, step);
            };
            constexpr auto& kHintAhead = LeadConsumer::kPrefetchAhead;
            if (warm)
              for (std::size_t step = 0; step < LeadConsumer::kPrefetchSteps; ++step)
                for (std::size_t i = 0; i < kHintAhead[step]; ++i) hint(i, step);
            for (std::size_t i = 0; i < n; ++i) {
              if (i + kAhead < n) prefetch_segments(out[i + kAhead].lead);
              if (warm)
                for (std::size_t step = 0; step < LeadConsumer::kPrefetchSteps; ++step)
                  hint(i + kHintAhead[step], step);
              if (out[i].accepted) to.add(out[i].lead);
            }
            lock.lock();
          }
          --live;
          spare[part].push_back(std::move(w));
          cv.notify_all();
          return true;
        }
      }
      if (todo.empty()) return false;
      std::unique_ptr<Work> w = std::move(todo.front());
      todo.pop_front();
      lock.unlock();
      w->out.resize(w->rows.size());
      w->ready = parsers.empty() ? w->rows.size() : parse_all(*parsers[part], *w);
      prepare_all(w->rows, w->orders, w->out, w->ready);
      lock.lock();
      done.emplace(w->seq, std::move(w));
      cv.notify_all();
      return true;
    };
    // Reading, one batch at a time, by whichever thread takes the reader's
    // turn: rows in file order. The thread then most often prepares the
    // batch it read. Called with the lock held, which it releases while it
    // reads; false when the stream has ended.
    auto read_step = [&](std::unique_lock<std::mutex>& lock, std::size_t part) {
      // Read straight into a recycled batch, so its strings are reused.
      std::unique_ptr<Work> w;
      for (std::size_t k = 0; k < spare.size() && !w; ++k) {
        auto& mine = spare[(part + k) % spare.size()];
        if (mine.empty()) continue;
        w = std::move(mine.back());
        mine.pop_back();
      }
      if (!w) w = std::make_unique<Work>();
      lock.unlock();
      try {
        lead_stream_->next_batch(w->rows, kThreadBatchRows);
      } catch (...) {
        lock.lock();
        throw;
      }
      lead_rows_seen_ += w->rows.size();
      lock.lock();
      if (w->rows.empty()) {
        spare[part].push_back(std::move(w));
        return false;
      }
      w->orders = orders;
      w->version = orders_version;
      w->seq = next_seq++;
      ++live;
      todo.push_back(std::move(w));
      cv.notify_all();
      return true;
    };
    bool reader_busy = false;  // a thread has the reader's turn
    // The thread that read last reads again when it can: the reader's buffer
    // (the kernel copies each block into it) stays in its core's cache.
    // Another thread reads only when there is nothing to prepare.
    std::size_t last_reader = main_part;
    // Every thread (the workers and this one) commits, prepares or reads,
    // in that order of preference, until every batch is finished.
    auto finished = [&] { return !reading && next_commit == next_seq && live == 0; };
    auto work = [&](std::size_t part) {
      try {
        std::unique_lock lock(m);
        while (!stop && !finished()) {
          if (help(lock, part)) continue;
          if (reading && !reader_busy && live < in_flight && (part == last_reader || todo.empty())) {
            reader_busy = true;
            last_reader = part;
            bool more = true;
            try {
              more = read_step(lock, part);
            } catch (...) {
              // Reading stops here; what was read is still committed, in
              // order, and an error found there comes first.
              reader_busy = false;
              if (!read_failure) read_failure = std::current_exception();
              reading = false;
              cv.notify_all();
              continue;
            }
            reader_busy = false;
            if (!more) reading = false;
            cv.notify_all();
            continue;
          }
          cv.wait(lock);
        }
      } catch (...) {
        fail(std::current_exception());
      }
    };
    std::vector<std::thread> workers;
    for (std::size_t i = 0; i + 1 < options_.threads; ++i) workers.emplace_back([&, i] { work(i); });
    work(main_part);
    for (auto& t : workers) t.join();
    // The reader's rejections the parsers found, in line order.
    for (Rejection& r : unread_.rejections) leads_.reject(std::move(r));
    leads_.unlisted_rejections += unread_.unlisted_rejections;
    unread_ = RawTable{};
    if (!failure && !read_failure) {
      // As on one thread: at the end of the file, columns without evidence
      // take their convention, and the rows waiting for them go on.
      decide_by_convention(fd);
      if (fd.undecided == 0) release_leads(parts_active_ ? parts[main_part].get() : nullptr);
    }
    parts_active_ = false;
    if (failure) std::rethrow_exception(failure);
    if (read_failure) std::rethrow_exception(read_failure);
    for (auto& part : parts) consumer_.join(*part);
  }

  /// Hands a finished lead to the consumer; --fold-case gives each segment
  /// value and owner the spelling seen first.
  void feed(Lead& lead) {
    fold(lead);
    consumer_.add(lead);
  }

  void fold(Lead& lead) {
    if (options_.fold_case) {
      for (std::size_t k = 0; k < shape_.by.size(); ++k) {
        if (shape_.by[k].kind == ByKey::Kind::Period || lead.segments[k].empty()) continue;
        auto [it, fresh] = folded_[k].emplace(fold_value(lead.segments[k]), lead.segments[k]);
        if (!fresh) lead.segments[k] = it->second;
      }
      if (!lead.owner.empty()) {
        auto [it, fresh] = folded_owners_.emplace(fold_value(lead.owner), lead.owner);
        if (!fresh) lead.owner = it->second;
      }
    }
  }

  template <class Slot>  // std::optional<Instant> or CompactInstant
  static void keep_earliest(Slot& slot, bool& date_only, const Timestamp& t) {
    if (!slot || t.at < *slot) {
      slot = t.at;
      date_only = t.date_only;
    }
  }

  /// Reads the prospects file, before the leads. Each row is noted with its
  /// line and id; the rows that read well are folded into what the file says
  /// about their lead id (a ProspectJoin). Whether a row is used, an orphan or
  /// rejected is settled after the leads are read. Rows wait while their own
  /// date columns have no known day/month order.
  void read_prospects() {
    const RawTable& p = *prospects_;
    prospect_rules_ = bind_rules(options_.agreement ? &*options_.agreement : nullptr, prospect_preset_, p);
    FileDates& fd = prospect_dates_state_;
    const std::size_t id_col = prospect_map_[Field::Id]->column;
    std::vector<RawRow> batch;
    std::vector<std::uint64_t> hashes;
    for (;;) {
      prospect_stream_->next_batch(batch, kBatchRows);
      if (batch.empty()) break;
      prospect_rows_seen_ += batch.size();
      // The ids' hashes first, and their index slots loaded into the cache
      // for the whole batch: the index is larger than the cache.
      hashes.resize(batch.size());
      for (std::size_t r = 0; r < batch.size(); ++r) {
        const std::string_view id = trim(batch[r].fields[id_col]);
        hashes[r] = id.empty() ? 0 : IdIndex::hash(id);
        if (hashes[r] != 0) join_index_.prefetch(hashes[r]);
      }
      for (std::size_t r = 0; r < batch.size(); ++r) {
        RawRow& row = batch[r];
        const bool ready = gather_evidence(fd, row);
        if (ready && fd.waiting.empty()) {
          prospect_row(row, hashes[r]);
          continue;
        }
        fd.waiting.push_back(std::move(row));
        if (fd.undecided == 0) release_prospects();
      }
    }
    decide_by_convention(fd);
    if (fd.undecided == 0) release_prospects();
  }

  void release_prospects() {
    for (const auto& row : prospect_dates_state_.waiting) prospect_row(row);
    prospect_dates_state_.waiting.clear();
  }

  /// Folds a prospects row into its id's join (`hash`: the id's, if known).
  void prospect_row(const RawRow& row, std::uint64_t hash = 0) {
    const RawTable& p = *prospects_;
    const std::size_t id_col = prospect_map_[Field::Id]->column;
    // In the prospects file, the row's own creation date is when the lead
    // became a prospect, unless a prospect_at column is mapped there.
    const bool created_is_prospect = !prospect_map_[Field::ProspectAt] && prospect_map_[Field::CreatedAt];
    ProspectRow& noted = prospect_rows_.emplace_back();
    noted.line = row.line;
    const std::string_view id = trim(row.fields[id_col]);
    if (id.empty()) return;
    // Every id the file names has its entry, even when its row's dates
    // cannot be read (an entry of no rows changes no lead): the index of
    // entries also tells which lead ids to remember (see use_repeats).
    const std::uint64_t at = join_of(id, hash != 0 ? hash : IdIndex::hash(id));
    noted.join = at + 1;
    ProspectJoin& j = joins_[at];
    RowTimes times;
    if (auto bad = parse_times(p, prospect_times_, row, prospect_dates_state_.orders, times)) {
      prospect_bad_.emplace_back(prospect_rows_.size() - 1, std::move(*bad));
      return;
    }
    const bool first_row = !j.has_row;
    j.has_row = true;
    // A row makes its lead a prospect. When the row dates that (its own
    // prospect or creation date, or a later stage), the date decides, so
    // --as-of and --window apply; an undated row marks the stage as reached.
    bool dated = created_is_prospect && times.has(Field::CreatedAt);
    for (std::size_t s = static_cast<std::size_t>(Stage::Prospect); s < kStageCount; ++s)
      dated = dated || times.has(stage_field(static_cast<Stage>(s)));
    const std::size_t prospect = static_cast<std::size_t>(Stage::Prospect);
    if (!dated) j.flagged |= ProspectJoin::bit(prospect);
    else j.prospect_row = true;
    for (std::size_t s = 1; s < kStageCount; ++s)
      if (const Field f = stage_field(static_cast<Stage>(s)); times.has(f)) j.keep_earliest(s, times.get(f));
    if (created_is_prospect && times.has(Field::CreatedAt)) j.keep_earliest(prospect, times.get(Field::CreatedAt));
    auto earliest = [](CompactInstant& slot, const Timestamp& t) {
      if (!slot || t.at < *slot) slot = t.at;
    };
    if (times.has(Field::FirstTouchAt)) earliest(j.first_touch_at, times.get(Field::FirstTouchAt));
    if (times.has(Field::LostAt)) earliest(j.lost_at, times.get(Field::LostAt));
    auto clean = [&](std::size_t col) { return clean_value(row.fields[col]); };
    // The owner, when the lead has none: the first one the lead's rows give.
    if (j.owner == 0 && prospect_map_[Field::Owner]) j.owner = join_values_.add(clean(prospect_map_[Field::Owner]->column));
    for (const auto& r : prospect_rules_)
      for (std::uint32_t m = r.matches(row.fields[r.column]); m != 0; m &= m - 1)
        j.flagged |= ProspectJoin::bit(static_cast<std::size_t>(std::countr_zero(m)));
    // Segment values missing from the leads file come from the first
    // prospects row of the lead, in file order.
    if (first_row && prospects_give_segments_) {
      if (join_segments_.size() + shape_.by.size() >= UINT32_MAX)
        throw InputError(p.path, row.line, "", "too many --by values in the prospects file for one run");
      j.segments = static_cast<std::uint32_t>(join_segments_.size() + 1);
      for (std::size_t k = 0; k < shape_.by.size(); ++k) {
        const std::size_t col = segment_sources_[k].prospect_column;
        join_segments_.push_back(col != std::string::npos ? join_values_.add(clean(col)) : 0);
      }
    }
  }

  /// The index in joins_ of `id` (hash: IdIndex::hash(id)), added if new.
  std::uint64_t join_of(std::string_view id, std::uint64_t hash) {
    const std::uint32_t check = id_check(id);
    const auto at = join_index_.find_or_add(hash, joins_.size());
    if (at && joins_[*at].check == check) return *at;
    if (at) {  // another id has the same hash: found by its text
      const auto [it, fresh] = joins_collided_.try_emplace(std::string(id), joins_.size());
      if (!fresh) return it->second;
    }
    ProspectJoin& j = joins_.emplace_back();
    j.id = join_ids_.add(id);
    j.check = check;
    return joins_.size() - 1;
  }

  /// Where join_index_ has hash `h` (see IdIndex::find_value).
  std::optional<std::uint64_t> join_of_hash(std::uint64_t h) const {
    const std::uint64_t* at = join_index_.find_value(h);
    return at ? std::optional<std::uint64_t>(*at) : std::nullopt;
  }

  /// Where in joins_ the join of `id` is, given where join_index_ has its
  /// hash (the first id with that hash).
  std::optional<std::uint64_t> find_join(std::string_view id, std::uint64_t at) const {
    if (joins_[at].check == id_check(id)) return at;
    if (joins_collided_.empty()) return std::nullopt;
    const auto it = joins_collided_.find(std::string(id));
    if (it == joins_collided_.end()) return std::nullopt;
    return it->second;
  }

  /// The join of `id` (hash: IdIndex::hash(id)), if the prospects file names it.
  const ProspectJoin* find_join_by_hash(std::string_view id, std::uint64_t hash) const {
    if (joins_.empty()) return nullptr;
    auto at = join_index_.find(hash);
    if (at) at = find_join(id, *at);
    return at ? &joins_[*at] : nullptr;
  }

  /// Joins what the prospects file says about a lead's id to the lead, as if
  /// its rows were applied one by one in file order.
  void join(Lead& lead, const ProspectJoin* found) const {
    if (!found) return;
    const ProspectJoin& j = *found;
    for (std::size_t s = 1; s < kStageCount; ++s) {
      if (j.at[s - 1])
        keep_earliest(lead.at[s], lead.date_only[s], Timestamp{*j.at[s - 1], (j.date_only & ProspectJoin::bit(s)) != 0});
      lead.flagged[s] = lead.flagged[s] || (j.flagged & ProspectJoin::bit(s)) != 0;
    }
    lead.prospect_row = lead.prospect_row || j.prospect_row;
    bool unused = false;
    if (j.first_touch_at) keep_earliest(lead.first_touch_at, unused, Timestamp{*j.first_touch_at, false});
    if (j.lost_at) keep_earliest(lead.lost_at, unused, Timestamp{*j.lost_at, false});
    if (lead.owner.empty()) lead.owner = join_values_[j.owner];
    if (j.segments == 0) return;
    for (std::size_t k = 0; k < shape_.by.size() && k < lead.segments.size(); ++k)
      if (segment_sources_[k].prospect_column != std::string::npos && lead.segments[k].empty())
        lead.segments[k] = join_values_[join_segments_[j.segments - 1 + k]];
  }

  /// After the leads: each prospects row, in file order, is used (its lead
  /// was read), or rejected: blank id, lead rejected, no such lead, bad date.
  void settle_prospect_rows() {
    const RawTable& p = *prospects_;
    const std::size_t id_col = prospect_map_[Field::Id]->column;
    auto id_of = [&](const ProspectRow& row) { return join_ids_[joins_[row.join - 1].id]; };
    std::size_t next_bad = 0;  // prospect_bad_ is in row order
    for (std::size_t i = 0; i < prospect_rows_.size(); ++i) {
      const ProspectRow& row = prospect_rows_[i];
      strict_reader_check(p, row.line);
      const Rejection* bad = nullptr;
      if (next_bad < prospect_bad_.size() && prospect_bad_[next_bad].first == i) bad = &prospect_bad_[next_bad++].second;
      if (row.join == 0) {
        reject(p.path, row.line, p.columns[id_col], "the lead id is blank, so this row cannot be joined to a lead");
        continue;
      }
      // A lead of this id was read: its join says so, or (for a join made
      // after the leads were read, of rows that waited for a date order)
      // the duplicate index, which follows those ids.
      const bool found =
          joins_[row.join - 1].lead_found || (!index_.empty() && index_.find(IdIndex::hash(id_of(row))));
      if (found && !bad) {
        ++prospect_rows_used_;
        continue;
      }
      const std::string id(id_of(row));
      if (auto rl = rejected_leads_.find(id); !found && rl != rejected_leads_.end()) {
        reject(p.path, row.line, p.columns[id_col],
               fmt::format("its lead \"{}\" ({} line {}) was rejected, so this row cannot be joined; fix that row",
                           printable(id), leads_.path, rl->second));
        continue;
      }
      if (!found) {
        ++input_.orphans;
        check_mangled_id(p, row.line, id);
        reject(p.path, row.line, p.columns[id_col],
               fmt::format("orphan: no lead with id \"{}\" in {}; add the lead or check the id", printable(id),
                           leads_.path));
        continue;
      }
      if (bad) {
        reject(bad->file, bad->line, bad->column, bad->reason);
        continue;
      }
      ++prospect_rows_used_;
    }
    prospect_rows_.clear();
    prospect_bad_ = decltype(prospect_bad_)();  // frees the memory (`= {}` would keep it)
    joins_.clear();
    join_index_ = {};
    joins_collided_ = decltype(joins_collided_)();
    join_ids_.clear();
    join_values_ = StringTable{};
    join_segments_ = decltype(join_segments_)();
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
    f.rows_read = rows_seen(t) + t.rejections.size() + t.unlisted_rejections;
    f.rows_used = used;
    f.rows_rejected = f.rows_read - used;
    f.blank_rows = t.blank_rows;
    f.non_data_rows = t.non_data_rows;
    f.errors = t.file_errors;
    return f;
  }

  std::size_t rows_seen(const RawTable& t) const {
    if (&t == &leads_) return lead_rows_seen_ - lead_rows_unread_;
    if (prospect_stream_ && &t == &prospect_stream_->table() && prospects_ == &t) return prospect_rows_seen_;
    return 0;
  }

  /// What the engine needs besides the leads: known once the columns are mapped.
  void make_shape() {
    for (Field f : all_fields())
      shape_.has_field[static_cast<std::size_t>(f)] = lead_map_[f].has_value() || (prospects_ && prospect_map_[f]);
    // Only the leads file says when a lead was created; in the prospects file
    // created_at is the prospect's own date.
    shape_.has_field[static_cast<std::size_t>(Field::CreatedAt)] = lead_map_[Field::CreatedAt].has_value();
    // A prospects file with no records at all still says "no lead became a prospect".
    const bool empty_prospects = unusable_prospects_ && unusable_prospects_->file_errors.empty();
    shape_.two_files = prospects_ != nullptr || empty_prospects;
    for (std::size_t s = 0; s < kStageCount; ++s) {
      const Stage stage = static_cast<Stage>(s);
      bool observable = shape_.has_field[static_cast<std::size_t>(stage_field(stage))] || stage == Stage::Lead;
      if (options_.agreement && !options_.agreement->stage_rules[s].empty()) observable = true;
      for (const auto* pm : {&lead_preset_, &prospect_preset_})
        if (*pm && !(*pm)->rules[s].empty()) observable = true;
      if (stage == Stage::Prospect && (prospects_ || empty_prospects)) observable = true;
      shape_.stage_observable[s] = observable;
    }
    folded_.resize(shape_.by.size());
  }

  InputSummary finish() {
    if (!begun_) {
      make_shape();
      consumer_.begin(shape_);
      begun_ = true;
    }
    decide_the_rest();
    if (prospects_) release_prospects();
    release_leads();
    // Every lead row is committed now, those that waited for a date order too.
    if (speculating_) {
      if (!speculative_ids_.repeated(options_.threads).empty()) throw RepeatedIdsFound{};
      prepass_ids_ = ids_committed_;  // the one read was the first read too
      prepass_exact_ = true;
    }
    if (prepass_ && (prepass_exact_ ? ids_committed_ != prepass_ids_ : ids_committed_ > prepass_ids_))
      throw InputError(leads_.path, 0, "",
                       fmt::format("{}: the file changed while it was being read ({} lead ids the first time, {} the "
                                   "second); run again when nothing is writing to it",
                                   leads_.path, prepass_ids_, ids_committed_));
    if (stored_)
      for (Lead& lead : leads_kept_) {
        join(lead, find_join_by_hash(lead.id, IdIndex::hash(lead.id)));
        feed(lead);
      }
    leads_kept_ = decltype(leads_kept_)();
    if (prospects_) {
      settle_prospect_rows();
      strict_reader_check(*prospects_, std::string::npos);
    }
    auto& in = input_;
    in.files.push_back(summarize(leads_, lead_map_, "leads", leads_used_));
    in.files.back().dates = lead_dates_;
    if (lead_preset_) in.files.back().preset = lead_preset_->name;
    if (prospects_) {
      in.files.push_back(summarize(*prospects_, prospect_map_, "prospects", prospect_rows_used_));
      in.files.back().dates = prospect_dates_;
      if (prospect_preset_) in.files.back().preset = prospect_preset_->name;
    }
    if (unusable_prospects_) in.files.push_back(summarize(*unusable_prospects_, ColumnMapping{}, "prospects", 0));
    // Reader-level rejections come first in each file, then mapping ones, by
    // line. They are moved, not copied: up to RawTable::kListedRejections of
    // each kind may be listed, and a copy of each would double their memory.
    // The loader's go from the front of their deque, which frees its blocks
    // as it goes: at most one copy of each is held at any time.
    std::vector<Rejection> all;
    all.reserve(rejected_.size() + leads_.rejections.size() + (prospects_ ? prospects_->rejections.size() : 0) +
                (unusable_prospects_ ? unusable_prospects_->rejections.size() : 0));
    auto add_file = [&](RawTable& t) {
      const auto start = static_cast<std::ptrdiff_t>(all.size());
      std::move(t.rejections.begin(), t.rejections.end(), std::back_inserter(all));
      t.rejections = std::vector<Rejection>();  // frees the memory, as `= {}` would not
      std::deque<Rejection> others;
      for (; !rejected_.empty(); rejected_.pop_front()) {
        Rejection& r = rejected_.front();
        if (r.file == t.path) all.push_back(std::move(r));
        else others.push_back(std::move(r));
      }
      rejected_ = std::move(others);
      std::stable_sort(all.begin() + start, all.end(),
                       [](const Rejection& a, const Rejection& b) { return a.line < b.line; });
    };
    add_file(leads_);
    if (prospects_ && prospects_->path != leads_.path) add_file(*prospects_);
    if (unusable_prospects_ && unusable_prospects_->path != leads_.path) add_file(*unusable_prospects_);
    rejected_.clear();  // of no file read (as before: not listed)
    in.rejections = std::move(all);
    in.rejections_unlisted += loader_unlisted_;
    for (const RawTable* t : {&leads_, prospects_, unusable_prospects_})
      if (t) {
        for (const auto& e : t->file_errors) in.file_errors.push_back(FileError{t->path, e});
        in.rejections_unlisted += t->unlisted_rejections;
      }
    for (const auto& f : in.files) {
      in.rows_read += f.rows_read;
      in.rows_used += f.rows_used;
      in.rows_rejected += f.rows_rejected;
    }
    // Checks are listed in the order the steps find them: duplicate ids while
    // choosing among rows, then the checks on the rows kept, then the joins.
    std::stable_partition(checks_.begin(), checks_.end(),
                          [](const QualityCheck& c) { return c.kind == "duplicate_ids"; });
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
    for (const RawTable* t : {&leads_, prospects_})
      if (t && t->non_data_rows)
        for (std::size_t k = 0; k < t->non_data_rows; ++k)
          note_check("non_data_rows", "report titles and footers skipped (not counted as rows read)", t->path, 0, "", "");
    in.checks = std::move(checks_);
    for (const auto& n : leads_.notes) in.notes.push_back(fmt::format("{}: {}", leads_.path, n));
    for (std::size_t i = 0; i < kVariantFields.size(); ++i)
      if (variants_given_up_[i] && lead_map_[kVariantFields[i]])
        in.notes.push_back(fmt::format(
            "{}: column \"{}\" ({}) has more than {} different values, too many to be categories: it was not "
            "checked for values that differ only by case or spaces",
            leads_.path, leads_.columns[lead_map_[kVariantFields[i]]->column], field_name(kVariantFields[i]),
            kVariantValues));
    if (prospects_)
      for (const auto& n : prospects_->notes) in.notes.push_back(fmt::format("{}: {}", prospects_->path, n));

    if (prospects_ && !prospect_map_[Field::ProspectAt] && prospect_map_[Field::CreatedAt])
      in.notes.push_back(fmt::format("{}: column \"{}\" (created_at) is read as the date each lead became a prospect",
                                     prospects_->path, prospects_->columns[prospect_map_[Field::CreatedAt]->column]));
    return std::move(input_);
  }

  std::unique_ptr<RowStream> lead_stream_, prospect_stream_;
  RawTable& leads_;
  RawTable* prospects_ = nullptr;            ///< null when there is none, or it cannot be used
  RawTable* unusable_prospects_ = nullptr;  ///< a prospects file with a file error: accounted, not read
  const LoadOptions& options_;
  LeadConsumer& consumer_;
  ColumnMapping lead_map_;
  ColumnMapping prospect_map_;
  TimeColumns lead_times_, prospect_times_;  ///< the mapped timestamp columns (time_columns)
  /// The cells of lead_times_ whose columns are settled (bit k for
  /// lead_times_[k]), as of lead_dates_state_.settled == settled_seen_.
  std::uint32_t settled_cells_ = 0;
  std::size_t settled_seen_ = 0;
  std::vector<SegmentSource> segment_sources_;
  bool prospects_give_segments_ = false;  ///< some segment_sources_ has a prospects column
  std::optional<PresetMatch> lead_preset_, prospect_preset_;
  std::vector<BoundRules> lead_rules_, prospect_rules_;
  std::vector<QualityCheck> checks_;
  std::unordered_map<std::string, std::string> stripped_ids_;
  /// Per segment field: folded value -> raw variants seen, with the first line of each.
  std::array<std::map<std::string, std::vector<std::pair<std::string, std::size_t>>>, kFieldCount> variants_;
  FileDates lead_dates_state_, prospect_dates_state_;
  std::vector<DateColumn> lead_dates_, prospect_dates_;
  /// Lead ids accepted so far: to the lead's index when stored, else to its line.
  IdIndex index_;  ///< every lead id read; with prepass_, only repeated ids and those the prospects name
  std::function<std::unique_ptr<RowStream>()> reopen_leads_;
  std::string scan_path_;
  bool prepass_ = false;        ///< the ids were read once before the leads
  bool prepass_exact_ = false;  ///< by the full reader (else by the quicker scan, which may give more)
  IdIndex repeated_;            ///< hashes of the ids that occur more than once in the leads file
  IdIndex prospect_hashes_;     ///< hashes of the ids of prospects rows that waited for a date order
  std::size_t prepass_ids_ = 0, ids_committed_ = 0;  ///< non-blank ids in the first and second reads
  std::unordered_map<std::string, std::size_t> rejected_leads_;  ///< id -> line, for rows rejected for a bad date
  bool stored_ = false;        ///< leads are kept until the end (two files, or --duplicates last)
  bool speculate_ = false;     ///< the load can start over (see the constructor)
  bool speculating_ = false;   ///< the leads are read once, each id checked for a repeat
  RepeatFinder speculative_ids_;            ///< with speculating_: every id committed
  RepeatSample early_ids_{kEarlyIds};       ///< with speculating_: ids' hashes kept to find a repeat at once
  std::vector<Lead> leads_kept_;
  BlockList<ProspectRow> prospect_rows_;  ///< every prospects row read, in file order
  std::vector<std::pair<std::size_t, Rejection>> prospect_bad_;  ///< rows with a bad date: row index, why
  /// What the prospects rows of each lead id say, in order of first row. An
  /// id is found through the 64-bit hash index (one cache miss, then the
  /// entry itself), its second hash compared; an id whose hash another id
  /// already has (about one file in ten million with 1.5M ids) is found
  /// through the map, by its text.
  BlockList<ProspectJoin> joins_;
  IdIndex join_index_;
  std::unordered_map<std::string, std::uint64_t> joins_collided_;  ///< id -> index in joins_
  TextArena join_ids_;                       ///< the ids of joins_
  StringTable join_values_;                  ///< owners and --by values of joins_
  std::vector<std::uint32_t> join_segments_;  ///< each join's --by values, shape_.by.size() apiece
  Prepared scratch_;
  std::vector<Prepared> prepared_;
  std::array<SeenValues, 3> variant_seen_;  ///< raw values already in variants_
  /// Columns with more than kVariantValues values, no longer checked.
  std::array<bool, 3> variants_given_up_{};
  std::vector<std::unordered_map<std::string, std::string>> folded_;  ///< --fold-case: folded -> first spelling
  std::unordered_map<std::string, std::string> folded_owners_;
  std::size_t lead_rows_seen_ = 0, prospect_rows_seen_ = 0;
  /// Rows handed out unparsed whose records the parsers rejected, and
  /// those rejections (merged into leads_ once every row is committed).
  std::size_t lead_rows_unread_ = 0;
  RawTable unread_;
  std::size_t leads_used_ = 0;
  std::size_t prospect_rows_used_ = 0;
  std::size_t loader_listed_ = 0, loader_unlisted_ = 0;
  /// The rows the loader rejected (a bad value, a duplicate id), up to
  /// RawTable::kListedRejections: a deque, which grows without copying.
  std::deque<Rejection> rejected_;
  bool begun_ = false;
  bool parts_active_ = false;  ///< accepted leads go to consumer parts on the worker threads
  std::unordered_set<std::size_t> lead_flags_blank_source_;  ///< --duplicates last: lines of leads with no source
  DatasetShape shape_;
  InputSummary input_;
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

namespace {

/// Keeps every lead: the Dataset that tests and `validate` look at.
class KeepLeads final : public LeadConsumer {
 public:
  explicit KeepLeads(Dataset& d) : d_(d) {}
  void begin(const DatasetShape& shape) override {
    static_cast<DatasetShape&>(d_) = shape;
    d_.leads.clear();
  }
  void add(const Lead& lead) override { d_.leads.push_back(lead); }

 private:
  Dataset& d_;
};

}  // namespace

InputSummary stream_leads(std::unique_ptr<RowStream> leads, std::unique_ptr<RowStream> prospects,
                          const LoadOptions& options, LeadConsumer& consumer,
                          std::function<std::unique_ptr<RowStream>()> reopen_leads) {
  if (!options.zone) throw Error(ExitCode::Internal, "stream_leads called without a time zone");
  return Loader(std::move(leads), std::move(prospects), options, consumer, std::move(reopen_leads)).run();
}

namespace {

/// Whether `path` names a regular file (not stdin, a pipe or a device), which can be read twice.
bool rereadable(const std::string& path) {
  std::error_code ec;
  return path != "-" && std::filesystem::is_regular_file(path, ec);
}

/// The size and modification time of a file.
std::pair<std::uintmax_t, std::filesystem::file_time_type> file_stamp(const std::string& path) {
  std::error_code ec;
  return {std::filesystem::file_size(path, ec), std::filesystem::last_write_time(path, ec)};
}

}  // namespace

InputSummary stream_leads(const std::string& leads_path, const std::optional<std::string>& prospects_path,
                          const LoadOptions& options, LeadConsumer& consumer) {
  if (prospects_path && *prospects_path == "-" && leads_path == "-")
    throw UsageError("LEADS and --prospects cannot both read stdin (-); give at least one of them as a file");
  // First passes over a file (NDJSON's columns) use the threads too.
  ReadOptions read = options.read;
  read.threads = options.threads;
  // A regular leads file is read more than once (NDJSON's columns, the ids,
  // the rows): it must not change from the first read to the last, so its
  // stamp is taken before the first.
  const bool twice = rereadable(leads_path);
  const auto before = twice ? file_stamp(leads_path) : decltype(file_stamp(leads_path)){};
  // NDJSON's columns pass collects the lead ids too, when the loader will
  // want them (see Loader::run).
  ReadOptions lead_read = read;
  if (twice && options.duplicates != DuplicatePolicy::Last)
    lead_read.id_key = [&options](const std::vector<std::string>& keys) { return lead_id_column(options, keys); };
  // The load may start over (see Loader::speculating_) when the prospects
  // file, if any, can be read again too. An NDJSON leads file then has its
  // columns guessed from its start, instead of a pass over all of it.
  const bool speculate = twice && (!prospects_path || rereadable(*prospects_path));
  ReadOptions guess_read = lead_read;
  guess_read.guess_columns = speculate;
  auto leads = open_rows(leads_path, guess_read);
  std::unique_ptr<RowStream> prospects;
  if (prospects_path) prospects = open_rows(*prospects_path, read);
  if (!options.zone) throw Error(ExitCode::Internal, "stream_leads called without a time zone");
  if (!twice) return Loader(std::move(leads), std::move(prospects), options, consumer).run();
  auto load = [&](std::unique_ptr<RowStream> l, std::unique_ptr<RowStream> p, bool once) {
    return Loader(std::move(l), std::move(p), options, consumer, [&] { return open_rows(leads_path, read); },
                  leads_path, once)
        .run();
  };
  InputSummary summary;
  const bool guessed = leads->guessed_columns();
  bool again = false;
  try {
    summary = load(std::move(leads), std::move(prospects), speculate);
  } catch (const RepeatedIdsFound&) {
    again = true;  // some lead id repeats
  } catch (const ColumnsGuessedWrong&) {
    again = true;  // a later record has a key of its own
  } catch (...) {
    // An error met on guessed columns may not be the file's: a key that
    // comes later could change how the columns are mapped. The exact read says.
    if (!guessed) throw;
    again = true;
  }
  if (again) {
    // Read again, the columns and ids first (the consumer starts afresh at
    // begin()). What the dropped read held goes back to the system first,
    // so that the peak is that of one read.
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
    summary = load(open_rows(leads_path, lead_read), prospects_path ? open_rows(*prospects_path, read) : nullptr,
                   false);
  }
  if (file_stamp(leads_path) != before)
    throw InputError(leads_path, 0, "",
                     fmt::format("{}: the file changed while it was being read; run again when nothing is writing "
                                 "to it",
                                 leads_path));
  return summary;
}

Dataset build_dataset(RawTable leads, std::optional<RawTable> prospects, const LoadOptions& options) {
  Dataset d;
  KeepLeads keep(d);
  d.input = stream_leads(rows_of(std::move(leads)), prospects ? rows_of(std::move(*prospects)) : nullptr, options,
                         keep);
  return d;
}

Dataset load_dataset(const std::string& leads_path, const std::optional<std::string>& prospects_path,
                     const LoadOptions& options) {
  Dataset d;
  KeepLeads keep(d);
  d.input = stream_leads(leads_path, prospects_path, options, keep);
  return d;
}

}  // namespace leadfunnel
