#include "samkart/web/assets.h"

namespace samkart::web {

const char* StyleSheet() {
  return R"css(
:root { --ink: #1b1b1b; --muted: #4a4a4a; --accent: #0b5394; --accent-dark: #073763;
        --line: #c8c8c8; --soft: #f2f5f9; --error: #a30000; --ok: #1e5e20; }
* { box-sizing: border-box; }
html { font-size: 100%; }
body { margin: 0; font-family: "DejaVu Sans", Arial, sans-serif; color: var(--ink);
       background: #fff; line-height: 1.5; }
a { color: var(--accent); }
a:hover { color: var(--accent-dark); }
/* The focus ring: dark on the light backgrounds (12:1 on white, 11:1 on the
   soft grey), with a white gap that sets it apart from a blue button. A date
   field's focus sits in its inner parts, which :focus-visible misses. */
:focus-visible, input[type=date]:focus, input[type=date]:focus-within {
  outline: 3px solid #073763; outline-offset: 2px; box-shadow: 0 0 0 2px #fff; }
.skip { position: absolute; left: -10000px; top: 0; background: #fff; padding: .5rem; }
.skip:focus { left: .5rem; z-index: 10; }
header.site { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1.5rem;
              padding: .75rem 1rem; border-bottom: 2px solid var(--accent); }
header.site .brand { font-weight: bold; font-size: 1.25rem; text-decoration: none; }
header.site nav ul { display: flex; flex-wrap: wrap; gap: .25rem 1rem; list-style: none;
                     margin: 0; padding: 0; }
header.site .logout { margin-left: auto; display: flex; gap: .5rem; align-items: center; }
main { max-width: 64rem; margin: 0 auto; padding: 1rem; }
footer.site { max-width: 64rem; margin: 2rem auto 0; padding: 1rem; color: var(--muted);
              border-top: 1px solid var(--line); font-size: .875rem; }
h1 { font-size: 1.75rem; line-height: 1.25; }
h2 { font-size: 1.35rem; margin-top: 2rem; }
label { display: block; font-weight: bold; margin-top: .75rem; }
.hint { color: var(--muted); font-weight: normal; font-size: .9rem; }
input[type=text], input[type=password], input[type=number], input[type=file], select, textarea {
  font: inherit; padding: .5rem; border: 1px solid #6b6b6b; border-radius: 4px;
  max-width: 100%; }
/* Full width up to 24rem, so forms reflow in a 320 px window. */
input[type=text], input[type=password], select { width: 100%; max-width: 24rem; }
button, .button { font: inherit; padding: .6rem 1.2rem; border: 2px solid var(--accent);
                  background: var(--accent); color: #fff; border-radius: 4px; cursor: pointer;
                  text-decoration: none; display: inline-block; }
button.secondary, .button.secondary { background: #fff; color: var(--accent); }
button:hover, .button:hover { background: var(--accent-dark); border-color: var(--accent-dark);
                              color: #fff; }
.error { color: var(--error); font-weight: bold; }
.ok { color: var(--ok); font-weight: bold; }
.notice { background: var(--soft); border-left: 4px solid var(--accent); padding: .75rem 1rem; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid var(--line); padding: .35rem .6rem; text-align: left;
         vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: bold; padding: .25rem 0; }
.table-wrap { overflow-x: auto; max-width: 100%; }
fieldset { border: 1px solid var(--line); border-radius: 4px; margin: 1rem 0; padding: .75rem 1rem; }
legend { font-weight: bold; padding: 0 .25rem; }
fieldset.item label { display: flex; gap: .5rem; align-items: flex-start; font-weight: normal;
                      margin: .35rem 0; min-height: 44px; padding: .4rem 0; }
fieldset.item input[type=radio], fieldset.item input[type=checkbox] {
  width: 1.35rem; height: 1.35rem; flex: none; margin-top: .1rem; }
.progress { margin: .5rem 0 1rem; }
.progress progress { width: 100%; height: 1rem; }
.actions { display: flex; flex-wrap: wrap; gap: .75rem; margin-top: 1.5rem; }
.filters { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: flex-end; }
.filters label { margin-top: 0; }
/* A filter shrinks with the window rather than pushing the page wider. */
.filters > div { min-width: 0; max-width: 100%; }
.filters select { width: auto; max-width: min(20rem, 100%); }
@media (max-width: 40rem) {
  input[type=text], input[type=password], select { width: 100%; }
  header.site .logout { margin-left: 0; }
  h1 { font-size: 1.4rem; }
}
/* Administration: import reports, one-time passwords, user facts. */
pre.report { white-space: pre-wrap; overflow-wrap: anywhere; background: var(--soft);
             border: 1px solid var(--line); padding: .75rem 1rem; font-size: .875rem; }
code.secret { font-size: 1.1rem; background: #fff; border: 1px solid var(--line);
              padding: .1rem .4rem; user-select: all; }
.check { display: flex; gap: .5rem; align-items: center; margin-top: .75rem; }
.check label { margin-top: 0; font-weight: normal; }
.check input[type=checkbox] { width: 1.35rem; height: 1.35rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
dl.facts dt { font-weight: bold; }
dl.facts dd { margin: 0; }
/* The import assistant: rows to check carry the word «sjekk» and a mark. */
tr.to-check td, tr.to-check th { background: #fff4e0; }
tr.to-check td:first-child { border-left: 4px solid #8a5300; }
/* Survey and survey rounds (survey_routes.cc, round_routes.cc) */
.error-summary { border: 3px solid var(--error); border-radius: 4px; padding: .75rem 1rem;
                 margin: 1rem 0; }
.error-summary h2 { margin-top: 0; font-size: 1.2rem; color: var(--error); }
.error-summary a { color: var(--error); font-weight: bold; }
.field-error { color: var(--error); font-weight: bold; margin: .25rem 0; }
[aria-invalid=true] { border: 2px solid var(--error); }
.stem { font-size: 1.1rem; }
.invited { display: grid; grid-template-columns: repeat(auto-fill, minmax(15rem, 1fr));
           gap: .25rem 1rem; }
.invited input[type=number] { width: 8rem; }
td code { word-break: break-all; }
/* Results explorer (/utforsk; explorer_routes.cc and explorer_script.cc). Every
   rule is scoped to the explorer's form, result or chart. */
form.explorer fieldset { min-width: 0; }
form.explorer fieldset .filters > div { min-width: 12rem; max-width: 100%; }
form.explorer .filters select { max-width: 100%; }
form.explorer label.check { display: flex; gap: .5rem; align-items: center; min-height: 44px; }
form.explorer select[aria-invalid="true"] { border: 2px solid var(--error); }
tr.total th, tr.total td { font-weight: bold; background: var(--soft); }
.downloads { display: flex; flex-wrap: wrap; gap: .25rem 1.25rem; }
.explorer-visually-hidden { position: absolute; width: 1px; height: 1px; margin: -1px;
                            overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
#utforsk-resultat[aria-busy="true"] { opacity: .6; }
#utforsk-resultat td.num { white-space: nowrap; }
/* The bar chart: labels wrap (never cut), text keeps the page's size, and
   the value has its own column, so the comparison mark never crosses it. */
figure.explorer-chart { margin: 1rem 0; max-width: 48rem; }
figure.explorer-chart figcaption { font-weight: bold; }
figure.explorer-chart .legend { color: var(--muted); font-size: .875rem; margin: .25rem 0 .5rem; }
figure.explorer-chart ul { list-style: none; margin: 0; padding: 0; }
figure.explorer-chart li { display: grid; align-items: center; gap: .15rem .75rem;
                           grid-template-columns: minmax(8rem, 16rem) minmax(6rem, 1fr) 5.5rem;
                           padding: .2rem 0; font-size: .875rem; }
figure.explorer-chart li .label { overflow-wrap: anywhere; }
figure.explorer-chart li .value { text-align: right; white-space: nowrap;
                                  font-variant-numeric: tabular-nums; }
figure.explorer-chart li.total .label, figure.explorer-chart li.total .value { font-weight: bold; }
figure.explorer-chart svg.bar { display: block; width: 100%; height: 1.25rem; overflow: visible;
                                background: var(--soft); border-left: 1px solid var(--muted); }
figure.explorer-chart rect.bar { fill: var(--accent); }
figure.explorer-chart rect.bar.total { fill: var(--accent-dark); }
figure.explorer-chart line.halo { stroke: #fff; stroke-width: 7px; }
figure.explorer-chart line.mark { stroke: var(--ink); stroke-width: 3px; }
@media (max-width: 40rem) {
  form.explorer .filters > div { flex: 1 1 100%; min-width: 0; }
  form.explorer .filters select { width: 100%; }
  /* The label above its bar, so both get the whole width. */
  figure.explorer-chart li { grid-template-columns: minmax(0, 1fr) 5rem; }
  figure.explorer-chart li .label { grid-column: 1 / -1; }
}
/* Survey: privacy statement, errors tied to their fields, the free-text comment */
.survey-privacy { border-left: 4px solid var(--accent); background: var(--soft);
                  padding: .25rem 1rem; margin: 1.5rem 0; }
.survey-privacy h2 { margin-top: .75rem; }
.survey-privacy ul { padding-left: 1.25rem; }
.survey-privacy-link { margin-top: 2rem; font-size: .9rem; }
.survey-invalid { border-left: 4px solid var(--error); padding-left: .75rem; }
.survey-field-error { color: var(--error); font-weight: bold; margin: .25rem 0; }
.survey-visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden;
                   clip: rect(0 0 0 0); white-space: nowrap; }
.survey-error-summary:focus { outline: 3px solid #073763; outline-offset: 2px; }
.survey-comment textarea, .comments-question textarea, .comments-item textarea {
  display: block; width: 100%; max-width: 40rem; font: inherit; padding: .5rem; }
.survey-comment .hint { margin: .25rem 0 .5rem; }
/* Comments: the coordinator's review */
.comments-list { padding-left: 1.25rem; }
.comments-item { margin: 1.5rem 0; padding-bottom: 1rem; border-bottom: 1px solid var(--line); }
.comments-choice { border: 0; padding: 0; margin: .5rem 0; }
.comments-choice label { display: flex; gap: .5rem; align-items: center; min-height: 44px;
                         font-weight: normal; margin: 0; }
.comments-privacy-contact input[type=text], .comments-privacy-contact input[type=email],
.comments-privacy-contact input[type=tel] { width: 100%; max-width: 30rem; }
/* ---- Result pages (landing_routes.cc): self-contained, everything under .landing.
   The sections come from the report renderer (report/html_renderer.cc), whose
   class names are kept; each chart is drawn wide and narrow, and the narrow one
   (viewBox 360 wide, 12-unit text) is shown on phones near its own size. */
.landing { overflow-wrap: break-word; }
.landing .landing-lead, .landing .takeaway { font-weight: bold; font-size: 1.05rem; }
.landing .landing-reports { background: var(--soft); border-left: 6px solid var(--accent);
  padding: .5rem .75rem; }
.landing .landing-reports span { font-weight: bold; }
.landing .landing-toc ul, .landing ul.landing-links { list-style: none; padding: 0;
  margin: .25rem 0; columns: 16rem; column-gap: 1.5rem; }
.landing .landing-toc li, .landing ul.landing-links li { break-inside: avoid; }
.landing .landing-toc a, .landing ul.landing-links a { display: inline-block; padding: .3rem 0; }
.landing details { margin: .5rem 0; }
.landing summary { cursor: pointer; color: var(--accent); padding: .4rem 0; }
.landing section.chapter { border-top: 1px solid var(--line); margin-top: 2rem; }
.landing section.chapter > h2 { margin-top: 1rem; }
.landing .key-figures { display: flex; flex-wrap: wrap; gap: .75rem; list-style: none;
  padding: 0; margin: 1rem 0; }
.landing .key-figure { flex: 1 1 12rem; background: var(--soft);
  border-left: 6px solid var(--accent); padding: .75rem 1rem; }
.landing .key-value { display: block; font-size: 2rem; font-weight: bold; line-height: 1.1;
  color: var(--accent); }
.landing .key-label { display: block; margin-top: .25rem; }
/* Relative, so the visually hidden words inside a wide table stay in its scroll box. */
.landing .table-scroll { position: relative; overflow-x: auto; max-width: 100%;
  margin: 1rem 0 .25rem; }
.landing .table-scroll table { margin: 0; }
.landing .num { text-align: right; white-space: nowrap; }
.landing .notes { font-size: .875rem; color: var(--muted); margin: .25rem 0 1rem; }
.landing .notes p { margin: .15rem 0; }
.landing abbr.mark { text-decoration: none; cursor: help; }
.landing .bedre { color: #1f6e43; font-weight: bold; }
.landing .verre { color: #b3261e; font-weight: bold; }
.landing .skjult, .landing .chart-data caption { position: absolute; width: 1px; height: 1px;
  overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
.landing figure { margin: 1.5rem 0; }
.landing figcaption { font-weight: bold; margin-bottom: .5rem; }
.landing svg.chart { display: block; width: 100%; max-width: 720px; height: auto;
  font: 12px "DejaVu Sans", Arial, sans-serif; }
.landing svg.chart text { fill: #1a1a1a; }
.landing svg.chart .axis text { fill: #595959; }
.landing svg.chart .label { paint-order: stroke; stroke: #fff; stroke-width: 3px;
  stroke-linejoin: round; }
.landing svg.chart-narrow { display: none; max-width: 480px; }
@media screen and (max-width: 700px) {
  .landing svg.chart-wide { display: none; }
  .landing svg.chart-narrow { display: block; }
}
/* ---- Survey rounds (round_routes.cc): everything below starts with .round ---- */
.round-form .field-error, .round-link .field-error { color: var(--error); font-weight: bold;
                                                    margin: .25rem 0; }
.round-form input[aria-invalid=true], .round-form select[aria-invalid=true] {
  border: 2px solid var(--error); }
.round-title { overflow-wrap: break-word; }
.round-form input, .round-form select { scroll-margin-top: 7rem; }
.round-form input[type=date] { font: inherit; padding: .5rem; border: 1px solid #6b6b6b;
                               border-radius: 4px; max-width: 100%; }
.round-link { border: 1px solid var(--line); border-radius: 4px; padding: .25rem 1rem 1rem;
              margin: 1rem 0; }
.round-link h3 { margin: .75rem 0 .25rem; font-size: 1.1rem; }
.round-link-body { display: flex; flex-wrap: wrap; gap: 1rem 1.5rem; align-items: flex-start; }
.round-link-text { flex: 1 1 18rem; min-width: 0; }
.round-copy-row { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
.round-copy-row .round-url { flex: 1 1 16rem; min-width: 0; width: auto; font-family: monospace;
                             font-size: .9rem; }
.round-qr { margin: 0; text-align: center; }
.round-qr img { display: block; border: 1px solid var(--line); }
.round-qr figcaption { font-size: .9rem; }
.round-texts { margin-top: .75rem; }
.round-texts summary { cursor: pointer; font-weight: bold; color: var(--accent);
                       min-height: 44px; padding: .6rem 0; }
.round-texts textarea { display: block; width: 100%; font-size: .9rem; margin-bottom: .5rem; }
.round-texts button { margin-bottom: .5rem; }
.round-copied:empty { display: none; }
.round-copied { background: var(--soft); border-left: 4px solid var(--ok); padding: .5rem 1rem; }
.round-deadline { background: var(--soft); border-left: 4px solid var(--accent);
                  padding: .75rem 1rem; }
)css";
}

const char* RoundsScript() {
  return R"js(
"use strict";
(function () {
  // After a refused form: focus the error summary, so screen readers read it.
  var summary = document.getElementById("feiloversikt");
  if (summary && document.activeElement !== summary) summary.focus();

  // «Kopier»: the buttons are hidden until this script shows them; without
  // it, the link or text is selected by hand in its read-only field.
  var status = document.getElementById("kopiert");
  function copied(field) {
    if (status) status.textContent = (field.getAttribute("data-copy-label") || "Teksten") +
        " er kopiert.";
  }
  function fallback(field) {
    field.focus();
    field.select();
    try { if (document.execCommand("copy")) copied(field); } catch (e) { /* selected at least */ }
  }
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(function () { copied(field); },
                                                        function () { fallback(field); });
      } else {
        fallback(field);
      }
    });
  });
  document.querySelectorAll("input.round-url").forEach(function (field) {
    field.addEventListener("focus", function () { field.select(); });
  });

  // The response rate, fetched again every 30 seconds while the page is open.
  var table = document.getElementById("svarprosent");
  if (!table || !window.fetch) return;
  var note = document.getElementById("svarprosent-oppdatert");
  function percent(value) {
    if (value === null || value === undefined) return "–";
    return value.toFixed(1).replace(".", ",") + " %";
  }
  function answered(row, k) {
    if (!row.skjult) return String(row.svar);
    return row.skjult_fordi && row.skjult_fordi.indexOf("færre enn") === 0 ? "færre enn " + k
                                                                           : "skjult";
  }
  function fill(tr, row, k) {
    if (!tr) return;
    var cells = {invitert: String(row.invitert), svar: answered(row, k),
                 svarprosent: row.skjult ? "–" : percent(row.svarprosent)};
    Object.keys(cells).forEach(function (field) {
      var td = tr.querySelector('[data-felt="' + field + '"]');
      if (td && td.textContent !== cells[field]) td.textContent = cells[field];
    });
  }
  function refresh() {
    fetch(table.getAttribute("data-api"), {credentials: "same-origin",
                                           headers: {"Accept": "application/json"}})
      .then(function (response) { if (!response.ok) throw new Error(); return response.json(); })
      .then(function (data) {
        data.tjenester.forEach(function (row) {
          fill(table.querySelector('tbody tr[data-tjeneste="' + row.tjeneste + '"]'), row,
               data.k);
        });
        var total = data.totalt;
        fill(table.querySelector('tfoot tr[data-tjeneste="totalt"]'),
             {invitert: total.invitert, svar: total.svar, svarprosent: total.svarprosent,
              skjult: total.skjult, skjult_fordi: ""}, data.k);
        if (note) {
          var now = new Date();
          note.textContent = "Tallene oppdateres hvert halve minutt. Sist oppdatert kl. " +
              String(now.getHours()).padStart(2, "0") + "." +
              String(now.getMinutes()).padStart(2, "0") + ".";
        }
        if (data.status !== "open") window.clearInterval(timer);
      })
      .catch(function () {
        if (note) note.textContent = "Tallene kunne ikke oppdateres. Last siden på nytt.";
      });
  }
  var timer = window.setInterval(refresh, 30000);
  refresh();
})();
)js";
}

}  // namespace samkart::web
