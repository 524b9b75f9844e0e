// samkart report national|municipality [--municipality N | --all]
//                [--format html,pdf,xlsx,pptx] [--out DIR] [--text DIR]
#include <algorithm>
#include <chrono>
#include <ctime>
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "samkart/analysis/dataset.h"
#include "samkart/cli/context.h"
#include "samkart/cli/progress.h"
#include "samkart/import/batch_builder.h"
#include "samkart/report/municipality_report.h"
#include "samkart/report/national_report.h"
#include "samkart/report/report_writer.h"

namespace samkart::cli {

namespace {

std::string Today() {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  return fmt::format("{:02}.{:02}.{}", local.tm_mday, local.tm_mon + 1, local.tm_year + 1900);
}

// What the publication rules hid, so the cost of protection is seen.
std::string HiddenLine(const report::NumberCount& numbers) {
  const std::size_t all = numbers.shown + numbers.hidden;
  std::string share = "–";
  if (all > 0) {
    share = fmt::format("{:.1f} %",
                        100.0 * static_cast<double>(numbers.hidden) / static_cast<double>(all));
    std::replace(share.begin(), share.end(), '.', ',');
  }
  return fmt::format("Skjult av publiseringsreglene: {} av {} tall ({})\n", numbers.hidden, all,
                     share);
}

struct ReportArguments {
  std::string kind;
  std::vector<int> municipalities;
  bool all = false;
  std::string formats = "html,pdf,xlsx,pptx";
  std::string out = "rapporter";
  std::string text_dir;  // the national team's chapters (Markdown)
  std::size_t min_n = analysis::kDefaultMinN;
  std::optional<std::size_t> small_count;
  unsigned threads = 0;
};

void DeclareReportOptions(CLI::App& command, ReportArguments& args) {
  command.add_option("type", args.kind, "national eller municipality")
      ->required()
      ->check(CLI::IsMember({"national", "municipality"}))
      ->type_name("national|municipality");
  auto* one =
      command.add_option("--municipality", args.municipalities, "Kommunenummer (kan gjentas)")
          ->type_name("NR");
  command.add_flag("--all", args.all, "Alle kommuner med svar i databasen")->excludes(one);
  command
      .add_option("--format", args.formats,
                  "Formater, kommaseparert (standard: html,pdf,xlsx,pptx)")
      ->type_name("html,pdf,xlsx,pptx");
  command.add_option("--out", args.out, "Mappe rapportene skrives til (standard: rapporter)")
      ->type_name("MAPPE");
  command
      .add_option("--text", args.text_dir,
                  "Mappe med redaksjonens kapitler for den nasjonale rapporten (sammendrag.md, "
                  "innledning.md, organisering.md, diskusjon.md, konklusjon.md)")
      ->type_name("MAPPE");
  command.add_option("--min-n", args.min_n, "Publiseringsregel: minste N per gruppe")
      ->check(CLI::Range(1, 1000))
      ->type_name("N");
  command
      .add_option("--small-count", args.small_count,
                  "Publiseringsregel: skjul også når antall eller resten er høyst dette")
      ->type_name("T");
  command.add_option("--threads", args.threads, "Tråder for --all (standard: én per kjerne)")
      ->type_name("N");
}

// Every family protected up front, on every core: the reports then only
// read the patterns (from the cache when the data are unchanged).
void ProtectAll(const report::ReportInputs& inputs, unsigned threads) {
  ProgressLine protecting("Publiseringsregler");
  inputs.publication->ProtectAll(threads, [&](std::size_t done, std::size_t total) {
    protecting.Update(fmt::format("{} familier", total),
                      static_cast<double>(done) / static_cast<double>(total));
  });
}

Status WriteNationalReport(const report::ReportInputs& inputs, const ReportArguments& args,
                           const std::vector<report::ReportFormat>& formats) {
  report::EditorialText text;
  if (!args.text_dir.empty()) {
    SAMKART_ASSIGN_OR_RETURN(text, report::LoadEditorialText(args.text_dir));
  }
  SAMKART_ASSIGN_OR_RETURN(const auto document, report::BuildNationalReport(inputs, text));
  SAMKART_ASSIGN_OR_RETURN(
      const auto files, report::WriteReportFiles(document, args.out, "nasjonal_rapport", formats));
  for (const auto& f : files) std::cout << "Skrev " << f.string() << "\n";
  std::cout << HiddenLine(report::CountNumbers(document));
  return Ok();
}

// Writes the municipality reports and says how it went; false when one failed.
bool WriteMunicipalityReports(const report::ReportInputs& inputs, const ReportArguments& args,
                              const std::vector<report::ReportFormat>& formats,
                              std::chrono::steady_clock::time_point started) {
  const std::vector<int> municipalities =
      args.all ? report::MunicipalitiesWithData(inputs) : args.municipalities;
  report::MunicipalityBatch batch;
  batch.municipalities = municipalities;
  batch.dir = args.out;
  batch.formats = formats;
  batch.threads = args.threads;
  ProgressLine progress("Kommunerapporter");
  batch.progress = [&](std::size_t done, std::size_t total) {
    // A fixed phase: the bar (or a line per tenth in a log) shows how far.
    progress.Update(fmt::format("{} kommuner", total),
                    static_cast<double>(done) / static_cast<double>(total));
  };
  const auto result = report::WriteMunicipalityReports(inputs, batch);
  progress.Finish();
  for (const auto& e : result.errors) std::cerr << "samkart: " << e << "\n";
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (municipalities.size() == 1) {
    for (const auto& f : result.files) std::cout << "Skrev " << f.string() << "\n";
  } else {
    std::vector<double> each = result.seconds;
    std::sort(each.begin(), each.end());
    const double median = each.empty() ? 0 : each[each.size() / 2];
    std::cout << fmt::format(
        "{} kommunerapporter ({} filer) skrevet til {} på {:.1f} s (median {:.2f} s per "
        "kommune)\n",
        result.seconds.size(), result.files.size(), args.out, seconds, median);
  }
  std::cout << HiddenLine(result.numbers);
  return result.errors.empty();
}

void RunReport(Context& context, const ReportArguments& args) {
  auto fail = [&](const std::string& message) {
    std::cerr << "samkart: " << message << "\n";
    context.exit_code = 1;
  };
  auto parsed_formats = report::ParseReportFormats(args.formats);
  if (!parsed_formats.ok()) return fail(parsed_formats.error().message);
  if (args.kind == "municipality" && args.municipalities.empty() && !args.all) {
    return fail("velg --municipality NR eller --all");
  }
  if (args.kind == "national" && (!args.municipalities.empty() || args.all)) {
    return fail("--municipality og --all gjelder bare kommunerapporter");
  }
  if (args.kind == "municipality" && !args.text_dir.empty()) {
    return fail("--text gjelder bare den nasjonale rapporten");
  }
  const auto in = context.LoadInstrumentOrReport();
  if (!in) return;
  auto store = context.OpenStoreOrReport();
  if (!store) return;
  auto data = analysis::LoadDataset(**store, *in);
  if (!data.ok()) return fail(data.error().message);
  if (data->rows == 0) return fail("databasen har ingen svar; importer data først");
  auto invited = (*store)->InvitedCounts();
  if (!invited.ok()) return fail(invited.error().message);

  report::ReportInputs inputs;
  inputs.data = &*data;
  inputs.instrument = &*in;
  inputs.invited = std::move(*invited);
  inputs.rules = {args.min_n, args.small_count};
  if (args.kind != "national") {
    auto comments = (*store)->ApprovedSurveyComments();
    if (!comments.ok()) return fail(comments.error().message);
    inputs.comments = std::move(*comments);
  }
  if (args.kind == "national") {  // the method chapter's account of the imports
    auto batches = (*store)->Batches();
    if (!batches.ok()) return fail(batches.error().message);
    inputs.batches = std::move(*batches);
    auto ks = import::StatedAnonymisationKs(**store);
    if (!ks.ok()) return fail(ks.error().message);
    inputs.import_k = std::move(*ks);
  }
  inputs.source = (*store)->Describe();
  inputs.generated_on = Today();
  inputs = report::WithPublication(std::move(inputs));
  ProtectAll(inputs, args.threads);

  const auto started = std::chrono::steady_clock::now();
  if (args.kind == "national") {
    if (auto written = WriteNationalReport(inputs, args, *parsed_formats); !written.ok()) {
      return fail(written.error().message);
    }
    return;
  }
  if (!WriteMunicipalityReports(inputs, args, *parsed_formats, started)) context.exit_code = 1;
}

}  // namespace

void AddReportCommand(CLI::App& app, Context& context) {
  auto* command = app.add_subcommand(
      "report",
      "Lag den nasjonale rapporten eller kommunerapporter (HTML, PDF, Excel, PowerPoint)");
  static ReportArguments arguments;
  DeclareReportOptions(*command, arguments);
  command->callback([&context] { RunReport(context, arguments); });
}

}  // namespace samkart::cli
