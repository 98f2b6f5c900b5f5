#include <gtest/gtest.h>

#include <cmath>

#include "marketlm/apps/campaign/svg_plot.h"

using namespace marketlm::campaign;

TEST(CampaignSvg, ChartsAreWellFormedAndEscapeText) {
  LineChart c;
  c.title = "a < b & c";
  c.series.push_back({"s", {0, 1, 2}, {0, 1, 4}, false});
  c.series.push_back({"nan", {0, 1}, {NAN, 1}, true});
  std::string svg = render_line_chart(c);
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  EXPECT_NE(svg.find("a &lt; b &amp; c"), std::string::npos);
  EXPECT_EQ(svg.find("nan,"), std::string::npos);
  IntervalChart ic;
  ic.labels = {"ips"};
  ic.value = {0.5};
  ic.low = {0.4};
  ic.high = {0.6};
  ic.reference = 0.55;
  ic.reference_label = "truth";
  svg = render_interval_chart(ic);
  EXPECT_NE(svg.find("<circle"), std::string::npos);
  EXPECT_NE(svg.find("truth"), std::string::npos);
}
