#include "samkart/store/sqlite_migrations.h"

namespace samkart::store {

const std::vector<Migration>& SqliteMigrations() {
  static const std::vector<Migration> migrations = {
      {1, "kommuneregister, importer, spørsmålsregister og svar", R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  description TEXT NOT NULL,
  applied_at TEXT NOT NULL
);
CREATE TABLE municipalities (
  number INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  region TEXT NOT NULL,
  size_group TEXT NOT NULL,
  population INTEGER
);
-- Every item ever stored, in the order of the bytes of respondents.answers.
CREATE TABLE items (
  position INTEGER PRIMARY KEY,
  item_id TEXT NOT NULL UNIQUE
);
-- One imported file: its provenance and the import report.
CREATE TABLE batches (
  id INTEGER PRIMARY KEY,
  file_name TEXT NOT NULL,
  content_sha256 TEXT NOT NULL UNIQUE,
  format TEXT NOT NULL,
  generation TEXT NOT NULL,
  municipality INTEGER,
  year INTEGER,
  round_type TEXT,
  rows_read INTEGER NOT NULL,
  rows_imported INTEGER NOT NULL,
  rows_generalised INTEGER NOT NULL,
  rows_rejected INTEGER NOT NULL,
  imported_at TEXT NOT NULL,
  report TEXT NOT NULL
);
-- One anonymised respondent. answers holds one byte per registered item:
-- the category code, 254 for unanswered, 255 for not asked.
CREATE TABLE respondents (
  id INTEGER PRIMARY KEY,
  batch_id INTEGER NOT NULL REFERENCES batches (id),
  municipality INTEGER NOT NULL REFERENCES municipalities (number),
  year INTEGER NOT NULL,
  round_type TEXT NOT NULL CHECK (round_type IN ('baseline', 'follow_up')),
  generation TEXT NOT NULL,
  region TEXT NOT NULL,
  size_group TEXT NOT NULL,
  service INTEGER NOT NULL,
  position INTEGER NOT NULL,
  answers BLOB NOT NULL
);
CREATE INDEX respondents_by_batch ON respondents (batch_id);
CREATE INDEX respondents_by_round ON respondents (municipality, year);
)sql"},
      {2, "inviterte per tjeneste i hver runde (svarprosent)", R"sql(
-- Employees invited per service in a survey round: the denominator of the
-- response rate. Replaced, not summed, when a round's counts come again.
CREATE TABLE invited (
  municipality INTEGER NOT NULL REFERENCES municipalities (number),
  year INTEGER NOT NULL,
  round_type TEXT NOT NULL CHECK (round_type IN ('baseline', 'follow_up')),
  service TEXT NOT NULL,
  invited INTEGER NOT NULL CHECK (invited >= 0),
  PRIMARY KEY (municipality, year, round_type, service)
);
)sql"},
  };
  return migrations;
}

}  // namespace samkart::store
