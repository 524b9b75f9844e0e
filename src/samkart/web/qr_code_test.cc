#include "samkart/web/qr_code.h"

#include <cstdint>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <qrencode.h>

namespace samkart::web {
namespace {

const std::string kLink =
    "https://samkart.example.no/s/abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

TEST(QrCode, HasTheSizeAndModulesLibqrencodeGives) {
  auto code = EncodeQr(kLink);
  ASSERT_TRUE(code.ok()) << code.error().message;
  QRcode* direct = QRcode_encodeString8bit(kLink.c_str(), 0, QR_ECLEVEL_M);
  ASSERT_NE(direct, nullptr);
  EXPECT_EQ(code->version, direct->version);
  EXPECT_EQ(code->size, direct->width);
  EXPECT_EQ(code->size, 17 + 4 * code->version);
  // 73 bytes at level M need version 5 (84 bytes), 37 modules a side.
  EXPECT_EQ(code->version, 5);
  EXPECT_EQ(code->size, 37);
  for (int y = 0; y < code->size; ++y) {
    for (int x = 0; x < code->size; ++x) {
      EXPECT_EQ(code->Dark(x, y), (direct->data[y * direct->width + x] & 1) != 0);
    }
  }
  QRcode_free(direct);
  // The finder pattern's corner is dark, the separator beside it light.
  EXPECT_TRUE(code->Dark(0, 0));
  EXPECT_FALSE(code->Dark(7, 0));
  EXPECT_FALSE(EncodeQr("").ok());
  EXPECT_FALSE(EncodeQr(std::string(4000, 'x')).ok());
}

TEST(QrCode, SvgIsOnePathOfTheDarkModulesInsideTheQuietZone) {
  auto code = EncodeQr(kLink);
  ASSERT_TRUE(code.ok());
  const std::string svg = QrSvg(*code, "QR-kode til «Bø» & <Hå>");
  const int side = code->size + 2 * kQrQuietZone;
  EXPECT_TRUE(svg.starts_with(R"(<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 45 45")"))
      << svg.substr(0, 100);
  EXPECT_EQ(side, 45);
  EXPECT_NE(svg.find(R"(role="img")"), std::string::npos);
  EXPECT_NE(svg.find("<title id=\"qr-tittel\">QR-kode til «Bø» &amp; &lt;Hå&gt;</title>"),
            std::string::npos);
  EXPECT_TRUE(svg.ends_with("</svg>\n"));
  // Well-formed: every element opened is closed, in order.
  std::vector<std::string> open;
  const std::regex tag(R"(<(/?)([a-z]+)[^>]*?(/?)>)");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), tag); it != std::sregex_iterator();
       ++it) {
    const auto& m = *it;
    if (m[1] == "/") {
      ASSERT_FALSE(open.empty());
      EXPECT_EQ(open.back(), m[2].str());
      open.pop_back();
    } else if (m[3] != "/") {
      open.push_back(m[2]);
    }
  }
  EXPECT_TRUE(open.empty());
  // The path's rectangles, drawn again, are exactly the dark modules.
  const auto d_at = svg.find(R"(<path fill="#000" d=")");
  ASSERT_NE(d_at, std::string::npos);
  EXPECT_EQ(svg.find("<path", d_at + 1), std::string::npos);  // one path
  const std::string d = svg.substr(d_at + 21, svg.find('"', d_at + 21) - d_at - 21);
  std::vector<bool> drawn(static_cast<std::size_t>(side * side), false);
  const std::regex run(R"(M(\d+) (\d+)h(\d+)v1h-(\d+)z)");
  std::size_t consumed = 0;
  for (auto it = std::sregex_iterator(d.begin(), d.end(), run); it != std::sregex_iterator();
       ++it) {
    const int x = std::stoi((*it)[1]), y = std::stoi((*it)[2]), w = std::stoi((*it)[3]);
    EXPECT_EQ(w, std::stoi((*it)[4]));
    for (int i = 0; i < w; ++i) drawn[static_cast<std::size_t>(y * side + x + i)] = true;
    consumed += static_cast<std::size_t>(it->length());
  }
  EXPECT_EQ(consumed, d.size());
  for (int y = 0; y < side; ++y) {
    for (int x = 0; x < side; ++x) {
      const bool inside = x >= kQrQuietZone && y >= kQrQuietZone && x < side - kQrQuietZone &&
                          y < side - kQrQuietZone;
      const bool dark = inside && code->Dark(x - kQrQuietZone, y - kQrQuietZone);
      EXPECT_EQ(drawn[static_cast<std::size_t>(y * side + x)], dark) << x << "," << y;
    }
  }
}

uint32_t BigEndian(const std::string& bytes, std::size_t at) {
  uint32_t out = 0;
  for (std::size_t i = 0; i < 4; ++i) out = (out << 8) | static_cast<uint8_t>(bytes[at + i]);
  return out;
}

TEST(QrCode, PngHasTheSignatureAndSixteenPixelsPerModule) {
  auto code = EncodeQr(kLink);
  ASSERT_TRUE(code.ok());
  auto png = QrPng(*code);
  ASSERT_TRUE(png.ok()) << png.error().message;
  ASSERT_GT(png->size(), 33u);
  EXPECT_EQ(png->substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(png->substr(12, 4), "IHDR");
  const uint32_t side = static_cast<uint32_t>((code->size + 2 * kQrQuietZone) * kQrPngModulePixels);
  EXPECT_EQ(BigEndian(*png, 16), side);  // width
  EXPECT_EQ(BigEndian(*png, 20), side);  // height
  auto small = QrPng(*code, 2);
  ASSERT_TRUE(small.ok());
  EXPECT_EQ(BigEndian(*small, 16), static_cast<uint32_t>((code->size + 8) * 2));
  EXPECT_FALSE(QrPng(*code, 0).ok());
}

}  // namespace
}  // namespace samkart::web
