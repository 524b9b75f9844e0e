// Placeholder until this responsibility is built (issue 7).
#include "samkart/web/routes.h"

namespace samkart::web {

void RegisterAdminRoutes(httplib::Server&, App&) {}

}  // namespace samkart::web
