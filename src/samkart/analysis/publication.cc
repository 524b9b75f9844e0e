#include "samkart/analysis/publication.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <set>
#include <unordered_map>

#include <fmt/format.h>

#include "samkart/analysis/protection_cache.h"
#include "samkart/core/parallel.h"

namespace samkart::analysis {

namespace {

// How much more hiding a headline cell costs than hiding another of the
// same size: enough that any other partner is cheaper.
constexpr double kHeadlineWeight = 1000;

bool IsCanonical(Variable v) {
  const auto& all = CanonicalVariables();
  return std::find(all.begin(), all.end(), v) != all.end();
}

std::size_t Rank(Variable v) {
  const auto& all = CanonicalVariables();
  return static_cast<std::size_t>(std::find(all.begin(), all.end(), v) - all.begin());
}

void SortVariables(std::vector<Variable>& vars) {
  std::sort(vars.begin(), vars.end(), [](Variable a, Variable b) { return Rank(a) < Rank(b); });
}

bool Has(const std::vector<Variable>& vars, Variable v) {
  return std::find(vars.begin(), vars.end(), v) != vars.end();
}

// A table may list a municipality beside neither its region nor its size group.
bool IsCanonicalTable(const std::vector<Variable>& vars) {
  if (vars.size() > 2) return false;
  if (Has(vars, Variable::kMunicipality) &&
      (Has(vars, Variable::kRegion) || Has(vars, Variable::kSizeGroup))) {
    return false;
  }
  return true;
}

// Does every cell of `fine` lie inside one cell of `coarse`?
bool Refines(const std::vector<Variable>& fine, const std::vector<Variable>& coarse) {
  if (fine == coarse) return false;
  for (const Variable v : coarse) {
    const bool determined =
        Has(fine, v) || ((v == Variable::kRegion || v == Variable::kSizeGroup) &&
                         Has(fine, Variable::kMunicipality));
    if (!determined) return false;
  }
  return true;
}

std::string VariableList() {
  return "kommune, region, størrelsesgruppe, år, tjenestested og stilling";
}

void Hide(Cell& cell) {
  cell = Cell{};
  cell.suppressed = true;
}

}  // namespace

const std::vector<Variable>& CanonicalVariables() {
  static const std::vector<Variable> kVariables = {Variable::kMunicipality, Variable::kRegion,
                                                   Variable::kSizeGroup,    Variable::kYear,
                                                   Variable::kService,      Variable::kPosition};
  return kVariables;
}

std::map<int, std::pair<int, int>> MunicipalityNesting(const Dataset& data) {
  std::map<int, std::pair<int, int>> nesting;
  int last = -1;
  for (std::size_t r = 0; r < data.rows; ++r) {
    if (data.municipality[r] == last) continue;  // rows come a round at a time
    last = data.municipality[r];
    nesting.emplace(last, std::make_pair(data.region[r], data.size_group[r]));
  }
  return nesting;
}

Publication::Publication(const Dataset& data, const instrument::Instrument& instrument,
                         PublicationRules rules, Audience audience)
    : data_(data),
      instrument_(instrument),
      rules_(rules),
      audience_(audience),
      nesting_(MunicipalityNesting(data)) {
  const int baseline = instrument.round_types.empty() ? 1 : instrument.round_types[0].code;
  std::set<std::tuple<int, int, int>> rounds;
  int last_municipality = -1, last_year = -1, last_round = -1;
  for (std::size_t r = 0; r < data.rows; ++r) {
    if (data.municipality[r] == last_municipality && data.year[r] == last_year &&
        data.round_type[r] == last_round) {
      continue;
    }
    last_municipality = data.municipality[r];
    last_year = data.year[r];
    last_round = data.round_type[r];
    rounds.emplace(last_round == baseline ? 0 : 1, last_municipality, last_year);
  }
  for (const auto& [set, municipality, year] : rounds) {
    years_[set][municipality].push_back(year);
  }
}

namespace {

// One value of a filter on a canonical variable.
Result<int> SingleValue(const Filter& f) {
  if (f.range) {
    if (f.range->first != f.range->second) {
      return Error{fmt::format(
          "publiserte tabeller tar én verdi per avgrensning, ikke et intervall ({}={}..{}): "
          "to intervaller trukket fra hverandre ville vise celler som er skjult",
          VariableName(f.variable), f.range->first, f.range->second)};
    }
    return f.range->first;
  }
  if (f.values.size() != 1) {
    return Error{fmt::format(
        "publiserte tabeller tar én verdi per avgrensning, ikke flere ({}): bruk en inndeling "
        "(--by {}) i stedet",
        VariableName(f.variable), VariableName(f.variable))};
  }
  return f.values[0];
}

// Whether a round-type filter asks for follow-ups; the two are published
// apart, never together.
Result<bool> FollowUpOf(const Filter& f, int baseline) {
  if (f.range || f.values.empty()) {
    return Error{"rundetype må gis som én verdi: 0-punktsmåling eller oppfølging"};
  }
  const bool all_baseline =
      std::all_of(f.values.begin(), f.values.end(), [&](int v) { return v == baseline; });
  const bool none_baseline =
      std::none_of(f.values.begin(), f.values.end(), [&](int v) { return v == baseline; });
  if (!all_baseline && !none_baseline) {
    return Error{"0-punktsmålinger og oppfølgingsmålinger publiseres hver for seg, ikke sammen"};
  }
  return none_baseline;
}

// The filters' values into `fixed`; whether the round set is the follow-ups.
Result<bool> FixByFilters(const std::vector<Filter>& where, int baseline,
                          std::map<Variable, int>& fixed) {
  std::optional<bool> follow_up;
  for (const Filter& f : where) {
    if (f.variable == Variable::kRoundType) {
      SAMKART_ASSIGN_OR_RETURN(follow_up, FollowUpOf(f, baseline));
      continue;
    }
    if (!IsCanonical(f.variable)) {
      return Error{fmt::format("publiserte tabeller kan ikke avgrenses etter «{}»; bare etter {}",
                               VariableName(f.variable), VariableList())};
    }
    SAMKART_ASSIGN_OR_RETURN(const int value, SingleValue(f));
    if (const auto it = fixed.find(f.variable); it != fixed.end() && it->second != value) {
      return Error{fmt::format("«{}» er avgrenset to ganger", VariableName(f.variable))};
    }
    fixed[f.variable] = value;
  }
  if (!follow_up) {
    return Error{
        "velg 0-punktsmålinger eller oppfølgingsmålinger (round_type); de publiseres hver for seg"};
  }
  return *follow_up;
}

// The group's values of the breakdown into `fixed`.
Status FixByBreakdown(const std::vector<Variable>& by, const std::vector<int>& group,
                      std::map<Variable, int>& fixed) {
  for (std::size_t i = 0; i < by.size(); ++i) {
    if (by[i] == Variable::kRoundType) {
      return Error{
          "publiserte tabeller kan ikke deles etter rundetype; 0-punkt og oppfølging vises hver "
          "for seg"};
    }
    if (!IsCanonical(by[i])) {
      return Error{fmt::format("publiserte tabeller kan ikke deles etter «{}»; bare etter {}",
                               VariableName(by[i]), VariableList())};
    }
    // A total row (no group) is the margin over the breakdown.
    if (i < group.size()) fixed[by[i]] = group[i];
  }
  return Ok();
}

}  // namespace

Result<bool> Publication::FoldIntoMunicipality(std::map<Variable, int>& fixed,
                                               bool follow_up) const {
  const auto m = fixed.find(Variable::kMunicipality);
  if (m == fixed.end()) return false;
  if (audience_ == Audience::kAggregatesOnly) {
    return Error{"enkeltkommuner vises ikke for denne rollen"};
  }
  bool empty = false;
  const auto nest = nesting_.find(m->second);
  for (const Variable v : {Variable::kRegion, Variable::kSizeGroup}) {
    const auto it = fixed.find(v);
    if (it == fixed.end()) continue;
    if (nest == nesting_.end() ||
        it->second != (v == Variable::kRegion ? nest->second.first : nest->second.second)) {
      empty = true;
    }
    fixed.erase(it);
  }
  // One round in the set: the municipality with its year is the municipality.
  const auto& years = years_[follow_up ? 1 : 0];
  if (const auto y = fixed.find(Variable::kYear); y != fixed.end()) {
    const auto rounds = years.find(m->second);
    if (rounds == years.end() || std::find(rounds->second.begin(), rounds->second.end(),
                                           y->second) == rounds->second.end()) {
      empty = true;
      fixed.erase(y);
    } else if (rounds->second.size() == 1) {
      fixed.erase(y);
    }
  }
  return empty;
}

Result<Publication::Address> Publication::AddressOf(const std::vector<Filter>& where,
                                                    const std::vector<Variable>& by,
                                                    const std::vector<int>& group) const {
  const int baseline = instrument_.round_types.empty() ? 1 : instrument_.round_types[0].code;
  std::map<Variable, int> fixed;
  SAMKART_ASSIGN_OR_RETURN(const bool follow_up, FixByFilters(where, baseline, fixed));
  SAMKART_TRY(FixByBreakdown(by, group, fixed));
  Address address;
  address.follow_up = follow_up;
  SAMKART_ASSIGN_OR_RETURN(const bool empty, FoldIntoMunicipality(fixed, follow_up));
  for (const auto& [v, value] : fixed) address.vars.push_back(v);
  SortVariables(address.vars);
  if (!IsCanonicalTable(address.vars)) {
    return Error{fmt::format(
        "publiserte tabeller har høyst to av {} (avgrensninger og inndelinger til sammen); "
        "denne har {}",
        VariableList(), address.vars.size())};
  }
  for (const Variable v : address.vars) address.values.push_back(fixed.at(v));
  if (empty) address.values.assign(address.vars.size(), -1);  // a cell nobody is in
  return address;
}

std::optional<std::string> Publication::NotPublishable(const std::vector<Filter>& where,
                                                       const std::vector<Variable>& by) const {
  // The structure does not depend on the values: any group will do, except
  // that a municipality must exist for its nesting to be checked.
  std::vector<int> group(by.size(), 0);
  for (std::size_t i = 0; i < by.size(); ++i) {
    if (by[i] == Variable::kMunicipality && !nesting_.empty()) group[i] = nesting_.begin()->first;
  }
  auto address = AddressOf(where, by, group);
  if (!address.ok()) return address.error().message;
  return std::nullopt;
}

std::optional<std::size_t> Publication::CellOf(const ProtectedFamily& family,
                                               const Address& address) const {
  for (std::size_t t = 0; t < family.tables.size(); ++t) {
    if (family.tables[t] != address.vars) continue;
    const auto it = family.cells_of_table[t].find(address.values);
    if (it == family.cells_of_table[t].end()) return std::nullopt;
    return it->second;
  }
  return std::nullopt;
}

Result<const ProtectedFamily*> Publication::Family(const std::string& family, bool follow_up) {
  if (family != kRespondentsFamily && instrument_.FindFamily(family) == nullptr) {
    return Error{fmt::format("ukjent spørsmålsfamilie «{}»", family)};
  }
  std::shared_ptr<Slot> slot;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto& entry = families_[{family, follow_up}];
    if (!entry) entry = std::make_shared<Slot>();
    slot = entry;
  }
  std::call_once(slot->once, [&] {
    slot->family = std::make_unique<ProtectedFamily>(Protect(family, follow_up));
  });
  return slot->family.get();
}

