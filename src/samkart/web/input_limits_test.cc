#include "samkart/web/input_limits.h"

#include <gtest/gtest.h>

#include "samkart/web/app.h"

namespace samkart::web {
namespace {

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(InputLimits, ANamedLimitIsSetByItsName) {
  ServeOptions options;
  ASSERT_TRUE(SetLimit(options, "max_invited_per_service=500").ok());
  EXPECT_EQ(options.limits.max_invited_per_service, 500u);
  ASSERT_TRUE(SetLimit(options, " max_form_bytes = 1024 ").ok());
  EXPECT_EQ(options.connections.max_form_bytes, 1024u);
  ASSERT_TRUE(SetLimit(options, "head_deadline_ms=250").ok());
  EXPECT_EQ(options.connections.head_deadline, std::chrono::milliseconds(250));
  ASSERT_TRUE(SetLimit(options, "max_session_token_bytes=64").ok());
  EXPECT_EQ(options.limits.max_session_token_bytes, 64u);
}

TEST(InputLimits, AnUnknownNameOrABadValueIsRefusedInNorwegian) {
  ServeOptions options;
  const Status unknown = SetLimit(options, "max_uploads=3");
  ASSERT_FALSE(unknown.ok());
  EXPECT_TRUE(Contains(unknown.error().message, "ukjent grense «max_uploads»"));
  EXPECT_TRUE(Contains(unknown.error().message, "max_cached_views"));
  for (const char* bad : {"max_cached_views=0", "max_cached_views=-4", "max_cached_views=mange",
                          "max_cached_views"}) {
    EXPECT_FALSE(SetLimit(options, bad).ok()) << bad;
  }
  EXPECT_EQ(options.limits.max_cached_views, InputLimits{}.max_cached_views);
}

TEST(InputLimits, TheHelpNamesEveryLimitWithItsDefault) {
  const std::string help = DescribeLimits(ServeOptions{});
  EXPECT_TRUE(Contains(help, "max_invited_per_service=100000"));
  EXPECT_TRUE(Contains(help, "max_form_bytes=65536"));
  EXPECT_TRUE(Contains(help, "write_timeout_ms=30000"));
}

}  // namespace
}  // namespace samkart::web
