// PNG output for line charts: the layout of chart_layout.h rasterised at 2x
// (anti-aliased lines and dots by distance to the segment, a built-in 5x7
// bitmap font for labels), encoded with libpng's simplified API.
#include <png.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "io/chart_layout.h"
#include "marketlm/core/file_io.h"

namespace marketlm {

namespace {

// 5x7 glyphs, one byte per row, bit 4 = leftmost pixel. Lowercase letters are
// drawn with the uppercase glyphs; unknown characters as a hollow box.
struct Glyph {
  char c;
  uint8_t rows[7];
};
constexpr Glyph kFont[] = {
    {'0', {14, 17, 19, 21, 25, 17, 14}}, {'1', {4, 12, 4, 4, 4, 4, 14}},     {'2', {14, 17, 1, 2, 4, 8, 31}},
    {'3', {30, 1, 1, 14, 1, 1, 30}},     {'4', {2, 6, 10, 18, 31, 2, 2}},    {'5', {31, 16, 30, 1, 1, 17, 14}},
    {'6', {6, 8, 16, 30, 17, 17, 14}},   {'7', {31, 1, 2, 4, 8, 8, 8}},      {'8', {14, 17, 17, 14, 17, 17, 14}},
    {'9', {14, 17, 17, 15, 1, 2, 12}},   {'A', {14, 17, 17, 31, 17, 17, 17}}, {'B', {30, 17, 17, 30, 17, 17, 30}},
    {'C', {14, 17, 16, 16, 16, 17, 14}}, {'D', {28, 18, 17, 17, 17, 18, 28}}, {'E', {31, 16, 16, 30, 16, 16, 31}},
    {'F', {31, 16, 16, 30, 16, 16, 16}}, {'G', {14, 17, 16, 23, 17, 17, 15}}, {'H', {17, 17, 17, 31, 17, 17, 17}},
    {'I', {14, 4, 4, 4, 4, 4, 14}},      {'J', {7, 2, 2, 2, 2, 18, 12}},     {'K', {17, 18, 20, 24, 20, 18, 17}},
    {'L', {16, 16, 16, 16, 16, 16, 31}}, {'M', {17, 27, 21, 21, 17, 17, 17}}, {'N', {17, 17, 25, 21, 19, 17, 17}},
    {'O', {14, 17, 17, 17, 17, 17, 14}}, {'P', {30, 17, 17, 30, 16, 16, 16}}, {'Q', {14, 17, 17, 17, 21, 18, 13}},
    {'R', {30, 17, 17, 30, 20, 18, 17}}, {'S', {15, 16, 16, 14, 1, 1, 30}},  {'T', {31, 4, 4, 4, 4, 4, 4}},
    {'U', {17, 17, 17, 17, 17, 17, 14}}, {'V', {17, 17, 17, 17, 17, 10, 4}}, {'W', {17, 17, 17, 21, 21, 21, 10}},
    {'X', {17, 17, 10, 4, 10, 17, 17}},  {'Y', {17, 17, 10, 4, 4, 4, 4}},    {'Z', {31, 1, 2, 4, 8, 16, 31}},
    {'.', {0, 0, 0, 0, 0, 12, 12}},      {',', {0, 0, 0, 0, 12, 4, 8}},      {'-', {0, 0, 0, 31, 0, 0, 0}},
    {'+', {0, 4, 4, 31, 4, 4, 0}},       {'(', {2, 4, 8, 8, 8, 4, 2}},       {')', {8, 4, 2, 2, 2, 4, 8}},
    {'/', {1, 2, 2, 4, 8, 8, 16}},       {':', {0, 12, 12, 0, 12, 12, 0}},   {'_', {0, 0, 0, 0, 0, 0, 31}},
    {'<', {2, 4, 8, 16, 8, 4, 2}},       {'>', {8, 4, 2, 1, 2, 4, 8}},       {'%', {24, 25, 2, 4, 8, 19, 3}},
    {'&', {12, 18, 20, 8, 21, 18, 13}},  {'#', {10, 10, 31, 10, 31, 10, 10}}, {'=', {0, 0, 31, 0, 31, 0, 0}},
    {'*', {0, 4, 21, 14, 21, 4, 0}},     {'\'', {4, 4, 8, 0, 0, 0, 0}},      {'"', {10, 10, 0, 0, 0, 0, 0}},
    {'!', {4, 4, 4, 4, 4, 0, 4}},        {'?', {14, 17, 1, 2, 4, 0, 4}},     {' ', {0, 0, 0, 0, 0, 0, 0}},
};
constexpr uint8_t kBox[7] = {31, 17, 17, 17, 17, 17, 31};

const uint8_t* glyph_rows(char c) {
  if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  for (const Glyph& g : kFont) {
    if (g.c == c) return g.rows;
  }
  return kBox;
}

struct Rgb {
  double r, g, b;
};

Rgb parse_color(const std::string& s) {
  if (s.size() == 7 && s[0] == '#') {
    auto hex = [&](size_t i) { return static_cast<double>(std::stoi(s.substr(i, 2), nullptr, 16)); };
    try {
      return {hex(1), hex(3), hex(5)};
    } catch (const std::exception&) {
    }
  }
  if (s == "white") return {255, 255, 255};
  if (s == "black") return {0, 0, 0};
  return {128, 128, 128};
}

class Canvas {
 public:
  Canvas(int w, int h) : w_(w), h_(h), px_(static_cast<size_t>(w) * h * 3, 255) {}
  int width() const { return w_; }
  int height() const { return h_; }
  const uint8_t* data() const { return px_.data(); }

