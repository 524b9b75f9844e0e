#include "samkart/anonymise/k_anonymity.h"

#include <algorithm>

#include <fmt/format.h>

namespace samkart::anonymise {

namespace {

int RootOf(int code, const std::function<std::optional<int>(int)>& parent_of) {
  // Chains are short and acyclic (checked by the instrument loader); the bound
  // only guards against a broken caller.
  for (int steps = 0; steps < 64; ++steps) {
    const auto parent = parent_of(code);
    if (!parent) return code;
    code = *parent;
  }
  return code;
}

int DepthOf(int code, const std::function<std::optional<int>(int)>& parent_of) {
  int depth = 0;
  for (auto parent = parent_of(code); parent && depth < 64; parent = parent_of(*parent)) ++depth;
  return depth;
}

template <typename T>
std::function<std::optional<int>(int)> ParentFunction(const std::vector<T>& codes) {
  return [&codes](int code) -> std::optional<int> {
    const T* c = nullptr;
    for (const T& candidate : codes) {
      if (candidate.code == code) c = &candidate;
    }
    if (c == nullptr || c->generalises_to.empty()) return std::nullopt;
    for (const T& candidate : codes) {
      if (candidate.key == c->generalises_to) return candidate.code;
    }
    return std::nullopt;
  };
}

template <typename T>
std::string LabelOf(const std::vector<T>& codes, int code) {
  for (const T& c : codes) {
    if (c.code == code) return c.label;
  }
  return std::to_string(code);
}

}  // namespace

std::optional<std::map<int, int>> GeneraliseTree(
    const std::map<int, std::size_t>& counts,
    const std::function<std::optional<int>(int)>& parent_of, std::size_t k) {
  std::map<int, std::size_t> size;  // current class sizes, ancestors included
  std::map<int, int> target;        // original code → current class
  for (const auto& [code, n] : counts) {
    if (n == 0) continue;
    size[code] += n;
    target[code] = code;
  }
  auto merge = [&](int from, int into) {
    size[into] += size[from];
    size[from] = 0;
    for (auto& [original, current] : target) {
      if (current == from) current = into;
    }
  };
  // Small classes move up one level at a time, deepest first.
  for (;;) {
    std::optional<int> deepest;
    int deepest_depth = -1;
    for (const auto& [code, n] : size) {
      if (n == 0 || n >= k || !parent_of(code)) continue;
      const int depth = DepthOf(code, parent_of);
      if (depth > deepest_depth) {
        deepest = code;
        deepest_depth = depth;
      }
    }
    if (!deepest) break;
    merge(*deepest, *parent_of(*deepest));
  }
  // A root left small absorbs the smallest classes below it.
  std::vector<int> roots;
  for (const auto& [code, n] : size) {
    if (n > 0 && n < k && !parent_of(code)) roots.push_back(code);
  }
  for (const int root : roots) {
    std::vector<std::pair<std::size_t, int>> below;
    for (const auto& [code, n] : size) {
      if (n > 0 && code != root && RootOf(code, parent_of) == root) below.push_back({n, code});
    }
    std::sort(below.begin(), below.end());
    for (const auto& [n, code] : below) {
      if (size[root] >= k) break;
      merge(code, root);
    }
    if (size[root] < k) return std::nullopt;
  }
  return target;
}

Result<AnonymisationReport> MakeKAnonymous(std::vector<harmonise::HarmonisedRow>& rows,
                                           const instrument::Instrument& instrument,
                                           std::size_t k) {
  AnonymisationReport report;
  if (k <= 1) return report;
  const auto service_parent = ParentFunction(instrument.services);
  const auto position_parent = ParentFunction(instrument.positions);

  std::map<std::pair<int, int>, std::vector<std::size_t>> rounds;  // (municipality, year) → rows
  for (std::size_t i = 0; i < rows.size(); ++i) {
    rounds[{rows[i].municipality, rows[i].year}].push_back(i);
  }
  std::vector<bool> changed(rows.size(), false);
  for (const auto& [round, members] : rounds) {
    const auto& [municipality, year] = round;
    std::map<int, std::size_t> service_counts;
    for (const std::size_t i : members) ++service_counts[rows[i].service];
    const auto services = GeneraliseTree(service_counts, service_parent, k);
    if (!services) {
      return Error{fmt::format(
          "kommune {} i {} har bare {} svar; med færre enn k = {} kan svarene ikke lagres anonymt",
          municipality, year, members.size(), k)};
    }
    for (const auto& [from, to] : *services) {
      if (from == to) continue;
      report.details.push_back(fmt::format("{} {}: tjeneste {} → {}: {} rader", municipality, year,
                                           LabelOf(instrument.services, from),
                                           LabelOf(instrument.services, to), service_counts[from]));
    }
    std::map<int, std::vector<std::size_t>> by_service;
    for (const std::size_t i : members) {
      const int to = services->at(rows[i].service);
      if (to != rows[i].service) {
        rows[i].service = to;
        changed[i] = true;
        ++report.services_generalised;
      }
      by_service[rows[i].service].push_back(i);
    }
    for (const auto& [service, in_service] : by_service) {
      std::map<int, std::size_t> position_counts;
      for (const std::size_t i : in_service) ++position_counts[rows[i].position];
      const auto positions = GeneraliseTree(position_counts, position_parent, k);
      // The service classes are at least k, so the position tree always succeeds.
      if (!positions) {
        return Error{fmt::format("kommune {} i {}: stillingene i {} kan ikke gjøres anonyme",
                                 municipality, year, LabelOf(instrument.services, service))};
      }
      for (const auto& [from, to] : *positions) {
        if (from == to) continue;
        report.details.push_back(
            fmt::format("{} {}: {}: stilling {} → {}: {} rader", municipality, year,
                        LabelOf(instrument.services, service), LabelOf(instrument.positions, from),
                        LabelOf(instrument.positions, to), position_counts[from]));
      }
      for (const std::size_t i : in_service) {
        const int to = positions->at(rows[i].position);
        if (to != rows[i].position) {
          rows[i].position = to;
          changed[i] = true;
          ++report.positions_generalised;
        }
      }
    }
  }
  report.rows_generalised =
      static_cast<std::size_t>(std::count(changed.begin(), changed.end(), true));
  return report;
}

}  // namespace samkart::anonymise
