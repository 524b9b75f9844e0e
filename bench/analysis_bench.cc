// samkart_analysis_bench: the analysis engine's speed on a store
// with about a million respondents (SAMKART_BENCH_DB; bench/analysis_bench.sh
// builds one with `samkart synth --scale 40` and `samkart import`).
//
//   (a) the peer: a bare counting loop over two byte columns (service × one
//       item), the least any crosstab of the in-memory dataset can cost;
//   (b) ComputeTable: one item × service, baseline rounds only (target < 2 ms);
//   (c) the national report's table set: every family × {no breakdown,
//       service, size group, position within barnehage}, baseline rounds,
//       with the publication rules (target < 1 s); (c2) the publication
//       rules alone on the small table of (b), i.e. their fixed cost;
//   (p) prototypes of the counting core of (b) and (c) as bench/README.md
//       suggests (a lower bound for the engine, see PrototypeItemByService);
//   (d) the same crosstab as (b) — counts per service and answer code,
//       baseline rounds — as a SQLite GROUP BY on the same data, three ways:
//       d1 straight from the store's respondents table (the answer byte is
//       `substr(answers, k, 1)`, grouped as a one-byte blob), d2 from an
//       in-memory table with the answer as an integer column, d4 from the
//       same table only what (b) reports (n and count of the reported share
//       per service), d3 the crosstab with a covering index. The in-memory
//       tables are built before timing. Every form is checked to give the
//       engine's numbers.
//
// The headline ratio is the fastest of d1, d2 and d4 over (b); d3 precomputes
// the grouping order for exactly this query and is shown for information.
// After the runs a summary prints the medians, the ratios and the peak RSS
// right after LoadDataset. Google Benchmark flags work as usual
// (--benchmark_filter=…); SAMKART_BENCH_REPETITIONS sets the repetitions
// (default 5).
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <unistd.h>

#include "samkart/analysis/dataset.h"
#include "samkart/analysis/publication.h"
#include "samkart/analysis/table.h"
#include "samkart/instrument/loader.h"
#include "samkart/store/store.h"

namespace {

using samkart::analysis::Comparison;
using samkart::analysis::ComputeTable;
using samkart::analysis::Dataset;
using samkart::analysis::Filter;
using samkart::analysis::Table;
using samkart::analysis::TableRequest;
using samkart::analysis::Variable;

constexpr const char* kFamily = "risk_identification";
constexpr const char* kItem = "learning_difficulties";

// Everything the benchmarks share, set up once before any runs.
struct Bench {
  samkart::instrument::Instrument instrument;
  Dataset data;
  std::size_t item = 0;  // index of kFamily.kItem in data.items
  int baseline = 1;
  int barnehage = 1;
  sqlite3* db = nullptr;
  int answer_byte = 0;  // 1-based position of the item in respondents.answers
  double load_seconds = 0;
  long rss_after_load_mb = 0;
  std::size_t dataset_bytes = 0;
};
Bench* bench = nullptr;

long PeakRssMb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024;
}

bool Exec(sqlite3* db, const std::string& sql) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message) == SQLITE_OK) return true;
  std::cerr << "samkart_analysis_bench: SQLite: " << (message ? message : "?") << "\n  " << sql
            << "\n";
  sqlite3_free(message);
  return false;
}

// Counts per service and answer code from a GROUP BY whose columns are
// (service, answer, count); the answer as an integer or a one-byte blob.
using Crosstab = std::map<std::pair<int, int>, int64_t>;

bool RunCrosstab(sqlite3* db, const std::string& sql, Crosstab* out) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    std::cerr << "samkart_analysis_bench: " << sqlite3_errmsg(db) << "\n  " << sql << "\n";
    return false;
  }
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    const int service = sqlite3_column_int(stmt, 0);
    int answer = samkart::instrument::kNotAsked;
    if (sqlite3_column_type(stmt, 1) == SQLITE_BLOB) {
      if (sqlite3_column_bytes(stmt, 1) == 1) {
        answer = static_cast<const uint8_t*>(sqlite3_column_blob(stmt, 1))[0];
      }
    } else {
      answer = sqlite3_column_int(stmt, 1);
    }
    const int64_t count = sqlite3_column_int64(stmt, 2);
    if (out != nullptr) (*out)[{service, answer}] += count;
  }
  sqlite3_finalize(stmt);
  return rc == SQLITE_DONE;
}

