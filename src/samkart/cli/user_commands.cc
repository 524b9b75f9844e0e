// samkart user add|list|password|disable|delete: accounts from the command
// line, under the same rules as the administration pages (web/accounts.h);
// every change is audited as «(kommandolinjen)». The first administrator is
// created here; there is no default password.
#include <iostream>
#include <map>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <unistd.h>

#include "samkart/cli/context.h"
#include "samkart/web/accounts.h"
#include "samkart/web/auth.h"
#include "samkart/web/http.h"

namespace samkart::cli {

namespace {

struct UserArguments {
  std::string name, role, region;
  std::optional<int> municipality;
  bool generate = false;
};

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

void AddUser(Context& context, const UserArguments& arguments) {
  auto fail = [&context](const Error& error) {
    std::cerr << "feil: " << error.message << "\n";
    context.exit_code = error.code == ErrorCode::kInvalidInput ? 2 : ExitCodeFor(error.code);
  };
  if (auto valid = web::CheckUsername(arguments.name); !valid.ok()) return fail(valid.error());
  std::optional<instrument::Instrument> instrument;
  if (arguments.role == "regional" && !arguments.region.empty()) {
    instrument = context.LoadInstrumentOrReport();
    if (!instrument) return;
  }
  auto store = context.OpenStoreOrReport();
  if (!store) return;
  std::map<int, store::Municipality> register_;
  if (arguments.role == "municipal" && arguments.municipality) {
    auto listed = (*store)->Municipalities();
    if (!listed.ok()) return fail(listed.error());
    for (auto& m : *listed) register_.emplace(m.number, std::move(m));
  }
  const instrument::Instrument no_regions;
  auto scoped = web::ScopedUser({arguments.role, arguments.region, arguments.municipality},
                                instrument ? *instrument : no_regions, register_);
  if (!scoped.ok()) return fail(scoped.error());
  auto password = ReadOrGeneratePassword(arguments.generate, context);
  if (!password) return;
  store::User u = *scoped;
  u.username = arguments.name;
  if (auto added = web::CreateAccount(**store, u, *password); !added.ok()) {
    std::cerr << "feil: " << added.error().message << "\n";
    context.exit_code = ExitCodeFor(added.error().code);
    return;
  }
  if (auto audited =
          (*store)->AppendAudit({0, "", "(kommandolinjen)", "user_add",
                                 fmt::format("{} ({})", arguments.name, arguments.role)});
      !audited.ok()) {
    std::cerr << "feil: revisjonsloggen kunne ikke skrives: " << audited.error().message << "\n";
    context.exit_code = ExitCodeFor(audited.error().code);
  }
  std::cout << fmt::format("Brukeren {} ({}) er opprettet.\n", arguments.name, arguments.role);
}

void ListUsers(Context& context) {
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
}

// The store and the user named on the command line, or why not.
struct Target {
  std::unique_ptr<store::Store> store;
  store::User user;
};

std::optional<Target> OpenTarget(Context& context, const std::string& target) {
  auto store = context.OpenStoreOrReport();
  if (!store) return std::nullopt;
  auto found = (*store)->FindUser(target);
  if (!found.ok() || !*found) {
    std::cerr << fmt::format("feil: ingen bruker heter «{}»\n", target);
    context.exit_code = 1;
    return std::nullopt;
  }
  return Target{std::move(*store), **found};
}

// A new password, or the user disabled; the user's sessions end either way.
void ChangeUser(Context& context, const std::string& target, bool generate, bool set_password) {
  auto opened = OpenTarget(context, target);
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
}

void DeleteUser(Context& context, const std::string& target) {
  auto opened = OpenTarget(context, target);
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
}

}  // namespace

void AddUserCommands(CLI::App& app, Context& context) {
  auto* user = app.add_subcommand("user", "Brukere: opprett, list, bytt passord, deaktiver, slett");
  user->require_subcommand(1);
  static UserArguments arguments;
  auto* add = user->add_subcommand("add", "Opprett en bruker (passord fra standard inn)");
  add->add_option("name", arguments.name, "Brukernavn")->required()->type_name("NAVN");
  add->add_option("--role", arguments.role, "admin, regional, municipal eller reader")
      ->required()
      ->check(CLI::IsMember({"admin", "regional", "municipal", "reader"}))
      ->type_name("ROLLE");
  add->add_option("--region", arguments.region, "KORUS-region (for regional)")->type_name("REGION");
  add->add_option("--municipality", arguments.municipality, "Kommunenummer (for municipal)")
      ->type_name("NR");
  add->add_flag("--generate-password", arguments.generate,
                "Lag et tilfeldig passord og skriv det ut");
  add->callback([&context] { AddUser(context, arguments); });

  user->add_subcommand("list", "List brukerne")->callback([&context] { ListUsers(context); });

  static std::string target;
  auto* password = user->add_subcommand("password", "Sett nytt passord (fra standard inn)");
  password->add_option("name", target, "Brukernavn")->required()->type_name("NAVN");
  password->add_flag("--generate-password", arguments.generate,
                     "Lag et tilfeldig passord og skriv det ut");
  password->callback([&context] { ChangeUser(context, target, arguments.generate, true); });
  auto* disable = user->add_subcommand("disable", "Deaktiver en bruker og avslutt øktene");
  disable->add_option("name", target, "Brukernavn")->required()->type_name("NAVN");
  disable->callback([&context] { ChangeUser(context, target, arguments.generate, false); });

  auto* remove = user->add_subcommand(
      "delete", "Slett en bruker for godt, med øktene (revisjonsloggen beholder navnet)");
  remove->add_option("name", target, "Brukernavn")->required()->type_name("NAVN");
  remove->callback([&context] { DeleteUser(context, target); });
}

}  // namespace samkart::cli
