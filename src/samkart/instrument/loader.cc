#include "samkart/instrument/loader.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "samkart/core/text.h"
#include "samkart/instrument/embedded.h"
#include "samkart/io/csv_reader.h"

namespace samkart::instrument {

std::string Diagnostic::ToString() const {
  if (line == 0) return fmt::format("{}: {}", file, message);
  return fmt::format("{}:{}: {}", file, line, message);
}

namespace {

// Collects problems with the display path of the file they belong to.
class Problems {
 public:
  explicit Problems(std::string root) : root_(std::move(root)) {}

  void Add(const std::string& file, std::size_t line, std::string message) {
    list_.push_back({root_ + file, line, std::move(message)});
  }
  std::vector<Diagnostic>& list() { return list_; }

 private:
  std::string root_;
  std::vector<Diagnostic> list_;
};

// A parsed CSV file with named columns. Column problems are reported once,
// when the file is opened; rows then read fields by name.
class Table {
 public:
  struct Row {
    const Table* table;
    const io::CsvRecord* record;

    std::size_t line() const { return record->line; }
    std::string Get(const std::string& column) const {
      const auto it = table->columns_.find(column);
      if (it == table->columns_.end() || it->second >= record->fields.size()) return {};
      // A crosswalk draft escapes formula-like cells for the spreadsheet.
      return std::string(text::WithoutFormulaGuard(text::Trim(record->fields[it->second])));
    }
  };

  static std::optional<Table> Open(const io::TextFile* file, const std::string& name,
                                   const std::vector<std::string>& required,
                                   const std::vector<std::string>& optional, Problems& problems) {
    if (file == nullptr) {
      problems.Add(name, 0, "filen mangler");
      return std::nullopt;
    }
    if (!text::IsValidUtf8(file->content)) {
      problems.Add(name, 0, "filen er ikke gyldig UTF-8 (lagre den som «CSV UTF-8»)");
      return std::nullopt;
    }
    // A spreadsheet with Norwegian settings saves «CSV UTF-8» with semicolons.
    io::CsvOptions options;
    options.delimiter = io::DetectCsvDelimiter(file->content);
    io::CsvReader reader(file->content, options);
    io::CsvRecord header;
    std::vector<io::CsvRecord> records;
    if (reader.Next(header)) {
      for (io::CsvRecord record; reader.Next(record);) records.push_back(std::move(record));
    }
    if (!reader.error().empty()) {
      problems.Add(name, reader.error_line(), reader.error_reason());
      return std::nullopt;
    }
    if (header.fields.empty()) {
      problems.Add(name, 0, "filen er tom (mangler overskriftsrad)");
      return std::nullopt;
    }
    Table table;
    table.name_ = name;
    bool ok = true;
    for (std::size_t i = 0; i < header.fields.size(); ++i) {
      const std::string column(text::Trim(header.fields[i]));
      const bool known = std::find(required.begin(), required.end(), column) != required.end() ||
                         std::find(optional.begin(), optional.end(), column) != optional.end();
      if (!known) {
        // Reported, but the rest of the file is still usable.
        problems.Add(
            name, 1,
            fmt::format("ukjent kolonne «{}» (forventet: {})", column, text::Join(required, ", ")));
      } else if (!table.columns_.emplace(column, i).second) {
        problems.Add(name, 1, fmt::format("kolonnen «{}» står to ganger", column));
        ok = false;
      }
    }
    for (const std::string& column : required) {
      if (!table.columns_.contains(column)) {
        problems.Add(name, 1, fmt::format("mangler kolonnen «{}»", column));
        ok = false;
      }
    }
    if (!ok) return std::nullopt;
    for (io::CsvRecord& record : records) {
      if (record.fields.size() > header.fields.size()) {
        problems.Add(name, record.line,
                     fmt::format("raden har {} felt, overskriften {}", record.fields.size(),
                                 header.fields.size()));
        continue;
      }
      table.records_.push_back(std::move(record));
    }
    return table;
  }

  const std::string& name() const { return name_; }
  std::vector<Row> rows() const {
    std::vector<Row> rows;
    for (const io::CsvRecord& r : records_) rows.push_back({this, &r});
    return rows;
  }

 private:
  std::string name_;
  std::map<std::string, std::size_t> columns_;
  std::vector<io::CsvRecord> records_;
};

// Field readers that report what is wrong and where.
class Fields {
 public:
  Fields(const Table& table, Problems& problems) : table_(table), problems_(problems) {}

  std::string Required(const Table::Row& row, const std::string& column) {
    std::string value = row.Get(column);
    if (value.empty()) Report(row, fmt::format("«{}» er tom", column));
    return value;
  }

  std::string Identifier(const Table::Row& row, const std::string& column) {
    std::string value = Required(row, column);
    const bool valid = std::all_of(value.begin(), value.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
    if (!value.empty() && !valid) {
      Report(row, fmt::format("«{}» = «{}»: bruk bare a–z, 0–9 og _", column, value));
    }
    return value;
  }

  std::optional<int> Int(const Table::Row& row, const std::string& column, bool required,
                         int min_value, int max_value) {
    const std::string value = row.Get(column);
    if (value.empty()) {
      if (required) Report(row, fmt::format("«{}» er tom", column));
      return std::nullopt;
    }
    const auto parsed = text::ParseInt(value);
    if (!parsed || *parsed < min_value || *parsed > max_value) {
      Report(row, fmt::format("«{}» = «{}» er ikke et heltall fra {} til {}", column, value,
                              min_value, max_value));
      return std::nullopt;
    }
    return parsed;
  }

  std::optional<bool> YesNo(const Table::Row& row, const std::string& column) {
    const std::string value = row.Get(column);
    if (value == "yes") return true;
    if (value == "no" || value.empty()) return false;
    Report(row, fmt::format("«{}» = «{}»: skal være yes eller no", column, value));
    return std::nullopt;
  }

  // Reports a value reused in a column that must be unique within the file.
  template <typename Key>
  void Unique(std::map<Key, std::size_t>& seen, const Key& key, const Table::Row& row,
              const std::string& what) {
    const auto [it, inserted] = seen.emplace(key, row.line());
    if (!inserted) {
      Report(row, fmt::format("{} er allerede brukt (linje {})", what, it->second));
    }
  }

  void Report(const Table::Row& row, std::string message) {
    problems_.Add(table_.name(), row.line(), std::move(message));
  }

 private:
  const Table& table_;
  Problems& problems_;
};

constexpr int kMaxCode = 999;

class Loader {
 public:
  Loader(const std::vector<io::TextFile>& files, const std::string& root) : problems_(root) {
    for (const io::TextFile& file : files) files_.emplace(file.path, &file);
  }

