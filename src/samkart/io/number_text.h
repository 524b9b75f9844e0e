// The text a stored number shows as, shared by the XLSX and SPSS/Stata
// readers so "3" in a spreadsheet and 3 in a .sav file read the same:
// shortest text that reads back as the same double, integers without ".0"
// ("3", "2.5", "0.1", "1e+20"), and -0 as "0".
#pragma once

#include <string>

#include <fmt/format.h>

namespace samkart::io::internal {

inline std::string NumberText(double number) {
  if (number == 0) number = 0;  // -0 reads as 0 in every tool users compare with
  return fmt::format("{}", number);
}

// Stata stores most numbers as 4-byte floats: 0.1f is 0.100000001490116…
// as a double. Shortest float text ("0.1") is what Stata itself shows.
inline std::string NumberText(float number) {
  if (number == 0) number = 0;
  return fmt::format("{}", number);
}

}  // namespace samkart::io::internal
