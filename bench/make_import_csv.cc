// samkart_make_import_csv --out FILE --respondents N [--seed S]
//
// Writes one large survey-tool export for the import benchmark: N synthetic
// respondents in the current questionnaire generation's layout (G5: the
// crosswalk's source variables as columns, category labels as text, UTF-8,
// comma-separated), as `samkart synth` writes its G5 exports but in a single
// file. Beside it goes kommuner.csv, the municipality register the store
// needs before the export can be imported. Rows are written as they are
// made, through one buffer.
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "samkart/instrument/loader.h"
#include "samkart/io/table_writer.h"
#include "samkart/synth/generator.h"
#include "samkart/synth/parameters.h"
#include "samkart/synth/random.h"

namespace {

namespace fs = std::filesystem;
using samkart::instrument::Instrument;
using samkart::instrument::SourceRole;
using samkart::instrument::SourceVariable;
using samkart::synth::Key;
using samkart::synth::Uniform;

// The k of the import's k-anonymity is 5 by default; rounds written with
// fewer rows than this (the truncated last round, tiny rounds at a small
// scale) are written as part of the round before them, so the file imports.
constexpr std::size_t kMinRoundRows = 10;

constexpr std::size_t kFlushBytes = 4u << 20;

constexpr const char* kComments[] = {"Godt samarbeid med PPT.",
                                     "Ønsker mer opplæring i samtaler med foreldre.",
                                     "Vanskelig å få kontakt med fastlegen.",
                                     "Barnevernet er blitt mer tilgjengelig.",
                                     "Vi trenger faste møter på tvers av tjenestene.",
                                     "Taushetsplikten gjør samarbeid vanskelig."};

std::string CsvField(const std::string& s) { return samkart::io::QuoteCsvField(s); }

// How one source column is filled, resolved once.
struct ColumnPlan {
  enum class Kind {
    kTimestamp,
    kEmail,
    kComment,
    kMunicipality,
    kYear,
    kService,
    kPosition,
    kAnswer,
    kEmpty
  };
  Kind kind = Kind::kEmpty;
  std::size_t item = 0;  // kAnswer: index into SynthData::items
  // Target code → the quoted CSV text of its source label ("" when unmapped).
  std::array<std::string, 256> label_by_code;
  std::size_t unmapped = 0;  // cells left empty because the code has no label here
};

class Writer {
 public:
  explicit Writer(std::FILE* file) : file_(file) { buffer_.reserve(kFlushBytes + 65536); }
  std::string& buffer() { return buffer_; }
  bool MaybeFlush() { return buffer_.size() < kFlushBytes || Flush(); }
  bool Flush() {
    if (!buffer_.empty() && std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size())
      return false;
    bytes_ += buffer_.size();
    buffer_.clear();
    return true;
  }
  std::size_t bytes() const { return bytes_ + buffer_.size(); }

