#include "samkart/import/importer.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "samkart/core/text.h"
#include "samkart/harmonise/harmoniser.h"
#include "samkart/import/batch_builder.h"
#include "samkart/import/content_fingerprint.h"
#include "samkart/io/csv_reader.h"
#include "samkart/io/encoding.h"
#include "samkart/io/read_ahead.h"
#include "samkart/io/source_bytes.h"
#include "samkart/io/text_file.h"

namespace samkart::import {

namespace {

constexpr const char* kCountsShownOnlyAtImport =
    "Antall svar per verdi og per generalisert gruppe vises bare for den som importerer, når "
    "filen importeres: de kan vise grupper som er for små til å publiseres.\n";

namespace fs = std::filesystem;

std::string RoundLabel(const instrument::Instrument& instrument, const std::string& key) {
  for (const auto& r : instrument.round_types) {
    if (r.key == key) return r.label;
  }
  return key;
}

std::string CategoryLabel(const instrument::Instrument& instrument, const std::string& target,
                          int code) {
  if (target == "service") {
    const auto* s = instrument.FindServiceByCode(code);
    return s ? s->label : "";
  }
  if (target == "position") {
    const auto* p = instrument.FindPositionByCode(code);
    return p ? p->label : "";
  }
  const instrument::Family* family = nullptr;
  if (instrument.FindItem(target, &family) == nullptr) return "";
  const auto* scale = instrument.FindScale(family->scale);
  const auto* category = scale ? scale->Find(code) : nullptr;
  return category ? category->label : "";
}

// Round types per (municipality, year): the one requested, else a follow-up
// when the store already has an earlier round of the municipality.
std::map<std::pair<int, int>, std::string> DecideRoundTypes(
    const std::vector<store::RoundInfo>& stored, const std::set<std::pair<int, int>>& rounds,
    const std::optional<std::string>& requested, std::vector<std::string>& reasons) {
  std::map<std::pair<int, int>, std::string> out;
  for (const auto& [municipality, year] : rounds) {
    std::optional<int> earlier;
    for (const auto& r : stored) {
      if (r.municipality != municipality) continue;
      if (r.year < year && (!earlier || r.year < *earlier)) earlier = r.year;
    }
    if (requested) {
      out[{municipality, year}] = *requested;
      reasons.push_back(fmt::format("{} {}: {} (oppgitt)", municipality, year, *requested));
    } else if (earlier) {
      out[{municipality, year}] = "follow_up";
      reasons.push_back(fmt::format(
          "{} {}: oppfølging, fordi databasen har en tidligere runde for kommunen ({}); oppgi "
          "--round baseline for å overstyre",
          municipality, year, *earlier));
    } else {
      out[{municipality, year}] = "baseline";
      reasons.push_back(fmt::format(
          "{} {}: 0-punktsmåling, fordi databasen ikke har noen tidligere runde for kommunen",
          municipality, year));
    }
  }
  return out;
}

using RoundKey = std::tuple<int, int, std::string>;  // municipality, year, round type

// Stored imports and rounds as a refusal or the report names them. A
// regional analyst is told nothing of municipalities outside their region.
struct StoredNames {
  const instrument::Instrument& instrument;
  const std::vector<store::RoundInfo>& stored;
  const std::map<int, const store::Municipality*>& known;
  const std::optional<std::set<std::string>>& allowed_regions;

  bool Visible(int municipality) const {
    if (!allowed_regions) return true;
    const auto m = known.find(municipality);
    return m != known.end() && allowed_regions->count(m->second->region) > 0;
  }

  // «144 svar for Meløy 2023 0-punktsmåling»: what a stored import holds, round by round.
  std::string BatchRounds(int64_t batch_id) const {
    std::vector<std::string> parts;
    bool hidden = false;
    for (const auto& r : stored) {
      if (r.batch_id != batch_id) continue;
      if (!Visible(r.municipality)) {
        hidden = true;
        continue;
      }
      std::string label = instrument.RoundTypeLabel(r.round_type);
      if (!label.empty() && label[0] >= 'A' && label[0] <= 'Z') label[0] += 'a' - 'A';
      parts.push_back(fmt::format("{} svar for {} {} {}", r.respondents,
                                  r.name.empty() ? std::to_string(r.municipality) : r.name, r.year,
                                  label));
    }
    if (hidden) parts.push_back("svar fra kommuner utenfor regionen din");
    return parts.empty() ? "ingen svar" : text::JoinList(parts);
  }

  // «import 12 fra eksport.csv, 2026-12-06T10:00:00Z, 144 svar for Meløy 2023 0-punktsmåling»
  std::string Batch(const store::BatchInfo& batch) const {
    bool outside = false;
    for (const auto& r : stored)
      outside = outside || (r.batch_id == batch.id && !Visible(r.municipality));
    if (outside) return fmt::format("import {}, {}", batch.id, BatchRounds(batch.id));
    return fmt::format("import {} fra {}, {}, {}", batch.id, batch.file_name, batch.imported_at,
                       BatchRounds(batch.id));
  }

