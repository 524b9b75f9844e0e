#include "samkart/web/survey.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "samkart/instrument/loader.h"
#include "samkart/store/tables.h"
#include "samkart/web/comments.h"
#include "samkart/web/survey_budget.h"

#include "support/web_server.h"

namespace samkart::web {
namespace {

using testing_support::TestServer;
using testing_support::WebClient;

const instrument::Instrument& TheInstrument() {
  static const instrument::Instrument instrument = *instrument::LoadEmbeddedInstrument().instrument;
  return instrument;
}

int ServiceCode(const std::string& key) { return TheInstrument().FindService(key)->code; }

std::string CurrentGenerationId() { return TheInstrument().CurrentGeneration()->id; }

std::string ThisYear() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  return std::to_string(tm.tm_year + 1900);
}

std::vector<std::string> FamiliesOf(const SurveyForm& form, const std::vector<std::size_t>& pages) {
  std::vector<std::string> out;
  for (const std::size_t p : pages) {
    out.push_back(form.pages()[p].family ? form.pages()[p].family->id : "bakgrunn");
  }
  return out;
}

bool Has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// --- The form model, without HTTP ---

TEST(SurveyForm, ChildWelfareStaffSkipTheConcernPages) {
  auto form =
      SurveyForm::Create(TheInstrument(), CurrentGenerationId(), {"barnevern", "helsestasjon"});
  ASSERT_TRUE(form.ok()) << form.error().message;
  EXPECT_EQ(form->pages().front().family, nullptr);
  EXPECT_EQ(form->services().size(), 2u);

  SurveyDraft draft;
  draft.service = ServiceCode("barnevern");
  // Even answers left over from before the service was chosen do not bring them back.
  draft.answers["concern_experienced.concern_last_12_months"] = 2;
  draft.answers["acted_on_concern.acted"] = 1;
  draft.answers["risk_identification.bullied"] = 3;
  const auto families = FamiliesOf(*form, form->ApplicablePages(draft));
  for (const char* concern : {"concern_experienced", "concern_content", "acted_on_concern",
                              "actions_taken", "reasons_not_acted"}) {
    EXPECT_FALSE(Has(families, concern)) << concern;
  }
  EXPECT_TRUE(Has(families, "bakgrunn"));
  EXPECT_TRUE(Has(families, "risk_identification"));
  EXPECT_TRUE(Has(families, "barriers"));

  // Through the harmoniser the routed-away answers are «not asked».
  auto row = form->Harmonise(draft, 9901, 2025);
  ASSERT_TRUE(row.ok()) << row.error().message;
  const auto answers = form->AnswersFor(
      *row, {"concern_experienced.concern_last_12_months", "acted_on_concern.acted"});
  EXPECT_EQ(answers[0], instrument::kNotAsked);
  EXPECT_EQ(answers[1], instrument::kNotAsked);
}

TEST(SurveyForm, ConditionalFamiliesFollowTheAnswers) {
  auto form = SurveyForm::Create(TheInstrument(), CurrentGenerationId(), {"helsestasjon"});
  ASSERT_TRUE(form.ok()) << form.error().message;
  SurveyDraft draft;
  draft.service = ServiceCode("helsestasjon");

  // No concern answered yet: the follow-up questions are not shown.
  auto families = FamiliesOf(*form, form->ApplicablePages(draft));
  EXPECT_TRUE(Has(families, "concern_experienced"));
  EXPECT_FALSE(Has(families, "concern_content"));
  EXPECT_FALSE(Has(families, "acted_on_concern"));

  draft.answers["concern_experienced.concern_last_12_months"] = 1;  // «Nei»
  families = FamiliesOf(*form, form->ApplicablePages(draft));
  EXPECT_FALSE(Has(families, "concern_content"));
  EXPECT_FALSE(Has(families, "actions_taken"));

  draft.answers["concern_experienced.concern_last_12_months"] = 4;  // serious concern
  draft.answers["acted_on_concern.acted"] = 1;                      // acted
  families = FamiliesOf(*form, form->ApplicablePages(draft));
  EXPECT_TRUE(Has(families, "concern_content"));
  EXPECT_TRUE(Has(families, "acted_on_concern"));
  EXPECT_TRUE(Has(families, "actions_taken"));
  EXPECT_FALSE(Has(families, "reasons_not_acted"));

  draft.answers["acted_on_concern.acted"] = 2;  // did not act
  families = FamiliesOf(*form, form->ApplicablePages(draft));
  EXPECT_FALSE(Has(families, "actions_taken"));
  EXPECT_TRUE(Has(families, "reasons_not_acted"));

  // Staff do not rate their own service.
  for (std::size_t p = 0; p < form->pages().size(); ++p) {
    const auto* family = form->pages()[p].family;
    if (family == nullptr || family->id != "cooperation_with_services") continue;
    const auto items = form->ItemsShown(p, draft);
    EXPECT_EQ(items.size() + 1, form->pages()[p].items.size());
    for (const auto* item : items) EXPECT_NE(item->partner_service, "helsestasjon");
  }
}

TEST(SurveyForm, ValidationNamesTheQuestion) {
  auto form = SurveyForm::Create(TheInstrument(), CurrentGenerationId(), {"helsestasjon"});
  ASSERT_TRUE(form.ok());
  SurveyDraft draft;
  draft.service = ServiceCode("helsestasjon");
  draft.answers["risk_identification.learning_difficulties"] = 4;
  EXPECT_FALSE(form->Invalid(draft));
  draft.answers["risk_identification.learning_difficulties"] = 7;
  const auto invalid = form->Invalid(draft);
  ASSERT_TRUE(invalid);
  EXPECT_NE(invalid->find("Kunnskap om risikofaktorer"), std::string::npos) << *invalid;
  EXPECT_NE(invalid->find("har læringsvansker"), std::string::npos) << *invalid;
  draft.answers.clear();
  draft.service = ServiceCode("barnevern");  // not a service of this link
  EXPECT_TRUE(form->Invalid(draft));
}

TEST(SurveyDraft, RoundTripsThroughJsonAndIgnoresGarbage) {
  SurveyDraft draft;
  draft.service = 5;
  draft.position = 7;
  draft.answers["a.b"] = 3;
  const SurveyDraft back = SurveyDraft::FromJson(draft.ToJson());
  EXPECT_EQ(back.service, 5);
  EXPECT_EQ(back.position, 7);
  EXPECT_EQ(back.answers.at("a.b"), 3);
  const SurveyDraft garbage = SurveyDraft::FromJson(R"({"tjeneste":"x","svar":{"a.b":"y"}})");
  EXPECT_FALSE(garbage.service);
  EXPECT_TRUE(garbage.answers.empty());
  EXPECT_TRUE(SurveyDraft::FromJson("ikke json").answers.empty());
}

TEST(RoundResponseRate, HidesSmallServicesAndOneMoreWhenOnlyOneIsHidden) {
  store::SurveyRound round;
  round.services = {{"helsestasjon", 10, "a"}, {"barnevern", 10, "b"}, {"ppt", 10, "c"}};
  const std::map<int, std::size_t> counts = {
      {ServiceCode("helsestasjon"), 8}, {ServiceCode("barnevern"), 6}, {ServiceCode("ppt"), 2}};
  const ResponseRate rate = ComputeResponseRate(TheInstrument(), round, counts, 5);
  EXPECT_EQ(rate.answered, 16u);
  EXPECT_EQ(rate.invited, 30);
  EXPECT_FALSE(rate.services[0].hidden);
  EXPECT_EQ(rate.services[0].answered, 8u);
  EXPECT_TRUE(rate.services[1].hidden);  // complementary: 16 − 8 would give ppt
  EXPECT_TRUE(rate.services[1].hidden_complementary);
  EXPECT_TRUE(rate.services[2].hidden);
  EXPECT_FALSE(rate.services[2].hidden_complementary);
  EXPECT_EQ(rate.services[2].answered, 0u);

  // Two small services, one of them without answers yet: 9 − 8 leaves 1
  // for the two, and which of them has it does not show.
  const std::map<int, std::size_t> two_small = {{ServiceCode("helsestasjon"), 8},
                                                {ServiceCode("barnevern"), 1}};
  const ResponseRate rate2 = ComputeResponseRate(TheInstrument(), round, two_small, 5);
  EXPECT_FALSE(rate2.services[0].hidden);
  EXPECT_TRUE(rate2.services[1].hidden);
  EXPECT_TRUE(rate2.services[2].hidden);
  EXPECT_FALSE(rate2.services[1].hidden_complementary);
  EXPECT_FALSE(rate2.answered_hidden);
  EXPECT_EQ(rate2.answered, 9u);

  // One small service: the smallest of the others is its partner.
  const std::map<int, std::size_t> lone = {
      {ServiceCode("helsestasjon"), 8}, {ServiceCode("barnevern"), 9}, {ServiceCode("ppt"), 3}};
  const ResponseRate rate3 = ComputeResponseRate(TheInstrument(), round, lone, 5);
  EXPECT_TRUE(rate3.services[0].hidden);  // the smaller of the two large ones
  EXPECT_TRUE(rate3.services[0].hidden_complementary);
  EXPECT_FALSE(rate3.services[1].hidden);
  EXPECT_TRUE(rate3.services[2].hidden);

  // One service: the total would be its count, so it is hidden too.
  store::SurveyRound single;
  single.services = {{"ppt", 10, "c"}};
  const ResponseRate rate4 =
      ComputeResponseRate(TheInstrument(), single, {{ServiceCode("ppt"), 3}}, 5);
  EXPECT_TRUE(rate4.services[0].hidden);
  EXPECT_TRUE(rate4.answered_hidden);
  EXPECT_EQ(rate4.answered, 0u);
  EXPECT_EQ(FormatRate(3, 7), "42,9\u00A0%");

  // Nobody has answered yet: a total of 0 would tell that of every hidden
  // service, so it is hidden too.
  const ResponseRate none = ComputeResponseRate(TheInstrument(), round, {}, 5);
  EXPECT_TRUE(none.answered_hidden);
  for (const auto& service : none.services) EXPECT_TRUE(service.hidden);

  // Nobody in the small services: the total minus the shown service would
  // give 0 for each of them.
  const ResponseRate empty_small =
      ComputeResponseRate(TheInstrument(), round, {{ServiceCode("helsestasjon"), 8}}, 5);
  EXPECT_TRUE(empty_small.answered_hidden || empty_small.services[0].hidden);
}

// --- Through HTTP ---

struct Input {
  std::string type, name, value;
};

std::string Attribute(const std::string& tag, const std::string& name) {
  const std::string marker = " " + name + "=\"";
  const auto at = tag.find(marker);
  if (at == std::string::npos) return "";
  const auto start = at + marker.size();
  return tag.substr(start, tag.find('"', start) - start);
}

std::vector<Input> Inputs(const std::string& html) {
  std::vector<Input> out;
  for (std::size_t at = html.find("<input "); at != std::string::npos;
       at = html.find("<input ", at + 1)) {
    const std::string tag = html.substr(at, html.find('>', at) - at);
    out.push_back({Attribute(tag, "type"), Attribute(tag, "name"), Attribute(tag, "value")});
  }
  return out;
}

std::string FormAction(const std::string& html) {
  const std::string marker = R"(<form method="post" action=")";
  const auto at = html.find(marker);
  if (at == std::string::npos) return "";
  const auto start = at + marker.size();
  return html.substr(start, html.find('"', start) - start);
}