  LoadResult Run() {
    CheckFileSet();
    LoadScales();
    LoadServices();
    LoadPositions();
    LoadSizeGroups();
    instrument_.regions = LoadCodes("background/regions.csv");
    instrument_.round_types = LoadCodes("background/round_types.csv");
    LoadGenerations();
    LoadFamilies();
    LoadItems();
    CheckFamilies();
    if (File("report_figures.csv") != nullptr) LoadReportFigures();
    if (File("knowledge_areas.csv") != nullptr) LoadKnowledgeAreas();
    if (File("transitions.csv") != nullptr) LoadServiceLinks();
    // A broken scale or family would make every crosswalk row that uses it
    // fail too; check the crosswalks once the core files are clean.
    LoadResult result;
    result.crosswalks_checked = problems_.list().empty();
    if (result.crosswalks_checked) LoadCrosswalks();
    result.problems = std::move(problems_.list());
    if (result.problems.empty()) result.instrument = std::move(instrument_);
    return result;
  }

 private:
  const io::TextFile* File(const std::string& name) const {
    const auto it = files_.find(name);
    return it == files_.end() ? nullptr : it->second;
  }

  void CheckFileSet() {
    // Not a structured binding: clang before 16 cannot capture one in a lambda.
    for (const auto& entry : files_) {
      const std::string& name = entry.first;
      auto listed = [&](const auto& files) {
        return std::find_if(std::begin(files), std::end(files),
                            [&](const char* f) { return name == f; }) != std::end(files);
      };
      const bool known = listed(kInstrumentFiles) || listed(kOptionalInstrumentFiles);
      if (!known && !name.starts_with(kCrosswalkFolder)) {
        problems_.Add(name, 0, "ukjent fil i instrumentmappen");
      }
    }
  }

  void LoadScales() {
    auto table = Table::Open(File("scales.csv"), "scales.csv",
                             {"scale", "code", "label_nb", "kind"}, {"note"}, problems_);
    if (!table) return;
    Fields f(*table, problems_);
    std::map<std::pair<std::string, int>, std::size_t> codes;
    std::map<std::pair<std::string, std::string>, std::size_t> labels;
    for (const auto& row : table->rows()) {
      const std::string id = f.Identifier(row, "scale");
      const auto code = f.Int(row, "code", true, 0, kMaxCode);
      const std::string label = f.Required(row, "label_nb");
      const std::string kind = row.Get("kind");
      if (kind != "answer" && kind != "dont_know") {
        f.Report(row, fmt::format("«kind» = «{}»: skal være answer eller dont_know", kind));
      }
      if (id.empty() || !code) continue;
      f.Unique(codes, std::pair(id, *code), row, fmt::format("koden {} i skalaen «{}»", *code, id));
      f.Unique(labels, std::pair(id, text::FoldLabel(label)), row,
               fmt::format("kategorien «{}» i skalaen «{}»", label, id));
      Scale* scale = FindOrAdd(instrument_.scales, id);
      scale->categories.push_back(
          {*code, label, kind == "dont_know" ? CategoryKind::kDontKnow : CategoryKind::kAnswer});
    }
  }

  static Scale* FindOrAdd(std::vector<Scale>& scales, const std::string& id) {
    for (Scale& s : scales) {
      if (s.id == id) return &s;
    }
    scales.push_back({id, {}});
    return &scales.back();
  }

  // Reads code, key, label_nb and short_nb; extra columns go to `extra`.
  template <typename T>
  std::vector<T> LoadCodeTable(const std::string& name, const std::vector<std::string>& extra,
                               const std::function<void(T&, const Table::Row&, Fields&)>& fill,
                               const std::vector<std::string>& extra_optional = {}) {
    std::vector<T> codes;
    std::vector<std::string> optional = {"short_nb", "note"};
    optional.insert(optional.end(), extra_optional.begin(), extra_optional.end());
    auto table = Table::Open(
        File(name), name,
        [&] {
          std::vector<std::string> required = {"code", "key", "label_nb"};
          required.insert(required.end(), extra.begin(), extra.end());
          return required;
        }(),
        optional, problems_);
    if (!table) return codes;
    Fields f(*table, problems_);
    std::map<int, std::size_t> seen_codes;
    std::map<std::string, std::size_t> seen_keys;
    for (const auto& row : table->rows()) {
      T value;
      const auto code = f.Int(row, "code", true, 0, kMaxCode);
      value.key = f.Identifier(row, "key");
      value.label = f.Required(row, "label_nb");
      value.short_label = row.Get("short_nb");
      if (value.short_label.empty()) value.short_label = value.label;
      if (code) {
        value.code = *code;
        f.Unique(seen_codes, *code, row, fmt::format("koden {}", *code));
      }
      if (!value.key.empty())
        f.Unique(seen_keys, value.key, row, fmt::format("nøkkelen «{}»", value.key));
      if (fill) fill(value, row, f);
      codes.push_back(std::move(value));
    }
    if (codes.empty()) problems_.Add(name, 0, "filen har ingen koder");
    return codes;
  }

  std::vector<Code> LoadCodes(const std::string& name) { return LoadCodeTable<Code>(name, {}, {}); }

  void LoadServices() {
    const std::string name = "background/services.csv";
    std::map<std::string, std::size_t> lines;
    instrument_.services =
        LoadCodeTable<Service>(name, {"answers_survey", "generalises_to"},
                               [&](Service& s, const Table::Row& row, Fields& f) {
                                 s.answers_survey = f.YesNo(row, "answers_survey").value_or(true);
                                 s.generalises_to = row.Get("generalises_to");
                                 for (const auto& key : text::Split(row.Get("covers"), '|')) {
                                   if (!key.empty()) s.covers.push_back(key);
                                 }
                                 lines[s.key] = row.line();
                               },
                               {"covers"});
    CheckGeneralisationChains(name, instrument_.services, lines, "tjeneste");
    for (const Service& s : instrument_.services) {
      for (const std::string& key : s.covers) {
        if (instrument_.FindService(key) == nullptr) {
          problems_.Add(name, lines[s.key],
                        fmt::format("«covers» = «{}» er ingen tjeneste i filen", key));
        }
      }
    }
  }

  void LoadPositions() {
    const std::string name = "background/positions.csv";
    std::map<std::string, std::size_t> lines;
    instrument_.positions = LoadCodeTable<Position>(
        name, {"generalises_to"}, [&](Position& p, const Table::Row& row, Fields&) {
          p.generalises_to = row.Get("generalises_to");
          lines[p.key] = row.line();
        });
    CheckGeneralisationChains(name, instrument_.positions, lines, "stilling");
  }

