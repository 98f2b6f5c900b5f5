// Line charts as SVG (or PNG): any number of named (x, y) series on shared linear axes
// with "nice" ticks, grid, title, axis labels and a legend (in the plot's
// corner that hides the least of the lines). Generic, so any
// command can draw curves (training loss, uplift, calibration, ...). Point
// estimates with intervals: interval_chart.h.
#pragma once

#include <string>
#include <vector>

#include "marketlm/core/status.h"

namespace marketlm {

struct ChartSeries {
  std::string name;        // legend entry
  std::vector<double> x, y;  // same length; non-finite points are skipped (the line breaks there)
  std::string color;       // CSS colour; "" = next colour of the built-in palette
  bool markers = false;    // draw a dot at each point (good for sparse series)
  bool dashed = false;     // 6-on 4-off dashes, e.g. for a baseline or a published reference
  double stroke_width = 1.5;
};

struct ChartOptions {
  std::string title;
  std::string x_label;
  std::string y_label;
  int width = 800;
  int height = 480;
};

// About `target` round tick values (1, 2 or 5 x 10^k steps) covering [lo, hi].
std::vector<double> nice_ticks(double lo, double hi, int target = 6);

// Errors when there is no finite point to draw or x/y lengths differ.
Result<std::string> render_line_chart_svg(const std::vector<ChartSeries>& series, const ChartOptions& options);

// The same chart as a PNG (rendered at twice the size for crisp lines; labels
// in a built-in 5x7 bitmap font, upper case). Returns the encoded file.
Result<std::string> render_line_chart_png(const std::vector<ChartSeries>& series, const ChartOptions& options);

// Renders and writes atomically; the format follows the extension (.svg or .png).
Status write_line_chart(const std::string& path, const std::vector<ChartSeries>& series,
                        const ChartOptions& options);

}  // namespace marketlm
