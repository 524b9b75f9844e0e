// The import pipeline end to end on small hand-written exports: what is
// stored, what the report says, and that bad input stores nothing.
#include "samkart/import/importer.h"

#include <fstream>
#include <map>
#include <set>

#include <gtest/gtest.h>

#include "samkart/instrument/embedded.h"
#include "samkart/instrument/loader.h"
#include "samkart/io/table_writer.h"

#include "support/scratch_dir.h"

namespace samkart::import {
namespace {

namespace fs = std::filesystem;

constexpr const char* kHeader =
    "kommunenummer,aar,tjenestested,stilling,risiko_bullied,minoritet\n";

class ImporterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = instrument::LoadEmbeddedInstrument();
    ASSERT_TRUE(loaded.ok());
    instrument_ = std::move(*loaded.instrument);
    auto opened = store::OpenStore((scratch_ / "db.sqlite").string());
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(opened.value());
    Write("kommuner.csv",
          "municipality,name_nb,region,size_group,population\n"
          "9001,Vikheim (syntetisk),nord,1,2817\n9002,Modal (syntetisk),midt,3,11186\n");
    auto registered = ImportMunicipalityRegister(*store_, instrument_, Path("kommuner.csv"));
    ASSERT_TRUE(registered.ok()) << registered.error().message;
  }

  std::string Path(const std::string& name) const { return (scratch_ / name).string(); }
  void Write(const std::string& name, const std::string& content) const {
    std::ofstream(scratch_ / name, std::ios::binary) << content;
  }

  // Rows of six barnehage staff answering two questions, enough for k = 5.
  static std::string Rows(int municipality, int count, const std::string& position = "Assistent",
                          const std::string& answer = "I ganske stor grad") {
    std::string rows;
    for (int i = 0; i < count; ++i) {
      rows += std::to_string(municipality) + ",2021,Barnehage," + position + "," + answer +
              ",Ganske mye\n";
    }
    return rows;
  }

  Result<ImportOutcome> Import(const std::string& name, ImportRequest request = {}) {
    request.path = Path(name);
    return ImportFile(*store_, instrument_, request, {});
  }

  std::size_t StoredRespondents() {
    std::size_t n = 0;
    auto scanned = store_->ScanRespondents([&](const auto&, const auto&, const auto&) {
      ++n;
      return true;
    });
    EXPECT_TRUE(scanned.ok());
    return n;
  }

  // Imports `content` expecting an error that contains `expected`, and
  // checks that nothing was stored.
  void ExpectRefused(const std::string& content, const std::string& expected,
                     ImportRequest request = {}) {
    Write("bad.csv", content);
    auto outcome = Import("bad.csv", request);
    ASSERT_FALSE(outcome.ok()) << "import skulle feilet";
    EXPECT_NE(outcome.error().message.find(expected), std::string::npos) << outcome.error().message;
    EXPECT_EQ(StoredRespondents(), 0u);
    EXPECT_TRUE(store_->Batches()->empty());
  }

  std::size_t ItemIndex(const std::string& id) const {
    const auto items = instrument_.ItemsInOrder();
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (items[i].QualifiedId() == id) return i;
    }
    ADD_FAILURE() << id;
    return 0;
  }

  testing_support::ScratchDir scratch_;
  instrument::Instrument instrument_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(ImporterTest, ImportsALabelExportRecodingSpellingVariants) {
  Write("eksport.csv", std::string(kHeader) + Rows(9001, 4) +
                           "9001,2021,BARNEHAGE, assistent ,I  GANSKE stor grad ,\n" +
                           "9001,2021,Barnehage,Assistent,,Svært lite\n");
  auto outcome = Import("eksport.csv");
  ASSERT_TRUE(outcome.ok()) << outcome.error().message;
  const auto& batch = outcome->batch;
  EXPECT_EQ(outcome->status, ImportStatus::kImported);
  EXPECT_EQ(batch.generation, "G5");
  EXPECT_EQ(batch.rows_read, 6u);
  EXPECT_EQ(batch.rows_imported, 6u);
  EXPECT_EQ(batch.municipality, 9001);
  EXPECT_EQ(batch.year, 2021);
  EXPECT_EQ(batch.round_type, "baseline");
  EXPECT_NE(outcome->report.find("G5 kjenner flest kolonner: 6 av 6"), std::string::npos)
      << outcome->report;
  EXPECT_NE(outcome->report.find("«I  GANSKE stor grad » → 4 I ganske stor grad: 1"),
            std::string::npos)
      << outcome->report;

  auto items = store_->ItemIds();
  ASSERT_TRUE(items.ok());
  const std::size_t bullied = ItemIndex("risk_identification.bullied");
  ASSERT_EQ((*items)[bullied], "risk_identification.bullied");
  std::multiset<int> answers;
  auto scanned = store_->ScanRespondents(
      [&](const store::RespondentRecord& r, const std::string& round, const std::string& gen) {
        EXPECT_EQ(r.service, 1);
        EXPECT_EQ(r.position, 4);
        EXPECT_EQ(round, "baseline");
        EXPECT_EQ(gen, "G5");
        answers.insert(r.answers[bullied]);
        return true;
      });
  ASSERT_TRUE(scanned.ok());
  EXPECT_EQ(answers.count(4), 5u);
  EXPECT_EQ(answers.count(instrument::kBlank), 1u);
}

