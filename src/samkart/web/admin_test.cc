// The administration pages through HTTP, as a browser and as an attacker
// would use them: import, reports, users, the audit log, and hostile input
// (script in names and cells, path traversal, oversized and malformed
// bodies, the wrong role, a missing CSRF token).
#include "samkart/web/admin.h"

#include <map>
#include <memory>
#include <set>

#include <gtest/gtest.h>

#include "samkart/web/accounts.h"

#include "support/scratch_dir.h"
#include "support/web_server.h"

namespace samkart::web {
namespace {

namespace fs = std::filesystem;
using testing_support::ScratchDir;
using testing_support::TestServer;
using testing_support::WebClient;

constexpr const char* kRegister =
    "municipality,name_nb,region,size_group,population\n9001,Vikheim (syntetisk),nord,1,2817\n";
constexpr const char* kExportHeader =
    "kommunenummer,aar,tjenestested,stilling,risiko_bullied,minoritet\n";

// Rows of barnehage staff answering two questions; six are enough for k = 5.
std::string Rows(int municipality, int count, const std::string& answer = "I ganske stor grad") {
  std::string rows;
  for (int i = 0; i < count; ++i) {
    rows += std::to_string(municipality) + ",2021,Barnehage,Assistent," + answer + ",Ganske mye\n";
  }
  return rows;
}

std::unique_ptr<WebClient> LoggedIn(TestServer& server, const std::string& name,
                                    const std::string& role,
                                    std::optional<std::string> region = std::nullopt,
                                    std::optional<int> municipality = std::nullopt) {
  const std::string password = server.AddUser(name, role, std::move(region), municipality);
  auto client = std::make_unique<WebClient>(server.port());
  EXPECT_TRUE(client->LogIn(name, password)) << name;
  return client;
}

httplib::Result Upload(WebClient& client, const std::string& file_name, const std::string& content,
                       httplib::MultipartFormDataItems fields = {}, bool with_csrf = true) {
  fields.push_back({"fil", content, file_name, "text/csv"});
  return client.PostMultipart("/admin/import", fields, with_csrf);
}

std::size_t BatchCount(TestServer& server) {
  auto batches = server.app().WithStore([](store::Store& s) { return s.Batches(); });
  EXPECT_TRUE(batches.ok());
  return batches.ok() ? batches->size() : 0;
}

std::vector<store::AuditEntry> Audit(TestServer& server) {
  auto log = server.app().WithStore([](store::Store& s) { return s.AuditLog(1000); });
  EXPECT_TRUE(log.ok());
  return log.ok() ? *log : std::vector<store::AuditEntry>{};
}

std::size_t AuditCount(TestServer& server, const std::string& action) {
  std::size_t n = 0;
  for (const auto& e : Audit(server)) n += e.action == action;
  return n;
}

// Regular files anywhere below `dir`, but the store. (A ScratchDir is named
// after the test, so the TestServer's store lies in the same folder.)
std::vector<std::string> FilesBelow(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry : fs::recursive_directory_iterator(dir, ec)) {
    if (entry.is_regular_file() &&
        entry.path().filename().string().rfind("samkart.sqlite", 0) != 0) {
      out.push_back(entry.path().string());
    }
  }
  return out;
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// ------------------------------------------------------------ helpers ---

TEST(AdminNames, PlainNamesPassEverythingElseIsRefused) {
  for (const std::string ok : {"eksport.csv", "Bodø 2024 (runde 2).xlsx", "a-b_c+d,e.sav"}) {
    auto name = SanitiseUploadName(ok);
    ASSERT_TRUE(name.ok()) << ok << ": " << name.error().message;
    EXPECT_EQ(*name, ok);
  }
  const std::vector<std::string> bad = {"",
                                        "../../etc/passwd",
                                        "..\\..\\x.csv",
                                        "/etc/passwd",
                                        "a/../../b.csv",
                                        "..",
                                        ".skjult.csv",
                                        "x..csv",
                                        std::string("a\0b.csv", 7),
                                        "a\nb.csv",
                                        "a\rb.csv",
                                        "<script>alert(1)</script>.csv",
                                        "a<b.csv",
                                        "C:x.csv",
                                        "a\xE2\x80\xAE"
                                        "vsc.exe",  // right-to-left override
                                        "\xFF.csv",
                                        std::string(121, 'a')};
  for (const auto& name : bad) {
    auto refused = SanitiseUploadName(name);
    EXPECT_FALSE(refused.ok()) << name;
    if (!refused.ok()) {
      EXPECT_TRUE(Contains(refused.error().message, "kan ikke brukes")) << refused.error().message;
      EXPECT_FALSE(Contains(refused.error().message, std::string(1, '\0')));
      EXPECT_FALSE(Contains(refused.error().message, "\n"));
    }
  }
}

TEST(AdminNames, UsernamesFollowTheCliRule) {
  EXPECT_TRUE(ValidUsername("kari.nordmann@kommune"));
  EXPECT_TRUE(ValidUsername(std::string(64, 'a')));
  for (const std::string bad : {"", "a b", "<b>", "a\"", "a'", "a&b", "tab\there"}) {
    EXPECT_FALSE(ValidUsername(bad)) << bad;
  }
  EXPECT_FALSE(ValidUsername(std::string(65, 'a')));
  for (const std::string& bad :
       {std::string("a\vb"), std::string("a\fb"), std::string("a\0b", 3)}) {
    EXPECT_FALSE(ValidUsername(bad));
    const Status checked = CheckUsername(bad);
    ASSERT_FALSE(checked.ok());
    EXPECT_TRUE(Contains(checked.error().message, "1–64 tegn")) << checked.error().message;
  }
}

TEST(AdminNames, UploadFoldersAreRemovedFromMessages) {
  EXPECT_EQ(StripUploadDirs("Importrapport for /tmp/x/samkart-opplasting-Ab12Cd/eksport.csv\n"),
            "Importrapport for eksport.csv\n");
  EXPECT_EQ(StripUploadDirs("/w/samkart-opplasting-Ab12Cd/a.csv: linje 7; «/w/"
                            "samkart-opplasting-Zz99Yy/a.csv»"),
            "a.csv: linje 7; «a.csv»");
  EXPECT_EQ(StripUploadDirs("ingen sti her"), "ingen sti her");
}

TEST(AdminNames, PrivateTempDirIsOwnerOnlyAndRemoved) {
  ScratchDir scratch;
  fs::path kept;
  {
    auto dir = PrivateTempDir::Create(scratch.path().string(), "samkart-opplasting-");
    ASSERT_TRUE(dir.ok()) << dir.error().message;
    kept = dir->path();
    EXPECT_EQ(kept.parent_path(), scratch.path());
    EXPECT_EQ(fs::status(kept).permissions() & fs::perms::all, fs::perms::owner_all);
    std::ofstream(kept / "fil.csv") << "x";
  }
  EXPECT_FALSE(fs::exists(kept));
}

// ------------------------------------------------------------- import ---

TEST(AdminImport, RegisterThenExportIsStoredAndTheSameFileAgainIsAlreadyImported) {
  ScratchDir work;
  ServeOptions options;
  options.work_dir = (work / "arbeid").string();
  TestServer server(false, options);
  auto admin = LoggedIn(server, "anne", "admin");

  auto form = admin->Get("/admin/import");
  ASSERT_TRUE(form);
  EXPECT_EQ(form->status, 200);
  EXPECT_TRUE(Contains(form->body, R"(enctype="multipart/form-data")"));
  EXPECT_TRUE(Contains(form->body, R"(<label for="fil">)"));
  EXPECT_TRUE(Contains(form->body, "64 MB")) << "the page states the upload limit";
  EXPECT_TRUE(Contains(form->body, "Ingen filer er importert"));

  auto registered = Upload(*admin, "kommuner.csv", kRegister);
  ASSERT_TRUE(registered);
  EXPECT_EQ(registered->status, 200) << registered->body;
  EXPECT_TRUE(Contains(registered->body, "Kommuneregister: 1 kommuner lagret"));

  const std::string content = std::string(kExportHeader) + Rows(9001, 6);
  auto imported = Upload(*admin, "eksport.csv", content, {{"runde", "baseline", "", ""}});
  ASSERT_TRUE(imported);
  EXPECT_EQ(imported->status, 200) << imported->body;
  EXPECT_TRUE(Contains(imported->body, "Importrapport for eksport.csv")) << imported->body;
  EXPECT_TRUE(Contains(imported->body, R"(role="status")"));
  EXPECT_FALSE(Contains(imported->body, kUploadDirPrefix)) << "no server paths on the page";
  EXPECT_EQ(server.app().dataset()->rows, 6u);
  EXPECT_EQ(BatchCount(server), 1u);

  auto again = Upload(*admin, "eksport.csv", content);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200);
  EXPECT_TRUE(Contains(again->body, "allerede importert")) << again->body;
  EXPECT_FALSE(Contains(again->body, kUploadDirPrefix));
  EXPECT_EQ(BatchCount(server), 1u);
  EXPECT_EQ(server.app().dataset()->rows, 6u);

