// The competence analyses (competence.h, knowledge_chain.h,
// service_links.h, follow_up_evaluation.h) for people and for programs:
// each as one table with Norwegian column names — text for reading, CSV
// and JSON for programs, XLSX for a spreadsheet — and the sharing pairs
// and the chain also as sentences. Hidden numbers stay empty and are
// marked «skjult»; text cells are neutralised against spreadsheet
// formulas.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "samkart/analysis/competence.h"
#include "samkart/analysis/dataset.h"
#include "samkart/analysis/follow_up_evaluation.h"
#include "samkart/analysis/knowledge_chain.h"
#include "samkart/analysis/service_links.h"
#include "samkart/instrument/instrument.h"
#include "samkart/io/table_writer.h"

namespace samkart::present {

enum class ColumnKind {
  kText,
  kCount,
  kShare,        // 0–1, shown as a percentage
  kPoints,       // a difference of shares, shown in percentage points
  kProbability,  // a p-value
  kNumber,
};

struct AnalysisColumn {
  std::string key;      // CSV and JSON: «andel», «ki_nedre»
  std::string heading;  // text and XLSX: «Andel», «KI nedre»
  ColumnKind kind = ColumnKind::kText;
};

// A cell: a number, a text, or empty (hidden or not applicable).
struct AnalysisCell {
  std::optional<double> number;
  std::string text;
};

struct AnalysisTable {
  std::string title;
  std::vector<std::string> notes;  // what the numbers are and what they assume
  std::vector<AnalysisColumn> columns;
  std::vector<std::vector<AnalysisCell>> rows;
};

AnalysisTable PocketsTable(const analysis::CompetencePockets& pockets,
                           const analysis::Dataset& data, const instrument::Instrument& instrument);
AnalysisTable PairsTable(const analysis::SharingPairs& pairs,
                         const instrument::Instrument& instrument);
AnalysisTable ChainTable(const analysis::KnowledgeChain& chain,
                         const instrument::Instrument& instrument);
AnalysisTable LinksTable(const analysis::ServiceLinks& links,
                         const instrument::Instrument& instrument);
AnalysisTable FollowUpTable(const analysis::FollowUpEvaluation& evaluation,
                            const analysis::Dataset& data,
                            const instrument::Instrument& instrument);

// The sharing pairs as numbered sentences with their evidence.
std::string PairsText(const analysis::SharingPairs& pairs, const instrument::Instrument& instrument,
                      std::size_t limit);

// A cell as people read it: «93 %», «+12», «0,004», the text itself.
std::string FormatAnalysisCell(const AnalysisColumn& column, const AnalysisCell& cell);

std::string FormatAnalysisText(const AnalysisTable& table);
std::string FormatAnalysisCsv(const AnalysisTable& table);
std::string FormatAnalysisJson(const AnalysisTable& table);
io::ExportTable ToExportTable(const AnalysisTable& table);

}  // namespace samkart::present