void Publication::ProtectAll(unsigned threads,
                             const std::function<void(std::size_t, std::size_t)>& progress) {
  std::vector<std::pair<std::string, bool>> work;
  for (const bool follow_up : {false, true}) {
    work.emplace_back(kRespondentsFamily, follow_up);
    for (const auto& family : instrument_.families) work.emplace_back(family.id, follow_up);
  }
  std::atomic<std::size_t> done{0};
  std::mutex progress_mutex;
  ParallelFor(work.size(), threads, [&](std::size_t i) {
    (void)Family(work[i].first, work[i].second);
    const std::size_t finished = ++done;
    if (progress) {
      std::lock_guard<std::mutex> lock(progress_mutex);
      progress(finished, work.size());
    }
  });
}

namespace {

// The canonical tables, coarse first; an audience of aggregates only gets
// none by municipality.
std::vector<std::vector<Variable>> CanonicalTables(bool aggregates_only) {
  const auto& all = CanonicalVariables();
  std::vector<std::vector<Variable>> tables;
  tables.push_back({});
  for (std::size_t a = 0; a < all.size(); ++a) tables.push_back({all[a]});
  for (std::size_t a = 0; a < all.size(); ++a) {
    for (std::size_t b = a + 1; b < all.size(); ++b) {
      std::vector<Variable> vars = {all[a], all[b]};
      if (IsCanonicalTable(vars)) tables.push_back(vars);
    }
  }
  if (aggregates_only) {
    std::erase_if(tables, [](const auto& vars) { return Has(vars, Variable::kMunicipality); });
  }
  return tables;
}

}  // namespace