// A spreadsheet user fixes a file from the list of its problems: all of
// them at once, each once with how many rows repeat it, at the row the
// spreadsheet shows (a comment with a line break makes the text line differ).
TEST_F(ImporterTest, ReportsEveryProblemAtOnceAtTheRowASpreadsheetShows) {
  const std::string header =
      "kommunenummer,aar,tjenestested,stilling,risiko_bullied,minoritet,kommentar\n";
  ExpectRefused(header +
                    "9001,2021,Barnehage,Assistent,I ganske stor grad,Ganske mye,\"to\nlinjer\"\n" +
                    "9001,2021,Barnehage,Assistent,Kanskje,Ganske mye,\n" +
                    "9001,2021,Barnehaeg,Assistent,I ganske stor grad,Ganske mye,\n" +
                    "9001,2021,Barnehage,Assistent,Kanskje,Ganske mye,\n",
                "3 feil i 3 rader; ingenting er lagret");
  auto outcome = Import("bad.csv");
  ASSERT_FALSE(outcome.ok());
  const std::string& message = outcome.error().message;
  EXPECT_NE(message.find("rad 3 (linje 4 i teksten), kolonne «risiko_bullied»: ukjent kategori "
                         "«Kanskje»"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("(og i én rad til)"), std::string::npos) << message;
  EXPECT_NE(message.find("rad 4 (linje 5 i teksten), kolonne «tjenestested»: ukjent kategori "
                         "«Barnehaeg»"),
            std::string::npos)
      << message;
}

// A column mapped to «ignore» is not stored, but personal data in it means
// the crosswalk is wrong: refused, with the role that would drop it.
TEST_F(ImporterTest, AnIgnoredColumnHoldingEmailAddressesIsRefused) {
  auto files = instrument::EmbeddedInstrumentFiles();
  files.push_back({"crosswalks/g5-eget.csv",
                   "source_variable,source_question,role,target,source_code,source_label,"
                   "target_code,note\n"
                   "kommune,,background,municipality,,,,\n"
                   "ar,,background,year,,,,\n"
                   "tjeneste,,background,service,,Barnehage,1,\n"
                   "mobbet,,answer,risk_identification.bullied,,,,\n"
                   "kontakt,,ignore,,,,,\n"});
  auto loaded = instrument::LoadInstrument(files, "");
  ASSERT_TRUE(loaded.ok()) << loaded.problems[0].ToString();
  instrument_ = std::move(*loaded.instrument);

  std::string rows = "kommune,ar,tjeneste,mobbet,kontakt\n";
  for (int i = 0; i < 6; ++i) rows += "9001,2021,Barnehage,I ganske stor grad,\n";
  Write("eget.csv", rows);
  auto outcome = Import("eget.csv");
  ASSERT_TRUE(outcome.ok()) << outcome.error().message;
  EXPECT_NE(outcome->report.find("G5 (g5-eget) kjenner flest kolonner: 5 av 5"), std::string::npos)
      << outcome->report;

  std::string with_email = "kommune,ar,tjeneste,mobbet,kontakt\n";
  for (int i = 0; i < 6; ++i) {
    with_email +=
        "9002,2021,Barnehage,I ganske stor grad,ola" + std::to_string(i) + "@kommune.no\n";
  }
  const std::size_t before = StoredRespondents();
  Write("epost.csv", with_email);
  auto refused = Import("epost.csv");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("kolonne «kontakt»: verdien ser ut som en e-postadresse"),
            std::string::npos)
      << refused.error().message;
  EXPECT_NE(refused.error().message.find("gi den rollen identifier"), std::string::npos);
  EXPECT_NE(refused.error().message.find("(og i 5 rader til)"), std::string::npos)
      << refused.error().message;
  EXPECT_EQ(refused.error().message.find("ola1@"), std::string::npos);  // masked
  EXPECT_EQ(StoredRespondents(), before);
}

TEST_F(ImporterTest, ReimportingTheSameBytesChangesNothing) {
  Write("a.csv", std::string(kHeader) + Rows(9001, 6));
  ASSERT_TRUE(Import("a.csv").ok());
  Write("same_content_other_name.csv", std::string(kHeader) + Rows(9001, 6));
  for (const char* name : {"a.csv", "same_content_other_name.csv"}) {
    auto again = Import(name);
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_EQ(again->status, ImportStatus::kAlreadyImported);
    EXPECT_NE(again->report.find("allerede importert"), std::string::npos);
  }
  EXPECT_EQ(store_->Batches()->size(), 1u);
  EXPECT_EQ(StoredRespondents(), 6u);
}

// Two processes import the same file at once: the one that writes second
// finds the batch the other wrote, says so, and is not a failure.
TEST_F(ImporterTest, TheSameFileImportedByAnotherProcessMeanwhileIsNotAFailure) {
  Write("a.csv", std::string(kHeader) + Rows(9001, 6));
  auto other = store::OpenStore(Path("db.sqlite"));
  ASSERT_TRUE(other.ok()) << other.error().message;
  ImportRequest request;
  request.path = Path("a.csv");
  bool raced = false;
  // Just before this import writes, the other process imports the file.
  auto progress = [&](const std::string& step, double) {
    if (step != "Lagrer" || raced) return;
    raced = true;
    ImportRequest theirs;
    theirs.path = Path("a.csv");
    auto imported = ImportFile(**other, instrument_, theirs, {});
    ASSERT_TRUE(imported.ok()) << imported.error().message;
    EXPECT_EQ(imported->status, ImportStatus::kImported);
  };
  auto ours = ImportFile(*store_, instrument_, request, progress);
  ASSERT_TRUE(raced);
  ASSERT_TRUE(ours.ok()) << ours.error().message;
  EXPECT_EQ(ours->status, ImportStatus::kAlreadyImported);
  EXPECT_NE(ours->report.find("en annen prosess importerte den samme filen samtidig"),
            std::string::npos)
      << ours->report;
  EXPECT_EQ(store_->Batches()->size(), 1u);
  EXPECT_EQ(StoredRespondents(), 6u);
}