  // Each chain of generalisations (k-anonymity) must end at a code that
  // generalises no further.
  template <typename T>
  void CheckGeneralisationChains(const std::string& name, const std::vector<T>& codes,
                                 std::map<std::string, std::size_t>& lines, const char* noun) {
    auto find = [&](const std::string& key) -> const T* {
      for (const T& c : codes) {
        if (c.key == key) return &c;
      }
      return nullptr;
    };
    for (const T& start : codes) {
      std::set<std::string> visited = {start.key};
      const T* c = &start;
      while (!c->generalises_to.empty()) {
        const T* next = find(c->generalises_to);
        if (next == nullptr) {
          problems_.Add(
              name, lines[c->key],
              fmt::format("«generalises_to» = «{}» er ingen {} i filen", c->generalises_to, noun));
          break;
        }
        if (!visited.insert(next->key).second) {
          problems_.Add(name, lines[start.key],
                        fmt::format("generaliseringen av «{}» går i ring", start.key));
          break;
        }
        c = next;
      }
    }
  }

  void LoadSizeGroups() {
    const std::string name = "background/size_groups.csv";
    std::map<std::string, std::size_t> lines;
    instrument_.size_groups = LoadCodeTable<SizeGroup>(
        name, {"min_population", "max_population"},
        [&](SizeGroup& g, const Table::Row& row, Fields& f) {
          g.min_population = f.Int(row, "min_population", true, 0, 100'000'000).value_or(0);
          g.max_population = f.Int(row, "max_population", false, 0, 100'000'000);
          if (g.max_population && *g.max_population < g.min_population) {
            f.Report(row, fmt::format("«max_population» {} er mindre enn «min_population» {}",
                                      *g.max_population, g.min_population));
          }
          lines[g.key] = row.line();
        });
    // Bands must follow each other without gaps or overlaps.
    for (std::size_t i = 1; i < instrument_.size_groups.size(); ++i) {
      const SizeGroup& before = instrument_.size_groups[i - 1];
      const SizeGroup& group = instrument_.size_groups[i];
      if (!before.max_population || *before.max_population + 1 != group.min_population) {
        problems_.Add(name, lines[group.key],
                      fmt::format("«{}» begynner på {}, men gruppen før slutter på {}", group.key,
                                  group.min_population,
                                  before.max_population ? std::to_string(*before.max_population)
                                                        : "(ingen øvre grense)"));
      }
    }
  }

  void LoadGenerations() {
    auto table = Table::Open(File("generations.csv"), "generations.csv",
                             {"generation", "name_nb", "first_year", "last_year", "current"},
                             {"description_nb"}, problems_);
    if (!table) return;
    Fields f(*table, problems_);
    std::map<std::string, std::size_t> seen;
    int current = 0;
    std::size_t second_current_line = 0;
    for (const auto& row : table->rows()) {
      Generation g;
      g.id = f.Required(row, "generation");
      g.name = f.Required(row, "name_nb");
      g.first_year = f.Int(row, "first_year", true, 1990, 2100).value_or(0);
      g.last_year = f.Int(row, "last_year", false, 1990, 2100);
      g.current = f.YesNo(row, "current").value_or(false);
      g.description = row.Get("description_nb");
      if (g.last_year && *g.last_year < g.first_year) {
        f.Report(row,
                 fmt::format("«last_year» {} er før «first_year» {}", *g.last_year, g.first_year));
      }
      if (!g.id.empty()) f.Unique(seen, g.id, row, fmt::format("generasjonen «{}»", g.id));
      current += g.current ? 1 : 0;
      if (g.current && current == 2) second_current_line = row.line();
      generation_lines_[g.id] = row.line();
      instrument_.generations.push_back(std::move(g));
    }
    // Two current generations: name the second; none: the file as a whole.
    if (current != 1) {
      problems_.Add("generations.csv", second_current_line,
                    fmt::format("nøyaktig én generasjon skal ha current=yes, fant {}", current));
    }
  }

  std::vector<int> ParseCodes(const std::string& value, const Table::Row& row, Fields& f,
                              const std::string& column) {
    std::vector<int> codes;
    for (const std::string& part : text::Split(value, '|')) {
      const auto code = text::ParseInt(part);
      if (!code) {
        f.Report(row, fmt::format("«{}» = «{}»: «{}» er ingen kode (skriv for eksempel 4|5)",
                                  column, value, part));
        return {};
      }
      codes.push_back(*code);
    }
    return codes;
  }

  void ReadPolarityAndType(Family& family, const Table::Row& row, Fields& f) {
    const std::string polarity = row.Get("polarity");
    if (polarity.empty() || polarity == "higher_is_better") {
      family.polarity = Polarity::kHigherIsBetter;
    } else if (polarity == "higher_is_worse") {
      family.polarity = Polarity::kHigherIsWorse;
    } else if (polarity == "descriptive") {
      family.polarity = Polarity::kDescriptive;
    } else {
      f.Report(row, fmt::format("«polarity» = «{}»: skal være higher_is_better, "
                                "higher_is_worse eller descriptive",
                                polarity));
    }
    const std::string type = row.Get("type");
    if (type == "rating") {
      family.type = FamilyType::kRating;
    } else if (type == "single_choice") {
      family.type = FamilyType::kSingleChoice;
    } else if (type == "multiple_choice") {
      family.type = FamilyType::kMultipleChoice;
    } else {
      f.Report(row,
               fmt::format("«type» = «{}»: skal være rating, single_choice eller multiple_choice",
                           type));
    }
  }

  // The scale, the categories the reported share counts and how «Vet ikke» counts.
  void ReadScaleAndShare(Family& family, const Table::Row& row, Fields& f) {
    family.scale = f.Required(row, "scale");
    const Scale* scale = instrument_.FindScale(family.scale);
    if (!family.scale.empty() && scale == nullptr) {
      f.Report(row, fmt::format("ukjent skala «{}» (finnes ikke i scales.csv)", family.scale));
    }
    const std::string share = f.Required(row, "reported_share");
    if (!share.empty()) family.reported_share = ParseCodes(share, row, f, "reported_share");
    for (const int code : family.reported_share) {
      const Category* category = scale != nullptr ? scale->Find(code) : nullptr;
      if (scale != nullptr && category == nullptr) {
        f.Report(row, fmt::format("andelsregelen nevner kode {}, som skalaen «{}» ikke har", code,
                                  family.scale));
      } else if (category != nullptr && category->kind == CategoryKind::kDontKnow) {
        f.Report(row, fmt::format("andelsregelen tar med «{}», som er en vet ikke-kategori",
                                  category->label));
      }
    }
    if (scale != nullptr && family.type == FamilyType::kMultipleChoice) {
      const bool checkbox = scale->categories.size() == 2 && scale->Find(0) && scale->Find(1);
      if (!checkbox) {
        f.Report(row, fmt::format(
                          "flervalg krever en avkrysningsskala med kodene 0 og 1, «{}» er ikke det",
                          family.scale));
      }
    }
    const std::string dont_know = row.Get("dont_know");
    if (dont_know == "in_denominator") {
      family.dont_know_in_denominator = true;
    } else if (dont_know == "excluded") {
      family.dont_know_in_denominator = false;
    } else {
      f.Report(row, fmt::format("«dont_know» = «{}»: skal være in_denominator eller excluded",
                                dont_know));
    }
  }

