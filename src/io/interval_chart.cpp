#include "marketlm/io/interval_chart.h"

#include <algorithm>
#include <cmath>

#include "io/chart_layout.h"
#include "marketlm/core/file_io.h"

namespace marketlm {

Result<std::string> render_interval_chart_svg(const IntervalChart& c, const ChartOptions& o) {
  using chart_detail::num;
  using chart_detail::tick_label;
  using chart_detail::xml_escape;
  const size_t n = c.labels.size();
  if (c.value.size() != n || c.low.size() != n || c.high.size() != n)
    return invalid_argument("interval chart '" + o.title + "': " + std::to_string(n) + " labels but " +
                            std::to_string(c.value.size()) + " values, " + std::to_string(c.low.size()) +
                            " low and " + std::to_string(c.high.size()) + " high ends");
  ML_RETURN_IF_ERROR(chart_detail::check_size(o));
  double lo = INFINITY, hi = -INFINITY;
  for (size_t i = 0; i < n; ++i)
    for (double v : {c.value[i], c.low[i], c.high[i]})
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  if (!std::isfinite(lo)) return invalid_argument("interval chart '" + o.title + "' has no finite value to draw");
  const bool ref = !c.reference_label.empty() && std::isfinite(c.reference);
  if (ref) lo = std::min(lo, c.reference), hi = std::max(hi, c.reference);
  const std::vector<double> yt = nice_ticks(lo, hi, 6);
  const double y0 = yt.front(), y1 = yt.back(), ystep = yt.size() > 1 ? yt[1] - yt[0] : 1;
  const bool slanted = n > 5;  // long estimator names side by side would overlap
  const double left = 72, top = o.title.empty() ? 20 : 44;
  const double pw = o.width - left - 24, ph = o.height - top - (slanted ? 96 : 56);
  if (ph < 40) return invalid_argument("interval chart '" + o.title + "': height " + std::to_string(o.height) + " is too small");
  auto px = [&](double slot) { return left + slot / static_cast<double>(n) * pw; };
  auto py = [&](double y) { return top + ph - (y - y0) / (y1 - y0) * ph; };

  std::string svg = chart_detail::svg_open(o);
  svg += "<g class=\"grid\" stroke=\"#e0e0e0\" stroke-width=\"1\">\n";
  for (double t : yt)
    svg += "<line x1=\"" + num(left) + "\" y1=\"" + num(py(t)) + "\" x2=\"" + num(left + pw) + "\" y2=\"" + num(py(t)) + "\"/>\n";
  svg += "</g>\n";
  svg += chart_detail::svg_axes(left, top, pw, ph);
  svg += "<g class=\"tick-labels\" fill=\"#333\">\n";
  for (double t : yt)
    svg += "<text class=\"ytick\" x=\"" + num(left - 8) + "\" y=\"" + num(py(t) + 4) + "\" text-anchor=\"end\">" +
           tick_label(t, ystep) + "</text>\n";
  svg += "</g>\n";
  svg += chart_detail::svg_y_label(o, top, ph);
  if (ref) {
    const double y = py(c.reference);
    svg += "<g class=\"reference\">\n<line x1=\"" + num(left) + "\" y1=\"" + num(y) + "\" x2=\"" + num(left + pw) +
           "\" y2=\"" + num(y) + "\" stroke=\"#d62728\" stroke-width=\"1.5\" stroke-dasharray=\"6,4\"/>\n";
    svg += "<text x=\"" + num(left + pw - 4) + "\" y=\"" + num(y - 6) + "\" text-anchor=\"end\" fill=\"#d62728\">" +
           xml_escape(c.reference_label) + "</text>\n</g>\n";
  }
  for (size_t i = 0; i < n; ++i) {
    const double x = px(static_cast<double>(i) + 0.5);
    svg += "<g class=\"estimate\" data-name=\"" + xml_escape(c.labels[i]) + "\">\n";
    if (std::isfinite(c.low[i]) && std::isfinite(c.high[i]))
      svg += "<line x1=\"" + num(x) + "\" y1=\"" + num(py(c.low[i])) + "\" x2=\"" + num(x) + "\" y2=\"" +
             num(py(c.high[i])) + "\" stroke=\"#1f77b4\" stroke-width=\"2\"/>\n";
    if (std::isfinite(c.value[i]))
      svg += "<circle cx=\"" + num(x) + "\" cy=\"" + num(py(c.value[i])) + "\" r=\"5\" fill=\"#1f77b4\"/>\n";
    if (slanted)
      svg += "<text transform=\"translate(" + num(x + 4) + " " + num(top + ph + 14) +
             ") rotate(-30)\" text-anchor=\"end\" font-size=\"11\">" + xml_escape(c.labels[i]) + "</text>\n";
    else
      svg += "<text x=\"" + num(x) + "\" y=\"" + num(top + ph + 18) + "\" text-anchor=\"middle\">" +
             xml_escape(c.labels[i]) + "</text>\n";
    svg += "</g>\n";
  }
  svg += "</svg>\n";
  return svg;
}

Status write_interval_chart(const std::string& path, const IntervalChart& chart, const ChartOptions& options) {
  if (path.size() < 4 || path.compare(path.size() - 4, 4, ".svg") != 0)
    return invalid_argument("chart output '" + path + "' must end in .svg (interval charts are SVG only)");
  ML_ASSIGN_OR_RETURN(std::string svg, render_interval_chart_svg(chart, options));
  return write_file_atomic(path, svg);
}

}  // namespace marketlm