TEST_F(ImporterTest, ALaterRoundOfTheSameMunicipalityIsAFollowUp) {
  Write("2021.csv", std::string(kHeader) + Rows(9001, 6));
  ASSERT_TRUE(Import("2021.csv").ok());
  std::string later = std::string(kHeader) + Rows(9001, 6);
  for (std::size_t pos = later.find(",2021,"); pos != std::string::npos;
       pos = later.find(",2021,", pos)) {
    later.replace(pos, 6, ",2023,");
  }
  Write("2023.csv", later);
  auto outcome = Import("2023.csv");
  ASSERT_TRUE(outcome.ok()) << outcome.error().message;
  EXPECT_EQ(outcome->batch.round_type, "follow_up");
  EXPECT_NE(outcome->report.find("tidligere runde for kommunen (2021)"), std::string::npos)
      << outcome->report;
}

TEST_F(ImporterTest, SmallPositionsAreGeneralisedUntilKAnonymous) {
  // Six assistants, five child and youth workers and two pedagogical
  // leaders: the leaders are too few even as «Fagstilling (samlet)», so at
  // «Stilling ikke oppgitt» they take the smallest class with them.
  Write("k.csv", std::string(kHeader) + Rows(9001, 6) + Rows(9001, 5, "Barne- og ungdomsarbeider") +
                     Rows(9001, 2, "Pedagogisk leder/barnehagelærer"));
  auto outcome = Import("k.csv");
  ASSERT_TRUE(outcome.ok()) << outcome.error().message;
  EXPECT_EQ(outcome->batch.rows_generalised, 7u);
  EXPECT_NE(outcome->report.find("stilling Pedagogisk leder/barnehagelærer → Stilling ikke "
                                 "oppgitt: 2 rader"),
            std::string::npos)
      << outcome->report;
  EXPECT_NE(outcome->report.find("stilling Barne- og ungdomsarbeider → Stilling ikke oppgitt: 5 "
                                 "rader"),
            std::string::npos)
      << outcome->report;
  std::map<std::pair<int, int>, std::size_t> classes;
  ASSERT_TRUE(
      store_
          ->ScanRespondents([&](const store::RespondentRecord& r, const auto&, const auto&) {
            ++classes[{r.service, r.position}];
            return true;
          })
          .ok());
  for (const auto& [key, n] : classes) EXPECT_GE(n, 5u) << key.first << "/" << key.second;
}

TEST_F(ImporterTest, ABlankServiceOrPositionIsStoredAsNotStated) {
  // Found by the web_input fuzzer: a blank service cell became code -1 and
  // the routing then looked up a service that does not exist.
  std::string rows;
  for (int i = 0; i < 6; ++i) rows += "9001,2021,,,I ganske stor grad,Ganske mye\n";
  Write("blank.csv", std::string(kHeader) + rows);
  auto outcome = Import("blank.csv");
  ASSERT_TRUE(outcome.ok()) << outcome.error().message;
  std::size_t seen = 0;
  ASSERT_TRUE(
      store_
          ->ScanRespondents([&](const store::RespondentRecord& r, const auto&, const auto&) {
            EXPECT_EQ(r.service, instrument_.UnstatedService().code);
            EXPECT_EQ(r.position, instrument_.UnstatedPosition().code);
            ++seen;
            return true;
          })
          .ok());
  EXPECT_EQ(seen, 6u);
}

TEST_F(ImporterTest, ARoundSmallerThanKIsRefused) {
  ExpectRefused(std::string(kHeader) + Rows(9001, 3), "bare 3 svar");
}

TEST_F(ImporterTest, UnknownCategoryNamesFileLineColumnAndValue) {
  ExpectRefused(std::string(kHeader) + Rows(9001, 5) + Rows(9001, 1, "Assistent", "I stor grad"),
                "bad.csv: linje 7, kolonne «risiko_bullied»: ukjent kategori «I stor grad»");
}

TEST_F(ImporterTest, UnknownColumnIsNamed) {
  ExpectRefused(
      "kommunenummer,aar,tjenestested,stilling,risiko_bullied,favorittfarge\n" + Rows(9001, 6),
      "«favorittfarge»");
}

TEST_F(ImporterTest, IdentifierColumnsAreDroppedAndNeverStored) {
  std::string content = "innsendt,epost,kommentar," + std::string(kHeader);
  for (int i = 0; i < 6; ++i) {
    content += "2021-03-01 10:00:00,ola.nordmann@example.org,Ring meg på 41234567," + Rows(9001, 1);
  }
  Write("ident.csv", content);
  auto outcome = Import("ident.csv");
  ASSERT_TRUE(outcome.ok()) << outcome.error().message;
  EXPECT_NE(outcome->report.find("fjernet og aldri lagret: innsendt, epost, kommentar"),
            std::string::npos);
  // Nothing of the identifiers is anywhere in the database file.
  std::ifstream db(scratch_ / "db.sqlite", std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(db)), std::istreambuf_iterator<char>());
  std::ifstream wal(scratch_ / "db.sqlite-wal", std::ios::binary);
  const std::string wal_bytes((std::istreambuf_iterator<char>(wal)),
                              std::istreambuf_iterator<char>());
  for (const char* secret : {"ola.nordmann", "41234567", "10:00:00"}) {
    EXPECT_EQ(bytes.find(secret), std::string::npos) << secret;
    EXPECT_EQ(wal_bytes.find(secret), std::string::npos) << secret;
  }
}

