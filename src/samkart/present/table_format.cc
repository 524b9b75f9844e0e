#include "samkart/present/table_format.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "samkart/core/text.h"

namespace samkart::present {

using analysis::Cell;
using analysis::Comparison;
using analysis::Dataset;
using analysis::Table;
using analysis::TableRow;
using analysis::Variable;
using analysis::VariableName;

namespace {

template <typename T>
std::string LabelIn(const std::vector<T>& codes, int value) {
  for (const auto& c : codes) {
    if (c.code == value) return c.label;
  }
  return std::to_string(value);
}

std::string CategoryLabel(const Table& table, const instrument::Instrument& instrument,
                          const TableRow& row) {
  if (!row.category) {
    return "andel " + text::Join(
                          [&] {
                            std::vector<std::string> labels;
                            const auto* scale = instrument.FindScale(table.family->scale);
                            for (const int code : table.family->reported_share) {
                              const auto* c = scale ? scale->Find(code) : nullptr;
                              labels.push_back(c ? c->label : std::to_string(code));
                            }
                            return labels;
                          }(),
                          " / ");
  }
  const auto* scale = instrument.FindScale(table.family->scale);
  const auto* c = scale ? scale->Find(*row.category) : nullptr;
  return c ? c->label : std::to_string(*row.category);
}

std::string GroupLabel(const Table& table, const Dataset& data,
                       const instrument::Instrument& instrument, const TableRow& row) {
  if (row.group.empty()) return "Alle";
  std::vector<std::string> parts;
  for (std::size_t i = 0; i < row.group.size(); ++i) {
    parts.push_back(GroupValueLabel(data, instrument, table.by[i], row.group[i]));
  }
  return text::Join(parts, " × ");
}

std::string Percent(double share) { return fmt::format("{:.1f}", share * 100); }

std::string CsvField(const std::string& value) {
  return io::QuoteCsvField(NeutraliseFormula(value));
}

}  // namespace

std::string GroupValueLabel(const Dataset& data, const instrument::Instrument& instrument,
                            Variable variable, int value) {
  switch (variable) {
    case Variable::kMunicipality: {
      const auto it = data.municipality_names.find(value);
      return it == data.municipality_names.end() ? std::to_string(value)
                                                 : fmt::format("{} {}", value, it->second);
    }
    case Variable::kYear:
      return std::to_string(value);
    case Variable::kRoundType:
      return LabelIn(instrument.round_types, value);
    case Variable::kGeneration:
      return value >= 1 && static_cast<std::size_t>(value) <= instrument.generations.size()
                 ? instrument.generations[static_cast<std::size_t>(value - 1)].id
                 : std::to_string(value);
    case Variable::kRegion:
      return LabelIn(instrument.regions, value);
    case Variable::kSizeGroup:
      return LabelIn(instrument.size_groups, value);
    case Variable::kService:
      return LabelIn(instrument.services, value);
    case Variable::kPosition:
      return LabelIn(instrument.positions, value);
  }
  return std::to_string(value);
}

namespace {

constexpr const char* kIntervalNote =
    "Intervallet er Wilsons for andeler i én kommune; for andeler fra flere kommuner er hver "
    "kommunes runde en klynge (logit-intervall som i R-pakken survey), og designeffekten sier "
    "hvor mye bredere det er enn om svarene var uavhengige.";

}  // namespace

std::string FormatTableText(const Table& table, const Dataset& data,
                            const instrument::Instrument& instrument) {
  std::string out =
      fmt::format("{} ({})\n{}\n", table.family->title, table.family->id, table.family->stem);
  out += fmt::format("Nevner: {}\n", table.denominator_rule);
  std::size_t last_item = static_cast<std::size_t>(-1);
  for (const TableRow& row : table.rows) {
    if (row.item != last_item) {
      last_item = row.item;
      out += fmt::format("\n{}\n", data.item_refs[row.item].item->text);
      out += fmt::format("  {:<44} {:<28} {:>6} {:>7} {:>15}", "Gruppe", "Svar", "N", "Andel",
                         "95 % KI");
      if (table.compare != Comparison::kNone) {
        out += fmt::format("  {:>7} {:>8} {:>17}", "Ref.", "Forskjell", "95 % KI");
      }
      out += "\n";
    }
    std::string label = GroupLabel(table, data, instrument, row);
    std::string category = CategoryLabel(table, instrument, row);
    if (label.size() > 44) label = label.substr(0, 43) + "…";
    if (category.size() > 28) category = category.substr(0, 27) + "…";
    if (row.cell.suppressed) {
      out += fmt::format("  {:<44} {:<28} {:>6} {:>7} {:>15}", label, category, "–", "–", "skjult");
    } else if (row.cell.n == 0) {
      out += fmt::format("  {:<44} {:<28} {:>6} {:>7} {:>15}", label, category, 0, "–",
                         kNoAnswersMark);
    } else {
      out += fmt::format(
          "  {:<44} {:<28} {:>6} {:>6}% {:>15}", label, category, row.cell.n,
          Percent(row.cell.share),
          fmt::format("{}–{}", Percent(row.cell.interval.low), Percent(row.cell.interval.high)));
    }
    if (row.reference) {
      out += row.reference->suppressed ? fmt::format("  {:>7}", "skjult")
             : row.reference->n == 0   ? fmt::format("  {:>7}", "–")
                                       : fmt::format("  {:>6}%", Percent(row.reference->share));
      if (row.difference) {
        out += fmt::format(" {:>+8.1f} {:>17}{}", row.difference->estimate * 100,
                           fmt::format("{:+.1f} til {:+.1f}", row.difference->interval.low * 100,
                                       row.difference->interval.high * 100),
                           row.difference->significant ? " *" : "");
      }
    }
    out += "\n";
  }
  out +=
      "\nSkjult: færre svar enn publiseringsreglene tillater, eller skjult for at en annen "
      "skjult celle ikke skal kunne regnes ut. Ingen svar: ingen i gruppen ble spurt eller "
      "svarte, så det finnes ingen andel.";
  if (table.compare != Comparison::kNone) {
    out += fmt::format(" Ref. = {}. * = signifikant forskjell (95 %).", table.reference_label);
  }
  out += fmt::format(" {}\n", kIntervalNote);
  return out;
}

std::string FormatTableCsv(const Table& table, const Dataset& data,
                           const instrument::Instrument& instrument) {
  std::string out =
      "familie,delspørsmål,gruppe,kategori,n,antall,andel,ki_nedre,ki_øvre,skjult,ingen_svar";
  if (table.compare != Comparison::kNone) {
    out +=
        ",ref_n,ref_antall,ref_andel,ref_skjult,forskjell,forskjell_nedre,forskjell_øvre,"
        "signifikant";
  }
  out += ",designeffekt\n";
  for (const TableRow& row : table.rows) {
    const Cell& c = row.cell;
    const bool empty = !c.suppressed && c.n == 0;
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{}", CsvField(table.family->id),
                       CsvField(data.item_refs[row.item].item->id),
                       CsvField(GroupLabel(table, data, instrument, row)),
                       CsvField(CategoryLabel(table, instrument, row)), c.n, c.count,
                       empty ? std::string() : fmt::format("{}", c.share),
                       empty ? std::string() : fmt::format("{}", c.interval.low),
                       empty ? std::string() : fmt::format("{}", c.interval.high),
                       c.suppressed ? 1 : 0, empty ? 1 : 0);
    if (table.compare != Comparison::kNone) {
      const Cell r = row.reference.value_or(Cell{});
      if (row.difference) {
        out += fmt::format(",{},{},{},{},{},{},{},{}", r.n, r.count, r.share, r.suppressed ? 1 : 0,
                           row.difference->estimate, row.difference->interval.low,
                           row.difference->interval.high, row.difference->significant ? 1 : 0);
      } else {
        out += fmt::format(",{},{},{},{},,,,", r.n, r.count, r.share, r.suppressed ? 1 : 0);
      }
    }
    out += c.design_effect ? fmt::format(",{}\n", *c.design_effect) : ",\n";
  }
  return out;
}

