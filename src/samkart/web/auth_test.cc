#include "samkart/web/auth.h"

#include <set>

#include <gtest/gtest.h>

#include "samkart/core/text.h"
#include "samkart/instrument/embedded.h"
#include "samkart/web/app.h"
#include "samkart/web/http.h"

#include "support/scratch_dir.h"
#include "support/web_server.h"

namespace samkart::web {
namespace {

using testing_support::TestServer;
using testing_support::WebClient;

TEST(Passwords, HashIsArgon2idAndVerifiesOnlyTheRightPassword) {
  auto hash = HashPassword("riktig hest batteri stift");
  ASSERT_TRUE(hash.ok());
  EXPECT_EQ(hash->rfind("$argon2id$", 0), 0u) << *hash;
  EXPECT_TRUE(VerifyPassword("riktig hest batteri stift", *hash));
  EXPECT_FALSE(VerifyPassword("riktig hest batteri stifT", *hash));
  EXPECT_FALSE(VerifyPassword("", *hash));
  // Salted: the same password hashes differently each time.
  EXPECT_NE(*hash, HashPassword("riktig hest batteri stift").value());
}

TEST(Passwords, WeakPasswordsAreNamed) {
  EXPECT_TRUE(WeakPasswordReason("kort"));
  EXPECT_TRUE(WeakPasswordReason("aaaaaaaaaaaaaaaa"));
  EXPECT_FALSE(WeakPasswordReason("et langt nok passord"));
  // Common passwords padded to the length, and runs of digits.
  for (const char* common : {"password1234", "Passord2024!", "123456789012", "098765432109",
                             "Velkommen123", "qwertyuiop12", "!!Sommer2026!!", "admin1234567"}) {
    EXPECT_TRUE(WeakPasswordReason(common)) << common;
  }
  EXPECT_FALSE(WeakPasswordReason("sommer i Tromsø 2026"));
  EXPECT_FALSE(WeakPasswordReason("913482765031"));
}

TEST(Tokens, AreLongRandomAndUrlSafe) {
  const std::string a = RandomToken(), b = RandomToken();
  EXPECT_EQ(a.size(), 43u);
  EXPECT_NE(a, b);
  EXPECT_EQ(a.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
            std::string::npos);
}

TEST(LoginThrottle, LocksAfterFreeAttemptsAndDoublesTheWait) {
  LoginThrottle throttle(3, std::chrono::seconds(10));
  const auto t0 = LoginThrottle::Clock::now();
  for (int i = 0; i < 2; ++i) throttle.RecordFailure("u:anne", t0);
  EXPECT_EQ(throttle.WaitSeconds("u:anne", t0), 0);
  throttle.RecordFailure("u:anne", t0);
  EXPECT_EQ(throttle.WaitSeconds("u:anne", t0), 10);
  throttle.RecordFailure("u:anne", t0);
  EXPECT_EQ(throttle.WaitSeconds("u:anne", t0), 20);
  EXPECT_EQ(throttle.WaitSeconds("u:anne", t0 + std::chrono::seconds(21)), 0);
  EXPECT_EQ(throttle.WaitSeconds("u:other", t0), 0);
  throttle.RecordSuccess("u:anne");
  EXPECT_EQ(throttle.WaitSeconds("u:anne", t0), 0);
}

TEST(LoginGuard, LocksThePairAndTheAddressButOnlySlowsTheName) {
  LoginGuard guard;
  const auto t0 = LoginGuard::Clock::now();
  for (std::size_t i = 0; i < LoginGuard::kFreeAttemptsPerPair; ++i) {
    guard.RecordFailure("203.0.113.9", "anne", t0);
  }
  EXPECT_GT(guard.Check("203.0.113.9", "anne", t0).wait_seconds, 0);
  // The same name from elsewhere, and another name from the same address, may try.
  EXPECT_EQ(guard.Check("198.51.100.4", "anne", t0).wait_seconds, 0);
  EXPECT_EQ(guard.Check("203.0.113.9", "bjorn", t0).wait_seconds, 0);

  // Many names from one address lock the address.
  for (std::size_t i = 0; i < LoginGuard::kFreeAttemptsPerAddress; ++i) {
    guard.RecordFailure("192.0.2.1", "navn" + std::to_string(i), t0);
  }
  EXPECT_GT(guard.Check("192.0.2.1", "ny", t0).wait_seconds, 0);

  // One name from many addresses: slowed, never refused.
  for (std::size_t i = 0; i < LoginGuard::kFailuresBeforeSlowing; ++i) {
    guard.RecordFailure("10.0.0." + std::to_string(i), "kari", t0);
  }
  const auto verdict = guard.Check("198.51.100.4", "kari", t0);
  EXPECT_EQ(verdict.wait_seconds, 0);
  EXPECT_EQ(verdict.delay, LoginGuard::kSlowedAttempt);
  guard.RecordSuccess("198.51.100.4", "kari");
  EXPECT_EQ(guard.Check("198.51.100.4", "kari", t0).delay, std::chrono::milliseconds(0));
}

// Two servers on one database throttle together: failures counted by one
// lock the other, and a success on either forgives both.
TEST(LoginGuard, ServersOnOneDatabaseCountFailuresTogether) {
  const testing_support::ScratchDir dir;
  auto open_app = [&] {
    auto store = store::OpenStore((dir / "db.sqlite").string());
    EXPECT_TRUE(store.ok()) << store.error().message;
    auto instrument = instrument::LoadEmbeddedInstrument();
    EXPECT_TRUE(instrument.ok());
    return std::make_unique<App>(std::move(store).value(), std::move(*instrument.instrument),
                                 ServeOptions{});
  };
  auto first = open_app();
  auto second = open_app();
  for (std::size_t i = 0; i < LoginGuard::kFreeAttemptsPerPair; ++i) {
    first->login_guard().RecordFailure("203.0.113.9", "anne");
  }
  EXPECT_GT(second->login_guard().Check("203.0.113.9", "anne").wait_seconds, 0);
  EXPECT_EQ(second->login_guard().Check("198.51.100.4", "anne").wait_seconds, 0);
  second->login_guard().RecordSuccess("203.0.113.9", "anne");
  EXPECT_EQ(first->login_guard().Check("203.0.113.9", "anne").wait_seconds, 0);
}

TEST(WebLogin, AStrangerElsewhereCannotKeepAUserOut) {
  ServeOptions options;
  options.trusted_proxies = {"127.0.0.1"};
  TestServer server(false, options);
  const std::string password = server.AddUser("anne", "admin");
  // Someone who knows the name tries from one address until refused …
  WebClient stranger(server.port());
  stranger.ForwardedFor("203.0.113.9");
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(stranger.LogIn("anne", "gjetning " + std::to_string(i)));
  auto refused =
      stranger.PostJson("/api/logg-inn", {{"brukernavn", "anne"}, {"passord", password}}, false);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 429);
  // … and from a few more addresses, never enough to lock any of them.
  for (int address = 1; address <= 2; ++address) {
    WebClient more(server.port());
    more.ForwardedFor("203.0.113." + std::to_string(10 + address));
    for (int i = 0; i < 3; ++i) EXPECT_FALSE(more.LogIn("anne", "gjetning"));
  }
  // Anne, from her own address, gets in: after a pause, since her name is under attack.
  WebClient anne(server.port());
  anne.ForwardedFor("198.51.100.4");
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(anne.LogIn("anne", password));
  EXPECT_GE(std::chrono::steady_clock::now() - start, LoginGuard::kSlowedAttempt);