  // The list of imports links to each report.
  auto batches = server.app().WithStore([](store::Store& s) { return s.Batches(); });
  ASSERT_TRUE(batches.ok());
  ASSERT_EQ(batches->size(), 1u);
  const std::string link = "/admin/import/" + std::to_string((*batches)[0].id);
  auto list = admin->Get("/admin/import");
  ASSERT_TRUE(list);
  EXPECT_TRUE(Contains(list->body, "href=\"" + link + "\"")) << list->body;
  EXPECT_TRUE(Contains(
      list->body,
      R"(<div class="table-wrap" role="region" tabindex="0" aria-label="Importerte filer">)"));
  auto report = admin->Get(link);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->status, 200);
  EXPECT_TRUE(Contains(report->body, R"(<pre class="report">Importrapport for eksport.csv)"))
      << report->body;
  EXPECT_FALSE(Contains(report->body, kUploadDirPrefix));
  // The stored report names the upload, not the temporary path it was read from.
  auto stored =
      server.app().WithStore([&](store::Store& s) { return s.BatchReport((*batches)[0].id); });
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->rfind("Importrapport for eksport.csv\n", 0), 0u) << *stored;
  EXPECT_FALSE(Contains(*stored, kUploadDirPrefix));
  EXPECT_EQ(admin->Get("/admin/import/987654")->status, 404);

  // Audited, and the uploads' folders are gone.
  std::size_t with_rows = 0;
  for (const auto& e : Audit(server)) {
    with_rows += e.action == "import" && Contains(e.detail, "fil=eksport.csv, rader=6, import=");
  }
  EXPECT_EQ(with_rows, 1u);
  EXPECT_EQ(AuditCount(server, "import"), 3u);
  EXPECT_TRUE(FilesBelow(work.path()).empty());
  EXPECT_TRUE(fs::is_empty(work / "arbeid"));
}

