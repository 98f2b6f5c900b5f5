// fp32 against bf16 mixed precision on a real run: a tiny-austen-shaped GPT
// (4 layers, 4 heads, 128 wide, n_ctx 128; byte-level, vocab 256) trained on
// five Jane Austen novels, validated on the sixth (persuasion), once in fp32
// and once in bf16 from the same initialisation and the same batches. AdamW
// (beta2 0.95, weight decay 0.1 on matrices), warmup 30 steps then cosine
// from 2e-3 to 2e-4, global-norm clip 1.0, batch 8 x 128 (configs/tiny-austen.json's
// schedule). Prints train and validation losses side by side.
//   precision_run DATA_DIR [steps] [threads] [eval_every]
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "marketlm/core/aligned_buffer.h"
#include "marketlm/core/file_io.h"
#include "marketlm/core/rng.h"
#include "marketlm/core/thread_pool.h"
#include "marketlm/kernels/adamw.h"
#include "marketlm/kernels/gemm_bf16.h"
#include "marketlm/models/gpt/gpt_model.h"

using namespace marketlm;

namespace {

struct Curve {
  std::vector<double> train, val;
  double seconds = 0;
};

Curve run(const std::vector<int32_t>& train, const std::vector<int32_t>& val, kernels::Bf16Kernel bf16, int steps,
          int threads, int eval_every) {
  GptConfig c;
  c.n_layer = 4;
  c.n_head = 4;
  c.n_embd = 128;
  c.n_ctx = 128;
  c.vocab_size = 256;
  c.bos_token_id = c.eos_token_id = 10;
  c.set_dropout(0.0f);
  ThreadPool pool(threads);
  auto made = GptModel::create(c, kernels::KernelContext{&pool, kernels::best_isa(), bf16});
  if (!made.is_ok()) {
    std::fprintf(stderr, "%s\n", made.status().to_string().c_str());
    std::exit(1);
  }
  GptModel& m = **made;
  m.init_weights(1337);
  const int B = 8, T = 128;
  const size_t n = m.num_params();
  AlignedBuffer<float> mo(n), ve(n);
  std::vector<int32_t> in(B * T), tg(B * T);
  Rng rng(42);
  auto fill = [&](const std::vector<int32_t>& toks, size_t off, int b) {
    for (int t = 0; t < T; ++t) {
      in[b * T + t] = toks[off + t];
      tg[b * T + t] = toks[off + t + 1];
    }
  };
  auto validate = [&] {
    // 16 batches at fixed, evenly spaced offsets of the held-out book.
    double sum = 0;
    int64_t count = 0;
    const size_t stride = (val.size() - T - 1) / (16 * B);
    for (int v = 0; v < 16; ++v) {
      for (int b = 0; b < B; ++b) fill(val, (static_cast<size_t>(v) * B + b) * stride, b);
      const LossSum l = m.forward_loss(TokenBatch{in.data(), tg.data(), B, T});
      sum += l.sum;
      count += l.count;
    }
    return sum / static_cast<double>(count);
  };
  Curve curve;
  const auto t0 = std::chrono::steady_clock::now();
  for (int s = 1; s <= steps; ++s) {
    for (int b = 0; b < B; ++b) fill(train, rng.next_u64() % (train.size() - T - 1), b);
    m.zero_grad();
    const LossSum l = m.forward_backward(TokenBatch{in.data(), tg.data(), B, T}, 1.0f / (B * T), nullptr);
    curve.train.push_back(l.sum / static_cast<double>(l.count));
    double norm2 = 0;
    for (size_t i = 0; i < n; ++i) norm2 += static_cast<double>(m.grads()[i]) * m.grads()[i];
    const double norm = std::sqrt(norm2);
    if (norm > 1.0)
      for (size_t i = 0; i < n; ++i) m.grads()[i] = static_cast<float>(m.grads()[i] / norm);
    const float warm = std::min(1.0f, static_cast<float>(s) / 30.0f);
    const float lr = s <= 30 ? 2e-3f * warm
                             : 2e-4f + 0.5f * (2e-3f - 2e-4f) *
                                           (1.0f + std::cos(3.14159265f * static_cast<float>(s - 30) / (steps - 30)));
    for (const ParamSpec& p : m.param_specs()) {
      AdamWHyper h;
      h.lr = lr;
      h.beta2 = 0.95f;
      h.weight_decay = p.decay ? 0.1f : 0.0f;
      h.step = s;
      adamw_step(kernels::best_isa(), &pool, m.params() + p.offset, m.grads() + p.offset, mo.data() + p.offset,
                 ve.data() + p.offset, p.numel, h);
    }
    if (s % eval_every == 0 || s == steps) curve.val.push_back(validate());
  }
  curve.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return curve;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DATA_DIR [steps] [threads] [eval_every]\n", argv[0]);
    return 2;
  }
  const std::string data = argv[1];
  const int steps = argc > 2 ? std::atoi(argv[2]) : 300;
  const int threads = argc > 3 ? std::atoi(argv[3]) : 2;
  const int eval_every = argc > 4 ? std::atoi(argv[4]) : 50;
  const kernels::Bf16Kernel bf16 = kernels::best_bf16_kernel();
  if (bf16 == kernels::Bf16Kernel::kOff) {
    std::fprintf(stderr, "this CPU has no AVX512-BF16 / AMX-BF16; nothing to compare\n");
    return 1;
  }
  std::vector<int32_t> train, val;
  for (const char* book : {"emma", "mansfieldpark", "northangerabbey", "prideprejudice", "sensesensibility", "persuasion"}) {
    auto text = read_file(data + "/" + book + ".txt");
    if (!text.is_ok()) {
      std::fprintf(stderr, "%s\n", text.status().to_string().c_str());
      return 1;
    }
    auto& dst = std::string(book) == "persuasion" ? val : train;
    for (unsigned char ch : *text) dst.push_back(ch);
  }
  std::printf("train %zu bytes, validation (persuasion) %zu bytes; %d steps of 8 x 128, %d threads, bf16 kernel %s\n",
              train.size(), val.size(), steps, threads, kernels::bf16_kernel_name(bf16));
  const Curve a = run(train, val, kernels::Bf16Kernel::kOff, steps, threads, eval_every);
  const Curve b = run(train, val, bf16, steps, threads, eval_every);
  std::printf("| step | fp32 train loss | bf16 train loss | fp32 val loss | bf16 val loss | bf16 - fp32 (val) |\n");
  std::printf("|---|---|---|---|---|---|\n");
  std::printf("| 1 | %.4f | %.4f | | | |\n", a.train[0], b.train[0]);
  size_t v = 0;
  for (int s = 1; s <= steps; ++s) {
    if (!(s % eval_every == 0 || s == steps)) continue;
    // train loss: mean of the last eval_every steps (one batch is noisy)
    double ta = 0, tb = 0;
    const int from = std::max(0, s - eval_every);
    for (int i = from; i < s; ++i) {
      ta += a.train[i];
      tb += b.train[i];
    }
    ta /= s - from;
    tb /= s - from;
    std::printf("| %d | %.4f | %.4f | %.4f | %.4f | %+.4f |\n", s, ta, tb, a.val[v], b.val[v], b.val[v] - a.val[v]);
    ++v;
  }
  std::printf("wall time: fp32 %.1f s, bf16 %.1f s\n", a.seconds, b.seconds);
  return 0;
}
