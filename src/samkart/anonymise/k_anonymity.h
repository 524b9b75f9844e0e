// k-anonymity at the door: in every round (municipality × year), each
// combination of service and position is shared by at least k respondents.
// Small combinations are generalised along the instrument's chains
// (generalises_to): services first, where a whole service is too small in
// the round, then positions inside each service.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "samkart/core/result.h"
#include "samkart/harmonise/harmoniser.h"
#include "samkart/instrument/instrument.h"

namespace samkart::anonymise {

inline constexpr std::size_t kDefaultK = 5;

// Generalises the classes of one variable in a tree so every non-empty class
// has at least k members. `counts` holds the class sizes by code;
// `parent_of` gives a code's parent (nullopt at a root). Small classes move
// up one level at a time, deepest first; a root left with fewer than k
// members then absorbs the smallest remaining classes below it. Returns the
// code each original code ends at, or nullopt when a tree holds fewer than
// k members in all.
std::optional<std::map<int, int>> GeneraliseTree(
    const std::map<int, std::size_t>& counts,
    const std::function<std::optional<int>(int)>& parent_of, std::size_t k);

struct AnonymisationReport {
  std::size_t rows_generalised = 0;  // rows whose service or position changed
  std::size_t services_generalised = 0;
  std::size_t positions_generalised = 0;
  // One line per generalisation, in Norwegian: «9013 2017: Lege → Fagstilling (samlet): 2 rader».
  std::vector<std::string> details;
};

// Generalises service and position in place, per municipality and year.
// Fails when a round has fewer than k respondents in all: no generalisation
// makes it anonymous.
Result<AnonymisationReport> MakeKAnonymous(std::vector<harmonise::HarmonisedRow>& rows,
                                           const instrument::Instrument& instrument, std::size_t k);

}  // namespace samkart::anonymise
