// The administration pages' shared parts (see admin_pages.h).
#include "samkart/web/admin_pages.h"

#include <algorithm>
#include <charconv>
#include <ctime>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include "samkart/anonymise/k_anonymity.h"
#include "samkart/core/text.h"
#include "samkart/import/importer.h"
#include "samkart/io/text_file.h"
#include "samkart/report/html_renderer.h"
#include "samkart/report/municipality_report.h"
#include "samkart/report/national_report.h"
#include "samkart/report/pdf_renderer.h"
#include "samkart/report/report_writer.h"
#include "samkart/report/xlsx_renderer.h"
#include "samkart/web/accounts.h"
#include "samkart/web/admin.h"
#include "samkart/web/http.h"
#include "samkart/web/routes.h"

namespace samkart::web::admin {

std::string Today() {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  return fmt::format("{:02}.{:02}.{}", local.tm_mday, local.tm_mon + 1, local.tm_year + 1900);
}

std::optional<int64_t> ParseId(const std::string& text) {
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value <= 0) return std::nullopt;
  return value;
}

// An optional whole number from a form field: nullopt when empty; an error
// naming the field when it is not a number within [low, high].
Result<std::optional<int>> OptionalNumber(const std::string& value, const std::string& field,
                                          int low, int high) {
  const std::string_view trimmed = text::Trim(value);
  if (trimmed.empty()) return std::optional<int>();
  const auto parsed = text::ParseInt(trimmed);
  if (!parsed || *parsed < low || *parsed > high) {
    return Error{fmt::format("{} må være et helt tall fra {} til {}, ikke «{}».", field, low, high,
                             PrintableName(trimmed))};
  }
  return std::optional<int>(*parsed);
}

bool ValidPercentEncoding(const std::string& body) {
  auto hex = [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  };
  for (std::size_t i = 0; i < body.size(); ++i) {
    if (body[i] != '%') continue;
    if (i + 2 >= body.size() || !hex(body[i + 1]) || !hex(body[i + 2])) return false;
    i += 2;
  }
  return true;
}

// Why a POST body cannot be read as the form a page sent, or nullopt.
std::optional<std::string> FormBodyProblem(const httplib::Request& req, bool multipart_only) {
  const std::string type = req.get_header_value("Content-Type");
  if (req.is_multipart_form_data()) return std::nullopt;
  if (multipart_only) {
    return "Filen må sendes som filopplasting (multipart/form-data) fra skjemaet på siden.";
  }
  if (type.rfind("application/x-www-form-urlencoded", 0) == 0) {
    if (!ValidPercentEncoding(req.body)) {
      return "Skjemaet har ugyldig prosentkoding (%) og kunne ikke leses.";
    }
    return std::nullopt;
  }
  return fmt::format("Ventet et skjema (application/x-www-form-urlencoded), ikke «{}».",
                     PrintableName(type.empty() ? "ingen innholdstype" : type));
}

// Logged in, allowed, and (for POST) with a matching CSRF token and a
// readable form; otherwise answers and returns nullopt.
std::optional<Principal> Gate(const httplib::Request& req, httplib::Response& res,
                              const RequestContext& context, bool (Principal::*allowed)() const,
                              const std::string& refusal, bool post, bool multipart) {
  std::optional<Principal> principal =
      post ? RequireLoginAndCsrf(req, res, context) : RequireLogin(req, res, context);
  if (!principal) return std::nullopt;
  if (allowed != nullptr && !((*principal).*allowed)()) {
    SendError(req, res, 403, refusal, &context);
    return std::nullopt;
  }
  if (post) {
    if (auto problem = FormBodyProblem(req, multipart)) {
      SendError(req, res, 400, *problem, &context);
      return std::nullopt;
    }
  }
  return principal;
}

std::string Page(const RequestContext& context, const std::string& title, const std::string& body) {
  PageOptions page{title};
  page.context = &context;
  return RenderPage(page, body);
}

std::string Alert(const std::string& message) {
  return fmt::format(R"(<p class="error" role="alert">{}</p>)", Escape(message));
}

std::string StatusNotice(const std::string& message) {
  return fmt::format(R"(<p class="ok" role="status">{}</p>)", Escape(message));
}

std::string LimitText(std::size_t bytes) {
  if (bytes >= (1u << 20)) return fmt::format("{} MB", bytes >> 20);
  return fmt::format("{} kB", std::max<std::size_t>(1, bytes >> 10));
}

std::map<int, store::Municipality> Register(App& app) {
  std::map<int, store::Municipality> out;
  auto listed = app.WithStore([](store::Store& store) { return store.Municipalities(); });
  if (listed.ok()) {
    for (auto& m : *listed) out.emplace(m.number, std::move(m));
  }
  return out;
}

std::string RegionLabel(const App& app, const std::string& key) {
  for (const auto& r : app.instrument().regions) {
    if (r.key == key) return r.label;
  }
  return key;
}

}  // namespace samkart::web::admin
