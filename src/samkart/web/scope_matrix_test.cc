// Every route of the web application but the respondent's pages under
// /s/{token}, asked by every kind of user about objects inside and outside
// their scope: the whole matrix, cell by cell. What each cell should answer
// comes from the access rules written out below, as the product states them,
// never from the server's code. A refused cell must not name what it refused
// (another municipality, another region's import, a round's link, a user),
// an object addressed by id must be refused exactly as an id that does not
// exist, and no answer to a user, refused or not, may name an object outside
// their scope.
#include <array>
#include <ctime>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "samkart/web/survey.h"

#include "support/scratch_dir.h"
#include "support/web_server.h"

namespace samkart::web {
namespace {

using testing_support::ScratchDir;
using testing_support::TestServer;
using testing_support::WebClient;

// ------------------------------------------------------------ identities --

enum Who { kAnonymous, kReader, kCoordinator, kNorth, kSouth, kAdmin, kWhoCount };
constexpr std::array<Who, kWhoCount> kEveryone = {kAnonymous, kReader, kCoordinator,
                                                  kNorth,     kSouth,  kAdmin};

const char* WhoLabel(Who who) {
  constexpr const char* kLabels[] = {"ikke innlogget",  "leser",          "koordinator 9001",
                                     "analytiker nord", "analytiker sør", "administrator"};
  return kLabels[who];
}

// A short key for names of files and users a cell creates.
const char* WhoKey(Who who) {
  constexpr const char* kKeys[] = {"anonym", "leser", "koord", "nord", "sor", "admin"};
  return kKeys[who];
}

// ---------------------------------------------------------------- places --

struct Place {
  int number;
  const char* name;
  const char* region;
};
constexpr Place kVikheim{9001, "Vikheim (syntetisk)", "nord"};
constexpr Place kSorby{9002, "Sørby (syntetisk)", "sor"};
// In the test server's register from the start, in a region nobody here has.
constexpr Place kTestkommune{9901, "Syntetisk testkommune", "midt"};
constexpr std::array<Place, 2> kPlaces = {kVikheim, kSorby};

// ------------------------------------------------------------- the rules --
// Who may do what. Administrators: everything. A regional analyst: the
// nation, every region and size group as a whole, and the municipalities of
// their own region (results, reports, imports), importing for that region
// only. A municipal coordinator: their own municipality (results, report,
// survey rounds), beside the nation, their region and their size group. A
// reader: the nation, regions and size groups, and the national report. The
// register, invited counts, users and the audit log are the
// administrators'.

std::optional<std::string> RegionOf(Who who) {
  if (who == kNorth) return "nord";
  if (who == kSouth) return "sor";
  return std::nullopt;
}

bool LoggedIn(Who who) { return who != kAnonymous; }
bool Administers(Who who) { return who == kAdmin; }

// The results, the report and the imports of one municipality.
bool SeesMunicipality(Who who, const Place& place) {
  return who == kAdmin || RegionOf(who) == place.region ||
         (who == kCoordinator && place.number == kVikheim.number);
}

// A region's total.
bool SeesRegion(Who who, const std::string& region) {
  if (who == kCoordinator) return region == kVikheim.region;
  return LoggedIn(who);
}

// One row per municipality, with no area (the rows the user may see) or
// within one region (every municipality of it).
bool BreaksDownByMunicipality(Who who) { return who == kAdmin || RegionOf(who).has_value(); }
bool SeesEachMunicipalityOf(Who who, const std::string& region) {
  return who == kAdmin || RegionOf(who) == region;
}

bool Imports(Who who) { return who == kAdmin || RegionOf(who).has_value(); }
bool ImportsFor(Who who, const Place& place) {
  return who == kAdmin || RegionOf(who) == place.region;
}
bool SeesImport(Who who, const Place& place) {
  return Imports(who) && SeesMunicipality(who, place);
}

bool WorksWithRounds(Who who) { return who == kAdmin || who == kCoordinator; }
bool RunsRoundsOf(Who who, const Place& place) {
  return who == kAdmin || (who == kCoordinator && place.number == kVikheim.number);
}

// ---------------------------------------------------------------- routes --

// Every route the five registrars add, the survey's /s/{token} aside.
enum Route {
  kLoginPage,
  kLoginForm,
  kLogout,
  kOverview,
  kApiLogin,
  kApiMe,
  kRounds,
  kCreateRound,
  kRound,
  kRoundRate,
  kRoundQr,
  kCloseRound,
  kExplore,
  kExploreDownload,
  kApiTable,
  kApiFamilies,
  kImportPage,
  kImportUpload,
  kImportReport,
  kAssistant,
  kAssistantDraft,
  kAssistantConfirm,
  kReports,
  kNationalReport,
  kMunicipalityReport,
  kUsers,
  kAddUser,
  kUser,
  kChangeUser,
  kAuditLog,
  kCompetence,
  kResults,
  kResultsNation,
  kResultsRegion,
  kResultsMunicipality,
  kResultsTheme,
  kRouteCount
};

struct RouteInfo {
  const char* method;
  const char* path;
};

constexpr std::array<RouteInfo, kRouteCount> kRoutes = {{
    {"GET", "/logg-inn"},
    {"POST", "/logg-inn"},
    {"POST", "/logg-ut"},
    {"GET", "/"},
    {"POST", "/api/logg-inn"},
    {"GET", "/api/meg"},
    {"GET", "/runder"},
    {"POST", "/runder"},
    {"GET", "/runder/{id}"},
    {"GET", "/api/runder/{id}/svarprosent"},
    {"GET", "/runder/{id}/qr/{lenke}.{svg,png}"},
    {"POST", "/runder/{id}/avslutt"},
    {"GET", "/utforsk"},
    {"GET", "/utforsk/last-ned"},
    {"GET", "/api/tabell"},
    {"GET", "/api/familier"},
    {"GET", "/admin/import"},
    {"POST", "/admin/import"},
    {"GET", "/admin/import/{id}"},
    {"GET", "/admin/import/forslag/{token}"},
    {"GET", "/admin/import/forslag/{token}/utkast.csv"},
    {"POST", "/admin/import/forslag/{token}"},
    {"GET", "/rapporter"},
    {"GET", "/rapporter/nasjonal.{html,pdf,xlsx}"},
    {"GET", "/rapporter/kommune/{nr}.{html,pdf,xlsx}"},
    {"GET", "/admin/brukere"},
    {"POST", "/admin/brukere"},
    {"GET", "/admin/brukere/{id}"},
    {"POST", "/admin/brukere/{id}/{rolle,passord,status}"},
    {"GET", "/admin/logg"},
    {"GET", "/kompetanse"},
    {"GET", "/resultater"},
    {"GET", "/resultater/landet"},
    {"GET", "/resultater/region/{key,nr}"},
    {"GET", "/resultater/kommune/{nr}"},
    {"GET", "/resultater/kommune/{nr}/tema/{id}"},
}};

// Without a login a page sends to the login form; /api/ and posts say 401.
bool IsPage(Route route) {
  const std::string path = kRoutes[route].path;
  return std::string(kRoutes[route].method) == "GET" && path.rfind("/api/", 0) != 0;
}

// --------------------------------------------------------------- helpers --

constexpr const char* kExportHeader =
    "kommunenummer,aar,tjenestested,stilling,risiko_bullied,minoritet\n";
// The item the exports answer: every group shown has answers.
constexpr const char* kQuestion = "familie=risk_identification&sporsmal=bullied";
constexpr const char* kMissingId = "987654321";

// Rows of barnehage staff; six or more are enough for k = 5.
std::string Rows(int municipality, int count) {
  std::string rows;
  for (int i = 0; i < count; ++i) {
    rows +=
        std::to_string(municipality) + ",2021,Barnehage,Assistent,I ganske stor grad,Ganske mye\n";
  }
  return rows;
}

std::string RegisterCsv(int population) {
  return "municipality,name_nb,region,size_group,population\n9001,Vikheim (syntetisk),nord,1," +
         std::to_string(population) + "\n9002,Sørby (syntetisk),sor,1,3100\n";
}

std::string InvitedCsv(int municipality, int invited) {
  return "municipality,year,round_type,service,invited\n" + std::to_string(municipality) +
         ",2021,baseline,barnehage," + std::to_string(invited) + "\n";
}

int ThisYear() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  return tm.tm_year + 1900;
}

// A closing date a new round accepts: four weeks ahead.
std::string FourWeeksAhead() {
  return web::IsoDate(std::chrono::year_month_day(std::chrono::sys_days(web::NorwegianToday()) +
                                                  std::chrono::days(28)));
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// The part of a page worth reading in a failure message.
std::string Excerpt(const std::string& body) {
  const auto main = body.find("<main");
  return body.substr(main == std::string::npos ? 0 : main, 700);
}

httplib::Result Upload(WebClient& client, const std::string& file_name, const std::string& content,
                       httplib::MultipartFormDataItems fields = {}) {
  fields.push_back({"fil", content, file_name, "text/csv"});
  return client.PostMultipart("/admin/import", fields);
}

// What the suite has asserted, over all its tests.
struct Tally {
  std::size_t cells = 0;
  std::set<std::pair<int, int>> route_and_who;
  std::set<std::string> parts;
};
Tally& Counted() {
  static Tally tally;
  return tally;
}
constexpr std::size_t kParts = 8;  // the TEST_Fs below

using Send = std::function<httplib::Result(WebClient&)>;

// How a logged-in user's refused cell must look.
struct Refusal {
  std::set<int> statuses = {403, 404};
  Send missing;                      // the same request for an id that does not exist
  std::vector<std::string> secrets;  // what names the object
};

// A text only some may ever read: a municipality's name, an import's file
// name, a round's link, a user's name.
struct Secret {
  std::string text;
  std::string what;
  std::function<bool(Who)> may_see;
};

// ---------------------------------------------------------------- fixture --

// Two municipalities in two regions, an import and an open round for each,
// two users to administer, and one logged-in browser per identity.
class ScopeMatrix : public ::testing::Test {
 protected:
  struct Import {
    Place place;
    int64_t id;
    std::string file;
    std::string content;
  };
  struct Round {
    Place place;
    int64_t id;
  };
  struct Target {
    Place place;
    int64_t id;
    std::string username;
  };

  void SetUp() override {
    ServeOptions options;
    options.work_dir = (work_ / "arbeid").string();
    server_ = std::make_unique<TestServer>(false, options);

    struct Account {
      Who who;
      std::string name, role;
      std::optional<std::string> region;
      std::optional<int> municipality;
    };
    // The administrator first: the coordinator's municipality must be registered.
    const std::vector<Account> accounts = {
        {kAdmin, "anne", "admin", std::nullopt, std::nullopt},
        {kReader, "leser", "reader", std::nullopt, std::nullopt},
        {kCoordinator, "koordinator9001", "municipal", std::nullopt, kVikheim.number},
        {kNorth, "analytiker_nord", "regional", "nord", std::nullopt},
        {kSouth, "analytiker_sor", "regional", "sor", std::nullopt},
    };
    clients_[kAnonymous] = std::make_unique<WebClient>(server_->port());
    for (const auto& a : accounts) {
      usernames_[a.who] = a.name;
      passwords_[a.who] = server_->AddUser(a.name, a.role, a.region, a.municipality);
      clients_[a.who] = std::make_unique<WebClient>(server_->port());
      ASSERT_TRUE(clients_[a.who]->LogIn(a.name, passwords_[a.who])) << a.name;
      if (a.who != kAdmin) continue;
      auto registered = Upload(Client(kAdmin), "kommuner.csv", RegisterCsv(2817));
      ASSERT_TRUE(registered);
      ASSERT_EQ(registered->status, 200) << Excerpt(registered->body);
    }
    WebClient& admin = Client(kAdmin);
    for (const Place& place : {kVikheim, kSorby, kTestkommune}) {
      secrets_.push_back({place.name, std::string("kommunenavnet ") + place.name,
                          [place](Who who) { return SeesMunicipality(who, place); }});
    }

    for (const Place& place : kPlaces) {
      const std::string file = "eksport_" + std::to_string(place.number) + "_start.csv";
      const std::string content = kExportHeader + Rows(place.number, 6);
      auto imported = Upload(admin, file, content, {{"runde", "baseline", "", ""}});
      ASSERT_TRUE(imported);
      ASSERT_EQ(imported->status, 200) << Excerpt(imported->body);
      imports_.push_back({place, BatchId(file), file, content});
      AddImportSecret(file, place);
    }

    for (const Place& place : kPlaces) {
      auto created = admin.PostForm("/runder", {{"kommune", std::to_string(place.number)},
                                                {"aar", std::to_string(ThisYear())},
                                                {"type", "baseline"},
                                                {"siste_svardag", FourWeeksAhead()},
                                                {"inviterte_helsestasjon", "10"},
                                                {"inviterte_barnevern", "8"}});
      ASSERT_TRUE(created);
      ASSERT_EQ(created->status, 303) << Excerpt(created->body);
      const int64_t id = RoundIdFrom(*created);
      ASSERT_GT(id, 0);
      rounds_.push_back({place, id});
      AddRoundSecrets(id, place);
    }

    for (const Place& place : kPlaces) {
      const std::string name = "maal_" + std::to_string(place.number);
      server_->AddUser(name, "municipal", std::nullopt, place.number);
      auto found = server_->app().WithStore([&](store::Store& s) { return s.FindUser(name); });
      ASSERT_TRUE(found.ok() && *found);
      targets_.push_back({place, (*found)->id, name});
      AddUserSecret(name);
    }
    Counted().parts.insert(::testing::UnitTest::GetInstance()->current_test_info()->name());
  }

  static void TearDownTestSuite() {
    const Tally& tally = Counted();
    std::set<int> routes;
    for (const auto& [route, who] : tally.route_and_who) routes.insert(route);
    std::cout << "[ScopeMatrix] " << routes.size() << " of " << kRouteCount << " routes × "
              << kWhoCount << " identities: " << tally.cells << " cells asserted" << std::endl;
    if (tally.parts.size() < kParts) return;  // a filter ran only some of the parts
    for (int route = 0; route < kRouteCount; ++route) {
      for (const Who who : kEveryone) {
        if (!tally.route_and_who.count({route, who})) {
          ADD_FAILURE() << kRoutes[route].method << " " << kRoutes[route].path
                        << " was never asked by " << WhoLabel(who);
        }
      }
    }
  }

  WebClient& Client(Who who) { return *clients_[who]; }
  App& app() { return server_->app(); }

  int64_t BatchId(const std::string& file) {
    auto batches = app().WithStore([](store::Store& s) { return s.Batches(); });
    EXPECT_TRUE(batches.ok());
    for (const auto& b : batches.ok() ? *batches : std::vector<store::BatchInfo>{}) {
      if (b.file_name == file) return b.id;
    }
    ADD_FAILURE() << "no import named " << file;
    return 0;
  }

  static int64_t RoundIdFrom(const httplib::Response& res) {
    const std::string location = res.get_header_value("Location");
    const std::string prefix = "/runder/";
    if (location.rfind(prefix, 0) != 0) return 0;
    return std::stoll(location.substr(prefix.size()));
  }

  void AddImportSecret(const std::string& file, const Place& place) {
    secrets_.push_back(
        {file, "importen " + file, [place](Who who) { return SeesImport(who, place); }});
  }
  void AddRoundSecrets(int64_t id, const Place& place) {
    auto rounds = app().WithStore([](store::Store& s) { return s.SurveyRounds(); });
    ASSERT_TRUE(rounds.ok());
    for (const auto& r : *rounds) {
      if (r.id != id) continue;
      auto may_see = [place](Who who) { return RunsRoundsOf(who, place); };
      secrets_.push_back({r.token, "lenken til runde " + std::to_string(id), may_see});
      for (const auto& s : r.services) {
        secrets_.push_back(
            {s.token, "lenken for " + s.service + " i runde " + std::to_string(id), may_see});
      }
      return;
    }
    ADD_FAILURE() << "no round " << id;
  }
  void AddUserSecret(const std::string& username) {
    secrets_.push_back({username, "brukeren " + username, Administers});
  }

  // What a refused request must leave as it was.
  std::string Snapshot() {
    std::string out;
    auto state = app().WithStore([&](store::Store& s) -> Result<bool> {
      auto batches = s.Batches();
      auto municipalities = s.Municipalities();
      auto invited = s.InvitedCounts();
      auto users = s.Users();
      auto rounds = s.SurveyRounds();
      if (!batches.ok() || !municipalities.ok() || !invited.ok() || !users.ok() || !rounds.ok()) {
        return Error{"the store could not be read"};
      }
      for (const auto& b : *batches) out += "import " + std::to_string(b.id) + "\n";
      for (const auto& m : *municipalities) {
        out += "kommune " + std::to_string(m.number) + " " + m.name + " " + m.region + " " +
               m.size_group + " " + std::to_string(m.population.value_or(-1)) + "\n";
      }
      for (const auto& c : *invited) {
        out += "invitert " + std::to_string(c.municipality) + " " + std::to_string(c.year) + " " +
               c.round_type + " " + c.service + " " + std::to_string(c.invited) + "\n";
      }
      for (const auto& u : *users) {
        out += "bruker " + std::to_string(u.id) + " " + u.username + " " + u.role + " " +
               u.region.value_or("-") + " " + std::to_string(u.municipality.value_or(0)) + " " +
               (u.active ? "aktiv" : "deaktivert") + " " + u.password_hash + "\n";
      }
      for (const auto& r : *rounds) {
        out += "runde " + std::to_string(r.id) + " " + std::to_string(r.municipality) + " " +
               std::to_string(r.year) + " " + r.round_type + " " + r.status + "\n";
      }
      return true;
    });
    EXPECT_TRUE(state.ok());
    return out;
  }

  // No answer to `who` names anything outside their scope.
  void ExpectNoLeak(Who who, const httplib::Response& res, const std::string& label) {
    const std::string seen = res.body + "\n" + res.get_header_value("Location") + "\n" +
                             res.get_header_value("Content-Disposition");
    for (const auto& secret : secrets_) {
      if (secret.may_see(who)) continue;
      EXPECT_FALSE(Contains(seen, secret.text))
          << label << ": the answer names " << secret.what << "\n"
          << Excerpt(res.body);
    }
  }

  // One cell of the matrix: `send` as `who`, about `object`. Allowed: the
  // `success` status. Refused: not logged in, the login form (pages) or 401
  // (/api/ and posts); logged in, one of `refusal.statuses`, the same
  // answer as an id that does not exist, nothing in the store changed, and
  // the object not named.
  httplib::Result Cell(Route route, Who who, const std::string& object, bool allowed, int success,
                       const Send& send, const Refusal& refusal = {}) {
    const std::string label = std::string(kRoutes[route].method) + " " + kRoutes[route].path +
                              " | " + WhoLabel(who) + " | " + object;
    ++Counted().cells;
    Counted().route_and_who.insert({route, who});
    const std::string before = allowed ? "" : Snapshot();
    auto res = send(Client(who));
    if (!res) {
      ADD_FAILURE() << label << ": no answer";
      return res;
    }
    if (allowed) {
      EXPECT_EQ(res->status, success) << label << "\n" << Excerpt(res->body);
    } else {
      EXPECT_EQ(Snapshot(), before) << label << ": a refused request changed the store";
      if (who == kAnonymous) {
        if (IsPage(route)) {
          EXPECT_EQ(res->status, 303) << label;
          EXPECT_EQ(res->get_header_value("Location").rfind("/logg-inn", 0), 0u) << label;
        } else {
          EXPECT_EQ(res->status, 401) << label << "\n" << Excerpt(res->body);
        }
      } else {
        EXPECT_TRUE(refusal.statuses.count(res->status))
            << label << ": refused with " << res->status << "\n"
            << Excerpt(res->body);
        if (refusal.missing) {
          auto none = refusal.missing(Client(who));
          EXPECT_TRUE(none) << label;
          if (none) {
            EXPECT_EQ(res->status, none->status) << label << ": unlike an id that does not exist";
            EXPECT_EQ(res->body, none->body) << label << ": unlike an id that does not exist";
          }
        }
      }
      for (const auto& secret : refusal.secrets) {
        EXPECT_FALSE(Contains(res->body, secret))
            << label << ": the refusal names «" << secret << "»\n"
            << Excerpt(res->body);
      }
    }
    ExpectNoLeak(who, *res, label);
    return res;
  }

  ScratchDir work_;
  std::unique_ptr<TestServer> server_;
  std::array<std::unique_ptr<WebClient>, kWhoCount> clients_;
  std::array<std::string, kWhoCount> usernames_, passwords_;
  std::vector<Import> imports_;
  std::vector<Round> rounds_;
  std::vector<Target> targets_;
  std::vector<Secret> secrets_;
  int serial_ = 0;  // makes every upload's bytes unique
};

// ------------------------------------------------------- log in and out --

TEST_F(ScopeMatrix, LoginLogoutAndOverview) {
  const int port = server_->port();
  for (const Who who : kEveryone) {
    const bool in = LoggedIn(who);
    const std::string name = in ? usernames_[who] : "ingen";
    const std::string password = in ? passwords_[who] : "et passord som ikke finnes";

    Cell(kLoginPage, who, "innloggingsskjemaet", true, 200,
         [](WebClient& c) { return c.Get("/logg-inn"); });
    // Logging in is the identity's own name and password, in a fresh browser;
    // not logged in means having none that work.
    auto form = Cell(kLoginForm, who, "egne opplysninger", in, 303, [&](WebClient&) {
      WebClient browser(port);
      auto page = browser.Get("/logg-inn");
      if (page) browser.LearnCsrfFrom(page->body);
      return browser.PostForm("/logg-inn", {{"brukernavn", name}, {"passord", password}});
    });
    if (in && form && form->status == 303) {
      EXPECT_EQ(form->get_header_value("Location"), "/");
    }
    Cell(kApiLogin, who, "egne opplysninger", in, 200, [&](WebClient&) {
      WebClient browser(port);
      return browser.PostJson("/api/logg-inn", {{"brukernavn", name}, {"passord", password}},
                              false);
    });
    Cell(kOverview, who, "oversikten", in, 200, [](WebClient& c) { return c.Get("/"); });
    auto me =
        Cell(kApiMe, who, "egen bruker", in, 200, [](WebClient& c) { return c.Get("/api/meg"); });
    if (in && me && me->status == 200) {
      EXPECT_EQ(nlohmann::json::parse(me->body).value("brukernavn", ""), usernames_[who]);
    }
  }
  // Logging out ends a second session of the identity; the first stays.
  for (const Who who : kEveryone) {
    const bool in = LoggedIn(who);
    auto out = Cell(kLogout, who, "egen økt", in, 303, [&](WebClient& c) {
      if (!in) return c.PostForm("/logg-ut", {});
      WebClient second(port);
      EXPECT_TRUE(second.LogIn(usernames_[who], passwords_[who]));
      auto res = second.PostForm("/logg-ut", {});
      EXPECT_EQ(second.Get("/api/meg")->status, 401) << WhoLabel(who) << ": still logged in";
      return res;
    });
    if (in && out && out->status == 303) {
      EXPECT_EQ(out->get_header_value("Location"), "/logg-inn");
      EXPECT_EQ(Client(who).Get("/api/meg")->status, 200) << WhoLabel(who);
    }
  }
}

// --------------------------------------------------------- survey rounds --

TEST_F(ScopeMatrix, SurveyRounds) {
  // Year and type of the round each identity tries to create, so an allowed
  // creation never meets an existing round (the setup's is this year's
  // baseline).
  const int year = ThisYear();
  const std::array<std::pair<int, std::string>, kWhoCount> slots = {{{year - 1, "baseline"},
                                                                     {year - 1, "baseline"},
                                                                     {year - 1, "follow_up"},
                                                                     {year, "follow_up"},
                                                                     {year + 1, "baseline"},
                                                                     {year + 1, "follow_up"}}};
  for (const Who who : kEveryone) {
    auto list = Cell(kRounds, who, "rundelisten", WorksWithRounds(who), 200,
                     [](WebClient& c) { return c.Get("/runder"); });
    if (list && list->status == 200) {
      for (const auto& r : rounds_) {
        EXPECT_EQ(Contains(list->body, "href=\"/runder/" + std::to_string(r.id) + "\""),
                  RunsRoundsOf(who, r.place))
            << WhoLabel(who) << ", runde for " << r.place.name;
      }
    }

    const std::set<int> hidden = {WorksWithRounds(who) ? 404 : 403};
    for (const auto& r : rounds_) {
      const std::string base = "/runder/" + std::to_string(r.id);
      const std::string object = std::string("runde for ") + r.place.name;
      const bool allowed = RunsRoundsOf(who, r.place);
      Cell(kRound, who, object, allowed, 200, [&](WebClient& c) { return c.Get(base); },
           {hidden,
            [](WebClient& c) { return c.Get(std::string("/runder/") + kMissingId); },
            {r.place.name}});
      Cell(kRoundRate, who, object, allowed, 200,
           [&](WebClient& c) { return c.Get("/api" + base + "/svarprosent"); },
           {hidden,
            [](WebClient& c) {
              return c.Get(std::string("/api/runder/") + kMissingId + "/svarprosent");
            },
            {r.place.name}});
      Cell(kRoundQr, who, object, allowed, 200,
           [&](WebClient& c) { return c.Get(base + "/qr/felles.svg"); },
           {hidden,
            [](WebClient& c) {
              return c.Get(std::string("/runder/") + kMissingId + "/qr/felles.svg");
            },
            {r.place.name}});
      // Nobody has answered: an allowed close is refused for k-anonymity.
      auto closed = Cell(kCloseRound, who, object, allowed, 409,
                         [&](WebClient& c) {
                           return c.PostForm(base + "/avslutt", {{"bekreft", "ja"}});
                         },
                         {hidden,
                          [](WebClient& c) {
                            return c.PostForm(std::string("/runder/") + kMissingId + "/avslutt",
                                              {{"bekreft", "ja"}});
                          },
                          {r.place.name}});
      if (allowed && closed && closed->status == 409) {
        EXPECT_TRUE(Contains(closed->body, "fortsatt åpen")) << Excerpt(closed->body);
      }
    }

    for (const Place& place : kPlaces) {
      const auto& [slot_year, slot_type] = slots[who];
      auto created = Cell(kCreateRound, who, std::string("ny runde for ") + place.name,
                          RunsRoundsOf(who, place), 303,
                          [&](WebClient& c) {
                            return c.PostForm("/runder", {{"kommune", std::to_string(place.number)},
                                                          {"aar", std::to_string(slot_year)},
                                                          {"type", slot_type},
                                                          {"siste_svardag", FourWeeksAhead()},
                                                          {"inviterte_helsestasjon", "7"}});
                          },
                          {{403}, {}, {place.name}});
      if (created && created->status == 303) AddRoundSecrets(RoundIdFrom(*created), place);
    }
  }
}

// -------------------------------------------------------------- explorer --

TEST_F(ScopeMatrix, Explorer) {
  struct View {
    std::string what;
    std::string query;
    std::function<bool(Who)> allowed;
    std::vector<std::string> secrets;
  };
  const std::vector<View> views = {
      {"landet", "", LoggedIn, {}},
      {"KORUS Nord", "&region=nord", [](Who w) { return SeesRegion(w, "nord"); }, {}},
      {"KORUS Sør", "&region=sor", [](Who w) { return SeesRegion(w, "sor"); }, {}},
      {kVikheim.name,
       "&kommune=9001",
       [](Who w) { return SeesMunicipality(w, kVikheim); },
       {kVikheim.name}},
      {kSorby.name,
       "&kommune=9002",
       [](Who w) { return SeesMunicipality(w, kSorby); },
       {kSorby.name}},
      {"fordelt etter kommune", "&etter=kommune", BreaksDownByMunicipality, {}},
      {"kommunene i nord",
       "&region=nord&etter=kommune",
       [](Who w) { return SeesEachMunicipalityOf(w, "nord"); },
       {}},
      {"kommunene i sør",
       "&region=sor&etter=kommune",
       [](Who w) { return SeesEachMunicipalityOf(w, "sor"); },
       {}},
  };
  for (const Who who : kEveryone) {
    // The choices offered: only the municipalities the user may see.
    auto form = Cell(kExplore, who, "skjemaet", LoggedIn(who), 200,
                     [](WebClient& c) { return c.Get("/utforsk"); });
    if (form && form->status == 200) {
      for (const Place& place : kPlaces) {
        EXPECT_EQ(Contains(form->body, "<option value=\"" + std::to_string(place.number) + "\""),
                  SeesMunicipality(who, place))
            << WhoLabel(who) << ": " << place.name;
      }
    }
    auto options = Cell(kApiFamilies, who, "valgene", LoggedIn(who), 200,
                        [](WebClient& c) { return c.Get("/api/familier"); });
    if (options && options->status == 200) {
      std::set<int> listed;
      const nlohmann::json choices = nlohmann::json::parse(options->body);
      for (const auto& m : choices["kommune"]) {
        listed.insert(m["id"].get<int>());
      }
      for (const Place& place : kPlaces) {
        EXPECT_EQ(listed.count(place.number) == 1, SeesMunicipality(who, place))
            << WhoLabel(who) << ": " << place.name;
      }
    }

    for (const auto& view : views) {
      const bool allowed = view.allowed(who);
      const Refusal refusal{{403}, {}, view.secrets};
      const std::string query = kQuestion + view.query;
      Cell(
          kExplore, who, view.what, allowed, 200,
          [&](WebClient& c) { return c.Get("/utforsk?" + query); }, refusal);
      for (const char* format : {"csv", "xlsx"}) {
        Cell(
            kExploreDownload, who, view.what + " (" + format + ")", allowed, 200,
            [&](WebClient& c) { return c.Get("/utforsk/last-ned?" + query + "&format=" + format); },
            refusal);
      }
      Cell(
          kApiTable, who, view.what, allowed, 200,
          [&](WebClient& c) { return c.Get("/api/tabell?" + query); }, refusal);
    }
  }
}

// ------------------------------------------------------------ competence --

TEST_F(ScopeMatrix, CompetenceAnalyses) {
  struct View {
    std::string what;
    std::string query;
    std::function<bool(Who)> allowed;
    std::vector<std::string> secrets;
  };
  const std::vector<View> views = {
      {"kjeden for landet", "?analyse=kjede&kommune=", LoggedIn, {}},
      {"lommene i " + std::string(kVikheim.name),
       "?analyse=lommer&kommune=9001",
       [](Who w) { return SeesMunicipality(w, kVikheim); },
       {kVikheim.name}},
      {"delingspar i " + std::string(kSorby.name),
       "?analyse=par&kommune=9002",
       [](Who w) { return SeesMunicipality(w, kSorby); },
       {kSorby.name}},
      {"overgangene i " + std::string(kSorby.name) + " (csv)",
       "?analyse=overganger&kommune=9002&format=csv",
       [](Who w) { return SeesMunicipality(w, kSorby); },
       {kSorby.name}},
  };
  for (const Who who : kEveryone) {
    // The choices offered: only the municipalities the user may see.
    auto form = Cell(kCompetence, who, "skjemaet", LoggedIn(who), 200,
                     [](WebClient& c) { return c.Get("/kompetanse"); });
    if (form && form->status == 200) {
      for (const Place& place : kPlaces) {
        EXPECT_EQ(Contains(form->body, "<option value=\"" + std::to_string(place.number) + "\""),
                  SeesMunicipality(who, place))
            << WhoLabel(who) << ": " << place.name;
      }
    }
    for (const auto& view : views) {
      Cell(
          kCompetence, who, view.what, view.allowed(who), 200,
          [&](WebClient& c) { return c.Get("/kompetanse" + view.query); },
          Refusal{{403}, {}, view.secrets});
    }
  }
}

// ---------------------------------------------------------- result pages --

TEST_F(ScopeMatrix, ResultPages) {
  // A reader's result pages are the nation's only.
  auto sees_region_page = [](Who who, const std::string& region) {
    return who != kReader && SeesRegion(who, region);
  };
  for (const Who who : kEveryone) {
    auto home = Cell(kResults, who, "den første resultatsiden", LoggedIn(who), 200,
                     [](WebClient& c) { return c.Get("/resultater"); });
    if (home && home->status == 200) {
      // An analyst starts in their region, which has no report of its own.
      EXPECT_EQ(Contains(home->body, "/rapporter/"), who != kReader && !RegionOf(who))
          << WhoLabel(who);
      for (const Place& place : kPlaces) {
        EXPECT_EQ(
            Contains(home->body, "/resultater/kommune/" + std::to_string(place.number) + "\""),
            SeesMunicipality(who, place))
            << WhoLabel(who) << ": " << place.name;
      }
    }
    Cell(kResultsNation, who, "landet", LoggedIn(who), 200,
         [](WebClient& c) { return c.Get("/resultater/landet"); });
    for (const std::string region : {"nord", "sor", "2"}) {
      const std::string key = region == "2" ? "midt" : region;
      Cell(
          kResultsRegion, who, "regionen " + region, sees_region_page(who, key), 200,
          [&](WebClient& c) { return c.Get("/resultater/region/" + region); },
          Refusal{{403}, {}, {}});
    }
    for (const Place& place : kPlaces) {
      Cell(kResultsMunicipality, who, std::string("resultatsiden for ") + place.name,
           SeesMunicipality(who, place), 200,
           [&](WebClient& c) {
             return c.Get("/resultater/kommune/" + std::to_string(place.number));
           },
           {{403},
            who == kAdmin
                ? Send{}
                : [](WebClient&
                         c) { return c.Get(std::string("/resultater/kommune/") + kMissingId); },
            {place.name}});
      Cell(kResultsTheme, who, std::string("et tema for ") + place.name,
           SeesMunicipality(who, place), 200,
           [&](WebClient& c) {
             return c.Get("/resultater/kommune/" + std::to_string(place.number) +
                          "/tema/risk_identification");
           },
           {{403}, {}, {place.name}});
    }
  }
}

// --------------------------------------------------------------- imports --

TEST_F(ScopeMatrix, ImportsAndImportReports) {
  for (const Who who : kEveryone) {
    auto list = Cell(kImportPage, who, "importlisten", Imports(who), 200,
                     [](WebClient& c) { return c.Get("/admin/import"); });
    if (list && list->status == 200) {
      for (const auto& i : imports_) {
        EXPECT_EQ(Contains(list->body, i.file), SeesImport(who, i.place))
            << WhoLabel(who) << ": " << i.file;
      }
    }
    for (const auto& i : imports_) {
      auto report =
          Cell(kImportReport, who, "importen " + i.file, SeesImport(who, i.place), 200,
               [&](WebClient& c) { return c.Get("/admin/import/" + std::to_string(i.id)); },
               {{Imports(who) ? 404 : 403},
                [](WebClient& c) { return c.Get(std::string("/admin/import/") + kMissingId); },
                {i.file}});
      if (report && report->status == 200) {
        EXPECT_TRUE(Contains(report->body, "Importrapport for " + i.file));
      }
    }
  }

  // Uploads. An analyst's file for another region is refused by the import
  // itself (422), after the role is let in; the other roles are refused at
  // the door (403). Each file adds answers to a round that has some.
  for (const Who who : kEveryone) {
    const std::set<int> refused = {Imports(who) ? 422 : 403};
    for (const Place& place : kPlaces) {
      const std::string file =
          "eksport_" + std::to_string(place.number) + "_" + WhoKey(who) + ".csv";
      const std::string content = kExportHeader + Rows(place.number, 6 + ++serial_);
      auto res = Cell(kImportUpload, who, "ny eksport for " + std::string(place.name),
                      ImportsFor(who, place), 200,
                      [&](WebClient& c) {
                        return Upload(c, file, content,
                                      {{"runde", "baseline", "", ""}, {"legg_til", "1", "", ""}});
                      },
                      {refused, {}, {place.name}});
      if (res && res->status == 200) {
        EXPECT_TRUE(Contains(res->body, "er lagret")) << Excerpt(res->body);
        AddImportSecret(file, place);
      }
    }
    // A copy of an import already stored: the same decision, and the
    // refusal names nothing of the stored import.
    for (const auto& i : imports_) {
      const std::string file =
          "kopi_" + std::to_string(i.place.number) + "_" + WhoKey(who) + ".csv";
      auto res = Cell(kImportUpload, who, "kopi av " + i.file, ImportsFor(who, i.place), 200,
                      [&](WebClient& c) { return Upload(c, file, i.content); },
                      {refused, {}, {i.file, i.place.name}});
      if (res && res->status == 200) {
        EXPECT_TRUE(Contains(res->body, "allerede importert")) << Excerpt(res->body);
      }
    }
    Cell(kImportUpload, who, "kommuneregisteret", Administers(who), 200,
         [&](WebClient& c) { return Upload(c, "kommuner.csv", RegisterCsv(2817 + ++serial_)); },
         {{403}, {}, {}});
    for (const Place& place : kPlaces) {
      Cell(kImportUpload, who, "inviterte for " + std::string(place.name), Administers(who), 200,
           [&](WebClient& c) {
             return Upload(c, "inviterte.csv", InvitedCsv(place.number, 20 + ++serial_));
           },
           {{403}, {}, {place.name}});
    }
  }
}

// An upload kept by the import assistant is its uploader's alone: every
// other identity, an administrator too, gets what a token that does not
// exist gets, and the file's name is not on the page.
TEST_F(ScopeMatrix, KeptUploadsOfTheImportAssistant) {
  struct Kept {
    Who owner;
    Place place;
    std::string file;
    std::string token;
  };
  std::vector<Kept> kept;
  for (const Who owner : {kNorth, kSouth, kAdmin}) {
    const Place place = owner == kSouth ? kSorby : kVikheim;
    const std::string file = std::string("forslag_") + WhoKey(owner) + ".csv";
    auto page = Client(owner).PostMultipart(
        "/admin/import",
        {{"handling", "beskriv", "", ""},
         {"runde", "baseline", "", ""},
         {"legg_til", "1", "", ""},
         {"fil", kExportHeader + Rows(place.number, 6 + ++serial_), file, "text/csv"}});
    ASSERT_TRUE(page);
    ASSERT_EQ(page->status, 200) << Excerpt(page->body);
    const std::string marker = "/admin/import/forslag/";
    const auto at = page->body.find(marker);
    ASSERT_NE(at, std::string::npos) << Excerpt(page->body);
    kept.push_back({owner, place, file, page->body.substr(at + marker.size(), 43)});
    secrets_.push_back(
        {file, "den ventende filen " + file, [owner](Who who) { return who == owner; }});
  }
  const std::string missing = "/admin/import/forslag/IngenOpplastingHarDenneLenken1234567890abcd";
  for (const Kept& k : kept) {
    const std::string path = "/admin/import/forslag/" + k.token;
    for (const Who who : kEveryone) {
      const std::set<int> refused = {Imports(who) ? 404 : 403};
      auto page = Cell(kAssistant, who, "forslaget for " + k.file, who == k.owner, 200,
                       [&](WebClient& c) { return c.Get(path); },
                       {refused, [&](WebClient& c) { return c.Get(missing); }, {k.file}});
      if (page && page->status == 200) {
        EXPECT_TRUE(Contains(page->body, k.file));
      }
      auto draft =
          Cell(kAssistantDraft, who, "utkastet for " + k.file, who == k.owner, 200,
               [&](WebClient& c) { return c.Get(path + "/utkast.csv"); },
               {refused, [&](WebClient& c) { return c.Get(missing + "/utkast.csv"); }, {k.file}});
      if (draft && draft->status == 200) {
        EXPECT_EQ(draft->body.rfind("\xEF\xBB\xBFsource_variable;", 0), 0u);
      }
    }
    // Confirmed by everyone else first, then by its owner, who imports it.
    std::vector<Who> order;
    for (const Who who : kEveryone) {
      if (who != k.owner) order.push_back(who);
    }
    order.push_back(k.owner);
    for (const Who who : order) {
      const std::set<int> refused = {Imports(who) ? 404 : 403};
      httplib::MultipartFormDataItems none = {{"nokkel", "", "", "text/csv"}};
      auto res =
          Cell(kAssistantConfirm, who, "importer " + k.file, who == k.owner, 200,
               [&](WebClient& c) { return c.PostMultipart(path, none); },
               {refused, [&](WebClient& c) { return c.PostMultipart(missing, none); }, {k.file}});
      if (res && res->status == 200) {
        EXPECT_TRUE(Contains(res->body, "er lagret")) << Excerpt(res->body);
        // Imported, the file is seen as its import is.
        std::erase_if(secrets_, [&](const Secret& secret) { return secret.text == k.file; });
        AddImportSecret(k.file, k.place);
      }
    }
  }
}

// --------------------------------------------------------------- reports --

TEST_F(ScopeMatrix, ReportDownloads) {
  const std::map<std::string, std::string> starts = {
      {"html", "<!DOCTYPE html"}, {"pdf", "%PDF"}, {"xlsx", "PK"}};
  for (const Who who : kEveryone) {
    auto list = Cell(kReports, who, "rapportlisten", LoggedIn(who), 200,
                     [](WebClient& c) { return c.Get("/rapporter"); });
    if (list && list->status == 200) {
      EXPECT_TRUE(Contains(list->body, "/rapporter/nasjonal.pdf"));
      for (const Place& place : kPlaces) {
        EXPECT_EQ(
            Contains(list->body, "/rapporter/kommune/" + std::to_string(place.number) + ".pdf"),
            SeesMunicipality(who, place))
            << WhoLabel(who) << ": " << place.name;
      }
    }
    for (const auto& [format, start] : starts) {
      auto national =
          Cell(kNationalReport, who, "nasjonal rapport (" + format + ")", LoggedIn(who), 200,
               [&](WebClient& c) { return c.Get("/rapporter/nasjonal." + format); });
      if (national && national->status == 200) {
        EXPECT_EQ(national->body.rfind(start, 0), 0u) << format;
      }
      for (const Place& place : kPlaces) {
        const std::string path =
            "/rapporter/kommune/" + std::to_string(place.number) + "." + format;
        auto report =
            Cell(kMunicipalityReport, who,
                 std::string("kommunerapport for ") + place.name + " (" + format + ")",
                 SeesMunicipality(who, place), 200, [&](WebClient& c) { return c.Get(path); },
                 {{403, 404}, {}, {place.name}});
        if (report && report->status == 200) {
          EXPECT_EQ(report->body.rfind(start, 0), 0u) << path;
        }
      }
    }
  }
}

// ------------------------------------------------- users and audit log --

TEST_F(ScopeMatrix, UsersAndAuditLog) {
  const std::vector<std::pair<std::string, httplib::Params>> changes = {
      {"rolle", {{"rolle", "municipal"}}},
      {"passord", {{"generer", "1"}}},
      {"status", {{"aktiv", "1"}}},
  };
  for (const Who who : kEveryone) {
    auto list = Cell(kUsers, who, "brukerlisten", Administers(who), 200,
                     [](WebClient& c) { return c.Get("/admin/brukere"); });
    if (list && list->status == 200) {
      for (const auto& t : targets_) {
        EXPECT_TRUE(Contains(list->body, t.username));
      }
    }
    for (const auto& t : targets_) {
      const std::string base = "/admin/brukere/" + std::to_string(t.id);
      Cell(kUser, who, "brukeren " + t.username, Administers(who), 200,
           [&](WebClient& c) { return c.Get(base); },
           {{403},
            [](WebClient& c) { return c.Get(std::string("/admin/brukere/") + kMissingId); },
            {t.username}});
      for (const auto& [what, given] : changes) {
        httplib::Params params = given;
        if (what == "rolle") params.emplace("kommune", std::to_string(t.place.number));
        Cell(kChangeUser, who, what + " for " + t.username, Administers(who), 200,
             [&](WebClient& c) { return c.PostForm(base + "/" + what, params); },
             {{403},
              [&](WebClient& c) {
                return c.PostForm(std::string("/admin/brukere/") + kMissingId + "/" + what, params);
              },
              {t.username}});
      }
    }
    for (const Place& place : kPlaces) {
      const std::string name =
          std::string("ny_") + WhoKey(who) + "_" + std::to_string(place.number);
      auto added = Cell(
          kAddUser, who, std::string("ny koordinator for ") + place.name, Administers(who), 200,
          [&](WebClient& c) {
            return c.PostForm("/admin/brukere", {{"brukernavn", name},
                                                 {"rolle", "municipal"},
                                                 {"kommune", std::to_string(place.number)},
                                                 {"generer", "1"}});
          },
          {{403}, {}, {place.name}});
      if (added && added->status == 200) AddUserSecret(name);
    }
    Cell(kAuditLog, who, "revisjonsloggen", Administers(who), 200,
         [](WebClient& c) { return c.Get("/admin/logg"); });
  }
}

}  // namespace
}  // namespace samkart::web
