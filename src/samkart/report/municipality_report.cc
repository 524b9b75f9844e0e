#include "samkart/report/municipality_report.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "samkart/core/text.h"
#include "samkart/instrument/codebook.h"
#include "samkart/present/table_format.h"
#include "samkart/report/blocks.h"
#include "samkart/report/competence_chapter.h"
#include "samkart/report/indicators.h"

#include "fmt/format.h"

namespace samkart::report {

using analysis::Filter;
using analysis::Variable;

namespace {

struct Round {
  int year = 0;
  int round_type = 0;
};

// A deviation from the nation in the direction that is good (> 0) or bad.
struct Deviation {
  const instrument::Family* family = nullptr;
  ItemComparison comparison;
  double towards_better = 0;    // percentage points, signed by the family's polarity
  std::string label;            // the item's short label
  std::string question;         // the whole question, stem and item
  std::string partner_service;  // cooperation items: the service rated
};

constexpr const char* kRestOfNation = "Resten av landet";
constexpr const char* kRestOfSizeGroup = "Resten av størrelsesgruppen";

// A visible share of the municipality, for its lowest and highest results.
struct AbsoluteShare {
  const instrument::Family* family = nullptr;
  double share = 0;
  std::string label;
};

struct AbsoluteExtremes {
  std::vector<std::string> lowest, highest;
};

// The three lowest and three highest shares where a higher share is
// better (barriers and descriptive items say something else).
AbsoluteExtremes Extremes(std::vector<AbsoluteShare> shares) {
  constexpr std::size_t kShown = 3;
  std::erase_if(shares, [](const AbsoluteShare& s) {
    return s.family->polarity != instrument::Polarity::kHigherIsBetter;
  });
  std::stable_sort(shares.begin(), shares.end(),
                   [](const auto& a, const auto& b) { return a.share < b.share; });
  auto line = [](const AbsoluteShare& s) {
    return fmt::format("{}: {} ({})", FormatPercent(s.share), Quoted(s.label), s.family->title);
  };
  AbsoluteExtremes out;
  const std::size_t shown = std::min(kShown, shares.size() / 2);
  for (std::size_t k = 0; k < shown; ++k) {
    out.lowest.push_back(line(shares[k]));
    out.highest.push_back(line(shares[shares.size() - 1 - k]));
  }
  return out;
}

std::string RoundLabel(const instrument::Instrument& instrument, const Round& round) {
  for (const auto& r : instrument.round_types) {
    if (r.code == round.round_type) return fmt::format("{} {}", r.label, round.year);
  }
  return std::to_string(round.year);
}

// The stem without its trailing ellipsis, joined to the item's text:
// «I hvilken grad klarer du å identifisere … barn og unge som blir mobbet».
std::string Question(const instrument::Family& family, const instrument::Item& item) {
  std::string stem = family.stem;
  for (const std::string dots : {"...", "…"}) {
    if (stem.size() >= dots.size() &&
        stem.compare(stem.size() - dots.size(), dots.size(), dots) == 0) {
      stem.erase(stem.size() - dots.size());
      return stem + " " + text::LowerFirst(item.text);
    }
  }
  return stem + " – " + item.text;
}

// A question for the group work, from a gap (what Meløy's project group
// wrote by hand).
std::string DiscussionQuestion(const instrument::Instrument& instrument, const Deviation& d) {
  const auto& c = d.comparison;
  const std::string local = FormatPercent(c.subset.share);
  const std::string nation = FormatPercent(c.reference.share);
  if (d.family->polarity == instrument::Polarity::kHigherIsWorse) {
    return fmt::format(
        "Flere hos oss enn i resten av landet opplever {} som en barriere for å handle ({} mot "
        "{}). "
        "Hvorfor er det slik, og hva kan vi gjøre for at det ikke skal hindre oss?",
        Quoted(d.label), local, nation);
  }
  if (!d.partner_service.empty()) {
    const instrument::Service* partner = instrument.FindService(d.partner_service);
    return fmt::format(
        "Færre hos oss enn i resten av landet vurderer samarbeidet med {} som godt ({} mot {}). "
        "Hva er deres erfaring med dette samarbeidet, og hvordan kan det styrkes?",
        partner != nullptr ? partner->label : d.label, local, nation);
  }
  return fmt::format(
      "{} av oss mot {} i resten av landet svarer {} på spørsmålet «{}». Hva mener dere er "
      "årsaken(e), "
      "og hva trenger vi for å bli bedre?",
      local, nation, instrument::DescribeReportedShare(instrument, *d.family), d.question);
}

// What every chapter of one municipality's report needs to know.
struct MunicipalityContext {
  const ReportInputs& inputs;
  const analysis::Dataset& data;
  const instrument::Instrument& instrument;
  int baseline_code = 0;
  int municipality = 0;
  std::string name;
  Round current;
  std::optional<Round> earlier;  // the baseline round before a follow-up
  int region = 0;
  std::string size_label;
  std::vector<Filter> local;  // the municipality's current round
  GroupCount respondents;
};

// The municipality's rounds, name, size group and region, and its
// published number of respondents.
Result<MunicipalityContext> ResolveMunicipality(const ReportInputs& inputs, int municipality) {
  const analysis::Dataset& data = *inputs.data;
  const instrument::Instrument& instrument = *inputs.instrument;
  const int baseline_code = BaselineCode(instrument);
  std::map<int, Round> rounds;  // by year
  int size_group = 0, region = 0;
  const analysis::ColumnView round_type = data.Column(Variable::kRoundType);
  for (std::size_t r = 0; r < data.rows; ++r) {
    if (data.municipality[r] != municipality) continue;
    rounds[data.year[r]] = {data.year[r], round_type[r]};
    size_group = data.size_group[r];
    region = data.region[r];
  }
  if (rounds.empty()) {
    return Error{fmt::format("kommune {} har ingen svar i databasen", municipality)};
  }
  const auto name_it = data.municipality_names.find(municipality);
  const Round current = rounds.rbegin()->second;
  std::optional<Round> earlier;
  if (current.round_type != baseline_code) {
    for (const auto& [year, round] : rounds) {
      if (round.round_type == baseline_code && year < current.year) earlier = round;
    }
  }
  std::vector<Filter> local = {{Variable::kMunicipality, {municipality}, std::nullopt},
                               {Variable::kYear, {current.year}, std::nullopt},
                               {Variable::kRoundType, {current.round_type}, std::nullopt}};
  SAMKART_ASSIGN_OR_RETURN(const GroupCount respondents, PublishedCount(inputs, local));
  return MunicipalityContext{
      .inputs = inputs,
      .data = data,
      .instrument = instrument,
      .baseline_code = baseline_code,
      .municipality = municipality,
      .name =
          name_it != data.municipality_names.end() ? name_it->second : std::to_string(municipality),
      .current = current,
      .earlier = earlier,
      .region = region,
      .size_label = present::GroupValueLabel(data, instrument, Variable::kSizeGroup, size_group),
      .local = std::move(local),
      .respondents = respondents,
  };
}

std::vector<std::string> FrontMatter(const MunicipalityContext& m) {
  return {
      m.respondents.suppressed
          ? std::string("Svar fra ansatte som møter barn, unge og familier (antallet vises ikke "
                        "etter publiseringsreglene).")
          : fmt::format("{} svar fra ansatte som møter barn, unge og familier.",
                        FormatCount(m.respondents.count)),
      fmt::format("Kommunestørrelse: {}. KORUS-region: {}.", m.size_label,
                  present::GroupValueLabel(m.data, m.instrument, Variable::kRegion, m.region)),
      fmt::format("{} sammenlignes med 0-punktsmålingene til de andre kommunene i databasen "
                  "(resten av landet) og til de andre kommunene med samme størrelse (resten av "
                  "størrelsesgruppen), ikke med en helhet der {} selv er med.",
                  m.name, m.name),
      fmt::format("Laget av Samkart {} fra {}.", m.inputs.generated_on, m.inputs.source)};
}

struct FamilyComparisons {
  std::vector<ItemComparison> nation, size, change;
};

// Every comparison the report makes, so the false discovery rate is
// controlled over all of them together.
struct Comparisons {
  std::vector<FamilyComparisons> families;  // in the instrument's order
  std::vector<std::optional<analysis::Difference>*> tested;
  std::size_t raw_significant = 0;  // before the false discovery control
};

// Each family against the rest of the nation and the rest of the size
// group, and the change since the baseline round. `out` owns the
// differences `tested` points into.
Status CompareAll(const MunicipalityContext& m, Comparisons& out) {
  const std::vector<Filter> baseline_rounds = {
      {Variable::kRoundType, {m.baseline_code}, std::nullopt}};
  std::vector<Filter> before;
  if (m.earlier) {
    before = {{Variable::kMunicipality, {m.municipality}, std::nullopt},
              {Variable::kYear, {m.earlier->year}, std::nullopt},
              {Variable::kRoundType, {m.earlier->round_type}, std::nullopt}};
  }
  out.families.resize(m.instrument.families.size());
  for (std::size_t f = 0; f < m.instrument.families.size(); ++f) {
    const instrument::Family& family = m.instrument.families[f];
    FamilyComparisons& compared = out.families[f];
    SAMKART_ASSIGN_OR_RETURN(compared.nation,
                             CompareFamilyWithRest(m.inputs, family, m.local,
                                                   analysis::Comparison::kNation, baseline_rounds));
    SAMKART_ASSIGN_OR_RETURN(
        compared.size, CompareFamilyWithRest(m.inputs, family, m.local,
                                             analysis::Comparison::kSizeGroup, baseline_rounds));
    if (m.earlier) {
      SAMKART_ASSIGN_OR_RETURN(compared.change, CompareFamily(m.inputs, family, m.local, before));
    }
    for (auto* list : {&compared.nation, &compared.size, &compared.change}) {
      for (ItemComparison& c : *list) {
        if (c.difference) out.tested.push_back(&c.difference);
      }
    }
  }
  out.raw_significant = MarkDiscoveries(out.tested);
  return Ok();
}

// A family at a glance: the mean of its items' shares where the
// municipality, the rest of the nation and the rest of the size group can
// all be shown (a mean of published numbers reveals nothing hidden).
struct FamilyOverview {
  const instrument::Family* family = nullptr;
  Number local, nation, size;
  double towards_better = 0;  // percentage points above the rest of the nation, by polarity
};

// What the family chapters find, for the summary and the strengths.
struct Findings {
  std::vector<Deviation> deviations;
  std::vector<AbsoluteShare> shares;
  std::vector<FamilyOverview> overview;
  std::optional<Number> concerned, acted;
};

// «1 spørsmål», «3 spørsmål»; «1 endring», «2 endringer».
std::string Counted(std::size_t n, const char* one, const char* many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

double PolaritySign(const instrument::Family& family) {
  return family.polarity == instrument::Polarity::kHigherIsWorse ? -1 : 1;
}

// A difference in points, marked better or worse when it is a real finding.
TableCell DirectedPoints(const instrument::Family& family,
                         const std::optional<analysis::Difference>& difference) {
  TableCell cell = PointsCell(PointsNumber(difference), difference && difference->significant);
  if (IsFinding(difference) && family.polarity != instrument::Polarity::kDescriptive) {
    cell.direction =
        IsImprovement(family, difference->estimate) ? Direction::kBetter : Direction::kWorse;
  }
  return cell;
}

// The mean of the shares of several items; its n is the smallest
// denominator behind it.
struct MeanOf {
  double sum = 0;
  std::size_t items = 0, n = SIZE_MAX;

  void Add(const analysis::Cell& cell) {
    sum += cell.share;
    ++items;
    n = std::min(n, cell.n);
  }
  Number Mean() const {
    Number mean{};
    mean.value = sum / static_cast<double>(items);
    mean.n = n;
    return mean;
  }
};

// The family's overview from the items whose three shares are all visible.
std::optional<FamilyOverview> Overview(const instrument::Family& family,
                                       const FamilyComparisons& compared) {
  if (family.polarity == instrument::Polarity::kDescriptive) return std::nullopt;
  MeanOf local, nation, size;
  for (std::size_t i = 0; i < compared.nation.size() && i < compared.size.size(); ++i) {
    const ItemComparison& c = compared.nation[i];
    const ItemComparison& s = compared.size[i];
    if (!ShareOf(c.subset).Visible() || !ShareOf(c.reference).Visible() ||
        !ShareOf(s.reference).Visible()) {
      continue;
    }
    local.Add(c.subset);
    nation.Add(c.reference);
    size.Add(s.reference);
  }
  if (local.items == 0) return std::nullopt;
  return FamilyOverview{
      &family, local.Mean(), nation.Mean(), size.Mean(),
      PolaritySign(family) * (local.sum - nation.sum) / static_cast<double>(local.items) * 100};
}

// «Over resten av landet på 2 og under på 1 av 12 spørsmål».
std::string FamilyTakeaway(const instrument::Family& family,
                           const std::vector<ItemComparison>& vs_nation) {
  if (family.polarity == instrument::Polarity::kDescriptive) return "";
  std::size_t better = 0, worse = 0, compared = 0;
  for (const ItemComparison& c : vs_nation) {
    if (!c.difference) continue;
    ++compared;
    if (!IsFinding(c.difference)) continue;
    (PolaritySign(family) * c.difference->estimate > 0 ? better : worse) += 1;
  }
  if (compared == 0) return "";
  if (better == 0 && worse == 0) {
    return fmt::format("Ingen tydelige forskjeller fra resten av landet ({} sammenlignet).",
                       Counted(compared, "spørsmål", "spørsmål"));
  }
  return fmt::format("Tydelig bedre enn resten av landet på {}, tydelig svakere på {}, av {}.",
                     better, worse, Counted(compared, "spørsmål", "spørsmål"));
}

// Whether the round's questionnaire asked the family at all.
bool WasAsked(const std::vector<ItemComparison>& vs_nation) {
  return std::any_of(vs_nation.begin(), vs_nation.end(),
                     [](const ItemComparison& c) { return c.subset.n > 0 || c.subset.suppressed; });
}

// «N i Meløy = 40–52»: the range of the municipality's visible n.
std::string NRange(const std::vector<ItemComparison>& vs_nation) {
  std::size_t n_low = SIZE_MAX, n_high = 0;
  for (const auto& c : vs_nation) {
    if (c.subset.n > 0) {
      n_low = std::min(n_low, c.subset.n);
      n_high = std::max(n_high, c.subset.n);
    }
  }
  if (n_high == 0) return std::string(kSuppressedMark);
  return n_low == n_high ? FormatCount(n_high) : FormatCount(n_low) + "–" + FormatCount(n_high);
}

// The family's items in the municipality against the rest of the nation
// and of the size group, as a chart and a table; records the deviations
// and visible shares in `findings`.
Section FamilySection(const MunicipalityContext& m, const instrument::Family& family,
                      const FamilyComparisons& compared, Findings& findings) {
  const std::vector<ItemComparison>& vs_nation = compared.nation;
  const std::vector<ItemComparison>& vs_size = compared.size;
  Section section{family.id, family.title, 1, {}};
  section.blocks.push_back(Paragraph{"Spørsmål: " + family.stem});
  Chart chart;
  chart.kind = ChartKind::kBars;
  chart.title = fmt::format("{} – {} mot resten av landet", family.title, m.name);
  ChartSeries ours{m.name, {}}, national{kRestOfNation, {}, Reference::kNation},
      size{kRestOfSizeGroup, {}, Reference::kSizeGroup};
  DataTable table;
  table.caption =
      fmt::format("{}: {}, resten av størrelsesgruppen og resten av landet", family.title, m.name);
  table.columns = {"", m.name, kRestOfSizeGroup, kRestOfNation, "Forskjell fra resten av landet"};
  for (std::size_t i = 0; i < vs_nation.size(); ++i) {
    const ItemComparison& c = vs_nation[i];
    const ItemComparison& s = vs_size[i];
    const std::string label = ItemLabel(m.data, c.item);
    chart.labels.push_back(label);
    ours.values.push_back(ShareOf(c.subset));
    national.values.push_back(ShareOf(c.reference));
    size.values.push_back(ShareOf(s.reference));
    table.rows.push_back({TextCell(label, true), PercentCell(ShareOf(c.subset)),
                          PercentCell(ShareOf(s.reference)), PercentCell(ShareOf(c.reference)),
                          DirectedPoints(family, c.difference)});
    if (c.difference && family.polarity != instrument::Polarity::kDescriptive) {
      const double sign = PolaritySign(family);
      const instrument::Item& item = *m.data.item_refs[c.item].item;
      findings.deviations.push_back({&family, c, sign * c.difference->estimate * 100, label,
                                     Question(family, item), item.partner_service});
    }
    if (!c.subset.suppressed && c.subset.n > 0 &&
        family.polarity != instrument::Polarity::kDescriptive) {
      findings.shares.push_back({&family, c.subset.share, label});
    }
  }
  if (auto overview = Overview(family, compared)) findings.overview.push_back(*overview);
  section.takeaway = FamilyTakeaway(family, vs_nation);
  if (family.id == "concern_experienced" && !vs_nation.empty()) {
    findings.concerned = ShareOf(vs_nation[0].subset);
  }
  if (family.id == "acted_on_concern" && !vs_nation.empty()) {
    findings.acted = ShareOf(vs_nation[0].subset);
  }
  chart.series.push_back(std::move(ours));
  chart.markers.push_back(std::move(national));
  chart.markers.push_back(std::move(size));
  chart.description = fmt::format(
      "Søylene viser {}, merkene de andre kommunene i landet og de andre kommunene med {}. "
      "Tallene står i tabellen.",
      m.name, text::LowerFirst(m.size_label));
  section.blocks.push_back(std::move(chart));
  table.notes.push_back(
      fmt::format("{} N i {} = {}.", ShareRule(m.instrument, family), m.name, NRange(vs_nation)));
  section.blocks.push_back(std::move(table));
  return section;
}

// Inside the municipality, by service, as far as the rules allow; the
// cooperation family as the matrix of pairs of services.
Result<Section> ServiceSection(const MunicipalityContext& m, const instrument::Family& family) {
  const std::string too_few = fmt::format(
      "Ingen tjeneste i {} har nok svar på disse spørsmålene til at tallene kan vises per "
      "tjeneste (publiseringsreglene krever minst {} svar i hver gruppe).",
      m.name, m.inputs.rules.min_n);
  Section by_service{family.id + "_tjeneste", family.title + " etter tjenestested", 2, {}};
  if (family.id == "cooperation_with_services") {
    std::string summary;
    SAMKART_ASSIGN_OR_RETURN(
        DataTable pairs,
        CooperationPairsTable(
            m.inputs, m.local,
            fmt::format("Samarbeid mellom tjenestene i {}, begge retninger", m.name), &summary));
    by_service.title = "Samarbeid mellom tjenestene i kommunen";
    by_service.takeaway = summary;
    if (!HasVisibleNumber(pairs)) {
      by_service.blocks.push_back(Paragraph{too_few});
      return by_service;
    }
    SAMKART_ASSIGN_OR_RETURN(
        Chart grid,
        CooperationGrid(
            m.inputs, m.local,
            fmt::format("Hvordan tjenestene i {} vurderer samarbeidet med hverandre", m.name)));
    by_service.blocks.push_back(std::move(grid));
    by_service.blocks.push_back(std::move(pairs));
    return by_service;
  }
  SAMKART_ASSIGN_OR_RETURN(
      std::vector<DataTable> tables,
      BreakdownTables(m.inputs, family, m.local, Variable::kService,
                      fmt::format("{} etter tjenestested i {}", family.title, m.name)));
  // The «Alle» row repeats the municipality's own figures above.
  const bool any = std::any_of(tables.begin(), tables.end(),
                               [](const DataTable& t) { return HasVisibleNumber(t, 1); });
  if (!any) by_service.blocks.push_back(Paragraph{too_few});
  if (any) {
    SAMKART_ASSIGN_OR_RETURN(
        Chart chart, GroupedChart(m.inputs, family, m.local, Variable::kService,
                                  fmt::format("{} etter tjenestested i {}", family.title, m.name)));
    // A service with nothing to show is only marks: it stays in the table.
    std::erase_if(chart.series, [&](const ChartSeries& s) {
      return std::none_of(s.values.begin(), s.values.end(),
                          [](const Number& v) { return v.Visible(); });
    });
    if (chart.series.size() >= 2) by_service.blocks.push_back(std::move(chart));
  }
  for (auto& t : tables) {
    if (any) by_service.blocks.push_back(std::move(t));
  }
  return by_service;
}

// The real deviations from the rest of the nation — significant after the
// false discovery control and at least a material size — largest first.
struct StrengthsAndGaps {
  std::vector<const Deviation*> better, worse;
};

// Sorts `deviations` (which the result points into) by size.
StrengthsAndGaps SortedFindings(std::vector<Deviation>& deviations) {
  std::stable_sort(deviations.begin(), deviations.end(), [](const auto& a, const auto& b) {
    return a.towards_better > b.towards_better;
  });
  StrengthsAndGaps out;
  for (const Deviation& d : deviations) {
    if (!IsFinding(d.comparison.difference)) continue;
    if (d.towards_better > 0) out.better.push_back(&d);
  }
  for (auto it = deviations.rbegin(); it != deviations.rend(); ++it) {
    if (IsFinding(it->comparison.difference) && it->towards_better < 0) out.worse.push_back(&*it);
  }
  return out;
}

DataTable DeviationTable(const MunicipalityContext& m, const std::string& caption,
                         const std::vector<const Deviation*>& list) {
  DataTable t;
  t.caption = caption;
  t.columns = {"Spørsmål", "Tema", m.name, kRestOfNation, "Forskjell"};
  for (const Deviation* d : list) {
    const auto& c = d->comparison;
    t.rows.push_back({TextCell(d->label, true), TextCell(d->family->title),
                      PercentCell(ShareOf(c.subset)), PercentCell(ShareOf(c.reference)),
                      DirectedPoints(*d->family, c.difference)});
  }
  t.notes.push_back(
      "Forskjell i prosentpoeng fra resten av landet. For barrierer er en lavere andel enn i "
      "resten av landet en styrke.");
  return t;
}

Section StrengthsSection(const MunicipalityContext& m, const Comparisons& comparisons,
                         const StrengthsAndGaps& found) {
  Section strengths{"styrker", "Styrker og forbedringsområder", 1, {}};
  strengths.blocks.push_back(Paragraph{fmt::format(
      "Her står bare forskjeller fra resten av landet som både er statistisk signifikante og "
      "minst {} prosentpoeng store. Med om lag {} sammenligninger i rapporten vil noen se "
      "signifikante ut ved en tilfeldighet; derfor er signifikansen justert for mange "
      "sammenligninger (Benjamini–Hochberg, falsk funnrate 5 %). {} sammenligninger var "
      "signifikante før justeringen, {} etter.",
      MaterialPoints(), comparisons.tested.size(), comparisons.raw_significant,
      CountDiscoveries(comparisons.tested))});
  if (found.better.empty()) {
    strengths.blocks.push_back(Paragraph{
        fmt::format("{} har ingen tydelige styrker sammenlignet med resten av landet.", m.name)});
  } else {
    strengths.blocks.push_back(DeviationTable(m, "Styrker: over resten av landet", found.better));
  }
  if (found.worse.empty()) {
    strengths.blocks.push_back(Paragraph{fmt::format(
        "{} har ingen tydelige forbedringsområder sammenlignet med resten av landet.", m.name)});
  } else {
    strengths.blocks.push_back(
        DeviationTable(m, "Forbedringsområder: under resten av landet", found.worse));
  }
  return strengths;
}

// Questions for the group work, from the largest real gaps only.
Section DiscussionSection(const MunicipalityContext& m,
                          const std::vector<const Deviation*>& worse) {
  std::vector<const Deviation*> gaps(worse.begin(),
                                     worse.begin() + std::min<std::size_t>(worse.size(), 3));
  Section discussion{"drofting", "Spørsmål til drøfting", 1, {}};
  if (gaps.empty()) {
    discussion.blocks.push_back(Paragraph{fmt::format(
        "{} ligger ikke tydelig under resten av landet på noen av spørsmålene. Drøft gjerne hva "
        "som gjør at dere lykkes, og se på de laveste andelene i sammendraget: de kan være verdt "
        "å arbeide med uansett hvordan landet ligger an.",
        m.name)});
  } else {
    discussion.blocks.push_back(
        Paragraph{"Spørsmålene er laget ut fra de største tydelige forskjellene fra resten av "
                  "landet, til bruk i arbeidsgrupper i tjenestene."});
    std::vector<std::string> questions;
    for (const Deviation* d : gaps) questions.push_back(DiscussionQuestion(m.instrument, *d));
    discussion.blocks.push_back(BulletList{questions});
  }
  return discussion;
}

// Invited employees of the current round, by service key.
std::map<std::string, int> InvitedByService(const MunicipalityContext& m) {
  const std::string current_type =
      m.current.round_type == m.baseline_code ? "baseline" : "follow_up";
  std::map<std::string, int> invited;
  for (const auto& c : m.inputs.invited) {
    if (c.municipality == m.municipality && c.year == m.current.year &&
        c.round_type == current_type) {
      invited[c.service] += c.invited;
    }
  }
  return invited;
}

// k-anonymity may have moved a small service into a coarser group: its
// invited employees go with it, up the chain, to a group that answered.
std::map<int, int> InvitedByAnsweredGroup(const instrument::Instrument& instrument,
                                          const std::map<std::string, int>& invited,
                                          const std::vector<GroupCount>& answered) {
  std::set<int> answered_codes;
  for (const auto& a : answered) answered_codes.insert(a.value);
  std::map<int, int> invited_by_code;
  for (const auto& [key, count] : invited) {
    const instrument::Service* s = instrument.FindService(key);
    while (s != nullptr && !answered_codes.contains(s->code) && !s->generalises_to.empty()) {
      s = instrument.FindService(s->generalises_to);
    }
    if (s != nullptr) invited_by_code[s->code] += count;
  }
  return invited_by_code;
}

Number ResponseRate(std::size_t answered, int invited) {
  Number rate{};
  rate.value = std::min(1.0, static_cast<double>(answered) / invited);
  rate.n = static_cast<std::size_t>(invited);
  return rate;
}

// Response rate by service, where invited counts are known; the totals
// go to the summary's key figures.
struct ResponseChapter {
  Section section;
  int total_invited = 0;
  Number total_rate;
};

Result<ResponseChapter> ResponseSection(const MunicipalityContext& m) {
  SAMKART_ASSIGN_OR_RETURN(const std::vector<GroupCount> answered,
                           PublishedCounts(m.inputs, m.local, Variable::kService));
  const std::map<std::string, int> invited = InvitedByService(m);
  const std::map<int, int> invited_by_code =
      InvitedByAnsweredGroup(m.instrument, invited, answered);
  DataTable t;
  t.caption = fmt::format("Svar og svarprosent etter tjenestested i {}", m.name);
  t.columns = {"Tjenestested", "Inviterte", "Svar", "Svarprosent"};
  const GroupCount& respondents = m.respondents;
  int total_invited = 0;
  for (const auto& a : answered) {
    const auto inv = invited_by_code.find(a.value);
    Number rate = Missing();
    if (a.suppressed) {
      rate = Hidden();
    } else if (inv != invited_by_code.end() && inv->second > 0) {
      rate = ResponseRate(a.count, inv->second);
    }
    if (inv != invited_by_code.end()) total_invited += inv->second;
    t.rows.push_back(
        {TextCell(present::GroupValueLabel(m.data, m.instrument, Variable::kService, a.value),
                  true),
         inv != invited_by_code.end() ? CountCell(static_cast<std::size_t>(inv->second))
                                      : PercentCell(Missing()),
         CountCell(a.count, a.suppressed), PercentCell(rate)});
  }
  Number total_rate = Missing();
  if (respondents.suppressed) {
    total_rate = Hidden();
  } else if (total_invited > 0) {
    total_rate = ResponseRate(respondents.count, total_invited);
  }
  t.rows.push_back({TextCell("Alle", true),
                    total_invited > 0 ? CountCell(static_cast<std::size_t>(total_invited))
                                      : PercentCell(Missing()),
                    CountCell(respondents.count, respondents.suppressed), PercentCell(total_rate)});
  t.notes.push_back(
      "Tjenester med få svar er slått sammen med beslektede tjenester ved import "
      "(k-anonymitet); de inviterte følger med.");
  if (invited.empty()) t.notes.push_back("Antall inviterte er ikke registrert for denne runden.");
  ResponseChapter out{Section{"svarprosent", "Hvem har svart", 1, {}}, total_invited, total_rate};
  if (!respondents.suppressed) {
    out.section.blocks.push_back(Paragraph{fmt::format(
        "{} ansatte svarte på undersøkelsen{}.", FormatCount(respondents.count),
        total_invited > 0 ? fmt::format(", av {} inviterte ({})", FormatCount(total_invited),
                                        FormatPercent(total_rate.value))
                          : "")});
  }
  out.section.blocks.push_back(std::move(t));
  return out;
}

KeyFigures SummaryFigures(const MunicipalityContext& m, const ResponseChapter& response,
                          const Findings& findings) {
  KeyFigures figures;
  figures.figures.push_back(
      {CountOf(m.respondents.count, m.respondents.suppressed), CellFormat::kCount, "svar"});
  if (response.total_invited > 0) {
    figures.figures.push_back({response.total_rate, CellFormat::kPercent, "svarprosent"});
  }
  if (findings.concerned) {
    figures.figures.push_back({*findings.concerned, CellFormat::kPercent,
                               "har vært bekymret for et barn eller en ungdom det siste året"});
  }
  if (findings.acted) {
    figures.figures.push_back(
        {*findings.acted, CellFormat::kPercent, "av dem som var bekymret, handlet på bekymringen"});
  }
  return figures;
}

// The largest few findings as lines; the section «Styrker og
// forbedringsområder» lists them all.
std::vector<std::string> SummaryLines(const std::vector<const Deviation*>& list) {
  constexpr std::size_t kSummaryFindings = 5;
  std::vector<std::string> lines;
  for (std::size_t k = 0; k < list.size() && k < kSummaryFindings; ++k) {
    const Deviation* d = list[k];
    lines.push_back(fmt::format("{} ({}): {} mot {} i resten av landet", Quoted(d->label),
                                d->family->title, FormatPercent(d->comparison.subset.share),
                                FormatPercent(d->comparison.reference.share)));
  }
  if (list.size() > kSummaryFindings) {
    lines.push_back(fmt::format("… og {} til (se «Styrker og forbedringsområder»)",
                                list.size() - kSummaryFindings));
  }
  return lines;
}

// A real change since the baseline round.
struct ChangeItem {
  std::string label;
  Number before, after;
  double towards_better = 0;  // percentage points, signed by the family's polarity
};

// The change tables of every family and the real changes among them.
struct Changes {
  std::vector<DataTable> tables;
  std::vector<ChangeItem> found;  // best first
};

// One family's change since the baseline; its real changes go to `found`.
DataTable ChangeTable(const MunicipalityContext& m, const instrument::Family& family,
                      const std::vector<ItemComparison>& changes, std::vector<ChangeItem>& found) {
  DataTable t;
  t.caption = family.title;
  t.columns = {"", std::to_string(m.earlier->year), std::to_string(m.current.year), "Endring"};
  for (const auto& c : changes) {
    if (c.subset.n == 0 && c.reference.n == 0 && !c.subset.suppressed && !c.reference.suppressed) {
      continue;
    }
    const std::string label = ItemLabel(m.data, c.item);
    t.rows.push_back({TextCell(label, true), PercentCell(ShareOf(c.reference)),
                      PercentCell(ShareOf(c.subset)), DirectedPoints(family, c.difference)});
    if (!IsFinding(c.difference) || family.polarity == instrument::Polarity::kDescriptive) {
      continue;
    }
    found.push_back({fmt::format("{} ({})", label, family.title), ShareOf(c.reference),
                     ShareOf(c.subset), PolaritySign(family) * c.difference->estimate * 100});
  }
  if (!t.rows.empty()) {
    t.notes.push_back(ShareRule(m.instrument, family));
    if (family.polarity == instrument::Polarity::kHigherIsWorse) {
      t.notes.push_back("Her er en nedgang en forbedring: færre opplever barrieren.");
    }
  }
  return t;
}

Changes CollectChanges(const MunicipalityContext& m, const Comparisons& comparisons) {
  Changes out;
  for (std::size_t f = 0; f < m.instrument.families.size(); ++f) {
    DataTable t =
        ChangeTable(m, m.instrument.families[f], comparisons.families[f].change, out.found);
    if (!t.rows.empty()) out.tables.push_back(std::move(t));
  }
  std::stable_sort(out.found.begin(), out.found.end(), [](const auto& a, const auto& b) {
    return a.towards_better > b.towards_better;
  });
  return out;
}

// The real changes as a ranked before-and-after chart: improvements at the
// top, the largest worsening at the bottom; at most `limit`, the largest.
Chart ChangeChart(const MunicipalityContext& m, std::vector<ChangeItem> found, std::size_t limit,
                  const std::string& title) {
  if (found.size() > limit) {
    std::stable_sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
      return std::fabs(a.towards_better) > std::fabs(b.towards_better);
    });
    found.resize(limit);
    std::stable_sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
      return a.towards_better > b.towards_better;
    });
  }
  Chart chart;
  chart.kind = ChartKind::kChange;
  chart.title = title;
  ChartSeries before{std::to_string(m.earlier->year), {}, Reference::kBaseline},
      after{std::to_string(m.current.year), {}};
  for (const ChangeItem& c : found) {
    chart.labels.push_back(c.label);
    before.values.push_back(c.before);
    after.values.push_back(c.after);
    chart.directions.push_back(c.towards_better > 0 ? Direction::kBetter : Direction::kWorse);
  }
  chart.series = {std::move(before), std::move(after)};
  chart.description = fmt::format(
      "Hver linje går fra andelen ved 0-punktsmålingen i {} til andelen i {}. Grønn er en "
      "forbedring, rød en tilbakegang (for barrierer er en nedgang en forbedring). Bare endringer "
      "som er statistisk signifikante og minst {} prosentpoeng store, er med.",
      m.earlier->year, m.current.year, MaterialPoints());
  return chart;
}

