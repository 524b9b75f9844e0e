// The results explorer: /utforsk (a GET form, so the URL reproduces the
// view, and the result as a table and a bar chart), /api/tabell and
// /api/familier for programs, and downloads as CSV or Excel. The query
// model, the access rules and the publication rules live in explorer.h.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>

#include <fmt/format.h>

#include "samkart/core/text.h"
#include "samkart/present/table_format.h"
#include "samkart/web/explorer.h"
#include "samkart/web/http.h"
#include "samkart/web/routes.h"
#include "samkart/web/snapshot_cache.h"

namespace samkart::web {

namespace {

namespace fs = std::filesystem;

// A computed view and its JSON, shared by every request that asks for it.
struct View {
  ExplorerResult result;
  std::string json;
};

struct Outcome {
  int status = 200;
  std::string message;
  std::shared_ptr<const View> view;  // set when status is 200
  std::vector<std::string> fields;   // the form fields a refusal is about
  // Views that can be shown instead: the query string and the view in words.
  std::vector<std::pair<std::string, std::string>> alternatives;

  // The message with the first alternative in words, for answers without links.
  std::string FullMessage() const {
    if (alternatives.empty()) return message;
    return fmt::format("{} Dette kan vises i stedet: {}.", message, alternatives.front().second);
  }
};

// A refusal with the nearest views this user may see instead.
Outcome Refused(App& app, int status, std::string message, std::vector<std::string> fields,
                const std::optional<ExplorerQuery>& query, const Principal& principal,
                const analysis::Dataset& data) {
  Outcome outcome{status, std::move(message), nullptr, std::move(fields), {}};
  if (!query) return outcome;
  constexpr std::size_t kMostAlternatives = 3;
  for (const ExplorerQuery& q : ExplorerAlternatives(*query, principal, data, app.instrument())) {
    if (outcome.alternatives.size() == kMostAlternatives) break;
    outcome.alternatives.emplace_back(CanonicalQueryString(q, app.instrument()),
                                      DescribeExplorerView(q, data, app.instrument()));
  }
  return outcome;
}

// Results by canonical query and by what the role may see, for one dataset
// snapshot: a view asked again (a shared link, many coordinators comparing
// with the nation) is served without recomputing its tables.
using ResultCache = SnapshotCache<View>;

// Parses, checks access and evaluates; every failure is a status and a message.
Outcome Run(App& app, const QueryParams& params, const Principal& principal,
            const std::vector<std::string>& ignored) {
  static ResultCache cache;
  const auto data = app.dataset();
  ExplorerRead read = ReadExplorerQuery(params, app.instrument(), *data, ignored);
  if (read.refusal) {
    return Refused(app, 400, std::move(read.refusal->message), std::move(read.refusal->fields),
                   read.query, principal, *data);
  }
  const std::optional<ExplorerQuery> query = std::move(read.query);
  if (auto denied = ExplorerAccessDenied(*query, principal, *data, app.instrument())) {
    app.Audit(principal.username, "explorer_denied",
              CanonicalQueryString(*query, app.instrument()));
    // The breakdown by municipality when that alone is refused, else the area.
    ExplorerQuery without_by = *query;
    without_by.by.reset();
    std::vector<std::string> fields;
    if (query->by && !ExplorerAccessDenied(without_by, principal, *data, app.instrument())) {
      fields = {"etter"};
    } else if (query->area) {
      fields = {query->area->first == analysis::Variable::kMunicipality ? "kommune"
                : query->area->first == analysis::Variable::kRegion     ? "region"
                                                                        : "storrelse"};
    }
    return Refused(app, 403, *denied, std::move(fields), query, principal, *data);
  }
  // The role and its scope decide which rows are left out; nothing else
  // about the user changes the result.
  const std::string key = fmt::format("{}|{}|{}|{}", CanonicalQueryString(*query, app.instrument()),
                                      RoleKey(principal.role), principal.region.value_or(""),
                                      principal.municipality.value_or(0));
  if (auto cached = cache.Find(data, key)) return {200, "", std::move(cached), {}, {}};
  const auto publication = app.publication(data, AudienceOf(principal));
  auto result = EvaluateExplorerQuery(*query, principal, *data, app.instrument(), *publication);
  if (!result.ok()) return {400, result.error().message, nullptr, {}, {}};
  auto view = std::make_shared<View>();
  view->json =
      ExplorerResultJson(*result).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  view->result = std::move(result).value();
  cache.Store(data, key, view, app.options().limits.max_cached_views);
  return {200, "", std::move(view), {}, {}};
}

std::string SafeFileName(const ExplorerResult& r, const std::string& extension) {
  std::string name = "samkart-" + r.query.family;
  if (r.query.item) name += "-" + *r.query.item;
  if (r.query.area) name += fmt::format("-{}", r.query.area->second);
  std::string safe;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    safe += ok ? c : '_';
  }
  constexpr std::size_t kMaxFileNameChars = 100;
  if (safe.size() > kMaxFileNameChars) safe.resize(kMaxFileNameChars);
  return safe + "." + extension;
}

void SendDownload(App& app, const httplib::Request& req, httplib::Response& res,
                  const Principal& principal, const ExplorerResult& r, const std::string& format) {
  std::string body, content_type;
  if (format == "csv") {
    auto csv = ExplorerCsv(r);
    if (!csv.ok()) {
      SendError(req, res, 500, "CSV-filen kunne ikke lages.");
      return;
    }
    body = std::move(csv).value();
    content_type = "text/csv; charset=utf-8";
  } else {
    std::error_code ec;
    const fs::path dir = app.options().work_dir.empty() ? fs::temp_directory_path(ec)
                                                        : fs::path(app.options().work_dir);
    const fs::path path = dir / ("samkart-eksport-" + RandomToken(16) + ".xlsx");
    io::ExportWriteOptions options;
    options.value_labels_as_text = true;
    options.sheet_name = "Tabell";
    auto written =
        io::WriteExport(ExplorerExportTable(r), io::ExportFormat::kXlsx, path.string(), options);
    if (written.ok()) {
      std::ifstream in(path, std::ios::binary);
      body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    fs::remove(path, ec);
    if (!written.ok() || body.empty()) {
      SendError(req, res, 500, "Excel-filen kunne ikke lages.");
      return;
    }
    content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  }
  app.Audit(principal.username, "export", r.canonical + "&format=" + format);
  res.status = 200;
  res.set_header("Content-Disposition",
                 fmt::format("attachment; filename=\"{}\"", SafeFileName(r, format)));
  res.set_content(body, content_type);
}

// ------------------------------------------------------------------ page

std::string Percent(double share) {
  std::string s = fmt::format("{:.1f}", share * 100);
  for (char& c : s) {
    if (c == '.') c = ',';
  }
  return s + " %";
}

std::string Points(double difference) {
  std::string s = fmt::format("{:+.1f}", difference * 100);
  for (char& c : s) {
    if (c == '.') c = ',';
  }
  return s;
}

std::string Option(const std::string& value, const std::string& label, const std::string& current) {
  return fmt::format(R"(<option value="{}"{}>{}</option>)", Escape(value),
                     value == current ? " selected" : "", Escape(label));
}

// The id of the refusal's text, which the fields at fault point to.
constexpr const char* kErrorTextId = "utforsk-feil-tekst";

std::string Select(const std::string& name, const nlohmann::json& options,
                   const std::string& current, const std::string& empty_label,
                   const std::vector<std::string>& invalid) {
  const bool bad = std::find(invalid.begin(), invalid.end(), name) != invalid.end();
  std::string out = fmt::format(
      R"(<div><label for="f-{0}">{1}</label><select id="f-{0}" name="{0}"{2}>)", name,
      Escape(ExplorerFieldLabel(name)),
      bad ? fmt::format(R"( aria-invalid="true" aria-describedby="{}")", kErrorTextId) : "");
  if (!empty_label.empty()) out += Option("", empty_label, current);
  for (const auto& o : options) {
    const std::string id =
        o["id"].is_number() ? std::to_string(o["id"].get<int>()) : o["id"].get<std::string>();
    out += Option(id, o["tekst"].get<std::string>(), current);
  }
  return out + "</select></div>";
}

// The item select of a family: the form has it, and the result fragment
// carries it so the script can follow a change of family.
std::string ItemSelect(const nlohmann::json& options, const std::string& family,
                       const std::string& current, const std::vector<std::string>& invalid) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& f : options["familier"]) {
    if (f["id"] != family) continue;
    for (const auto& i : f["sporsmal"]) {
      const std::string shown = i["kort"].get<std::string>().empty() ? i["tekst"].get<std::string>()
                                                                     : i["kort"].get<std::string>();
      items.push_back({{"id", i["id"]}, {"tekst", shown}});
    }
  }
  return Select("sporsmal", items, current, "Alle delspørsmål", invalid);
}

