#include "samkart/synth/generator.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "samkart/anonymise/k_anonymity.h"
#include "samkart/synth/random.h"

namespace samkart::synth {

namespace {

using instrument::Family;
using instrument::FamilyType;
using instrument::Instrument;

double Logistic(double x) { return 1 / (1 + std::exp(-x)); }

const instrument::Generation* GenerationForYear(const Instrument& in, int year) {
  const instrument::Generation* chosen = nullptr;
  for (const auto& g : in.generations) {
    if (g.first_year <= year && (chosen == nullptr || g.first_year > chosen->first_year))
      chosen = &g;
  }
  return chosen;
}

class Generator {
 public:
  Generator(const Instrument& in, const Parameters& p, const SynthOptions& o)
      : in_(in), p_(p), o_(o) {}

  Result<SynthData> Run() {
    for (const auto& [key, effect] : p_.position_effects) {
      const auto* position = in_.FindPosition(key);
      if (position == nullptr) return Error{fmt::format("effects.csv: ukjent stilling «{}»", key)};
      position_effects_[position->code] = effect;
    }
    for (const auto& [indicator, by_position] : p_.position_item_effects) {
      if (in_.FindItem(indicator) == nullptr)
        return Error{fmt::format("effects.csv: ukjent spørsmål «{}»", indicator)};
      for (const auto& [key, effect] : by_position) {
        const auto* position = in_.FindPosition(key);
        if (position == nullptr)
          return Error{fmt::format("effects.csv: ukjent stilling «{}» for «{}»", key, indicator)};
        position_item_effects_[indicator][position->code] = effect;
      }
    }
    for (const Target& t : p_.targets) {
      for (const BreakdownPart& part : t.parts) {
        const bool known = part.key == "service"    ? in_.FindService(part.value) != nullptr
                           : part.key == "position" ? in_.FindPosition(part.value) != nullptr
                                                    : true;  // size_group: checked when loaded
        if (!known) {
          return Error{fmt::format("targets.csv: ukjent {} «{}» i «{}» for «{}»", part.key,
                                   part.value, t.breakdown, t.indicator)};
        }
      }
    }
    SAMKART_TRY(BuildRounds());
    BuildItems();
    item_position_effects_.assign(data_.items.size(), nullptr);
    for (std::size_t i = 0; i < data_.items.size(); ++i) {
      const auto it = position_item_effects_.find(data_.items[i].QualifiedId());
      if (it != position_item_effects_.end()) item_position_effects_[i] = &it->second;
    }
    for (const Family& family : in_.families) {
      SAMKART_TRY(AnswerFamily(family));
    }
    return std::move(data_);
  }

 private:
  // The service codes each generation's form can record (its crosswalk maps
  // a source category to them).
  std::map<std::string, std::set<int>> RecordableServices() const {
    std::map<std::string, std::set<int>> result;
    for (const auto& cw : in_.crosswalks) {
      for (const auto& v : cw.variables) {
        if (v.role != instrument::SourceRole::kBackground || v.target != "service") continue;
        for (const auto& c : v.categories) {
          if (c.source_code) result[cw.generation].insert(c.target_code);
        }
      }
    }
    return result;
  }

  // The service each respondent of a round will have after the import's
  // k-anonymity (the same generalisation along generalises_to).
  void SetAnalysedServices(const Round& round) {
    auto parent_of = [this](int code) -> std::optional<int> {
      const auto* s = in_.FindServiceByCode(code);
      if (s == nullptr || s->generalises_to.empty()) return std::nullopt;
      const auto* parent = in_.FindService(s->generalises_to);
      if (parent == nullptr) return std::nullopt;
      return parent->code;
    };
    std::map<int, std::size_t> counts;
    for (std::size_t i = round.first; i < round.first + round.count; ++i)
      ++counts[data_.respondents[i].service];
    const auto to = anonymise::GeneraliseTree(counts, parent_of, anonymise::kDefaultK);
    for (std::size_t i = round.first; i < round.first + round.count; ++i) {
      Respondent& person = data_.respondents[i];
      person.analysed_service = to ? to->at(person.service) : person.service;
    }
  }

