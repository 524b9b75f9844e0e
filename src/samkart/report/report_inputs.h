// What every report is built from: the national dataset, the instrument,
// the invited counts and the publication rules, shared read-only by the
// threads that build municipality reports in parallel.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "samkart/analysis/dataset.h"
#include "samkart/analysis/publication.h"
#include "samkart/instrument/instrument.h"
#include "samkart/store/store.h"

namespace samkart::report {

// Published tables already made for one report, by request: the national
// report asks for the same family and breakdown from several chapters.
struct TableMemo {
  std::mutex mutex;
  std::map<std::string, analysis::Table> tables;
};

struct ReportInputs {
  const analysis::Dataset* data = nullptr;
  const instrument::Instrument* instrument = nullptr;
  std::vector<store::InvitedCount> invited;
  analysis::PublicationRules rules;
  // The gate every number passes; made from data, instrument and rules by
  // WithPublication when left empty.
  std::shared_ptr<analysis::Publication> publication;
  // The imported files (format, generation, rows read, generalised and
  // rejected), for the national report's account of its method.
  std::vector<store::BatchInfo> batches;
  // The k of k-anonymity the import reports state, each once.
  std::vector<std::size_t> import_k;
  // When set, PublishedTable keeps what it made here (one report's tables;
  // the municipality reports, built in parallel, leave it empty).
  std::shared_ptr<TableMemo> memo;
  std::string source;        // «SQLite-fil out/samkart.sqlite»
  std::string generated_on;  // «23.11.2026»
  // Respondents' comments the coordinator approved, masked, by municipality
  // (store::SurveyTextStore::ApprovedSurveyComments): a chapter of the
  // municipality's report. Never numbers, never in the national report.
  std::map<int, std::vector<std::string>> comments{};
};

// The inputs with their publication gate (made once, shared by copies).
inline ReportInputs WithPublication(ReportInputs inputs) {
  if (!inputs.publication) {
    inputs.publication =
        std::make_shared<analysis::Publication>(*inputs.data, *inputs.instrument, inputs.rules);
  }
  return inputs;
}

}  // namespace samkart::report