  // Who is asked: services that are not, and the answer that routes to the family.
  void ReadRouting(Family& family, const Table::Row& row, Fields& f) {
    const std::string not_asked = row.Get("not_asked_services");
    if (!not_asked.empty()) {
      for (const std::string& key : text::Split(not_asked, '|')) {
        if (instrument_.FindService(key) == nullptr) {
          f.Report(row, fmt::format("«not_asked_services» nevner «{}», som ikke er en tjeneste i "
                                    "background/services.csv",
                                    key));
        }
        family.not_asked_services.push_back(key);
      }
    }
    const std::string asked_if = row.Get("asked_if");
    if (!asked_if.empty()) {
      const auto eq = asked_if.find('=');
      const auto dot = asked_if.find('.');
      if (eq == std::string::npos || dot == std::string::npos || dot > eq) {
        f.Report(row, fmt::format("«asked_if» = «{}»: skriv familie.spørsmål=koder, for eksempel "
                                  "concern_experienced.concern_last_12_months=2|3|4",
                                  asked_if));
      } else {
        family.asked_if = Condition{asked_if.substr(0, dot), asked_if.substr(dot + 1, eq - dot - 1),
                                    ParseCodes(asked_if.substr(eq + 1), row, f, "asked_if")};
        condition_lines_[family.id] = row.line();
      }
    }
  }