// A signed-in coordinator (or admin) with a browser.
struct Staff {
  explicit Staff(TestServer& server, const std::string& name = "koordinator",
                 const std::string& role = "municipal", std::optional<int> municipality = 9901,
                 std::optional<std::string> region = std::nullopt)
      : client(server.port()) {
    const std::string password = server.AddUser(name, role, region, municipality);
    logged_in = client.LogIn(name, password);
  }
  WebClient client;
  bool logged_in = false;
};

std::string DaysAhead(int days) {
  return IsoDate(std::chrono::year_month_day(std::chrono::sys_days(NorwegianToday()) +
                                             std::chrono::days(days)));
}

// Creates a round of 9901 this year and returns its id (0 on failure).
int64_t CreateRound(WebClient& client, const std::map<std::string, int>& invited,
                    const std::string& type = "baseline") {
  httplib::Params params{
      {"kommune", "9901"}, {"aar", ThisYear()}, {"type", type}, {"siste_svardag", DaysAhead(28)}};
  for (const auto& [service, n] : invited)
    params.emplace("inviterte_" + service, std::to_string(n));
  auto res = client.PostForm("/runder", params);
  if (!res || res->status != 303) {
    ADD_FAILURE() << (res ? res->status : 0) << " " << (res ? res->body : "");
    return 0;
  }
  return std::stoll(res->get_header_value("Location").substr(std::string("/runder/").size()));
}

store::SurveyRound RoundOf(TestServer& server, int64_t id) {
  auto rounds = server.app().WithStore([](store::Store& s) { return s.SurveyRounds(); });
  for (const auto& r : rounds.value()) {
    if (r.id == id) return r;
  }
  ADD_FAILURE() << "no round " << id;
  return {};
}

std::string ServiceToken(const store::SurveyRound& round, const std::string& service) {
  for (const auto& s : round.services) {
    if (s.service == service) return s.token;
  }
  return "";
}

std::map<int, std::size_t> Counts(TestServer& server, int64_t id) {
  return server.app()
      .WithStore([&](store::Store& s) { return s.SurveyResponseCounts(id); })
      .value();
}

// Opens the survey and presses «Start»; returns the first page's path.
std::string Start(WebClient& respondent, const std::string& token) {
  auto intro = respondent.Get("/s/" + token);
  if (!intro || intro->status != 200) {
    ADD_FAILURE() << "intro " << (intro ? intro->status : 0);
    return "";
  }
  respondent.LearnCsrfFrom(intro->body);
  auto started = respondent.PostForm("/s/" + token + "/start", {});
  if (!started || started->status != 303) {
    ADD_FAILURE() << "start " << (started ? started->status : 0);
    return "";
  }
  return started->get_header_value("Location");
}

using Chooser =
    std::function<std::string(const std::string& name, const std::vector<std::string>&)>;

// Answers every page as `choose` says, following the server's redirects,
// and returns the final location (/takk) and the pages seen.
std::string Walk(WebClient& respondent, const std::string& token, const Chooser& choose,
                 std::vector<std::string>* titles = nullptr) {
  std::string location = Start(respondent, token);
  for (int step = 0; step < 60 && !location.empty(); ++step) {
    if (location.ends_with("/takk")) return location;
    auto page = respondent.Get(location);
    if (!page || page->status != 200) {
      ADD_FAILURE() << location << ": " << (page ? page->status : 0);
      return "";
    }
    if (titles) {
      const auto t = page->body.find("<title>");
      titles->push_back(page->body.substr(t + 7, page->body.find("</title>") - t - 7));
    }
    std::map<std::string, std::vector<std::string>> groups;
    std::vector<std::string> order;
    for (const auto& input : Inputs(page->body)) {
      if (input.type != "radio" && input.type != "checkbox") continue;
      if (!groups.count(input.name)) order.push_back(input.name);
      groups[input.name].push_back(input.value);
    }
    httplib::Params params{{"csrf", respondent.csrf()}};
    for (const auto& name : order) {
      const std::string value = choose(name, groups[name]);
      if (!value.empty()) params.emplace(name, value);
    }
    const std::string action = FormAction(page->body);
    params.emplace("gaa", action.ends_with("/send") ? "send" : "neste");
    for (const auto& input : Inputs(page->body)) {
      if (input.type == "hidden" && input.name != "csrf") params.emplace(input.name, input.value);
    }
    auto posted = respondent.PostForm(action, params);
    if (!posted || posted->status != 303) {
      ADD_FAILURE() << action << ": " << (posted ? posted->status : 0) << " "
                    << (posted ? posted->body.substr(0, 2000) : "");
      return "";
    }
    location = posted->get_header_value("Location");
  }
  return location;
}

// First option everywhere, except: the service given, and the concern
// questions answered so their follow-ups are asked.
Chooser Answers(int service) {
  return [service](const std::string& name, const std::vector<std::string>& values) {
    if (name == "tjeneste") return std::to_string(service);
    if (name == "concern_experienced.concern_last_12_months") return std::string("2");
    if (name == "acted_on_concern.acted") return std::string("1");
    return values.front();
  };
}

// The shortest valid answer: the service, one question, send.
void QuickRespond(TestServer& server, const std::string& token, int service,
                  const std::string& comment = "") {
  WebClient respondent(server.port());
  const std::string first = Start(respondent, token);
  ASSERT_FALSE(first.empty());
  auto page1 = respondent.PostForm(
      first, {{"tjeneste", std::to_string(service)}, {"stilling", "7"}, {"gaa", "neste"}});
  ASSERT_TRUE(page1);
  ASSERT_EQ(page1->status, 303) << page1->body;
  const std::string second = page1->get_header_value("Location");
  auto page2 = respondent.PostForm(
      second, {{"risk_identification.learning_difficulties", "4"}, {"gaa", "neste"}});
  ASSERT_TRUE(page2);
  ASSERT_EQ(page2->status, 303);
  httplib::Params send{{"gaa", "send"}};
  if (!comment.empty()) send.emplace("kommentar", comment);
  auto sent = respondent.PostForm("/s/" + token + "/send", send);
  ASSERT_TRUE(sent);
  ASSERT_EQ(sent->status, 303) << sent->body;
  EXPECT_TRUE(sent->get_header_value("Location").ends_with("/takk"));
}

TEST(SurveyWeb, RespondentCompletesTheWholeSurveyAndOnlyTheAnswerIsStored) {
  TestServer server(false);
  Staff coordinator(server);
  ASSERT_TRUE(coordinator.logged_in);
  const int64_t id = CreateRound(coordinator.client, {{"helsestasjon", 10}, {"barnevern", 8}});
  ASSERT_GT(id, 0);
  const store::SurveyRound round = RoundOf(server, id);
  EXPECT_EQ(round.generation, CurrentGenerationId());
  EXPECT_EQ(round.services.size(), 2u);
  EXPECT_EQ(round.item_ids, RoundItemIds(TheInstrument(), CurrentGenerationId()));

  WebClient respondent(server.port());
  std::vector<std::string> titles;
  const std::string end =
      Walk(respondent, round.token, Answers(ServiceCode("helsestasjon")), &titles);
  EXPECT_EQ(end, "/s/" + round.token + "/takk");
  // Unique titles, a progress indicator on each page.
  EXPECT_GT(titles.size(), 15u);
  EXPECT_EQ(std::set<std::string>(titles.begin(), titles.end()).size(), titles.size());
  EXPECT_NE(titles.front().find("side 1 av"), std::string::npos) << titles.front();
  EXPECT_FALSE(respondent.cookies().count("samkart_utkast"));  // cleared

  auto thanks = respondent.Get(end);
  ASSERT_TRUE(thanks);
  EXPECT_EQ(thanks->status, 200);
  EXPECT_NE(thanks->body.find("Takk for svaret"), std::string::npos);

  EXPECT_EQ(Counts(server, id), (std::map<int, std::size_t>{{ServiceCode("helsestasjon"), 1}}));
  const auto held =
      server.app().WithStore([&](store::Store& s) { return s.HeldResponses(id); }).value();
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(held[0].service, ServiceCode("helsestasjon"));
  ASSERT_EQ(held[0].answers.size(), round.item_ids.size());
  std::map<std::string, uint8_t> by_id;
  for (std::size_t i = 0; i < round.item_ids.size(); ++i)
    by_id[round.item_ids[i]] = held[0].answers[i];
  EXPECT_EQ(by_id["risk_identification.learning_difficulties"], 1);
  EXPECT_EQ(by_id["concern_experienced.concern_last_12_months"], 2);
  EXPECT_EQ(by_id["acted_on_concern.acted"], 1);
  EXPECT_EQ(by_id["concern_content.learning_difficulties"], 1);  // every box ticked
  EXPECT_EQ(
      by_id["reasons_not_acted." + TheInstrument().FindFamily("reasons_not_acted")->items[0].id],
      instrument::kNotAsked);
  EXPECT_EQ(by_id["cooperation_with_services.health_station"],
            instrument::kNotAsked);  // own service

  // The held table has no column for a time, an address or the cookie.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2((server.dir() / "samkart.sqlite").c_str(), &db, SQLITE_OPEN_READONLY,
                            nullptr),
            SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT name FROM pragma_table_info('survey_responses')", -1,
                               &stmt, nullptr),
            SQLITE_OK);
  std::set<std::string> columns;
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    columns.insert(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
  }
  sqlite3_finalize(stmt);
  EXPECT_EQ(columns,
            (std::set<std::string>{"response_key", "round_id", "service", "position", "answers"}));
  // The draft is gone with the submission.
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT count(*) FROM survey_drafts", -1, &stmt, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(stmt, 0), 0);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

