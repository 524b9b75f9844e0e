#include "samkart/store/register_queries.h"

#include <algorithm>
#include <tuple>

#include <fmt/format.h>

namespace samkart::store {

Status WriteMunicipalities(SqlSession& session, const std::vector<Municipality>& municipalities) {
  const std::string what = "kan ikke lagre kommuneregisteret";
  auto prepared = session.Prepare(
      "INSERT INTO municipalities (number, name, region, size_group, population) VALUES (?, ?, "
      "?, ?, ?) ON CONFLICT (number) DO UPDATE SET name = excluded.name, region = "
      "excluded.region, size_group = excluded.size_group, population = excluded.population");
  if (!prepared.ok()) return session.Fail(what, prepared.error());
  SqlStatement& upsert = **prepared;
  for (const Municipality& m : municipalities) {
    upsert.Reset();
    upsert.Bind(1, int64_t{m.number})
        .Bind(2, m.name)
        .Bind(3, m.region)
        .Bind(4, m.size_group)
        .Bind(5, m.population);
    if (auto done = upsert.Step(); !done.ok()) {
      return session.Fail("kan ikke lagre kommune", done.error());
    }
  }
  return Ok();
}

Result<std::vector<Municipality>> ReadMunicipalities(SqlSession& session) {
  return session.SelectAll(
      "SELECT number, name, region, size_group, population FROM municipalities ORDER BY number",
      "kan ikke lese kommuneregisteret", [](const SqlStatement& row) {
        return Municipality{static_cast<int>(row.Int(0)), row.Text(1), row.Text(2), row.Text(3),
                            row.OptionalInt(4)};
      });
}

Status WriteInvitedCounts(SqlSession& session, const std::vector<InvitedCount>& counts) {
  const std::string what = "kan ikke lagre inviterte";
  auto known = session.Prepare("SELECT 1 FROM municipalities WHERE number = ?");
  if (!known.ok()) return session.Fail(what, known.error());
  auto upsert = session.Prepare(
      "INSERT INTO invited (municipality, year, round_type, service, invited) VALUES (?, ?, ?, "
      "?, ?) ON CONFLICT (municipality, year, round_type, service) DO UPDATE SET invited = "
      "excluded.invited");
  if (!upsert.ok()) return session.Fail(what, upsert.error());
  for (const InvitedCount& c : counts) {
    (*known)->Reset();
    (*known)->Bind(1, int64_t{c.municipality});
    auto found = (*known)->Step();
    if (!found.ok()) return session.Fail(what, found.error());
    if (!*found) {
      return Error{fmt::format("kommune {} finnes ikke i kommuneregisteret", c.municipality)};
    }
    (*upsert)->Reset();
    (*upsert)
        ->Bind(1, int64_t{c.municipality})
        .Bind(2, int64_t{c.year})
        .Bind(3, c.round_type)
        .Bind(4, c.service)
        .Bind(5, int64_t{c.invited});
    if (auto done = (*upsert)->Step(); !done.ok()) return session.Fail(what, done.error());
  }
  return Ok();
}

Result<std::vector<InvitedCount>> ReadInvitedCounts(SqlSession& session) {
  SAMKART_ASSIGN_OR_RETURN(
      std::vector<InvitedCount> out,
      session.SelectAll("SELECT municipality, year, round_type, service, invited FROM invited",
                        "kan ikke lese inviterte", [](const SqlStatement& row) {
                          return InvitedCount{static_cast<int>(row.Int(0)),
                                              static_cast<int>(row.Int(1)), row.Text(2),
                                              row.Text(3), static_cast<int>(row.Int(4))};
                        }));
  // Sorted here rather than in SQL, where the backends order text differently.
  std::sort(out.begin(), out.end(), [](const InvitedCount& a, const InvitedCount& b) {
    return std::tie(a.municipality, a.year, a.round_type, a.service) <
           std::tie(b.municipality, b.year, b.round_type, b.service);
  });
  return out;
}

}  // namespace samkart::store
