// Fuzz target for what a browser sends the web application. Byte 0 picks
// the reader: even, a survey draft as JSON (as stored between pages); odd,
// an explorer query string. Whatever the bytes, a draft is read without
// crashing, and a valid one either validates, or is refused with a message,
// and harmonises or fails cleanly; a query is parsed or refused, and a
// parsed query's canonical URL parses back to the same canonical URL.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "samkart/analysis/dataset.h"
#include "samkart/instrument/loader.h"
#include "samkart/web/explorer.h"
#include "samkart/web/survey.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

const samkart::instrument::Instrument& TheInstrument() {
  static const samkart::instrument::Instrument instrument =
      *samkart::instrument::LoadEmbeddedInstrument().instrument;
  return instrument;
}

// %XX and '+' as a browser's form encoding writes them.
std::string Decode(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%' && i + 2 < text.size() &&
               std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

samkart::web::QueryParams ParseQueryString(const std::string& text) {
  samkart::web::QueryParams params;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('&', start);
    if (end == std::string::npos) end = text.size();
    const std::string pair = text.substr(start, end - start);
    const std::size_t eq = pair.find('=');
    if (!pair.empty()) {
      params.emplace(Decode(pair.substr(0, eq)),
                     eq == std::string::npos ? "" : Decode(pair.substr(eq + 1)));
    }
    start = end + 1;
  }
  return params;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto& instrument = TheInstrument();
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 0) {
    static const auto form = samkart::web::SurveyForm::Create(
        instrument, instrument.CurrentGeneration()->id, {"barnehage", "barneskole", "barnevern"});
    Check(form.ok());
    const auto draft = samkart::web::SurveyDraft::FromJson(text);
    // A draft read back is stable: what was kept survives a round trip.
    Check(samkart::web::SurveyDraft::FromJson(draft.ToJson()).ToJson() == draft.ToJson());
    (void)form->ApplicablePages(draft);
    if (!form->Invalid(draft)) (void)form->Harmonise(draft, 9001, 2026);
  } else {
    static const samkart::analysis::Dataset empty;
    const auto query = samkart::web::ParseExplorerQuery(ParseQueryString(text), instrument, empty);
    if (query.ok()) {
      const std::string canonical = samkart::web::CanonicalQueryString(*query, instrument);
      const auto again =
          samkart::web::ParseExplorerQuery(ParseQueryString(canonical), instrument, empty);
      Check(again.ok());
      Check(samkart::web::CanonicalQueryString(*again, instrument) == canonical);
    } else {
      Check(!query.error().message.empty());
    }
  }
  return 0;
}