  // The audit log has the clients' addresses, not the proxy's.
  auto log = server.app().WithStore([](store::Store& s) { return s.AuditLog(100); });
  ASSERT_TRUE(log.ok());
  std::set<std::string> details;
  for (const auto& entry : *log) details.insert(entry.action + " " + entry.detail);
  EXPECT_TRUE(details.count("login_failed fra 203.0.113.9"));
  EXPECT_TRUE(details.count("login_throttled fra 203.0.113.9"));
  EXPECT_TRUE(details.count("login fra 198.51.100.4"));
}

TEST(WebLogin, XForwardedForCountsOnlyFromATrustedProxy) {
  TestServer server(false);
  const std::string password = server.AddUser("anne", "admin");
  // Without a trusted proxy the header is the client's own claim: ignored,
  // so a fresh «address» per attempt does not escape the throttle.
  for (int i = 0; i < 5; ++i) {
    WebClient client(server.port());
    client.ForwardedFor("192.0.2." + std::to_string(i));
    EXPECT_FALSE(client.LogIn("anne", "gjetning"));
  }
  WebClient again(server.port());
  again.ForwardedFor("192.0.2.200");
  auto refused =
      again.PostJson("/api/logg-inn", {{"brukernavn", "anne"}, {"passord", password}}, false);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 429);
  auto log = server.app().WithStore([](store::Store& s) { return s.AuditLog(100); });
  ASSERT_TRUE(log.ok());
  for (const auto& entry : *log) EXPECT_EQ(entry.detail, "fra 127.0.0.1") << entry.action;
}

