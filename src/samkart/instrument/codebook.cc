#include "samkart/instrument/codebook.h"

#include <algorithm>

#include <fmt/format.h>

#include "samkart/core/text.h"

namespace samkart::instrument {

namespace {

std::string Quoted(const std::string& s) { return "«" + s + "»"; }

std::string TypeName(FamilyType type) {
  switch (type) {
    case FamilyType::kRating:
      return "skala";
    case FamilyType::kSingleChoice:
      return "enkeltvalg";
    case FamilyType::kMultipleChoice:
      return "flervalg (avkrysning)";
  }
  return "?";
}

std::string ServiceList(const Instrument& instrument, const std::vector<std::string>& keys) {
  std::vector<std::string> labels;
  for (const std::string& key : keys) {
    const Service* s = instrument.FindService(key);
    labels.push_back(s != nullptr ? s->label : key);
  }
  return text::Join(labels, ", ");
}

std::string GenerationsAsking(const Instrument& instrument, const Family& family) {
  std::vector<std::string> ids;
  for (const Generation& g : instrument.generations) {
    const int asked = instrument.ItemsAskedIn(g.id, family);
    if (asked == 0) continue;
    const int total = static_cast<int>(family.items.size());
    ids.push_back(asked == total ? g.id : fmt::format("{} ({} av {})", g.id, asked, total));
  }
  return ids.empty() ? "ingen" : text::Join(ids, ", ");
}

std::string Years(const Generation& g) {
  if (!g.last_year) return fmt::format("{}–", g.first_year);
  if (*g.last_year == g.first_year) return std::to_string(g.first_year);
  return fmt::format("{}–{}", g.first_year, *g.last_year);
}

DocBlock Heading(int level, std::string text) {
  DocBlock b;
  b.kind = DocBlock::Kind::kHeading;
  b.level = level;
  b.text = std::move(text);
  return b;
}

DocBlock Paragraph(std::string text) {
  DocBlock b;
  b.text = std::move(text);
  return b;
}

DocBlock Table(std::vector<std::string> header) {
  DocBlock b;
  b.kind = DocBlock::Kind::kTable;
  b.header = std::move(header);
  return b;
}

void AddFamily(const Instrument& instrument, const Family& family, std::vector<DocBlock>& out) {
  out.push_back(Heading(2, fmt::format("{}. {} ({})", family.order, family.title, family.id)));
  std::string intro = fmt::format("Spørsmål: {}", Quoted(family.stem));
  if (!family.section.empty()) intro += fmt::format(" Rapportdel: {}.", family.section);
  intro += fmt::format(" Type: {}.", TypeName(family.type));
  out.push_back(Paragraph(intro));

  DocBlock items = Table({"Id", "Spørsmål", "Kort etikett"});
  for (const Item& item : family.items) {
    items.rows.push_back({family.id + "." + item.id, item.text, item.short_label});
  }
  out.push_back(std::move(items));

  if (const Scale* scale = instrument.FindScale(family.scale)) {
    DocBlock categories =
        Table({"Kode", fmt::format("Kategori (skala «{}»)", scale->id), "Regnes som"});
    for (const Category& c : scale->categories) {
      const bool in_share = std::find(family.reported_share.begin(), family.reported_share.end(),
                                      c.code) != family.reported_share.end();
      std::string role = in_share ? "teller i rapportert andel" : "i nevneren";
      if (c.kind == CategoryKind::kDontKnow && !family.dont_know_in_denominator)
        role = "utenfor nevneren";
      categories.rows.push_back({std::to_string(c.code), c.label, role});
    }
    out.push_back(std::move(categories));
  }
  out.push_back(
      Paragraph(fmt::format("Rapportert andel: {}.", DescribeReportedShare(instrument, family))));
  out.push_back(Paragraph(fmt::format("Nevner: {}", DescribeDenominator(instrument, family))));
  out.push_back(
      Paragraph(fmt::format("Stilt i generasjon: {}.", GenerationsAsking(instrument, family))));
  if (!family.note.empty()) out.push_back(Paragraph(fmt::format("Merknad: {}", family.note)));
}

const char* RoleName(SourceRole role) {
  switch (role) {
    case SourceRole::kIdentifier:
      return "identifikator, fjernes ved import";
    case SourceRole::kBackground:
      return "bakgrunn";
    case SourceRole::kAnswer:
      return "svar";
    case SourceRole::kIgnore:
      return "teknisk, leses ikke";
  }
  return "?";
}

std::string CategorySummary(const SourceVariable& v) {
  std::vector<std::string> parts;
  for (const CategoryMapping& m : v.categories) {
    std::string source = m.source_code ? std::to_string(*m.source_code) : "";
    if (!m.source_label.empty()) source += (source.empty() ? "" : " ") + Quoted(m.source_label);
    parts.push_back(m.target_code == kBlank ? fmt::format("{} → ikke svart", source)
                                            : fmt::format("{} → {}", source, m.target_code));
  }
  return text::Join(parts, "; ");
}

}  // namespace

std::string DescribeReportedShare(const Instrument& instrument, const Family& family) {
  const Scale* scale = instrument.FindScale(family.scale);
  std::vector<std::string> labels;
  for (const int code : family.reported_share) {
    const Category* c = scale != nullptr ? scale->Find(code) : nullptr;
    labels.push_back(c != nullptr ? Quoted(c->label) : std::to_string(code));
  }
  if (family.type == FamilyType::kMultipleChoice)
    return "andel som har krysset av for alternativet";
  return text::JoinList(labels, "eller");
}

std::string DescribeDenominator(const Instrument& instrument, const Family& family) {
  std::vector<std::string> sentences;
  const Scale* scale = instrument.FindScale(family.scale);
  std::vector<std::string> dont_know;
  if (scale != nullptr) {
    for (const Category& c : scale->categories) {
      if (c.kind == CategoryKind::kDontKnow) dont_know.push_back(Quoted(c.label));
    }
  }
  if (family.type == FamilyType::kMultipleChoice) {
    sentences.push_back("alle som fikk spørsmålet og krysset av for minst ett alternativ.");
  } else {
    sentences.push_back("alle som har svart på spørsmålet.");
  }
  if (!dont_know.empty()) {
    sentences.push_back(
        fmt::format("{} {} i nevneren.", text::Join(dont_know, " og "),
                    family.dont_know_in_denominator ? "blir stående" : "holdes utenfor"));
  }
  sentences.push_back("Ubesvart og «ikke stilt» holdes utenfor.");
  if (!family.not_asked_services.empty()) {
    sentences.push_back(
        fmt::format("Ikke stilt til: {}.", ServiceList(instrument, family.not_asked_services)));
  }
  if (family.asked_if) {
    const Family* target = instrument.FindFamily(family.asked_if->family);
    const Item* item = target != nullptr ? target->FindItem(family.asked_if->item) : nullptr;
    const Scale* target_scale = target != nullptr ? instrument.FindScale(target->scale) : nullptr;
    std::vector<std::string> answers;
    for (const int code : family.asked_if->codes) {
      const Category* c = target_scale != nullptr ? target_scale->Find(code) : nullptr;
      answers.push_back(c != nullptr ? Quoted(c->label) : std::to_string(code));
    }
    sentences.push_back(
        fmt::format("Stilt bare til dem som svarte {} på {}.", text::Join(answers, " eller "),
                    Quoted(item != nullptr ? item->short_label : family.asked_if->item)));
  }
  if (family.excludes_own_service) sentences.push_back("Ingen vurderer sin egen tjeneste.");
  return text::Join(sentences, " ");
}

namespace {

// The title, what the codebook covers and an overview of the families.
void AddIntroduction(const Instrument& instrument, std::vector<DocBlock>& out) {
  const Generation* current = instrument.CurrentGeneration();
  out.push_back(Heading(1, "Kodebok for BTI/BTS-kartleggingen"));
  out.push_back(Paragraph(fmt::format(
      "Kodeboken beskriver det harmoniserte spørreskjemaet i kompetansekartleggingen om tidlig "
      "innsats "
      "(BTI/BTS): spørsmålsfamiliene i samme rekkefølge som den nasjonale rapporten, "
      "svarskalaene, "
      "hvilke svar som utgjør den rapporterte andelen, hvem som er med i nevneren, "
      "bakgrunnsvariablene "
      "og nøklene som oversetter hver av de {} skjemagenerasjonene til det harmoniserte "
      "skjemaet. "
      "Gjeldende skjema er {}. Kodeboken er laget automatisk fra instrumentfilene.",
      instrument.generations.size(),
      current != nullptr ? fmt::format("generasjon {} (fra {})", current->id, current->first_year)
                         : "ikke angitt")));
  DocBlock overview =
      Table({"Nr", "Familie", "Id", "Rapportdel", "Type", "Spørsmål", "Rapportert andel"});
  for (const Family& f : instrument.families) {
    overview.rows.push_back({std::to_string(f.order), f.title, f.id, f.section, TypeName(f.type),
                             std::to_string(f.items.size()), DescribeReportedShare(instrument, f)});
  }
  out.push_back(Heading(2, "Oversikt"));
  out.push_back(std::move(overview));
}

// The background variables every answer carries, with their codes.
void AddBackground(const Instrument& instrument, std::vector<DocBlock>& out) {
  out.push_back(Heading(2, "Bakgrunnsvariabler"));
  out.push_back(Paragraph(
      "Hver besvarelse har kommunenummer, kommunestørrelse, KORUS-region, årstall, tjenestested, "
      "stilling, skjemagenerasjon og type undersøkelse (0-punktsmåling eller oppfølging). Navn, "
      "e-post, "
      "IP-adresse, tidspunkt og fritekst lagres aldri."));
  out.push_back(Heading(3, "Kommune, år og generasjon"));
  DocBlock identity = Table({"Variabel", "Innhold", "Kilde"});
  identity.rows.push_back({"municipality", "Kommunenummer, fire sifre (SSB)",
                           "kolonnen i eksporten, ellers oppgitt ved import"});
  identity.rows.push_back({"year", "Årstallet kartleggingen ble gjennomført",
                           "kolonnen i eksporten, ellers oppgitt ved import"});
  identity.rows.push_back(
      {"generation", "Skjemagenerasjonen (G1–G5)", "nøkkelen som leste filen, aldri en kolonne"});
  identity.rows.push_back({"size_group, region", "Kommunestørrelse og KORUS-region",
                           "kommuneregisteret, ut fra kommunenummeret"});
  out.push_back(std::move(identity));
  out.push_back(Heading(3, "Tjenestested"));
  DocBlock services = Table({"Kode", "Nøkkel", "Tjenestested", "Kort", "Svarer på undersøkelsen"});
  for (const Service& s : instrument.services) {
    services.rows.push_back({std::to_string(s.code), s.key, s.label, s.short_label,
                             s.answers_survey ? "ja" : "nei (bare vurdert som samarbeidspartner)"});
  }
  out.push_back(std::move(services));
  out.push_back(Heading(3, "Stilling"));
  out.push_back(
      Paragraph("Der en kombinasjon av kommune, tjeneste og stilling har for få besvarelser til å "
                "være anonym, "
                "erstattes stillingen med den grovere kategorien i kolonnen «Generaliseres til»."));
  DocBlock positions = Table({"Kode", "Nøkkel", "Stilling", "Generaliseres til"});
  for (const Position& p : instrument.positions) {
    const Position* to =
        p.generalises_to.empty() ? nullptr : instrument.FindPosition(p.generalises_to);
    positions.rows.push_back(
        {std::to_string(p.code), p.key, p.label, to != nullptr ? to->label : "–"});
  }
  out.push_back(std::move(positions));
  out.push_back(Heading(3, "Kommunestørrelse"));
  DocBlock sizes = Table({"Kode", "Gruppe", "Innbyggere fra", "Innbyggere til"});
  for (const SizeGroup& g : instrument.size_groups) {
    sizes.rows.push_back({std::to_string(g.code), g.label, std::to_string(g.min_population),
                          g.max_population ? std::to_string(*g.max_population) : "–"});
  }
  out.push_back(std::move(sizes));
  out.push_back(Heading(3, "KORUS-region og type undersøkelse"));
  DocBlock regions = Table({"Variabel", "Kode", "Nøkkel", "Etikett"});
  for (const Code& c : instrument.regions)
    regions.rows.push_back({"region", std::to_string(c.code), c.key, c.label});
  for (const Code& c : instrument.round_types) {
    regions.rows.push_back({"round_type", std::to_string(c.code), c.key, c.label});
  }
  out.push_back(std::move(regions));
}

void AddGenerations(const Instrument& instrument, std::vector<DocBlock>& out) {
  out.push_back(Heading(2, "Skjemagenerasjoner"));
  DocBlock generations =
      Table({"Generasjon", "Navn", "År", "Familier", "Kildevariabler", "Beskrivelse"});
  for (const Generation& g : instrument.generations) {
    const Crosswalk* cw = instrument.FindCrosswalk(g.id);
    generations.rows.push_back(
        {g.id, g.name, Years(g), std::to_string(instrument.FamiliesAskedIn(g.id).size()),
         std::to_string(cw != nullptr ? cw->variables.size() : 0), g.description});
  }
  out.push_back(std::move(generations));
}

// Each generation's crosswalks (one per layout), variable by variable.
void AddCrosswalks(const Instrument& instrument, std::vector<DocBlock>& out) {
  for (const Generation& g : instrument.generations) {
    for (const Crosswalk& layout : instrument.crosswalks) {
      if (layout.generation != g.id) continue;
      const Crosswalk* cw = &layout;
      out.push_back(Heading(3, fmt::format("Nøkkel for {} ({})", g.name, cw->file)));
      DocBlock table = Table(
          {"Kildevariabel", "Rolle", "Mål", "Kategorier (kilde → harmonisert kode)", "Merknad"});
      for (const SourceVariable& v : cw->variables) {
        // The Norwegian meaning, with the word the crosswalk file uses.
        std::string role = fmt::format("{} ({})", RoleName(v.role), ToString(v.role));
        table.rows.push_back({v.name, role, v.target, CategorySummary(v), v.note});
      }
      out.push_back(std::move(table));
    }
  }
}

}  // namespace

std::vector<DocBlock> BuildCodebook(const Instrument& instrument, const CodebookOptions& options) {
  std::vector<DocBlock> out;
  if (options.only_family.empty()) AddIntroduction(instrument, out);
  for (const Family& family : instrument.families) {
    if (!options.only_family.empty() && family.id != options.only_family) continue;
    AddFamily(instrument, family, out);
  }
  if (!options.only_family.empty()) return out;
  AddBackground(instrument, out);
  AddGenerations(instrument, out);
  if (options.include_crosswalks) AddCrosswalks(instrument, out);
  return out;
}

std::string RenderText(const std::vector<DocBlock>& blocks) {
  std::string out;
  for (const DocBlock& b : blocks) {
    switch (b.kind) {
      case DocBlock::Kind::kHeading: {
        out += "\n" + b.text + "\n";
        out += std::string(b.level == 1 ? 60 : 40, b.level == 1 ? '=' : '-') + "\n";
        break;
      }
      case DocBlock::Kind::kParagraph:
        out += b.text + "\n";
        break;
      case DocBlock::Kind::kTable: {
        // Column widths in code points, so Norwegian letters align.
        auto width = [](const std::string& s) {
          return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) {
            return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
          }));
        };
        constexpr std::size_t kMaxCell = 70;
        std::vector<std::size_t> widths(b.header.size(), 0);
        auto clip = [&](const std::string& s) {
          if (width(s) <= kMaxCell) return s;
          std::string clipped;
          std::size_t n = 0;
          for (const char c : s) {
            if ((static_cast<unsigned char>(c) & 0xC0) != 0x80 && ++n > kMaxCell - 1) break;
            clipped += c;
          }
          return clipped + "…";
        };
        for (std::size_t i = 0; i < b.header.size(); ++i) widths[i] = width(b.header[i]);
        for (const auto& row : b.rows) {
          for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i) {
            widths[i] = std::max(widths[i], width(clip(row[i])));
          }
        }
        auto line = [&](const std::vector<std::string>& cells) {
          std::string l = " ";
          for (std::size_t i = 0; i < widths.size(); ++i) {
            const std::string cell = i < cells.size() ? clip(cells[i]) : "";
            l += cell + std::string(widths[i] - width(cell), ' ') +
                 (i + 1 < widths.size() ? "  " : "");
          }
          while (!l.empty() && l.back() == ' ') l.pop_back();
          return l + "\n";
        };
        out += line(b.header);
        for (const auto& row : b.rows) out += line(row);
        break;
      }
    }
  }
  return out;
}

