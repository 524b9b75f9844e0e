// Result<T>: a value or an Error meant for the user (a file that cannot be
// read, a malformed instrument). Bugs are asserts, not Errors.
//
// An Error carries a code saying what kind of failure it is, so callers decide
// on the code and never on the wording; the message is Norwegian for the user.
// Status (Result<void>) is the result of work that has no value.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace samkart {

enum class ErrorCode {
  kInvalidInput,  // the user's file, argument or form is wrong; the default
  kNotFound,      // what was asked for does not exist
  kConflict,      // it exists already, or was changed by someone else
  kPermission,    // the user or the database role may not do this
  kUnavailable,   // a database, file system or service cannot be reached now
  kInternal,      // the system failed in a way the user cannot fix
};

struct Error {
  std::string message;
  ErrorCode code = ErrorCode::kInvalidInput;
};

// The one place that turns an error's code into an exit code and an HTTP status.
int ExitCodeFor(ErrorCode code);
int HttpStatusFor(ErrorCode code);

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : state_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  const T& value() const& {
    assert(ok());
    return std::get<T>(state_);
  }
  T& value() & {
    assert(ok());
    return std::get<T>(state_);
  }
  T&& value() && {
    assert(ok());
    return std::get<T>(std::move(state_));
  }
  const T& operator*() const& { return value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& {
    assert(!ok());
    return std::get<Error>(state_);
  }
  Error&& error() && {
    assert(!ok());
    return std::get<Error>(std::move(state_));
  }

 private:
  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }

  const Error& error() const& {
    assert(!ok());
    return *error_;
  }
  Error&& error() && {
    assert(!ok());
    return std::move(*error_);
  }

 private:
  std::optional<Error> error_;
};

using Status = Result<void>;

inline Status Ok() { return {}; }

}  // namespace samkart

// Returns the error of a failed Result or Status from the enclosing function.
#define SAMKART_TRY(expression)                                           \
  do {                                                                    \
    if (auto samkart_try_result = (expression); !samkart_try_result.ok()) \
      return std::move(samkart_try_result).error();                       \
  } while (false)

// `SAMKART_ASSIGN_OR_RETURN(auto table, ComputeTable(...));` declares the
// value, or returns the error from the enclosing function.
#define SAMKART_ASSIGN_OR_RETURN(declaration, expression) \
  SAMKART_ASSIGN_OR_RETURN_IMPL(SAMKART_RESULT_NAME(__LINE__), declaration, expression)
#define SAMKART_RESULT_NAME(line) SAMKART_RESULT_NAME_JOIN(samkart_result_, line)
#define SAMKART_RESULT_NAME_JOIN(a, b) a##b
#define SAMKART_ASSIGN_OR_RETURN_IMPL(temporary, declaration, expression) \
  auto temporary = (expression);                                          \
  if (!temporary.ok()) return std::move(temporary).error();               \
  declaration = std::move(temporary).value()