// «Side X av Y» from a page title «… (side X av Y)».
std::pair<int, int> PageCounter(const std::string& title) {
  const auto at = title.rfind("(side ");
  if (at == std::string::npos) return {0, 0};
  int x = 0, y = 0;
  if (std::sscanf(title.c_str() + at, "(side %d av %d)", &x, &y) != 2) return {0, 0};
  return {x, y};
}

TEST(SurveyForm, PagesThatMayStillComeAreCountedUntilTheirQuestionIsPassed) {
  auto form = SurveyForm::Create(TheInstrument(), CurrentGenerationId(), {"helsestasjon"});
  ASSERT_TRUE(form.ok()) << form.error().message;
  std::size_t concern = 0;
  for (std::size_t p = 0; p < form->pages().size(); ++p) {
    if (form->pages()[p].family && form->pages()[p].family->id == "concern_experienced")
      concern = p;
  }
  ASSERT_GT(concern, 0u);
  SurveyDraft draft;
  draft.service = ServiceCode("helsestasjon");
  // Before the concern question: its follow-ups may come, so they count.
  auto counted = FamiliesOf(*form, form->PagesToCount(draft, concern));
  EXPECT_TRUE(Has(counted, "concern_content"));
  EXPECT_TRUE(Has(counted, "acted_on_concern"));
  EXPECT_TRUE(Has(counted, "actions_taken"));
  // Passed without an answer: they will not come.
  counted = FamiliesOf(*form, form->PagesToCount(draft, concern + 1));
  EXPECT_FALSE(Has(counted, "concern_content"));
  EXPECT_FALSE(Has(counted, "actions_taken"));
  // Answered «no»: gone at once.
  draft.answers["concern_experienced.concern_last_12_months"] = 1;
  counted = FamiliesOf(*form, form->PagesToCount(draft, concern));
  EXPECT_FALSE(Has(counted, "concern_content"));
  // The pages counted always include those shown.
  draft.answers["concern_experienced.concern_last_12_months"] = 4;
  const auto shown = form->ApplicablePages(draft);
  const auto all = form->PagesToCount(draft, concern);
  for (const std::size_t p : shown) {
    EXPECT_NE(std::find(all.begin(), all.end(), p), all.end()) << p;
  }
}

TEST(SurveyWeb, PageCounterGoesUpByOneAndItsTotalNeverGrows) {
  TestServer server(false);
  Staff coordinator(server);
  ASSERT_TRUE(coordinator.logged_in);
  const store::SurveyRound round =
      RoundOf(server, CreateRound(coordinator.client, {{"helsestasjon", 10}}));
  // Concern answered «yes» and «acted»: the follow-up pages are asked.
  for (const bool concern : {true, false}) {
    WebClient respondent(server.port());
    std::vector<std::string> titles;
    const Chooser choose =
        concern ? Answers(ServiceCode("helsestasjon"))
                : Chooser([](const std::string& name, const std::vector<std::string>& values) {
                    if (name == "concern_experienced.concern_last_12_months")
                      return std::string("1");
                    return values.front();
                  });
    ASSERT_FALSE(Walk(respondent, round.token, choose, &titles).empty());
    ASSERT_GT(titles.size(), 5u);
    int last_total = 0;
    for (std::size_t i = 0; i < titles.size(); ++i) {
      const auto [x, y] = PageCounter(titles[i]);
      EXPECT_EQ(x, static_cast<int>(i) + 1) << titles[i];
      if (i > 0) {
        EXPECT_LE(y, last_total) << titles[i];
      }
      last_total = y;
    }
    // The last page says it is the last.
    const auto [x, y] = PageCounter(titles.back());
    EXPECT_EQ(x, y) << titles.back();
  }
}

TEST(SurveyWeb, ServiceLinkFixesTheServiceAndChildWelfareSkipsConcernPages) {
  TestServer server(false);
  Staff coordinator(server);
  ASSERT_TRUE(coordinator.logged_in);
  const int64_t id = CreateRound(coordinator.client, {{"helsestasjon", 10}, {"barnevern", 8}});
  const store::SurveyRound round = RoundOf(server, id);
  WebClient respondent(server.port());
  std::vector<std::string> titles;
  const std::string end = Walk(
      respondent, ServiceToken(round, "barnevern"),
      [](const std::string& name, const std::vector<std::string>& v) {
        EXPECT_NE(name, "tjeneste");  // fixed by the link
        return v.front();
      },
      &titles);
  EXPECT_TRUE(end.ends_with("/takk")) << end;
  for (const auto& t : titles) EXPECT_EQ(t.find("Opplevd bekymring"), std::string::npos) << t;
  EXPECT_EQ(Counts(server, id), (std::map<int, std::size_t>{{ServiceCode("barnevern"), 1}}));
}

TEST(SurveyWeb, ReloadKeepsTheAnswersAndBackGoesToThePreviousPage) {
  TestServer server(false);
  Staff coordinator(server);
  ASSERT_TRUE(coordinator.logged_in);
  const store::SurveyRound round = RoundOf(server, CreateRound(coordinator.client, {{"ppt", 6}}));
  WebClient respondent(server.port());
  const std::string first = Start(respondent, round.token);
  ASSERT_EQ(first, "/s/" + round.token + "/side/1");
  EXPECT_TRUE(respondent.cookies().count("samkart_utkast"));
  auto page1 = respondent.PostForm(
      first,
      {{"tjeneste", std::to_string(ServiceCode("ppt"))}, {"stilling", "8"}, {"gaa", "neste"}});
  ASSERT_TRUE(page1);
  ASSERT_EQ(page1->status, 303);
  const std::string second = page1->get_header_value("Location");
  EXPECT_EQ(second, "/s/" + round.token + "/side/2");
  auto page2 =
      respondent.PostForm(second, {{"risk_identification.bullied", "5"}, {"gaa", "tilbake"}});
  ASSERT_TRUE(page2);
  ASSERT_EQ(page2->status, 303);
  EXPECT_EQ(page2->get_header_value("Location"), first);

  auto reload1 = respondent.Get(first);
  ASSERT_TRUE(reload1);
  EXPECT_NE(reload1->body.find(R"(name="stilling" value="8" checked)"), std::string::npos);
  auto reload2 = respondent.Get(second);
  ASSERT_TRUE(reload2);
  EXPECT_EQ(reload2->status, 200);
  EXPECT_NE(reload2->body.find(R"(name="risk_identification.bullied" value="5" checked)"),
            std::string::npos);
  EXPECT_NE(reload2->body.find("Side 2 av"), std::string::npos);
  EXPECT_NE(reload2->body.find("<progress"), std::string::npos);
  EXPECT_NE(reload2->body.find("<fieldset class=\"item\"><legend>"), std::string::npos);
  EXPECT_EQ(reload2->body.find("style="), std::string::npos);
  EXPECT_EQ(reload2->body.find("<script"), std::string::npos);
}

TEST(SurveyWeb, SubmittingTwiceStoresOneAnswer) {
  TestServer server(false);
  Staff coordinator(server);
  ASSERT_TRUE(coordinator.logged_in);
  const int64_t id = CreateRound(coordinator.client, {{"nav", 6}});
  const store::SurveyRound round = RoundOf(server, id);
  WebClient respondent(server.port());
  const std::string first = Start(respondent, round.token);
  const std::string cookie = respondent.cookies().at("samkart_utkast");
  auto page1 = respondent.PostForm(
      first, {{"tjeneste", std::to_string(ServiceCode("nav"))}, {"gaa", "neste"}});
  ASSERT_TRUE(page1);
  auto page2 = respondent.PostForm(page1->get_header_value("Location"),
                                   {{"risk_identification.bullied", "3"}, {"gaa", "neste"}});
  ASSERT_TRUE(page2);
  auto sent = respondent.PostForm("/s/" + round.token + "/send", {{"gaa", "send"}});
  ASSERT_TRUE(sent);
  EXPECT_EQ(sent->status, 303);
  // A second click (the browser still sends the old cookie).
  respondent.cookies()["samkart_utkast"] = cookie;
  auto again = respondent.PostForm("/s/" + round.token + "/send", {{"gaa", "send"}});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200);
  EXPECT_NE(again->body.find("allerede sendt inn"), std::string::npos);
  EXPECT_EQ(Counts(server, id), (std::map<int, std::size_t>{{ServiceCode("nav"), 1}}));
}

