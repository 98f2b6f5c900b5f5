#include "marketlm/io/chart.h"

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

}  // namespace
}  // namespace marketlm
