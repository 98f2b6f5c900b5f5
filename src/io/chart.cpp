#include "marketlm/io/chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "io/chart_layout.h"
#include "marketlm/core/file_io.h"

namespace marketlm {

namespace {

const char* kPalette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"};

}  // namespace

std::vector<double> nice_ticks(double lo, double hi, int target) {
  if (!(hi > lo)) {
    const double pad = lo == 0 ? 1 : std::fabs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const double raw = (hi - lo) / std::max(target, 1);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double frac = raw / mag;
  const double step = (frac <= 1 ? 1 : frac <= 2 ? 2 : frac <= 5 ? 5 : 10) * mag;
  std::vector<double> ticks;
  for (double t = std::floor(lo / step) * step; t <= hi + step * 0.5 && ticks.size() < 50; t += step) {
    ticks.push_back(std::fabs(t) < step * 1e-9 ? 0.0 : t);
  }
  if (ticks.back() < hi) ticks.push_back(ticks.back() + step);
  return ticks;
}

namespace chart_detail {

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string num(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.2f", v);
  return b;
}

Status check_size(const ChartOptions& o) {
  if (o.width < 200 || o.height < 150 || o.width > 8000 || o.height > 8000)
    return invalid_argument("chart size " + std::to_string(o.width) + "x" + std::to_string(o.height) +
                            " is outside 200x150 .. 8000x8000");
  return Status::ok();
}

std::string svg_open(const ChartOptions& o) {
  std::string svg = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(o.width) + "\" height=\"" +
         std::to_string(o.height) + "\" viewBox=\"0 0 " + std::to_string(o.width) + " " + std::to_string(o.height) +
         "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  svg += "<rect x=\"0\" y=\"0\" width=\"" + std::to_string(o.width) + "\" height=\"" + std::to_string(o.height) +
         "\" fill=\"white\"/>\n";
  if (!o.title.empty()) {
    svg += "<text class=\"title\" x=\"" + num(o.width / 2.0) + "\" y=\"26\" text-anchor=\"middle\" font-size=\"16\">" +
           xml_escape(o.title) + "</text>\n";
  }
  return svg;
}

std::string svg_axes(double left, double top, double pw, double ph) {
  return "<g class=\"axes\" stroke=\"#333\" stroke-width=\"1\">\n<line x1=\"" + num(left) + "\" y1=\"" + num(top + ph) +
         "\" x2=\"" + num(left + pw) + "\" y2=\"" + num(top + ph) + "\"/>\n<line x1=\"" + num(left) + "\" y1=\"" + num(top) +
         "\" x2=\"" + num(left) + "\" y2=\"" + num(top + ph) + "\"/>\n</g>\n";
}

std::string svg_y_label(const ChartOptions& o, double top, double ph) {
  if (o.y_label.empty()) return "";
  return "<text class=\"ylabel\" transform=\"translate(18 " + num(top + ph / 2) +
         ") rotate(-90)\" text-anchor=\"middle\">" + xml_escape(o.y_label) + "</text>\n";
}

std::string tick_label(double v, double step) {
  if (std::fabs(v) < step * 1e-9) v = 0;
  char b[32];
  const double a = std::fabs(v);
  if (a != 0 && (a >= 1e6 || a < 1e-3)) {
    std::snprintf(b, sizeof b, "%.3g", v);
  } else {
    const int decimals = step >= 1 ? 0 : static_cast<int>(std::ceil(-std::log10(step) - 1e-9));
    std::snprintf(b, sizeof b, "%.*f", std::min(decimals, 6), v);
  }
  return b;
}

Result<Layout> compute_layout(const std::vector<ChartSeries>& series, const ChartOptions& o) {
  ML_RETURN_IF_ERROR(check_size(o));
  double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
  for (const auto& s : series) {
    if (s.x.size() != s.y.size()) {
      return invalid_argument("chart series '" + s.name + "' has " + std::to_string(s.x.size()) + " x values and " +
                              std::to_string(s.y.size()) + " y values");
    }
    for (size_t i = 0; i < s.x.size(); ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) continue;
      xmin = std::min(xmin, s.x[i]);
      xmax = std::max(xmax, s.x[i]);
      ymin = std::min(ymin, s.y[i]);
      ymax = std::max(ymax, s.y[i]);
    }
  }
  if (!std::isfinite(xmin)) return invalid_argument("chart '" + o.title + "' has no finite point to draw");
  Layout L;
  L.width = o.width;
  L.height = o.height;
  L.xt = nice_ticks(xmin, xmax, 8);
  L.yt = nice_ticks(ymin, ymax, 6);
  L.x0 = L.xt.front();
  L.x1 = L.xt.back();
  L.y0 = L.yt.front();
  L.y1 = L.yt.back();
  L.xstep = L.xt.size() > 1 ? L.xt[1] - L.xt[0] : 1;
  L.ystep = L.yt.size() > 1 ? L.yt[1] - L.yt[0] : 1;
  L.left = 72;
  L.top = o.title.empty() ? 20 : 44;
  L.pw = o.width - L.left - 24;
  L.ph = o.height - L.top - 56;
  size_t palette_i = 0, longest = 0;
  for (const auto& s : series) {
    L.colors.push_back(s.color.empty() ? kPalette[palette_i++ % 8] : s.color);
    longest = std::max(longest, s.name.size());
  }
  L.lw = 40 + 7.0 * static_cast<double>(longest);
  L.lh = 8 + 18.0 * static_cast<double>(series.size());
  // The legend goes in the corner of the plot that covers the least of the
  // lines (top right, top left, bottom right, bottom left on a tie): each
  // segment is sampled every 4 pixels (at most 256 times).
  const double corners[4][2] = {{L.left + L.pw - L.lw - 8, L.top + 8},
                                {L.left + 8, L.top + 8},
                                {L.left + L.pw - L.lw - 8, L.top + L.ph - L.lh - 8},
                                {L.left + 8, L.top + L.ph - L.lh - 8}};
  size_t covered[4] = {0, 0, 0, 0};
  for (const auto& s : series) {
    bool have_prev = false;
    double px0 = 0, py0 = 0;
    for (size_t i = 0; i < s.x.size(); ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) {
        have_prev = false;
        continue;
      }
      const double px1 = L.px(s.x[i]), py1 = L.py(s.y[i]);
      const int samples = have_prev ? std::clamp(static_cast<int>(std::hypot(px1 - px0, py1 - py0) / 4), 1, 256) : 1;
      for (int k = 1; k <= samples; ++k) {
        const double t = static_cast<double>(k) / samples;
        const double x = have_prev ? px0 + t * (px1 - px0) : px1, y = have_prev ? py0 + t * (py1 - py0) : py1;
        for (int c = 0; c < 4; ++c)
          covered[c] += x >= corners[c][0] && x <= corners[c][0] + L.lw && y >= corners[c][1] && y <= corners[c][1] + L.lh;
      }
      px0 = px1;
      py0 = py1;
      have_prev = true;
    }
  }
  const int best = static_cast<int>(std::min_element(covered, covered + 4) - covered);
  L.lx = corners[best][0];
  L.ly = corners[best][1];
  return L;
}

}  // namespace chart_detail

