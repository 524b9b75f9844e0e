#include "samkart/analysis/knowledge_chain.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "samkart/analysis/distributions.h"

namespace samkart::analysis {

namespace {

// One step's items over the areas, with the rule that reads them.
struct StepItems {
  std::vector<std::size_t> items;  // per area
  std::vector<ShareRule> rules;
};

// The mean over persons of (area `target`'s answer − the average of the
// other areas' answers), among those who answered the target and at
// least one other, with its t interval (see the header).
std::optional<Difference> AgainstOtherAreas(const Dataset& data, const StepItems& step,
                                            std::size_t target, const std::vector<Filter>& where) {
  std::vector<std::size_t> others;
  for (std::size_t a = 0; a < step.items.size(); ++a) {
    if (step.items[a] != step.items[target]) others.push_back(a);
  }
  if (others.empty()) return std::nullopt;
  const RoundIndex local = data.rounds.Count() == 0 ? IndexRounds(data) : RoundIndex{};
  const RoundIndex& rounds = data.rounds.Count() > 0 ? data.rounds : local;
  const std::vector<uint8_t>& mine = data.items[step.items[target]];
  const ShareRule& my_rule = step.rules[target];
  double sum = 0, sum_squares = 0;
  std::size_t persons = 0, rounds_in = 0, municipalities = 0;
  int last_municipality = -1;
  // Per round: Σ d and the persons, for the clustered variance.
  std::vector<std::pair<double, double>> per_round;
  for (std::size_t k = 0; k < rounds.Count(); ++k) {
    double round_sum = 0;
    std::size_t round_persons = 0;
    for (uint32_t at = rounds.starts[k]; at < rounds.starts[k + 1]; ++at) {
      const std::size_t r = rounds.rows[at];
      if (!my_rule.in_denominator[mine[r]] || !MatchesAll(data, where, r)) continue;
      double other_sum = 0;
      std::size_t answered = 0;
      for (const std::size_t a : others) {
        const uint8_t code = data.items[step.items[a]][r];
        if (!step.rules[a].in_denominator[code]) continue;
        ++answered;
        other_sum += step.rules[a].reported[code];
      }
      if (answered == 0) continue;
      const double d =
          (my_rule.reported[mine[r]] ? 1.0 : 0.0) - other_sum / static_cast<double>(answered);
      round_sum += d;
      sum += d;
      sum_squares += d * d;
      ++round_persons;
    }
    if (round_persons == 0) continue;
    per_round.emplace_back(round_sum, static_cast<double>(round_persons));
    persons += round_persons;
    ++rounds_in;
    if (last_municipality != rounds.municipality[k]) ++municipalities;
    last_municipality = rounds.municipality[k];
  }
  if (persons < 2) return std::nullopt;
  const double n = static_cast<double>(persons);
  const double mean = sum / n;
  double variance = 0, df = 0;
  if (municipalities >= 2 && rounds_in >= 2) {
    // Linearised variance of the ratio Σ d / Σ persons over the rounds.
    const double m = static_cast<double>(rounds.Count());
    double residual = 0;
    for (const auto& [round_sum, round_persons] : per_round) {
      const double e = round_sum - mean * round_persons;
      residual += e * e;
    }
    variance = m / (m - 1) * residual / (n * n);
    df = static_cast<double>(rounds_in - 1);
  } else {
    variance = std::max(0.0, (sum_squares - n * mean * mean) / (n - 1)) / n;
    df = n - 1;
  }
  Difference d;
  d.estimate = mean;
  const double se = std::sqrt(variance);
  const double t = StudentTQuantile(0.975, df);
  d.interval = {mean - t * se, mean + t * se};
  if (se == 0) {
    d.significant = mean != 0;
    d.p_value = mean != 0 ? 0 : 1;
  } else {
    d.p_value = 2 * (1 - StudentTCdf(std::abs(mean) / se, df));
    d.significant = d.interval.low > 0 || d.interval.high < 0;
  }
  return d;
}

Result<const instrument::Family*> FamilyOf(const instrument::Instrument& instrument,
                                           const std::string& qualified_id) {
  const instrument::Family* family = nullptr;
  if (instrument.FindItem(qualified_id, &family) == nullptr) {
    return Error{fmt::format("spørsmålet «{}» finnes ikke i instrumentet", qualified_id)};
  }
  return family;
}

}  // namespace

Result<KnowledgeChain> ComputeKnowledgeChain(const Dataset& data,
                                             const instrument::Instrument& instrument,
                                             Publication& publication,
                                             const std::vector<Filter>& where,
                                             const std::vector<Filter>& reference_rounds) {
  KnowledgeChain out;
  out.compared_with_nation = std::any_of(where.begin(), where.end(), [](const Filter& f) {
    return f.variable == Variable::kMunicipality;
  });
  std::vector<const instrument::KnowledgeArea*> areas;
  for (std::size_t a = 0; a < instrument.knowledge_areas.size(); ++a) {
    if (!instrument.knowledge_areas[a].HasChain()) continue;
    areas.push_back(&instrument.knowledge_areas[a]);
    out.areas.push_back({});
    out.areas.back().area = a;
  }
  using Member = ChainStep AreaChain::*;
  using Source = const std::string instrument::KnowledgeArea::*;
  const std::pair<Member, Source> steps[] = {
      {&AreaChain::knowledge, &instrument::KnowledgeArea::knowledge},
      {&AreaChain::concern, &instrument::KnowledgeArea::concern},
      {&AreaChain::acted, &instrument::KnowledgeArea::acted},
      {&AreaChain::contact, &instrument::KnowledgeArea::contact}};

  // One published table per area and step, beside the rest of the nation
  // when a municipality is asked for.
  std::vector<Table> tables;
  for (const instrument::KnowledgeArea* area : areas) {
    for (const auto& [member, source] : steps) {
      const std::string& id = area->*source;
      SAMKART_ASSIGN_OR_RETURN(const instrument::Family* family, FamilyOf(instrument, id));
      TableRequest request{
          family->id, id.substr(id.find('.') + 1), {}, where, Comparison::kNone, false, {}};
      if (out.compared_with_nation) {
        request.compare = Comparison::kNation;
        request.reference_rounds = reference_rounds;
      }
      SAMKART_ASSIGN_OR_RETURN(Table table, ComputeTable(data, instrument, request));
      tables.push_back(std::move(table));
    }
  }
  SAMKART_TRY(publication.Apply(tables));

  std::vector<StepItems> step_items(std::size(steps));
  for (std::size_t a = 0; a < areas.size(); ++a) {
    for (std::size_t s = 0; s < std::size(steps); ++s) {
      const Table& table = tables[a * std::size(steps) + s];
      const TableRow& row = table.rows.at(0);
      ChainStep& step = out.areas[a].*(steps[s].first);
      step.item = row.item;
      step.cell = row.cell;
      if (out.compared_with_nation && row.reference) {
        step.nation = row.reference;
        if (!row.cell.suppressed && row.cell.n > 0 && !row.reference->suppressed &&
            row.reference->n > 0) {
          step.against_nation = row.difference;
        }
      }
      step_items[s].items.push_back(row.item);
      step_items[s].rules.push_back(ShareRuleOf(instrument, *table.family));
    }
  }
  std::vector<Difference*> tested;
  for (std::size_t a = 0; a < areas.size(); ++a) {
    for (std::size_t s = 0; s < std::size(steps); ++s) {
      ChainStep& step = out.areas[a].*(steps[s].first);
      if (!step.cell.suppressed && step.cell.n > 0) {
        step.against_other_areas = AgainstOtherAreas(data, step_items[s], a, where);
      }
      if (step.against_other_areas) tested.push_back(&*step.against_other_areas);
      if (step.against_nation) tested.push_back(&*step.against_nation);
    }
  }
  ControlFalseDiscoveries(tested);
  out.tests = tested.size();
  for (AreaChain& chain : out.areas) {
    for (const auto& [member, source] : steps) {
      ChainStep& step = chain.*member;
      if (step.against_other_areas && IsFinding(*step.against_other_areas)) {
        step.low = step.against_other_areas->estimate < 0;
        step.high = !step.low;
      }
    }
    chain.stands_out = chain.knowledge.low && chain.concern.low && chain.contact.low;
  }
  return out;
}

}  // namespace samkart::analysis