  Status BuildRounds() {
    const auto recordable = RecordableServices();
    const instrument::Service* other = in_.FindService("annen_tjeneste");
    if (other == nullptr) return Error{"instrumentet mangler tjenesten «annen_tjeneste»"};
    for (const Municipality& m : p_.municipalities) {
      auto add = [&](int year, bool follow_up, double respondents) -> Status {
        const auto* generation = GenerationForYear(in_, year);
        if (generation == nullptr)
          return Error{fmt::format("ingen skjemagenerasjon dekker året {}", year)};
        Round round{&m,
                    year,
                    follow_up,
                    generation->id,
                    data_.respondents.size(),
                    static_cast<std::size_t>(std::max(1.0, std::round(respondents * o_.scale)))};
        const auto round_index = static_cast<uint32_t>(data_.rounds.size());
        Rng rng(Key(o_.seed, static_cast<uint64_t>(m.number), follow_up ? 2 : 1));
        std::vector<double> service_weights;
        for (const auto& [key, share] : p_.service_mix) service_weights.push_back(share);
        for (std::size_t i = 0; i < round.count; ++i) {
          const auto& [service_key, share] = p_.service_mix[rng.Pick(service_weights)];
          const auto* service = in_.FindService(service_key);
          if (service == nullptr)
            return Error{fmt::format("service_mix.csv: ukjent tjeneste «{}»", service_key)};
          const auto positions = p_.positions.find(service_key);
          if (positions == p_.positions.end()) {
            return Error{fmt::format("position_mix.csv: mangler stillinger for «{}»", service_key)};
          }
          std::vector<double> weights;
          for (const auto& [key, weight] : positions->second) weights.push_back(weight);
          const auto* position = in_.FindPosition(positions->second[rng.Pick(weights)].first);
          if (position == nullptr) return Error{"position_mix.csv: ukjent stilling"};
          // A service the round's form has no category for (G1 had no
          // culture, refugee, combined-school or physiotherapy category) is
          // ticked as «Annet»: the respondent is drawn as the form records them.
          const auto can = recordable.find(generation->id);
          const int service_code = can == recordable.end() || can->second.contains(service->code)
                                       ? service->code
                                       : other->code;
          data_.respondents.push_back(
              {round_index, service_code, position->code, static_cast<float>(rng.Normal()), 0});
        }
        SetAnalysedServices(round);
        data_.rounds.push_back(round);
        return Ok();
      };
      SAMKART_TRY(add(m.baseline_year, false, m.baseline_respondents));
      if (m.follow_up_year) {
        const double change =
            0.8 + 0.3 * Uniform(Key(o_.seed, static_cast<uint64_t>(m.number), 99));
        SAMKART_TRY(add(*m.follow_up_year, true, m.baseline_respondents * change));
      }
    }
    return Ok();
  }

  void BuildItems() {
    data_.items = in_.ItemsInOrder();
    data_.answers.assign(data_.items.size(),
                         std::vector<uint8_t>(data_.respondents.size(), kNotAsked));
    // Which harmonised items each generation asks, and which codes its
    // export can write for them (the exporter writes a category's source code).
    for (const auto& cw : in_.crosswalks) {
      for (const auto& v : cw.variables) {
        if (v.role != instrument::SourceRole::kAnswer) continue;
        asked_in_[cw.generation].insert(v.target);
        auto& codes = recordable_[cw.generation][v.target];
        for (const auto& c : v.categories) {
          if (c.source_code) codes.insert(c.target_code);
        }
      }
    }
  }

