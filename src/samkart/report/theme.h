// The look every report format shares: one palette, one marker per kind of
// reference, ordered colours for ordered categories and direction-aware
// colours for differences. The HTML, PDF, XLSX and PPTX renderers take
// their colours and marker shapes from here and nowhere else.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "samkart/report/document.h"

namespace samkart::report::theme {

struct Colour {
  unsigned hex = 0;  // 0xRRGGBB

  double Red() const { return static_cast<double>((hex >> 16) & 0xffu) / 255.0; }
  double Green() const { return static_cast<double>((hex >> 8) & 0xffu) / 255.0; }
  double Blue() const { return static_cast<double>(hex & 0xffu) / 255.0; }
  std::string Css() const;  // «#1F4E79»
  std::string Hex() const;  // «1F4E79», as OOXML writes it
};

// Relative luminance and contrast ratio as WCAG 2 defines them.
double Luminance(Colour c);
double Contrast(Colour a, Colour b);
// Black or white, whichever reads better on `fill`.
Colour TextOn(Colour fill);

inline constexpr Colour kInk{0x1A1A1A};
inline constexpr Colour kMuted{0x595959};
inline constexpr Colour kAccent{0x1F4E79};      // headings, the municipality's own bars
inline constexpr Colour kHeaderFill{0xDDE7F1};  // table headings
inline constexpr Colour kBoxFill{0xEEF3F8};     // key figures
inline constexpr Colour kRule{0xCFCFCF};
inline constexpr Colour kGrid{0xE4E4E4};
inline constexpr Colour kAxis{0x8C8C8C};
inline constexpr Colour kWhite{0xFFFFFF};

// Unordered series (services, partners): dark and light alternate, so
// neighbouring bars differ by at least 3:1 in contrast, and each hue stays
// apart for the common colour-vision deficiencies.
inline constexpr Colour kCategorical[] = {{0x1F4E79}, {0x9DC3E6}, {0xA33B00}, {0xF6C28B},
                                          {0x375623}, {0xA9D18E}, {0x404040}, {0xC9C9C9}};

// Ordered series (size groups, none → some → serious concern): one hue
// from light to dark, so order reads as order. Bars of ordered series carry
// their values as text, so no reader depends on telling shades apart.
inline constexpr Colour kOrdered[] = {{0xC6DBEF}, {0x8DB9DE}, {0x4F8FC6},
                                      {0x2166AC}, {0x0B3F7A}, {0x061F3D}};

// The colour of series `index` of `count`; an ordered series spreads over
// the whole light-to-dark range whatever its length.
Colour SeriesColour(std::size_t index, std::size_t count, bool ordered);

// Differences by what they mean, not by their sign: a barrier's rise is bad.
inline constexpr Colour kBetter{0x1F6E43};    // significantly better
inline constexpr Colour kWorse{0xB3261E};     // significantly worse
inline constexpr Colour kNoChange{0x8C8C8C};  // not a finding

// kBetter, kWorse or kNoChange for a difference's meaning.
Colour ForDirection(Direction direction);

// A share in a grid: one ordered colour per band of equal width, darker
// for a larger share; and the bands as the legend names them («0–17 %»).
Colour GridShade(double share);
struct ShadeBand {
  std::string label;
  Colour colour;
};
std::vector<ShadeBand> GridShadeBands();

enum class Shape { kLine, kDiamond, kCircle, kTriangle };

struct MarkerStyle {
  Colour colour;
  Shape shape;
};

// The nation is a black line, the size group an orange diamond, the
// baseline a hollow-looking circle: the same in every format.
MarkerStyle MarkerFor(Reference reference);

}  // namespace samkart::report::theme
