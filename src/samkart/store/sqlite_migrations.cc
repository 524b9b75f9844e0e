#include "samkart/store/migrations.h"

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
      {3, "brukere, økter, revisjonslogg og nettskjema", R"sql(
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'regional', 'municipal', 'reader')),
  region TEXT,
  municipality INTEGER REFERENCES municipalities (number),
  active INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL
);
-- Only a hash of the cookie's token: a copy of the file logs nobody in.
CREATE TABLE sessions (
  token_sha256 TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users (id),
  csrf_token TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  username TEXT NOT NULL,
  action TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE TABLE survey_rounds (
  id INTEGER PRIMARY KEY,
  municipality INTEGER NOT NULL REFERENCES municipalities (number),
  year INTEGER NOT NULL,
  round_type TEXT NOT NULL CHECK (round_type IN ('baseline', 'follow_up')),
  generation TEXT NOT NULL,
  token TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
  item_ids TEXT NOT NULL,
  batch_id INTEGER REFERENCES batches (id),
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (municipality, year, round_type)
);
CREATE TABLE survey_services (
  round_id INTEGER NOT NULL REFERENCES survey_rounds (id),
  service TEXT NOT NULL,
  invited INTEGER NOT NULL CHECK (invited >= 0),
  token TEXT NOT NULL UNIQUE,
  PRIMARY KEY (round_id, service)
);
-- Answers in progress, keyed by a hash of the respondent's cookie. Only the
-- day is kept, to clear drafts nobody finished.
CREATE TABLE survey_drafts (
  draft_key TEXT PRIMARY KEY,
  round_id INTEGER NOT NULL REFERENCES survey_rounds (id),
  answers TEXT NOT NULL,
  updated_on TEXT NOT NULL
);
-- Submitted answers of an open round: no time, and a random key, so
-- neither the row nor its order tells when anyone answered.
CREATE TABLE survey_responses (
  response_key TEXT PRIMARY KEY,
  round_id INTEGER NOT NULL REFERENCES survey_rounds (id),
  service INTEGER NOT NULL,
  position INTEGER NOT NULL,
  answers BLOB NOT NULL
) WITHOUT ROWID;
CREATE INDEX survey_responses_by_round ON survey_responses (round_id);
)sql"},
      {4, "tjenestenes rekkefølge i en runde", R"sql(
-- The order services were given in, kept explicitly: PostgreSQL has no rowid.
ALTER TABLE survey_services ADD COLUMN ordinal INTEGER NOT NULL DEFAULT 0;
UPDATE survey_services SET ordinal = rowid;
)sql"},
      {5, "mislykkede innlogginger, delt av alle servere; utkast ryddes straks", R"sql(
-- Failed logins per throttle key (an address, a user name, or the pair),
-- counted here so every server on the database throttles together.
CREATE TABLE login_failures (
  throttle_key TEXT PRIMARY KEY,
  failures INTEGER NOT NULL,
  last_failure INTEGER NOT NULL
);
)sql"},
      {6, "innholdets fingeravtrykk per import (de samme svarene i en annen fil)", R"sql(
-- A SHA-256 of the harmonised respondents, whatever file carried them
-- (import/content_fingerprint.h); NULL for imports stored before it.
ALTER TABLE batches ADD COLUMN content_fingerprint TEXT;
CREATE INDEX batches_by_content_fingerprint ON batches (content_fingerprint);
)sql"},
      {7, "personvernkontakt per kommune; fritekstspørsmål og kommentarer holdt utenfor svarene",
       R"sql(
-- Who answers for a municipality's survey data, for the privacy statement.
CREATE TABLE privacy_contacts (
  municipality INTEGER PRIMARY KEY REFERENCES municipalities (number),
  controller TEXT NOT NULL,
  contact_name TEXT NOT NULL,
  email TEXT NOT NULL,
  phone TEXT NOT NULL,
  updated_by TEXT NOT NULL
);
-- A round's optional free-text question.
CREATE TABLE survey_comment_questions (
  round_id INTEGER PRIMARY KEY REFERENCES survey_rounds (id),
  question TEXT NOT NULL
);
-- Free-text comments, apart from the answers: no respondent, draft or
-- time, and a random key (written again when the round closes).
CREATE TABLE survey_comments (
  comment_key TEXT PRIMARY KEY,
  round_id INTEGER NOT NULL REFERENCES survey_rounds (id),
  text TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('new', 'approved', 'omitted'))
) WITHOUT ROWID;
CREATE INDEX survey_comments_by_round ON survey_comments (round_id);
)sql"},
      {8, "siste svardag for en runde", R"sql(
-- The last day (YYYY-MM-DD, Norwegian time) a round takes answers; after
-- it the server closes the round. NULL for rounds made before it existed.
ALTER TABLE survey_rounds ADD COLUMN closes_on TEXT;
)sql"},
  };
  return migrations;
}

}  // namespace samkart::store
