// samkart describe FILE… [--json] [--sheet NAME] [--encoding auto|utf-8|windows-1252]
#include <iostream>

#include <CLI/CLI.hpp>

#include "samkart/cli/context.h"
#include "samkart/describe/file_profile.h"
#include "samkart/describe/profile_output.h"

namespace samkart::cli {

void AddDescribeCommand(CLI::App& app, Context& context) {
  auto* command = app.add_subcommand(
      "describe",
      "Vis hva en eksportfil inneholder (format, tegnkoding, kolonner, verdier) og hva hver "
      "kolonne trolig er i spørreskjemaet");
  static std::vector<std::string> files;
  static bool json = false;
  static std::string sheet;
  static std::string encoding = "auto";
  command->add_option("files", files, "Eksportfiler (CSV, XLSX, SPSS .sav/.zsav, Stata .dta)")
      ->required()
      ->check(CLI::ExistingFile)
      ->type_name("FIL …");
  command->add_flag("--json", json, "Skriv beskrivelsen som JSON (ett objekt per fil)");
  command->add_option("--sheet", sheet, "XLSX: arket som skal leses (standard: første)")
      ->type_name("ARK");
  command->add_option("--encoding", encoding, "CSV: tegnkoding (standard: finnes selv)")
      ->check(CLI::IsMember({"auto", "utf-8", "windows-1252"}))
      ->type_name("auto|utf-8|windows-1252");
  command->callback([&context] {
    const auto in = context.LoadInstrumentOrReport();
    if (!in) return;
    io::SourceOptions options;
    options.sheet = sheet;
    options.encoding = encoding == "utf-8"          ? io::SourceEncoding::kUtf8
                       : encoding == "windows-1252" ? io::SourceEncoding::kWindows1252
                                                    : io::SourceEncoding::kAuto;
    for (const std::string& file : files) {
      auto profile = describe::ProfileFile(file, *in, options);
      if (!profile.ok()) {
        std::cerr << "samkart: " << profile.error().message << "\n";
        context.exit_code = 1;
        continue;
      }
      std::cout << (json ? describe::ProfileJson(*profile) : describe::ProfileText(*profile, *in));
      if (!json && &file != &files.back()) std::cout << "\n";
    }
  });
}

}  // namespace samkart::cli
