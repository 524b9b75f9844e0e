#include "samkart/analysis/group_differences.h"

namespace samkart::analysis {

Result<RaoScottResult> DifferencesAcross(const Dataset& data,
                                         const instrument::Instrument& instrument, std::size_t item,
                                         Variable by, const std::vector<Filter>& where) {
  if (item >= data.item_refs.size()) return Error{"ukjent delspørsmål"};
  const ShareRule rule = ShareRuleOf(instrument, *data.item_refs[item].family);
  const RoundIndex local = data.rounds.Count() == 0 ? IndexRounds(data) : RoundIndex{};
  const RoundIndex& rounds = data.rounds.Count() > 0 ? data.rounds : local;
  const ColumnView groups_column = data.Column(by);
  std::vector<ColumnView> filter_columns;
  for (const Filter& f : where) filter_columns.push_back(data.Column(f.variable));
  const std::vector<uint8_t>& answers = data.items[item];

  // Breakdown value → dense group number, in order of appearance.
  std::vector<int> group_of_value(1u << 16, -1);
  std::size_t groups = 0;
  std::vector<ClusterGroupCount> counts;
  std::vector<ClusterGroupCount> in_round;  // the current round's counts per group
  std::vector<std::size_t> touched;
  for (std::size_t k = 0; k < rounds.Count(); ++k) {
    for (uint32_t at = rounds.starts[k]; at < rounds.starts[k + 1]; ++at) {
      const std::size_t r = rounds.rows[at];
      const uint8_t answer = answers[r];
      if (!rule.in_denominator[answer]) continue;
      bool kept = true;
      for (std::size_t f = 0; f < where.size() && kept; ++f) {
        kept = where[f].Matches(filter_columns[f][r]);
      }
      if (!kept) continue;
      int& group = group_of_value[static_cast<std::size_t>(groups_column[r])];
      if (group < 0) {
        group = static_cast<int>(groups++);
        in_round.resize(groups);
      }
      ClusterGroupCount& c = in_round[static_cast<std::size_t>(group)];
      if (c.n == 0) touched.push_back(static_cast<std::size_t>(group));
      c.cluster = k;
      c.group = static_cast<std::size_t>(group);
      c.n += 1;
      c.y += rule.reported[answer] ? 1 : 0;
    }
    for (const std::size_t g : touched) {
      counts.push_back(in_round[g]);
      in_round[g] = {};
    }
    touched.clear();
  }
  return RaoScottTest(counts, groups, rounds.Count());
}

}  // namespace samkart::analysis
