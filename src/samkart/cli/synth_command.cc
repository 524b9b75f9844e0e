// samkart synth --out DIR [--seed S] [--scale X]
#include <chrono>
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <unistd.h>

#include "samkart/cli/context.h"
#include "samkart/synth/exporter.h"
#include "samkart/synth/generator.h"
#include "samkart/synth/parameters.h"

namespace samkart::cli {

void AddSynthCommand(CLI::App& app, Context& context) {
  auto* synth = app.add_subcommand("synth",
                                   "Lag et syntetisk nasjonalt datasett (73 fiktive kommuner) som "
                                   "eksportfiler fra spørreverktøy");
  static std::string out_dir;
  static uint64_t seed = 2022;
  static double scale = 1.0;
  synth->add_option("--out", out_dir, "Mappen filene skrives til")->required()->type_name("MAPPE");
  synth->add_option("--seed", seed, "Frø for tilfeldighetene (samme frø gir byte-like filer)")
      ->type_name("HELTALL");
  synth->add_option("--scale", scale, "Ganger antall respondenter (40 gir omtrent én million)")
      ->check(CLI::Range(0.01, 200.0))
      ->type_name("TALL");
  synth->callback([&context] {
    const auto in = context.LoadInstrumentOrReport();
    if (!in) return;
    const auto started = std::chrono::steady_clock::now();
    auto parameters = synth::LoadParameters(synth::EmbeddedSynthFiles());
    if (!parameters) {
      std::cerr << "samkart: " << parameters.error().message << "\n";
      context.exit_code = 1;
      return;
    }
    std::cerr << "Genererer svar …\n";
    auto data = synth::Generate(*in, *parameters, {seed, scale});
    if (!data) {
      std::cerr << "samkart: " << data.error().message << "\n";
      context.exit_code = 1;
      return;
    }
    auto summary = synth::WriteSynthDataset(
        *in, *parameters, *data, out_dir, seed, [](std::size_t done, std::size_t total) {
          // A live counter on a terminal; in a log, one line per tenth.
          if (isatty(STDERR_FILENO)) {
            std::cerr << fmt::format("\rSkriver eksportfiler: {}/{}", done, total) << std::flush;
            if (done == total) std::cerr << "\n";
          } else if (done * 10 / total != (done - 1) * 10 / total) {
            std::cerr << fmt::format("Skriver eksportfiler: {}/{}\n", done, total);
          }
        });
    if (!summary) {
      std::cerr << "samkart: " << summary.error().message << "\n";
      context.exit_code = 1;
      return;
    }
    auto count = [&](const char* format) {
      const auto it = summary->files_by_format.find(format);
      return it == summary->files_by_format.end() ? std::size_t{0} : it->second;
    };
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::cout << fmt::format(
        "Skrev {} filer til {} ({} respondenter, av dem {} i 0-punktsmålinger) på {:.1f} s.\n"
        "Formater: {} SPSS, {} Excel, {} CSV (UTF-8), {} CSV (Windows-1252). Alle data er "
        "syntetiske.\n",
        summary->files, out_dir, summary->respondents, summary->baseline_respondents, seconds,
        count("sav"), count("xlsx"), count("csv-utf8"), count("csv-cp1252"));
  });
}

}  // namespace samkart::cli
