#include "samkart/web/explorer.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "samkart/core/text.h"
#include "samkart/instrument/codebook.h"
#include "samkart/present/table_format.h"

namespace samkart::web {

namespace {

using analysis::Variable;
using Group = std::vector<int>;
using VarSet = std::vector<Variable>;  // ascending enum order: one table per set
using Nesting = std::map<int, std::pair<int, int>>;

constexpr const char* kParamFamily = "familie";
constexpr const char* kParamItem = "sporsmal";
constexpr const char* kParamBy = "etter";
constexpr const char* kParamMunicipality = "kommune";
constexpr const char* kParamRegion = "region";
constexpr const char* kParamSizeGroup = "storrelse";
constexpr const char* kParamRound = "runde";
constexpr const char* kParamService = "tjeneste";
constexpr const char* kParamPosition = "stilling";
constexpr const char* kParamCompare = "sammenlign";
constexpr const char* kParamDistribution = "fordeling";

struct ByName {
  const char* name;
  Variable variable;
};
constexpr ByName kBreakdowns[] = {
    {"tjeneste", Variable::kService},     {"stilling", Variable::kPosition},
    {"storrelse", Variable::kSizeGroup},  {"region", Variable::kRegion},
    {"kommune", Variable::kMunicipality}, {"aar", Variable::kYear},
};

const char* BreakdownName(Variable v) {
  for (const auto& b : kBreakdowns) {
    if (b.variable == v) return b.name;
  }
  return "";
}

using analysis::IsGeographic;

// A user's value in a message: at most 60 bytes, cut on a character boundary.
std::string Shown(const std::string& value) {
  if (value.size() <= 60) return value;
  std::size_t cut = 60;
  while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0) == 0x80) --cut;
  return value.substr(0, cut) + "…";
}

template <typename Codes>
std::optional<int> CodeOfKey(const Codes& codes, const std::string& key) {
  for (const auto& c : codes) {
    if (c.key == key) return c.code;
  }
  return std::nullopt;
}

template <typename Codes>
std::string KeyOfCode(const Codes& codes, int code) {
  for (const auto& c : codes) {
    if (c.code == code) return c.key;
  }
  return std::to_string(code);
}

template <typename Codes>
std::string KeyList(const Codes& codes) {
  std::vector<std::string> keys;
  for (const auto& c : codes) keys.push_back(c.key);
  return text::Join(keys, ", ");
}

std::vector<int> Years(const analysis::Dataset& data) {
  const auto known = data.distinct_values.find(Variable::kYear);
  if (known != data.distinct_values.end()) return known->second;
  std::set<int> years(data.year.begin(), data.year.end());
  return {years.begin(), years.end()};
}

int BaselineCode(const instrument::Instrument& in) {
  return in.round_types.empty() ? 1 : in.round_types[0].code;
}

std::string RoundLabelOf(const ExplorerQuery& q) {
  switch (q.round) {
    case RoundSet::kBaseline:
      return "0-punktsmålinger (alle år)";
    case RoundSet::kFollowUp:
      return "Oppfølgingsundersøkelser (alle år)";
    case RoundSet::kYear:
      return fmt::format("Alle runder i {}", q.year);
  }
  return "";
}

// The variables of the table the query's rows come from: the area (unless
// the breakdown is by the municipalities inside it), the filters and the
// breakdown, in canonical order.
VarSet RowVariables(const ExplorerQuery& q) {
  std::set<Variable> vars;
  if (q.area && !(q.by == Variable::kMunicipality && q.area->first != Variable::kMunicipality)) {
    vars.insert(q.area->first);
  }
  if (q.service) vars.insert(Variable::kService);
  if (q.position) vars.insert(Variable::kPosition);
  if (q.round == RoundSet::kYear) vars.insert(Variable::kYear);
  if (q.by) vars.insert(*q.by);
  return {vars.begin(), vars.end()};
}

// A breakdown as the words after «fordelt etter».
const char* ByWords(Variable v) {
  switch (v) {
    case Variable::kService:
      return "tjenestested";
    case Variable::kPosition:
      return "stilling";
    case Variable::kSizeGroup:
      return "størrelsesgruppe";
    case Variable::kRegion:
      return "region";
    case Variable::kMunicipality:
      return "kommune";
    case Variable::kYear:
      return "år";
    default:
      return "";
  }
}

// The form field that chooses an area of this kind.
const char* AreaField(Variable v) {
  return v == Variable::kMunicipality ? kParamMunicipality
         : v == Variable::kRegion     ? kParamRegion
                                      : kParamSizeGroup;
}

