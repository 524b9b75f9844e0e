// QR codes for the survey links, to print on posters: the symbol from
// libqrencode, drawn by hand as SVG (one path) and with cairo as PNG. Both
// keep the quiet zone of four modules that scanners need around the code.
#pragma once

#include <string>
#include <vector>

#include "samkart/core/result.h"

namespace samkart::web {

// Light modules around the symbol, as the QR standard asks.
inline constexpr int kQrQuietZone = 4;
// PNG pixels per module: 8 cm wide or more at 300 dpi for a link of ~60 characters.
inline constexpr int kQrPngModulePixels = 16;

struct QrCode {
  int version = 0;         // 1 … 40
  int size = 0;            // modules per side, without the quiet zone (17 + 4 × version)
  std::vector<bool> dark;  // row by row, size × size

  bool Dark(int x, int y) const { return dark[static_cast<std::size_t>(y * size + x)]; }
};

// Encodes `text` (8-bit, error correction level M: a poster may get a stain).
Result<QrCode> EncodeQr(const std::string& text);

// The code as an SVG image: one path of dark modules on a white square,
// role="img" and `title` (Norwegian, escaped) as its accessible name.
std::string QrSvg(const QrCode& code, const std::string& title);

// The code as PNG bytes, `module_pixels` per module, quiet zone included.
Result<std::string> QrPng(const QrCode& code, int module_pixels = kQrPngModulePixels);

}  // namespace samkart::web