// «3 forbedringer og 1 tilbakegang» since the baseline.
std::string ChangeCounts(const std::vector<ChangeItem>& found) {
  const auto better = static_cast<std::size_t>(std::count_if(
      found.begin(), found.end(), [](const ChangeItem& c) { return c.towards_better > 0; }));
  const std::size_t worse = found.size() - better;
  return fmt::format("{} og {}", Counted(better, "forbedring", "forbedringer"),
                     Counted(worse, "tilbakegang", "tilbakeganger"));
}

// Every family's mean share against the rest of the nation and of the
// size group, the one the municipality does best in first.
Chart OverviewChart(const MunicipalityContext& m, std::vector<FamilyOverview> overview) {
  std::stable_sort(overview.begin(), overview.end(), [](const auto& a, const auto& b) {
    return a.towards_better > b.towards_better;
  });
  Chart chart;
  chart.kind = ChartKind::kBars;
  chart.title =
      fmt::format("Hvor står {}? Temaene mot resten av landet og størrelsesgruppen", m.name);
  ChartSeries ours{m.name, {}}, national{kRestOfNation, {}, Reference::kNation},
      size{kRestOfSizeGroup, {}, Reference::kSizeGroup};
  for (const FamilyOverview& o : overview) {
    chart.labels.push_back(o.family->polarity == instrument::Polarity::kHigherIsWorse
                               ? o.family->title + " (lavere er bedre)"
                               : o.family->title);
    ours.values.push_back(o.local);
    national.values.push_back(o.nation);
    size.values.push_back(o.size);
  }
  chart.series.push_back(std::move(ours));
  chart.markers.push_back(std::move(national));
  chart.markers.push_back(std::move(size));
  chart.description = fmt::format(
      "Hver søyle er snittet av andelene for temaets spørsmål i {}, merkene det samme snittet for "
      "resten av landet og for de andre kommunene med {}. Øverst står temaet der {} ligger mest "
      "over resten av landet, nederst der kommunen ligger mest under. Bare spørsmål der alle tre "
      "tallene kan vises, er regnet med.",
      m.name, text::LowerFirst(m.size_label), m.name);
  return chart;
}

