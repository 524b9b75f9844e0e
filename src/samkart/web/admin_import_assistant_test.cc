// The import assistant through HTTP: an export from a tool Samkart does not
// know is described, a crosswalk drafted and downloaded, and the file
// imported with the draft without being uploaded again; the kept upload is
// its uploader's alone, and a corrected crosswalk with an error imports
// nothing.
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "samkart/describe/crosswalk_suggestion.h"
#include "samkart/describe/file_profile.h"
#include "samkart/instrument/loader.h"
#include "samkart/io/encoding.h"
#include "samkart/web/admin.h"
#include "samkart/web/pending_uploads.h"

#include "support/scratch_dir.h"
#include "support/web_server.h"

namespace samkart::web {
namespace {

namespace fs = std::filesystem;
using testing_support::ScratchDir;
using testing_support::TestServer;
using testing_support::WebClient;

constexpr const char* kFileName = "Questback eksport 2024.csv";
constexpr const char* kDraftName = "g5-questback-eksport-2024.csv";
constexpr const char* kRegister =
    "municipality;name_nb;region;size_group;population\n9001;Vikheim (syntetisk);nord;1;2817\n";
constexpr int kRespondents = 12;

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// A Questback-style export: Windows-1252, semicolons, CRLF, the question
// as «stem - item» headers, answers as labels, an e-mail address and a
// status column the tool adds, and a question Samkart does not ask (its
// row in the draft is one to check).
std::string QuestbackCsv() {
  const std::string stem =
      "I hvilken grad klarer du å identifisere (tegn eller symptomer) hos barn og unge som...";
  const std::vector<std::string> items = {"har læringsvansker", "blir mobbet",
                                          "har psykiske vansker", "har sosiale vansker"};
  const std::vector<std::string> answers = {"I ganske stor grad", "I svært stor grad",
                                            "I ganske liten grad", "Hverken eller"};
  std::string csv =
      "Respondent ID;E-post;Status;Kommunenr;År;Hvor jobber du?;Hvor lenge har du jobbet her?";
  for (const std::string& item : items) csv += ";" + stem + " - " + item;
  csv += "\r\n";
  for (int r = 0; r < kRespondents; ++r) {
    csv += std::to_string(7100 + r * 17) + ";person" + std::to_string(r) + "@kommune.no;Fullført;" +
           "9001;2024;" + (r % 2 == 0 ? "Barnehage" : "PPT") + ";" +
           (r % 3 == 0 ? "Over 10 år" : "Under 2 år");
    for (std::size_t i = 0; i < items.size(); ++i) {
      csv += ";" + answers[(static_cast<std::size_t>(r) + i) % answers.size()];
    }
    csv += "\r\n";
  }
  return io::Utf8ToWindows1252(csv).value();
}

std::unique_ptr<WebClient> LoggedIn(TestServer& server, const std::string& name,
                                    const std::string& role,
                                    std::optional<std::string> region = std::nullopt) {
  const std::string password = server.AddUser(name, role, std::move(region));
  auto client = std::make_unique<WebClient>(server.port());
  EXPECT_TRUE(client->LogIn(name, password)) << name;
  return client;
}

httplib::Result Upload(WebClient& client, const std::string& file_name, const std::string& content,
                       httplib::MultipartFormDataItems fields = {}) {
  fields.push_back({"fil", content, file_name, "text/csv"});
  return client.PostMultipart("/admin/import", fields);
}

httplib::Result Describe(WebClient& client, const std::string& content) {
  return Upload(client, kFileName, content, {{"handling", "beskriv", "", ""}});
}

// The kept upload's token from the first link or form to it on a page.
std::string TokenOn(const std::string& page) {
  const std::string marker = "/admin/import/forslag/";
  const auto at = page.find(marker);
  if (at == std::string::npos) return "";
  return page.substr(at + marker.size(), kPendingTokenChars);
}

std::string AssistantPath(const std::string& token) { return "/admin/import/forslag/" + token; }

httplib::Result Confirm(WebClient& client, const std::string& token,
                        const std::optional<std::string>& edited = std::nullopt) {
  httplib::MultipartFormDataItems items;
  if (edited) items.push_back({"nokkel", *edited, "min-nokkel.csv", "text/csv"});
  return client.PostMultipart(AssistantPath(token), items);
}

std::size_t BatchCount(TestServer& server) {
  auto batches = server.app().WithStore([](store::Store& s) { return s.Batches(); });
  EXPECT_TRUE(batches.ok());
  return batches.ok() ? batches->size() : 0;
}

std::size_t AuditCount(TestServer& server, const std::string& action) {
  auto log = server.app().WithStore([](store::Store& s) { return s.AuditLog(1000); });
  EXPECT_TRUE(log.ok());
  std::size_t n = 0;
  for (const auto& e : log.ok() ? *log : std::vector<store::AuditEntry>{}) {
    n += e.action == action;
  }
  return n;
}

// The draft as `samkart crosswalk suggest` writes it for the same file.
std::string DraftTheCliWouldWrite(const fs::path& dir, const std::string& content) {
  const fs::path path = dir / kFileName;
  std::ofstream(path, std::ios::binary) << content;
  auto instrument = instrument::LoadEmbeddedInstrument();
  auto profile = describe::ProfileFile(path.string(), *instrument.instrument);
  EXPECT_TRUE(profile.ok());
  return describe::CrosswalkCsv(describe::SuggestCrosswalk(*profile, *instrument.instrument));
}

class AdminImportAssistant : public ::testing::Test {
 protected:
  void SetUp() override {
    ServeOptions options;
    options.work_dir = (work_ / "arbeid").string();
    server_ = std::make_unique<TestServer>(false, options);
    admin_ = LoggedIn(*server_, "anne", "admin");
    auto registered = Upload(*admin_, "kommuner.csv", kRegister);
    ASSERT_TRUE(registered);
    ASSERT_EQ(registered->status, 200) << registered->body;
  }

