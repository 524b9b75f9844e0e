// What the import page and the import assistant share: the page with its
// form and the list of imports, and an export through the importer with the
// user's region scope, audited, the dataset read again and the report shown.
#pragma once

#include <optional>
#include <string>

#include <httplib.h>

#include "samkart/core/result.h"
#include "samkart/import/importer.h"
#include "samkart/instrument/instrument.h"
#include "samkart/web/app.h"
#include "samkart/web/auth.h"
#include "samkart/web/http.h"

namespace samkart::web::admin {

inline constexpr const char* kImportRefusal =
    "Du har ikke tilgang til import. Import gjøres av nasjonale administratorer og regionale "
    "analytikere.";

struct ImportResult {
  int status = 200;
  std::string html;     // the result shown above the form
  bool stored = false;  // the file is in the store (imported now or before)
  std::string message;  // why it was not, as shown
  // The form field a failure concerns («fil», «kommune» …): then `html`
  // leaves the message out, and the page shows it at the field.
  std::string field{};

  // The message and `html` together, for a page without the form.
  std::string MessageAndHtml() const;
};

// A failure shown above the form, or at `field` when given.
ImportResult Failure(int status, const std::string& message, const std::string& field = "");

// A file the import pipeline refused: audited, and nothing of it stored.
ImportResult Refused(App& app, const Principal& principal, const std::string& name,
                     const std::string& message);

// Municipality, year, round type and k from the import form. When a value
// is refused, `field` (if given) is set to the form field it came from.
Result<import::ImportRequest> ReadImportForm(App& app, const httplib::Request& req,
                                             std::string* field = nullptr);

// An export file of answers through the importer, with `instrument` (the
// app's own, or the app's with a crosswalk the user drafted).
ImportResult ImportAnswers(App& app, const Principal& principal,
                           const instrument::Instrument& instrument, import::ImportRequest request,
                           const std::string& name);

// The import page: `result_html` above the form and the list of imports.
// After a refused upload, `refused` puts its message at its field and
// `typed` (the request) fills the fields in again.
std::string ImportPage(App& app, const RequestContext& context, const std::string& result_html,
                       const ImportResult* refused = nullptr,
                       const httplib::Request* typed = nullptr);

// The import assistant (admin_import_assistant.cc): an uploaded export
// described, a crosswalk drafted for it and the file imported with the
// draft, the upload kept on the server in between. Starts it for a file the
// import form sent; answers with the page, or returns the failure to show
// on the import page.
std::optional<ImportResult> StartImportAssistant(App& app, const RequestContext& context,
                                                 const Principal& principal,
                                                 const import::ImportRequest& request,
                                                 const std::string& name,
                                                 const std::string& content,
                                                 httplib::Response& res);

// When the importer refused a file because no crosswalk knows its columns:
// keeps the upload and returns an offer to describe it (empty when the
// refusal is another, or the upload cannot be kept).
std::string OfferImportAssistant(App& app, const Principal& principal,
                                 const import::ImportRequest& request, const std::string& name,
                                 const std::string& content, const std::string& message);

void RegisterImportAssistantRoutes(httplib::Server& server, App& app);

}  // namespace samkart::web::admin