// A server with two municipalities in two regions (9001 «nord», 9002
// «sor») and an administrator who registered them.
class TwoRegions : public ::testing::Test {
 protected:
  void SetUp() override {
    ServeOptions options;
    options.work_dir = (work_ / "arbeid").string();
    server_ = std::make_unique<TestServer>(false, options);
    admin_ = LoggedIn(*server_, "anne", "admin");
    const std::string regions =
        "municipality,name_nb,region,size_group,population\n"
        "9001,Vikheim (syntetisk),nord,1,2817\n9002,Sørby (syntetisk),sor,1,3100\n";
    ASSERT_EQ(Upload(*admin_, "kommuner.csv", regions)->status, 200);
  }

  ScratchDir work_;
  std::unique_ptr<TestServer> server_;
  std::unique_ptr<WebClient> admin_;
};

// An import is scoped like the municipality it holds: a regional analyst
// sees the imports and reports of their own region's municipalities, and
// another region's import is answered as one that does not exist (the same
// 404 as an unknown number, so ids tell nothing).
TEST_F(TwoRegions, AnImportReportIsOnlyForThoseWhoMaySeeItsMunicipality) {
  TestServer& server = *server_;
  WebClient* admin = admin_.get();
  for (const int m : {9001, 9002}) {
    auto imported =
        Upload(*admin, "eksport_" + std::to_string(m) + ".csv",
               std::string(kExportHeader) + Rows(m, 6), {{"runde", "baseline", "", ""}});
    ASSERT_EQ(imported->status, 200) << imported->body;
  }
  auto both =
      Upload(*admin, "begge.csv", std::string(kExportHeader) + Rows(9001, 6) + Rows(9002, 6),
             {{"runde", "follow_up", "", ""}});
  ASSERT_EQ(both->status, 200) << both->body;
  std::map<std::string, int64_t> id_of;
  auto batches = server.app().WithStore([](store::Store& s) { return s.Batches(); });
  ASSERT_TRUE(batches.ok());
  for (const auto& b : *batches) id_of[b.file_name] = b.id;
  ASSERT_EQ(id_of.size(), 3u);
  auto link = [&](const std::string& file) {
    return "/admin/import/" + std::to_string(id_of.at(file));
  };

  auto north = LoggedIn(server, "nils", "regional", std::string("nord"));
  EXPECT_EQ(north->Get(link("eksport_9001.csv"))->status, 200);
  const auto other = north->Get(link("eksport_9002.csv"));
  EXPECT_EQ(other->status, 404);
  EXPECT_FALSE(Contains(other->body, "eksport_9002.csv"));
  EXPECT_EQ(north->Get(link("begge.csv"))->status, 404) << "it spans another region";
  EXPECT_EQ(north->Get("/admin/import/987654")->status, 404);
  const auto list = north->Get("/admin/import");
  EXPECT_TRUE(Contains(list->body, "eksport_9001.csv"));
  EXPECT_FALSE(Contains(list->body, "eksport_9002.csv"));
  EXPECT_FALSE(Contains(list->body, "begge.csv"));
  for (const auto& [file, id] : id_of) {
    EXPECT_EQ(admin->Get(link(file))->status, 200) << file;
  }
}

// The importer sees every count of their own file once; the stored report,
// which others who may see the import open later, has none that could show
// a group smaller than k (a lone health nurse generalised away, say).
TEST_F(TwoRegions, AStoredImportReportHasNoCountsThatShowASmallGroup) {
  const std::string lone_nurse =
      "9001,2021,Helsestasjon og skolehelsetjeneste,Helsesykepleier/jordmor,I svært stor grad,"
      "Ganske mye\n";
  auto imported =
      Upload(*admin_, "eksport.csv", std::string(kExportHeader) + Rows(9001, 6) + lone_nurse,
             {{"runde", "baseline", "", ""}});
  ASSERT_EQ(imported->status, 200) << imported->body;
  EXPECT_TRUE(Contains(imported->body, "I ganske stor grad: 6")) << imported->body;
  EXPECT_TRUE(Contains(imported->body, "Helsestasjon og skolehelsetjeneste → ")) << imported->body;

  auto batches = server_->app().WithStore([](store::Store& s) { return s.Batches(); });
  ASSERT_TRUE(batches.ok());
  ASSERT_EQ(batches->size(), 1u);
  auto north = LoggedIn(*server_, "nils", "regional", std::string("nord"));
  for (WebClient* viewer : {admin_.get(), north.get()}) {
    auto report = viewer->Get("/admin/import/" + std::to_string((*batches)[0].id));
    ASSERT_EQ(report->status, 200);
    EXPECT_TRUE(Contains(report->body, "I ganske stor grad\n")) << report->body;
    EXPECT_FALSE(Contains(report->body, "I ganske stor grad: ")) << report->body;
    EXPECT_FALSE(Contains(report->body, "Helsestasjon og skolehelsetjeneste → ")) << report->body;
    EXPECT_FALSE(Contains(report->body, "1 rader")) << report->body;
    EXPECT_TRUE(Contains(report->body, "vises bare for den som importerer")) << report->body;
  }
}