TEST(SurveyWeb, UnknownCategoryIsRefusedNamingTheQuestionAndNothingIsStored) {
  TestServer server(false);
  Staff coordinator(server);
  ASSERT_TRUE(coordinator.logged_in);
  const int64_t id = CreateRound(coordinator.client, {{"nav", 6}});
  const store::SurveyRound round = RoundOf(server, id);
  WebClient respondent(server.port());
  const std::string first = Start(respondent, round.token);
  auto page1 = respondent.PostForm(
      first, {{"tjeneste", std::to_string(ServiceCode("nav"))}, {"gaa", "neste"}});
  ASSERT_TRUE(page1);
  auto sent = respondent.PostForm(
      "/s/" + round.token + "/send",
      {{"side", "2"}, {"risk_identification.learning_difficulties", "7"}, {"gaa", "send"}});
  ASSERT_TRUE(sent);
  EXPECT_EQ(sent->status, 400);
  EXPECT_NE(sent->body.find("har læringsvansker"), std::string::npos);
  EXPECT_NE(sent->body.find(R"(class="error-summary survey-error-summary" role="alert")"),
            std::string::npos);
  EXPECT_NE(sent->body.find(R"(href="#q-risk_identification-learning_difficulties-1")"),
            std::string::npos);
  EXPECT_TRUE(Counts(server, id).empty());
  // A page with an unknown service is refused the same way.
  auto bad_service = respondent.PostForm(first, {{"tjeneste", "77"}, {"gaa", "neste"}});
  ASSERT_TRUE(bad_service);
  EXPECT_EQ(bad_service->status, 400);
  EXPECT_NE(bad_service->body.find("Hvor jobber du?"), std::string::npos);
}

TEST(SurveyWeb, UnknownTokenIsNotFoundAndAClosedRoundSaysSo) {
  TestServer server(false);
  WebClient respondent(server.port());
  auto missing = respondent.Get("/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  auto missing_page = respondent.Get("/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/side/2");
  ASSERT_TRUE(missing_page);
  EXPECT_EQ(missing_page->status, 404);
}

TEST(SurveyWeb, StartWithoutCsrfIsRefused) {
  TestServer server(false);
  Staff coordinator(server);
  ASSERT_TRUE(coordinator.logged_in);
  const store::SurveyRound round = RoundOf(server, CreateRound(coordinator.client, {{"nav", 6}}));
  WebClient respondent(server.port());
  auto started = respondent.PostForm("/s/" + round.token + "/start", {}, false);
  ASSERT_TRUE(started);
  EXPECT_EQ(started->status, 403);
  EXPECT_FALSE(respondent.cookies().count("samkart_utkast"));
}

TEST(SurveyWeb, FreshCookiesCannotStartMoreFormsThanTheRoundTakesAnswers) {
  ServeOptions options;
  options.survey_budget = {1, 2};  // three invited: five answers
  TestServer server(false, options);
  Staff coordinator(server);
  ASSERT_TRUE(coordinator.logged_in);
  const store::SurveyRound round =
      RoundOf(server, CreateRound(coordinator.client, {{"helsestasjon", 3}}));
  for (int i = 0; i < 5; ++i) QuickRespond(server, round.token, ServiceCode("helsestasjon"));
  for (int attempt = 0; attempt < 2; ++attempt) {
    WebClient flood(server.port());
    auto intro = flood.Get("/s/" + round.token);
    ASSERT_TRUE(intro);
    flood.LearnCsrfFrom(intro->body);
    auto started = flood.PostForm("/s/" + round.token + "/start", {});
    ASSERT_TRUE(started);
    EXPECT_EQ(started->status, 429);
    EXPECT_NE(started->body.find("tar ikke imot flere svar"), std::string::npos);
    EXPECT_FALSE(flood.cookies().count("samkart_utkast"));
  }
  EXPECT_EQ(Counts(server, round.id),
            (std::map<int, std::size_t>{{ServiceCode("helsestasjon"), 5}}));
  // One audit entry tells the coordinator, not one per refused request.
  auto log = server.app().WithStore([](store::Store& s) { return s.AuditLog(100); });
  ASSERT_TRUE(log.ok());
  EXPECT_EQ(
      std::count_if(log->begin(), log->end(),
                    [](const store::AuditEntry& e) { return e.action == "survey_budget_spent"; }),
      1);
}

TEST(SurveyBudget, StartsAreCountedPerDayAndHeldAnswersCapTheRound) {
  SurveyBudget budget({2, 1});
  store::SurveyRound round;
  round.id = 7;
  round.services = {{"nav", 1, ""}, {"ppt", 1, ""}};
  EXPECT_EQ(budget.AnswersAllowed(round), 5u);
  const auto morning = SurveyBudget::Clock::now();
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(budget.TryStart(round, 0, morning)) << i;
  EXPECT_FALSE(budget.TryStart(round, 0, morning));
  // Another round has its own allowance.
  store::SurveyRound other = round;
  other.id = 8;
  EXPECT_TRUE(budget.TryStart(other, 0, morning));
  // A day later the starts are forgiven, the answers held are not.
  const auto tomorrow = morning + std::chrono::hours(25);
  EXPECT_FALSE(budget.TryStart(round, 5, tomorrow));
  EXPECT_TRUE(budget.TryStart(round, 4, tomorrow));
  EXPECT_TRUE(budget.MaySubmit(round, 4));
  EXPECT_FALSE(budget.MaySubmit(round, 5));
  EXPECT_TRUE(budget.FirstRefusalToday(7, tomorrow));
  EXPECT_FALSE(budget.FirstRefusalToday(7, tomorrow));
}

TEST(RoundWeb, ResponseRateCountsPerServiceAndHidesSmallServices) {
  TestServer server(false);
  Staff coordinator(server);
  ASSERT_TRUE(coordinator.logged_in);
  const int64_t id =
      CreateRound(coordinator.client, {{"helsestasjon", 10}, {"barnevern", 10}, {"ppt", 5}});
  const store::SurveyRound round = RoundOf(server, id);
  for (int i = 0; i < 7; ++i) QuickRespond(server, round.token, ServiceCode("helsestasjon"));
  for (int i = 0; i < 5; ++i) {
    QuickRespond(server, ServiceToken(round, "barnevern"), ServiceCode("barnevern"));
  }
  auto api = coordinator.client.Get(fmt::format("/api/runder/{}/svarprosent", id));
  ASSERT_TRUE(api);
  ASSERT_EQ(api->status, 200) << api->body;
  auto json = nlohmann::json::parse(api->body);
  EXPECT_EQ(json["totalt"]["svar"], 12);
  EXPECT_EQ(json["totalt"]["invitert"], 25);
  // ppt (0 answers) is hidden; exactly one hidden, so the smallest shown
  // (barnevern, 5) is hidden too.
  ASSERT_EQ(json["tjenester"].size(), 3u);
  EXPECT_EQ(json["tjenester"][0]["tjeneste"], "helsestasjon");
  EXPECT_EQ(json["tjenester"][0]["svar"], 7);
  EXPECT_DOUBLE_EQ(json["tjenester"][0]["svarprosent"].get<double>(), 70.0);
  EXPECT_TRUE(json["tjenester"][1]["svar"].is_null());
  EXPECT_TRUE(json["tjenester"][1]["skjult"].get<bool>());
  EXPECT_TRUE(json["tjenester"][2]["svar"].is_null());
  EXPECT_TRUE(json["tjenester"][2]["skjult"].get<bool>());
  // The true counts are what the store has.
  EXPECT_EQ(Counts(server, id), (std::map<int, std::size_t>{{ServiceCode("helsestasjon"), 7},
                                                            {ServiceCode("barnevern"), 5}}));

  // One more in ppt... still hidden; with 5 in ppt nothing is hidden.
  for (int i = 0; i < 5; ++i) QuickRespond(server, ServiceToken(round, "ppt"), ServiceCode("ppt"));
  json = nlohmann::json::parse(
      coordinator.client.Get(fmt::format("/api/runder/{}/svarprosent", id))->body);
  EXPECT_EQ(json["tjenester"][1]["svar"], 5);
  EXPECT_EQ(json["tjenester"][2]["svar"], 5);

  auto page = coordinator.client.Get(fmt::format("/runder/{}", id));
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("/s/" + round.token), std::string::npos);
  EXPECT_NE(page->body.find("/s/" + ServiceToken(round, "ppt")), std::string::npos);
  EXPECT_NE(page->body.find("Avslutt runden"), std::string::npos);
}

// Creates a round and opens its page with a forged Host header: the page
// links to `base(port)` + /s/token, and never to the forged host.
void ExpectSurveyLinksFrom(ServeOptions options, const std::function<std::string(int)>& base) {
  TestServer server(false, options);
  Staff coordinator(server);
  ASSERT_TRUE(coordinator.logged_in);
  const int64_t id = CreateRound(coordinator.client, {{"nav", 6}});
  coordinator.client.HostHeader("phish.example");
  auto page = coordinator.client.Get(fmt::format("/runder/{}", id));
  ASSERT_TRUE(page);
  ASSERT_EQ(page->status, 200);
  EXPECT_NE(page->body.find(base(server.port()) + "/s/" + RoundOf(server, id).token),
            std::string::npos)
      << page->body;
  EXPECT_EQ(page->body.find("phish.example"), std::string::npos);
}

TEST(RoundWeb, SurveyLinksComeFromThePublicUrlNeverFromTheHostHeader) {
  ServeOptions options;
  options.public_url = "https://samkart.example.no/";
  ExpectSurveyLinksFrom(options, [](int) { return std::string("https://samkart.example.no"); });
  // Without one, the address the request reached.
  ExpectSurveyLinksFrom({}, [](int port) { return fmt::format("http://127.0.0.1:{}", port); });
}

TEST(RoundWeb, HtmlShowsFewerThanKForSmallServices) {
  TestServer server(false);
  Staff coordinator(server);
  ASSERT_TRUE(coordinator.logged_in);
  const int64_t id = CreateRound(coordinator.client, {{"helsestasjon", 10}, {"nav", 4}});
  const store::SurveyRound round = RoundOf(server, id);
  QuickRespond(server, ServiceToken(round, "nav"), ServiceCode("nav"));
  auto page = coordinator.client.Get(fmt::format("/runder/{}", id));
  ASSERT_TRUE(page);
  EXPECT_NE(page->body.find("færre enn 5"), std::string::npos);
}

TEST(RoundWeb, ClosingWritesABatchIntoTheDataset) {
  TestServer server(false);
  Staff coordinator(server);
  ASSERT_TRUE(coordinator.logged_in);
  const int64_t id = CreateRound(coordinator.client, {{"helsestasjon", 10}, {"barnevern", 10}});
  const store::SurveyRound round = RoundOf(server, id);
  for (int i = 0; i < 7; ++i) QuickRespond(server, round.token, ServiceCode("helsestasjon"));
  for (int i = 0; i < 5; ++i) QuickRespond(server, round.token, ServiceCode("barnevern"));
  EXPECT_EQ(server.app().dataset()->rows, 0u);

  auto unconfirmed = coordinator.client.PostForm(fmt::format("/runder/{}/avslutt", id), {});
  ASSERT_TRUE(unconfirmed);
  EXPECT_EQ(unconfirmed->status, 400);
  auto closed =
      coordinator.client.PostForm(fmt::format("/runder/{}/avslutt", id), {{"bekreft", "ja"}});
  ASSERT_TRUE(closed);
  ASSERT_EQ(closed->status, 303) << closed->body;

  EXPECT_EQ(server.app().dataset()->rows, 12u);
  const auto rounds = server.app().WithStore([](store::Store& s) { return s.Rounds(); }).value();
  ASSERT_EQ(rounds.size(), 1u);
  EXPECT_EQ(rounds[0].municipality, 9901);
  EXPECT_EQ(std::to_string(rounds[0].year), ThisYear());
  EXPECT_EQ(rounds[0].round_type, "baseline");
  EXPECT_EQ(rounds[0].respondents, 12u);
  const store::SurveyRound after = RoundOf(server, id);
  EXPECT_EQ(after.status, "closed");
  ASSERT_TRUE(after.batch_id);
  const auto batches = server.app().WithStore([](store::Store& s) { return s.Batches(); }).value();
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].format, "Samkart nettskjema");
  EXPECT_EQ(batches[0].file_name,
            "Nettskjema: Syntetisk testkommune " + ThisYear() + " (0-punktsmåling)");
  EXPECT_EQ(batches[0].generation, CurrentGenerationId());
  EXPECT_TRUE(
      server.app().WithStore([&](store::Store& s) { return s.HeldResponses(id); })->empty());
  const auto log = server.app().WithStore([](store::Store& s) { return s.AuditLog(20); }).value();
  EXPECT_TRUE(std::any_of(log.begin(), log.end(),
                          [](const store::AuditEntry& e) { return e.action == "round_close"; }));
  EXPECT_TRUE(std::any_of(log.begin(), log.end(),
                          [](const store::AuditEntry& e) { return e.action == "round_create"; }));

  // The link now says the survey is closed.
  WebClient late(server.port());
  auto closed_page = late.Get("/s/" + round.token);
  ASSERT_TRUE(closed_page);
  EXPECT_EQ(closed_page->status, 410);
  EXPECT_NE(closed_page->body.find("avsluttet"), std::string::npos);
}

