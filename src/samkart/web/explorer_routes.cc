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
};

// Results by canonical query and by what the role may see, for one dataset
// snapshot: a view asked again (a shared link, many coordinators comparing
// with the nation) is served without recomputing its tables.
using ResultCache = SnapshotCache<View>;

// Parses, checks access and evaluates; every failure is a status and a message.
Outcome Run(App& app, const QueryParams& params, const Principal& principal,
            const std::vector<std::string>& ignored) {
  static ResultCache cache;
  const auto data = app.dataset();
  auto query = ParseExplorerQuery(params, app.instrument(), *data, ignored);
  if (!query.ok()) return {400, query.error().message, nullptr};
  if (auto denied = ExplorerAccessDenied(*query, principal, *data, app.instrument())) {
    app.Audit(principal.username, "explorer_denied",
              CanonicalQueryString(*query, app.instrument()));
    return {403, *denied, nullptr};
  }
  // The role and its scope decide which rows are left out; nothing else
  // about the user changes the result.
  const std::string key = fmt::format("{}|{}|{}|{}", CanonicalQueryString(*query, app.instrument()),
                                      RoleKey(principal.role), principal.region.value_or(""),
                                      principal.municipality.value_or(0));
  if (auto cached = cache.Find(data, key)) return {200, "", std::move(cached)};
  const auto publication = app.publication(data, AudienceOf(principal));
  auto result = EvaluateExplorerQuery(*query, principal, *data, app.instrument(), *publication);
  if (!result.ok()) return {400, result.error().message, nullptr};
  auto view = std::make_shared<View>();
  view->json =
      ExplorerResultJson(*result).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  view->result = std::move(result).value();
  cache.Store(data, key, view, app.options().limits.max_cached_views);
  return {200, "", std::move(view)};
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
    body = ExplorerCsv(r);
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

std::string Select(const std::string& name, const std::string& label, const nlohmann::json& options,
                   const std::string& current, const std::string& empty_label) {
  std::string out = fmt::format(
      R"(<div><label for="f-{0}">{1}</label><select id="f-{0}" name="{0}">)", name, Escape(label));
  if (!empty_label.empty()) out += Option("", empty_label, current);
  for (const auto& o : options) {
    const std::string id =
        o["id"].is_number() ? std::to_string(o["id"].get<int>()) : o["id"].get<std::string>();
    out += Option(id, o["tekst"].get<std::string>(), current);
  }
  return out + "</select></div>";
}

std::string Form(const nlohmann::json& options, const httplib::Request& req,
                 const std::string& family) {
  auto current = [&](const char* name) { return req.get_param_value(name); };
  nlohmann::json families = nlohmann::json::array(), items = nlohmann::json::array();
  for (const auto& f : options["familier"]) {
    families.push_back({{"id", f["id"]}, {"tekst", f["tittel"]}});
    if (f["id"] == family) {
      for (const auto& i : f["sporsmal"]) {
        const std::string shown = i["kort"].get<std::string>().empty()
                                      ? i["tekst"].get<std::string>()
                                      : i["kort"].get<std::string>();
        items.push_back({{"id", i["id"]}, {"tekst", shown}});
      }
    }
  }
  std::string out = R"(<form method="get" action="/utforsk" class="explorer">
<fieldset><legend>Spørsmål</legend><div class="filters">)";
  out += Select("familie", "Spørsmålsfamilie", families, family, "");
  out += Select("sporsmal", "Delspørsmål", items, current("sporsmal"), "Alle delspørsmål");
  out +=
      R"(</div><p class="hint">Bytter du familie, vises delspørsmålene etter «Vis».</p></fieldset>
<fieldset><legend>Område og utvalg</legend><div class="filters">)";
  out += Select("kommune", "Kommune", options["kommune"], current("kommune"), "–");
  out += Select("region", "Region", options["region"], current("region"), "–");
  out += Select("storrelse", "Størrelsesgruppe", options["storrelse"], current("storrelse"), "–");
  out += Select("runde", "Runder", options["runde"], current("runde"), "");
  out += Select("tjeneste", "Bare tjenestested", options["tjeneste"], current("tjeneste"), "Alle");
  out += Select("stilling", "Bare stilling", options["stilling"], current("stilling"), "Alle");
  out +=
      R"(</div><p class="hint">Velg høyst ett område (kommune, region eller størrelsesgruppe); uten område vises landet.</p></fieldset>
<fieldset><legend>Visning</legend><div class="filters">)";
  out += Select("etter", "Fordel etter", options["etter"], current("etter"), "Ingen inndeling");
  out += Select("sammenlign", "Sammenlign med", options["sammenlign"], current("sammenlign"),
                "Ingen sammenligning");
  out += fmt::format(
      R"(<div><label class="check"><input type="checkbox" name="fordeling" value="1"{}> Hele fordelingen</label></div>)",
      current("fordeling") == "1" ? " checked" : "");
  out += R"(</div></fieldset><div class="actions"><button type="submit">Vis</button></div></form>)";
  return out;
}

