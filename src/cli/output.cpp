#include "cli/output.h"

#include <unistd.h>

#include <cstdio>

namespace marketlm::cli {

void print_json(const nlohmann::json& j) {
  std::string s = j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  std::fwrite(s.data(), 1, s.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

int report_error(const std::string& command, const Status& status) {
  std::fprintf(stderr, "marketlm %s: error: %s\n", command.c_str(), status.message().c_str());
  return status.code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFailure;
}

ProgressBar::ProgressBar(bool enabled)
    : enabled_(enabled), tty_(::isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()) {}

ProgressSink ProgressBar::sink() {
  return [this](const ProgressEvent& e) { update(e); };
}

namespace {
std::string format_duration(double s) {
  char buf[32];
  if (s < 0 || s > 1e7) return "?";
  int t = static_cast<int>(s + 0.5);
  if (t >= 3600) std::snprintf(buf, sizeof buf, "%dh%02dm", t / 3600, (t / 60) % 60);
  else std::snprintf(buf, sizeof buf, "%dm%02ds", t / 60, t % 60);
  return buf;
}
}  // namespace

void ProgressBar::update(const ProgressEvent& e) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (e.stage != last_stage_) {
    if (!last_stage_.empty() && tty_) std::fputc('\n', stderr);
    last_stage_ = std::string(e.stage);
    start_ = now;
    start_done_ = e.done;  // a resumed job starts part-way: its rate counts from here
    last_draw_ = {};
  }
  const double since_draw = std::chrono::duration<double>(now - last_draw_).count();
  const double min_gap = tty_ ? 0.1 : 5.0;
  if (!e.finished && since_draw < min_gap) return;
  last_draw_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  std::string bar;
  if (e.total > 0) {
    const double frac = std::min(1.0, static_cast<double>(e.done) / static_cast<double>(e.total));
    const int width = 24, filled = static_cast<int>(frac * width);
    bar.reserve(128);
    bar.push_back('[');
    bar.append(static_cast<size_t>(filled), '#');
    bar.append(static_cast<size_t>(width - filled), '.');
    bar.append("] ");
    char buf[96];
    const int64_t done_here = e.done - start_done_;
    const double eta = done_here > 0 && elapsed > 0
                           ? static_cast<double>(e.total - e.done) * elapsed / static_cast<double>(done_here)
                           : -1;
    std::snprintf(buf, sizeof buf, "%3.0f%% %lld/%lld | %s elapsed | ETA %s", frac * 100,
                  static_cast<long long>(e.done), static_cast<long long>(e.total),
                  format_duration(elapsed).c_str(), format_duration(eta).c_str());
    bar += buf;
  } else {
    bar = std::to_string(e.done) + " | " + format_duration(elapsed) + " elapsed";
  }
  std::fprintf(stderr, "%s%.*s %s%s%.*s%s", tty_ ? "\r\033[K" : "", static_cast<int>(e.stage.size()),
               e.stage.data(), bar.c_str(), e.detail.empty() ? "" : " | ",
               static_cast<int>(e.detail.size()), e.detail.data(), tty_ ? "" : "\n");
  if (e.finished && tty_) std::fputc('\n', stderr);
  std::fflush(stderr);
}

}  // namespace marketlm::cli