TEST(RoundWeb, ClosingWithFewerThanKAnswersIsRefusedAndStoresNothing) {
  TestServer server(false);
  Staff coordinator(server);
  ASSERT_TRUE(coordinator.logged_in);
  const int64_t id = CreateRound(coordinator.client, {{"helsestasjon", 10}});
  const store::SurveyRound round = RoundOf(server, id);
  for (int i = 0; i < 3; ++i) QuickRespond(server, round.token, ServiceCode("helsestasjon"));
  auto closed =
      coordinator.client.PostForm(fmt::format("/runder/{}/avslutt", id), {{"bekreft", "ja"}});
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->status, 409);
  EXPECT_NE(closed->body.find("k-anonymitet"), std::string::npos);
  EXPECT_EQ(RoundOf(server, id).status, "open");
  EXPECT_TRUE(server.app().WithStore([](store::Store& s) { return s.Batches(); })->empty());
  EXPECT_EQ(server.app().WithStore([&](store::Store& s) { return s.HeldResponses(id); })->size(),
            3u);
}

TEST(RoundWeb, CreationIsValidated) {
  TestServer server(false);
  Staff coordinator(server);
  ASSERT_TRUE(coordinator.logged_in);
  auto none = coordinator.client.PostForm("/runder", {{"kommune", "9901"},
                                                      {"aar", ThisYear()},
                                                      {"type", "baseline"},
                                                      {"siste_svardag", DaysAhead(28)}});
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 400);
  EXPECT_NE(none->body.find("minst én tjeneste"), std::string::npos);
  auto bad_year = coordinator.client.PostForm(
      "/runder",
      {{"kommune", "9901"}, {"aar", "1999"}, {"type", "baseline"}, {"inviterte_nav", "3"}});
  ASSERT_TRUE(bad_year);
  EXPECT_EQ(bad_year->status, 400);
  ASSERT_GT(CreateRound(coordinator.client, {{"nav", 3}}), 0);
  auto twice = coordinator.client.PostForm("/runder", {{"kommune", "9901"},
                                                       {"aar", ThisYear()},
                                                       {"type", "baseline"},
                                                       {"siste_svardag", DaysAhead(28)},
                                                       {"inviterte_nav", "3"}});
  ASSERT_TRUE(twice);
  EXPECT_EQ(twice->status, 400);
  EXPECT_NE(twice->body.find("allerede en runde"), std::string::npos);
  // Another municipality's round cannot be created by this coordinator.
  auto foreign = coordinator.client.PostForm(
      "/runder",
      {{"kommune", "9902"}, {"aar", ThisYear()}, {"type", "baseline"}, {"inviterte_nav", "3"}});
  ASSERT_TRUE(foreign);
  EXPECT_EQ(foreign->status, 403);
  // Without the CSRF token nothing happens.
  auto no_csrf = coordinator.client.PostForm(
      "/runder",
      {{"kommune", "9901"}, {"aar", ThisYear()}, {"type", "follow_up"}, {"inviterte_nav", "3"}},
      false);
  ASSERT_TRUE(no_csrf);
  EXPECT_EQ(no_csrf->status, 403);
  EXPECT_EQ(server.app().WithStore([](store::Store& s) { return s.SurveyRounds(); })->size(), 1u);
}

TEST(RoundWeb, OtherMunicipalitiesAndOtherRolesAreForbidden) {
  TestServer server(false);
  (void)server.app().WithStore([](store::Store& s) {
    return s.UpsertMunicipalities({{9902, "Annen testkommune", "midt", "gruppe_2", 3000}});
  });
  Staff coordinator(server);
  ASSERT_TRUE(coordinator.logged_in);
  const int64_t id = CreateRound(coordinator.client, {{"nav", 6}});
  Staff other(server, "annen", "municipal", 9902);
  ASSERT_TRUE(other.logged_in);
  // Another municipality's round is answered exactly as a round that does
  // not exist, so round numbers tell nothing.
  auto page = other.client.Get(fmt::format("/runder/{}", id));
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 404);
  auto missing = other.client.Get(fmt::format("/runder/{}", id + 1000));
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(page->body, missing->body);
  auto api = other.client.Get(fmt::format("/api/runder/{}/svarprosent", id));
  ASSERT_TRUE(api);
  EXPECT_EQ(api->status, 404);
  auto api_missing = other.client.Get(fmt::format("/api/runder/{}/svarprosent", id + 1000));
  ASSERT_TRUE(api_missing);
  EXPECT_EQ(api->body, api_missing->body);
  auto close = other.client.PostForm(fmt::format("/runder/{}/avslutt", id), {{"bekreft", "ja"}});
  ASSERT_TRUE(close);
  EXPECT_EQ(close->status, 404);
  auto list = other.client.Get("/runder");
  ASSERT_TRUE(list);
  EXPECT_EQ(list->status, 200);
  EXPECT_EQ(list->body.find(fmt::format("/runder/{}\"", id)), std::string::npos);

  Staff regional(server, "regional", "regional", std::nullopt, "midt");
  ASSERT_TRUE(regional.logged_in);
  auto forbidden = regional.client.Get("/runder");
  ASSERT_TRUE(forbidden);
  EXPECT_EQ(forbidden->status, 403);
  auto forbidden_api = regional.client.Get(fmt::format("/api/runder/{}/svarprosent", id));
  ASSERT_TRUE(forbidden_api);
  EXPECT_EQ(forbidden_api->status, 403);

  Staff admin(server, "admin", "admin", std::nullopt);
  ASSERT_TRUE(admin.logged_in);
  auto admin_page = admin.client.Get(fmt::format("/runder/{}", id));
  ASSERT_TRUE(admin_page);
  EXPECT_EQ(admin_page->status, 200);
  auto admin_list = admin.client.Get("/runder");
  ASSERT_TRUE(admin_list);
  EXPECT_NE(admin_list->body.find(R"(<option value="9902")"), std::string::npos);

  // Closing without the CSRF token is refused.
  auto no_csrf = coordinator.client.PostForm(fmt::format("/runder/{}/avslutt", id),
                                             {{"bekreft", "ja"}}, false);
  ASSERT_TRUE(no_csrf);
  EXPECT_EQ(no_csrf->status, 403);
  // Not logged in: the API says 401.
  WebClient anonymous(server.port());
  auto unauthorised = anonymous.Get(fmt::format("/api/runder/{}/svarprosent", id));
  ASSERT_TRUE(unauthorised);
  EXPECT_EQ(unauthorised->status, 401);
}

// --- The privacy statement ---

TEST(SurveyPrivacy, StartPageStatesTheMunicipalitysControllerAndContactBeforeTheFirstQuestion) {
  TestServer server(false);
  Staff coordinator(server);
  ASSERT_TRUE(coordinator.logged_in);
  const int64_t id = CreateRound(coordinator.client, {{"helsestasjon", 10}});
  const store::SurveyRound round = RoundOf(server, id);

  // Before any contact is set: the default names the municipality.
  WebClient respondent(server.port());
  auto plain = respondent.Get("/s/" + round.token);
  ASSERT_TRUE(plain);
  EXPECT_NE(plain->body.find("Syntetisk testkommune er behandlingsansvarlig"), std::string::npos);
  EXPECT_NE(plain->body.find("kommunens personvernombud"), std::string::npos);
  EXPECT_NE(plain->body.find("frivillig"), std::string::npos);
  EXPECT_NE(plain->body.find("færre enn 5 svar"), std::string::npos);
  EXPECT_NE(plain->body.find("IP-adressen"), std::string::npos);
  EXPECT_NE(plain->body.find("nasjonale databasen"), std::string::npos);

  auto saved = coordinator.client.PostForm("/personvern/kommune",
                                           {{"kommune", "9901"},
                                            {"ansvarlig", "Syntetisk testkommune, oppvekst"},
                                            {"kontaktperson", "Personvernombud Rita <Ro>"},
                                            {"epost", "personvern@testkommune.no"},
                                            {"telefon", "12 34 56 78"}});
  ASSERT_TRUE(saved);
  ASSERT_EQ(saved->status, 303) << saved->body;

  auto start = respondent.Get("/s/" + round.token);
  ASSERT_TRUE(start);
  const std::string& body = start->body;
  const auto statement = body.find("Syntetisk testkommune, oppvekst er behandlingsansvarlig");
  ASSERT_NE(statement, std::string::npos) << body;
  EXPECT_NE(body.find("Personvernombud Rita &lt;Ro&gt; (e-post personvern@testkommune.no, "
                      "telefon 12 34 56 78)"),
            std::string::npos);
  EXPECT_LT(statement, body.find("/start\""));  // before «Start», so before the first question
  // The free-text line only where the round asks for free text.
  EXPECT_EQ(body.find("fritekstfeltet"), std::string::npos);

  // «Om personvern» from every page of the form.
  const std::string first = Start(respondent, round.token);
  auto page = respondent.Get(first);
  ASSERT_TRUE(page);
  const std::string link = "/s/" + round.token + "/personvern";
  EXPECT_NE(page->body.find("href=\"" + link + "\">Om personvern</a>"), std::string::npos);
  auto privacy = respondent.Get(link);
  ASSERT_TRUE(privacy);
  EXPECT_EQ(privacy->status, 200);
  EXPECT_NE(privacy->body.find("personvern@testkommune.no"), std::string::npos);
}

