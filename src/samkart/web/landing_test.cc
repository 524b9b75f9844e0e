// The result pages (/resultater): who may open which page, what each role
// finds on it, and that a municipality's page hides exactly what its
// municipality report hides.
#include <map>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "samkart/web/explorer.h"

#include "support/web_server.h"

namespace samkart::web {
namespace {

using testing_support::TestServer;
using testing_support::WebClient;

struct Page {
  int status = 0;
  std::string body;
};

// One server with the synthetic national data and a user of each role. The
// coordinator's municipality is the one with the fewest respondents, so its
// report must hide cells.
class LandingTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new TestServer(true);
    const auto data = server_->app().dataset();
    const auto nesting = MunicipalityNesting(*data);
    std::map<int, std::size_t> respondents;
    for (const int m : data->municipality) ++respondents[m];
    own_ = respondents.begin()->first;
    for (const auto& [m, n] : respondents) {
      if (n < respondents[own_]) own_ = m;
    }
    const int region = nesting.at(own_).first;
    for (const auto& r : server_->app().instrument().regions) {
      if (r.code == region) own_region_ = r.key;
      if (r.code != region) other_region_ = r.key;
    }
    for (const auto& [m, place] : nesting) {
      if (place.first == region && m != own_) same_region_ = m;
      if (place.first != region) other_region_municipality_ = m;
    }
    passwords_["admin"] = server_->AddUser("admin", "admin");
    passwords_["analytiker"] = server_->AddUser("analytiker", "regional", own_region_);
    passwords_["koordinator"] = server_->AddUser("koordinator", "municipal", std::nullopt, own_);
    passwords_["leser"] = server_->AddUser("leser", "reader");
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  static Page Get(const std::string& user, const std::string& path) {
    WebClient client(server_->port());
    EXPECT_TRUE(client.LogIn(user, passwords_[user])) << user;
    auto result = client.Get(path);
    if (!result) return {};
    return {result->status, result->body};
  }

  static inline TestServer* server_ = nullptr;
  static inline std::map<std::string, std::string> passwords_;
  static inline int own_ = 0, same_region_ = 0, other_region_municipality_ = 0;
  static inline std::string own_region_, other_region_;
};

// The page without its header, whose logout form carries the session's token.
std::string Main(const std::string& body) {
  const auto main = body.find("<main");
  return main == std::string::npos ? body : body.substr(main);
}

bool Has(const std::string& body, const std::string& needle) {
  return body.find(needle) != std::string::npos;
}

// Each table's body by its caption, as the report renderer writes them.
std::map<std::string, std::string> TablesByCaption(const std::string& html) {
  static const std::regex table(R"re(<caption id="[^"]*">([^<]*)</caption>([\s\S]*?)</tbody>)re");
  std::map<std::string, std::string> out;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), table);
       it != std::sregex_iterator(); ++it) {
    out.emplace((*it)[1].str(), (*it)[2].str());
  }
  return out;
}

TEST_F(LandingTest, WithoutLoginThePagesSendToTheLoginForm) {
  WebClient anonymous(server_->port());
  const std::vector<std::string> paths = {"/resultater", "/resultater/landet",
                                          "/resultater/kommune/" + std::to_string(own_)};
  for (const std::string& path : paths) {
    auto result = anonymous.Get(path);
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, 303) << path;
  }
}

