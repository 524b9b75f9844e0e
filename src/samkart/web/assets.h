// The one stylesheet every page uses (served at /static/samkart.css, so the
// Content-Security-Policy can forbid inline styles). Colours meet WCAG 2.1
// AA contrast; focus is always visible; layouts reflow down to 320 px.
#pragma once

namespace samkart::web {

const char* StyleSheet();

// The script of the survey rounds pages (/static/runder.js): copy buttons,
// focus on the error summary, the response rate refreshed every 30 s. The
// pages work without it.
const char* RoundsScript();

}  // namespace samkart::web
