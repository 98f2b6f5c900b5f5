// Small, dependency-free SVG rendering for the campaign charts.
#include "marketlm/apps/campaign/svg_plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace marketlm::campaign {

namespace {

constexpr double kW = 720, kH = 460, kL = 80, kR = 170, kT = 50, kB = 60;
const char* kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#7f7f7f"};

std::string esc(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '<') o += "&lt;";
    else if (c == '>') o += "&gt;";
    else if (c == '&') o += "&amp;";
    else if (c == '"') o += "&quot;";
    else o += c;
  }
  return o;
}

std::string fmt(const char* f, double v) {
  char b[64];
  std::snprintf(b, sizeof b, f, v);
  return b;
}

std::string tick_label(double v) {
  double a = std::fabs(v);
  if (a == 0) return "0";
  if (a >= 1000) return fmt("%.0f", v);
  if (a >= 10) return fmt("%.1f", v);
  if (a >= 0.1) return fmt("%.2f", v);
  return fmt("%.4f", v);
}

struct Frame {
  double x0, x1, y0, y1;
  double px(double x) const { return kL + (x - x0) / (x1 - x0) * (kW - kL - kR); }
  double py(double y) const { return kH - kB - (y - y0) / (y1 - y0) * (kH - kT - kB); }
};

std::string axes(const Frame& f, const std::string& title, const std::string& xl,
                 const std::string& yl, bool x_ticks) {
  std::string s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + fmt("%.0f", kW) +
                  "\" height=\"" + fmt("%.0f", kH) + "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  s += "<text x=\"" + fmt("%.0f", kW / 2) + "\" y=\"28\" text-anchor=\"middle\" font-size=\"16\">" +
       esc(title) + "</text>\n";
  s += "<line x1=\"" + fmt("%.1f", kL) + "\" y1=\"" + fmt("%.1f", kH - kB) + "\" x2=\"" +
       fmt("%.1f", kW - kR) + "\" y2=\"" + fmt("%.1f", kH - kB) + "\" stroke=\"black\"/>\n";
  s += "<line x1=\"" + fmt("%.1f", kL) + "\" y1=\"" + fmt("%.1f", kT) + "\" x2=\"" + fmt("%.1f", kL) +
       "\" y2=\"" + fmt("%.1f", kH - kB) + "\" stroke=\"black\"/>\n";
  for (int i = 0; i <= 5; ++i) {
    double yv = f.y0 + (f.y1 - f.y0) * i / 5.0, y = f.py(yv);
    s += "<line x1=\"" + fmt("%.1f", kL) + "\" y1=\"" + fmt("%.1f", y) + "\" x2=\"" + fmt("%.1f", kW - kR) +
         "\" y2=\"" + fmt("%.1f", y) + "\" stroke=\"#ddd\"/>\n";
    s += "<text x=\"" + fmt("%.1f", kL - 6) + "\" y=\"" + fmt("%.1f", y + 4) +
         "\" text-anchor=\"end\">" + tick_label(yv) + "</text>\n";
    if (x_ticks) {
      double xv = f.x0 + (f.x1 - f.x0) * i / 5.0, x = f.px(xv);
      s += "<text x=\"" + fmt("%.1f", x) + "\" y=\"" + fmt("%.1f", kH - kB + 18) +
           "\" text-anchor=\"middle\">" + tick_label(xv) + "</text>\n";
    }
  }
  s += "<text x=\"" + fmt("%.1f", (kL + kW - kR) / 2) + "\" y=\"" + fmt("%.1f", kH - 15) +
       "\" text-anchor=\"middle\">" + esc(xl) + "</text>\n";
  s += "<text transform=\"translate(18," + fmt("%.1f", (kT + kH - kB) / 2) +
       ") rotate(-90)\" text-anchor=\"middle\">" + esc(yl) + "</text>\n";
  return s;
}

void pad(double& lo, double& hi) {
  if (!(hi > lo)) {
    lo -= 0.5;
    hi += 0.5;
  }
  double m = (hi - lo) * 0.05;
  lo -= m;
  hi += m;
}

}  // namespace

