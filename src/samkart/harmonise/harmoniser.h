// From a survey tool's columns to the harmonised instrument: choose the
// questionnaire generation, map every column through that generation's
// crosswalk, recode every cell, apply the routing (who was not asked), and
// refuse personal data in columns that would be kept. Identifier columns are
// dropped here, before anything is stored.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "samkart/core/result.h"
#include "samkart/instrument/instrument.h"
#include "samkart/io/source_reader.h"

namespace samkart::harmonise {

struct GenerationChoice {
  const instrument::Crosswalk* crosswalk = nullptr;
  std::string reason;  // Norwegian, for the import report
};

// The generation whose crosswalk knows the file's columns: the one given
// (`requested`), else the one that knows most of them, with the survey year
// breaking a tie. Fails when a column is unknown to the chosen crosswalk.
Result<GenerationChoice> ChooseGeneration(const instrument::Instrument& instrument,
                                          const std::vector<io::SourceColumn>& columns,
                                          const std::string& display_name,
                                          const std::optional<std::string>& requested,
                                          std::optional<int> year);

// One respondent after harmonisation, before anonymisation.
struct HarmonisedRow {
  std::size_t source_row = 0;  // row number in the file (for messages)
  int municipality = 0;
  int year = 0;
  int service = 0;               // service code
  int position = 0;              // position code
  std::vector<uint8_t> answers;  // by Instrument::ItemsInOrder(); codes, kBlank or kNotAsked
};

// What the harmoniser did to one column, for the import report.
struct ColumnReport {
  std::string source;  // column name in the file
  std::string target;  // family.item, a background variable, or «fjernet (e-post)»
  // Source value as written → target code, with how many cells.
  std::map<std::pair<std::string, int>, std::size_t> recodings;
};

struct HarmoniseOptions {
  std::optional<int> municipality;  // given on the command line or by a manifest
  std::optional<int> year;
};

class Harmoniser {
 public:
  // Builds the column plan. Fails on a crosswalk without a service column
  // and on a file without municipality or year when none is given.
  static Result<Harmoniser> Create(const instrument::Instrument& instrument,
                                   const instrument::Crosswalk& crosswalk,
                                   const io::SourceReader& source, const std::string& display_name,
                                   const HarmoniseOptions& options);

  // Harmonises one row. Returns false (not an error) when the row has no
  // answer at all and is rejected; the reason is counted in rejected().
  // A row with a bad cell also returns false, and the problem is kept for
  // problems(): the user gets every problem in the file at once.
  Result<bool> Convert(const io::SourceRow& row, HarmonisedRow& out);

  // Every problem met so far, the same problem in one column listed once
  // with how many rows have it; an error naming them all (nullopt: none).
  std::optional<Error> ProblemsFound() const;

  // Every column with what was done to it and every recoding applied.
  std::vector<ColumnReport> ColumnReports() const;
  std::vector<std::string> dropped_identifiers() const;
  // Rejected rows by reason.
  const std::map<std::string, std::size_t>& rejected() const { return rejected_; }
  // Answers present in the file for questions the routing says were not
  // asked (and therefore stored as not asked), by reason.
  const std::map<std::string, std::size_t>& routed_away() const { return routed_away_; }
  std::size_t item_count() const { return items_.size(); }

 private:
  enum class Kind { kDrop, kMunicipality, kYear, kService, kPosition, kAnswer };

  struct Column {
    Column() = default;
    // Moved, never copied: first_seen points into this column's own map.
    Column(Column&&) = default;
    Column& operator=(Column&&) = default;
    Column(const Column&) = delete;
    Column& operator=(const Column&) = delete;

    Kind kind = Kind::kDrop;
    std::string name;
    std::string target;
    std::string identifier_kind;  // for kDrop of an identifier column
    std::size_t item = 0;         // kAnswer: index into items_
    std::unordered_map<int, int> by_code;
    std::unordered_map<std::string, int> by_label;         // folded label → target code
    std::unordered_map<double, std::string> value_labels;  // SPSS/Stata, folded
    struct Seen {
      int code = 0;
      std::size_t count = 0;
    };
    std::unordered_map<std::string, Seen> seen;  // raw text → target code, and how often
    // The first distinct values, compared before the map is asked: most
    // columns have a handful of categories, and comparing a few short
    // strings costs less than hashing one. They point into `seen`, whose
    // entries never move.
    static constexpr std::size_t kFirstSeen = 12;
    std::vector<std::pair<std::string_view, Seen*>> first_seen;
    std::string known;   // the categories, listed for error messages
    std::string report;  // where the column went, for the import report
  };

  // The routing of one question family, resolved to item indices once.
  struct Route {
    std::size_t first = 0, end = 0;  // items_[first, end)
    const instrument::Family* family = nullptr;
    std::optional<std::size_t> condition_item;
    std::vector<int> condition_codes;
    std::string not_asked_reason, condition_reason, own_service_reason;
  };

  Harmoniser(const instrument::Instrument& instrument, std::string display_name,
             std::string row_unit, HarmoniseOptions options);

  Result<int> Recode(Column& column, std::size_t index, const io::SourceRow& row);
  // Refuses e-mail addresses and phone numbers in a kept column.
  Status CheckPersonalData(const io::SourceRow& row, const Column& column, std::size_t index) const;
  Result<int> Integer(const Column& column, const io::SourceRow& row, std::size_t index) const;
  // Records the problem (see ProblemsFound) and returns it as an error.
  // Problems of one column with the same `same_problem` (default: the
  // message) are listed once, with how many rows have them.
  Error CellError(const io::SourceRow& row, const Column& column, const std::string& what,
                  const std::string& same_problem = "") const;
  Error RowError(const io::SourceRow& row, const std::string& what) const;
  // Counts a problem, listed once per column and key (a row problem has no column).
  void Record(std::string where, const std::string& column, const std::string& key,
              const std::string& what) const;
  std::string Where(const io::SourceRow& row) const;
  void BuildRoutes(const std::map<std::string, std::size_t>& item_index);
  void ApplyRouting(HarmonisedRow& out);

  // One problem of the file: the first row that has it and how many do.
  struct Problem {
    std::string where;  // «rad 38 (linje 42 i teksten)»
    std::string column;
    std::string what;
    std::size_t rows = 0;
  };
  // By column and message; mutable because the checks that find problems
  // are otherwise const.
  mutable std::map<std::pair<std::string, std::string>, std::size_t> problem_index_;
  mutable std::vector<Problem> problems_;
  mutable std::size_t problem_cells_ = 0;
  std::size_t problem_rows_ = 0;

  const instrument::Instrument* instrument_;
  std::string name_;
  std::string row_unit_;
  HarmoniseOptions options_;
  std::vector<instrument::ItemRef> items_;
  std::vector<bool> item_asked_;  // by this generation's crosswalk
  std::vector<Column> plan_;      // one per source column
  std::vector<Route> routes_;     // one per family
  int unstated_service_ = 0;
  int unstated_position_ = 0;
  std::map<std::string, std::size_t> rejected_;
  std::map<std::string, std::size_t> routed_away_;
};

// True for values that look like an e-mail address or a Norwegian phone
// number: personal data that must never reach the store.
bool LooksLikeEmail(std::string_view value);
bool LooksLikePhoneNumber(std::string_view value);
// Hides most of a value so an error message does not repeat personal data.
std::string Mask(std::string_view value);

}  // namespace samkart::harmonise
