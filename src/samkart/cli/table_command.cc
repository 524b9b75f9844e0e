// samkart table FAMILY[.ITEM] [--by VAR[,VAR]] [--where VAR=VALUE ...]
//               [--compare nation|size-group|baseline] [--format text|csv|json|xlsx]
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "samkart/analysis/cooperation.h"
#include "samkart/analysis/dataset.h"
#include "samkart/analysis/publication.h"
#include "samkart/analysis/table.h"
#include "samkart/cli/context.h"
#include "samkart/core/text.h"
#include "samkart/io/text_file.h"
#include "samkart/present/table_format.h"

namespace samkart::cli {

namespace {

// A value as a code: a number, or a key of the variable's classification.
std::optional<int> ParseValue(const instrument::Instrument& in, analysis::Variable variable,
                              const std::string& text) {
  if (const auto number = text::ParseInt(text)) return *number;
  auto by_key = [&](const auto& codes) -> std::optional<int> {
    for (const auto& c : codes) {
      if (c.key == text) return c.code;
    }
    return std::nullopt;
  };
  switch (variable) {
    case analysis::Variable::kService:
      return by_key(in.services);
    case analysis::Variable::kPosition:
      return by_key(in.positions);
    case analysis::Variable::kSizeGroup:
      return by_key(in.size_groups);
    case analysis::Variable::kRegion:
      return by_key(in.regions);
    case analysis::Variable::kRoundType:
      return by_key(in.round_types);
    case analysis::Variable::kGeneration:
      for (std::size_t g = 0; g < in.generations.size(); ++g) {
        if (in.generations[g].id == text) return static_cast<int>(g + 1);
      }
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

Result<analysis::Filter> ParseFilter(const instrument::Instrument& in, const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos) {
    return Error{fmt::format("«{}»: skriv VARIABEL=VERDI, for eksempel service=barnehage", text)};
  }
  const std::string name = text.substr(0, eq);
  const auto variable = analysis::ParseVariable(name);
  if (!variable) return Error{fmt::format("ukjent variabel «{}» i --where", name)};
  analysis::Filter filter;
  filter.variable = *variable;
  const std::string values = text.substr(eq + 1);
  if (const auto dots = values.find(".."); dots != std::string::npos) {
    const auto low = ParseValue(in, *variable, values.substr(0, dots));
    const auto high = ParseValue(in, *variable, values.substr(dots + 2));
    if (!low || !high) return Error{fmt::format("ugyldig intervall «{}» i --where", values)};
    filter.range = {*low, *high};
    return filter;
  }
  for (const auto& part : text::Split(values, ',')) {
    const auto value = ParseValue(in, *variable, std::string(text::Trim(part)));
    if (!value) return Error{fmt::format("ukjent verdi «{}» for {}", part, name)};
    filter.values.push_back(*value);
  }
  return filter;
}

struct TableArguments {
  std::string indicator;
  std::string by;
  std::vector<std::string> where;
  std::string compare = "none";
  std::string format = "text";
  std::string out;
  bool distribution = false;
  std::size_t min_n = analysis::kDefaultMinN;
  std::optional<std::size_t> small_count;
  bool matrix = false;
  bool internal = false;
};

void DeclareTableOptions(CLI::App& command, TableArguments& args) {
  command.add_option("indikator", args.indicator, "Familie eller familie.delspørsmål")
      ->required()
      ->type_name("FAMILIE[.DEL]");
  command.add_option("--by", args.by, "Inndeling: én eller to variabler (service, size_group, …)")
      ->type_name("VAR[,VAR]");
  command
      .add_option("--where", args.where,
                  "Filter, for eksempel service=barnehage eller year=2019..2021")
      ->type_name("VAR=VERDI");
  command
      .add_option("--compare", args.compare,
                  "Sammenlign med resten av landet, resten av størrelsesgruppen eller "
                  "0-punktsmålingen")
      ->check(CLI::IsMember({"none", "nation", "size-group", "baseline"}))
      ->type_name("nation|size-group|baseline");
  command.add_option("--format", args.format, "Utdata")
      ->check(CLI::IsMember({"text", "csv", "json", "xlsx"}))
      ->type_name("text|csv|json|xlsx");
  command.add_option("--out", args.out, "Skriv til fil (påkrevd for xlsx)")->type_name("FIL");
  command.add_flag("--distribution", args.distribution, "Hele fordelingen i stedet for andelen");
  command.add_flag("--matrix", args.matrix,
                   "Samarbeidsfamilien: vis matrisen tjeneste × tjeneste i begge retninger");
  command.add_option("--min-n", args.min_n, "Publiseringsregel: minste N per celle")
      ->check(CLI::Range(1, 1000))
      ->type_name("N");
  command
      .add_option("--small-count", args.small_count,
                  "Publiseringsregel: skjul også når antall eller resten er høyst dette")
      ->type_name("T");
  command.add_flag("--internt", args.internal,
                   "Intern modus: alle celler, også de publiseringsreglene skjuler, og alle "
                   "avgrensninger; hver utskrift merkes «" +
                       std::string(present::kInternalMark) + "»");
}

// The request the arguments describe, or the message to report.
Result<analysis::TableRequest> BuildTableRequest(const instrument::Instrument& in,
                                                 const TableArguments& args) {
  analysis::TableRequest request;
  const auto dot = args.indicator.find('.');
  request.family = args.indicator.substr(0, dot);
  if (dot != std::string::npos) request.item = args.indicator.substr(dot + 1);
  for (const auto& name : text::Split(args.by, ',')) {
    if (text::Trim(name).empty()) continue;
    const auto variable = analysis::ParseVariable(std::string(text::Trim(name)));
    if (!variable) return Error{fmt::format("ukjent variabel «{}» i --by", name)};
    request.by.push_back(*variable);
  }
  for (const auto& w : args.where) {
    SAMKART_ASSIGN_OR_RETURN(auto filter, ParseFilter(in, w));
    request.where.push_back(filter);
  }
  request.compare = args.compare == "nation"       ? analysis::Comparison::kNation
                    : args.compare == "size-group" ? analysis::Comparison::kSizeGroup
                    : args.compare == "baseline"   ? analysis::Comparison::kBaseline
                                                   : analysis::Comparison::kNone;
  request.distribution = args.distribution;
  if (args.format == "xlsx" && args.out.empty()) return Error{"--format xlsx krever --out FIL"};
  // Published tables are one round set at a time; the baseline rounds
  // unless the user chose (a baseline comparison chooses itself).
  const bool round_chosen = std::any_of(
      request.where.begin(), request.where.end(),
      [](const analysis::Filter& f) { return f.variable == analysis::Variable::kRoundType; });
  if (!args.internal && !round_chosen && request.compare != analysis::Comparison::kBaseline) {
    request.where.push_back({analysis::Variable::kRoundType,
                             {in.round_types.empty() ? 1 : in.round_types[0].code},
                             std::nullopt});
  }
  return request;
}

// The cooperation matrix as text or CSV (--matrix).
Result<std::string> FormatMatrix(const analysis::Dataset& data, const instrument::Instrument& in,
                                 const analysis::TableRequest& request,
                                 analysis::Publication& publication, const TableArguments& args) {
  if (args.internal) return Error{"--matrix finnes bare i publisert modus"};
  SAMKART_ASSIGN_OR_RETURN(const auto cooperation, analysis::ComputeCooperationMatrix(
                                                       data, in, request.where, publication));
  if (args.format != "text" && args.format != "csv") return Error{"--matrix gir text eller csv"};
  if (args.format == "text") return analysis::FormatCooperationText(cooperation, in);
  std::string text =
      "vurderer,vurderes,n,antall,andel,ki_nedre,ki_ovre,skjult,motsatt_andel,"
      "forskjell_pp\n";
  for (const auto& p : cooperation.pairs) {
    const auto& c = p.rating;
    text +=
        fmt::format("{},{},{},{},{},{},{},{},{},{}\n", p.rater, p.rated, c.n, c.count, c.share,
                    c.interval.low, c.interval.high, c.suppressed ? 1 : 0,
                    p.reverse && !p.reverse->suppressed ? fmt::format("{}", p.reverse->share) : "",
                    p.asymmetry_pp ? fmt::format("{}", *p.asymmetry_pp) : "");
  }
  return text;
}

// Writes the table in the chosen format, to --out or standard output.
Status WriteTable(const analysis::Table& result, const analysis::Dataset& data,
                  const instrument::Instrument& in, const TableArguments& args) {
  if (args.format == "xlsx") {
    io::ExportTable export_table = present::ToExportTable(result, data, in);
    if (args.internal) present::MarkInternal(export_table);
    SAMKART_TRY(io::WriteExport(export_table, io::ExportFormat::kXlsx, args.out));
    std::cout << fmt::format("Skrev {}\n", args.out);
    return Ok();
  }
  std::string text = args.format == "csv"    ? present::FormatTableCsv(result, data, in)
                     : args.format == "json" ? present::FormatTableJson(result, data, in)
                                             : present::FormatTableText(result, data, in);
  if (args.internal) text = present::MarkInternal(text, args.format);
  if (args.out.empty()) {
    std::cout << text;
    return Ok();
  }
  SAMKART_TRY(io::WriteTextFile(args.out, text));
  return Ok();
}

void RunTable(Context& context, const TableArguments& args) {
  auto fail = [&](const std::string& message) {
    std::cerr << "samkart: " << message << "\n";
    context.exit_code = 1;
  };
  const auto in = context.LoadInstrumentOrReport();
  if (!in) return;
  auto request = BuildTableRequest(*in, args);
  if (!request.ok()) return fail(request.error().message);

  auto store = context.OpenStoreOrReport();
  if (!store) return;
  auto data = analysis::LoadDataset(**store, *in);
  if (!data.ok()) return fail(data.error().message);
  analysis::Publication publication(*data, *in, {args.min_n, args.small_count});
  if (!args.internal) {
    if (auto why = publication.NotPublishable(request->where, request->by)) {
      return fail(*why + " (--internt viser alt, merket som internt)");
    }
  }
  if (args.matrix) {
    auto text = FormatMatrix(*data, *in, *request, publication, args);
    if (!text.ok()) return fail(text.error().message);
    std::cout << *text;
    return;
  }
  auto table = analysis::ComputeTable(*data, *in, *request);
  if (!table.ok()) return fail(table.error().message);
  std::vector<analysis::Table> tables = {std::move(table.value())};
  if (!args.internal) {
    auto applied = publication.Apply(tables);
    if (!applied.ok()) return fail(applied.error().message + " (--internt viser alt)");
  }
  if (auto written = WriteTable(tables[0], *data, *in, args); !written.ok()) {
    return fail(written.error().message);
  }
}

}  // namespace

void AddTableCommand(CLI::App& app, Context& context) {
  auto* command = app.add_subcommand(
      "table", "Regn ut en indikator (andel med 95 % konfidensintervall) for en spørsmålsfamilie");
  static TableArguments arguments;
  DeclareTableOptions(*command, arguments);
  command->callback([&context] { RunTable(context, arguments); });
}

}  // namespace samkart::cli
