// Tiny SVG charts for campaign reports: line charts (Qini, gains, regret)
// and point-with-interval charts (policy-value estimates). Self-contained,
// no dependencies; returns the SVG text (write it with write_file_atomic).
#pragma once

#include <string>
#include <vector>

namespace marketlm::campaign {

struct PlotSeries {
  std::string name;
  std::vector<double> x, y;
  bool dashed = false;
};

struct LineChart {
  std::string title, x_label, y_label;
  std::vector<PlotSeries> series;
};

struct IntervalChart {
  std::string title, y_label;
  std::vector<std::string> labels;
  std::vector<double> value, low, high;
  double reference = 0;          // a horizontal reference line (e.g. the on-policy value)
  std::string reference_label;   // empty: no line
};

std::string render_line_chart(const LineChart& c);
std::string render_interval_chart(const IntervalChart& c);

}  // namespace marketlm::campaign
