#include "samkart/web/explorer.h"

#include <algorithm>
#include <cmath>
#include <regex>
#include <set>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "samkart/io/table_writer.h"
#include "samkart/present/table_format.h"
#include "samkart/report/blocks.h"
#include "samkart/report/report_inputs.h"
#include "samkart/web/http.h"

#include "support/scratch_dir.h"
#include "support/web_server.h"

namespace samkart::web {
namespace {

using analysis::Variable;
using nlohmann::json;
using testing_support::TestServer;
using testing_support::WebClient;

constexpr const char* kFamily = "risk_identification";

struct Answer {
  int status = 0;
  json body;
};

Answer GetJson(WebClient& client, const std::string& path) {
  auto result = client.Get(path);
  if (!result) return {0, json()};
  return {result->status, json::parse(result->body, nullptr, false)};
}

// One server with the synthetic national data for the whole suite, and a
// user of each role.
class ExplorerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new TestServer(true);
    const auto data = server_->app().dataset();
    nesting_ = MunicipalityNesting(*data);
    const auto& in = server_->app().instrument();
    // The coordinator's municipality and the analyst's region: the first
    // municipality in the data, and its region.
    own_municipality_ = nesting_.begin()->first;
    own_region_code_ = nesting_.begin()->second.first;
    for (const auto& r : in.regions) {
      if (r.code == own_region_code_) own_region_ = r.key;
    }
    for (const auto& [m, place] : nesting_) {
      if (place.first != own_region_code_) other_region_municipality_ = m;
      if (place.first == own_region_code_ && m != own_municipality_) same_region_municipality_ = m;
    }
    for (const auto& r : in.regions) {
      if (r.code != own_region_code_) other_region_ = r.key;
    }
    passwords_["admin"] = server_->AddUser("admin", "admin");
    passwords_["analytiker"] = server_->AddUser("analytiker", "regional", own_region_);
    passwords_["koordinator"] =
        server_->AddUser("koordinator", "municipal", std::nullopt, own_municipality_);
    passwords_["leser"] = server_->AddUser("leser", "reader");
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  static WebClient Client(const std::string& user) {
    WebClient client(server_->port());
    EXPECT_TRUE(client.LogIn(user, passwords_[user])) << user;
    return client;
  }

  static inline TestServer* server_ = nullptr;
  static inline std::map<std::string, std::string> passwords_;
  static inline std::map<int, std::pair<int, int>> nesting_;
  static inline int own_municipality_ = 0;
  static inline int own_region_code_ = 0;
  static inline std::string own_region_, other_region_;
  static inline int other_region_municipality_ = 0;
  static inline int same_region_municipality_ = 0;
};

// Every published cell is hidden or rests on at least min_n answers (or none).
void ExpectNoSmallCells(const json& body) {
  ASSERT_TRUE(body.contains("rader")) << body.dump();
  for (const auto& row : body["rader"]) {
    if (row["skjult"].get<bool>()) {
      EXPECT_FALSE(row.contains("n"));
      EXPECT_EQ(row["merke"], ":");
      continue;
    }
    const auto n = row["n"].get<std::size_t>();
    EXPECT_TRUE(n == 0 || n >= 10) << row.dump();
  }
}

// The cells of one API answer, by item and row label.
struct View {
  int status = 0;
  // item → (value or -1 for the total) → cell
  std::map<std::string, std::map<int, json>> cells;
};

View Fetch(WebClient& client, const std::string& query) {
  const Answer answer = GetJson(client, "/api/tabell?familie=" + std::string(kFamily) + query);
  View view;
  view.status = answer.status;
  if (answer.status != 200) return view;
  for (const auto& row : answer.body["rader"]) {
    const int key = row["total"].get<bool>() ? -1 : row["verdi"].get<int>();
    view.cells[row["sporsmal"].get<std::string>()][key] = row;
  }
  return view;
}

bool Hidden(const json& cell) { return cell["skjult"].get<bool>(); }
std::size_t N(const json& cell) { return cell["n"].get<std::size_t>(); }

TEST_F(ExplorerTest, WithoutLoginTheApiSays401AndThePageRedirects) {
  WebClient anonymous(server_->port());
  auto api = anonymous.Get(std::string("/api/tabell?familie=") + kFamily);
  ASSERT_TRUE(api);
  EXPECT_EQ(api->status, 401);
  EXPECT_EQ(anonymous.Get("/api/familier")->status, 401);
  auto page = anonymous.Get(std::string("/utforsk?familie=") + kFamily);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 303);
  EXPECT_EQ(anonymous.Get("/utforsk/last-ned?familie=risk_identification")->status, 303);
}

TEST_F(ExplorerTest, MalformedParametersAre400WithAMessage) {
  WebClient admin = Client("admin");
  const std::string f = std::string("familie=") + kFamily;
  const std::vector<std::string> bad = {
      "",
      "familie=finnes_ikke",
      f + "&etter=skostorrelse",
      f + "&kommune=abc",
      f + "&kommune=99999",
      f + "&region=atlantis",
      f + "&runde=1800",
      f + "&sammenlign=verden",
      f + "&fordeling=ja",
      f + "&sporsmal=finnes_ikke",
      f + "&tjeneste=barnehage&tjeneste=barneskole",
      f + "&hemmelig=1",
      f + "&kommune=" + std::to_string(own_municipality_) + "&region=" + own_region_,
      f + "&kommune=" + std::to_string(own_municipality_) + "&tjeneste=barnehage&etter=stilling",
      f + "&tjeneste=barnehage&stilling=laerer&etter=aar",
      f + "&etter=tjeneste&tjeneste=barnehage",
      f + "&sammenlign=storrelse",
      f + "&sammenlign=0-punkt",
      f + "&kommune=" + std::to_string(own_municipality_) + "&etter=region",
      f + "&format=pdf",
  };
  for (const std::string& query : bad) {
    const Answer answer = GetJson(admin, "/api/tabell?" + query);
    EXPECT_EQ(answer.status, 400) << query;
    ASSERT_TRUE(answer.body.is_object()) << query;
    ASSERT_TRUE(answer.body.contains("feil")) << query;
    EXPECT_FALSE(answer.body["feil"].get<std::string>().empty()) << query;
  }
  // The message names the parameter and the value.
  const Answer answer = GetJson(admin, "/api/tabell?" + f + "&etter=skostorrelse");
  EXPECT_NE(answer.body["feil"].get<std::string>().find("skostorrelse"), std::string::npos);
  EXPECT_NE(answer.body["feil"].get<std::string>().find("etter"), std::string::npos);
  // The page says the same with 400, and the download too.
  EXPECT_EQ(admin.Get("/utforsk?" + f + "&etter=skostorrelse")->status, 400);
  EXPECT_EQ(admin.Get("/utforsk/last-ned?" + f + "&format=exe")->status, 400);
}