std::string BlobQuery() {
  return fmt::format(
      "SELECT service, substr(answers, {}, 1) AS a, count(*) FROM respondents "
      "WHERE round_type = 'baseline' GROUP BY service, a",
      bench->answer_byte);
}
constexpr const char* kTableQuery =
    "SELECT service, a, count(*) FROM mem.crosstab WHERE baseline = 1 GROUP BY service, a";
// The reported share itself (n and count per service) rather than the full
// crosstab: fewer sort keys, and exactly the numbers (b) reports.
constexpr const char* kShareQuery =
    "SELECT service, sum(a IN (1, 2, 3, 4, 5, 9)), sum(a IN (4, 5)) FROM mem.crosstab "
    "WHERE baseline = 1 GROUP BY service";
constexpr const char* kIndexedQuery =
    "SELECT service, a, count(*) FROM mem.crosstab_indexed WHERE baseline = 1 "
    "GROUP BY service, a";

// The in-memory tables d2 and d3 read: one row per respondent with the
// baseline flag, the service and the item's answer as integers.
bool BuildSqliteTables() {
  sqlite3* db = bench->db;
  if (!Exec(db, "ATTACH DATABASE ':memory:' AS mem") ||
      !Exec(db,
            "CREATE TABLE mem.crosstab (baseline INTEGER NOT NULL, service INTEGER NOT NULL, "
            "a INTEGER NOT NULL)") ||
      !Exec(db, "BEGIN")) {
    return false;
  }
  sqlite3_stmt* read = nullptr;
  sqlite3_stmt* write = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT round_type = 'baseline', service, answers FROM respondents",
                         -1, &read, nullptr) != SQLITE_OK ||
      sqlite3_prepare_v2(db, "INSERT INTO mem.crosstab VALUES (?, ?, ?)", -1, &write, nullptr) !=
          SQLITE_OK) {
    std::cerr << "samkart_analysis_bench: " << sqlite3_errmsg(db) << "\n";
    return false;
  }
  const int k = bench->answer_byte - 1;
  while (sqlite3_step(read) == SQLITE_ROW) {
    const auto* answers = static_cast<const uint8_t*>(sqlite3_column_blob(read, 2));
    const int size = sqlite3_column_bytes(read, 2);
    sqlite3_bind_int(write, 1, sqlite3_column_int(read, 0));
    sqlite3_bind_int(write, 2, sqlite3_column_int(read, 1));
    sqlite3_bind_int(write, 3, k < size ? answers[k] : samkart::instrument::kNotAsked);
    if (sqlite3_step(write) != SQLITE_DONE) {
      std::cerr << "samkart_analysis_bench: " << sqlite3_errmsg(db) << "\n";
      return false;
    }
    sqlite3_reset(write);
  }
  sqlite3_finalize(read);
  sqlite3_finalize(write);
  return Exec(db, "COMMIT") &&
         Exec(db, "CREATE TABLE mem.crosstab_indexed AS SELECT * FROM mem.crosstab") &&
         Exec(db,
              "CREATE INDEX mem.crosstab_covering ON crosstab_indexed (baseline, service, a)") &&
         Exec(db, "ANALYZE mem");
}

TableRequest OneItemByService() {
  TableRequest request;
  request.family = kFamily;
  request.item = kItem;
  request.by = {Variable::kService};
  request.where = {{Variable::kRoundType, {bench->baseline}, std::nullopt}};
  return request;
}

// The national report's table set: every family by each of its breakdowns.
std::vector<TableRequest> ReportRequests() {
  std::vector<TableRequest> requests;
  const Filter baseline{Variable::kRoundType, {bench->baseline}, std::nullopt};
  const Filter barnehage{Variable::kService, {bench->barnehage}, std::nullopt};
  for (const auto& family : bench->instrument.families) {
    requests.push_back({family.id, std::nullopt, {}, {baseline}, Comparison::kNone, false, {}});
    requests.push_back(
        {family.id, std::nullopt, {Variable::kService}, {baseline}, Comparison::kNone, false, {}});
    requests.push_back({family.id,
                        std::nullopt,
                        {Variable::kSizeGroup},
                        {baseline},
                        Comparison::kNone,
                        false,
                        {}});
    requests.push_back({family.id,
                        std::nullopt,
                        {Variable::kPosition},
                        {baseline, barnehage},
                        Comparison::kNone,
                        false,
                        {}});
  }
  return requests;
}