  void blend(int x, int y, const Rgb& c, double a) {
    if (x < 0 || y < 0 || x >= w_ || y >= h_ || a <= 0) return;
    a = std::min(a, 1.0);
    uint8_t* p = &px_[(static_cast<size_t>(y) * w_ + x) * 3];
    const double in[3] = {c.r, c.g, c.b};
    for (int k = 0; k < 3; ++k) p[k] = static_cast<uint8_t>(std::lround(p[k] * (1 - a) + in[k] * a));
  }

  // Anti-aliased segment of the given width: coverage from the distance to it.
  void line(double x0, double y0, double x1, double y1, double width, const Rgb& c) {
    const double r = width / 2;
    const int xa = static_cast<int>(std::floor(std::min(x0, x1) - r - 1)), xb = static_cast<int>(std::ceil(std::max(x0, x1) + r + 1));
    const int ya = static_cast<int>(std::floor(std::min(y0, y1) - r - 1)), yb = static_cast<int>(std::ceil(std::max(y0, y1) + r + 1));
    const double dx = x1 - x0, dy = y1 - y0, len2 = dx * dx + dy * dy;
    for (int y = std::max(ya, 0); y <= std::min(yb, h_ - 1); ++y) {
      for (int x = std::max(xa, 0); x <= std::min(xb, w_ - 1); ++x) {
        const double cx = x + 0.5, cy = y + 0.5;
        double t = len2 > 0 ? ((cx - x0) * dx + (cy - y0) * dy) / len2 : 0;
        t = std::clamp(t, 0.0, 1.0);
        const double ex = x0 + t * dx - cx, ey = y0 + t * dy - cy;
        blend(x, y, c, r + 0.5 - std::sqrt(ex * ex + ey * ey));
      }
    }
  }

  void disc(double cx, double cy, double r, const Rgb& c) { line(cx, cy, cx, cy, 2 * r, c); }

  // A segment drawn as dashes of `on` pixels with gaps of `off`; `phase` is
  // how far into the on+off pattern the segment starts, and is carried on to
  // the next segment of the same polyline.
  void dashed_line(double x0, double y0, double x1, double y1, double width, const Rgb& c, double on, double off,
                   double* phase) {
    const double len = std::hypot(x1 - x0, y1 - y0), period = on + off;
    double pos = 0;
    while (pos < len) {
      const double in = std::fmod(*phase + pos, period);
      const double step = std::min(len - pos, in < on ? on - in : period - in);
      if (in < on) {
        const double a = pos / len, b = (pos + step) / len;
        line(x0 + a * (x1 - x0), y0 + a * (y1 - y0), x0 + b * (x1 - x0), y0 + b * (y1 - y0), width, c);
      }
      pos += step;
    }
    *phase = std::fmod(*phase + len, period);
  }

  // A series' segment: solid, or dashed 6 on 4 off in layout units of `scale` pixels.
  void stroke(double x0, double y0, double x1, double y1, double width, const Rgb& c, bool dashed, double scale,
              double* phase) {
    if (dashed) {
      dashed_line(x0, y0, x1, y1, width, c, 6 * scale, 4 * scale, phase);
    } else {
      line(x0, y0, x1, y1, width, c);
    }
  }

  void fill_rect(double x, double y, double w, double h, const Rgb& c, double alpha) {
    for (int yy = static_cast<int>(std::lround(y)); yy < static_cast<int>(std::lround(y + h)); ++yy) {
      for (int xx = static_cast<int>(std::lround(x)); xx < static_cast<int>(std::lround(x + w)); ++xx) blend(xx, yy, c, alpha);
    }
  }

  // Text with its baseline at y; anchor 0 = start, 1 = middle, 2 = end;
  // rotated = reads bottom to top, centred on (x, y) horizontally.
  void text(const std::string& s, double x, double y, int scale, int anchor, const Rgb& c, bool rotated = false) {
    const double advance = 6.0 * scale, width = advance * static_cast<double>(s.size()) - scale;
    double u0 = anchor == 0 ? 0 : anchor == 1 ? -width / 2 : -width;
    for (size_t i = 0; i < s.size(); ++i) {
      const uint8_t* rows = glyph_rows(s[i]);
      for (int gy = 0; gy < 7; ++gy) {
        for (int gx = 0; gx < 5; ++gx) {
          if (!(rows[gy] & (16 >> gx))) continue;
          for (int sy = 0; sy < scale; ++sy) {
            for (int sx = 0; sx < scale; ++sx) {
              const double u = u0 + static_cast<double>(i) * advance + gx * scale + sx;  // along the text
              const double v = -7.0 * scale + gy * scale + sy;                            // down, baseline 0
              if (rotated) blend(static_cast<int>(std::lround(x + v)), static_cast<int>(std::lround(y - u)), c, 1);
              else blend(static_cast<int>(std::lround(x + u)), static_cast<int>(std::lround(y + v)), c, 1);
            }
          }
        }
      }
    }
  }