// A regional analyst imports for their own region only: another region's
// municipality in a file refuses the whole file, and the register and the
// invited counts, which span every region, are for administrators.
TEST_F(TwoRegions, ARegionalAnalystImportsForTheirOwnRegionOnly) {
  TestServer& server = *server_;
  auto north = LoggedIn(server, "nils", "regional", std::string("nord"));

  // Moving 9002 into «nord» and renaming 9001 is refused; the register stays.
  const std::string moved =
      "municipality,name_nb,region,size_group,population\n"
      "9001,X,nord,1,2817\n9002,Sørby (syntetisk),nord,1,3100\n";
  const auto register_upload = Upload(*north, "kommuner.csv", moved);
  EXPECT_EQ(register_upload->status, 403);
  auto listed = server.app().WithStore([](store::Store& s) { return s.Municipalities(); });
  ASSERT_TRUE(listed.ok());
  for (const auto& m : *listed) {
    if (m.number == 9001) {
      EXPECT_EQ(m.name, "Vikheim (syntetisk)");
    }
    if (m.number == 9002) {
      EXPECT_EQ(m.region, "sor");
    }
  }
  const auto invited = Upload(*north, "inviterte.csv",
                              "municipality,year,round_type,service,invited\n9002,2021,baseline,"
                              "barnehage,20\n");
  EXPECT_EQ(invited->status, 403);

  // A file with a row for «sør» stores nothing, and says which row.
  const auto mixed =
      Upload(*north, "blandet.csv", std::string(kExportHeader) + Rows(9001, 6) + Rows(9002, 6),
             {{"runde", "baseline", "", ""}});
  EXPECT_EQ(mixed->status, 422);
  EXPECT_TRUE(Contains(mixed->body, "kommune 9002 ligger utenfor regionen")) << mixed->body;
  EXPECT_EQ(BatchCount(server), 0u);
  const auto own = Upload(*north, "nord.csv", std::string(kExportHeader) + Rows(9001, 6),
                          {{"runde", "baseline", "", ""}});
  EXPECT_EQ(own->status, 200) << own->body;
  EXPECT_EQ(BatchCount(server), 1u);
}

// A second file for a round that has answers is refused with the earlier
// import named and the form's two choices; either choice then imports it.
TEST(AdminImport, AnotherFileForTheSameRoundIsAppendedOrReplacedOnlyWhenAskedFor) {
  ScratchDir work;
  ServeOptions options;
  options.work_dir = (work / "arbeid").string();
  TestServer server(false, options);
  auto admin = LoggedIn(server, "anne", "admin");
  ASSERT_EQ(Upload(*admin, "kommuner.csv", kRegister)->status, 200);
  auto first = Upload(*admin, "barnehage.csv", std::string(kExportHeader) + Rows(9001, 6));
  ASSERT_EQ(first->status, 200) << first->body;
  auto batches = server.app().WithStore([](store::Store& s) { return s.Batches(); });
  ASSERT_TRUE(batches.ok() && batches->size() == 1u);
  const std::string first_id = std::to_string(batches->at(0).id);

  const std::string school = std::string(kExportHeader) + Rows(9001, 7, "I svært stor grad");
  auto refused = Upload(*admin, "skole.csv", school);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 422);
  EXPECT_TRUE(
      Contains(refused->body, "har allerede svar fra import " + first_id + " fra barnehage.csv"))
      << refused->body;
  EXPECT_TRUE(Contains(refused->body, "«Legg til i runden»")) << refused->body;
  EXPECT_TRUE(Contains(refused->body, "«Erstatter import»")) << refused->body;
  EXPECT_FALSE(Contains(refused->body, "--append")) << refused->body;
  EXPECT_EQ(server.app().dataset()->rows, 6u);

  auto appended = Upload(*admin, "skole.csv", school, {{"legg_til", "1", "", ""}});
  ASSERT_TRUE(appended);
  EXPECT_EQ(appended->status, 200) << appended->body;
  EXPECT_EQ(server.app().dataset()->rows, 13u);

  auto replaced = Upload(*admin, "barnehage_rettet.csv",
                         std::string(kExportHeader) + Rows(9001, 8, "Hverken/eller"),
                         {{"erstatter", first_id, "", ""}});
  ASSERT_TRUE(replaced);
  EXPECT_EQ(replaced->status, 200) << replaced->body;
  EXPECT_TRUE(Contains(replaced->body, "Den erstattet import " + first_id)) << replaced->body;
  EXPECT_EQ(server.app().dataset()->rows, 15u);
  EXPECT_EQ(BatchCount(server), 2u);
}

