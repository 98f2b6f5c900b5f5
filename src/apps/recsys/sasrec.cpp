// SASRec as a SequentialRecommender: a compact training loop (shuffled users,
// batches of left-padded windows, Adam through the project's AdamW kernel
// with weight decay 0, betas 0.9 / 0.98 as in the paper), scoring of the last
// position, explanations from the last block's attention, save / load.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <memory>
#include <numeric>

#include "apps/recsys/baselines.h"
#include "marketlm/apps/recsys/metrics.h"
#include "marketlm/apps/recsys/seq_windows.h"
#include "marketlm/kernels/adamw.h"
#include "marketlm/kernels/kernel_context.h"
#include "marketlm/models/sasrec/sasrec_model.h"

namespace marketlm::recsys {

namespace {

using sasrec::SasrecBatch;
using sasrec::SasrecConfig;
using sasrec::SasrecLoss;
using sasrec::SasrecModel;
using sasrec::SasrecWorkspace;

SasrecConfig model_config(const RecConfig& c, int32_t n_items) {
  SasrecConfig s;
  s.n_items = n_items;
  s.maxlen = c.sasrec_maxlen;
  s.d = c.sasrec_dim;
  s.n_blocks = c.sasrec_blocks;
  s.n_heads = c.sasrec_heads;
  s.dropout = c.sasrec_dropout;
  return s;
}

SasrecLoss loss_kind(const std::string& name) {
  if (name == "softmax") return SasrecLoss::kFullSoftmax;
  if (name == "sampled-softmax") return SasrecLoss::kSampledSoftmax;
  return SasrecLoss::kBce;
}

class SasrecRecommender final : public SequentialRecommender {
 public:
  std::string_view type() const override { return "sasrec"; }
  std::string_view explain_kind() const override {
    return "attention weight of the last position on the past item (last block, mean over heads)";
  }
  Status fit(const TrainData& train, const RecConfig& config, const Context& ctx) override;
  int32_t n_items() const override { return model_ ? model_->config().n_items : 0; }
  void score(const UserQuery& query, std::span<float> scores) const override {
    auto w = make_inference_window(query.history, model_->config().maxlen);
    model_->score_last(w.data(), 1, scores.data(), kernels::KernelContext{nullptr, isa_});
  }
  // All queries' windows through one score_last call (rows grouped by
  // length inside), so the final product with the item table is one matrix
  // product instead of one per user.
  void score_batch(std::span<const UserQuery> queries, std::span<float> scores) const override {
    const int T = model_->config().maxlen;
    std::vector<int32_t> w(queries.size() * static_cast<size_t>(T));
    for (size_t q = 0; q < queries.size(); ++q) {
      const auto one = make_inference_window(queries[q].history, T);
      std::copy(one.begin(), one.end(), w.begin() + static_cast<long>(q * static_cast<size_t>(T)));
    }
    model_->score_last(w.data(), static_cast<int>(queries.size()), scores.data(),
                       kernels::KernelContext{nullptr, isa_});
  }
  std::vector<Contribution> explain(const UserQuery& query, int32_t item) const override;
  bool can_explain() const override { return true; }
  void save(TensorFile* out) const override;
  Status load(const TensorFile& in, const RecConfig& config, int32_t n_items, int32_t n_users) override;

