#include "samkart/core/result.h"

namespace samkart {

// Every failure the user can act on exits with 1, as scripts around the CLI
// expect; only a fault of the system itself gets EX_SOFTWARE.
int ExitCodeFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidInput:
    case ErrorCode::kNotFound:
    case ErrorCode::kConflict:
    case ErrorCode::kPermission:
    case ErrorCode::kUnavailable:
      return 1;
    case ErrorCode::kInternal:
      return 70;  // EX_SOFTWARE
  }
  return 70;
}

int HttpStatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidInput:
      return 400;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kConflict:
      return 409;
    case ErrorCode::kPermission:
      return 403;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

}  // namespace samkart