TEST_F(ImporterTest, AnEmailAddressInAKeptColumnRefusesTheImportWithoutRepeatingIt) {
  Write("bad.csv", std::string(kHeader) + Rows(9001, 5) +
                       "9001,2021,Barnehage,kari.hansen@kommune.no,I ganske stor grad,\n");
  auto outcome = Import("bad.csv");
  ASSERT_FALSE(outcome.ok());
  const std::string& message = outcome.error().message;
  EXPECT_NE(message.find("linje 7, kolonne «stilling»: verdien ser ut som en e-postadresse"),
            std::string::npos)
      << message;
  EXPECT_EQ(message.find("kari.hansen"), std::string::npos) << message;
  EXPECT_EQ(StoredRespondents(), 0u);
}

TEST_F(ImporterTest, APhoneNumberInAKeptColumnRefusesTheImport) {
  ExpectRefused(
      std::string(kHeader) + Rows(9001, 5) + "9001,2021,Barnehage,Assistent,+47 412 34 567,\n",
      "verdien ser ut som et telefonnummer");
}

TEST_F(ImporterTest, EmptyAndHeaderOnlyFilesAreRefused) {
  ExpectRefused("", "filen er tom");
  ExpectRefused(kHeader, "ingen svarrader");
}

TEST_F(ImporterTest, AHugeCellIsRefused) {
  ExpectRefused(std::string(kHeader) + Rows(9001, 5) + "9001,2021,Barnehage,Assistent," +
                    std::string(1 << 20, 'x') + ",\n",
                "linje 7");
}

TEST_F(ImporterTest, ADuplicatedColumnIsRefused) {
  ExpectRefused("kommunenummer,aar,tjenestested,stilling,risiko_bullied,aar\n" + Rows(9001, 6),
                "«aar» forekommer mer enn én gang");
}

TEST_F(ImporterTest, RowsThatDisagreeWithTheGivenMunicipalityAreRefused) {
  ImportRequest request;
  request.municipality = 9001;
  ExpectRefused(std::string(kHeader) + Rows(9001, 5) + Rows(9002, 1),
                "linje 7, kolonne «kommunenummer»: 9002 stemmer ikke med kommunenummeret 9001",
                request);
}

TEST_F(ImporterTest, AMunicipalityMissingFromTheRegisterIsRefused) {
  ExpectRefused(std::string(kHeader) + Rows(9099, 6),
                "kommune 9099 finnes ikke i kommuneregisteret");
}

TEST_F(ImporterTest, WrongEncodingsAreExplained) {
  ExpectRefused(std::string("\xFF\xFE\x6B\x00", 4), "UTF-16");
  // UTF-8 that some tool decoded as Windows-1252 and saved again.
  ExpectRefused(std::string(kHeader) + Rows(9001, 6,
                                            "Milj\xC3\x83\xC2\xB8"
                                            "arbeider"),
                "UTF-8 lest som Windows-1252");
}

TEST_F(ImporterTest, AWindows1252ExportWhoseFirstLetterOutsideAsciiComesLateIsReadAsSuch) {
  // Norwegian Excel's «CSV (semikolonseparert)»: «Svært lite» is one byte
  // 0xE6 for «æ», and here it first appears in the last row.
  std::string content = "kommunenummer;aar;tjenestested;stilling;risiko_bullied;minoritet\n";
  for (int i = 0; i < 2000; ++i) content += "9001;2021;Barnehage;Assistent;I ganske stor grad;\n";
  content += "9001;2021;Barnehage;Assistent;I ganske stor grad;Sv\xE6rt lite\n";
  Write("windows.csv", content);
  auto outcome = Import("windows.csv");
  ASSERT_TRUE(outcome.ok()) << outcome.error().message;
  EXPECT_EQ(outcome->batch.rows_imported, 2001u);
  EXPECT_NE(outcome->report.find("Windows-1252"), std::string::npos) << outcome->report;
  EXPECT_NE(outcome->report.find("«Svært lite» → 1"), std::string::npos) << outcome->report;
}