std::string Form(const nlohmann::json& options, const httplib::Request& req,
                 const std::string& family, const std::string& item,
                 const std::vector<std::string>& invalid) {
  auto current = [&](const char* name) { return req.get_param_value(name); };
  nlohmann::json families = nlohmann::json::array();
  for (const auto& f : options["familier"]) {
    families.push_back({{"id", f["id"]}, {"tekst", f["tittel"]}});
  }
  auto select = [&](const char* name, const nlohmann::json& list, const std::string& empty) {
    return Select(name, list, current(name), empty, invalid);
  };
  std::string out = R"(<form method="get" action="/utforsk" class="explorer" id="utforsk-skjema">
<fieldset><legend>Spørsmål</legend><div class="filters">)";
  out += Select("familie", families, family, "", invalid);
  out += ItemSelect(options, family, item, invalid);
  out +=
      R"(</div><p class="hint" id="utforsk-familiehint">Bytter du familie, vises delspørsmålene etter «Vis».</p></fieldset>
<fieldset><legend>Område og utvalg</legend><div class="filters">)";
  out += select("kommune", options["kommune"], "–");
  out += select("region", options["region"], "–");
  out += select("storrelse", options["storrelse"], "–");
  out += select("runde", options["runde"], "");
  out += select("tjeneste", options["tjeneste"], "Alle");
  out += select("stilling", options["stilling"], "Alle");
  out +=
      R"(</div><p class="hint">Velg høyst ett område (kommune, region eller størrelsesgruppe); uten område vises landet.</p></fieldset>