TEST(AdminImport, AFailingFileShowsTheImportersMessageEscapedAndStoresNothing) {
  TestServer server(false);
  auto admin = LoggedIn(server, "anne", "admin");
  const std::string cell = "<img src=x onerror=alert(1)>";
  auto failed = Upload(*admin, "eksport.csv",
                       std::string(kExportHeader) + Rows(9901, 5) + Rows(9901, 1, cell));
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->status, 422);
  EXPECT_TRUE(Contains(failed->body,
                       "eksport.csv: linje 7, kolonne «risiko_bullied»: ukjent kategori "
                       "«&lt;img src=x onerror=alert(1)&gt;»"))
      << failed->body;
  EXPECT_TRUE(Contains(failed->body, R"(role="alert")"));
  EXPECT_TRUE(Contains(failed->body, "Ingenting fra denne filen er lagret"));
  EXPECT_FALSE(Contains(failed->body, cell));
  EXPECT_FALSE(Contains(failed->body, kUploadDirPrefix));
  EXPECT_EQ(BatchCount(server), 0u);
  EXPECT_EQ(server.app().dataset()->rows, 0u);
  EXPECT_EQ(AuditCount(server, "import_failed"), 1u);

  // A bad form field is a 400 naming the field.
  auto bad_year = Upload(*admin, "eksport.csv", std::string(kExportHeader) + Rows(9901, 6),
                         {{"aar", "tjue<b>", "", ""}});
  ASSERT_TRUE(bad_year);
  EXPECT_EQ(bad_year->status, 400);
  EXPECT_TRUE(Contains(bad_year->body, "Året må være et helt tall"));
  EXPECT_TRUE(Contains(bad_year->body, "tjue&lt;b&gt;"));
  EXPECT_EQ(BatchCount(server), 0u);
  // The message sits at the field it concerns, and the form keeps the
  // values typed (escaped).
  EXPECT_TRUE(Contains(bad_year->body, R"(<p class="field-error" id="aar-feil">)"))
      << bad_year->body;
  EXPECT_TRUE(Contains(bad_year->body,
                       R"(value="tjue&lt;b&gt;" aria-invalid="true" aria-describedby="aar-feil")"));
  EXPECT_TRUE(Contains(bad_year->body, R"(<a href="#aar">)"));
  // A refused file: the message at the file field.
  EXPECT_TRUE(Contains(failed->body, R"(aria-invalid="true" aria-describedby="fil-feil")"))
      << failed->body;
}

// ------------------------------------------------------------- hostile ---

TEST(AdminXss, ScriptInFileNamesUserNamesAndAuditDetailsIsOnlyEverEscaped) {
  TestServer server(false);
  auto admin = LoggedIn(server, "anne", "admin");
  for (const std::string name : {"<script>alert(1)</script>.csv", "<b onmouseover=x>.csv"}) {
    auto res = Upload(*admin, name, std::string(kExportHeader) + Rows(9901, 6));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400) << name;
    EXPECT_FALSE(Contains(res->body, "<script>alert")) << res->body;
    EXPECT_FALSE(Contains(res->body, "<b onmouseover"));
    EXPECT_TRUE(Contains(res->body, "&lt;")) << res->body;
  }
  EXPECT_EQ(BatchCount(server), 0u);

  auto user = admin->PostForm("/admin/brukere",
                              {{"brukernavn", "<b>ola"}, {"rolle", "reader"}, {"generer", "1"}});
  ASSERT_TRUE(user);
  EXPECT_EQ(user->status, 400);
  EXPECT_TRUE(Contains(user->body, "Brukernavnet må ha 1–64 tegn"));
  EXPECT_FALSE(Contains(user->body, "<b>ola"));
  EXPECT_FALSE(server.app()
                   .WithStore([](store::Store& s) { return s.FindUser("<b>ola"); })
                   .value()
                   .has_value());

  server.app().Audit("<i>mallory</i>", "login_failed", "<script>alert(2)</script>");
  auto log = admin->Get("/admin/logg");
  ASSERT_TRUE(log);
  EXPECT_EQ(log->status, 200);
  EXPECT_TRUE(Contains(log->body, "&lt;script&gt;alert(2)&lt;/script&gt;"));
  EXPECT_TRUE(Contains(log->body, "&lt;i&gt;mallory&lt;/i&gt;"));
  EXPECT_TRUE(Contains(log->body, "&lt;script&gt;alert(1)&lt;/script&gt;.csv"))
      << "the refused upload is audited, escaped";
  EXPECT_FALSE(Contains(log->body, "<script>"));
  EXPECT_FALSE(Contains(log->body, "<i>mallory"));
  EXPECT_FALSE(Contains(log->body, " style=")) << "the CSP forbids inline styles";
}

TEST(AdminPathTraversal, NamesThatLeaveTheFolderAreRefusedAndNothingIsWritten) {
  ScratchDir work;
  ServeOptions options;
  options.work_dir = (work / "arbeid").string();
  TestServer server(false, options);
  auto admin = LoggedIn(server, "anne", "admin");
  const std::string content = std::string(kExportHeader) + Rows(9901, 6);
  const std::vector<std::string> names = {"../../etc/passwd",
                                          "..\\..\\x.csv",
                                          "/etc/passwd",
                                          "a/../../b.csv",
                                          "..",
                                          "../eksport.csv",
                                          "./../c.csv",
                                          std::string("d\0.csv", 6),
                                          "e\n.csv",
                                          "f\r\nX-Evil: 1.csv",
                                          "\t.csv"};
  // What already sits beside the work folder (a shared /tmp) is not ours to judge.
  const fs::path parent = work.path().parent_path();
  std::vector<std::string> leaks;
  for (const char* leaked : {"x.csv", "b.csv", "c.csv", "eksport.csv", "passwd"}) {
    if (!fs::exists(parent / leaked)) leaks.push_back(leaked);
  }
  for (const auto& name : names) {
    auto res = Upload(*admin, name, content);
    ASSERT_TRUE(res) << name;
    EXPECT_EQ(res->status, 400) << name << "\n" << res->body;
    EXPECT_TRUE(Contains(res->body, R"(role="alert")")) << name;
    EXPECT_FALSE(Contains(res->body, "root:")) << name;
    if (name.find_first_of("\r\n") == std::string::npos) {
      // Reached the page's own check (a line break already breaks the multipart header).
      EXPECT_TRUE(Contains(res->body, "kan ikke brukes")) << name << "\n" << res->body;
    }
  }
  EXPECT_EQ(BatchCount(server), 0u);
  EXPECT_TRUE(FilesBelow(work.path()).empty()) << FilesBelow(work.path()).front();
  for (const std::string& leaked : leaks) EXPECT_FALSE(fs::exists(parent / leaked)) << leaked;
}

TEST(AdminUpload, AnUploadOverTheLimitGets413WithANorwegianMessage) {
  ServeOptions options;
  options.max_upload_bytes = 1u << 20;
  TestServer server(false, options);
  auto admin = LoggedIn(server, "anne", "admin");
  auto form = admin->Get("/admin/import");
  ASSERT_TRUE(form);
  EXPECT_TRUE(Contains(form->body, "Filer over 1 MB avvises"));

  std::string big = kExportHeader;
  while (big.size() < (2u << 20)) big += Rows(9901, 100);
  auto res = Upload(*admin, "stor.csv", big);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  EXPECT_TRUE(Contains(res->body, "for stor")) << res->body;
  EXPECT_TRUE(Contains(res->body, "1 MB"));
  EXPECT_EQ(BatchCount(server), 0u);
  EXPECT_EQ(server.app().dataset()->rows, 0u);
}