// (a) The peer: counts[service][answer] over all rows, two byte columns.
void BareCountingLoop(benchmark::State& state) {
  const uint8_t* service = bench->data.service.data();
  const uint8_t* answer = bench->data.items[bench->item].data();
  const std::size_t rows = bench->data.rows;
  std::vector<uint32_t> counts(256 * 256);
  for (auto _ : state) {
    std::fill(counts.begin(), counts.end(), 0);
    uint32_t* c = counts.data();
    for (std::size_t r = 0; r < rows; ++r) ++c[service[r] * 256u + answer[r]];
    benchmark::DoNotOptimize(c);
    benchmark::ClobberMemory();
  }
  state.counters["rows"] = static_cast<double>(rows);
}

// (a') The same with the baseline filter: a third byte column.
void BareCountingLoopWithFilter(benchmark::State& state) {
  const uint8_t* round_type = bench->data.round_type.data();
  const uint8_t* service = bench->data.service.data();
  const uint8_t* answer = bench->data.items[bench->item].data();
  const std::size_t rows = bench->data.rows;
  const uint8_t baseline = static_cast<uint8_t>(bench->baseline);
  std::vector<uint32_t> counts(256 * 256);
  for (auto _ : state) {
    std::fill(counts.begin(), counts.end(), 0);
    uint32_t* c = counts.data();
    for (std::size_t r = 0; r < rows; ++r)
      c[service[r] * 256u + answer[r]] += round_type[r] == baseline;
    benchmark::DoNotOptimize(c);
    benchmark::ClobberMemory();
  }
}

// (b) One indicator by one breakdown through the engine.
void OneIndicatorByService(benchmark::State& state) {
  const TableRequest request = OneItemByService();
  std::size_t rows = 0;
  for (auto _ : state) {
    auto table = ComputeTable(bench->data, bench->instrument, request);
    if (!table.ok()) {
      state.SkipWithError(table.error().message.c_str());
      return;
    }
    rows = table->rows.size();
    benchmark::DoNotOptimize(table->rows.data());
  }
  state.counters["table_rows"] = static_cast<double>(rows);
}

// (c) The full table set of the national report, publication rules included.
void NationalReportTables(benchmark::State& state) {
  const std::vector<TableRequest> requests = ReportRequests();
  std::size_t rows = 0;
  for (auto _ : state) {
    rows = 0;
    // A new gate each time: protecting every family's linked tables is
    // part of the cost, as it is for a report run.
    samkart::analysis::Publication publication(bench->data, bench->instrument, {});
    for (const TableRequest& request : requests) {
      auto table = ComputeTable(bench->data, bench->instrument, request);
      if (!table.ok()) {
        state.SkipWithError(table.error().message.c_str());
        return;
      }
      std::vector<Table> tables = {std::move(table.value())};
      if (auto applied = publication.Apply(tables); !applied.ok()) {
        state.SkipWithError(applied.error().message.c_str());
        return;
      }
      rows += tables[0].rows.size();
      benchmark::DoNotOptimize(tables.data());
    }
  }
  state.counters["tables"] = static_cast<double>(requests.size());
  state.counters["table_rows"] = static_cast<double>(rows);
}

// (c2) The publication rules alone, on the one small table of (b): their
// fixed cost per call.
void PublicationRulesOnOneTable(benchmark::State& state) {
  auto table = ComputeTable(bench->data, bench->instrument, OneItemByService());
  if (!table.ok()) {
    state.SkipWithError(table.error().message.c_str());
    return;
  }
  // The family is protected once (the first call); what is timed is the
  // lookup of each cell in the protected tables.
  samkart::analysis::Publication publication(bench->data, bench->instrument, {});
  for (auto _ : state) {
    std::vector<Table> tables = {table.value()};
    if (auto applied = publication.Apply(tables); !applied.ok()) {
      state.SkipWithError(applied.error().message.c_str());
      return;
    }
    benchmark::DoNotOptimize(tables.data());
  }
}