// A horizontal bar per row of one item (shares only), reference markers as
// vertical ticks; the table below holds every number.
std::string Chart(const ExplorerResult& r, const std::vector<const ExplorerRow*>& rows,
                  const std::string& id) {
  constexpr double kLabel = 230, kBars = 330, kRow = 26, kTop = 28;
  const double height = kTop + kRow * static_cast<double>(rows.size()) + 10;
  std::vector<std::string> described;
  std::string body;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const ExplorerRow& row = *rows[i];
    const double y = kTop + kRow * static_cast<double>(i);
    std::string label = row.label;
    if (label.size() > 34) {
      std::size_t cut = 32;
      while (cut > 0 && (static_cast<unsigned char>(label[cut]) & 0xC0) == 0x80) --cut;
      label = label.substr(0, cut) + "…";
    }
    body += fmt::format(R"(<text x="{:.0f}" y="{:.1f}" text-anchor="end" font-size="13">{}</text>)",
                        kLabel - 8, y + 15, Escape(label));
    std::string description = row.label + ": ";
    if (row.cell.hidden) {
      body += fmt::format(R"(<text x="{:.0f}" y="{:.1f}" font-size="13">: (skjult)</text>)",
                          kLabel + 4, y + 15);
      description += "skjult";
    } else if (row.cell.n == 0) {
      body += fmt::format(R"(<text x="{:.0f}" y="{:.1f}" font-size="13">{}</text>)", kLabel + 4,
                          y + 15, present::kNoAnswersMark);
      description += present::kNoAnswersMark;
    } else {
      const double width = std::max(0.0, std::min(1.0, row.cell.share)) * kBars;
      body +=
          fmt::format(R"(<rect x="{:.0f}" y="{:.1f}" width="{:.1f}" height="{:.0f}" fill="{}"/>)",
                      kLabel, y + 4, width, kRow - 8, row.total ? "#073763" : "#0b5394");
      body += fmt::format(R"(<text x="{:.1f}" y="{:.1f}" font-size="13">{}</text>)",
                          kLabel + width + 6, y + 15, Percent(row.cell.share));
      description += Percent(row.cell.share);
    }
    if (row.reference && !row.reference->hidden && row.reference->n > 0) {
      const double x = kLabel + std::max(0.0, std::min(1.0, row.reference->share)) * kBars;
      body += fmt::format(
          R"(<line x1="{0:.1f}" x2="{0:.1f}" y1="{1:.1f}" y2="{2:.1f}" stroke="#1b1b1b" stroke-width="3"/>)",
          x, y + 1, y + kRow - 1);
      description += fmt::format(" ({} {})", r.reference_label, Percent(row.reference->share));
    }
    described.push_back(description);
  }
  std::string legend =
      fmt::format(R"(<text x="{:.0f}" y="16" font-size="12">Andel (0–100 %))", kLabel);
  if (!r.reference_label.empty()) {
    legend += fmt::format("; strek = {}", Escape(r.reference_label));
  }
  legend += "</text>";
  return fmt::format(
      R"(<svg xmlns="http://www.w3.org/2000/svg" class="explorer-chart" viewBox="0 0 640 {:.0f}" role="img" aria-labelledby="{}-t {}-d"><title id="{}-t">Søylediagram: andel per gruppe</title><desc id="{}-d">{}</desc>{}{}</svg>)",
      height, id, id, id, id, Escape(text::Join(described, "; ")), legend, body);
}