  ScratchDir work_;
  std::unique_ptr<TestServer> server_;
  std::unique_ptr<WebClient> admin_;
};

TEST_F(AdminImportAssistant, AForeignExportIsDescribedDraftedAndImportedWithTheDraft) {
  TestServer& server = *server_;
  const std::string content = QuestbackCsv();

  // The import page offers the assistant.
  auto form = admin_->Get("/admin/import");
  ASSERT_TRUE(form);
  EXPECT_TRUE(Contains(form->body, R"(name="handling" value="beskriv")"));
  EXPECT_TRUE(Contains(form->body, "Beskriv filen og foreslå kryssnøkkel"));

  auto page = Describe(*admin_, content);
  ASSERT_TRUE(page);
  ASSERT_EQ(page->status, 200) << page->body;
  const std::string& body = page->body;
  EXPECT_EQ(BatchCount(server), 0u) << "describing imports nothing";
  // The file: format, details, rows.
  EXPECT_TRUE(Contains(body, "<dd>Questback eksport 2024.csv</dd>")) << body;
  EXPECT_TRUE(Contains(body, "<dd>CSV</dd>")) << body;
  EXPECT_TRUE(Contains(body, "Windows-1252")) << body;
  EXPECT_TRUE(Contains(body, "<dt>Rader</dt><dd>12</dd>")) << body;
  // The columns with their values and Samkart's guesses.
  EXPECT_TRUE(Contains(body, R"(<caption id="kolonner-c">Kolonnene i filen (11)</caption>)"))
      << body;
  EXPECT_TRUE(Contains(body, R"(<th scope="row">E-post</th>)")) << body;
  EXPECT_TRUE(Contains(body, "identifikator: e-post («email»), fjernes ved import"));
  EXPECT_TRUE(Contains(body, R"(<th scope="row">Hvor jobber du?</th>)"));
  EXPECT_TRUE(Contains(body, "Barnehage (6)<br>PPT (6)")) << body;
  EXPECT_TRUE(Contains(body, "bakgrunn: tjenestested («service»)"));
  EXPECT_TRUE(Contains(body, "bakgrunn: kommune («municipality»)"));
  EXPECT_TRUE(Contains(body, "bakgrunn: år («year»)"));
  EXPECT_TRUE(Contains(body,
                       "svar på «har læringsvansker» i «Kunnskap om risikofaktorer» "
                       "(risk_identification.learning_difficulties)"))
      << body;
  EXPECT_TRUE(Contains(body, "(risk_identification.social_difficulties)"));
  EXPECT_FALSE(Contains(body, "person0@kommune.no")) << "identifier values are not shown";
  EXPECT_FALSE(Contains(body, "@k")) << "not even masked";
  EXPECT_TRUE(Contains(body, "12 ulike verdier, vises ikke")) << body;
  // The generation and the draft, rows to check marked in words.
  EXPECT_TRUE(Contains(body, "Foreslått generasjon: <strong>G5</strong>")) << body;
  EXPECT_TRUE(Contains(
      body,
      R"(<tr class="to-check"><td class="num">9</td><td><strong>sjekk</strong></td><td>Hvor lenge har du jobbet her?</td><td>ignore</td>)"))
      << body;
  EXPECT_TRUE(Contains(body, "<strong>sjekk</strong>"));
  EXPECT_TRUE(Contains(body, "11 kolonner, 10 av dem sikre; 13 rader, 1 merket «sjekk»")) << body;
  EXPECT_TRUE(Contains(body, "<td>sikker</td>"));
  // Accessible tables and form.
  EXPECT_TRUE(Contains(
      body, R"(<div class="table-wrap" role="region" aria-labelledby="utkast-c" tabindex="0">)"));
  EXPECT_TRUE(Contains(body, R"(<label for="nokkel">)"));
  EXPECT_TRUE(Contains(body, "Importer med forslaget"));
  EXPECT_FALSE(Contains(body, "samkart-ventende")) << "no server paths on the page";
  EXPECT_EQ(AuditCount(server, "import_beskrevet"), 1u);

  const std::string token = TokenOn(body);
  ASSERT_TRUE(IsPendingToken(token)) << token;
  EXPECT_TRUE(Contains(body, R"(action="/admin/import/forslag/)" + token + "\""));

