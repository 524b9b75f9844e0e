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

void AddAuditCommand(CLI::App& app, Context& context) {
  auto* command = app.add_subcommand(
      "audit",
      "Revisjon av publiseringen: kan noen skjult celle regnes ut fra alle publiserte tall?");
  static std::string family_filter;
  static std::string round = "both";
  static std::string audience = "both";
  static std::size_t min_n = analysis::kDefaultMinN;
  static unsigned threads = 0;
  command->add_option("--family", family_filter, "Bare denne familien")->type_name("FAMILIE");
  command->add_option("--round", round, "Rundesett")
      ->check(CLI::IsMember({"baseline", "follow-up", "both"}))
      ->type_name("baseline|follow-up|both");
  command->add_option("--audience", audience, "Publikum: alle roller eller bare samletall (lesere)")
      ->check(CLI::IsMember({"full", "aggregates", "both"}))
      ->type_name("full|aggregates|both");
  command->add_option("--min-n", min_n, "Publiseringsregel: minste N per celle")
      ->check(CLI::Range(1, 1000))
      ->type_name("N");
  command->add_option("--threads", threads, "Tråder (standard: én per kjerne)")->type_name("N");
  command->callback([&context] {
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
    if (!family_filter.empty()) families = {family_filter};
    std::size_t total_exposed = 0, total_sensitive = 0, total_cells = 0, total_hidden = 0;
    const auto started = std::chrono::steady_clock::now();
    std::cout << fmt::format("{:<34} {:<10} {:<10} {:>7} {:>7} {:>7} {:>9} {:>8}\n", "familie",
                             "runder", "publikum", "celler", "skjult", "primær", "avslørt",
                             "sekunder");
    for (const std::string kind : {"full", "aggregates"}) {
      if (audience != "both" && audience != kind) continue;
      analysis::Publication publication(
          *data, *in, {min_n, std::nullopt},
          kind == "full" ? analysis::Audience::kFull : analysis::Audience::kAggregatesOnly);
      struct Row {
        std::string family;
        bool follow_up = false;
        std::size_t cells = 0, hidden = 0, primary = 0, exposed = 0;
        double seconds = 0;
        std::string error;
      };
      std::vector<Row> rows;
      for (const bool follow_up : {false, true}) {
        if (round != "both" && (round == "follow-up") != follow_up) continue;
        for (const auto& id : families) {
          Row row;
          row.family = id;
          row.follow_up = follow_up;
          rows.push_back(std::move(row));
        }
      }
      // Protection and audit of each family on its own thread: the
      // families share nothing but the dataset.
      ParallelFor(rows.size(), threads, [&](std::size_t i) {
        Row& row = rows[i];
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
      });
      for (const Row& row : rows) {
        if (!row.error.empty()) {
          std::cerr << "samkart: " << row.error << "\n";
          context.exit_code = 1;
          return;
        }
        total_exposed += row.exposed;
        total_sensitive += row.primary;
        total_cells += row.cells;
        total_hidden += row.hidden;
        std::cout << fmt::format("{:<34} {:<10} {:<10} {:>7} {:>7} {:>7} {:>9} {:>8.2f}\n",
                                 row.family, row.follow_up ? "oppfølging" : "0-punkt",
                                 kind == "full" ? "alle" : "lesere", row.cells, row.hidden,
                                 row.primary, row.exposed, row.seconds);
      }
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::cout << fmt::format(
        "\n{} celler, {} skjult ({:.1f} %), {} primært skjult; {} avslørt. {:.1f} s.\n",
        total_cells, total_hidden,
        total_cells ? 100.0 * static_cast<double>(total_hidden) / static_cast<double>(total_cells)
                    : 0.0,
        total_sensitive, total_exposed, seconds);
    if (total_exposed > 0) context.exit_code = 1;
  });
}

}  // namespace samkart::cli