<fieldset><legend>Visning</legend><div class="filters">)";
  out += select("etter", options["etter"], "Ingen inndeling");
  out += select("sammenlign", options["sammenlign"], "Ingen sammenligning");
  out += fmt::format(
      R"(<div><label class="check"><input type="checkbox" name="fordeling" value="1"{}> Hele fordelingen</label></div>)",
      current("fordeling") == "1" ? " checked" : "");
  out += R"(</div></fieldset><div class="actions"><button type="submit">Vis</button></div></form>)";
  return out;
}

// Horizontal bars, one per row (shares only), as HTML: the label wraps
// instead of being cut, text keeps the page's size on a narrow screen, and
// the value stands in its own column, so the comparison mark (a vertical
// tick in the bar's drawing) never runs through it. The table below holds
// every number.
// `totals`: the area's total stands out from the breakdown's rows.
std::string Chart(const ExplorerResult& r, const std::vector<const ExplorerRow*>& rows,
                  const std::vector<std::string>& labels, const std::string& id,
                  const std::string& title, bool totals) {
  std::vector<std::string> described;
  std::string body;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const ExplorerRow& row = *rows[i];
    const bool total = totals && row.total;
    std::string description = labels[i] + ": ";
    std::string value, drawing;
    if (row.cell.hidden) {
      value = ": (skjult)";
      description += "skjult";
    } else if (row.cell.n == 0) {
      value = present::kNoAnswersMark;
      description += present::kNoAnswersMark;
    } else {
      const double width = std::max(0.0, std::min(1.0, row.cell.share)) * 100;
      drawing += fmt::format(R"(<rect x="0" y="3" width="{:.2f}" height="14" class="{}"/>)", width,
                             total ? "bar total" : "bar");
      value = Percent(row.cell.share);
      description += value;
    }
    if (row.reference && !row.reference->hidden && row.reference->n > 0) {
      const double x = std::max(0.0, std::min(1.0, row.reference->share)) * 100;
      // A white halo keeps the dark mark visible on the dark bar.
      drawing += fmt::format(
          R"(<line x1="{0:.2f}" x2="{0:.2f}" y1="0" y2="20" class="halo" vector-effect="non-scaling-stroke"/><line x1="{0:.2f}" x2="{0:.2f}" y1="0" y2="20" class="mark" vector-effect="non-scaling-stroke"/>)",
          x);
      description += fmt::format(" ({} {})", r.reference_label, Percent(row.reference->share));
    }
    described.push_back(description);
    body += fmt::format(
        R"(<li{}><span class="label">{}</span><svg class="bar" viewBox="0 0 100 20" preserveAspectRatio="none" aria-hidden="true" focusable="false">{}</svg><span class="value">{}</span></li>)",
        total ? R"( class="total")" : "", Escape(labels[i]), drawing, Escape(value));
  }
  std::string legend = "Andel (0–100 %)";
  if (!r.reference_label.empty()) {
    legend += fmt::format("; loddrett strek = {}", r.reference_label);
  }
  return fmt::format(
      R"(<figure class="explorer-chart" role="img" aria-labelledby="{0}-t" aria-describedby="{0}-d"><figcaption id="{0}-t">Søylediagram: {1}</figcaption><p class="legend">{2}</p><ul>{3}</ul><p class="explorer-visually-hidden" id="{0}-d">{4}</p></figure>)",
      id, Escape(title), Escape(legend), body, Escape(text::Join(described, "; ")));
}

