#include "samkart/report/national_method.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "samkart/core/text.h"
#include "samkart/report/blocks.h"
#include "samkart/report/indicators.h"
#include "samkart/report/national_figures.h"

#include "fmt/format.h"

namespace samkart::report {

using analysis::Filter;
using analysis::Variable;

namespace {

std::string OneDecimal(double value) {
  std::string text = fmt::format("{:.1f}", value);
  std::replace(text.begin(), text.end(), '.', ',');
  return text;
}

// Respondents per generation. The publication rules publish respondents by
// municipality and year, not by generation; a round is one generation, so
// each generation's count is the sum of its rounds' published counts (and
// hidden if any of them is).
Result<std::vector<GroupCount>> RespondentsByGeneration(const ReportInputs& inputs,
                                                        const std::vector<Filter>& baseline) {
  const analysis::Dataset& data = *inputs.data;
  std::map<std::pair<int, int>, int> generation_of;  // (municipality, year) → generation
  for (const std::size_t row : RoundRows(data, baseline)) {
    generation_of[{data.municipality[row], data.year[row]}] = data.generation[row];
  }
  std::map<int, GroupCount> by_generation;
  for (const auto& [year, count] : SurveysBy(data, baseline, Variable::kYear)) {
    std::vector<Filter> where = baseline;
    where.push_back({Variable::kYear, {year}, std::nullopt});
    SAMKART_ASSIGN_OR_RETURN(const std::vector<GroupCount> counts,
                             PublishedCounts(inputs, where, Variable::kMunicipality));
    for (const GroupCount& c : counts) {
      const auto g = generation_of.find({c.value, year});
      if (g == generation_of.end()) continue;
      GroupCount& sum = by_generation[g->second];
      sum.value = g->second;
      sum.count += c.count;
      sum.suppressed = sum.suppressed || c.suppressed;
    }
  }
  std::vector<GroupCount> out;
  for (auto& [generation, count] : by_generation) {
    if (count.suppressed) count.count = 0;
    out.push_back(count);
  }
  return out;
}

std::vector<std::string> FamilyTitles(const std::vector<const instrument::Family*>& families) {
  std::vector<std::string> titles;
  for (const auto* f : families) titles.push_back(text::LowerFirst(f->title));
  return titles;
}

// The generations: when, how much each contributed, what it asked and
// what changed from the one before.
Result<Section> GenerationsSection(const ReportInputs& inputs,
                                   const std::vector<Filter>& baseline) {
  const instrument::Instrument& instrument = *inputs.instrument;
  SAMKART_ASSIGN_OR_RETURN(const std::vector<GroupCount> respondents,
                           RespondentsByGeneration(inputs, baseline));
  const std::map<int, std::size_t> rounds =
      SurveysBy(*inputs.data, baseline, Variable::kGeneration);
  Section section{"metode-generasjoner", "Spørreskjemaets generasjoner", 2, {}};
  section.blocks.push_back(Paragraph{fmt::format(
      "Kartleggingen er gjort med {} generasjoner av spørreskjemaet. Alle svar er oversatt til "
      "det gjeldende skjemaets spørsmål og svarskalaer; et spørsmål en generasjon ikke stilte, "
      "mangler for kommunene som brukte den, og N varierer derfor fra spørsmål til spørsmål.",
      instrument.generations.size())});
  DataTable table;
  table.caption = "Generasjoner av spørreskjemaet i materialet";
  table.columns = {"Generasjon", "År", "Undersøkelser", "Svar", "Spørsmålsfamilier"};
  std::vector<std::string> changes;
  std::vector<const instrument::Family*> previous;
  for (std::size_t g = 0; g < instrument.generations.size(); ++g) {
    const instrument::Generation& generation = instrument.generations[g];
    const int code = static_cast<int>(g + 1);  // the dataset's generation code
    const auto asked = instrument.FamiliesAskedIn(generation.id);
    const auto count = std::find_if(respondents.begin(), respondents.end(),
                                    [&](const GroupCount& c) { return c.value == code; });
    const auto round = rounds.find(code);
    const std::string years =
        generation.last_year && *generation.last_year != generation.first_year
            ? fmt::format("{}–{}", generation.first_year, *generation.last_year)
        : generation.last_year ? std::to_string(generation.first_year)
                               : fmt::format("fra {}", generation.first_year);
    table.rows.push_back(
        {TextCell(generation.name, true), TextCell(years),
         CountCell(round == rounds.end() ? 0 : round->second),
         count == respondents.end() ? CountCell(0) : CountCell(count->count, count->suppressed),
         CountCell(asked.size())});
    std::string change = fmt::format("{}: ", generation.name);
    if (g == 0) {
      change += fmt::format("spurte om {}.", text::JoinList(FamilyTitles(asked)));
    } else {
      std::vector<const instrument::Family*> added, dropped;
      for (const auto* f : asked) {
        if (std::find(previous.begin(), previous.end(), f) == previous.end()) added.push_back(f);
      }
      for (const auto* f : previous) {
        if (std::find(asked.begin(), asked.end(), f) == asked.end()) dropped.push_back(f);
      }
      std::vector<std::string> parts;
      if (!added.empty()) parts.push_back("ny: " + text::JoinList(FamilyTitles(added)));
      if (!dropped.empty()) parts.push_back("ikke med: " + text::JoinList(FamilyTitles(dropped)));
      change += parts.empty() ? "de samme spørsmålsfamiliene som generasjonen før."
                              : text::Join(parts, "; ") + ".";
    }
    if (!generation.description.empty()) change += " " + generation.description;
    changes.push_back(std::move(change));
    previous = asked;
  }
  table.notes.push_back(
      "Undersøkelser og svar i 0-punktsmålingene. Spørsmålsfamilier: hvor mange av skjemaets "
      "familier generasjonens krysstabell oversetter minst ett spørsmål i.");
  section.blocks.push_back(std::move(table));
  section.blocks.push_back(Paragraph{"Hva som endret seg fra generasjon til generasjon:"});
  section.blocks.push_back(BulletList{changes});
  return section;
}

// How the exports became one database: the files imported and the
// crosswalk of each generation.
Section HarmonisationSection(const ReportInputs& inputs) {
  Section section{"metode-harmonisering", "Sammenslåing til én database", 2, {}};
  std::map<std::string, std::size_t> formats;
  std::size_t read = 0, imported = 0, rejected = 0;
  for (const auto& batch : inputs.batches) {
    // «CSV (UTF-8, komma)» and «CSV (Windows-1252, semikolon)» are both CSV.
    ++formats[batch.format.substr(0, batch.format.find(" ("))];
    read += batch.rows_read;
    imported += batch.rows_imported;
    rejected += batch.rows_rejected;
  }
  if (inputs.batches.empty()) {
    section.blocks.push_back(Paragraph{
        "Databasen har ingen importerte filer registrert (svarene kom fra nettskjemaet)."});
  } else {
    std::vector<std::string> per_format;
    for (const auto& [format, count] : formats) {
      per_format.push_back(fmt::format("{} {}", count, format));
    }
    section.blocks.push_back(Paragraph{fmt::format(
        "Svarene kommer fra {} eksportfiler ({}) fra spørreundersøkelsesverktøyene kommunene og "
        "KORUS brukte. Importen leste {} rader, lagret {} og avviste {}. Hver fil er lest med "
        "krysstabellen for sin generasjon, som sier hvilken kolonne som er hvilket "
        "spørsmål og hvilken svarkategori som er hvilken kode i det felles skjemaet.",
        inputs.batches.size(), text::Join(per_format, ", "), FormatCount(read),
        FormatCount(imported), FormatCount(rejected))});
  }
  DataTable table;
  table.caption = "Krysstabellene som oversetter hver generasjon";
  table.columns = {"Generasjon", "Svarkolonner", "Bakgrunnskolonner", "Identifikatorer fjernet",
                   "Tekniske kolonner"};
  for (const auto& crosswalk : inputs.instrument->crosswalks) {
    std::size_t roles[4] = {0, 0, 0, 0};
    for (const auto& v : crosswalk.variables) ++roles[static_cast<int>(v.role)];
    const instrument::Generation* g = inputs.instrument->FindGeneration(crosswalk.generation);
    std::string name = g != nullptr ? g->name : crosswalk.generation;
    if (!crosswalk.IsMainLayout()) name += " – oppsett «" + crosswalk.layout + "»";
    table.rows.push_back({TextCell(name, true),
                          CountCell(roles[static_cast<int>(instrument::SourceRole::kAnswer)]),
                          CountCell(roles[static_cast<int>(instrument::SourceRole::kBackground)]),
                          CountCell(roles[static_cast<int>(instrument::SourceRole::kIdentifier)]),
                          CountCell(roles[static_cast<int>(instrument::SourceRole::kIgnore)])});
  }
  table.notes.push_back(
      "Identifikatorer (e-post, navn, telefon, IP-adresse, tidspunkt, fritekst, svar-id) leses "
      "aldri inn i databasen.");
  section.blocks.push_back(std::move(table));
  return section;
}

// Which positions and services are generalisation targets (a coarser
// group something else generalises to, or «ikke oppgitt»).
template <typename T>
std::set<int> GeneralisedCodes(const std::vector<T>& codes, const std::string& unstated) {
  std::set<std::string> targets{unstated};
  for (const auto& c : codes) {
    if (!c.generalises_to.empty()) targets.insert(c.generalises_to);
  }
  std::set<int> out;
  for (const auto& c : codes) {
    if (targets.contains(c.key)) out.insert(c.code);
  }
  return out;
}

Section AnonymisationSection(const ReportInputs& inputs, const std::vector<Filter>& baseline) {
  const analysis::Dataset& data = *inputs.data;
  const instrument::Instrument& instrument = *inputs.instrument;
  const std::set<int> coarse_services =
      GeneralisedCodes(instrument.services, instrument.UnstatedService().key);
  const std::set<int> coarse_positions =
      GeneralisedCodes(instrument.positions, instrument.UnstatedPosition().key);
  std::size_t rows = 0, services = 0, positions = 0;
  for (std::size_t r = 0; r < data.rows; ++r) {
    if (!std::all_of(baseline.begin(), baseline.end(),
                     [&](const Filter& f) { return f.Matches(data.Value(f.variable, r)); })) {
      continue;
    }
    ++rows;
    if (coarse_services.contains(data.service[r])) ++services;
    if (coarse_positions.contains(data.position[r])) ++positions;
  }
  std::string k_text = "k";
  if (inputs.import_k.size() == 1) {
    k_text = fmt::format("k = {}", inputs.import_k[0]);
  } else if (inputs.import_k.size() > 1) {
    std::vector<std::string> ks;
    for (const std::size_t k : inputs.import_k) ks.push_back(std::to_string(k));
    k_text = fmt::format("k (importene brukte k = {})", text::JoinList(ks, "og"));
  }
  Section section{"metode-anonymisering", "Anonymisering", 2, {}};
  section.blocks.push_back(Paragraph{fmt::format(
      "Databasen er anonymisert ved import: ingen direkte identifikatorer lagres, og i hver "
      "kommunes runde deler minst {} svar hver kombinasjon av tjenestested og stilling. Der en "
      "kombinasjon er mindre, er stillingen og om nødvendig tjenestestedet slått sammen til en "
      "grovere gruppe (for eksempel «Skole (samlet)» eller «Stilling ikke oppgitt»). Av de {} "
      "svarene i 0-punktsmålingene har {} ({} %) tjenestestedet i en sammenslått gruppe og {} "
      "({} %) stillingen i en sammenslått gruppe; de teller med i alle tall for landet, men vises "
      "ikke som egne tjenester.",
      k_text, FormatCount(rows), FormatCount(services),
      OneDecimal(rows > 0 ? 100.0 * static_cast<double>(services) / static_cast<double>(rows) : 0),
      FormatCount(positions),
      OneDecimal(rows > 0 ? 100.0 * static_cast<double>(positions) / static_cast<double>(rows)
                          : 0))});
  return section;
}

Section EstimatesSection() {
  Section section{"metode-usikkerhet", "Andeler og usikkerhet", 2, {}};
  section.blocks.push_back(Paragraph{
      "Andelene er ikke vektet: hver ansatt som svarte teller likt, slik at kommuner og "
      "tjenester med mange svar veier tyngre i tallene for landet. Andelen er regnet av alle "
      "som svarte på spørsmålet, «vet ikke» medregnet; den som ikke fikk spørsmålet, er ikke "
      "med."});
  section.blocks.push_back(Paragraph{
      "Intervallene er 95 % konfidensintervaller. Andeler fra flere kommuner har designbaserte "
      "intervaller der hver kommunes runde er en klynge, fordi ansatte i samme kommune svarer "
      "likere enn ansatte i ulike kommuner; andeler i én kommune har Wilsons intervall. Begge "
      "forutsetter at de som svarte, ligner dem som ikke svarte: frafallet er ikke korrigert, og "
      "svarprosenten er ukjent der antall inviterte ikke er registrert. Forskjeller mellom "
      "grupper er testet med Rao–Scotts korrigerte kjikvadrattest, justert for mange "
      "sammenligninger (Benjamini–Hochberg)."});
  return section;
}

}  // namespace

Result<std::string> ResponseRateText(const ReportInputs& inputs,
                                     const std::vector<Filter>& baseline) {
  const instrument::Instrument& instrument = *inputs.instrument;
  const int baseline_code = BaselineCode(instrument);
  std::string baseline_key;
  for (const auto& t : instrument.round_types) {
    if (t.code == baseline_code) baseline_key = t.key;
  }
  std::map<std::pair<int, int>, long> invited;  // (municipality, year) → invited
  for (const auto& c : inputs.invited) {
    if (c.round_type == baseline_key) invited[{c.municipality, c.year}] += c.invited;
  }
  const std::map<int, std::size_t> all_rounds = SurveysBy(*inputs.data, baseline, Variable::kYear);
  std::size_t surveys = 0;
  for (const auto& [year, count] : all_rounds) surveys += count;
  std::size_t answered = 0, rounds = 0;
  long invited_total = 0;
  for (const auto& [round, count] : invited) {
    if (count <= 0) continue;
    std::vector<Filter> where = baseline;
    where.push_back({Variable::kMunicipality, {round.first}, std::nullopt});
    where.push_back({Variable::kYear, {round.second}, std::nullopt});
    SAMKART_ASSIGN_OR_RETURN(const GroupCount respondents, PublishedCount(inputs, where));
    if (respondents.suppressed || respondents.count == 0) continue;  // hidden, or no answers
    answered += respondents.count;
    invited_total += count;
    ++rounds;
  }
  if (rounds == 0) {
    return std::string(
        "Antall inviterte er ikke registrert for noen av undersøkelsene, så svarprosenten kan "
        "ikke regnes ut.");
  }
  const double rate =
      std::min(1.0, static_cast<double>(answered) / static_cast<double>(invited_total));
  return fmt::format(
      "Svarprosenten er {} ({} svar av {} inviterte) i de {} av {} undersøkelsene der antall "
      "inviterte er registrert.",
      FormatPercent(rate), FormatCount(answered),
      FormatCount(static_cast<std::size_t>(invited_total)), rounds, surveys);
}

Paragraph PublicationCost(const NumberCount& numbers) {
  const std::size_t all = numbers.shown + numbers.hidden;
  return Paragraph{fmt::format(
      "Publiseringsreglene skjuler {} av {} tall ({} %) i denne rapporten: grupper med for få "
      "svar, og tall som sammen med andre publiserte tall kunne avsløre en skjult gruppe. Et "
      "skjult tall er merket {} i alle formater.",
      FormatCount(numbers.hidden), FormatCount(all),
      OneDecimal(all > 0 ? 100.0 * static_cast<double>(numbers.hidden) / static_cast<double>(all)
                         : 0),
      kSuppressedMark)};
}

Result<std::vector<Section>> MethodSections(const ReportInputs& inputs,
                                            const std::vector<Filter>& baseline) {
  std::vector<Section> sections;
  Section chapter{"metode", "Metode", 1, {}};
  chapter.blocks.push_back(Paragraph{
      "Dette kapitlet er skrevet ut fra databasen og spørreskjemaet: tallene i det endrer seg når "
      "dataene endrer seg. Rapporten bygger på 0-punktsmålingene; oppfølgingsmålingene er med i "
      "kommunerapportene."});
  sections.push_back(std::move(chapter));
  SAMKART_ASSIGN_OR_RETURN(Section generations, GenerationsSection(inputs, baseline));
  sections.push_back(std::move(generations));
  sections.push_back(HarmonisationSection(inputs));
  sections.push_back(AnonymisationSection(inputs, baseline));
  Section publication{"metode-publisering", "Publiseringsregler", 2, {}};
  publication.blocks.push_back(
      Paragraph{"Alle tall i rapporten har gått gjennom de samme publiseringsreglene som "
                "kommunerapportene, nettsidene og nedlastingene:"});
  publication.blocks.push_back(BulletList{Legend(inputs.rules)});
  sections.push_back(std::move(publication));
  sections.push_back(EstimatesSection());
  return sections;
}

}  // namespace samkart::report
