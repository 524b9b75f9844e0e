// What the report writers share about the file they are asked to write.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "samkart/core/result.h"

namespace samkart::report {

// Why `path` cannot be written, in Norwegian: a missing folder, a file
// where a folder should be, a folder by that name; else that `what` («Excel-
// filen») cannot be written.
std::string WhyNotWritable(const std::filesystem::path& path, std::string_view what);

// The usual mistakes caught before any writing starts (the libraries find
// out only when they close the file): an error «PATH: why» when the folder
// is missing or a folder has the file's name.
Status CheckWritable(const std::filesystem::path& path, std::string_view what);

}  // namespace samkart::report
