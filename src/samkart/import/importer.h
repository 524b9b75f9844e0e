// One survey-tool export into the store: read → harmonise → anonymise →
// validate → write, as one batch in one transaction, with a report that
// explains every choice (generation, recodings, dropped columns,
// generalisations, rejected rows). Nothing is stored unless all of it works.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "samkart/anonymise/k_anonymity.h"
#include "samkart/core/result.h"
#include "samkart/instrument/instrument.h"
#include "samkart/io/source_reader.h"
#include "samkart/store/store.h"

namespace samkart::import {

struct ImportRequest {
  std::string path;
  // What messages and the import report call the file; the path when empty
  // (an upload is read from a temporary path nobody should see).
  std::string display_name;
  std::optional<int> municipality;
  std::optional<int> year;
  std::optional<std::string> round_type;  // round type key: baseline | follow_up
  std::optional<std::string> generation;
  io::SourceOptions source;
  std::size_t k = anonymise::kDefaultK;
  // When set, every row's municipality must lie in one of these regions
  // (region keys); otherwise nothing is stored. A regional analyst imports
  // for their own region only.
  std::optional<std::set<std::string>> allowed_regions;
  // A round (municipality, year, round type) that already holds respondents
  // of another import is refused unless the user says what the new file is:
  // a replacement of that import (swapped in one transaction), or more
  // answers to the round (e.g. a second export from another service).
  std::optional<int64_t> replace_batch;
  bool append = false;
  // Where the user imports, so a refusal names the choices as they are
  // made there: `--replace N` and `--append`, or the upload form's fields.
  enum class Channel { kCommandLine, kBrowser };
  Channel channel = Channel::kCommandLine;
};

enum class ImportStatus { kImported, kAlreadyImported };

struct ImportOutcome {
  ImportStatus status = ImportStatus::kImported;
  store::BatchInfo batch;                    // the new batch, or the one that already had this file
  std::string report;                        // the whole import report (also stored with the batch)
  std::optional<store::BatchInfo> replaced;  // the batch the new one took the place of
};

// Phases: «Leser», «Anonymiserer», «Lagrer»; fraction 0–1 within the phase.
using ImportProgress = std::function<void(const std::string& phase, double fraction)>;

Result<ImportOutcome> ImportFile(store::Store& store, const instrument::Instrument& instrument,
                                 const ImportRequest& request, const ImportProgress& progress);

// The municipality register (kommuner.csv): number, name_nb, region,
// size_group[, population]. Keys are checked against the instrument.
bool IsMunicipalityRegister(const std::vector<std::string>& header);
Result<std::size_t> ImportMunicipalityRegister(store::Store& store,
                                               const instrument::Instrument& instrument,
                                               const std::string& path);

// Invited counts (inviterte.csv): municipality, year, round_type, service,
// invited — one row per service of a round, the response rate's denominator.
bool IsInvitedCounts(const std::vector<std::string>& header);
Result<std::size_t> ImportInvitedCounts(store::Store& store,
                                        const instrument::Instrument& instrument,
                                        const std::string& path);

// A manifest (manifest.csv) lists export files with what their rows may not
// say themselves: file, municipality, year, round_type. Paths are relative
// to the manifest. A generation column is ignored: the import finds the
// generation from the columns and reports why.
struct ManifestEntry {
  std::string path;
  int municipality = 0;
  int year = 0;
  std::string round_type;
};
bool IsManifest(const std::vector<std::string>& header);
Result<std::vector<ManifestEntry>> ReadManifest(const std::string& path);

// The first line of a CSV file as column names ("" when not CSV or unreadable).
std::vector<std::string> PeekCsvHeader(const std::string& path);

// What a file given to the import is, from its header: the one decision the
// CLI and the upload page share.
enum class FileKind { kMunicipalityRegister, kInvitedCounts, kManifest, kExport };
FileKind ClassifyFile(const std::string& path);

// Whether a file found in a folder is one the import reads (by its ending:
// .csv, .xlsx, .sav, .zsav, .dta).
bool HasImportableEnding(const std::string& path);

}  // namespace samkart::import
