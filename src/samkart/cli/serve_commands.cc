// samkart serve [--host H] [--port P] …   the web application
// samkart user add|list|password|disable|delete   users, from the command line
// (the first administrator is created here; there is no default password)
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
#include "samkart/web/accounts.h"
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
std::optional<std::string> ReadOrGeneratePassword(bool generate, Context& context) {
  if (generate) {
    std::string password = web::RandomToken(15);
    std::cout << "Passord: " << password << "\n";
    return password;
  }
  if (isatty(STDIN_FILENO)) std::cerr << "Passord (én linje på standard inn): ";
  std::string password;
  if (!std::getline(std::cin, password)) {
    std::cerr << "feil: fant ikke noe passord på standard inn (bruk --generate-password for å "
                 "lage et)\n";
    context.exit_code = 2;
    return std::nullopt;
  }
  if (!password.empty() && password.back() == '\r') password.pop_back();
  if (auto weak = web::WeakPasswordReason(password)) {
    std::cerr << "feil: " << *weak << "\n";
    context.exit_code = 2;
    return std::nullopt;
  }
  return password;
}

}  // namespace

void AddServeCommands(CLI::App& app, Context& context) {
  // --- serve ---
  auto* serve = app.add_subcommand(
      "serve", "Start webapplikasjonen: spørreskjema, resultatutforsker og administrasjon");
  static web::ServeOptions options;
  static std::size_t max_upload_mb = 64;
  static bool quiet = false;
  serve->add_option("--host", options.host, "Adresse å lytte på (standard: 127.0.0.1)")
      ->type_name("ADRESSE");
  serve->add_option("--port", options.port, "Port (standard: 8080; 0 = en ledig port)")
      ->check(CLI::Range(0, 65535))
      ->type_name("PORT");
  serve->add_option("--max-upload-mb", max_upload_mb, "Største opplasting i MB (standard: 64)")
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
  static std::vector<std::string> limits;
  serve
      ->add_option("--limit", limits,
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
  static std::string log_level = "info";
  serve
      ->add_option("--log-level", log_level,
                   "Hva feilloggen (standard feil) tar med: feil, advarsel eller info "
                   "(standard: info)")
      ->check(CLI::IsMember({"feil", "advarsel", "info"}))
      ->type_name("NIVÅ");
  static std::string access_log;
  serve
      ->add_option("--access-log", access_log,
                   "Skriv en linje per forespørsel til denne filen (- for standard ut); lenkene "
                   "til spørreskjemaene skrives aldri")
      ->type_name("FIL");
  serve->add_flag("--quiet", quiet, "Ikke skriv adressen ved oppstart");
  serve->callback([&context] {
    options.max_upload_bytes = max_upload_mb << 20;
    for (const std::string& limit : limits) {
      if (auto set = web::SetLimit(options, limit); !set.ok()) {
        std::cerr << "feil: " << set.error().message << "\n";
        context.exit_code = 2;
        return;
      }
    }
    web::ParseLogLevel(log_level, options.log_level);
    static std::ofstream access_file;
    if (access_log == "-") {
      options.access_log = &std::cout;
    } else if (!access_log.empty()) {
      access_file.open(access_log, std::ios::app);
      if (!access_file) {
        std::cerr << "feil: " << access_log << ": tilgangsloggen kan ikke skrives\n";
        context.exit_code = 1;
        return;
      }
      options.access_log = &access_file;
    }
    if (!options.tls_cert.empty()) options.secure_cookies = true;
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
    if (!quiet) {
      std::cout << fmt::format("Samkart kjører på {}://{}:{}/ (database: {}). Stopp med Ctrl+C.",
                               server.tls() ? "https" : "http", options.host, *port, context.db)
                << std::endl;
    }
    if (!server.Run()) context.exit_code = 1;
    running_server = nullptr;
  });

  // --- user ---
  auto* user = app.add_subcommand("user", "Brukere: opprett, list, bytt passord, deaktiver, slett");
  user->require_subcommand(1);
  static std::string name, role, region;
  static std::optional<int> municipality;
  static bool generate = false;

  auto* add = user->add_subcommand("add", "Opprett en bruker (passord fra standard inn)");
  add->add_option("name", name, "Brukernavn")->required()->type_name("NAVN");
  add->add_option("--role", role, "admin, regional, municipal eller reader")
      ->required()
      ->check(CLI::IsMember({"admin", "regional", "municipal", "reader"}))
      ->type_name("ROLLE");
  add->add_option("--region", region, "KORUS-region (for regional)")->type_name("REGION");
  add->add_option("--municipality", municipality, "Kommunenummer (for municipal)")->type_name("NR");
  add->add_flag("--generate-password", generate, "Lag et tilfeldig passord og skriv det ut");
  add->callback([&context] {
    auto fail = [&context](const Error& error) {
      std::cerr << "feil: " << error.message << "\n";
      context.exit_code = error.code == ErrorCode::kInvalidInput ? 2 : ExitCodeFor(error.code);
    };
    if (auto valid = web::CheckUsername(name); !valid.ok()) return fail(valid.error());
    std::optional<instrument::Instrument> instrument;
    if (role == "regional" && !region.empty()) {
      instrument = context.LoadInstrumentOrReport();
      if (!instrument) return;
    }
    auto store = context.OpenStoreOrReport();
    if (!store) return;
    std::map<int, store::Municipality> register_;
    if (role == "municipal" && municipality) {
      auto listed = (*store)->Municipalities();
      if (!listed.ok()) return fail(listed.error());
      for (auto& m : *listed) register_.emplace(m.number, std::move(m));
    }
    const instrument::Instrument no_regions;
    auto scoped = web::ScopedUser({role, region, municipality},
                                  instrument ? *instrument : no_regions, register_);
    if (!scoped.ok()) return fail(scoped.error());
    auto password = ReadOrGeneratePassword(generate, context);
    if (!password) return;
    store::User u = *scoped;
    u.username = name;
    if (auto added = web::CreateAccount(**store, u, *password); !added.ok()) {
      std::cerr << "feil: " << added.error().message << "\n";
      context.exit_code = ExitCodeFor(added.error().code);
      return;
    }
    if (auto audited = (*store)->AppendAudit(
            {0, "", "(kommandolinjen)", "user_add", fmt::format("{} ({})", name, role)});
        !audited.ok()) {
      std::cerr << "feil: revisjonsloggen kunne ikke skrives: " << audited.error().message << "\n";
      context.exit_code = ExitCodeFor(audited.error().code);
    }
    std::cout << fmt::format("Brukeren {} ({}) er opprettet.\n", name, role);
  });

  auto* list = user->add_subcommand("list", "List brukerne");
  list->callback([&context] {
    auto store = context.OpenStoreOrReport();
    if (!store) return;
    auto users = (*store)->Users();
    if (!users.ok()) {
      std::cerr << "feil: " << users.error().message << "\n";
      context.exit_code = 1;
      return;
    }
    if (users->empty()) std::cout << "Ingen brukere. Opprett en med «samkart user add».\n";
    for (const auto& u : *users) {
      std::cout << fmt::format("{:<24} {:<10} {:<12} {}\n", u.username, u.role,
                               u.region         ? *u.region
                               : u.municipality ? std::to_string(*u.municipality)
                                                : "",
                               u.active ? "aktiv" : "deaktivert");
    }
  });

  static std::string target;
  auto* password = user->add_subcommand("password", "Sett nytt passord (fra standard inn)");
  password->add_option("name", target, "Brukernavn")->required()->type_name("NAVN");
  password->add_flag("--generate-password", generate, "Lag et tilfeldig passord og skriv det ut");
  auto* disable = user->add_subcommand("disable", "Deaktiver en bruker og avslutt øktene");
  disable->add_option("name", target, "Brukernavn")->required()->type_name("NAVN");
  // The store and the user named on the command line, or why not.
  struct Target {
    std::unique_ptr<store::Store> store;
    store::User user;
  };
  const auto open_target = [&context]() -> std::optional<Target> {
    auto store = context.OpenStoreOrReport();
    if (!store) return std::nullopt;
    auto found = (*store)->FindUser(target);
    if (!found.ok() || !*found) {
      std::cerr << fmt::format("feil: ingen bruker heter «{}»\n", target);
      context.exit_code = 1;
      return std::nullopt;
    }
    return Target{std::move(*store), **found};
  };
  const auto change = [&context, open_target](bool set_password) {
    auto opened = open_target();
    if (!opened) return;
    auto& store = opened->store;
    store::User u = opened->user;
    if (set_password) {
      auto secret = ReadOrGeneratePassword(generate, context);
      if (!secret) return;
      if (auto set = web::SetPassword(u, *secret); !set.ok()) {
        std::cerr << "feil: " << set.error().message << "\n";
        context.exit_code = ExitCodeFor(set.error().code);
        return;
      }
    } else {
      u.active = false;
    }
    // The sessions end with the change: a disabled user or an old password
    // must not stay logged in.
    if (auto saved = web::SaveAccount(*store, u, true); !saved.ok()) {
      std::cerr << "feil: " << saved.error().message << "\n";
      context.exit_code = ExitCodeFor(saved.error().code);
      return;
    }
    if (auto audited = store->AppendAudit(
            {0, "", "(kommandolinjen)", set_password ? "user_password" : "user_disable", target});
        !audited.ok()) {
      std::cerr << "feil: revisjonsloggen kunne ikke skrives: " << audited.error().message << "\n";
      context.exit_code = ExitCodeFor(audited.error().code);
    }
    std::cout << (set_password ? "Passordet er endret.\n" : "Brukeren er deaktivert.\n");
  };
  password->callback([change] { change(true); });
  disable->callback([change] { change(false); });

  auto* remove = user->add_subcommand(
      "delete", "Slett en bruker for godt, med øktene (revisjonsloggen beholder navnet)");
  remove->add_option("name", target, "Brukernavn")->required()->type_name("NAVN");
  remove->callback([&context, open_target] {
    auto opened = open_target();
    if (!opened) return;
    auto& store = opened->store;
    if (auto deleted = store->DeleteUser(opened->user.id); !deleted.ok()) {
      std::cerr << "feil: " << deleted.error().message << "\n";
      context.exit_code = 1;
      return;
    }
    std::cout << "Brukeren er slettet.\n";
    if (auto audited = store->AppendAudit({0, "", "(kommandolinjen)", "user_delete", target});
        !audited.ok()) {
      std::cerr << "feil: revisjonsloggen kunne ikke skrives: " << audited.error().message << "\n";
      context.exit_code = 1;
    }
  });
}

}  // namespace samkart::cli
