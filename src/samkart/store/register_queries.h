// The municipality register and the invited counts, said once for every
// backend over sql_session.h. The caller holds the transaction a write
// needs, as for batch_writer.h.
#pragma once

#include <vector>

#include "samkart/core/result.h"
#include "samkart/store/sql_session.h"
#include "samkart/store/store.h"

namespace samkart::store {

// Adds or updates each municipality by its number.
Status WriteMunicipalities(SqlSession& session, const std::vector<Municipality>& municipalities);
// The register by municipality number.
Result<std::vector<Municipality>> ReadMunicipalities(SqlSession& session);

// Adds or updates each count by round and service; fails when a
// municipality is missing from the register.
Status WriteInvitedCounts(SqlSession& session, const std::vector<InvitedCount>& counts);
// By municipality, year, round type and service (text in byte order, the
// same in both backends).
Result<std::vector<InvitedCount>> ReadInvitedCounts(SqlSession& session);

}  // namespace samkart::store
