#include "samkart/report/municipality_report.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "samkart/analysis/table_format.h"
#include "samkart/instrument/codebook.h"
#include "samkart/report/blocks.h"
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
    return fmt::format("{} ({}): {}", Quoted(s.label), s.family->title, FormatPercent(s.share));
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
      return stem + " " + item.text;
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

}  // namespace

std::vector<int> MunicipalitiesWithData(const ReportInputs& inputs) {
  std::set<int> seen(inputs.data->municipality.begin(), inputs.data->municipality.end());
  return {seen.begin(), seen.end()};
}

Result<Document> BuildMunicipalityReport(const ReportInputs& inputs, int municipality) {
  const analysis::Dataset& data = *inputs.data;
  const instrument::Instrument& instrument = *inputs.instrument;
  const int baseline_code = BaselineCode(instrument);

  // The municipality's rounds, its size group and region.
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
  const std::string name =
      name_it != data.municipality_names.end() ? name_it->second : std::to_string(municipality);
  const Round current = rounds.rbegin()->second;
  std::optional<Round> earlier;
  if (current.round_type != baseline_code) {
    for (const auto& [year, round] : rounds) {
      if (round.round_type == baseline_code && year < current.year) earlier = round;
    }
  }

  const std::vector<Filter> local = {{Variable::kMunicipality, {municipality}, std::nullopt},
                                     {Variable::kYear, {current.year}, std::nullopt},
                                     {Variable::kRoundType, {current.round_type}, std::nullopt}};
  const std::vector<Filter> nation = {{Variable::kRoundType, {baseline_code}, std::nullopt}};
  std::vector<Filter> same_size = nation;
  same_size.push_back({Variable::kSizeGroup, {size_group}, std::nullopt});
  auto respondents = PublishedCount(inputs, local);
  if (!respondents.ok()) return respondents.error();
  const std::string size_label =
      analysis::GroupValueLabel(data, instrument, Variable::kSizeGroup, size_group);

  Document doc;
  doc.title = fmt::format("Kompetanse og samhandling i {}", name);
  doc.subtitle = fmt::format("Kommunerapport – {}", RoundLabel(instrument, current));
  doc.front_matter = {
      respondents->suppressed
          ? std::string("Svar fra ansatte som møter barn, unge og familier (antallet vises ikke "
                        "etter publiseringsreglene).")
          : fmt::format("{} svar fra ansatte som møter barn, unge og familier.",
                        FormatCount(respondents->count)),
      fmt::format("Kommunestørrelse: {}. KORUS-region: {}.", size_label,
                  analysis::GroupValueLabel(data, instrument, Variable::kRegion, region)),
      fmt::format("{} sammenlignes med 0-punktsmålingene til de andre kommunene i databasen "
                  "(resten av landet) og til de andre kommunene med samme størrelse (resten av "
                  "størrelsesgruppen), ikke med en helhet der {} selv er med.",
                  name, name),
      fmt::format("Laget av Samkart {} fra {}.", inputs.generated_on, inputs.source)};
  doc.legend = Legend(inputs.rules);

  // Every comparison the report makes, first, so the false discovery rate
  // is controlled over all of them together: each family against the rest
  // of the nation and the rest of the size group, and the change since the
  // baseline round.
  const std::vector<Filter> baseline_rounds = {
      {Variable::kRoundType, {baseline_code}, std::nullopt}};
  std::vector<Filter> before;
  if (earlier) {
    before = {{Variable::kMunicipality, {municipality}, std::nullopt},
              {Variable::kYear, {earlier->year}, std::nullopt},
              {Variable::kRoundType, {earlier->round_type}, std::nullopt}};
  }
  struct FamilyComparisons {
    std::vector<ItemComparison> nation, size, change;
  };
  std::vector<FamilyComparisons> compared(instrument.families.size());
  std::vector<std::optional<analysis::Difference>*> tested;
  for (std::size_t f = 0; f < instrument.families.size(); ++f) {
    const instrument::Family& family = instrument.families[f];
    auto vs_nation = CompareFamilyWithRest(inputs, family, local, analysis::Comparison::kNation,
                                           baseline_rounds);
    if (!vs_nation.ok()) return vs_nation.error();
    auto vs_size = CompareFamilyWithRest(inputs, family, local, analysis::Comparison::kSizeGroup,
                                         baseline_rounds);
    if (!vs_size.ok()) return vs_size.error();
    compared[f].nation = std::move(vs_nation).value();
    compared[f].size = std::move(vs_size).value();
    if (earlier) {
      auto change = CompareFamily(inputs, family, local, before);
      if (!change.ok()) return change.error();
      compared[f].change = std::move(change).value();
    }
    for (auto* list : {&compared[f].nation, &compared[f].size, &compared[f].change}) {
      for (ItemComparison& c : *list) {
        if (c.difference) tested.push_back(&c.difference);
      }
    }
  }
  const std::size_t raw_significant = MarkDiscoveries(tested);

  std::vector<Section> family_sections;
  std::vector<Deviation> deviations;
  std::vector<AbsoluteShare> shares;
  std::optional<Number> concerned, acted;
  for (std::size_t f = 0; f < instrument.families.size(); ++f) {
    const instrument::Family& family = instrument.families[f];
    const std::vector<ItemComparison>& vs_nation = compared[f].nation;
    const std::vector<ItemComparison>& vs_size = compared[f].size;
    bool asked = false;
    std::size_t n_low = SIZE_MAX, n_high = 0;
    for (const auto& c : vs_nation) {
      if (c.subset.n > 0 || c.subset.suppressed) asked = true;
      if (c.subset.n > 0) {
        n_low = std::min(n_low, c.subset.n);
        n_high = std::max(n_high, c.subset.n);
      }
    }
    if (!asked) continue;  // not in this round's questionnaire

    Section section{family.id, family.title, 1, {}};
    section.blocks.push_back(Paragraph{"Spørsmål: " + family.stem});
    Chart chart;
    chart.kind = ChartKind::kBars;
    chart.title = fmt::format("{} – {} mot resten av landet", family.title, name);
    ChartSeries ours{name, {}}, national{kRestOfNation, {}}, size{kRestOfSizeGroup, {}};
    DataTable table;
    table.caption =
        fmt::format("{}: {}, resten av størrelsesgruppen og resten av landet", family.title, name);
    table.columns = {"", name, kRestOfSizeGroup, kRestOfNation, "Forskjell fra resten av landet"};
    for (std::size_t i = 0; i < vs_nation.size(); ++i) {
      const ItemComparison& c = vs_nation[i];
      const ItemComparison& s = vs_size[i];
      const std::string label = ItemLabel(data, c.item);
      chart.labels.push_back(label);
      ours.values.push_back(ShareOf(c.subset));
      national.values.push_back(ShareOf(c.reference));
      size.values.push_back(ShareOf(s.reference));
      table.rows.push_back(
          {TextCell(label, true), PercentCell(ShareOf(c.subset)), PercentCell(ShareOf(s.reference)),
           PercentCell(ShareOf(c.reference)),
           PointsCell(PointsNumber(c.difference), c.difference && c.difference->significant)});
      if (c.difference && family.polarity != instrument::Polarity::kDescriptive) {
        const double sign = family.polarity == instrument::Polarity::kHigherIsWorse ? -1 : 1;
        const instrument::Item& item = *data.item_refs[c.item].item;
        deviations.push_back({&family, c, sign * c.difference->estimate * 100, label,
                              Question(family, item), item.partner_service});
      }
      if (!c.subset.suppressed && c.subset.n > 0 &&
          family.polarity != instrument::Polarity::kDescriptive) {
        shares.push_back({&family, c.subset.share, label});
      }
    }
    if (family.id == "concern_experienced" && !vs_nation.empty()) {
      concerned = ShareOf(vs_nation[0].subset);
    }
    if (family.id == "acted_on_concern" && !vs_nation.empty()) {
      acted = ShareOf(vs_nation[0].subset);
    }
    chart.series.push_back(std::move(ours));
    chart.markers.push_back(std::move(national));
    chart.markers.push_back(std::move(size));
    chart.description = fmt::format(
        "Søylene viser {}, merkene de andre kommunene i landet og de andre kommunene med {}. "
        "Tallene står i tabellen.",
        name, size_label);
    section.blocks.push_back(std::move(chart));
    table.notes.push_back(fmt::format("{} N i {} = {}.", ShareRule(instrument, family), name,
                                      n_high == 0 ? std::string(kSuppressedMark)
                                      : n_low == n_high
                                          ? FormatCount(n_high)
                                          : FormatCount(n_low) + "–" + FormatCount(n_high)));
    section.blocks.push_back(std::move(table));

    // Inside the municipality, by service, as far as the rules allow.
    const std::string too_few = fmt::format(
        "Ingen tjeneste i {} har nok svar på disse spørsmålene til at tallene kan vises per "
        "tjeneste (publiseringsreglene krever minst {} svar i hver gruppe).",
        name, inputs.rules.min_n);
    Section by_service{family.id + "_tjeneste", family.title + " etter tjenestested", 2, {}};
    if (family.id == "cooperation_with_services") {
      std::string summary;
      auto pairs = CooperationPairsTable(
          inputs, local, fmt::format("Samarbeid mellom tjenestene i {}, begge retninger", name),
          &summary);
      if (!pairs.ok()) return pairs.error();
      by_service.title = "Samarbeid mellom tjenestene i kommunen";
      if (!summary.empty()) by_service.blocks.push_back(Paragraph{summary});
      if (HasVisibleNumber(*pairs)) {
        by_service.blocks.push_back(std::move(*pairs));
      } else {
        by_service.blocks.push_back(Paragraph{too_few});
      }
    } else {
      auto tables = BreakdownTables(inputs, family, local, Variable::kService,
                                    fmt::format("{} etter tjenestested i {}", family.title, name));
      if (!tables.ok()) return tables.error();
      // The «Alle» row repeats the municipality's own figures above.
      const bool any = std::any_of(tables->begin(), tables->end(),
                                   [](const DataTable& t) { return HasVisibleNumber(t, 1); });
      if (!any) by_service.blocks.push_back(Paragraph{too_few});
      for (auto& t : *tables) {
        if (any) by_service.blocks.push_back(std::move(t));
      }
    }
    family_sections.push_back(std::move(section));
    family_sections.push_back(std::move(by_service));
  }

  // Strengths and gaps: the real deviations from the rest of the nation —
  // significant after the false discovery control and at least a material
  // size — largest first, both ways.
  std::stable_sort(deviations.begin(), deviations.end(), [](const auto& a, const auto& b) {
    return a.towards_better > b.towards_better;
  });
  std::vector<const Deviation*> better, worse;
  for (const Deviation& d : deviations) {
    if (!IsFinding(d.comparison.difference)) continue;
    if (d.towards_better > 0) better.push_back(&d);
  }
  for (auto it = deviations.rbegin(); it != deviations.rend(); ++it) {
    if (IsFinding(it->comparison.difference) && it->towards_better < 0) worse.push_back(&*it);
  }
  auto deviation_table = [&](const std::string& caption,
                             const std::vector<const Deviation*>& list) {
    DataTable t;
    t.caption = caption;
    t.columns = {"Spørsmål", "Tema", name, kRestOfNation, "Forskjell"};
    for (const Deviation* d : list) {
      const auto& c = d->comparison;
      t.rows.push_back({TextCell(d->label, true), TextCell(d->family->title),
                        PercentCell(ShareOf(c.subset)), PercentCell(ShareOf(c.reference)),
                        PointsCell(PointsNumber(c.difference), c.difference->significant)});
    }
    t.notes.push_back(
        "Forskjell i prosentpoeng fra resten av landet. For barrierer er en lavere andel enn i "
        "resten av landet en styrke.");
    return t;
  };
  Section strengths{"styrker", "Styrker og forbedringsområder", 1, {}};
  strengths.blocks.push_back(Paragraph{fmt::format(
      "Her står bare forskjeller fra resten av landet som både er statistisk signifikante og "
      "minst {} prosentpoeng store. Med om lag {} sammenligninger i rapporten vil noen se "
      "signifikante ut ved en tilfeldighet; derfor er signifikansen justert for mange "
      "sammenligninger (Benjamini–Hochberg, falsk funnrate 5 %). {} sammenligninger var "
      "signifikante før justeringen, {} etter.",
      MaterialPoints(), tested.size(), raw_significant, CountDiscoveries(tested))});
  if (better.empty()) {
    strengths.blocks.push_back(Paragraph{
        fmt::format("{} har ingen tydelige styrker sammenlignet med resten av landet.", name)});
  } else {
    strengths.blocks.push_back(deviation_table("Styrker: over resten av landet", better));
  }
  if (worse.empty()) {
    strengths.blocks.push_back(Paragraph{fmt::format(
        "{} har ingen tydelige forbedringsområder sammenlignet med resten av landet.", name)});
  } else {
    strengths.blocks.push_back(
        deviation_table("Forbedringsområder: under resten av landet", worse));
  }

  // Questions for the group work, from the largest real gaps only.
  std::vector<const Deviation*> gaps(worse.begin(),
                                     worse.begin() + std::min<std::size_t>(worse.size(), 3));
  Section discussion{"drofting", "Spørsmål til drøfting", 1, {}};
  if (gaps.empty()) {
    discussion.blocks.push_back(Paragraph{fmt::format(
        "{} ligger ikke tydelig under resten av landet på noen av spørsmålene. Drøft gjerne hva "
        "som gjør at dere lykkes, og se på de laveste andelene i sammendraget: de kan være verdt "
        "å arbeide med uansett hvordan landet ligger an.",
        name)});
  } else {
    discussion.blocks.push_back(
        Paragraph{"Spørsmålene er laget ut fra de største tydelige forskjellene fra resten av "
                  "landet, til bruk i arbeidsgrupper i tjenestene."});
    std::vector<std::string> questions;
    for (const Deviation* d : gaps) questions.push_back(DiscussionQuestion(instrument, *d));
    discussion.blocks.push_back(BulletList{questions});
  }

  // Response rate by service, where invited counts are known.
  Section response{"svarprosent", "Hvem har svart", 1, {}};
  {
    auto published = PublishedCounts(inputs, local, Variable::kService);
    if (!published.ok()) return published.error();
    const std::vector<GroupCount>& answered = *published;
    const std::string current_type = current.round_type == baseline_code ? "baseline" : "follow_up";
    std::map<std::string, int> invited;  // by service key, folded into stored groups below
    for (const auto& c : inputs.invited) {
      if (c.municipality == municipality && c.year == current.year &&
          c.round_type == current_type) {
        invited[c.service] += c.invited;
      }
    }
    // k-anonymity may have moved a small service into a coarser group: its
    // invited employees go with it, up the chain, to a group that answered.
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
    DataTable t;
    t.caption = fmt::format("Svar og svarprosent etter tjenestested i {}", name);
    t.columns = {"Tjenestested", "Inviterte", "Svar", "Svarprosent"};
    const std::size_t total_answered = respondents->count;
    int total_invited = 0;
    for (const auto& a : answered) {
      const auto inv = invited_by_code.find(a.value);
      Number rate = Missing();
      if (a.suppressed) {
        rate = Hidden();
      } else if (inv != invited_by_code.end() && inv->second > 0) {
        rate = Number{};
        rate.value = std::min(1.0, static_cast<double>(a.count) / inv->second);
        rate.n = static_cast<std::size_t>(inv->second);
      }
      if (inv != invited_by_code.end()) total_invited += inv->second;
      t.rows.push_back(
          {TextCell(analysis::GroupValueLabel(data, instrument, Variable::kService, a.value), true),
           inv != invited_by_code.end() ? CountCell(static_cast<std::size_t>(inv->second))
                                        : PercentCell(Missing()),
           CountCell(a.count, a.suppressed), PercentCell(rate)});
    }
    Number total_rate = Missing();
    if (respondents->suppressed) {
      total_rate = Hidden();
    } else if (total_invited > 0) {
      total_rate = Number{};
      total_rate.value = std::min(1.0, static_cast<double>(total_answered) / total_invited);
      total_rate.n = static_cast<std::size_t>(total_invited);
    }
    t.rows.push_back({TextCell("Alle", true),
                      total_invited > 0 ? CountCell(static_cast<std::size_t>(total_invited))
                                        : PercentCell(Missing()),
                      CountCell(total_answered, respondents->suppressed), PercentCell(total_rate)});
    t.notes.push_back(
        "Tjenester med få svar er slått sammen med beslektede tjenester ved import "
        "(k-anonymitet); de inviterte følger med.");
    if (invited.empty()) {
      t.notes.push_back("Antall inviterte er ikke registrert for denne runden.");
    }
    if (!respondents->suppressed) {
      response.blocks.push_back(Paragraph{fmt::format(
          "{} ansatte svarte på undersøkelsen{}.", FormatCount(respondents->count),
          total_invited > 0 ? fmt::format(", av {} inviterte ({})", FormatCount(total_invited),
                                          FormatPercent(total_rate.value))
                            : "")});
    }
    response.blocks.push_back(std::move(t));

    // Summary first: key figures and the short lists.
    Section summary{"sammendrag", "Sammendrag", 1, {}};
    KeyFigures figures;
    figures.figures.push_back(
        {CountOf(respondents->count, respondents->suppressed), CellFormat::kCount, "svar"});
    if (total_invited > 0) {
      figures.figures.push_back({total_rate, CellFormat::kPercent, "svarprosent"});
    }
    if (concerned) {
      figures.figures.push_back({*concerned, CellFormat::kPercent,
                                 "har vært bekymret for et barn eller en ungdom det siste året"});
    }
    if (acted) {
      figures.figures.push_back(
          {*acted, CellFormat::kPercent, "av dem som var bekymret, handlet på bekymringen"});
    }
    summary.blocks.push_back(std::move(figures));
    auto finding_line = [&](const Deviation* d) {
      return fmt::format("{} ({}): {} mot {} i resten av landet", Quoted(d->label),
                         d->family->title, FormatPercent(d->comparison.subset.share),
                         FormatPercent(d->comparison.reference.share));
    };
    // The largest few here; the section «Styrker og forbedringsområder»
    // lists them all.
    constexpr std::size_t kSummaryFindings = 5;
    auto lines_of = [&](const std::vector<const Deviation*>& list) {
      std::vector<std::string> lines;
      for (std::size_t k = 0; k < list.size() && k < kSummaryFindings; ++k) {
        lines.push_back(finding_line(list[k]));
      }
      if (list.size() > kSummaryFindings) {
        lines.push_back(fmt::format("… og {} til (se «Styrker og forbedringsområder»)",
                                    list.size() - kSummaryFindings));
      }
      return lines;
    };
    const std::vector<std::string> best = lines_of(better), worst = lines_of(worse);
    summary.blocks.push_back(Paragraph{
        best.empty()
            ? fmt::format("{} ligger ikke tydelig over resten av landet på noe spørsmål.", name)
            : "Styrker – tydelig bedre enn resten av landet:"});
    if (!best.empty()) summary.blocks.push_back(BulletList{best});
    summary.blocks.push_back(Paragraph{
        worst.empty()
            ? fmt::format("{} ligger ikke tydelig under resten av landet på noe spørsmål.", name)
            : "Forbedringsområder – tydelig svakere enn resten av landet (for barrierer: flere "
              "opplever barrieren):"});
    if (!worst.empty()) summary.blocks.push_back(BulletList{worst});
    // The municipality's own lowest and highest results, whatever the
    // rest of the nation does.
    const AbsoluteExtremes extremes = Extremes(shares);
    if (!extremes.lowest.empty()) {
      summary.blocks.push_back(Paragraph{"Lavest hos oss – uansett hvordan landet ligger an:"});
      summary.blocks.push_back(BulletList{extremes.lowest});
    }
    if (!extremes.highest.empty()) {
      summary.blocks.push_back(Paragraph{"Høyest hos oss:"});
      summary.blocks.push_back(BulletList{extremes.highest});
    }
    doc.sections.push_back(std::move(summary));
  }
  doc.sections.push_back(std::move(response));
  for (auto& s : family_sections) doc.sections.push_back(std::move(s));
  doc.sections.push_back(std::move(strengths));
  doc.sections.push_back(std::move(discussion));

  // Change since the baseline: the family's polarity says which way is
  // better (fewer meeting a barrier is an improvement).
  if (earlier) {
    Section change{
        "utvikling", fmt::format("Utvikling fra {} til {}", earlier->year, current.year), 1, {}};
    std::vector<std::string> improved, worsened;
    std::vector<DataTable> tables;
    for (std::size_t f = 0; f < instrument.families.size(); ++f) {
      const instrument::Family& family = instrument.families[f];
      DataTable t;
      t.caption = family.title;
      t.columns = {"", std::to_string(earlier->year), std::to_string(current.year), "Endring"};
      for (const auto& c : compared[f].change) {
        if (c.subset.n == 0 && c.reference.n == 0 && !c.subset.suppressed &&
            !c.reference.suppressed) {
          continue;
        }
        const std::string label = ItemLabel(data, c.item);
        t.rows.push_back(
            {TextCell(label, true), PercentCell(ShareOf(c.reference)),
             PercentCell(ShareOf(c.subset)),
             PointsCell(PointsNumber(c.difference), c.difference && c.difference->significant)});
        if (!IsFinding(c.difference) || family.polarity == instrument::Polarity::kDescriptive) {
          continue;
        }
        const std::string line =
            fmt::format("{} ({}): fra {} til {}", Quoted(label), family.title,
                        FormatPercent(c.reference.share), FormatPercent(c.subset.share));
        (IsImprovement(family, c.difference->estimate) ? improved : worsened).push_back(line);
      }
      if (!t.rows.empty()) {
        t.notes.push_back(ShareRule(instrument, family));
        if (family.polarity == instrument::Polarity::kHigherIsWorse) {
          t.notes.push_back("Her er en nedgang en forbedring: færre opplever barrieren.");
        }
        tables.push_back(std::move(t));
      }
    }
    change.blocks.push_back(Paragraph{fmt::format(
        "{} gjennomførte 0-punktsmålingen i {} og oppfølgingen i {}. {}", name, earlier->year,
        current.year,
        improved.empty() && worsened.empty()
            ? fmt::format("Ingen endring er både statistisk signifikant og minst {} prosentpoeng "
                          "stor.",
                          MaterialPoints())
            : fmt::format("{} av endringene er både statistisk signifikante og minst {} "
                          "prosentpoeng store.",
                          improved.size() + worsened.size(), MaterialPoints()))});
    if (!improved.empty()) {
      change.blocks.push_back(Paragraph{"Bedre enn ved 0-punktsmålingen:"});
      change.blocks.push_back(BulletList{improved});
    }
    if (!worsened.empty()) {
      change.blocks.push_back(Paragraph{"Svakere enn ved 0-punktsmålingen:"});
      change.blocks.push_back(BulletList{worsened});
    }
    for (auto& t : tables) change.blocks.push_back(std::move(t));
    doc.sections.push_back(std::move(change));
  }
  return doc;
}

}  // namespace samkart::report