// (p) The counting core of (b) and (c) done as bench/README.md suggests, to
// show what the engine could reach: the group of a row is the one-byte
// breakdown value itself, each filter ORs in 255 («dropped») through a
// 256-entry table; then each item is counted with a loop over two byte
// columns (group × answer), the peer's loop. A one-item, one-filter request
// fuses both into a single pass. No cells, intervals or publication rules: a
// lower bound, not a replacement.
const uint8_t* NarrowColumn(Variable variable) {
  const Dataset& d = bench->data;
  switch (variable) {
    case Variable::kRoundType:
      return d.round_type.data();
    case Variable::kGeneration:
      return d.generation.data();
    case Variable::kRegion:
      return d.region.data();
    case Variable::kSizeGroup:
      return d.size_group.data();
    case Variable::kService:
      return d.service.data();
    case Variable::kPosition:
      return d.position.data();
    default:
      return nullptr;  // municipality and year are 16 bits: not in these requests
  }
}

// Counts of every item of the request into `counts` (256 groups × 256 codes
// per item); false when a request uses a 16-bit variable.
bool CountRequest(const TableRequest& request, std::vector<uint8_t>& group,
                  std::vector<uint32_t>& counts) {
  const std::size_t rows = bench->data.rows;
  // The group is the breakdown's value itself (one-byte codes stay below
  // 255), so no numbering pass; the counts are renumbered afterwards (256 ×
  // 256 cells, nothing per row). Without a breakdown, a column of zeros.
  static const std::vector<uint8_t> zeros(rows, 0);
  const uint8_t* by = zeros.data();
  if (!request.by.empty()) {
    by = NarrowColumn(request.by[0]);
    if (by == nullptr) return false;
  }
  // Filters OR 255 («dropped») into the group through a 256-entry table.
  std::vector<std::pair<const uint8_t*, std::array<uint8_t, 256>>> filters;
  for (const Filter& f : request.where) {
    const uint8_t* column = NarrowColumn(f.variable);
    if (column == nullptr) return false;
    std::array<uint8_t, 256> drop{};
    for (std::size_t v = 0; v < 256; ++v) drop[v] = f.Matches(static_cast<int>(v)) ? 0 : 255;
    filters.emplace_back(column, drop);
  }
  std::vector<std::size_t> items;
  const auto* family = bench->instrument.FindFamily(request.family);
  for (std::size_t i = 0; i < bench->data.item_refs.size(); ++i) {
    if (bench->data.item_refs[i].family != family) continue;
    if (request.item && bench->data.item_refs[i].item->id != *request.item) continue;
    items.push_back(i);
  }
  counts.assign(256 * 256, 0);
  uint32_t* c = counts.data();
  if (items.size() == 1 && filters.size() == 1) {  // one item, one filter: one fused pass
    const uint8_t* answer = bench->data.items[items[0]].data();
    const uint8_t* column = filters[0].first;
    const std::array<uint8_t, 256>& drop = filters[0].second;
    for (std::size_t r = 0; r < rows; ++r) ++c[(by[r] | drop[column[r]]) * 256u + answer[r]];
    benchmark::DoNotOptimize(c);
    return true;
  }
  const uint8_t* g = by;  // otherwise the group column once, then a loop per item
  if (!filters.empty()) {
    group.assign(by, by + rows);
    for (const auto& [column, drop] : filters) {
      for (std::size_t r = 0; r < rows; ++r) group[r] |= drop[column[r]];
    }
    g = group.data();
  }
  for (const std::size_t i : items) {
    const uint8_t* answer = bench->data.items[i].data();
    std::fill(counts.begin(), counts.end(), 0);
    for (std::size_t r = 0; r < rows; ++r) ++c[g[r] * 256u + answer[r]];
    benchmark::DoNotOptimize(c);
  }
  return true;
}

void PrototypeItemByService(benchmark::State& state) {
  const TableRequest request = OneItemByService();
  std::vector<uint8_t> group;
  std::vector<uint32_t> counts;
  for (auto _ : state) {
    if (!CountRequest(request, group, counts)) {
      state.SkipWithError("16-bit variable");
      return;
    }
    benchmark::ClobberMemory();
  }
}