  // The draft downloads as the CLI would write it.
  auto draft = admin_->Get(AssistantPath(token) + "/utkast.csv");
  ASSERT_TRUE(draft);
  ASSERT_EQ(draft->status, 200);
  EXPECT_EQ(draft->get_header_value("Content-Type"), "text/csv; charset=utf-8");
  EXPECT_EQ(draft->get_header_value("Content-Disposition"),
            std::string("attachment; filename=\"") + kDraftName + "\"");
  EXPECT_TRUE(draft->body.starts_with("\xEF\xBB\xBFsource_variable;")) << draft->body;
  EXPECT_EQ(draft->body, DraftTheCliWouldWrite(work_.path(), content));

  // The page again, without uploading again.
  auto again = admin_->Get(AssistantPath(token));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200);
  EXPECT_TRUE(Contains(again->body, "identifikator: e-post («email»)"));

  // Confirm: imported with the draft, and the kept upload is gone.
  auto imported = Confirm(*admin_, token);
  ASSERT_TRUE(imported);
  ASSERT_EQ(imported->status, 200) << imported->body;
  EXPECT_TRUE(
      Contains(imported->body, std::string("Importert med utkastet til kryssnøkkel ") + kDraftName))
      << imported->body;
  EXPECT_TRUE(Contains(imported->body, "Importrapport for Questback eksport 2024.csv"))
      << imported->body;
  EXPECT_EQ(BatchCount(server), 1u);
  EXPECT_EQ(server.app().dataset()->rows, static_cast<std::size_t>(kRespondents));
  auto batches = server.app().WithStore([](store::Store& s) { return s.Batches(); });
  ASSERT_TRUE(batches.ok());
  EXPECT_EQ((*batches)[0].generation, "G5");
  EXPECT_EQ((*batches)[0].municipality, 9001);
  EXPECT_EQ(admin_->Get(AssistantPath(token))->status, 404);
  EXPECT_TRUE(fs::is_empty(work_ / "arbeid" / "samkart-ventende"));
}

