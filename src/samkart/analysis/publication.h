// The publication gate: the one place that decides which numbers may be
// shown. Every channel — `samkart table`, the national report, every
// municipality report, the explorer and its downloads — computes its
// tables with ComputeTable and passes them through Publication::Apply,
// which marks each cell as its canonical cell is marked.
//
// Canonical tables. Everything Samkart publishes is a margin of one
// cross-classification within a round set (the baseline rounds, or the
// follow-up rounds; the two never overlap): municipality (nested in region
// and size group) × year × service × position. The canonical tables are
// those broken down by at most two of municipality, region, size group,
// year, service and position (municipality beside its own region or size
// group adds nothing). A request is published only when its filters and
// breakdown together name such a table: single values of canonical
// variables, the round set, nothing else. Anything else — a range of
// codes or years, several values, the questionnaire generation, three
// variables — is refused with a message saying what is allowed, because
// two such answers subtracted would give cells the gate never protected.
//
// Protection. All canonical tables of a family in a round set are
// protected together, as linked tables: primary suppression (a group whose
// denominator is below min_n for any item, and with the small-count rule a
// count or its complement at most T), then secondary suppression over every
// sum between the tables (ProtectLinkedCells: the line rule, then the audit
// until no sensitive cell is exposed). Respondent counts are a family of
// their own. A group with no answers (n = 0) is never hidden and never a
// share: it is shown as «ingen svar».
//
// Audiences. What administrators, regional analysts, coordinators and the
// reports show is one publication (kFull). Readers, who may not see single
// municipalities, get tables without the municipality and every cell built
// from fewer than kMinMunicipalities municipalities treated as sensitive
// (kAggregatesOnly), protected the same way.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "samkart/analysis/linked_cells.h"
#include "samkart/analysis/table.h"
#include "samkart/core/result.h"

namespace samkart::analysis {

// The smallest group a published share may rest on, unless the user sets another.
inline constexpr std::size_t kDefaultMinN = 10;

struct PublicationRules {
  std::size_t min_n = kDefaultMinN;
  // Also hide when count ≤ this or n − count ≤ this (off when empty).
  std::optional<std::size_t> max_small_count;
};

// The fewest municipalities a cell may be built from for a reader.
inline constexpr std::size_t kMinMunicipalities = 3;

enum class Audience { kFull, kAggregatesOnly };

// The pseudo-family of respondent counts (everyone in a group counts once).
inline constexpr const char* kRespondentsFamily = "respondenter";

struct SuppressionSummary {
  std::size_t primary_groups = 0;
  std::size_t secondary_groups = 0;
  std::size_t hidden_cells = 0;
};

// Region and size group of each municipality (number → (region, size
// group)): municipalities are nested in both.
std::map<int, std::pair<int, int>> MunicipalityNesting(const Dataset& data);

// The variables a canonical table may use, in the order a table lists them.
const std::vector<Variable>& CanonicalVariables();

// One family (or the respondents) in one round set, protected.
struct ProtectedFamily {
  std::string family;
  bool follow_up = false;
  // Canonical tables: each a sorted set of variables; cells by their values.
  std::vector<std::vector<Variable>> tables;
  std::vector<std::map<std::vector<int>, std::size_t>> cells_of_table;
  // Per cell: its table and values.
  std::vector<std::pair<std::size_t, std::vector<int>>> address;
  // Items (indices into Dataset::item_refs); layer 2i is item i's n, 2i+1
  // its count. The respondents have one layer.
  std::vector<std::size_t> items;
  LinkedCells cells;
  Sensitivity sensitivity;
  std::vector<bool> primary;
  std::vector<bool> hidden;
  // Municipalities each cell is built from.
  std::vector<std::size_t> municipalities;
};

class Publication {
 public:
  Publication(const Dataset& data, const instrument::Instrument& instrument, PublicationRules rules,
              Audience audience = Audience::kFull);

  const PublicationRules& rules() const { return rules_; }
  Audience audience() const { return audience_; }
  const Dataset& data() const { return data_; }

