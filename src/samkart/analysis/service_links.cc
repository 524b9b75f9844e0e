#include "samkart/analysis/service_links.h"

#include <algorithm>

#include <fmt/format.h>

#include "samkart/analysis/cooperation.h"

namespace samkart::analysis {

namespace {

const instrument::Item* RatingItem(const instrument::Family& family, const std::string& service) {
  for (const auto& item : family.items) {
    if (item.partner_service == service) return &item;
  }
  return nullptr;
}

}  // namespace

Result<ServiceLinks> CompareServiceLinks(const Dataset& data,
                                         const instrument::Instrument& instrument,
                                         Publication& publication, const std::vector<Filter>& where,
                                         const std::vector<Filter>& reference_rounds) {
  ServiceLinks out;
  const instrument::Family* family = CooperationFamily(instrument);
  if (family == nullptr) return Error{"instrumentet har ingen familie som vurderer samarbeid"};
  out.compared_with_nation = std::any_of(where.begin(), where.end(), [](const Filter& f) {
    return f.variable == Variable::kMunicipality;
  });

  // Two published tables per link: the first rating the second, and back.
  std::vector<Table> tables;
  for (std::size_t l = 0; l < instrument.service_links.size(); ++l) {
    const instrument::ServiceLink& link = instrument.service_links[l];
    for (const auto& [rater_key, rated_key] :
         {std::pair{link.first, link.second}, std::pair{link.second, link.first}}) {
      const instrument::Service* rater = instrument.FindService(rater_key);
      const instrument::Item* item = RatingItem(*family, rated_key);
      if (rater == nullptr || item == nullptr) {
        return Error{
            fmt::format("«{}» kan ikke vurdere samarbeidet med «{}»: ingen slik tjeneste "
                        "eller intet samarbeidsspørsmål",
                        rater_key, rated_key)};
      }
      std::vector<Filter> raters = where;
      std::erase_if(raters, [](const Filter& f) { return f.variable == Variable::kService; });
      raters.push_back({Variable::kService, {rater->code}, std::nullopt});
      TableRequest request{family->id, item->id, {}, raters, Comparison::kNone, false, {}};
      if (out.compared_with_nation) {
        request.compare = Comparison::kNation;
        request.reference_rounds = reference_rounds;
      }
      SAMKART_ASSIGN_OR_RETURN(Table table, ComputeTable(data, instrument, request));
      tables.push_back(std::move(table));
    }
    out.links.push_back({});
    out.links.back().link = l;
  }
  SAMKART_TRY(publication.Apply(tables));

  std::vector<Difference*> tested;
  for (std::size_t l = 0; l < out.links.size(); ++l) {
    LinkCooperation& link = out.links[l];
    const instrument::ServiceLink& names = instrument.service_links[l];
    for (const bool forward : {true, false}) {
      const Table& table = tables[2 * l + (forward ? 0 : 1)];
      const TableRow& row = table.rows.at(0);
      LinkDirection& direction = forward ? link.forward : link.backward;
      direction.rater = instrument.FindService(forward ? names.first : names.second)->code;
      direction.rated = instrument.FindService(forward ? names.second : names.first)->code;
      direction.item = row.item;
      direction.rating = row.cell;
      if (out.compared_with_nation && row.reference) {
        direction.nation = row.reference;
        if (!row.cell.suppressed && row.cell.n > 0 && !row.reference->suppressed &&
            row.reference->n > 0 && row.difference) {
          direction.against_nation = row.difference;
          tested.push_back(&*direction.against_nation);
        }
      }
    }
    const Cell& a = link.forward.rating;
    const Cell& b = link.backward.rating;
    if (!a.suppressed && !b.suppressed && a.n > 0 && b.n > 0) {
      link.asymmetry = CompareShares(SampleOf(a), SampleOf(b));
      tested.push_back(&*link.asymmetry);
    }
  }
  ControlFalseDiscoveries(tested);
  out.tests = tested.size();
  return out;
}

}  // namespace samkart::analysis
