// The harmonised BTI/BTS instrument: question families with their items and
// response scales, the background classifications, and one crosswalk per
// questionnaire generation. It is loaded from data files (data/instrument/),
// never written in C++: a new item, service or generation is a data change.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace samkart::instrument {

enum class CategoryKind {
  kAnswer,    // a substantive answer
  kDontKnow,  // «Vet ikke», «Ikke relevant»: kept or dropped from the denominator per family
};

struct Category {
  int code = 0;
  std::string label;
  CategoryKind kind = CategoryKind::kAnswer;
};

struct Scale {
  std::string id;
  std::vector<Category> categories;

  const Category* Find(int code) const;
};

enum class FamilyType {
  kRating,          // one ordinal scale per item (I svært liten grad … I svært stor grad)
  kSingleChoice,    // one category per item (Ja/Nei, concern level)
  kMultipleChoice,  // a checklist: each item ticked (1) or not (0)
};

// "Asked only if <family>.<item> was answered with one of <codes>" (routing).
struct Condition {
  std::string family;
  std::string item;
  std::vector<int> codes;
};

struct Item {
  std::string id;
  int order = 0;
  std::string text;
  std::string short_label;
  std::string partner_service;  // cooperation items: the service being rated
};

// Which way a family's reported share points, for reports that call a
// deviation a strength or a gap.
enum class Polarity {
  kHigherIsBetter,  // competence, confidence, cooperation
  kHigherIsWorse,   // barriers
  kDescriptive,     // what concern was about, what was done: neither good nor bad
};

struct Family {
  std::string id;
  int order = 0;
  std::string section;  // section of the national report
  std::string title;
  std::string stem;
  FamilyType type = FamilyType::kRating;
  std::string scale;
  std::vector<int> reported_share;  // categories that make the reported share
  bool dont_know_in_denominator = true;
  std::vector<std::string> not_asked_services;  // service keys
  std::optional<Condition> asked_if;
  bool excludes_own_service = false;  // staff do not rate their own service
  std::string note;
  Polarity polarity = Polarity::kHigherIsBetter;
  std::vector<Item> items;

  const Item* FindItem(const std::string& item_id) const;
};

// A code in one of the background classifications (service, position, …).
struct Code {
  int code = 0;
  std::string key;
  std::string label;
  std::string short_label;
};

struct Service : Code {
  bool answers_survey = true;  // false for partners only rated (BUP)
  std::string generalises_to;  // key of the coarser service used for k-anonymity
  // Services this one includes besides those that generalise to it: the
  // combined school (1.–10. trinn) is a primary and a lower secondary school.
  std::vector<std::string> covers;
};

struct Position : Code {
  std::string generalises_to;  // key of the coarser position used for k-anonymity
};

struct SizeGroup : Code {
  int min_population = 0;
  std::optional<int> max_population;
};

struct Generation {
  std::string id;
  std::string name;
  int first_year = 0;
  std::optional<int> last_year;
  bool current = false;
  std::string description;
};

enum class SourceRole {
  kIdentifier,  // dropped at the door, never stored
  kBackground,  // a background variable (service, position, municipality, year)
  kAnswer,      // an answer to a harmonised item
  kIgnore,      // a technical column without analytic value
};

struct CategoryMapping {
  std::optional<int> source_code;
  std::string source_label;
  int target_code = 0;
  std::size_t line = 0;
};

// One column of a source questionnaire's export and where it goes.
struct SourceVariable {
  std::string name;
  std::string question;
  SourceRole role = SourceRole::kIgnore;
  std::string target;  // family.item, a background variable, or an identifier kind
  std::vector<CategoryMapping> categories;
  std::string note;
  std::size_t line = 0;
};

// How one survey tool exported one generation: a generation is a version
// of the questionnaire, a layout (one crosswalk file) is one tool's columns
// and labels for it. A generation may have several layouts; analyses by
// generation do not tell them apart.
struct Crosswalk {
  std::string generation;
  std::string file;    // «crosswalks/g5-questback.csv»
  std::string layout;  // the file name without folder and ending: «g5-questback»
  std::vector<SourceVariable> variables;

  const SourceVariable* Find(const std::string& name) const;
  // Whether this is the generation's own layout (the file named after it).
  bool IsMainLayout() const;
  // «G5» for the generation's own layout, «G5 (g5-questback)» for another.
  std::string Label() const;
};

// Background variables every respondent row has after harmonisation.
inline constexpr const char* kBackgroundVariables[] = {"municipality", "size_group", "region",
                                                       "year",         "service",    "position",
                                                       "generation",   "round_type"};

// Identifier kinds a crosswalk may declare; all are dropped at import.
inline constexpr const char* kIdentifierKinds[] = {
    "email", "name", "phone", "ip_address", "timestamp", "free_text", "respondent_id"};

// Stored answer codes are small integers (a category code, 0/1 for a
// checklist); these two mark the cells without an answer.
inline constexpr uint8_t kNotAsked = 255;  // routing, generation or service: never asked
inline constexpr uint8_t kBlank = 254;     // asked, left unanswered

