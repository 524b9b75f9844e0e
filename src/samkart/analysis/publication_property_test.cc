// The publication as an attacker sees it: random sets of allowed requests
// on the default synthetic data, each published through the gate, and
// every published number taken as a linear equation over the groups it
// sums (municipality × service in the baseline rounds). A hidden cell is
// recovered when its equation is a combination of the visible ones; the
// test solves the system exactly (modulo a large prime) and requires that
// none is. The same requests with only the small groups hidden (no
// secondary suppression) do give cells away, so the check has teeth.
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "samkart/analysis/dataset.h"
#include "samkart/analysis/publication.h"
#include "samkart/analysis/table.h"
#include "samkart/instrument/loader.h"
#include "samkart/store/store.h"

#include "support/imported_store.h"

namespace samkart::analysis {
namespace {

constexpr uint64_t kPrime = 2147483647;  // 2^31 − 1

uint64_t Power(uint64_t base, uint64_t exponent) {
  uint64_t result = 1;
  for (base %= kPrime; exponent > 0; exponent >>= 1, base = base * base % kPrime) {
    if (exponent & 1) result = result * base % kPrime;
  }
  return result;
}

// Row space of 0/1 vectors over GF(p), kept in echelon form.
class RowSpace {
 public:
  explicit RowSpace(std::size_t columns) : pivot_row_(columns, SIZE_MAX) {}

  // Reduces `v` by the basis; true when nothing is left (v is in the space).
  bool Reduce(std::vector<uint64_t>& v) const {
    for (std::size_t c = 0; c < v.size(); ++c) {
      if (v[c] == 0 || pivot_row_[c] == SIZE_MAX) continue;
      const std::vector<uint64_t>& row = rows_[pivot_row_[c]];
      const uint64_t factor = v[c];
      for (std::size_t k = c; k < v.size(); ++k) {
        if (row[k] != 0) v[k] = (v[k] + kPrime - factor * row[k] % kPrime) % kPrime;
      }
    }
    for (const uint64_t x : v) {
      if (x != 0) return false;
    }
    return true;
  }

  void Add(std::vector<uint64_t> v) {
    if (Reduce(v)) return;
    std::size_t pivot = 0;
    while (v[pivot] == 0) ++pivot;
    const uint64_t inverse = Power(v[pivot], kPrime - 2);
    for (uint64_t& x : v) x = x * inverse % kPrime;
    pivot_row_[pivot] = rows_.size();
    rows_.push_back(std::move(v));
  }

 private:
  std::vector<std::size_t> pivot_row_;
  std::vector<std::vector<uint64_t>> rows_;
};

class PublicationProperty : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto db = testing_support::ImportedStore();
    ASSERT_TRUE(db.ok()) << db.error().message;
    auto loaded = instrument::LoadEmbeddedInstrument();
    ASSERT_TRUE(loaded.ok());
    instrument_ = new instrument::Instrument(std::move(*loaded.instrument));
    auto store = store::OpenStore(db->string());
    ASSERT_TRUE(store.ok()) << store.error().message;
    auto data = LoadDataset(**store, *instrument_);
    ASSERT_TRUE(data.ok()) << data.error().message;
    data_ = new Dataset(std::move(*data));
  }
  static void TearDownTestSuite() {
    delete data_;
    delete instrument_;
  }

  static inline const instrument::Instrument* instrument_ = nullptr;
  static inline const Dataset* data_ = nullptr;
};