const Publication::Atoms& Publication::AtomsOf(bool follow_up) const {
  AtomSlot& slot = atoms_[follow_up ? 1 : 0];
  std::call_once(slot.once, [&] {
    const int baseline = instrument_.round_types.empty() ? 1 : instrument_.round_types[0].code;
    Atoms& out = slot.atoms;
    std::unordered_map<uint64_t, uint32_t> atom_of;
    out.of_row.assign(data_.rows, UINT32_MAX);
    for (std::size_t r = 0; r < data_.rows; ++r) {
      if ((data_.round_type[r] == baseline) == follow_up) continue;
      const uint64_t key = (uint64_t{data_.municipality[r]} << 32) |
                           (uint64_t{data_.year[r]} << 16) | (uint64_t{data_.service[r]} << 8) |
                           uint64_t{data_.position[r]};
      auto [it, added] = atom_of.emplace(key, static_cast<uint32_t>(out.keys.size()));
      if (added) {
        out.keys.push_back(key);
        out.respondents.push_back(0);
      }
      out.of_row[r] = it->second;
      out.rows.push_back(static_cast<uint32_t>(r));
      out.respondents[it->second] += 1;
    }

    out.tables = CanonicalTables(audience_ == Audience::kAggregatesOnly);
    out.cells_of_table.resize(out.tables.size());
    std::vector<std::set<int>> municipalities_of;
    auto value_of = [&](uint64_t atom, Variable v) -> int {
      const int municipality = static_cast<int>(atom >> 32);
      switch (v) {
        case Variable::kMunicipality:
          return municipality;
        case Variable::kYear:
          return static_cast<int>((atom >> 16) & 0xffff);
        case Variable::kService:
          return static_cast<int>((atom >> 8) & 0xff);
        case Variable::kPosition:
          return static_cast<int>(atom & 0xff);
        case Variable::kRegion:
          return nesting_.at(municipality).first;
        case Variable::kSizeGroup:
          return nesting_.at(municipality).second;
        default:
          return 0;
      }
    };
    out.cells_of_atom.resize(out.keys.size());
    for (std::size_t a = 0; a < out.keys.size(); ++a) {
      for (std::size_t t = 0; t < out.tables.size(); ++t) {
        std::vector<int> values;
        for (const Variable v : out.tables[t]) values.push_back(value_of(out.keys[a], v));
        auto [it, added] = out.cells_of_table[t].emplace(values, out.address.size());
        if (added) {
          out.address.emplace_back(t, values);
          municipalities_of.emplace_back();
          out.cell_respondents.push_back(0);
        }
        out.cells_of_atom[a].push_back(static_cast<uint32_t>(it->second));
        out.cell_respondents[it->second] += out.respondents[a];
        municipalities_of[it->second].insert(static_cast<int>(out.keys[a] >> 32));
      }
    }
    for (const auto& set : municipalities_of) out.municipalities.push_back(set.size());

    // Sums between each table and the tables that refine it directly.
    for (std::size_t c = 0; c < out.tables.size(); ++c) {
      for (std::size_t f = 0; f < out.tables.size(); ++f) {
        if (!Refines(out.tables[f], out.tables[c])) continue;
        bool direct = true;
        for (std::size_t g = 0; g < out.tables.size() && direct; ++g) {
          if (Refines(out.tables[f], out.tables[g]) && Refines(out.tables[g], out.tables[c])) {
            direct = false;
          }
        }
        if (!direct) continue;
        std::map<std::size_t, std::vector<std::size_t>> parts;
        for (const auto& [values, cell] : out.cells_of_table[f]) {
          std::map<Variable, int> fixed;
          for (std::size_t i = 0; i < values.size(); ++i) fixed[out.tables[f][i]] = values[i];
          if (const auto m = fixed.find(Variable::kMunicipality); m != fixed.end()) {
            fixed[Variable::kRegion] = nesting_.at(m->second).first;
            fixed[Variable::kSizeGroup] = nesting_.at(m->second).second;
          }
          std::vector<int> coarse;
          for (const Variable v : out.tables[c]) coarse.push_back(fixed.at(v));
          parts[out.cells_of_table[c].at(coarse)].push_back(cell);
        }
        for (auto& [total, members] : parts) out.sums.push_back({total, std::move(members)});
      }
    }
  });
  return slot.atoms;
}