// Why the combination cannot be shown, in the words of the form's labels;
// the rules themselves protect hidden cells and must not change.
std::optional<ExplorerRefusal> StructureRefusal(const ExplorerQuery& q,
                                                const instrument::Instrument& in,
                                                const analysis::Dataset& data) {
  if (q.by && q.area) {
    const Variable a = q.area->first;
    if (a == Variable::kMunicipality && IsGeographic(*q.by)) {
      return ExplorerRefusal{
          fmt::format("Én kommune kan ikke fordeles etter {}: den er bare én kommune. Kommunens "
                      "tall kan fordeles etter tjenestested, stilling eller år. Velg en av dem "
                      "under «Fordel etter», eller velg «–» under «Kommune» for å se alle "
                      "kommunene side om side.",
                      ByWords(*q.by)),
          {kParamMunicipality, kParamBy}};
    }
    if (*q.by == a) {
      const bool region = a == Variable::kRegion;
      return ExplorerRefusal{
          fmt::format("Du har valgt én {0} og vil samtidig fordele etter {0}. Velg «–» under "
                      "«{1}» for å se alle {2} side om side, eller velg en annen inndeling under "
                      "«Fordel etter».",
                      region ? "region" : "størrelsesgruppe",
                      region ? "Region" : "Størrelsesgruppe",
                      region ? "regionene" : "størrelsesgruppene"),
          {AreaField(a), kParamBy}};
    }
  }
  if (q.by == Variable::kService && q.service) {
    return ExplorerRefusal{
        "«Bare tjenestested» og «Fordel etter: tjenestested» kan ikke brukes samtidig: med "
        "bare ett tjenestested er det ingenting å fordele. Velg «Alle» under «Bare "
        "tjenestested» for å se tjenestestedene side om side, eller fordel etter noe annet.",
        {kParamService, kParamBy}};
  }
  if (q.by == Variable::kPosition && q.position) {
    return ExplorerRefusal{
        "«Bare stilling» og «Fordel etter: stilling» kan ikke brukes samtidig: med bare én "
        "stilling er det ingenting å fordele. Velg «Alle» under «Bare stilling» for å se "
        "stillingene side om side, eller fordel etter noe annet.",
        {kParamPosition, kParamBy}};
  }
  if (q.by == Variable::kYear && q.round == RoundSet::kYear) {
    return ExplorerRefusal{
        fmt::format("«Fordel etter: år» viser hvert år for seg og kan ikke kombineres med bare "
                    "året {} under «Runder». Velg «0-punktsmålinger (alle år)» eller "
                    "«Oppfølgingsundersøkelser (alle år)» under «Runder», eller fordel etter noe "
                    "annet.",
                    q.year),
        {kParamRound, kParamBy}};
  }
  if (RowVariables(q).size() > 2) {
    // The choices that count, most basic first: the message keeps the first
    // two and names the rest as what cannot be added to them.
    struct Choice {
      const char* field;
      Variable variable;
    };
    std::vector<Choice> choices;
    if (q.area && !(q.by == Variable::kMunicipality && q.area->first != Variable::kMunicipality)) {
      choices.push_back({AreaField(q.area->first), q.area->first});
    }
    if (q.round == RoundSet::kYear) choices.push_back({kParamRound, Variable::kYear});
    if (q.service) choices.push_back({kParamService, Variable::kService});
    if (q.position) choices.push_back({kParamPosition, Variable::kPosition});
    if (q.by) choices.push_back({kParamBy, *q.by});
    auto is_by = [&](const Choice& c) { return std::string(c.field) == kParamBy; };
    std::vector<std::string> kept_filters;
    std::string subject = "Tallene", where, by;
    std::vector<std::string> dropped;
    for (std::size_t i = 0; i < choices.size(); ++i) {
      const Choice& c = choices[i];
      const bool kept = i < 2;
      if (is_by(c)) {
        (kept ? by : dropped.emplace_back()) = fmt::format("fordelt etter {}", ByWords(c.variable));
      } else if (c.variable == Variable::kYear) {
        subject = fmt::format("Året {}", q.year);
      } else if (c.variable == Variable::kService || c.variable == Variable::kPosition) {
        const int code = c.variable == Variable::kService ? *q.service : *q.position;
        const std::string label = present::GroupValueLabel(data, in, c.variable, code);
        if (kept) {
          kept_filters.push_back(fmt::format("«{}»", label));
        } else {
          dropped.push_back(c.variable == Variable::kService ? "bare for ett tjenestested"
                                                             : "bare for én stilling");
        }
      } else {
        where = c.variable == Variable::kMunicipality ? "kommunen"
                : c.variable == Variable::kRegion     ? "regionen"
                                                      : "størrelsesgruppen";
      }
    }
    if (!kept_filters.empty()) {
      subject = (q.round == RoundSet::kYear ? subject + " for " : "Tallene for ") +
                text::Join(kept_filters, " og ");
    }
    std::string shown = subject + " kan vises";
    if (!where.empty()) shown += (kept_filters.empty() ? " for hele " : " for ") + where;
    if (!by.empty()) shown += " " + by;
    std::vector<std::string> fields;
    for (const Choice& c : choices) fields.push_back(c.field);
    return ExplorerRefusal{
        fmt::format("{}, men ikke samtidig {}, fordi gruppene da blir så små at tall som er "
                    "skjult for å verne enkeltpersoner, kan regnes ut. En visning kan kombinere "
                    "høyst to av disse valgene: et område (kommune, region eller "
                    "størrelsesgruppe), ett enkelt år under «Runder», ett tjenestested, én "
                    "stilling og «Fordel etter». «0-punktsmålinger (alle år)» og "
                    "«Oppfølgingsundersøkelser (alle år)» teller ikke som valg.",
                    shown, text::Join(dropped, " eller ")),
        fields};
  }
  if (q.compare == ExplorerComparison::kSizeGroup &&
      !(q.area && q.area->first == Variable::kMunicipality)) {
    return ExplorerRefusal{
        "«Sammenlign med: samme størrelsesgruppe» sammenligner én kommune med de andre "
        "kommunene av samme størrelse. Velg en kommune under «Kommune», eller velg «Landet» "
        "under «Sammenlign med».",
        {kParamCompare, kParamMunicipality}};
  }
  if (q.compare == ExplorerComparison::kNation && !q.area && !(q.by && IsGeographic(*q.by))) {
    return ExplorerRefusal{
        "«Sammenlign med: landet» sammenligner et område med resten av landet, og landet kan "
        "ikke sammenlignes med seg selv. Velg en kommune, en region eller en "
        "størrelsesgruppe, eller fordel etter kommune, region eller størrelsesgruppe.",
        {kParamCompare}};
  }
  if (q.compare == ExplorerComparison::kBaseline && q.round == RoundSet::kBaseline) {
    return ExplorerRefusal{
        "«Sammenlign med: 0-punktsmåling» viser endringen siden 0-punktet, og den finnes bare "
        "for oppfølgingsundersøkelsene. Velg «Oppfølgingsundersøkelser (alle år)» eller ett "
        "enkelt år under «Runder».",
        {kParamCompare, kParamRound}};
  }
  return std::nullopt;
}

// The refusal's message alone, for the evaluation's own check.
std::optional<std::string> StructureError(const ExplorerQuery& q, const instrument::Instrument& in,
                                          const analysis::Dataset& data) {
  auto refusal = StructureRefusal(q, in, data);
  if (!refusal) return std::nullopt;
  return refusal->message;
}

// The parameters that have a value, each given at most once.
using ParamValues = std::map<std::string, std::string>;

ExplorerRefusal Refuse(std::string message, std::vector<std::string> fields = {}) {
  return ExplorerRefusal{std::move(message), std::move(fields)};
}

const char* FieldLabel(const std::string& name) {
  static const std::map<std::string, const char*> labels = {
      {kParamFamily, "Spørsmålsfamilie"},
      {kParamItem, "Delspørsmål"},
      {kParamBy, "Fordel etter"},
      {kParamMunicipality, "Kommune"},
      {kParamRegion, "Region"},
      {kParamSizeGroup, "Størrelsesgruppe"},
      {kParamRound, "Runder"},
      {kParamService, "Bare tjenestested"},
      {kParamPosition, "Bare stilling"},
      {kParamCompare, "Sammenlign med"},
      {kParamDistribution, "Hele fordelingen"}};
  const auto it = labels.find(name);
  return it == labels.end() ? "" : it->second;
}

std::optional<ExplorerRefusal> CollectParams(const QueryParams& params,
                                             const std::vector<std::string>& ignored,
                                             ParamValues& values) {
  static const std::set<std::string> known = {
      kParamFamily,   kParamItem,      kParamBy,          kParamMunicipality,
      kParamRegion,   kParamSizeGroup, kParamRound,       kParamService,
      kParamPosition, kParamCompare,   kParamDistribution};
  for (const auto& [name, value] : params) {
    if (std::find(ignored.begin(), ignored.end(), name) != ignored.end()) continue;
    if (!known.count(name)) {
      return Refuse(
          fmt::format("Adressen har en ukjent parameter «{}». Åpne utforskeren på nytt "
                      "og velg fra listene.",
                      Shown(name)));
    }
    if (value.empty()) continue;
    if (values.count(name)) {
      return Refuse(fmt::format("«{}» (parameteren «{}») er valgt flere ganger i adressen; velg "
                                "bare én verdi.",
                                FieldLabel(name), name),
                    {name});
    }
    values[name] = value;
  }
  return std::nullopt;
}

const std::string* Get(const ParamValues& values, const char* name) {
  const auto it = values.find(name);
  return it == values.end() ? nullptr : &it->second;
}