std::string RenderMarkdown(const std::vector<DocBlock>& blocks) {
  std::string out;
  for (const DocBlock& b : blocks) {
    switch (b.kind) {
      case DocBlock::Kind::kHeading:
        out += std::string(static_cast<std::size_t>(b.level), '#') + " " +
               text::MarkdownEscape(b.text) + "\n\n";
        break;
      case DocBlock::Kind::kParagraph:
        out += text::MarkdownEscape(b.text) + "\n\n";
        break;
      case DocBlock::Kind::kTable: {
        auto row = [](const std::vector<std::string>& cells) {
          std::string l = "|";
          for (const std::string& c : cells) l += " " + text::MarkdownEscape(c) + " |";
          return l + "\n";
        };
        out += row(b.header);
        out += "|";
        for (std::size_t i = 0; i < b.header.size(); ++i) out += " --- |";
        out += "\n";
        for (const auto& r : b.rows) out += row(r);
        out += "\n";
        break;
      }
    }
  }
  return out;
}

std::string RenderHtml(const std::vector<DocBlock>& blocks, const std::string& title) {
  std::string out = fmt::format(R"(<!DOCTYPE html>
<html lang="nb">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 72rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; color: #1a1a1a; }}
h1 {{ border-bottom: 3px solid #2f5d7c; padding-bottom: .3rem; }}
h2 {{ margin-top: 2.5rem; color: #2f5d7c; }}
table {{ border-collapse: collapse; margin: .6rem 0 1.2rem; width: 100%; font-size: .92rem; }}
th, td {{ border: 1px solid #c8d3dc; padding: .3rem .5rem; text-align: left; vertical-align: top; }}
th {{ background: #e9f0f5; }}
tr:nth-child(even) td {{ background: #f7fafc; }}
nav ol {{ columns: 2; }}
@media print {{ body {{ margin: 0; max-width: none; }} h2 {{ break-before: page; }} table {{ break-inside: auto; }} }}
</style>
</head>
<body>
)",
                                text::HtmlEscape(title));
  // Table of contents from the level-2 headings.
  std::string toc;
  int anchor = 0;
  for (const DocBlock& b : blocks) {
    if (b.kind == DocBlock::Kind::kHeading && b.level == 2) {
      toc += fmt::format("<li><a href=\"#s{}\">{}</a></li>\n", ++anchor, text::HtmlEscape(b.text));
    }
  }
  anchor = 0;
  bool toc_written = false;
  for (const DocBlock& b : blocks) {
    switch (b.kind) {
      case DocBlock::Kind::kHeading:
        if (b.level == 2) {
          if (!toc_written) {
            out += "<nav aria-label=\"Innhold\"><h2>Innhold</h2><ol>\n" + toc + "</ol></nav>\n";
            toc_written = true;
          }
          out += fmt::format("<h2 id=\"s{}\">{}</h2>\n", ++anchor, text::HtmlEscape(b.text));
        } else {
          out += fmt::format("<h{0}>{1}</h{0}>\n", b.level, text::HtmlEscape(b.text));
        }
        break;
      case DocBlock::Kind::kParagraph:
        out += "<p>" + text::HtmlEscape(b.text) + "</p>\n";
        break;
      case DocBlock::Kind::kTable:
        out += "<table>\n<thead><tr>";
        for (const std::string& h : b.header)
          out += "<th scope=\"col\">" + text::HtmlEscape(h) + "</th>";
        out += "</tr></thead>\n<tbody>\n";
        for (const auto& row : b.rows) {
          out += "<tr>";
          for (const std::string& c : row) out += "<td>" + text::HtmlEscape(c) + "</td>";
          out += "</tr>\n";
        }
        out += "</tbody>\n</table>\n";
        break;
    }
  }
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace samkart::instrument