std::string render_line_chart(const LineChart& c) {
  double x0 = std::numeric_limits<double>::infinity(), x1 = -x0, y0 = x0, y1 = -x0;
  for (const auto& s : c.series)
    for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) continue;
      x0 = std::min(x0, s.x[i]), x1 = std::max(x1, s.x[i]);
      y0 = std::min(y0, s.y[i]), y1 = std::max(y1, s.y[i]);
    }
  if (!std::isfinite(x0)) x0 = 0, x1 = 1, y0 = 0, y1 = 1;
  if (!(x1 > x0)) x1 = x0 + 1;
  pad(y0, y1);
  Frame f{x0, x1, y0, y1};
  std::string s = axes(f, c.title, c.x_label, c.y_label, true);
  for (size_t k = 0; k < c.series.size(); ++k) {
    const auto& se = c.series[k];
    const char* col = kColors[k % 7];
    std::string pts;
    // Thin long series to at most ~600 points.
    size_t step = std::max<size_t>(1, se.x.size() / 600);
    for (size_t i = 0; i < se.x.size() && i < se.y.size(); i += step) {
      if (!std::isfinite(se.x[i]) || !std::isfinite(se.y[i])) continue;
      pts += fmt("%.1f", f.px(se.x[i])) + "," + fmt("%.1f", f.py(se.y[i])) + " ";
    }
    if (!se.x.empty() && (se.x.size() - 1) % step != 0)
      pts += fmt("%.1f", f.px(se.x.back())) + "," + fmt("%.1f", f.py(se.y.back()));
    s += std::string("<polyline fill=\"none\" stroke=\"") + col + "\" stroke-width=\"2\"" +
         (se.dashed ? " stroke-dasharray=\"6,4\"" : "") + " points=\"" + pts + "\"/>\n";
    double ly = kT + 10 + 20.0 * k;
    s += std::string("<line x1=\"") + fmt("%.1f", kW - kR + 10) + "\" y1=\"" + fmt("%.1f", ly) +
         "\" x2=\"" + fmt("%.1f", kW - kR + 34) + "\" y2=\"" + fmt("%.1f", ly) + "\" stroke=\"" + col +
         "\" stroke-width=\"2\"" + (se.dashed ? " stroke-dasharray=\"6,4\"" : "") + "/>\n";
    s += "<text x=\"" + fmt("%.1f", kW - kR + 40) + "\" y=\"" + fmt("%.1f", ly + 4) + "\">" +
         esc(se.name) + "</text>\n";
  }
  return s + "</svg>\n";
}

std::string render_interval_chart(const IntervalChart& c) {
  double y0 = std::numeric_limits<double>::infinity(), y1 = -y0;
  for (size_t i = 0; i < c.value.size(); ++i)
    for (double v : {c.value[i], c.low[i], c.high[i]})
      if (std::isfinite(v)) y0 = std::min(y0, v), y1 = std::max(y1, v);
  if (!c.reference_label.empty()) y0 = std::min(y0, c.reference), y1 = std::max(y1, c.reference);
  if (!std::isfinite(y0)) y0 = 0, y1 = 1;
  pad(y0, y1);
  const size_t n = c.labels.size();
  Frame f{0, static_cast<double>(n), y0, y1};
  std::string s = axes(f, c.title, "", c.y_label, false);
  if (!c.reference_label.empty()) {
    double y = f.py(c.reference);
    s += "<line x1=\"" + fmt("%.1f", kL) + "\" y1=\"" + fmt("%.1f", y) + "\" x2=\"" + fmt("%.1f", kW - kR) +
         "\" y2=\"" + fmt("%.1f", y) + "\" stroke=\"#d62728\" stroke-dasharray=\"6,4\"/>\n";
    s += "<text x=\"" + fmt("%.1f", kW - kR + 6) + "\" y=\"" + fmt("%.1f", y + 4) +
         "\" fill=\"#d62728\">" + esc(c.reference_label) + "</text>\n";
  }
  for (size_t i = 0; i < n && i < c.value.size(); ++i) {
    double x = f.px(i + 0.5);
    if (std::isfinite(c.low[i]) && std::isfinite(c.high[i]))
      s += "<line x1=\"" + fmt("%.1f", x) + "\" y1=\"" + fmt("%.1f", f.py(c.low[i])) + "\" x2=\"" +
           fmt("%.1f", x) + "\" y2=\"" + fmt("%.1f", f.py(c.high[i])) +
           "\" stroke=\"#1f77b4\" stroke-width=\"2\"/>\n";
    if (std::isfinite(c.value[i]))
      s += "<circle cx=\"" + fmt("%.1f", x) + "\" cy=\"" + fmt("%.1f", f.py(c.value[i])) +
           "\" r=\"5\" fill=\"#1f77b4\"/>\n";
    if (n > 5)  // slanted labels so long names do not overlap
      s += "<text transform=\"translate(" + fmt("%.1f", x + 4) + "," + fmt("%.1f", kH - kB + 12) +
           ") rotate(-30)\" text-anchor=\"end\" font-size=\"10\">" + esc(c.labels[i]) + "</text>\n";
    else
      s += "<text x=\"" + fmt("%.1f", x) + "\" y=\"" + fmt("%.1f", kH - kB + 18) +
           "\" text-anchor=\"middle\">" + esc(c.labels[i]) + "</text>\n";
  }
  return s + "</svg>\n";
}

}  // namespace marketlm::campaign