std::string DownloadLinks(const std::string& canonical) {
  return fmt::format(
      R"(<p class="downloads"><a href="/utforsk?{0}">Lenke til denne visningen</a> <a href="/utforsk/last-ned?{0}&amp;format=xlsx">Last ned som Excel (XLSX)</a> <a href="/utforsk/last-ned?{0}&amp;format=csv">Last ned som CSV (semikolon, for norsk Excel)</a> <a href="/api/tabell?{0}">JSON</a></p>)",
      Escape(canonical));
}

// The cells after the row header: N, share, interval and the comparison.
std::string NumberCells(const ExplorerRow& row, bool compare) {
  std::string body;
  if (row.cell.hidden) {
    body += R"(<td class="num">:</td><td class="num">:</td><td class="num">:</td>)";
  } else if (row.cell.n == 0) {
    body += fmt::format(R"(<td class="num">0</td><td class="num" colspan="2">{}</td>)",
                        present::kNoAnswersMark);
  } else {
    body += fmt::format(
        R"(<td class="num">{}</td><td class="num">{}</td><td class="num">{}–{}</td>)", row.cell.n,
        Percent(row.cell.share), Percent(row.cell.interval.low), Percent(row.cell.interval.high));
  }
  if (!compare) return body;
  if (!row.reference) {
    body += R"(<td class="num"></td>)";
  } else if (row.reference->hidden) {
    body += R"(<td class="num">:</td>)";
  } else if (row.reference->n == 0) {
    body += fmt::format(R"(<td class="num">{}</td>)", present::kNoAnswersMark);
  } else {
    body += fmt::format(R"(<td class="num">{}</td>)", Percent(row.reference->share));
  }
  if (row.difference) {
    body += fmt::format(R"(<td class="num">{}{}</td>)", Points(row.difference->estimate),
                        row.difference->significant ? " *" : "");
  } else {
    body += R"(<td class="num"></td>)";
  }
  return body;
}