ExplorerRefusal UnknownValue(const char* name, const std::string& value, const std::string& valid) {
  return Refuse(fmt::format("«{}» er ikke et gyldig valg under «{}» (parameteren «{}» i "
                            "adressen). Velg fra listen.{}",
                            Shown(value), FieldLabel(name), name,
                            valid.empty() ? "" : " Gyldige verdier: " + valid + "."),
                {name});
}

// familie, sporsmal and etter: what is shown and how it is broken down.
std::optional<ExplorerRefusal> ParseSelection(const ParamValues& values,
                                              const instrument::Instrument& in, ExplorerQuery& q) {
  const std::string* family = Get(values, kParamFamily);
  if (!family) return Refuse("Velg en spørsmålsfamilie.", {kParamFamily});
  const instrument::Family* f = in.FindFamily(*family);
  if (!f) return UnknownValue(kParamFamily, *family, "");
  q.family = f->id;
  if (const std::string* item = Get(values, kParamItem)) {
    if (!f->FindItem(*item)) return UnknownValue(kParamItem, *item, "");
    q.item = *item;
  }
  if (const std::string* by = Get(values, kParamBy)) {
    for (const auto& b : kBreakdowns) {
      if (*by == b.name) q.by = b.variable;
    }
    if (!q.by) {
      return UnknownValue(kParamBy, *by, "tjeneste, stilling, storrelse, region, kommune, aar");
    }
  }
  return std::nullopt;
}

// kommune, region or storrelse: at most one area.
std::optional<ExplorerRefusal> ParseArea(const ParamValues& values,
                                         const instrument::Instrument& in,
                                         const analysis::Dataset& data, ExplorerQuery& q) {
  std::vector<std::string> areas;
  if (const std::string* m = Get(values, kParamMunicipality)) {
    areas.push_back(kParamMunicipality);
    const auto number = text::ParseInt(*m);
    const Nesting nesting = MunicipalityNesting(data);
    if (!number || !nesting.count(*number)) return UnknownValue(kParamMunicipality, *m, "");
    q.area = {Variable::kMunicipality, *number};
  }
  if (const std::string* r = Get(values, kParamRegion)) {
    areas.push_back(kParamRegion);
    const auto code = CodeOfKey(in.regions, *r);
    if (!code) return UnknownValue(kParamRegion, *r, KeyList(in.regions));
    q.area = {Variable::kRegion, *code};
  }
  if (const std::string* s = Get(values, kParamSizeGroup)) {
    areas.push_back(kParamSizeGroup);
    const auto code = CodeOfKey(in.size_groups, *s);
    if (!code) return UnknownValue(kParamSizeGroup, *s, KeyList(in.size_groups));
    q.area = {Variable::kSizeGroup, *code};
  }
  if (areas.size() > 1) {
    return Refuse(
        "Velg bare ett område: en kommune, en region eller en størrelsesgruppe. Sett de andre "
        "til «–». Uten område vises landet.",
        areas);
  }
  return std::nullopt;
}

// runde: the baseline rounds, the follow-ups, or every round in one year.
std::optional<ExplorerRefusal> ParseRound(const ParamValues& values, const analysis::Dataset& data,
                                          ExplorerQuery& q) {
  const std::string* round = Get(values, kParamRound);
  if (!round) return std::nullopt;
  if (*round == "0-punkt") {
    q.round = RoundSet::kBaseline;
  } else if (*round == "oppfolging") {
    q.round = RoundSet::kFollowUp;
  } else {
    const auto year = text::ParseInt(*round);
    const std::vector<int> years = Years(data);
    if (!year || std::find(years.begin(), years.end(), *year) == years.end()) {
      std::vector<std::string> names = {"0-punkt", "oppfolging"};
      for (const int y : years) names.push_back(std::to_string(y));
      return UnknownValue(kParamRound, *round, text::Join(names, ", "));
    }
    q.round = RoundSet::kYear;
    q.year = *year;
  }
  return std::nullopt;
}

// tjeneste, stilling, sammenlign and fordeling.
std::optional<ExplorerRefusal> ParseFiltersAndOptions(const ParamValues& values,
                                                      const instrument::Instrument& in,
                                                      ExplorerQuery& q) {
  if (const std::string* s = Get(values, kParamService)) {
    const auto code = CodeOfKey(in.services, *s);
    if (!code) return UnknownValue(kParamService, *s, KeyList(in.services));
    q.service = *code;
  }
  if (const std::string* p = Get(values, kParamPosition)) {
    const auto code = CodeOfKey(in.positions, *p);
    if (!code) return UnknownValue(kParamPosition, *p, KeyList(in.positions));
    q.position = *code;
  }
  if (const std::string* c = Get(values, kParamCompare)) {
    if (*c == "landet") {
      q.compare = ExplorerComparison::kNation;
    } else if (*c == "storrelse") {
      q.compare = ExplorerComparison::kSizeGroup;
    } else if (*c == "0-punkt") {
      q.compare = ExplorerComparison::kBaseline;
    } else {
      return UnknownValue(kParamCompare, *c, "landet, storrelse, 0-punkt");
    }
  }
  if (const std::string* d = Get(values, kParamDistribution)) {
    if (*d != "1" && *d != "0") return UnknownValue(kParamDistribution, *d, "1, 0");
    q.distribution = *d == "1";
  }
  return std::nullopt;
}

// Did the area (the nation when none) have rounds of this kind in `year`?
bool HadRounds(const ExplorerQuery& q, const analysis::Dataset& data, int baseline, bool follow_up,
               int year) {
  for (std::size_t r = 0; r < data.rows; ++r) {
    if (data.year[r] != year || (data.round_type[r] != baseline) != follow_up) continue;
    if (!q.area) return true;
    const int value = q.area->first == Variable::kMunicipality ? data.municipality[r]
                      : q.area->first == Variable::kRegion     ? data.region[r]
                                                               : data.size_group[r];
    if (value == q.area->second) return true;
  }
  return false;
}

}  // namespace

// ------------------------------------------------------------------ parsing

ExplorerRead ReadExplorerQuery(const QueryParams& params, const instrument::Instrument& in,
                               const analysis::Dataset& data,
                               const std::vector<std::string>& ignored) {
  ExplorerRead read;
  ParamValues values;
  ExplorerQuery q;
  read.refusal = CollectParams(params, ignored, values);
  if (!read.refusal) read.refusal = ParseSelection(values, in, q);
  if (!read.refusal) read.refusal = ParseArea(values, in, data, q);
  if (!read.refusal) read.refusal = ParseRound(values, data, q);
  if (!read.refusal) read.refusal = ParseFiltersAndOptions(values, in, q);
  if (read.refusal) return read;
  read.refusal = StructureRefusal(q, in, data);
  read.query = std::move(q);
  return read;
}

Result<ExplorerQuery> ParseExplorerQuery(const QueryParams& params,
                                         const instrument::Instrument& in,
                                         const analysis::Dataset& data,
                                         const std::vector<std::string>& ignored) {
  ExplorerRead read = ReadExplorerQuery(params, in, data, ignored);
  if (read.refusal) return Error{read.refusal->message};
  return std::move(*read.query);
}

