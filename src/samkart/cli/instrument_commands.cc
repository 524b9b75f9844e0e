// samkart instrument check|show|docs
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "samkart/cli/context.h"
#include "samkart/instrument/codebook.h"
#include "samkart/io/text_file.h"

namespace samkart::cli {

namespace {

void PrintProblems(const std::vector<instrument::Diagnostic>& problems) {
  for (const auto& p : problems) std::cerr << p.ToString() << "\n";
  std::cerr << fmt::format("{} feil i instrumentet.\n", problems.size());
}

}  // namespace

std::optional<instrument::Instrument> Context::LoadInstrumentOrReport() {
  auto result = instrument::LoadInstrumentWithCrosswalks(instrument_dir, crosswalk_files);
  if (!result.ok()) {
    PrintProblems(result.problems);
    exit_code = 1;
    return std::nullopt;
  }
  return std::move(result.instrument);
}

std::optional<std::unique_ptr<store::Store>> Context::OpenStoreOrReport() {
  auto store = store::OpenStore(db);
  if (!store.ok()) {
    std::cerr << "samkart: " << store.error().message << "\n";
    exit_code = 1;
    return std::nullopt;
  }
  return std::move(store.value());
}

void AddInstrumentCommands(CLI::App& app, Context& context) {
  auto* group =
      app.add_subcommand("instrument", "Spørreskjemaet: kontroller, vis eller dokumenter det");
  group->require_subcommand(1);

  auto* check = group->add_subcommand(
      "check", "Kontroller instrument- og nøkkelfilene og meld hver feil med fil og linje");
  static std::string check_dir;
  check->add_option("DIR", check_dir,
                    "Instrumentmappen (standard: --instrument eller det innebygde)");
  check->callback([&context] {
    const std::string dir = check_dir.empty() ? context.instrument_dir : check_dir;
    const auto result = instrument::LoadInstrumentWithCrosswalks(dir, context.crosswalk_files);
    if (!result.ok()) {
      PrintProblems(result.problems);
      context.exit_code = 1;
      return;
    }
    const auto& in = *result.instrument;
    std::size_t items = 0;
    for (const auto& f : in.families) items += f.items.size();
    std::size_t variables = 0;
    for (const auto& c : in.crosswalks) variables += c.variables.size();
    std::cout << fmt::format(
        "Instrumentet er i orden ({}): {} spørsmålsfamilier, {} spørsmål, {} skalaer, {} "
        "tjenester, "
        "{} stillinger, {} generasjoner med til sammen {} kildevariabler.\n",
        dir.empty() ? "innebygd" : dir, in.families.size(), items, in.scales.size(),
        in.services.size(), in.positions.size(), in.generations.size(), variables);
  });

  auto* show = group->add_subcommand("show", "Skriv kodeboken til terminalen");
  static std::string family;
  static bool with_crosswalks = false;
  show->add_option("--family", family,
                   "Vis bare denne spørsmålsfamilien (id, f.eks. risk_identification)");
  show->add_flag("--crosswalks", with_crosswalks,
                 "Ta med omkodingen fra hvert spørreskjema, variabel for variabel");
  show->callback([&context] {
    const auto in = context.LoadInstrumentOrReport();
    if (!in) return;
    if (!family.empty() && in->FindFamily(family) == nullptr) {
      std::cerr << fmt::format("samkart: ukjent spørsmålsfamilie «{}». Kjente: ", family);
      for (const auto& f : in->families)
        std::cerr << f.id << (&f == &in->families.back() ? "\n" : ", ");
      context.exit_code = 1;
      return;
    }
    std::cout << instrument::RenderText(instrument::BuildCodebook(*in, {family, with_crosswalks}));
  });

  auto* docs = group->add_subcommand("docs", "Skriv kodeboken som Markdown og HTML til en mappe");
  static std::string out_dir;
  static std::vector<std::string> formats = {"md", "html"};
  docs->add_option("--out", out_dir, "Mappen kodeboken skrives til")->required();
  docs->add_option("--format", formats, "Formater, kommaseparert: md, html")
      ->delimiter(',')
      ->check(CLI::IsMember({"md", "html"}));
  static bool docs_crosswalks = true;
  docs->add_flag("--crosswalks,!--no-crosswalks", docs_crosswalks,
                 "Ta med nøklene for hver generasjon (standard); --no-crosswalks gir en kortere "
                 "kodebok å dele ut til kommunene");
  docs->callback([&context] {
    const auto in = context.LoadInstrumentOrReport();
    if (!in) return;
    const auto blocks = instrument::BuildCodebook(*in, {"", docs_crosswalks});
    for (const std::string& format : formats) {
      const std::string path = out_dir + "/kodebok." + format;
      const std::string content =
          format == "md" ? instrument::RenderMarkdown(blocks)
                         : instrument::RenderHtml(blocks, "Kodebok for BTI/BTS-kartleggingen");
      const auto written = io::WriteTextFile(path, content);
      if (!written) {
        std::cerr << "samkart: " << written.error().message << "\n";
        context.exit_code = 1;
        return;
      }
      std::cout << "Skrev " << path << "\n";
    }
  });
}

}  // namespace samkart::cli
