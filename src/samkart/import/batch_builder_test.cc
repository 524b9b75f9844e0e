#include "samkart/import/batch_builder.h"

#include <map>
#include <tuple>

#include <gtest/gtest.h>

#include "samkart/instrument/loader.h"

namespace samkart::import {
namespace {

TEST(BatchBuilder, RowsBecomeKAnonymousRespondentsAndTheProvenanceStays) {
  auto loaded = instrument::LoadEmbeddedInstrument();
  ASSERT_TRUE(loaded.ok());
  const auto& in = *loaded.instrument;
  const int barnehage = in.FindService("barnehage")->code;
  const int barnevern = in.FindService("barnevern")->code;
  const int ppt = in.FindService("ppt")->code;
  const int assistent = in.FindPosition("assistent")->code;
  const int saksbehandler = in.FindPosition("saksbehandler")->code;
  std::vector<harmonise::HarmonisedRow> rows;
  auto add = [&](int service, int position, int n) {
    for (int i = 0; i < n; ++i) {
      rows.push_back({rows.size() + 1, 9001, 2021, service, position, {1, 2, 3}});
    }
  };
  add(barnehage, assistent, 6);
  add(barnevern, saksbehandler, 3);
  add(ppt, saksbehandler, 2);
  store::NewBatch provenance;
  provenance.file_name = "eksport.csv";
  provenance.generation = "G5";
  provenance.rows_read = 12;
  provenance.rows_rejected = 1;
  provenance.round_types[{9001, 2021}] = "baseline";

  auto built = BuildBatch(std::move(rows), in, 5, provenance);
  ASSERT_TRUE(built.ok()) << built.error().message;
  const store::NewBatch& batch = built->batch;
  EXPECT_EQ(batch.file_name, "eksport.csv");
  EXPECT_EQ(batch.generation, "G5");
  EXPECT_EQ(batch.rows_read, 12u);
  EXPECT_EQ(batch.rows_rejected, 1u);
  EXPECT_EQ(batch.round_types.at({9001, 2021}), "baseline");
  ASSERT_EQ(batch.respondents.size(), 11u);
  EXPECT_EQ(batch.rows_generalised, 5u);
  EXPECT_EQ(built->anonymisation.services_generalised, 5u);
  std::map<std::pair<int, int>, int> classes;
  for (const auto& r : batch.respondents) {
    ++classes[{r.service, r.position}];
    EXPECT_EQ(r.answers, (std::vector<uint8_t>{1, 2, 3}));
  }
  for (const auto& [key, n] : classes) EXPECT_GE(n, 5);
  EXPECT_EQ(AnonymisationLine(5, built->anonymisation),
            "Anonymisering (k = 5): 0 rader fikk stillingen generalisert, 5 tjenesten\n");
}

TEST(BatchBuilder, ARoundSmallerThanKIsRefused) {
  auto loaded = instrument::LoadEmbeddedInstrument();
  ASSERT_TRUE(loaded.ok());
  const auto& in = *loaded.instrument;
  std::vector<harmonise::HarmonisedRow> rows;
  for (std::size_t i = 0; i < 4; ++i) {
    rows.push_back({i + 1,
                    9001,
                    2021,
                    in.FindService("barnehage")->code,
                    in.FindPosition("assistent")->code,
                    {}});
  }
  auto built = BuildBatch(std::move(rows), in, 5, {});
  ASSERT_FALSE(built.ok());
  EXPECT_NE(built.error().message.find("9001"), std::string::npos) << built.error().message;
}

}  // namespace
}  // namespace samkart::import