 private:
  int w_, h_;
  std::vector<uint8_t> px_;
};

}  // namespace

Result<std::string> render_line_chart_png(const std::vector<ChartSeries>& series, const ChartOptions& o) {
  ML_ASSIGN_OR_RETURN(const chart_detail::Layout L, chart_detail::compute_layout(series, o));
  constexpr double S = 2;  // pixels per layout unit
  Canvas cv(static_cast<int>(o.width * S), static_cast<int>(o.height * S));
  const Rgb grid = parse_color("#e0e0e0"), axis = parse_color("#333333"), legend_border = parse_color("#999999");
  auto X = [&](double x) { return L.px(x) * S; };
  auto Y = [&](double y) { return L.py(y) * S; };
  const double top = L.top * S, bottom = (L.top + L.ph) * S, left = L.left * S, right = (L.left + L.pw) * S;
  for (double t : L.xt) cv.line(X(t), top, X(t), bottom, S, grid);
  for (double t : L.yt) cv.line(left, Y(t), right, Y(t), S, grid);
  cv.line(left, bottom, right, bottom, S, axis);
  cv.line(left, top, left, bottom, S, axis);
  for (double t : L.xt) cv.text(chart_detail::tick_label(t, L.xstep), X(t), bottom + 18 * S, 2, 1, axis);
  for (double t : L.yt) cv.text(chart_detail::tick_label(t, L.ystep), left - 8 * S, Y(t) + 4 * S, 2, 2, axis);
  if (!o.title.empty()) cv.text(o.title, o.width * S / 2, 30 * S, 3, 1, parse_color("#000000"));
  if (!o.x_label.empty()) cv.text(o.x_label, (L.left + L.pw / 2) * S, (o.height - 12) * S, 2, 1, axis);
  if (!o.y_label.empty()) cv.text(o.y_label, 24 * S, (L.top + L.ph / 2) * S, 2, 1, axis, true);
  for (size_t si = 0; si < series.size(); ++si) {
    const ChartSeries& s = series[si];
    const Rgb c = parse_color(L.colors[si]);
    bool have_prev = false;
    double px = 0, py = 0, phase = 0;
    for (size_t i = 0; i < s.x.size(); ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) {
        have_prev = false;
        continue;
      }
      const double x = X(s.x[i]), y = Y(s.y[i]);
      if (have_prev) cv.stroke(px, py, x, y, s.stroke_width * S, c, s.dashed, S, &phase);
      if (s.markers) cv.disc(x, y, 3 * S, c);
      px = x;
      py = y;
      have_prev = true;
    }
  }
  if (!series.empty()) {
    cv.fill_rect(L.lx * S, L.ly * S, L.lw * S, L.lh * S, parse_color("#ffffff"), 0.85);
    const double x0 = L.lx * S, y0 = L.ly * S, x1 = (L.lx + L.lw) * S, y1 = (L.ly + L.lh) * S;
    cv.line(x0, y0, x1, y0, S, legend_border);
    cv.line(x1, y0, x1, y1, S, legend_border);
    cv.line(x1, y1, x0, y1, S, legend_border);
    cv.line(x0, y1, x0, y0, S, legend_border);
    for (size_t i = 0; i < series.size(); ++i) {
      const double yy = (L.ly + 16 + 18.0 * static_cast<double>(i)) * S;
      double phase = 0;
      cv.stroke((L.lx + 8) * S, yy - 4 * S, (L.lx + 28) * S, yy - 4 * S, 2.5 * S, parse_color(L.colors[i]),
                series[i].dashed, S, &phase);
      cv.text(series[i].name, (L.lx + 34) * S, yy, 2, 0, axis);
    }
  }
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  image.width = static_cast<png_uint_32>(cv.width());
  image.height = static_cast<png_uint_32>(cv.height());
  image.format = PNG_FORMAT_RGB;
  png_alloc_size_t size = 0;
  if (!png_image_write_to_memory(&image, nullptr, &size, 0, cv.data(), 0, nullptr)) {
    return internal_error(std::string("libpng: ") + image.message);
  }
  std::string out(size, '\0');
  if (!png_image_write_to_memory(&image, out.data(), &size, 0, cv.data(), 0, nullptr)) {
    return internal_error(std::string("libpng: ") + image.message);
  }
  out.resize(size);
  return out;
}

}  // namespace marketlm
