#include "samkart/web/qr_code.h"

#include <memory>

#include <cairo.h>
#include <fmt/format.h>
#include <qrencode.h>

#include "samkart/core/text.h"

namespace samkart::web {

Result<QrCode> EncodeQr(const std::string& text) {
  if (text.empty()) return Error{"en QR-kode trenger en tekst"};
  const std::unique_ptr<QRcode, decltype(&QRcode_free)> encoded(
      QRcode_encodeString8bit(text.c_str(), 0, QR_ECLEVEL_M), &QRcode_free);
  if (!encoded) return Error{"teksten er for lang for en QR-kode"};
  QrCode code;
  code.version = encoded->version;
  code.size = encoded->width;
  code.dark.resize(static_cast<std::size_t>(code.size) * static_cast<std::size_t>(code.size));
  for (std::size_t i = 0; i < code.dark.size(); ++i) code.dark[i] = (encoded->data[i] & 1) != 0;
  return code;
}

std::string QrSvg(const QrCode& code, const std::string& title) {
  const int side = code.size + 2 * kQrQuietZone;
  // Each run of dark modules in a row is one rectangle of the path.
  std::string path;
  for (int y = 0; y < code.size; ++y) {
    for (int x = 0; x < code.size;) {
      if (!code.Dark(x, y)) {
        ++x;
        continue;
      }
      int end = x;
      while (end < code.size && code.Dark(end, y)) ++end;
      path += fmt::format("M{} {}h{}v1h-{}z", x + kQrQuietZone, y + kQrQuietZone, end - x, end - x);
      x = end;
    }
  }
  return fmt::format(
      R"(<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {0} {0}" width="{1}" height="{1}" )"
      R"(role="img" aria-labelledby="qr-tittel" shape-rendering="crispEdges">)"
      R"(<title id="qr-tittel">{2}</title><rect width="{0}" height="{0}" fill="#fff"/>)"
      R"(<path fill="#000" d="{3}"/></svg>)"
      "\n",
      side, side * 8, text::HtmlEscape(title), path);
}

namespace {

cairo_status_t AppendToString(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

}  // namespace

Result<std::string> QrPng(const QrCode& code, int module_pixels) {
  if (module_pixels < 1 || module_pixels > 64) return Error{"ugyldig størrelse på QR-koden"};
  const int side = (code.size + 2 * kQrQuietZone) * module_pixels;
  const std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> surface(
      cairo_image_surface_create(CAIRO_FORMAT_RGB24, side, side), &cairo_surface_destroy);
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
    return Error{"QR-koden kunne ikke tegnes"};
  }
  {
    const std::unique_ptr<cairo_t, decltype(&cairo_destroy)> cr(cairo_create(surface.get()),
                                                                &cairo_destroy);
    cairo_set_antialias(cr.get(), CAIRO_ANTIALIAS_NONE);
    cairo_set_source_rgb(cr.get(), 1, 1, 1);
    cairo_paint(cr.get());
    cairo_set_source_rgb(cr.get(), 0, 0, 0);
    for (int y = 0; y < code.size; ++y) {
      for (int x = 0; x < code.size; ++x) {
        if (!code.Dark(x, y)) continue;
        cairo_rectangle(cr.get(), (x + kQrQuietZone) * module_pixels,
                        (y + kQrQuietZone) * module_pixels, module_pixels, module_pixels);
      }
    }
    cairo_fill(cr.get());
    if (cairo_status(cr.get()) != CAIRO_STATUS_SUCCESS) return Error{"QR-koden kunne ikke tegnes"};
  }
  std::string png;
  if (cairo_surface_write_to_png_stream(surface.get(), &AppendToString, &png) !=
      CAIRO_STATUS_SUCCESS) {
    return Error{"QR-koden kunne ikke skrives som PNG"};
  }
  return png;
}

}  // namespace samkart::web
