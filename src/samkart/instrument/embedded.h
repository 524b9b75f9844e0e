// The default instrument (data/instrument/*.csv), compiled into the binary.
#pragma once

#include <vector>

#include "samkart/io/text_file.h"

namespace samkart::instrument {

// Paths are relative to data/instrument ("families.csv", "crosswalks/g1.csv").
const std::vector<io::TextFile>& EmbeddedInstrumentFiles();

}  // namespace samkart::instrument
