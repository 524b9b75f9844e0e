// A draft crosswalk for an export Samkart has never seen, built from the
// file's profile: every column mapped to what it most likely is (answer to
// which item, background, identifier, technical), every answer label and
// value label matched to a scale category, and every row marked «sikker»
// or «sjekk» with the reason. The user reviews the draft in a spreadsheet
// and imports with it (`--crosswalk`); the rows to check are the only work.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "samkart/describe/file_profile.h"
#include "samkart/instrument/instrument.h"

namespace samkart::describe {

// One row of the draft, in the crosswalk file's columns.
struct SuggestedRow {
  std::string source_variable;
  std::string source_question;
  std::string role;    // identifier | background | answer | ignore | scale
  std::string target;  // family.item, background variable, identifier kind or scale
  std::string source_code;
  std::string source_label;
  std::string target_code;
  bool sure = true;
  std::string reason;  // Norwegian: why, and what to check
};

struct CrosswalkSuggestion {
  std::string generation;
  std::string generation_reason;
  std::vector<SuggestedRow> rows;
  std::size_t columns = 0;
  std::size_t columns_to_check = 0;
};

// The draft for one file; `generation` when the user knows it, else the
// generation that asks the most of the matched items (the current one on a tie).
CrosswalkSuggestion SuggestCrosswalk(const FileProfile& profile,
                                     const instrument::Instrument& instrument,
                                     const std::optional<std::string>& generation = std::nullopt);

// «32 kolonner, 31 av dem sikre; 39 rader, 1 merket «sjekk»»: what the
// command and the web page say of a draft.
std::string SuggestionSummary(const CrosswalkSuggestion& suggestion);

// The draft as the loader reads it: UTF-8 with a byte order mark and
// semicolons (Norwegian spreadsheets open it as columns), a «generation»
// column, the note «sikker: …» or «sjekk: …», formula-like cells escaped.
std::string CrosswalkCsv(const CrosswalkSuggestion& suggestion);

// «g5-questback-eksport»: the layout name for a draft of `file`.
std::string LayoutName(const std::string& generation, const std::string& file);

}  // namespace samkart::describe