std::string TableHtml(const ExplorerResult& r, const std::string& id, const std::string& caption,
                      const std::string& first_column, const std::string& body) {
  const bool compare = !r.reference_label.empty();
  return fmt::format(
      R"(<div class="table-wrap" role="region" aria-labelledby="{0}-c" tabindex="0"><table id="{0}"><caption id="{0}-c">{1}</caption><thead><tr><th scope="col">{2}</th>{3}<th scope="col" class="num">N</th><th scope="col" class="num">Andel</th><th scope="col" class="num">95 % KI</th>{4}</tr></thead><tbody>{5}</tbody></table></div>)",
      id, Escape(caption), Escape(first_column),
      r.query.distribution ? R"(<th scope="col">Svar</th>)" : "",
      compare
          ? fmt::format(
                R"(<th scope="col" class="num">{}</th><th scope="col" class="num">Forskjell (pp)</th>)",
                Escape(r.reference_label))
          : "",
      body);
}

std::string ResultHtml(const ExplorerResult& r) {
  std::string out = fmt::format(R"(<section aria-labelledby="resultat"><h2 id="resultat">{}</h2>)",
                                Escape(r.family_title));
  std::string scope = fmt::format("{} · {}", Escape(r.area_label), Escape(r.round_label));
  if (!r.filter_label.empty()) scope += " · " + Escape(r.filter_label);
  if (!r.breakdown_words.empty()) scope += " · fordelt etter " + Escape(r.breakdown_words);
  if (!r.reference_label.empty()) scope += " · sammenlignet med " + Escape(r.reference_label);
  out += fmt::format(R"(<p>{}</p><p class="hint">{}</p>)", scope, Escape(r.family_stem));
  out += DownloadLinks(r.canonical);
  if (!r.access_note.empty()) {
    out += fmt::format(R"(<p class="notice">{}</p>)", Escape(r.access_note));
  }
  if (r.rows.empty()) {
    out += R"(<p class="notice">Ingen svar i dette utvalget.</p>)";
  }
  const bool compare = !r.reference_label.empty();
  // Every item of the family with one row each (no breakdown, no
  // distribution): one chart and one table for the whole family.
  bool one_row_per_item = !r.query.item && !r.rows.empty();
  for (std::size_t i = 0; i < r.rows.size(); ++i) {
    if (r.rows[i].category || (i > 0 && r.rows[i].item == r.rows[i - 1].item)) {
      one_row_per_item = false;
    }
  }
  if (one_row_per_item) {
    std::vector<const ExplorerRow*> rows;
    std::vector<std::string> labels;
    std::string body;
    for (const ExplorerRow& row : r.rows) {
      rows.push_back(&row);
      labels.push_back(row.item_label);
      body += fmt::format(R"(<tr><th scope="row">{}</th>{}</tr>)", Escape(row.item_label),
                          NumberCells(row, compare));
    }
    out += Chart(r, rows, labels, "tabell-1-figur",
                 fmt::format("andel per delspørsmål, {}", r.area_label), false);
    out += TableHtml(
        r, "tabell-1",
        fmt::format("{} – {} ({})", r.family_title, r.area_label, r.rows.front().category_label),
        "Delspørsmål", body);
  }
  std::size_t table_number = 0;
  for (std::size_t start = 0; !one_row_per_item && start < r.rows.size();) {
    std::size_t end = start;
    while (end < r.rows.size() && r.rows[end].item == r.rows[start].item) ++end;
    ++table_number;
    const std::string id = fmt::format("tabell-{}", table_number);
    std::vector<const ExplorerRow*> chart_rows;
    std::vector<std::string> labels;
    std::string body;
    for (std::size_t i = start; i < end; ++i) {
      const ExplorerRow& row = r.rows[i];
      if (!row.category) {
        chart_rows.push_back(&row);
        labels.push_back(row.label);
      }
      body += fmt::format(R"(<tr{}><th scope="row">{}</th>)", row.total ? R"( class="total")" : "",
                          Escape(row.label));
      if (r.query.distribution) body += fmt::format("<td>{}</td>", Escape(row.category_label));
      body += NumberCells(row, compare) + "</tr>";
    }
    const ExplorerRow& first = r.rows[start];
    out += fmt::format(R"(<h3 id="{}-h">{}</h3>)", id, Escape(first.item_label));
    if (!chart_rows.empty()) {
      out += Chart(r, chart_rows, labels, id + "-figur",
                   r.breakdown_label.empty() ? "andel" : "andel per gruppe", true);
    }
    out += TableHtml(r, id,
                     fmt::format("{} – {} ({})", first.item_label, r.area_label,
                                 r.query.distribution ? "fordeling" : first.category_label),
                     r.breakdown_label.empty() ? "Gruppe" : r.breakdown_label, body);
    start = end;
  }
  out += fmt::format(R"(<p class="hint">Nevner: {}</p><p class="hint">{}</p>)",
                     Escape(r.denominator_rule), Escape(r.rules_note));
  if (compare) {
    out +=
        R"(<p class="hint">* = signifikant forskjell: 95 % konfidensintervallet for forskjellen omfatter ikke 0. Andeler fra flere kommuner har intervaller der hver kommunes runde er en klynge. Forskjellen vises bare når begge tallene er synlige.</p>)";
  }
  return out + "</section>";
}