TEST_F(AdminImportAssistant, AFailedImportForUnknownColumnsOffersTheAssistantWithTheSameFile) {
  auto failed = Upload(*admin_, kFileName, QuestbackCsv());
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->status, 422);
  EXPECT_TRUE(Contains(failed->body, "finnes ikke i kryssnøkkelen")) << failed->body;
  EXPECT_EQ(BatchCount(*server_), 0u);
  const std::string token = TokenOn(failed->body);
  ASSERT_TRUE(IsPendingToken(token)) << failed->body;
  EXPECT_TRUE(Contains(failed->body, "Beskriv filen og foreslå kryssnøkkel"));

  auto page = admin_->Get(AssistantPath(token));
  ASSERT_TRUE(page);
  ASSERT_EQ(page->status, 200) << page->body;
  EXPECT_TRUE(Contains(page->body, "(risk_identification.bullied)"));
  auto imported = Confirm(*admin_, token);
  ASSERT_EQ(imported->status, 200) << imported->body;
  EXPECT_EQ(BatchCount(*server_), 1u);
}

TEST_F(AdminImportAssistant, AnotherUserAndABogusTokenAreRefusedAlike) {
  auto page = Describe(*admin_, QuestbackCsv());
  ASSERT_EQ(page->status, 200);
  const std::string token = TokenOn(page->body);
  ASSERT_TRUE(IsPendingToken(token));

  auto other = LoggedIn(*server_, "berit", "admin");
  const auto refused = other->Get(AssistantPath(token));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 404);
  EXPECT_TRUE(Contains(refused->body, "Forslaget finnes ikke")) << refused->body;
  EXPECT_FALSE(Contains(refused->body, "Questback"));
  EXPECT_EQ(other->Get(AssistantPath(token) + "/utkast.csv")->status, 404);
  EXPECT_EQ(Confirm(*other, token)->status, 404);
  EXPECT_EQ(BatchCount(*server_), 0u);

  const std::string bogus = RandomToken(kPendingTokenBytes);
  const auto unknown = admin_->Get(AssistantPath(bogus));
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(unknown->body, admin_->Get(AssistantPath(bogus))->body);
  EXPECT_EQ(admin_->Get(AssistantPath(token.substr(0, 42)))->status, 404);
  EXPECT_EQ(admin_->Get("/admin/import/forslag/..%2F..%2Fetc")->status, 404);
  EXPECT_EQ(Confirm(*admin_, bogus)->status, 404);

  // A reader has no import at all; without a login, the login page.
  auto reader = LoggedIn(*server_, "rolf", "reader");
  EXPECT_EQ(reader->Get(AssistantPath(token))->status, 403);
  WebClient anonymous(server_->port());
  EXPECT_EQ(anonymous.Get(AssistantPath(token))->status, 303);
  // Without the CSRF token nothing is imported.
  httplib::MultipartFormDataItems no_csrf = {{"nokkel", "", "", "text/csv"}};
  EXPECT_EQ(admin_->PostMultipart(AssistantPath(token), no_csrf, false)->status, 403);
  EXPECT_EQ(BatchCount(*server_), 0u);
  // The owner still can.
  EXPECT_EQ(Confirm(*admin_, token)->status, 200);
  EXPECT_EQ(BatchCount(*server_), 1u);
}

