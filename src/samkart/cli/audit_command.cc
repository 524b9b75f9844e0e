// samkart audit [--family ID] [--round baseline|follow-up] [--audience full|aggregates]
//               [--min-n N]
// Audits the publication: for every family (and the respondent counts), in
// each round set and for each audience, the canonical tables as the gate
// protects them, and for every sensitive hidden cell the range the
// published numbers leave it (linear programs, GLPK).
#include <chrono>
#include <iostream>
#include <set>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "samkart/analysis/dataset.h"
#include "samkart/analysis/linked_cells.h"
#include "samkart/analysis/publication.h"
#include "samkart/cli/context.h"

namespace samkart::cli {

void AddAuditCommand(CLI::App& app, Context& context) {
  auto* command = app.add_subcommand(
      "audit",
      "Revisjon av publiseringen: kan noen skjult celle regnes ut fra alle publiserte tall?");
  static std::string family_filter;
  static std::string round = "both";
  static std::string audience = "both";
  static std::size_t min_n = 10;
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
      for (const bool follow_up : {false, true}) {
        if (round != "both" && (round == "follow-up") != follow_up) continue;
        for (const auto& id : families) {
          const auto t0 = std::chrono::steady_clock::now();
          auto family = publication.Family(id, follow_up);
          if (!family.ok()) {
            std::cerr << "samkart: " << family.error().message << "\n";
            context.exit_code = 1;
            return;
          }
          const analysis::ProtectedFamily& f = **family;
          const auto exposed = analysis::ExposedCells(f.cells, f.sensitivity, f.hidden);
          std::size_t hidden = 0, primary = 0;
          for (std::size_t c = 0; c < f.cells.cells; ++c) {
            hidden += f.hidden[c];
            primary += f.primary[c];
          }
          std::set<std::size_t> exposed_cells;
          for (const auto& [layer, cell] : exposed) exposed_cells.insert(cell);
          total_exposed += exposed_cells.size();
          total_sensitive += primary;
          total_cells += f.cells.cells;
          total_hidden += hidden;
          const double seconds =
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
          std::cout << fmt::format("{:<34} {:<10} {:<10} {:>7} {:>7} {:>7} {:>9} {:>8.2f}\n", id,
                                   follow_up ? "oppfølging" : "0-punkt", kind, f.cells.cells,
                                   hidden, primary, exposed_cells.size(), seconds);
        }
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
