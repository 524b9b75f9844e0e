#include "samkart/synth/exporter.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "samkart/io/table_writer.h"
#include "samkart/io/text_file.h"
#include "samkart/synth/random.h"

namespace samkart::synth {

namespace {

using instrument::SourceRole;
using instrument::SourceVariable;

struct FormatChoice {
  io::ExportFormat format;
  std::string name;
  io::ExportWriteOptions options;
};

// Older rounds arrive as SPSS and Excel files from the regional centres,
// later ones as CSV from web survey tools: Windows-1252 from Norwegian Excel
// (G4) and UTF-8 label exports (G5), with some Excel files in between.
FormatChoice ChooseFormat(const Round& round) {
  const int number = round.municipality->number;
  FormatChoice c{io::ExportFormat::kCsvUtf8, "csv-utf8", {}};
  if (round.generation == "G1" || (round.generation == "G2" && number % 2 == 0)) {
    c = {io::ExportFormat::kSav, "sav", {}};
  } else if (round.generation == "G2" || round.generation == "G3" ||
             (!round.follow_up && number % 4 == 0)) {
    c = {io::ExportFormat::kXlsx, "xlsx", {}};
  } else if (round.generation == "G4") {
    c = {io::ExportFormat::kCsvWindows1252, "csv-cp1252", {}};
    c.options.value_labels_as_text = true;
  } else {
    c.options.value_labels_as_text = true;
    c.options.utf8_bom = number % 3 == 0;
  }
  // Fixed creation time inside the file: the survey year's 1 March.
  c.options.timestamp = (round.year - 1970) * 31556952LL + 59 * 86400LL;
  return c;
}

// Changes the case of ASCII letters and of Æ Ø Å / æ ø å (UTF-8 C3 86/98/85
// and C3 A6/B8/A5), leaving other bytes alone.
std::string ChangeCase(const std::string& s, bool upper) {
  std::string out = s;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const auto c = static_cast<unsigned char>(out[i]);
    if (c == 0xC3 && i + 1 < out.size()) {
      const auto next = static_cast<unsigned char>(out[i + 1]);
      if (upper && (next == 0xA6 || next == 0xB8 || next == 0xA5))
        out[i + 1] = static_cast<char>(next - 0x20);
      if (!upper && (next == 0x86 || next == 0x98 || next == 0x85))
        out[i + 1] = static_cast<char>(next + 0x20);
      ++i;
    } else if (c < 0x80) {
      out[i] = static_cast<char>(upper ? std::toupper(c) : std::tolower(c));
    }
  }
  return out;
}

// Real exports spell the same category differently from file to file.
std::string Noisy(const std::string& label, int variant) {
  std::string out = label;
  switch (variant) {
    case 1:
      out = ChangeCase(out, false);
      break;
    case 2: {
      // A doubled inner space and a trailing one.
      std::string spaced;
      bool doubled = false;
      for (const char ch : out) {
        spaced.push_back(ch);
        if (ch == ' ' && !doubled) {
          spaced.push_back(' ');
          doubled = true;
        }
      }
      spaced.push_back(' ');
      out = std::move(spaced);
      break;
    }
    case 3:
      out = ChangeCase(out, true);
      break;
    default:
      break;
  }
  return out;
}

const instrument::CategoryMapping* MappingFor(const SourceVariable& v, int target_code) {
  for (const auto& m : v.categories) {
    if (m.target_code == target_code) return &m;
  }
  return nullptr;
}

std::string Timestamp(uint64_t key, int year) {
  const int month = 1 + static_cast<int>(Uniform(Key(key, 1)) * 11.99);
  const int day = 1 + static_cast<int>(Uniform(Key(key, 2)) * 27.99);
  const int hour = 7 + static_cast<int>(Uniform(Key(key, 3)) * 14.99);
  const int minute = static_cast<int>(Uniform(Key(key, 4)) * 59.99);
  const int second = static_cast<int>(Uniform(Key(key, 5)) * 59.99);
  return fmt::format("{}-{:02}-{:02} {:02}:{:02}:{:02}", year, month, day, hour, minute, second);
}

constexpr const char* kComments[] = {"Godt samarbeid med PPT.",
                                     "Ønsker mer opplæring i samtaler med foreldre.",
                                     "Vanskelig å få kontakt med fastlegen.",
                                     "Barnevernet er blitt mer tilgjengelig.",
                                     "Vi trenger faste møter på tvers av tjenestene.",
                                     "Taushetsplikten gjør samarbeid vanskelig."};

class Exporter {
 public:
  Exporter(const instrument::Instrument& in, const SynthData& d, uint64_t seed)
      : in_(in), d_(d), seed_(seed) {
    for (std::size_t i = 0; i < d_.items.size(); ++i) {
      item_index_[d_.items[i].family->id + "." + d_.items[i].item->id] = i;
    }
  }

