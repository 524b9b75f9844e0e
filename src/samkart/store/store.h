// The national database behind one interface: an embedded SQLite file by
// default, PostgreSQL for shared installations, with identical
// behaviour. A store holds the municipality register, one batch per imported
// file (with its provenance and import report) and the anonymised
// respondents. Writing a batch is all or nothing.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "samkart/core/result.h"
#include "samkart/store/deletion.h"
#include "samkart/store/tables.h"

namespace samkart::store {

struct Municipality {
  int number = 0;
  std::string name;
  std::string region;      // region key (instrument background/regions.csv)
  std::string size_group;  // size group key
  std::optional<int> population;
};

// One anonymised respondent. `answers` follows the item order the batch (on
// write) or the store's item registry (on read) gives.
struct RespondentRecord {
  int municipality = 0;
  int year = 0;
  int service = 0;
  int position = 0;
  std::vector<uint8_t> answers;
};

struct NewBatch {
  std::string file_name;
  std::string content_sha256;
  // What the respondents answered, whatever file carried it
  // (import/content_fingerprint.h); empty for none.
  std::string content_fingerprint;
  std::string format;      // «CSV (UTF-8, semikolon)», «SPSS .sav» …
  std::string generation;  // G1 … G5
  std::string report;      // the import report, in Norwegian
  std::size_t rows_read = 0;
  std::size_t rows_generalised = 0;
  std::size_t rows_rejected = 0;
  // Round type (baseline / follow_up) of each (municipality, year) in the file.
  std::map<std::pair<int, int>, std::string> round_types;
  std::vector<std::string> item_ids;  // «family.item», the order of answers below
  std::vector<RespondentRecord> respondents;

  // How the batch joins what is stored. The import checks these before it
  // writes, and the store again in the write's transaction, where no other
  // write can come between:
  // refuse when a stored batch has the same content fingerprint;
  bool unique_content = false;
  // refuse when a round (municipality, year, round type) of the batch holds
  // respondents of another batch than `replaces`;
  bool rounds_must_be_empty = false;
  // delete this batch, as `samkart delete import` does, in the same
  // transaction before the new one is written (a swap: both or neither).
  std::optional<int64_t> replaces;
};

struct BatchInfo {
  int64_t id = 0;
  std::string file_name;
  std::string content_sha256;
  std::optional<std::string> content_fingerprint;  // none for batches stored before it existed
  std::string format;
  std::string generation;
  // Set when every row of the file belongs to one municipality, year and round type.
  std::optional<int> municipality;
  std::optional<int> year;
  std::optional<std::string> round_type;
  std::size_t rows_read = 0;
  std::size_t rows_imported = 0;
  std::size_t rows_generalised = 0;
  std::size_t rows_rejected = 0;
  std::string imported_at;  // UTC, ISO 8601
};

// What `samkart rounds` lists: one survey round of one municipality.
struct RoundInfo {
  int municipality = 0;
  std::string name;
  int year = 0;
  std::string round_type;
  std::string generation;
  std::size_t respondents = 0;
  int64_t batch_id = 0;
};

// Employees invited from one service in one survey round.
struct InvitedCount {
  int municipality = 0;
  int year = 0;
  std::string round_type;  // baseline / follow_up
  std::string service;     // service key
  int invited = 0;
};

// --- The web application (samkart serve) ---

// A person who logs in. Roles: admin (national administrator), regional (a
// KORUS region's analyst), municipal (one municipality's coordinator),
// reader. The scope column a role needs is set; the other is empty.
struct User {
  int64_t id = 0;
  std::string username;
  std::string password_hash;  // argon2id, libsodium's encoded string
  std::string role;
  std::optional<std::string> region;  // regional: region key
  std::optional<int> municipality;    // municipal: municipality number
  bool active = true;
  std::string created_at;
};

// A logged-in browser. Only a hash of the cookie's token is stored, so a
// copy of the database does not log anyone in.
// A throttle key without failures this long (seconds) is forgotten.
inline constexpr int64_t kQuietDay = 24 * 3600;

// Failed logins of one throttle key (see web/auth.h): {0, 0} when none.
struct LoginFailures {
  std::size_t count = 0;
  int64_t last = 0;  // seconds since 1970, UTC
};

struct Session {
  std::string token_sha256;
  int64_t user_id = 0;
  std::string csrf_token;
  std::string expires_at;  // UTC, ISO 8601
};

// Who did what: logins (also failed ones), imports, exports, report
// downloads, user changes, survey rounds.
struct AuditEntry {
  int64_t id = 0;
  std::string at;        // UTC, ISO 8601; filled by the store when empty
  std::string username;  // who, or the name tried at a failed login
  std::string action;    // «login», «login_failed», «import», «export» …
  std::string detail;
};

// One service's part of a survey round: how many were invited, and the
// anonymous link that marks answers as from this service.
struct SurveyService {
  std::string service;  // service key
  int invited = 0;
  std::string token;
};

// A survey collected in Samkart. Answers are held (harmonised, not yet
// k-anonymised) while the round is open; closing it anonymises them and
// writes them as one batch.
struct SurveyRound {
  int64_t id = 0;
  int municipality = 0;
  int year = 0;
  std::string round_type;             // baseline / follow_up
  std::string generation;             // the instrument generation the form follows
  std::string token;                  // the round's anonymous link
  std::string status;                 // open / closed
  std::vector<std::string> item_ids;  // the order of a held answer's bytes
  std::optional<int64_t> batch_id;    // set when closed
  std::string created_by;
  std::string created_at;
  std::vector<SurveyService> services;
  // The last day answers are taken (YYYY-MM-DD, Norwegian time); empty for
  // rounds made before closing dates existed, which stay open until closed.
  std::string closes_on{};
};

// One submitted answer of an open round. It carries no time, and its key is
// random, so neither tells when or in which order anyone answered.
struct HeldResponse {
  int service = 0;
  int position = 0;
  std::vector<uint8_t> answers;  // by SurveyRound::item_ids
};

enum class SubmitStatus { kStored, kAlreadySubmitted, kRoundClosed };

// Called now and then while a batch is written: rows written so far.
using WriteProgress = std::function<void(std::size_t written, std::size_t total)>;

// The store is split by what it holds, so code that needs one part takes
// that interface; Store is all of them.

// The survey's data: the municipality register, invited counts, imported
// batches and their respondents.
class RespondentStore {
 public:
  virtual ~RespondentStore() = default;

