#include "samkart/web/input_limits.h"

#include <chrono>
#include <functional>
#include <vector>

#include <fmt/format.h>

#include "samkart/core/text.h"
#include "samkart/web/app.h"

namespace samkart::web {

namespace {

struct NamedLimit {
  const char* name;
  const char* what;
  std::function<std::size_t&(ServeOptions&)> size;                    // a count or bytes
  std::function<std::chrono::milliseconds&(ServeOptions&)> duration;  // or milliseconds
};

const std::vector<NamedLimit>& Limits() {
  using Ms = std::chrono::milliseconds;
  static const std::vector<NamedLimit> limits = {
      {"max_upload_bytes", "største opplasting (byte)",
       [](ServeOptions& o) -> std::size_t& { return o.max_upload_bytes; }, nullptr},
      {"max_session_token_bytes", "lengste øktcookie (byte)",
       [](ServeOptions& o) -> std::size_t& { return o.limits.max_session_token_bytes; }, nullptr},
      {"max_cached_sessions", "økter som huskes mellom oppslag i databasen",
       [](ServeOptions& o) -> std::size_t& { return o.limits.max_cached_sessions; }, nullptr},
      {"max_cached_views", "utforskerresultater som holdes i minnet",
       [](ServeOptions& o) -> std::size_t& { return o.limits.max_cached_views; }, nullptr},
      {"max_cached_reports", "ferdige rapporter som holdes i minnet",
       [](ServeOptions& o) -> std::size_t& { return o.limits.max_cached_reports; }, nullptr},
      {"max_invited_per_service", "største antall inviterte per tjeneste i en runde",
       [](ServeOptions& o) -> std::size_t& { return o.limits.max_invited_per_service; }, nullptr},
      {"max_round_days", "flest dager fra i dag til siste svardag i en ny runde",
       [](ServeOptions& o) -> std::size_t& { return o.limits.max_round_days; }, nullptr},
      {"max_head_bytes", "største forespørselshode (byte)",
       [](ServeOptions& o) -> std::size_t& { return o.connections.max_head_bytes; }, nullptr},
      {"max_form_bytes", "største skjema eller JSON-innhold (byte)",
       [](ServeOptions& o) -> std::size_t& { return o.connections.max_form_bytes; }, nullptr},
      {"min_body_bytes_per_second", "laveste hastighet et innhold må komme med (byte/s)",
       [](ServeOptions& o) -> std::size_t& { return o.connections.min_body_bytes_per_second; },
       nullptr},
      {"max_waiting_connections", "tilkoblinger som venter på et hode samtidig",
       [](ServeOptions& o) -> std::size_t& { return o.connections.max_waiting_connections; },
       nullptr},
      {"max_requests_per_connection", "forespørsler per tilkobling",
       [](ServeOptions& o) -> std::size_t& { return o.connections.max_requests_per_connection; },
       nullptr},
      {"head_deadline_ms", "tid til hodet må være kommet (ms)", nullptr,
       [](ServeOptions& o) -> Ms& { return o.connections.head_deadline; }},
      {"body_grace_ms", "tid før hastighetskravet til innholdet gjelder (ms)", nullptr,
       [](ServeOptions& o) -> Ms& { return o.connections.body_grace; }},
      {"read_timeout_ms", "tid en lesing over HTTPS kan vente (ms)", nullptr,
       [](ServeOptions& o) -> Ms& { return o.connections.read_timeout; }},
      {"write_timeout_ms", "tid en klient kan la svaret ligge ulest (ms)", nullptr,
       [](ServeOptions& o) -> Ms& { return o.connections.write_timeout; }},
  };
  return limits;
}

std::string Names() {
  std::vector<std::string> names;
  for (const auto& limit : Limits()) names.emplace_back(limit.name);
  return text::Join(names, ", ");
}

}  // namespace

Status SetLimit(ServeOptions& options, std::string_view assignment) {
  const auto equals = assignment.find('=');
  const std::string name(text::Trim(assignment.substr(0, equals)));
  if (equals == std::string_view::npos) {
    return Error{
        fmt::format("--limit {}: skriv NAVN=VERDI, for eksempel max_form_bytes=65536", assignment)};
  }
  const std::string value(text::Trim(assignment.substr(equals + 1)));
  for (const auto& limit : Limits()) {
    if (name != limit.name) continue;
    const auto number = text::ParseInt(value);
    if (!number || *number <= 0) {
      return Error{fmt::format("--limit {}: «{}» er ikke et helt tall over 0", limit.name, value)};
    }
    if (limit.size) limit.size(options) = static_cast<std::size_t>(*number);
    if (limit.duration) limit.duration(options) = std::chrono::milliseconds(*number);
    return Ok();
  }
  return Error{fmt::format("--limit: ukjent grense «{}»; kjente grenser: {}", name, Names())};
}

std::string DescribeLimits(const ServeOptions& options) {
  ServeOptions copy = options;
  std::string out;
  for (const auto& limit : Limits()) {
    const long long value = limit.size ? static_cast<long long>(limit.size(copy))
                                       : static_cast<long long>(limit.duration(copy).count());
    out += fmt::format("  {}={}  {}\n", limit.name, value, limit.what);
  }
  return out;
}

}  // namespace samkart::web