TEST_F(PublicationProperty, RandomPublishedTablesSolvedAsLinearEquationsRecoverNoHiddenCell) {
  const std::string family = "risk_identification";
  const std::string item = instrument_->FindFamily(family)->items.front().id;
  const std::vector<Variable> pool = {Variable::kMunicipality, Variable::kRegion,
                                      Variable::kSizeGroup, Variable::kService};

  // The unknowns: municipality × service groups of the baseline rounds.
  std::map<std::pair<int, int>, std::size_t> atom_of;
  std::vector<std::map<Variable, int>> atoms;
  std::map<Variable, std::set<int>> values;
  for (std::size_t r = 0; r < data_->rows; ++r) {
    if (data_->round_type[r] != 1) continue;
    const std::map<Variable, int> atom = {{Variable::kMunicipality, data_->municipality[r]},
                                          {Variable::kRegion, data_->region[r]},
                                          {Variable::kSizeGroup, data_->size_group[r]},
                                          {Variable::kService, data_->service[r]}};
    for (const auto& [v, x] : atom) values[v].insert(x);
    if (atom_of.emplace(std::pair{data_->municipality[r], data_->service[r]}, atoms.size())
            .second) {
      atoms.push_back(atom);
    }
  }
  auto vector_of = [&](const std::map<Variable, int>& fixed) {
    std::vector<uint64_t> v(atoms.size(), 0);
    for (std::size_t a = 0; a < atoms.size(); ++a) {
      bool in = true;
      for (const auto& [var, x] : fixed) in = in && atoms[a].at(var) == x;
      v[a] = in ? 1 : 0;
    }
    return v;
  };

  // The requests: Tabell 4.4's breakdowns (by service; by municipality; the
  // two crossed, as the municipality reports show them), then random ones.
  std::vector<std::pair<std::vector<Filter>, std::vector<Variable>>> requests = {
      {{}, {Variable::kService}},
      {{}, {Variable::kMunicipality}},
      {{}, {Variable::kMunicipality, Variable::kService}},
      {{}, {Variable::kRegion, Variable::kSizeGroup}},
  };
  std::mt19937 random(20261205);
  auto pick = [&](const std::set<int>& set) {
    auto it = set.begin();
    std::advance(it, std::uniform_int_distribution<std::size_t>(0, set.size() - 1)(random));
    return *it;
  };
  while (requests.size() < 24) {
    std::vector<Variable> vars = pool;
    std::shuffle(vars.begin(), vars.end(), random);
    const bool two_by = std::uniform_int_distribution<int>(0, 2)(random) == 0;
    std::vector<Filter> where;
    std::vector<Variable> by = {vars[0]};
    if (two_by) {
      by.push_back(vars[1]);
    } else {
      where.push_back({vars[1], {pick(values[vars[1]])}, std::nullopt});
    }
    requests.emplace_back(where, by);
  }

  Publication publication(*data_, *instrument_, {});
  std::map<std::map<Variable, int>, std::pair<std::size_t, bool>> published;  // → (true n, hidden)
  std::size_t refused = 0;
  for (auto [where, by] : requests) {
    where.push_back({Variable::kRoundType, {1}, std::nullopt});
    if (publication.NotPublishable(where, by)) {
      ++refused;
      continue;
    }
    TableRequest request;
    request.family = family;
    request.item = item;
    request.by = by;
    request.where = where;
    auto truth = ComputeTable(*data_, *instrument_, request);
    ASSERT_TRUE(truth.ok()) << truth.error().message;
    std::vector<Table> tables = {*truth};
    ASSERT_TRUE(publication.Apply(tables).ok());
    for (std::size_t i = 0; i < truth->rows.size(); ++i) {
      std::map<Variable, int> fixed;
      for (const Filter& f : where) {
        if (f.variable != Variable::kRoundType) fixed[f.variable] = f.values[0];
      }
      // A total row is the margin: only the filters fix it.
      for (std::size_t b = 0; b < truth->rows[i].group.size(); ++b) {
        fixed[by[b]] = truth->rows[i].group[b];
      }
      const std::size_t n = truth->rows[i].cell.n;
      const bool hidden = tables[0].rows[i].cell.suppressed;
      const auto [it, added] = published.emplace(fixed, std::pair{n, hidden});
      if (!added) {
        std::string cell;
        for (const auto& [v, x] : fixed) cell += fmt::format("{}={} ", VariableName(v), x);
        EXPECT_EQ(it->second.second, hidden)
            << cell << "the same cell is shown in one table, hidden in another";
      }
    }
  }
  EXPECT_LT(refused, requests.size() / 2);

  // Solve: the visible equations span a space; a hidden cell whose vector
  // lies in it is determined.
  auto recovered = [&](auto is_hidden) {
    RowSpace space(atoms.size());
    for (const auto& [fixed, cell] : published) {
      if (!is_hidden(cell)) space.Add(vector_of(fixed));
    }
    std::size_t count = 0;
    for (const auto& [fixed, cell] : published) {
      if (!is_hidden(cell) || cell.first == 0) continue;
      std::vector<uint64_t> v = vector_of(fixed);
      if (space.Reduce(v)) ++count;
    }
    return count;
  };
  std::size_t hidden = 0;
  for (const auto& [fixed, cell] : published) hidden += cell.second;
  ASSERT_GT(hidden, 0u);
  EXPECT_EQ(recovered([](const auto& cell) { return cell.second; }), 0u);
  EXPECT_GT(recovered([](const auto& cell) { return cell.first > 0 && cell.first < 10; }), 0u)
      << "with only the small groups hidden, the same tables give some away";
}

}  // namespace
}  // namespace samkart::analysis
