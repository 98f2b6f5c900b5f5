// Point estimates with intervals as SVG: one dot per labelled estimate, a
// vertical bar from its low to its high end, and an optional dashed
// horizontal reference line (e.g. a policy's on-policy value). For comparing
// estimators side by side; curves are chart.h's.
#pragma once

#include <string>
#include <vector>

#include "marketlm/core/status.h"
#include "marketlm/io/chart.h"

namespace marketlm {

struct IntervalChart {
  std::vector<std::string> labels;            // one per estimate, under the x axis
  std::vector<double> value, low, high;       // as many as labels; a non-finite one is not drawn
  double reference = 0;                       // where the reference line goes
  std::string reference_label;                // "" = no reference line
};

// Errors when the four lists differ in length, or nothing is finite to draw.
// options.x_label is unused (the labels name the estimates).
Result<std::string> render_interval_chart_svg(const IntervalChart& chart, const ChartOptions& options);

// Renders and writes atomically; the path must end in .svg.
Status write_interval_chart(const std::string& path, const IntervalChart& chart, const ChartOptions& options);

}  // namespace marketlm
