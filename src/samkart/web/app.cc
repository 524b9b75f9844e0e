#include "samkart/web/app.h"

#include <iostream>

namespace samkart::web {

App::App(std::unique_ptr<store::Store> store, instrument::Instrument instrument,
         ServeOptions options, StorePool::Opener open_more)
    : store_pool_(std::move(store), std::move(open_more), options.store_connections),
      instrument_(std::move(instrument)),
      options_(std::move(options)),
      survey_budget_(options_.survey_budget),
      log_(options_.log_level, options_.error_log ? options_.error_log : &std::cerr,
           options_.access_log),
      dataset_(std::make_shared<analysis::Dataset>()) {}

std::shared_ptr<analysis::Publication> App::publication(
    const std::shared_ptr<const analysis::Dataset>& data, analysis::Audience audience) {
  std::lock_guard lock(publication_mutex_);
  if (publication_data_ != data) {
    publication_data_ = data;
    publications_[0].reset();
    publications_[1].reset();
  }
  auto& slot = publications_[audience == analysis::Audience::kFull ? 0 : 1];
  if (!slot) {
    // The publication refers to the dataset; the deleter keeps it alive.
    auto* publication = new analysis::Publication(*data, instrument_, options_.rules, audience);
    slot = std::shared_ptr<analysis::Publication>(
        publication, [keep = data](analysis::Publication* p) { delete p; });
  }
  return slot;
}

std::shared_ptr<const analysis::Dataset> App::dataset() {
  ReloadIfChangedElsewhere();
  std::shared_lock lock(dataset_mutex_);
  return dataset_;
}

Result<App::BatchSignature> App::ReadBatchSignature() {
  auto batches = WithStore([](store::Store& store) { return store.Batches(); });
  if (!batches.ok()) return batches.error();
  return BatchSignature{batches->size(), batches->empty() ? 0 : batches->back().id};
}

void App::ReloadIfChangedElsewhere() {
  std::unique_lock guard(refresh_mutex_, std::try_to_lock);
  if (!guard.owns_lock()) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_check_ < std::chrono::seconds(options_.dataset_check_seconds)) return;
  last_check_ = now;
  BatchSignature loaded;
  {
    std::shared_lock lock(dataset_mutex_);
    loaded = loaded_batches_;
  }
  auto current = ReadBatchSignature();
  if (current.ok() && *current == loaded) return;
  if (auto reloaded = ReloadDataset(); !reloaded.ok()) {
    log_.Error("datasettet kunne ikke leses på nytt: " + reloaded.error().message);
  }
}

Status App::ReloadDataset() {
  // A dataset that cannot be read is the server's failure, never the user's.
  const auto failure = [](Error error) {
    if (error.code == ErrorCode::kInvalidInput) error.code = ErrorCode::kInternal;
    return error;
  };
  // The signature first: a batch written while loading makes the next check reload.
  auto signature = ReadBatchSignature();
  if (!signature.ok()) return failure(signature.error());
  auto loaded =
      WithStore([&](store::Store& store) { return analysis::LoadDataset(store, instrument_); });
  if (!loaded.ok()) return failure(loaded.error());
  auto fresh = std::make_shared<const analysis::Dataset>(std::move(loaded).value());
  std::unique_lock lock(dataset_mutex_);
  dataset_ = std::move(fresh);
  loaded_batches_ = *signature;
  return Ok();
}

std::optional<App::CachedSession> App::FindCachedSession(const std::string& token_sha256) {
  std::lock_guard lock(sessions_mutex_);
  const auto it = sessions_.find(token_sha256);
  if (it == sessions_.end()) return std::nullopt;
  if (std::chrono::steady_clock::now() - it->second.fetched >
      std::chrono::seconds(kSessionCacheSeconds)) {
    sessions_.erase(it);
    return std::nullopt;
  }
  return it->second;
}

void App::CacheSession(const std::string& token_sha256, CachedSession session) {
  std::lock_guard lock(sessions_mutex_);
  // Bounded: stale entries go first, then everything (they are only a cache).
  const std::size_t most = options_.limits.max_cached_sessions;
  if (sessions_.size() >= most) {
    const auto now = std::chrono::steady_clock::now();
    std::erase_if(sessions_, [&](const auto& entry) {
      return now - entry.second.fetched > std::chrono::seconds(kSessionCacheSeconds);
    });
    if (sessions_.size() >= most) sessions_.clear();
  }
  sessions_[token_sha256] = std::move(session);
}

void App::ForgetSession(const std::string& token_sha256) {
  std::lock_guard lock(sessions_mutex_);
  sessions_.erase(token_sha256);
}

void App::ForgetSessionsOf(int64_t user_id) {
  std::lock_guard lock(sessions_mutex_);
  std::erase_if(sessions_, [&](const auto& entry) {
    return entry.second.principal && entry.second.principal->user_id == user_id;
  });
}

void App::Audit(const std::string& username, const std::string& action, const std::string& detail) {
  auto written = WithStore([&](store::Store& store) {
    return store.AppendAudit({0, "", username, action, detail});
  });
  if (!written.ok()) {
    log_.Error("revisjonsloggen kunne ikke skrives: " + written.error().message);
  }
}

}  // namespace samkart::web

namespace samkart::web {

namespace {

FailureLedger::Failures FromStore(const Result<store::LoginFailures>& stored) {
  if (!stored.ok()) return {};
  return {stored->count, FailureLedger::Clock::from_time_t(static_cast<std::time_t>(stored->last))};
}

int64_t Seconds(FailureLedger::Clock::time_point at) {
  return static_cast<int64_t>(FailureLedger::Clock::to_time_t(at));
}

}  // namespace

FailureLedger::Failures StoreFailureLedger::Count(const std::string& key, Clock::time_point now) {
  return FromStore(app_.WithStore(
      [&](store::Store& store) { return store.CountLoginFailure(key, Seconds(now)); }));
}

FailureLedger::Failures StoreFailureLedger::Find(const std::string& key) {
  return FromStore(
      app_.WithStore([&](store::Store& store) { return store.FindLoginFailures(key); }));
}

void StoreFailureLedger::Forget(const std::string& key) {
  // A failure is logged by WithStore; the count then simply stays.
  (void)app_.WithStore([&](store::Store& store) { return store.ForgetLoginFailures(key); });
}

}  // namespace samkart::web
