// SASRec parameters, forward over the shared block, backward.
#include "marketlm/models/sasrec/sasrec_model.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "marketlm/core/check.h"
#include "marketlm/kernels/elementwise.h"
#include "marketlm/kernels/layernorm.h"
#include "marketlm/kernels/matmul.h"

namespace marketlm::sasrec {

using namespace marketlm::kernels;

Status SasrecConfig::validate() const {
  auto bad = [](const char* field, const std::string& value, const char* expected) {
    return invalid_argument(std::string("sasrec config field '") + field + "' = " + value + ", expected " + expected);
  };
  if (n_items < 1) return bad("n_items", std::to_string(n_items), ">= 1");
  if (maxlen < 1 || maxlen > 4096) return bad("maxlen", std::to_string(maxlen), "in [1, 4096]");
  if (d < 1 || d > 4096) return bad("d", std::to_string(d), "in [1, 4096]");
  if (n_blocks < 1 || n_blocks > 64) return bad("n_blocks", std::to_string(n_blocks), "in [1, 64]");
  if (n_heads < 1 || d % n_heads != 0) return bad("n_heads", std::to_string(n_heads), ">= 1 and dividing d");
  if (!(dropout >= 0 && dropout < 1)) return bad("dropout", std::to_string(dropout), "in [0, 1)");
  if (!(ln_eps > 0)) return bad("ln_eps", std::to_string(ln_eps), "> 0");
  return Status::ok();
}

SasrecModel::SasrecModel(const SasrecConfig& config) : cfg_(config) {
  const int64_t C = cfg_.d;
  size_t off = 0;
  auto add = [&](const std::string& name, std::vector<int64_t> shape) {
    ParamSpec s;
    s.name = name;
    s.shape = std::move(shape);
    s.numel = 1;
    for (int64_t v : s.shape) s.numel *= static_cast<size_t>(v);
    s.offset = off;
    s.decay = false;  // the paper trains with plain Adam
    off += s.numel;
    specs_.push_back(std::move(s));
  };
  add("item_emb.weight", {cfg_.n_items + 1, C});
  add("pos_emb.weight", {cfg_.maxlen, C});
  block_off_ = off;
  static const char* kNames[12] = {"ln1.weight",    "ln1.bias",    "attn.qkv.weight", "attn.qkv.bias",
                                   "attn.o.weight", "attn.o.bias", "ln2.weight",      "ln2.bias",
                                   "fc1.weight",    "fc1.bias",    "fc2.weight",      "fc2.bias"};
  const std::vector<int64_t> shapes[12] = {{C}, {C}, {C, 3 * C}, {3 * C}, {C, C}, {C}, {C}, {C}, {C, C}, {C}, {C, C}, {C}};
  for (int l = 0; l < cfg_.n_blocks; ++l) {
    for (int i = 0; i < 12; ++i) add("blocks." + std::to_string(l) + "." + kNames[i], shapes[i]);
  }
  block_size_ = (off - block_off_) / static_cast<size_t>(cfg_.n_blocks);
  lnf_off_ = off;
  add("ln_final.weight", {C});
  add("ln_final.bias", {C});
  item_off_ = 0;
  pos_off_ = specs_[1].offset;
  params_.assign(off, 0.0f);
  grads_.assign(off, 0.0f);
}

const ParamSpec* SasrecModel::find(const std::string& name) const {
  for (const auto& s : specs_) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

void SasrecModel::init(Rng& rng) {
  for (const auto& s : specs_) {
    float* p = params_.data() + s.offset;
    const std::string& n = s.name;
    auto ends_with = [&n](const char* suffix) {
      const size_t k = std::strlen(suffix);
      return n.size() >= k && n.compare(n.size() - k, k, suffix) == 0;
    };
    const bool is_ln = ends_with("ln1.weight") || ends_with("ln2.weight") || ends_with("ln_final.weight");
    if (s.shape.size() == 2) {
      double fan_in = static_cast<double>(s.shape[1]), fan_out = static_cast<double>(s.shape[0]);
      if (n.find("qkv.weight") != std::string::npos) fan_out = fan_in;  // q, k, v are three [d, d] matrices
      const double sd = std::sqrt(2.0 / (fan_in + fan_out));
      for (size_t i = 0; i < s.numel; ++i) p[i] = static_cast<float>(rng.normal() * sd);
    } else {
      std::fill(p, p + s.numel, is_ln ? 1.0f : 0.0f);
    }
  }
  std::fill(params_.begin(), params_.begin() + cfg_.d, 0.0f);  // padding row
}

void SasrecModel::zero_grads() { std::fill(grads_.begin(), grads_.end(), 0.0f); }

nn::BlockDims SasrecModel::dims(int B, int T, const int32_t* key_start) const {
  nn::BlockDims d;
  d.B = B;
  d.T = T;
  d.C = cfg_.d;
  d.NH = cfg_.n_heads;
  d.ln_eps = cfg_.ln_eps;
  d.hidden = cfg_.d;
  d.relu = true;
  d.hidden_dropout = true;
  d.key_start = key_start;
  return d;
}

// Every size below is linear in B*T except the attention, B*NH*T*T: a buffer
// sized for [cap_B, maxlen] holds any [B <= cap_B, T <= maxlen].
void SasrecModel::prepare(SasrecWorkspace& ws, int B, bool with_dropout) const {
  if (ws.buf.empty() || B > ws.cap_B || ws.with_dropout != with_dropout) {
    ws.cap_B = B;
    ws.with_dropout = with_dropout;
    ws.key_start.assign(static_cast<size_t>(B), 0);
    const nn::BlockDims d = dims(B, cfg_.maxlen, ws.key_start.data());
    const size_t btc = d.BTC(), bt = d.BT();
    const size_t per_block = nn::block_act_floats(d, with_dropout);
    const size_t n = btc * (with_dropout ? 2 : 1) + per_block * static_cast<size_t>(cfg_.n_blocks) + btc +
                     2 * bt + nn::block_scratch_floats(d) + 3 * btc;
    ws.buf.assign(n, 0.0f);
    ws.B = 0;
  }
  bind(ws, B, cfg_.maxlen);
}

void SasrecModel::bind(SasrecWorkspace& ws, int B, int T) const {
  ML_CHECK(B <= ws.cap_B && T <= cfg_.maxlen && !ws.buf.empty());
  if (ws.B == B && ws.T == T) return;
  ws.B = B;
  ws.T = T;
  const nn::BlockDims d = dims(B, T, ws.key_start.data());
  const size_t btc = d.BTC(), bt = d.BT();
  const size_t per_block = nn::block_act_floats(d, ws.with_dropout);
  float* p = ws.buf.data();
  auto take = [&p](size_t k) {
    float* r = p;
    p += k;
    return r;
  };
  ws.emb_out = take(btc);
  ws.emb_mask = ws.with_dropout ? take(btc) : nullptr;
  ws.acts.clear();
  for (int l = 0; l < cfg_.n_blocks; ++l) ws.acts.push_back(nn::bind_block_acts(take(per_block), d, ws.with_dropout));
  ws.lnf = take(btc);
  ws.lnf_mean = take(bt);
  ws.lnf_rstd = take(bt);
  ws.scratch = nn::bind_block_scratch(take(nn::block_scratch_floats(d)), d);
  ws.d_x = take(btc);
  ws.d_y = take(btc);
  ws.d_hidden = take(btc);
}

namespace {
void zero_padded_rows(float* x, const int32_t* seq, size_t BT, int C) {
  for (size_t r = 0; r < BT; ++r) {
    if (seq[r] == 0) std::memset(x + r * static_cast<size_t>(C), 0, static_cast<size_t>(C) * sizeof(float));
  }
}
}  // namespace

void SasrecModel::forward(SasrecWorkspace& ws, const int32_t* seq, Rng* rng, const KernelContext& ctx) const {
  const int B = ws.B, T = ws.T, C = cfg_.d, t_off = cfg_.maxlen - ws.T;
  for (int b = 0; b < B; ++b) {
    int s = 0;
    while (s < T && seq[b * T + s] == 0) ++s;
    ws.key_start[static_cast<size_t>(b)] = s;
  }
  const nn::BlockDims d = dims(B, T, ws.key_start.data());
  const bool drop = rng != nullptr && ws.with_dropout && cfg_.dropout > 0.0f;
  const float scale = std::sqrt(static_cast<float>(C));
  const float* item = params_.data() + item_off_;
  const float* pos = params_.data() + pos_off_;
  const size_t btc = d.BTC();
  for (int b = 0; b < B; ++b) {
    for (int t = 0; t < T; ++t) {
      const size_t r = static_cast<size_t>(b) * T + t;
      float* x = ws.emb_out + r * C;
      const int32_t id = seq[r];
      if (id == 0) {
        std::fill(x, x + C, 0.0f);
        continue;
      }
      const float* e = item + static_cast<size_t>(id) * C;
      const float* pe = pos + static_cast<size_t>(t + t_off) * C;
      for (int c = 0; c < C; ++c) x[c] = e[c] * scale + pe[c];
    }
  }
  if (drop) {
    dropout_mask(ws.emb_mask, static_cast<int64_t>(btc), cfg_.dropout, rng);
    dropout_forward(ws.emb_out, ws.emb_out, ws.emb_mask, static_cast<int64_t>(btc), ctx);
  }
  nn::DropoutRates rates;
  rates.attn = cfg_.dropout;
  rates.resid = cfg_.dropout;
  const float* x = ws.emb_out;
  for (int l = 0; l < cfg_.n_blocks; ++l) {
    const nn::BlockWeights w = nn::block_weights_at(params_.data() + block_off_ + l * block_size_, C, C);
    nn::block_forward(x, ws.acts[static_cast<size_t>(l)], w, d, rates, drop ? rng : nullptr, ctx);
    zero_padded_rows(ws.acts[static_cast<size_t>(l)].out, seq, d.BT(), C);
    x = ws.acts[static_cast<size_t>(l)].out;
  }
  layernorm_forward(ws.lnf, ws.lnf_mean, ws.lnf_rstd, x, params_.data() + lnf_off_, params_.data() + lnf_off_ + C,
                    B * T, C, cfg_.ln_eps, ctx);
}

void SasrecModel::backward(SasrecWorkspace& ws, const int32_t* seq, bool dropout_on, const KernelContext& ctx) {
  const int B = ws.B, T = ws.T, C = cfg_.d, t_off = cfg_.maxlen - ws.T;
  const nn::BlockDims d = dims(B, T, ws.key_start.data());
  const size_t btc = d.BTC();
  float* g = grads_.data();
  std::memset(ws.d_y, 0, btc * sizeof(float));
  const float* x_last = ws.acts.back().out;
  layernorm_backward(ws.d_y, g + lnf_off_, g + lnf_off_ + C, ws.d_hidden, x_last, params_.data() + lnf_off_,
                     ws.lnf_mean, ws.lnf_rstd, B * T, C, ctx);
  zero_padded_rows(ws.d_y, seq, d.BT(), C);
  for (int l = cfg_.n_blocks - 1; l >= 0; --l) {
    const size_t li = static_cast<size_t>(l);
    const float* x_in = l == 0 ? ws.emb_out : ws.acts[li - 1].out;
    const nn::BlockWeights w = nn::block_weights_at(params_.data() + block_off_ + li * block_size_, C, C);
    const nn::BlockGrads gw = nn::block_grads_at(g + block_off_ + li * block_size_, C, C);
    std::memset(ws.d_x, 0, btc * sizeof(float));
    nn::block_backward(ws.d_x, ws.d_y, x_in, ws.acts[li], w, gw, ws.scratch, d, dropout_on, ctx);
    zero_padded_rows(ws.d_x, seq, d.BT(), C);
    std::swap(ws.d_x, ws.d_y);
  }
  // Embeddings: x = (item[s] * sqrt(C) + pos[t]) * mask, padded rows skipped.
  const float scale = std::sqrt(static_cast<float>(C));
  float* gi = g + item_off_;
  float* gp = g + pos_off_;
  for (int b = 0; b < B; ++b) {
    for (int t = 0; t < T; ++t) {
      const size_t r = static_cast<size_t>(b) * T + t;
      const int32_t id = seq[r];
      if (id == 0) continue;
      const float* dy = ws.d_y + r * C;
      const float* mk = dropout_on && ws.emb_mask != nullptr ? ws.emb_mask + r * C : nullptr;
      float* dit = gi + static_cast<size_t>(id) * C;
      float* dpt = gp + static_cast<size_t>(t + t_off) * C;
      for (int c = 0; c < C; ++c) {
        const float v = mk != nullptr ? dy[c] * mk[c] : dy[c];
        dit[c] += v * scale;
        dpt[c] += v;
      }
    }
  }
}

}  // namespace marketlm::sasrec
