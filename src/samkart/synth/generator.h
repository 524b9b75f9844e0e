// Generates synthetic respondents and their harmonised answers for the
// fictional country: rounds per municipality, who works where, and answers
// calibrated so that the published shares come out of a correct analysis.
//
// Calibration by quantiles: each respondent has a latent score per item
// (general competence, municipality size, position, noise). Within each
// service, baseline respondents are ranked on it and the top share p gets
// the reported categories, so the baseline shares equal the targets exactly
// while answers stay correlated within a person. Follow-up rounds use the
// baseline cut points with a shifted latent score, so change is real.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "samkart/core/result.h"
#include "samkart/instrument/instrument.h"
#include "samkart/synth/parameters.h"

namespace samkart::synth {

using instrument::ItemRef;
using instrument::kBlank;
using instrument::kNotAsked;

struct Round {
  const Municipality* municipality = nullptr;
  int year = 0;
  bool follow_up = false;
  std::string generation;
  std::size_t first = 0;  // index of the first respondent
  std::size_t count = 0;
};

struct Respondent {
  uint32_t round = 0;
  int service = 0;   // service code, as the round's questionnaire records it
  int position = 0;  // position code
  float theta = 0;   // general competence
  // The service the import will store: `service` after k-anonymity in the
  // round (anonymise::kDefaultK), where a service with fewer than k
  // respondents moves to a broader class. Answers are calibrated per
  // analysed service, so the shares by service survive the import.
  int analysed_service = 0;
};

struct SynthData {
  std::vector<Round> rounds;
  std::vector<Respondent> respondents;
  std::vector<ItemRef> items;                 // every item of every family, in order
  std::vector<std::vector<uint8_t>> answers;  // [item][respondent]: code, kBlank or kNotAsked
};

struct SynthOptions {
  uint64_t seed = 2022;
  double scale = 1.0;
};

Result<SynthData> Generate(const instrument::Instrument& instrument, const Parameters& parameters,
                           const SynthOptions& options);

}  // namespace samkart::synth