TEST_F(ExplorerTest, CoordinatorCannotSeeOtherMunicipalitiesOrABreakdownByMunicipality) {
  WebClient c = Client("koordinator");
  const std::string f = std::string("/api/tabell?familie=") + kFamily;
  EXPECT_EQ(GetJson(c, f + "&kommune=" + std::to_string(own_municipality_)).status, 200);
  EXPECT_EQ(GetJson(c, f + "&kommune=" + std::to_string(own_municipality_) +
                           "&sammenlign=storrelse&etter=tjeneste")
                .status,
            200);
  EXPECT_EQ(GetJson(c, f).status, 200);
  EXPECT_EQ(GetJson(c, f + "&region=" + own_region_).status, 200);

  const Answer other = GetJson(c, f + "&kommune=" + std::to_string(same_region_municipality_));
  EXPECT_EQ(other.status, 403);
  EXPECT_TRUE(other.body.contains("feil"));
  EXPECT_EQ(GetJson(c, f + "&kommune=" + std::to_string(other_region_municipality_)).status, 403);
  EXPECT_EQ(GetJson(c, f + "&etter=kommune").status, 403);
  EXPECT_EQ(GetJson(c, f + "&region=" + own_region_ + "&etter=kommune").status, 403);
  EXPECT_EQ(GetJson(c, f + "&region=" + other_region_).status, 403);
  EXPECT_EQ(c.Get("/utforsk?familie=risk_identification&kommune=" +
                  std::to_string(same_region_municipality_))
                ->status,
            403);
  EXPECT_EQ(c.Get("/utforsk/last-ned?familie=risk_identification&format=csv&kommune=" +
                  std::to_string(same_region_municipality_))
                ->status,
            403);
  // A breakdown by region shows only the coordinator's own region.
  const Answer regions = GetJson(c, f + "&etter=region");
  ASSERT_EQ(regions.status, 200);
  for (const auto& row : regions.body["rader"]) {
    if (row.contains("verdi")) {
      EXPECT_EQ(row["verdi"].get<int>(), own_region_code_);
    }
  }
  EXPECT_TRUE(regions.body.contains("tilgang"));
  // The options offer neither other municipalities nor the breakdown.
  const Answer options = GetJson(c, "/api/familier");
  ASSERT_EQ(options.status, 200);
  ASSERT_EQ(options.body["kommune"].size(), 1u);
  EXPECT_EQ(options.body["kommune"][0]["id"].get<int>(), own_municipality_);
  for (const auto& b : options.body["etter"]) EXPECT_NE(b["id"], "kommune");
}

TEST_F(ExplorerTest, RegionalAnalystSeesOnlyTheMunicipalitiesOfTheRegion) {
  WebClient a = Client("analytiker");
  const std::string f = std::string("/api/tabell?familie=") + kFamily;
  EXPECT_EQ(GetJson(a, f + "&kommune=" + std::to_string(same_region_municipality_)).status, 200);
  EXPECT_EQ(GetJson(a, f + "&kommune=" + std::to_string(other_region_municipality_)).status, 403);
  EXPECT_EQ(GetJson(a, f + "&region=" + other_region_ + "&etter=kommune").status, 403);
  EXPECT_EQ(GetJson(a, f + "&region=" + other_region_).status, 200);  // an aggregate

  std::set<int> own;
  for (const auto& [m, place] : nesting_) {
    if (place.first == own_region_code_) own.insert(m);
  }
  for (const std::string& query :
       {f + "&etter=kommune", f + "&region=" + own_region_ + "&etter=kommune&tjeneste=barnehage"}) {
    const Answer answer = GetJson(a, query);
    ASSERT_EQ(answer.status, 200) << query;
    std::set<int> listed;
    for (const auto& row : answer.body["rader"]) {
      if (!row.contains("verdi")) continue;
      EXPECT_TRUE(own.count(row["verdi"].get<int>())) << row.dump();
      listed.insert(row["verdi"].get<int>());
    }
    if (query.find("tjeneste") == std::string::npos) {
      EXPECT_EQ(listed, own) << query;
    }
    ExpectNoSmallCells(answer.body);
  }
}

TEST_F(ExplorerTest, ARepeatedViewIsNotSharedAcrossRoles) {
  // Results are cached per query and role: the admin asking first must not
  // hand the analyst the municipalities of other regions.
  const std::string query =
      std::string("/api/tabell?familie=") + kFamily + "&etter=kommune&runde=oppfolging";
  WebClient admin = Client("admin");
  WebClient analyst = Client("analytiker");
  const Answer first = GetJson(admin, query);
  ASSERT_EQ(first.status, 200);
  const Answer second = GetJson(analyst, query);
  ASSERT_EQ(second.status, 200);
  const Answer again = GetJson(admin, query);
  EXPECT_EQ(again.body, first.body) << "the admin's view is stable";
  std::size_t admin_rows = 0, analyst_rows = 0;
  for (const auto& row : first.body["rader"]) admin_rows += row.contains("verdi");
  for (const auto& row : second.body["rader"]) {
    if (!row.contains("verdi")) continue;
    ++analyst_rows;
    EXPECT_EQ(nesting_.at(row["verdi"].get<int>()).first, own_region_code_) << row.dump();
  }
  EXPECT_LT(analyst_rows, admin_rows);
}

TEST_F(ExplorerTest, ReaderSeesAggregatesOnly) {
  WebClient r = Client("leser");
  const std::string f = std::string("/api/tabell?familie=") + kFamily;
  for (const auto& [m, place] : nesting_) {
    EXPECT_EQ(GetJson(r, f + "&kommune=" + std::to_string(m)).status, 403) << m;
    break;
  }
  EXPECT_EQ(GetJson(r, f + "&kommune=" + std::to_string(own_municipality_)).status, 403);
  EXPECT_EQ(GetJson(r, f + "&etter=kommune").status, 403);
  EXPECT_EQ(GetJson(r, f + "&region=" + own_region_ + "&etter=kommune").status, 403);
  for (const std::string& query :
       {f, f + "&etter=region", f + "&region=" + own_region_ + "&etter=tjeneste",
        f + "&etter=storrelse&fordeling=1", f + "&storrelse=gruppe_1&etter=stilling"}) {
    const Answer answer = GetJson(r, query);
    ASSERT_EQ(answer.status, 200) << query;
    ExpectNoSmallCells(answer.body);
  }
  EXPECT_TRUE(GetJson(r, "/api/familier").body["kommune"].empty());
}

TEST_F(ExplorerTest, AnswersAreAggregatesNeverRespondentRows) {
  WebClient admin = Client("admin");
  const std::string f = std::string("/api/tabell?familie=") + kFamily;
  const std::set<std::string> allowed = {
      "sporsmal", "sporsmal_tekst", "total",     "gruppe",   "svar",   "verdi",
      "kategori", "skjult",         "merke",     "n",        "antall", "andel",
      "ki_nedre", "ki_ovre",        "referanse", "forskjell"};
  for (const std::string& query :
       {f + "&etter=kommune",
        f + "&kommune=" + std::to_string(own_municipality_) + "&etter=stilling&sammenlign=landet",
        f + "&etter=aar&runde=oppfolging", f + "&etter=tjeneste&fordeling=1"}) {
    const Answer answer = GetJson(admin, query);
    ASSERT_EQ(answer.status, 200) << query;
    ExpectNoSmallCells(answer.body);
    for (const auto& row : answer.body["rader"]) {
      for (const auto& [key, value] : row.items()) EXPECT_TRUE(allowed.count(key)) << key;
    }
  }
}