std::string SummaryTakeaway(const MunicipalityContext& m, const StrengthsAndGaps& found) {
  if (found.better.empty() && found.worse.empty()) {
    return fmt::format("{} ligger ikke tydelig over eller under resten av landet på noe spørsmål.",
                       m.name);
  }
  return fmt::format(
      "{} har {} og {} sammenlignet med resten av landet.", m.name,
      Counted(found.better.size(), "tydelig styrke", "tydelige styrker"),
      Counted(found.worse.size(), "tydelig forbedringsområde", "tydelige forbedringsområder"));
}

// Summary first: key figures, the overview chart, the short lists and,
// for a follow-up, the change since the baseline at a glance.
Section SummarySection(const MunicipalityContext& m, const ResponseChapter& response,
                       const Findings& findings, const StrengthsAndGaps& found,
                       const Changes* changes) {
  Section summary{"sammendrag", "Sammendrag", 1, {}};
  summary.takeaway = SummaryTakeaway(m, found);
  summary.blocks.push_back(SummaryFigures(m, response, findings));
  if (!findings.overview.empty()) summary.blocks.push_back(OverviewChart(m, findings.overview));
  const std::vector<std::string> best = SummaryLines(found.better),
                                 worst = SummaryLines(found.worse);
  summary.blocks.push_back(Paragraph{
      best.empty()
          ? fmt::format("{} ligger ikke tydelig over resten av landet på noe spørsmål.", m.name)
          : "Styrker – tydelig bedre enn resten av landet:"});
  if (!best.empty()) summary.blocks.push_back(BulletList{best});
  summary.blocks.push_back(Paragraph{
      worst.empty()
          ? fmt::format("{} ligger ikke tydelig under resten av landet på noe spørsmål.", m.name)
          : "Forbedringsområder – tydelig svakere enn resten av landet (for barrierer: flere "
            "opplever barrieren):"});
  if (!worst.empty()) summary.blocks.push_back(BulletList{worst});
  // The municipality's own lowest and highest results, whatever the
  // rest of the nation does.
  const AbsoluteExtremes extremes = Extremes(findings.shares);
  if (!extremes.lowest.empty()) {
    summary.blocks.push_back(Paragraph{"Lavest hos oss – uansett hvordan landet ligger an:"});
    summary.blocks.push_back(BulletList{extremes.lowest});
  }
  if (!extremes.highest.empty()) {
    summary.blocks.push_back(Paragraph{"Høyest hos oss:"});
    summary.blocks.push_back(BulletList{extremes.highest});
  }
  if (changes != nullptr) {
    constexpr std::size_t kChangesAtAGlance = 8;
    summary.blocks.push_back(Paragraph{fmt::format("Siden 0-punktsmålingen i {}: {}.",
                                                   m.earlier->year, ChangeCounts(changes->found))});
    if (!changes->found.empty()) {
      summary.blocks.push_back(
          ChangeChart(m, changes->found, kChangesAtAGlance,
                      fmt::format("De største tydelige endringene siden {}", m.earlier->year)));
    }
  }
  return summary;
}

