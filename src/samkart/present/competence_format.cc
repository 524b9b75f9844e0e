#include "samkart/present/competence_format.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "samkart/core/text.h"
#include "samkart/io/table_writer.h"
#include "samkart/present/table_format.h"

namespace samkart::present {

using analysis::Cell;
using analysis::Difference;

namespace {

constexpr const char* kFindingRule =
    "En forskjell regnes som et funn når den er signifikant etter kontroll av andelen falske "
    "funn (Benjamini–Hochberg, 5 %) og minst 5 prosentpoeng.";
constexpr const char* kHiddenNote =
    "Tomme tall er skjult etter publiseringsreglene eller har ingen svar.";

// Characters, not bytes, so «Område» lines up.
std::size_t Width(std::string_view s) {
  std::size_t n = 0;
  for (const unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string DecimalComma(std::string number) {
  std::replace(number.begin(), number.end(), '.', ',');
  return number;
}

AnalysisCell Number(double value) { return {value, {}}; }
AnalysisCell Text(std::string value) { return {std::nullopt, std::move(value)}; }
AnalysisCell Empty() { return {}; }

std::string ServiceLabel(const instrument::Instrument& instrument, int code) {
  const instrument::Service* s = instrument.FindServiceByCode(code);
  if (s == nullptr) return std::to_string(code);
  return s->short_label.empty() ? s->label : s->short_label;
}

bool Visible(const Cell& cell) { return !cell.suppressed && cell.n > 0; }

// n, share and interval of a cell: four cells, empty when hidden.
void AddCell(std::vector<AnalysisCell>& row, const Cell& cell) {
  if (!Visible(cell)) {
    row.insert(row.end(), {Empty(), Empty(), Empty(), Empty()});
    return;
  }
  row.insert(row.end(), {Number(static_cast<double>(cell.n)), Number(cell.share),
                         Number(cell.interval.low), Number(cell.interval.high)});
}

void AddCellColumns(std::vector<AnalysisColumn>& columns, const std::string& key,
                    const std::string& heading) {
  columns.push_back({"n_" + key, "N " + heading, ColumnKind::kCount});
  columns.push_back({"andel_" + key, heading, ColumnKind::kShare});
  columns.push_back({"ki_nedre_" + key, "KI nedre", ColumnKind::kShare});
  columns.push_back({"ki_ovre_" + key, "KI øvre", ColumnKind::kShare});
}

// Estimate, interval and p-value of a difference: four cells.
void AddDifference(std::vector<AnalysisCell>& row, const std::optional<Difference>& d) {
  if (!d) {
    row.insert(row.end(), {Empty(), Empty(), Empty(), Empty()});
    return;
  }
  row.insert(row.end(), {Number(d->estimate), Number(d->interval.low), Number(d->interval.high),
                         Number(d->p_value)});
}

void AddDifferenceColumns(std::vector<AnalysisColumn>& columns, const std::string& key,
                          const std::string& heading) {
  columns.push_back({"forskjell_" + key, heading, ColumnKind::kPoints});
  columns.push_back({"ki_nedre_" + key, "KI nedre", ColumnKind::kPoints});
  columns.push_back({"ki_ovre_" + key, "KI øvre", ColumnKind::kPoints});
  columns.push_back({"p_" + key, "p (ujustert)", ColumnKind::kProbability});
}

std::string ShowNumber(const AnalysisColumn& column, double value) {
  switch (column.kind) {
    case ColumnKind::kCount:
      return fmt::format("{:.0f}", value);
    case ColumnKind::kShare:
      return fmt::format("{:.0f} %", value * 100);
    case ColumnKind::kPoints: {
      const double points = std::round(value * 100);
      return points == 0 ? "0" : fmt::format("{:+.0f}", points);
    }
    case ColumnKind::kProbability:
      return value < 0.001 ? "<0,001" : DecimalComma(fmt::format("{:.3f}", value));
    case ColumnKind::kNumber:
    case ColumnKind::kText:
      return DecimalComma(fmt::format("{:.1f}", value));
  }
  return "";
}

}  // namespace

AnalysisTable PocketsTable(const analysis::CompetencePockets& pockets,
                           const analysis::Dataset& data,
                           const instrument::Instrument& instrument) {
  AnalysisTable out;
  out.title = "Kompetanselommer: hvem har kunnskapen, og hvem mangler den";
  out.notes = {
      "Hver tjeneste og stilling sammenlignes med resten av de ansatte i samme utvalg (ikke med "
      "en helhet den selv er med i).",
      kFindingRule, kHiddenNote,
      fmt::format("{} sammenligninger, {} funn.", pockets.tests, pockets.findings)};
  out.columns = {{"omrade", "Område", ColumnKind::kText},
                 {"inndeling", "Inndeling", ColumnKind::kText},
                 {"gruppe", "Gruppe", ColumnKind::kText}};
  AddCellColumns(out.columns, "gruppe", "Andel");
  AddDifferenceColumns(out.columns, "mot_resten", "Mot resten");
  out.columns.push_back({"vurdering", "Vurdering", ColumnKind::kText});
  for (const analysis::AreaPockets& area : pockets.areas) {
    for (const analysis::GroupStanding& group : area.groups) {
      std::vector<AnalysisCell> row = {
          Text(instrument.knowledge_areas[area.area].label),
          Text(analysis::VariableLabel(group.variable)),
          Text(GroupValueLabel(data, instrument, group.variable, group.value))};
      AddCell(row, group.cell);
      AddDifference(row, group.against_rest);
      row.push_back(Text(analysis::StandingLabel(group.standing)));
      out.rows.push_back(std::move(row));
    }
  }
  return out;
}

AnalysisTable PairsTable(const analysis::SharingPairs& pairs,
                         const instrument::Instrument& instrument) {
  AnalysisTable out;
  out.title = "Delingspar: hvem kan dele kunnskap med hvem";
  out.notes = {
      "Rangert etter forskjellen ganger antall svar i tjenesten som kan lære (hvor mange den "
      "kan nå), ganger én pluss snittet av samarbeidsvurderingene begge veier.",
      fmt::format("Samarbeidet regnes som godt når snittet av de to retningene er minst {:.0f} "
                  "%.",
                  analysis::kGoodCooperation * 100),
      kFindingRule, fmt::format("{} par testet, {} funn.", pairs.tests, pairs.pairs.size())};
  out.columns = {{"rang", "Rang", ColumnKind::kCount},
                 {"forslag", "Forslag", ColumnKind::kText},
                 {"omrade", "Område", ColumnKind::kText},
                 {"fra", "Fra", ColumnKind::kText},
                 {"til", "Til", ColumnKind::kText}};
  AddCellColumns(out.columns, "fra", "Andel fra");
  AddCellColumns(out.columns, "til", "Andel til");
  AddDifferenceColumns(out.columns, "fra_til", "Forskjell");
  out.columns.push_back({"samarbeid_fra_til", "Samarbeid fra → til", ColumnKind::kShare});
  out.columns.push_back({"samarbeid_til_fra", "Samarbeid til → fra", ColumnKind::kShare});
  out.columns.push_back({"kanal", "Kanal", ColumnKind::kText});
  out.columns.push_back({"poeng", "Poeng", ColumnKind::kNumber});
  for (std::size_t i = 0; i < pairs.pairs.size(); ++i) {
    const analysis::SharingPair& pair = pairs.pairs[i];
    std::vector<AnalysisCell> row = {
        Number(static_cast<double>(i + 1)), Text(analysis::DescribePair(instrument, pair)),
        Text(instrument.knowledge_areas[pair.area].label),
        Text(ServiceLabel(instrument, pair.giver)), Text(ServiceLabel(instrument, pair.receiver))};
    AddCell(row, pair.giver_cell);
    AddCell(row, pair.receiver_cell);
    AddDifference(row, pair.gap);
    row.push_back(pair.rating ? Number(pair.rating->share) : Empty());
    row.push_back(pair.reverse_rating ? Number(pair.reverse_rating->share) : Empty());
    row.push_back(Text(analysis::ChannelLabel(pair.channel)));
    row.push_back(Number(pair.score));
    out.rows.push_back(std::move(row));
  }
  return out;
}

std::string PairsText(const analysis::SharingPairs& pairs, const instrument::Instrument& instrument,
                      std::size_t limit) {
  std::string out = "Delingspar: hvem kan dele kunnskap med hvem\n\n";
  if (pairs.pairs.empty()) {
    out += fmt::format(
        "Ingen av de {} parene som ble testet, har en forskjell som er både "
        "signifikant og minst 5 prosentpoeng.\n",
        pairs.tests);
    return out;
  }
  for (std::size_t i = 0; i < pairs.pairs.size() && i < limit; ++i) {
    const analysis::SharingPair& p = pairs.pairs[i];
    out += fmt::format("{:>2}. {}\n", i + 1, analysis::DescribePair(instrument, p));
    out += fmt::format(
        "    {:.0f} prosentpoeng (95 % KI {:.0f} til {:.0f}); {} svar i {}, {} i {}\n",
        p.gap.estimate * 100, p.gap.interval.low * 100, p.gap.interval.high * 100, p.giver_cell.n,
        ServiceLabel(instrument, p.giver), p.receiver_cell.n, ServiceLabel(instrument, p.receiver));
    auto rating = [](const std::optional<Cell>& c) {
      return c ? fmt::format("{:.0f} %", c->share * 100) : std::string("ikke vurdert");
    };
    out += fmt::format("    samarbeid {} → {}: {}, {} → {}: {} – {}\n",
                       ServiceLabel(instrument, p.giver), ServiceLabel(instrument, p.receiver),
                       rating(p.rating), ServiceLabel(instrument, p.receiver),
                       ServiceLabel(instrument, p.giver), rating(p.reverse_rating),
                       analysis::ChannelLabel(p.channel));
  }
  if (pairs.pairs.size() > limit) {
    out += fmt::format("\n… og {} par til (alle med --format csv, json eller xlsx).\n",
                       pairs.pairs.size() - limit);
  }
  out +=
      fmt::format("\n{} par testet, {} funn. {}\n", pairs.tests, pairs.pairs.size(), kFindingRule);
  return out;
}

AnalysisTable ChainTable(const analysis::KnowledgeChain& chain,
                         const instrument::Instrument& instrument) {
  AnalysisTable out;
  out.title =
      "Fra kunnskap til hjelp: kjenner tegnene, har vært bekymret, handlet, vet hvem "
      "de kan kontakte";
  out.notes = {
      "«Lav» og «høy»: området sammenlignet med snittet av de andre områdene hos de samme "
      "personene (t-intervall; personene i én kommune, kommunenes runder som klynger når flere "
      "kommuner er med).",
      "Handlet spørres bare om den siste bekymringen, så det er det samme for alle områdene.",
      "Et område skiller seg ut når det er lavt på alle tre: kunnskap, bekymring og å vite hvem "
      "man kan kontakte.",
      kFindingRule, kHiddenNote};
  out.columns = {{"omrade", "Område", ColumnKind::kText}};
  const std::pair<const char*, const char*> steps[] = {{"kunnskap", "Kjenner tegnene"},
                                                       {"bekymring", "Bekymret for"},
                                                       {"handlet", "Handlet"},
                                                       {"kontakt", "Vet hvem"}};
  for (const auto& [key, heading] : steps) {
    out.columns.push_back({"andel_" + std::string(key), heading, ColumnKind::kShare});
    out.columns.push_back(
        {"mot_andre_omrader_" + std::string(key), "Mot andre", ColumnKind::kPoints});
    if (chain.compared_with_nation) {
      out.columns.push_back({"resten_av_landet_" + std::string(key), "Landet", ColumnKind::kShare});
    }
  }
  out.columns.push_back({"skiller_seg_ut", "Skiller seg ut", ColumnKind::kText});
  for (const analysis::AreaChain& area : chain.areas) {
    std::vector<AnalysisCell> row = {Text(instrument.knowledge_areas[area.area].label)};
    for (const analysis::ChainStep* step :
         {&area.knowledge, &area.concern, &area.acted, &area.contact}) {
      row.push_back(Visible(step->cell) ? Number(step->cell.share) : Empty());
      row.push_back(step->against_other_areas ? Number(step->against_other_areas->estimate)
                                              : Empty());
      if (chain.compared_with_nation) {
        row.push_back(step->nation && Visible(*step->nation) ? Number(step->nation->share)
                                                             : Empty());
      }
    }
    row.push_back(Text(area.stands_out ? "ja" : ""));
    out.rows.push_back(std::move(row));
  }
  return out;
}

AnalysisTable LinksTable(const analysis::ServiceLinks& links,
                         const instrument::Instrument& instrument) {
  AnalysisTable out;
  out.title = "Samarbeid over overgangene, vurdert fra begge sider";
  out.notes = {"Andelen som vurderer samarbeidet som ganske eller svært godt.",
               "Skjevhet: den første tjenestens vurdering minus den andres.", kFindingRule,
               kHiddenNote};
  out.columns = {{"gruppe", "Gruppe", ColumnKind::kText},
                 {"forste", "Første", ColumnKind::kText},
                 {"andre", "Andre", ColumnKind::kText}};
  AddCellColumns(out.columns, "forste_om_andre", "Første om andre");
  AddCellColumns(out.columns, "andre_om_forste", "Andre om første");
  AddDifferenceColumns(out.columns, "skjevhet", "Skjevhet");
  if (links.compared_with_nation) {
    out.columns.push_back(
        {"landet_forste_om_andre", "Landet, første om andre", ColumnKind::kShare});
    out.columns.push_back(
        {"landet_andre_om_forste", "Landet, andre om første", ColumnKind::kShare});
  }
  out.columns.push_back({"funn", "Funn", ColumnKind::kText});
  for (const analysis::LinkCooperation& link : links.links) {
    const instrument::ServiceLink& names = instrument.service_links[link.link];
    std::vector<AnalysisCell> row = {Text(names.group),
                                     Text(ServiceLabel(instrument, link.forward.rater)),
                                     Text(ServiceLabel(instrument, link.forward.rated))};
    AddCell(row, link.forward.rating);
    AddCell(row, link.backward.rating);
    AddDifference(row, link.asymmetry);
    if (links.compared_with_nation) {
      for (const auto* d : {&link.forward, &link.backward}) {
        row.push_back(d->nation && Visible(*d->nation) ? Number(d->nation->share) : Empty());
      }
    }
    std::vector<std::string> findings;
    if (link.asymmetry && analysis::IsFinding(*link.asymmetry)) findings.push_back("skjevhet");
    for (const auto* d : {&link.forward, &link.backward}) {
      if (d->against_nation && analysis::IsFinding(*d->against_nation)) {
        findings.push_back(fmt::format("{} om {} {} landet", ServiceLabel(instrument, d->rater),
                                       ServiceLabel(instrument, d->rated),
                                       d->against_nation->estimate > 0 ? "over" : "under"));
      }
    }
    row.push_back(Text(text::Join(findings, "; ")));
    out.rows.push_back(std::move(row));
  }
  return out;
}

AnalysisTable FollowUpTable(const analysis::FollowUpEvaluation& evaluation,
                            const analysis::Dataset& data,
                            const instrument::Instrument& instrument) {
  AnalysisTable out;
  out.title = "Endring fra 0-punktsmåling til oppfølgingsundersøkelse";
  out.notes = {
      "Kommunene er enhetene: hver kommunes endring teller én gang uansett størrelse, og "
      "intervallet (t) antar at kommunene er et utvalg av likeverdige enheter.",
      "Bare kommuner der begge rundene er publisert, er med.", kFindingRule};
  out.columns = {{"familie", "Familie", ColumnKind::kText},
                 {"sporsmal", "Spørsmål", ColumnKind::kText},
                 {"tjeneste", "Tjeneste", ColumnKind::kText},
                 {"kommuner", "Kommuner", ColumnKind::kCount},
                 {"okte", "Økte", ColumnKind::kCount},
                 {"falt", "Falt", ColumnKind::kCount},
                 {"endring", "Endring", ColumnKind::kPoints},
                 {"ki_nedre", "KI nedre", ColumnKind::kPoints},
                 {"ki_ovre", "KI øvre", ColumnKind::kPoints},
                 {"p_justert", "p justert", ColumnKind::kProbability},
                 {"vurdering", "Vurdering", ColumnKind::kText}};
  for (const analysis::FollowUpRow& r : evaluation.rows) {
    const instrument::ItemRef& ref = data.item_refs[r.item];
    std::vector<AnalysisCell> row = {
        Text(ref.family->title),
        Text(ref.item->short_label.empty() ? ref.item->text : ref.item->short_label),
        Text(r.service ? ServiceLabel(instrument, *r.service) : "Alle"),
        Number(static_cast<double>(r.municipalities.size())),
        Number(static_cast<double>(r.rose)),
        Number(static_cast<double>(r.fell))};
    if (r.change) {
      row.insert(row.end(), {Number(r.change->estimate), Number(r.change->interval.low),
                             Number(r.change->interval.high), Number(r.adjusted_p_value)});
    } else {
      row.insert(row.end(), {Empty(), Empty(), Empty(), Empty()});
    }
    row.push_back(Text(analysis::FollowUpVerdictLabel(r.verdict)));
    out.rows.push_back(std::move(row));
  }
  if (!evaluation.municipality) return out;
  // One municipality beside the others: further columns on its own rows.
  const int number = evaluation.municipality->municipality;
  const auto name = data.municipality_names.find(number);
  out.title +=
      fmt::format(", {} mot de andre kommunene",
                  name != data.municipality_names.end() ? name->second : std::to_string(number));
  out.columns.push_back({"egen_endring", "Egen endring", ColumnKind::kPoints});
  out.columns.push_back({"de_andre", "De andre", ColumnKind::kPoints});
  out.columns.push_back({"forskjell", "Forskjell", ColumnKind::kPoints});
  out.columns.push_back({"egen_vurdering", "Egen vurdering", ColumnKind::kText});
  for (auto& row : out.rows) row.insert(row.end(), {Empty(), Empty(), Empty(), Empty()});
  for (const analysis::MunicipalityFollowUpRow& own : evaluation.municipality->rows) {
    for (std::size_t i = 0; i < evaluation.rows.size(); ++i) {
      const analysis::FollowUpRow& r = evaluation.rows[i];
      if (r.item != own.item || r.service != own.service) continue;
      auto& row = out.rows[i];
      const std::size_t at = row.size() - 4;
      if (own.own_change) row[at] = Number(own.own_change->estimate);
      if (own.others) row[at + 1] = Number(own.others->estimate);
      if (own.difference) row[at + 2] = Number(own.difference->estimate);
      row[at + 3] = Text(analysis::FollowUpVerdictLabel(own.verdict));
    }
  }
  return out;
}

std::string FormatAnalysisCell(const AnalysisColumn& column, const AnalysisCell& cell) {
  if (cell.number) return ShowNumber(column, *cell.number);
  return cell.text;
}

std::string FormatAnalysisText(const AnalysisTable& table) {
  std::vector<std::size_t> widths(table.columns.size());
  std::vector<std::vector<std::string>> shown;
  for (std::size_t c = 0; c < table.columns.size(); ++c) {
    widths[c] = Width(table.columns[c].heading);
  }
  for (const auto& row : table.rows) {
    shown.emplace_back();
    for (std::size_t c = 0; c < row.size(); ++c) {
      shown.back().push_back(FormatAnalysisCell(table.columns[c], row[c]));
      widths[c] = std::max(widths[c], Width(shown.back().back()));
    }
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const bool left = table.columns[c].kind == ColumnKind::kText;
      const std::size_t pad = widths[c] - Width(cells[c]);
      if (c > 0) out += "  ";
      out += left ? cells[c] + std::string(pad, ' ') : std::string(pad, ' ') + cells[c];
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  };
  std::string out = table.title + "\n\n";
  std::vector<std::string> headings;
  for (const auto& c : table.columns) headings.push_back(c.heading);
  out += line(headings);
  for (const auto& cells : shown) out += line(cells);
  out += "\n";
  for (const auto& note : table.notes) out += note + "\n";
  return out;
}

std::string FormatAnalysisCsv(const AnalysisTable& table) {
  std::string out;
  for (std::size_t c = 0; c < table.columns.size(); ++c) {
    out += (c ? "," : "") + io::QuoteCsvField(table.columns[c].key);
  }
  out += "\n";
  for (const auto& row : table.rows) {
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (c) out += ",";
      if (row[c].number) {
        out += fmt::format("{}", *row[c].number);
      } else {
        out += io::QuoteCsvField(NeutraliseFormula(row[c].text));
      }
    }
    out += "\n";
  }
  return out;
}

std::string FormatAnalysisJson(const AnalysisTable& table) {
  nlohmann::json j;
  j["tittel"] = table.title;
  j["merknader"] = table.notes;
  j["rader"] = nlohmann::json::array();
  for (const auto& row : table.rows) {
    nlohmann::json object = nlohmann::json::object();
    for (std::size_t c = 0; c < row.size(); ++c) {
      const std::string& key = table.columns[c].key;
      if (row[c].number) {
        object[key] = *row[c].number;
      } else if (row[c].text.empty()) {
        object[key] = nullptr;
      } else {
        object[key] = row[c].text;
      }
    }
    j["rader"].push_back(std::move(object));
  }
  return j.dump(2) + "\n";
}

io::ExportTable ToExportTable(const AnalysisTable& table) {
  io::ExportTable out;
  for (const auto& c : table.columns) {
    out.columns.push_back({c.key, c.heading, c.kind != ColumnKind::kText, {}});
  }
  for (const auto& row : table.rows) {
    std::vector<io::ExportCell> cells;
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (table.columns[c].kind != ColumnKind::kText) {
        cells.push_back(row[c].number ? io::ExportCell::Number(*row[c].number)
                                      : io::ExportCell::Missing());
      } else {
        cells.push_back(row[c].text.empty() ? io::ExportCell::Missing()
                                            : io::ExportCell::Text(NeutraliseFormula(row[c].text)));
      }
    }
    out.rows.push_back(std::move(cells));
  }
  return out;
}

}  // namespace samkart::present