TEST_F(ExplorerTest, JsonEqualsComputeTableWithThePublicationRules) {
  WebClient admin = Client("admin");
  const Answer answer =
      GetJson(admin, std::string("/api/tabell?familie=") + kFamily + "&etter=storrelse");
  ASSERT_EQ(answer.status, 200);

  const auto data = server_->app().dataset();
  analysis::TableRequest request;
  request.family = kFamily;
  request.by = {Variable::kSizeGroup};
  request.where = {{Variable::kRoundType, {1}, std::nullopt}};
  auto table = analysis::ComputeTable(*data, server_->app().instrument(), request);
  ASSERT_TRUE(table.ok());
  std::vector<analysis::Table> tables = {*table};
  analysis::Publication publication(*data, server_->app().instrument(),
                                    server_->app().options().rules);
  ASSERT_TRUE(publication.Apply(tables).ok());

  const auto& rows = answer.body["rader"];
  ASSERT_EQ(rows.size(), tables[0].rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const analysis::TableRow& expected = tables[0].rows[i];
    EXPECT_EQ(rows[i]["sporsmal"], data->item_refs[expected.item].item->id);
    EXPECT_EQ(rows[i]["total"].get<bool>(), expected.group.empty());
    if (!expected.group.empty()) {
      EXPECT_EQ(rows[i]["verdi"].get<int>(), expected.group[0]);
    }
    EXPECT_EQ(rows[i]["skjult"].get<bool>(), expected.cell.suppressed);
    if (expected.cell.suppressed) continue;
    EXPECT_EQ(rows[i]["n"].get<std::size_t>(), expected.cell.n);
    EXPECT_EQ(rows[i]["antall"].get<std::size_t>(), expected.cell.count);
    EXPECT_DOUBLE_EQ(rows[i]["andel"].get<double>(), expected.cell.share);
    EXPECT_DOUBLE_EQ(rows[i]["ki_nedre"].get<double>(), expected.cell.interval.low);
  }
}

TEST_F(ExplorerTest, TheCanonicalUrlReproducesTheView) {
  WebClient admin = Client("admin");
  // A municipality with follow-up rounds.
  const auto data = server_->app().dataset();
  int municipality = 0;
  for (std::size_t r = 0; r < data->rows && municipality == 0; ++r) {
    if (data->round_type[r] == 2) municipality = data->municipality[r];
  }
  ASSERT_NE(municipality, 0);
  const std::string messy = std::string("/api/tabell?sammenlign=landet&etter=tjeneste&stilling=&") +
                            "runde=oppfolging&kommune=" + std::to_string(municipality) +
                            "&familie=" + kFamily + "&sporsmal=&fordeling=0";
  const Answer first = GetJson(admin, messy);
  ASSERT_EQ(first.status, 200) << first.body.dump();
  const std::string canonical = first.body["sporring"];
  EXPECT_EQ(canonical, std::string("familie=") + kFamily +
                           "&kommune=" + std::to_string(municipality) +
                           "&runde=oppfolging&etter=tjeneste&sammenlign=landet");
  EXPECT_EQ(first.body["url"], "/utforsk?" + canonical);
  const Answer again = GetJson(admin, "/api/tabell?" + canonical);
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.body, first.body);
  // The page at the canonical URL shows the same table.
  auto page = admin.Get("/utforsk?" + canonical);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("<caption"), std::string::npos);
  EXPECT_NE(page->body.find("role=\"img\""), std::string::npos);
  EXPECT_EQ(page->body.find("style="), std::string::npos);
  // The one script is the served file: nothing inline.
  const std::size_t script = page->body.find("<script");
  EXPECT_EQ(page->body.find(R"(<script src="/static/utforsk.js" defer></script>)"), script);
  EXPECT_EQ(page->body.find("<script", script + 1), std::string::npos);
}

TEST_F(ExplorerTest, OneYearIsTheSumOfItsBaselineAndFollowUpRounds) {
  WebClient admin = Client("admin");
  const Answer options = GetJson(admin, "/api/familier");
  const std::string year = options.body["runde"].back()["id"];
  const View whole = Fetch(admin, "&runde=" + year + "&etter=tjeneste");
  ASSERT_EQ(whole.status, 200);
  const View baseline = Fetch(admin, "&tjeneste=barnehage&etter=aar");
  const View follow_up = Fetch(admin, "&runde=oppfolging&tjeneste=barnehage&etter=aar");
  const int y = std::stoi(year);
  for (const auto& [item, cells] : whole.cells) {
    if (!cells.count(1)) continue;  // barnehage
    const json& cell = cells.at(1);
    const json* parts[] = {
        baseline.cells.at(item).count(y) ? &baseline.cells.at(item).at(y) : nullptr,
        follow_up.cells.at(item).count(y) ? &follow_up.cells.at(item).at(y) : nullptr};
    bool any_hidden = false;
    std::size_t n = 0;
    for (const json* part : parts) {
      if (!part) continue;
      any_hidden = any_hidden || Hidden(*part);
      if (!Hidden(*part)) n += N(*part);
    }
    EXPECT_EQ(Hidden(cell), any_hidden) << item;
    if (!any_hidden) {
      EXPECT_EQ(N(cell), n) << item;
    }
  }
}

TEST_F(ExplorerTest, PagesShowTheFormTableAndChart) {
  WebClient admin = Client("admin");
  auto empty = admin.Get("/utforsk");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->status, 200);
  EXPECT_NE(empty->body.find("<form method=\"get\" action=\"/utforsk\""), std::string::npos);
  for (const std::string& query :
       {std::string("familie=") + kFamily + "&etter=storrelse&fordeling=1&sammenlign=landet",
        std::string("familie=") + kFamily + "&etter=kommune&sammenlign=landet",
        std::string("familie=") + kFamily + "&sporsmal=finnes_ikke_her&etter=stilling"}) {
    auto page = admin.Get("/utforsk?" + query);
    ASSERT_TRUE(page);
    EXPECT_EQ(page->status, 200) << query;
    EXPECT_NE(page->body.find("<th scope=\"row\">"), std::string::npos) << query;
    EXPECT_NE(page->body.find("class=\"table-wrap\""), std::string::npos) << query;
    EXPECT_EQ(page->body.find("style="), std::string::npos) << query;
  }
}

TEST_F(ExplorerTest, DownloadsAreTheSameTableAndAudited) {
  WebClient a = Client("analytiker");
  const std::string query =
      std::string("familie=") + kFamily + "&region=" + own_region_ + "&etter=kommune";
  auto csv = a.Get("/utforsk/last-ned?" + query + "&format=csv");
  ASSERT_TRUE(csv);
  ASSERT_EQ(csv->status, 200);
  EXPECT_EQ(csv->get_header_value("Content-Type"), "text/csv; charset=utf-8");
  const std::string disposition = csv->get_header_value("Content-Disposition");
  EXPECT_EQ(disposition.rfind("attachment; filename=\"samkart-risk_identification", 0), 0u)
      << disposition;
  EXPECT_EQ(csv->body.rfind("\xEF\xBB\xBF"
                            "omrade;runde;filter;sporsmal",
                            0),
            0u);
  const Answer json_answer = GetJson(a, "/api/tabell?" + query);
  ASSERT_EQ(json_answer.status, 200);
  std::size_t lines = 0;
  for (const char c : csv->body) lines += c == '\n';
  EXPECT_EQ(lines, json_answer.body["rader"].size() + 1);
  bool any_hidden = false;
  for (const auto& row : json_answer.body["rader"]) any_hidden = any_hidden || row["skjult"];
  if (any_hidden) {
    EXPECT_NE(csv->body.find(";:;:;:;:;:"), std::string::npos);
  }

  auto xlsx = a.Get("/api/tabell?" + query + "&format=xlsx");
  ASSERT_TRUE(xlsx);
  ASSERT_EQ(xlsx->status, 200);
  EXPECT_EQ(xlsx->body.rfind("PK", 0), 0u);
  EXPECT_NE(xlsx->get_header_value("Content-Disposition").find(".xlsx\""), std::string::npos);

  auto log = server_->app().WithStore([](store::Store& s) { return s.AuditLog(50); });
  ASSERT_TRUE(log.ok());
  int exports = 0;
  for (const auto& entry : *log) {
    if (entry.action == "export" && entry.username == "analytiker") {
      ++exports;
      EXPECT_NE(entry.detail.find(query), std::string::npos) << entry.detail;
    }
  }
  EXPECT_EQ(exports, 2);
}