  virtual Status UpsertMunicipalities(const std::vector<Municipality>& municipalities) = 0;
  virtual Result<std::vector<Municipality>> Municipalities() = 0;

  // Invited counts replace those stored for the same round and service, all
  // in one transaction; a municipality missing from the register fails it.
  virtual Status UpsertInvitedCounts(const std::vector<InvitedCount>& counts) = 0;
  virtual Result<std::vector<InvitedCount>> InvitedCounts() = 0;

  virtual Result<std::optional<BatchInfo>> FindBatchByHash(const std::string& content_sha256) = 0;
  // Writes the batch and its respondents in one transaction. Fails, leaving
  // the store as it was, when a batch with the same content hash exists or
  // a municipality is missing from the register.
  virtual Result<BatchInfo> WriteBatch(const NewBatch& batch, const WriteProgress& progress) = 0;
  virtual Result<std::vector<BatchInfo>> Batches() = 0;
  virtual Result<std::string> BatchReport(int64_t batch_id) = 0;
  virtual Result<std::vector<RoundInfo>> Rounds() = 0;

  // The item registry: every item ever stored, in the order of the answers
  // RespondentRecords carry when read back.
  virtual Result<std::vector<std::string>> ItemIds() = 0;
  // Visits every respondent with round type and generation; stops early when
  // `visit` returns false.
  virtual Status ScanRespondents(
      const std::function<bool(const RespondentRecord&, const std::string& round_type,
                               const std::string& generation)>& visit) = 0;

  // Deletes a batch or a municipality's round for good (deletion.h), in
  // one transaction; with `apply` false, counts what would go and keeps it.
  virtual Result<Removal> DeleteData(const DeletionTarget& target, bool apply) = 0;
};

// Who may log in, their sessions, failed logins and the audit log.
class AccountStore {
 public:
  virtual ~AccountStore() = default;

  // Users. AddUser fails on a username that exists.
  virtual Result<int64_t> AddUser(const User& user) = 0;
  // Replaces role, scope, active and password hash of the user with user.id.
  virtual Status UpdateUser(const User& user) = 0;
  virtual Result<std::optional<User>> FindUser(const std::string& username) = 0;
  virtual Result<std::optional<User>> FindUserById(int64_t id) = 0;
  virtual Result<std::vector<User>> Users() = 0;
  // Deletes the user and their sessions; the audit log keeps the name.
  virtual Status DeleteUser(int64_t user_id) = 0;