const char* ExplorerFieldLabel(const std::string& name) { return FieldLabel(name); }

std::vector<ExplorerQuery> ExplorerAlternatives(const ExplorerQuery& q, const Principal& principal,
                                                const analysis::Dataset& data,
                                                const instrument::Instrument& in) {
  std::vector<ExplorerQuery> candidates;
  auto with = [&](auto change) {
    ExplorerQuery c = q;
    change(c);
    candidates.push_back(std::move(c));
  };
  if (q.round == RoundSet::kYear) {
    // One year of one area is usually one round: the same round as part of
    // its round set counts as no choice, so the breakdown is allowed.
    const int baseline = BaselineCode(in);
    const bool follow_up = HadRounds(q, data, baseline, true, q.year);
    const bool base = HadRounds(q, data, baseline, false, q.year);
    if (follow_up || !base) with([](ExplorerQuery& c) { c.round = RoundSet::kFollowUp; });
    if (base || !follow_up) with([](ExplorerQuery& c) { c.round = RoundSet::kBaseline; });
  }
  if (q.compare == ExplorerComparison::kBaseline && q.round == RoundSet::kBaseline) {
    with([](ExplorerQuery& c) { c.round = RoundSet::kFollowUp; });
  }
  if (q.by && q.area && *q.by == q.area->first && q.area->first != Variable::kMunicipality) {
    with([](ExplorerQuery& c) { c.area.reset(); });
  }
  if (q.by && q.area && q.area->first == Variable::kMunicipality && IsGeographic(*q.by)) {
    with([](ExplorerQuery& c) { c.by = Variable::kService; });
  }
  with([](ExplorerQuery& c) { c.service.reset(); });
  with([](ExplorerQuery& c) { c.position.reset(); });
  with([](ExplorerQuery& c) { c.by.reset(); });
  if (q.compare == ExplorerComparison::kSizeGroup) {
    with([](ExplorerQuery& c) { c.compare = ExplorerComparison::kNation; });
  }
  with([](ExplorerQuery& c) { c.compare = ExplorerComparison::kNone; });
  with([](ExplorerQuery& c) { c.round = RoundSet::kBaseline; });
  // An area the user may not see: the same view of their own.
  if (principal.role == Role::kMunicipal && principal.municipality) {
    with([&](ExplorerQuery& c) {
      c.area = std::make_pair(Variable::kMunicipality, *principal.municipality);
    });
  }
  if (principal.role == Role::kRegional && principal.region) {
    if (const auto region = CodeOfKey(in.regions, *principal.region)) {
      with([&](ExplorerQuery& c) { c.area = std::make_pair(Variable::kRegion, *region); });
    }
  }
  with([](ExplorerQuery& c) { c.area.reset(); });

  std::vector<ExplorerQuery> out;
  std::set<std::string> seen = {CanonicalQueryString(q, in)};
  for (ExplorerQuery& c : candidates) {
    if (c.round != RoundSet::kYear) c.year = 0;
    if (StructureRefusal(c, in, data)) continue;
    if (ExplorerAccessDenied(c, principal, data, in)) continue;
    if (!seen.insert(CanonicalQueryString(c, in)).second) continue;
    out.push_back(std::move(c));
  }
  return out;
}

std::string DescribeExplorerView(const ExplorerQuery& q, const analysis::Dataset& data,
                                 const instrument::Instrument& in) {
  std::vector<std::string> parts;
  parts.push_back(q.area ? present::GroupValueLabel(data, in, q.area->first, q.area->second)
                         : "Landet");
  parts.push_back(RoundLabelOf(q));
  if (q.service)
    parts.push_back(present::GroupValueLabel(data, in, Variable::kService, *q.service));
  if (q.position) {
    parts.push_back(present::GroupValueLabel(data, in, Variable::kPosition, *q.position));
  }
  if (q.by) parts.push_back(fmt::format("fordelt etter {}", ByWords(*q.by)));
  if (q.compare == ExplorerComparison::kNation) parts.push_back("sammenlignet med landet");
  if (q.compare == ExplorerComparison::kSizeGroup) {
    parts.push_back("sammenlignet med samme størrelsesgruppe");
  }
  if (q.compare == ExplorerComparison::kBaseline) parts.push_back("sammenlignet med 0-punktet");
  return text::Join(parts, " · ");
}

std::string CanonicalQueryString(const ExplorerQuery& q, const instrument::Instrument& in) {
  std::vector<std::string> parts;
  auto add = [&](const char* name, const std::string& value) {
    parts.push_back(fmt::format("{}={}", name, text::UrlEncode(value)));
  };
  add(kParamFamily, q.family);
  if (q.item) add(kParamItem, *q.item);
  if (q.area) {
    switch (q.area->first) {
      case Variable::kMunicipality:
        add(kParamMunicipality, std::to_string(q.area->second));
        break;
      case Variable::kRegion:
        add(kParamRegion, KeyOfCode(in.regions, q.area->second));
        break;
      default:
        add(kParamSizeGroup, KeyOfCode(in.size_groups, q.area->second));
    }
  }
  if (q.round == RoundSet::kFollowUp) add(kParamRound, "oppfolging");
  if (q.round == RoundSet::kYear) add(kParamRound, std::to_string(q.year));
  if (q.service) add(kParamService, KeyOfCode(in.services, *q.service));
  if (q.position) add(kParamPosition, KeyOfCode(in.positions, *q.position));
  if (q.by) add(kParamBy, BreakdownName(*q.by));
  if (q.compare == ExplorerComparison::kNation) add(kParamCompare, "landet");
  if (q.compare == ExplorerComparison::kSizeGroup) add(kParamCompare, "storrelse");
  if (q.compare == ExplorerComparison::kBaseline) add(kParamCompare, "0-punkt");
  if (q.distribution) add(kParamDistribution, "1");
  return text::Join(parts, "&");
}

// ------------------------------------------------------------------ access

namespace {

// The principal's own region and size group codes, where the role has them.
struct Home {
  std::optional<int> region;
  std::optional<int> size_group;
};

Home HomeOf(const Principal& p, const Nesting& nesting, const instrument::Instrument& in) {
  Home home;
  if (p.role == Role::kRegional && p.region) home.region = CodeOfKey(in.regions, *p.region);
  if (p.role == Role::kMunicipal && p.municipality) {
    const auto it = nesting.find(*p.municipality);
    if (it != nesting.end()) {
      home.region = it->second.first;
      home.size_group = it->second.second;
    }
  }
  return home;
}

// May the principal see the aggregate of one area (or one breakdown row)?
bool CanSeeArea(const Principal& p, const Home& home, const Nesting& nesting, Variable variable,
                int value) {
  if (p.role == Role::kAdmin) return true;
  switch (variable) {
    case Variable::kMunicipality: {
      if (p.role == Role::kMunicipal) return p.municipality && *p.municipality == value;
      if (p.role != Role::kRegional) return false;
      const auto it = nesting.find(value);
      return it != nesting.end() && home.region && it->second.first == *home.region;
    }
    case Variable::kRegion:
      return p.role != Role::kMunicipal || (home.region && *home.region == value);
    case Variable::kSizeGroup:
      return p.role != Role::kMunicipal || (home.size_group && *home.size_group == value);
    default:
      return true;
  }
}

}  // namespace