void PrototypeReportCounts(benchmark::State& state) {
  const std::vector<TableRequest> requests = ReportRequests();
  std::vector<uint8_t> group;
  std::vector<uint32_t> counts;
  for (auto _ : state) {
    for (const TableRequest& request : requests) {
      if (!CountRequest(request, group, counts)) {
        state.SkipWithError("16-bit variable");
        return;
      }
    }
    benchmark::ClobberMemory();
  }
}

void SqliteGroupBy(benchmark::State& state, std::string sql) {
  for (auto _ : state) {
    if (!RunCrosstab(bench->db, sql, nullptr)) {
      state.SkipWithError("SQLite query failed");
      return;
    }
  }
}

// Medians (or the single run) per benchmark, in milliseconds.
class SummaryReporter : public benchmark::ConsoleReporter {
 public:
  SummaryReporter() : ConsoleReporter(isatty(STDOUT_FILENO) ? OO_ColorTabular : OO_Tabular) {}
  void ReportRuns(const std::vector<Run>& reports) override {
    ConsoleReporter::ReportRuns(reports);
    for (const Run& run : reports) {
      if (run.error_occurred) continue;
      const bool median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
      if (run.run_type == Run::RT_Aggregate && !median) continue;
      const std::string name = run.run_name.function_name;
      const double ms = run.GetAdjustedRealTime() * ToMs(run.time_unit);
      if (median || !medians_.contains(name)) medians_[name] = ms;
    }
  }
  std::optional<double> Ms(const std::string& name) const {
    const auto it = medians_.find(name);
    if (it == medians_.end()) return std::nullopt;
    return it->second;
  }

 private:
  static double ToMs(benchmark::TimeUnit unit) {
    switch (unit) {
      case benchmark::kNanosecond:
        return 1e-6;
      case benchmark::kMicrosecond:
        return 1e-3;
      case benchmark::kMillisecond:
        return 1;
      case benchmark::kSecond:
        return 1e3;
    }
    return 1;
  }
  std::map<std::string, double> medians_;
};