TEST(Principal, ScopesFollowTheRole) {
  store::User user;
  user.id = 1;
  user.username = "r";
  user.role = "regional";
  user.region = "midt";
  auto regional = Principal::FromUser(user);
  ASSERT_TRUE(regional);
  EXPECT_TRUE(regional->CanSeeMunicipality(5001, "midt"));
  EXPECT_FALSE(regional->CanSeeMunicipality(301, "ost"));
  EXPECT_TRUE(regional->CanSeeRegion("midt"));
  EXPECT_FALSE(regional->CanSeeRegion("nord"));
  EXPECT_FALSE(regional->CanRunSurvey(5001));

  user.role = "municipal";
  user.region.reset();
  user.municipality = 5001;
  auto municipal = Principal::FromUser(user);
  ASSERT_TRUE(municipal);
  EXPECT_TRUE(municipal->CanSeeMunicipality(5001, "midt"));
  EXPECT_FALSE(municipal->CanSeeMunicipality(5002, "midt"));
  EXPECT_FALSE(municipal->CanSeeRegion("midt"));
  EXPECT_TRUE(municipal->CanRunSurvey(5001));
  EXPECT_FALSE(municipal->CanImport());

  // A scoped role without its scope sees nothing, and a disabled user is nobody.
  user.municipality.reset();
  EXPECT_FALSE(Principal::FromUser(user));
  user.role = "reader";
  user.active = false;
  EXPECT_FALSE(Principal::FromUser(user));
}

TEST(WebLogin, RightPasswordGivesASessionWrongOneIsAuditedAndThrottled) {
  TestServer server(false);
  const std::string password = server.AddUser("anne", "admin");
  WebClient client(server.port());

  // Not logged in: pages redirect to the login page, the API answers 401.
  auto page = client.Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 303);
  EXPECT_EQ(page->get_header_value("Location").rfind("/logg-inn?videre=", 0), 0u);
  EXPECT_EQ(client.Get("/api/meg")->status, 401);

  for (int i = 0; i < 5; ++i) {
    EXPECT_FALSE(client.LogIn("anne", "feil passord " + std::to_string(i)));
  }
  // Throttled now, even with the right password.
  auto throttled =
      client.PostJson("/api/logg-inn", {{"brukernavn", "anne"}, {"passord", password}}, false);
  ASSERT_TRUE(throttled);
  EXPECT_EQ(throttled->status, 429);
  EXPECT_NE(throttled->body.find("Vent"), std::string::npos);

  auto log = server.app().WithStore([](store::Store& s) { return s.AuditLog(100); });
  ASSERT_TRUE(log.ok());
  std::size_t failed = 0;
  for (const auto& entry : *log) failed += entry.action == "login_failed";
  EXPECT_EQ(failed, 5u);
}

TEST(WebLogin, SessionCookieIsHttpOnlyAndLogoutNeedsCsrf) {
  TestServer server(false);
  const std::string password = server.AddUser("anne", "admin");
  WebClient client(server.port());
  auto login =
      client.PostJson("/api/logg-inn", {{"brukernavn", "anne"}, {"passord", password}}, false);
  ASSERT_TRUE(login);
  ASSERT_EQ(login->status, 200);
  const std::string cookie = login->get_header_value("Set-Cookie");
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("SameSite=Lax"), std::string::npos) << cookie;
  EXPECT_EQ(cookie.find("Secure"), std::string::npos) << "plain HTTP in the test";
  client.set_csrf(nlohmann::json::parse(login->body)["csrf"]);

  auto me = client.Get("/api/meg");
  ASSERT_TRUE(me);
  EXPECT_EQ(me->status, 200);
  EXPECT_EQ(nlohmann::json::parse(me->body)["rolle"], "admin");

  // Logging out without the token is refused; with it, the session ends.
  auto forged = client.PostForm("/logg-ut", {}, false);
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 403);
  EXPECT_EQ(client.Get("/api/meg")->status, 200);
  auto out = client.PostForm("/logg-ut", {});
  ASSERT_TRUE(out);
  EXPECT_EQ(out->status, 303);
  EXPECT_EQ(client.Get("/api/meg")->status, 401);
}

TEST(WebLogin, SecureCookiesWhenConfigured) {
  ServeOptions options;
  options.secure_cookies = true;
  TestServer server(false, options);
  const std::string password = server.AddUser("anne", "admin");
  WebClient client(server.port());
  auto login =
      client.PostJson("/api/logg-inn", {{"brukernavn", "anne"}, {"passord", password}}, false);
  ASSERT_TRUE(login);
  EXPECT_NE(login->get_header_value("Set-Cookie").find("; Secure"), std::string::npos);
}

TEST(WebLogin, LoginFormNeedsItsCsrfCookieAndRedirectsOnlyWithinTheSite) {
  TestServer server(false);
  const std::string password = server.AddUser("anne", "admin");
  WebClient client(server.port());
  auto form = client.Get("/logg-inn?videre=https://evil.example/");
  ASSERT_TRUE(form);
  client.LearnCsrfFrom(form->body);
  EXPECT_EQ(form->body.find("evil.example"), std::string::npos);
  EXPECT_NE(form->body.find(R"(lang="nb")"), std::string::npos);

  auto without =
      client.PostForm("/logg-inn", {{"brukernavn", "anne"}, {"passord", password}}, false);
  ASSERT_TRUE(without);
  EXPECT_EQ(without->status, 403);

  auto ok = client.PostForm(
      "/logg-inn", {{"brukernavn", "anne"}, {"passord", password}, {"videre", "//evil.example/"}});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 303);
  EXPECT_EQ(ok->get_header_value("Location"), "/");
}

