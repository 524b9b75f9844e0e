// The state `samkart serve` shares between requests: the store connections
// (a pool, since a connection serves one caller at a time), the
// instrument, the publication rules and a snapshot of the analysis dataset
// that is swapped, never changed, when an import or a closed survey round
// adds respondents.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "samkart/analysis/dataset.h"
#include "samkart/analysis/publication.h"
#include "samkart/anonymise/k_anonymity.h"
#include "samkart/core/result.h"
#include "samkart/instrument/instrument.h"
#include "samkart/store/store.h"
#include "samkart/web/auth.h"
#include "samkart/web/connection_limits.h"
#include "samkart/web/input_limits.h"
#include "samkart/web/pending_uploads.h"
#include "samkart/web/server_log.h"
#include "samkart/web/store_pool.h"
#include "samkart/web/survey_budget.h"

namespace samkart::web {

struct ServeOptions {
  std::string host = "127.0.0.1";
  int port = 8080;
  // Uploads (imports) larger than this are refused from the Content-Length
  // header, before the body is read.
  std::size_t max_upload_bytes = 64u << 20;
  // Sessions expire after this many hours.
  int session_hours = 8;
  // Cookies get the Secure attribute: set when served over TLS or behind an
  // HTTPS proxy.
  bool secure_cookies = false;
  std::string tls_cert, tls_key;  // both set: serve HTTPS
  // Where users reach the server, e.g. https://samkart.example.no: survey
  // links are built from it, never from the request's Host header (which
  // the client chooses). Empty: the listening address.
  std::string public_url;
  // Reverse proxies whose X-Forwarded-For is believed, so the login
  // throttle and the audit log see the client's address, not the proxy's.
  std::vector<std::string> trusted_proxies;
  analysis::PublicationRules rules;
  std::size_t k = anonymise::kDefaultK;  // k-anonymity when a survey round is closed
  // Requests served at once. A connection holds a worker only while its
  // request is read and answered (over plain HTTP; with --tls-cert, for as
  // long as it is open).
  int threads = 256;
  // Database connections the requests share, opened as they are needed.
  std::size_t store_connections = 8;
  ConnectionLimits connections;
  InputLimits limits;
  SurveyBudgetRules survey_budget;
  // The error log (standard error unless set) and its level; the access
  // log, one line per request, only when set. Streams outlive the App.
  LogLevel log_level = LogLevel::kInfo;
  std::ostream* error_log = nullptr;
  std::ostream* access_log = nullptr;
  std::string work_dir;  // uploads and generated reports; a temporary folder when empty
  // Where the instrument was loaded from (empty: the one embedded in the
  // binary) and the crosswalk files added to it (`--crosswalk`), so an
  // import with a crosswalk drafted in the browser can load the same
  // instrument with that crosswalk beside them.
  std::string instrument_dir;
  std::vector<std::string> crosswalk_files;
  // How often a request checks whether another process imported.
  int dataset_check_seconds = 10;
  // The installation's privacy statement (survey_privacy.h); empty: the default.
  std::string privacy_statement;
};

class App;

// Failed logins counted in the store, so every server on one database
// throttles together. When the store does not answer, nothing is counted
// (nobody can log in then anyway).
class StoreFailureLedger final : public FailureLedger {
 public:
  explicit StoreFailureLedger(App& app) : app_(app) {}
  Failures Count(const std::string& key, Clock::time_point now) override;
  Failures Find(const std::string& key) override;
  void Forget(const std::string& key) override;

 private:
  App& app_;
};

class App {
 public:
  // `open_more` opens further connections to the same store, up to
  // ServeOptions::store_connections; without it the one given is shared.
  App(std::unique_ptr<store::Store> store, instrument::Instrument instrument, ServeOptions options,
      StorePool::Opener open_more = {});

  const instrument::Instrument& instrument() const { return instrument_; }
  const ServeOptions& options() const { return options_; }
  LoginGuard& login_guard() { return login_guard_; }
  SurveyBudget& survey_budget() { return survey_budget_; }
  ServerLog& log() { return log_; }
  // Exports waiting between the import assistant's steps.
  PendingUploads& pending_uploads() { return pending_uploads_; }

  // Runs `work` with a store connection to itself. A failure is logged
  // here, once for every caller, so no database error on a page goes
  // unrecorded.
  template <typename Work>
  auto WithStore(Work&& work) -> decltype(work(std::declval<store::Store&>())) {
    const StorePool::Lease connection = store_pool_.Acquire();
    auto result = work(*connection);
    if constexpr (requires { result.ok() ? 0 : result.error().message.size(); }) {
      if (!result.ok()) log_.Warning("databasen: " + result.error().message);
    }
    return result;
  }

  // The dataset as of the last load; callers keep the pointer for the
  // whole request, so a reload never changes a table under them. Imports
  // made elsewhere (the CLI, another server on the same PostgreSQL
  // database) are noticed within a few seconds: the list of batches
  // is compared every ServeOptions::dataset_check_seconds, and the dataset
  // read again when it changed.
  std::shared_ptr<const analysis::Dataset> dataset();
  // The publication gate over `data` for an audience, made once per
  // dataset and shared by every request that reads it.
  std::shared_ptr<analysis::Publication> publication(
      const std::shared_ptr<const analysis::Dataset>& data, analysis::Audience audience);
  // Reads the store again (after an import or a closed round).
  Status ReloadDataset();

  // Logged-in sessions seen in the last few seconds, so a busy explorer does
  // not query the store for every request. Logging out
  // and every user change on this server forget at once; a change made by
  // another process (the CLI, a second server) takes effect within
  // kSessionCacheSeconds.
  static constexpr int kSessionCacheSeconds = 5;
  struct CachedSession {
    std::optional<Principal> principal;
    std::string csrf;
    std::chrono::steady_clock::time_point fetched;
  };
  std::optional<CachedSession> FindCachedSession(const std::string& token_sha256);
  void CacheSession(const std::string& token_sha256, CachedSession session);
  void ForgetSession(const std::string& token_sha256);
  void ForgetSessionsOf(int64_t user_id);

  // Writes an audit entry; a failure to write is reported on stderr, never
  // swallowed silently, but does not fail the request.
  void Audit(const std::string& username, const std::string& action, const std::string& detail);

 private:
  StorePool store_pool_;
  instrument::Instrument instrument_;
  ServeOptions options_;
  StoreFailureLedger failure_ledger_{*this};
  LoginGuard login_guard_{&failure_ledger_};
  SurveyBudget survey_budget_;
  ServerLog log_;
  PendingUploads pending_uploads_{options_.work_dir};
  std::mutex sessions_mutex_;
  std::unordered_map<std::string, CachedSession> sessions_;
  // Which batches the loaded dataset holds: their count and newest id.
  using BatchSignature = std::pair<std::size_t, int64_t>;
  Result<BatchSignature> ReadBatchSignature();
  void ReloadIfChangedElsewhere();

  mutable std::shared_mutex dataset_mutex_;
  std::shared_ptr<const analysis::Dataset> dataset_;
  std::mutex publication_mutex_;
  std::shared_ptr<const analysis::Dataset> publication_data_;
  std::shared_ptr<analysis::Publication> publications_[2];
  std::mutex refresh_mutex_;  // one request checks; the others use what is loaded
  std::chrono::steady_clock::time_point last_check_;
  BatchSignature loaded_batches_{0, 0};
};

}  // namespace samkart::web
