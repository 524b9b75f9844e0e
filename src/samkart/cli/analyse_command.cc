// samkart analyse pockets|pairs|chain|transitions|followup [--municipality NR]
//                 [--round baseline|follow_up] [--by-service] [--format text|csv|json|xlsx]
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "samkart/analysis/competence.h"
#include "samkart/analysis/dataset.h"
#include "samkart/analysis/follow_up_evaluation.h"
#include "samkart/analysis/knowledge_chain.h"
#include "samkart/analysis/publication.h"
#include "samkart/analysis/service_links.h"
#include "samkart/cli/context.h"
#include "samkart/io/text_file.h"
#include "samkart/present/competence_format.h"

namespace samkart::cli {

namespace {

struct AnalyseArguments {
  std::string analysis;
  std::optional<int> municipality;
  std::string round = "baseline";
  bool by_service = false;
  std::vector<std::string> families;
  std::string format = "text";
  std::string out;
  std::size_t limit = 10;
  std::size_t min_n = analysis::kDefaultMinN;
};

int RoundCode(const instrument::Instrument& in, const std::string& key) {
  for (const auto& r : in.round_types) {
    if (r.key == key) return r.code;
  }
  return in.round_types.empty() ? 1 : in.round_types[0].code;
}

// Whom the analysis looks at: the municipality's latest round, or every
// municipality's round of the chosen kind.
Result<std::vector<analysis::Filter>> Subset(const analysis::Dataset& data,
                                             const instrument::Instrument& in,
                                             const AnalyseArguments& args) {
  if (args.municipality) return analysis::LatestRoundOf(data, *args.municipality);
  return std::vector<analysis::Filter>{
      {analysis::Variable::kRoundType, {RoundCode(in, args.round)}, std::nullopt}};
}

Result<present::AnalysisTable> Analyse(const analysis::Dataset& data,
                                       const instrument::Instrument& in,
                                       analysis::Publication& publication,
                                       const AnalyseArguments& args, std::string& text) {
  const std::vector<analysis::Filter> baseline = {
      {analysis::Variable::kRoundType, {RoundCode(in, "baseline")}, std::nullopt}};
  if (args.analysis == "followup") {
    analysis::FollowUpRequest request{args.families, args.by_service, args.municipality};
    SAMKART_ASSIGN_OR_RETURN(const auto evaluation,
                             analysis::EvaluateFollowUp(data, in, publication, request));
    return present::FollowUpTable(evaluation, data, in);
  }
  SAMKART_ASSIGN_OR_RETURN(const auto where, Subset(data, in, args));
  if (args.analysis == "pockets") {
    SAMKART_ASSIGN_OR_RETURN(const auto pockets,
                             analysis::FindCompetencePockets(data, in, publication, where));
    return present::PocketsTable(pockets, data, in);
  }
  if (args.analysis == "pairs") {
    if (!args.municipality) {
      return Error{"delingspar finnes inne i én kommune: velg den med --municipality NR"};
    }
    SAMKART_ASSIGN_OR_RETURN(const auto pairs,
                             analysis::FindSharingPairs(data, in, publication, where));
    text = present::PairsText(pairs, in, args.limit);
    return present::PairsTable(pairs, in);
  }
  if (args.analysis == "chain") {
    SAMKART_ASSIGN_OR_RETURN(
        const auto chain, analysis::ComputeKnowledgeChain(data, in, publication, where, baseline));
    return present::ChainTable(chain, in);
  }
  SAMKART_ASSIGN_OR_RETURN(const auto links,
                           analysis::CompareServiceLinks(data, in, publication, where, baseline));
  return present::LinksTable(links, in);
}

void RunAnalyse(Context& context, const AnalyseArguments& args) {
  auto fail = [&](const std::string& message) {
    std::cerr << "samkart: " << message << "\n";
    context.exit_code = 1;
  };
  if (args.format == "xlsx" && args.out.empty()) return fail("--format xlsx krever --out FIL");
  const auto in = context.LoadInstrumentOrReport();
  if (!in) return;
  auto store = context.OpenStoreOrReport();
  if (!store) return;
  auto data = analysis::LoadDataset(**store, *in);
  if (!data.ok()) return fail(data.error().message);
  analysis::Publication publication(*data, *in, {args.min_n, std::nullopt});
  std::string text;
  auto table = Analyse(*data, *in, publication, args, text);
  if (!table.ok()) return fail(table.error().message);
  if (args.format == "xlsx") {
    io::ExportWriteOptions options;
    options.sheet_name = "Analyse";
    if (auto written = io::WriteExport(present::ToExportTable(*table), io::ExportFormat::kXlsx,
                                       args.out, options);
        !written.ok()) {
      return fail(written.error().message);
    }
    std::cout << fmt::format("Skrev {}\n", args.out);
    return;
  }
  const std::string output = args.format == "csv"    ? present::FormatAnalysisCsv(*table)
                             : args.format == "json" ? present::FormatAnalysisJson(*table)
                             : !text.empty()         ? text
                                                     : present::FormatAnalysisText(*table);
  if (args.out.empty()) {
    std::cout << output;
    return;
  }
  if (auto written = io::WriteTextFile(args.out, output); !written.ok()) {
    return fail(written.error().message);
  }
  std::cout << fmt::format("Skrev {}\n", args.out);
}

}  // namespace

void AddAnalyseCommand(CLI::App& app, Context& context) {
  auto* command = app.add_subcommand(
      "analyse",
      "Hvor kompetansen er og hvordan den kan deles: kompetanselommer (pockets), delingspar "
      "(pairs), kjeden fra kunnskap til hjelp (chain), samarbeid over overgangene "
      "(transitions) og endring fra 0-punktsmåling til oppfølging (followup)");
  static AnalyseArguments args;
  command->add_option("analyse", args.analysis, "Hvilken analyse")
      ->required()
      ->check(CLI::IsMember({"pockets", "pairs", "chain", "transitions", "followup"}))
      ->type_name("pockets|pairs|chain|transitions|followup");
  command
      ->add_option("--municipality", args.municipality,
                   "Kommunenummer: kommunens siste runde (followup: kommunen mot de andre)")
      ->type_name("NR");
  command
      ->add_option("--round", args.round,
                   "Uten --municipality: hele landets 0-punktsmålinger eller oppfølgingsrunder")
      ->check(CLI::IsMember({"baseline", "follow_up"}))
      ->type_name("baseline|follow_up");
  command->add_flag("--by-service", args.by_service, "followup: også hver tjeneste for seg");
  command->add_option("--family", args.families, "followup: bare disse spørsmålsfamiliene")
      ->type_name("FAMILIE");
  command->add_option("--format", args.format, "Utdata")
      ->check(CLI::IsMember({"text", "csv", "json", "xlsx"}))
      ->type_name("text|csv|json|xlsx");
  command->add_option("--out", args.out, "Skriv til fil (påkrevd for xlsx)")->type_name("FIL");
  command->add_option("--limit", args.limit, "pairs som tekst: vis så mange par")
      ->check(CLI::Range(1, 1000))
      ->type_name("N");
  command->add_option("--min-n", args.min_n, "Publiseringsregel: minste N per celle")
      ->check(CLI::Range(1, 1000))
      ->type_name("N");
  command->callback([&context] { RunAnalyse(context, args); });
}

}  // namespace samkart::cli
