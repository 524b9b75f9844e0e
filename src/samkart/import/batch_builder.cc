#include "samkart/import/batch_builder.h"

#include <set>
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

std::optional<std::size_t> AnonymisationK(std::string_view report) {
  constexpr std::string_view kOpening = "Anonymisering (k = ";
  const std::size_t at = report.find(kOpening);
  if (at == std::string_view::npos) return std::nullopt;
  std::size_t k = 0;
  std::size_t i = at + kOpening.size();
  const std::size_t first = i;
  for (; i < report.size() && report[i] >= '0' && report[i] <= '9'; ++i) {
    k = k * 10 + static_cast<std::size_t>(report[i] - '0');
    if (k > 1'000'000) return std::nullopt;
  }
  if (i == first || i >= report.size() || report[i] != ')') return std::nullopt;
  return k;
}

Result<std::vector<std::size_t>> StatedAnonymisationKs(store::Store& store) {
  SAMKART_ASSIGN_OR_RETURN(const std::vector<store::BatchInfo> batches, store.Batches());
  std::set<std::size_t> ks;
  for (const auto& batch : batches) {
    SAMKART_ASSIGN_OR_RETURN(const std::string report, store.BatchReport(batch.id));
    if (const auto k = AnonymisationK(report)) ks.insert(*k);
  }
  return std::vector<std::size_t>(ks.begin(), ks.end());
}

}  // namespace samkart::import
