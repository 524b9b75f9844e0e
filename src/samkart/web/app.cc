#include "samkart/web/app.h"

#include <iostream>

namespace samkart::web {

App::App(std::unique_ptr<store::Store> store, instrument::Instrument instrument,
         ServeOptions options)
    : store_(std::move(store)),
      instrument_(std::move(instrument)),
      options_(std::move(options)),
      dataset_(std::make_shared<analysis::Dataset>()) {}

std::shared_ptr<const analysis::Dataset> App::dataset() const {
  std::shared_lock lock(dataset_mutex_);
  return dataset_;
}

Result<bool> App::ReloadDataset() {
  auto loaded =
      WithStore([&](store::Store& store) { return analysis::LoadDataset(store, instrument_); });
  if (!loaded.ok()) return loaded.error();
  auto fresh = std::make_shared<const analysis::Dataset>(std::move(loaded).value());
  std::unique_lock lock(dataset_mutex_);
  dataset_ = std::move(fresh);
  return true;
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
  if (sessions_.size() >= 100000) {
    const auto now = std::chrono::steady_clock::now();
    std::erase_if(sessions_, [&](const auto& entry) {
      return now - entry.second.fetched > std::chrono::seconds(kSessionCacheSeconds);
    });
    if (sessions_.size() >= 100000) sessions_.clear();
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
    std::cerr << "samkart serve: revisjonsloggen kunne ikke skrives: " << written.error().message
              << "\n";
  }
}

}  // namespace samkart::web