  // Marks every row (and reference) of tables ComputeTable made as its
  // canonical cell is marked: hidden cells zeroed and `suppressed`. Fails,
  // changing nothing, when a table is not a canonical table.
  Result<SuppressionSummary> Apply(std::vector<Table>& tables);

  // Respondent counts per value of `by` within `where` (canonical filters),
  // with hidden ones marked; value → (count, hidden).
  Result<std::vector<std::pair<int, std::pair<std::size_t, bool>>>> Respondents(
      const std::vector<Filter>& where, std::optional<Variable> by);

  // The protected family (computed once, then kept). Threads may ask for
  // different families at once; each is protected by the first that asks.
  Result<const ProtectedFamily*> Family(const std::string& family, bool follow_up);

  // Protects every family (and the respondents) in both round sets on up to
  // `threads` threads (0: one per core), so the channels that publish
  // everything find them ready. `progress(done, total)` after each.
  void ProtectAll(unsigned threads,
                  const std::function<void(std::size_t, std::size_t)>& progress = {});

  // Why a request cannot be published (Norwegian), or nullopt.
  std::optional<std::string> NotPublishable(const std::vector<Filter>& where,
                                            const std::vector<Variable>& by) const;

 private:
  struct Address {
    bool follow_up = false;
    std::vector<Variable> vars;
    std::vector<int> values;
  };
  // The canonical address of the cell `where` + `by` = `group`; an error
  // when it is not one.
  Result<Address> AddressOf(const std::vector<Filter>& where, const std::vector<Variable>& by,
                            const std::vector<int>& group) const;
  // nullopt: the cell has no respondents (not in the table).
  std::optional<std::size_t> CellOf(const ProtectedFamily& family, const Address& address) const;
  ProtectedFamily Protect(const std::string& family, bool follow_up) const;

  // The atoms of a round set — municipality × year × service × position,
  // packed in a key — with their respondents, each row's atom (UINT32_MAX
  // outside the set), and the canonical cells they make up with the sums
  // between them: the same for every family, so made once.
  struct Atoms {
    std::vector<uint64_t> keys;
    std::vector<double> respondents;
    std::vector<uint32_t> of_row;
    std::vector<uint32_t> rows;  // the rows in the set
    std::vector<std::vector<Variable>> tables;
    std::vector<std::map<std::vector<int>, std::size_t>> cells_of_table;
    std::vector<std::pair<std::size_t, std::vector<int>>> address;
    std::vector<std::vector<uint32_t>> cells_of_atom;  // one cell per table
    std::vector<double> cell_respondents;
    std::vector<std::size_t> municipalities;
    std::vector<LinkedCells::Sum> sums;
  };
  const Atoms& AtomsOf(bool follow_up) const;
  // Per layer (n and count per item, or respondents without a family) and atom.
  std::vector<std::vector<double>> AtomValues(const Atoms& atoms,
                                              const std::vector<std::size_t>& items,
                                              const ShareRule* rule) const;
  void MarkPrimary(ProtectedFamily& family, const std::vector<double>& respondents,
                   bool by_share) const;
  // A municipality makes its region, size group and (with one round in
  // the set) year redundant in `fixed`; true when they contradict it and
  // the cell is one nobody is in.
  Result<bool> FoldIntoMunicipality(std::map<Variable, int>& fixed, bool follow_up) const;

  const Dataset& data_;
  const instrument::Instrument& instrument_;
  PublicationRules rules_;
  Audience audience_;
  std::map<int, std::pair<int, int>> nesting_;
  // Years of each municipality per round set: a municipality with one round
  // in a set is the same cell with or without its year.
  std::map<int, std::vector<int>> years_[2];
  struct Slot {
    std::once_flag once;
    std::unique_ptr<ProtectedFamily> family;
  };
  struct AtomSlot {
    std::once_flag once;
    Atoms atoms;
  };
  mutable AtomSlot atoms_[2];
  std::mutex mutex_;  // guards the map, not the protection
  std::map<std::pair<std::string, bool>, std::shared_ptr<Slot>> families_;
};

}  // namespace samkart::analysis
