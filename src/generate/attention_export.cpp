// Attention export: collect the model's attention probabilities for a token
// sequence and render them as JSON and per-layer SVG heatmaps.
#include "marketlm/generate/attention_export.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "marketlm/core/file_io.h"

namespace marketlm {
namespace {

// Valid UTF-8 of s (bad bytes become U+FFFD) with whitespace made visible.
std::string label_text(const std::string& s, size_t max_chars) {
  std::string out;
  size_t chars = 0;
  for (size_t i = 0; i < s.size() && chars < max_chars;) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    bool ok = len > 0 && i + len <= s.size();
    for (int k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    ++chars;
    if (!ok) {
      out += "\xEF\xBF\xBD";
      ++i;
      continue;
    }
    if (c == ' ') {
      out += "\xC2\xB7";  // middle dot
    } else if (c == '\n') {
      out += "\xE2\x86\xB5";  // return arrow
    } else if (c == '\t') {
      out += "\xE2\x87\xA5";
    } else if (c < 0x20) {
      out += "\xEF\xBF\xBD";
    } else if (c == '&') {
      out += "&amp;";
    } else if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else if (c == '"') {
      out += "&quot;";
    } else {
      out.append(s, i, static_cast<size_t>(len));
    }
    i += static_cast<size_t>(len);
  }
  return out.empty() ? "\xE2\x88\x85" : out;  // empty set sign for an empty token
}

// White (0) to dark blue (1).
std::string color(float w) {
  const float t = std::clamp(w, 0.0f, 1.0f);
  auto mix = [&](int lo, int hi) { return static_cast<int>(lo + (hi - lo) * t + 0.5f); };
  char buf[8];
  std::snprintf(buf, sizeof(buf), "#%02x%02x%02x", mix(255, 8), mix(255, 48), mix(255, 107));
  return buf;
}

}  // namespace

Result<AttentionExport> export_attention(GptModel& model, const std::vector<int32_t>& ids, int prompt_tokens,
                                         const std::function<std::string(int32_t)>& token_text) {
  const GptConfig& c = model.config();
  if (ids.empty()) return invalid_argument("attention export: no tokens");
  if (static_cast<int>(ids.size()) > c.n_ctx)
    return out_of_range("attention export: " + std::to_string(ids.size()) + " tokens exceed n_ctx " +
                        std::to_string(c.n_ctx));
  if (prompt_tokens < 0 || prompt_tokens > static_cast<int>(ids.size()))
    return invalid_argument("attention export: prompt_tokens " + std::to_string(prompt_tokens) +
                            " is outside [0, " + std::to_string(ids.size()) + "]");
  AttentionExport a;
  a.n_layer = c.n_layer;
  a.n_head = c.n_head;
  a.prompt_tokens = prompt_tokens;
  a.token_ids = ids;
  ML_RETURN_IF_ERROR(model.attention_weights(ids.data(), static_cast<int>(ids.size()), &a.weights));
  for (int32_t id : ids) {
    if (token_text) {
      a.tokens.push_back(token_text(id));
    } else {
      a.tokens.emplace_back(1, '#');
      a.tokens.back() += std::to_string(id);
    }
  }
  return a;
}

std::string attention_export_to_json(const AttentionExport& a) {
  using json = nlohmann::json;
  const int T = a.length();
  json j;
  j["n_layer"] = a.n_layer;
  j["n_head"] = a.n_head;
  j["prompt_tokens"] = a.prompt_tokens;
  json toks = json::array();
  for (int i = 0; i < T; ++i) toks.push_back({{"id", a.token_ids[i]}, {"text", a.tokens[i]}});
  j["tokens"] = toks;
  json layers = json::array();
  for (int l = 0; l < a.n_layer; ++l) {
    json heads = json::array();
    for (int h = 0; h < a.n_head; ++h) {
      json rows = json::array();
      for (int i = 0; i < T; ++i) {
        json row = json::array();
        for (int k = 0; k <= i; ++k) row.push_back(a.at(l, h, i, k));
        rows.push_back(std::move(row));
      }
      heads.push_back({{"head", h}, {"weights", std::move(rows)}});
    }
    layers.push_back({{"layer", l}, {"heads", std::move(heads)}});
  }
  j["layers"] = std::move(layers);
  return j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string attention_layer_svg(const AttentionExport& a, int layer) {
  const int T = a.length(), H = a.n_head;
  const int cs = std::clamp(480 / std::max(T, 1), 4, 18);  // cell size
  const int P = T * cs;                                     // panel size
  const int font = std::min(std::max(cs - 2, 6), 11);
  const int margin = 8 * font + 12;  // room for about 12 label characters
  const int cols = std::min(H, 4), rows = (H + cols - 1) / cols;
  const int pw = margin + P + 24, ph = 22 + P + margin, top = 56;
  const int W = std::max(cols * pw + 20, 720), Ht = top + rows * ph + 10;
  std::vector<std::string> labels;
  for (const std::string& t : a.tokens) labels.push_back(label_text(t, 12));
  std::string s;
  char buf[320];
  std::snprintf(buf, sizeof(buf),
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                "font-family=\"sans-serif\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
                W, Ht, W, Ht);
  s += buf;
  std::snprintf(buf, sizeof(buf),
                "<text x=\"10\" y=\"20\" font-size=\"15\" font-weight=\"bold\">Attention, layer %d (layers 0-%d), "
                "%d prompt + %d generated tokens</text>\n",
                layer, a.n_layer - 1, a.prompt_tokens, T - a.prompt_tokens);
  s += buf;
  // Colour scale 0..1.
  for (int i = 0; i <= 10; ++i) {
    std::snprintf(buf, sizeof(buf), "<rect x=\"%d\" y=\"32\" width=\"16\" height=\"10\" fill=\"%s\" stroke=\"#999\" stroke-width=\"0.3\"/>\n",
                  10 + 16 * i, color(static_cast<float>(i) / 10.0f).c_str());
    s += buf;
  }
  std::snprintf(buf, sizeof(buf),
                "<text x=\"10\" y=\"52\" font-size=\"9\">0</text><text x=\"178\" y=\"52\" font-size=\"9\">1</text>"
                "<text x=\"196\" y=\"41\" font-size=\"10\">weight. Rows: attending token; columns: attended token; "
                "grey: masked (future); blue labels: generated</text>\n");
  s += buf;
  for (int h = 0; h < H; ++h) {
    const int ox = 10 + (h % cols) * pw + margin, oy = top + (h / cols) * ph + 22;
    std::snprintf(buf, sizeof(buf), "<text x=\"%d\" y=\"%d\" font-size=\"12\" font-weight=\"bold\">head %d</text>\n", ox,
                  oy - 6, h);
    s += buf;
    for (int i = 0; i < T; ++i)
      for (int k = 0; k < T; ++k) {
        const std::string fill = k > i ? std::string("#e8e8e8") : color(a.at(layer, h, i, k));
        std::snprintf(buf, sizeof(buf), "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>", ox + k * cs,
                      oy + i * cs, cs, cs, fill.c_str());
        s += buf;
      }
    s += "\n";
    std::snprintf(buf, sizeof(buf), "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#666\"/>\n",
                  ox, oy, P, P);
    s += buf;
    for (int i = 0; i < T; ++i) {
      const char* fill = i >= a.prompt_tokens ? "#1f5fbf" : "#222";
      // Rows: right-aligned to the left of the panel.
      std::snprintf(buf, sizeof(buf), "<text x=\"%d\" y=\"%d\" font-size=\"%d\" text-anchor=\"end\" fill=\"%s\">", ox - 3,
                    oy + i * cs + cs / 2 + font / 3, font, fill);
      s += buf;
      s += labels[i] + "</text>";
      // Columns: rotated under the panel.
      const int x = ox + i * cs + cs / 2 + font / 3, y = oy + P + 4;
      std::snprintf(buf, sizeof(buf),
                    "<text x=\"%d\" y=\"%d\" font-size=\"%d\" text-anchor=\"end\" fill=\"%s\" "
                    "transform=\"rotate(-90 %d %d)\">",
                    x, y, font, fill, x, y);
      s += buf;
      s += labels[i] + "</text>\n";
    }
  }
  s += "</svg>\n";
  return s;
}

Status write_attention_export(const AttentionExport& a, const std::string& dir) {
  ML_RETURN_IF_ERROR(make_dirs(dir));
  ML_RETURN_IF_ERROR(write_file_atomic(dir + "/attention.json", attention_export_to_json(a)));
  for (int l = 0; l < a.n_layer; ++l) {
    char name[32];
    std::snprintf(name, sizeof(name), "/layer_%02d.svg", l);
    ML_RETURN_IF_ERROR(write_file_atomic(dir + name, attention_layer_svg(a, l)));
  }
  return Status::ok();
}

}  // namespace marketlm
