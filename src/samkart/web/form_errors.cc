#include "samkart/web/form_errors.h"

#include <fmt/format.h>

#include "samkart/web/http.h"

namespace samkart::web {

namespace {

std::string MessageId(std::string_view field_id) { return std::string(field_id) + "-feil"; }

}  // namespace

void FormErrors::Add(std::string field_id, std::string message) {
  errors_.push_back({std::move(field_id), std::move(message)});
}

std::string FormErrors::Attributes(std::string_view field_id) const {
  for (const auto& e : errors_) {
    if (!field_id.empty() && e.field_id == field_id) {
      return fmt::format(R"( aria-invalid="true" aria-describedby="{}")",
                         Escape(MessageId(field_id)));
    }
  }
  return "";
}

std::string FormErrors::Message(std::string_view field_id) const {
  std::string text;
  for (const auto& e : errors_) {
    if (field_id.empty() || e.field_id != field_id) continue;
    if (!text.empty()) text += " ";
    text += Escape(e.message);
  }
  if (text.empty()) return "";
  return fmt::format(R"(<p class="field-error" id="{}">{}</p>)", Escape(MessageId(field_id)), text);
}

std::string FormErrors::Summary(std::string_view heading) const {
  if (errors_.empty()) return "";
  std::string items;
  for (const auto& e : errors_) {
    items += e.field_id.empty() ? fmt::format("<li>{}</li>", Escape(e.message))
                                : fmt::format(R"(<li><a href="#{}">{}</a></li>)",
                                              Escape(e.field_id), Escape(e.message));
  }
  return fmt::format(
      R"(<div class="error-summary" role="alert" tabindex="-1" autofocus id="feiloppsummering"><h2>{}</h2><ul>{}</ul></div>)",
      Escape(heading), items);
}

std::string ScrollRegion(std::string_view label, std::string_view table_html) {
  return fmt::format(
      R"(<div class="table-wrap" role="region" tabindex="0" aria-label="{}">{}</div>)",
      Escape(label), table_html);
}

}  // namespace samkart::web
