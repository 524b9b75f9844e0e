#include "samkart/report/competence_chapter.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "samkart/analysis/competence.h"
#include "samkart/analysis/follow_up_evaluation.h"
#include "samkart/analysis/knowledge_chain.h"
#include "samkart/analysis/service_links.h"
#include "samkart/core/text.h"
#include "samkart/report/indicators.h"

namespace samkart::report {

using analysis::Filter;
using analysis::Variable;

namespace {

// The pairs a meeting can take on; the rest are in the analysis itself.
constexpr std::size_t kPairsShown = 8;
constexpr std::size_t kAreasPerPair = 3;

std::string ServiceLabel(const instrument::Instrument& instrument, int code) {
  const instrument::Service* s = instrument.FindServiceByCode(code);
  if (s == nullptr) return std::to_string(code);
  return s->short_label.empty() ? s->label : s->short_label;
}

Number RatingNumber(const std::optional<analysis::Cell>& cell) {
  return cell ? ShareOf(*cell) : Missing();
}

// «Barnevern og PPT har kunnskapen om læringsvansker; Helsestasjon mangler den.»
std::vector<std::string> PocketLines(const analysis::CompetencePockets& pockets,
                                     const instrument::Instrument& instrument) {
  std::vector<std::string> lines;
  for (const analysis::AreaPockets& area : pockets.areas) {
    std::vector<std::string> holds, lacks;
    for (const analysis::GroupStanding& g : area.groups) {
      if (g.variable != Variable::kService) continue;
      const std::string label =
          fmt::format("{} ({})", ServiceLabel(instrument, g.value), FormatPercent(g.cell.share));
      if (g.standing == analysis::Standing::kHolds) holds.push_back(label);
      if (g.standing == analysis::Standing::kLacks) lacks.push_back(label);
    }
    if (holds.empty() && lacks.empty()) continue;
    const instrument::KnowledgeArea& a = instrument.knowledge_areas[area.area];
    std::string line = fmt::format("{} (alle: {}): ", a.label, FormatPercent(area.total.share));
    if (!holds.empty()) line += "høyest hos " + text::JoinList(holds);
    if (!holds.empty() && !lacks.empty()) line += "; ";
    if (!lacks.empty()) line += "lavest hos " + text::JoinList(lacks);
    lines.push_back(line + ".");
  }
  return lines;
}

Section PocketsSection(const analysis::CompetencePockets& pockets,
                       const instrument::Instrument& instrument, const std::string& name) {
  Section section{"kompetansedeling", "Hvor kunnskapen er", 1, {}};
  section.blocks.push_back(Paragraph{fmt::format(
      "Kunnskapen finnes, men ofte i «lommer»: i noen tjenester og stillinger. Her er hver "
      "tjeneste i {} sammenlignet med resten av de ansatte, område for område. Bare forskjeller "
      "som er statistisk sikre etter justering for mange sammenligninger (Benjamini–Hochberg) og "
      "minst {} prosentpoeng, er tatt med: {} av {} sammenligninger for tjenester og "
      "stillinger.",
      name, MaterialPoints(), pockets.findings, pockets.tests)});
  const std::vector<std::string> lines = PocketLines(pockets, instrument);
  if (lines.empty()) {
    section.blocks.push_back(
        Paragraph{"Ingen tjeneste skiller seg tydelig ut på noe område: kunnskapen er jevnt "
                  "fordelt, eller gruppene er for små til å si noe sikkert."});
  } else {
    section.blocks.push_back(BulletList{lines});
  }
  return section;
}

Section PairsSection(const analysis::SharingPairs& pairs, const instrument::Instrument& instrument,
                     const std::string& name) {
  Section section{"delingspar", "Hvem kan dele med hvem", 2, {}};
  section.on_slides = true;
  if (pairs.pairs.empty()) {
    section.blocks.push_back(Paragraph{fmt::format(
        "Ingen av de {} parene av tjenester i {} har en forskjell som er både statistisk sikker og "
        "minst {} prosentpoeng.",
        pairs.tests, name, MaterialPoints())});
    return section;
  }
  section.blocks.push_back(Paragraph{fmt::format(
      "Parene er rangert etter hvor mange ansatte kunnskapen kan nå (forskjellen ganger antall "
      "svar i tjenesten som kan lære, summert over områdene), og foran står par som allerede "
      "samarbeider godt: der finnes en kanal å bruke. Der samarbeidet er svakt, må kanalen "
      "bygges først. {} av {} sammenligninger av to tjenester på ett område viser en tydelig "
      "forskjell.",
      pairs.pairs.size(), pairs.tests)});
  // One row per pair of services, with the areas they could share: a
  // meeting between two services covers all of them at once.
  struct ServicePair {
    const analysis::SharingPair* first = nullptr;  // the best-ranked area
    std::vector<const analysis::SharingPair*> areas;
    double score = 0;
  };
  std::vector<ServicePair> grouped;
  std::map<std::pair<int, int>, std::size_t> index;
  for (const analysis::SharingPair& p : pairs.pairs) {
    const auto [it, added] = index.emplace(std::pair{p.giver, p.receiver}, grouped.size());
    if (added) grouped.push_back({&p, {}, 0});
    ServicePair& g = grouped[it->second];
    g.areas.push_back(&p);
    g.score += p.score;
  }
  std::stable_sort(grouped.begin(), grouped.end(),
                   [](const ServicePair& a, const ServicePair& b) { return a.score > b.score; });
  DataTable table;
  table.caption = "Forslag til kompetansedeling";
  table.columns = {
      "Fra → til", "Områder", "Svar hos mottaker", "Samarbeid fra giver", "Samarbeid fra mottaker",
      "Kanal"};
  for (std::size_t i = 0; i < grouped.size() && i < kPairsShown; ++i) {
    const analysis::SharingPair& p = *grouped[i].first;
    std::vector<std::string> areas;
    for (std::size_t a = 0; a < grouped[i].areas.size() && a < kAreasPerPair; ++a) {
      const analysis::SharingPair& area = *grouped[i].areas[a];
      areas.push_back(fmt::format(
          "{} ({} mot {})", text::LowerFirst(instrument.knowledge_areas[area.area].label),
          FormatPercent(area.giver_cell.share), FormatPercent(area.receiver_cell.share)));
    }
    if (grouped[i].areas.size() > kAreasPerPair) {
      areas.push_back(fmt::format("og {} område(r) til", grouped[i].areas.size() - kAreasPerPair));
    }
    table.rows.push_back({TextCell(fmt::format("{} → {}", ServiceLabel(instrument, p.giver),
                                               ServiceLabel(instrument, p.receiver)),
                                   true),
                          TextCell(text::Join(areas, "; ")), CountCell(p.receiver_cell.n),
                          PercentCell(RatingNumber(p.rating)),
                          PercentCell(RatingNumber(p.reverse_rating)),
                          TextCell(analysis::ChannelLabel(p.channel))});
  }
  table.notes = {
      "Områder: andelen som i ganske eller svært stor grad kjenner til området hos den som kan "
      "dele, mot hos den som kan lære. Samarbeid: andelen i den ene tjenesten som vurderer "
      "samarbeidet med den andre som ganske eller svært godt.",
      fmt::format("Samarbeidet regnes som godt når snittet av de to retningene er minst {}.",
                  FormatPercent(analysis::kGoodCooperation))};
  if (grouped.size() > kPairsShown) {
    table.notes.push_back(
        fmt::format("{} par av tjenester til står i analysen «samkart analyse pairs».",
                    grouped.size() - kPairsShown));
  }
  section.blocks.push_back(std::move(table));
  return section;
}

Section ChainSection(const analysis::KnowledgeChain& chain,
                     const instrument::Instrument& instrument, const std::string& name) {
  Section section{"kjeden", "Fra kunnskap til hjelp", 2, {}};
  section.on_slides = true;
  Chart chart;
  chart.kind = ChartKind::kGroupedBars;
  chart.title = "Kjenner tegnene, har vært bekymret for og vet hvem de kan kontakte";
  ChartSeries knows{"Kjenner tegnene", {}, Reference::kOther};
  ChartSeries concern{"Bekymret for", {}, Reference::kOther};
  ChartSeries contact{"Vet hvem de kan kontakte", {}, Reference::kOther};
  std::vector<std::string> standing_out;
  for (const analysis::AreaChain& area : chain.areas) {
    const std::string& label = instrument.knowledge_areas[area.area].label;
    chart.labels.push_back(label);
    knows.values.push_back(ShareOf(area.knowledge.cell));
    concern.values.push_back(ShareOf(area.concern.cell));
    contact.values.push_back(ShareOf(area.contact.cell));
    if (area.stands_out) standing_out.push_back(text::LowerFirst(label));
  }
  chart.series = {knows, concern, contact};
  chart.description = fmt::format(
      "Andelen i {} som kjenner tegnene på hvert risikoområde, som har vært bekymret for det, "
      "og som vet hvem de kan kontakte.",
      name);
  section.blocks.push_back(Paragraph{
      "For hvert risikoområde: hvor mange som i stor grad kjenner tegnene, hvor mange som sist "
      "de var bekymret, var bekymret for nettopp dette, og hvor mange som vet hvilke andre "
      "tjenester de kan kontakte. Et område der alle tre er tydelig lavere enn på de andre "
      "områdene hos de samme personene, skiller seg ut: der henger lite kunnskap sammen med "
      "lite bekymring og lite kjennskap til hvem som kan hjelpe."});
  section.blocks.push_back(std::move(chart));
  const auto acted = std::find_if(chain.areas.begin(), chain.areas.end(), [](const auto& a) {
    return !a.acted.cell.suppressed && a.acted.cell.n > 0;
  });
  if (acted != chain.areas.end()) {
    section.blocks.push_back(Paragraph{fmt::format(
        "{} handlet på bakgrunn av den siste bekymringen (spurt om den siste bekymringen, ikke "
        "per område).",
        FormatPercent(acted->acted.cell.share))});
  }
  section.blocks.push_back(Paragraph{
      standing_out.empty() ? std::string("Ingen områder skiller seg tydelig ut på alle tre.")
                           : fmt::format("Skiller seg ut: {}.", text::JoinList(standing_out))});
  return section;
}

Section LinksSection(const analysis::ServiceLinks& links,
                     const instrument::Instrument& instrument) {
  Section section{"overganger", "Samarbeid over overgangene", 2, {}};
  section.blocks.push_back(Paragraph{fmt::format(
      "Samarbeidet mellom barnehage og skole og mellom barneskole og ungdomsskole, og mellom "
      "tjenester for foreldre og tjenester for barna deres (barn som pårørende), slik de ansatte "
      "på hver side vurderer det{}.",
      links.compared_with_nation ? ", og hvordan resten av landet vurderer det samme" : "")});
  DataTable table;
  table.caption = "Samarbeidet vurdert fra begge sider";
  table.columns = {"Tjenester", "Første om andre", "Andre om første", "Skjevhet"};
  if (links.compared_with_nation) {
    table.columns.insert(table.columns.end(),
                         {"Landet: første om andre", "Landet: andre om første"});
  }
  for (const analysis::LinkCooperation& link : links.links) {
    const std::string pair = fmt::format("{} og {}", ServiceLabel(instrument, link.forward.rater),
                                         ServiceLabel(instrument, link.forward.rated));
    Number asymmetry = PointsNumber(link.asymmetry);
    std::vector<TableCell> row = {
        TextCell(pair, true), PercentCell(ShareOf(link.forward.rating)),
        PercentCell(ShareOf(link.backward.rating)),
        PointsCell(asymmetry, link.asymmetry && IsFinding(link.asymmetry))};
    if (links.compared_with_nation) {
      for (const auto* d : {&link.forward, &link.backward}) {
        row.push_back(PercentCell(d->nation ? ShareOf(*d->nation) : Missing()));
      }
    }
    table.rows.push_back(std::move(row));
  }
  table.notes = {
      "Andelen som vurderer samarbeidet som ganske eller svært godt. Skjevhet: den første "
      "tjenestens vurdering minus den andres, i prosentpoeng; * betyr en tydelig forskjell."};
  section.blocks.push_back(std::move(table));
  return section;
}

}  // namespace

Result<std::vector<Section>> CompetenceSections(const ReportInputs& inputs,
                                                const std::vector<Filter>& where,
                                                const std::string& name) {
  const analysis::Dataset& data = *inputs.data;
  const instrument::Instrument& instrument = *inputs.instrument;
  analysis::Publication& publication = *inputs.publication;
  const bool municipality = std::any_of(where.begin(), where.end(), [](const Filter& f) {
    return f.variable == Variable::kMunicipality;
  });
  const std::vector<Filter> baseline = {{Variable::kRoundType, {BaselineCode(instrument)}, {}}};
  std::vector<Section> out;
  if (instrument.knowledge_areas.empty()) return out;
  SAMKART_ASSIGN_OR_RETURN(const auto pockets,
                           analysis::FindCompetencePockets(data, instrument, publication, where));
  out.push_back(PocketsSection(pockets, instrument, name));
  if (municipality) {
    SAMKART_ASSIGN_OR_RETURN(const auto pairs,
                             analysis::FindSharingPairs(data, instrument, publication, where));
    out.push_back(PairsSection(pairs, instrument, name));
  }
  SAMKART_ASSIGN_OR_RETURN(const auto chain, analysis::ComputeKnowledgeChain(
                                                 data, instrument, publication, where, baseline));
  if (!chain.areas.empty()) out.push_back(ChainSection(chain, instrument, name));
  if (!instrument.service_links.empty()) {
    SAMKART_ASSIGN_OR_RETURN(const auto links, analysis::CompareServiceLinks(
                                                   data, instrument, publication, where, baseline));
    out.push_back(LinksSection(links, instrument));
  }
  return out;
}

Result<Section> FollowUpEvaluationSection(const ReportInputs& inputs) {
  const analysis::Dataset& data = *inputs.data;
  const instrument::Instrument& instrument = *inputs.instrument;
  SAMKART_ASSIGN_OR_RETURN(const auto evaluation,
                           analysis::EvaluateFollowUp(data, instrument, *inputs.publication, {}));
  Section section{"oppfolging", "Endring i kommuner med oppfølgingsundersøkelse", 1, {}};
  std::size_t municipalities = 0, better = 0, worse = 0, unchanged = 0, other = 0;
  std::vector<const analysis::FollowUpRow*> found;
  for (const analysis::FollowUpRow& row : evaluation.rows) {
    municipalities = std::max(municipalities, row.municipalities.size());
    switch (row.verdict) {
      case analysis::FollowUpVerdict::kImproved:
        ++better;
        found.push_back(&row);
        break;
      case analysis::FollowUpVerdict::kWorsened:
        ++worse;
        found.push_back(&row);
        break;
      case analysis::FollowUpVerdict::kUnchanged:
        ++unchanged;
        break;
      case analysis::FollowUpVerdict::kIncreased:
      case analysis::FollowUpVerdict::kDecreased:
        ++other;
        break;
      default:
        break;
    }
  }
  if (municipalities < analysis::kMinMunicipalities) {
    section.blocks.push_back(
        Paragraph{fmt::format("For få kommuner har både 0-punktsmåling og oppfølgingsundersøkelse "
                              "publisert til å si noe om endringen (minst {} trengs).",
                              analysis::kMinMunicipalities)});
    return section;
  }
  section.blocks.push_back(Paragraph{fmt::format(
      "Opptil {} kommuner har både 0-punktsmåling og oppfølgingsundersøkelse. Hver kommunes "
      "endring teller én gang, uansett hvor mange som svarte, og intervallet antar at kommunene "
      "er et utvalg av likeverdige enheter. Av spørsmålene med en retning ble {} bedre og {} "
      "dårligere; {} endret seg ikke sikkert (signifikant etter Benjamini–Hochberg og minst {} "
      "prosentpoeng){}.",
      municipalities, better, worse, unchanged, MaterialPoints(),
      other ? fmt::format(", og {} beskrivende spørsmål endret seg", other) : "")});
  if (found.empty()) return section;
  std::stable_sort(found.begin(), found.end(), [](const auto* a, const auto* b) {
    return std::abs(a->change->estimate) > std::abs(b->change->estimate);
  });
  DataTable table;
  table.caption = "Spørsmål som ble tydelig bedre eller dårligere";
  table.columns = {"Spørsmål", "Tema", "Kommuner", "Endring", "Vurdering"};
  for (const analysis::FollowUpRow* row : found) {
    Number change;
    change.value = row->change->estimate * 100;
    TableCell points = PointsCell(change, true);
    points.direction = row->verdict == analysis::FollowUpVerdict::kImproved ? Direction::kBetter
                                                                            : Direction::kWorse;
    table.rows.push_back({TextCell(ItemLabel(data, row->item), true),
                          TextCell(data.item_refs[row->item].family->title),
                          CountCell(row->municipalities.size()), points,
                          TextCell(analysis::FollowUpVerdictLabel(row->verdict))});
  }
  table.notes = {
      "Endring: snittet av kommunenes endring i prosentpoeng fra 0-punktsmålingen til "
      "oppfølgingsundersøkelsen."};
  section.blocks.push_back(std::move(table));
  return section;
}

Result<std::optional<Section>> ChangeAgainstOthersSection(const ReportInputs& inputs,
                                                          int municipality,
                                                          const std::string& name) {
  const analysis::Dataset& data = *inputs.data;
  auto evaluation = analysis::EvaluateFollowUp(data, *inputs.instrument, *inputs.publication,
                                               {{}, false, municipality});
  if (!evaluation.ok()) {
    if (evaluation.error().code == ErrorCode::kNotFound) return std::optional<Section>{};
    return evaluation.error();
  }
  Section section{"utvikling-mot-andre", "Endringen mot endringen i de andre kommunene", 2, {}};
  std::vector<const analysis::MunicipalityFollowUpRow*> found;
  std::size_t compared = 0, others = 0;
  for (const auto& row : evaluation->municipality->rows) {
    if (!row.difference) continue;
    ++compared;
    others = std::max(others, row.other_municipalities);
    if (row.finding) found.push_back(&row);
  }
  if (compared == 0) {
    section.blocks.push_back(Paragraph{fmt::format(
        "For få andre kommuner har både 0-punktsmåling og oppfølgingsundersøkelse til å "
        "sammenligne endringen i {} med (minst {} trengs).",
        name, analysis::kMinMunicipalities)});
    return std::optional<Section>{std::move(section)};
  }
  section.blocks.push_back(Paragraph{fmt::format(
      "Endringen i {} fra 0-punktsmålingen til oppfølgingsundersøkelsen er sammenlignet med "
      "snittet av endringen i de {} andre kommunene som har begge målingene (hver kommune teller "
      "én gang). {} av {} spørsmål viser en forskjell som er statistisk sikker etter justering "
      "for mange sammenligninger og minst {} prosentpoeng.",
      name, others, found.size(), compared, MaterialPoints())});
  if (found.empty()) return std::optional<Section>{std::move(section)};
  std::stable_sort(found.begin(), found.end(), [](const auto* a, const auto* b) {
    return std::abs(a->difference->estimate) > std::abs(b->difference->estimate);
  });
  DataTable table;
  table.caption = fmt::format("Der endringen i {} skiller seg fra de andre kommunene", name);
  table.columns = {"Spørsmål", "Tema", name, "De andre kommunene", "Forskjell", "Vurdering"};
  for (const auto* row : found) {
    Number own, pooled, difference;
    own.value = row->own_change->estimate * 100;
    pooled.value = row->others->estimate * 100;
    difference.value = row->difference->estimate * 100;
    TableCell points = PointsCell(difference, true);
    points.direction = row->verdict == analysis::FollowUpVerdict::kImproved   ? Direction::kBetter
                       : row->verdict == analysis::FollowUpVerdict::kWorsened ? Direction::kWorse
                                                                              : Direction::kNeutral;
    table.rows.push_back({TextCell(ItemLabel(data, row->item), true),
                          TextCell(data.item_refs[row->item].family->title), PointsCell(own, false),
                          PointsCell(pooled, false), points,
                          TextCell(analysis::FollowUpVerdictLabel(row->verdict))});
  }
  table.notes = {
      "Endring i prosentpoeng fra 0-punktsmålingen til oppfølgingsundersøkelsen. "
      "Vurdering: om endringen hos dere var bedre eller dårligere enn de andres."};
  section.blocks.push_back(std::move(table));
  return std::optional<Section>{std::move(section)};
}

}  // namespace samkart::report