TEST_F(LandingTest, ACoordinatorSeesTheirOwnMunicipalityWithChartsAndReportLinks) {
  const std::string own = std::to_string(own_);
  const Page home = Get("koordinator", "/resultater");
  ASSERT_EQ(home.status, 200) << home.body.substr(0, 400);
  const Page page = Get("koordinator", "/resultater/kommune/" + own);
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(Main(home.body), Main(page.body));
  EXPECT_TRUE(Has(page.body, R"(class="landing")"));
  EXPECT_TRUE(Has(page.body, R"(<section id="sammendrag")"));
  // Each theme has a page of its own: a family's chart against the rest of
  // the nation, drawn by the report renderer.
  const std::string theme = "/resultater/kommune/" + own + "/tema/risk_identification";
  EXPECT_TRUE(Has(page.body, R"(<a href=")" + theme + R"(">)"));
  EXPECT_FALSE(Has(page.body, R"(<section id="risk_identification")"));
  const Page family = Get("koordinator", theme);
  ASSERT_EQ(family.status, 200);
  EXPECT_TRUE(Has(family.body, R"(<section id="risk_identification")"));
  EXPECT_TRUE(
      Has(family.body, R"(<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-narrow")"));
  EXPECT_TRUE(Has(family.body, "mot resten av landet"));
  EXPECT_TRUE(Has(family.body, R"(rel="next")"));
  EXPECT_EQ(Get("koordinator", "/resultater/kommune/" + own + "/tema/finnes_ikke").status, 404);
  // A theme page of another municipality is refused like its page.
  EXPECT_EQ(Get("koordinator",
                "/resultater/kommune/" + std::to_string(same_region_) + "/tema/risk_identification")
                .status,
            403);
  // Small enough for a phone: the summary alone, not the whole report.
  EXPECT_LT(page.body.size(), 150'000u);
  for (const char* format : {"html", "pdf", "xlsx", "pptx"}) {
    EXPECT_TRUE(Has(page.body, "/rapporter/kommune/" + own + "." + format)) << format;
  }
  EXPECT_TRUE(Has(page.body, R"(<a href="/resultater">Resultater</a>)"));
  // No inline styles or scripts: the page's Content-Security-Policy forbids them.
  EXPECT_FALSE(Has(page.body, "style=\""));
  EXPECT_FALSE(Has(page.body, "<style"));
  EXPECT_FALSE(Has(page.body, "<script"));
  // Only their own municipality is offered.
  EXPECT_FALSE(Has(page.body, "/resultater/kommune/" + std::to_string(same_region_) + "\""));
}

TEST_F(LandingTest, ACoordinatorIsRefusedAnotherMunicipalityWithoutItsName) {
  for (const int other : {same_region_, other_region_municipality_}) {
    const Page page = Get("koordinator", "/resultater/kommune/" + std::to_string(other));
    EXPECT_EQ(page.status, 403) << other;
    EXPECT_FALSE(Has(page.body, "/rapporter/kommune/" + std::to_string(other)));
  }
  EXPECT_EQ(Get("koordinator", "/resultater/region/" + other_region_).status, 403);
  EXPECT_EQ(Get("koordinator", "/resultater/region/" + own_region_).status, 200);
}

TEST_F(LandingTest, AReaderGetsTheNationOnlyAndNoReportLinks) {
  const Page home = Get("leser", "/resultater");
  ASSERT_EQ(home.status, 200);
  EXPECT_TRUE(Has(home.body, "Resultater for hele landet"));
  EXPECT_TRUE(Has(home.body, R"(class="chart chart-wide")"));
  EXPECT_FALSE(Has(home.body, "/rapporter/"));
  EXPECT_FALSE(Has(home.body, "/resultater/kommune/"));
  EXPECT_FALSE(Has(home.body, "/resultater/region/"));
  EXPECT_EQ(Main(Get("leser", "/resultater/landet").body), Main(home.body));
  EXPECT_EQ(Get("leser", "/resultater/kommune/" + std::to_string(own_)).status, 403);
  EXPECT_EQ(Get("leser", "/resultater/region/" + own_region_).status, 403);
}

TEST_F(LandingTest, ARegionalAnalystStartsInTheirRegionAndOpensItsOwnMunicipalitiesOnly) {
  const Page home = Get("analytiker", "/resultater");
  ASSERT_EQ(home.status, 200);
  EXPECT_TRUE(Has(home.body, "mot resten av landet"));
  EXPECT_TRUE(Has(home.body, "/resultater/kommune/" + std::to_string(own_) + "\""));
  EXPECT_FALSE(
      Has(home.body, "/resultater/kommune/" + std::to_string(other_region_municipality_) + "\""));
  EXPECT_EQ(Main(Get("analytiker", "/resultater/region/" + own_region_).body), Main(home.body));
  EXPECT_EQ(Get("analytiker", "/resultater/kommune/" + std::to_string(same_region_)).status, 200);
  EXPECT_EQ(
      Get("analytiker", "/resultater/kommune/" + std::to_string(other_region_municipality_)).status,
      403);
  // Another region as a whole, as in the explorer, but none of its municipalities.
  const Page other = Get("analytiker", "/resultater/region/" + other_region_);
  EXPECT_EQ(other.status, 200);
  EXPECT_TRUE(Has(other.body, "Du har ikke tilgang til resultatsidene for enkeltkommuner her."));
}

TEST_F(LandingTest, AnAdministratorStartsWithTheNationAndUnknownAreasAre404) {
  const Page home = Get("admin", "/resultater");
  ASSERT_EQ(home.status, 200);
  EXPECT_TRUE(Has(home.body, "Resultater for hele landet"));
  EXPECT_TRUE(Has(home.body, "/rapporter/nasjonal.pdf"));
  EXPECT_EQ(Get("admin", "/resultater/kommune/999999").status, 404);
  EXPECT_EQ(Get("admin", "/resultater/region/finnes-ikke").status, 404);
  EXPECT_EQ(Get("admin", "/resultater/region/" + own_region_).status, 200);
}

// The page shows the report's own tables: a cell the report hides is hidden
// on the page too, and nothing else differs.
TEST_F(LandingTest, AMunicipalityPageHidesWhatItsReportHides) {
  const std::string own = std::to_string(own_);
  const Page report = Get("koordinator", "/rapporter/kommune/" + own + ".html");
  ASSERT_EQ(report.status, 200);
  const Page page = Get("koordinator", "/resultater/kommune/" + own);
  ASSERT_EQ(page.status, 200);
  const auto in_report = TablesByCaption(report.body);
  // The page and every theme page it links to.
  std::string all = page.body;
  static const std::regex theme_link(R"re(href="(/resultater/kommune/\d+/tema/[a-z0-9_]+)")re");
  std::size_t themes = 0;
  for (auto it = std::sregex_iterator(page.body.begin(), page.body.end(), theme_link);
       it != std::sregex_iterator(); ++it) {
    const Page theme = Get("koordinator", (*it)[1].str());
    ASSERT_EQ(theme.status, 200) << (*it)[1].str();
    all += theme.body;
    ++themes;
  }
  EXPECT_GT(themes, 10u);
  const auto on_page = TablesByCaption(all);
  ASSERT_FALSE(on_page.empty());
  const std::string hidden_mark = R"m(title="Vises ikke (publiseringsregler)">:</abbr>)m";
  std::size_t compared = 0, with_hidden = 0;
  for (const auto& [caption, body] : on_page) {
    const auto found = in_report.find(caption);
    ASSERT_NE(found, in_report.end()) << caption;
    EXPECT_EQ(body, found->second) << caption;
    ++compared;
    if (Has(body, hidden_mark)) ++with_hidden;
  }
  EXPECT_GT(compared, 5u);
  // The smallest municipality has cells the rules must hide.
  EXPECT_GT(with_hidden, 0u);
}

}  // namespace
}  // namespace samkart::web