  // «Meløy (1837) 2023 0-punktsmåling»
  std::string Round(const RoundKey& round) const {
    const auto& [municipality, year, type] = round;
    const auto m = known.find(municipality);
    return fmt::format("{} ({}) {} {}", m != known.end() ? m->second->name : "kommune",
                       municipality, year, RoundLabel(instrument, type));
  }
};

// What the import does to the stored rounds its rows belong to.
struct RoundPlan {
  std::optional<store::BatchInfo> replaced;
};

// The file's respondents against what is stored. The same answers stored
// before, from any file, are refused. A round that already holds
// respondents of another import takes the new file only when the user
// has said whether it replaces that import or adds to the round.
Result<RoundPlan> PlanRounds(const instrument::Instrument& instrument, const ImportRequest& request,
                             const std::string& name, const std::string& fingerprint,
                             const std::map<std::pair<int, int>, std::string>& round_types,
                             const std::map<int, const store::Municipality*>& known,
                             const std::vector<store::RoundInfo>& stored,
                             const std::vector<store::BatchInfo>& batches,
                             std::vector<std::string>& reasons) {
  const bool browser = request.channel == ImportRequest::Channel::kBrowser;
  const StoredNames names{instrument, stored, known, request.allowed_regions};
  std::map<int64_t, const store::BatchInfo*> by_id;
  for (const auto& b : batches) by_id[b.id] = &b;

  RoundPlan plan;
  if (request.replace_batch) {
    const int64_t id = *request.replace_batch;
    const auto found = by_id.find(id);
    // An import of another region is answered like one that does not exist.
    const bool hidden = std::any_of(stored.begin(), stored.end(), [&](const auto& r) {
      return r.batch_id == id && !names.Visible(r.municipality);
    });
    if (found == by_id.end() || hidden) {
      return Error{
          fmt::format("{}: import {}, som skulle erstattes, finnes ikke; ingenting er endret", name,
                      id),
          ErrorCode::kNotFound};
    }
    std::set<RoundKey> its_rounds;
    for (const auto& r : stored) {
      if (r.batch_id == id) its_rounds.insert({r.municipality, r.year, r.round_type});
    }
    std::vector<std::string> outside;
    for (const RoundKey& round : its_rounds) {
      const auto in_file = round_types.find({std::get<0>(round), std::get<1>(round)});
      if (in_file == round_types.end() || in_file->second != std::get<2>(round)) {
        outside.push_back(names.Round(round));
      }
    }
    if (its_rounds.empty() || !outside.empty()) {
      std::vector<std::string> in_file;
      for (const auto& [key, type] : round_types) {
        in_file.push_back(names.Round({key.first, key.second, type}));
      }
      return Error{fmt::format(
          "{}: import {} kan ikke erstattes med denne filen: den gjelder {}, mens filen gjelder "
          "{}; ingenting er endret",
          name, id, its_rounds.empty() ? std::string("ingen runder") : names.BatchRounds(id),
          text::JoinList(in_file))};
    }
    plan.replaced = *found->second;
  }

  for (const auto& b : batches) {
    if (b.content_fingerprint != fingerprint) continue;
    if (plan.replaced && plan.replaced->id == b.id) continue;  // swapped for the same answers
    return Error{fmt::format("{}: de samme svarene er allerede lagret ({}); ingenting er endret",
                             name, names.Batch(b)),
                 ErrorCode::kConflict};
  }

  // The other imports in the file's rounds, round by round.
  std::map<RoundKey, std::set<int64_t>> others;
  for (const auto& r : stored) {
    const auto in_file = round_types.find({r.municipality, r.year});
    if (in_file == round_types.end() || in_file->second != r.round_type) continue;
    if (plan.replaced && r.batch_id == plan.replaced->id) continue;
    others[{r.municipality, r.year, r.round_type}].insert(r.batch_id);
  }
  if (plan.replaced) {
    reasons.push_back(fmt::format("erstatter {}", names.Batch(*plan.replaced)));
  }
  if (others.empty()) return plan;
  std::set<int64_t> ids;
  std::vector<std::string> lines;
  for (const auto& [round, batch_ids] : others) {
    std::vector<std::string> named;
    for (const int64_t id : batch_ids) {
      ids.insert(id);
      const auto b = by_id.find(id);
      named.push_back(b != by_id.end() ? names.Batch(*b->second) : fmt::format("import {}", id));
    }
    lines.push_back(
        fmt::format("{} har allerede svar fra {}", names.Round(round), text::JoinList(named)));
  }
  if (request.append || plan.replaced) {
    for (const auto& line : lines) reasons.push_back(line + "; de nye svarene legges til");
    return plan;
  }
  std::vector<std::string> numbers;
  for (const int64_t id : ids) numbers.push_back(std::to_string(id));
  std::string replace_choice;
  if (browser) {
    replace_choice =
        fmt::format("skriv {} i feltet «Erstatter import»", text::JoinList(numbers, "eller"));
  } else if (ids.size() == 1) {
    replace_choice = fmt::format("bruk --replace {}", *ids.begin());
  } else {
    replace_choice = fmt::format("bruk --replace med nummeret på importen som skal byttes ut ({})",
                                 text::JoinList(numbers, "eller"));
  }
  const std::string append_choice = browser ? "kryss av for «Legg til i runden»" : "bruk --append";
  return Error{
      fmt::format(
          "{}: {}. Er filen en ny utgave av den samme eksporten, {}: den gamle importen byttes da "
          "ut "
          "med den nye i én operasjon. Er filen flere svar fra den samme runden (for eksempel en "
          "eksport fra en annen tjeneste), {}: svarene legges da til dem som er lagret. Ingenting "
          "er "
          "endret.",
          name, text::Join(lines, "; "), replace_choice, append_choice),
      ErrorCode::kConflict};
}

}  // namespace

namespace {

ImportOutcome AlreadyImported(const store::BatchInfo& batch, std::string report) {
  ImportOutcome outcome;
  outcome.status = ImportStatus::kAlreadyImported;
  outcome.batch = batch;
  outcome.report = std::move(report);
  return outcome;
}

// Reads every row through the harmoniser before the store is touched.
Result<std::vector<harmonise::HarmonisedRow>> ReadRows(io::SourceReader& source,
                                                       harmonise::Harmoniser& harmoniser,
                                                       const std::string& name,
                                                       const ImportProgress& progress,
                                                       std::size_t& rows_read) {
  std::vector<harmonise::HarmonisedRow> rows;
  io::SourceRow source_row;
  harmonise::HarmonisedRow row;
  if (progress) progress("Leser", 0);
  while (source.Next(source_row)) {
    ++rows_read;
    SAMKART_ASSIGN_OR_RETURN(const bool kept, harmoniser.Convert(source_row, row));
    if (kept) rows.push_back(std::move(row));
    if (progress && rows_read % 4096 == 0) progress("Leser", source.progress());
  }
  if (!source.error().empty()) return Error{source.error()};
  if (auto problems = harmoniser.ProblemsFound()) return *problems;
  if (progress) progress("Leser", 1);
  if (rows_read == 0) return Error{name + ": filen har overskrift, men ingen svarrader"};
  if (rows.empty()) {
    return Error{
        fmt::format("{}: ingen av de {} radene har svar; ingenting å importere", name, rows_read)};
  }
  return rows;
}

// Every municipality must be in the register (it gives region and size
// group) and, for a regional analyst, in their region. Returns the rounds
// (municipality, year) the rows belong to.
Result<std::set<std::pair<int, int>>> CheckMunicipalities(
    store::Store& store, const std::vector<harmonise::HarmonisedRow>& rows,
    const std::map<int, const store::Municipality*>& known, const ImportRequest& request,
    const std::string& name) {
  std::set<std::pair<int, int>> rounds;
  for (const auto& r : rows) {
    const auto found = known.find(r.municipality);
    if (found == known.end()) {
      return Error{
          fmt::format("{}: rad {}: kommune {} finnes ikke i kommuneregisteret i {}; importer "
                      "kommuneregisteret (kommuner.csv) først",
                      name, r.source_row, r.municipality, store.Describe())};
    }
    if (request.allowed_regions && !request.allowed_regions->count(found->second->region)) {
      return Error{fmt::format(
          "{}: rad {}: kommune {} ligger utenfor regionen du kan importere for; ingenting fra "
          "filen er lagret",
          name, r.source_row, r.municipality)};
    }
    rounds.insert({r.municipality, r.year});
  }
  return rounds;
}

// What the report needs to know besides the harmoniser.
struct ReportFacts {
  std::string name;
  std::string format;
  std::size_t file_bytes = 0;
  std::string sha256;
  std::string generation_reason;
  std::vector<std::string> round_reasons;
  std::size_t rows_read = 0;
  std::size_t rows_kept = 0;
  std::size_t rows_rejected = 0;
  std::size_t k = 0;
};

struct ImportReports {
  std::string full;    // for the importer, now: with counts by answer and by generalised group
  std::string stored;  // with the batch, for anyone who may see it later: without them
};

// The report: every choice, in the order it was made. The stored version
// has no counts by answer or by generalised group, since those show groups
// smaller than k.
ImportReports ComposeReports(const instrument::Instrument& instrument, const ReportFacts& facts,
                             const std::map<std::pair<int, int>, std::string>& round_types,
                             const std::map<int, const store::Municipality*>& known,
                             const harmonise::Harmoniser& harmoniser,
                             const anonymise::AnonymisationReport& anonymised) {
  std::string report = fmt::format("Importrapport for {}\n", facts.name);
  report += fmt::format("Format: {}, {} byte, SHA-256 {}\n", facts.format,
                        text::Thousands(facts.file_bytes), facts.sha256);
  report += fmt::format("Generasjon: {}\n", facts.generation_reason);
  for (const auto& reason : facts.round_reasons) report += fmt::format("Runde: {}\n", reason);
  for (const auto& [key, type] : round_types) {
    const auto* m = known.at(key.first);
    report += fmt::format("  {} {} {}: {}\n", key.first, m->name, key.second,
                          RoundLabel(instrument, type));
  }
  report += fmt::format("Rader: lest {}, importert {}, generalisert {}, avvist {}\n",
                        text::Thousands(facts.rows_read), text::Thousands(facts.rows_kept),
                        text::Thousands(anonymised.rows_generalised),
                        text::Thousands(facts.rows_rejected));
  for (const auto& [reason, n] : harmoniser.rejected()) {
    report += fmt::format("  avvist: {}: {}\n", reason, n);
  }
  const auto identifiers = harmoniser.dropped_identifiers();
  report += fmt::format("Identifiserende kolonner fjernet og aldri lagret: {}\n",
                        identifiers.empty() ? "ingen" : text::Join(identifiers, ", "));
  report += AnonymisationLine(facts.k, anonymised);
  std::string stored = report;
  for (const auto& line : anonymised.details) report += "  " + line + "\n";
  if (!harmoniser.routed_away().empty()) {
    const std::string heading = "Svar på spørsmål som ikke stilles (lagret som «ikke spurt»):\n";
    report += heading;
    stored += heading;
    for (const auto& [reason, n] : harmoniser.routed_away()) {
      report += fmt::format("  {}: {}\n", reason, n);
      stored += fmt::format("  {}\n", reason);
    }
  }
  report += "Kolonner og omkodinger (verdi i filen → kode i databasen, antall celler):\n";
  stored += "Kolonner og omkodinger (verdi i filen → kode i databasen):\n";
  for (const auto& column : harmoniser.ColumnReports()) {
    const std::string mapped = fmt::format("  {} → {}\n", column.source, column.target);
    report += mapped;
    stored += mapped;
    for (const auto& [from, count] : column.recodings) {
      const std::string label = CategoryLabel(instrument, column.target, from.second);
      const std::string recoding =
          fmt::format("    «{}» → {}{}", from.first, from.second, label.empty() ? "" : " " + label);
      report += fmt::format("{}: {}\n", recoding, count);
      stored += recoding + "\n";
    }
  }
  stored += kCountsShownOnlyAtImport;
  return {std::move(report), std::move(stored)};
}

// Writes the batch in one transaction. Another process may have imported
// the same file while this one read it: that is the file imported, not a
// failure.
Result<ImportOutcome> WriteOrFindTheWinner(store::Store& store, const store::NewBatch& batch,
                                           const std::string& name,
                                           const ImportProgress& progress) {
  if (progress) progress("Lagrer", 0);
  auto written = store.WriteBatch(batch, [&](std::size_t done, std::size_t total) {
    if (progress) progress("Lagrer", static_cast<double>(done) / static_cast<double>(total));
  });
  if (written.ok()) {
    ImportOutcome outcome;
    outcome.batch = *written;
    return outcome;
  }
  auto winner = store.FindBatchByHash(batch.content_sha256);
  if (winner.ok() && *winner) {
    return AlreadyImported(
        **winner,
        fmt::format("{}: en annen prosess importerte den samme filen samtidig (import {}, {}); den "
                    "er importert én gang, og ingenting mer er endret",
                    name, (*winner)->id, (*winner)->imported_at));
  }
  return Error{fmt::format("{}: ingenting fra filen er lagret: {}", name, written.error().message),
               written.error().code};
}

// The export read through the harmoniser, with what the report says of it.
struct ReadExport {
  std::string generation_reason;
  const instrument::Crosswalk* crosswalk = nullptr;
  std::optional<harmonise::Harmoniser> harmoniser;
  std::vector<harmonise::HarmonisedRow> rows;
  std::size_t rows_read = 0;
  std::string format;  // «CSV (UTF-8, komma)»
};

Result<ReadExport> ReadExportFile(const instrument::Instrument& instrument,
                                  const ImportRequest& request, const std::string& name,
                                  io::SourceBytes bytes, io::SourceFormat format,
                                  std::optional<bool> known_valid_utf8,
                                  const ImportProgress& progress) {
  io::SourceOptions options = request.source;
  options.known_valid_utf8 = known_valid_utf8;
  SAMKART_ASSIGN_OR_RETURN(auto opened, io::OpenSource(std::move(bytes), format, name, options));
  const auto reader = io::ReadAhead(std::move(opened));
  io::SourceReader& source = *reader;
  SAMKART_ASSIGN_OR_RETURN(auto choice,
                           harmonise::ChooseGeneration(instrument, source.columns(), name,
                                                       request.generation, request.year));
  ReadExport read;
  read.generation_reason = choice.reason;
  read.crosswalk = choice.crosswalk;
  SAMKART_ASSIGN_OR_RETURN(
      auto harmoniser, harmonise::Harmoniser::Create(instrument, *choice.crosswalk, source, name,
                                                     {request.municipality, request.year}));
  read.harmoniser.emplace(std::move(harmoniser));
  SAMKART_ASSIGN_OR_RETURN(read.rows,
                           ReadRows(source, *read.harmoniser, name, progress, read.rows_read));
  read.format = fmt::format("{} ({})", source.info().format, source.info().details);
  return read;
}

// Reads the export on this core while a second one hashes it and checks
// that it is UTF-8. The parse assumes UTF-8 until the scan says otherwise;
// then (a Windows-1252 export) it reads the file once more as what it is.
Result<std::pair<io::FileScan, Result<ReadExport>>> ScanAndRead(
    const instrument::Instrument& instrument, const ImportRequest& request, const std::string& name,
    const ImportProgress& progress) {
  auto scanning =
      std::async(std::launch::async, [path = request.path] { return io::ScanFile(path); });
  // On every way out, the future's destructor waits for the scan to end.
  auto mapped = io::SourceBytes::MapFile(request.path, io::kMaxSourceFileBytes);
  if (!mapped.ok()) return mapped.error();
  const io::SourceFormat format = io::DetectSourceFormat(mapped->view(), name);
  const bool csv_may_be_utf8 = format == io::SourceFormat::kCsv &&
                               request.source.encoding != io::SourceEncoding::kWindows1252;
  auto read = ReadExportFile(instrument, request, name, std::move(mapped.value()), format,
                             csv_may_be_utf8 ? std::optional<bool>(true) : std::nullopt, progress);
  SAMKART_ASSIGN_OR_RETURN(io::FileScan scan, scanning.get());
  if (csv_may_be_utf8 && !scan.valid_utf8) {
    SAMKART_ASSIGN_OR_RETURN(io::SourceBytes again,
                             io::SourceBytes::MapFile(request.path, io::kMaxSourceFileBytes));
    read = ReadExportFile(instrument, request, name, std::move(again), format, false, progress);
  }
  return std::make_pair(std::move(scan), std::move(read));
}

}  // namespace

Result<ImportOutcome> ImportFile(store::Store& store, const instrument::Instrument& instrument,
                                 const ImportRequest& request, const ImportProgress& progress) {
  const std::string& name = request.display_name.empty() ? request.path : request.display_name;
  SAMKART_ASSIGN_OR_RETURN(auto scanned, ScanAndRead(instrument, request, name, progress));
  const io::FileScan& scan = scanned.first;
  // A file imported before is reported as such, whatever reading it now says.
  SAMKART_ASSIGN_OR_RETURN(const auto existing, store.FindBatchByHash(scan.sha256));
  if (existing) {
    return AlreadyImported(
        *existing,
        fmt::format("{}: allerede importert (import {} fra {}, {}, samme innhold); ingenting er "
                    "endret",
                    name, existing->id, existing->file_name, existing->imported_at));
  }
  SAMKART_ASSIGN_OR_RETURN(ReadExport read, std::move(scanned.second));
  const harmonise::Harmoniser& harmoniser = *read.harmoniser;
  const instrument::Crosswalk& crosswalk = *read.crosswalk;
  std::vector<harmonise::HarmonisedRow> rows = std::move(read.rows);
  const std::string sha256 = scan.sha256;

  ReportFacts facts;
  facts.name = name;
  facts.file_bytes = scan.bytes;
  facts.sha256 = sha256;
  facts.k = request.k;
  facts.generation_reason = read.generation_reason;
  facts.rows_read = read.rows_read;
  facts.rows_kept = rows.size();
  for (const auto& [reason, n] : harmoniser.rejected()) facts.rows_rejected += n;
  facts.format = read.format;

  SAMKART_ASSIGN_OR_RETURN(const auto municipalities, store.Municipalities());
  std::map<int, const store::Municipality*> known;
  for (const auto& m : municipalities) known[m.number] = &m;
  SAMKART_ASSIGN_OR_RETURN(const auto rounds,
                           CheckMunicipalities(store, rows, known, request, name));
  SAMKART_ASSIGN_OR_RETURN(const auto stored_rounds, store.Rounds());
  const auto round_types =
      DecideRoundTypes(stored_rounds, rounds, request.round_type, facts.round_reasons);
  const std::string fingerprint = ContentFingerprint(rows);
  SAMKART_ASSIGN_OR_RETURN(const auto stored_batches, store.Batches());
  SAMKART_ASSIGN_OR_RETURN(RoundPlan plan,
                           PlanRounds(instrument, request, name, fingerprint, round_types, known,
                                      stored_rounds, stored_batches, facts.round_reasons));

  store::NewBatch provenance;
  provenance.file_name = fs::path(name).filename().string();
  provenance.content_sha256 = sha256;
  provenance.content_fingerprint = fingerprint;
  provenance.unique_content = true;
  provenance.rounds_must_be_empty = !request.append && !plan.replaced;
  if (plan.replaced) provenance.replaces = plan.replaced->id;
  provenance.format = facts.format;
  provenance.generation = crosswalk.generation;
  provenance.rows_read = facts.rows_read;
  provenance.rows_rejected = facts.rows_rejected;
  provenance.round_types = round_types;
  for (const auto& item : instrument.ItemsInOrder()) {
    provenance.item_ids.push_back(item.QualifiedId());
  }
  if (progress) progress("Anonymiserer", 0);
  auto built = BuildBatch(std::move(rows), instrument, request.k, std::move(provenance));
  if (!built.ok()) return Error{name + ": " + built.error().message};
  ImportReports reports =
      ComposeReports(instrument, facts, round_types, known, harmoniser, built->anonymisation);
  built.value().batch.report = std::move(reports.stored);

  SAMKART_ASSIGN_OR_RETURN(ImportOutcome outcome,
                           WriteOrFindTheWinner(store, built->batch, name, progress));
  if (outcome.status == ImportStatus::kImported) {
    outcome.replaced = std::move(plan.replaced);
    outcome.report =
        fmt::format("Import {} ({})\n", outcome.batch.id, outcome.batch.imported_at) + reports.full;
  }
  return outcome;
}

namespace {

// A small CSV as a spreadsheet saves it: UTF-8 with or without a byte order
// mark, or Windows-1252 («CSV (semikolonseparert)» in Norwegian Excel);
// comma, semicolon or tab. The text comes back as UTF-8.
Result<io::CsvTable> ParseSpreadsheetCsv(std::string content) {
  if (content.starts_with("\xEF\xBB\xBF")) content.erase(0, 3);
  if (!text::IsValidUtf8(content)) content = io::Windows1252ToUtf8(content);
  io::CsvOptions options;
  options.delimiter = io::DetectCsvDelimiter(content);
  return io::ParseCsv(content, options);
}

}  // namespace

std::vector<std::string> PeekCsvHeader(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string line;
  if (!in || !std::getline(in, line)) return {};
  auto table = ParseSpreadsheetCsv(line);
  if (!table.ok()) return {};
  std::vector<std::string> out;
  for (const auto& part : table->header) out.emplace_back(text::Trim(part));
  return out;
}

FileKind ClassifyFile(const std::string& path) {
  const auto header = PeekCsvHeader(path);
  if (IsMunicipalityRegister(header)) return FileKind::kMunicipalityRegister;
  if (IsInvitedCounts(header)) return FileKind::kInvitedCounts;
  if (IsManifest(header)) return FileKind::kManifest;
  return FileKind::kExport;
}

bool HasImportableEnding(const std::string& path) {
  const std::string ending = fs::path(path).extension().string();
  return ending == ".csv" || ending == ".xlsx" || ending == ".sav" || ending == ".zsav" ||
         ending == ".dta";
}

bool IsMunicipalityRegister(const std::vector<std::string>& header) {
  return header.size() >= 4 && header[0] == "municipality" && header[1] == "name_nb" &&
         header[2] == "region" && header[3] == "size_group";
}

bool IsManifest(const std::vector<std::string>& header) {
  const std::set<std::string> names(header.begin(), header.end());
  return names.count("file") && names.count("municipality") && names.count("year") &&
         names.count("round_type");
}

namespace {

// The import's own small CSV files (register, invited counts, manifest):
// read whole, parsed, and recognised by their header.
Result<io::CsvTable> ReadControlFile(const std::string& path,
                                     bool (*recognised)(const std::vector<std::string>&),
                                     const char* what_it_should_be) {
  auto file = io::ReadTextFile(path);
  if (!file.ok()) return file.error();
  auto parsed = ParseSpreadsheetCsv(std::move(file.value().content));
  if (!parsed.ok()) return Error{path + ": " + parsed.error().message};
  io::CsvTable table = std::move(parsed.value());
  for (auto& name : table.header) name = std::string(text::Trim(name));
  if (!recognised(table.header)) return Error{path + ": " + what_it_should_be};
  return table;
}

// One row of such a file: trimmed fields by column name, errors that name
// the file and the line.
class ControlRow {
 public:
  ControlRow(const std::string& path, const io::CsvTable& table, const io::CsvRecord& record)
      : path_(path), table_(table), record_(record) {}