std::vector<std::vector<double>> Publication::AtomValues(const Atoms& atom_index,
                                                         const std::vector<std::size_t>& items,
                                                         const ShareRule* rule) const {
  const std::size_t layers = rule != nullptr ? 2 * items.size() : 1;
  const std::size_t atoms = atom_index.keys.size();
  std::vector<std::vector<double>> atom_values(layers, std::vector<double>(atoms, 0));
  if (rule == nullptr) {
    atom_values[0] = atom_index.respondents;
    return atom_values;
  }
  // Per answer code: 0 outside the denominator, 1 in it, 2 also reported;
  // a table lookup and two additions per row, with no branch.
  std::array<uint8_t, 256> kind{};
  for (std::size_t code = 0; code < kind.size(); ++code) {
    const bool in = code < rule->in_denominator.size() && rule->in_denominator[code];
    const bool reported = code < rule->reported.size() && rule->reported[code];
    kind[code] = in ? (reported ? 2 : 1) : 0;
  }
  std::vector<uint32_t> n(atoms), count(atoms);
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::vector<uint8_t>& answers = data_.items[items[i]];
    std::fill(n.begin(), n.end(), 0);
    std::fill(count.begin(), count.end(), 0);
    for (const uint32_t r : atom_index.rows) {
      const uint8_t k = kind[answers[r]];
      const uint32_t a = atom_index.of_row[r];
      n[a] += k != 0;
      count[a] += k >> 1;
    }
    std::copy(n.begin(), n.end(), atom_values[2 * i].begin());
    std::copy(count.begin(), count.end(), atom_values[2 * i + 1].begin());
  }
  return atom_values;
}