// Change since the baseline round, for a follow-up.
Section ChangeSection(const MunicipalityContext& m, Changes changes) {
  Section change{
      "utvikling", fmt::format("Utvikling fra {} til {}", m.earlier->year, m.current.year), 1, {}};
  change.takeaway = fmt::format("Siden 0-punktsmålingen: {}.", ChangeCounts(changes.found));
  change.blocks.push_back(Paragraph{fmt::format(
      "{} gjennomførte 0-punktsmålingen i {} og oppfølgingen i {}. {}", m.name, m.earlier->year,
      m.current.year,
      changes.found.empty()
          ? fmt::format("Ingen endring er både statistisk signifikant og minst {} prosentpoeng "
                        "stor.",
                        MaterialPoints())
      : changes.found.size() == 1
          ? fmt::format("Én endring er både statistisk signifikant og minst {} prosentpoeng stor.",
                        MaterialPoints())
          : fmt::format("{} endringer er både statistisk signifikante og minst {} prosentpoeng "
                        "store: {}.",
                        changes.found.size(), MaterialPoints(), ChangeCounts(changes.found)))});
  if (!changes.found.empty()) {
    change.blocks.push_back(ChangeChart(m, changes.found, changes.found.size(),
                                        fmt::format("Tydelige endringer i {}, rangert", m.name)));
  }
  for (auto& t : changes.tables) change.blocks.push_back(std::move(t));
  return change;
}

}  // namespace