TEST_F(ImporterTest, ATruncatedSpreadsheetIsRefused) {
  io::ExportTable table;
  table.columns = {{"kommunenummer", "", true, {}}, {"aar", "", true, {}}};
  table.rows = {{io::ExportCell::Code(9001), io::ExportCell::Code(2021)}};
  ASSERT_TRUE(io::WriteExport(table, io::ExportFormat::kXlsx, Path("full.xlsx")).ok());
  std::ifstream in(scratch_ / "full.xlsx", std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Write("cut.xlsx", bytes.substr(0, bytes.size() / 2));
  auto outcome = Import("cut.xlsx");
  ASSERT_FALSE(outcome.ok());
  EXPECT_NE(outcome.error().message.find("cut.xlsx"), std::string::npos);
  EXPECT_EQ(StoredRespondents(), 0u);
}

TEST_F(ImporterTest, ATruncatedSpssFileIsRefused) {
  io::ExportTable table;
  table.columns = {{"kommunenummer", "", true, {}}, {"aar", "", true, {}}};
  for (int i = 0; i < 50; ++i) {
    table.rows.push_back({io::ExportCell::Code(9001), io::ExportCell::Code(2021)});
  }
  ASSERT_TRUE(io::WriteExport(table, io::ExportFormat::kSav, Path("full.sav")).ok());
  std::ifstream in(scratch_ / "full.sav", std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Write("cut.sav", bytes.substr(0, bytes.size() - 200));
  auto outcome = Import("cut.sav");
  ASSERT_FALSE(outcome.ok());
  EXPECT_NE(outcome.error().message.find("cut.sav"), std::string::npos) << outcome.error().message;
  EXPECT_EQ(StoredRespondents(), 0u);
}

TEST_F(ImporterTest, AnswersToQuestionsNotAskedAreStoredAsNotAsked) {
  // Child welfare staff are not asked about concern (footnote 10), and
  // whether one acted is asked only of those who were concerned.
  std::string rows = "kommunenummer,aar,tjenestested,stilling,minoritet,bekymring,handlet\n";
  for (int i = 0; i < 6; ++i) {
    rows +=
        "9001,2021,Barneverntjeneste,Saksbehandler/konsulent/rådgiver,Ganske mye,"
        "\"Ja, jeg har opplevd alvorlig bekymring\",Ja\n";
    rows +=
        "9001,2021,Barnehage,Assistent,Ganske mye,\"Nei, jeg har ikke opplevd bekymring\","
        "Ja\n";
    rows +=
        "9001,2021,Barnehage,Styrer,Ganske mye,\"Ja, jeg har opplevd alvorlig bekymring\","
        "Ja\n";
  }
  Write("routing.csv", rows);
  auto outcome = Import("routing.csv");
  ASSERT_TRUE(outcome.ok()) << outcome.error().message;
  EXPECT_NE(outcome->report.find("«Opplevd bekymring» stilles ikke til tjenesten: 6"),
            std::string::npos)
      << outcome->report;
  EXPECT_NE(outcome->report.find("stilles bare når concern_experienced.concern_last_12_months er "
                                 "2/3/4: 6"),
            std::string::npos)
      << outcome->report;
  const std::size_t concern = ItemIndex("concern_experienced.concern_last_12_months");
  const std::size_t acted = ItemIndex("acted_on_concern.acted");
  const std::size_t never_in_file = ItemIndex("risk_identification.bullied");
  std::map<int, std::vector<int>> acted_by_service;
  ASSERT_TRUE(
      store_
          ->ScanRespondents([&](const store::RespondentRecord& r, const auto&, const auto&) {
            if (r.service == 6) {
              EXPECT_EQ(r.answers[concern], instrument::kNotAsked);
            }
            EXPECT_EQ(r.answers[never_in_file], instrument::kNotAsked);
            acted_by_service[r.position].push_back(r.answers[acted]);
            return true;
          })
          .ok());
  EXPECT_EQ(acted_by_service[1], std::vector<int>(6, 1));  // styrer: concerned, acted
  EXPECT_EQ(acted_by_service[4], std::vector<int>(6, instrument::kNotAsked));
}

TEST_F(ImporterTest, InvitedCountsAreStoredAndBadRowsNamed) {
  Write("inviterte.csv",
        "municipality,year,round_type,service,invited\n9001,2021,baseline,barnehage,31\n"
        "9001,2021,baseline,barneskole,29\n");
  auto stored = ImportInvitedCounts(*store_, instrument_, Path("inviterte.csv"));
  ASSERT_TRUE(stored.ok()) << stored.error().message;
  EXPECT_EQ(*stored, 2u);
  EXPECT_EQ(store_->InvitedCounts()->size(), 2u);

  const std::map<std::string, std::string> bad = {
      {"9001,2021,baseline,tannlege,3\n", "linje 2: ukjent tjeneste «tannlege»"},
      {"9001,2021,baseline,bup,3\n", "ukjent tjeneste «bup»"},
      {"9001,2021,midtveis,barnehage,3\n", "ukjent rundetype «midtveis»"},
      {"9001,2021,baseline,barnehage,-1\n", "antall inviterte «-1»"},
      {"9001,tjue,baseline,barnehage,1\n", "året «tjue»"},
      {"7777,2021,baseline,barnehage,1\n", "7777 finnes ikke i kommuneregisteret"},
  };
  for (const auto& [row, expected] : bad) {
    Write("feil.csv", "municipality,year,round_type,service,invited\n" + row);
    auto refused = ImportInvitedCounts(*store_, instrument_, Path("feil.csv"));
    ASSERT_FALSE(refused.ok()) << row;
    EXPECT_NE(refused.error().message.find(expected), std::string::npos) << refused.error().message;
    EXPECT_NE(refused.error().message.find("feil.csv"), std::string::npos);
  }
  EXPECT_EQ(store_->InvitedCounts()->size(), 2u);
}

TEST_F(ImporterTest, ARegisterSavedByNorwegianExcelIsRead) {
  // Windows-1252, semicolons, names instead of keys, a population with a
  // thousands space and no size group: what a spreadsheet user writes.
  Write("kommuner.csv",
        "municipality;name_nb;region;size_group;population\r\n"
        "9003;S\xF8rdal;KORUS Nord;;11 186\r\n");
  auto registered = ImportMunicipalityRegister(*store_, instrument_, Path("kommuner.csv"));
  ASSERT_TRUE(registered.ok()) << registered.error().message;
  EXPECT_EQ(ClassifyFile(Path("kommuner.csv")), FileKind::kMunicipalityRegister);
  const auto municipalities = store_->Municipalities();
  ASSERT_TRUE(municipalities.ok());
  const auto it = std::find_if(municipalities->begin(), municipalities->end(),
                               [](const auto& m) { return m.number == 9003; });
  ASSERT_NE(it, municipalities->end());
  EXPECT_EQ(it->name, "Sørdal");
  EXPECT_EQ(it->region, "nord");
  EXPECT_EQ(it->size_group, "gruppe_3");  // from the population
  EXPECT_EQ(it->population, 11186);
}

TEST_F(ImporterTest, ABadRegisterOrManifestRowIsNamedWithFileAndLine) {
  const std::string header = "municipality,name_nb,region,size_group,population\n";
  const std::map<std::string, std::string> registers = {
      {"99999,Langt,nord,1,10\n", "linje 2: kommunenummeret «99999»"},
      {"9003,,nord,1,10\n", "linje 2: kommunen mangler navn"},
      {"9003,Sted,sørvest,1,10\n",
       "ukjent KORUS-region «sørvest»; skriv en av nord (KORUS Nord), midt (KORUS Midt)"},
      {"9003,Sted,nord,9,10\n", "ukjent kommunestørrelse «9»; skriv en av 1 (Under 5 000"},
      {"9003,Sted,nord,1,mange\n", "innbyggertallet «mange»"},
      {"9003,Sted,nord,3,1150\n",
       "kommunestørrelse 3 (10 000–19 999 innbyggere) passer ikke med 1150 innbyggere, som "
       "hører til gruppe 1 (Under 5 000 innbyggere)"},
      {"9003,Sted,nord,,\n", "kommunestørrelsen mangler"},
  };
  for (const auto& [row, expected] : registers) {
    Write("register.csv", header + row);
    auto refused = ImportMunicipalityRegister(*store_, instrument_, Path("register.csv"));
    ASSERT_FALSE(refused.ok()) << row;
    EXPECT_NE(refused.error().message.find(expected), std::string::npos) << refused.error().message;
  }
  EXPECT_EQ(store_->Municipalities()->size(), 2u);

  Write("manifest.csv",
        "file,municipality,year,round_type\neksport.csv,9001,2021,baseline\n"
        "annen.csv,9001,2023,midtveis\n");
  auto manifest = ReadManifest(Path("manifest.csv"));
  ASSERT_FALSE(manifest.ok());
  EXPECT_NE(manifest.error().message.find("manifest.csv: linje 3: ukjent rundetype «midtveis»"),
            std::string::npos)
      << manifest.error().message;
  Write("manifest.csv", "file,municipality,year,round_type\neksport.csv,9001,2021,baseline\n");
  manifest = ReadManifest(Path("manifest.csv"));
  ASSERT_TRUE(manifest.ok()) << manifest.error().message;
  ASSERT_EQ(manifest->size(), 1u);
  EXPECT_EQ((*manifest)[0].path, Path("eksport.csv"));
  EXPECT_EQ((*manifest)[0].year, 2021);
}

}  // namespace
}  // namespace samkart::import

