#include "samkart/report/national_report.h"

#include <algorithm>
#include <cmath>
#include <future>
#include <set>

#include "samkart/analysis/group_differences.h"
#include "samkart/core/text.h"
#include "samkart/instrument/codebook.h"
#include "samkart/present/table_format.h"
#include "samkart/report/blocks.h"
#include "samkart/report/competence_chapter.h"
#include "samkart/report/indicators.h"
#include "samkart/report/national_figures.h"
#include "samkart/report/national_method.h"

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

struct Breakdown {
  Variable by;
  const char* between;  // «mellom KORUS-regionene»
};
constexpr Breakdown kTestedBreakdowns[] = {{Variable::kRegion, "KORUS-regionene"},
                                           {Variable::kSizeGroup, "kommunestørrelsene"},
                                           {Variable::kService, "tjenestestedene"}};
constexpr std::size_t kBreakdownCount = std::size(kTestedBreakdowns);

// One item's tests, a result (or none: too few groups or rounds) and
// whether it is a discovery, per breakdown.
struct TestedItem {
  const instrument::Family* family = nullptr;
  std::size_t item = 0;
  std::optional<analysis::RaoScottResult> results[kBreakdownCount];
  bool real[kBreakdownCount] = {};
};

// Are there differences between the regions, the size groups and the
// services at all? A Rao–Scott test per item and breakdown, the false
// discovery rate controlled over all of them together.
std::vector<TestedItem> TestDifferences(const ReportInputs& inputs,
                                        const std::vector<Filter>& where) {
  std::vector<TestedItem> tested;
  std::vector<double> p_values;
  for (const auto& family : inputs.instrument->families) {
    if (family.polarity == instrument::Polarity::kDescriptive) continue;
    for (const std::size_t item : FamilyItems(*inputs.data, family)) {
      TestedItem t{&family, item, {}, {}};
      bool any = false;
      for (std::size_t b = 0; b < kBreakdownCount; ++b) {
        auto result = analysis::DifferencesAcross(*inputs.data, *inputs.instrument, item,
                                                  kTestedBreakdowns[b].by, where);
        if (!result.ok()) continue;  // an item one generation asked: too few rounds to test
        t.results[b] = *result;
        p_values.push_back(result->p_value);
        any = true;
      }
      if (any) tested.push_back(std::move(t));
    }
  }
  const std::vector<double> adjusted = analysis::BenjaminiHochberg(p_values);
  std::size_t at = 0;
  for (TestedItem& t : tested) {
    for (std::size_t b = 0; b < kBreakdownCount; ++b) {
      if (t.results[b]) t.real[b] = adjusted[at++] < analysis::kFalseDiscoveryRate;
    }
  }
  return tested;
}

// Significant and tested items of one family (or all) per breakdown.
struct Tally {
  std::size_t significant[kBreakdownCount] = {};
  std::size_t counted[kBreakdownCount] = {};

  void Add(const TestedItem& t) {
    for (std::size_t b = 0; b < kBreakdownCount; ++b) {
      counted[b] += t.results[b] ? 1 : 0;
      significant[b] += t.real[b] ? 1 : 0;
    }
  }
};

// The statements the discussion and conclusion may use: «Forskjellene
// mellom KORUS-regionene er signifikante for 3 av 73 spørsmål», and the
// families with regional differences.
std::vector<std::string> DifferenceStatements(const std::vector<TestedItem>& tested) {
  Tally all;
  std::vector<std::string> regional;
  for (std::size_t i = 0; i < tested.size();) {
    Tally family;
    const instrument::Family* current = tested[i].family;
    for (; i < tested.size() && tested[i].family == current; ++i) family.Add(tested[i]);
    for (std::size_t b = 0; b < kBreakdownCount; ++b) {
      all.counted[b] += family.counted[b];
      all.significant[b] += family.significant[b];
    }
    if (family.significant[0] > 0) {
      regional.push_back(fmt::format("{} ({} av {} spørsmål)", text::LowerFirst(current->title),
                                     family.significant[0], family.counted[0]));
    }
  }
  std::vector<std::string> statements;
  for (std::size_t b = 0; b < kBreakdownCount; ++b) {
    if (all.counted[b] == 0) continue;
    statements.push_back(fmt::format(
        "Forskjellene mellom {} er signifikante for {} av {} spørsmål (justert for mange "
        "sammenligninger).",
        kTestedBreakdowns[b].between, all.significant[b], all.counted[b]));
  }
  if (all.counted[0] > 0) {
    statements.push_back(
        regional.empty()
            ? std::string("Ingen spørsmålsfamilie har signifikante forskjeller mellom "
                          "KORUS-regionene.")
            : fmt::format("Signifikante forskjeller mellom KORUS-regionene finnes for {}.",
                          text::JoinList(regional)));
  }
  return statements;
}

