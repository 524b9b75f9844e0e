#include "samkart/analysis/cooperation.h"

#include <algorithm>

#include <fmt/format.h>

namespace samkart::analysis {

namespace {

std::string ShortLabel(const instrument::Instrument& instrument, int code) {
  const auto* s = instrument.FindServiceByCode(code);
  return s ? (s->short_label.empty() ? s->label : s->short_label) : std::to_string(code);
}

}  // namespace

const instrument::Family* CooperationFamily(const instrument::Instrument& instrument) {
  for (const auto& f : instrument.families) {
    if (f.excludes_own_service && !f.items.empty() && !f.items[0].partner_service.empty()) {
      return &f;
    }
  }
  return nullptr;
}

const CooperationPair* CooperationMatrix::Find(int rater, int rated_service) const {
  for (const auto& p : pairs) {
    if (p.rater == rater && p.rated == rated_service) return &p;
  }
  return nullptr;
}

Result<CooperationMatrix> ComputeCooperationMatrix(const Dataset& data,
                                                   const instrument::Instrument& instrument,
                                                   const std::vector<Filter>& where,
                                                   Publication& publication) {
  const instrument::Family* family = CooperationFamily(instrument);
  if (family == nullptr) return Error{"instrumentet har ingen familie som vurderer samarbeid"};
  CooperationMatrix matrix;

  // One table per rated service, broken down by the rater's service; the
  // publication rules see them together, as one request.
  std::vector<Table> tables;
  for (const auto& item : family->items) {
    const auto* partner = instrument.FindService(item.partner_service);
    if (partner == nullptr) continue;
    auto table = ComputeTable(data, instrument,
                              {family->id, item.id, {Variable::kService}, where, {}, false, {}});
    if (!table.ok()) return table.error();
    matrix.rated.push_back(partner->code);
    tables.push_back(std::move(table.value()));
  }
  auto applied = publication.Apply(tables);
  if (!applied.ok()) return applied.error();
  if (!tables.empty()) matrix.denominator_rule = tables[0].denominator_rule;

  std::vector<bool> is_rater(256, false);
  for (std::size_t t = 0; t < tables.size(); ++t) {
    for (const TableRow& row : tables[t].rows) {
      // A group never rates a service it includes: «Skole (samlet)» rating
      // Barneskole would be schools rating themselves.
      if (row.group.empty() || instrument.ServiceIncludes(row.group[0], matrix.rated[t])) continue;
      if (row.cell.n == 0 && !row.cell.suppressed) continue;
      CooperationPair pair;
      pair.rater = row.group[0];
      pair.rated = matrix.rated[t];
      pair.item = row.item;
      pair.rating = row.cell;
      matrix.pairs.push_back(pair);
      is_rater[static_cast<std::size_t>(pair.rater)] = true;
    }
  }
  for (int code = 0; code < 256; ++code) {
    if (is_rater[static_cast<std::size_t>(code)]) matrix.raters.push_back(code);
  }
  for (CooperationPair& pair : matrix.pairs) {
    if (const CooperationPair* back = matrix.Find(pair.rated, pair.rater)) {
      pair.reverse = back->rating;
      if (!pair.rating.suppressed && !back->rating.suppressed) {
        pair.asymmetry_pp = (pair.rating.share - back->rating.share) * 100;
      }
    }
  }
  return matrix;
}

std::string FormatCooperationText(const CooperationMatrix& matrix,
                                  const instrument::Instrument& instrument) {
  std::string out =
      "Samarbeid mellom tjenestene: andel som vurderer samarbeidet som ganske eller svært godt\n"
      "(rad: tjenesten som vurderer; kolonne: tjenesten som vurderes; «–» skjult eller ikke "
      "stilt;\n en sammenslått gruppe eller en kombinert skole vurderer ikke tjenester den selv "
      "består av)\n"
      "Nevner: " +
      matrix.denominator_rule + "\n\n";
  out += fmt::format("{:<22}", "");
  for (const int rated : matrix.rated)
    out += fmt::format(" {:>9.9}", ShortLabel(instrument, rated));
  out += "\n";
  for (const int rater : matrix.raters) {
    out += fmt::format("{:<22.22}", ShortLabel(instrument, rater));
    for (const int rated : matrix.rated) {
      const CooperationPair* p = matrix.Find(rater, rated);
      if (p == nullptr || p->rating.suppressed) {
        out += fmt::format(" {:>9}", "–");
      } else {
        out += fmt::format(" {:>8.0f}%", p->rating.share * 100);
      }
    }
    out += "\n";
  }
  // The largest asymmetries, each pair once.
  std::vector<const CooperationPair*> asymmetric;
  for (const auto& p : matrix.pairs) {
    if (p.asymmetry_pp && *p.asymmetry_pp > 0) asymmetric.push_back(&p);
  }
  std::sort(asymmetric.begin(), asymmetric.end(),
            [](const auto* a, const auto* b) { return *a->asymmetry_pp > *b->asymmetry_pp; });
  if (!asymmetric.empty()) out += "\nStørste forskjeller mellom de to retningene:\n";
  for (std::size_t i = 0; i < asymmetric.size() && i < 5; ++i) {
    const auto* p = asymmetric[i];
    out +=
        fmt::format("  {} vurderer {}: {:.0f} %; {} vurderer {}: {:.0f} % ({:+.0f} prosentpoeng)\n",
                    ShortLabel(instrument, p->rater), ShortLabel(instrument, p->rated),
                    p->rating.share * 100, ShortLabel(instrument, p->rated),
                    ShortLabel(instrument, p->rater), p->reverse->share * 100, *p->asymmetry_pp);
  }
  return out;
}

}  // namespace samkart::analysis
