#include "samkart/core/result.h"

#include <string>

#include <gtest/gtest.h>

namespace samkart {
namespace {

Result<int> Parse(const std::string& text) {
  if (text.empty()) return Error{"tom verdi", ErrorCode::kInvalidInput};
  return std::stoi(text);
}

Status Require(bool present) {
  if (!present) return Error{"finnes ikke", ErrorCode::kNotFound};
  return Ok();
}

Status RequireTwice(bool first, bool second) {
  SAMKART_TRY(Require(first));
  SAMKART_TRY(Require(second));
  return Ok();
}

Result<int> Doubled(const std::string& text) {
  SAMKART_ASSIGN_OR_RETURN(const int value, Parse(text));
  return 2 * value;
}

TEST(ResultTest, StatusIsOkUntilAnErrorIsGiven) {
  EXPECT_TRUE(Ok().ok());
  const Status failed = Require(false);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().message, "finnes ikke");
  EXPECT_EQ(failed.error().code, ErrorCode::kNotFound);
}

TEST(ResultTest, TryReturnsTheFirstErrorWithItsCode) {
  EXPECT_TRUE(RequireTwice(true, true).ok());
  const Status failed = RequireTwice(true, false);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, ErrorCode::kNotFound);
}

TEST(ResultTest, AssignOrReturnDeclaresTheValueOrPassesTheErrorOn) {
  const Result<int> doubled = Doubled("21");
  ASSERT_TRUE(doubled.ok());
  EXPECT_EQ(*doubled, 42);
  const Result<int> failed = Doubled("");
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().message, "tom verdi");
  EXPECT_EQ(failed.error().code, ErrorCode::kInvalidInput);
}

TEST(ResultTest, AnErrorWithoutACodeIsTheUsersInput) {
  const Error error{"feil i filen"};
  EXPECT_EQ(error.code, ErrorCode::kInvalidInput);
}

TEST(ResultTest, CodesDecideExitCodeAndHttpStatus) {
  EXPECT_EQ(ExitCodeFor(ErrorCode::kInvalidInput), 1);
  EXPECT_EQ(ExitCodeFor(ErrorCode::kPermission), 1);
  EXPECT_EQ(ExitCodeFor(ErrorCode::kInternal), 70);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kInvalidInput), 400);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kNotFound), 404);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kConflict), 409);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kPermission), 403);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kUnavailable), 503);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kInternal), 500);
}

}  // namespace
}  // namespace samkart