TEST(SurveyPrivacy, TheInstallationsStatementReplacesTheDefault) {
  ServeOptions options;
  options.privacy_statement =
      "# Personvern hos Driftssenteret\n\nDriftssenteret AS drifter Samkart for {kommune}. "
      "Spør {kontakt}.\n\n- Grupper under {k} vises ikke.\n";
  TestServer server(false, options);
  Staff coordinator(server);
  ASSERT_TRUE(coordinator.logged_in);
  const store::SurveyRound round =
      RoundOf(server, CreateRound(coordinator.client, {{"helsestasjon", 10}}));
  WebClient respondent(server.port());
  auto start = respondent.Get("/s/" + round.token);
  ASSERT_TRUE(start);
  EXPECT_NE(start->body.find("<h2>Personvern hos Driftssenteret</h2>"), std::string::npos);
  EXPECT_NE(start->body.find("Driftssenteret AS drifter Samkart for Syntetisk testkommune."),
            std::string::npos);
  EXPECT_NE(start->body.find("<li>Grupper under 5 vises ikke.</li>"), std::string::npos);
  EXPECT_EQ(start->body.find("er behandlingsansvarlig for kartleggingen"), std::string::npos);
}

TEST(SurveyPrivacy, ACoordinatorSetsOnlyTheirOwnMunicipalitysContact) {
  TestServer server(false);
  (void)server.app().WithStore([](store::Store& s) {
    return s.UpsertMunicipalities({{9902, "Annen testkommune", "midt", "gruppe_2", 3000}});
  });
  Staff other(server, "annen", "municipal", 9902);
  ASSERT_TRUE(other.logged_in);
  auto refused = other.client.PostForm(
      "/personvern/kommune",
      {{"kommune", "9901"}, {"ansvarlig", "Falsk"}, {"kontaktperson", "Falsk"}});
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 404);
  auto peek = other.client.Get("/personvern/kommune?kommune=9901");
  ASSERT_TRUE(peek);
  EXPECT_EQ(peek->status, 404);
  EXPECT_FALSE(server.app()
                   .WithStore([](store::Store& s) { return s.FindPrivacyContact(9901); })
                   .value()
                   .has_value());
  // Their own: the form keeps what was typed and ties the error to the field.
  auto invalid = other.client.PostForm(
      "/personvern/kommune",
      {{"kommune", "9902"}, {"kontaktperson", "Ola"}, {"epost", "ikke en adresse"}});
  ASSERT_TRUE(invalid);
  EXPECT_EQ(invalid->status, 400);
  EXPECT_NE(
      invalid->body.find(
          R"(value="ikke en adresse" maxlength="200" aria-describedby="epost-feil" aria-invalid="true")"),
      std::string::npos)
      << invalid->body;
  Staff regional(server, "regional", "regional", std::nullopt, "midt");
  auto regional_page = regional.client.Get("/personvern/kommune");
  ASSERT_TRUE(regional_page);
  EXPECT_EQ(regional_page->status, 403);
  Staff admin(server, "admin", "admin", std::nullopt);
  auto by_admin = admin.client.PostForm("/personvern/kommune",
                                        {{"kommune", "9902"}, {"kontaktperson", "Ombudet"}});
  ASSERT_TRUE(by_admin);
  EXPECT_EQ(by_admin->status, 303);
}

// --- Errors tied to their fields ---

TEST(SurveyWeb, ErrorsAreTiedToTheirFieldsAndTheSummaryTakesFocus) {
  TestServer server(false);
  Staff coordinator(server);
  const store::SurveyRound round =
      RoundOf(server, CreateRound(coordinator.client, {{"helsestasjon", 10}, {"nav", 5}}));
  WebClient respondent(server.port());
  const std::string first = Start(respondent, round.token);
  auto page = respondent.PostForm(first, {{"stilling", "7"}, {"gaa", "neste"}});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 400);
  const std::string& body = page->body;
  EXPECT_NE(body.find(R"(id="feilsammendrag" tabindex="-1" autofocus)"), std::string::npos);
  EXPECT_NE(body.find(R"(<p class="survey-field-error" id="feil-tjeneste">)"), std::string::npos);
  EXPECT_NE(body.find(R"(aria-invalid="true" aria-describedby="feil-tjeneste")"),
            std::string::npos);
  // What was answered is kept.
  EXPECT_NE(body.find(R"(name="stilling" value="7" checked)"), std::string::npos);
  // The question without an error is not marked.
  EXPECT_EQ(body.find(R"(aria-describedby="feil-stilling")"), std::string::npos);
}

// --- Free-text comments ---

TEST(CommentMasking, EmailsPhoneNumbersAndNamesAreMasked) {
  const std::vector<std::string> known{"Syntetisk testkommune", "Helsestasjon"};
  EXPECT_EQ(MaskPersonalData("Skriv til kari.nordmann@kommune.no om saken.", known),
            "Skriv til [e-post] om saken.");
  EXPECT_EQ(MaskPersonalData("Ring 91234567, 912 34 567 eller +47 22 33 44 55.", known),
            "Ring [telefon], [telefon] eller [telefon].");
  EXPECT_EQ(MaskPersonalData("Nummeret er 0047 98765432 og saken nr. 123456789.", known),
            "Nummeret er [telefon] og saken nr. 123456789.");
  EXPECT_EQ(MaskPersonalData("Samarbeidet med Trude Bakken i barnevernet er godt.", known),
            "Samarbeidet med [navn] i barnevernet er godt.");
  EXPECT_EQ(MaskPersonalData("Kari sier at NAV og PPT svarer sent i Syntetisk testkommune.", known),
            "[navn] sier at NAV og PPT svarer sent i Syntetisk testkommune.");
  EXPECT_EQ(MaskPersonalData("Vi trenger mer opplæring. Møtene i mars er for korte.", known),
            "Vi trenger mer opplæring. Møtene i mars er for korte.");
  EXPECT_EQ(MaskPersonalData("Lederen, Øystein Ås-Hansen, lytter.", known),
            "Lederen, [navn], lytter.");
  EXPECT_EQ(CharacterCount("æøå"), 3u);
}

// A round of 9901 with a free-text question; returns its id.
int64_t RoundWithQuestion(Staff& coordinator) {
  const int64_t id = CreateRound(coordinator.client, {{"helsestasjon", 20}});
  auto set = coordinator.client.PostForm(fmt::format("/runder/{}/kommentarer", id),
                                         {{"sporsmal", "Hva bør kommunen gjøre bedre?"}});
  EXPECT_TRUE(set && set->status == 303) << (set ? set->body : "");
  return id;
}

void Close(Staff& coordinator, int64_t id) {
  auto closed =
      coordinator.client.PostForm(fmt::format("/runder/{}/avslutt", id), {{"bekreft", "ja"}});
  ASSERT_TRUE(closed);
  ASSERT_EQ(closed->status, 303) << closed->body;
}

TEST(SurveyComments, TheQuestionIsOnTheLastPageAndTooLongTextIsKeptWithAnError) {
  TestServer server(false);
  Staff coordinator(server);
  const store::SurveyRound round = RoundOf(server, RoundWithQuestion(coordinator));
  WebClient respondent(server.port());
  auto start = respondent.Get("/s/" + round.token);
  ASSERT_TRUE(start);
  EXPECT_NE(start->body.find("fritekstfeltet"), std::string::npos);
  std::string location = Start(respondent, round.token);
  auto first = respondent.Get(location);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->body.find(R"(id="kommentar")"), std::string::npos);
  auto p1 = respondent.PostForm(
      location, {{"tjeneste", std::to_string(ServiceCode("helsestasjon"))}, {"gaa", "neste"}});
  ASSERT_TRUE(p1);
  // Walk to the last page.
  location = p1->get_header_value("Location");
  std::string last;
  for (int i = 0; i < 60 && !location.ends_with("/send"); ++i) {
    auto page = respondent.Get(location);
    ASSERT_TRUE(page);
    if (FormAction(page->body).ends_with("/send")) {
      last = page->body;
      break;
    }
    auto next = respondent.PostForm(FormAction(page->body), {{"gaa", "neste"}});
    ASSERT_TRUE(next);
    location = next->get_header_value("Location");
  }
  ASSERT_FALSE(last.empty());
  EXPECT_NE(last.find("Hva bør kommunen gjøre bedre?"), std::string::npos);
  EXPECT_NE(last.find(R"(<textarea id="kommentar" name="kommentar")"), std::string::npos);
  EXPECT_NE(last.find("Ikke skriv navn"), std::string::npos);

  const std::string too_long(kMaxCommentChars + 1, 'x');
  auto refused = respondent.PostForm("/s/" + round.token + "/send",
                                     {{"gaa", "send"}, {"kommentar", too_long}});
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 400);
  EXPECT_NE(refused->body.find(
                R"(aria-describedby="kommentar-hint feil-kommentar" aria-invalid="true">)" +
                too_long + "</textarea>"),
            std::string::npos);
  EXPECT_TRUE(Counts(server, round.id).empty());
}

