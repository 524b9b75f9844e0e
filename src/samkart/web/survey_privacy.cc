#include "samkart/web/survey_privacy.h"

#include <fmt/format.h>

#include "samkart/core/text.h"
#include "samkart/web/http.h"

namespace samkart::web {

const char* const kDefaultPrivacyStatement = R"(# Om personvern

{behandlingsansvarlig} er behandlingsansvarlig for kartleggingen. Samkart, verktøyet som samler inn svarene, drives på vegne av kommunen og behandler svarene bare slik kommunen bestemmer.

Spørsmål om personvern og kartleggingen kan du stille til {kontakt}.

Formålet er å kartlegge kompetanse og samarbeid blant ansatte som arbeider med barn og unge, slik at kommunen kan planlegge opplæring og samarbeidet mellom tjenestene.

Det er frivillig å svare, og du kan avbryte når som helst. Et skjema som ikke er sendt inn, blir ikke med i resultatene.

Ingen kan se hvem som har svart hva:
- IP-adressen din og tidspunktet du svarte, lagres ikke sammen med svarene.
- Svarene lagres uten noen kobling til deg.
- Resultater vises aldri for grupper med færre enn {k} svar.
{fritekst}

Resultatene brukes i kommunens rapport og går, anonymisert, inn i den nasjonale databasen for kartleggingen.

Fordi svaret ikke kan knyttes til deg, kan ingen finne fram, rette eller slette det etter at du har sendt det inn.
)";

std::string DefaultController(const std::string& municipality_name) {
  if (municipality_name.ends_with("kommune")) return municipality_name;
  return municipality_name + " kommune";
}

namespace {

std::string Contact(const PrivacyFacts& facts) {
  const store::PrivacyContact& c = facts.contact;
  std::vector<std::string> ways;
  if (!c.email.empty()) ways.push_back("e-post " + c.email);
  if (!c.phone.empty()) ways.push_back("telefon " + c.phone);
  if (c.contact_name.empty() && ways.empty()) {
    return "kommunens personvernombud (se kommunens nettsider)";
  }
  const std::string who = c.contact_name.empty() ? "kommunen" : c.contact_name;
  return ways.empty() ? who : fmt::format("{} ({})", who, text::Join(ways, ", "));
}

void ReplaceAll(std::string& text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

}  // namespace

std::string PrivacyStatementHtml(const std::string& statement, const PrivacyFacts& facts) {
  std::string source = statement.empty() ? kDefaultPrivacyStatement : statement;
  ReplaceAll(source, "{kommune}", facts.municipality_name);
  ReplaceAll(source, "{behandlingsansvarlig}",
             facts.contact.controller.empty() ? DefaultController(facts.municipality_name)
                                              : facts.contact.controller);
  ReplaceAll(source, "{kontakt}", Contact(facts));
  ReplaceAll(source, "{k}", std::to_string(facts.k));
  ReplaceAll(source, "{fritekst}",
             facts.asks_free_text
                 ? "- Det du skriver i fritekstfeltet, lagres atskilt fra svarene, og navn, "
                   "e-postadresser og telefonnumre maskeres før noen leser det."
                 : "");

  std::string html;
  std::string paragraph;
  bool in_list = false;
  auto flush = [&] {
    if (!paragraph.empty()) html += "<p>" + Escape(paragraph) + "</p>\n";
    paragraph.clear();
  };
  auto close_list = [&] {
    if (in_list) html += "</ul>\n";
    in_list = false;
  };
  for (const auto& raw : text::Split(source, '\n')) {
    const std::string line(text::Trim(raw));
    if (line.empty()) {
      flush();
      close_list();
    } else if (line.starts_with("## ") || line.starts_with("# ")) {
      flush();
      close_list();
      const bool sub = line.starts_with("## ");
      html += fmt::format("<h{0}>{1}</h{0}>\n", sub ? 3 : 2, Escape(line.substr(sub ? 3 : 2)));
    } else if (line.starts_with("- ")) {
      flush();
      if (!in_list) html += "<ul>\n";
      in_list = true;
      html += "<li>" + Escape(line.substr(2)) + "</li>\n";
    } else {
      close_list();
      paragraph += paragraph.empty() ? line : " " + line;
    }
  }
  flush();
  close_list();
  return html;
}

}  // namespace samkart::web
