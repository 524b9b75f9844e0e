// Who may do what, and how we know who is asking: argon2id password hashes
// (libsodium), random tokens for sessions, CSRF and survey links, a login
// throttle, and the roles' scopes. Nothing here speaks HTTP.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "samkart/core/result.h"
#include "samkart/store/store.h"

namespace samkart::web {

// Initialises libsodium once; false when the library cannot start.
bool InitialiseCrypto();

// argon2id with libsodium's interactive limits (64 MiB, 2 passes).
Result<std::string> HashPassword(std::string_view password);
bool VerifyPassword(std::string_view password, const std::string& hash);
// Why a password is not accepted, in Norwegian; nullopt when it is.
inline constexpr std::size_t kMinPasswordChars = 12;
inline constexpr std::size_t kMaxPasswordBytes =
    1024;  // argon2id hashes what it gets: keep it short
std::optional<std::string> WeakPasswordReason(std::string_view password);

// `bytes` random bytes from the OS as URL-safe base64 (no padding).
std::string RandomToken(std::size_t bytes = 32);

enum class Role { kAdmin, kRegional, kMunicipal, kReader };

std::optional<Role> ParseRole(std::string_view key);
const char* RoleKey(Role role);    // «admin», «regional», «municipal», «reader»
const char* RoleLabel(Role role);  // «Nasjonal administrator» …

// What a logged-in user may see and do. Built from the stored user.
struct Principal {
  int64_t user_id = 0;
  std::string username;
  Role role = Role::kReader;
  std::optional<std::string> region;  // kRegional
  std::optional<int> municipality;    // kMunicipal

  static std::optional<Principal> FromUser(const store::User& user);

  bool IsAdmin() const { return role == Role::kAdmin; }
  // Results of one municipality: admin; the region's analyst; its own coordinator.
  bool CanSeeMunicipality(int number, const std::string& region_of_municipality) const;
  // Results of a region as a whole: admin, that region's analyst.
  bool CanSeeRegion(const std::string& region_key) const;
  // Create and close survey rounds for a municipality: admin or its coordinator.
  bool CanRunSurvey(int number) const;
  bool CanImport() const { return role == Role::kAdmin || role == Role::kRegional; }
  bool CanManageUsers() const { return role == Role::kAdmin; }
};

// Where failed logins are counted: in this process (tests, a lone server)
// or in the store, so every server on one database counts together.
class FailureLedger {
 public:
  using Clock = std::chrono::system_clock;
  struct Failures {
    std::size_t count = 0;
    Clock::time_point last{};
  };
  virtual ~FailureLedger() = default;
  // One more failure of `key` at `now`; a count quiet for a day starts
  // again at one. Returns the count with it.
  virtual Failures Count(const std::string& key, Clock::time_point now) = 0;
  virtual Failures Find(const std::string& key) = 0;
  virtual void Forget(const std::string& key) = 0;
};

class MemoryFailureLedger final : public FailureLedger {
 public:
  Failures Count(const std::string& key, Clock::time_point now) override;
  Failures Find(const std::string& key) override;
  void Forget(const std::string& key) override;

 private:
  // Beyond this many keys, those quiet for a day are forgotten.
  static constexpr std::size_t kMaxRememberedKeys = 100'000;
  std::mutex mutex_;
  std::map<std::string, Failures> failures_;
};

// Refuses a key after its free attempts, for a time that doubles with
// each further failure (from the last one).
class LoginThrottle {
 public:
  using Clock = FailureLedger::Clock;
  // Failures counted in `ledger`, or in a ledger of its own when null.
  explicit LoginThrottle(std::size_t free_attempts = 5,
                         std::chrono::seconds first_lockout = std::chrono::seconds(30),
                         FailureLedger* ledger = nullptr);

  // Seconds to wait before `key` may try again; 0 when it may now.
  long WaitSeconds(const std::string& key, Clock::time_point now = Clock::now());
  void RecordFailure(const std::string& key, Clock::time_point now = Clock::now());
  void RecordSuccess(const std::string& key);
  // Failures of `key` in the last day.
  std::size_t RecentFailures(const std::string& key, Clock::time_point now = Clock::now());

 private:
  std::unique_ptr<MemoryFailureLedger> own_ledger_;
  FailureLedger* ledger_;
  std::size_t free_attempts_;
  std::chrono::seconds first_lockout_;
};

// Who may try to log in now, as OWASP advises against lockouts that others
// can abuse. Failures lock the pair of client address and user name, so a
// stranger elsewhere cannot keep a user out; they lock an address that
// tries many names, at a higher count, since a municipality's staff may
// share one address; and a name tried from many addresses is slowed by a
// delay on every attempt, never locked.
class LoginGuard {
 public:
  using Clock = LoginThrottle::Clock;
  static constexpr std::size_t kFreeAttemptsPerPair = 5;
  static constexpr std::size_t kFreeAttemptsPerAddress = 50;
  static constexpr std::size_t kFailuresBeforeSlowing = 10;
  static constexpr std::chrono::milliseconds kSlowedAttempt{2000};

  struct Verdict {
    long wait_seconds = 0;               // refused: try again after this
    std::chrono::milliseconds delay{0};  // allowed, after this pause
  };
  Verdict Check(const std::string& address, const std::string& username,
                Clock::time_point now = Clock::now());
  void RecordFailure(const std::string& address, const std::string& username,
                     Clock::time_point now = Clock::now());
  void RecordSuccess(const std::string& address, const std::string& username);

  // Failures counted in `ledger` (shared by every server on a store), or
  // in this process when null.
  explicit LoginGuard(FailureLedger* ledger = nullptr);

 private:
  // One ledger, three kinds of key.
  static std::string PairKey(const std::string& address, const std::string& username) {
    return "par:" + address + '\n' + username;
  }
  static std::string AddressKey(const std::string& address) { return "adresse:" + address; }
  static std::string NameKey(const std::string& username) { return "navn:" + username; }
  std::unique_ptr<MemoryFailureLedger> own_ledger_;
  FailureLedger* ledger_;
  LoginThrottle pairs_;
  LoginThrottle addresses_;
  LoginThrottle names_;
};

}  // namespace samkart::web