Result<std::string> render_line_chart_svg(const std::vector<ChartSeries>& series, const ChartOptions& o) {
  ML_ASSIGN_OR_RETURN(const chart_detail::Layout L, chart_detail::compute_layout(series, o));
  using chart_detail::num;
  using chart_detail::tick_label;
  using chart_detail::xml_escape;
  const double left = L.left, top = L.top, pw = L.pw, ph = L.ph;
  auto px = [&](double x) { return L.px(x); };
  auto py = [&](double y) { return L.py(y); };
  const auto& xt = L.xt;
  const auto& yt = L.yt;
  std::string svg = chart_detail::svg_open(o);
  // Grid and ticks.
  svg += "<g class=\"grid\" stroke=\"#e0e0e0\" stroke-width=\"1\">\n";
  for (double t : xt) svg += "<line x1=\"" + num(px(t)) + "\" y1=\"" + num(top) + "\" x2=\"" + num(px(t)) + "\" y2=\"" + num(top + ph) + "\"/>\n";
  for (double t : yt) svg += "<line x1=\"" + num(left) + "\" y1=\"" + num(py(t)) + "\" x2=\"" + num(left + pw) + "\" y2=\"" + num(py(t)) + "\"/>\n";
  svg += "</g>\n";
  svg += chart_detail::svg_axes(left, top, pw, ph);
  const double xstep = L.xstep, ystep = L.ystep;
  svg += "<g class=\"tick-labels\" fill=\"#333\">\n";
  for (double t : xt) {
    svg += "<text class=\"xtick\" x=\"" + num(px(t)) + "\" y=\"" + num(top + ph + 18) + "\" text-anchor=\"middle\">" +
           tick_label(t, xstep) + "</text>\n";
  }
  for (double t : yt) {
    svg += "<text class=\"ytick\" x=\"" + num(left - 8) + "\" y=\"" + num(py(t) + 4) + "\" text-anchor=\"end\">" +
           tick_label(t, ystep) + "</text>\n";
  }
  svg += "</g>\n";
  if (!o.x_label.empty()) {
    svg += "<text class=\"xlabel\" x=\"" + num(left + pw / 2) + "\" y=\"" + num(o.height - 12.0) +
           "\" text-anchor=\"middle\">" + xml_escape(o.x_label) + "</text>\n";
  }
  svg += chart_detail::svg_y_label(o, top, ph);
  // Series: one polyline per finite run of points.
  const std::vector<std::string>& colors = L.colors;
  for (size_t si = 0; si < series.size(); ++si) {
    const ChartSeries& s = series[si];
    const std::string& color = colors[si];
    const std::string dash = s.dashed ? " stroke-dasharray=\"6,4\"" : "";
    svg += "<g class=\"series\" data-name=\"" + xml_escape(s.name) + "\">\n";
    std::string pts;
    auto flush = [&] {
      if (!pts.empty()) {
        svg += "<polyline fill=\"none\" stroke=\"" + xml_escape(color) + "\" stroke-width=\"" + num(s.stroke_width) +
               "\"" + dash + " points=\"" + pts + "\"/>\n";
      }
      pts.clear();
    };
    for (size_t i = 0; i < s.x.size(); ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) {
        flush();
        continue;
      }
      if (!pts.empty()) pts += ' ';
      pts += num(px(s.x[i]));
      pts += ',';
      pts += num(py(s.y[i]));
    }
    flush();
    if (s.markers) {
      for (size_t i = 0; i < s.x.size(); ++i) {
        if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) continue;
        svg += "<circle cx=\"" + num(px(s.x[i])) + "\" cy=\"" + num(py(s.y[i])) + "\" r=\"3\" fill=\"" +
               xml_escape(color) + "\"/>\n";
      }
    }
    svg += "</g>\n";
  }
  // Legend, top right inside the plot.
  if (!series.empty()) {
    const double lw = L.lw, lh = L.lh, lx = L.lx, ly = L.ly;
    svg += "<g class=\"legend\">\n<rect x=\"" + num(lx) + "\" y=\"" + num(ly) + "\" width=\"" + num(lw) +
           "\" height=\"" + num(lh) + "\" fill=\"white\" fill-opacity=\"0.85\" stroke=\"#999\"/>\n";
    for (size_t i = 0; i < series.size(); ++i) {
      const double yy = ly + 16 + 18.0 * static_cast<double>(i);
      svg += "<line x1=\"" + num(lx + 8) + "\" y1=\"" + num(yy - 4) + "\" x2=\"" + num(lx + 28) + "\" y2=\"" +
             num(yy - 4) + "\" stroke=\"" + xml_escape(colors[i]) + "\" stroke-width=\"2.5\"" +
             (series[i].dashed ? " stroke-dasharray=\"6,4\"" : "") + "/>\n";
      svg += "<text x=\"" + num(lx + 34) + "\" y=\"" + num(yy) + "\">" + xml_escape(series[i].name) + "</text>\n";
    }
    svg += "</g>\n";
  }
  svg += "</svg>\n";
  return svg;
}

Status write_line_chart(const std::string& path, const std::vector<ChartSeries>& series, const ChartOptions& options) {
  auto ends = [&](const char* ext) { return path.size() >= 4 && path.compare(path.size() - 4, 4, ext) == 0; };
  if (ends(".png")) {
    ML_ASSIGN_OR_RETURN(std::string png, render_line_chart_png(series, options));
    return write_file_atomic(path, png);
  }
  if (!ends(".svg")) return invalid_argument("chart output '" + path + "' must end in .svg or .png");
  ML_ASSIGN_OR_RETURN(std::string svg, render_line_chart_svg(series, options));
  return write_file_atomic(path, svg);
}

}  // namespace marketlm