  // Per round, the codes its questionnaire cannot record for the item and
  // what to record instead: the nearest recordable category in latent order
  // on the same side of the reported share (a middle «Hverken/eller» that G1
  // and G2 lacked becomes «I ganske liten grad»). The share's numerator and
  // denominator stay as calibrated, so the pooled cut points remain valid.
  // A substantive answer prefers a substantive category over «Vet ikke»;
  // ties go up (G1's «alvorlig bekymring» covers «både alvorlig og mindre
  // alvorlig»).
  std::vector<std::map<int, int>> Recoding(const Family& family, const std::string& target,
                                           const std::vector<CategoryWeight>& layout) const {
    const instrument::Scale* scale = in_.FindScale(family.scale);
    auto dont_know = [&](int code) {
      const instrument::Category* c = scale != nullptr ? scale->Find(code) : nullptr;
      return c != nullptr && c->kind == instrument::CategoryKind::kDontKnow;
    };
    std::map<std::string, std::map<int, int>> by_generation;
    for (const auto& [generation, items] : recordable_) {
      const auto it = items.find(target);
      if (it == items.end() || it->second.empty()) continue;  // not asked: nothing to record
      const std::set<int>& can = it->second;
      for (std::size_t k = 0; k < layout.size(); ++k) {
        const int code = layout[k].code;
        if (can.contains(code)) continue;
        std::optional<std::size_t> best;
        auto rank = [&](std::size_t j) {
          const auto distance = j > k ? j - k : k - j;
          return std::tuple(dont_know(layout[j].code) != dont_know(code), distance,
                            -static_cast<std::ptrdiff_t>(j));
        };
        for (std::size_t j = 0; j < layout.size(); ++j) {
          if (!can.contains(layout[j].code)) continue;
          if (InShare(family, layout[j].code) != InShare(family, code)) continue;
          if (!best || rank(j) < rank(*best)) best = j;
        }
        // No category on the same side: left as drawn, which the generator
        // test reports (the crosswalk cannot carry the reported share).
        if (best) by_generation[generation][code] = layout[*best].code;
      }
    }
    std::vector<std::map<int, int>> by_round(data_.rounds.size());
    for (std::size_t k = 0; k < data_.rounds.size(); ++k) {
      const auto it = by_generation.find(data_.rounds[k].generation);
      if (it != by_generation.end()) by_round[k] = it->second;
    }
    return by_round;
  }

  std::size_t ItemIndex(const std::string& family, const std::string& item) const {
    for (std::size_t i = 0; i < data_.items.size(); ++i) {
      if (data_.items[i].family->id == family && data_.items[i].item->id == item) return i;
    }
    return data_.items.size();
  }

  // Who gets an item: the round's generation asks it, the service is not
  // excluded, routing lets the respondent through, and nobody rates their own service.
  std::vector<uint8_t> AskedMask(const Family& family, const instrument::Item& item) const {
    const std::string target = family.id + "." + item.id;
    std::vector<uint8_t> round_asks(data_.rounds.size());
    for (std::size_t k = 0; k < data_.rounds.size(); ++k) {
      const auto it = asked_in_.find(data_.rounds[k].generation);
      round_asks[k] = it != asked_in_.end() && it->second.contains(target);
    }
    std::set<int> excluded;
    for (const auto& key : family.not_asked_services) excluded.insert(in_.FindService(key)->code);
    if (family.excludes_own_service && !item.partner_service.empty()) {
      excluded.insert(in_.FindService(item.partner_service)->code);
    }
    const std::vector<uint8_t>* condition = nullptr;
    if (family.asked_if)
      condition = &data_.answers[ItemIndex(family.asked_if->family, family.asked_if->item)];
    std::vector<uint8_t> mask(data_.respondents.size());
    for (std::size_t r = 0; r < mask.size(); ++r) {
      const Respondent& person = data_.respondents[r];
      bool asked = round_asks[person.round] && !excluded.contains(person.service);
      if (asked && condition != nullptr) {
        const auto& codes = family.asked_if->codes;
        asked =
            std::find(codes.begin(), codes.end(), static_cast<int>((*condition)[r])) != codes.end();
      }
      mask[r] = asked;
    }
    return mask;
  }

  // Checklist options are drawn nearly independently (no family factor), so
  // few respondents end up with no tick at all.
  double Latent(const FamilyModel& model, std::size_t item_index, std::size_t r,
                std::size_t family_index, bool checklist) const {
    const Respondent& person = data_.respondents[r];
    const Round& round = data_.rounds[person.round];
    const double loading = model.loading;
    const double direction = loading >= 0 ? 1.0 : -1.0;
    const auto pos = position_effects_.find(person.position);
    const auto size = p_.size_effects.find(round.municipality->size_group);
    const double family_factor = Normal(Key(o_.seed, r, 100000 + family_index));
    const double noise = Normal(Key(o_.seed, r, item_index));
    const double unique = std::sqrt(std::max(0.0, 1 - loading * loading));
    const double shared = checklist ? 0.0 : 0.5;
    double z = loading * person.theta +
               unique * (shared * family_factor + std::sqrt(1 - shared * shared) * noise);
    double position_effect = pos != position_effects_.end() ? pos->second : 0.0;
    if (const auto* extras = item_position_effects_[item_index]) {
      const auto extra = extras->find(person.position);
      if (extra != extras->end()) position_effect += extra->second;
    }
    z += direction * 0.6 * position_effect;
    if (size != p_.size_effects.end()) {
      const auto scale = p_.size_scales.find(data_.items[item_index].family->id + "." +
                                             data_.items[item_index].item->id);
      z += model.size_sign * size->second * (scale == p_.size_scales.end() ? 1.0 : scale->second);
    }
    if (round.follow_up) z += model.follow_up_shift * round.municipality->follow_up_effect;
    return z;
  }