namespace samkart::import {
namespace {

TEST(FileKinds, TheHeaderDecidesWhatAFileIs) {
  const testing_support::ScratchDir dir;
  const auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir / name, std::ios::binary) << text;
    return (dir / name).string();
  };
  EXPECT_EQ(ClassifyFile(write("a.csv", "\xEF\xBB\xBFmunicipality,name_nb,region,size_group\r\n")),
            FileKind::kMunicipalityRegister);
  EXPECT_EQ(ClassifyFile(write("b.csv", "municipality,year,round_type,service,invited\n")),
            FileKind::kInvitedCounts);
  EXPECT_EQ(ClassifyFile(write("c.csv", "file,municipality,year,round_type\n")),
            FileKind::kManifest);
  EXPECT_EQ(ClassifyFile(write("d.csv", "Kommune;Tjeneste;Stilling\n")), FileKind::kExport);
  EXPECT_EQ(ClassifyFile((dir / "finnes-ikke.sav").string()), FileKind::kExport);
  EXPECT_TRUE(HasImportableEnding("x/eksport.zsav"));
  EXPECT_TRUE(HasImportableEnding("eksport.dta"));
  EXPECT_FALSE(HasImportableEnding("notater.txt"));
  EXPECT_FALSE(HasImportableEnding("csv"));
}

// ---- The same respondents in another file, and more files for one round ----

// Six staff with answers that differ row by row, so the rows' order matters
// to the bytes and not to the content.
constexpr const char* kSixAnswers[][2] = {
    {"I ganske stor grad", "Ganske mye"},  {"I svært stor grad", "Svært lite"},
    {"I ganske liten grad", "Ganske mye"}, {"Hverken/eller", "Svært lite"},
    {"I ganske stor grad", "Svært lite"},  {"I svært liten grad", "Ganske mye"}};

std::string SixRowsUtf8Comma() {
  std::string text = kHeader;
  for (const auto& a : kSixAnswers) {
    text += std::string("9001,2021,Barnehage,Assistent,") + a[0] + "," + a[1] + "\n";
  }
  return text;
}

