// The results explorer's script (served at /static/utforsk.js, so the
// Content-Security-Policy can forbid inline scripts). It only enhances: the
// explorer's GET form works the same without it.
#pragma once

namespace samkart::web {

const char* ExplorerScript();

}  // namespace samkart::web
