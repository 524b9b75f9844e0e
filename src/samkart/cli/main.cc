// samkart: the command-line shell over the Samkart library. It parses
// arguments, calls the library and turns results into text and exit codes.
#include <cstdlib>
#include <exception>
#include <iostream>
#include <regex>
#include <string>

#include <CLI/CLI.hpp>

#include "samkart/cli/context.h"
#include "samkart/cli/progress.h"

namespace {

// CLI11's help text in Norwegian, matching the rest of the tool.
void UseNorwegianLabels(CLI::App& app) {
  auto formatter = app.get_formatter();
  formatter->label("Usage", "Bruk");
  formatter->label("OPTIONS", "VALG");
  formatter->label("Options", "Valg");
  formatter->label("SUBCOMMAND", "KOMMANDO");
  formatter->label("SUBCOMMANDS", "KOMMANDOER");
  formatter->label("Subcommands", "Kommandoer");
  formatter->label("Positionals", "Argumenter");
  formatter->label("REQUIRED", "PÅKREVD");
  formatter->label("TEXT", "TEKST");
  formatter->label("INT", "HELTALL");
  formatter->label("Needs", "Krever");
  formatter->label("Excludes", "Utelukker");
}

// CLI11's parse errors in Norwegian: the common ones translated, the
// rest as CLI11 words them, all with where to find help.
std::string NorwegianFailure(const CLI::App* app, const CLI::Error& error) {
  std::string message = error.what();
  struct Translation {
    std::regex pattern;
    const char* replacement;
  };
  static const Translation kTranslations[] = {
      {std::regex(R"((.*?)(\S+) not in \{(.*)\})"),
       "$1«$2» er ikke et gyldig valg; velg en av: $3"},
      {std::regex(R"((.*): Value (\S+) not in range (\S+) to (\S+))"),
       "$1: $2 er utenfor det tillatte området $3–$4"},
      {std::regex(R"(^A subcommand is required$)"), "velg en kommando"},
      {std::regex(R"((.*) is required)"), "$1 må oppgis"},
      {std::regex(R"(The following arguments? (?:was|were) not expected: (.*))"),
       "ukjent argument: $1"},
      {std::regex(R"(Could not convert: (.*) = (.*))"), "$1: kunne ikke lese «$2»"},
  };
  for (const Translation& t : kTranslations) {
    if (std::regex_search(message, t.pattern)) {
      message = std::regex_replace(message, t.pattern, t.replacement,
                                   std::regex_constants::format_first_only);
      break;
    }
  }
  if (const auto list = message.find("velg en av: "); list != std::string::npos) {
    message =
        message.substr(0, list) + std::regex_replace(message.substr(list), std::regex(","), ", ");
  }
  std::string command = app->get_name();
  for (const CLI::App* parent = app->get_parent(); parent != nullptr;
       parent = parent->get_parent()) {
    command = parent->get_name() + " " + command;
  }
  return "samkart: " + message + "\nSe «" + command + " --help» for mer hjelp.\n";
}

// Option and subcommand group titles are per object, not formatter labels.
void UseNorwegianGroups(CLI::App& app) {
  for (CLI::Option* option : app.get_options()) {
    if (option->get_group() == "Options") option->group("Valg");
  }
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    if (sub->get_group() == "Subcommands") sub->group("Kommandoer");
    UseNorwegianGroups(*sub);
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Samkart – kompetansekartleggingen BTI/BTS fra spørreskjema til rapport.\n"
      "Alle data som følger med, er syntetiske.",
      "samkart"};
  UseNorwegianLabels(app);
  app.failure_message(NorwegianFailure);
  app.set_help_flag("-h,--help", "Vis denne hjelpeteksten");
  app.set_version_flag("--version", SAMKART_VERSION, "Vis versjonsnummeret");
  app.require_subcommand(1);
  app.fallthrough();

  samkart::cli::Context context;
  app.add_option("--instrument", context.instrument_dir,
                 "Mappe med instrumentfiler (standard: instrumentet som er bygd inn i programmet)")
      ->check(CLI::ExistingDirectory)
      ->type_name("MAPPE");
  app.add_option("--crosswalk", context.crosswalk_files,
                 "Kryssnøkkel for eget eksportoppsett, i tillegg til instrumentets (kan gjentas; "
                 "lag et utkast med «samkart crosswalk suggest»)")
      ->check(CLI::ExistingFile)
      ->type_name("FIL");
  const char* db_from_environment = std::getenv("SAMKART_DB");
  context.db = db_from_environment ? db_from_environment : "samkart.sqlite";
  app.add_option("--db", context.db,
                 "Databasen: en SQLite-fil (opprettes ved behov) eller en PostgreSQL-URL "
                 "postgresql://BRUKER@VERT:PORT/DATABASE (standard: $SAMKART_DB eller "
                 "samkart.sqlite; passord helst i $PGPASSWORD eller ~/.pgpass)")
      ->type_name("DB");
  app.add_flag("--progress", samkart::cli::ProgressInLogs(),
               "Vis framdrift linje for linje også når utdata går til en fil eller et rør");
  samkart::cli::AddInstrumentCommands(app, context);
  samkart::cli::AddSynthCommand(app, context);
  samkart::cli::AddDescribeCommand(app, context);
  samkart::cli::AddCrosswalkCommands(app, context);
  samkart::cli::AddStoreCommands(app, context);
  samkart::cli::AddTableCommand(app, context);
  samkart::cli::AddAnalyseCommand(app, context);
  samkart::cli::AddAuditCommand(app, context);
  samkart::cli::AddReportCommand(app, context);
  samkart::cli::AddServeCommands(app, context);
  samkart::cli::AddUserCommands(app, context);
  samkart::cli::AddDatabaseCommands(app, context);
  UseNorwegianGroups(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::cerr << "samkart: uventet feil: " << e.what() << "\n";
    return 70;  // EX_SOFTWARE: a bug, not the user's fault
  }
  return context.exit_code;
}
