// Deleting data for good: a mistaken import, a withdrawn municipality, a
// data-protection request. The statements are the same on both backends,
// in an order the foreign keys allow; each backend runs them in one
// transaction and counts what every counted statement removed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "samkart/core/result.h"

namespace samkart::store {

class SqlSession;

// One import batch, or all of one municipality's round in a year.
struct DeletionTarget {
  enum class Kind { kBatch, kRound };
  Kind kind = Kind::kBatch;
  int64_t batch_id = 0;
  int municipality = 0;
  int year = 0;
};

// What a deletion removed (or, previewed, would remove).
struct Removal {
  std::size_t respondents = 0;
  std::size_t batches = 0;
  std::size_t survey_rounds = 0;  // rounds run in Samkart, with their links
  std::size_t held_answers = 0;   // answers of an open round, not yet anonymised
  std::size_t drafts = 0;         // answers in progress
  std::size_t invited = 0;        // invited counts per service
};

struct DeletionStep {
  // SQL with ?1 (the batch id, or the municipality) and ?2 (the year), or
  // without parameters.
  std::string sql;
  std::size_t Removal::*counted = nullptr;  // the count it adds to, if any
  // How many of the target's values the statement takes: 0, 1 or 2.
  int Parameters() const {
    return sql.find("?2") != std::string::npos ? 2 : sql.find("?1") != std::string::npos ? 1 : 0;
  }
};

std::vector<DeletionStep> DeletionSteps(const DeletionTarget& target);

// Runs the steps inside a transaction the caller holds, without counting:
// an import that replaces a batch deletes it this way before it writes.
Status ApplyDeletion(SqlSession& session, const DeletionTarget& target);

// «230 respondenter, 1 import, …»: the parts that are not zero.
std::string DescribeRemoval(const Removal& removal);

}  // namespace samkart::store
