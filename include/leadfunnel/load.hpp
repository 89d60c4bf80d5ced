#pragma once
/// The load step: files -> mapped, validated leads, and an account of every row.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "leadfunnel/agreement.hpp"
#include "leadfunnel/input.hpp"
#include "leadfunnel/lead.hpp"
#include "leadfunnel/schema.hpp"

namespace date {
class time_zone;
}

namespace leadfunnel {

/// Calendar periods a cohort can be cut by.
enum class Period { Day, Week, Month, Quarter, Year };

/// A resolved --by key.
struct ByKey {
  enum class Kind { Period, Field, Column };
  std::string name;  ///< as the user wrote it
  Kind kind = Kind::Column;
  Period period = Period::Month;
  Field field = Field::Source;
  std::string column;  ///< the column read, for Field and Column kinds
  std::string file;    ///< the file the column is read from
};

/// One canonical field bound to a named column, for the report.
struct MappedColumn {
  Field field;
  std::string column;
  MappingOrigin origin;
};

/// How the dates of one column are read, and what decided it.
struct DateColumn {
  std::string column;
  std::string format;  ///< "iso" (ISO 8601 / epoch), "dmy", "mdy" or "ymd"
  std::string decided_by;
};

/// What was read from one file.
struct FileSummary {
  std::string role;  ///< "leads" or "prospects"
  std::string path;
  std::string format;
  char delimiter = 0;
  bool bom = false;
  std::string encoding = "utf-8";
  std::string line_ending;
  bool trailing_delimiter = false;
  std::vector<std::string> columns;
  std::vector<MappedColumn> mapping;
  std::vector<DateColumn> dates;
  std::optional<std::string> preset;  ///< the CRM preset recognised or forced
  std::size_t rows_read = 0;
  std::size_t rows_used = 0;
  std::size_t rows_rejected = 0;
  std::size_t blank_rows = 0;
  std::size_t non_data_rows = 0;  ///< report titles and footers, skipped (not rows read)
  std::vector<std::string> errors;  ///< why the whole file could not be used, if it could not
};

/// A problem with a whole file (empty, unreadable header, a column named
/// twice): none of its rows is used, and each is listed as rejected.
struct FileError {
  std::string file;
  std::string message;
};

/// One example of a data-quality finding.
struct QualityExample {
  std::string file;
  std::size_t line = 0;
  std::string id;
  std::string value;
};

/// A data-quality check: what it looks for, how often it was found, the first examples.
struct QualityCheck {
  std::string kind;
  std::string description;
  std::size_t count = 0;
  std::vector<QualityExample> examples;
};

/// What to do with a lead id seen twice.
enum class DuplicatePolicy { First, Last, Error };

/// The input section of every report. rows_read = rows_used + rows_rejected.
struct InputSummary {
  std::vector<FileSummary> files;
  std::size_t rows_read = 0;
  std::size_t rows_used = 0;
  std::size_t rows_rejected = 0;
  std::size_t orphans = 0;  ///< prospects rows with no matching lead (also rejected)
  std::size_t duplicate_ids = 0;  ///< later rows repeating a lead id (also rejected)
  std::vector<Rejection> rejections;
  std::size_t rejections_unlisted = 0;  ///< rejected rows over the per-file listing limit (counted only)
  std::vector<FileError> file_errors;
  std::vector<std::string> notes;
  std::vector<QualityCheck> checks;  ///< data-quality checks made while loading
};

/// What the engine needs to know about the input besides the leads: the
/// --by keys and which fields and stages the files can record.
struct DatasetShape {
  std::vector<ByKey> by;
  /// Whether each field is mapped in at least one file.
  std::array<bool, kFieldCount> has_field{};
  /// Whether each stage can be observed at all (a timestamp, a rule, or the prospects file).
  std::array<bool, kStageCount> stage_observable{};
  bool two_files = false;
};

/// Everything the load step hands to the engine.
struct Dataset : DatasetShape {
  std::vector<Lead> leads;
  InputSummary input;
};

/// What the user asked for, from the command line and the agreement.
struct LoadOptions {
  std::vector<std::string> map;      ///< --map FIELD=COLUMN, as typed
  std::optional<Agreement> agreement;
  const date::time_zone* zone = nullptr;
  std::vector<std::string> by;       ///< --by keys, as typed
  bool strict = false;
  ReadOptions read;
  std::optional<DateOrder> date_order;  ///< --date-order
  std::optional<std::string> preset;    ///< --preset NAME, or "none"; empty = detect
  DuplicatePolicy duplicates = DuplicatePolicy::First;
  bool fold_case = false;  ///< --fold-case: merge segment values that differ only by case or spaces
  /// --threads: the threads take turns reading batches of leads rows, and
  /// prepare, commit (one batch at a time, in file order) and count them in
  /// parallel; 1 does everything on the calling thread. The result never
  /// depends on it.
  std::size_t threads = 1;
};

/// Parses one `--by` word into a period, when it names one.
std::optional<Period> period_from_name(std::string_view name);

/// Receives the leads as the load step accepts them, in file order.
class LeadConsumer {
 public:
  virtual ~LeadConsumer() = default;
  /// Called before any lead, when the columns are mapped. Called again when
  /// the load starts over (a leads file read once turned out to repeat an
  /// id; see stream_leads): the consumer then drops every lead it was given.
  virtual void begin(const DatasetShape& shape) = 0;
  /// One accepted lead; the reference is valid only during the call.
  virtual void add(const Lead& lead) = 0;
  /// Whether the consumer wants to hear of leads before they are added
  /// (prefetch): asked once per batch of leads, so that a consumer whose
  /// state is in the cache anyway costs nothing more.
  virtual bool wants_prefetch() const { return false; }
  /// The steps of prefetch(), and how many leads before add() each comes.
  static constexpr std::size_t kPrefetchSteps = 3;
  static constexpr std::size_t kPrefetchAhead[kPrefetchSteps] = {12, 8, 4};
  /// Hints that `lead` will be added soon, in kPrefetchSteps steps (0 the
  /// farthest), so that the consumer can start loading what add() will read
  /// into the cache, each step what the one before loaded leads to.
  virtual void prefetch(const Lead& /*lead*/, std::size_t /*step*/) {}
  /// A consumer for one more thread, when this one can take leads on
  /// several threads (its result must not depend on how leads are shared
  /// out); nullptr when it cannot. Called after begin().
  virtual std::unique_ptr<LeadConsumer> part() { return nullptr; }
  /// Takes in what a part received.
  virtual void join(LeadConsumer& /*part*/) {}
};

class RowStream;

/// The load step as a stream: reads the files in batches, hands each accepted
/// lead to `consumer` as it is read (after all the rows with --duplicates
/// last, or while prospects rows wait for a date order), and returns the
/// account of every row. The prospects file is read first, into a summary
/// per lead id. When the leads file is a regular file, its ids are read once
/// before the leads (it is read twice) so that only ids that occur more than
/// once, or that the prospects name, are remembered: memory then holds
/// batches of rows and the consumer's state, not the file. A CSV leads file
/// is first read once, on the bet that no id repeats; if one does, the load
/// starts over with the ids read first (the consumer's begin() is called again).
/// An NDJSON leads file is read once on that bet too, with its columns
/// guessed from its start (ReadOptions::guess_columns); a wrong guess, or
/// any error met on one, starts the load over the same way.
InputSummary stream_leads(const std::string& leads_path, const std::optional<std::string>& prospects_path,
                          const LoadOptions& options, LeadConsumer& consumer);
/// The same on streams. `reopen_leads`, when given, opens the leads again
/// from their start for the first read of the ids; without it every id is
/// remembered.
InputSummary stream_leads(std::unique_ptr<RowStream> leads, std::unique_ptr<RowStream> prospects,
                          const LoadOptions& options, LeadConsumer& consumer,
                          std::function<std::unique_ptr<RowStream>()> reopen_leads = {});

/// Maps and validates already-read tables. Throws UsageError for unknown
/// columns or keys, AgreementError for agreement columns that exist nowhere,
/// InputError for a missing id column or (with strict) the first rejected row.
Dataset build_dataset(RawTable leads, std::optional<RawTable> prospects, const LoadOptions& options);

/// Reads the files, then build_dataset.
Dataset load_dataset(const std::string& leads_path, const std::optional<std::string>& prospects_path,
                     const LoadOptions& options);

}  // namespace leadfunnel
