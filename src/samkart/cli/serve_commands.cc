// samkart serve [--host H] [--port P] …   the web application (users are
// managed with `samkart user`, user_commands.cc)
#include <algorithm>
#include <csignal>
#include <fstream>
#include <iostream>
#include <map>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <unistd.h>

#include "samkart/cli/context.h"
#include "samkart/core/text.h"
#include "samkart/web/app.h"
#include "samkart/web/auth.h"
#include "samkart/web/http.h"
#include "samkart/web/server.h"

namespace samkart::cli {

namespace {

web::WebServer* running_server = nullptr;

void StopOnSignal(int) {
  if (running_server) running_server->Stop();
}

// The password from stdin (first line), or a generated one that is printed.

// What `samkart serve` reads from the command line beyond the serve options.
struct ServeArguments {
  web::ServeOptions options;
  std::size_t max_upload_mb = 64;
  bool quiet = false;
  std::vector<std::string> limits;  // NAME=VALUE
  std::string log_level = "info";
  std::string access_log;
  std::string privacy_statement;  // a file
};

// Starts the web application with what the command line asked for; runs
// until SIGINT or SIGTERM.
void RunServe(Context& context, ServeArguments& arguments) {
  web::ServeOptions& options = arguments.options;
  options.max_upload_bytes = arguments.max_upload_mb << 20;
  for (const std::string& limit : arguments.limits) {
    if (auto set = web::SetLimit(options, limit); !set.ok()) {
      std::cerr << "feil: " << set.error().message << "\n";
      context.exit_code = 2;
      return;
    }
  }
  web::ParseLogLevel(arguments.log_level, options.log_level);
  if (!arguments.privacy_statement.empty()) {
    std::ifstream file(arguments.privacy_statement, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    if (!file.good() && !file.eof()) text.clear();
    if (text.empty() || !text::IsValidUtf8(text)) {
      std::cerr << "feil: personvernerklæringen " << arguments.privacy_statement
                << " kan ikke leses, er tom eller er ikke UTF-8\n";
      context.exit_code = 2;
      return;
    }
    options.privacy_statement = std::move(text);
  }
  static std::ofstream access_file;
  if (arguments.access_log == "-") {
    options.access_log = &std::cout;
  } else if (!arguments.access_log.empty()) {
    access_file.open(arguments.access_log, std::ios::app);
    if (!access_file) {
      std::cerr << "feil: " << arguments.access_log << ": tilgangsloggen kan ikke skrives\n";
      context.exit_code = 1;
      return;
    }
    options.access_log = &access_file;
  }
  if (!options.tls_cert.empty()) options.secure_cookies = true;
  options.instrument_dir = context.instrument_dir;
  options.crosswalk_files = context.crosswalk_files;
  auto instrument = context.LoadInstrumentOrReport();
  if (!instrument) return;
  auto store = context.OpenStoreOrReport();
  if (!store) return;
  if (!web::InitialiseCrypto()) {
    std::cerr << "feil: libsodium kunne ikke starte\n";
    context.exit_code = 1;
    return;
  }
  // Further connections open as requests need them; the first one has
  // already brought the schema up to date.
  auto open_more = [db = context.db]() {
    store::StoreOptions more;
    more.migrate = false;
    return store::OpenStore(db, more);
  };
  web::App web_app(std::move(*store), std::move(*instrument), options, open_more);
  if (auto loaded = web_app.ReloadDataset(); !loaded.ok()) {
    std::cerr << "feil: " << loaded.error().message << "\n";
    context.exit_code = 1;
    return;
  }
  web::WebServer server(web_app);
  auto port = server.Bind(options.host, options.port);
  if (!port.ok()) {
    std::cerr << "feil: " << port.error().message << "\n";
    context.exit_code = 1;
    return;
  }
  running_server = &server;
  std::signal(SIGINT, StopOnSignal);
  std::signal(SIGTERM, StopOnSignal);
  if (!arguments.quiet) {
    std::cout << fmt::format("Samkart kjører på {}://{}:{}/ (database: {}). Stopp med Ctrl+C.",
                             server.tls() ? "https" : "http", options.host, *port, context.db)
              << std::endl;
  }
  if (!server.Run()) context.exit_code = 1;
  running_server = nullptr;
}

}  // namespace

void AddServeCommands(CLI::App& app, Context& context) {
  auto* serve = app.add_subcommand(
      "serve", "Start webapplikasjonen: spørreskjema, resultatutforsker og administrasjon");
  static ServeArguments arguments;
  web::ServeOptions& options = arguments.options;
  serve->add_option("--host", options.host, "Adresse å lytte på (standard: 127.0.0.1)")
      ->type_name("ADRESSE");
  serve->add_option("--port", options.port, "Port (standard: 8080; 0 = en ledig port)")
      ->check(CLI::Range(0, 65535))
      ->type_name("PORT");
  serve
      ->add_option("--max-upload-mb", arguments.max_upload_mb,
                   "Største opplasting i MB (standard: 64)")
      ->check(CLI::Range(1, 8192))
      ->type_name("MB");
  serve->add_option("--min-n", options.rules.min_n, "Publiseringsregel: minste N per gruppe")
      ->check(CLI::Range(1, 1000))
      ->type_name("N");
  serve
      ->add_option(
          "-k", options.k,
          fmt::format("k-anonymitet når en runde avsluttes (standard: {})", anonymise::kDefaultK))
      ->check(CLI::Range(2, 100));
  serve
      ->add_option("--limit", arguments.limits,
                   "Sett en grense for hva klienter kan sende eller holde, NAVN=VERDI (kan "
                   "gjentas). Grensene og standardverdiene:\n" +
                       web::DescribeLimits(options))
      ->type_name("NAVN=VERDI");
  serve
      ->add_option("--threads", options.threads,
                   "Forespørsler som behandles samtidig (standard: 256)")
      ->check(CLI::Range(1, 4096));
  serve->add_flag("--secure-cookies", options.secure_cookies,
                  "Informasjonskapsler bare over HTTPS (bak en HTTPS-proxy)");
  auto* cert = serve->add_option("--tls-cert", options.tls_cert, "Sertifikat (PEM) for HTTPS")
                   ->check(CLI::ExistingFile)
                   ->type_name("FIL");
  serve->add_option("--tls-key", options.tls_key, "Privat nøkkel (PEM) for HTTPS")
      ->check(CLI::ExistingFile)
      ->needs(cert)
      ->type_name("FIL");
  serve
      ->add_option("--privacy-statement", arguments.privacy_statement,
                   "Personvernerklæringen respondentene leser før første spørsmål (tekst med "
                   "avsnitt; {kommune}, {behandlingsansvarlig}, {kontakt}, {k} og {fritekst} "
                   "fylles inn); uten den brukes standardteksten")
      ->check(CLI::ExistingFile)
      ->type_name("FIL");
  serve
      ->add_option("--public-url", options.public_url,
                   "Adressen brukerne når tjenesten på, f.eks. https://samkart.kommune.no; "
                   "lenkene til spørreskjemaene bygges av den")
      ->check([](const std::string& url) -> std::string {
        if (url.rfind("https://", 0) == 0 || url.rfind("http://", 0) == 0) return "";
        return "må begynne med https:// eller http://";
      })
      ->type_name("URL");
  serve
      ->add_option("--trusted-proxy", options.trusted_proxies,
                   "IP-adressen til en omvendt proxy (f.eks. nginx) som får sette "
                   "X-Forwarded-For; kan gis flere ganger")
      ->check([](const std::string& address) -> std::string {
        return web::IsIpAddress(address) ? "" : "«" + address + "» er ikke en IP-adresse";
      })
      ->type_name("ADRESSE");
  serve
      ->add_option("--log-level", arguments.log_level,
                   "Hva feilloggen (standard feil) tar med: feil, advarsel eller info "
                   "(standard: info)")
      ->check(CLI::IsMember({"feil", "advarsel", "info"}))
      ->type_name("NIVÅ");
  serve
      ->add_option("--access-log", arguments.access_log,
                   "Skriv en linje per forespørsel til denne filen (- for standard ut); lenkene "
                   "til spørreskjemaene skrives aldri")
      ->type_name("FIL");
  serve->add_flag("--quiet", arguments.quiet, "Ikke skriv adressen ved oppstart");
  serve->callback([&context] { RunServe(context, arguments); });
}

}  // namespace samkart::cli