TEST(SurveyComments, CommentsAreStoredApartMaskedAndReviewedByTheOwnCoordinatorOnly) {
  TestServer server(false);
  (void)server.app().WithStore([](store::Store& s) {
    return s.UpsertMunicipalities({{9902, "Annen testkommune", "midt", "gruppe_2", 3000}});
  });
  Staff coordinator(server);
  const int64_t id = RoundWithQuestion(coordinator);
  const store::SurveyRound round = RoundOf(server, id);
  const int service = ServiceCode("helsestasjon");
  QuickRespond(server, round.token, service,
               "Unikfrase: ring meg på 98765432 eller skriv til ola@example.no, hilsen Ola Hansen");
  for (int i = 0; i < 5; ++i) {
    QuickRespond(server, round.token, service, fmt::format("Mer tid til samarbeid, nummer {}", i));
  }

  // Stored apart: a table of its own with the round, the masked text and
  // the state, and nothing that names a draft, an answer or a time.
  const auto& tables = store::PortableTables();
  const auto table = std::find_if(tables.begin(), tables.end(), [](const store::TableSpec& t) {
    return std::string(t.name) == "survey_comments";
  });
  ASSERT_NE(table, tables.end());
  std::vector<std::string> columns;
  for (const auto& c : table->columns) columns.push_back(c.name);
  EXPECT_EQ(columns, (std::vector<std::string>{"comment_key", "round_id", "text", "state"}));
  auto stored = server.app().WithStore([&](store::Store& s) { return s.SurveyComments(id); });
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->size(), 6u);
  std::set<std::string> texts;
  for (const auto& c : *stored) texts.insert(c.text);
  EXPECT_TRUE(
      texts.count("Unikfrase: ring meg på [telefon] eller skriv til [e-post], hilsen [navn]"))
      << *texts.begin();

  // While the round is open, not even the coordinator reads them.
  auto open_page = coordinator.client.Get(fmt::format("/runder/{}/kommentarer", id));
  ASSERT_TRUE(open_page);
  EXPECT_EQ(open_page->status, 200);
  EXPECT_EQ(open_page->body.find("Unikfrase"), std::string::npos);

  std::set<std::string> keys_before;
  for (const auto& c : *stored) keys_before.insert(c.key);
  Close(coordinator, id);

  // Never in the batch, its report or anything else the close wrote.
  for (const auto& t : tables) {
    if (std::string(t.name) == "survey_comments") continue;
    ASSERT_TRUE(server.app()
                    .WithStore([&](store::Store& s) {
                      return s.ScanTable(t, [&](const store::Row& row) {
                        for (const auto& cell : row) {
                          EXPECT_TRUE(!cell || cell->find("Unikfrase") == std::string::npos)
                              << t.name;
                          EXPECT_TRUE(!cell || cell->find("samarbeid, nummer") == std::string::npos)
                              << t.name;
                        }
                        return true;
                      });
                    })
                    .ok());
  }
  // Written again under new keys at the close.
  const auto after = server.app().WithStore([&](store::Store& s) { return s.SurveyComments(id); });
  ASSERT_EQ(after->size(), 6u);
  for (const auto& c : *after) EXPECT_FALSE(keys_before.count(c.key));

  auto review = coordinator.client.Get(fmt::format("/runder/{}/kommentarer", id));
  ASSERT_TRUE(review);
  ASSERT_EQ(review->status, 200);
  EXPECT_NE(review->body.find("Unikfrase: ring meg på [telefon] eller skriv til [e-post], hilsen "
                              "[navn]"),
            std::string::npos);
  EXPECT_EQ(review->body.find("98765432"), std::string::npos);

  // Approve one, edited further.
  const std::string key = after->front().key;
  auto approved =
      coordinator.client.PostForm(fmt::format("/runder/{}/kommentarer/{}", id, key),
                                  {{"vurdering", "godkjent"}, {"tekst", "Mer tid til samarbeid."}});
  ASSERT_TRUE(approved);
  EXPECT_EQ(approved->status, 303) << approved->body;
  const auto reviewed =
      server.app().WithStore([&](store::Store& s) { return s.SurveyComments(id); });
  const auto one = std::find_if(reviewed->begin(), reviewed->end(),
                                [&](const store::SurveyComment& c) { return c.key == key; });
  ASSERT_NE(one, reviewed->end());
  EXPECT_EQ(one->state, "approved");
  EXPECT_EQ(one->text, "Mer tid til samarbeid.");

  // Another municipality's coordinator: as if the round did not exist.
  Staff other(server, "annen", "municipal", 9902);
  auto theirs = other.client.Get(fmt::format("/runder/{}/kommentarer", id));
  ASSERT_TRUE(theirs);
  EXPECT_EQ(theirs->status, 404);
  auto their_review = other.client.PostForm(fmt::format("/runder/{}/kommentarer/{}", id, key),
                                            {{"vurdering", "utelatt"}, {"tekst", "x"}});
  ASSERT_TRUE(their_review);
  EXPECT_EQ(their_review->status, 404);
  // Administrators, regional analysts and readers do not read free text.
  Staff admin(server, "admin", "admin", std::nullopt);
  Staff regional(server, "regional", "regional", std::nullopt, "midt");
  Staff reader(server, "leser", "reader", std::nullopt);
  for (Staff* staff : {&admin, &regional, &reader}) {
    ASSERT_TRUE(staff->logged_in);
    auto refused = staff->client.Get(fmt::format("/runder/{}/kommentarer", id));
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 403);
    EXPECT_EQ(refused->body.find("Unikfrase"), std::string::npos);
  }
}

TEST(SurveyComments, FewerThanTheMinimumAreNeverShown) {
  TestServer server(false);
  Staff coordinator(server);
  const int64_t id = RoundWithQuestion(coordinator);
  const store::SurveyRound round = RoundOf(server, id);
  const int service = ServiceCode("helsestasjon");
  for (std::size_t i = 0; i < kMinCommentsShown + 2; ++i) {
    QuickRespond(server, round.token, service,
                 i + 1 < kMinCommentsShown ? fmt::format("Lite synlig kommentar {}", i) : "");
  }
  Close(coordinator, id);
  auto page = coordinator.client.Get(fmt::format("/runder/{}/kommentarer", id));
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->body.find("Lite synlig kommentar"), std::string::npos);
  EXPECT_NE(page->body.find(fmt::format("færre enn {} kommentarer", kMinCommentsShown)),
            std::string::npos);
  const auto comments =
      server.app().WithStore([&](store::Store& s) { return s.SurveyComments(id); });
  ASSERT_EQ(comments->size(), kMinCommentsShown - 1);
  auto review = coordinator.client.PostForm(
      fmt::format("/runder/{}/kommentarer/{}", id, comments->front().key),
      {{"vurdering", "godkjent"}, {"tekst", "x"}});
  ASSERT_TRUE(review);
  EXPECT_EQ(review->status, 404);
}

// Moves a round's last day, as if the days had passed.
void SetLastDay(TestServer& server, int64_t id, const std::string& day) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2((server.dir() / "samkart.sqlite").c_str(), &db, SQLITE_OPEN_READWRITE,
                            nullptr),
            SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "UPDATE survey_rounds SET closes_on = ? WHERE id = ?", -1, &stmt,
                               nullptr),
            SQLITE_OK);
  sqlite3_bind_text(stmt, 1, day.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(stmt, 2, id);
  EXPECT_EQ(sqlite3_step(stmt), SQLITE_DONE);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

TEST(RoundWeb, ARoundPastItsLastDayIsClosedWhenListedAndItsLinkTakesNoAnswers) {
  TestServer server(false);
  Staff coordinator(server);
  ASSERT_TRUE(coordinator.logged_in);
  const int64_t id = CreateRound(coordinator.client, {{"helsestasjon", 10}, {"barnevern", 10}});
  const store::SurveyRound round = RoundOf(server, id);
  EXPECT_EQ(round.closes_on, DaysAhead(28));
  for (int i = 0; i < 6; ++i) QuickRespond(server, round.token, ServiceCode("helsestasjon"));
  // Someone has started but not sent when the last day passes.
  WebClient slow(server.port());
  ASSERT_FALSE(Start(slow, ServiceToken(round, "barnevern")).empty());

  SetLastDay(server, id, "2020-01-15");
  EXPECT_EQ(RoundOf(server, id).status, "open");
  auto list = coordinator.client.Get("/runder");
  ASSERT_TRUE(list);
  EXPECT_EQ(list->status, 200);
  const store::SurveyRound after = RoundOf(server, id);
  EXPECT_EQ(after.status, "closed");
  ASSERT_TRUE(after.batch_id);
  EXPECT_EQ(server.app().dataset()->rows, 6u);
  EXPECT_NE(list->body.find("15. januar 2020"), std::string::npos);

  for (const std::string& token : {round.token, ServiceToken(round, "barnevern")}) {
    WebClient late(server.port());
    auto page = late.Get("/s/" + token);
    ASSERT_TRUE(page);
    EXPECT_EQ(page->status, 410);
    EXPECT_NE(page->body.find("Kartleggingen ble avsluttet etter siste svardag 15. januar 2020"),
              std::string::npos)
        << page->body;
  }
  auto sent = slow.PostForm("/s/" + ServiceToken(round, "barnevern") + "/send", {{"gaa", "send"}});
  ASSERT_TRUE(sent);
  EXPECT_EQ(sent->status, 410);
  EXPECT_TRUE(Counts(server, id).empty());
  const auto log = server.app().WithStore([](store::Store& s) { return s.AuditLog(20); }).value();
  EXPECT_TRUE(std::any_of(log.begin(), log.end(), [](const store::AuditEntry& e) {
    return e.action == "round_close" && e.username == "(server)";
  }));
}

TEST(RoundWeb, ARoundPastItsLastDayWithFewerThanKAnswersIsClosedWithoutStoringThem) {
  TestServer server(false);
  Staff coordinator(server);
  ASSERT_TRUE(coordinator.logged_in);
  const int64_t id = CreateRound(coordinator.client, {{"helsestasjon", 10}});
  const store::SurveyRound round = RoundOf(server, id);
  for (int i = 0; i < 2; ++i) QuickRespond(server, round.token, ServiceCode("helsestasjon"));
  auto open_page = coordinator.client.Get(fmt::format("/runder/{}", id));
  ASSERT_TRUE(open_page);
  EXPECT_NE(open_page->body.find("slettes svarene uten å bli lagret"), std::string::npos);

  // Not yet: the last day is today.
  SetLastDay(server, id, IsoDate(NorwegianToday()));
  ASSERT_TRUE(coordinator.client.Get("/runder"));
  EXPECT_EQ(RoundOf(server, id).status, "open");

  SetLastDay(server, id, DaysAhead(-1));
  auto page = coordinator.client.Get(fmt::format("/runder/{}", id));
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("slettet uten å bli lagret"), std::string::npos) << page->body;
  const store::SurveyRound after = RoundOf(server, id);
  EXPECT_EQ(after.status, "closed");
  EXPECT_FALSE(after.batch_id);
  EXPECT_TRUE(server.app().WithStore([](store::Store& s) { return s.Batches(); })->empty());
  EXPECT_TRUE(
      server.app().WithStore([&](store::Store& s) { return s.HeldResponses(id); })->empty());
  WebClient late(server.port());
  auto closed_page = late.Get("/s/" + round.token);
  ASSERT_TRUE(closed_page);
  EXPECT_EQ(closed_page->status, 410);
}