TEST(SiteTarget, OnlyPathsOnThisSitePass) {
  EXPECT_EQ(SiteTarget("/utforsk?familie=x&etter=tjeneste"), "/utforsk?familie=x&etter=tjeneste");
  EXPECT_EQ(SiteTarget("/runder/3"), "/runder/3");
  // Known bypasses: other hosts, schemes, and what browsers strip or
  // rewrite before they resolve a Location.
  const std::vector<std::string> bad_targets = {"",
                                                "https://evil.example/",
                                                "//evil.example/",
                                                "/\\evil.example/",
                                                "\\\\evil.example/",
                                                "/\t/evil.example/",
                                                "/\n/evil.example/",
                                                "/\r/evil.example/",
                                                " /evil.example/",
                                                "/ /evil.example/",
                                                std::string("/\0/evil.example/", 16),
                                                "/\x7f/evil.example/",
                                                "/\xe3\x80\x82/evil.example/",
                                                "javascript:alert(1)",
                                                "evil.example"};
  for (const std::string& bad : bad_targets) {
    EXPECT_EQ(SiteTarget(bad), "/") << bad;
  }
}

TEST(WebLogin, ATabOrABackslashInTheTargetCannotLeaveTheSite) {
  TestServer server(false);
  const std::string password = server.AddUser("anne", "admin");
  for (const std::string target : {"/\t/evil.example/phish", "/\\evil.example/phish"}) {
    WebClient client(server.port());
    auto form = client.Get("/logg-inn");
    ASSERT_TRUE(form);
    client.LearnCsrfFrom(form->body);
    auto ok = client.PostForm("/logg-inn",
                              {{"brukernavn", "anne"}, {"passord", password}, {"videre", target}});
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->status, 303);
    EXPECT_EQ(ok->get_header_value("Location"), "/");
  }
}

TEST(WebServer, EveryResponseCarriesTheSecurityHeaders) {
  TestServer server(false);
  WebClient client(server.port());
  for (const char* path : {"/logg-inn", "/finnes-ikke", "/api/meg"}) {
    auto res = client.Get(path);
    ASSERT_TRUE(res) << path;
    EXPECT_NE(res->get_header_value("Content-Security-Policy").find("frame-ancestors 'none'"),
              std::string::npos)
        << path;
    EXPECT_EQ(res->get_header_value("X-Content-Type-Options"), "nosniff") << path;
    EXPECT_EQ(res->get_header_value("Referrer-Policy"), "no-referrer") << path;
  }
  auto missing = client.Get("/finnes-ikke");
  EXPECT_EQ(missing->status, 404);
  EXPECT_NE(missing->body.find("Siden finnes ikke"), std::string::npos);
}

TEST(WebServer, MalformedJsonGets400WithAMessage) {
  TestServer server(false);
  WebClient client(server.port());
  for (const std::string body : {"{", "[]", "{\"brukernavn\": 3}", "\xff\xfe"}) {
    auto res = client.PostRaw("/api/logg-inn", body, "application/json", false);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400) << body;
    EXPECT_TRUE(nlohmann::json::parse(res->body).contains("feil")) << res->body;
  }
}

// Text that is not UTF-8 never reaches the store: PostgreSQL would refuse
// it and SQLite would keep it garbled, so both get the same 400.
TEST(WebServer, TextThatIsNotUtf8Gets400OrCountsAsNotFilledIn) {
  TestServer server(false);
  WebClient client(server.port());
  for (const std::string path : {"/utforsk?familie=%FF%FE", "/s/%C3%28", "/api/tabell?%FF=1"}) {
    auto res = client.Get(path);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400) << path;
    EXPECT_NE(res->body.find("UTF-8"), std::string::npos) << res->body;
  }
  // The login form with a user name that is not UTF-8: a failed login, not
  // an error, and the audit log (text) still readable.
  auto form = client.Get("/logg-inn");
  ASSERT_TRUE(form);
  client.LearnCsrfFrom(form->body);
  auto login = client.PostForm("/logg-inn", {{"brukernavn",
                                              "\xff\xfe"
                                              "admin"},
                                             {"passord", "x"}});
  ASSERT_TRUE(login);
  EXPECT_NE(login->status, 500);
  auto log = server.app().WithStore([](store::Store& store) { return store.AuditLog(10); });
  ASSERT_TRUE(log.ok());
  for (const auto& entry : *log) EXPECT_TRUE(text::IsValidUtf8(entry.username));
}

}  // namespace
}  // namespace samkart::web