// One item with its family: the unit every answer column refers to.
struct ItemRef {
  const Family* family = nullptr;
  const Item* item = nullptr;

  std::string QualifiedId() const { return family->id + "." + item->id; }
};

// One numbered table or figure of the national report («Figur 3.28»), so
// the report keeps the printed report's exhibits and their numbers. What it
// shows is data: a family (or the material itself) as a chart or a table,
// overall or broken down, optionally within one service and for chosen
// groups and items.
enum class FigureSource {
  kFamily,       // the family's answers
  kSurveys,      // survey rounds (undersøkelser) per value of `by`
  kRespondents,  // respondents per value of `by`
};

enum class FigureView {
  kShares,        // the reported share per item (grouped bars when broken down)
  kDistribution,  // every category of the scale, stacked
  kTable,         // the reported share per item as a table
};

struct ReportFigure {
  std::string number;  // «Figur 3.28», «Tabell 1»: unique
  std::string title;   // «Systemkunnskap etter stilling i barnehage»
  FigureSource source = FigureSource::kFamily;
  std::string family;  // kFamily: the family's id
  FigureView view = FigureView::kShares;
  std::string by;                   // service, size_group, position, region, year; empty: everyone
  std::string within_service;       // a service key: only its staff (stilling i barnehage)
  std::vector<std::string> groups;  // keys of `by` to show («utvalgte tjenester»); empty: all
  std::vector<std::string> items;   // the family's items to show; empty: all
};

// A knowledge area of the competence analyses: where the knowledge sits
// among services and positions (one item's reported share), and for the
// risk areas the chain from knowing a sign to getting help: concern
// experienced about it, acting on the concern, and knowing whom to
// contact. Items are «family.item»; the chain steps are optional.
struct KnowledgeArea {
  std::string id;
  std::string label;  // «Læringsvansker», a heading
  std::string topic;  // «læringsvansker», as in «PPT → Barnehage om læringsvansker»
  std::string knowledge;
  std::string concern;
  std::string acted;
  std::string contact;

  bool HasChain() const { return !concern.empty() && !acted.empty() && !contact.empty(); }
};

// Two services whose cooperation is followed in both directions: the
// transitions between kindergarten and the schools, and the services for
// parents beside the services for their children (children as relatives).
struct ServiceLink {
  std::string group;  // the heading the link is shown under
  std::string first;  // service keys
  std::string second;
};

struct Instrument {
  std::vector<Scale> scales;
  std::vector<Family> families;  // in the report's order
  std::vector<Service> services;
  std::vector<Position> positions;
  std::vector<SizeGroup> size_groups;
  std::vector<Code> regions;
  std::vector<Code> round_types;
  std::vector<Generation> generations;
  std::vector<Crosswalk> crosswalks;
  // The national report's numbered tables and figures, in its order
  // (report_figures.csv; optional: without it each family gets the
  // report's standard charts and tables).
  std::vector<ReportFigure> report_figures;
  // The competence analyses' areas and service links (knowledge_areas.csv,
  // transitions.csv; optional: without them those analyses have nothing
  // to show).
  std::vector<KnowledgeArea> knowledge_areas;
  std::vector<ServiceLink> service_links;

  const Scale* FindScale(const std::string& id) const;
  const Family* FindFamily(const std::string& id) const;
  // "family.item" → the item, or nullptr.
  const Item* FindItem(const std::string& qualified_id, const Family** family = nullptr) const;
  const Service* FindService(const std::string& key) const;
  const Service* FindServiceByCode(int code) const;
  // «0-punktsmåling» for the stored key «baseline»; an unknown key as it is.
  std::string RoundTypeLabel(const std::string& key) const;
  // Does the service `group` include the service `member`: the same
  // service, a merged group its chain of generalisations reaches, or a
  // service it covers (with everything that generalises to those)?
  bool ServiceIncludes(int group, int member) const;
  const Position* FindPosition(const std::string& key) const;
  const Position* FindPositionByCode(int code) const;
  const Generation* FindGeneration(const std::string& id) const;
  const Crosswalk* FindCrosswalk(const std::string& generation) const;
  const Generation* CurrentGeneration() const;
  // Where blank answers go and where the generalisation chains end:
  // «Tjeneste ikke oppgitt» and «Stilling ikke oppgitt».
  const Service& UnstatedService() const;
  const Position& UnstatedPosition() const;
  // Every item of every family, in the report's order.
  std::vector<ItemRef> ItemsInOrder() const;

  // Families a generation asks (those its crosswalk maps at least one item of).
  std::vector<const Family*> FamiliesAskedIn(const std::string& generation) const;
  // Number of items of `family` the generation's crosswalk maps.
  int ItemsAskedIn(const std::string& generation, const Family& family) const;
};

const char* ToString(FamilyType type);
const char* ToString(SourceRole role);

}  // namespace samkart::instrument