  // The service of a target broken down by service alone, else null.
  const instrument::Service* ServiceOf(const Target& t) const {
    if (t.parts.size() != 1 || t.parts[0].key != "service") return nullptr;
    return in_.FindService(t.parts[0].value);
  }

  // Target share (0–1) of the reported categories per service code.
  Result<std::map<int, double>> ServiceTargets(const Family& family, const instrument::Item& item,
                                               const std::map<int, std::size_t>& answering) const {
    const std::string indicator = family.id + "." + item.id;
    std::optional<double> overall;
    std::map<int, double> fixed;
    for (const Target& t : p_.targets) {
      if (t.indicator != indicator) continue;
      if (t.parts.empty()) overall = t.value_pct / 100;
      // Only a share for a whole service is calibrated; a position within a
      // service follows from the position effects.
      if (const auto* s = ServiceOf(t)) fixed[s->code] = t.value_pct / 100;
    }
    if (!overall)
      return Error{fmt::format("targets.csv: mangler et samlet mål for «{}»", indicator)};
    // Services without a published value: logit(p) = a + offset, a solved so
    // the weighted mean over all services equals the overall target.
    double fixed_sum = 0, free_n = 0, total_n = 0;
    for (const auto& [code, n] : answering) {
      total_n += static_cast<double>(n);
      if (fixed.contains(code)) {
        fixed_sum += fixed.at(code) * static_cast<double>(n);
      } else {
        free_n += static_cast<double>(n);
      }
    }
    std::map<int, double> result = fixed;
    if (free_n == 0) return result;
    auto mean_free = [&](double a) {
      double sum = 0;
      for (const auto& [code, n] : answering) {
        if (fixed.contains(code)) continue;
        sum +=
            Logistic(a + p_.ServiceOffset(family.id, item.id, in_.FindServiceByCode(code)->key)) *
            static_cast<double>(n);
      }
      return sum;
    };
    const double wanted = std::clamp(*overall * total_n - fixed_sum, 0.01 * free_n, 0.99 * free_n);
    double lo = -12, hi = 12;
    for (int i = 0; i < 80; ++i) {
      const double mid = (lo + hi) / 2;
      (mean_free(mid) < wanted ? lo : hi) = mid;
    }
    for (const auto& [code, n] : answering) {
      if (!fixed.contains(code)) {
        result[code] = Logistic(
            (lo + hi) / 2 + p_.ServiceOffset(family.id, item.id, in_.FindServiceByCode(code)->key));
      }
    }
    return result;
  }

  // One item of the family being answered, with what calibrates it.
  struct ItemState {
    std::size_t index = 0;
    std::vector<float> z;
    std::map<int, std::vector<float>>
        baseline;                        // service → sorted latent scores of baseline answerers
    std::map<int, double> targets;       // service → share of the reported categories
    std::map<int, double> wanted;        // the calibration goal, kept while targets adjust
    std::set<int> published;             // services with their own target for the item
    std::vector<CategoryWeight> layout;  // categories in latent order, lowest first
    std::vector<std::map<int, int>> recoding;  // per round: drawn code → recorded code
  };