  std::string Field(const std::string& column) const {
    for (std::size_t i = 0; i < table_.header.size() && i < record_.fields.size(); ++i) {
      if (table_.header[i] == column) return std::string(text::Trim(record_.fields[i]));
    }
    return "";
  }
  Error Fail(const std::string& what) const {
    return Error{fmt::format("{}: linje {}: {}", path_, record_.line, what)};
  }
  Result<int> Municipality() const {
    const std::string value = Field("municipality");
    const auto number = text::ParseInt(value);
    if (!number || *number < 1 || *number > 9999) {
      return Fail(fmt::format("kommunenummeret «{}» er ikke et tall mellom 1 og 9999", value));
    }
    return *number;
  }
  Result<int> Year() const {
    const std::string value = Field("year");
    const auto year = text::ParseInt(value);
    if (!year || *year < 2000 || *year > 2100) {
      return Fail(fmt::format("året «{}» er ikke et årstall", value));
    }
    return *year;
  }

 private:
  const std::string& path_;
  const io::CsvTable& table_;
  const io::CsvRecord& record_;
};

// «11 186» as a spreadsheet writes it, thousands apart.
std::string WithoutSpaces(std::string value) {
  std::string out;
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] == ' ') continue;
    if (value.compare(i, 2, "\xC2\xA0") == 0) {  // a no-break space
      ++i;
      continue;
    }
    out += value[i];
  }
  return out;
}