  std::string FileName(const Round& round, const FormatChoice& format) const {
    return fmt::format("{}_{}_{}.{}", round.year, round.municipality->number,
                       round.follow_up ? "oppfolging" : "baseline",
                       io::ExportFormatExtension(format.format));
  }

  Status WriteRound(std::size_t round_index, const std::string& path,
                    const FormatChoice& format) const {
    const Round& round = d_.rounds[round_index];
    const auto* crosswalk = in_.FindCrosswalk(round.generation);
    const int variant = static_cast<int>(Mix(Key(seed_, round_index)) % 4);
    io::ExportTable table;
    for (const SourceVariable& v : crosswalk->variables) {
      io::ExportColumn column{v.name, v.question, true, {}};
      if (v.role == SourceRole::kIdentifier) column.numeric = v.target == "respondent_id";
      for (const auto& m : v.categories) {
        if (m.source_code) {
          column.value_labels.emplace_back(*m.source_code, format.options.value_labels_as_text
                                                               ? Noisy(m.source_label, variant)
                                                               : m.source_label);
        }
      }
      table.columns.push_back(std::move(column));
    }
    for (std::size_t r = round.first; r < round.first + round.count; ++r) {
      const Respondent& person = d_.respondents[r];
      std::vector<io::ExportCell> row;
      const uint64_t key = Key(seed_, r, 777);
      for (const SourceVariable& v : crosswalk->variables)
        row.push_back(Cell(v, person, round, r, key));
      table.rows.push_back(std::move(row));
    }
    return io::WriteExport(table, format.format, path, format.options);
  }

 private:
  io::ExportCell Cell(const SourceVariable& v, const Respondent& person, const Round& round,
                      std::size_t r, uint64_t key) const {
    const std::size_t local = r - round.first + 1;
    switch (v.role) {
      case SourceRole::kIdentifier:
        if (v.target == "email")
          return io::ExportCell::Text(fmt::format("ansatt{:05}@example.org", local));
        if (v.target == "timestamp") return io::ExportCell::Text(Timestamp(key, round.year));
        if (v.target == "respondent_id") return io::ExportCell::Code(static_cast<int>(local));
        if (v.target == "ip_address")
          return io::ExportCell::Text(fmt::format("192.0.2.{}", local % 250 + 1));
        if (v.target == "free_text") {
          const double u = Uniform(Key(key, 9));
          if (u > 0.08) return io::ExportCell::Missing();
          return io::ExportCell::Text(
              kComments[static_cast<std::size_t>(u * 1000) % std::size(kComments)]);
        }
        return io::ExportCell::Missing();
      case SourceRole::kIgnore:
        return io::ExportCell::Number(std::round((300 + 1500 * Uniform(Key(key, 11))) * 10) / 10);
      case SourceRole::kBackground: {
        if (v.target == "municipality") return io::ExportCell::Code(round.municipality->number);
        if (v.target == "year") return io::ExportCell::Code(round.year);
        int code = v.target == "service" ? person.service : person.position;
        const instrument::CategoryMapping* m = MappingFor(v, code);
        if (m == nullptr) {
          // Older forms had fewer categories: the respondent ticked «Annet».
          const auto* fallback =
              v.target == "service"
                  ? static_cast<const instrument::Code*>(in_.FindService("annen_tjeneste"))
                  : in_.FindPosition("annen_stilling");
          m = fallback != nullptr ? MappingFor(v, fallback->code) : nullptr;
        }
        if (m == nullptr || !m->source_code) return io::ExportCell::Missing();
        return io::ExportCell::Code(*m->source_code);
      }
      case SourceRole::kAnswer: {
        const auto it = item_index_.find(v.target);
        if (it == item_index_.end()) return io::ExportCell::Missing();
        const uint8_t answer = d_.answers[it->second][r];
        if (answer == kBlank || answer == kNotAsked) return io::ExportCell::Missing();
        const instrument::CategoryMapping* m = MappingFor(v, answer);
        if (m == nullptr || !m->source_code) return io::ExportCell::Missing();
        return io::ExportCell::Code(*m->source_code);
      }
    }
    return io::ExportCell::Missing();
  }