std::string FormatTableJson(const Table& table, const Dataset& data,
                            const instrument::Instrument& instrument) {
  nlohmann::json j;
  j["family"] = table.family->id;
  j["title"] = table.family->title;
  j["denominator_rule"] = table.denominator_rule;
  j["by"] = nlohmann::json::array();
  for (const Variable v : table.by) j["by"].push_back(VariableName(v));
  if (table.compare != Comparison::kNone) j["reference"] = table.reference_label;
  j["interval_note"] = kIntervalNote;
  auto cell_json = [](const Cell& c) {
    nlohmann::json cell;
    cell["suppressed"] = c.suppressed;
    cell["no_answers"] = !c.suppressed && c.n == 0;
    if (!c.suppressed && c.n == 0) {
      cell["n"] = 0;
      cell["count"] = 0;
      cell["share"] = nullptr;
      cell["ci_low"] = nullptr;
      cell["ci_high"] = nullptr;
    } else if (c.suppressed) {
      cell["n"] = nullptr;
      cell["count"] = nullptr;
      cell["share"] = nullptr;
      cell["ci_low"] = nullptr;
      cell["ci_high"] = nullptr;
    } else {
      cell["n"] = c.n;
      cell["count"] = c.count;
      cell["share"] = c.share;
      cell["ci_low"] = c.interval.low;
      cell["ci_high"] = c.interval.high;
      // Which interval it is: Wilson inside one municipality, else
      // design-based with the rounds as clusters.
      cell["interval_method"] = c.design_effect ? "design_logit" : "wilson";
      if (c.design_effect) cell["design_effect"] = *c.design_effect;
    }
    return cell;
  };
  j["rows"] = nlohmann::json::array();
  for (const TableRow& row : table.rows) {
    nlohmann::json r;
    r["item"] = data.item_refs[row.item].item->id;
    r["group"] = nlohmann::json::array();
    for (std::size_t i = 0; i < row.group.size(); ++i) {
      r["group"].push_back(
          {{"variable", VariableName(table.by[i])},
           {"value", row.group[i]},
           {"label", GroupValueLabel(data, instrument, table.by[i], row.group[i])}});
    }
    if (row.category) r["category"] = *row.category;
    r["category_label"] = CategoryLabel(table, instrument, row);
    r["cell"] = cell_json(row.cell);
    if (row.reference) r["reference"] = cell_json(*row.reference);
    if (row.difference) {
      r["difference"] = {{"estimate", row.difference->estimate},
                         {"ci_low", row.difference->interval.low},
                         {"ci_high", row.difference->interval.high},
                         {"significant", row.difference->significant},
                         {"p_value", row.difference->p_value}};
    }
    j["rows"].push_back(std::move(r));
  }
  return j.dump(2) + "\n";
}