std::optional<std::string> ExplorerAccessDenied(const ExplorerQuery& q, const Principal& p,
                                                const analysis::Dataset& data,
                                                const instrument::Instrument& in) {
  if (p.role == Role::kAdmin) return std::nullopt;
  const Nesting nesting = MunicipalityNesting(data);
  const Home home = HomeOf(p, nesting, in);
  if (q.area && !CanSeeArea(p, home, nesting, q.area->first, q.area->second)) {
    switch (p.role) {
      case Role::kRegional:
        return "Du har bare tilgang til tall for kommunene i din egen region.";
      case Role::kMunicipal:
        return "Du har bare tilgang til tall for din egen kommune, og til landet, din region og "
               "din størrelsesgruppe som sammenligning.";
      default:
        return "Med leserolle ser du bare tall for landet, regionene og størrelsesgruppene.";
    }
  }
  if (q.by == Variable::kMunicipality) {
    if (p.role != Role::kRegional) {
      return "Inndeling etter kommune er bare tilgjengelig for administratorer og regionale "
             "analytikere.";
    }
    if (q.area && q.area->first == Variable::kRegion && home.region &&
        q.area->second != *home.region) {
      return "Du har bare tilgang til kommunene i din egen region.";
    }
  }
  return std::nullopt;
}

// ------------------------------------------------------------------ suppression

namespace {

VarSet Sorted(std::vector<Variable> vars) {
  std::sort(vars.begin(), vars.end());
  vars.erase(std::unique(vars.begin(), vars.end()), vars.end());
  return vars;
}

// The canonical tables of one family in one round set, each through the
// publication gate, which protects them together with every other table
// Samkart publishes (see analysis/publication.h).
class CanonicalTables {
 public:
  CanonicalTables(const analysis::Dataset& data, const instrument::Instrument& in,
                  analysis::Publication& publication, std::string family, bool distribution,
                  std::vector<analysis::Filter> universe)
      : data_(data),
        in_(in),
        publication_(publication),
        family_(std::move(family)),
        distribution_(distribution),
        universe_(std::move(universe)) {}

  // The table by `vars` (sorted), of the kind asked for, with hidden cells
  // zeroed and marked.
  Result<const analysis::Table*> Get(const VarSet& vars) {
    if (const auto it = shown_.find(vars); it != shown_.end()) return &it->second;
    analysis::TableRequest request;
    request.family = family_;
    request.by = vars;
    request.where = universe_;
    request.distribution = distribution_;
    auto table = analysis::ComputeTable(data_, in_, request);
    if (!table.ok()) return table.error();
    std::vector<analysis::Table> tables = {std::move(table).value()};
    auto applied = publication_.Apply(tables);
    if (!applied.ok()) return applied.error();
    return &shown_.emplace(vars, std::move(tables[0])).first->second;
  }