 private:
  Status set_isa(const RecConfig& config) {
    ML_ASSIGN_OR_RETURN(isa_, kernels::resolve_isa(config.isa));
    // Threads come from the Context's pool only: without this OpenBLAS starts
    // its own threads for the matrix products (a second busy thread under
    // --threads 1).
    if (isa_ != kernels::Isa::kScalar) kernels::blas_use_single_thread();
    return Status::ok();
  }
  RecConfig cfg_;
  kernels::Isa isa_ = kernels::Isa::kScalar;
  std::unique_ptr<SasrecModel> model_;
};

Status SasrecRecommender::fit(const TrainData& train, const RecConfig& config, const Context& ctx) {
  ML_RETURN_IF_ERROR(config.validate());
  ML_RETURN_IF_ERROR(set_isa(config));
  cfg_ = config;
  const SasrecConfig mc = model_config(config, train.n_items);
  ML_RETURN_IF_ERROR(mc.validate());
  model_ = std::make_unique<SasrecModel>(mc);
  Rng init_rng(config.seed);
  model_->init(init_rng);
  const size_t n = model_->num_params();
  std::vector<float> m(n, 0.0f), v(n, 0.0f);
  Rng rng(config.seed ^ 0x5a5a5a5aULL), drop_rng(config.seed + 17);
  int start_epoch = 0;
  int64_t step = 0;
  std::error_code ec;
  if (!config.checkpoint.empty() && std::filesystem::exists(config.checkpoint, ec)) {
    ML_ASSIGN_OR_RETURN(TensorFile ck, TensorFile::read(config.checkpoint));
    ML_ASSIGN_OR_RETURN(auto p, ck.get_f32("sasrec.params", static_cast<int64_t>(n)));
    ML_ASSIGN_OR_RETURN(m, ck.get_f32("adam.m", static_cast<int64_t>(n)));
    ML_ASSIGN_OR_RETURN(v, ck.get_f32("adam.v", static_cast<int64_t>(n)));
    ML_ASSIGN_OR_RETURN(auto st, ck.get_i64("state", 10));
    std::copy(p.begin(), p.end(), model_->params());
    start_epoch = static_cast<int>(st[0]);
    step = st[1];
    Rng::State a{}, b{};
    for (int i = 0; i < 4; ++i) a[static_cast<size_t>(i)] = static_cast<uint64_t>(st[2 + i]);
    for (int i = 0; i < 4; ++i) b[static_cast<size_t>(i)] = static_cast<uint64_t>(st[6 + i]);
    rng.set_state(a);
    drop_rng.set_state(b);
    ctx.logger.info("sasrec: resumed from " + config.checkpoint + " after epoch " + std::to_string(start_epoch));
  }
  std::vector<int32_t> users;
  for (size_t u = 0; u < train.seqs.size(); ++u) {
    if (train.seqs[u].size() >= 2) users.push_back(static_cast<int32_t>(u));
  }
  const kernels::KernelContext kctx{ctx.pool, isa_};
  const kernels::Isa path = isa_;
  const SasrecLoss kind = loss_kind(config.sasrec_loss);
  const int k = kind == SasrecLoss::kSampledSoftmax ? config.sasrec_negatives : 1;
  SasrecWorkspace ws;
  SeqWindows win;
  std::vector<int32_t> negs, seen, drawn;
  for (int epoch = start_epoch; epoch < config.sasrec_epochs; ++epoch) {
    const auto t0 = std::chrono::steady_clock::now();
    for (size_t i = users.size(); i > 1; --i) std::swap(users[i - 1], users[rng.below(i)]);
    double loss_sum = 0;
    int64_t loss_count = 0;
    for (size_t b0 = 0; b0 < users.size(); b0 += static_cast<size_t>(config.sasrec_batch)) {
      const size_t b1 = std::min(users.size(), b0 + static_cast<size_t>(config.sasrec_batch));
      ML_RETURN_IF_ERROR(make_training_windows(train.seqs, std::span(users).subspan(b0, b1 - b0), train.n_items,
                                               mc.maxlen, rng, &win));
      const int B = static_cast<int>(win.batch);
      const int32_t* neg = win.neg.data();
      if (k > 1) {  // k unseen negatives per position, without repetition
        negs.assign(win.input.size() * static_cast<size_t>(k), 0);
        for (int b = 0; b < B; ++b) {
          seen = train.seqs[static_cast<size_t>(win.user[static_cast<size_t>(b)])];
          std::sort(seen.begin(), seen.end());
          seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
          for (int t = 0; t < mc.maxlen; ++t) {
            const size_t r = static_cast<size_t>(b) * mc.maxlen + t;
            if (win.pos[r] == 0) continue;
            ML_RETURN_IF_ERROR(sample_negatives(train.n_items, seen, k, rng, &drawn));
            for (int j = 0; j < k; ++j) negs[r * static_cast<size_t>(k) + j] = drawn[static_cast<size_t>(j)] + 1;
          }
        }
        neg = negs.data();
      }
      int64_t count = 0;
      for (int32_t p : win.pos) count += p != 0;
      if (count == 0) continue;
      if (ws.cap_B < B) model_->prepare(ws, B, mc.dropout > 0.0f);
      model_->zero_grads();
      SasrecBatch batch{win.input.data(), win.pos.data(), neg, B, k};
      LossSum ls = model_->forward_backward_packed(ws, batch, kind, 1.0f / static_cast<float>(count), true,
                                                   &drop_rng, kctx);
      loss_sum += ls.sum;
      loss_count += ls.count;
      AdamWHyper h;
      h.lr = config.sasrec_lr;
      h.beta1 = 0.9f;
      h.beta2 = 0.98f;
      h.eps = 1e-8f;
      h.weight_decay = 0.0f;
      h.step = ++step;
      adamw_step(path, ctx.pool, model_->params(), model_->grads(), m.data(), v.data(), n, h);
      std::fill(model_->params(), model_->params() + mc.d, 0.0f);  // padding row stays zero
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ctx.logger.info("sasrec: epoch " + std::to_string(epoch + 1) + "/" + std::to_string(config.sasrec_epochs) +
                    " loss " + std::to_string(loss_count ? loss_sum / static_cast<double>(loss_count) : 0.0) +
                    " (" + std::to_string(secs) + " s)");
    ctx.report(ProgressEvent{"sasrec", epoch + 1, config.sasrec_epochs, "epochs", epoch + 1 == config.sasrec_epochs});
    if (!config.checkpoint.empty()) {
      TensorFile ck;
      ck.put_f32("sasrec.params", {static_cast<int64_t>(n)}, std::span<const float>(model_->params(), n));
      ck.put_f32("adam.m", {static_cast<int64_t>(n)}, m);
      ck.put_f32("adam.v", {static_cast<int64_t>(n)}, v);
      std::vector<int64_t> st = {epoch + 1, step};
      for (uint64_t w : rng.state()) st.push_back(static_cast<int64_t>(w));
      for (uint64_t w : drop_rng.state()) st.push_back(static_cast<int64_t>(w));
      ck.put_i64("state", {10}, st);
      ML_RETURN_IF_ERROR(ck.write(config.checkpoint));
    }
  }
  return Status::ok();
}

std::vector<Contribution> SasrecRecommender::explain(const UserQuery& query, int32_t item) const {
  (void)item;  // attention does not depend on the candidate item
  const int T = model_->config().maxlen, NH = model_->config().n_heads;
  auto w = make_inference_window(query.history, T);
  std::vector<float> scores(static_cast<size_t>(n_items())), att;
  model_->score_last(w.data(), 1, scores.data(), kernels::KernelContext{nullptr, isa_}, &att);
  std::vector<Contribution> out;
  for (int s = 0; s < T; ++s) {
    if (w[static_cast<size_t>(s)] == 0) continue;
    float a = 0;
    for (int h = 0; h < NH; ++h) a += att[static_cast<size_t>(h) * T + s];
    out.push_back(Contribution{w[static_cast<size_t>(s)] - 1, T - 1 - s, a / static_cast<float>(NH)});
  }
  std::stable_sort(out.begin(), out.end(), [](const Contribution& a, const Contribution& b) { return a.value > b.value; });
  return out;
}

void SasrecRecommender::save(TensorFile* out) const {
  for (const auto& s : model_->param_specs()) {
    out->put_f32("sasrec." + s.name, s.shape, std::span<const float>(model_->params() + s.offset, s.numel));
  }
}

Status SasrecRecommender::load(const TensorFile& in, const RecConfig& config, int32_t n_items, int32_t n_users) {
  (void)n_users;
  ML_RETURN_IF_ERROR(config.validate());
  ML_RETURN_IF_ERROR(set_isa(config));
  cfg_ = config;
  const SasrecConfig mc = model_config(config, n_items);
  ML_RETURN_IF_ERROR(mc.validate());
  model_ = std::make_unique<SasrecModel>(mc);
  for (const auto& s : model_->param_specs()) {
    ML_ASSIGN_OR_RETURN(auto v, in.get_f32("sasrec." + s.name, static_cast<int64_t>(s.numel)));
    std::copy(v.begin(), v.end(), model_->params() + s.offset);
  }
  return Status::ok();
}

}  // namespace

std::unique_ptr<SequentialRecommender> make_sasrec_recommender() { return std::make_unique<SasrecRecommender>(); }

}  // namespace marketlm::recsys
