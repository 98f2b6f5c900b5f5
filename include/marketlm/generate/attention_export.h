// Attention export for interpretability: every layer's and head's attention
// weights over the tokens of a generation (prompt + generated), as JSON and as
// one SVG heatmap per layer (a grid of heads, token labels on both axes).
//
//   auto maps = export_attention(model.gpt(), ids, n_prompt, token_text);
//   write_attention_export(*maps, "attn/");  // attention.json, layer_00.svg, ...
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "marketlm/core/status.h"
#include "marketlm/models/gpt/gpt_model.h"

namespace marketlm {

struct AttentionExport {
  int n_layer = 0, n_head = 0;
  int prompt_tokens = 0;               // the first prompt_tokens ids are the prompt
  std::vector<int32_t> token_ids;      // T ids
  std::vector<std::string> tokens;     // T token texts (may hold partial UTF-8)
  std::vector<float> weights;          // [n_layer, n_head, T, T]; row i over keys 0..i
  int length() const { return static_cast<int>(token_ids.size()); }
  float at(int layer, int head, int query, int key) const {
    const size_t T = token_ids.size();
    return weights[((static_cast<size_t>(layer) * n_head + head) * T + query) * T + key];
  }
};

// Runs the model's evaluation forward over ids (prompt + generated, at most
// n_ctx) and collects the attention probabilities. token_text maps an id to
// its text (e.g. the tokenizer's decode of one id); may be empty (then "#id").
Result<AttentionExport> export_attention(GptModel& model, const std::vector<int32_t>& ids, int prompt_tokens,
                                         const std::function<std::string(int32_t)>& token_text);

// {"n_layer":L,"n_head":H,"prompt_tokens":P,"tokens":[{"id":..,"text":..}],
//  "layers":[{"layer":0,"heads":[{"head":0,"weights":[[row 0], [row 1], ...]}]}]}
// Row i holds i + 1 weights (keys 0..i; the causal zeros are left out).
// Invalid UTF-8 in token texts becomes U+FFFD.
std::string attention_export_to_json(const AttentionExport& a);

// One layer as an SVG heatmap: a grid of heads (up to 4 per row), each a
// T x T grid (rows: the attending token, columns: the token attended to;
// white = 0, dark = 1), token texts on both axes, a colour scale.
std::string attention_layer_svg(const AttentionExport& a, int layer);

// Writes dir/attention.json and dir/layer_NN.svg for every layer (atomic
// writes; creates dir).
Status write_attention_export(const AttentionExport& a, const std::string& dir);

}  // namespace marketlm