 private:
  std::FILE* file_;
  std::string buffer_;
  std::size_t bytes_ = 0;
};

int Fail(const std::string& message) {
  std::cerr << "samkart_make_import_csv: " << message << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Lag én stor G5-eksport (CSV, UTF-8, etiketter som tekst) for importbenchmarken"};
  std::string out_path;
  std::size_t respondents = 0;
  uint64_t seed = 2022;
  app.add_option("--out", out_path, "CSV-filen som skrives (kommuner.csv skrives ved siden av)")
      ->required();
  app.add_option("--respondents", respondents, "Antall respondenter")
      ->required()
      ->check(CLI::Range(std::size_t{1}, std::size_t{50'000'000}));
  app.add_option("--seed", seed, "Frø for tilfeldighetene");
  CLI11_PARSE(app, argc, argv);
  const auto started = std::chrono::steady_clock::now();

  auto loaded = samkart::instrument::LoadEmbeddedInstrument();
  if (!loaded.ok()) return Fail("det innebygde instrumentet har feil");
  const Instrument& in = *loaded.instrument;
  auto parameters = samkart::synth::LoadParameters(samkart::synth::EmbeddedSynthFiles());
  if (!parameters.ok()) return Fail(parameters.error().message);
  const auto* generation = in.CurrentGeneration();
  const auto* crosswalk = generation ? in.FindCrosswalk(generation->id) : nullptr;
  if (crosswalk == nullptr) return Fail("instrumentet har ingen gjeldende generasjon");

  // Scale so the generator makes at least N respondents: a guess from the
  // register (baseline respondents, follow-ups about as large), raised if short.
  double base = 0;
  for (const auto& m : parameters->municipalities) {
    base += m.baseline_respondents * (m.follow_up_year ? 1.95 : 1.0);
  }
  double scale = static_cast<double>(respondents) / std::max(base, 1.0) * 1.04 + 0.01;
  std::optional<samkart::synth::SynthData> data;
  for (int attempt = 0; attempt < 5; ++attempt) {
    std::cerr << fmt::format("Genererer svar (skala {:.3f}) …\n", scale);
    auto generated = samkart::synth::Generate(in, *parameters, {seed, scale});
    if (!generated.ok()) return Fail(generated.error().message);
    const std::size_t made = generated->respondents.size();
    if (made >= respondents) {
      data.emplace(std::move(generated.value()));
      break;
    }
    scale *= static_cast<double>(respondents) / static_cast<double>(made) * 1.02;
  }
  if (!data) return Fail("fikk ikke generert nok respondenter");

  // The column plan.
  std::map<std::string, std::size_t> item_index;
  for (std::size_t i = 0; i < data->items.size(); ++i) {
    item_index[data->items[i].QualifiedId()] = i;
  }
  const samkart::instrument::Code* other_service = in.FindService("annen_tjeneste");
  const samkart::instrument::Code* other_position = in.FindPosition("annen_stilling");
  std::vector<ColumnPlan> plan;
  std::string header;
  for (const SourceVariable& v : crosswalk->variables) {
    ColumnPlan column;
    using Kind = ColumnPlan::Kind;
    switch (v.role) {
      case SourceRole::kIdentifier:
        column.kind = v.target == "timestamp"   ? Kind::kTimestamp
                      : v.target == "email"     ? Kind::kEmail
                      : v.target == "free_text" ? Kind::kComment
                                                : Kind::kEmpty;
        break;
      case SourceRole::kBackground:
        column.kind = v.target == "municipality" ? Kind::kMunicipality
                      : v.target == "year"       ? Kind::kYear
                      : v.target == "service"    ? Kind::kService
                      : v.target == "position"   ? Kind::kPosition
                                                 : Kind::kEmpty;
        break;
      case SourceRole::kAnswer: {
        const auto it = item_index.find(v.target);
        if (it == item_index.end())
          return Fail("kryssnøkkelen peker på ukjent spørsmål " + v.target);
        column.kind = Kind::kAnswer;
        column.item = it->second;
        break;
      }
      case SourceRole::kIgnore:
        break;
    }
    for (const auto& m : v.categories) {
      if (m.target_code >= 0 && m.target_code < 256 && !m.source_label.empty() &&
          column.label_by_code[static_cast<std::size_t>(m.target_code)].empty()) {
        column.label_by_code[static_cast<std::size_t>(m.target_code)] = CsvField(m.source_label);
      }
    }
    // Older forms had fewer categories: the respondent ticked «Annet».
    const samkart::instrument::Code* fallback = column.kind == Kind::kService    ? other_service
                                                : column.kind == Kind::kPosition ? other_position
                                                                                 : nullptr;
    if (fallback != nullptr) {
      const std::string other = column.label_by_code[static_cast<std::size_t>(fallback->code)];
      for (auto& label : column.label_by_code) {
        if (label.empty()) label = other;
      }
    }
    if (!header.empty()) header += ',';
    header += CsvField(v.name);
    plan.push_back(std::move(column));
  }
  header += '\n';

  std::error_code ec;
  const fs::path out(out_path);
  if (out.has_parent_path()) fs::create_directories(out.parent_path(), ec);
  std::FILE* file = std::fopen(out_path.c_str(), "wb");
  if (file == nullptr) return Fail(out_path + ": kan ikke skrives");
  Writer writer(file);
  writer.buffer() += header;

  // Rounds in generator order, the first N respondents; a round written with
  // fewer than kMinRoundRows rows joins the round before it.
  std::size_t written = 0, labelled_rounds = 0;
  int label_municipality = 0, label_year = 0;
  std::size_t label_rows = 0;
  std::map<int, bool> municipalities_used;
  const auto& d = *data;
  for (std::size_t k = 0; k < d.rounds.size() && written < respondents; ++k) {
    const auto& round = d.rounds[k];
    const std::size_t rows = std::min(round.count, respondents - written);
    if (label_rows == 0 || (label_rows >= kMinRoundRows && rows >= kMinRoundRows)) {
      label_municipality = round.municipality->number;
      label_year = round.year;
      label_rows = 0;
      ++labelled_rounds;
    }
    municipalities_used[label_municipality] = true;
    const std::string municipality = std::to_string(label_municipality);
    const std::string year = std::to_string(label_year);
    for (std::size_t r = round.first; r < round.first + rows; ++r) {
      const auto& person = d.respondents[r];
      const uint64_t key = Key(seed, r, 777);
      const std::size_t local = label_rows + (r - round.first) + 1;
      std::string& line = writer.buffer();
      for (std::size_t c = 0; c < plan.size(); ++c) {
        if (c > 0) line += ',';
        ColumnPlan& column = plan[c];
        switch (column.kind) {
          case ColumnPlan::Kind::kTimestamp: {
            const int month = 1 + static_cast<int>(Uniform(Key(key, 1)) * 11.99);
            const int day = 1 + static_cast<int>(Uniform(Key(key, 2)) * 27.99);
            const int hour = 7 + static_cast<int>(Uniform(Key(key, 3)) * 14.99);
            const int minute = static_cast<int>(Uniform(Key(key, 4)) * 59.99);
            const int second = static_cast<int>(Uniform(Key(key, 5)) * 59.99);
            fmt::format_to(std::back_inserter(line), "{}-{:02}-{:02} {:02}:{:02}:{:02}", label_year,
                           month, day, hour, minute, second);
            break;
          }
          case ColumnPlan::Kind::kEmail:
            fmt::format_to(std::back_inserter(line), "ansatt{:05}@example.org", local);
            break;
          case ColumnPlan::Kind::kComment: {
            const double u = Uniform(Key(key, 9));
            if (u <= 0.08) {
              line += kComments[static_cast<std::size_t>(u * 1000) % std::size(kComments)];
            }
            break;
          }
          case ColumnPlan::Kind::kMunicipality:
            line += municipality;
            break;
          case ColumnPlan::Kind::kYear:
            line += year;
            break;
          case ColumnPlan::Kind::kService:
            line += column.label_by_code[static_cast<std::size_t>(person.service) & 0xFF];
            break;
          case ColumnPlan::Kind::kPosition:
            line += column.label_by_code[static_cast<std::size_t>(person.position) & 0xFF];
            break;
          case ColumnPlan::Kind::kAnswer: {
            const uint8_t answer = d.answers[column.item][r];
            if (answer == samkart::instrument::kBlank || answer == samkart::instrument::kNotAsked)
              break;
            const std::string& label = column.label_by_code[answer];
            if (label.empty()) ++column.unmapped;
            line += label;
            break;
          }
          case ColumnPlan::Kind::kEmpty:
            break;
        }
      }
      line += '\n';
      if (!writer.MaybeFlush()) {
        std::fclose(file);
        return Fail(out_path + ": skrivefeil");
      }
    }
    label_rows += rows;
    written += rows;
  }
  const bool flushed = writer.Flush();
  if (std::fclose(file) != 0 || !flushed) return Fail(out_path + ": skrivefeil");

  std::size_t unmapped = 0;
  for (const auto& column : plan) unmapped += column.unmapped;

  // The municipality register, as `samkart synth` writes kommuner.csv.
  std::string municipalities = "municipality,name_nb,region,size_group,population\n";
  for (const auto& m : parameters->municipalities) {
    municipalities += fmt::format("{},{},{},{},{}\n", m.number, CsvField(m.name), m.region,
                                  m.size_group, m.population);
  }
  const fs::path register_path = out.parent_path() / "kommuner.csv";
  std::FILE* reg = std::fopen(register_path.c_str(), "wb");
  if (reg == nullptr ||
      std::fwrite(municipalities.data(), 1, municipalities.size(), reg) != municipalities.size() ||
      std::fclose(reg) != 0) {
    return Fail(register_path.string() + ": kan ikke skrives");
  }

  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cerr << fmt::format(
      "Skrev {} respondenter ({} runder, {} kommuner, {}) til {} ({:.0f} MB) og {} på {:.1f} s; "
      "{} svar uten etikett i {} ble stående tomme.\n",
      written, labelled_rounds, municipalities_used.size(), crosswalk->generation, out_path,
      static_cast<double>(writer.bytes()) / 1e6, register_path.string(), seconds, unmapped,
      crosswalk->generation);
  return 0;
}