// The same respondents as Norwegian Excel saves them: Windows-1252,
// semicolons, the columns in another order and the rows backwards.
std::string SixRowsWindows1252SemicolonReordered() {
  std::string text = "minoritet;stilling;kommunenummer;risiko_bullied;aar;tjenestested\r\n";
  for (int i = 5; i >= 0; --i) {
    text += std::string(kSixAnswers[i][1]) + ";Assistent;9001;" + kSixAnswers[i][0] +
            ";2021;Barnehage\r\n";
  }
  // «æ» (U+00E6) is one byte in Windows-1252.
  for (std::size_t at = text.find("\xC3\xA6"); at != std::string::npos;
       at = text.find("\xC3\xA6", at)) {
    text.replace(at, 2, "\xE6");
  }
  return text;
}

TEST_F(ImporterTest, TheSameRespondentsInAnotherEncodingAndOrderAreRefusedNamingTheFirstImport) {
  Write("eksport.csv", SixRowsUtf8Comma());
  auto first = Import("eksport.csv");
  ASSERT_TRUE(first.ok()) << first.error().message;
  ASSERT_EQ(StoredRespondents(), 6u);
  ASSERT_TRUE(first->batch.content_fingerprint.has_value());

  const std::string resaved = SixRowsWindows1252SemicolonReordered();
  ASSERT_NE(resaved, SixRowsUtf8Comma());
  Write("eksport_lagret_paa_nytt.csv", resaved);
  auto second = Import("eksport_lagret_paa_nytt.csv");
  ASSERT_FALSE(second.ok()) << "the same respondents were stored twice";
  const std::string& message = second.error().message;
  EXPECT_EQ(second.error().code, ErrorCode::kConflict);
  EXPECT_NE(message.find("eksport_lagret_paa_nytt.csv: de samme svarene er allerede lagret "
                         "(import " +
                         std::to_string(first->batch.id) + " fra eksport.csv, " +
                         first->batch.imported_at +
                         ", 6 svar for Vikheim (syntetisk) 2021 0-punktsmåling); ingenting er "
                         "endret"),
            std::string::npos)
      << message;
  EXPECT_EQ(StoredRespondents(), 6u);
  EXPECT_EQ(store_->Batches()->size(), 1u);

  // Not even with --append: these answers are stored already.
  ImportRequest append;
  append.append = true;
  EXPECT_FALSE(Import("eksport_lagret_paa_nytt.csv", append).ok());
  EXPECT_EQ(StoredRespondents(), 6u);
}

TEST_F(ImporterTest, TheFingerprintIsTheSameForBothSavesOfTheExport) {
  Write("a.csv", SixRowsUtf8Comma());
  Write("b.csv", SixRowsWindows1252SemicolonReordered());
  auto a = Import("a.csv");
  ASSERT_TRUE(a.ok()) << a.error().message;
  // Stored elsewhere, the other save gets the same fingerprint.
  auto other = store::OpenStore(Path("other.sqlite"));
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(ImportMunicipalityRegister(**other, instrument_, Path("kommuner.csv")).ok());
  ImportRequest request;
  request.path = Path("b.csv");
  auto b = ImportFile(**other, instrument_, request, {});
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_NE(a->batch.content_sha256, b->batch.content_sha256);
  ASSERT_TRUE(a->batch.content_fingerprint.has_value());
  EXPECT_EQ(a->batch.content_fingerprint, b->batch.content_fingerprint);
  EXPECT_EQ((*other)->Batches()->at(0).content_fingerprint, a->batch.content_fingerprint);
}