  void LoadFamilies() {
    auto table = Table::Open(
        File("families.csv"), "families.csv",
        {"family", "order", "section", "title_nb", "stem_nb", "type", "scale", "reported_share",
         "dont_know", "not_asked_services", "asked_if", "excludes_own_service"},
        {"note_nb", "polarity"}, problems_);
    if (!table) return;
    Fields f(*table, problems_);
    std::map<std::string, std::size_t> seen_ids;
    std::map<int, std::size_t> seen_orders;
    for (const auto& row : table->rows()) {
      Family family;
      family.id = f.Identifier(row, "family");
      family.order = f.Int(row, "order", true, 1, 10'000).value_or(0);
      family.section = row.Get("section");
      family.title = f.Required(row, "title_nb");
      family.stem = f.Required(row, "stem_nb");
      family.note = row.Get("note_nb");
      ReadPolarityAndType(family, row, f);
      ReadScaleAndShare(family, row, f);
      ReadRouting(family, row, f);
      family.excludes_own_service = f.YesNo(row, "excludes_own_service").value_or(false);
      if (family.order > 0)
        f.Unique(seen_orders, family.order, row, fmt::format("rekkefølgen {}", family.order));
      if (!family.id.empty()) {
        f.Unique(seen_ids, family.id, row, fmt::format("familien «{}»", family.id));
        if (family_lines_.contains(family.id)) continue;  // keep the first definition
      }
      family_lines_[family.id] = row.line();
      instrument_.families.push_back(std::move(family));
    }
    std::sort(instrument_.families.begin(), instrument_.families.end(),
              [](const Family& a, const Family& b) { return a.order < b.order; });
  }

  void LoadItems() {
    auto table = Table::Open(File("items.csv"), "items.csv", {"family", "item", "order", "text_nb"},
                             {"short_nb", "partner_service", "note_nb"}, problems_);
    if (!table) return;
    Fields f(*table, problems_);
    std::map<std::pair<std::string, std::string>, std::size_t> seen_ids;
    std::map<std::pair<std::string, int>, std::size_t> seen_orders;
    for (const auto& row : table->rows()) {
      const std::string family_id = f.Required(row, "family");
      Item item;
      item.id = f.Identifier(row, "item");
      item.order = f.Int(row, "order", true, 1, 10'000).value_or(0);
      item.text = f.Required(row, "text_nb");
      item.short_label = row.Get("short_nb");
      if (item.short_label.empty()) item.short_label = item.text;
      item.partner_service = row.Get("partner_service");
      if (!item.partner_service.empty() &&
          instrument_.FindService(item.partner_service) == nullptr) {
        f.Report(row,
                 fmt::format("«partner_service» = «{}» er ingen tjeneste i background/services.csv",
                             item.partner_service));
      }
      Family* family = nullptr;
      for (Family& candidate : instrument_.families) {
        if (candidate.id == family_id) {
          family = &candidate;
          break;
        }
      }
      if (family == nullptr) {
        if (!family_id.empty()) {
          f.Report(row, fmt::format("ukjent familie «{}» (finnes ikke i families.csv)", family_id));
        }
        continue;
      }
      if (!item.id.empty()) {
        f.Unique(seen_ids, std::pair(family_id, item.id), row,
                 fmt::format("spørsmålet «{}.{}»", family_id, item.id));
      }
      if (item.order > 0) {
        f.Unique(seen_orders, std::pair(family_id, item.order), row,
                 fmt::format("rekkefølgen {} i familien «{}»", item.order, family_id));
      }
      family->items.push_back(std::move(item));
    }
    for (Family& family : instrument_.families) {
      std::sort(family.items.begin(), family.items.end(),
                [](const Item& a, const Item& b) { return a.order < b.order; });
    }
  }

  // Checks that need families and items together: routing and own-service rules.
  void CheckFamilies() {
    for (const Family& family : instrument_.families) {
      const std::size_t line = family_lines_[family.id];
      if (family.items.empty()) {
        problems_.Add("families.csv", line,
                      fmt::format("familien «{}» har ingen spørsmål i items.csv", family.id));
      }
      if (family.excludes_own_service) {
        for (const Item& item : family.items) {
          if (item.partner_service.empty()) {
            problems_.Add(
                "families.csv", line,
                fmt::format("excludes_own_service=yes, men «{}.{}» mangler partner_service",
                            family.id, item.id));
          }
        }
      }
      if (family.asked_if) CheckCondition(family);
    }
  }

  void CheckCondition(const Family& family) {
    const Condition& condition = *family.asked_if;
    const std::size_t line = condition_lines_[family.id];
    const Family* target = instrument_.FindFamily(condition.family);
    const Item* item = target != nullptr ? target->FindItem(condition.item) : nullptr;
    if (item == nullptr) {
      problems_.Add("families.csv", line,
                    fmt::format("«asked_if» viser til «{}.{}», som ikke finnes", condition.family,
                                condition.item));
      return;
    }
    if (target->id == family.id) {
      problems_.Add("families.csv", line, "«asked_if» kan ikke vise til familien selv");
      return;
    }
    if (const Scale* scale = instrument_.FindScale(target->scale)) {
      for (const int code : condition.codes) {
        if (scale->Find(code) == nullptr) {
          problems_.Add(
              "families.csv", line,
              fmt::format("«asked_if» nevner kode {}, som skalaen «{}» ikke har", code, scale->id));
        }
      }
    }
    // Routing must lead back to an unconditional question, never in a circle.
    std::set<std::string> chain = {family.id};
    for (const Family* f = target; f != nullptr && f->asked_if;
         f = instrument_.FindFamily(f->asked_if->family)) {
      if (!chain.insert(f->id).second) {
        problems_.Add("families.csv", line,
                      fmt::format("«asked_if» for «{}» går i ring", family.id));
        return;
      }
    }
  }

  // Which generation a crosswalk file maps: its «generation» column, or
  // else its name («g5.csv», «g5-questback.csv»).
  const Generation* CrosswalkGeneration(const std::string& name, const std::string& layout,
                                        const Table& table) {
    auto find = [&](const std::string& id) -> const Generation* {
      for (const Generation& g : instrument_.generations) {
        if (text::FoldLabel(g.id) == text::FoldLabel(id)) return &g;
      }
      return nullptr;
    };
    std::vector<std::string> known;
    for (const Generation& g : instrument_.generations) known.push_back(g.id);
    std::string declared;
    for (const auto& row : table.rows()) {
      const std::string value = row.Get("generation");
      if (value.empty()) continue;
      if (declared.empty()) {
        declared = value;
        if (find(value) == nullptr) {
          problems_.Add(
              name, row.line(),
              fmt::format("«generation» = «{}» finnes ikke i generations.csv (kjente: {})", value,
                          text::Join(known, ", ")));
          return nullptr;
        }
      } else if (text::FoldLabel(value) != text::FoldLabel(declared)) {
        problems_.Add(name, row.line(),
                      fmt::format("«generation» = «{}», men filen har sagt «{}» før: en "
                                  "kryssnøkkel gjelder én generasjon",
                                  value, declared));
        return nullptr;
      }
    }
    if (!declared.empty()) return find(declared);
    for (const Generation& g : instrument_.generations) {
      const std::string id = text::FoldLabel(g.id);
      const std::string stem = text::FoldLabel(layout);
      if (stem == id || (stem.size() > id.size() && stem.starts_with(id) &&
                         (stem[id.size()] == '-' || stem[id.size()] == '_'))) {
        return &g;
      }
    }
    problems_.Add(
        name, 0,
        fmt::format("filnavnet «{}» sier ikke hvilken generasjon nøkkelen gjelder: gi "
                    "filen en kolonne «generation» eller et navn som begynner med "
                    "generasjonen («{}-verktøy.csv»; kjente: {})",
                    layout + ".csv", text::FoldLabel(known.back()), text::Join(known, ", ")));
    return nullptr;
  }

  void LoadCrosswalks() {
    std::set<std::string> covered;
    for (const auto& [name, file] : files_) {
      if (!name.starts_with(kCrosswalkFolder)) continue;
      const std::string stem = name.substr(std::string(kCrosswalkFolder).size());
      const std::string layout = stem.substr(0, stem.rfind('.'));
      auto table = Table::Open(file, name,
                               {"source_variable", "source_question", "role", "target",
                                "source_code", "source_label", "target_code"},
                               {"note", "generation"}, problems_);
      if (!table) continue;
      const Generation* generation = CrosswalkGeneration(name, layout, *table);
      if (generation == nullptr) continue;
      covered.insert(generation->id);
      LoadCrosswalk(name, layout, *table, *generation);
    }
    for (const Generation& g : instrument_.generations) {
      if (!covered.contains(g.id)) {
        problems_.Add("generations.csv", generation_lines_[g.id],
                      fmt::format("generasjonen «{}» har ingen nøkkel i {}{}.csv", g.id,
                                  kCrosswalkFolder, text::FoldLabel(g.id)));
      }
    }
  }

  // What one crosswalk file has defined so far, to find what it repeats.
  struct CrosswalkSeen {
    std::map<std::string, std::size_t> index;  // source variable → position in crosswalk
    std::map<std::string, std::size_t> target_lines;
    std::map<std::pair<std::string, int>, std::size_t> mapped_codes;
    std::map<std::pair<std::string, std::string>, std::size_t> mapped_labels;
    // The layout's own labels and codes per scale («role» = scale), used by
    // every answer column of that scale that lists no categories itself.
    std::map<std::string, SourceVariable> scales;
  };

  static std::optional<SourceRole> ParseRole(const std::string& role_text) {
    if (role_text == "identifier") return SourceRole::kIdentifier;
    if (role_text == "background") return SourceRole::kBackground;
    if (role_text == "answer") return SourceRole::kAnswer;
    if (role_text == "ignore") return SourceRole::kIgnore;
    return std::nullopt;
  }

  // The category a crosswalk row maps, added to its variable; a row of a
  // variable without categories may only name the variable, once.
  void ReadCategory(SourceVariable& variable, bool first_row, const Table::Row& row, Fields& f,
                    CrosswalkSeen& seen) {
    const std::string& variable_name = variable.name;
    const std::string source_code = row.Get("source_code");
    const std::string source_label = row.Get("source_label");
    const std::string target_code = row.Get("target_code");
    const bool takes_categories = TakesCategories(variable);
    if (!takes_categories) {
      if (!source_code.empty() || !source_label.empty() || !target_code.empty()) {
        f.Report(row, fmt::format("variabelen «{}» ({} «{}») skal ikke ha kategorier",
                                  variable_name, ToString(variable.role), variable.target));
      } else if (!first_row) {
        f.Report(row, fmt::format("variabelen «{}» står allerede på linje {}", variable_name,
                                  variable.line));
      }
      return;
    }
    // An answer column named once, without categories, reads its scale.
    if (first_row && variable.role == SourceRole::kAnswer && source_code.empty() &&
        source_label.empty() && target_code.empty()) {
      return;
    }
    if (source_code.empty() && source_label.empty()) {
      f.Report(row, fmt::format("variabelen «{}» mangler både «source_code» og «source_label»",
                                variable_name));
      return;
    }
    CategoryMapping mapping;
    mapping.line = row.line();
    mapping.source_label = source_label;
    if (!source_code.empty())
      mapping.source_code = f.Int(row, "source_code", true, -kMaxCode, kMaxCode);
    if (variable.role == SourceRole::kAnswer && row.Get("target_code").empty()) {
      // A category the harmonised scale has no place for (one a later
      // generation removed) counts as not answered.
      mapping.target_code = kBlank;
    } else {
      const auto code = f.Int(row, "target_code", true, 0, kMaxCode);
      if (!code) return;
      mapping.target_code = *code;
      if (!CheckTargetCode(variable, *code, row, f)) return;
    }
    if (mapping.source_code) {
      f.Unique(seen.mapped_codes, std::pair(variable_name, *mapping.source_code), row,
               fmt::format("kildekoden {} for «{}» (en kategori kan bare kobles én gang)",
                           *mapping.source_code, variable_name));
    }
    if (!source_label.empty()) {
      f.Unique(seen.mapped_labels, std::pair(variable_name, text::FoldLabel(source_label)), row,
               fmt::format("kildekategorien «{}» for «{}» (en kategori kan bare kobles én gang)",
                           source_label, variable_name));
    }
    variable.categories.push_back(std::move(mapping));
  }

  // A «scale» row: one source category of a scale as this layout writes it.
  void ReadLayoutScale(const Table::Row& row, Fields& f, CrosswalkSeen& seen) {
    const std::string scale_id = row.Get("target");
    const Scale* scale = instrument_.FindScale(scale_id);
    if (scale == nullptr) {
      std::vector<std::string> ids;
      for (const Scale& s : instrument_.scales) ids.push_back(s.id);
      f.Report(row, fmt::format("«target» = «{}» er ingen skala i scales.csv (gyldige: {})",
                                scale_id, text::Join(ids, ", ")));
      return;
    }
    if (!row.Get("source_variable").empty()) {
      f.Report(row,
               "en skalarad gjelder alle svarkolonner med skalaen; la «source_variable» stå tom");
      return;
    }
    auto [it, first] = seen.scales.try_emplace(scale_id);
    SourceVariable& variable = it->second;
    if (first) {
      variable.name = "skala " + scale_id;
      variable.role = SourceRole::kAnswer;
      variable.line = row.line();
      // Any item of the scale lets CheckTargetCode find the scale's codes.
      for (const Family& family : instrument_.families) {
        if (family.scale == scale_id && !family.items.empty()) {
          variable.target = family.id + "." + family.items.front().id;
          break;
        }
      }
    }
    ReadCategory(variable, false, row, f, seen);
  }

  // An answer column reads its own category rows, then the layout's «scale»
  // rows, then the scale's own labels: a twelve-item question needs its
  // label variants once, not once per item.
  void FillScaleCategories(SourceVariable& variable, const CrosswalkSeen& seen) {
    const Family* family = nullptr;
    instrument_.FindItem(variable.target, &family);
    if (family == nullptr) return;
    std::vector<CategoryMapping> merged;
    std::set<std::string> labels;
    std::set<int> codes;
    // A label or code mapped already keeps its first mapping.
    auto add = [&](const CategoryMapping& m) {
      const std::string label = text::FoldLabel(m.source_label);
      if ((!label.empty() && labels.contains(label)) ||
          (m.source_code && codes.contains(*m.source_code))) {
        return;
      }
      if (!label.empty()) labels.insert(label);
      if (m.source_code) codes.insert(*m.source_code);
      merged.push_back(m);
    };
    for (const CategoryMapping& m : variable.categories) add(m);
    if (const auto it = seen.scales.find(family->scale); it != seen.scales.end()) {
      for (const CategoryMapping& m : it->second.categories) add(m);
    }
    if (const Scale* scale = instrument_.FindScale(family->scale)) {
      for (const Category& c : scale->categories) {
        add(CategoryMapping{std::nullopt, c.label, c.code, variable.line});
      }
    }
    variable.categories = std::move(merged);
  }

  void LoadCrosswalk(const std::string& name, const std::string& layout, const Table& table,
                     const Generation& generation) {
    Fields f(table, problems_);
    Crosswalk crosswalk{generation.id, name, layout, {}};
    CrosswalkSeen seen;
    for (const auto& row : table.rows()) {
      const std::string role_text = row.Get("role");
      if (role_text == "scale") {
        ReadLayoutScale(row, f, seen);
        continue;
      }
      const std::string variable_name = f.Required(row, "source_variable");
      const std::string target = row.Get("target");
      const std::optional<SourceRole> role = ParseRole(role_text);
      if (!role) {
        f.Report(row, fmt::format(
                          "«role» = «{}»: skal være identifier, background, answer, ignore eller "
                          "scale",
                          role_text));
        continue;
      }
      if (variable_name.empty()) continue;

      auto [it, first_row] = seen.index.emplace(variable_name, crosswalk.variables.size());
      if (first_row) {
        SourceVariable variable;
        variable.name = variable_name;
        variable.question = row.Get("source_question");
        variable.role = *role;
        variable.target = target;
        variable.note = row.Get("note");
        variable.line = row.line();
        if (!CheckTarget(variable, row, f)) {
          seen.index.erase(it);
          continue;
        }
        if (*role == SourceRole::kAnswer || *role == SourceRole::kBackground) {
          f.Unique(seen.target_lines, target, row, fmt::format("målet «{}»", target));
        }
        crosswalk.variables.push_back(std::move(variable));
      } else {
        const SourceVariable& variable = crosswalk.variables[it->second];
        if (variable.role != *role || variable.target != target) {
          f.Report(row, fmt::format(
                            "variabelen «{}» har en annen rolle eller et annet mål enn på linje {}",
                            variable_name, variable.line));
          continue;
        }
      }
      ReadCategory(crosswalk.variables[it->second], first_row, row, f, seen);
    }
    for (SourceVariable& variable : crosswalk.variables) {
      if (variable.role == SourceRole::kAnswer) FillScaleCategories(variable, seen);
      if (TakesCategories(variable) && variable.categories.empty()) {
        problems_.Add(name, variable.line,
                      fmt::format("variabelen «{}» har ingen kategorier", variable.name));
      }
    }
    instrument_.crosswalks.push_back(std::move(crosswalk));
  }

  static bool IsCategorical(const std::string& background) {
    return background == "service" || background == "position" || background == "size_group" ||
           background == "region" || background == "round_type";
  }

  static bool TakesCategories(const SourceVariable& variable) {
    return variable.role == SourceRole::kAnswer ||
           (variable.role == SourceRole::kBackground && IsCategorical(variable.target));
  }

  bool CheckTarget(const SourceVariable& variable, const Table::Row& row, Fields& f) {
    const std::string& target = variable.target;
    switch (variable.role) {
      case SourceRole::kAnswer:
        if (instrument_.FindItem(target) == nullptr) {
          f.Report(
              row,
              fmt::format(
                  "målet «{}» finnes ikke i instrumentet (skriv familie.spørsmål fra items.csv)",
                  target));
          return false;
        }
        return true;
      case SourceRole::kBackground: {
        const bool known = std::find_if(std::begin(kBackgroundVariables),
                                        std::end(kBackgroundVariables), [&](const char* v) {
                                          return target == v;
                                        }) != std::end(kBackgroundVariables);
        if (!known) {
          f.Report(
              row,
              fmt::format("målet «{}» er ingen bakgrunnsvariabel (gyldige: {})", target,
                          "municipality, size_group, region, year, service, position, round_type"));
          return false;
        }
        if (target == "generation") {
          f.Report(row, "generasjonen settes av nøkkelen selv og kan ikke komme fra en kolonne");
          return false;
        }
        return true;
      }
      case SourceRole::kIdentifier: {
        const bool known =
            std::find_if(std::begin(kIdentifierKinds), std::end(kIdentifierKinds),
                         [&](const char* v) { return target == v; }) != std::end(kIdentifierKinds);
        if (!known) {
          f.Report(row,
                   fmt::format("identifikatortypen «{}» er ukjent (gyldige: email, name, phone, "
                               "ip_address, timestamp, free_text, respondent_id)",
                               target));
          return false;
        }
        return true;
      }
      case SourceRole::kIgnore:
        if (!target.empty()) {
          f.Report(row, "en ignorert variabel skal ikke ha mål");
          return false;
        }
        return true;
    }
    return false;
  }

  bool CheckTargetCode(const SourceVariable& variable, int code, const Table::Row& row, Fields& f) {
    if (variable.role == SourceRole::kAnswer) {
      const Family* family = nullptr;
      instrument_.FindItem(variable.target, &family);
      const Scale* scale = family != nullptr ? instrument_.FindScale(family->scale) : nullptr;
      if (scale != nullptr && scale->Find(code) == nullptr) {
        f.Report(row, fmt::format("«target_code» {} finnes ikke i skalaen «{}» for «{}»", code,
                                  scale->id, variable.name));
        return false;
      }
      return true;
    }
    const std::string& target = variable.target;
    bool known = true;
    if (target == "service") known = instrument_.FindServiceByCode(code) != nullptr;
    if (target == "position") known = instrument_.FindPositionByCode(code) != nullptr;
    if (target == "size_group") known = HasCode(instrument_.size_groups, code);
    if (target == "region") known = HasCode(instrument_.regions, code);
    if (target == "round_type") known = HasCode(instrument_.round_types, code);
    if (!known) {
      f.Report(row,
               fmt::format("«target_code» {} er ingen kode for «{}» i background/", code, target));
    }
    return known;
  }

  // knowledge_areas.csv: each area's items must exist and the knowledge
  // item must have a reported share; the chain is all three steps or none.
  void LoadKnowledgeAreas() {
    auto table = Table::Open(File("knowledge_areas.csv"), "knowledge_areas.csv",
                             {"area", "label_nb", "topic_nb", "knowledge"},
                             {"concern", "acted", "contact"}, problems_);
    if (!table) return;
    Fields f(*table, problems_);
    std::map<std::string, std::size_t> seen;
    for (const auto& row : table->rows()) {
      KnowledgeArea area;
      area.id = f.Identifier(row, "area");
      if (!area.id.empty()) f.Unique(seen, area.id, row, fmt::format("området «{}»", area.id));
      area.label = f.Required(row, "label_nb");
      area.topic = f.Required(row, "topic_nb");
      area.knowledge = f.Required(row, "knowledge");
      area.concern = row.Get("concern");
      area.acted = row.Get("acted");
      area.contact = row.Get("contact");
      for (const auto& [column, item] :
           {std::pair<const char*, const std::string*>{"knowledge", &area.knowledge},
            {"concern", &area.concern},
            {"acted", &area.acted},
            {"contact", &area.contact}}) {
        if (!item->empty() && instrument_.FindItem(*item) == nullptr) {
          f.Report(row, fmt::format("«{}» = «{}» er ikke et spørsmål i items.csv (skriv "
                                    "familie.spørsmål)",
                                    column, *item));
        }
      }
      const int steps = !area.concern.empty() + !area.acted.empty() + !area.contact.empty();
      if (steps != 0 && steps != 3) {
        f.Report(row, "«concern», «acted» og «contact» fylles ut alle tre eller ingen");
      }
      instrument_.knowledge_areas.push_back(std::move(area));
    }
  }

  // transitions.csv: two different services, both rated by the
  // cooperation questions, so each can rate the other.
  void LoadServiceLinks() {
    auto table = Table::Open(File("transitions.csv"), "transitions.csv",
                             {"group_nb", "first_service", "second_service"}, {}, problems_);
    if (!table) return;
    Fields f(*table, problems_);
    std::map<std::pair<std::string, std::string>, std::size_t> seen;
    for (const auto& row : table->rows()) {
      ServiceLink link{f.Required(row, "group_nb"), f.Required(row, "first_service"),
                       f.Required(row, "second_service")};
      for (const auto& [column, key] :
           {std::pair<const char*, const std::string*>{"first_service", &link.first},
            {"second_service", &link.second}}) {
        const Service* service = instrument_.FindService(*key);
        if (service == nullptr || !service->answers_survey) {
          f.Report(row, fmt::format("«{}» = «{}» er ingen tjeneste som svarer på undersøkelsen "
                                    "i background/services.csv",
                                    column, *key));
        } else if (!IsRatedService(*key)) {
          f.Report(row, fmt::format("«{}» = «{}»: ingen av samarbeidsspørsmålene i items.csv "
                                    "har den som «partner_service»",
                                    column, *key));
        }
      }
      if (link.first == link.second && !link.first.empty()) {
        f.Report(row, "en tjeneste kan ikke knyttes til seg selv");
      }
      const auto [low, high] = std::minmax(link.first, link.second);
      f.Unique(seen, std::pair<std::string, std::string>(low, high), row,
               fmt::format("paret «{}» og «{}»", link.first, link.second));
      instrument_.service_links.push_back(std::move(link));
    }
  }

  bool IsRatedService(const std::string& key) const {
    for (const Family& family : instrument_.families) {
      for (const Item& item : family.items) {
        if (item.partner_service == key) return true;
      }
    }
    return false;
  }

  // report_figures.csv: every reference checked against the families,
  // items and background keys, so a typo is named rather than drawn empty.
  void LoadReportFigures() {
    auto table = Table::Open(File("report_figures.csv"), "report_figures.csv",
                             {"number", "title_nb", "source", "view"},
                             {"family", "by", "within_service", "groups", "items"}, problems_);
    if (!table) return;
    Fields f(*table, problems_);
    std::map<std::string, std::size_t> seen;
    for (const auto& row : table->rows()) {
      ReportFigure figure;
      figure.number = f.Required(row, "number");
      figure.title = f.Required(row, "title_nb");
      if (!figure.number.empty()) {
        f.Unique(seen, figure.number, row, fmt::format("nummeret «{}»", figure.number));
      }
      ReadFigureKind(figure, row, f);
      CheckFigureReferences(figure, row, f);
      instrument_.report_figures.push_back(std::move(figure));
    }
  }

  // source and view: what the figure counts and how it shows it.
  static void ReadFigureKind(ReportFigure& figure, const Table::Row& row, Fields& f) {
    const std::string source = row.Get("source");
    if (source == "family") {
      figure.source = FigureSource::kFamily;
    } else if (source == "surveys") {
      figure.source = FigureSource::kSurveys;
    } else if (source == "respondents") {
      figure.source = FigureSource::kRespondents;
    } else {
      f.Report(row,
               fmt::format("«source» = «{}»: skal være family, surveys eller respondents", source));
    }
    const std::string view = row.Get("view");
    if (view == "shares") {
      figure.view = FigureView::kShares;
    } else if (view == "distribution") {
      figure.view = FigureView::kDistribution;
    } else if (view == "table") {
      figure.view = FigureView::kTable;
    } else {
      f.Report(row, fmt::format("«view» = «{}»: skal være shares, distribution eller table", view));
    }
  }

  // The family, breakdown, service, groups and items the figure names.
  void CheckFigureReferences(ReportFigure& figure, const Table::Row& row, Fields& f) {
    const std::string source = row.Get("source");
    figure.family = row.Get("family");
    const Family* family = nullptr;
    if (figure.source == FigureSource::kFamily) {
      family = instrument_.FindFamily(figure.family);
      if (family == nullptr) {
        f.Report(row, fmt::format("«family» = «{}» finnes ikke i families.csv", figure.family));
      }
    } else if (!figure.family.empty()) {
      f.Report(row, fmt::format("«family» skal være tom når «source» er {}", source));
    }
    figure.by = row.Get("by");
    static constexpr const char* kBreakdowns[] = {"",         "service", "size_group",
                                                  "position", "region",  "year"};
    if (std::find(std::begin(kBreakdowns), std::end(kBreakdowns), figure.by) ==
        std::end(kBreakdowns)) {
      f.Report(row, fmt::format("«by» = «{}»: skal være tom, service, size_group, position, "
                                "region eller year",
                                figure.by));
    }
    if (figure.source != FigureSource::kFamily && figure.by.empty()) {
      f.Report(row, "«by» må fylles ut når «source» er surveys eller respondents");
    }
    figure.within_service = row.Get("within_service");
    if (!figure.within_service.empty() &&
        instrument_.FindService(figure.within_service) == nullptr) {
      f.Report(row, fmt::format("«within_service» = «{}» er ingen tjeneste i "
                                "background/services.csv",
                                figure.within_service));
    }
    const std::string groups = row.Get("groups");
    if (!groups.empty()) figure.groups = text::Split(groups, '|');
    for (const std::string& key : figure.groups) {
      if (!BreakdownKeyExists(figure.by, key)) {
        f.Report(row, fmt::format("«groups»: «{}» er ingen verdi av «{}»", key,
                                  figure.by.empty() ? "(tom)" : figure.by));
      }
    }
    const std::string items = row.Get("items");
    if (!items.empty()) figure.items = text::Split(items, '|');
    for (const std::string& item : figure.items) {
      if (family != nullptr && instrument_.FindItem(family->id + "." + item) == nullptr) {
        f.Report(row, fmt::format("«items»: «{}» er ikke et spørsmål i «{}»", item, family->id));
      }
    }
  }

  bool BreakdownKeyExists(const std::string& by, const std::string& key) const {
    auto keyed = [&](const auto& codes) {
      return std::any_of(codes.begin(), codes.end(), [&](const auto& c) { return c.key == key; });
    };
    if (by == "service") return instrument_.FindService(key) != nullptr;
    if (by == "position") return instrument_.FindPosition(key) != nullptr;
    if (by == "size_group") return keyed(instrument_.size_groups);
    if (by == "region") return keyed(instrument_.regions);
    if (by == "year") return text::ParseInt(key).has_value();
    return false;
  }

  template <typename T>
  static bool HasCode(const std::vector<T>& codes, int code) {
    return std::any_of(codes.begin(), codes.end(), [&](const T& c) { return c.code == code; });
  }

  std::map<std::string, const io::TextFile*> files_;
  Problems problems_;
  Instrument instrument_;
  std::map<std::string, std::size_t> family_lines_;
  std::map<std::string, std::size_t> condition_lines_;
  std::map<std::string, std::size_t> generation_lines_;
};

}  // namespace

LoadResult LoadInstrument(const std::vector<io::TextFile>& files, const std::string& root) {
  return Loader(files, root).Run();
}

namespace {

// The instrument folder's files, or the embedded ones, with their root for messages.
LoadResult ReadInstrumentFiles(const std::string& dir, std::vector<io::TextFile>& files,
                               std::string& root) {
  LoadResult result;
  if (dir.empty()) {
    files = EmbeddedInstrumentFiles();
    root = "<innebygd>/";
    return result;
  }
  auto names = io::ListFiles(dir, ".csv");
  if (!names) {
    result.problems.push_back({dir, 0, names.error().message});
    return result;
  }
  for (const std::string& name : *names) {
    auto file = io::ReadTextFile(dir + "/" + name);
    if (!file) {
      result.problems.push_back({dir + "/" + name, 0, file.error().message});
      continue;
    }
    files.push_back({name, std::move(file.value().content)});
  }
  root = dir;
  if (!root.empty() && root.back() != '/') root += '/';
  return result;
}

}  // namespace

LoadResult LoadInstrumentFromDirectory(const std::string& dir) {
  return LoadInstrumentWithCrosswalks(dir, {});
}

LoadResult LoadEmbeddedInstrument() { return LoadInstrumentWithCrosswalks("", {}); }

LoadResult LoadInstrumentWithCrosswalks(const std::string& dir,
                                        const std::vector<std::string>& crosswalk_paths) {
  std::vector<io::TextFile> files;
  std::string root;
  LoadResult result = ReadInstrumentFiles(dir, files, root);
  if (!result.problems.empty()) return result;
  // Where each added crosswalk's messages should point: the user's own path.
  std::map<std::string, std::string> shown_as;
  for (const std::string& path : crosswalk_paths) {
    const std::string name = kCrosswalkFolder + std::filesystem::path(path).filename().string();
    if (std::any_of(files.begin(), files.end(),
                    [&](const io::TextFile& f) { return f.path == name; })) {
      result.problems.push_back(
          {path, 0,
           fmt::format("instrumentet har allerede en nøkkel som heter {}; gi filen et annet navn",
                       name)});
      continue;
    }
    auto file = io::ReadTextFile(path);
    if (!file) {
      result.problems.push_back({path, 0, file.error().message});
      continue;
    }
    files.push_back({name, std::move(file.value().content)});
    shown_as[root + name] = path;
  }
  if (!result.problems.empty()) return result;
  result = LoadInstrument(files, root);
  for (Diagnostic& problem : result.problems) {
    if (const auto it = shown_as.find(problem.file); it != shown_as.end())
      problem.file = it->second;
  }
  return result;
}

}  // namespace samkart::instrument