namespace {

// What hiding a cell costs: its size. The numbers reports lead with —
// the nation's and each municipality's own, per round — cost a thousand
// times more, the last a secondary suppression should take.
void SetCosts(ProtectedFamily& out) {
  out.cells.cost.assign(out.cells.cells, 0.0);
  for (std::size_t cell = 0; cell < out.cells.cells; ++cell) {
    for (const auto& layer : out.cells.values) {
      out.cells.cost[cell] = std::max(out.cells.cost[cell], layer[cell]);
    }
    const std::vector<Variable>& vars = out.tables[out.address[cell].first];
    const bool headline = std::all_of(vars.begin(), vars.end(), [](Variable v) {
      return v == Variable::kMunicipality || v == Variable::kYear;
    });
    if (headline) out.cells.cost[cell] *= kHeadlineWeight;
  }
}

}  // namespace

// Primary suppression: small groups, small counts, and for an audience of
// aggregates only, cells of too few municipalities.
void Publication::MarkPrimary(ProtectedFamily& out, const std::vector<double>& respondents,
                              bool by_share) const {
  const std::size_t layers = out.cells.values.size();
  out.primary.assign(out.cells.cells, false);
  out.sensitivity.threshold.assign(layers, 0);
  for (std::size_t l = 0; l < layers; l += by_share ? 2 : 1) {
    out.sensitivity.threshold[l] = static_cast<double>(rules_.min_n);
  }
  for (std::size_t cell = 0; cell < out.cells.cells; ++cell) {
    // A small group is hidden whole, also where nobody in it answered: «ingen
    // svar» would tell that none of a few people reached a question.
    bool primary = respondents[cell] < static_cast<double>(rules_.min_n);
    for (std::size_t l = 0; l < layers; l += by_share ? 2 : 1) {
      const double n = out.cells.values[l][cell];
      if (n > 0 && n < static_cast<double>(rules_.min_n)) primary = true;
      if (by_share && n > 0 && rules_.max_small_count) {
        const double count = out.cells.values[l + 1][cell];
        const auto small = static_cast<double>(*rules_.max_small_count);
        if (count <= small || n - count <= small) primary = true;
      }
    }
    if (audience_ == Audience::kAggregatesOnly && out.municipalities[cell] < kMinMunicipalities) {
      primary = true;
    }
    out.primary[cell] = primary;
  }
}

