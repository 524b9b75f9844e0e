// samkart import | rounds | export: files into the store and back out.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "samkart/cli/context.h"
#include "samkart/cli/progress.h"
#include "samkart/export/harmonised_export.h"
#include "samkart/import/importer.h"

namespace samkart::cli {

namespace {

namespace fs = std::filesystem;

struct ImportArguments {
  std::vector<std::string> files;
  std::optional<int> municipality;
  std::optional<int> year;
  std::string round;
  std::string generation;
  std::string sheet;
  std::string encoding = "auto";
  std::size_t k = anonymise::kDefaultK;
  std::string report_dir;
  std::optional<int64_t> replace;
  bool append = false;
};

// One unit of work: a register, or an export with what the manifest says.
struct Job {
  enum Kind { kRegister, kInvited, kExport } kind = kExport;
  std::string path;
  std::optional<int> municipality;
  std::optional<int> year;
  std::optional<std::string> round_type;
};

// Expands folders (their kommuner.csv, inviterte.csv and manifest.csv, else
// every export file in them) and manifests into jobs; registers go first,
// then invited counts, which refer to the register.
Result<std::vector<Job>> PlanJobs(const ImportArguments& args) {
  std::vector<Job> registers, invited, exports;
  auto add_file = [&](const std::string& path) -> Status {
    switch (import::ClassifyFile(path)) {
      case import::FileKind::kMunicipalityRegister:
        registers.push_back({Job::kRegister, path, {}, {}, {}});
        break;
      case import::FileKind::kInvitedCounts:
        invited.push_back({Job::kInvited, path, {}, {}, {}});
        break;
      case import::FileKind::kManifest: {
        auto manifest = import::ReadManifest(path);
        if (!manifest.ok()) return manifest.error();
        for (const auto& e : *manifest) {
          exports.push_back({Job::kExport, e.path, e.municipality, e.year, e.round_type});
        }
        break;
      }
      case import::FileKind::kExport:
        exports.push_back({Job::kExport, path, {}, {}, {}});
        break;
    }
    return Ok();
  };
  for (const std::string& arg : args.files) {
    std::error_code ec;
    if (fs::is_directory(arg, ec)) {
      const fs::path dir(arg);
      const bool has_register = fs::exists(dir / "kommuner.csv");
      const bool has_manifest = fs::exists(dir / "manifest.csv");
      if (has_register)
        registers.push_back({Job::kRegister, (dir / "kommuner.csv").string(), {}, {}, {}});
      if (fs::exists(dir / "inviterte.csv")) {
        invited.push_back({Job::kInvited, (dir / "inviterte.csv").string(), {}, {}, {}});
      }
      if (has_manifest) {
        SAMKART_TRY(add_file((dir / "manifest.csv").string()));
      }
      if (!has_manifest) {
        std::vector<std::string> found;
        for (const auto& entry : fs::recursive_directory_iterator(dir, ec)) {
          if (entry.is_regular_file() && entry.path().filename() != "kommuner.csv" &&
              entry.path().filename() != "inviterte.csv" &&
              import::HasImportableEnding(entry.path().string())) {
            found.push_back(entry.path().string());
          }
        }
        std::sort(found.begin(), found.end());
        for (const auto& f : found) {
          SAMKART_TRY(add_file(f));
        }
      }
      continue;
    }
    if (!fs::exists(arg, ec)) return Error{arg + ": finnes ikke"};
    SAMKART_TRY(add_file(arg));
  }
  registers.insert(registers.end(), invited.begin(), invited.end());
  registers.insert(registers.end(), exports.begin(), exports.end());
  return registers;
}

void WriteReport(const std::string& dir, const store::BatchInfo& batch, const std::string& report) {
  if (dir.empty()) return;
  std::error_code ec;
  fs::create_directories(dir, ec);
  const fs::path path = fs::path(dir) / fmt::format("import_{:04}_{}.txt", batch.id,
                                                    fs::path(batch.file_name).stem().string());
  std::ofstream(path, std::ios::binary) << report;
}

void RunImport(Context& context, const ImportArguments& args) {
  const auto instrument = context.LoadInstrumentOrReport();
  if (!instrument) return;
  auto store = context.OpenStoreOrReport();
  if (!store) return;
  auto jobs = PlanJobs(args);
  if (!jobs.ok()) {
    std::cerr << "samkart: " << jobs.error().message << "\n";
    context.exit_code = 1;
    return;
  }
  if (args.replace) {
    const auto exports = std::count_if(jobs->begin(), jobs->end(),
                                       [](const Job& job) { return job.kind == Job::kExport; });
    if (exports != 1) {
      std::cerr << fmt::format(
          "samkart: --replace {} bytter ut én import med én fil, men kommandoen har {} "
          "eksportfiler; ingenting er importert\n",
          *args.replace, exports);
      context.exit_code = 2;
      return;
    }
  }
  const auto started = std::chrono::steady_clock::now();
  std::size_t imported = 0, unchanged = 0, failed = 0, respondents = 0;
  for (const Job& job : *jobs) {
    if (job.kind == Job::kRegister) {
      auto count = import::ImportMunicipalityRegister(**store, *instrument, job.path);
      if (!count.ok()) {
        std::cerr << "samkart: " << count.error().message << "\n";
        ++failed;
        continue;
      }
      std::cout << fmt::format("Kommuneregister {}: {} kommuner lagret\n", job.path, *count);
      continue;
    }
    if (job.kind == Job::kInvited) {
      auto count = import::ImportInvitedCounts(**store, *instrument, job.path);
      if (!count.ok()) {
        std::cerr << "samkart: " << count.error().message << "\n";
        ++failed;
        continue;
      }
      std::cout << fmt::format("Inviterte {}: {} tjenester i runder lagret\n", job.path, *count);
      continue;
    }
    import::ImportRequest request;
    request.path = job.path;
    request.municipality = args.municipality ? args.municipality : job.municipality;
    request.year = args.year ? args.year : job.year;
    if (!args.round.empty()) {
      request.round_type = args.round == "follow-up" ? "follow_up" : args.round;
    } else {
      request.round_type = job.round_type;
    }
    if (!args.generation.empty()) request.generation = args.generation;
    request.source.sheet = args.sheet;
    request.source.encoding = args.encoding == "utf-8"          ? io::SourceEncoding::kUtf8
                              : args.encoding == "windows-1252" ? io::SourceEncoding::kWindows1252
                                                                : io::SourceEncoding::kAuto;
    request.k = args.k;
    request.replace_batch = args.replace;
    request.append = args.append;
    ProgressLine line(fs::path(job.path).filename().string());
    auto outcome = import::ImportFile(
        **store, *instrument, request,
        [&](const std::string& phase, double fraction) { line.Update(phase, fraction); });
    line.Finish();
    if (!outcome.ok()) {
      std::cerr << "samkart: " << outcome.error().message << "\n"
                << "  Ingenting fra denne filen er lagret.\n";
      ++failed;
      continue;
    }
    const auto& b = outcome->batch;
    if (outcome->status == import::ImportStatus::kAlreadyImported) {
      std::cout << outcome->report << "\n";
      ++unchanged;
      continue;
    }
    ++imported;
    respondents += b.rows_imported;
    std::cout << fmt::format(
        "{}: import {}, {}, {} {} {}: lest {}, importert {}, generalisert {}, avvist {}\n",
        job.path, b.id, b.generation, b.municipality ? std::to_string(*b.municipality) : "flere",
        b.year ? std::to_string(*b.year) : "",
        b.round_type ? instrument->RoundTypeLabel(*b.round_type) : "", b.rows_read, b.rows_imported,
        b.rows_generalised, b.rows_rejected);
    if (outcome->replaced) {
      std::cout << fmt::format("  Erstattet import {} ({}, {} svar), som nå er slettet.\n",
                               outcome->replaced->id, outcome->replaced->file_name,
                               outcome->replaced->rows_imported);
    }
    WriteReport(args.report_dir, b, outcome->report);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << fmt::format(
      "Ferdig på {:.1f} s: {} filer importert ({} respondenter), {} var importert fra før, {} "
      "feilet. Database: {}\n",
      seconds, imported, respondents, unchanged, failed, (*store)->Describe());
  if (!args.report_dir.empty()) {
    std::cout << fmt::format("Importrapportene ligger i {}\n", args.report_dir);
  } else if (imported > 0) {
    std::cout << "Hele importrapporten: samkart rounds --report NUMMER\n";
  }
  if (failed > 0) context.exit_code = 1;
}

void RunRounds(Context& context, std::optional<int64_t> report) {
  auto store = context.OpenStoreOrReport();
  if (!store) return;
  if (report) {
    auto text = (*store)->BatchReport(*report);
    if (!text.ok()) {
      std::cerr << "samkart: " << text.error().message << "\n";
      context.exit_code = 1;
      return;
    }
    std::cout << *text;
    return;
  }
  const auto instrument = context.LoadInstrumentOrReport();
  if (!instrument) return;
  auto rounds = (*store)->Rounds();
  if (!rounds.ok()) {
    std::cerr << "samkart: " << rounds.error().message << "\n";
    context.exit_code = 1;
    return;
  }
  if (rounds->empty()) {
    std::cout << fmt::format("{} har ingen runder ennå. Importer med «samkart import».\n",
                             (*store)->Describe());
    return;
  }
  std::cout << fmt::format("{:<8} {:<32} {:<5} {:<24} {:<4} {:>7} {:>7}\n", "Kommune", "Navn", "År",
                           "Runde", "Gen.", "Svar", "Import");
  std::size_t total = 0;
  for (const auto& r : *rounds) {
    std::cout << fmt::format("{:<8} {:<32} {:<5} {:<24} {:<4} {:>7} {:>7}\n", r.municipality,
                             r.name, r.year, instrument->RoundTypeLabel(r.round_type), r.generation,
                             r.respondents, r.batch_id);
    total += r.respondents;
  }
  std::cout << fmt::format("{} runder, {} respondenter i {}\n", rounds->size(), total,
                           (*store)->Describe());
}

void RunExport(Context& context, const std::string& format, const std::string& out) {
  const auto instrument = context.LoadInstrumentOrReport();
  if (!instrument) return;
  auto store = context.OpenStoreOrReport();
  if (!store) return;
  auto rows = exporting::ExportHarmonised(
      **store, *instrument, format == "csv" ? io::ExportFormat::kCsvUtf8 : io::ExportFormat::kSav,
      out);
  if (!rows.ok()) {
    std::cerr << "samkart: " << rows.error().message << "\n";
    context.exit_code = 1;
    return;
  }
  std::cout << fmt::format("Skrev {} respondenter til {}\n", *rows, out);
}

// Deletes what the target names, or only says what it would delete.
void RunDelete(Context& context, const store::DeletionTarget& target, bool confirmed) {
  auto store = context.OpenStoreOrReport();
  if (!store) return;
  const std::string what =
      target.kind == store::DeletionTarget::Kind::kBatch
          ? fmt::format("import {}", target.batch_id)
          : fmt::format("runden til kommune {} i {}", target.municipality, target.year);
  auto removed = (*store)->DeleteData(target, confirmed);
  if (!removed.ok()) {
    std::cerr << "samkart: " << removed.error().message << "\n";
    context.exit_code = 1;
    return;
  }
  const std::string described = store::DescribeRemoval(*removed);
  if (described == "ingenting") {
    std::cerr << fmt::format("samkart: fant ingenting å slette for {}\n", what);
    context.exit_code = 1;
    return;
  }
  if (!confirmed) {
    std::cout << fmt::format(
        "Ville slette {}: {}. Ingenting er slettet; kjør igjen med --bekreft for å slette.\n", what,
        described);
    return;
  }
  if (auto audited =
          (*store)->AppendAudit({0, "", "(kommandolinjen)", "delete", what + ": " + described});
      !audited.ok()) {
    std::cerr << "samkart: slettet, men revisjonsloggen kunne ikke skrives: "
              << audited.error().message << "\n";
    context.exit_code = 1;
  }
  std::cout << fmt::format("Slettet {}: {}.\n", what, described);
}

void AddImportCommand(CLI::App& app, Context& context) {
  auto* import_command =
      app.add_subcommand("import",
                         "Importer eksportfiler (CSV, XLSX, SPSS, Stata), kommuneregister "
                         "(kommuner.csv), inviterte per tjeneste (inviterte.csv), "
                         "manifest eller en hel mappe til databasen");
  static ImportArguments args;
  import_command->add_option("filer", args.files, "Filer eller mapper som skal importeres")
      ->required()
      ->type_name("FIL");
  import_command
      ->add_option("--municipality", args.municipality,
                   "Kommunenummer når filen ikke har det (eller for å kontrollere det)")
      ->type_name("NR");
  import_command->add_option("--year", args.year, "Årstall når filen ikke har det")
      ->check(CLI::Range(1990, 2100))
      ->type_name("ÅR");
  import_command
      ->add_option("--round", args.round,
                   "Rundetype; standard: oppfølging når databasen har en tidligere runde for "
                   "kommunen, ellers 0-punktsmåling")
      ->check(CLI::IsMember({"baseline", "follow-up", "follow_up"}))
      ->type_name("baseline|follow-up");
  import_command
      ->add_option("--generation", args.generation,
                   "Spørreskjema-generasjon (G1–G5); standard: finnes fra kolonnenavnene")
      ->type_name("G");
  import_command->add_option("--sheet", args.sheet, "XLSX: arket som skal leses (standard: første)")
      ->type_name("ARK");
  import_command->add_option("--encoding", args.encoding, "CSV: tegnkoding (standard: finnes selv)")
      ->check(CLI::IsMember({"auto", "utf-8", "windows-1252"}))
      ->type_name("auto|utf-8|windows-1252");
  import_command
      ->add_option("-k", args.k,
                   "Minste antall respondenter per kommune × tjeneste × stilling (k-anonymitet)")
      ->check(CLI::Range(1, 100))
      ->type_name("K");
  import_command
      ->add_option("--report-dir", args.report_dir, "Skriv hele importrapporten for hver fil hit")
      ->type_name("MAPPE");
  auto* replace =
      import_command
          ->add_option("--replace", args.replace,
                       "Har runden allerede svar fra en annen import: bytt ut import NUMMER med "
                       "denne filen (begge deler i én operasjon; se samkart rounds)")
          ->type_name("IMPORT");
  import_command
      ->add_flag("--append", args.append,
                 "Har runden allerede svar fra en annen import: legg svarene i filen til dem "
                 "(flere filer fra samme runde, for eksempel én per tjeneste)")
      ->excludes(replace);
  import_command->callback([&context] { RunImport(context, args); });
}

void AddRoundsCommand(CLI::App& app, Context& context) {
  auto* rounds = app.add_subcommand("rounds", "Vis rundene (kommune, år, runde) i databasen");
  static std::optional<int64_t> report;
  rounds->add_option("--report", report, "Vis hele importrapporten for import NUMMER")
      ->type_name("NUMMER");
  rounds->callback([&context] { RunRounds(context, report); });
}

void AddExportCommand(CLI::App& app, Context& context) {
  auto* export_command = app.add_subcommand(
      "export", "Skriv de harmoniserte dataene med verdietiketter (for SPSS eller R)");
  static std::string format = "sav";
  static std::string out;
  export_command->add_option("--format", format, "Filformat")
      ->check(CLI::IsMember({"csv", "sav"}))
      ->type_name("csv|sav");
  export_command->add_option("--out", out, "Filen som skrives")->required()->type_name("FIL");
  export_command->callback([&context] { RunExport(context, format, out); });
}

void AddDeleteCommand(CLI::App& app, Context& context) {
  auto* remove = app.add_subcommand(
      "delete",
      "Slett data for godt: en import (feilimport) eller alt fra en kommunes runde "
      "(kommunen trekker seg, eller en innsynsbegjæring); uten --bekreft vises bare hva som "
      "ville blitt slettet (PostgreSQL: kjør som eierrollen)");
  remove->require_subcommand(1);
  static bool confirmed = false;
  remove->add_flag("--bekreft", confirmed, "Slett (uten: vis bare hva som ville blitt slettet)");
  static int64_t batch_id = 0;
  auto* remove_batch = remove->add_subcommand("import", "Slett én import og svarene fra den");
  remove_batch->add_option("nummer", batch_id, "Importens nummer (se samkart rounds)")
      ->required()
      ->type_name("NUMMER");
  static int municipality = 0;
  static int year = 0;
  auto* remove_round = remove->add_subcommand(
      "round",
      "Slett alt fra en kommunes runde et år: svarene fra alle importer, runden i Samkart med "
      "påbegynte og innsendte svar, og antall inviterte");
  remove_round->add_option("kommune", municipality, "Kommunenummer")->required()->type_name("NR");
  remove_round->add_option("år", year, "Året")->required()->type_name("ÅR");
  remove_batch->callback([&context] {
    store::DeletionTarget target;
    target.kind = store::DeletionTarget::Kind::kBatch;
    target.batch_id = batch_id;
    RunDelete(context, target, confirmed);
  });
  remove_round->callback([&context] {
    store::DeletionTarget target;
    target.kind = store::DeletionTarget::Kind::kRound;
    target.municipality = municipality;
    target.year = year;
    RunDelete(context, target, confirmed);
  });
}

}  // namespace

void AddStoreCommands(CLI::App& app, Context& context) {
  AddImportCommand(app, context);
  AddRoundsCommand(app, context);
  AddExportCommand(app, context);
  AddDeleteCommand(app, context);
}

}  // namespace samkart::cli
