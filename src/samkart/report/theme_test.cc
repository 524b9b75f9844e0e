#include "samkart/report/theme.h"

#include <iterator>
#include <set>

#include <gtest/gtest.h>

namespace samkart::report::theme {
namespace {

TEST(Theme, NeighbouringCategoricalColoursDifferByAtLeastThreeToOne) {
  for (std::size_t i = 0; i + 1 < std::size(kCategorical); ++i) {
    EXPECT_GE(Contrast(kCategorical[i], kCategorical[i + 1]), 3.0) << "farge " << i;
  }
}

TEST(Theme, OrderedColoursGoFromLightToDark) {
  for (std::size_t count = 2; count <= std::size(kOrdered); ++count) {
    for (std::size_t i = 0; i + 1 < count; ++i) {
      EXPECT_GT(Luminance(SeriesColour(i, count, true)),
                Luminance(SeriesColour(i + 1, count, true)))
          << count << " grupper, gruppe " << i;
    }
  }
  // Three ordered groups: the ends and the middle keep 2.4:1 between neighbours.
  EXPECT_GE(Contrast(SeriesColour(0, 3, true), SeriesColour(1, 3, true)), 2.4);
  EXPECT_GE(Contrast(SeriesColour(1, 3, true), SeriesColour(2, 3, true)), 2.4);
}

TEST(Theme, EveryReferenceHasItsOwnShape) {
  std::set<Shape> shapes;
  for (const Reference r :
       {Reference::kNation, Reference::kSizeGroup, Reference::kBaseline, Reference::kOther}) {
    shapes.insert(MarkerFor(r).shape);
  }
  EXPECT_EQ(shapes.size(), 4u);
  EXPECT_EQ(MarkerFor(Reference::kNation).shape, Shape::kLine);
}

TEST(Theme, GridShadesFollowTheBandsTheLegendNames) {
  const auto bands = GridShadeBands();
  ASSERT_EQ(bands.size(), std::size(kOrdered));
  EXPECT_EQ(bands.front().label, "0–16 %");
  EXPECT_EQ(bands.back().label, "83–100 %");
  EXPECT_EQ(GridShade(0).hex, bands.front().colour.hex);
  EXPECT_EQ(GridShade(0.16).hex, bands.front().colour.hex);
  EXPECT_EQ(GridShade(0.17).hex, bands[1].colour.hex);
  EXPECT_EQ(GridShade(1).hex, bands.back().colour.hex);
  EXPECT_EQ(GridShade(1.5).hex, bands.back().colour.hex);
  EXPECT_EQ(ForDirection(Direction::kBetter).hex, kBetter.hex);
  EXPECT_EQ(ForDirection(Direction::kWorse).hex, kWorse.hex);
  EXPECT_EQ(ForDirection(Direction::kNeutral).hex, kNoChange.hex);
}

TEST(Theme, ColoursAsTextAndContrast) {
  EXPECT_EQ(kAccent.Css(), "#1F4E79");
  EXPECT_EQ(kAccent.Hex(), "1F4E79");
  EXPECT_NEAR(Contrast(Colour{0x000000}, kWhite), 21.0, 1e-9);
  EXPECT_EQ(TextOn(kAccent).hex, kWhite.hex);
  EXPECT_EQ(TextOn(kOrdered[0]).hex, 0x000000u);
  // Better and worse are told apart from each other and from «no change».
  EXPECT_NE(kBetter.hex, kWorse.hex);
  EXPECT_GE(Contrast(kWorse, kWhite), 4.5);
  EXPECT_GE(Contrast(kBetter, kWhite), 4.5);
}

}  // namespace
}  // namespace samkart::report::theme
