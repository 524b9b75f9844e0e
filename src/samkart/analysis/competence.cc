#include "samkart/analysis/competence.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "samkart/analysis/cooperation.h"

namespace samkart::analysis {

namespace {

// Background values fit in 16 bits (municipality numbers, years, codes).
constexpr std::size_t kValues = 1u << 16;

// For every value of `by` among `values`: the cell of everyone `where`
// keeps except that group. Counted round by round, so the rest has the
// round sums of a domain of its own, not the whole's less the group's
// (those are sums of squares and do not subtract).
std::map<int, Cell> RestCells(const Dataset& data, const ShareRule& rule, std::size_t item,
                              Variable by, const std::vector<Filter>& where,
                              const std::vector<int>& values) {
  const RoundIndex local = data.rounds.Count() == 0 ? IndexRounds(data) : RoundIndex{};
  const RoundIndex& rounds = data.rounds.Count() > 0 ? data.rounds : local;
  std::vector<int> slot_of(kValues, -1);
  for (std::size_t s = 0; s < values.size(); ++s) {
    slot_of[static_cast<std::size_t>(values[s])] = static_cast<int>(s);
  }
  struct Tally {
    std::size_t n = 0, y = 0;
  };
  std::vector<Tally> in_round(values.size()), total(values.size());
  std::vector<ClusterSums> sums(values.size());
  std::vector<int> last_municipality(values.size(), -1);
  const ColumnView column = data.Column(by);
  const std::vector<uint8_t>& answers = data.items[item];
  for (std::size_t k = 0; k < rounds.Count(); ++k) {
    Tally whole;
    for (uint32_t at = rounds.starts[k]; at < rounds.starts[k + 1]; ++at) {
      const std::size_t r = rounds.rows[at];
      const uint8_t code = answers[r];
      if (!rule.in_denominator[code] || !MatchesAll(data, where, r)) continue;
      const bool reported = rule.reported[code];
      ++whole.n;
      whole.y += reported;
      const int slot = slot_of[static_cast<std::size_t>(column[r])];
      if (slot >= 0) {
        ++in_round[static_cast<std::size_t>(slot)].n;
        in_round[static_cast<std::size_t>(slot)].y += reported;
      }
    }
    if (whole.n == 0) continue;
    for (std::size_t s = 0; s < values.size(); ++s) {
      const std::size_t n = whole.n - in_round[s].n, y = whole.y - in_round[s].y;
      in_round[s] = {};
      if (n == 0) continue;
      sums[s].Add(static_cast<double>(n), static_cast<double>(y));
      if (last_municipality[s] != rounds.municipality[k]) ++sums[s].municipalities;
      last_municipality[s] = rounds.municipality[k];
      total[s].n += n;
      total[s].y += y;
    }
  }
  std::map<int, Cell> out;
  for (std::size_t s = 0; s < values.size(); ++s) {
    out[values[s]] = MakeCell(total[s].y, total[s].n, sums[s], rounds.Count());
  }
  return out;
}

bool Visible(const Cell& cell) { return !cell.suppressed && cell.n > 0; }

// Groups that say nothing of who they are: no pocket, no partner.
bool IsUnstated(const instrument::Instrument& instrument, Variable variable, int value) {
  if (variable == Variable::kService) return value == instrument.UnstatedService().code;
  if (variable == Variable::kPosition) return value == instrument.UnstatedPosition().code;
  return false;
}

struct AreaItem {
  const instrument::Family* family = nullptr;
  const instrument::Item* item = nullptr;
  std::size_t index = 0;
};

Result<AreaItem> ResolveItem(const Dataset& data, const instrument::Instrument& instrument,
                             const std::string& qualified_id) {
  AreaItem out;
  out.item = instrument.FindItem(qualified_id, &out.family);
  const auto index = data.ItemIndex(qualified_id);
  if (out.item == nullptr || !index) {
    return Error{fmt::format("spørsmålet «{}» finnes ikke i instrumentet", qualified_id)};
  }
  out.index = *index;
  return out;
}

std::string ServiceLabel(const instrument::Instrument& instrument, int code) {
  const instrument::Service* s = instrument.FindServiceByCode(code);
  if (s == nullptr) return std::to_string(code);
  return s->short_label.empty() ? s->label : s->short_label;
}

std::string Percent(double share) { return fmt::format("{:.0f} %", share * 100); }

}  // namespace

const char* StandingLabel(Standing standing) {
  switch (standing) {
    case Standing::kHolds:
      return "høyere enn resten";
    case Standing::kLacks:
      return "lavere enn resten";
    case Standing::kNeither:
      return "ingen sikker forskjell";
    case Standing::kHidden:
      return "skjult";
  }
  return "";
}

const char* ChannelLabel(Channel channel) {
  switch (channel) {
    case Channel::kGood:
      return "samarbeider godt";
    case Channel::kWeak:
      return "samarbeidet må bygges";
    case Channel::kUnknown:
      return "samarbeidet er ikke vurdert";
  }
  return "";
}

Result<CompetencePockets> FindCompetencePockets(const Dataset& data,
                                                const instrument::Instrument& instrument,
                                                Publication& publication,
                                                const std::vector<Filter>& where) {
  CompetencePockets out;
  std::vector<Table> tables;
  for (std::size_t a = 0; a < instrument.knowledge_areas.size(); ++a) {
    SAMKART_ASSIGN_OR_RETURN(
        const AreaItem item,
        ResolveItem(data, instrument, instrument.knowledge_areas[a].knowledge));
    for (const Variable by : {Variable::kService, Variable::kPosition}) {
      SAMKART_ASSIGN_OR_RETURN(
          Table table,
          ComputeTable(
              data, instrument,
              {item.family->id, item.item->id, {by}, where, Comparison::kNone, false, {}}));
      tables.push_back(std::move(table));
    }
    out.areas.push_back({a, item.index, {}, {}});
  }
  SAMKART_TRY(publication.Apply(tables));

  std::vector<Difference*> tested;
  std::vector<GroupStanding*> tested_groups;
  for (std::size_t a = 0; a < out.areas.size(); ++a) {
    AreaPockets& area = out.areas[a];
    for (std::size_t t = 2 * a; t < 2 * a + 2; ++t) {
      const Table& table = tables[t];
      const Variable by = table.by[0];
      const ShareRule rule = ShareRuleOf(instrument, *table.family);
      std::vector<int> values;
      for (const TableRow& row : table.rows) {
        if (row.group.empty()) {
          area.total = row.cell;
        } else if (row.cell.n > 0 || row.cell.suppressed) {
          values.push_back(row.group[0]);
        }
      }
      const std::map<int, Cell> rests = RestCells(data, rule, area.item, by, where, values);
      for (const TableRow& row : table.rows) {
        if (row.group.empty() || (row.cell.n == 0 && !row.cell.suppressed)) continue;
        GroupStanding group{by, row.group[0], row.cell, std::nullopt, Standing::kHidden};
        if (Visible(row.cell) && Visible(area.total)) {
          group.standing = Standing::kNeither;
          const Cell& rest = rests.at(group.value);
          if (rest.n > 0 && !IsUnstated(instrument, by, group.value)) {
            group.against_rest = CompareShares(SampleOf(row.cell), SampleOf(rest));
          }
        }
        area.groups.push_back(group);
      }
    }
    for (GroupStanding& group : area.groups) {
      if (!group.against_rest) continue;
      tested.push_back(&*group.against_rest);
      tested_groups.push_back(&group);
    }
  }
  ControlFalseDiscoveries(tested);
  out.tests = tested.size();
  for (std::size_t i = 0; i < tested.size(); ++i) {
    if (!IsFinding(*tested[i])) continue;
    ++out.findings;
    tested_groups[i]->standing = tested[i]->estimate > 0 ? Standing::kHolds : Standing::kLacks;
  }
  return out;
}

Result<SharingPairs> FindSharingPairs(const Dataset& data, const instrument::Instrument& instrument,
                                      Publication& publication, const std::vector<Filter>& where) {
  std::vector<Table> tables;
  std::vector<std::size_t> areas;
  for (std::size_t a = 0; a < instrument.knowledge_areas.size(); ++a) {
    SAMKART_ASSIGN_OR_RETURN(
        const AreaItem item,
        ResolveItem(data, instrument, instrument.knowledge_areas[a].knowledge));
    SAMKART_ASSIGN_OR_RETURN(Table table, ComputeTable(data, instrument,
                                                       {item.family->id,
                                                        item.item->id,
                                                        {Variable::kService},
                                                        where,
                                                        Comparison::kNone,
                                                        false,
                                                        {}}));
    tables.push_back(std::move(table));
    areas.push_back(a);
  }
  SAMKART_TRY(publication.Apply(tables));
  SAMKART_ASSIGN_OR_RETURN(const CooperationMatrix cooperation,
                           ComputeCooperationMatrix(data, instrument, where, publication));

  std::vector<SharingPair> candidates;
  for (std::size_t t = 0; t < tables.size(); ++t) {
    std::vector<const TableRow*> visible;
    for (const TableRow& row : tables[t].rows) {
      if (!row.group.empty() && Visible(row.cell) &&
          !IsUnstated(instrument, Variable::kService, row.group[0])) {
        visible.push_back(&row);
      }
    }
    for (const TableRow* giver : visible) {
      for (const TableRow* receiver : visible) {
        const int g = giver->group[0], r = receiver->group[0];
        // Each pair once, the higher share giving; a group never shares
        // with a service it is made of.
        if (giver->cell.share < receiver->cell.share ||
            (giver->cell.share == receiver->cell.share && g >= r) ||
            instrument.ServiceIncludes(g, r) || instrument.ServiceIncludes(r, g)) {
          continue;
        }
        SharingPair pair;
        pair.area = areas[t];
        pair.item = giver->item;
        pair.giver = g;
        pair.receiver = r;
        pair.giver_cell = giver->cell;
        pair.receiver_cell = receiver->cell;
        pair.gap = CompareShares(SampleOf(giver->cell), SampleOf(receiver->cell));
        candidates.push_back(pair);
      }
    }
  }
  std::vector<Difference*> tested;
  for (SharingPair& pair : candidates) tested.push_back(&pair.gap);
  ControlFalseDiscoveries(tested);

  SharingPairs out;
  out.tests = candidates.size();
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    if (!IsFinding(candidates[i].gap)) continue;
    SharingPair pair = candidates[i];
    auto visible_rating = [&](int rater, int rated) -> std::optional<Cell> {
      const CooperationPair* p = cooperation.Find(rater, rated);
      if (p == nullptr || !Visible(p->rating)) return std::nullopt;
      return p->rating;
    };
    pair.rating = visible_rating(pair.giver, pair.receiver);
    pair.reverse_rating = visible_rating(pair.receiver, pair.giver);
    double cooperation_weight = 0;
    if (pair.rating && pair.reverse_rating) {
      const double mean = (pair.rating->share + pair.reverse_rating->share) / 2;
      pair.channel = mean >= kGoodCooperation ? Channel::kGood : Channel::kWeak;
      cooperation_weight = mean;
    }
    pair.score =
        pair.gap.estimate * static_cast<double>(pair.receiver_cell.n) * (1 + cooperation_weight);
    out.pairs.push_back(pair);
  }
  std::stable_sort(out.pairs.begin(), out.pairs.end(),
                   [](const SharingPair& a, const SharingPair& b) { return a.score > b.score; });
  return out;
}

std::string DescribePair(const instrument::Instrument& instrument, const SharingPair& pair) {
  return fmt::format("{} ({}) → {} ({}) om {}", ServiceLabel(instrument, pair.giver),
                     Percent(pair.giver_cell.share), ServiceLabel(instrument, pair.receiver),
                     Percent(pair.receiver_cell.share),
                     instrument.knowledge_areas[pair.area].topic);
}

}  // namespace samkart::analysis
