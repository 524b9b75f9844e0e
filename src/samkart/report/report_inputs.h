// What every report is built from: the national dataset, the instrument,
// the invited counts and the publication rules, shared read-only by the
// threads that build municipality reports in parallel.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "samkart/analysis/dataset.h"
#include "samkart/analysis/publication.h"
#include "samkart/instrument/instrument.h"
#include "samkart/store/store.h"

namespace samkart::report {

struct ReportInputs {
  const analysis::Dataset* data = nullptr;
  const instrument::Instrument* instrument = nullptr;
  std::vector<store::InvitedCount> invited;
  analysis::PublicationRules rules;
  // The gate every number passes; made from data, instrument and rules by
  // WithPublication when left empty.
  std::shared_ptr<analysis::Publication> publication;
  std::string source;        // «SQLite-fil out/samkart.sqlite»
  std::string generated_on;  // «23.11.2026»
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