// The tests family by family: a sentence and a table of p-values each.
Section DifferencesSection(const ReportInputs& inputs, const std::vector<TestedItem>& tested) {
  Section section{
      "forskjeller", "Er det forskjeller mellom regioner, kommunestørrelser og tjenester?", 1, {}};
  section.blocks.push_back(Paragraph{
      "For hvert spørsmål er det testet om andelen varierer mellom KORUS-regionene, mellom "
      "kommunestørrelsene og mellom tjenestestedene i det hele tatt (Rao–Scotts korrigerte "
      "kjikvadrattest, der hver kommunes runde er en klynge fordi svarene i en kommune ligner "
      "hverandre). Med så mange tester er signifikansen justert for mange sammenligninger "
      "(Benjamini–Hochberg, falsk funnrate 5 %)."});
  for (std::size_t i = 0; i < tested.size();) {
    const instrument::Family* family = tested[i].family;
    Tally tally;
    DataTable table;
    table.caption = fmt::format("{}: forskjeller mellom grupper (p-verdier)", family->title);
    table.columns = {"Spørsmål", "KORUS-region", "Kommunestørrelse", "Tjenestested"};
    table.notes.push_back(
        fmt::format("{} markerer signifikante forskjeller etter justering for mange "
                    "sammenligninger.",
                    kSignificantMark));
    for (; i < tested.size() && tested[i].family == family; ++i) {
      const TestedItem& t = tested[i];
      tally.Add(t);
      std::vector<TableCell> row = {TextCell(ItemLabel(*inputs.data, t.item), true)};
      for (std::size_t b = 0; b < kBreakdownCount; ++b) {
        row.push_back(TextCell(t.results[b] ? PValueText(t.results[b]->p_value) +
                                                  (t.real[b] ? kSignificantMark : "")
                                            : "–"));
      }
      table.rows.push_back(std::move(row));
    }
    std::vector<std::string> parts;
    for (std::size_t b = 0; b < kBreakdownCount; ++b) {
      if (tally.counted[b] == 0) continue;
      parts.push_back(fmt::format("mellom {} for {} av {} spørsmål", kTestedBreakdowns[b].between,
                                  tally.significant[b], tally.counted[b]));
    }
    section.blocks.push_back(Paragraph{fmt::format("{}: forskjellene er signifikante {}.",
                                                   family->title, text::Join(parts, ", "))});
    section.blocks.push_back(std::move(table));
  }
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

// The material: respondents, the response rate, and the printed report's
// tables and figures of surveys and respondents (Tabell 1–2, Figur 2.1–2.4).
Result<Section> DataSection(const NationalContext& n) {
  Section data{"utvalg", "Datamaterialet", 2, {}};
  data.blocks.push_back(Paragraph{fmt::format(
      "Databasen har {} svar fra ansatte i {} kommuner som har gjennomført kartleggingen i årene "
      "{}–{}.",
      FormatCount(n.respondents), n.municipalities, n.first_year, n.last_year)});
  SAMKART_ASSIGN_OR_RETURN(const std::string rate, ResponseRateText(n.inputs, n.baseline));
  data.blocks.push_back(Paragraph{rate});
  bool planned = false;
  for (const auto& figure : n.instrument.report_figures) {
    if (figure.source == instrument::FigureSource::kFamily) continue;
    planned = true;
    SAMKART_ASSIGN_OR_RETURN(std::vector<Block> blocks,
                             BuildReportFigure(n.inputs, n.baseline, figure));
    for (auto& b : blocks) data.blocks.push_back(std::move(b));
  }
  if (planned) return data;
  data.blocks.push_back(SurveyCountTable(n.inputs, n.baseline, Variable::kRegion,
                                         "Undersøkelser etter KORUS-region"));
  for (const Variable by :
       {Variable::kYear, Variable::kRegion, Variable::kSizeGroup, Variable::kService}) {
    SAMKART_ASSIGN_OR_RETURN(
        DataTable table,
        CountTable(n.inputs, n.baseline, by,
                   fmt::format("Svar etter {}", text::LowerFirst(analysis::VariableLabel(by)))));
    data.blocks.push_back(std::move(table));
  }
  return data;
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
                        const analysis::Table& total, bool planned, Section& section) {
  if (!planned) {
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
  }
  // Every service and size group in tables, beside the figures' selection.
  for (const Variable by : {Variable::kService, Variable::kSizeGroup}) {
    SAMKART_ASSIGN_OR_RETURN(
        std::vector<DataTable> tables,
        BreakdownTables(n.inputs, family, n.baseline, by,
                        fmt::format("{} etter {}, alle grupper", family.title,
                                    text::LowerFirst(analysis::VariableLabel(by)))));
    for (auto& t : tables) section.blocks.push_back(std::move(t));
  }
  return Ok();
}

// Chapter 5: one family; none when it was never asked.
Result<std::optional<Section>> FamilySection(const NationalContext& n,
                                             const instrument::Family& family) {
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

  // The printed report's numbered figures of this family, in its order.
  bool planned = false;
  for (const auto& figure : n.instrument.report_figures) {
    if (figure.source != instrument::FigureSource::kFamily || figure.family != family.id) continue;
    planned = true;
    SAMKART_ASSIGN_OR_RETURN(std::vector<Block> blocks,
                             BuildReportFigure(n.inputs, n.baseline, figure));
    for (auto& b : blocks) section.blocks.push_back(std::move(b));
  }

  if (family.excludes_own_service) {  // services rating each other
    std::string summary;
    if (!planned) section.blocks.push_back(NationalBars(n.inputs, family, total));
    SAMKART_ASSIGN_OR_RETURN(
        Chart grid, CooperationGrid(n.inputs, n.baseline, "Samarbeid mellom tjenestene i landet"));
    if (!grid.labels.empty()) section.blocks.push_back(std::move(grid));
    SAMKART_ASSIGN_OR_RETURN(
        DataTable pairs,
        CooperationPairsTable(n.inputs, n.baseline, "Samarbeid mellom tjenestene, begge retninger",
                              &summary));
    if (!summary.empty()) section.blocks.push_back(Paragraph{summary});
    section.blocks.push_back(std::move(pairs));
    return std::optional<Section>(std::move(section));
  }
  SAMKART_TRY(AddFamilyResults(n, family, total, planned, section));
  return std::optional<Section>(std::move(section));
}

// The main figures computed from the same published numbers: under the
// team's own summary, or standing alone until it is written.
Result<Section> ComputedSummary(const NationalContext& n) {
  Section summary{"sammendrag-tall", "Hovedtall regnet ut fra dataene", 2, {}};
  SAMKART_ASSIGN_OR_RETURN(const auto extremes, Extremes(n.inputs, n.baseline, 3));
  SAMKART_ASSIGN_OR_RETURN(const std::vector<std::string> services,
                           LargestSpreads(n.inputs, n.baseline, Variable::kService, 3));
  SAMKART_ASSIGN_OR_RETURN(const std::vector<std::string> sizes,
                           LargestSpreads(n.inputs, n.baseline, Variable::kSizeGroup, 3));
  summary.blocks.push_back(Paragraph{fmt::format(
      "Rapporten bygger på {} svar fra {} kommuner. Andelene under er andelen som svarer i "
      "ganske eller svært stor grad (eller ja) på spørsmålene om kunnskap, trygghet, rutiner og "
      "samarbeid.",
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

// A chapter in the national team's words: their text where the folder has
// it, a plain notice where it does not, and the computed statements that
// can support the text offered beside it.
std::vector<Section> EditorialSections(const EditorialText& text, const EditorialChapter& chapter,
                                       const std::vector<std::string>& support) {
  std::vector<Section> sections;
  Section main{chapter.key, chapter.title, 1, {}};
  const auto found = text.chapters.find(chapter.key);
  if (found != text.chapters.end()) {
    main.blocks = found->second.blocks;
    sections.push_back(std::move(main));
    for (const Section& sub : found->second.subsections) sections.push_back(sub);
  } else {
    main.blocks.push_back(Paragraph{
        text.dir.empty()
            ? fmt::format("Dette kapitlet har ingen tekst ennå. Den nasjonale redaksjonen skriver "
                          "det i filen {}.md i tekstmappen som oppgis når rapporten lages.",
                          chapter.key)
            : fmt::format("Dette kapitlet har ingen tekst ennå: filen {}/{}.md finnes ikke.",
                          text.dir, chapter.key)});
    sections.push_back(std::move(main));
  }
  if (!support.empty()) {
    Section numbers{std::string(chapter.key) + "-tall", "Tall som kan støtte teksten", 2, {}};
    numbers.blocks.push_back(
        Paragraph{"Regnet ut fra dataene i denne rapporten, til bruk i teksten over:"});
    numbers.blocks.push_back(BulletList{support});
    sections.push_back(std::move(numbers));
  }
  return sections;
}

const EditorialChapter& Chapter(std::string_view key) {
  for (const auto& c : kEditorialChapters) {
    if (key == c.key) return c;
  }
  return kEditorialChapters[0];
}

// Each family's shares by KORUS region, beside the test of whether the
// regions differ at all.
Result<Section> RegionSection(const NationalContext& n) {
  Section section{"regioner", "Resultater etter KORUS-region", 2, {}};
  section.blocks.push_back(Paragraph{
      "Andelen per KORUS-region for hvert spørsmål. Om forskjellene mellom regionene er større "
      "enn tilfeldig variasjon, står i tabellene over."});
  for (const auto& family : n.instrument.families) {
    if (family.polarity == instrument::Polarity::kDescriptive) continue;
    SAMKART_ASSIGN_OR_RETURN(std::vector<DataTable> tables,
                             BreakdownTables(n.inputs, family, n.baseline, Variable::kRegion,
                                             fmt::format("{} etter KORUS-region", family.title)));
    for (auto& t : tables) {
      if (HasVisibleNumber(t, 1)) section.blocks.push_back(std::move(t));
    }
  }
  return section;
}

}  // namespace

Result<Document> BuildNationalReport(const ReportInputs& shared_inputs, const EditorialText& text) {
  // One report asks for the same tables from several chapters: keep them.
  ReportInputs inputs = shared_inputs;
  if (!inputs.memo) inputs.memo = std::make_shared<TableMemo>();
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

  // The tests of differences read only the dataset and take a third of the
  // time on a large one: they run beside the chapters (an early return
  // waits for them, as the future's destructor does).
  auto testing =
      std::async(std::launch::async, [&] { return TestDifferences(inputs, n.baseline); });
  SAMKART_ASSIGN_OR_RETURN(std::vector<Section> method, MethodSections(inputs, n.baseline));
  SAMKART_ASSIGN_OR_RETURN(Section data, DataSection(n));
  std::vector<Section> results;
  for (const auto& family : n.instrument.families) {
    SAMKART_ASSIGN_OR_RETURN(std::optional<Section> section, FamilySection(n, family));
    if (section) results.push_back(std::move(*section));
  }
  SAMKART_ASSIGN_OR_RETURN(Section computed_summary, ComputedSummary(n));
  const std::vector<TestedItem> tested = testing.get();
  const std::vector<std::string> statements = DifferenceStatements(tested);
  Section differences = DifferencesSection(inputs, tested);
  SAMKART_ASSIGN_OR_RETURN(Section regions, RegionSection(n));
  SAMKART_ASSIGN_OR_RETURN(std::vector<Section> competence,
                           CompetenceSections(inputs, n.baseline, "landet"));
  SAMKART_ASSIGN_OR_RETURN(Section follow_up, FollowUpEvaluationSection(inputs));
  std::vector<std::string> support = statements;
  for (const Block& b : computed_summary.blocks) {
    if (const auto* list = std::get_if<BulletList>(&b)) {
      support.insert(support.end(), list->items.begin(), list->items.end());
    }
  }

  auto add = [&](std::vector<Section> sections) {
    for (auto& s : sections) doc.sections.push_back(std::move(s));
  };
  std::vector<Section> summary = EditorialSections(text, Chapter("sammendrag"), {});
  summary.push_back(std::move(computed_summary));
  add(std::move(summary));
  add(EditorialSections(text, Chapter("innledning"), {}));
  const std::size_t method_at = doc.sections.size();
  add(std::move(method));
  doc.sections.insert(doc.sections.begin() + static_cast<std::ptrdiff_t>(method_at + 1),
                      std::move(data));
  add(EditorialSections(text, Chapter("organisering"), {}));
  for (auto& s : results) doc.sections.push_back(std::move(s));
  doc.sections.push_back(std::move(differences));
  doc.sections.push_back(std::move(regions));
  for (auto& s : competence) doc.sections.push_back(std::move(s));
  doc.sections.push_back(std::move(follow_up));
  add(EditorialSections(text, Chapter("diskusjon"), support));
  add(EditorialSections(text, Chapter("konklusjon"), statements));

  // What the rules hid, known only now that every number is in place; it
  // goes with the rules in the method chapter.
  const Paragraph cost = PublicationCost(CountNumbers(doc));
  for (auto& section : doc.sections) {
    if (section.id == "metode-publisering") section.blocks.push_back(cost);
  }
  return doc;
}

}  // namespace samkart::report
