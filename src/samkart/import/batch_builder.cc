#include "samkart/import/batch_builder.h"

#include <utility>

#include <fmt/format.h>

namespace samkart::import {

Result<BuiltBatch> BuildBatch(std::vector<harmonise::HarmonisedRow> rows,
                              const instrument::Instrument& instrument, std::size_t k,
                              store::NewBatch batch) {
  SAMKART_ASSIGN_OR_RETURN(auto anonymisation, anonymise::MakeKAnonymous(rows, instrument, k));
  batch.rows_generalised = anonymisation.rows_generalised;
  batch.respondents.clear();
  batch.respondents.reserve(rows.size());
  for (auto& r : rows) {
    batch.respondents.push_back(
        {r.municipality, r.year, r.service, r.position, std::move(r.answers)});
  }
  return BuiltBatch{std::move(batch), std::move(anonymisation)};
}

std::string AnonymisationLine(std::size_t k, const anonymise::AnonymisationReport& report) {
  return fmt::format(
      "Anonymisering (k = {}): {} rader fikk stillingen generalisert, {} tjenesten\n", k,
      report.positions_generalised, report.services_generalised);
}

}  // namespace samkart::import
