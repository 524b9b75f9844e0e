// What an export holds, read without knowing its layout: the format, the
// encoding and separator found, the rows, and per column its name, its
// label and value labels (SPSS, Stata), the values it takes with how often
// (capped), and what Samkart guesses the column is — an answer to which
// question, a background variable, an identifier to drop, or technical —
// with how sure the guess is and why. `samkart describe` prints it; the
// crosswalk suggestion is built from it.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "samkart/core/result.h"
#include "samkart/instrument/instrument.h"
#include "samkart/io/source_reader.h"

namespace samkart::describe {

// Distinct values kept per column; a column with more (ids, free text,
// timestamps) is still counted, its rarest values are not listed.
inline constexpr std::size_t kTrackedValues = 500;

enum class ColumnKind {
  kAnswer,      // an answer to an item of the instrument
  kBackground,  // municipality, year, service, position …
  kIdentifier,  // personal or technical identity: dropped at import
  kTechnical,   // a column without analytic value (status, language)
  kUnknown,     // no guess: the user decides
};

struct ColumnGuess {
  ColumnKind kind = ColumnKind::kUnknown;
  // kAnswer: «family.item»; kBackground: the variable («service»);
  // kIdentifier: the kind («email», «free_text»).
  std::string target;
  double confidence = 0;  // 0–1
  bool sure = false;      // confident enough to keep without review
  std::string reason;     // Norwegian: what the guess rests on
  // kAnswer: the question is sure, but some answer labels are not the
  // scale's and need a mapping (sure is then false).
  bool answers_need_mapping = false;
};

struct ValueCount {
  std::string value;
  std::size_t count = 0;
};

struct ColumnProfile {
  std::string name;
  std::string label;  // SPSS/Stata variable label
  std::vector<std::pair<double, std::string>> value_labels;
  std::size_t filled = 0;
  std::size_t empty = 0;
  // Most frequent first, at most kTrackedValues; masked when the column is
  // guessed to be an identifier.
  std::vector<ValueCount> values;
  bool more_values = false;  // more distinct values than were kept
  // Cells that look like personal data or identities, over all rows.
  std::size_t emails = 0;
  std::size_t phones = 0;
  std::size_t timestamps = 0;
  std::size_t ip_addresses = 0;
  std::size_t numbers = 0;     // cells that are a number
  std::size_t text_bytes = 0;  // total length of the filled cells
  ColumnGuess guess;
};

struct FileProfile {
  std::string file;
  std::string format;               // «CSV», «XLSX», «SPSS .sav» …
  std::string details;              // «Windows-1252, semikolon»
  std::string row_unit;             // «linje», «rad», «case»
  std::vector<std::string> sheets;  // XLSX: every sheet, in workbook order
  std::size_t rows = 0;
  std::vector<ColumnProfile> columns;
};

// Reads the whole file once and guesses every column against the instrument.
Result<FileProfile> ProfileFile(const std::string& path, const instrument::Instrument& instrument,
                                const io::SourceOptions& options = {});

// The guess for one column from its profile (exposed for the tests).
ColumnGuess GuessColumn(const instrument::Instrument& instrument, const ColumnProfile& column,
                        std::size_t rows);

// «svar», «bakgrunn», «identifikator», «teknisk», «ukjent»
const char* KindName(ColumnKind kind);

}  // namespace samkart::describe