std::string ResultHtml(const ExplorerResult& r) {
  std::string out = fmt::format(R"(<section aria-labelledby="resultat"><h2 id="resultat">{}</h2>)",
                                Escape(r.family_title));
  std::string scope = fmt::format("{} · {}", Escape(r.area_label), Escape(r.round_label));
  if (!r.filter_label.empty()) scope += " · " + Escape(r.filter_label);
  if (!r.breakdown_label.empty()) scope += " · fordelt etter " + Escape(r.breakdown_label);
  if (!r.reference_label.empty()) scope += " · sammenlignet med " + Escape(r.reference_label);
  out += fmt::format(R"(<p>{}</p><p class="hint">{}</p>)", scope, Escape(r.family_stem));
  out += fmt::format(
      R"(<p class="downloads"><a href="/utforsk?{0}">Lenke til denne visningen</a> · <a href="/utforsk/last-ned?{0}&amp;format=csv">Last ned CSV</a> · <a href="/utforsk/last-ned?{0}&amp;format=xlsx">Last ned Excel</a> · <a href="/api/tabell?{0}">JSON</a></p>)",
      Escape(r.canonical));
  if (!r.access_note.empty()) {
    out += fmt::format(R"(<p class="notice">{}</p>)", Escape(r.access_note));
  }
  if (r.rows.empty()) {
    out += R"(<p class="notice">Ingen svar i dette utvalget.</p>)";
  }
  const bool compare = !r.reference_label.empty();
  std::size_t table_number = 0;
  for (std::size_t start = 0; start < r.rows.size();) {
    std::size_t end = start;
    while (end < r.rows.size() && r.rows[end].item == r.rows[start].item) ++end;
    ++table_number;
    const std::string id = fmt::format("tabell-{}", table_number);
    std::vector<const ExplorerRow*> chart_rows;
    std::string body;
    for (std::size_t i = start; i < end; ++i) {
      const ExplorerRow& row = r.rows[i];
      if (!row.category) chart_rows.push_back(&row);
      body += fmt::format(R"(<tr{}><th scope="row">{}</th>)", row.total ? R"( class="total")" : "",
                          Escape(row.label));
      if (r.query.distribution) body += fmt::format("<td>{}</td>", Escape(row.category_label));
      if (row.cell.hidden) {
        body += R"(<td class="num">:</td><td class="num">:</td><td class="num">:</td>)";
      } else if (row.cell.n == 0) {
        body += fmt::format(R"(<td class="num">0</td><td class="num" colspan="2">{}</td>)",
                            present::kNoAnswersMark);
      } else {
        body += fmt::format(
            R"(<td class="num">{}</td><td class="num">{}</td><td class="num">{}–{}</td>)",
            row.cell.n, Percent(row.cell.share), Percent(row.cell.interval.low),
            Percent(row.cell.interval.high));
      }
      if (compare) {
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
      }
      body += "</tr>";
    }
    const ExplorerRow& first = r.rows[start];
    out += fmt::format(R"(<h3 id="{}-h">{}</h3>)", id, Escape(first.item_label));
    if (!chart_rows.empty()) out += Chart(r, chart_rows, id + "-figur");
    out += fmt::format(
        R"(<div class="table-wrap" role="region" aria-labelledby="{0}-c" tabindex="0"><table id="{0}"><caption id="{0}-c">{1}</caption><thead><tr><th scope="col">{2}</th>{3}<th scope="col" class="num">N</th><th scope="col" class="num">Andel</th><th scope="col" class="num">95 % KI</th>{4}</tr></thead><tbody>{5}</tbody></table></div>)",
        id,
        Escape(fmt::format("{} – {} ({})", first.item_label, r.area_label,
                           r.query.distribution ? "fordeling" : first.category_label)),
        r.breakdown_label.empty() ? "Gruppe" : Escape(r.breakdown_label),
        r.query.distribution ? R"(<th scope="col">Svar</th>)" : "",
        compare
            ? fmt::format(
                  R"(<th scope="col" class="num">{}</th><th scope="col" class="num">Forskjell (pp)</th>)",
                  Escape(r.reference_label))
            : "",
        body);
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

}  // namespace

void RegisterExplorerRoutes(httplib::Server& server, App& app) {
  server.Get("/utforsk", [&app](const httplib::Request& req, httplib::Response& res) {
    const RequestContext context = Authenticate(app, req);
    const auto principal = RequireLogin(req, res, context);
    if (!principal) return;
    const auto data = app.dataset();
    const nlohmann::json options = ExplorerOptionsJson(*principal, *data, app.instrument());
    QueryParams params = req.params;
    std::string family = req.get_param_value("familie");
    std::string notice;
    // The form cannot update the items when the family changes (no
    // scripts): an item of another family is dropped with a notice.
    if (const auto* f = app.instrument().FindFamily(family)) {
      const std::string item = req.get_param_value("sporsmal");
      if (!item.empty() && !f->FindItem(item)) {
        params.erase("sporsmal");
        notice = "Delspørsmålet hørte til en annen familie og er fjernet.";
      }
    }
    if (family.empty() && !app.instrument().families.empty()) {
      family = app.instrument().families.front().id;
    }
    PageOptions page{"Utforsk resultater"};
    page.context = &context;
    std::string body = Form(options, req, family);
    int status = 200;
    if (req.has_param("familie")) {
      const Outcome outcome = Run(app, params, *principal, {});
      status = outcome.status;
      if (!notice.empty()) body += fmt::format(R"(<p class="notice">{}</p>)", Escape(notice));
      if (outcome.view) {
        body += ResultHtml(outcome.view->result);
      } else {
        body += fmt::format(R"(<p class="error" role="alert">{}</p>)", Escape(outcome.message));
      }
    } else {
      body +=
          R"(<p class="hint">Velg spørsmål og utvalg og trykk «Vis». Adressen til siden gjengir visningen, så den kan deles eller lagres som bokmerke.</p>)";
    }
    SendHtml(res, status, RenderPage(page, body));
  });

  auto download = [&app](const httplib::Request& req, httplib::Response& res,
                         const Principal& principal, const std::string& format) {
    if (format != "csv" && format != "xlsx") {
      SendError(req, res, 400,
                fmt::format("Ukjent verdi «{}» for «format». Gyldige verdier: csv, xlsx.",
                            format.substr(0, 40)));
      return;
    }
    const Outcome outcome = Run(app, req.params, principal, {"format"});
    if (!outcome.view) {
      SendError(req, res, outcome.status, outcome.message);
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
      SendError(req, res, outcome.status, outcome.message);
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
