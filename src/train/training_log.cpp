#include "marketlm/train/training_log.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "marketlm/core/file_io.h"
#include "marketlm/io/chart.h"

namespace marketlm {

Result<LossCurves> read_training_log(const std::string& path) {
  auto text = read_file(path);
  if (!text.is_ok()) return text.status().with_context("training log");
  LossCurves c;
  size_t pos = 0, line_no = 0;
  const std::string& t = *text;
  while (pos < t.size()) {
    size_t nl = t.find('\n', pos);
    const bool last = nl == std::string::npos;
    if (last) nl = t.size();
    const std::string line = t.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(line);
    } catch (const nlohmann::json::parse_error&) {
      if (last) break;  // cut off mid-write
      return data_error(path + ":" + std::to_string(line_no) +
                        ": not valid JSON; expected one object per line like {\"step\": 1, \"loss\": 3.2}");
    }
    if (!j.is_object() || !j.contains("step") || !j["step"].is_number() || !j.contains("loss") ||
        !j["loss"].is_number()) {
      return data_error(path + ":" + std::to_string(line_no) + ": expected numeric \"step\" and \"loss\" fields");
    }
    const double step = j["step"].get<double>();
    c.step.push_back(step);
    c.loss.push_back(j["loss"].get<double>());
    if (j.contains("val_loss") && j["val_loss"].is_number()) {
      c.val_step.push_back(step);
      c.val_loss.push_back(j["val_loss"].get<double>());
    }
  }
  if (c.step.empty()) return data_error("training log '" + path + "' has no steps yet");
  return c;
}

double auto_smoothing(size_t n_steps) {
  // An averaging window of about 5% of the run: 0.5 at 40 steps, 0.9 at 200, 0.98 from 1000 on.
  if (n_steps <= 20) return 0;
  return std::min(0.98, 1.0 - 20.0 / static_cast<double>(n_steps));
}

Status write_loss_chart(const LossCurves& c, const std::string& image_path, const std::string& title,
                        double smoothing) {
  if (smoothing < 0) smoothing = auto_smoothing(c.step.size());
  std::vector<ChartSeries> series;
  ChartSeries train;
  train.name = "train loss";
  train.x = c.step;
  train.y = c.loss;
  train.color = "#9ecae1";
  train.stroke_width = 1.0;
  if (!(smoothing > 0 && smoothing < 1)) train.color = "#1f77b4";
  series.push_back(train);
  if (smoothing > 0 && smoothing < 1) {
    ChartSeries ema;
    char label[48];
    std::snprintf(label, sizeof label, "train loss (EMA %.2f)", smoothing);
    ema.name = label;
    ema.x = c.step;
    double acc = c.loss.front();
    for (double l : c.loss) {
      acc = smoothing * acc + (1 - smoothing) * l;
      ema.y.push_back(acc);
    }
    ema.color = "#1f77b4";
    ema.stroke_width = 2.0;
    series.push_back(ema);
  }
  if (!c.val_step.empty()) {
    ChartSeries val;
    val.name = "validation loss";
    val.x = c.val_step;
    val.y = c.val_loss;
    val.color = "#d62728";
    val.markers = true;
    val.stroke_width = 2.0;
    series.push_back(val);
  }
  ChartOptions o;
  o.title = title;
  o.x_label = "step";
  o.y_label = "loss (nats/token)";
  return write_line_chart(image_path, series, o);
}

}  // namespace marketlm