  // Marks who answers the item (or leaves it blank) and draws their latent
  // scores; the codes are set later by Assign.
  Result<ItemState> PrepareItem(const Family& family, const FamilyModel& model,
                                const instrument::Item& item, const std::vector<uint8_t>& responds,
                                std::size_t family_index, bool checklist) {
    const std::size_t n = data_.respondents.size();
    ItemState st;
    st.index = ItemIndex(family.id, item.id);
    auto& answers = data_.answers[st.index];
    st.z.assign(n, 0);
    const std::vector<uint8_t> asked = AskedMask(family, item);
    for (std::size_t r = 0; r < n; ++r) {
      if (!asked[r]) continue;
      const bool item_blank = !checklist && Uniform(Key(o_.seed, r, 300000 + st.index)) < 0.01;
      if (!responds[r] || item_blank) {
        answers[r] = kBlank;
        continue;
      }
      answers[r] = 0;  // answering; the code is set by Assign
      st.z[r] = static_cast<float>(Latent(model, st.index, r, family_index, checklist));
      if (!data_.rounds[data_.respondents[r].round].follow_up)
        st.baseline[data_.respondents[r].analysed_service].push_back(st.z[r]);
    }
    for (auto& [service, scores] : st.baseline) std::sort(scores.begin(), scores.end());
    std::map<int, std::size_t> answering;
    for (const auto& [code, scores] : st.baseline) answering[code] = scores.size();
    auto targets = ServiceTargets(family, item, answering);
    if (!targets) return targets.error();
    st.targets = st.wanted = std::move(targets.value());
    for (const Target& t : p_.targets) {
      if (t.indicator != family.id + "." + item.id) continue;
      if (const auto* s = ServiceOf(t)) st.published.insert(s->code);
    }
    if (checklist) {
      st.layout = {{0, 1}, {1, 1}};
    } else {
      const auto* weights = p_.Weights(family.id, item.id, family.scale);
      if (weights == nullptr)
        return Error{fmt::format("category_weights.csv: mangler vekter for «{}»", family.scale)};
      st.layout = *weights;
    }
    st.recoding = Recoding(family, family.id + "." + item.id, st.layout);
    return st;
  }

  // A checklist answer has at least one tick: an answerer without one gets
  // the item they came closest to ticking.
  void TickAtLeastOne(const std::vector<ItemState>& states,
                      const std::vector<std::vector<float>>& margins) {
    for (std::size_t r = 0; r < data_.respondents.size(); ++r) {
      bool answered = false, ticked = false;
      std::size_t best = 0;
      for (std::size_t k = 0; k < states.size(); ++k) {
        const uint8_t a = data_.answers[states[k].index][r];
        if (a == kBlank || a == kNotAsked) continue;
        answered = true;
        ticked |= a == 1;
        if (margins[k][r] > margins[best][r]) best = k;
      }
      if (answered && !ticked) data_.answers[states[best].index][r] = 1;
    }
  }

  // Moves the item's targets by how far the realised baseline shares missed
  // the goals.
  void CorrectTargets(ItemState& st) const {
    std::map<int, std::pair<double, double>> realised;  // service → (ticks, answerers)
    for (std::size_t r = 0; r < data_.respondents.size(); ++r) {
      const uint8_t a = data_.answers[st.index][r];
      if (a == kBlank || a == kNotAsked || data_.rounds[data_.respondents[r].round].follow_up)
        continue;
      auto& [ticks, count] = realised[data_.respondents[r].analysed_service];
      ticks += a == 1;
      count += 1;
    }
    // A service with a published share is corrected on its own; the
    // others only carry the overall share, so they are corrected
    // together: per service, the few answerers of a small class (a
    // reason for not acting, in a class k-anonymity formed) make the
    // realised share jump and the goal would never settle.
    double free_ticks = 0, free_count = 0, free_wanted = 0;
    for (const auto& [service, p] : st.targets) {
      if (st.published.contains(service)) continue;
      const auto& [ticks, count] = realised[service];
      free_ticks += ticks;
      free_count += count;
      free_wanted += st.wanted[service] * count;
    }
    const double free_error = free_count > 0 ? (free_ticks - free_wanted) / free_count : 0;
    for (auto& [service, p] : st.targets) {
      const auto& [ticks, count] = realised[service];
      if (!st.published.contains(service)) {
        p = std::clamp(p - free_error, 0.0, 1.0);
      } else if (count > 0) {
        p = std::clamp(p - (ticks / count - st.wanted[service]), 0.0, 1.0);
      }
    }
  }

