#include "samkart/web/auth.h"

#include <algorithm>
#include <vector>

#include <sodium.h>

namespace samkart::web {

bool InitialiseCrypto() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}

Result<std::string> HashPassword(std::string_view password) {
  if (!InitialiseCrypto()) return Error{"libsodium kunne ikke starte"};
  std::vector<char> out(crypto_pwhash_STRBYTES);
  if (crypto_pwhash_str_alg(out.data(), password.data(), password.size(),
                            crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Error{"for lite minne til å beregne passordhashen"};
  }
  return std::string(out.data());
}

bool VerifyPassword(std::string_view password, const std::string& hash) {
  if (!InitialiseCrypto() || hash.empty()) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

std::optional<std::string> WeakPasswordReason(std::string_view password) {
  if (password.size() < 12) return "passordet må ha minst 12 tegn";
  if (password.size() > 1024) return "passordet kan ha høyst 1024 tegn";
  if (std::all_of(password.begin(), password.end(),
                  [&](char c) { return c == password.front(); })) {
    return "passordet kan ikke være ett tegn gjentatt";
  }
  return std::nullopt;
}

std::string RandomToken(std::size_t bytes) {
  InitialiseCrypto();
  std::vector<unsigned char> raw(bytes);
  randombytes_buf(raw.data(), raw.size());
  std::vector<char> text(
      sodium_base64_ENCODED_LEN(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING));
  sodium_bin2base64(text.data(), text.size(), raw.data(), raw.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return std::string(text.data());
}

namespace {
struct RoleInfo {
  Role role;
  const char* key;
  const char* label;
};
constexpr RoleInfo kRoles[] = {
    {Role::kAdmin, "admin", "Nasjonal administrator"},
    {Role::kRegional, "regional", "Regional analytiker"},
    {Role::kMunicipal, "municipal", "Kommunekoordinator"},
    {Role::kReader, "reader", "Leser"},
};
}  // namespace

std::optional<Role> ParseRole(std::string_view key) {
  for (const RoleInfo& r : kRoles) {
    if (key == r.key) return r.role;
  }
  return std::nullopt;
}

const char* RoleKey(Role role) {
  for (const RoleInfo& r : kRoles) {
    if (r.role == role) return r.key;
  }
  return "reader";
}

const char* RoleLabel(Role role) {
  for (const RoleInfo& r : kRoles) {
    if (r.role == role) return r.label;
  }
  return "Leser";
}

std::optional<Principal> Principal::FromUser(const store::User& user) {
  if (!user.active) return std::nullopt;
  const auto role = ParseRole(user.role);
  if (!role) return std::nullopt;
  Principal p;
  p.user_id = user.id;
  p.username = user.username;
  p.role = *role;
  // A scoped role without its scope sees nothing rather than everything.
  if (*role == Role::kRegional) {
    if (!user.region) return std::nullopt;
    p.region = user.region;
  }
  if (*role == Role::kMunicipal) {
    if (!user.municipality) return std::nullopt;
    p.municipality = user.municipality;
  }
  return p;
}

bool Principal::CanSeeMunicipality(int number, const std::string& region_of_municipality) const {
  switch (role) {
    case Role::kAdmin:
      return true;
    case Role::kRegional:
      return region && *region == region_of_municipality;
    case Role::kMunicipal:
      return municipality && *municipality == number;
    case Role::kReader:
      return false;
  }
  return false;
}

bool Principal::CanSeeRegion(const std::string& region_key) const {
  return role == Role::kAdmin || (role == Role::kRegional && region && *region == region_key);
}

bool Principal::CanRunSurvey(int number) const {
  return role == Role::kAdmin || (role == Role::kMunicipal && municipality == number);
}

long LoginThrottle::WaitSeconds(const std::string& key, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  const auto it = states_.find(key);
  if (it == states_.end() || it->second.locked_until <= now) return 0;
  return static_cast<long>(
      std::chrono::ceil<std::chrono::seconds>(it->second.locked_until - now).count());
}

void LoginThrottle::RecordFailure(const std::string& key, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  // Forget failures after a quiet day, and keep the map from growing without bound.
  if (states_.size() > 100000) {
    std::erase_if(states_, [&](const auto& entry) {
      return entry.second.locked_until <= now &&
             now - entry.second.last_failure > std::chrono::hours(24);
    });
  }
  State& state = states_[key];
  if (now - state.last_failure > std::chrono::hours(24)) state.failures = 0;
  state.last_failure = now;
  ++state.failures;
  if (state.failures >= free_attempts_) {
    const std::size_t doublings = std::min<std::size_t>(state.failures - free_attempts_, 10);
    state.locked_until = now + first_lockout_ * (1L << doublings);
  }
}

void LoginThrottle::RecordSuccess(const std::string& key) {
  std::lock_guard lock(mutex_);
  states_.erase(key);
}

}  // namespace samkart::web