 private:
  const analysis::Dataset& data_;
  const instrument::Instrument& in_;
  analysis::Publication& publication_;
  std::string family_;
  bool distribution_;
  std::vector<analysis::Filter> universe_;
  std::map<VarSet, analysis::Table> shown_;
};

std::vector<analysis::Filter> UniverseOf(const ExplorerQuery& q, const instrument::Instrument& in) {
  const int baseline = BaselineCode(in);
  switch (q.round) {
    case RoundSet::kBaseline:
      return {{Variable::kRoundType, {baseline}, std::nullopt}};
    case RoundSet::kFollowUp: {
      analysis::Filter f{Variable::kRoundType, {}, std::nullopt};
      for (const auto& r : in.round_types) {
        if (r.code != baseline) f.values.push_back(r.code);
      }
      return {f};
    }
    case RoundSet::kYear:
      return {{Variable::kYear, {q.year}, std::nullopt}};
  }
  return {};
}

ExplorerCell CellOf(const analysis::Cell& cell) {
  ExplorerCell out;
  out.hidden = cell.suppressed;
  if (!cell.suppressed) {
    out.n = cell.n;
    out.count = cell.count;
    out.share = cell.share;
    out.interval = cell.interval;
    out.clusters = cell.clusters;
    out.design_rounds = cell.design_rounds;
    out.design_effect = cell.design_effect;
  }
  return out;
}

analysis::Cell AsCell(const ExplorerCell& cell) {
  return analysis::MakeCell(cell.count, cell.n, cell.clusters, cell.design_rounds);
}

std::string CategoryLabelOf(const instrument::Instrument& in, const instrument::Family& family,
                            std::optional<int> category) {
  const auto* scale = in.FindScale(family.scale);
  if (!category) {
    std::vector<std::string> labels;
    for (const int code : family.reported_share) {
      const auto* c = scale ? scale->Find(code) : nullptr;
      labels.push_back(c ? c->label : std::to_string(code));
    }
    return "andel " + text::Join(labels, " / ");
  }
  const auto* c = scale ? scale->Find(*category) : nullptr;
  return c ? c->label : std::to_string(*category);
}

// The rows of one view (no comparison): the area's total, then the breakdown.
Result<std::vector<ExplorerRow>> ViewPartRows(const ExplorerQuery& q, std::optional<int> year,
                                              const Principal& principal,
                                              const analysis::Dataset& data,
                                              const instrument::Instrument& in,
                                              analysis::Publication& publication,
                                              const Nesting& nesting, std::size_t& left_out) {
  CanonicalTables tables(data, in, publication, q.family, q.distribution, UniverseOf(q, in));
  std::map<Variable, int> fixed;
  if (year) fixed[Variable::kYear] = *year;
  if (q.area) fixed[q.area->first] = q.area->second;
  if (q.service) fixed[Variable::kService] = *q.service;
  if (q.position) fixed[Variable::kPosition] = *q.position;
  std::vector<Variable> total_list;
  for (const auto& [v, value] : fixed) total_list.push_back(v);
  const VarSet total_vars = Sorted(total_list);
  Group total_group;
  for (const Variable v : total_vars) total_group.push_back(fixed.at(v));

  auto total_table = tables.Get(total_vars);
  if (!total_table.ok()) return total_table.error();
  const instrument::Family& family = *(*total_table)->family;
  auto wanted_item = [&](std::size_t item) {
    return !q.item || data.item_refs[item].item->id == *q.item;
  };
  auto make_row = [&](const analysis::TableRow& r) {
    ExplorerRow row;
    row.item = data.item_refs[r.item].item->id;
    row.item_label = data.item_refs[r.item].item->text;
    row.category = r.category;
    row.category_label = CategoryLabelOf(in, family, r.category);
    row.cell = CellOf(r.cell);
    return row;
  };

  // Item → its total rows, then its breakdown rows.
  std::map<std::size_t, std::vector<ExplorerRow>> per_item;
  std::vector<std::size_t> item_order;
  for (const analysis::TableRow& r : (*total_table)->rows) {
    if (r.group != total_group || !wanted_item(r.item)) continue;
    if (!per_item.count(r.item)) item_order.push_back(r.item);
    ExplorerRow row = make_row(r);
    row.total = true;
    row.label = "Totalt";
    per_item[r.item].push_back(std::move(row));
  }
  if (q.by) {
    std::map<Variable, int> rows_fixed = fixed;
    std::optional<std::pair<Variable, int>> member;
    if (*q.by == Variable::kMunicipality && q.area && q.area->first != Variable::kMunicipality) {
      rows_fixed.erase(q.area->first);
      member = q.area;
    }
    std::vector<Variable> list;
    for (const auto& [v, value] : rows_fixed) list.push_back(v);
    list.push_back(*q.by);
    const VarSet rows_vars = Sorted(list);
    auto rows_table = tables.Get(rows_vars);
    if (!rows_table.ok()) return rows_table.error();
    std::size_t by_index = 0;
    for (std::size_t i = 0; i < rows_vars.size(); ++i) {
      if (rows_vars[i] == *q.by) by_index = i;
    }
    const Home home = HomeOf(principal, nesting, in);
    std::set<int> hidden_values;
    for (const analysis::TableRow& r : (*rows_table)->rows) {
      if (r.group.empty() || !wanted_item(r.item)) continue;
      bool match = true;
      for (std::size_t i = 0; i < rows_vars.size(); ++i) {
        if (i != by_index && r.group[i] != rows_fixed.at(rows_vars[i])) match = false;
      }
      if (!match) continue;
      const int value = r.group[by_index];
      if (member) {
        const auto it = nesting.find(value);
        if (it == nesting.end()) continue;
        const int in_area =
            member->first == Variable::kRegion ? it->second.first : it->second.second;
        if (in_area != member->second) continue;
      }
      if (!CanSeeArea(principal, home, nesting, *q.by, value)) {
        hidden_values.insert(value);
        continue;
      }
      ExplorerRow row = make_row(r);
      row.value = value;
      row.label = present::GroupValueLabel(data, in, *q.by, value);
      if (!per_item.count(r.item)) item_order.push_back(r.item);
      per_item[r.item].push_back(std::move(row));
    }
    left_out = hidden_values.size();
  }
  std::vector<ExplorerRow> out;
  for (const std::size_t item : item_order) {
    for (auto& row : per_item[item]) out.push_back(std::move(row));
  }
  return out;
}

// The sum of two published cells: hidden when either is.
ExplorerCell Sum(const ExplorerCell& a, const ExplorerCell& b) {
  ExplorerCell sum;
  if (a.hidden || b.hidden) {
    sum.hidden = true;
    return sum;
  }
  // The baseline and follow-up rounds are different rounds: their sums add.
  analysis::ClusterSums clusters = a.clusters;
  clusters += b.clusters;
  return CellOf(analysis::MakeCell(a.count + b.count, a.n + b.n, clusters,
                                   std::max(a.design_rounds, b.design_rounds)));
}

// The rows of one view (no comparison). One year is not a round set of
// its own — it would overlap the baseline and follow-up sets, and cells
// hidden in one could be recovered from the other — but the sum of the
// year's slice of both: a cell is hidden when either part is, so it shows
// nothing the two sets do not already publish.
Result<std::vector<ExplorerRow>> ViewRows(const ExplorerQuery& q, const Principal& principal,
                                          const analysis::Dataset& data,
                                          const instrument::Instrument& in,
                                          analysis::Publication& publication,
                                          const Nesting& nesting, std::size_t& left_out) {
  if (q.round != RoundSet::kYear) {
    return ViewPartRows(q, std::nullopt, principal, data, in, publication, nesting, left_out);
  }
  ExplorerQuery baseline = q, follow_up = q;
  baseline.round = RoundSet::kBaseline;
  follow_up.round = RoundSet::kFollowUp;
  std::size_t left_b = 0, left_f = 0;
  auto rows = ViewPartRows(baseline, q.year, principal, data, in, publication, nesting, left_b);
  if (!rows.ok()) return rows.error();
  auto more = ViewPartRows(follow_up, q.year, principal, data, in, publication, nesting, left_f);
  if (!more.ok()) return more.error();
  left_out = std::max(left_b, left_f);
  std::vector<ExplorerRow> out = std::move(rows).value();
  std::vector<bool> used(more->size(), false);
  for (ExplorerRow& row : out) {
    for (std::size_t i = 0; i < more->size(); ++i) {
      const ExplorerRow& other = (*more)[i];
      if (used[i] || other.item != row.item || other.total != row.total ||
          other.value != row.value || other.category != row.category) {
        continue;
      }
      used[i] = true;
      row.cell = Sum(row.cell, other.cell);
      break;
    }
  }
  // Groups only the follow-up rounds have, after their item's rows.
  for (std::size_t i = 0; i < more->size(); ++i) {
    if (used[i]) continue;
    const ExplorerRow& other = (*more)[i];
    auto at = out.end();
    for (auto it = out.begin(); it != out.end(); ++it) {
      if (it->item == other.item) at = it + 1;
    }
    out.insert(at, other);
  }
  return out;
}

// The headings and notes that say what the result shows.
void DescribeQuery(const ExplorerQuery& q, const instrument::Family& family,
                   const analysis::Dataset& data, const instrument::Instrument& in,
                   const analysis::Publication& publication, ExplorerResult& result) {
  result.query = q;
  result.canonical = CanonicalQueryString(q, in);
  result.family_title = family.title;
  result.family_stem = family.stem;
  result.area_label =
      q.area ? present::GroupValueLabel(data, in, q.area->first, q.area->second) : "Landet";
  result.round_label = RoundLabelOf(q);
  std::vector<std::string> filters;
  if (q.service) {
    filters.push_back(
        fmt::format("{}: {}", analysis::VariableLabel(Variable::kService),
                    present::GroupValueLabel(data, in, Variable::kService, *q.service)));
  }
  if (q.position) {
    filters.push_back(
        fmt::format("{}: {}", analysis::VariableLabel(Variable::kPosition),
                    present::GroupValueLabel(data, in, Variable::kPosition, *q.position)));
  }
  result.filter_label = text::Join(filters, "; ");
  if (q.by) {
    result.breakdown_label = analysis::VariableLabel(*q.by);
    result.breakdown_words = ByWords(*q.by);
  }
  result.rules_note = fmt::format(
      "«:» betyr at tallet er skjult: gruppen har færre enn {} svar, eller tallet er skjult i "
      "tillegg så en skjult gruppe ikke kan regnes ut fra totalen. Et filter eller et område "
      "viser alltid samme tall som raden i tabellen fordelt på den variabelen, så skjulte tall "
      "kan ikke regnes ut ved å kombinere utvalg.",
      publication.rules().min_n);
  if (publication.audience() == analysis::Audience::kAggregatesOnly) {
    result.rules_note +=
        fmt::format(" Tall som bygger på færre enn {} kommuner, vises ikke for din rolle.",
                    analysis::kMinMunicipalities);
  }
}

// The query whose rows the comparison is made against; sets the reference label.
ExplorerQuery ReferenceQuery(const ExplorerQuery& q, const Nesting& nesting,
                             const analysis::Dataset& data, const instrument::Instrument& in,
                             ExplorerResult& result) {
  ExplorerQuery reference = q;
  reference.compare = ExplorerComparison::kNone;
  if (q.by && IsGeographic(*q.by)) reference.by.reset();
  switch (q.compare) {
    case ExplorerComparison::kNation:
      reference.area.reset();
      result.reference_label = "Resten av landet";
      break;
    case ExplorerComparison::kSizeGroup: {
      const int size_group = nesting.at(q.area->second).second;
      reference.area = std::make_pair(Variable::kSizeGroup, size_group);
      result.reference_label =
          fmt::format("Resten av størrelsesgruppen ({})",
                      present::GroupValueLabel(data, in, Variable::kSizeGroup, size_group));
      break;
    }
    case ExplorerComparison::kBaseline:
      reference.round = RoundSet::kBaseline;
      result.reference_label = "0-punktsmåling";
      break;
    case ExplorerComparison::kNone:
      break;
  }
  return reference;
}

// Sets the row's reference cell from the matching reference row, and the
// difference when both are shown.
void CompareRow(const ExplorerQuery& q, const ExplorerQuery& reference,
                const std::vector<ExplorerRow>& reference_rows, ExplorerRow& row) {
  const ExplorerRow* match = nullptr;
  const ExplorerRow* total = nullptr;
  for (const ExplorerRow& r : reference_rows) {
    if (r.item != row.item || r.category != row.category) continue;
    if (r.total) total = &r;
    if (r.total == row.total && r.value == row.value) match = &r;
  }
  if (!match && reference.by != q.by) match = total;
  if (!match) return;
  if (q.compare == ExplorerComparison::kBaseline) {
    row.reference = match->cell;
  } else {
    // The rest: the whole less the row's own rows, shown only when both
    // are, so it tells nothing the two published cells do not.
    ExplorerCell rest;
    rest.hidden = true;
    if (!row.cell.hidden && !match->cell.hidden) {
      rest = CellOf(analysis::RestOf(AsCell(match->cell), AsCell(row.cell)));
    }
    row.reference = rest;
  }
  if (!row.cell.hidden && !row.reference->hidden && row.cell.n > 0 && row.reference->n > 0) {
    row.difference = analysis::CompareShares(analysis::SampleOf(AsCell(row.cell)),
                                             analysis::SampleOf(AsCell(*row.reference)));
  }
}

}  // namespace

