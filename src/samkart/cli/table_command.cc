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

}  // namespace

void AddTableCommand(CLI::App& app, Context& context) {
  auto* command = app.add_subcommand(
      "table", "Regn ut en indikator (andel med 95 % konfidensintervall) for en spørsmålsfamilie");
  static std::string indicator;
  static std::string by;
  static std::vector<std::string> where;
  static std::string compare = "none";
  static std::string format = "text";
  static std::string out;
  static bool distribution = false;
  static std::size_t min_n = analysis::kDefaultMinN;
  static std::optional<std::size_t> small_count;
  static bool matrix = false;
  static bool internal = false;
  command->add_option("indikator", indicator, "Familie eller familie.delspørsmål")
      ->required()
      ->type_name("FAMILIE[.DEL]");
  command->add_option("--by", by, "Inndeling: én eller to variabler (service, size_group, …)")
      ->type_name("VAR[,VAR]");
  command
      ->add_option("--where", where, "Filter, for eksempel service=barnehage eller year=2019..2021")
      ->type_name("VAR=VERDI");
  command
      ->add_option("--compare", compare,
                   "Sammenlign med resten av landet, resten av størrelsesgruppen eller "
                   "0-punktsmålingen")
      ->check(CLI::IsMember({"none", "nation", "size-group", "baseline"}))
      ->type_name("nation|size-group|baseline");
  command->add_option("--format", format, "Utdata")
      ->check(CLI::IsMember({"text", "csv", "json", "xlsx"}))
      ->type_name("text|csv|json|xlsx");
  command->add_option("--out", out, "Skriv til fil (påkrevd for xlsx)")->type_name("FIL");
  command->add_flag("--distribution", distribution, "Hele fordelingen i stedet for andelen");
  command->add_flag("--matrix", matrix,
                    "Samarbeidsfamilien: vis matrisen tjeneste × tjeneste i begge retninger");
  command->add_option("--min-n", min_n, "Publiseringsregel: minste N per celle")
      ->check(CLI::Range(1, 1000))
      ->type_name("N");
  command
      ->add_option("--small-count", small_count,
                   "Publiseringsregel: skjul også når antall eller resten er høyst dette")
      ->type_name("T");
  command->add_flag("--internt", internal,
                    "Intern modus: alle celler, også de publiseringsreglene skjuler, og alle "
                    "avgrensninger; hver utskrift merkes «" +
                        std::string(present::kInternalMark) + "»");
  command->callback([&context] {
    auto fail = [&](const std::string& message) {
      std::cerr << "samkart: " << message << "\n";
      context.exit_code = 1;
    };
    const auto in = context.LoadInstrumentOrReport();
    if (!in) return;
    analysis::TableRequest request;
    const auto dot = indicator.find('.');
    request.family = indicator.substr(0, dot);
    if (dot != std::string::npos) request.item = indicator.substr(dot + 1);
    for (const auto& name : text::Split(by, ',')) {
      if (text::Trim(name).empty()) continue;
      const auto variable = analysis::ParseVariable(std::string(text::Trim(name)));
      if (!variable) return fail(fmt::format("ukjent variabel «{}» i --by", name));
      request.by.push_back(*variable);
    }
    for (const auto& w : where) {
      auto filter = ParseFilter(*in, w);
      if (!filter.ok()) return fail(filter.error().message);
      request.where.push_back(*filter);
    }
    request.compare = compare == "nation"       ? analysis::Comparison::kNation
                      : compare == "size-group" ? analysis::Comparison::kSizeGroup
                      : compare == "baseline"   ? analysis::Comparison::kBaseline
                                                : analysis::Comparison::kNone;
    request.distribution = distribution;
    if (format == "xlsx" && out.empty()) return fail("--format xlsx krever --out FIL");
    // Published tables are one round set at a time; the baseline rounds
    // unless the user chose (a baseline comparison chooses itself).
    const bool round_chosen = std::any_of(
        request.where.begin(), request.where.end(),
        [](const analysis::Filter& f) { return f.variable == analysis::Variable::kRoundType; });
    if (!internal && !round_chosen && request.compare != analysis::Comparison::kBaseline) {
      request.where.push_back({analysis::Variable::kRoundType,
                               {in->round_types.empty() ? 1 : in->round_types[0].code},
                               std::nullopt});
    }

    auto store = context.OpenStoreOrReport();
    if (!store) return;
    auto data = analysis::LoadDataset(**store, *in);
    if (!data.ok()) return fail(data.error().message);
    analysis::Publication publication(*data, *in, {min_n, small_count});
    if (!internal) {
      if (auto why = publication.NotPublishable(request.where, request.by)) {
        return fail(*why + " (--internt viser alt, merket som internt)");
      }
    }
    if (matrix) {
      if (internal) return fail("--matrix finnes bare i publisert modus");
      auto cooperation = analysis::ComputeCooperationMatrix(*data, *in, request.where, publication);
      if (!cooperation.ok()) return fail(cooperation.error().message);
      if (format != "text" && format != "csv") return fail("--matrix gir text eller csv");
      std::string text;
      if (format == "text") {
        text = analysis::FormatCooperationText(*cooperation, *in);
      } else {
        text =
            "vurderer,vurderes,n,antall,andel,ki_nedre,ki_ovre,skjult,motsatt_andel,"
            "forskjell_pp\n";
        for (const auto& p : cooperation->pairs) {
          const auto& c = p.rating;
          text += fmt::format(
              "{},{},{},{},{},{},{},{},{},{}\n", p.rater, p.rated, c.n, c.count, c.share,
              c.interval.low, c.interval.high, c.suppressed ? 1 : 0,
              p.reverse && !p.reverse->suppressed ? fmt::format("{}", p.reverse->share) : "",
              p.asymmetry_pp ? fmt::format("{}", *p.asymmetry_pp) : "");
        }
      }
      std::cout << text;
      return;
    }
    auto table = analysis::ComputeTable(*data, *in, request);
    if (!table.ok()) return fail(table.error().message);
    std::vector<analysis::Table> tables = {std::move(table.value())};
    if (!internal) {
      auto applied = publication.Apply(tables);
      if (!applied.ok()) return fail(applied.error().message + " (--internt viser alt)");
    }
    const analysis::Table& result = tables[0];

    if (format == "xlsx") {
      io::ExportTable export_table = present::ToExportTable(result, *data, *in);
      if (internal) present::MarkInternal(export_table);
      auto written = io::WriteExport(export_table, io::ExportFormat::kXlsx, out);
      if (!written.ok()) return fail(written.error().message);
      std::cout << fmt::format("Skrev {}\n", out);
      return;
    }
    std::string text = format == "csv"    ? present::FormatTableCsv(result, *data, *in)
                       : format == "json" ? present::FormatTableJson(result, *data, *in)
                                          : present::FormatTableText(result, *data, *in);
    if (internal) text = present::MarkInternal(text, format);
    if (out.empty()) {
      std::cout << text;
    } else {
      auto written = io::WriteTextFile(out, text);
      if (!written.ok()) return fail(written.error().message);
    }
  });
}

}  // namespace samkart::cli
