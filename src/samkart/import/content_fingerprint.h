// What a batch's respondents answered, whatever file carried it. The SHA-256
// of a file's bytes recognises the same file imported again; the same export
// saved once more in another encoding, with another separator, its columns
// or rows in another order or under another name has other bytes but the
// same respondents, and storing them twice would double a municipality's
// round without a word. The fingerprint therefore hashes the harmonised rows
// before anonymisation (municipality, year, service, position and every
// answer code in the instrument's item order): each row on its own, then the
// sorted row hashes, so the order of the rows does not count, while a row
// given twice counts twice.
#pragma once

#include <string>
#include <vector>

#include "samkart/harmonise/harmoniser.h"

namespace samkart::import {

// Lower-case hex SHA-256.
std::string ContentFingerprint(const std::vector<harmonise::HarmonisedRow>& rows);

}  // namespace samkart::import
