// A reader that runs another reader on its own thread, some thousand rows
// ahead of the caller: parsing and decoding take one core while the caller
// harmonises on the other. Rows are handed over in blocks whose buffers go
// back to the reading thread, so nothing is allocated per row and memory
// stays bounded by the few blocks in flight.
#pragma once

#include <memory>

#include "samkart/io/source_reader.h"

namespace samkart::io {

std::unique_ptr<SourceReader> ReadAhead(std::unique_ptr<SourceReader> inner);

}  // namespace samkart::io