// «nord (KORUS Nord), midt (KORUS Midt) …»: what a register may say.
template <typename Codes>
std::string KeysAndLabels(const Codes& codes) {
  std::vector<std::string> parts;
  for (const auto& c : codes) parts.push_back(fmt::format("{} ({})", c.key, c.label));
  return text::JoinList(parts, "eller");
}

// The size group a register row states (key or code), checked against its
// population; derived from the population when the column is empty.
Result<std::string> SizeGroupOf(const instrument::Instrument& instrument, const ControlRow& row,
                                std::optional<int> population) {
  const std::string size = row.Field("size_group");
  const instrument::SizeGroup* stated = nullptr;
  const instrument::SizeGroup* by_population = nullptr;
  for (const auto& g : instrument.size_groups) {
    if (!size.empty() && (g.key == size || std::to_string(g.code) == size)) stated = &g;
    if (population && *population >= g.min_population &&
        (!g.max_population || *population <= *g.max_population)) {
      by_population = &g;
    }
  }
  if (!size.empty() && stated == nullptr) {
    std::vector<std::string> valid;
    for (const auto& g : instrument.size_groups) {
      valid.push_back(fmt::format("{} ({})", g.code, g.label));
    }
    return row.Fail(fmt::format("ukjent kommunestørrelse «{}»; skriv en av {}", size,
                                text::JoinList(valid, "eller")));
  }
  if (stated == nullptr && by_population == nullptr) {
    return row.Fail("kommunestørrelsen mangler (skriv size_group eller population)");
  }
  if (stated != nullptr && by_population != nullptr && stated != by_population) {
    return row.Fail(fmt::format(
        "kommunestørrelse {} ({}) passer ikke med {} innbyggere, som hører til gruppe {} ({})",
        stated->code, stated->label, *population, by_population->code, by_population->label));
  }
  return (stated != nullptr ? stated : by_population)->key;
}

}  // namespace