TEST(AdminMalformed, BrokenBodiesGet400WithAMessageNever500) {
  TestServer server(false);
  auto admin = LoggedIn(server, "anne", "admin");
  struct Case {
    std::string path, body, type;
  };
  const std::vector<Case> cases = {
      {"/admin/import", "--abc\r\nContent-Disposition: form-data; name=\"fil\"\r\n\r\nx",
       "multipart/form-data; boundary=abc"},
      {"/admin/import", "--zzz\r\n\r\n--zzz--\r\n", "multipart/form-data; boundary=abc"},
      {"/admin/import", "noe", "multipart/form-data"},
      {"/admin/import", "fil=%zz", "application/x-www-form-urlencoded"},
      {"/admin/import", R"({"fil": "x"})", "application/json"},
      {"/admin/brukere", "brukernavn=%zz&rolle=reader&passord=%",
       "application/x-www-form-urlencoded"},
      {"/admin/brukere", "brukernavn=ok&rolle=reader&passord=%4",
       "application/x-www-form-urlencoded"},
      {"/admin/brukere", R"({"brukernavn": "json", "rolle": "reader", "generer": "1"})",
       "application/json"},
      {"/admin/brukere", "\xff\xfe", "text/plain"},
  };
  for (const auto& c : cases) {
    auto res = admin->PostRaw(c.path, c.body, c.type);
    ASSERT_TRUE(res) << c.path << " " << c.body;
    EXPECT_EQ(res->status, 400) << c.path << " " << c.type << " " << c.body << "\n" << res->body;
    EXPECT_TRUE(Contains(res->body, R"(role="alert")")) << res->body;
  }
  auto users = server.app().WithStore([](store::Store& s) { return s.Users(); });
  ASSERT_TRUE(users.ok());
  EXPECT_EQ(users->size(), 1u) << "no user was created from a broken body";
  EXPECT_EQ(BatchCount(server), 0u);
}

// --------------------------------------------------------------- roles ---