TEST(RoundWeb, TheLastDayIsCheckedAndErrorsAreTiedToTheirFields) {
  TestServer server(false);
  Staff coordinator(server);
  ASSERT_TRUE(coordinator.logged_in);
  auto form = coordinator.client.Get("/runder");
  ASSERT_TRUE(form);
  EXPECT_NE(form->body.find(fmt::format(R"(name="siste_svardag" min="{}" max="{}" required )"
                                        R"(value="{}")",
                                        DaysAhead(0), DaysAhead(183), DaysAhead(28))),
            std::string::npos)
      << form->body;
  const std::map<std::string, std::string> refused = {{DaysAhead(-1), "passert"},
                                                      {DaysAhead(184), "høyst 183 dager"},
                                                      {"2027-02-30", "åååå-mm-dd"},
                                                      {"", "Velg siste svardag"}};
  for (const auto& [day, message] : refused) {
    auto res = coordinator.client.PostForm("/runder", {{"kommune", "9901"},
                                                       {"aar", ThisYear()},
                                                       {"type", "follow_up"},
                                                       {"siste_svardag", day},
                                                       {"inviterte_nav", "17"}});
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400) << day;
    EXPECT_NE(res->body.find(message), std::string::npos) << day;
    // The summary links to the field, which points at its error; what was typed stays.
    EXPECT_NE(res->body.find(R"(tabindex="-1" id="feiloversikt" autofocus)"), std::string::npos);
    EXPECT_NE(res->body.find(R"(<a href="#siste-svardag">)"), std::string::npos);
    EXPECT_NE(res->body.find(fmt::format(
                  R"(value="{}" aria-invalid="true" aria-describedby="siste-svardag-hint )"
                  R"(siste-svardag-feil")",
                  day)),
              std::string::npos)
        << day;
    EXPECT_NE(res->body.find(R"(<p class="field-error" id="siste-svardag-feil">)"),
              std::string::npos);
    EXPECT_NE(res->body.find(R"(name="inviterte_nav" min="0" max="100000" value="17")"),
              std::string::npos);
    EXPECT_NE(res->body.find(R"(value="follow_up" checked)"), std::string::npos);
  }
  EXPECT_TRUE(server.app().WithStore([](store::Store& s) { return s.SurveyRounds(); })->empty());
  ASSERT_GT(CreateRound(coordinator.client, {{"nav", 3}}), 0);
}

TEST(RoundWeb, RoundPageHasCopyableLinksQrCodesAndEmailTexts) {
  TestServer server(false);
  Staff coordinator(server);
  ASSERT_TRUE(coordinator.logged_in);
  const int64_t id = CreateRound(coordinator.client, {{"helsestasjon", 10}, {"nav", 6}});
  const store::SurveyRound round = RoundOf(server, id);
  auto page = coordinator.client.Get(fmt::format("/runder/{}", id));
  ASSERT_TRUE(page);
  const std::string& body = page->body;
  EXPECT_NE(body.find(R"(<script src="/static/runder.js" defer></script>)"), std::string::npos);
  EXPECT_NE(body.find(R"(data-api="/api/runder/)" + std::to_string(id) + "/svarprosent"),
            std::string::npos);
  for (const std::string key : {"felles", "helsestasjon", "nav"}) {
    EXPECT_NE(body.find(fmt::format(R"(<input type="text" id="lenke-{}" readonly value=")", key)),
              std::string::npos)
        << key;
    EXPECT_NE(body.find(fmt::format(R"(data-copy="lenke-{}" hidden>Kopier lenken)", key)),
              std::string::npos);
    EXPECT_NE(body.find(fmt::format(R"(<img src="/runder/{}/qr/{}.svg")", id, key)),
              std::string::npos);
    EXPECT_NE(body.find(fmt::format(R"(<a href="/runder/{}/qr/{}.png" download>)", id, key)),
              std::string::npos);
    EXPECT_NE(body.find(fmt::format(R"(<textarea id="lenke-{}-invitasjon" readonly)", key)),
              std::string::npos);
    EXPECT_NE(body.find(fmt::format(R"(<textarea id="lenke-{}-paaminnelse" readonly)", key)),
              std::string::npos);
  }
  // The invitation names the municipality, the link and the last day as Norwegians write it.
  const auto last = ParseIsoDate(round.closes_on);
  ASSERT_TRUE(last);
  EXPECT_NE(body.find("Siste svardag er " + NorwegianDate(*last) + "."), std::string::npos);
  EXPECT_NE(body.find("Syntetisk testkommune kommune er ansvarlig for kartleggingen"),
            std::string::npos);
  EXPECT_NE(body.find("/s/" + ServiceToken(round, "nav") + "\n"), std::string::npos);
  EXPECT_NE(body.find("Hele personvernerklæringen står på første side av skjemaet."),
            std::string::npos);
  EXPECT_EQ(NorwegianDate(std::chrono::year_month_day(std::chrono::year(2027), std::chrono::January,
                                                      std::chrono::day(15))),
            "15. januar 2027");

  auto script = coordinator.client.Get("/static/runder.js");
  ASSERT_TRUE(script);
  EXPECT_EQ(script->status, 200);
  EXPECT_NE(script->get_header_value("Content-Type").find("javascript"), std::string::npos);
  EXPECT_NE(script->body.find("30000"), std::string::npos);
}

TEST(RoundWeb, QrCodesAreServedOnlyForTheUsersOwnRounds) {
  TestServer server(false);
  (void)server.app().WithStore([](store::Store& s) {
    return s.UpsertMunicipalities({{9902, "Annen testkommune", "midt", "gruppe_2", 3000}});
  });
  Staff coordinator(server);
  ASSERT_TRUE(coordinator.logged_in);
  const int64_t id = CreateRound(coordinator.client, {{"helsestasjon", 10}});
  auto svg = coordinator.client.Get(fmt::format("/runder/{}/qr/felles.svg", id));
  ASSERT_TRUE(svg);
  EXPECT_EQ(svg->status, 200);
  EXPECT_EQ(svg->get_header_value("Content-Type"), "image/svg+xml; charset=utf-8");
  EXPECT_TRUE(svg->body.starts_with("<svg "));
  EXPECT_NE(svg->body.find("<title id=\"qr-tittel\">QR-kode til kartleggingen i Syntetisk "
                           "testkommune: Fellesslenke (alle tjenester)</title>"),
            std::string::npos);
  auto png = coordinator.client.Get(fmt::format("/runder/{}/qr/helsestasjon.png", id));
  ASSERT_TRUE(png);
  EXPECT_EQ(png->status, 200);
  EXPECT_EQ(png->get_header_value("Content-Type"), "image/png");
  EXPECT_TRUE(png->body.starts_with("\x89PNG\r\n\x1a\n"));
  auto unknown = coordinator.client.Get(fmt::format("/runder/{}/qr/barnevern.svg", id));
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);

  Staff other(server, "annen", "municipal", 9902);
  ASSERT_TRUE(other.logged_in);
  for (const char* path : {"/runder/{}/qr/felles.svg", "/runder/{}/qr/helsestasjon.png"}) {
    auto foreign = other.client.Get(fmt::format(fmt::runtime(path), id));
    ASSERT_TRUE(foreign);
    EXPECT_EQ(foreign->status, 404) << path;
    EXPECT_EQ(foreign->body.find("<svg"), std::string::npos);
  }
  WebClient anonymous(server.port());
  auto not_logged_in = anonymous.Get(fmt::format("/runder/{}/qr/felles.svg", id));
  ASSERT_TRUE(not_logged_in);
  EXPECT_NE(not_logged_in->status, 200);
}

TEST(RoundWeb, ImportedRoundsAreListedWithSmallCountsHidden) {
  TestServer server(false);
  (void)server.app().WithStore([](store::Store& s) {
    return s.UpsertMunicipalities({{9902, "Annen testkommune", "midt", "gruppe_2", 3000}});
  });
  auto import = [&](const std::string& file, int municipality, int year, std::size_t n) {
    store::NewBatch batch;
    batch.file_name = file;
    batch.content_sha256 = file;
    batch.format = "CSV (UTF-8, semikolon)";
    batch.generation = CurrentGenerationId();
    batch.rows_read = n;
    batch.round_types[{municipality, year}] = "baseline";
    batch.item_ids = {"risk_identification.learning_difficulties"};
    for (std::size_t i = 0; i < n; ++i) {
      batch.respondents.push_back({municipality, year, ServiceCode("nav"), 7, {3}});
    }
    auto written =
        server.app().WithStore([&](store::Store& s) { return s.WriteBatch(batch, nullptr); });
    ASSERT_TRUE(written.ok()) << written.error().message;
  };
  import("nav-2021.csv", 9901, 2021, 3);
  import("alle-2023.csv", 9901, 2023, 12);
  import("annen-2023.csv", 9902, 2023, 40);

  Staff coordinator(server);
  ASSERT_TRUE(coordinator.logged_in);
  auto page = coordinator.client.Get("/runder");
  ASSERT_TRUE(page);
  const std::string& body = page->body;
  EXPECT_NE(body.find("<h2>Importerte kartlegginger</h2>"), std::string::npos);
  EXPECT_NE(body.find(R"(role="region" aria-label="Importerte kartlegginger")"), std::string::npos);
  EXPECT_NE(body.find(R"(<td class="num">2021</td><td>0-punktsmåling</td><td class="num">færre )"
                      R"(enn 5</td>)"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find(R"(<td class="num">12</td>)"), std::string::npos);
  EXPECT_EQ(body.find("Annen testkommune"), std::string::npos);
  EXPECT_EQ(body.find(".csv"), std::string::npos);  // file names are for administrators

  Staff admin(server, "admin", "admin", std::nullopt);
  ASSERT_TRUE(admin.logged_in);
  auto all = admin.client.Get("/runder");
  ASSERT_TRUE(all);
  EXPECT_NE(all->body.find("Annen testkommune"), std::string::npos);
  EXPECT_NE(all->body.find("nav-2021.csv"), std::string::npos);
  EXPECT_NE(all->body.find(R"(<td class="num">40</td>)"), std::string::npos);
}

}  // namespace
}  // namespace samkart::web
