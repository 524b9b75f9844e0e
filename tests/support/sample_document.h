// A small report Document exercising every block kind, for the renderer
// tests: Norwegian letters, a hostile string in every text position, a
// suppressed and a missing number in tables, charts and key figures, and a
// section long enough to span pages in the PDF.
#pragma once

#include <string>

#include "samkart/report/document.h"

namespace samkart::testing_support {

// A string that must come out escaped (HTML), as text (XLSX: no formula)
// and unchanged (PDF text).
inline constexpr const char* kHostileText = "=HYPERLINK(\"x\")<script>alert('ø')</script>&amp;";

inline samkart::report::Number SampleShare(double value, std::size_t n) {
  samkart::report::Number number;
  number.value = value;
  number.n = n;
  return number;
}

inline samkart::report::Number SuppressedShare() { return samkart::report::Hidden(); }

inline samkart::report::Document SampleDocument(int long_section_rows = 60) {
  using namespace samkart::report;
  Document doc;
  doc.title = "Kompetanse og samhandling – Øvre Ærø kommune (syntetisk)";
  doc.subtitle = "Kommunerapport, kartlegging 2019";
  doc.front_matter = {"Laget av Samkart fra syntetiske data", "N = 312 svar"};
  doc.legend = {std::string(kSuppressedMark) + " Vises ikke: færre enn 10 svar",
                std::string(kMissingMark) + " Ikke spurt",
                std::string(kSignificantMark) + " Statistisk signifikant forskjell (95 %)"};

  Section summary{"sammendrag", "Sammendrag", 1, {}};
  summary.blocks.push_back(Paragraph{"Åtti prosent har vært bekymret for et barn det siste året."});
  summary.blocks.push_back(BulletList{{"Høyest: identifisere mobbing", kHostileText}});
  summary.blocks.push_back(
      KeyFigures{{{SampleShare(0.79, 300), CellFormat::kPercent,
                   "har vært bekymret for et barn eller en ungdom"},
                  {SuppressedShare(), CellFormat::kPercent, "av dem som var bekymret, handlet"},
                  {CountOf(312, false), CellFormat::kCount, "svar i alt"}}});
  doc.sections.push_back(std::move(summary));

  Section risk{"risiko", "Kunnskap om risikofaktorer", 1, {}};
  risk.blocks.push_back(Paragraph{"I hvilken grad klarer du å identifisere barn og unge som …"});
  Chart bars;
  bars.kind = ChartKind::kBars;
  bars.title = "Andel «i ganske stor grad» eller «i svært stor grad»";
  bars.labels = {"Opplever mobbing", "Utsettes for vold", kHostileText};
  bars.series = {{"Kommunen", {SampleShare(0.62, 300), SampleShare(0.18, 298), SuppressedShare()}}};
  bars.markers = {
      {"Landet", {SampleShare(0.58, 25000), SampleShare(0.21, 24800), SampleShare(0.33, 24000)}},
      {"Samme størrelsesgruppe", {SampleShare(0.55, 4000), Missing(), SampleShare(0.30, 3900)}}};
  bars.description = "Kommunen ligger over landet på mobbing og under på vold.";
  risk.blocks.push_back(bars);

  Chart grouped = bars;
  grouped.kind = ChartKind::kGroupedBars;
  grouped.title = "Etter tjenestested";
  grouped.markers.clear();
  grouped.series = {
      {"Barnehage", {SampleShare(0.70, 120), SampleShare(0.20, 118), SampleShare(0.30, 117)}},
      {"Skole", {SampleShare(0.55, 150), SampleShare(0.15, 150), SampleShare(0.35, 149)}},
      {"Barnevern", {SuppressedShare(), SuppressedShare(), SuppressedShare()}}};
  risk.blocks.push_back(grouped);

  Chart stacked;
  stacked.kind = ChartKind::kStackedBars;
  stacked.title = "Bekymring siste 12 måneder";
  stacked.labels = {"Kommunen", "Landet"};
  stacked.series = {{"Nei", {SampleShare(0.21, 300), SampleShare(0.25, 25000)}},
                    {"Ja, én gang", {SampleShare(0.30, 300), SampleShare(0.28, 25000)}},
                    {"Ja, flere ganger", {SampleShare(0.49, 300), SampleShare(0.47, 25000)}}};
  stacked.description = "Fordeling av svar.";
  risk.blocks.push_back(stacked);

  DataTable table;
  table.caption = "Tabell 1. Andel etter tjenestested";
  table.columns = {"Risikoområde", "Kommunen", "Landet", "Forskjell"};
  table.rows.push_back({TextCell("Opplever mobbing", true), PercentCell(SampleShare(0.62, 300)),
                        PercentCell(SampleShare(0.58, 25000)),
                        PointsCell(SampleShare(4.0, 0), true)});
  table.rows.push_back({TextCell("Barnevern", true), PercentCell(SuppressedShare()),
                        PercentCell(SampleShare(0.21, 24800)),
                        PointsCell(SuppressedShare(), false)});
  table.rows.push_back({TextCell(kHostileText, true), PercentCell(Missing()),
                        PercentCell(SampleShare(0.33, 24000)), PointsCell(Missing(), false)});
  table.notes = {"N = 312. Nevner: alle som svarte, også «Vet ikke».", kHostileText};
  risk.blocks.push_back(table);
  doc.sections.push_back(std::move(risk));

  Section detail{"risiko-tjeneste", "Etter tjenestested", 2, {}};
  DataTable long_table;
  long_table.caption = "Tabell 2. Mange rader";
  long_table.columns = {"Rad", "Andel", "Antall"};
  for (int i = 0; i < long_section_rows; ++i) {
    long_table.rows.push_back({TextCell("Rad " + std::to_string(i + 1), true),
                               PercentCell(SampleShare(0.01 * (i % 100), 100)),
                               CountCell(static_cast<std::size_t>(1000 + i))});
  }
  detail.blocks.push_back(long_table);
  doc.sections.push_back(std::move(detail));

  Section cooperation{"samarbeid", "Samarbeid mellom tjenestene", 1, {}};
  cooperation.blocks.push_back(Paragraph{"Barnevernet vurderer barneskolen høyere enn omvendt."});
  doc.sections.push_back(std::move(cooperation));
  return doc;
}

}  // namespace samkart::testing_support