  const instrument::Instrument& in_;
  const SynthData& d_;
  uint64_t seed_;
  std::map<std::string, std::size_t> item_index_;
};

std::string CsvField(const std::string& s) { return io::QuoteCsvField(s); }

}  // namespace

Result<ExportSummary> WriteSynthDataset(
    const instrument::Instrument& instrument, const Parameters& parameters, const SynthData& data,
    const std::string& out_dir, uint64_t seed,
    const std::function<void(std::size_t, std::size_t)>& progress) {
  Exporter exporter(instrument, data, seed);
  ExportSummary summary;
  std::string manifest =
      "file,municipality,name_nb,year,round_type,generation,format,respondents\n";
  std::string invited = "municipality,year,round_type,service,invited\n";
  for (std::size_t k = 0; k < data.rounds.size(); ++k) {
    const Round& round = data.rounds[k];
    const FormatChoice format = ChooseFormat(round);
    const std::string name = exporter.FileName(round, format);
    SAMKART_TRY(exporter.WriteRound(k, out_dir + "/eksport/" + name, format));
    const std::string round_type = round.follow_up ? "follow_up" : "baseline";
    manifest += fmt::format("eksport/{},{},{},{},{},{},{},{}\n", name, round.municipality->number,
                            CsvField(round.municipality->name), round.year, round_type,
                            round.generation, format.name, round.count);
    // Invited employees per service: answered divided by a response rate of 65–95 %.
    std::map<int, std::size_t> answered;
    for (std::size_t r = round.first; r < round.first + round.count; ++r)
      ++answered[data.respondents[r].service];
    const double rate = 0.65 + 0.3 * Uniform(Key(seed, k, 4242));
    for (const auto& [service, n] : answered) {
      const auto invited_count = static_cast<std::size_t>(std::ceil(static_cast<double>(n) / rate));
      invited += fmt::format("{},{},{},{},{}\n", round.municipality->number, round.year, round_type,
                             instrument.FindServiceByCode(service)->key, invited_count);
    }
    ++summary.files;
    ++summary.files_by_format[format.name];
    summary.respondents += round.count;
    if (!round.follow_up) summary.baseline_respondents += round.count;
    if (progress) progress(k + 1, data.rounds.size());
  }
  std::string municipalities = "municipality,name_nb,region,size_group,population\n";
  for (const Municipality& m : parameters.municipalities) {
    municipalities += fmt::format("{},{},{},{},{}\n", m.number, CsvField(m.name), m.region,
                                  m.size_group, m.population);
  }
  std::string targets = "indicator,breakdown,value_pct,tolerance_pp,source,confidence,applies_to\n";
  for (const Target& t : parameters.targets) {
    targets +=
        fmt::format("{},{},{},{},{},{},baseline\n", CsvField(t.indicator), CsvField(t.breakdown),
                    t.value_pct, t.tolerance_pp, CsvField(t.source), t.confidence);
  }
  for (const auto& [file, content] : {std::pair<std::string, std::string>{"manifest.csv", manifest},
                                      {"kommuner.csv", municipalities},
                                      {"inviterte.csv", invited},
                                      {"kalibrering.csv", targets}}) {
    if (auto written = io::WriteTextFile(out_dir + "/" + file, content); !written)
      return written.error();
  }
  // The parameter files that made the data, byte for byte, so a dataset
  // documents its own fictional country even after data/synth/ changes.
  for (const io::TextFile& file : parameters.files) {
    if (auto written = io::WriteTextFile(out_dir + "/parametere/" + file.path, file.content);
        !written)
      return written.error();
  }
  return summary;
}

}  // namespace samkart::synth
