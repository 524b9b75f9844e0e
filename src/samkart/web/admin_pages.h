// What the administration pages share: the role gate, page frames and
// notices, form checks and the municipality register; and the registrars of
// the three parts, imports (admin_import_routes.cc), reports
// (admin_report_routes.cc) and users with the audit log
// (admin_user_routes.cc).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <httplib.h>

#include "samkart/core/result.h"
#include "samkart/report/document.h"
#include "samkart/store/store.h"
#include "samkart/web/app.h"
#include "samkart/web/http.h"

namespace samkart::web::admin {

// Today's date (UTC), for file names.
std::string Today();

// A positive id from a path or form, or nullopt.
std::optional<int64_t> ParseId(const std::string& text);

// An optional whole number from a form field: nullopt when empty; an error
// naming the field when it is not a number within [low, high].
Result<std::optional<int>> OptionalNumber(const std::string& value, const std::string& field,
                                          int low, int high);

// Whether every «%» in a form body starts a valid escape.
bool ValidPercentEncoding(const std::string& body);

// Why a POST body cannot be read as the form a page sent, or nullopt.
std::optional<std::string> FormBodyProblem(const httplib::Request& req, bool multipart_only);

// Logged in, allowed, and (for POST) with a matching CSRF token and a
// readable form; otherwise answers and returns nullopt.
std::optional<Principal> Gate(const httplib::Request& req, httplib::Response& res,
                              const RequestContext& context, bool (Principal::*allowed)() const,
                              const std::string& refusal, bool post, bool multipart = false);

// A whole page in the site's frame.
std::string Page(const RequestContext& context, const std::string& title, const std::string& body);

// An error notice and a success notice, escaped.
std::string Alert(const std::string& message);
std::string StatusNotice(const std::string& message);

// «64 MB», «512 kB».
std::string LimitText(std::size_t bytes);

// The municipality register by number (empty when the store does not answer).
std::map<int, store::Municipality> Register(App& app);

// A KORUS region's label, or its key when the instrument does not know it.
std::string RegionLabel(const App& app, const std::string& key);

// The national report (no municipality) or a municipality's report over
// `data`, with the full publication gate: what the report downloads hold.
// `comments` are the coordinators' approved free-text comments by
// municipality; only the report downloads carry them.
Result<report::Document> BuildReportDocument(App& app,
                                             const std::shared_ptr<const analysis::Dataset>& data,
                                             std::optional<int> municipality,
                                             std::map<int, std::vector<std::string>> comments = {});

// Links to a report in every format: `base_url` + «.html», «.pdf» …
std::string ReportFormatLinks(const std::string& base_url, const std::string& what);

void RegisterImportRoutes(httplib::Server& server, App& app);
void RegisterReportRoutes(httplib::Server& server, App& app);
void RegisterUserRoutes(httplib::Server& server, App& app);

}  // namespace samkart::web::admin
