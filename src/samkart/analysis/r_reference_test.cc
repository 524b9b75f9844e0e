// The analysis engine against an independent reference: the same shares,
// intervals (design-based with the survey round as the cluster when pooled
// over municipalities, Wilson inside one), design effects and differences,
// against the rest of the nation or the size group, computed with R's survey
// package (tests/r_reference/reference.R) from the harmonised CSV export of
// the same synthetic data. Shares must agree to 1e-9; standard errors,
// design effects (relative) and interval bounds to 1e-6; n and count
// exactly; and at least 100 design-based cells are compared.
//
// The indicator rules (reported codes, whether «vet ikke» stays in the
// denominator) are written out here by hand, as the national report states
// them, rather than read from the instrument, so a wrong rule in the
// instrument or the engine shows up as a disagreement.

#include "support/r_reference.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <sys/wait.h>

#include "samkart/analysis/dataset.h"
#include "samkart/analysis/group_differences.h"
#include "samkart/analysis/table.h"
#include "samkart/instrument/loader.h"
#include "samkart/store/store.h"

#include "support/run_samkart.h"
#include "support/scratch_dir.h"

namespace samkart::analysis {
namespace {

using testing_support::CommandRun;
using testing_support::Samkart;
using testing_support::ScratchDir;

constexpr double kShareTolerance = 1e-9;
constexpr double kBoundTolerance = 1e-6;

using testing_support::ShellQuoted;

// One indicator, as the engine is asked for it and as reference.R's spec
// line describes it.
struct Indicator {
  std::string id;
  std::string family;
  std::string item;
  // The scale: answer codes, the «vet ikke» code ("" if none) and whether it
  // counts in the denominator; the codes of the reported share.
  std::string answer_codes;
  std::string dont_know_code;
  bool dont_know_in_denominator = true;
  std::string reported;
  std::optional<Variable> by;
  std::vector<Filter> where;
  Comparison compare = Comparison::kNone;
  // The rows of the reference side of a comparison, in reference.R's syntax,
  // and the rows taken out of it (the compared unit, for the rest).
  std::string reference_filter;
  std::string exclude;
  // Is there any difference across `by`: the Rao–Scott test, not a table.
  bool across = false;
};

Indicator Make(std::string id, std::string family, std::string item, std::string answer_codes,
               std::string dont_know_code, bool dont_know_in_denominator, std::string reported,
               std::optional<Variable> by, std::vector<Filter> where = {},
               Comparison compare = Comparison::kNone, std::string reference_filter = "",
               std::string exclude = "") {
  Indicator x;
  x.id = std::move(id);
  x.family = std::move(family);
  x.item = std::move(item);
  x.answer_codes = std::move(answer_codes);
  x.dont_know_code = std::move(dont_know_code);
  x.dont_know_in_denominator = dont_know_in_denominator;
  x.reported = std::move(reported);
  x.by = by;
  x.where = std::move(where);
  x.compare = compare;
  x.reference_filter = std::move(reference_filter);
  x.exclude = std::move(exclude);
  return x;
}

std::string ColumnOf(Variable v) {
  switch (v) {
    case Variable::kMunicipality:
      return "kommune";
    case Variable::kYear:
      return "aar";
    case Variable::kRoundType:
      return "runde";
    case Variable::kGeneration:
      return "generasjon";
    case Variable::kRegion:
      return "region";
    case Variable::kSizeGroup:
      return "storrelse";
    case Variable::kService:
      return "tjeneste";
    case Variable::kPosition:
      return "stilling";
  }
  return "?";
}

std::string FilterText(const std::vector<Filter>& filters) {
  std::string text;
  for (const Filter& f : filters) {
    if (!text.empty()) text += ";";
    text += ColumnOf(f.variable) + "=";
    for (std::size_t i = 0; i < f.values.size(); ++i) {
      text += (i ? "|" : "") + std::to_string(f.values[i]);
    }
  }
  return text;
}

std::string SpecLine(const Indicator& x) {
  const bool difference = x.compare != Comparison::kNone;
  std::string filter = FilterText(x.where);
  if (x.compare == Comparison::kBaseline) filter = "runde=2";  // the follow-up rounds
  std::ostringstream line;
  line << x.id << ','
       << (x.across     ? "chisq"
           : difference ? "difference"
                        : "share")
       << ',' << x.family << '_' << x.item << ',' << x.answer_codes << ',' << x.dont_know_code
       << ',' << (x.dont_know_in_denominator ? 1 : 0) << ',' << x.reported << ','
       << (x.by ? ColumnOf(*x.by) : "none") << ',' << filter << ',' << x.reference_filter << ','
       << x.exclude << '\n';
  return line.str();
}

// reference.R's result: one map of column → text per line.
std::vector<std::map<std::string, std::string>> ReadResults(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::vector<std::map<std::string, std::string>> rows;
  auto split = [](const std::string& line) {
    std::vector<std::string> fields;
    std::stringstream s(line);
    std::string field;
    while (std::getline(s, field, ',')) fields.push_back(field);
    if (!line.empty() && line.back() == ',') fields.emplace_back();
    return fields;
  };
  std::string line;
  if (!std::getline(in, line)) return rows;
  const std::vector<std::string> header = split(line);
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const std::vector<std::string> fields = split(line);
    std::map<std::string, std::string> row;
    for (std::size_t i = 0; i < header.size() && i < fields.size(); ++i) {
      row[header[i]] = fields[i];
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

double Number(const std::map<std::string, std::string>& row, const std::string& column) {
  const auto it = row.find(column);
  if (it == row.end() || it->second.empty()) return std::nan("");
  return std::strtod(it->second.c_str(), nullptr);
}

struct MaxDifferences {
  double share = 0;
  double bound = 0;
  double difference = 0;
  double difference_bound = 0;
  double se = 0;
  double design_effect = 0;  // relative
};

void Track(double& max, double a, double b) {
  if (std::isnan(a) || std::isnan(b)) {
    max = INFINITY;
    return;
  }
  max = std::max(max, std::fabs(a - b));
}

TEST(RReference, EngineAgreesWithTheSurveyPackage) {
  const auto missing = testing_support::RscriptMissing(
      "r-base-core og r-cran-survey (R-referansetesten trenger dem)");
  ASSERT_FALSE(missing) << *missing;

  ScratchDir dir;
  const auto db = dir / "samkart.sqlite";
  const auto exported = dir / "nasjonalt.csv";
  const CommandRun synth = Samkart("synth --scale 0.3 --out " + ShellQuoted(dir / "synth"));
  ASSERT_EQ(synth.exit_code, 0) << synth.output;
  const CommandRun imported =
      Samkart("--db " + ShellQuoted(db) + " import " + ShellQuoted(dir / "synth"));
  ASSERT_EQ(imported.exit_code, 0) << imported.output;
  const CommandRun exporting =
      Samkart("--db " + ShellQuoted(db) + " export --format csv --out " + ShellQuoted(exported));
  ASSERT_EQ(exporting.exit_code, 0) << exporting.output;

  auto loaded = instrument::LoadEmbeddedInstrument();
  ASSERT_TRUE(loaded.ok());
  const instrument::Instrument& in = *loaded.instrument;
  auto store = store::OpenStore(db.string());
  ASSERT_TRUE(store.ok()) << store.error().message;
  auto dataset = LoadDataset(**store, in);
  ASSERT_TRUE(dataset.ok()) << dataset.error().message;
  const Dataset& data = *dataset;
  ASSERT_GT(data.rows, 1000u);

  // The municipality with the most follow-up respondents, and its size group.
  std::map<int, std::size_t> follow_ups;
  for (std::size_t r = 0; r < data.rows; ++r) {
    if (data.round_type[r] == 2) ++follow_ups[data.municipality[r]];
  }
  ASSERT_FALSE(follow_ups.empty());
  const int municipality =
      std::max_element(follow_ups.begin(), follow_ups.end(), [](const auto& a, const auto& b) {
        return a.second < b.second;
      })->first;
  int size_group = 0;
  for (std::size_t r = 0; r < data.rows; ++r) {
    if (data.municipality[r] == municipality) size_group = data.size_group[r];
  }

  const Filter baseline{Variable::kRoundType, {1}, std::nullopt};
  const Filter in_municipality{Variable::kMunicipality, {municipality}, std::nullopt};
  const std::string five = "1|2|3|4|5";
  const std::vector<Indicator> indicators = {
      // Rating families: top two (4|5) with «vet ikke» (9) in the denominator.
      Make("risk_total", "risk_identification", "bullied", five, "9", true, "4|5", std::nullopt),
      Make("risk_by_service", "risk_identification", "bullied", five, "9", true, "4|5",
           Variable::kService),
      Make("minority_by_size", "minority_knowledge", "special_challenges_minority_children", five,
           "9", true, "4|5", Variable::kSizeGroup),
      Make("cooperation_baseline_by_service", "cooperation_with_services", "child_welfare", five,
           "9", true, "4|5", Variable::kService, {baseline}),
      Make("parents_baseline", "parent_cooperation", "when_concern_identified", five, "9", true,
           "4|5", std::nullopt, {baseline}),
      Make("statements_by_size", "early_intervention_statements", "families_know_where_to_turn",
           five, "9", true, "4|5", Variable::kSizeGroup),
      // Single choice: any concern (2|3|4), «ikke relevant» (9) in the denominator.
      Make("concern_by_service", "concern_experienced", "concern_last_12_months", "1|2|3|4", "9",
           true, "2|3|4", Variable::kService),
      Make("concern_baseline_by_size", "concern_experienced", "concern_last_12_months", "1|2|3|4",
           "9", true, "2|3|4", Variable::kSizeGroup, {baseline}),
      Make("routines_known", "written_routines_known", "written_routines_known", "1|2", "9", true,
           "1", std::nullopt),
      // Multiple choice: a tick among those asked.
      Make("content_by_service", "concern_content", "bullied", "0|1", "", false, "1",
           Variable::kService),
      Make("position_by_position", "parent_cooperation", "when_concern_identified", five, "9", true,
           "4|5", Variable::kPosition, {baseline}),
      Make("knows_by_region", "knows_other_services", "neglect", "1|2", "", false, "1",
           Variable::kRegion),
      // Differences: MOVER intervals from the two sides' intervals.
      Make("risk_follow_up_vs_baseline", "risk_identification", "bullied", five, "9", true, "4|5",
           Variable::kSizeGroup, {}, Comparison::kBaseline, "runde=1"),
      Make("knows_municipality_vs_rest", "knows_other_services", "neglect", "1|2", "", false, "1",
           std::nullopt, {in_municipality}, Comparison::kNation, "",
           "kommune=" + std::to_string(municipality)),
      Make("concern_municipality_vs_rest_of_size_group", "concern_experienced",
           "concern_last_12_months", "1|2|3|4", "9", true, "2|3|4", std::nullopt, {in_municipality},
           Comparison::kSizeGroup, "storrelse=" + std::to_string(size_group),
           "kommune=" + std::to_string(municipality)),
      Make("risk_size_groups_vs_rest", "risk_identification", "sexual_abuse", five, "9", true,
           "4|5", Variable::kSizeGroup, {}, Comparison::kNation, "", "group"),
      Make("cooperation_regions_vs_rest", "cooperation_with_services", "child_welfare", five, "9",
           true, "4|5", Variable::kRegion, {baseline}, Comparison::kNation, "runde=1", "group"),
  };

  // Is there any difference across regions, size groups or services?
  std::vector<Indicator> across_tests;
  for (const char* item :
       {"bullied", "sexual_abuse", "neglect", "parents_mental_health_difficulties"}) {
    for (const Variable by : {Variable::kRegion, Variable::kSizeGroup}) {
      across_tests.push_back(Make(std::string("across_") + item + "_" + ColumnOf(by),
                                  "risk_identification", item, five, "9", true, "4|5", by,
                                  {baseline}));
    }
  }
  across_tests.push_back(Make("across_concern_services", "concern_experienced",
                              "concern_last_12_months", "1|2|3|4", "9", true, "2|3|4",
                              Variable::kService, {baseline}));
  for (Indicator& x : across_tests) x.across = true;

  const auto spec = dir / "spec.csv";
  {
    std::ofstream out(spec);
    out << "id,kind,column,answer_codes,dont_know_code,dont_know_in_denominator,reported,by,"
           "filter,filter2,exclude\n";
    for (const Indicator& x : indicators) out << SpecLine(x);
    for (const Indicator& x : across_tests) out << SpecLine(x);
  }
  const auto results_path = dir / "reference.csv";
  const CommandRun r =
      testing_support::RunRReference("reference.R", {exported, spec, results_path});
  ASSERT_EQ(r.exit_code, 0) << r.output
                            << "\n(Mangler R-pakken survey? Kjør scripts/bootstrap.sh.)";
  const auto reference = ReadResults(results_path);
  ASSERT_FALSE(reference.empty()) << r.output;

  // reference.R's lines by indicator and group.
  std::map<std::pair<std::string, std::string>, const std::map<std::string, std::string>*> by_key;
  for (const auto& row : reference) by_key[{row.at("id"), row.at("group")}] = &row;

  MaxDifferences max;
  std::size_t cells = 0, difference_cells = 0, design_cells = 0;
  std::set<std::pair<std::string, std::string>> compared;
  // One side's cell against R's columns with `suffix` ("" or "2").
  auto check = [&](const Cell& cell, const std::map<std::string, std::string>& ref,
                   const std::string& suffix) {
    EXPECT_EQ(cell.n, static_cast<std::size_t>(Number(ref, "n" + suffix)));
    EXPECT_EQ(cell.count, static_cast<std::size_t>(Number(ref, "count" + suffix)));
    EXPECT_NEAR(cell.share, Number(ref, "share" + suffix), kShareTolerance);
    EXPECT_NEAR(cell.interval.low, Number(ref, "low" + suffix), kBoundTolerance);
    EXPECT_NEAR(cell.interval.high, Number(ref, "high" + suffix), kBoundTolerance);
    Track(max.share, cell.share, Number(ref, "share" + suffix));
    Track(max.bound, cell.interval.low, Number(ref, "low" + suffix));
    Track(max.bound, cell.interval.high, Number(ref, "high" + suffix));
    const bool design = ref.at("method" + suffix) == "design";
    EXPECT_EQ(cell.design_effect.has_value(), design);
    if (design && cell.design_effect) {
      ++design_cells;
      const double se = std::sqrt(ShareVariance(SampleOf(cell)));
      EXPECT_NEAR(se, Number(ref, "se" + suffix), kBoundTolerance);
      Track(max.se, se, Number(ref, "se" + suffix));
      if (suffix.empty()) {
        const double deff = Number(ref, "deff");
        EXPECT_NEAR(*cell.design_effect / deff, 1.0, kBoundTolerance);
        Track(max.design_effect, *cell.design_effect / deff, 1.0);
      }
    }
  };
  for (const Indicator& x : indicators) {
    SCOPED_TRACE(x.id);
    TableRequest request;
    request.family = x.family;
    request.item = x.item;
    if (x.by) request.by = {*x.by};
    request.where = x.where;
    request.compare = x.compare;
    auto table = ComputeTable(data, in, request);
    ASSERT_TRUE(table.ok()) << table.error().message;
    for (const TableRow& row : table->rows) {
      const std::string group = row.group.empty() ? "total" : std::to_string(row.group[0]);
      SCOPED_TRACE(group);
      const auto found = by_key.find({x.id, group});
      const bool empty = row.cell.n == 0 || (row.reference && row.reference->n == 0);
      if (found == by_key.end()) {
        // reference.R leaves out groups with nobody in the denominator.
        EXPECT_TRUE(empty) << "R har ingen linje for en celle med n = " << row.cell.n;
        continue;
      }
      const auto& ref = *found->second;
      compared.insert(found->first);
      ++cells;
      check(row.cell, ref, "");
      if (x.compare == Comparison::kNone) continue;
      ASSERT_TRUE(row.reference && row.difference);
      ++difference_cells;
      check(*row.reference, ref, "2");
      EXPECT_NEAR(row.difference->estimate, Number(ref, "diff"), kShareTolerance);
      EXPECT_NEAR(row.difference->interval.low, Number(ref, "diff_low"), kBoundTolerance);
      EXPECT_NEAR(row.difference->interval.high, Number(ref, "diff_high"), kBoundTolerance);
      Track(max.difference, row.difference->estimate, Number(ref, "diff"));
      Track(max.difference_bound, row.difference->interval.low, Number(ref, "diff_low"));
      Track(max.difference_bound, row.difference->interval.high, Number(ref, "diff_high"));
    }
  }
  double max_test = 0;
  for (const Indicator& x : across_tests) {
    SCOPED_TRACE(x.id);
    const auto found = by_key.find({x.id, "test"});
    ASSERT_NE(found, by_key.end());
    compared.insert(found->first);
    std::size_t item = 0;
    while (data.item_refs[item].QualifiedId() != x.family + "." + x.item) ++item;
    auto test = DifferencesAcross(data, in, item, *x.by, x.where);
    ASSERT_TRUE(test.ok()) << test.error().message;
    const auto& ref = *found->second;
    for (const auto& [ours, column] :
         {std::pair{test->f, "f"}, {test->ndf, "ndf"}, {test->ddf, "ddf"}}) {
      EXPECT_NEAR(ours / Number(ref, column), 1.0, kBoundTolerance) << column;
      Track(max_test, ours / Number(ref, column), 1.0);
    }
    EXPECT_NEAR(test->p_value, Number(ref, "p"), kBoundTolerance);
    Track(max_test, test->p_value, Number(ref, "p"));
  }
  EXPECT_LE(max_test, kBoundTolerance);

  // Every line R computed has its cell in the engine's tables.
  for (const auto& row : reference) {
    EXPECT_TRUE(compared.count({row.at("id"), row.at("group")}))
        << "motoren mangler " << row.at("id") << " / " << row.at("group");
  }
  EXPECT_GE(cells, 100u);
  EXPECT_GE(design_cells, 100u);
  EXPECT_GE(difference_cells, 10u);
  EXPECT_LE(max.share, kShareTolerance);
  EXPECT_LE(max.bound, kBoundTolerance);
  EXPECT_LE(max.difference, kShareTolerance);
  EXPECT_LE(max.difference_bound, kBoundTolerance);
  EXPECT_LE(max.se, kBoundTolerance);
  EXPECT_LE(max.design_effect, kBoundTolerance);
  std::printf(
      "R-referanse: %zu celler (%zu differanser, %zu design-baserte sider) sammenlignet; største "
      "avvik: andel %.3g, grense %.3g, standardfeil %.3g, designeffekt (relativt) %.3g, "
      "differanse %.3g, differansegrense %.3g; %zu Rao-Scott-tester, største avvik %.3g\n%s",
      cells, difference_cells, design_cells, max.share, max.bound, max.se, max.design_effect,
      max.difference, max.difference_bound, across_tests.size(), max_test, r.output.c_str());
  RecordProperty("cells", static_cast<int>(cells));
}

}  // namespace
}  // namespace samkart::analysis