Result<std::size_t> ImportMunicipalityRegister(store::Store& store,
                                               const instrument::Instrument& instrument,
                                               const std::string& path) {
  auto table = ReadControlFile(path, IsMunicipalityRegister,
                               "ikke et kommuneregister (kolonnene skal være municipality, "
                               "name_nb, region, size_group, population)");
  if (!table.ok()) return table.error();
  std::vector<store::Municipality> municipalities;
  for (const auto& record : table->rows) {
    const ControlRow row(path, *table, record);
    store::Municipality m;
    const auto number = row.Municipality();
    if (!number.ok()) return number.error();
    m.number = *number;
    m.name = row.Field("name_nb");
    if (m.name.empty()) return row.Fail("kommunen mangler navn");
    // A region by its key or its name («nord», «KORUS Nord»).
    const std::string region = row.Field("region");
    for (const auto& r : instrument.regions) {
      if (r.key == region || text::FoldLabel(r.label) == text::FoldLabel(region)) m.region = r.key;
    }
    if (m.region.empty()) {
      return row.Fail(fmt::format("ukjent KORUS-region «{}»; skriv en av {}", region,
                                  KeysAndLabels(instrument.regions)));
    }
    const std::string population = row.Field("population");
    if (!population.empty()) {
      const auto parsed = text::ParseInt(WithoutSpaces(population));
      if (!parsed || *parsed < 0) {
        return row.Fail(fmt::format("innbyggertallet «{}» er ikke et tall", population));
      }
      m.population = *parsed;
    }
    if (auto size = SizeGroupOf(instrument, row, m.population); size.ok()) {
      m.size_group = *size;
    } else {
      return size.error();
    }
    municipalities.push_back(std::move(m));
  }
  if (municipalities.empty()) return Error{path + ": registeret har ingen kommuner"};
  auto saved = store.UpsertMunicipalities(municipalities);
  if (!saved.ok()) return saved.error();
  return municipalities.size();
}

