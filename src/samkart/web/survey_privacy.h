// The privacy statement a respondent reads before the first question
// (the information the GDPR's article 13 asks for): who is responsible, whom
// to ask, why, that answering is voluntary, how nobody can be identified,
// and where the results go. The installation may give its own text
// (`samkart serve --privacy-statement FILE`); each municipality sets its
// controller and contact.
#pragma once

#include <cstddef>
#include <string>

#include "samkart/store/store.h"

namespace samkart::web {

// The text when the installation gives none. Placeholders, filled in per
// round: {kommune}, {behandlingsansvarlig}, {kontakt}, {k} and {fritekst}
// (a list line about free text, empty when the round asks none).
extern const char* const kDefaultPrivacyStatement;

// «Eksempel kommune»: the controller when the municipality has set none.
std::string DefaultController(const std::string& municipality_name);

struct PrivacyFacts {
  std::string municipality_name;
  store::PrivacyContact contact;  // controller empty: the default
  std::size_t k = 5;
  bool asks_free_text = false;
};

// The statement as HTML: `statement` (the installation's text, or the
// default when empty) with the placeholders filled in and escaped. Plain
// paragraphs separated by blank lines; «# » and «## » start headings,
// «- » list items.
std::string PrivacyStatementHtml(const std::string& statement, const PrivacyFacts& facts);

}  // namespace samkart::web