Result<ExplorerResult> EvaluateExplorerQuery(const ExplorerQuery& q, const Principal& principal,
                                             const analysis::Dataset& data,
                                             const instrument::Instrument& in,
                                             analysis::Publication& publication) {
  if (auto error = StructureError(q, in, data)) return Error{*error};
  const instrument::Family* family = in.FindFamily(q.family);
  if (!family) return Error{fmt::format("Ukjent verdi «{}» for «familie».", Shown(q.family))};
  const Nesting nesting = MunicipalityNesting(data);

  ExplorerResult result;
  DescribeQuery(q, *family, data, in, publication, result);
  std::size_t left_out = 0;
  auto rows = ViewRows(q, principal, data, in, publication, nesting, left_out);
  if (!rows.ok()) return rows.error();
  result.rows = std::move(rows).value();
  if (left_out > 0) {
    result.access_note = fmt::format("{} {} er utelatt fordi rollen din ikke gir tilgang til dem.",
                                     left_out, left_out == 1 ? "rad" : "rader");
  }
  result.denominator_rule = instrument::DescribeDenominator(in, *family);

  if (q.compare != ExplorerComparison::kNone) {
    const ExplorerQuery reference = ReferenceQuery(q, nesting, data, in, result);
    std::size_t ignored = 0;
    auto reference_rows = ViewRows(reference, principal, data, in, publication, nesting, ignored);
    if (!reference_rows.ok()) return reference_rows.error();
    for (ExplorerRow& row : result.rows) CompareRow(q, reference, *reference_rows, row);
  }
  return result;
}

// ------------------------------------------------------------------ output

namespace {

nlohmann::json CellJson(const ExplorerCell& cell) {
  if (cell.hidden) return {{"skjult", true}, {"merke", ":"}};
  if (cell.n == 0) {
    return {{"skjult", false}, {"ingen_svar", true}, {"n", 0}, {"merke", present::kNoAnswersMark}};
  }
  return {{"skjult", false},
          {"n", cell.n},
          {"antall", cell.count},
          {"andel", cell.share},
          {"ki_nedre", cell.interval.low},
          {"ki_ovre", cell.interval.high}};
}

}  // namespace

analysis::Audience AudienceOf(const Principal& principal) {
  return principal.role == Role::kReader ? analysis::Audience::kAggregatesOnly
                                         : analysis::Audience::kFull;
}

nlohmann::json ExplorerResultJson(const ExplorerResult& r) {
  nlohmann::json rows = nlohmann::json::array();
  for (const ExplorerRow& row : r.rows) {
    nlohmann::json j = {{"sporsmal", row.item},
                        {"sporsmal_tekst", row.item_label},
                        {"total", row.total},
                        {"gruppe", row.label},
                        {"svar", row.category_label}};
    if (row.value) j["verdi"] = *row.value;
    if (row.category) j["kategori"] = *row.category;
    j.update(CellJson(row.cell));
    if (row.reference) j["referanse"] = CellJson(*row.reference);
    if (row.difference) {
      j["forskjell"] = {{"estimat", row.difference->estimate},
                        {"ki_nedre", row.difference->interval.low},
                        {"ki_ovre", row.difference->interval.high},
                        {"signifikant", row.difference->significant}};
    }
    rows.push_back(std::move(j));
  }
  nlohmann::json out = {{"sporring", r.canonical},
                        {"url", "/utforsk?" + r.canonical},
                        {"familie", {{"id", r.query.family}, {"tittel", r.family_title}}},
                        {"omrade", r.area_label},
                        {"runde", r.round_label},
                        {"filter", r.filter_label},
                        {"inndeling", r.breakdown_label},
                        {"sammenligning", r.reference_label},
                        {"nevner", r.denominator_rule},
                        {"regler", r.rules_note},
                        {"rader", std::move(rows)}};
  if (!r.access_note.empty()) out["tilgang"] = r.access_note;
  return out;
}

namespace {
// Number columns also carry two marks, as labelled codes (a spreadsheet
// cell is a number or a label, never text in a number column).
constexpr int kHiddenCode = -1;
constexpr int kNoAnswersCode = -2;

io::ExportColumn Text(const char* name, const char* label) { return {name, label, false, {}}; }
io::ExportColumn Number(const char* name, const char* label) {
  return {name, label, true, {{kHiddenCode, ":"}, {kNoAnswersCode, present::kNoAnswersMark}}};
}
}  // namespace

