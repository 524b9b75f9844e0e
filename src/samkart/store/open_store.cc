#include "samkart/store/store.h"

namespace samkart::store {

Result<std::unique_ptr<Store>> OpenStore(const std::string& location, const StoreOptions& options) {
  if (location.starts_with("postgresql://") || location.starts_with("postgres://")) {
    return Error{"PostgreSQL støttes ikke ennå i denne versjonen; bruk en SQLite-fil (--db FIL)"};
  }
  if (location.empty()) return Error{"ingen database oppgitt (--db)"};
  return OpenSqliteStore(location, options);
}

}  // namespace samkart::store