  // Sessions. FindSession returns only unexpired ones; AddSession also
  // removes the expired.
  virtual Status AddSession(const Session& session) = 0;
  virtual Result<std::optional<Session>> FindSession(const std::string& token_sha256) = 0;
  virtual Status DeleteSession(const std::string& token_sha256) = 0;
  virtual Status DeleteSessionsOfUser(int64_t user_id) = 0;

  // Failed logins per throttle key, shared by every server on the store.
  // CountLoginFailure adds one at `at` (seconds since 1970, UTC); a count
  // quiet for a day starts again at one. Keys quiet for a day are removed.
  virtual Result<LoginFailures> CountLoginFailure(const std::string& key, int64_t at) = 0;
  virtual Result<LoginFailures> FindLoginFailures(const std::string& key) = 0;
  virtual Status ForgetLoginFailures(const std::string& key) = 0;

  // Appends an entry with control characters, direction marks and bytes
  // that are not UTF-8 escaped (\xNN, \u{NNNN}, a backslash doubled): a
  // typed user name can neither forge a line nor hide what it was.
  Status AppendAudit(const AuditEntry& entry);
  // The newest `limit` entries, newest first.
  virtual Result<std::vector<AuditEntry>> AuditLog(std::size_t limit) = 0;

 protected:
  // The backend's write of an entry as given.
  virtual Status StoreAudit(const AuditEntry& entry) = 0;
};

// Surveys collected in Samkart: rounds, drafts and held answers.
class SurveyRoundStore {
 public:
  virtual ~SurveyRoundStore() = default;

  // Creates an open round with its services, and stores their invited
  // counts, in one transaction. Fails when the municipality already has a
  // round of that year and type, or is missing from the register.
  virtual Result<int64_t> CreateSurveyRound(const SurveyRound& round) = 0;
  virtual Result<std::vector<SurveyRound>> SurveyRounds() = 0;
  // The round whose link (or one of whose service links) is `token`.
  virtual Result<std::optional<SurveyRound>> FindSurveyRoundByToken(const std::string& token) = 0;
  // Held answers per service code of a round.
  virtual Result<std::map<int, std::size_t>> SurveyResponseCounts(int64_t round_id) = 0;
  virtual Result<std::vector<HeldResponse>> HeldResponses(int64_t round_id) = 0;

  // Answers in progress, keyed by a hash of the respondent's cookie: made
  // when the respondent starts, updated on every page, deleted by the
  // submission. SaveSurveyDraft creates (or replaces) one.
  virtual Status SaveSurveyDraft(const std::string& draft_key, int64_t round_id,
                                 const std::string& answers_json) = 0;
  // Updates a draft that exists; false when there is none (already
  // submitted, perhaps by a second click a moment ago). Never creates one,
  // so a late page save cannot bring a submitted draft back to life.
  virtual Result<bool> UpdateSurveyDraft(const std::string& draft_key, int64_t round_id,
                                         const std::string& answers_json) = 0;
  virtual Result<std::optional<std::string>> LoadSurveyDraft(const std::string& draft_key,
                                                             int64_t round_id) = 0;
  // Stores the answer and deletes the draft in one transaction. A second
  // submission of the same draft, or one to a closed round, stores nothing.
  virtual Result<SubmitStatus> SubmitSurveyResponse(const std::string& draft_key, int64_t round_id,
                                                    const HeldResponse& response) = 0;
  // Writes `batch` (the round's anonymised answers), deletes the held ones
  // and marks the round closed, in one transaction. `held_responses` is how
  // many answers the batch was made from: when more have come in since
  // (another server took a submission), nothing is written and nullopt
  // returned, so the caller reads the answers again.
  virtual Result<std::optional<BatchInfo>> CloseSurveyRound(int64_t round_id, const NewBatch& batch,
                                                            std::size_t held_responses) = 0;
  // Marks an open round closed without storing anything, deleting its held
  // answers, drafts and comments, in one transaction: for a round that reached its
  // closing date with fewer than k answers, which could not be stored
  // without being traced to the few who gave them. False, changing
  // nothing, when the round holds another number of answers than
  // `held_responses` (more came in) or is no longer open.
  virtual Result<bool> DiscardSurveyRound(int64_t round_id, std::size_t held_responses) = 0;
};

// Who answers for a municipality's survey data, as the privacy statement
// names them; set by the municipality's coordinator or an administrator.
struct PrivacyContact {
  int municipality = 0;
  std::string controller;    // «Eksempel kommune»
  std::string contact_name;  // the coordinator or the privacy officer
  std::string email;
  std::string phone;
  std::string updated_by;
};

// A respondent's free-text comment, kept apart from the answers: the round
// and the text only, already masked, under a random key that says nothing of
// when it came or which answer came with it.
struct SurveyComment {
  std::string key;
  int64_t round_id = 0;
  std::string text;
  std::string state;  // new / approved / omitted
};

// Comments are read by the coordinator, and printed in the municipality's
// report, only when a round has at least this many: a single comment is too
// easily recognised (the same spirit as the k of the answers).
inline constexpr std::size_t kMinCommentsShown = 5;

class SqlSession;

// The privacy contacts and the rounds' free-text question and comments,
// written once over sql_session.h (survey_texts.cc) for every backend.
class SurveyTextStore {
 public:
  virtual ~SurveyTextStore() = default;