int Fail(const std::string& message) {
  std::cerr << "samkart_analysis_bench: " << message << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  const char* db_path = std::getenv("SAMKART_BENCH_DB");
  if (db_path == nullptr || *db_path == '\0') {
    return Fail(
        "set SAMKART_BENCH_DB to a store with about a million respondents "
        "(bench/analysis_bench.sh builds one)");
  }
  int repetitions = 5;
  if (const char* r = std::getenv("SAMKART_BENCH_REPETITIONS")) repetitions = std::atoi(r);
  repetitions = std::max(repetitions, 1);

  bench = new Bench;
  auto loaded = samkart::instrument::LoadEmbeddedInstrument();
  if (!loaded.instrument) return Fail("the embedded instrument does not load");
  bench->instrument = std::move(*loaded.instrument);
  for (const auto& r : bench->instrument.round_types) {
    if (r.key == "baseline") bench->baseline = r.code;
  }
  if (const auto* s = bench->instrument.FindService("barnehage")) bench->barnehage = s->code;

  {
    samkart::store::StoreOptions options;
    options.migrate = false;
    auto store = samkart::store::OpenStore(db_path, options);
    if (!store.ok()) return Fail(store.error().message);
    const auto started = std::chrono::steady_clock::now();
    auto data = samkart::analysis::LoadDataset(**store, bench->instrument);
    if (!data.ok()) return Fail(data.error().message);
    bench->load_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    bench->data = std::move(data.value());
  }
  bench->rss_after_load_mb = PeakRssMb();
  const Dataset& data = bench->data;
  bench->dataset_bytes = data.rows * (2 * sizeof(uint16_t) + 6 + data.items.size());
  const std::string qualified = std::string(kFamily) + "." + kItem;
  bool found = false;
  for (std::size_t i = 0; i < data.item_refs.size(); ++i) {
    if (data.item_refs[i].QualifiedId() != qualified) continue;
    bench->item = i;
    found = true;
  }
  if (!found) return Fail("the instrument has no item " + qualified);
  if (data.rows < 100000) {
    std::cerr << "samkart_analysis_bench: warning: only " << data.rows
              << " respondents (the targets are for about a million)\n";
  }

  // SQLite on the same file (only the attached in-memory database is written),
  // with a cache large enough to hold it.
  if (sqlite3_open_v2(db_path, &bench->db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    return Fail(std::string("SQLite: ") + sqlite3_errmsg(bench->db));
  }
  if (!Exec(bench->db, "PRAGMA cache_size = -2000000") ||
      !Exec(bench->db, "PRAGMA temp_store = MEMORY")) {
    return 1;
  }
  {
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(bench->db, "SELECT position FROM items WHERE item_id = ?", -1, &stmt,
                       nullptr);
    sqlite3_bind_text(stmt, 1, qualified.c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(stmt) == SQLITE_ROW) bench->answer_byte = sqlite3_column_int(stmt, 0) + 1;
    sqlite3_finalize(stmt);
    if (bench->answer_byte == 0) return Fail("the store has no item " + qualified);
  }
  const auto sqlite_started = std::chrono::steady_clock::now();
  if (!BuildSqliteTables()) return 1;
  const double sqlite_setup =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - sqlite_started).count();

  // The three SQL forms and the engine must count the same crosstab.
  {
    Crosstab engine, blob, table, indexed;
    for (std::size_t r = 0; r < data.rows; ++r) {
      if (data.round_type[r] == bench->baseline)
        ++engine[{data.service[r], data.items[bench->item][r]}];
    }
    if (!RunCrosstab(bench->db, BlobQuery(), &blob) ||
        !RunCrosstab(bench->db, kTableQuery, &table) ||
        !RunCrosstab(bench->db, kIndexedQuery, &indexed)) {
      return 1;
    }
    if (blob != engine || table != engine || indexed != engine) {
      return Fail("the SQLite crosstab differs from the dataset's");
    }
    // d4 gives (service, n) → count; the engine's group rows must match.
    Crosstab share;
    if (!RunCrosstab(bench->db, kShareQuery, &share)) return 1;
    auto computed = ComputeTable(data, bench->instrument, OneItemByService());
    if (!computed.ok()) return Fail(computed.error().message);
    std::size_t matched = 0;
    for (const auto& row : computed->rows) {
      if (row.group.empty()) continue;
      const auto it = share.find({row.group[0], static_cast<int>(row.cell.n)});
      if (it == share.end() || it->second != static_cast<int64_t>(row.cell.count)) {
        return Fail(
            fmt::format("SQLite's share for service {} differs from ComputeTable's", row.group[0]));
      }
      ++matched;
    }
    if (matched != share.size()) return Fail("SQLite and ComputeTable have different groups");
  }
  std::cout << fmt::format(
      "Store {}: {} respondents, {} items; LoadDataset {:.2f} s; dataset ≈ {} MB; peak RSS after "
      "LoadDataset {} MB.\nSQLite {} tables for d2–d4 built in {:.1f} s (not timed). Item: {} "
      "(answer byte {}).\n\n",
      db_path, data.rows, data.items.size(), bench->load_seconds, bench->dataset_bytes >> 20,
      bench->rss_after_load_mb, sqlite3_libversion(), sqlite_setup, qualified, bench->answer_byte);

  auto configure = [&](benchmark::internal::Benchmark* b, benchmark::TimeUnit unit) {
    b->Unit(unit)->UseRealTime()->Repetitions(repetitions)->DisplayAggregatesOnly();
  };
  configure(benchmark::RegisterBenchmark("a_bare_counting_loop", BareCountingLoop),
            benchmark::kMicrosecond);
  configure(
      benchmark::RegisterBenchmark("a2_bare_counting_loop_with_filter", BareCountingLoopWithFilter),
      benchmark::kMicrosecond);
  configure(benchmark::RegisterBenchmark("b_compute_table_item_by_service", OneIndicatorByService),
            benchmark::kMicrosecond);
  configure(benchmark::RegisterBenchmark("c_national_report_tables", NationalReportTables),
            benchmark::kMillisecond);
  configure(
      benchmark::RegisterBenchmark("c2_publication_rules_one_table", PublicationRulesOnOneTable),
      benchmark::kMicrosecond);
  configure(benchmark::RegisterBenchmark("p1_prototype_item_by_service", PrototypeItemByService),
            benchmark::kMicrosecond);
  configure(benchmark::RegisterBenchmark("p2_prototype_report_counts", PrototypeReportCounts),
            benchmark::kMillisecond);
  configure(benchmark::RegisterBenchmark("d1_sqlite_group_by_blob", SqliteGroupBy, BlobQuery()),
            benchmark::kMillisecond);
  configure(benchmark::RegisterBenchmark("d2_sqlite_group_by_int_table", SqliteGroupBy,
                                         std::string(kTableQuery)),
            benchmark::kMillisecond);
  configure(benchmark::RegisterBenchmark("d4_sqlite_share_by_service", SqliteGroupBy,
                                         std::string(kShareQuery)),
            benchmark::kMillisecond);
  configure(benchmark::RegisterBenchmark("d3_sqlite_group_by_covering_index", SqliteGroupBy,
                                         std::string(kIndexedQuery)),
            benchmark::kMillisecond);

  SummaryReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();

  auto ms = [&](const char* name) { return reporter.Ms(name); };
  auto show = [](std::optional<double> v) {
    return v ? fmt::format("{:.3f}", *v) : std::string("-");
  };
  const auto a = ms("a_bare_counting_loop"), a2 = ms("a2_bare_counting_loop_with_filter"),
             b = ms("b_compute_table_item_by_service"), c = ms("c_national_report_tables"),
             d1 = ms("d1_sqlite_group_by_blob"), d2 = ms("d2_sqlite_group_by_int_table"),
             d3 = ms("d3_sqlite_group_by_covering_index"),
             c2 = ms("c2_publication_rules_one_table"), d4 = ms("d4_sqlite_share_by_service"),
             p1 = ms("p1_prototype_item_by_service"), p2 = ms("p2_prototype_report_counts");
  std::cout << fmt::format("\n== Summary ({} respondents, median of {} repetitions, ms)\n",
                           data.rows, repetitions);
  std::cout << fmt::format("(a)  bare counting loop, service × item      {:>10}\n", show(a));
  std::cout << fmt::format("(a2) the same with the baseline filter        {:>10}\n", show(a2));
  std::cout << fmt::format("(b)  ComputeTable item × service, baseline   {:>10}   target < 2 ms\n",
                           show(b));
  std::cout << fmt::format(
      "(c)  national report: {} tables + rules      {:>10}   target < 1000 ms\n",
      ReportRequests().size(), show(c));
  std::cout << fmt::format("(c2) publication rules on one small table     {:>10}\n", show(c2));
  std::cout << fmt::format("(p1) prototype counting core of (b)           {:>10}\n", show(p1));
  std::cout << fmt::format("(p2) prototype counting core of (c)           {:>10}\n", show(p2));
  std::cout << fmt::format("(d1) SQLite GROUP BY on the answers blob     {:>10}\n", show(d1));
  std::cout << fmt::format("(d2) SQLite GROUP BY, integer column table   {:>10}\n", show(d2));
  std::cout << fmt::format("(d4) SQLite share per service (n, count)     {:>10}\n", show(d4));
  std::cout << fmt::format("(d3) SQLite GROUP BY, covering index         {:>10}\n", show(d3));
  if (a && b) std::cout << fmt::format("(b)/(a)  = {:.2f}×\n", *b / *a);
  if (a2 && b) std::cout << fmt::format("(b)/(a2) = {:.2f}×\n", *b / *a2);
  if (b && (d1 || d2 || d4)) {
    const double d = std::min({d1.value_or(1e300), d2.value_or(1e300), d4.value_or(1e300)});
    std::cout << fmt::format("(d)/(b)  = {:.0f}× (fastest of d1, d2, d4; target ≥ 100×)\n", d / *b);
  }
  if (b && d3) std::cout << fmt::format("(d3)/(b) = {:.0f}×\n", *d3 / *b);
  std::cout << fmt::format("peak RSS after LoadDataset {} MB, at the end {} MB\n",
                           bench->rss_after_load_mb, PeakRssMb());
  sqlite3_close(bench->db);
  return 0;
}