bool IsInvitedCounts(const std::vector<std::string>& header) {
  return header.size() >= 5 && header[0] == "municipality" && header[1] == "year" &&
         header[2] == "round_type" && header[3] == "service" && header[4] == "invited";
}

Result<std::size_t> ImportInvitedCounts(store::Store& store,
                                        const instrument::Instrument& instrument,
                                        const std::string& path) {
  auto table = ReadControlFile(path, IsInvitedCounts,
                               "ikke en fil med inviterte (kolonnene skal være municipality, "
                               "year, round_type, service, invited)");
  if (!table.ok()) return table.error();
  std::vector<store::InvitedCount> counts;
  for (const auto& record : table->rows) {
    const ControlRow row(path, *table, record);
    store::InvitedCount c;
    const auto municipality = row.Municipality();
    if (!municipality.ok()) return municipality.error();
    c.municipality = *municipality;
    const auto year = row.Year();
    if (!year.ok()) return year.error();
    c.year = *year;
    const std::string round = row.Field("round_type");
    c.round_type = round == "follow-up" ? "follow_up" : round;
    bool round_known = false;
    for (const auto& r : instrument.round_types) round_known = round_known || r.key == c.round_type;
    if (!round_known) return row.Fail(fmt::format("ukjent rundetype «{}»", round));
    // A service by its key or its name («barnehage», «Barnehage»).
    const std::string service_key = row.Field("service");
    const instrument::Service* service = instrument.FindService(service_key);
    for (const auto& candidate : instrument.services) {
      if (service == nullptr && text::FoldLabel(candidate.label) == text::FoldLabel(service_key)) {
        service = &candidate;
      }
    }
    if (service == nullptr || !service->answers_survey) {
      std::vector<std::string> valid;
      for (const auto& candidate : instrument.services) {
        if (candidate.answers_survey) valid.push_back(candidate.key);
      }
      return row.Fail(fmt::format("ukjent tjeneste «{}»; skriv en av {}", service_key,
                                  text::JoinList(valid, "eller")));
    }
    c.service = service->key;
    const std::string invited = row.Field("invited");
    const auto parsed = text::ParseInt(invited);
    if (!parsed || *parsed < 0) {
      return row.Fail(fmt::format("antall inviterte «{}» er ikke et tall", invited));
    }
    c.invited = *parsed;
    counts.push_back(std::move(c));
  }
  if (counts.empty()) return Error{path + ": filen har ingen rader"};
  auto saved = store.UpsertInvitedCounts(counts);
  if (!saved.ok()) return Error{path + ": " + saved.error().message};
  return counts.size();
}

Result<std::vector<ManifestEntry>> ReadManifest(const std::string& path) {
  auto table = ReadControlFile(
      path, IsManifest, "ikke en manifestfil (kolonnene file, municipality, year, round_type)");
  if (!table.ok()) return table.error();
  const fs::path base = fs::path(path).parent_path();
  std::vector<ManifestEntry> out;
  for (const auto& record : table->rows) {
    const ControlRow row(path, *table, record);
    ManifestEntry e;
    const std::string file_name = row.Field("file");
    if (file_name.empty()) return row.Fail("filnavnet mangler");
    e.path = (base / file_name).string();
    const auto municipality = row.Municipality();
    if (!municipality.ok()) return municipality.error();
    const auto year = row.Year();
    if (!year.ok()) return year.error();
    e.municipality = *municipality;
    e.year = *year;
    e.round_type = row.Field("round_type");
    if (e.round_type != "baseline" && e.round_type != "follow_up") {
      return row.Fail(
          fmt::format("ukjent rundetype «{}» (baseline eller follow_up)", e.round_type));
    }
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace samkart::import
