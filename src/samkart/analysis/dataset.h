// The national data in memory, column by column: one small integer per
// respondent for every background variable and every item. Loaded once from
// the store and shared read-only by the CLI, the reports and the server; a
// crosstab over a million respondents is then a loop over two byte arrays.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "samkart/core/result.h"
#include "samkart/instrument/instrument.h"
#include "samkart/store/store.h"

namespace samkart::analysis {

// Background variables a table can be broken down or filtered by.
enum class Variable {
  kMunicipality,
  kYear,
  kRoundType,
  kGeneration,
  kRegion,
  kSizeGroup,
  kService,
  kPosition,
};

// «service», «size_group» … as written on the command line; nullopt if unknown.
std::optional<Variable> ParseVariable(const std::string& name);
const char* VariableName(Variable variable);
// Norwegian heading: «Tjenestested», «Kommunestørrelse» …
const char* VariableLabel(Variable variable);

// One background column, whichever width it is stored in.
struct ColumnView {
  const uint8_t* narrow = nullptr;
  const uint16_t* wide = nullptr;

  int operator[](std::size_t row) const { return narrow ? narrow[row] : wide[row]; }
};

// The survey rounds (municipality × year × round type), the clusters of
// design-based estimates: their rows, round after round, in municipality
// order, so one pass visits each round's rows together.
struct RoundIndex {
  std::vector<uint32_t> rows;     // row numbers, round after round
  std::vector<uint32_t> starts;   // round k's rows: rows[starts[k]] … rows[starts[k + 1] − 1]
  std::vector<int> municipality;  // each round's municipality

  std::size_t Count() const { return municipality.size(); }
};

struct Dataset {
  std::size_t rows = 0;
  // Background columns, one entry per respondent. Codes are the
  // instrument's (service, position, size group, region, round type),
  // generation as its 1-based index in Instrument::generations, and the
  // municipality's number and the year as they are.
  std::vector<uint16_t> municipality;
  std::vector<uint16_t> year;
  std::vector<uint8_t> round_type;
  std::vector<uint8_t> generation;
  std::vector<uint8_t> region;
  std::vector<uint8_t> size_group;
  std::vector<uint8_t> service;
  std::vector<uint8_t> position;
  // Answers by Instrument::ItemsInOrder(): code, kBlank or kNotAsked.
  std::vector<std::vector<uint8_t>> items;
  std::vector<instrument::ItemRef> item_refs;
  // Municipality number → name, from the register.
  std::map<int, std::string> municipality_names;
  // The values each background variable takes, ascending (filled by
  // LoadDataset; ComputeTable finds them itself when absent).
  std::map<Variable, std::vector<int>> distinct_values;
  // Filled by LoadDataset; ComputeTable indexes the rounds itself when empty.
  RoundIndex rounds;

  ColumnView Column(Variable variable) const;
  // The index into item_refs of «family.item», or nullopt.
  std::optional<std::size_t> ItemIndex(const std::string& qualified_id) const;
  int Value(Variable variable, std::size_t row) const { return Column(variable)[row]; }
};

// Groups the rows by survey round.
RoundIndex IndexRounds(const Dataset& data);

// Reads every respondent of the store. Items the store has but the
// instrument lacks are left out; items the instrument has but no batch
// stored are all kNotAsked.
Result<Dataset> LoadDataset(store::Store& store, const instrument::Instrument& instrument);

}  // namespace samkart::analysis
