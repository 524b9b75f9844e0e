#include "samkart/web/auth.h"

#include <algorithm>
#include <vector>

#include <fmt/format.h>
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

namespace {

// The words the most common passwords are made of (lists of leaked
// passwords, English and Norwegian); a password that is one of them with
// digits or signs around it is guessed among the first.
constexpr std::string_view kCommonPasswordWords[] = {
    "password",      "passord",  "passwort", "qwerty",   "qwertyuiop", "asdfgh",       "asdfghjkl",
    "zxcvbn",        "abc",      "abcdef",   "letmein",  "welcome",    "velkommen",    "admin",
    "administrator", "root",     "login",    "logginn",  "iloveyou",   "jegelskerdeg", "sommer",
    "vinter",        "høst",     "vår",      "summer",   "winter",     "monkey",       "dragon",
    "football",      "fotball",  "sunshine", "princess", "master",     "secret",       "hemmelig",
    "changeme",      "samkart",  "kommune",  "norge",    "norway",     "oslo",         "bergen",
    "trondheim",     "test",     "testing",  "superman", "batman",     "starwars",     "hello",
    "hallo",         "trustno1", "baseball", "shadow",   "michael",    "charlie",      "freedom"};

// `password` in lower case without the digits and signs around a word.
std::string Stem(std::string_view password) {
  std::string lower;
  for (const char c : password) {
    lower += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  auto filler = [](char c) {
    return (c >= '0' && c <= '9') || c == '!' || c == '.' || c == '?' || c == '#' || c == '@' ||
           c == '_' || c == '-' || c == '*' || c == ' ' || c == '$' || c == '&';
  };
  std::size_t first = 0, last = lower.size();
  while (first < last && filler(lower[first])) ++first;
  while (last > first && filler(lower[last - 1])) --last;
  return lower.substr(first, last - first);
}

// «123456789012», «987654321098»: a run of digits up or down.
bool DigitRun(std::string_view password) {
  if (password.size() < 2) return false;
  for (const int step : {1, -1}) {
    bool run = true;
    for (std::size_t i = 0; run && i < password.size(); ++i) {
      const char c = password[i];
      if (c < '0' || c > '9') run = false;
      if (run && i > 0) run = (password[i - 1] - '0' + step + 10) % 10 == c - '0';
    }
    if (run) return true;
  }
  return false;
}

}  // namespace

std::optional<std::string> WeakPasswordReason(std::string_view password) {
  if (password.size() < kMinPasswordChars) {
    return fmt::format("passordet må ha minst {} tegn", kMinPasswordChars);
  }
  if (password.size() > kMaxPasswordBytes) {
    return fmt::format("passordet kan ha høyst {} tegn", kMaxPasswordBytes);
  }
  if (std::all_of(password.begin(), password.end(),
                  [&](char c) { return c == password.front(); })) {
    return "passordet kan ikke være ett tegn gjentatt";
  }
  if (DigitRun(password)) return "passordet kan ikke være en rekke sifre";
  const std::string stem = Stem(password);
  for (const std::string_view word : kCommonPasswordWords) {
    if (stem == word) {
      return "passordet er et av de vanligste (et kjent ord med tall eller tegn rundt); velg en "
             "setning eller flere ord";
    }
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

FailureLedger::Failures MemoryFailureLedger::Count(const std::string& key, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  // Keep the map from growing without bound: forget quiet keys.
  if (failures_.size() > kMaxRememberedKeys) {
    std::erase_if(failures_, [&](const auto& entry) {
      return now - entry.second.last > std::chrono::hours(24);
    });
  }
  Failures& failures = failures_[key];
  if (now - failures.last > std::chrono::hours(24)) failures.count = 0;
  failures.last = now;
  ++failures.count;
  return failures;
}

FailureLedger::Failures MemoryFailureLedger::Find(const std::string& key) {
  std::lock_guard lock(mutex_);
  const auto it = failures_.find(key);
  return it == failures_.end() ? Failures{} : it->second;
}

void MemoryFailureLedger::Forget(const std::string& key) {
  std::lock_guard lock(mutex_);
  failures_.erase(key);
}

LoginThrottle::LoginThrottle(std::size_t free_attempts, std::chrono::seconds first_lockout,
                             FailureLedger* ledger)
    : own_ledger_(ledger ? nullptr : std::make_unique<MemoryFailureLedger>()),
      ledger_(ledger ? ledger : own_ledger_.get()),
      free_attempts_(free_attempts),
      first_lockout_(first_lockout) {}

long LoginThrottle::WaitSeconds(const std::string& key, Clock::time_point now) {
  const FailureLedger::Failures failures = ledger_->Find(key);
  if (failures.count < free_attempts_ || free_attempts_ == 0) return 0;
  const std::size_t doublings = std::min<std::size_t>(failures.count - free_attempts_, 10);
  const Clock::time_point locked_until = failures.last + first_lockout_ * (1L << doublings);
  if (locked_until <= now) return 0;
  return static_cast<long>(std::chrono::ceil<std::chrono::seconds>(locked_until - now).count());
}

void LoginThrottle::RecordFailure(const std::string& key, Clock::time_point now) {
  ledger_->Count(key, now);
}

void LoginThrottle::RecordSuccess(const std::string& key) { ledger_->Forget(key); }

std::size_t LoginThrottle::RecentFailures(const std::string& key, Clock::time_point now) {
  const FailureLedger::Failures failures = ledger_->Find(key);
  return now - failures.last > std::chrono::hours(24) ? 0 : failures.count;
}

LoginGuard::LoginGuard(FailureLedger* ledger)
    : own_ledger_(ledger ? nullptr : std::make_unique<MemoryFailureLedger>()),
      ledger_(ledger ? ledger : own_ledger_.get()),
      pairs_(kFreeAttemptsPerPair, std::chrono::seconds(30), ledger_),
      addresses_(kFreeAttemptsPerAddress, std::chrono::seconds(30), ledger_),
      names_(kFailuresBeforeSlowing, std::chrono::seconds(0), ledger_) {}

LoginGuard::Verdict LoginGuard::Check(const std::string& address, const std::string& username,
                                      Clock::time_point now) {
  Verdict verdict;
  verdict.wait_seconds = std::max(pairs_.WaitSeconds(PairKey(address, username), now),
                                  addresses_.WaitSeconds(AddressKey(address), now));
  if (names_.RecentFailures(NameKey(username), now) >= kFailuresBeforeSlowing) {
    verdict.delay = kSlowedAttempt;
  }
  return verdict;
}

void LoginGuard::RecordFailure(const std::string& address, const std::string& username,
                               Clock::time_point now) {
  pairs_.RecordFailure(PairKey(address, username), now);
  addresses_.RecordFailure(AddressKey(address), now);
  names_.RecordFailure(NameKey(username), now);
}

void LoginGuard::RecordSuccess(const std::string& address, const std::string& username) {
  pairs_.RecordSuccess(PairKey(address, username));
  names_.RecordSuccess(NameKey(username));
}

}  // namespace samkart::web