TEST_F(ImporterTest, AnotherFileForARoundIsRefusedUntilTheUserAppendsOrReplaces) {
  Write("barnehage.csv", std::string(kHeader) + Rows(9001, 6));
  auto first = Import("barnehage.csv");
  ASSERT_TRUE(first.ok()) << first.error().message;
  Write("skole.csv", std::string(kHeader) + Rows(9001, 7, "Assistent", "I svært stor grad"));

  auto refused = Import("skole.csv");
  ASSERT_FALSE(refused.ok()) << "a second file for the round was added without a word";
  const std::string& message = refused.error().message;
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
  EXPECT_NE(message.find("Vikheim (syntetisk) (9001) 2021 0-punktsmåling har allerede svar fra "
                         "import " +
                         std::to_string(first->batch.id) + " fra barnehage.csv"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("--replace " + std::to_string(first->batch.id)), std::string::npos)
      << message;
  EXPECT_NE(message.find("--append"), std::string::npos) << message;
  EXPECT_NE(message.find("Ingenting er endret."), std::string::npos) << message;
  EXPECT_EQ(StoredRespondents(), 6u);
  EXPECT_EQ(store_->Batches()->size(), 1u);

  ImportRequest append;
  append.append = true;
  auto appended = Import("skole.csv", append);
  ASSERT_TRUE(appended.ok()) << appended.error().message;
  EXPECT_EQ(appended->batch.round_type, "baseline");
  EXPECT_FALSE(appended->replaced.has_value());
  EXPECT_NE(appended->report.find("de nye svarene legges til"), std::string::npos)
      << appended->report;
  EXPECT_EQ(StoredRespondents(), 13u);
  EXPECT_EQ(store_->Batches()->size(), 2u);

  // A new version of the first export takes its place; the second stays.
  Write("barnehage_rettet.csv",
        std::string(kHeader) + Rows(9001, 8, "Assistent", "I ganske liten grad"));
  ImportRequest replace;
  replace.replace_batch = first->batch.id;
  auto replaced = Import("barnehage_rettet.csv", replace);
  ASSERT_TRUE(replaced.ok()) << replaced.error().message;
  ASSERT_TRUE(replaced->replaced.has_value());
  EXPECT_EQ(replaced->replaced->id, first->batch.id);
  EXPECT_EQ(StoredRespondents(), 7u + 8u);
  std::set<int64_t> ids;
  const auto batches = store_->Batches();
  ASSERT_TRUE(batches.ok());
  for (const auto& b : *batches) ids.insert(b.id);
  EXPECT_EQ(ids, (std::set<int64_t>{appended->batch.id, replaced->batch.id}));
}

TEST_F(ImporterTest, ReplacingSwapsTheOldImportForTheNewFile) {
  Write("eksport.csv", std::string(kHeader) + Rows(9001, 6));
  auto first = Import("eksport.csv");
  ASSERT_TRUE(first.ok()) << first.error().message;
  Write("eksport_rettet.csv", std::string(kHeader) + Rows(9001, 9, "Assistent", "Hverken/eller"));
  ImportRequest replace;
  replace.replace_batch = first->batch.id;
  auto second = Import("eksport_rettet.csv", replace);
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(StoredRespondents(), 9u);
  const auto batches = store_->Batches();
  ASSERT_EQ(batches->size(), 1u);
  EXPECT_EQ(batches->at(0).id, second->batch.id);
  EXPECT_EQ(batches->at(0).file_name, "eksport_rettet.csv");
  EXPECT_NE(second->report.find("erstatter import " + std::to_string(first->batch.id) +
                                " fra eksport.csv"),
            std::string::npos)
      << second->report;
  // (SQLite may give the new import the old one's number: it is the highest.)
  auto report = store_->BatchReport(second->batch.id);
  ASSERT_TRUE(report.ok());
  EXPECT_NE(report->find("eksport_rettet.csv\n"), std::string::npos) << *report;
  // The old file is no longer stored: it could be imported again (into a
  // round that now has other answers, so only by saying so).
  EXPECT_FALSE(Import("eksport.csv").ok());
}

TEST_F(ImporterTest, ReplacingAnImportThatDoesNotExistOrCoversAnotherRoundIsRefused) {
  Write("vikheim.csv", std::string(kHeader) + Rows(9001, 6));
  Write("modal.csv", std::string(kHeader) + Rows(9002, 6));
  auto vikheim = Import("vikheim.csv");
  ASSERT_TRUE(vikheim.ok()) << vikheim.error().message;
  Write("vikheim_ny.csv", std::string(kHeader) + Rows(9001, 7));

  ImportRequest unknown;
  unknown.replace_batch = 99;
  auto refused = Import("vikheim_ny.csv", unknown);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("import 99, som skulle erstattes, finnes ikke"),
            std::string::npos)
      << refused.error().message;

  ImportRequest wrong_round;
  wrong_round.replace_batch = vikheim->batch.id;
  auto other_round = Import("modal.csv", wrong_round);
  ASSERT_FALSE(other_round.ok());
  EXPECT_NE(other_round.error().message.find("kan ikke erstattes med denne filen: den gjelder 6 "
                                             "svar for Vikheim (syntetisk) 2021 0-punktsmåling, "
                                             "mens filen gjelder Modal (syntetisk) (9002) 2021"),
            std::string::npos)
      << other_round.error().message;
  EXPECT_EQ(StoredRespondents(), 6u);
  EXPECT_EQ(store_->Batches()->size(), 1u);
}

TEST_F(ImporterTest, AnotherRoundTypeTheSameYearIsItsOwnRound) {
  Write("baseline.csv", std::string(kHeader) + Rows(9001, 6));
  ASSERT_TRUE(Import("baseline.csv").ok());
  Write("follow_up.csv", std::string(kHeader) + Rows(9001, 7));
  ImportRequest request;
  request.round_type = "follow_up";
  auto follow_up = Import("follow_up.csv", request);
  ASSERT_TRUE(follow_up.ok()) << follow_up.error().message;
  EXPECT_EQ(StoredRespondents(), 13u);
}

TEST_F(ImporterTest, ARegionalAnalystIsToldNothingOfAnotherRegionsImport) {
  // Both municipalities in one file: the import spans nord and midt.
  Write("begge.csv", std::string(kHeader) + Rows(9001, 6) + Rows(9002, 6));
  auto both = Import("begge.csv");
  ASSERT_TRUE(both.ok()) << both.error().message;
  Write("vikheim.csv", std::string(kHeader) + Rows(9001, 7));
  ImportRequest regional;
  regional.allowed_regions = std::set<std::string>{"nord"};
  regional.channel = ImportRequest::Channel::kBrowser;
  auto refused = Import("vikheim.csv", regional);
  ASSERT_FALSE(refused.ok());
  const std::string& message = refused.error().message;
  EXPECT_EQ(message.find("begge.csv"), std::string::npos) << message;
  EXPECT_EQ(message.find("Modal"), std::string::npos) << message;
  EXPECT_NE(message.find("svar fra kommuner utenfor regionen din"), std::string::npos) << message;
  EXPECT_NE(message.find("«Legg til i runden»"), std::string::npos) << message;
  // Nor may it replace that import: it is answered as one that does not exist.
  regional.replace_batch = both->batch.id;
  auto replace = Import("vikheim.csv", regional);
  ASSERT_FALSE(replace.ok());
  EXPECT_NE(replace.error().message.find("finnes ikke"), std::string::npos)
      << replace.error().message;
  EXPECT_EQ(StoredRespondents(), 12u);
}

}  // namespace
}  // namespace samkart::import
