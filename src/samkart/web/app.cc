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
