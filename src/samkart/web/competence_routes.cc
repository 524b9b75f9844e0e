// /kompetanse: the competence analyses in the browser — where the knowledge
// is, who could share it with whom, the chain from knowing to getting help,
// the transitions, and the change since the baseline — for the nation or
// one municipality the user may see, through the publication gate of the
// user's audience. The municipalities offered are the explorer's, so one
// rule decides what a user may see.
#include <fmt/format.h>

#include "samkart/analysis/competence.h"
#include "samkart/analysis/follow_up_evaluation.h"
#include "samkart/analysis/knowledge_chain.h"
#include "samkart/analysis/service_links.h"
#include "samkart/core/text.h"
#include "samkart/present/competence_format.h"
#include "samkart/web/explorer.h"
#include "samkart/web/form_errors.h"
#include "samkart/web/http.h"
#include "samkart/web/routes.h"

namespace samkart::web {

namespace {

struct AnalysisChoice {
  const char* key;
  const char* label;
};
constexpr AnalysisChoice kAnalyses[] = {
    {"lommer", "Hvor kunnskapen er (kompetanselommer)"},
    {"par", "Hvem kan dele med hvem (delingspar)"},
    {"kjede", "Fra kunnskap til hjelp (kjeden)"},
    {"overganger", "Samarbeid over overgangene"},
    {"endring", "Endring siden 0-punktsmålingen"},
};

bool KnownAnalysis(const std::string& key) {
  for (const auto& a : kAnalyses) {
    if (key == a.key) return true;
  }
  return false;
}

std::string Form(const std::string& analysis, const std::string& municipality,
                 const nlohmann::json& municipalities) {
  std::string out =
      R"(<form method="get" action="/kompetanse" class="explorer"><div class="filters">)";
  out += R"(<div><label for="f-analyse">Analyse</label><select id="f-analyse" name="analyse">)";
  for (const auto& a : kAnalyses) {
    out += fmt::format(R"(<option value="{}"{}>{}</option>)", a.key,
                       analysis == a.key ? " selected" : "", Escape(a.label));
  }
  out +=
      R"(</select></div><div><label for="f-kommune">Kommune</label><select id="f-kommune" name="kommune"><option value="">Landet</option>)";
  for (const auto& m : municipalities) {
    const std::string id = std::to_string(m["id"].get<int>());
    out +=
        fmt::format(R"(<option value="{}"{}>{}</option>)", id,
                    municipality == id ? " selected" : "", Escape(m["tekst"].get<std::string>()));
  }
  return out + R"(</select></div></div><button type="submit">Vis</button></form>)";
}

std::string TableHtml(const present::AnalysisTable& table) {
  std::string out = fmt::format(R"(<table><caption>{}</caption><thead><tr>)", Escape(table.title));
  for (const auto& c : table.columns) {
    out += fmt::format(R"(<th scope="col">{}</th>)", Escape(c.heading));
  }
  out += "</tr></thead><tbody>";
  for (const auto& row : table.rows) {
    out += "<tr>";
    for (std::size_t c = 0; c < row.size(); ++c) {
      const std::string shown = present::FormatAnalysisCell(table.columns[c], row[c]);
      const bool number = table.columns[c].kind != present::ColumnKind::kText;
      out += fmt::format(R"(<td{}>{}</td>)", number ? R"( class="num")" : "",
                         shown.empty() && number ? "–" : Escape(shown));
    }
    out += "</tr>";
  }
  out = ScrollRegion(table.title, out + "</tbody></table>");
  for (const auto& note : table.notes) {
    out += fmt::format(R"(<p class="hint">{}</p>)", Escape(note));
  }
  return out;
}

// The pairs as sentences, the way a meeting would read them.
std::string PairsHtml(const analysis::SharingPairs& pairs, const instrument::Instrument& in) {
  if (pairs.pairs.empty()) {
    return fmt::format(
        R"(<p>Ingen av de {} parene som ble testet, har en forskjell som er både signifikant og minst 5 prosentpoeng.</p>)",
        pairs.tests);
  }
  std::string out = "<ol class=\"pairs\">";
  for (std::size_t i = 0; i < pairs.pairs.size() && i < 10; ++i) {
    const analysis::SharingPair& p = pairs.pairs[i];
    out += fmt::format(
        "<li><strong>{}</strong><br>{:.0f} prosentpoeng (95 % KI {:.0f} til {:.0f}); {} svar hos "
        "mottakeren; {}</li>",
        Escape(analysis::DescribePair(in, p)), p.gap.estimate * 100, p.gap.interval.low * 100,
        p.gap.interval.high * 100, p.receiver_cell.n, Escape(analysis::ChannelLabel(p.channel)));
  }
  return out + "</ol>";
}

struct Outcome {
  int status = 200;
  std::string message;  // shown instead of a result
  std::optional<present::AnalysisTable> table;
  std::string lead_html;  // before the table (the pairs as sentences)
};

Outcome Run(App& app, const Principal& principal, const std::string& analysis,
            std::optional<int> municipality) {
  const auto data = app.dataset();
  const instrument::Instrument& in = app.instrument();
  const auto publication = app.publication(data, AudienceOf(principal));
  const std::vector<analysis::Filter> baseline = {
      {analysis::Variable::kRoundType, {in.round_types.empty() ? 1 : in.round_types[0].code}, {}}};
  std::vector<analysis::Filter> where = baseline;
  if (municipality) {
    auto latest = analysis::LatestRoundOf(*data, *municipality);
    if (!latest.ok()) return {200, latest.error().message, std::nullopt, {}};
    where = *latest;
  }
  Outcome out;
  if (analysis == "lommer") {
    auto pockets = analysis::FindCompetencePockets(*data, in, *publication, where);
    if (!pockets.ok()) return {422, pockets.error().message, std::nullopt, {}};
    out.table = present::PocketsTable(*pockets, *data, in);
  } else if (analysis == "par") {
    if (!municipality) {
      return {200, "Delingspar finnes inne i én kommune: velg en kommune.", std::nullopt, {}};
    }
    auto pairs = analysis::FindSharingPairs(*data, in, *publication, where);
    if (!pairs.ok()) return {422, pairs.error().message, std::nullopt, {}};
    out.lead_html = PairsHtml(*pairs, in);
    out.table = present::PairsTable(*pairs, in);
  } else if (analysis == "kjede") {
    auto chain = analysis::ComputeKnowledgeChain(*data, in, *publication, where, baseline);
    if (!chain.ok()) return {422, chain.error().message, std::nullopt, {}};
    out.table = present::ChainTable(*chain, in);
  } else if (analysis == "overganger") {
    auto links = analysis::CompareServiceLinks(*data, in, *publication, where, baseline);
    if (!links.ok()) return {422, links.error().message, std::nullopt, {}};
    out.table = present::LinksTable(*links, in);
  } else {
    if (AudienceOf(principal) != analysis::Audience::kFull) {
      return {200,
              "Endringen regnes ut fra hver kommunes egne tall, og de er ikke tilgjengelige med "
              "leserolle.",
              std::nullopt,
              {}};
    }
    auto evaluation =
        analysis::EvaluateFollowUp(*data, in, *publication, {{}, false, municipality});
    if (!evaluation.ok()) return {422, evaluation.error().message, std::nullopt, {}};
    out.table = present::FollowUpTable(*evaluation, *data, in);
  }
  return out;
}

}  // namespace

void RegisterCompetenceRoutes(httplib::Server& server, App& app) {
  server.Get("/kompetanse", [&app](const httplib::Request& req, httplib::Response& res) {
    const RequestContext context = Authenticate(app, req);
    const auto principal = RequireLogin(req, res, context);
    if (!principal) return;
    const auto data = app.dataset();
    const nlohmann::json municipalities =
        ExplorerOptionsJson(*principal, *data, app.instrument())["kommune"];
    std::string analysis = req.has_param("analyse") ? req.get_param_value("analyse") : "kjede";
    if (!KnownAnalysis(analysis)) {
      SendError(req, res, 400,
                fmt::format("Ukjent analyse «{}». Velg en av: lommer, par, kjede, overganger, "
                            "endring.",
                            analysis.substr(0, 40)),
                &context);
      return;
    }
    // A coordinator starts in their own municipality.
    std::string municipality = req.get_param_value("kommune");
    if (!req.has_param("kommune") && principal->municipality) {
      municipality = std::to_string(*principal->municipality);
    }
    std::optional<int> number;
    if (!municipality.empty()) {
      bool visible = false;
      for (const auto& m : municipalities) {
        visible = visible || std::to_string(m["id"].get<int>()) == municipality;
      }
      if (!visible) {
        SendError(req, res, 403, "Du har ikke tilgang til tall for denne kommunen.", &context);
        return;
      }
      number = text::ParseInt(municipality);
    }
    const Outcome outcome = Run(app, *principal, analysis, number);
    const std::string format = req.get_param_value("format");
    if (format == "csv" || format == "json") {
      if (!outcome.table) {
        SendError(req, res, outcome.status == 200 ? 422 : outcome.status, outcome.message,
                  &context);
        return;
      }
      const std::string body = format == "csv" ? present::FormatAnalysisCsv(*outcome.table)
                                               : present::FormatAnalysisJson(*outcome.table);
      res.set_header("Content-Disposition",
                     fmt::format("attachment; filename=\"kompetanse_{}{}.{}\"", analysis,
                                 number ? "_" + std::to_string(*number) : "", format));
      res.set_content(
          body, format == "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8");
      return;
    }
    PageOptions page{"Kompetansedeling"};
    page.context = &context;
    std::string body =
        R"(<p>Hvor kunnskapen finnes i tjenestene, hvem som kan dele med hvem, og hvordan samarbeidet går over overgangene. Bare forskjeller som er statistisk sikre etter justering for mange sammenligninger og minst 5 prosentpoeng, regnes som funn.</p>)";
    body += Form(analysis, municipality, municipalities);
    if (!outcome.table) {
      body += fmt::format(R"(<p class="{}" role="alert">{}</p>)",
                          outcome.status == 200 ? "notice" : "error", Escape(outcome.message));
    } else {
      body += outcome.lead_html + TableHtml(*outcome.table);
      body += fmt::format(
          R"(<p><a href="/kompetanse?analyse={0}&amp;kommune={1}&amp;format=csv">Last ned CSV</a> · <a href="/kompetanse?analyse={0}&amp;kommune={1}&amp;format=json">JSON</a></p>)",
          analysis, Escape(municipality));
    }
    SendHtml(res, outcome.status, RenderPage(page, body));
  });
}

}  // namespace samkart::web
