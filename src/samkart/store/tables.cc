#include "samkart/store/tables.h"

namespace samkart::store {

namespace {

// The answers as imported: the register, the items, the imports and their rows.
std::vector<TableSpec> ResultTables() {
  using enum ColumnKind;
  return {
      {"municipalities",
       {{"number", kInteger},
        {"name", kText},
        {"region", kText},
        {"size_group", kText},
        {"population", kInteger}},
       {"number"}},
      {"items", {{"position", kInteger}, {"item_id", kText}}, {"position"}},
      {"batches",
       {{"id", kInteger},
        {"file_name", kText},
        {"content_sha256", kText},
        {"format", kText},
        {"generation", kText},
        {"municipality", kInteger},
        {"year", kInteger},
        {"round_type", kText},
        {"rows_read", kInteger},
        {"rows_imported", kInteger},
        {"rows_generalised", kInteger},
        {"rows_rejected", kInteger},
        {"imported_at", kText},
        {"report", kText},
        {"content_fingerprint", kText}},
       {"id"},
       true},
      {"respondents",
       {{"id", kInteger},
        {"batch_id", kInteger},
        {"municipality", kInteger},
        {"year", kInteger},
        {"round_type", kText},
        {"generation", kText},
        {"region", kText},
        {"size_group", kText},
        {"service", kInteger},
        {"position", kInteger},
        {"answers", kBlob}},
       {"id"},
       true},
      {"invited",
       {{"municipality", kInteger},
        {"year", kInteger},
        {"round_type", kText},
        {"service", kText},
        {"invited", kInteger}},
       {"municipality", "year", "round_type", "service"}},
  };
}

// Who may sign in, their sessions and what they did.
std::vector<TableSpec> AccountTables() {
  using enum ColumnKind;
  return {
      {"users",
       {{"id", kInteger},
        {"username", kText},
        {"password_hash", kText},
        {"role", kText},
        {"region", kText},
        {"municipality", kInteger},
        {"active", kInteger},
        {"created_at", kText}},
       {"id"},
       true},
      {"sessions",
       {{"token_sha256", kText},
        {"user_id", kInteger},
        {"csrf_token", kText},
        {"expires_at", kText}},
       {"token_sha256"}},
      {"audit_log",
       {{"id", kInteger}, {"at", kText}, {"username", kText}, {"action", kText}, {"detail", kText}},
       {"id"},
       true},
  };
}

// Rounds answered in the browser: the links, the drafts and the answers held.
std::vector<TableSpec> SurveyTables() {
  using enum ColumnKind;
  return {
      {"survey_rounds",
       {{"id", kInteger},
        {"municipality", kInteger},
        {"year", kInteger},
        {"round_type", kText},
        {"generation", kText},
        {"token", kText},
        {"status", kText},
        {"item_ids", kText},
        {"batch_id", kInteger},
        {"created_by", kText},
        {"created_at", kText},
        {"closes_on", kText}},
       {"id"},
       true},
      {"survey_services",
       {{"round_id", kInteger},
        {"service", kText},
        {"invited", kInteger},
        {"token", kText},
        {"ordinal", kInteger}},
       {"round_id", "service"}},
      {"survey_drafts",
       {{"draft_key", kText}, {"round_id", kInteger}, {"answers", kText}, {"updated_on", kText}},
       {"draft_key"}},
      {"survey_responses",
       {{"response_key", kText},
        {"round_id", kInteger},
        {"service", kInteger},
        {"position", kInteger},
        {"answers", kBlob}},
       {"response_key"}},
      {"survey_comment_questions", {{"round_id", kInteger}, {"question", kText}}, {"round_id"}},
      {"survey_comments",
       {{"comment_key", kText}, {"round_id", kInteger}, {"text", kText}, {"state", kText}},
       {"comment_key"}},
  };
}

// The login throttle, shared by every server on one database.
std::vector<TableSpec> ThrottleTables() {
  using enum ColumnKind;
  return {
      {"login_failures",
       {{"throttle_key", kText}, {"failures", kInteger}, {"last_failure", kInteger}},
       {"throttle_key"}},
  };
}

// What the privacy statement says about each municipality.
std::vector<TableSpec> PrivacyTables() {
  using enum ColumnKind;
  return {
      {"privacy_contacts",
       {{"municipality", kInteger},
        {"controller", kText},
        {"contact_name", kText},
        {"email", kText},
        {"phone", kText},
        {"updated_by", kText}},
       {"municipality"}},
  };
}

}  // namespace

const std::vector<TableSpec>& PortableTables() {
  static const std::vector<TableSpec> tables = [] {
    std::vector<TableSpec> all;
    for (const auto& part :
         {ResultTables(), AccountTables(), SurveyTables(), ThrottleTables(), PrivacyTables()}) {
      all.insert(all.end(), part.begin(), part.end());
    }
    return all;
  }();
  return tables;
}

std::string HexEncode(const void* data, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  const auto* bytes = static_cast<const uint8_t*>(data);
  std::string out(size * 2, '0');
  for (std::size_t i = 0; i < size; ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 15];
  }
  return out;
}

std::string HexEncode(const std::vector<uint8_t>& bytes) {
  return HexEncode(bytes.data(), bytes.size());
}

std::optional<std::vector<uint8_t>> HexDecode(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::vector<uint8_t> out(hex.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int high = digit(hex[2 * i]), low = digit(hex[2 * i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    out[i] = static_cast<uint8_t>(high * 16 + low);
  }
  return out;
}

}  // namespace samkart::store