// A refusal as an error summary: the reason, links to the fields at fault
// and to the nearest views that can be shown.
std::string RefusalHtml(const Outcome& outcome) {
  std::string fields;
  for (const std::string& f : outcome.fields) {
    fields +=
        fmt::format(R"(<li><a href="#f-{}">{}</a></li>)", Escape(f), Escape(ExplorerFieldLabel(f)));
  }
  std::string alternatives;
  for (const auto& [query, words] : outcome.alternatives) {
    alternatives +=
        fmt::format(R"(<li><a href="/utforsk?{}">{}</a></li>)", Escape(query), Escape(words));
  }
  return fmt::format(
      R"(<div class="error-summary" id="utforsk-feil" role="alert" tabindex="-1" autofocus data-felt="{}"><h2>Denne visningen kan ikke vises</h2><p id="{}">{}</p>{}{}</div>)",
      Escape(text::Join(outcome.fields, " ")), kErrorTextId, Escape(outcome.message),
      fields.empty() ? "" : "<p>Valg som må endres:</p><ul>" + fields + "</ul>",
      alternatives.empty() ? "" : "<p>Dette kan vises i stedet:</p><ul>" + alternatives + "</ul>");
}

}  // namespace

void RegisterExplorerRoutes(httplib::Server& server, App& app) {
  // The page, or with del=resultat only the part the script swaps in (the
  // result region and the item choice of the family), rendered by the
  // same code, so the page with and without script shows the same.
  server.Get("/utforsk", [&app](const httplib::Request& req, httplib::Response& res) {
    const RequestContext context = Authenticate(app, req);
    const auto principal = RequireLogin(req, res, context);
    if (!principal) return;
    const auto data = app.dataset();
    const nlohmann::json options = ExplorerOptionsJson(*principal, *data, app.instrument());
    QueryParams params = req.params;
    std::string family = req.get_param_value("familie");
    std::string item = req.get_param_value("sporsmal");
    std::string notice;
    // Without the script the form cannot update the items when the family
    // changes: an item of another family is dropped with a notice.
    if (const auto* f = app.instrument().FindFamily(family)) {
      if (!item.empty() && !f->FindItem(item)) {
        params.erase("sporsmal");
        item.clear();
        notice = "Delspørsmålet hørte til en annen familie og er fjernet.";
      }
    }
    if (family.empty() && !app.instrument().families.empty()) {
      family = app.instrument().families.front().id;
    }
    const bool fragment = req.get_param_value("del") == "resultat";
    std::string result;
    int status = 200;
    std::vector<std::string> invalid;
    if (req.has_param("familie")) {
      const Outcome outcome = Run(app, params, *principal, {"del"});
      status = outcome.status;
      if (!notice.empty()) result += fmt::format(R"(<p class="notice">{}</p>)", Escape(notice));
      if (outcome.view) {
        result += ResultHtml(outcome.view->result);
      } else {
        result += RefusalHtml(outcome);
        invalid = outcome.fields;
      }
    } else {
      result +=
          R"(<p class="hint">Velg spørsmål og utvalg og trykk «Vis». Adressen til siden gjengir visningen, så den kan deles eller lagres som bokmerke.</p>)";
    }
    result = R"(<div id="utforsk-resultat">)" + result + "</div>";
    if (fragment) {
      res.status = status;
      res.set_content(R"(<div id="utforsk-delsporsmal">)" +
                          ItemSelect(options, family, item, invalid) + "</div>" + result,
                      "text/html; charset=utf-8");
      return;
    }
    PageOptions page{"Utforsk resultater"};
    page.context = &context;
    std::string body = Form(options, req, family, item, invalid);
    body +=
        R"(<p class="explorer-visually-hidden" id="utforsk-status" role="status" aria-live="polite"></p>)";
    body += result;
    body += R"(<script src="/static/utforsk.js" defer></script>)";
    SendHtml(res, status, RenderPage(page, body));
  });

  auto download = [&app](const httplib::Request& req, httplib::Response& res,
                         const Principal& principal, const std::string& format) {
    if (format != "csv" && format != "xlsx") {
      SendError(req, res, 400,
                fmt::format("Filformatet «{}» finnes ikke. Last ned som Excel («xlsx») eller som "
                            "CSV («csv»).",
                            format.substr(0, 40)));
      return;
    }
    const Outcome outcome = Run(app, req.params, principal, {"format"});
    if (!outcome.view) {
      SendError(req, res, outcome.status, outcome.FullMessage());
      return;
    }
    SendDownload(app, req, res, principal, outcome.view->result, format);
  };

  server.Get(
      "/utforsk/last-ned", [&app, download](const httplib::Request& req, httplib::Response& res) {
        const RequestContext context = Authenticate(app, req);
        const auto principal = RequireLogin(req, res, context);
        if (!principal) return;
        const std::string format = req.has_param("format") ? req.get_param_value("format") : "csv";
        download(req, res, *principal, format);
      });

  server.Get("/api/tabell", [&app, download](const httplib::Request& req, httplib::Response& res) {
    const RequestContext context = Authenticate(app, req);
    const auto principal = RequireLogin(req, res, context);
    if (!principal) return;
    const std::string format = req.get_param_value("format");
    if (!format.empty() && format != "json") {
      download(req, res, *principal, format);
      return;
    }
    const Outcome outcome = Run(app, req.params, *principal, {"format"});
    if (!outcome.view) {
      SendError(req, res, outcome.status, outcome.FullMessage());
      return;
    }
    res.set_content(outcome.view->json, "application/json; charset=utf-8");
  });

  server.Get("/api/familier", [&app](const httplib::Request& req, httplib::Response& res) {
    const RequestContext context = Authenticate(app, req);
    const auto principal = RequireLogin(req, res, context);
    if (!principal) return;
    SendJson(res, 200, ExplorerOptionsJson(*principal, *app.dataset(), app.instrument()));
  });
}

}  // namespace samkart::web