TEST(ExplorerExport, HostileLabelsAreNeutralised) {
  ExplorerResult result;
  result.area_label = "=HYPERLINK(\"http://x\")";
  result.round_label = "+1";
  result.filter_label = "-2+3";
  result.reference_label = "@SUM(A1)";
  ExplorerRow row;
  row.item = "=cmd|' /C calc'!A0";
  row.item_label = "\tTab";
  row.label = "=Vikheim";
  row.category_label = "andel";
  row.cell = {false, 20, 10, 0.5, {0.3, 0.7}, {}, 0, {}};
  row.reference = ExplorerCell{true, 0, 0, 0, {}, {}, 0, {}};
  result.rows.push_back(row);
  const io::ExportTable table = ExplorerExportTable(result);
  ASSERT_EQ(table.rows.size(), 1u);
  for (std::size_t c = 0; c < table.columns.size(); ++c) {
    const auto* text = std::get_if<std::string>(&table.rows[0][c].value);
    if (!text || text->empty()) continue;
    EXPECT_TRUE((*text)[0] != '=' && (*text)[0] != '+' && (*text)[0] != '-' && (*text)[0] != '@' &&
                (*text)[0] != '\t')
        << table.columns[c].name << ": " << *text;
  }
  const auto written = ExplorerCsv(result);
  ASSERT_TRUE(written.ok()) << written.error().message;
  const std::string& csv = *written;
  EXPECT_NE(csv.find("\"'=HYPERLINK(\"\"http://x\"\")\""), std::string::npos) << csv;
  EXPECT_NE(csv.find("'=Vikheim"), std::string::npos);
  EXPECT_EQ(csv.find(";=Vikheim"), std::string::npos);
  // The hidden reference is «:».
  EXPECT_NE(csv.find(";:;:;"), std::string::npos) << csv;
}

// A group nobody in answered is «ingen svar» in the CSV and the
// spreadsheet alike; the spreadsheet is written (text in a number column
// made it fail).
TEST(ExplorerExport, AGroupWithoutAnswersIsWrittenToBothFormats) {
  ExplorerResult result;
  result.area_label = "Vikheim";
  result.reference_label = "Landet";
  ExplorerRow row;
  row.item = "bullied";
  row.item_label = "Mobbing";
  row.label = "Barnehage";
  row.category_label = "andel";
  row.cell = {false, 0, 0, 0, {}, {}, 0, {}};
  row.reference = ExplorerCell{false, 0, 0, 0, {}, {}, 0, {}};
  result.rows.push_back(row);
  const auto csv = ExplorerCsv(result);
  ASSERT_TRUE(csv.ok()) << csv.error().message;
  EXPECT_NE(csv->find(";0;0;ingen svar;ingen svar;ingen svar;Landet;0;ingen svar;"),
            std::string::npos)
      << *csv;
  const testing_support::ScratchDir dir;
  const std::string path = (dir / "utforsk.xlsx").string();
  io::ExportWriteOptions options;
  options.value_labels_as_text = true;  // as the download writes it
  const auto written =
      io::WriteExport(ExplorerExportTable(result), io::ExportFormat::kXlsx, path, options);
  ASSERT_TRUE(written.ok()) << written.error().message;
  EXPECT_GT(std::filesystem::file_size(path), 0u);
}