io::ExportTable ExplorerExportTable(const ExplorerResult& r) {
  io::ExportTable table;
  const bool compare = !r.reference_label.empty();
  table.columns = {Text("omrade", "Område"),
                   Text("runde", "Runder"),
                   Text("filter", "Filter"),
                   Text("sporsmal", "Delspørsmål"),
                   Text("sporsmal_tekst", "Spørsmål"),
                   Text("gruppe", "Gruppe"),
                   Text("svar", "Svar"),
                   Number("n", "N"),
                   Number("antall", "Antall"),
                   Number("andel_prosent", "Andel (%)"),
                   Number("ki_nedre_prosent", "95 % KI nedre (%)"),
                   Number("ki_ovre_prosent", "95 % KI øvre (%)")};
  if (compare) {
    table.columns.push_back(Text("referanse", "Sammenlignet med"));
    table.columns.push_back(Number("referanse_n", "N (sammenligning)"));
    table.columns.push_back(Number("referanse_andel_prosent", "Andel (%) (sammenligning)"));
    table.columns.push_back(Number("forskjell_pp", "Forskjell (prosentpoeng)"));
    table.columns.push_back(Text("signifikant", "Signifikant (95 %)"));
  }
  auto text = [](const std::string& s) {
    return io::ExportCell::Text(present::NeutraliseFormula(s));
  };
  auto percent = [](double share) {
    return io::ExportCell::Number(static_cast<double>(std::lround(share * 1000)) / 10);
  };
  for (const ExplorerRow& row : r.rows) {
    std::vector<io::ExportCell> cells = {
        text(r.area_label),   text(r.round_label), text(r.filter_label),    text(row.item),
        text(row.item_label), text(row.label),     text(row.category_label)};
    const io::ExportCell hidden = io::ExportCell::Code(kHiddenCode);
    if (row.cell.hidden) {
      for (int i = 0; i < 5; ++i) cells.push_back(hidden);
    } else if (row.cell.n == 0) {
      cells.push_back(io::ExportCell::Number(0));
      cells.push_back(io::ExportCell::Number(0));
      for (int i = 0; i < 3; ++i) cells.push_back(io::ExportCell::Code(kNoAnswersCode));
    } else {
      cells.push_back(io::ExportCell::Number(static_cast<double>(row.cell.n)));
      cells.push_back(io::ExportCell::Number(static_cast<double>(row.cell.count)));
      cells.push_back(percent(row.cell.share));
      cells.push_back(percent(row.cell.interval.low));
      cells.push_back(percent(row.cell.interval.high));
    }
    if (compare) {
      cells.push_back(text(r.reference_label));
      if (!row.reference) {
        cells.push_back(io::ExportCell::Missing());
        cells.push_back(io::ExportCell::Missing());
      } else if (row.reference->hidden) {
        cells.push_back(hidden);
        cells.push_back(hidden);
      } else if (row.reference->n == 0) {
        cells.push_back(io::ExportCell::Number(0));
        cells.push_back(io::ExportCell::Code(kNoAnswersCode));
      } else {
        cells.push_back(io::ExportCell::Number(static_cast<double>(row.reference->n)));
        cells.push_back(percent(row.reference->share));
      }
      if (row.difference) {
        cells.push_back(io::ExportCell::Number(
            static_cast<double>(std::lround(row.difference->estimate * 1000)) / 10));
        cells.push_back(text(row.difference->significant ? "ja" : "nei"));
      } else {
        cells.push_back(io::ExportCell::Missing());
        cells.push_back(io::ExportCell::Missing());
      }
    }
    table.rows.push_back(std::move(cells));
  }
  return table;
}

Result<std::string> ExplorerCsv(const ExplorerResult& r) {
  // As Norwegian Excel opens it: «;» between fields, decimal commas, and
  // the byte order mark without which Excel does not read UTF-8.
  io::ExportWriteOptions options;
  options.value_labels_as_text = true;
  options.decimal_comma = true;
  options.utf8_bom = true;
  options.semicolon_separator = true;
  return io::ExportCsvText(ExplorerExportTable(r), options);
}

// ------------------------------------------------------------------ options

nlohmann::json ExplorerOptionsJson(const Principal& p, const analysis::Dataset& data,
                                   const instrument::Instrument& in) {
  const Nesting nesting = MunicipalityNesting(data);
  const Home home = HomeOf(p, nesting, in);
  nlohmann::json families = nlohmann::json::array();
  for (const auto& f : in.families) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& item : f.items) {
      items.push_back({{"id", item.id}, {"tekst", item.text}, {"kort", item.short_label}});
    }
    families.push_back({{"id", f.id},
                        {"tittel", f.title},
                        {"spor", f.stem},
                        {"fordeling_mulig", true},
                        {"sporsmal", std::move(items)}});
  }
  nlohmann::json breakdowns = nlohmann::json::array();
  for (const auto& b : kBreakdowns) {
    if (b.variable == Variable::kMunicipality && p.role != Role::kAdmin &&
        p.role != Role::kRegional) {
      continue;
    }
    breakdowns.push_back({{"id", b.name}, {"tekst", analysis::VariableLabel(b.variable)}});
  }
  auto codes = [&](const auto& list, Variable v) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& c : list) {
      if (CanSeeArea(p, home, nesting, v, c.code)) {
        out.push_back({{"id", c.key}, {"tekst", c.label}});
      }
    }
    return out;
  };
  nlohmann::json municipalities = nlohmann::json::array();
  for (const auto& [number, place] : nesting) {
    if (!CanSeeArea(p, home, nesting, Variable::kMunicipality, number)) continue;
    municipalities.push_back(
        {{"id", number},
         {"tekst", present::GroupValueLabel(data, in, Variable::kMunicipality, number)}});
  }
  nlohmann::json rounds = nlohmann::json::array(
      {{{"id", "0-punkt"}, {"tekst", "0-punktsmålinger (alle år)"}},
       {{"id", "oppfolging"}, {"tekst", "Oppfølgingsundersøkelser (alle år)"}}});
  for (const int y : Years(data)) {
    rounds.push_back({{"id", std::to_string(y)}, {"tekst", fmt::format("Alle runder i {}", y)}});
  }
  nlohmann::json services = nlohmann::json::array(), positions = nlohmann::json::array();
  for (const auto& s : in.services) {
    if (s.answers_survey) services.push_back({{"id", s.key}, {"tekst", s.label}});
  }
  for (const auto& s : in.positions) positions.push_back({{"id", s.key}, {"tekst", s.label}});
  return {{"familier", std::move(families)},
          {"etter", std::move(breakdowns)},
          {"kommune", std::move(municipalities)},
          {"region", codes(in.regions, Variable::kRegion)},
          {"storrelse", codes(in.size_groups, Variable::kSizeGroup)},
          {"runde", std::move(rounds)},
          {"tjeneste", std::move(services)},
          {"stilling", std::move(positions)},
          {"sammenlign",
           nlohmann::json::array({{{"id", "landet"}, {"tekst", "Landet"}},
                                  {{"id", "storrelse"}, {"tekst", "Samme størrelsesgruppe"}},
                                  {{"id", "0-punkt"}, {"tekst", "0-punktsmåling"}}})},
          {"hoyst_variabler", 2}};
}

}  // namespace samkart::web
