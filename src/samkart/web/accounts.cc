#include "samkart/web/accounts.h"

#include <algorithm>

#include <fmt/format.h>

#include "samkart/web/admin.h"
#include "samkart/web/auth.h"

namespace samkart::web {

bool ValidUsername(std::string_view name) {
  return !name.empty() && name.size() <= kMaxUsernameBytes &&
         name.find_first_of(std::string_view(" \t\r\n\v\f<>\"'&\0", 13)) == std::string_view::npos;
}

Status CheckUsername(std::string_view name) {
  if (ValidUsername(name)) return Ok();
  return Error{fmt::format("Brukernavnet må ha 1–{} tegn uten mellomrom, <, >, \", ' eller &.",
                           kMaxUsernameBytes)};
}

Result<store::User> ScopedUser(const AccountScope& scope, const instrument::Instrument& instrument,
                               const std::map<int, store::Municipality>& register_) {
  store::User user;
  const auto role = ParseRole(scope.role);
  if (!role) return Error{fmt::format("Ukjent rolle «{}».", PrintableName(scope.role))};
  user.role = RoleKey(*role);
  if (*role == Role::kRegional) {
    if (scope.region.empty()) return Error{"En regional analytiker trenger en KORUS-region."};
    const auto& regions = instrument.regions;
    if (std::none_of(regions.begin(), regions.end(),
                     [&](const instrument::Code& r) { return r.key == scope.region; })) {
      return Error{fmt::format("Ukjent KORUS-region «{}».", PrintableName(scope.region))};
    }
    user.region = scope.region;
  }
  if (*role == Role::kMunicipal) {
    if (!scope.municipality) return Error{"En kommunekoordinator trenger en kommune."};
    if (!register_.count(*scope.municipality)) {
      return Error{
          fmt::format("Kommunen «{}» finnes ikke i kommuneregisteret.", *scope.municipality),
          ErrorCode::kNotFound};
    }
    user.municipality = scope.municipality;
  }
  return user;
}

Status SetPassword(store::User& user, std::string_view password) {
  SAMKART_ASSIGN_OR_RETURN(user.password_hash, HashPassword(password));
  return Ok();
}

Result<int64_t> CreateAccount(store::Store& store, store::User user, std::string_view password) {
  SAMKART_TRY(CheckUsername(user.username));
  SAMKART_ASSIGN_OR_RETURN(const auto existing, store.FindUser(user.username));
  if (existing) {
    return Error{fmt::format("Brukernavnet «{}» finnes fra før.", user.username),
                 ErrorCode::kConflict};
  }
  SAMKART_TRY(SetPassword(user, password));
  return store.AddUser(user);
}

Status SaveAccount(store::Store& store, const store::User& user, bool end_sessions) {
  SAMKART_TRY(store.UpdateUser(user));
  if (end_sessions) SAMKART_TRY(store.DeleteSessionsOfUser(user.id));
  return Ok();
}

}  // namespace samkart::web