TEST(AdminRoles, EachRoleGetsWhatItMayAndNothingMore) {
  TestServer server;  // the synthetic dataset: reports need answers
  auto registered = server.app().WithStore([](store::Store& s) { return s.Municipalities(); });
  ASSERT_TRUE(registered.ok());
  const auto data = server.app().dataset();
  std::set<int> with_data(data->municipality.begin(), data->municipality.end());
  std::vector<store::Municipality> candidates;
  for (const auto& m : *registered) {
    if (with_data.count(m.number)) candidates.push_back(m);
  }
  ASSERT_GE(candidates.size(), 2u);
  const store::Municipality own = candidates[0];
  const store::Municipality other = candidates[1];

  auto coordinator = LoggedIn(server, "koord", "municipal", std::nullopt, own.number);
  auto reader = LoggedIn(server, "leser", "reader");
  auto regional = LoggedIn(server, "analytiker", "regional", own.region);
  auto admin = LoggedIn(server, "anne", "admin");

  for (WebClient* client : {coordinator.get(), reader.get()}) {
    EXPECT_EQ(client->Get("/admin/import")->status, 403);
    EXPECT_EQ(Upload(*client, "kommuner.csv", kRegister)->status, 403);
    EXPECT_EQ(client->Get("/admin/brukere")->status, 403);
    EXPECT_EQ(client->PostForm("/admin/brukere", {{"brukernavn", "x"}, {"rolle", "admin"}})->status,
              403);
    EXPECT_EQ(client->Get("/admin/logg")->status, 403);
    EXPECT_EQ(client->Get("/admin/import/1")->status, 403);
  }
  auto refused = coordinator->Get("/admin/import");
  EXPECT_TRUE(Contains(refused->body, "Du har ikke tilgang til import"));

  // The regional analyst imports but does not manage users.
  EXPECT_EQ(regional->Get("/admin/import")->status, 200);
  EXPECT_EQ(regional->Get("/admin/import/1")->status, 200);
  EXPECT_EQ(regional->Get("/admin/brukere")->status, 403);
  EXPECT_EQ(regional->Get("/admin/logg")->status, 403);
  auto regional_upload = Upload(*regional, "tom.csv", "");
  ASSERT_TRUE(regional_upload);
  EXPECT_EQ(regional_upload->status, 422) << "allowed in, refused by the importer";

  // Not logged in: pages send to the login form, posts get 401.
  WebClient anonymous(server.port());
  EXPECT_EQ(anonymous.Get("/admin/import")->status, 303);
  EXPECT_EQ(anonymous.Get("/rapporter/nasjonal.pdf")->status, 303);
  EXPECT_EQ(Upload(anonymous, "kommuner.csv", kRegister)->status, 401);

  // Without the CSRF token every change is refused.
  EXPECT_EQ(Upload(*admin, "kommuner.csv", kRegister, {}, false)->status, 403);
  EXPECT_EQ(admin
                ->PostForm("/admin/brukere",
                           {{"brukernavn", "uten"}, {"rolle", "reader"}, {"generer", "1"}}, false)
                ->status,
            403);
  EXPECT_EQ(admin->PostForm("/admin/brukere/1/status", {{"aktiv", "0"}}, false)->status, 403);

  // Reports: the coordinator's own municipality only.
  auto list = coordinator->Get("/rapporter");
  ASSERT_TRUE(list);
  EXPECT_EQ(list->status, 200);
  const std::string own_base = "/rapporter/kommune/" + std::to_string(own.number);
  const std::string other_base = "/rapporter/kommune/" + std::to_string(other.number);
  EXPECT_TRUE(Contains(list->body, own_base + ".pdf"));
  EXPECT_FALSE(Contains(list->body, other_base + ".pdf"));
  EXPECT_TRUE(Contains(list->body, "/rapporter/nasjonal.xlsx"));

  auto pdf = coordinator->Get(own_base + ".pdf");
  ASSERT_TRUE(pdf);
  EXPECT_EQ(pdf->status, 200) << pdf->body;
  EXPECT_EQ(pdf->body.rfind("%PDF", 0), 0u);
  EXPECT_EQ(pdf->get_header_value("Content-Type"), "application/pdf");
  const std::string disposition = pdf->get_header_value("Content-Disposition");
  EXPECT_EQ(disposition.rfind(
                "attachment; filename=\"kommunerapport_" + std::to_string(own.number) + "_", 0),
            0u)
      << disposition;
  EXPECT_EQ(disposition.find_first_of("/\\\r\n", 0), std::string::npos);
  auto xlsx = coordinator->Get(own_base + ".xlsx");
  ASSERT_TRUE(xlsx);
  EXPECT_EQ(xlsx->status, 200);
  EXPECT_EQ(xlsx->body.rfind("PK", 0), 0u);
  EXPECT_TRUE(Contains(list->body, own_base + ".pptx"));
  auto pptx = coordinator->Get(own_base + ".pptx");
  ASSERT_TRUE(pptx);
  EXPECT_EQ(pptx->status, 200);
  EXPECT_EQ(pptx->body.rfind("PK", 0), 0u);
  EXPECT_EQ(pptx->get_header_value("Content-Type"),
            "application/vnd.openxmlformats-officedocument.presentationml.presentation");
  auto html = coordinator->Get(own_base + ".html");
  ASSERT_TRUE(html);
  EXPECT_EQ(html->status, 200);
  EXPECT_EQ(html->get_header_value("Content-Type").rfind("text/html", 0), 0u);
  EXPECT_TRUE(Contains(html->body, own.name.substr(0, 4)));

  EXPECT_EQ(coordinator->Get(other_base + ".pdf")->status, 403);
  EXPECT_EQ(coordinator->Get("/rapporter/kommune/99.pdf")->status, 404);
  EXPECT_EQ(coordinator->Get(own_base + ".exe")->status, 404);
  EXPECT_EQ(regional->Get(own_base + ".html")->status, 200);
  EXPECT_EQ(admin->Get(other_base + ".html")->status, 200);

  // A reader: the national report only.
  EXPECT_EQ(reader->Get(own_base + ".pdf")->status, 403);
  auto reader_list = reader->Get("/rapporter");
  ASSERT_TRUE(reader_list);
  EXPECT_EQ(reader_list->status, 200);
  EXPECT_FALSE(Contains(reader_list->body, "/rapporter/kommune/"));
  auto national = reader->Get("/rapporter/nasjonal.html");
  ASSERT_TRUE(national);
  EXPECT_EQ(national->status, 200);
  EXPECT_EQ(national->get_header_value("Content-Disposition"),
            "attachment; filename=\"nasjonal_rapport.html\"");

  std::size_t downloads = 0;
  for (const auto& e : Audit(server)) {
    downloads += e.action == "report_download" && e.username == "koord";
  }
  EXPECT_EQ(downloads, 4u);  // PDF, XLSX, PPTX and HTML
  EXPECT_EQ(AuditCount(server, "report_download"), 7u);
}

// --------------------------------------------------------------- users ---

