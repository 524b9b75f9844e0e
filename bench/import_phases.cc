// samkart_import_phases --db DB REGISTER FILE
//
// Where the import's time goes: runs the steps of import::ImportFile one at
// a time through the same library calls and prints the wall time (and the
// process's peak RSS so far) after each. The scan (hash and UTF-8 check),
// which the import runs beside the parse, is timed alone; the parse is timed
// alone on one core, and then beside harmonisation as the import runs it. The
// import report is not built; it costs little (one line per column and
// category). DB must not exist or must hold no import of FILE.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <sys/resource.h>

#include "samkart/anonymise/k_anonymity.h"
#include "samkart/harmonise/harmoniser.h"
#include "samkart/import/importer.h"
#include "samkart/instrument/loader.h"
#include "samkart/io/read_ahead.h"
#include "samkart/io/source_bytes.h"
#include "samkart/io/source_reader.h"
#include "samkart/store/store.h"

namespace {

using Clock = std::chrono::steady_clock;

class Phases {
 public:
  Phases() : start_(Clock::now()), last_(start_) {}
  void Done(const std::string& what) {
    const auto now = Clock::now();
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    std::cout << fmt::format("{:<52} {:7.2f} s   (maks RSS {:5} MB)\n", what,
                             std::chrono::duration<double>(now - last_).count(),
                             usage.ru_maxrss / 1024);
    last_ = now;
  }
  void Total() {
    std::cout << fmt::format("{:<52} {:7.2f} s\n", "sum",
                             std::chrono::duration<double>(Clock::now() - start_).count());
  }

 private:
  Clock::time_point start_, last_;
};

int Fail(const std::string& message) {
  std::cerr << "samkart_import_phases: " << message << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5 || std::string(argv[1]) != "--db") {
    std::cerr << "bruk: samkart_import_phases --db DB KOMMUNER.csv FIL.csv\n";
    return 2;
  }
  const std::string db = argv[2], register_path = argv[3], path = argv[4];
  using namespace samkart;

  Phases phases;
  auto loaded = instrument::LoadEmbeddedInstrument();
  if (!loaded.ok()) return Fail("det innebygde instrumentet har feil");
  const instrument::Instrument& in = *loaded.instrument;
  auto opened_store = store::OpenStore(db);
  if (!opened_store.ok()) return Fail(opened_store.error().message);
  store::Store& st = *opened_store.value();
  auto registered = import::ImportMunicipalityRegister(st, in, register_path);
  if (!registered.ok()) return Fail(registered.error().message);
  phases.Done("instrument, database og kommuneregister");

  // The scan the import runs on its own thread, timed alone here.
  auto scanned = io::ScanFile(path);
  if (!scanned.ok()) return Fail(scanned.error().message);
  const std::string sha256 = scanned->sha256;
  phases.Done("SHA-256 og UTF-8-sjekk (egen tråd i importen)");
  auto existing = st.FindBatchByHash(sha256);
  if (!existing.ok() || *existing) return Fail("filen er allerede importert i " + db);

  io::SourceOptions options;
  options.known_valid_utf8 = scanned->valid_utf8;
  // Parse alone, on one core: what the read-ahead thread does.
  {
    auto mapped = io::SourceBytes::MapFile(path, io::kMaxSourceFileBytes);
    if (!mapped.ok()) return Fail(mapped.error().message);
    auto source = io::OpenSource(std::move(mapped.value()), io::SourceFormat::kCsv, path, options);
    if (!source.ok()) return Fail(source.error().message);
    io::SourceRow row;
    std::size_t n = 0;
    while ((*source)->Next(row)) ++n;
    if (!(*source)->error().empty()) return Fail((*source)->error());
    phases.Done(fmt::format("bare parsing: {} rader (én kjerne)", n));
  }

  auto mapped = io::SourceBytes::MapFile(path, io::kMaxSourceFileBytes);
  if (!mapped.ok()) return Fail(mapped.error().message);
  auto opened = io::OpenSource(std::move(mapped.value()), io::SourceFormat::kCsv, path, options);
  if (!opened.ok()) return Fail(opened.error().message);
  const auto reader = io::ReadAhead(std::move(opened.value()));
  io::SourceReader& source = *reader;
  auto choice = harmonise::ChooseGeneration(in, source.columns(), path, std::nullopt, std::nullopt);
  if (!choice.ok()) return Fail(choice.error().message);
  auto created = harmonise::Harmoniser::Create(in, *choice->crosswalk, source, path, {});
  if (!created.ok()) return Fail(created.error().message);
  harmonise::Harmoniser& harmoniser = created.value();
  std::vector<harmonise::HarmonisedRow> rows;
  io::SourceRow source_row;
  harmonise::HarmonisedRow row;
  std::size_t rows_read = 0;
  while (source.Next(source_row)) {
    ++rows_read;
    auto converted = harmoniser.Convert(source_row, row);
    if (!converted.ok()) return Fail(converted.error().message);
    if (*converted) rows.push_back(std::move(row));
  }
  if (!source.error().empty()) return Fail(source.error());
  phases.Done("parsing ved siden av harmonisering + validering (to kjerner)");

  auto municipalities = st.Municipalities();
  if (!municipalities.ok()) return Fail(municipalities.error().message);
  std::set<int> known;
  for (const auto& m : *municipalities) known.insert(m.number);
  std::map<std::pair<int, int>, std::string> round_types;
  for (const auto& r : rows) {
    if (!known.count(r.municipality)) return Fail("ukjent kommune");
    round_types.emplace(std::pair{r.municipality, r.year}, "baseline");
  }
  phases.Done("kommuner og runder");
  auto anonymised = anonymise::MakeKAnonymous(rows, in, anonymise::kDefaultK);
  if (!anonymised.ok()) return Fail(anonymised.error().message);
  phases.Done("anonymisering (k = 5)");

  store::NewBatch batch;
  batch.file_name = std::filesystem::path(path).filename().string();
  batch.content_sha256 = sha256;
  batch.format = "CSV";
  batch.generation = choice->crosswalk->generation;
  batch.report = "samkart_import_phases";
  batch.rows_read = rows_read;
  batch.rows_generalised = anonymised->rows_generalised;
  batch.round_types = round_types;
  for (const auto& item : in.ItemsInOrder()) batch.item_ids.push_back(item.QualifiedId());
  batch.respondents.reserve(rows.size());
  for (auto& r : rows) {
    batch.respondents.push_back(
        {r.municipality, r.year, r.service, r.position, std::move(r.answers)});
  }
  rows.clear();
  rows.shrink_to_fit();
  phases.Done("bygge batch (flytte radene)");
  auto written = st.WriteBatch(batch, {});
  if (!written.ok()) return Fail(written.error().message);
  phases.Done(fmt::format("SQLite: {} rader i én transaksjon + COMMIT", batch.respondents.size()));
  batch = {};
  opened_store.value().reset();
  phases.Done("frigjøre og lukke databasen (WAL-sjekkpunkt)");
  phases.Total();
  return 0;
}
