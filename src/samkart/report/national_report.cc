#include "samkart/report/national_report.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "samkart/analysis/group_differences.h"
#include "samkart/core/text.h"
#include "samkart/instrument/codebook.h"
#include "samkart/present/table_format.h"
#include "samkart/report/blocks.h"
#include "samkart/report/indicators.h"

#include "fmt/format.h"

namespace samkart::report {

using analysis::Filter;
using analysis::Variable;

namespace {

// One visible share of one item in one group, for the findings.
struct Observation {
  std::size_t item = 0;
  int group = 0;
  double share = 0;
};

// Visible reported shares per item by `by` (coarse services left out).
Result<std::vector<std::vector<Observation>>> SharesBy(const ReportInputs& inputs,
                                                       const instrument::Family& family,
                                                       const std::vector<Filter>& where,
                                                       Variable by) {
  analysis::TableRequest request;
  request.family = family.id;
  request.where = where;
  request.by = {by};
  auto table = PublishedTable(inputs, request);
  if (!table.ok()) return table.error();
  std::vector<std::vector<Observation>> out;
  for (const std::size_t item : FamilyItems(*inputs.data, family)) {
    std::vector<Observation> seen;
    for (const auto& row : table->rows) {
      if (row.item != item || row.group.size() != 1 || row.cell.suppressed || row.cell.n == 0) {
        continue;
      }
      if (by == Variable::kService && IsCoarseService(*inputs.instrument, row.group[0])) continue;
      seen.push_back({item, row.group[0], row.cell.share});
    }
    out.push_back(std::move(seen));
  }
  return out;
}

// The largest spread between groups over the non-descriptive items.
Result<std::vector<std::string>> LargestSpreads(const ReportInputs& inputs,
                                                const std::vector<Filter>& where, Variable by,
                                                std::size_t how_many) {
  struct Spread {
    std::size_t item;
    Observation high, low;
  };
  std::vector<Spread> spreads;
  for (const auto& family : inputs.instrument->families) {
    if (family.polarity == instrument::Polarity::kDescriptive) continue;
    auto shares = SharesBy(inputs, family, where, by);
    if (!shares.ok()) return shares.error();
    for (const auto& seen : *shares) {
      if (seen.size() < 2) continue;
      const auto [low, high] = std::minmax_element(
          seen.begin(), seen.end(), [](const auto& a, const auto& b) { return a.share < b.share; });
      spreads.push_back({high->item, *high, *low});
    }
  }
  std::sort(spreads.begin(), spreads.end(), [](const Spread& a, const Spread& b) {
    return a.high.share - a.low.share > b.high.share - b.low.share;
  });
  std::vector<std::string> lines;
  for (std::size_t i = 0; i < spreads.size() && i < how_many; ++i) {
    const Spread& s = spreads[i];
    const auto& ref = inputs.data->item_refs[s.item];
    lines.push_back(
        fmt::format("{} ({}): {} {} mot {} {} – {} prosentpoeng.",
                    Quoted(ItemLabel(*inputs.data, s.item)), ref.family->title,
                    present::GroupValueLabel(*inputs.data, *inputs.instrument, by, s.high.group),
                    FormatPercent(s.high.share),
                    present::GroupValueLabel(*inputs.data, *inputs.instrument, by, s.low.group),
                    FormatPercent(s.low.share), std::lround((s.high.share - s.low.share) * 100)));
  }
  return lines;
}

// Highest and lowest national shares among families that rate competence.
Result<std::pair<std::vector<std::string>, std::vector<std::string>>> Extremes(
    const ReportInputs& inputs, const std::vector<Filter>& where, std::size_t how_many) {
  struct Share {
    std::size_t item;
    double share;
  };
  std::vector<Share> shares;
  for (const auto& family : inputs.instrument->families) {
    if (family.polarity != instrument::Polarity::kHigherIsBetter) continue;
    analysis::TableRequest request;
    request.family = family.id;
    request.where = where;
    auto table = PublishedTable(inputs, request);
    if (!table.ok()) return table.error();
    for (const auto& row : table->rows) {
      if (row.group.empty() && !row.cell.suppressed && row.cell.n > 0) {
        shares.push_back({row.item, row.cell.share});
      }
    }
  }
  std::sort(shares.begin(), shares.end(),
            [](const Share& a, const Share& b) { return a.share > b.share; });
  auto line = [&](const Share& s) {
    return fmt::format("{} ({}): {}", Quoted(ItemLabel(*inputs.data, s.item)),
                       inputs.data->item_refs[s.item].family->title, FormatPercent(s.share));
  };
  std::vector<std::string> high, low;
  for (std::size_t i = 0; i < shares.size() && i < how_many; ++i) high.push_back(line(shares[i]));
  for (std::size_t i = 0; i < shares.size() && i < how_many; ++i) {
    low.push_back(line(shares[shares.size() - 1 - i]));
  }
  return std::make_pair(high, low);
}

Chart NationalBars(const ReportInputs& inputs, const instrument::Family& family,
                   const analysis::Table& table) {
  Chart chart;
  chart.kind = ChartKind::kBars;
  chart.title = fmt::format("{} – landet", family.title);
  ChartSeries series{"Landet", {}};
  for (const std::size_t item : FamilyItems(*inputs.data, family)) {
    const analysis::TableRow* row = FindRow(table, item);
    chart.labels.push_back(ItemLabel(*inputs.data, item));
    series.values.push_back(row != nullptr ? ShareOf(row->cell) : Missing());
  }
  chart.series.push_back(std::move(series));
  chart.description = fmt::format("Andel som svarer {}, per spørsmål, i hele landet.",
                                  instrument::DescribeReportedShare(*inputs.instrument, family));
  return chart;
}

// «p = 0,03», «p < 0,001».
std::string PValueText(double p) {
  if (p < 0.001) return "p < 0,001";
  std::string text = fmt::format("p = {:.3f}", p);
  std::replace(text.begin(), text.end(), '.', ',');
  return text;
}

// Are there differences between the regions, the size groups and the
// services at all? A Rao–Scott test per item and breakdown, the false
// discovery rate controlled over the whole section, stated family by family.
Result<Section> DifferencesSection(const ReportInputs& inputs, const std::vector<Filter>& where) {
  const analysis::Dataset& data = *inputs.data;
  const std::vector<std::pair<Variable, std::string>> breakdowns = {
      {Variable::kRegion, "KORUS-regionene"},
      {Variable::kSizeGroup, "kommunestørrelsene"},
      {Variable::kService, "tjenestestedene"}};
  struct Tested {
    const instrument::Family* family;
    std::size_t item;
    std::vector<std::optional<analysis::RaoScottResult>> results;  // per breakdown
  };
  std::vector<Tested> tested;
  std::vector<double> p_values;
  for (const auto& family : inputs.instrument->families) {
    if (family.polarity == instrument::Polarity::kDescriptive) continue;
    for (const std::size_t item : FamilyItems(data, family)) {
      Tested t{&family, item, {}};
      bool any = false;
      for (const auto& [by, name] : breakdowns) {
        auto result = analysis::DifferencesAcross(data, *inputs.instrument, item, by, where);
        // Too few groups or rounds (an item one generation asked): no test.
        t.results.push_back(result.ok() ? std::optional(*result) : std::nullopt);
        if (result.ok()) {
          p_values.push_back(result->p_value);
          any = true;
        }
      }
      if (any) tested.push_back(std::move(t));
    }
  }
  const std::vector<double> adjusted = analysis::BenjaminiHochberg(p_values);
  constexpr double kFalseDiscoveryRate = 0.05;

  Section section{
      "forskjeller", "Er det forskjeller mellom regioner, kommunestørrelser og tjenester?", 1, {}};
  section.blocks.push_back(Paragraph{
      "For hvert spørsmål er det testet om andelen varierer mellom KORUS-regionene, mellom "
      "kommunestørrelsene og mellom tjenestestedene i det hele tatt (Rao–Scotts korrigerte "
      "kjikvadrattest, der hver kommunes runde er en klynge fordi svarene i en kommune ligner "
      "hverandre). Med så mange tester er signifikansen justert for mange sammenligninger "
      "(Benjamini–Hochberg, falsk funnrate 5 %)."});
  std::size_t at = 0;
  const instrument::Family* current = nullptr;
  DataTable table;
  std::vector<std::size_t> significant(breakdowns.size()), counted(breakdowns.size());
  auto finish_family = [&]() {
    if (current == nullptr) return;
    std::vector<std::string> parts;
    for (std::size_t b = 0; b < breakdowns.size(); ++b) {
      if (counted[b] == 0) continue;
      parts.push_back(fmt::format("mellom {} for {} av {} spørsmål", breakdowns[b].second,
                                  significant[b], counted[b]));
    }
    section.blocks.push_back(Paragraph{fmt::format("{}: forskjellene er signifikante {}.",
                                                   current->title, text::Join(parts, ", "))});
    section.blocks.push_back(std::move(table));
    table = DataTable{};
    significant.assign(breakdowns.size(), 0);
    counted.assign(breakdowns.size(), 0);
  };
  for (const Tested& t : tested) {
    if (t.family != current) {
      finish_family();
      current = t.family;
      table.caption = fmt::format("{}: forskjeller mellom grupper (p-verdier)", t.family->title);
      table.columns = {"Spørsmål", "KORUS-region", "Kommunestørrelse", "Tjenestested"};
      table.notes.push_back(fmt::format(
          "{} markerer signifikante forskjeller etter justering for mange sammenligninger.",
          kSignificantMark));
    }
    std::vector<TableCell> row = {TextCell(ItemLabel(data, t.item), true)};
    for (std::size_t b = 0; b < breakdowns.size(); ++b) {
      if (!t.results[b]) {
        row.push_back(TextCell("–"));
        continue;
      }
      const bool real = adjusted[at++] < kFalseDiscoveryRate;
      ++counted[b];
      if (real) ++significant[b];
      row.push_back(TextCell(PValueText(t.results[b]->p_value) + (real ? kSignificantMark : "")));
    }
    table.rows.push_back(std::move(row));
  }
  finish_family();
  return section;
}

// What every chapter of the national report needs to know: the baseline
// rounds it is built on.
struct NationalContext {
  const ReportInputs& inputs;
  const analysis::Dataset& data;
  const instrument::Instrument& instrument;
  std::vector<Filter> baseline;
  std::size_t respondents = 0;
  std::size_t municipalities = 0;
  int first_year = 0, last_year = 0;
};

Result<NationalContext> ResolveNation(const ReportInputs& inputs) {
  const analysis::Dataset& data = *inputs.data;
  const int baseline_code = BaselineCode(*inputs.instrument);
  std::set<int> municipalities, years;
  std::size_t respondents = 0;
  const analysis::ColumnView round = data.Column(Variable::kRoundType);
  for (std::size_t r = 0; r < data.rows; ++r) {
    if (round[r] != baseline_code) continue;
    ++respondents;
    municipalities.insert(data.municipality[r]);
    years.insert(data.year[r]);
  }
  if (respondents == 0) return Error{"databasen har ingen svar fra 0-punktsmålinger"};
  return NationalContext{
      .inputs = inputs,
      .data = data,
      .instrument = *inputs.instrument,
      .baseline = {{Variable::kRoundType, {baseline_code}, std::nullopt}},
      .respondents = respondents,
      .municipalities = municipalities.size(),
      .first_year = *years.begin(),
      .last_year = *years.rbegin(),
  };
}

// Chapter 4: who answered.
Result<Section> SampleSection(const NationalContext& n) {
  Section sample{"utvalg", "Hvem har svart", 1, {}};
  sample.blocks.push_back(Paragraph{fmt::format(
      "Databasen har {} svar fra ansatte i {} kommuner som har gjennomført kartleggingen i årene "
      "{}–{}. Tabellene viser hvordan svarene fordeler seg på år, KORUS-region, "
      "kommunestørrelse og tjenestested.",
      FormatCount(n.respondents), n.municipalities, n.first_year, n.last_year)});
  const std::pair<Variable, const char*> count_tables[] = {
      {Variable::kYear, "Tabell 4.1. Svar etter år"},
      {Variable::kRegion, "Tabell 4.2. Svar etter KORUS-region"},
      {Variable::kSizeGroup, "Tabell 4.3. Svar etter kommunestørrelse"},
      {Variable::kService, "Tabell 4.4. Svar etter tjenestested"}};
  for (const auto& [by, caption] : count_tables) {
    SAMKART_ASSIGN_OR_RETURN(DataTable table, CountTable(n.inputs, n.baseline, by, caption));
    sample.blocks.push_back(std::move(table));
  }
  return sample;
}

// «N = 1 200–1 450» over the family's visible totals; empty when the
// family was never asked in this material.
std::optional<std::string> NRange(const analysis::Table& total) {
  std::size_t n_low = SIZE_MAX, n_high = 0;
  for (const auto& row : total.rows) {
    if (row.group.empty() && !row.cell.suppressed) {
      n_low = std::min(n_low, row.cell.n);
      n_high = std::max(n_high, row.cell.n);
    }
  }
  if (n_high == 0) return std::nullopt;
  return n_low == n_high ? FormatCount(n_high) : FormatCount(n_low) + "–" + FormatCount(n_high);
}

// A single question with several categories: its distribution, overall
// and in every service that is not a coarse group.
Result<Chart> ServiceDistribution(const NationalContext& n, const instrument::Family& family) {
  std::vector<Subset> subsets{{"Alle", n.baseline}};
  SAMKART_ASSIGN_OR_RETURN(const std::vector<GroupCount> services,
                           PublishedCounts(n.inputs, n.baseline, Variable::kService));
  for (const auto& c : services) {
    if (IsCoarseService(n.instrument, c.value)) continue;
    std::vector<Filter> where = n.baseline;
    where.push_back({Variable::kService, {c.value}, std::nullopt});
    subsets.push_back(
        {present::GroupValueLabel(n.data, n.instrument, Variable::kService, c.value), where});
  }
  return DistributionChart(n.inputs, family, subsets,
                           fmt::format("{} – fordeling etter tjenestested", family.title));
}

// The family's charts and its tables by service and by size group.
Status AddFamilyResults(const NationalContext& n, const instrument::Family& family,
                        const analysis::Table& total, int& table_number, Section& section) {
  const instrument::Scale* scale = n.instrument.FindScale(family.scale);
  const bool distribution = family.type == instrument::FamilyType::kSingleChoice &&
                            family.items.size() == 1 && scale != nullptr &&
                            scale->categories.size() > 2;
  if (distribution) {
    SAMKART_ASSIGN_OR_RETURN(Chart chart, ServiceDistribution(n, family));
    section.blocks.push_back(std::move(chart));
  } else {
    section.blocks.push_back(NationalBars(n.inputs, family, total));
  }
  SAMKART_ASSIGN_OR_RETURN(Chart by_size,
                           GroupedChart(n.inputs, family, n.baseline, Variable::kSizeGroup,
                                        fmt::format("{} etter kommunestørrelse", family.title)));
  if (family.items.size() > 1) section.blocks.push_back(std::move(by_size));
  for (const Variable by : {Variable::kService, Variable::kSizeGroup}) {
    const char* by_text = by == Variable::kService ? "tjenestested" : "kommunestørrelse";
    SAMKART_ASSIGN_OR_RETURN(std::vector<DataTable> tables,
                             BreakdownTables(n.inputs, family, n.baseline, by,
                                             fmt::format("Tabell 5.{}. {} etter {}", table_number++,
                                                         family.title, by_text)));
    for (auto& t : tables) section.blocks.push_back(std::move(t));
  }
  return Ok();
}

// Chapter 5: one family; none when it was never asked.
Result<std::optional<Section>> FamilySection(const NationalContext& n,
                                             const instrument::Family& family, int& table_number) {
  analysis::TableRequest request;
  request.family = family.id;
  request.where = n.baseline;
  SAMKART_ASSIGN_OR_RETURN(const analysis::Table total, PublishedTable(n.inputs, request));
  const std::optional<std::string> n_range = NRange(total);
  if (!n_range) return std::optional<Section>();  // never asked in this material
  Section section{family.id, family.title, 1, {}};
  section.blocks.push_back(Paragraph{"Spørsmål: " + family.stem});
  if (!family.note.empty()) section.blocks.push_back(Paragraph{family.note});
  section.blocks.push_back(
      Paragraph{fmt::format("{} N = {}.", ShareRule(n.instrument, family), *n_range)});

  if (family.id == "cooperation_with_services") {
    std::string summary;
    SAMKART_ASSIGN_OR_RETURN(
        DataTable pairs,
        CooperationPairsTable(
            n.inputs, n.baseline,
            fmt::format("Tabell 5.{}. Samarbeid mellom tjenestene, begge retninger",
                        table_number++),
            &summary));
    section.blocks.push_back(NationalBars(n.inputs, family, total));
    if (!summary.empty()) section.blocks.push_back(Paragraph{summary});
    section.blocks.push_back(std::move(pairs));
    return std::optional<Section>(std::move(section));
  }
  SAMKART_TRY(AddFamilyResults(n, family, total, table_number, section));
  return std::optional<Section>(std::move(section));
}

// The summary, computed from the same published numbers.
Result<Section> SummarySection(const NationalContext& n) {
  Section summary{"sammendrag", "Sammendrag", 1, {}};
  SAMKART_ASSIGN_OR_RETURN(const auto extremes, Extremes(n.inputs, n.baseline, 3));
  SAMKART_ASSIGN_OR_RETURN(const std::vector<std::string> services,
                           LargestSpreads(n.inputs, n.baseline, Variable::kService, 3));
  SAMKART_ASSIGN_OR_RETURN(const std::vector<std::string> sizes,
                           LargestSpreads(n.inputs, n.baseline, Variable::kSizeGroup, 3));
  summary.blocks.push_back(Paragraph{fmt::format(
      "Rapporten bygger på {} svar fra {} kommuner. Funnene under er regnet ut fra tallene i "
      "rapporten; andelene er andelen som svarer i ganske eller svært stor grad (eller ja) på "
      "spørsmålene om kunnskap, trygghet, rutiner og samarbeid.",
      FormatCount(n.respondents), n.municipalities)});
  summary.blocks.push_back(Paragraph{"Høyest andel:"});
  summary.blocks.push_back(BulletList{extremes.first});
  summary.blocks.push_back(Paragraph{"Lavest andel:"});
  summary.blocks.push_back(BulletList{extremes.second});
  summary.blocks.push_back(Paragraph{"Største forskjeller mellom tjenestesteder:"});
  summary.blocks.push_back(BulletList{services});
  summary.blocks.push_back(Paragraph{"Største forskjeller mellom kommunestørrelser:"});
  summary.blocks.push_back(BulletList{sizes});
  return summary;
}

}  // namespace

Result<Document> BuildNationalReport(const ReportInputs& inputs) {
  SAMKART_ASSIGN_OR_RETURN(const NationalContext n, ResolveNation(inputs));
  Document doc;
  doc.title = "Kompetanse og samhandling i kommunenes arbeid med utsatte barn, unge og familier";
  doc.subtitle =
      fmt::format("Nasjonal rapport – {} svar fra {} kommuner, {}–{}", FormatCount(n.respondents),
                  n.municipalities, n.first_year, n.last_year);
  doc.front_matter = {
      fmt::format("Laget av Samkart {} fra {}.", inputs.generated_on, inputs.source),
      "Grunnlaget er 0-punktsmålingene (kartleggingene) i databasen; oppfølgingsmålinger er "
      "med i kommunerapportene.",
      fmt::format("Publiseringsregler: grupper med færre enn {} svar vises ikke.",
                  inputs.rules.min_n)};
  doc.legend = Legend(inputs.rules);

  SAMKART_ASSIGN_OR_RETURN(Section sample, SampleSection(n));
  std::vector<Section> results;
  int table_number = 1;
  for (const auto& family : n.instrument.families) {
    SAMKART_ASSIGN_OR_RETURN(std::optional<Section> section,
                             FamilySection(n, family, table_number));
    if (section) results.push_back(std::move(*section));
  }
  SAMKART_ASSIGN_OR_RETURN(Section summary, SummarySection(n));
  SAMKART_ASSIGN_OR_RETURN(Section differences, DifferencesSection(inputs, n.baseline));

  doc.sections.push_back(std::move(summary));
  doc.sections.push_back(std::move(sample));
  doc.sections.push_back(std::move(differences));
  for (auto& s : results) doc.sections.push_back(std::move(s));
  return doc;
}

}  // namespace samkart::report