io::ExportTable ToExportTable(const Table& table, const Dataset& data,
                              const instrument::Instrument& instrument) {
  io::ExportTable out;
  out.columns = {{"delsporsmal", "Delspørsmål", false, {}},
                 {"gruppe", "Gruppe", false, {}},
                 {"kategori", "Kategori", false, {}},
                 {"n", "N", true, {}},
                 {"antall", "Antall", true, {}},
                 {"andel", "Andel", true, {}},
                 {"ki_nedre", "95 % KI nedre", true, {}},
                 {"ki_ovre", "95 % KI øvre", true, {}},
                 {"designeffekt", "Designeffekt", true, {}}};
  if (table.compare != Comparison::kNone) {
    out.columns.push_back({"ref_andel", table.reference_label, true, {}});
    out.columns.push_back({"forskjell", "Forskjell", true, {}});
    out.columns.push_back({"signifikant", "Signifikant", true, {{0, "Nei"}, {1, "Ja"}}});
  }
  for (const TableRow& row : table.rows) {
    const Cell& c = row.cell;
    auto number = [&](double v) {
      return c.suppressed || c.n == 0 ? io::ExportCell::Missing() : io::ExportCell::Number(v);
    };
    std::vector<io::ExportCell> cells = {
        io::ExportCell::Text(NeutraliseFormula(data.item_refs[row.item].item->text)),
        io::ExportCell::Text(NeutraliseFormula(GroupLabel(table, data, instrument, row))),
        io::ExportCell::Text(NeutraliseFormula(CategoryLabel(table, instrument, row))),
        c.suppressed ? io::ExportCell::Missing() : io::ExportCell::Code(static_cast<int>(c.n)),
        c.suppressed ? io::ExportCell::Missing() : io::ExportCell::Code(static_cast<int>(c.count)),
        number(c.share),
        number(c.interval.low),
        number(c.interval.high),
        c.design_effect && !c.suppressed ? io::ExportCell::Number(*c.design_effect)
                                         : io::ExportCell::Missing()};
    if (table.compare != Comparison::kNone) {
      const bool hidden = !row.reference || row.reference->suppressed || row.reference->n == 0;
      cells.push_back(hidden ? io::ExportCell::Missing()
                             : io::ExportCell::Number(row.reference->share));
      cells.push_back(row.difference ? io::ExportCell::Number(row.difference->estimate)
                                     : io::ExportCell::Missing());
      cells.push_back(row.difference ? io::ExportCell::Code(row.difference->significant ? 1 : 0)
                                     : io::ExportCell::Missing());
    }
    out.rows.push_back(std::move(cells));
  }
  return out;
}

std::string MarkInternal(const std::string& output, const std::string& format) {
  if (format == "json") {
    nlohmann::json j = nlohmann::json::parse(output);
    j["merknad"] = kInternalMark;
    return j.dump(2) + "\n";
  }
  if (format == "csv") return fmt::format("# {}\n{}", kInternalMark, output);
  return fmt::format("*** {} ***\n\n{}\n*** {} ***\n", kInternalMark, output, kInternalMark);
}

void MarkInternal(io::ExportTable& table) {
  table.columns.insert(table.columns.begin(), {"merknad", "Merknad", false, {}});
  for (auto& row : table.rows) row.insert(row.begin(), io::ExportCell::Text(kInternalMark));
}

}  // namespace samkart::present