// ------------------------------------------------ page, script and downloads

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The result region of a page or of the fragment the script swaps in.
std::string ResultRegion(const std::string& body) {
  const std::size_t start = body.find(R"(<div id="utforsk-resultat">)");
  if (start == std::string::npos) return "";
  const std::size_t end = body.find(R"(<script src="/static/utforsk.js")", start);
  return body.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

TEST_F(ExplorerTest, TheFragmentShowsTheSameResultAsThePage) {
  WebClient admin = Client("admin");
  for (const std::string& query : {std::string("familie=") + kFamily +
                                       "&etter=tjeneste&sammenlign=landet&region=" + own_region_,
                                   std::string("familie=") + kFamily,
                                   std::string("familie=") + kFamily + "&sammenlign=0-punkt"}) {
    auto page = admin.Get("/utforsk?" + query);
    auto fragment = admin.Get("/utforsk?" + query + "&del=resultat");
    ASSERT_TRUE(page && fragment);
    EXPECT_EQ(page->status, fragment->status) << query;
    const std::string region = ResultRegion(page->body);
    ASSERT_FALSE(region.empty()) << query;
    EXPECT_EQ(ResultRegion(fragment->body), region) << query;
    // Only the part: no layout, no form, but the family's item choice.
    EXPECT_FALSE(Contains(fragment->body, "<html")) << query;
    EXPECT_FALSE(Contains(fragment->body, "<form")) << query;
    EXPECT_TRUE(Contains(fragment->body, R"(<select id="f-sporsmal" name="sporsmal")")) << query;
  }
  // The numbers are the API's.
  const std::string query = std::string("familie=") + kFamily + "&etter=tjeneste";
  const std::string fragment = admin.Get("/utforsk?" + query + "&del=resultat")->body;
  const Answer api = GetJson(admin, "/api/tabell?" + query);
  ASSERT_EQ(api.status, 200);
  for (const auto& row : api.body["rader"]) {
    if (Hidden(row) || N(row) == 0) continue;
    EXPECT_TRUE(Contains(fragment, fmt::format(R"(<td class="num">{}</td>)", N(row))))
        << row.dump();
  }
}

TEST_F(ExplorerTest, TheScriptIsServedAndThePageWorksWithoutIt) {
  WebClient admin = Client("admin");
  auto script = admin.Get("/static/utforsk.js");
  ASSERT_TRUE(script);
  EXPECT_EQ(script->status, 200);
  EXPECT_EQ(script->get_header_value("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_TRUE(Contains(script->body, "del"));
  EXPECT_TRUE(Contains(script->body, "replaceState"));
  auto page = admin.Get(std::string("/utforsk?familie=") + kFamily);
  ASSERT_TRUE(page);
  EXPECT_TRUE(Contains(page->body, R"(<script src="/static/utforsk.js" defer></script>)"));
  // No inline script or handler (the policy forbids them), and the form
  // still submits by GET with its button.
  EXPECT_FALSE(Contains(page->body, "<script>"));
  EXPECT_FALSE(Contains(page->body, " onchange="));
  EXPECT_TRUE(Contains(page->body, R"(<form method="get" action="/utforsk")"));
  EXPECT_TRUE(Contains(page->body, R"(<button type="submit">Vis</button>)"));
  EXPECT_TRUE(Contains(page->body, R"(role="status" aria-live="polite")"));
}

TEST_F(ExplorerTest, AllItemsOfAFamilyAreOneChart) {
  WebClient admin = Client("admin");
  const auto& in = server_->app().instrument();
  const auto* family = in.FindFamily(kFamily);
  ASSERT_NE(family, nullptr);
  ASSERT_GT(family->items.size(), 1u);
  auto page = admin.Get(std::string("/utforsk?familie=") + kFamily +
                        "&kommune=" + std::to_string(own_municipality_) + "&sammenlign=landet");
  ASSERT_TRUE(page);
  ASSERT_EQ(page->status, 200);
  const std::string& body = page->body;
  std::size_t charts = 0;
  for (std::size_t at = body.find("<figure class=\"explorer-chart\""); at != std::string::npos;
       at = body.find("<figure class=\"explorer-chart\"", at + 1)) {
    ++charts;
  }
  EXPECT_EQ(charts, 1u);
  const std::size_t start = body.find("<figure class=\"explorer-chart\"");
  const std::string chart = body.substr(start, body.find("</figure>", start) - start);
  for (const auto& item : family->items) {
    EXPECT_TRUE(Contains(chart, "<span class=\"label\">" + Escape(item.text) + "</span>"))
        << item.id;
  }
  // One table with a row per item, the comparison marks drawn in the bars
  // and every value as text beside them, never under a mark.
  EXPECT_TRUE(Contains(chart, R"(class="mark")"));
  EXPECT_FALSE(Contains(chart, "<text"));
  EXPECT_TRUE(Contains(body, R"(<th scope="col">Delspørsmål</th>)"));
}

TEST_F(ExplorerTest, ChartLabelsAreNeverCut) {
  WebClient admin = Client("admin");
  const auto& in = server_->app().instrument();
  std::string longest;
  for (const auto& service : in.services) {
    if (service.answers_survey && service.label.size() > longest.size()) longest = service.label;
  }
  ASSERT_GT(longest.size(), 30u) << longest;
  auto page = admin.Get(std::string("/utforsk?familie=") + kFamily + "&sporsmal=" +
                        in.FindFamily(kFamily)->items.front().id + "&etter=tjeneste");
  ASSERT_TRUE(page);
  ASSERT_EQ(page->status, 200);
  EXPECT_TRUE(Contains(page->body, "<span class=\"label\">" + Escape(longest) + "</span>"))
      << longest;
  EXPECT_FALSE(Contains(page->body, "…</span>"));
}

TEST_F(ExplorerTest, TheCsvDownloadOpensInNorwegianExcelAndTheXlsxIsOffered) {
  WebClient admin = Client("admin");
  const std::string query = std::string("familie=") + kFamily + "&etter=tjeneste";
  auto csv = admin.Get("/utforsk/last-ned?" + query + "&format=csv");
  ASSERT_TRUE(csv);
  ASSERT_EQ(csv->status, 200);
  EXPECT_EQ(csv->get_header_value("Content-Type"), "text/csv; charset=utf-8");
  EXPECT_TRUE(Contains(csv->get_header_value("Content-Disposition"), ".csv\""));
  EXPECT_EQ(csv->body.rfind("\xEF\xBB\xBF", 0), 0u);
  const std::string header = csv->body.substr(3, csv->body.find('\n') - 3);
  EXPECT_EQ(header.find(','), std::string::npos) << header;
  EXPECT_GT(std::count(header.begin(), header.end(), ';'), 5) << header;
  // Shares with a decimal comma, and no decimal point anywhere in a number.
  const Answer api = GetJson(admin, "/api/tabell?" + query);
  ASSERT_EQ(api.status, 200);
  bool decimal = false;
  for (const auto& row : api.body["rader"]) {
    if (Hidden(row) || N(row) == 0) continue;
    const double percent = std::round(row["andel"].get<double>() * 1000) / 10;
    if (percent == std::floor(percent)) continue;
    std::string shown = fmt::format(";{};", percent);
    std::replace(shown.begin(), shown.end(), '.', ',');
    EXPECT_TRUE(Contains(csv->body, shown)) << shown;
    decimal = true;
  }
  EXPECT_TRUE(decimal);
  EXPECT_FALSE(std::regex_search(csv->body, std::regex(";[0-9]+\\.[0-9]+;")));

  auto xlsx = admin.Get("/utforsk/last-ned?" + query + "&format=xlsx");
  ASSERT_TRUE(xlsx);
  ASSERT_EQ(xlsx->status, 200);
  EXPECT_EQ(xlsx->body.rfind("PK", 0), 0u);
  auto page = admin.Get("/utforsk?" + query);
  ASSERT_TRUE(page);
  EXPECT_TRUE(Contains(page->body, "&amp;format=xlsx\">Last ned som Excel (XLSX)</a>"));
  EXPECT_TRUE(Contains(page->body, "&amp;format=csv\">Last ned som CSV"));
}

// The year a municipality had a follow-up round, for the natural question
// of that year broken down by service.
std::pair<int, int> FollowUpYear(const analysis::Dataset& data) {
  for (std::size_t r = 0; r < data.rows; ++r) {
    if (data.round_type[r] != 1) return {data.municipality[r], data.year[r]};
  }
  return {0, 0};
}

TEST_F(ExplorerTest, ARefusalSaysWhyInWordsAndLinksTheNearestAllowedView) {
  WebClient admin = Client("admin");
  const auto [municipality, year] = FollowUpYear(*server_->app().dataset());
  ASSERT_NE(municipality, 0);
  const std::string query = std::string("familie=") + kFamily +
                            "&kommune=" + std::to_string(municipality) +
                            "&runde=" + std::to_string(year) + "&etter=tjeneste";
  auto page = admin.Get("/utforsk?" + query);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 400);
  const std::string& body = page->body;
  EXPECT_TRUE(Contains(body, "Denne visningen kan ikke vises")) << body;
  EXPECT_TRUE(Contains(body, fmt::format("Året {} kan vises for hele kommunen, men ikke samtidig "
                                         "fordelt etter tjenestested, fordi",
                                         year)))
      << body;
  // The fields at fault point to the message, and the summary links them.
  EXPECT_TRUE(Contains(
      body,
      R"(<select id="f-runde" name="runde" aria-invalid="true" aria-describedby="utforsk-feil-tekst">)"));
  EXPECT_TRUE(Contains(
      body,
      R"(<select id="f-etter" name="etter" aria-invalid="true" aria-describedby="utforsk-feil-tekst">)"));
  EXPECT_TRUE(Contains(body, R"(<a href="#f-runde">Runder</a>)"));
  // The first suggestion is the follow-up rounds by service, which can be shown.
  const std::string suggested =
      fmt::format("/utforsk?familie={}&amp;kommune={}&amp;runde=oppfolging&amp;etter=tjeneste",
                  kFamily, municipality);
  EXPECT_TRUE(Contains(body, "Dette kan vises i stedet:"));
  EXPECT_TRUE(Contains(body, "<li><a href=\"" + suggested + "\">")) << body;
  auto allowed = admin.Get(fmt::format(
      "/utforsk?familie={}&kommune={}&runde=oppfolging&etter=tjeneste", kFamily, municipality));
  ASSERT_TRUE(allowed);
  EXPECT_EQ(allowed->status, 200);
  // The API says it in words too, with the suggestion.
  const Answer api = GetJson(admin, "/api/tabell?" + query);
  EXPECT_EQ(api.status, 400);
  EXPECT_TRUE(Contains(api.body["feil"].get<std::string>(),
                       "Dette kan vises i stedet: " + std::to_string(municipality)))
      << api.body.dump();
}

TEST_F(ExplorerTest, EveryRefusedCombinationIsExplainedWithoutCodesAndHasAnAllowedAlternative) {
  const std::string f = std::string("familie=") + kFamily;
  const std::string own = "&kommune=" + std::to_string(own_municipality_);
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"admin", f + own + "&etter=region"},
      {"admin", f + own + "&etter=kommune"},
      {"admin", f + "&region=" + own_region_ + "&etter=region"},
      {"admin", f + "&etter=tjeneste&tjeneste=barnehage"},
      {"admin", f + "&etter=stilling&stilling=laerer"},
      {"admin",
       f + "&etter=aar&runde=" + std::to_string(FollowUpYear(*server_->app().dataset()).second)},
      {"admin", f + own + "&tjeneste=barnehage&etter=stilling"},
      {"admin", f + "&tjeneste=barnehage&stilling=laerer&etter=aar"},
      {"admin", f + "&sammenlign=storrelse"},
      {"admin", f + "&sammenlign=landet"},
      {"admin", f + "&sammenlign=0-punkt"},
      {"koordinator", f + own + "&tjeneste=barnehage&etter=stilling"},
      {"koordinator", f + "&kommune=" + std::to_string(same_region_municipality_)},
      {"koordinator", f + "&etter=kommune"},
      {"analytiker", f + "&kommune=" + std::to_string(other_region_municipality_)},
  };
  std::map<std::string, WebClient> clients;
  for (const std::string user : {"admin", "koordinator", "analytiker"}) {
    clients.emplace(user, Client(user));
  }
  for (const auto& [user, query] : refused) {
    WebClient& client = clients.at(user);
    const Answer answer = GetJson(client, "/api/tabell?" + query);
    EXPECT_TRUE(answer.status == 400 || answer.status == 403) << query;
    const std::string message = answer.body.value("feil", "");
    // No parameter syntax: the form's words only.
    EXPECT_FALSE(Contains(message, "=")) << query << ": " << message;
    EXPECT_FALSE(Contains(message, "oppfolging")) << query << ": " << message;
    auto page = client.Get("/utforsk?" + query);
    ASSERT_TRUE(page);
    const std::string& body = page->body;
    const std::string intro = "<p>Dette kan vises i stedet:</p><ul><li><a href=\"";
    const std::size_t at = body.find(intro);
    ASSERT_NE(at, std::string::npos) << user << " " << query << "\n" << message;
    std::string link = body.substr(at + intro.size());
    link = link.substr(0, link.find('"'));
    for (std::size_t amp; (amp = link.find("&amp;")) != std::string::npos;) {
      link.replace(amp, 5, "&");
    }
    auto alternative = client.Get(link);
    ASSERT_TRUE(alternative);
    EXPECT_EQ(alternative->status, 200) << user << " " << query << " → " << link;
  }
}

// ---------------------------------------------------------------- attacks

// A municipality whose baseline round has a service hidden in its breakdown
// by service, attacked through every combination the explorer offers.
TEST_F(ExplorerTest, DifferencingCannotRecoverAHiddenCell) {
  const auto data = server_->app().dataset();
  const auto& in = server_->app().instrument();
  // The true numbers, unsuppressed, straight from the engine.
  analysis::TableRequest request;
  request.family = kFamily;
  request.by = {Variable::kMunicipality, Variable::kService};
  request.where = {{Variable::kRoundType, {1}, std::nullopt}};
  auto truth = analysis::ComputeTable(*data, in, request);
  ASSERT_TRUE(truth.ok());
  const std::string first_item = in.FindFamily(kFamily)->items.front().id;
  std::map<std::pair<int, int>, std::size_t> true_n;  // first item
  std::map<int, std::size_t> municipality_n;
  for (const auto& row : truth->rows) {
    if (row.group.empty() || data->item_refs[row.item].item->id != first_item) continue;
    true_n[{row.group[0], row.group[1]}] = row.cell.n;
    municipality_n[row.group[0]] += row.cell.n;
  }
  // The secret: a small service in a large municipality.
  int m = 0, t = 0;
  for (const auto& [key, n] : true_n) {
    if (n > 0 && n < 10 && municipality_n[key.first] >= 40) {
      m = key.first;
      t = key.second;
      break;
    }
  }
  ASSERT_NE(m, 0) << "no small service in the synthetic data";
  const std::size_t secret = true_n[{m, t}];
  const auto [region, size_group] = nesting_.at(m);
  auto key_of = [](const auto& codes, int code) {
    for (const auto& c : codes) {
      if (c.code == code) return c.key;
    }
    return std::string();
  };
  const std::string service_key = key_of(in.services, t);
  const std::string region_key = key_of(in.regions, region);
  const std::string size_key = key_of(in.size_groups, size_group);
  const std::string kommune = "&kommune=" + std::to_string(m);

  WebClient admin = Client("admin");
  // 1. The municipality by service: the cell is hidden, and the total minus
  //    the visible rows is the secret plus at least one other hidden group.
  const View by_service = Fetch(admin, kommune + "&etter=tjeneste");
  ASSERT_EQ(by_service.status, 200);
  const auto& cells = by_service.cells.at(first_item);
  ASSERT_TRUE(cells.count(t));
  EXPECT_TRUE(Hidden(cells.at(t)));
  // The gate may hide the municipality's total too (to protect a linked
  // table); then there is nothing to subtract from.
  const bool total_visible = !Hidden(cells.at(-1));
  std::size_t visible_sum = 0;
  std::vector<int> hidden_services;
  for (const auto& [value, cell] : cells) {
    if (value == -1) continue;
    if (Hidden(cell)) {
      hidden_services.push_back(value);
    } else {
      visible_sum += N(cell);
    }
  }
  if (total_visible) {
    EXPECT_GE(hidden_services.size(), 2u);
    EXPECT_NE(N(cells.at(-1)) - visible_sum, secret);
  }
  // The same holds for every item of the family.
  for (const auto& [item, item_cells] : by_service.cells) {
    std::size_t hidden_with_answers = 0;
    for (const auto& [value, cell] : item_cells) {
      if (value != -1 && Hidden(cell)) {
        for (const auto& row : truth->rows) {
          if (row.group == std::vector<int>{m, value} &&
              data->item_refs[row.item].item->id == item && row.cell.n > 0) {
            ++hidden_with_answers;
          }
        }
      }
    }
    EXPECT_TRUE(hidden_with_answers == 0 || hidden_with_answers >= 2) << item;
  }

  // 2. Filters on each hidden service, one item, the distribution, a
  //    comparison: the same cells stay hidden.
  for (const int hidden : hidden_services) {
    const std::string key = key_of(in.services, hidden);
    for (const std::string& extra :
         {std::string(), "&sporsmal=" + first_item, std::string("&fordeling=1"),
          std::string("&sammenlign=landet"), std::string("&sammenlign=storrelse")}) {
      const View filtered = Fetch(admin, kommune + "&tjeneste=" + key + extra);
      ASSERT_EQ(filtered.status, 200) << key << extra;
      for (const auto& [item, item_cells] : filtered.cells) {
        const json& cell = item_cells.at(-1);
        EXPECT_TRUE(Hidden(cell)) << key << extra << " " << cell.dump();
        EXPECT_FALSE(cell.contains("forskjell"));
      }
    }
  }
  for (const std::string& extra :
       {std::string("&sporsmal=") + first_item, std::string("&fordeling=1"),
        std::string("&sammenlign=landet"), std::string("&runde=oppfolging&sammenlign=0-punkt")}) {
    const View view = Fetch(admin, kommune + "&etter=tjeneste" + extra);
    ASSERT_EQ(view.status, 200) << extra;
    if (extra.find("runde=oppfolging") != std::string::npos) continue;  // another round
    EXPECT_TRUE(Hidden(view.cells.at(first_item).at(t))) << extra;
  }

  // 3. The region (and the size group, and the nation) filtered on the
  //    service, minus every other municipality filtered on it: at least one
  //    other municipality is hidden too, so the difference is not the secret.
  for (const std::string& area :
       {"&region=" + region_key, "&storrelse=" + size_key, std::string()}) {
    const View total = Fetch(admin, area + "&tjeneste=" + service_key);
    ASSERT_EQ(total.status, 200) << area;
    const json& area_cell = total.cells.at(first_item).at(-1);
    const View municipalities = Fetch(admin, area + "&tjeneste=" + service_key + "&etter=kommune");
    ASSERT_EQ(municipalities.status, 200) << area;
    std::size_t others = 0, hidden_others = 0;
    for (const auto& [value, cell] : municipalities.cells.at(first_item)) {
      if (value == -1) continue;
      // The row is the same cell as the municipality's own filtered view.
      if (value == m) {
        EXPECT_TRUE(Hidden(cell));
        continue;
      }
      if (Hidden(cell)) {
        if (true_n[{value, t}] > 0) ++hidden_others;
      } else {
        others += N(cell);
      }
    }
    EXPECT_GE(hidden_others, 1u) << area;
    if (!Hidden(area_cell)) {
      EXPECT_NE(N(area_cell) - others, secret) << area;
    }
    // Unfiltered by service, the same line: region by municipality.
    const View region_by_municipality = Fetch(admin, area + "&etter=kommune");
    ASSERT_EQ(region_by_municipality.status, 200);
  }

  // 4. Position filters cannot isolate the service of one municipality:
  //    three variables are refused, two do not involve the municipality's
  //    service.
  for (const std::string& query : {kommune + "&tjeneste=" + service_key + "&etter=stilling",
                                   kommune + "&tjeneste=" + service_key + "&stilling=laerer",
                                   kommune + "&etter=tjeneste&stilling=laerer"}) {
    EXPECT_EQ(Fetch(admin, query).status, 400) << query;
  }
  const View by_position = Fetch(admin, kommune + "&etter=stilling");
  EXPECT_EQ(by_position.status, 200);
  const View service_by_position = Fetch(admin, "&tjeneste=" + service_key + "&etter=stilling");
  EXPECT_EQ(service_by_position.status, 200);

  // 6. The same round seen as one year: a breakdown of one municipality in
  //    one year is three variables and refused; the municipality's year is
  //    the same cell as its row in the breakdown by year.
  int baseline_year = 0;
  for (std::size_t r = 0; r < data->rows; ++r) {
    if (data->municipality[r] == m && data->round_type[r] == 1) baseline_year = data->year[r];
  }
  const std::string year = "&runde=" + std::to_string(baseline_year);
  EXPECT_EQ(Fetch(admin, kommune + "&etter=tjeneste" + year).status, 400);
  EXPECT_EQ(Fetch(admin, kommune + "&tjeneste=" + service_key + year).status, 400);
  const View one_year = Fetch(admin, kommune + year);
  ASSERT_EQ(one_year.status, 200);
  const View by_year = Fetch(admin, kommune + "&etter=aar");
  ASSERT_EQ(by_year.status, 200);
  bool follow_up_that_year = false;
  for (std::size_t r = 0; r < data->rows; ++r) {
    follow_up_that_year =
        follow_up_that_year ||
        (data->municipality[r] == m && data->year[r] == baseline_year && data->round_type[r] != 1);
  }
  if (!follow_up_that_year) {
    for (const auto& [item, item_cells] : by_year.cells) {
      const json& a = item_cells.at(baseline_year);
      const json& b = one_year.cells.at(item).at(-1);
      EXPECT_EQ(Hidden(a), Hidden(b)) << item;
      if (!Hidden(a) && !Hidden(b)) {
        EXPECT_EQ(N(a), N(b)) << item;
      }
    }
  }

  // 5. The regional analyst of that region gets the same hidden cells.
  if (region == own_region_code_) {
    WebClient analyst = Client("analytiker");
    const View view = Fetch(analyst, kommune + "&etter=tjeneste");
    ASSERT_EQ(view.status, 200);
    for (const int hidden : hidden_services) {
      EXPECT_TRUE(Hidden(view.cells.at(first_item).at(hidden)));
    }
  }
}

// A hidden municipality in the breakdown by municipality stays hidden as an
// area, and the region minus the visible municipalities is not it.
// A family not asked of one service (concern_experienced: not child
// welfare) has a group nobody answered in every municipality. Hiding that
// group protects nothing, so it never counts as the second hidden cell: in
// every municipality's breakdown by service, the hidden groups with answers
// (the municipality's own total among them) are none or at least two.
TEST_F(ExplorerTest, AnEmptyGroupIsNeverTheOnlyComplement) {
  const auto data = server_->app().dataset();
  analysis::TableRequest request;
  request.family = "concern_experienced";
  request.by = {Variable::kMunicipality, Variable::kService};
  request.where = {{Variable::kRoundType, {1}, std::nullopt}};
  auto truth = analysis::ComputeTable(*data, server_->app().instrument(), request);
  ASSERT_TRUE(truth.ok());
  std::map<std::pair<int, std::string>, std::map<int, std::size_t>> n;  // (m, item) → service → n
  for (const auto& row : truth->rows) {
    if (row.group.empty()) continue;
    n[{row.group[0], data->item_refs[row.item].item->id}][row.group[1]] = row.cell.n;
  }
  WebClient admin = Client("admin");
  std::size_t municipalities_with_hidden = 0;
  for (const auto& [m, place] : nesting_) {
    const Answer answer =
        GetJson(admin, "/api/tabell?familie=concern_experienced&kommune=" + std::to_string(m) +
                           "&etter=tjeneste");
    ASSERT_EQ(answer.status, 200);
    std::map<std::string, std::size_t> hidden_with_answers;
    for (const auto& row : answer.body["rader"]) {
      if (!Hidden(row)) continue;
      const std::string item = row["sporsmal"];
      if (row["total"].get<bool>()) {
        ++hidden_with_answers[item];  // a hidden municipality has answers
      } else if (n[{m, item}][row["verdi"].get<int>()] > 0) {
        ++hidden_with_answers[item];
      }
    }
    for (const auto& [item, count] : hidden_with_answers) {
      EXPECT_GE(count, 2u) << m << " " << item;
    }
    municipalities_with_hidden += hidden_with_answers.empty() ? 0 : 1;
  }
  EXPECT_GT(municipalities_with_hidden, 0u);
}

TEST_F(ExplorerTest, AHiddenMunicipalityIsHiddenInEveryView) {
  WebClient admin = Client("admin");
  // A round set and position where some municipality is hidden.
  const std::string item = server_->app().instrument().FindFamily(kFamily)->items.front().id;
  const Answer options = GetJson(admin, "/api/familier");
  int hidden = 0;
  std::string selection;
  for (const auto& position : options.body["stilling"]) {
    for (const auto& round : options.body["runde"]) {
      // One year is a variable of its own: three with these two.
      if (round["id"] != "0-punkt" && round["id"] != "oppfolging") continue;
      selection = "&runde=" + round["id"].get<std::string>() +
                  "&stilling=" + position["id"].get<std::string>();
      const View all = Fetch(admin, selection + "&etter=kommune");
      ASSERT_EQ(all.status, 200);
      if (!all.cells.count(item)) continue;
      for (const auto& [value, cell] : all.cells.at(item)) {
        if (value != -1 && Hidden(cell)) {
          hidden = value;
          break;
        }
      }
      if (hidden != 0) break;
    }
    if (hidden != 0) break;
  }
  ASSERT_NE(hidden, 0) << "no hidden municipality in the synthetic data";
  const View alone = Fetch(admin, selection + "&kommune=" + std::to_string(hidden));
  ASSERT_EQ(alone.status, 200);
  EXPECT_TRUE(Hidden(alone.cells.at(item).at(-1)));
  // Without the position filter, the municipality by position: the hidden
  // cell is hidden there too.
  const std::string without_position = selection.substr(0, selection.find("&stilling="));
  const View by_position =
      Fetch(admin, without_position + "&kommune=" + std::to_string(hidden) + "&etter=stilling");
  ASSERT_EQ(by_position.status, 200);
  const int position_code = [&] {
    const std::string key = selection.substr(selection.find("&stilling=") + 10);
    for (const auto& p : server_->app().instrument().positions) {
      if (p.key == key) return p.code;
    }
    return -1;
  }();
  EXPECT_TRUE(Hidden(by_position.cells.at(item).at(position_code)));
  // Its region: at least two hidden municipalities with answers.
  const auto& in = server_->app().instrument();
  std::string region_key;
  for (const auto& r : in.regions) {
    if (r.code == nesting_.at(hidden).first) region_key = r.key;
  }
  const View region = Fetch(admin, selection + "&region=" + region_key + "&etter=kommune");
  ASSERT_EQ(region.status, 200);
  std::size_t hidden_count = 0;
  for (const auto& [value, cell] : region.cells.at(item)) {
    if (value != -1 && Hidden(cell)) ++hidden_count;
  }
  EXPECT_GE(hidden_count, 2u);
}

// Another process (the CLI, a second server on the same database) imports:
// the running server notices the new batch without a restart.
// A reader's view of one service by position: a service whose only
// position group is hidden once showed its total, and the total was that
// group (Skole (samlet) × Lærer/lektor, n 6, from three views). In every
// such view of every service, the hidden cells with answers — the total
// among them — are none or at least two.
TEST_F(ExplorerTest, AServiceByPositionNeverLeavesOneHiddenCellBesideItsTotal) {
  const auto data = server_->app().dataset();
  const auto& in = server_->app().instrument();
  analysis::TableRequest request;
  request.family = kFamily;
  request.by = {Variable::kService, Variable::kPosition};
  request.where = {{Variable::kRoundType, {1}, std::nullopt}};
  auto truth = analysis::ComputeTable(*data, in, request);
  ASSERT_TRUE(truth.ok());
  // (service, item) → position → n
  std::map<std::pair<int, std::string>, std::map<int, std::size_t>> n;
  for (const auto& row : truth->rows) {
    if (row.group.empty()) continue;
    n[{row.group[0], data->item_refs[row.item].item->id}][row.group[1]] = row.cell.n;
  }
  WebClient reader = Client("leser");
  std::size_t views = 0, with_hidden = 0;
  for (const auto& service : in.services) {
    const Answer answer =
        GetJson(reader, "/api/tabell?familie=" + std::string(kFamily) + "&tjeneste=" + service.key +
                            "&runde=0-punkt&etter=stilling");
    if (answer.status != 200) continue;
    ++views;
    std::map<std::string, std::size_t> hidden_with_answers;
    for (const auto& row : answer.body["rader"]) {
      if (!Hidden(row)) continue;
      const std::string item = row["sporsmal"];
      const auto& positions = n[{service.code, item}];
      if (row["total"].get<bool>()) {
        std::size_t total = 0;
        for (const auto& [position, count] : positions) total += count;
        if (total > 0) ++hidden_with_answers[item];
      } else if (positions.count(row["verdi"].get<int>()) &&
                 positions.at(row["verdi"].get<int>()) > 0) {
        ++hidden_with_answers[item];
      }
    }
    for (const auto& [item, count] : hidden_with_answers) {
      EXPECT_GE(count, 2u) << service.key << " " << item;
    }
    with_hidden += hidden_with_answers.empty() ? 0 : 1;
  }
  EXPECT_GT(views, 5u);
  EXPECT_GT(with_hidden, 0u);
}

// A municipality report and the explorer, in two processes with a gate
// each, hide the same services of the same municipality and round: both
// publish the canonical cells with their one pattern.
TEST_F(ExplorerTest, TheReportAndTheExplorerHideTheSameCells) {
  const auto data = server_->app().dataset();
  const auto& in = server_->app().instrument();
  report::ReportInputs inputs;
  inputs.data = data.get();
  inputs.instrument = &in;
  inputs = report::WithPublication(std::move(inputs));  // not the server's gate
  // Municipalities with one baseline round: the explorer's «0-punkt» is then
  // the round the report shows.
  std::map<int, std::set<int>> years;
  for (std::size_t r = 0; r < data->rows; ++r) {
    if (data->round_type[r] == 1) years[data->municipality[r]].insert(data->year[r]);
  }
  WebClient admin = Client("admin");
  std::size_t compared = 0, hidden_seen = 0;
  for (const auto& [m, set] : years) {
    if (set.size() != 1 || compared >= 12) continue;
    const std::vector<analysis::Filter> local = {{Variable::kMunicipality, {m}, std::nullopt},
                                                 {Variable::kYear, {*set.begin()}, std::nullopt},
                                                 {Variable::kRoundType, {1}, std::nullopt}};
    auto tables = report::BreakdownTables(inputs, *in.FindFamily(kFamily), local,
                                          Variable::kService, "tjenester");
    ASSERT_TRUE(tables.ok()) << tables.error().message;
    // The report: a service row is hidden when none of its numbers shows;
    // the services in code order, then «Alle». The labels differ (the
    // report uses short ones), the order does not.
    std::vector<bool> report_hidden;
    for (const auto& row : tables->front().rows) {
      bool shown = false, any = false;
      for (std::size_t c = 1; c < row.size(); ++c) {
        any = any || !row[c].number.missing;
        shown = shown || row[c].number.Visible();
      }
      if (any) report_hidden.push_back(!shown);
    }
    const Answer answer =
        GetJson(admin, "/api/tabell?familie=" + std::string(kFamily) +
                           "&kommune=" + std::to_string(m) + "&runde=0-punkt&etter=tjeneste");
    ASSERT_EQ(answer.status, 200);
    // The explorer: the total first, then the services in code order.
    std::map<int, bool> by_code;  // −1 for the total
    for (const auto& row : answer.body["rader"]) {
      if (!Hidden(row) && N(row) == 0) continue;  // «ingen svar»: no share in either
      const int code = row["total"].get<bool>() ? -1 : row["verdi"].get<int>();
      by_code[code] = by_code[code] || Hidden(row);
    }
    std::vector<bool> explorer_hidden;
    for (const auto& [code, hidden] : by_code) {
      if (code != -1) explorer_hidden.push_back(hidden);
    }
    if (by_code.count(-1)) explorer_hidden.push_back(by_code[-1]);
    EXPECT_EQ(report_hidden, explorer_hidden) << "kommune " << m;
    hidden_seen +=
        static_cast<std::size_t>(std::count(report_hidden.begin(), report_hidden.end(), true));
    ++compared;
  }
  EXPECT_GE(compared, 5u);
  EXPECT_GT(hidden_seen, 0u) << "no hidden service among the municipalities compared";
}

TEST(ExplorerDataset, AnImportByAnotherProcessIsSeenWithoutARestart) {
  ServeOptions options;
  options.dataset_check_seconds = 0;  // check on every request, for the test
  TestServer server(false, options);
  EXPECT_EQ(server.app().dataset()->rows, 0u);

  auto other = store::OpenStore((server.dir() / "samkart.sqlite").string());
  ASSERT_TRUE(other.ok()) << other.error().message;
  store::NewBatch batch;
  batch.file_name = "annen_prosess.csv";
  batch.content_sha256 = "elsewhere";
  batch.format = "CSV";
  batch.generation = "G5";
  batch.round_types[{9901, 2026}] = "baseline";
  batch.item_ids = {server.app().instrument().families.front().id + ".x"};
  for (int i = 0; i < 7; ++i) batch.respondents.push_back({9901, 2026, 1, 1, {1}});
  ASSERT_TRUE((*other)->WriteBatch(batch, {}).ok());

  EXPECT_EQ(server.app().dataset()->rows, 7u);
}

}  // namespace
}  // namespace samkart::web
