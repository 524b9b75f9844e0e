// The one route from harmonised rows to a batch the store can write: the
// rows are made k-anonymous, the import report gets its anonymisation line,
// and the rows become the batch's respondents. The file import and the
// closing of a web survey round both go through it, so a respondent is
// anonymised and stored the same way whichever way the answer came.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "samkart/anonymise/k_anonymity.h"
#include "samkart/core/result.h"
#include "samkart/harmonise/harmoniser.h"
#include "samkart/instrument/instrument.h"
#include "samkart/store/store.h"

namespace samkart::import {

struct BuiltBatch {
  // Everything but `report` and the caller's provenance is filled in.
  store::NewBatch batch;
  anonymise::AnonymisationReport anonymisation;
};

// Anonymises `rows` with `k` and moves them into `batch.respondents`;
// `batch` carries the caller's provenance (file name, hash, format,
// generation, round types, item ids, rows read and rejected). Fails, with
// nothing changed in the store, when a round has fewer than k respondents.
Result<BuiltBatch> BuildBatch(std::vector<harmonise::HarmonisedRow> rows,
                              const instrument::Instrument& instrument, std::size_t k,
                              store::NewBatch batch);

// «Anonymisering (k = 5): 3 rader fikk stillingen generalisert, 1 tjenesten»,
// the line every import report has.
std::string AnonymisationLine(std::size_t k, const anonymise::AnonymisationReport& report);
// The k an import report's anonymisation line states; nullopt without one.
std::optional<std::size_t> AnonymisationK(std::string_view report);
// Every k the store's import reports state, ascending, each once.
Result<std::vector<std::size_t>> StatedAnonymisationKs(store::Store& store);

}  // namespace samkart::import
