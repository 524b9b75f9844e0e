// Writes the synthetic dataset as the survey-tool exports the importer must
// handle: one file per round in the format and with the variable names of
// its questionnaire generation, plus the files an installation gets beside
// them (municipality register, invited counts, manifest, calibration targets),
// and the parameter files that made the data (parametere/).
#pragma once

#include <functional>
#include <string>

#include "samkart/core/result.h"
#include "samkart/instrument/instrument.h"
#include "samkart/synth/generator.h"
#include "samkart/synth/parameters.h"

namespace samkart::synth {

struct ExportSummary {
  std::size_t files = 0;
  std::size_t respondents = 0;
  std::size_t baseline_respondents = 0;
  std::map<std::string, std::size_t> files_by_format;  // "csv-utf8", "csv-cp1252", "xlsx", "sav"
};

// Calls `progress(done, total)` after each round file.
Result<ExportSummary> WriteSynthDataset(
    const instrument::Instrument& instrument, const Parameters& parameters, const SynthData& data,
    const std::string& out_dir, uint64_t seed,
    const std::function<void(std::size_t, std::size_t)>& progress = {});

}  // namespace samkart::synth
