// /resultater: result pages for the nation, a region and a municipality,
// ready-made for the user's role. A municipality's page is drawn from its
// municipality report (the same document and publication gate, so the same
// cells are hidden): the summary with its findings on the page, and on a
// page of its own each theme (/resultater/kommune/{nr}/tema/{id}): a chart
// per question family against the rest of the nation and the size group,
// the sharing pairs and the change since the baseline. The nation's and a region's pages chart
// every family through the explorer's evaluation and the user's audience gate. Who may open which
// page is the explorer's rule; readers get the nation only. Pages are cached per dataset snapshot,
// area and scope, since a report takes far longer to build than a page may take to serve.
#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "samkart/core/text.h"
#include "samkart/present/table_format.h"
#include "samkart/report/document.h"
#include "samkart/report/html_renderer.h"
#include "samkart/web/admin_pages.h"
#include "samkart/web/explorer.h"
#include "samkart/web/http.h"
#include "samkart/web/routes.h"
#include "samkart/web/snapshot_cache.h"

namespace samkart::web {

namespace {

using analysis::Variable;

// Region keys in the path are short ASCII words.
constexpr std::size_t kMaxRegionKeyChars = 40;

enum class AreaKind { kNation, kRegion, kMunicipality };

struct Area {
  AreaKind kind = AreaKind::kNation;
  int code = 0;     // the region's code or the municipality's number
  std::string key;  // the region's key
};

std::string AreaKey(const Area& area) {
  switch (area.kind) {
    case AreaKind::kRegion:
      return fmt::format("region-{}", area.code);
    case AreaKind::kMunicipality:
      return fmt::format("kommune-{}", area.code);
    case AreaKind::kNation:
      break;
  }
  return "landet";
}

// What the area shows, the same for everyone with the same audience.
struct Content {
  std::string title;     // «Resultater for 5001 Vikheim (syntetisk)»
  std::string lead;      // one line: what the page finds
  std::string toc_html;  // links to the sections
  std::string legend_html;
  std::string sections_html;
  // A municipality's themes, each on a page of its own under the area's
  // page: a whole report on one page is too heavy for a phone and for the
  // server under load. Id → title, and id → the section's HTML.
  std::vector<std::pair<std::string, std::string>> themes{};
  std::map<std::string, std::string> theme_html{};
};

// What one scope adds around the content: the report links and the pages
// the user may open.
struct Frame {
  std::string before, after;
};

struct Outcome {
  int status = 200;
  std::string message;
  std::shared_ptr<const Content> content;
  std::shared_ptr<const Frame> frame{};
};

// Result pages kept per dataset snapshot: about one for each municipality,
// region and the nation, at up to half a megabyte each.
constexpr std::size_t kMaxCachedPages = 400;
// The frames are small; one per area and scope.
constexpr std::size_t kMaxCachedFrames = 4096;

std::string RegionLabel(const instrument::Instrument& in, int code) {
  for (const auto& r : in.regions) {
    if (r.code == code) return r.label;
  }
  return std::to_string(code);
}

std::string AreaLabel(const Area& area, const analysis::Dataset& data,
                      const instrument::Instrument& in) {
  switch (area.kind) {
    case AreaKind::kRegion:
      return RegionLabel(in, area.code);
    case AreaKind::kMunicipality:
      return present::GroupValueLabel(data, in, Variable::kMunicipality, area.code);
    case AreaKind::kNation:
      break;
  }
  return "Landet";
}

std::string TocHtml(const std::vector<std::pair<std::string, std::string>>& entries) {
  if (entries.empty()) return "";
  // Folded, so the results come first on a phone.
  std::string out = fmt::format(
      R"(<nav class="landing-toc" aria-label="Innhold på siden"><details><summary>Gå til et tema ({} på siden)</summary><ul>)",
      entries.size());
  for (const auto& [id, title] : entries) {
    out += fmt::format(R"(<li><a href="#{}">{}</a></li>)", Escape(id), Escape(title));
  }
  return out + "</ul></details></nav>";
}

// Links to the theme pages of the area's page at `base`.
std::string ThemeLinksHtml(const std::string& base,
                           const std::vector<std::pair<std::string, std::string>>& themes) {
  if (themes.empty()) return "";
  std::string out =
      R"(<nav class="landing-themes" aria-labelledby="landing-themes-h"><h2 id="landing-themes-h">Resultatene tema for tema</h2><ul class="landing-links">)";
  for (const auto& [id, title] : themes) {
    out += fmt::format(R"(<li><a href="{}/tema/{}">{}</a></li>)", base, Escape(id), Escape(title));
  }
  return out + "</ul></nav>";
}

std::string LegendHtml(const std::vector<std::string>& lines) {
  if (lines.empty()) return "";
  std::string out =
      R"(<details class="landing-legend"><summary>Tegnforklaring og publiseringsregler</summary><ul>)";
  for (const auto& line : lines) out += "<li>" + Escape(line) + "</li>";
  return out + "</ul></details>";
}

// The municipality report's sections a result page shows, in its order.
Outcome MunicipalityContent(App& app, const std::shared_ptr<const analysis::Dataset>& data,
                            const Area& area) {
  auto document = admin::BuildReportDocument(app, data, area.code);
  if (!document.ok()) {
    return {422, "Resultatsiden kunne ikke lages: " + document.error().message, nullptr};
  }
  // The summary on the page itself; every family, the sharing pairs and
  // the change since the baseline on pages of their own.
  std::vector<std::string> themes;
  for (const auto& f : app.instrument().families) themes.push_back(f.id);
  themes.push_back("delingspar");
  themes.push_back("utvikling");
  auto content = std::make_shared<Content>();
  for (const auto& section : document->sections) {
    if (std::find(themes.begin(), themes.end(), section.id) == themes.end()) continue;
    content->themes.emplace_back(section.id, section.title);
    content->theme_html[section.id] = report::RenderSectionsHtml(*document, {section.id});
  }
  content->title = "Resultater for " + AreaLabel(area, *data, app.instrument());
  content->toc_html =
      ThemeLinksHtml(fmt::format("/resultater/kommune/{}", area.code), content->themes);
  content->legend_html = LegendHtml(document->legend);
  content->sections_html = report::RenderSectionsHtml(*document, {"sammendrag"});
  return {200, "", std::move(content)};
}

// An explorer cell as a report number, hidden where the gate hides it.
report::Number NumberOf(const ExplorerCell& cell) {
  if (cell.hidden) return report::Hidden();
  if (cell.n == 0) return report::Missing();
  report::Number number;
  number.value = cell.share;
  number.n = cell.n;
  number.interval = cell.interval;
  return number;
}

std::string ItemLabel(const instrument::Family& family, const ExplorerRow& row) {
  const instrument::Item* item = family.FindItem(row.item);
  if (item && !item->short_label.empty()) return item->short_label;
  return row.item_label;
}

// Every family for the nation, or for a region against the rest of the
// nation, through the explorer and the audience's gate.
Outcome ExplorerContent(App& app, const std::shared_ptr<const analysis::Dataset>& data,
                        const Principal& principal, const Area& area) {
  const instrument::Instrument& in = app.instrument();
  const auto publication = app.publication(data, AudienceOf(principal));
  const std::string label = AreaLabel(area, *data, in);
  report::Document document;
  std::vector<std::string> ids;
  std::vector<std::pair<std::string, std::string>> toc;
  std::string rules_note;
  std::size_t compared = 0, different = 0;
  for (const auto& family : in.families) {
    ExplorerQuery query;
    query.family = family.id;
    if (area.kind == AreaKind::kRegion) {
      query.area = std::make_pair(Variable::kRegion, area.code);
      query.compare = ExplorerComparison::kNation;
    }
    auto result = EvaluateExplorerQuery(query, principal, *data, in, *publication);
    if (!result.ok()) return {422, result.error().message, nullptr};
    if (rules_note.empty()) rules_note = result->rules_note;
    report::Chart chart;
    chart.kind = report::ChartKind::kBars;
    chart.title = area.kind == AreaKind::kRegion
                      ? fmt::format("{} – {} mot resten av landet", family.title, label)
                      : fmt::format("{} – hele landet", family.title);
    report::ChartSeries ours{label, {}};
    report::ChartSeries rest{result->reference_label, {}, report::Reference::kNation};
    bool any = false;
    for (const ExplorerRow& row : result->rows) {
      if (row.category) continue;  // the reported share only
      chart.labels.push_back(ItemLabel(family, row));
      ours.values.push_back(NumberOf(row.cell));
      any = any || row.cell.n > 0 || row.cell.hidden;
      rest.values.push_back(row.reference ? NumberOf(*row.reference) : report::Missing());
      if (row.difference) {
        ++compared;
        if (row.difference->significant) ++different;
      }
    }
    if (!any) continue;  // not asked in these rounds
    chart.series.push_back(std::move(ours));
    if (area.kind == AreaKind::kRegion) {
      chart.markers.push_back(std::move(rest));
      chart.description = fmt::format(
          "Søylene viser {}, merkene resten av landet. Tallene står i tabellen under figuren.",
          label);
    } else {
      chart.description =
          "Søylene viser andelen i hele landet. Tallene står i tabellen under "
          "figuren.";
    }
    report::Section section{family.id, family.title, 1, {}};
    section.blocks.push_back(report::Paragraph{"Spørsmål: " + family.stem});
    section.blocks.push_back(std::move(chart));
    section.blocks.push_back(
        report::Paragraph{result->round_label + ". " + result->denominator_rule});
    ids.push_back(family.id);
    toc.emplace_back(family.id, family.title);
    document.sections.push_back(std::move(section));
  }
  auto content = std::make_shared<Content>();
  content->title = "Resultater for " + (area.kind == AreaKind::kNation ? "hele landet" : label);
  if (area.kind == AreaKind::kRegion) {
    content->lead = fmt::format(
        "{} har en statistisk sikker forskjell fra resten av landet på {} av {} spørsmål der "
        "begge tallene kan vises.",
        label, different, compared);
  } else {
    content->lead = "Andelen i hele landet for hvert spørsmål, fra 0-punktsmålingene.";
  }
  content->toc_html = TocHtml(toc);
  content->legend_html =
      LegendHtml({"«:» betyr at tallet ikke vises, fordi publiseringsreglene skjuler det.",
                  "«.» betyr at det ikke er noe å vise.", rules_note});
  content->sections_html = report::RenderSectionsHtml(document, ids);
  return {200, "", std::move(content)};
}

class Pages {
 public:
  explicit Pages(App& app) : app_(app) {}

  Outcome ContentOf(const std::shared_ptr<const analysis::Dataset>& data,
                    const Principal& principal, const Area& area) {
    const std::string key =
        fmt::format("{}|{}", AreaKey(area), static_cast<int>(AudienceOf(principal)));
    if (auto cached = contents_.Find(data, key)) return {200, "", std::move(cached)};
    // One page is built at a time: requests that arrive meanwhile wait for
    // it rather than building the same report again.
    std::lock_guard build(build_mutex_);
    if (auto cached = contents_.Find(data, key)) return {200, "", std::move(cached)};
    Outcome out = area.kind == AreaKind::kMunicipality
                      ? MunicipalityContent(app_, data, area)
                      : ExplorerContent(app_, data, principal, area);
    if (out.content) {
      contents_.Store(data, key, out.content, kMaxCachedPages);
    }
    return out;
  }

  // The content and, for this scope, the links the user may follow.
  Outcome Page(const std::shared_ptr<const analysis::Dataset>& data, const Principal& principal,
               const Area& area) {
    Outcome out = ContentOf(data, principal, area);
    if (!out.content) return out;
    // The role and its scope decide the links; nothing else about the user.
    const std::string key = fmt::format(
        "{}|{}|{}|{}|{}", AreaKey(area), static_cast<int>(AudienceOf(principal)),
        RoleKey(principal.role), principal.region.value_or(""), principal.municipality.value_or(0));
    out.frame = frames_.Find(data, key);
    if (!out.frame) {
      out.frame = MakeFrame(data, principal, area, *out.content);
      frames_.Store(data, key, out.frame, kMaxCachedFrames);
    }
    return out;
  }

 private:
  std::shared_ptr<const Frame> MakeFrame(const std::shared_ptr<const analysis::Dataset>& data,
                                         const Principal& principal, const Area& area,
                                         const Content& content) {
    const instrument::Instrument& in = app_.instrument();
    const nlohmann::json options = ExplorerOptionsJson(principal, *data, in);
    auto frame = std::make_shared<Frame>();
    std::string out = R"(<div class="landing">)";
    if (!content.lead.empty()) {
      out += fmt::format(R"(<p class="landing-lead">{}</p>)", Escape(content.lead));
    }
    // Report downloads follow the menu: not for readers.
    if (principal.role != Role::kReader && area.kind != AreaKind::kRegion) {
      const bool nation = area.kind == AreaKind::kNation;
      out += fmt::format(
          R"(<p class="landing-reports"><span>{}:</span> {}</p>)",
          nation ? "Last ned den nasjonale rapporten" : "Last ned kommunerapporten",
          admin::ReportFormatLinks(nation ? std::string("/rapporter/nasjonal")
                                          : fmt::format("/rapporter/kommune/{}", area.code),
                                   nation ? std::string("Nasjonal rapport")
                                          : "Kommunerapport for " + AreaLabel(area, *data, in)));
    }
    if (area.kind == AreaKind::kRegion) {
      const auto nesting = analysis::MunicipalityNesting(*data);
      std::string links;
      for (const auto& m : options["kommune"]) {
        const int number = m["id"].get<int>();
        const auto it = nesting.find(number);
        if (it == nesting.end() || it->second.first != area.code) continue;
        links += fmt::format(R"(<li><a href="/resultater/kommune/{}">{}</a></li>)", number,
                             Escape(m["tekst"].get<std::string>()));
      }
      out +=
          R"(<section class="landing-municipalities" id="kommunene"><h2>Kommunene i regionen</h2>)";
      out += links.empty() ? "<p>Du har ikke tilgang til resultatsidene for enkeltkommuner her.</p>"
                           : R"(<ul class="landing-links">)" + links + "</ul>";
      out += "</section>";
    }
    frame->before = std::move(out);
    frame->after =
        AreaLinks(principal, options) +
        R"(<p class="hint">Vil du se andre inndelinger? <a href="/utforsk">Utforsk resultater</a> selv.</p></div>)";
    return frame;
  }

  // Every result page the user may open.
  static std::string AreaLinks(const Principal& principal, const nlohmann::json& options) {
    std::string out =
        R"(<nav class="landing-areas" aria-labelledby="landing-areas-h"><h2 id="landing-areas-h">Andre resultatsider</h2><ul class="landing-links"><li><a href="/resultater/landet">Hele landet</a></li></ul>)";
    if (principal.role != Role::kReader && !options["region"].empty()) {
      out += R"(<details><summary>Regioner</summary><ul class="landing-links">)";
      for (const auto& r : options["region"]) {
        out +=
            fmt::format(R"(<li><a href="/resultater/region/{}">{}</a></li>)",
                        Escape(r["id"].get<std::string>()), Escape(r["tekst"].get<std::string>()));
      }
      out += "</ul></details>";
    }
    if (!options["kommune"].empty()) {
      out += fmt::format(R"(<details{}><summary>Kommuner ({})</summary><ul class="landing-links">)",
                         options["kommune"].size() == 1 ? " open" : "", options["kommune"].size());
      for (const auto& m : options["kommune"]) {
        out += fmt::format(R"(<li><a href="/resultater/kommune/{}">{}</a></li>)",
                           m["id"].get<int>(), Escape(m["tekst"].get<std::string>()));
      }
      out += "</ul></details>";
    }
    return out + "</nav>";
  }

  App& app_;
  SnapshotCache<Content> contents_;
  SnapshotCache<Frame> frames_;
  std::mutex build_mutex_;
};

// Why the principal may not open the area's page (403), by the explorer's rule.
std::optional<std::string> Denied(App& app, const analysis::Dataset& data,
                                  const Principal& principal, const Area& area) {
  if (area.kind == AreaKind::kNation) return std::nullopt;
  if (principal.role == Role::kReader) {
    return "Med leserolle ser du resultatsiden for hele landet.";
  }
  ExplorerQuery query;
  if (!app.instrument().families.empty()) query.family = app.instrument().families.front().id;
  query.area = std::make_pair(
      area.kind == AreaKind::kRegion ? Variable::kRegion : Variable::kMunicipality, area.code);
  return ExplorerAccessDenied(query, principal, data, app.instrument());
}

// The area's page, or with `theme` one of its theme pages.
void Serve(App& app, Pages& pages, const httplib::Request& req, httplib::Response& res,
           const RequestContext& context, const Principal& principal, const Area& area,
           const std::string& theme = "") {
  const auto data = app.dataset();
  if (auto denied = Denied(app, *data, principal, area)) {
    app.Audit(principal.username, "landing_denied", AreaKey(area));
    SendError(req, res, 403, *denied, &context);
    return;
  }
  if (area.kind == AreaKind::kMunicipality &&
      !analysis::MunicipalityNesting(*data).count(area.code)) {
    SendError(req, res, 404, fmt::format("Kommune {} har ingen svar i databasen ennå.", area.code),
              &context);
    return;
  }
  if (data->rows == 0) {
    SendError(req, res, 404, "Databasen har ingen svar ennå.", &context);
    return;
  }
  const Outcome outcome = pages.Page(data, principal, area);
  if (!outcome.content) {
    SendError(req, res, outcome.status, outcome.message, &context);
    return;
  }
  const Content& c = *outcome.content;
  if (!theme.empty()) {
    const auto found = c.theme_html.find(theme);
    if (found == c.theme_html.end()) {
      SendError(req, res, 404, "Temaet finnes ikke på denne resultatsiden.", &context);
      return;
    }
    const std::string base = fmt::format("/resultater/kommune/{}", area.code);
    std::string title;
    std::string neighbours;
    for (std::size_t i = 0; i < c.themes.size(); ++i) {
      if (c.themes[i].first != theme) continue;
      title = c.themes[i].second;
      if (i > 0) {
        neighbours +=
            fmt::format(R"(<li><a href="{}/tema/{}" rel="prev">Forrige: {}</a></li>)", base,
                        Escape(c.themes[i - 1].first), Escape(c.themes[i - 1].second));
      }
      if (i + 1 < c.themes.size()) {
        neighbours += fmt::format(R"(<li><a href="{}/tema/{}" rel="next">Neste: {}</a></li>)", base,
                                  Escape(c.themes[i + 1].first), Escape(c.themes[i + 1].second));
      }
    }
    PageOptions page{title + " – " + AreaLabel(area, *data, app.instrument())};
    page.context = &context;
    SendHtml(
        res, 200,
        RenderPage(
            page,
            fmt::format(R"(<div class="landing"><p><a href="{}">Tilbake til {}</a></p>)", base,
                        Escape(c.title)) +
                c.legend_html + found->second +
                R"(<nav class="landing-neighbours" aria-label="Andre temaer"><ul class="landing-links">)" +
                neighbours + "</ul></nav></div>"));
    return;
  }
  PageOptions page{c.title};
  page.context = &context;
  SendHtml(res, 200,
           RenderPage(page, outcome.frame->before + c.sections_html + c.toc_html + c.legend_html +
                                outcome.frame->after));
}

// The page a user meets first: their own municipality or region, else the nation.
Area HomeArea(const App& app, const analysis::Dataset& data, const Principal& principal) {
  if (principal.role == Role::kMunicipal && principal.municipality &&
      analysis::MunicipalityNesting(data).count(*principal.municipality)) {
    return {AreaKind::kMunicipality, *principal.municipality, ""};
  }
  if (principal.role == Role::kRegional && principal.region) {
    for (const auto& r : app.instrument().regions) {
      if (r.key == *principal.region) return {AreaKind::kRegion, r.code, r.key};
    }
  }
  return {};
}

}  // namespace

void RegisterLandingRoutes(httplib::Server& server, App& app) {
  auto pages = std::make_shared<Pages>(app);

  server.Get("/resultater", [&app, pages](const httplib::Request& req, httplib::Response& res) {
    const RequestContext context = Authenticate(app, req);
    const auto principal = RequireLogin(req, res, context);
    if (!principal) return;
    Serve(app, *pages, req, res, context, *principal, HomeArea(app, *app.dataset(), *principal));
  });

  server.Get("/resultater/landet",
             [&app, pages](const httplib::Request& req, httplib::Response& res) {
               const RequestContext context = Authenticate(app, req);
               const auto principal = RequireLogin(req, res, context);
               if (!principal) return;
               Serve(app, *pages, req, res, context, *principal, {});
             });

  server.Get(R"(/resultater/kommune/(\d{1,9}))", [&app, pages](const httplib::Request& req,
                                                               httplib::Response& res) {
    const RequestContext context = Authenticate(app, req);
    const auto principal = RequireLogin(req, res, context);
    if (!principal) return;
    const auto number = text::ParseInt(std::string(req.matches[1]));
    if (!number) {
      SendError(req, res, 404, "Ukjent kommunenummer.", &context);
      return;
    }
    Serve(app, *pages, req, res, context, *principal, {AreaKind::kMunicipality, *number, ""});
  });

  server.Get(R"(/resultater/kommune/(\d{1,9})/tema/([a-z0-9_]{1,60}))",
             [&app, pages](const httplib::Request& req, httplib::Response& res) {
               const RequestContext context = Authenticate(app, req);
               const auto principal = RequireLogin(req, res, context);
               if (!principal) return;
               const auto number = text::ParseInt(std::string(req.matches[1]));
               if (!number) {
                 SendError(req, res, 404, "Ukjent kommunenummer.", &context);
                 return;
               }
               Serve(app, *pages, req, res, context, *principal,
                     {AreaKind::kMunicipality, *number, ""}, req.matches[2]);
             });

  // A region by its key («korus-nord») or its code.
  server.Get(
      R"(/resultater/region/([A-Za-z0-9_-]{1,40}))",
      [&app, pages](const httplib::Request& req, httplib::Response& res) {
        const RequestContext context = Authenticate(app, req);
        const auto principal = RequireLogin(req, res, context);
        if (!principal) return;
        const std::string given = req.matches[1];
        const auto code = text::ParseInt(given);
        for (const auto& r : app.instrument().regions) {
          if (r.key == given || (code && r.code == *code)) {
            Serve(app, *pages, req, res, context, *principal, {AreaKind::kRegion, r.code, r.key});
            return;
          }
        }
        SendError(req, res, 404,
                  fmt::format("Regionen «{}» finnes ikke.", given.substr(0, kMaxRegionKeyChars)),
                  &context);
      });
}

}  // namespace samkart::web
