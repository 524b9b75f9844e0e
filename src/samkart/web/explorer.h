// The results explorer's query model: a query read from URL parameters, who
// may ask it, and its evaluation through the publication rules. The pages
// (/utforsk), the JSON API (/api/tabell) and the downloads all use this one
// evaluation, so they show the same numbers and hide the same cells. Nothing
// here speaks HTTP; raw rows never leave it, only aggregated cells.
//
// Parameters (Norwegian, as in the URL):
//   familie     question family (required)          sporsmal  one item of it
//   etter       breakdown: tjeneste|stilling|storrelse|region|kommune|aar
//   kommune | region | storrelse   the area (at most one; the nation when none)
//   runde       0-punkt (default: every baseline round, as the national
//               report) | oppfolging | a year
//   tjeneste | stilling            a single-value filter (a key)
//   sammenlign  landet|storrelse|0-punkt            fordeling  1: every category
//
// Consistent suppression. Every view is a slice of canonical tables (the
// family in one round set broken down by at most two of the area, the
// filters and the breakdown) that pass the publication gate
// (analysis/publication.h), which protects them together with every table
// of the reports: a cell hidden in one view is hidden in every other view
// and every report, and no combination of views recovers it. One year
// (`runde=YEAR`) is the sum of the year's slice of the baseline and the
// follow-up set, hidden when either part is. Readers get the gate of their
// audience, in which no cell is built from fewer than three municipalities.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "samkart/analysis/dataset.h"
#include "samkart/analysis/publication.h"
#include "samkart/analysis/statistics.h"
#include "samkart/analysis/table.h"
#include "samkart/core/result.h"
#include "samkart/instrument/instrument.h"
#include "samkart/io/table_writer.h"
#include "samkart/web/auth.h"

namespace samkart::web {

enum class RoundSet { kBaseline, kFollowUp, kYear };
enum class ExplorerComparison { kNone, kNation, kSizeGroup, kBaseline };

struct ExplorerQuery {
  std::string family;
  std::optional<std::string> item;
  std::optional<analysis::Variable> by;
  // kMunicipality, kRegion or kSizeGroup with its value; the nation when empty.
  std::optional<std::pair<analysis::Variable, int>> area;
  RoundSet round = RoundSet::kBaseline;
  int year = 0;  // kYear
  std::optional<int> service, position;
  ExplorerComparison compare = ExplorerComparison::kNone;
  bool distribution = false;
};

// Parameter name → value, as the URL gives them; empty values count as absent.
using QueryParams = std::multimap<std::string, std::string>;

// Why a query cannot be shown, in words a coordinator understands: what
// cannot be combined, why, and what can be chosen instead.
struct ExplorerRefusal {
  std::string message;
  std::vector<std::string> fields;  // the form fields at fault («kommune», «etter»)
};

struct ExplorerRead {
  std::optional<ExplorerQuery> query;      // set when read, even if refused
  std::optional<ExplorerRefusal> refusal;  // the query cannot be shown (HTTP 400)
};

// Reads a query from its parameters and checks the combination.
// `ignored` lists parameters the caller handles itself (format, csrf).
ExplorerRead ReadExplorerQuery(const QueryParams& params, const instrument::Instrument& instrument,
                               const analysis::Dataset& data,
                               const std::vector<std::string>& ignored = {});

// ReadExplorerQuery with the refusal's message as the error.
Result<ExplorerQuery> ParseExplorerQuery(const QueryParams& params,
                                         const instrument::Instrument& instrument,
                                         const analysis::Dataset& data,
                                         const std::vector<std::string>& ignored = {});

// The views nearest a refused query that the combination rules and the
// user's access allow, best first (a year of one area replaced by its round
// set, then one choice fewer, then the user's own area).
std::vector<ExplorerQuery> ExplorerAlternatives(const ExplorerQuery& query,
                                                const Principal& principal,
                                                const analysis::Dataset& data,
                                                const instrument::Instrument& instrument);

// The form's label of a parameter («etter» → «Fordel etter»).
const char* ExplorerFieldLabel(const std::string& name);

// A view in words: «5001 Vikheim · Oppfølgingsundersøkelser (alle år) ·
// fordelt etter tjenestested».
std::string DescribeExplorerView(const ExplorerQuery& query, const analysis::Dataset& data,
                                 const instrument::Instrument& instrument);

// The query's parameters in a fixed order, defaults left out: the URL that
// reproduces the view is "/utforsk?" + this.
std::string CanonicalQueryString(const ExplorerQuery& query,
                                 const instrument::Instrument& instrument);

// Why `principal` may not ask this query (HTTP 403), or nullopt.
std::optional<std::string> ExplorerAccessDenied(const ExplorerQuery& query,
                                                const Principal& principal,
                                                const analysis::Dataset& data,
                                                const instrument::Instrument& instrument);

struct ExplorerCell {
  bool hidden = false;  // «:» — the publication rules hide it
  std::size_t n = 0;
  std::size_t count = 0;
  double share = 0;
  analysis::Interval interval;
  // What the interval rests on (see analysis/statistics.h).
  analysis::ClusterSums clusters;
  std::size_t design_rounds = 0;
  std::optional<double> design_effect;
};

struct ExplorerRow {
  std::string item;        // item id
  std::string item_label;  // its text
  bool total = false;      // the area's total (no breakdown value)
  std::optional<int> value;
  std::string label;  // «Totalt» or the breakdown value's label
  std::optional<int> category;
  std::string category_label;  // «andel …» or the category
  ExplorerCell cell;
  std::optional<ExplorerCell> reference;
  std::optional<analysis::Difference> difference;  // both sides visible only
};

struct ExplorerResult {
  ExplorerQuery query;
  std::string canonical;  // CanonicalQueryString
  std::string family_title;
  std::string family_stem;
  std::string area_label;       // «Landet», «KORUS Midt», «5001 Vikheim (syntetisk)»
  std::string round_label;      // «0-punktsmålinger (alle år)» …
  std::string filter_label;     // «Tjenestested: Barnehage»; empty without filters
  std::string breakdown_label;  // «Tjenestested»; empty without breakdown
  std::string reference_label;  // empty without comparison
  std::string denominator_rule;
  std::string rules_note;
  std::string access_note;  // rows left out because of the user's role
  std::vector<ExplorerRow> rows;
  std::string breakdown_words = {};  // «tjenestested», after «fordelt etter»
};

// Evaluates an allowed query (check ExplorerAccessDenied first). Errors
// (too many dimensions, a comparison the query does not allow) are 400s.
Result<ExplorerResult> EvaluateExplorerQuery(const ExplorerQuery& query, const Principal& principal,
                                             const analysis::Dataset& data,
                                             const instrument::Instrument& instrument,
                                             analysis::Publication& publication);

// The publication a user's role may see: readers get aggregates only.
analysis::Audience AudienceOf(const Principal& principal);

nlohmann::json ExplorerResultJson(const ExplorerResult& result);
// The download: one row per result row, hidden numbers as «:», every text
// cell through NeutraliseFormula.
io::ExportTable ExplorerExportTable(const ExplorerResult& result);
// The table as CSV for Norwegian Excel: UTF-8 with a byte order mark, «;»
// between fields and decimal commas.
Result<std::string> ExplorerCsv(const ExplorerResult& result);

// Families, items, areas, breakdowns and filters this user may choose.
nlohmann::json ExplorerOptionsJson(const Principal& principal, const analysis::Dataset& data,
                                   const instrument::Instrument& instrument);

// Region and size-group code of each municipality in the data.
using analysis::MunicipalityNesting;

}  // namespace samkart::web
