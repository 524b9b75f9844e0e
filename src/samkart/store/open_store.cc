#include "samkart/core/text.h"
#include "samkart/store/store.h"

namespace samkart::store {

bool IsPostgresLocation(const std::string& location) {
  return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

Result<std::unique_ptr<Store>> OpenStore(const std::string& location, const StoreOptions& options) {
  if (location.empty()) return Error{"ingen database oppgitt (--db)"};
  if (IsPostgresLocation(location)) return OpenPostgresStore(location, options);
  if (!options.app_role.empty()) {
    return Error{"--grant gjelder bare PostgreSQL; en SQLite-fil har ingen roller"};
  }
  return OpenSqliteStore(location, options);
}

Status AccountStore::AppendAudit(const AuditEntry& entry) {
  AuditEntry escaped = entry;
  escaped.username = text::EscapeControls(entry.username);
  escaped.action = text::EscapeControls(entry.action);
  escaped.detail = text::EscapeControls(entry.detail);
  return StoreAudit(escaped);
}

}  // namespace samkart::store
