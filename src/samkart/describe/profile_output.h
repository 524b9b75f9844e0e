// A file's profile as a person reads it (Norwegian text, one block per
// column) and as JSON for other programs.
#pragma once

#include <string>

#include "samkart/describe/file_profile.h"
#include "samkart/instrument/instrument.h"

namespace samkart::describe {

// Values listed per column in the text form; the JSON lists every kept value.
inline constexpr std::size_t kValuesShown = 8;

std::string ProfileText(const FileProfile& profile, const instrument::Instrument& instrument);
// What a guess means, in Norwegian with the crosswalk's word: «svar på «har
// læringsvansker» i «Kunnskap om risikofaktorer» (risk_identification.…)»,
// «identifikator: e-post («email»), fjernes ved import».
std::string GuessDescription(const ColumnGuess& guess, const instrument::Instrument& instrument);
std::string ProfileJson(const FileProfile& profile);

}  // namespace samkart::describe
