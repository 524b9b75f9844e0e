// One registrar per responsibility; WebServer calls them all.
#pragma once

#include <httplib.h>

#include "samkart/web/app.h"

namespace samkart::web {

// /logg-inn, /logg-ut, /, /api/logg-inn, /api/meg
void RegisterAuthRoutes(httplib::Server& server, App& app);
// The respondent's pages under /s/{token}
void RegisterSurveyRoutes(httplib::Server& server, App& app);
// Survey rounds for coordinators: /runder, response rate, closing
void RegisterRoundRoutes(httplib::Server& server, App& app);
// The privacy contact (/personvern/kommune) and a round's free-text
// question and comments (/runder/{id}/kommentarer)
void RegisterCommentRoutes(httplib::Server& server, App& app);
// The results explorer: /utforsk and /api/tabell, downloads
void RegisterExplorerRoutes(httplib::Server& server, App& app);
// The competence analyses: /kompetanse
void RegisterCompetenceRoutes(httplib::Server& server, App& app);
// The result pages: /resultater for the nation, a region and a municipality
void RegisterLandingRoutes(httplib::Server& server, App& app);
// Import, reports, users and the audit log
void RegisterAdminRoutes(httplib::Server& server, App& app);

}  // namespace samkart::web
