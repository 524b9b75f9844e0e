// The rules for user accounts, one copy for `samkart user` and the
// administration pages: which names, roles and scopes are valid, and how an
// account is created, saved (ending its sessions when it must) and deleted.
// Who did it is recorded by the caller, which knows the actor.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "samkart/core/result.h"
#include "samkart/instrument/instrument.h"
#include "samkart/store/store.h"

namespace samkart::web {

// The longest user name, in bytes.
inline constexpr std::size_t kMaxUsernameBytes = 64;

// 1–64 bytes, no white space (nor \v, \f or NUL) and none of <>"'&.
bool ValidUsername(std::string_view name);
Status CheckUsername(std::string_view name);

// What a new or changed account asks for, as typed.
struct AccountScope {
  std::string role;                 // «admin», «regional», «municipal», «reader»
  std::string region;               // a KORUS region key, for «regional»
  std::optional<int> municipality;  // a number in the register, for «municipal»
};

// The user with role and scope set, or why the scope is not valid: a
// regional analyst needs a known KORUS region, a municipal coordinator a
// municipality in the register.
Result<store::User> ScopedUser(const AccountScope& scope, const instrument::Instrument& instrument,
                               const std::map<int, store::Municipality>& register_);

// Creates the account with the password hashed (argon2id); refuses a name
// that exists. The password must already have passed WeakPasswordReason.
Result<int64_t> CreateAccount(store::Store& store, store::User user, std::string_view password);

// Sets a new password hash on `user` (not saved).
Status SetPassword(store::User& user, std::string_view password);

// Saves a changed account; with `end_sessions` its sessions end too, so a
// disabled user or a changed password takes effect at once.
Status SaveAccount(store::Store& store, const store::User& user, bool end_sessions);

}  // namespace samkart::web
