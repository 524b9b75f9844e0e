#include "samkart/instrument/instrument.h"

#include <algorithm>
#include <cassert>
#include <set>

#include "samkart/core/text.h"

namespace samkart::instrument {

namespace {

template <typename T>
const T* FindBy(const std::vector<T>& items, auto&& predicate) {
  const auto it = std::find_if(items.begin(), items.end(), predicate);
  return it == items.end() ? nullptr : &*it;
}

}  // namespace

const Category* Scale::Find(int code) const {
  return FindBy(categories, [&](const Category& c) { return c.code == code; });
}

const Item* Family::FindItem(const std::string& item_id) const {
  return FindBy(items, [&](const Item& i) { return i.id == item_id; });
}

const SourceVariable* Crosswalk::Find(const std::string& name) const {
  return FindBy(variables, [&](const SourceVariable& v) { return v.name == name; });
}

const Scale* Instrument::FindScale(const std::string& id) const {
  return FindBy(scales, [&](const Scale& s) { return s.id == id; });
}

const Family* Instrument::FindFamily(const std::string& id) const {
  return FindBy(families, [&](const Family& f) { return f.id == id; });
}

const Item* Instrument::FindItem(const std::string& qualified_id, const Family** family) const {
  const auto dot = qualified_id.find('.');
  if (dot == std::string::npos) return nullptr;
  const Family* f = FindFamily(qualified_id.substr(0, dot));
  if (f == nullptr) return nullptr;
  if (family != nullptr) *family = f;
  return f->FindItem(qualified_id.substr(dot + 1));
}

const Service* Instrument::FindService(const std::string& key) const {
  return FindBy(services, [&](const Service& s) { return s.key == key; });
}

std::string Instrument::RoundTypeLabel(const std::string& key) const {
  for (const auto& r : round_types) {
    if (r.key == key) return r.label;
  }
  return key;
}

const Service* Instrument::FindServiceByCode(int code) const {
  return FindBy(services, [&](const Service& s) { return s.code == code; });
}

const Position* Instrument::FindPosition(const std::string& key) const {
  return FindBy(positions, [&](const Position& p) { return p.key == key; });
}

const Position* Instrument::FindPositionByCode(int code) const {
  return FindBy(positions, [&](const Position& p) { return p.code == code; });
}

const Generation* Instrument::FindGeneration(const std::string& id) const {
  return FindBy(generations, [&](const Generation& g) { return g.id == id; });
}

const Crosswalk* Instrument::FindCrosswalk(const std::string& generation) const {
  const Crosswalk* main = FindBy(crosswalks, [&](const Crosswalk& c) {
    return c.generation == generation && c.IsMainLayout();
  });
  if (main != nullptr) return main;
  return FindBy(crosswalks, [&](const Crosswalk& c) { return c.generation == generation; });
}

bool Crosswalk::IsMainLayout() const {
  return text::FoldLabel(layout) == text::FoldLabel(generation);
}

std::string Crosswalk::Label() const {
  return IsMainLayout() ? generation : generation + " (" + layout + ")";
}

const Generation* Instrument::CurrentGeneration() const {
  return FindBy(generations, [](const Generation& g) { return g.current; });
}

std::vector<const Family*> Instrument::FamiliesAskedIn(const std::string& generation) const {
  std::vector<const Family*> asked;
  for (const Family& family : families) {
    if (ItemsAskedIn(generation, family) > 0) asked.push_back(&family);
  }
  return asked;
}

int Instrument::ItemsAskedIn(const std::string& generation, const Family& family) const {
  const Crosswalk* crosswalk = FindCrosswalk(generation);
  if (crosswalk == nullptr) return 0;
  std::set<std::string> items;
  const std::string prefix = family.id + ".";
  for (const SourceVariable& v : crosswalk->variables) {
    if (v.role == SourceRole::kAnswer && v.target.starts_with(prefix)) items.insert(v.target);
  }
  return static_cast<int>(items.size());
}

const char* ToString(FamilyType type) {
  switch (type) {
    case FamilyType::kRating:
      return "rating";
    case FamilyType::kSingleChoice:
      return "single_choice";
    case FamilyType::kMultipleChoice:
      return "multiple_choice";
  }
  return "?";
}

const char* ToString(SourceRole role) {
  switch (role) {
    case SourceRole::kIdentifier:
      return "identifier";
    case SourceRole::kBackground:
      return "background";
    case SourceRole::kAnswer:
      return "answer";
    case SourceRole::kIgnore:
      return "ignore";
  }
  return "?";
}

namespace {

// Follows generalises_to from the first code; the loader has checked that
// every chain ends.
template <typename T>
const T& EndOfChain(const std::vector<T>& codes) {
  assert(!codes.empty());
  const T* c = &codes.front();
  while (!c->generalises_to.empty()) {
    const T* next = nullptr;
    for (const T& candidate : codes) {
      if (candidate.key == c->generalises_to) next = &candidate;
    }
    assert(next != nullptr);
    c = next;
  }
  return *c;
}

}  // namespace

bool Instrument::ServiceIncludes(int group, int member) const {
  const Service* g = FindServiceByCode(group);
  if (g == nullptr) return group == member;
  // The loader has checked that every chain ends and every key exists.
  for (const Service* m = FindServiceByCode(member); m != nullptr;
       m = m->generalises_to.empty() ? nullptr : FindService(m->generalises_to)) {
    if (m->code == g->code) return true;
    if (std::find(g->covers.begin(), g->covers.end(), m->key) != g->covers.end()) return true;
  }
  return false;
}

const Service& Instrument::UnstatedService() const { return EndOfChain(services); }
const Position& Instrument::UnstatedPosition() const { return EndOfChain(positions); }

std::vector<ItemRef> Instrument::ItemsInOrder() const {
  std::vector<ItemRef> items;
  for (const Family& f : families) {
    for (const Item& item : f.items) items.push_back({&f, &item});
  }
  return items;
}

}  // namespace samkart::instrument
