#include "marketlm/io/chart.h"
#include "marketlm/io/interval_chart.h"

#include <gtest/gtest.h>
#include <png.h>

#include <cstdio>
#include <cstring>

#include <cmath>
#include <map>
#include <vector>

namespace marketlm {
namespace {

// Minimal XML reader for the test: checks that every tag is closed in order
// and counts elements by name; returns false on malformed markup.
bool parse_xml(const std::string& s, std::map<std::string, int>* counts, std::string* error) {
  std::vector<std::string> stack;
  size_t i = 0;
  while ((i = s.find('<', i)) != std::string::npos) {
    const size_t end = s.find('>', i);
    if (end == std::string::npos) return *error = "unclosed '<'", false;
    std::string tag = s.substr(i + 1, end - i - 1);
    i = end + 1;
    if (tag.empty()) return *error = "empty tag", false;
    if (tag[0] == '?' || tag[0] == '!') continue;
    if (tag[0] == '/') {
      if (stack.empty() || stack.back() != tag.substr(1)) return *error = "mismatched </" + tag.substr(1) + ">", false;
      stack.pop_back();
      continue;
    }
    const bool self_closing = tag.back() == '/';
    const std::string name = tag.substr(0, tag.find_first_of(" /"));
    if (std::count(tag.begin(), tag.end(), '"') % 2 != 0) return *error = "odd quotes in <" + name + ">", false;
    ++(*counts)[name];
    if (!self_closing) stack.push_back(name);
  }
  if (!stack.empty()) return *error = "unclosed <" + stack.back() + ">", false;
  return true;
}

ChartSeries series(std::string name, std::vector<double> x, std::vector<double> y) {
  ChartSeries s;
  s.name = std::move(name);
  s.x = std::move(x);
  s.y = std::move(y);
  return s;
}

TEST(Chart, NiceTicksCoverTheRangeWithRoundSteps) {
  auto t = nice_ticks(0.37, 9.2, 6);
  ASSERT_GE(t.size(), 2u);
  EXPECT_LE(t.front(), 0.37);
  EXPECT_GE(t.back(), 9.2);
  EXPECT_DOUBLE_EQ(t[1] - t[0], 2.0);
  auto flat = nice_ticks(3.0, 3.0, 5);  // a single value still gets a range
  EXPECT_LT(flat.front(), 3.0);
  EXPECT_GT(flat.back(), 3.0);
}

TEST(Chart, SvgIsWellFormedWithAxesTicksLabelsAndLegend) {
  ChartSeries train = series("train loss", {1, 2, 3, 4, 5, 6}, {5.5, 4.0, 3.1, NAN, 2.7, 2.5});
  ChartSeries val = series("val <loss>", {2, 4, 6}, {4.2, 3.0, 2.8});
  val.markers = true;
  ChartOptions o{"Loss & friends", "step", "loss", 640, 400};
  auto svg = render_line_chart_svg({train, val}, o);
  ASSERT_TRUE(svg.is_ok()) << svg.status().to_string();
  std::map<std::string, int> counts;
  std::string error;
  ASSERT_TRUE(parse_xml(*svg, &counts, &error)) << error;
  EXPECT_EQ(counts["svg"], 1);
  EXPECT_EQ(counts["polyline"], 3);  // train breaks at the NaN: 2 pieces, + val
  EXPECT_EQ(counts["circle"], 3);
  EXPECT_GE(counts["text"], 1 + 2 + 2 + 4);  // title, axis labels, legend, ticks
  EXPECT_NE(svg->find("Loss &amp; friends"), std::string::npos);
  EXPECT_NE(svg->find("val &lt;loss&gt;"), std::string::npos);
  EXPECT_NE(svg->find(">step</text>"), std::string::npos);
  EXPECT_NE(svg->find("rotate(-90)"), std::string::npos);
  EXPECT_NE(svg->find("class=\"legend\""), std::string::npos);
  EXPECT_NE(svg->find("class=\"xtick\""), std::string::npos);
}

TEST(Chart, PngDecodesWithTheRightSizeAndColours) {
  ChartSeries up = series("up", {0, 10}, {0, 10});
  up.color = "#d62728";
  up.stroke_width = 4;
  ChartOptions o{"PNG check", "x", "y", 400, 300};
  auto png = render_line_chart_png({up}, o);
  ASSERT_TRUE(png.is_ok()) << png.status().to_string();
  ASSERT_GT(png->size(), 8u);
  EXPECT_EQ(png->substr(1, 3), "PNG");
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  ASSERT_TRUE(png_image_begin_read_from_memory(&image, png->data(), png->size())) << image.message;
  image.format = PNG_FORMAT_RGB;
  EXPECT_EQ(image.width, 800u);  // rendered at 2x
  EXPECT_EQ(image.height, 600u);
  std::vector<uint8_t> px(PNG_IMAGE_SIZE(image));
  ASSERT_TRUE(png_image_finish_read(&image, nullptr, px.data(), 0, nullptr)) << image.message;
  auto at = [&](int x, int y) { return &px[(static_cast<size_t>(y) * image.width + x) * 3]; };
  EXPECT_EQ(at(2, 2)[0], 255);  // white background
  EXPECT_EQ(at(2, 2)[2], 255);
  // The diagonal's midpoint (data 5,5) is in the middle of the plot area: red there.
  const double left = 72, top = 44, pw = 400 - 72 - 24, ph = 300 - 44 - 56;
  const uint8_t* mid = at(static_cast<int>((left + pw / 2) * 2), static_cast<int>((top + ph / 2) * 2));
  EXPECT_GT(mid[0], 180);
  EXPECT_LT(mid[1], 100);
  EXPECT_TRUE(write_line_chart("/tmp/marketlm_chart_test.png", {up}, o).is_ok());
  std::remove("/tmp/marketlm_chart_test.png");
}

TEST(Chart, RefusesEmptyOrMismatchedSeriesAndOtherFormats) {
  EXPECT_FALSE(render_line_chart_svg({series("a", {}, {})}, {}).is_ok());
  EXPECT_FALSE(render_line_chart_svg({series("a", {1, 2}, {1})}, {}).is_ok());
  EXPECT_FALSE(render_line_chart_svg({series("a", {1}, {NAN})}, {}).is_ok());
  Status s = write_line_chart("/tmp/x.jpg", {series("a", {1}, {1})}, {});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
}

// The legend box's top-left corner, read from the SVG.
std::pair<double, double> legend_at(const std::string& svg) {
  const std::string mark = "<g class=\"legend\">\n<rect x=\"";
  const size_t at = svg.find(mark);
  if (at == std::string::npos) return {-1, -1};
  const size_t y = svg.find("y=\"", at + mark.size());
  return {std::stod(svg.substr(at + mark.size())), std::stod(svg.substr(y + 3))};
}

TEST(Chart, LegendTakesTheCornerTheLinesLeaveFree) {
  // A gains-like curve that levels off at 90 on axes up to 100 runs through
  // the top right corner, where the legend would go first: it goes elsewhere.
  ChartOptions o{"", "x", "y", 640, 400};
  auto gains = render_line_chart_svg({series("gains", {0, 10, 20, 100}, {0, 70, 85, 90})}, o);
  ASSERT_TRUE(gains.is_ok());
  auto [gx, gy] = legend_at(*gains);
  EXPECT_FALSE(gx > 640 / 2.0 && gy < 400 / 2.0) << "top right: " << gx << ", " << gy;
  EXPECT_GT(gx, 0.0);
  // A falling loss curve leaves the top right free: the legend stays there.
  auto loss = render_line_chart_svg({series("loss", {0, 10, 100}, {10, 3, 1})}, o);
  ASSERT_TRUE(loss.is_ok());
  auto [lx, ly] = legend_at(*loss);
  EXPECT_GT(lx, 640 / 2.0);
  EXPECT_GT(ly, 0.0);
  EXPECT_LT(ly, 400 / 2.0);
}

TEST(Chart, DashedSeriesHaveGapsInSvgAndPng) {
  // A horizontal line at y = 5 across the plot, dashed or solid: the PNG row
  // through it is red along the whole width when solid, and red with white
  // gaps when dashed.
  ChartSeries flat = series("flat", {0, 10}, {5, 5});
  flat.color = "#ff0000";
  ChartSeries frame = series("frame", {0, 10}, {0, 10});
  frame.color = "#00ff00";
  ChartOptions o{"", "x", "y", 400, 300};
  auto red_and_gaps = [&](bool dashed) {
    flat.dashed = dashed;
    auto png = render_line_chart_png({frame, flat}, o);
    EXPECT_TRUE(png.is_ok()) << png.status().to_string();
    png_image image;
    std::memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    EXPECT_TRUE(png_image_begin_read_from_memory(&image, png->data(), png->size()));
    image.format = PNG_FORMAT_RGB;
    std::vector<uint8_t> px(PNG_IMAGE_SIZE(image));
    EXPECT_TRUE(png_image_finish_read(&image, nullptr, px.data(), 0, nullptr));
    const double left = 72, top = 20, pw = 400 - 72 - 24, ph = 300 - 20 - 56;
    const int row = static_cast<int>((top + ph / 2) * 2);  // data y = 5 (ticks 0..10)
    int red = 0, white = 0;
    for (int x = static_cast<int>(left * 2) + 10; x < static_cast<int>((left + pw * 0.4) * 2); ++x) {
      const uint8_t* p = &px[(static_cast<size_t>(row) * image.width + x) * 3];
      red += p[0] > 200 && p[1] < 80;
      white += p[0] > 240 && p[1] > 240 && p[2] > 240;
    }
    return std::make_pair(red, white);
  };
  auto [solid_red, solid_white] = red_and_gaps(false);
  auto [dash_red, dash_white] = red_and_gaps(true);
  EXPECT_GT(solid_red, 100);
  EXPECT_EQ(solid_white, 0);
  EXPECT_GT(dash_red, 40);
  EXPECT_GT(dash_white, 40);  // 4-unit gaps after 6-unit dashes: about 40% of the run

  flat.dashed = true;
  auto svg = render_line_chart_svg({frame, flat}, o);
  ASSERT_TRUE(svg.is_ok());
  size_t dashes = 0;
  for (size_t at = svg->find("stroke-dasharray"); at != std::string::npos; at = svg->find("stroke-dasharray", at + 1))
    ++dashes;
  EXPECT_EQ(dashes, 2u);  // the series and its legend entry, not the solid one
}

TEST(IntervalChart, SvgHasADotAndABarPerEstimateAndTheReference) {
  IntervalChart c;
  c.labels = {"IPS", "SNIPS", "DR <x>"};
  c.value = {0.5, 0.52, NAN};
  c.low = {0.4, 0.45, 0.3};
  c.high = {0.6, 0.58, 0.7};
  c.reference = 0.55;
  c.reference_label = "on-policy & truth";
  ChartOptions o{"Estimates", "", "value", 640, 400};
  auto svg = render_interval_chart_svg(c, o);
  ASSERT_TRUE(svg.is_ok()) << svg.status().to_string();
  std::map<std::string, int> counts;
  std::string error;
  ASSERT_TRUE(parse_xml(*svg, &counts, &error)) << error;
  EXPECT_EQ(counts["circle"], 2);  // the NaN estimate has its bar only
  EXPECT_NE(svg->find("DR &lt;x&gt;"), std::string::npos);
  EXPECT_NE(svg->find("on-policy &amp; truth"), std::string::npos);
  EXPECT_NE(svg->find("stroke-dasharray"), std::string::npos);
  EXPECT_EQ(svg->find("rotate(-30)"), std::string::npos);  // three labels fit upright
  c.labels.assign(6, "estimator");
  c.value.assign(6, 0.5);
  c.low.assign(6, 0.4);
  c.high.assign(6, 0.6);
  svg = render_interval_chart_svg(c, o);
  ASSERT_TRUE(svg.is_ok());
  EXPECT_NE(svg->find("rotate(-30)"), std::string::npos);  // six are slanted
}

TEST(IntervalChart, RefusesMismatchedOrEmptyEstimatesAndOtherFormats) {
  IntervalChart c;
  c.labels = {"a", "b"};
  c.value = {1};
  c.low = {0, 0};
  c.high = {2, 2};
  auto r = render_interval_chart_svg(c, {});
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("2 labels but 1 values"), std::string::npos);
  c.value = {NAN, NAN};
  c.low = {NAN, NAN};
  c.high = {NAN, NAN};
  EXPECT_FALSE(render_interval_chart_svg(c, {}).is_ok());
  c.value = {1, 2};
  EXPECT_EQ(write_interval_chart("/tmp/x.png", c, {}).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace marketlm
