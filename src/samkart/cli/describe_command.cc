// samkart describe FILE… [--json] [--sheet NAME] [--encoding auto|utf-8|windows-1252]
// samkart crosswalk suggest FILE… --out DIR [--generation G] [--force]
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "samkart/cli/context.h"
#include "samkart/core/text.h"
#include "samkart/describe/crosswalk_suggestion.h"
#include "samkart/describe/file_profile.h"
#include "samkart/describe/profile_output.h"

namespace samkart::cli {

namespace {

// The export files both commands read, and how to read them.
struct ExportFiles {
  std::vector<std::string> files;
  std::string sheet;
  std::string encoding = "auto";

  void AddTo(CLI::App* command) {
    command->add_option("files", files, "Eksportfiler (CSV, XLSX, SPSS .sav/.zsav, Stata .dta)")
        ->required()
        ->check(CLI::ExistingFile)
        ->type_name("FIL …");
    command->add_option("--sheet", sheet, "XLSX: arket som skal leses (standard: første)")
        ->type_name("ARK");
    command->add_option("--encoding", encoding, "CSV: tegnkoding (standard: finnes selv)")
        ->check(CLI::IsMember({"auto", "utf-8", "windows-1252"}))
        ->type_name("auto|utf-8|windows-1252");
  }

  // The file's profile, or nullopt with the reason printed and the exit code set.
  std::optional<describe::FileProfile> Profile(const std::string& file,
                                               const instrument::Instrument& instrument,
                                               Context& context) const {
    io::SourceOptions options;
    options.sheet = sheet;
    options.encoding = encoding == "utf-8"          ? io::SourceEncoding::kUtf8
                       : encoding == "windows-1252" ? io::SourceEncoding::kWindows1252
                                                    : io::SourceEncoding::kAuto;
    auto profile = describe::ProfileFile(file, instrument, options);
    if (!profile.ok()) {
      std::cerr << "samkart: " << profile.error().message << "\n";
      context.exit_code = 1;
      return std::nullopt;
    }
    return std::move(profile).value();
  }
};

// What the user reads after a draft is written: where, how much is sure,
// which rows to check (by their line in the draft), and what to do next.
void PrintDraftSummary(const describe::CrosswalkSuggestion& draft, const std::string& file,
                       const std::string& path) {
  std::size_t to_check = 0;
  for (const auto& row : draft.rows) to_check += row.sure ? 0 : 1;
  std::cout << fmt::format("{}\n  utkast: {}\n  generasjon: {}\n", file, path,
                           draft.generation_reason.empty()
                               ? draft.generation
                               : draft.generation + " – " + draft.generation_reason);
  std::cout << "  " << describe::SuggestionSummary(draft) << "\n";
  std::size_t shown = 0;
  for (std::size_t i = 0; i < draft.rows.size(); ++i) {
    const auto& row = draft.rows[i];
    if (row.sure) continue;
    if (++shown > 40) {
      std::cout << fmt::format("    … og {} til\n", to_check - 40);
      break;
    }
    const std::string what =
        row.role == "scale" ? "skala «" + row.target + "»" : "«" + row.source_variable + "»";
    std::cout << fmt::format("    linje {}: {}: {}\n", i + 2, what, row.reason);
  }
}

}  // namespace

void AddDescribeCommand(CLI::App& app, Context& context) {
  auto* command = app.add_subcommand(
      "describe",
      "Vis hva en eksportfil inneholder (format, tegnkoding, kolonner, verdier) og hva hver "
      "kolonne trolig er i spørreskjemaet");
  static ExportFiles input;
  static bool json = false;
  input.AddTo(command);
  command->add_flag("--json", json, "Skriv beskrivelsen som JSON (ett objekt per fil)");
  command->callback([&context] {
    const auto in = context.LoadInstrumentOrReport();
    if (!in) return;
    for (const std::string& file : input.files) {
      const auto profile = input.Profile(file, *in, context);
      if (!profile) continue;
      std::cout << (json ? describe::ProfileJson(*profile) : describe::ProfileText(*profile, *in));
      if (!json && &file != &input.files.back()) std::cout << "\n";
    }
  });
}

void AddCrosswalkCommands(CLI::App& app, Context& context) {
  auto* group = app.add_subcommand("crosswalk", "Kryssnøkler for eksporter fra andre verktøy");
  group->require_subcommand(1);
  auto* suggest = group->add_subcommand(
      "suggest",
      "Lag et utkast til kryssnøkkel for en eksportfil: hver kolonne koblet til spørsmål, "
      "bakgrunn eller identifikator, hver rad merket «sikker» eller «sjekk» med grunnen");
  static ExportFiles input;
  static std::string out_dir;
  static std::string generation;
  static bool force = false;
  input.AddTo(suggest);
  suggest->add_option("--out", out_dir, "Mappen utkastene skrives til (opprettes ved behov)")
      ->required()
      ->type_name("MAPPE");
  suggest
      ->add_option("--generation", generation,
                   "Generasjonen filen er fra (standard: den som stiller flest av spørsmålene)")
      ->type_name("G");
  suggest->add_flag("--force", force, "Skriv over et utkast som finnes fra før");
  suggest->callback([&context] {
    const auto in = context.LoadInstrumentOrReport();
    if (!in) return;
    if (!generation.empty() && in->FindGeneration(generation) == nullptr) {
      std::vector<std::string> known;
      for (const auto& g : in->generations) known.push_back(g.id);
      std::cerr << fmt::format("samkart: generasjonen «{}» finnes ikke (kjente: {})\n", generation,
                               text::Join(known, ", "));
      context.exit_code = 1;
      return;
    }
    std::error_code error;
    std::filesystem::create_directories(out_dir, error);
    if (error) {
      std::cerr << fmt::format("samkart: kan ikke lage mappen {}: {}\n", out_dir, error.message());
      context.exit_code = 1;
      return;
    }
    std::vector<std::pair<std::string, std::string>> written;  // draft, export
    for (const std::string& file : input.files) {
      const auto profile = input.Profile(file, *in, context);
      if (!profile) continue;
      const auto draft = describe::SuggestCrosswalk(
          *profile, *in, generation.empty() ? std::nullopt : std::optional(generation));
      const std::string path =
          (std::filesystem::path(out_dir) / (describe::LayoutName(draft.generation, file) + ".csv"))
              .string();
      if (std::filesystem::exists(path) && !force) {
        std::cerr << fmt::format(
            "samkart: {} finnes fra før; bruk --force for å skrive over, eller en annen --out\n",
            path);
        context.exit_code = 1;
        continue;
      }
      std::ofstream(path, std::ios::binary) << describe::CrosswalkCsv(draft);
      PrintDraftSummary(draft, file, path);
      written.emplace_back(path, file);
    }
    if (written.empty()) return;
    std::cout << "\nNeste steg: åpne utkastet i et regneark, rett radene merket «sjekk» (merknaden "
                 "sier hva som er usikkert), lagre som CSV og importer med nøkkelen:\n";
    // Quoted as a shell needs it when a name has spaces.
    auto shell = [](const std::string& path) {
      return path.find_first_of(" '\"") == std::string::npos ? path : "\"" + path + "\"";
    };
    for (const auto& [draft, file] : written) {
      std::cout << fmt::format("  samkart import {} --crosswalk {}\n", shell(file), shell(draft));
    }
  });
}

}  // namespace samkart::cli
