#include "samkart/analysis/follow_up_evaluation.h"

#include <cassert>
#include <cmath>
#include <map>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "samkart/analysis/distributions.h"

namespace samkart::analysis {

namespace {

// The round-type codes of the two round sets: the instrument's first round
// type is the baseline (as the publication gate has it), the others follow up.
struct RoundSets {
  int baseline = 1;
  std::vector<int> follow_up;
};

Result<RoundSets> RoundSetsOf(const instrument::Instrument& instrument) {
  RoundSets sets;
  if (instrument.round_types.empty()) {
    sets.follow_up = {2};
    return sets;
  }
  sets.baseline = instrument.round_types[0].code;
  for (std::size_t i = 1; i < instrument.round_types.size(); ++i) {
    sets.follow_up.push_back(instrument.round_types[i].code);
  }
  if (sets.follow_up.empty()) {
    return Error{"instrumentet har ingen rundetype for oppfølgingsundersøkelser"};
  }
  return sets;
}

std::string MunicipalityName(const Dataset& data, int municipality) {
  const auto it = data.municipality_names.find(municipality);
  if (it == data.municipality_names.end()) return fmt::format("kommune {}", municipality);
  return fmt::format("{} (kommune {})", it->second, municipality);
}

// Whether the municipality has a baseline and a follow-up round in the data.
Status CheckMunicipality(const Dataset& data, const RoundSets& sets, int municipality) {
  bool any = false, baseline = false, follow_up = false;
  for (std::size_t r = 0; r < data.rows; ++r) {
    if (data.municipality[r] != municipality) continue;
    any = true;
    (data.round_type[r] == sets.baseline ? baseline : follow_up) = true;
  }
  const std::string name = MunicipalityName(data, municipality);
  if (!any) return Error{fmt::format("{} finnes ikke i databasen", name), ErrorCode::kNotFound};
  if (!follow_up) {
    return Error{fmt::format("{} har ingen oppfølgingsundersøkelse i databasen, så endringen "
                             "siden 0-punktsmålingen kan ikke beregnes",
                             name),
                 ErrorCode::kNotFound};
  }
  if (!baseline) {
    return Error{fmt::format("{} har ingen 0-punktsmåling i databasen, så endringen fram til "
                             "oppfølgingsundersøkelsen kan ikke beregnes",
                             name),
                 ErrorCode::kNotFound};
  }
  return Ok();
}

// Published cells of one round set by item and group ({municipality} or
// {municipality, service}).
using CellMap = std::map<std::pair<std::size_t, std::vector<int>>, Cell>;

void Collect(const Table& table, CellMap& cells) {
  for (const TableRow& row : table.rows) {
    if (!row.group.empty()) cells[{row.item, row.group}] = row.cell;
  }
}

bool Usable(const Cell& cell) { return !cell.suppressed && cell.n > 0; }

PooledChange Pool(const std::vector<double>& changes) {
  const auto m = static_cast<double>(changes.size());
  assert(changes.size() >= 2);
  PooledChange pooled;
  double sum = 0;
  for (const double d : changes) sum += d;
  pooled.estimate = sum / m;
  double squares = 0;
  for (const double d : changes) squares += (d - pooled.estimate) * (d - pooled.estimate);
  pooled.standard_deviation = std::sqrt(squares / (m - 1));
  const double standard_error = pooled.standard_deviation / std::sqrt(m);
  const double df = m - 1;
  const double half_width = StudentTQuantile(0.975, df) * standard_error;
  pooled.interval = {pooled.estimate - half_width, pooled.estimate + half_width};
  if (standard_error == 0) {
    // Every municipality changed alike: no spread to test against.
    pooled.p_value = pooled.estimate == 0 ? 1 : 0;
  } else {
    pooled.p_value = 2 * StudentTCdf(-std::abs(pooled.estimate) / standard_error, df);
  }
  return pooled;
}

FollowUpVerdict Direction(instrument::Polarity polarity, double estimate) {
  switch (polarity) {
    case instrument::Polarity::kHigherIsBetter:
      return estimate > 0 ? FollowUpVerdict::kImproved : FollowUpVerdict::kWorsened;
    case instrument::Polarity::kHigherIsWorse:
      return estimate < 0 ? FollowUpVerdict::kImproved : FollowUpVerdict::kWorsened;
    case instrument::Polarity::kDescriptive:
      break;
  }
  return estimate > 0 ? FollowUpVerdict::kIncreased : FollowUpVerdict::kDecreased;
}

bool Material(double estimate) { return std::abs(estimate) >= kMaterialDifference; }

// One indicator's published pairs: every municipality with both cells
// visible and answered, by number.
std::vector<MunicipalityChange> Pairs(const CellMap& baseline, const CellMap& follow_up,
                                      std::size_t item, std::optional<int> service) {
  std::vector<MunicipalityChange> pairs;
  const auto end = baseline.lower_bound({item + 1, {}});
  for (auto it = baseline.lower_bound({item, {}}); it != end; ++it) {
    const auto& [key, base] = *it;
    const std::vector<int>& group = key.second;
    if (service ? group.size() != 2 || group[1] != *service : group.size() != 1) continue;
    const auto follow = follow_up.find(key);
    if (follow == follow_up.end() || !Usable(base) || !Usable(follow->second)) continue;
    pairs.push_back({group[0], base, follow->second, follow->second.share - base.share});
  }
  return pairs;
}

// Services some municipality has cells of in both round sets, in code order.
std::set<int> ServicesInBoth(const CellMap& baseline, const CellMap& follow_up, std::size_t item,
                             std::optional<int> municipality) {
  std::set<int> services;
  const auto end = baseline.lower_bound({item + 1, {}});
  for (auto it = baseline.lower_bound({item, {}}); it != end; ++it) {
    const auto& key = it->first;
    if (key.second.size() != 2) continue;
    if (municipality && key.second[0] != *municipality) continue;
    if (follow_up.count(key)) services.insert(key.second[1]);
  }
  return services;
}

FollowUpRow PooledRow(std::size_t item, std::optional<int> service,
                      std::vector<MunicipalityChange> pairs) {
  FollowUpRow row;
  row.item = item;
  row.service = service;
  row.municipalities = std::move(pairs);
  std::vector<double> changes;
  for (const auto& pair : row.municipalities) {
    changes.push_back(pair.change);
    row.rose += pair.change > 0;
    row.fell += pair.change < 0;
  }
  if (changes.size() >= kMinMunicipalities) {
    row.change = Pool(changes);
    row.verdict = FollowUpVerdict::kUnchanged;
  }
  return row;
}

MunicipalityFollowUpRow OwnRow(std::size_t item, std::optional<int> service, int municipality,
                               const CellMap& baseline, const CellMap& follow_up,
                               const std::vector<MunicipalityChange>& pairs) {
  MunicipalityFollowUpRow row;
  row.item = item;
  row.service = service;
  std::vector<int> group = {municipality};
  if (service) group.push_back(*service);
  if (const auto it = baseline.find({item, group}); it != baseline.end()) row.baseline = it->second;
  if (const auto it = follow_up.find({item, group}); it != follow_up.end()) {
    row.follow_up = it->second;
  }
  if (Usable(row.baseline) && Usable(row.follow_up)) {
    row.own_change = CompareShares(SampleOf(row.follow_up), SampleOf(row.baseline));
  }
  std::vector<double> others;
  for (const auto& pair : pairs) {
    if (pair.municipality != municipality) others.push_back(pair.change);
  }
  row.other_municipalities = others.size();
  if (others.size() >= kMinMunicipalities) row.others = Pool(others);
  if (row.baseline.suppressed || row.follow_up.suppressed) {
    row.verdict = FollowUpVerdict::kNotPublished;
  } else if (!row.own_change) {
    row.verdict = FollowUpVerdict::kNoAnswers;
  } else if (row.others) {
    // The municipality's change less the others', its interval from the two.
    row.difference = MoverDifference(row.own_change->estimate, row.own_change->interval,
                                     row.others->estimate, row.others->interval);
    row.verdict = FollowUpVerdict::kUnchanged;
  }
  return row;
}

// The published cells of one family by `by` in both round sets.
Status PublishedCells(const Dataset& data, const instrument::Instrument& instrument,
                      Publication& publication, const std::string& family, const RoundSets& sets,
                      const std::vector<Variable>& by, CellMap& baseline, CellMap& follow_up) {
  const Filter baseline_rounds{Variable::kRoundType, {sets.baseline}, std::nullopt};
  const Filter follow_up_rounds{Variable::kRoundType, sets.follow_up, std::nullopt};
  std::vector<Table> tables;
  for (const Filter& rounds : {baseline_rounds, follow_up_rounds}) {
    SAMKART_ASSIGN_OR_RETURN(
        Table table,
        ComputeTable(data, instrument,
                     {family, std::nullopt, by, {rounds}, Comparison::kNone, false, {}}));
    tables.push_back(std::move(table));
  }
  SAMKART_TRY(publication.Apply(tables));
  Collect(tables[0], baseline);
  Collect(tables[1], follow_up);
  return Ok();
}

}  // namespace

const char* FollowUpVerdictLabel(FollowUpVerdict verdict) {
  switch (verdict) {
    case FollowUpVerdict::kImproved:
      return "bedre";
    case FollowUpVerdict::kWorsened:
      return "dårligere";
    case FollowUpVerdict::kIncreased:
      return "økt";
    case FollowUpVerdict::kDecreased:
      return "redusert";
    case FollowUpVerdict::kUnchanged:
      return "ingen sikker endring";
    case FollowUpVerdict::kTooFew:
      return "for få kommuner";
    case FollowUpVerdict::kNotPublished:
      return "ikke publisert";
    case FollowUpVerdict::kNoAnswers:
      return "ingen svar";
  }
  return "";
}

Result<FollowUpEvaluation> EvaluateFollowUp(const Dataset& data,
                                            const instrument::Instrument& instrument,
                                            Publication& publication,
                                            const FollowUpRequest& request) {
  assert(&publication.data() == &data);
  SAMKART_ASSIGN_OR_RETURN(const RoundSets sets, RoundSetsOf(instrument));
  std::vector<const instrument::Family*> families;
  if (request.families.empty()) {
    for (const auto& family : instrument.families) families.push_back(&family);
  } else {
    for (const std::string& id : request.families) {
      const instrument::Family* family = instrument.FindFamily(id);
      if (family == nullptr) return Error{fmt::format("ukjent spørsmålsfamilie «{}»", id)};
      families.push_back(family);
    }
  }
  if (request.municipality) {
    SAMKART_TRY(CheckMunicipality(data, sets, *request.municipality));
  }

  FollowUpEvaluation evaluation;
  if (request.municipality) evaluation.municipality = MunicipalityFollowUp{*request.municipality};
  // The polarity of each row, for its verdict.
  std::vector<instrument::Polarity> polarity, own_polarity;
  for (const instrument::Family* family : families) {
    CellMap baseline, follow_up, service_baseline, service_follow_up;
    SAMKART_TRY(PublishedCells(data, instrument, publication, family->id, sets,
                               {Variable::kMunicipality}, baseline, follow_up));
    if (request.by_service) {
      SAMKART_TRY(PublishedCells(data, instrument, publication, family->id, sets,
                                 {Variable::kMunicipality, Variable::kService}, service_baseline,
                                 service_follow_up));
    }
    for (std::size_t item = 0; item < data.item_refs.size(); ++item) {
      if (data.item_refs[item].family->id != family->id) continue;
      std::vector<MunicipalityChange> pairs = Pairs(baseline, follow_up, item, std::nullopt);
      if (evaluation.municipality) {
        evaluation.municipality->rows.push_back(
            OwnRow(item, std::nullopt, *request.municipality, baseline, follow_up, pairs));
        own_polarity.push_back(family->polarity);
      }
      evaluation.rows.push_back(PooledRow(item, std::nullopt, std::move(pairs)));
      polarity.push_back(family->polarity);
      if (!request.by_service) continue;
      // A service is a row where some municipality published it in both
      // round sets; the municipality's own rows are where it has cells in both.
      std::set<int> own_services;
      if (request.municipality) {
        own_services =
            ServicesInBoth(service_baseline, service_follow_up, item, *request.municipality);
      }
      for (const int service :
           ServicesInBoth(service_baseline, service_follow_up, item, std::nullopt)) {
        std::vector<MunicipalityChange> in_service =
            Pairs(service_baseline, service_follow_up, item, service);
        if (own_services.count(service)) {
          evaluation.municipality->rows.push_back(OwnRow(item, service, *request.municipality,
                                                         service_baseline, service_follow_up,
                                                         in_service));
          own_polarity.push_back(family->polarity);
        }
        if (in_service.empty()) continue;
        evaluation.rows.push_back(PooledRow(item, service, std::move(in_service)));
        polarity.push_back(family->polarity);
      }
    }
  }

  // Benjamini–Hochberg over the rows with an estimate, then the verdicts.
  std::vector<std::size_t> tested;
  std::vector<double> p_values;
  for (std::size_t r = 0; r < evaluation.rows.size(); ++r) {
    if (!evaluation.rows[r].change) continue;
    tested.push_back(r);
    p_values.push_back(evaluation.rows[r].change->p_value);
  }
  std::vector<double> adjusted = BenjaminiHochberg(p_values);
  for (std::size_t k = 0; k < tested.size(); ++k) {
    FollowUpRow& row = evaluation.rows[tested[k]];
    row.adjusted_p_value = adjusted[k];
    row.finding = adjusted[k] < kFalseDiscoveryRate && Material(row.change->estimate);
    if (row.finding) row.verdict = Direction(polarity[tested[k]], row.change->estimate);
  }
  if (!evaluation.municipality) return evaluation;

  auto& own_rows = evaluation.municipality->rows;
  tested.clear();
  p_values.clear();
  for (std::size_t r = 0; r < own_rows.size(); ++r) {
    if (!own_rows[r].difference) continue;
    tested.push_back(r);
    p_values.push_back(own_rows[r].difference->p_value);
  }
  adjusted = BenjaminiHochberg(p_values);
  for (std::size_t k = 0; k < tested.size(); ++k) {
    MunicipalityFollowUpRow& row = own_rows[tested[k]];
    row.adjusted_p_value = adjusted[k];
    row.finding = row.difference->significant && adjusted[k] < kFalseDiscoveryRate &&
                  Material(row.difference->estimate);
    if (row.finding) row.verdict = Direction(own_polarity[tested[k]], row.difference->estimate);
  }
  return evaluation;
}

}  // namespace samkart::analysis
