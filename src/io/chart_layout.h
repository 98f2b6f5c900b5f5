// Internal: the geometry of a line chart, computed once and drawn by both
// the SVG writer (chart.cpp) and the PNG rasteriser (chart_png.cpp), and the
// SVG helpers the chart writers share (interval_chart.cpp too).
#pragma once

#include <string>
#include <vector>

#include "marketlm/core/status.h"
#include "marketlm/io/chart.h"

namespace marketlm::chart_detail {

struct Layout {
  int width = 0, height = 0;
  double x0 = 0, x1 = 1, y0 = 0, y1 = 1;        // data range (first/last tick)
  double left = 0, top = 0, pw = 0, ph = 0;     // plot area in pixels
  std::vector<double> xt, yt;                   // tick values
  double xstep = 1, ystep = 1;
  std::vector<std::string> colors;              // one per series
  double lx = 0, ly = 0, lw = 0, lh = 0;        // legend box, in the corner it hides the least of the lines in

  double px(double x) const { return left + (x - x0) / (x1 - x0) * pw; }
  double py(double y) const { return top + ph - (y - y0) / (y1 - y0) * ph; }
};

Result<Layout> compute_layout(const std::vector<ChartSeries>& series, const ChartOptions& o);
std::string tick_label(double v, double step);
std::string xml_escape(const std::string& s);
std::string num(double v);  // "%.2f", for SVG coordinates
Status check_size(const ChartOptions& o);  // 200x150 .. 8000x8000
// The SVG's start: XML declaration, <svg>, white background, title.
std::string svg_open(const ChartOptions& o);
// The x and y axis lines of the plot area.
std::string svg_axes(double left, double top, double pw, double ph);
// The rotated y-axis label ("" when there is none).
std::string svg_y_label(const ChartOptions& o, double top, double ph);

}  // namespace marketlm::chart_detail
