// The administration pages: import through the browser, report downloads,
// users and the audit log, each in a file of its own (admin_pages.h).
#include "samkart/web/admin_import.h"
#include "samkart/web/admin_pages.h"
#include "samkart/web/routes.h"

namespace samkart::web {

void RegisterAdminRoutes(httplib::Server& server, App& app) {
  admin::RegisterImportRoutes(server, app);
  admin::RegisterImportAssistantRoutes(server, app);
  admin::RegisterReportRoutes(server, app);
  admin::RegisterUserRoutes(server, app);
}

}  // namespace samkart::web