  Status AnswerFamily(const Family& family) {
    const auto model_it = p_.families.find(family.id);
    if (model_it == p_.families.end())
      return Error{fmt::format("families.csv (synth): mangler «{}»", family.id)};
    const FamilyModel& model = model_it->second;
    const std::size_t family_index = static_cast<std::size_t>(&family - in_.families.data());
    const std::size_t n = data_.respondents.size();
    std::vector<uint8_t> responds(n);
    for (std::size_t r = 0; r < n; ++r) {
      responds[r] = Uniform(Key(o_.seed, r, 200000 + family_index)) < model.response_rate;
    }
    const bool checklist = family.type == FamilyType::kMultipleChoice;
    std::vector<ItemState> states;
    for (const auto& item : family.items) {
      SAMKART_ASSIGN_OR_RETURN(ItemState st,
                               PrepareItem(family, model, item, responds, family_index, checklist));
      states.push_back(std::move(st));
    }
    // A checklist answer has at least one tick, which raises the shares a
    // little; a few passes lower the goals until the realised shares match.
    const int passes = checklist ? 8 : 1;
    for (int pass = 0; pass < passes; ++pass) {
      std::vector<std::vector<float>> margins;
      for (ItemState& st : states)
        margins.push_back(Assign(family, st.z, st.baseline, st.targets, st.layout, st.recoding,
                                 data_.answers[st.index]));
      if (!checklist) break;
      TickAtLeastOne(states, margins);
      for (ItemState& st : states) CorrectTargets(st);
    }
    return Ok();
  }

  // Sets every answering respondent's code from the baseline cut points of
  // their service, as their round's questionnaire can record it; returns, for checklists, how far
  // each one is above the cut.
  std::vector<float> Assign(const Family& family, const std::vector<float>& z,
                            const std::map<int, std::vector<float>>& baseline,
                            const std::map<int, double>& targets,
                            const std::vector<CategoryWeight>& layout,
                            const std::vector<std::map<int, int>>& recoding,
                            std::vector<uint8_t>& answers) const {
    std::map<int, std::vector<float>> cuts;  // service → ascending cut points
    double non_share = 0, share = 0;
    for (const auto& c : layout) (InShare(family, c.code) ? share : non_share) += c.weight;
    for (const auto& [service, scores] : baseline) {
      const double p = std::clamp(targets.at(service), 0.0, 1.0);
      double cumulative = 0;
      for (std::size_t k = 0; k + 1 < layout.size(); ++k) {
        const auto& c = layout[k];
        cumulative +=
            InShare(family, c.code) ? p * c.weight / share : (1 - p) * c.weight / non_share;
        const auto at =
            static_cast<std::size_t>(std::llround(cumulative * static_cast<double>(scores.size())));
        cuts[service].push_back(at >= scores.size() ? std::numeric_limits<float>::infinity()
                                : at == 0           ? -std::numeric_limits<float>::infinity()
                                                    : (scores[at - 1] + scores[at]) / 2);
      }
    }
    std::vector<float> margin(answers.size(), -std::numeric_limits<float>::infinity());
    for (std::size_t r = 0; r < answers.size(); ++r) {
      if (answers[r] == kBlank || answers[r] == kNotAsked) continue;
      const auto c = cuts.find(data_.respondents[r].analysed_service);
      if (c == cuts.end()) {
        answers[r] = kBlank;  // a service with no baseline answerers cannot be calibrated
        continue;
      }
      std::size_t k = 0;
      while (k < c->second.size() && z[r] >= c->second[k]) ++k;
      int code = layout[k].code;
      const auto& recode = recoding[data_.respondents[r].round];
      if (const auto to = recode.find(code); to != recode.end()) code = to->second;
      answers[r] = static_cast<uint8_t>(code);
      if (!c->second.empty()) margin[r] = z[r] - c->second.back();
    }
    return margin;
  }

  static bool InShare(const Family& family, int code) {
    return std::find(family.reported_share.begin(), family.reported_share.end(), code) !=
           family.reported_share.end();
  }

  const Instrument& in_;
  const Parameters& p_;
  const SynthOptions& o_;
  SynthData data_;
  std::map<std::string, std::set<std::string>> asked_in_;
  // generation → family.item → codes its export can write
  std::map<std::string, std::map<std::string, std::set<int>>> recordable_;
  std::map<int, double> position_effects_;  // by position code
  // family.item → position code → extra effect on that item
  std::map<std::string, std::map<int, double>> position_item_effects_;
  std::vector<const std::map<int, double>*> item_position_effects_;  // by item index
};

}  // namespace

Result<SynthData> Generate(const Instrument& instrument, const Parameters& parameters,
                           const SynthOptions& options) {
  return Generator(instrument, parameters, options).Run();
}

}  // namespace samkart::synth