TEST_F(AdminImportAssistant, ACorrectedCrosswalkWithAnErrorShowsTheLoadersMessageAndStoresNothing) {
  auto page = Describe(*admin_, QuestbackCsv());
  ASSERT_EQ(page->status, 200);
  const std::string token = TokenOn(page->body);
  const std::string draft = admin_->Get(AssistantPath(token) + "/utkast.csv")->body;

  // The e-mail column's role misspelt, on its line of the draft.
  std::string edited = draft;
  const auto at = edited.find("E-post;");
  ASSERT_NE(at, std::string::npos) << draft;
  const auto role = edited.find(";identifier;", at);
  ASSERT_NE(role, std::string::npos) << draft;
  edited.replace(role, 12, ";identifer;");
  const std::size_t line = 1 + static_cast<std::size_t>(std::count(
                                   edited.begin(), edited.begin() + static_cast<long>(at), '\n'));

  auto refused = Confirm(*admin_, token, edited);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 422);
  EXPECT_TRUE(Contains(refused->body, R"(<div class="error-summary" role="alert">)"))
      << refused->body;
  EXPECT_TRUE(
      Contains(refused->body, std::string("<li>") + kDraftName + ":" + std::to_string(line) + ": "))
      << refused->body;
  EXPECT_TRUE(Contains(refused->body, "identifer")) << refused->body;
  EXPECT_TRUE(Contains(refused->body, "Ingenting er importert"));
  EXPECT_FALSE(Contains(refused->body, "samkart-ventende")) << "no server paths on the page";
  EXPECT_TRUE(Contains(refused->body, "Importer med forslaget")) << "the page stays for a retry";
  EXPECT_EQ(BatchCount(*server_), 0u);
  EXPECT_EQ(server_->app().dataset()->rows, 0u);
  EXPECT_EQ(AuditCount(*server_, "import_failed"), 1u);

  // A file that is not a crosswalk at all is refused the same way.
  auto garbage = Confirm(*admin_, token, "hei;på;deg\n1;2;3\n");
  EXPECT_EQ(garbage->status, 422);
  EXPECT_TRUE(Contains(garbage->body, R"(role="alert")"));
  EXPECT_EQ(BatchCount(*server_), 0u);

  // Corrected, the same kept upload imports.
  auto imported = Confirm(*admin_, token, draft);
  ASSERT_TRUE(imported);
  EXPECT_EQ(imported->status, 200) << imported->body;
  EXPECT_TRUE(Contains(imported->body, "Importert med den rettede kryssnøkkelen"));
  EXPECT_EQ(BatchCount(*server_), 1u);
}

TEST_F(AdminImportAssistant, NamesAndValuesFromTheFileAreOnlyEverEscaped) {
  const std::string csv =
      "Kommunenr;År;<script>alert(1)</script>\n9001;2024;<img src=x onerror=alert(1)>\n"
      "9001;2024;<img src=x onerror=alert(1)>\n";
  auto page = Upload(*admin_, "x.csv", csv, {{"handling", "beskriv", "", ""}});
  ASSERT_TRUE(page);
  ASSERT_EQ(page->status, 200) << page->body;
  EXPECT_FALSE(Contains(page->body, "<script>alert(1)"));
  EXPECT_FALSE(Contains(page->body, "<img src=x"));
  EXPECT_TRUE(Contains(page->body, "&lt;script&gt;alert(1)&lt;/script&gt;")) << page->body;
}

TEST_F(AdminImportAssistant, ARegisterIsImportedNotDescribed) {
  auto refused = Upload(*admin_, "kommuner.csv", kRegister, {{"handling", "beskriv", "", ""}});
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 400);
  EXPECT_TRUE(Contains(refused->body, "Beskrivelsen gjelder eksportfiler")) << refused->body;
  EXPECT_TRUE(fs::is_empty(work_ / "arbeid" / "samkart-ventende"));
}

}  // namespace
}  // namespace samkart::web