ProtectedFamily Publication::Protect(const std::string& family_id, bool follow_up) const {
  ProtectedFamily out;
  out.family = family_id;
  out.follow_up = follow_up;
  const instrument::Family* family = instrument_.FindFamily(family_id);
  std::optional<ShareRule> rule;
  if (family != nullptr) {
    rule = ShareRuleOf(instrument_, *family);
    for (std::size_t i = 0; i < data_.item_refs.size(); ++i) {
      if (data_.item_refs[i].family == family) out.items.push_back(i);
    }
  }
  // Atoms: municipality × year × service × position, with their numbers.
  const Atoms& atom_index = AtomsOf(follow_up);
  const std::vector<std::vector<double>> atom_values =
      AtomValues(atom_index, out.items, rule ? &*rule : nullptr);
  const std::size_t layers = atom_values.size();

  // The canonical cells (the same for every family of the round set), and
  // the family's numbers summed into them.
  out.tables = atom_index.tables;
  out.cells_of_table = atom_index.cells_of_table;
  out.address = atom_index.address;
  out.municipalities = atom_index.municipalities;
  out.cells.cells = out.address.size();
  out.cells.sums = atom_index.sums;
  out.cells.values.assign(layers, std::vector<double>(out.cells.cells, 0));
  for (std::size_t a = 0; a < atom_index.keys.size(); ++a) {
    for (const uint32_t cell : atom_index.cells_of_atom[a]) {
      for (std::size_t l = 0; l < layers; ++l) out.cells.values[l][cell] += atom_values[l][a];
    }
  }
  SetCosts(out);
  for (std::size_t i = 0; family != nullptr && i < out.items.size(); ++i) {
    out.cells.at_most.emplace_back(2 * i + 1, 2 * i);
  }
  MarkPrimary(out, atom_index.cell_respondents, family != nullptr);
  out.sensitivity.sensitive = out.primary;
  out.hidden = CachedProtection(out.cells, out.sensitivity, out.primary);
  return out;
}