std::vector<int> MunicipalitiesWithData(const ReportInputs& inputs) {
  std::set<int> seen(inputs.data->municipality.begin(), inputs.data->municipality.end());
  return {seen.begin(), seen.end()};
}

// The respondents' own words: the comments the coordinator approved, when
// there are at least store::kMinCommentsShown of them.
std::optional<Section> CommentsSection(const ReportInputs& inputs, int municipality) {
  const auto found = inputs.comments.find(municipality);
  if (found == inputs.comments.end() || found->second.size() < store::kMinCommentsShown) {
    return std::nullopt;
  }
  Section section{"kommentarer", "Kommentarer", 1, {}};
  section.takeaway = fmt::format("{} kommentarer fra de ansatte", found->second.size());
  section.blocks.push_back(Paragraph{
      "De ansatte kunne skrive en kommentar med egne ord. Navn, e-postadresser og "
      "telefonnumre er maskert, og koordinatoren har lest hver kommentar og valgt disse ut."});
  section.blocks.push_back(BulletList{found->second});
  return section;
}

Result<Document> BuildMunicipalityReport(const ReportInputs& inputs, int municipality) {
  SAMKART_ASSIGN_OR_RETURN(const MunicipalityContext m, ResolveMunicipality(inputs, municipality));
  Document doc;
  doc.title = fmt::format("Kompetanse og samhandling i {}", m.name);
  doc.subtitle = fmt::format("Kommunerapport – {}", RoundLabel(m.instrument, m.current));
  doc.front_matter = FrontMatter(m);
  doc.legend = Legend(inputs.rules);

  // Every comparison first, so the false discovery control covers them all.
  Comparisons comparisons;
  SAMKART_TRY(CompareAll(m, comparisons));

  std::vector<Section> family_sections;
  Findings findings;
  for (std::size_t f = 0; f < m.instrument.families.size(); ++f) {
    const instrument::Family& family = m.instrument.families[f];
    if (!WasAsked(comparisons.families[f].nation)) continue;  // not in this round's questionnaire
    family_sections.push_back(FamilySection(m, family, comparisons.families[f], findings));
    SAMKART_ASSIGN_OR_RETURN(Section by_service, ServiceSection(m, family));
    family_sections.push_back(std::move(by_service));
  }
  const StrengthsAndGaps found = SortedFindings(findings.deviations);
  Section strengths = StrengthsSection(m, comparisons, found);
  Section discussion = DiscussionSection(m, found.worse);
  SAMKART_ASSIGN_OR_RETURN(ResponseChapter response, ResponseSection(m));
  std::optional<Changes> changes;
  if (m.earlier) changes = CollectChanges(m, comparisons);
  SAMKART_ASSIGN_OR_RETURN(std::vector<Section> competence,
                           CompetenceSections(inputs, m.local, m.name));

  // What a leader needs first: the summary and the questions to discuss.
  doc.sections.push_back(
      SummarySection(m, response, findings, found, changes ? &*changes : nullptr));
  doc.sections.push_back(std::move(discussion));
  doc.sections.push_back(std::move(response.section));
  for (auto& s : family_sections) doc.sections.push_back(std::move(s));
  doc.sections.push_back(std::move(strengths));
  for (auto& s : competence) doc.sections.push_back(std::move(s));
  if (changes) {
    doc.sections.push_back(ChangeSection(m, std::move(*changes)));
    SAMKART_ASSIGN_OR_RETURN(std::optional<Section> against_others,
                             ChangeAgainstOthersSection(inputs, municipality, m.name));
    if (against_others) doc.sections.push_back(std::move(*against_others));
  }
  if (auto comments = CommentsSection(inputs, municipality)) {
    doc.sections.push_back(std::move(*comments));
  }
  doc.lead_sections = 2;  // the summary and the questions to discuss
  doc.workshop_prompts = {"Hva tenker prosjektgruppa om resultatene?",
                          "Hva er de viktigste områdene å jobbe videre med?"};
  return doc;
}

}  // namespace samkart::report