  Result<std::optional<PrivacyContact>> FindPrivacyContact(int municipality);
  // Adds or replaces the municipality's contact.
  Status SavePrivacyContact(const PrivacyContact& contact);

  // The round's optional free-text question; an empty question removes it.
  Result<std::optional<std::string>> CommentQuestion(int64_t round_id);
  Status SetCommentQuestion(int64_t round_id, const std::string& question);

  // Stores a (masked) comment under a random key, in a transaction of its
  // own, never the answer's.
  Status AddSurveyComment(int64_t round_id, const std::string& text);
  // In key order, which is random.
  Result<std::vector<SurveyComment>> SurveyComments(int64_t round_id);
  // Writes the round's comments again under fresh random keys, so not even
  // the database's own row order or transaction ids keep when each came
  // (run when the round closes).
  Status ShuffleSurveyComments(int64_t round_id);
  // Sets state and text of one comment of the round; false when it has none by that key.
  Result<bool> ReviewSurveyComment(int64_t round_id, const std::string& key,
                                   const std::string& state, const std::string& text);
  // The approved comments of closed rounds by municipality, for its report:
  // only rounds with at least kMinCommentsShown approved, by year and key.
  Result<std::map<int, std::vector<std::string>>> ApprovedSurveyComments();

 protected:
  // Runs `work` in one transaction of the backend.
  virtual Status InSession(const std::function<Status(SqlSession&)>& work) = 0;
};

// The database itself: what it is, its schema version and migrations, and
// the whole-database copy.
class SchemaStore {
 public:
  virtual ~SchemaStore() = default;

  // «SQLite-fil out/samkart.sqlite», for messages.
  virtual std::string Describe() const = 0;
  // The schema version the store has, and the one this build knows.
  virtual Result<int> SchemaVersion() = 0;
  virtual int LatestSchemaVersion() const = 0;
  // Applies the migrations the store lacks, each in its own transaction.
  // Returns the descriptions of those applied.
  virtual Result<std::vector<std::string>> Migrate() = 0;

  // --- Whole-database copy (samkart copy, store/copy.h) ---

  // Visits the rows of one of PortableTables() in key order; stops early
  // when `visit` returns false.
  virtual Status ScanTable(const TableSpec& table,
                           const std::function<bool(const Row&)>& visit) = 0;
  // Fills an empty store in one transaction: `fill` is called for each of
  // PortableTables() in order and writes that table's rows through `write`.
  // Fails, writing nothing, when the store holds any data.
  using RowWriter = std::function<Status(const Row&)>;
  virtual Status LoadTables(
      const std::function<Status(const TableSpec&, const RowWriter& write)>& fill) = 0;
};

class Store : public RespondentStore,
              public AccountStore,
              public SurveyRoundStore,
              public SurveyTextStore,
              public SchemaStore {
 public:
  ~Store() override = default;
};

struct StoreOptions {
  bool migrate = true;  // bring an older schema up to date on open
  // Without `migrate`: open an older schema anyway (samkart migrate), instead
  // of refusing it.
  bool open_outdated = false;
  // PostgreSQL: the role the application connects as. Migrate() grants it
  // what it needs to read and write, and nothing that alters the schema.
  std::string app_role;
  // SQLite: how long a write waits for another process's write to finish
  // before it gives up and says the database is locked.
  std::chrono::milliseconds lock_wait{10'000};
};

// Opens the store at `location`: a file path (SQLite, created when missing)
// or a postgresql:// URL (libpq's connection URI).
Result<std::unique_ptr<Store>> OpenStore(const std::string& location,
                                         const StoreOptions& options = {});
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path,
                                               const StoreOptions& options = {});
Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url,
                                                 const StoreOptions& options = {});
bool IsPostgresLocation(const std::string& location);

}  // namespace samkart::store