TEST(AdminUsers, AddChangeResetDeactivateAndReactivateAreAudited) {
  TestServer server(false);
  auto admin = LoggedIn(server, "anne", "admin");

  auto page = admin->Get("/admin/brukere");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_TRUE(Contains(page->body, R"(<label for="ny-brukernavn">)"));
  EXPECT_TRUE(Contains(page->body, R"(<option value="9901">9901 Syntetisk testkommune</option>)"));
  EXPECT_TRUE(Contains(page->body, R"(<option value="midt">)"));

  // Refusals name the cause and create nobody.
  const std::vector<std::pair<httplib::Params, std::string>> refusals = {
      {{{"brukernavn", "kari"}, {"rolle", "reader"}, {"passord", "kort"}}, "role=\"alert\""},
      {{{"brukernavn", "kari"}, {"rolle", "regional"}, {"generer", "1"}}, "KORUS-region"},
      {{{"brukernavn", "kari"}, {"rolle", "municipal"}, {"kommune", "1234"}, {"generer", "1"}},
       "finnes ikke i kommuneregisteret"},
      {{{"brukernavn", "kari"}, {"rolle", "konge"}, {"generer", "1"}}, "Ukjent rolle"},
      {{{"brukernavn", "anne"}, {"rolle", "reader"}, {"generer", "1"}}, "finnes fra før"},
      {{{"brukernavn", "kari nordmann"}, {"rolle", "reader"}, {"generer", "1"}}, "1–64 tegn"},
  };
  for (const auto& [params, expected] : refusals) {
    auto res = admin->PostForm("/admin/brukere", params);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400) << expected;
    EXPECT_TRUE(Contains(res->body, expected)) << res->body;
  }
  EXPECT_EQ(AuditCount(server, "user_add"), 0u);

  // Every error sits at its field, which says so; the summary takes the
  // focus and links to the fields; what was typed stays.
  auto refused = admin->PostForm(
      "/admin/brukere",
      {{"brukernavn", "kari"}, {"rolle", "municipal"}, {"kommune", "1234"}, {"passord", "kort"}});
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 400);
  EXPECT_TRUE(Contains(refused->body, R"(value="kari")")) << refused->body;
  EXPECT_TRUE(Contains(
      refused->body,
      R"(id="ny-kommune" name="kommune" aria-invalid="true" aria-describedby="ny-kommune-feil")"))
      << refused->body;
  EXPECT_TRUE(Contains(refused->body, R"(<p class="field-error" id="ny-kommune-feil">)"));
  EXPECT_TRUE(Contains(refused->body, R"(aria-invalid="true" aria-describedby="ny-passord-feil")"));
  EXPECT_TRUE(Contains(refused->body, R"(<a href="#ny-passord">)"));
  EXPECT_TRUE(Contains(refused->body, R"(tabindex="-1" autofocus id="feiloppsummering")"));
  EXPECT_TRUE(Contains(refused->body, R"(<option value="municipal" selected>)"));
  EXPECT_FALSE(Contains(
      refused->body,
      R"(id="ny-brukernavn" name="brukernavn" required maxlength="64" autocomplete="off" value="kari" aria-invalid)"));

  // A generated password is shown once and works.
  auto added = admin->PostForm(
      "/admin/brukere",
      {{"brukernavn", "kari"}, {"rolle", "municipal"}, {"kommune", "9901"}, {"generer", "1"}});
  ASSERT_TRUE(added);
  EXPECT_EQ(added->status, 200) << added->body;
  const std::string marker = R"(<code class="secret">)";
  const auto at = added->body.find(marker);
  ASSERT_NE(at, std::string::npos) << added->body;
  const std::string password = added->body.substr(
      at + marker.size(), added->body.find('<', at + marker.size()) - at - marker.size());
  EXPECT_GE(password.size(), 16u);
  auto kari = std::make_unique<WebClient>(server.port());
  ASSERT_TRUE(kari->LogIn("kari", password));
  auto stored = server.app().WithStore([](store::Store& s) { return s.FindUser("kari"); });
  ASSERT_TRUE(stored.ok() && *stored);
  const store::User user = **stored;
  EXPECT_EQ(user.municipality, 9901);
  const std::string base = "/admin/brukere/" + std::to_string(user.id);
  EXPECT_EQ(admin->Get(base)->status, 200);
  EXPECT_EQ(admin->Get("/admin/brukere/424242")->status, 404);

  // Role and scope.
  auto changed = admin->PostForm(base + "/rolle", {{"rolle", "regional"}, {"region", "midt"}});
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->status, 200) << changed->body;
  stored = server.app().WithStore([](store::Store& s) { return s.FindUser("kari"); });
  EXPECT_EQ((*stored)->role, "regional");
  EXPECT_EQ((*stored)->region, "midt");
  EXPECT_FALSE((*stored)->municipality);
  EXPECT_EQ(kari->Get("/admin/import")->status, 200) << "the new role applies at once";

  // A new password ends the user's sessions.
  auto weak = admin->PostForm(base + "/passord", {{"passord", "aaaaaaaaaaaaaaaa"}});
  EXPECT_EQ(weak->status, 400);
  auto reset = admin->PostForm(base + "/passord", {{"passord", "et nytt og langt passord"}});
  ASSERT_TRUE(reset);
  EXPECT_EQ(reset->status, 200) << reset->body;
  EXPECT_EQ(kari->Get("/api/meg")->status, 401);
  ASSERT_TRUE(kari->LogIn("kari", "et nytt og langt passord"));

  // Deactivation ends the sessions and the logins; reactivation allows them again.
  auto disabled = admin->PostForm(base + "/status", {{"aktiv", "0"}});
  ASSERT_TRUE(disabled);
  EXPECT_EQ(disabled->status, 200);
  EXPECT_EQ(kari->Get("/api/meg")->status, 401);
  EXPECT_FALSE(kari->LogIn("kari", "et nytt og langt passord"));
  EXPECT_EQ(admin->PostForm(base + "/status", {{"aktiv", "1"}})->status, 200);
  EXPECT_TRUE(kari->LogIn("kari", "et nytt og langt passord"));

  // An admin cannot deactivate or demote themself.
  auto me = server.app().WithStore([](store::Store& s) { return s.FindUser("anne"); });
  const std::string mine = "/admin/brukere/" + std::to_string((*me)->id);
  auto self = admin->PostForm(mine + "/status", {{"aktiv", "0"}});
  ASSERT_TRUE(self);
  EXPECT_EQ(self->status, 400);
  EXPECT_TRUE(Contains(self->body, "Du kan ikke deaktivere deg selv"));
  EXPECT_EQ(admin->PostForm(mine + "/rolle", {{"rolle", "reader"}})->status, 400);
  EXPECT_EQ(admin->Get("/api/meg")->status, 200);

  EXPECT_EQ(AuditCount(server, "user_add"), 1u);
  EXPECT_EQ(AuditCount(server, "user_change"), 1u);
  EXPECT_EQ(AuditCount(server, "user_password"), 1u);
  EXPECT_EQ(AuditCount(server, "user_disable"), 1u);
  EXPECT_EQ(AuditCount(server, "user_enable"), 1u);
  for (const auto& e : Audit(server)) {
    EXPECT_FALSE(Contains(e.detail, password)) << "passwords never reach the log";
  }
  auto log = admin->Get("/admin/logg");
  ASSERT_TRUE(log);
  for (const char* action : {"user_add", "user_change", "user_password", "user_disable"}) {
    EXPECT_TRUE(Contains(log->body, action)) << action;
  }
}

}  // namespace
}  // namespace samkart::web
