// samkart audit [--family ID] [--round baseline|follow-up] [--audience full|aggregates]
//               [--min-n N] [--threads N]
// Audits the publication: for every family (and the respondent counts), in
// each round set and for each audience, the canonical tables as the gate
// protects them, and for every sensitive hidden cell the range the
// published numbers leave it (linear programs, GLPK). Families run in
// parallel; exits 1 when any cell is exposed.
#include <chrono>
#include <iostream>
#include <set>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "samkart/analysis/dataset.h"
#include "samkart/analysis/linked_cells.h"
#include "samkart/analysis/publication.h"
#include "samkart/cli/context.h"
#include "samkart/core/parallel.h"

namespace samkart::cli {

namespace {

struct AuditArguments {
  std::string family_filter;
  std::string round = "both";
  std::string audience = "both";
  std::size_t min_n = analysis::kDefaultMinN;
  unsigned threads = 0;
};

void DeclareAuditOptions(CLI::App& command, AuditArguments& args) {
  command.add_option("--family", args.family_filter, "Bare denne familien")->type_name("FAMILIE");
  command.add_option("--round", args.round, "Rundesett")
      ->check(CLI::IsMember({"baseline", "follow-up", "both"}))
      ->type_name("baseline|follow-up|both");
  command
      .add_option("--audience", args.audience,
                  "Publikum: alle roller eller bare samletall (lesere)")
      ->check(CLI::IsMember({"full", "aggregates", "both"}))
      ->type_name("full|aggregates|both");
  command.add_option("--min-n", args.min_n, "Publiseringsregel: minste N per celle")
      ->check(CLI::Range(1, 1000))
      ->type_name("N");
  command.add_option("--threads", args.threads, "Tråder (standard: én per kjerne)")->type_name("N");
}

// One line of the audit: a family in one round set.
struct AuditRow {
  std::string family;
  bool follow_up = false;
  std::size_t cells = 0, hidden = 0, primary = 0, exposed = 0;
  double seconds = 0;
  std::string error;
};

struct AuditTotals {
  std::size_t exposed = 0, sensitive = 0, cells = 0, hidden = 0;
};

// Protects the row's family and counts the hidden cells the published
// numbers expose.
void AuditFamily(analysis::Publication& publication, AuditRow& row) {
  const auto t0 = std::chrono::steady_clock::now();
  auto family = publication.Family(row.family, row.follow_up);
  if (!family.ok()) {
    row.error = family.error().message;
    return;
  }
  const analysis::ProtectedFamily& f = **family;
  std::set<std::size_t> exposed_cells;
  for (const auto& [layer, cell] : analysis::ExposedCells(f.cells, f.sensitivity, f.hidden)) {
    exposed_cells.insert(cell);
  }
  row.cells = f.cells.cells;
  for (std::size_t c = 0; c < f.cells.cells; ++c) {
    row.hidden += f.hidden[c];
    row.primary += f.primary[c];
  }
  row.exposed = exposed_cells.size();
  row.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Audits the families for one audience, prints a line per family and round
// set and adds to the totals; false (the error printed) when a family fails.
bool AuditAudience(const analysis::Dataset& data, const instrument::Instrument& in,
                   const AuditArguments& args, const std::vector<std::string>& families,
                   const std::string& kind, AuditTotals& totals) {
  analysis::Publication publication(
      data, in, {args.min_n, std::nullopt},
      kind == "full" ? analysis::Audience::kFull : analysis::Audience::kAggregatesOnly);
  std::vector<AuditRow> rows;
  for (const bool follow_up : {false, true}) {
    if (args.round != "both" && (args.round == "follow-up") != follow_up) continue;
    for (const auto& id : families) {
      AuditRow row;
      row.family = id;
      row.follow_up = follow_up;
      rows.push_back(std::move(row));
    }
  }
  // Protection and audit of each family on its own thread: the
  // families share nothing but the dataset.
  ParallelFor(rows.size(), args.threads, [&](std::size_t i) { AuditFamily(publication, rows[i]); });
  for (const AuditRow& row : rows) {
    if (!row.error.empty()) {
      std::cerr << "samkart: " << row.error << "\n";
      return false;
    }
    totals.exposed += row.exposed;
    totals.sensitive += row.primary;
    totals.cells += row.cells;
    totals.hidden += row.hidden;
    std::cout << fmt::format("{:<34} {:<10} {:<10} {:>7} {:>7} {:>7} {:>9} {:>8.2f}\n", row.family,
                             row.follow_up ? "oppfølging" : "0-punkt",
                             kind == "full" ? "alle" : "lesere", row.cells, row.hidden, row.primary,
                             row.exposed, row.seconds);
  }
  return true;
}

void RunAudit(Context& context, const AuditArguments& args) {
  const auto in = context.LoadInstrumentOrReport();
  if (!in) return;
  auto store = context.OpenStoreOrReport();
  if (!store) return;
  auto data = analysis::LoadDataset(**store, *in);
  if (!data.ok()) {
    std::cerr << "samkart: " << data.error().message << "\n";
    context.exit_code = 1;
    return;
  }
  std::vector<std::string> families = {analysis::kRespondentsFamily};
  for (const auto& f : in->families) families.push_back(f.id);
  if (!args.family_filter.empty()) families = {args.family_filter};
  AuditTotals totals;
  const auto started = std::chrono::steady_clock::now();
  std::cout << fmt::format("{:<34} {:<10} {:<10} {:>7} {:>7} {:>7} {:>9} {:>8}\n", "familie",
                           "runder", "publikum", "celler", "skjult", "primær", "avslørt",
                           "sekunder");
  for (const std::string kind : {"full", "aggregates"}) {
    if (args.audience != "both" && args.audience != kind) continue;
    if (!AuditAudience(*data, *in, args, families, kind, totals)) {
      context.exit_code = 1;
      return;
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << fmt::format(
      "\n{} celler, {} skjult ({:.1f} %), {} primært skjult; {} avslørt. {:.1f} s.\n", totals.cells,
      totals.hidden,
      totals.cells ? 100.0 * static_cast<double>(totals.hidden) / static_cast<double>(totals.cells)
                   : 0.0,
      totals.sensitive, totals.exposed, seconds);
  if (totals.exposed > 0) context.exit_code = 1;
}

}  // namespace

void AddAuditCommand(CLI::App& app, Context& context) {
  auto* command = app.add_subcommand(
      "audit",
      "Revisjon av publiseringen: kan noen skjult celle regnes ut fra alle publiserte tall?");
  static AuditArguments arguments;
  DeclareAuditOptions(*command, arguments);
  command->callback([&context] { RunAudit(context, arguments); });
}

}  // namespace samkart::cli