Result<SuppressionSummary> Publication::Apply(std::vector<Table>& tables) {
  // Every cell's fate first, so a refusal changes nothing.
  struct Fate {
    bool hidden = false;
    bool primary = false;
  };
  std::vector<std::vector<std::pair<Fate, std::optional<Fate>>>> fates(tables.size());
  for (std::size_t t = 0; t < tables.size(); ++t) {
    const Table& table = tables[t];
    auto fate_of = [&](const std::vector<Filter>& where, const std::vector<int>& group,
                       const std::vector<Variable>& by) -> Result<Fate> {
      auto address = AddressOf(where, by, group);
      if (!address.ok()) return address.error();
      auto family = Family(table.family->id, address->follow_up);
      if (!family.ok()) return family.error();
      const auto cell = CellOf(**family, *address);
      if (!cell) return Fate{};
      return Fate{(*family)->hidden[*cell], (*family)->primary[*cell]};
    };
    // A rest is a whole less a part, both published cells: it is shown
    // only when both are, so it tells nothing they do not. The whole has
    // no geographic breakdown.
    std::vector<Variable> whole_by;
    for (const Variable v : table.by) {
      if (!IsGeographic(v)) whole_by.push_back(v);
    }
    auto whole_group = [&](const std::vector<int>& group) {
      std::vector<int> out;
      for (std::size_t b = 0; b < group.size() && b < table.by.size(); ++b) {
        if (!IsGeographic(table.by[b])) out.push_back(group[b]);
      }
      return out;
    };
    for (const TableRow& row : table.rows) {
      auto primary = fate_of(table.where, row.group, table.by);
      if (!primary.ok()) return primary.error();
      std::optional<Fate> reference;
      if (row.reference && table.reference_is_rest) {
        auto whole = fate_of(table.reference_where, whole_group(row.group), whole_by);
        if (!whole.ok()) return whole.error();
        auto part = fate_of(table.excluded_where, row.group, table.by);
        if (!part.ok()) return part.error();
        reference = Fate{whole->hidden || part->hidden, whole->primary || part->primary};
      } else if (row.reference) {
        auto fate = fate_of(table.reference_where, row.group, table.by);
        if (!fate.ok()) return fate.error();
        reference = *fate;
      }
      fates[t].emplace_back(*primary, reference);
    }
  }
  SuppressionSummary summary;
  for (std::size_t t = 0; t < tables.size(); ++t) {
    for (std::size_t r = 0; r < tables[t].rows.size(); ++r) {
      TableRow& row = tables[t].rows[r];
      const auto& [primary, reference] = fates[t][r];
      auto mark = [&](Cell& cell, const Fate& fate) {
        if (!fate.hidden) return;
        Hide(cell);
        ++summary.hidden_cells;
        ++(fate.primary ? summary.primary_groups : summary.secondary_groups);
      };
      mark(row.cell, primary);
      if (row.reference && reference) mark(*row.reference, *reference);
      // A difference involving a hidden or an empty group means nothing.
      if (row.cell.suppressed || row.cell.n == 0 ||
          (row.reference && (row.reference->suppressed || row.reference->n == 0))) {
        row.difference.reset();
      }
    }
  }
  return summary;
}

Result<std::vector<std::pair<int, std::pair<std::size_t, bool>>>> Publication::Respondents(
    const std::vector<Filter>& where, std::optional<Variable> by) {
  auto address = AddressOf(where, {}, {});
  if (!address.ok()) return address.error();
  auto family = Family(kRespondentsFamily, address->follow_up);
  if (!family.ok()) return family.error();
  const ProtectedFamily& f = **family;
  std::vector<std::pair<int, std::pair<std::size_t, bool>>> out;
  if (!by) {
    const auto cell = CellOf(f, *address);
    if (cell) {
      out.push_back({0, {static_cast<std::size_t>(f.cells.values[0][*cell]), f.hidden[*cell]}});
    } else {
      out.push_back({0, {0, false}});
    }
    return out;
  }
  if (NotPublishable(where, {*by})) return Error{*NotPublishable(where, {*by})};
  // Every cell of the table by (fixed variables + by) that agrees with the fixed values.
  std::vector<Variable> vars = address->vars;
  vars.push_back(*by);
  SortVariables(vars);
  for (std::size_t t = 0; t < f.tables.size(); ++t) {
    if (f.tables[t] != vars) continue;
    for (const auto& [values, cell] : f.cells_of_table[t]) {
      bool match = true;
      int value = 0;
      for (std::size_t i = 0; i < vars.size(); ++i) {
        if (vars[i] == *by) {
          value = values[i];
          continue;
        }
        const auto at = std::find(address->vars.begin(), address->vars.end(), vars[i]);
        if (values[i] != address->values[static_cast<std::size_t>(at - address->vars.begin())]) {
          match = false;
        }
      }
      if (match) {
        out.push_back({value, {static_cast<std::size_t>(f.cells.values[0][cell]), f.hidden[cell]}});
      }
    }
  }
  return out;
}

}  // namespace samkart::analysis
