#include "samkart/store/sql_session.h"

namespace samkart::store {

Status SqlSession::Execute(std::string_view sql, const std::vector<SqlValue>& parameters,
                           const std::string& what) {
  auto prepared = Prepare(sql);
  if (!prepared.ok()) return Fail(what, prepared.error());
  SqlStatement& statement = **prepared;
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    statement.Bind(static_cast<int>(i + 1), parameters[i]);
  }
  if (auto stepped = statement.Step(); !stepped.ok()) return Fail(what, stepped.error());
  return Ok();
}

}  // namespace samkart::store
