#include "samkart/report/theme.h"

#include <algorithm>
#include <cmath>

#include "fmt/format.h"

namespace samkart::report::theme {

std::string Colour::Css() const { return fmt::format("#{:06X}", hex); }
std::string Colour::Hex() const { return fmt::format("{:06X}", hex); }

double Luminance(Colour c) {
  auto linear = [](double v) {
    return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
  };
  return 0.2126 * linear(c.Red()) + 0.7152 * linear(c.Green()) + 0.0722 * linear(c.Blue());
}

double Contrast(Colour a, Colour b) {
  const double la = Luminance(a), lb = Luminance(b);
  return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

Colour TextOn(Colour fill) {
  return Contrast(fill, kWhite) >= Contrast(fill, Colour{0x000000}) ? kWhite : Colour{0x000000};
}

Colour SeriesColour(std::size_t index, std::size_t count, bool ordered) {
  if (!ordered || count <= 1) return kCategorical[index % std::size(kCategorical)];
  constexpr std::size_t kSteps = std::size(kOrdered);
  if (count >= kSteps) return kOrdered[std::min(index, kSteps - 1)];
  // Spread `count` colours over the range, lightest and darkest included.
  const std::size_t step = index * (kSteps - 1) / (count - 1);
  return kOrdered[step];
}

Colour ForDirection(Direction direction) {
  switch (direction) {
    case Direction::kBetter:
      return kBetter;
    case Direction::kWorse:
      return kWorse;
    case Direction::kNeutral:
      break;
  }
  return kNoChange;
}

Colour GridShade(double share) {
  constexpr std::size_t kSteps = std::size(kOrdered);
  const auto step = static_cast<std::size_t>(std::clamp(share, 0.0, 1.0) * kSteps);
  return kOrdered[std::min(step, kSteps - 1)];
}

std::vector<ShadeBand> GridShadeBands() {
  constexpr std::size_t kSteps = std::size(kOrdered);
  std::vector<ShadeBand> bands;
  for (std::size_t k = 0; k < kSteps; ++k) {
    const auto from = std::lround(100.0 * static_cast<double>(k) / kSteps);
    const auto to = std::lround(100.0 * static_cast<double>(k + 1) / kSteps) - (k + 1 < kSteps);
    bands.push_back({fmt::format("{}–{} %", from, to), kOrdered[k]});
  }
  return bands;
}

MarkerStyle MarkerFor(Reference reference) {
  switch (reference) {
    case Reference::kNation:
      return {kInk, Shape::kLine};
    case Reference::kSizeGroup:
      return {Colour{0xC55A11}, Shape::kDiamond};
    case Reference::kBaseline:
      return {Colour{0x7030A0}, Shape::kCircle};
    case Reference::kOther:
      break;
  }
  return {Colour{0x375623}, Shape::kTriangle};
}

}  // namespace samkart::report::theme
