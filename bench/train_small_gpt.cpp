// Trains a small byte-level GPT on Jane Austen novels (all but one, held out)
// so the compression work has a real model to measure. Not a test: run it by
// hand (docs/compression.md gives the command).
//   train_small_gpt DATA_DIR OUT_DIR [steps] [threads]
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
#include "marketlm/models/gpt/gpt_model.h"

using namespace marketlm;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s DATA_DIR OUT_DIR [steps] [threads]\n", argv[0]);
    return 2;
  }
  const std::string data = argv[1], out = argv[2];
  const int steps = argc > 3 ? std::atoi(argv[3]) : 600;
  const int threads = argc > 4 ? std::atoi(argv[4]) : 2;
  std::vector<int32_t> toks;
  for (const char* book : {"emma", "mansfieldpark", "northangerabbey", "prideprejudice", "sensesensibility"}) {
    auto text = read_file(data + "/" + book + ".txt");
    if (!text.is_ok()) {
      std::fprintf(stderr, "%s\n", text.status().to_string().c_str());
      return 1;
    }
    for (unsigned char ch : *text) toks.push_back(ch);
  }
  GptConfig c;
  c.n_layer = 4;
  c.n_head = 4;
  c.n_embd = 128;
  c.n_ctx = 128;
  c.vocab_size = 256;
  c.bos_token_id = c.eos_token_id = 10;
  c.set_dropout(0.0f);
  ThreadPool pool(threads);
  kernels::KernelContext ctx{&pool, kernels::best_isa()};
  auto made = GptModel::create(c, ctx);
  if (!made.is_ok()) return 1;
  auto& m = **made;
  m.init_weights(1234);
  const int B = 16, T = 128;
  AlignedBuffer<float> mo(m.num_params()), ve(m.num_params());  // zeroed, aligned for AVX2
  std::vector<int32_t> in(B * T), tg(B * T);
  Rng rng(7);
  for (int s = 1; s <= steps; ++s) {
    for (int b = 0; b < B; ++b) {
      const size_t off = rng.next_u64() % (toks.size() - T - 1);
      for (int t = 0; t < T; ++t) {
        in[b * T + t] = toks[off + t];
        tg[b * T + t] = toks[off + t + 1];
      }
    }
    m.zero_grad();
    TokenBatch batch{in.data(), tg.data(), B, T};
    const LossSum l = m.forward_backward(batch, 1.0f / (B * T), nullptr);
    AdamWHyper h;
    const float warm = std::min(1.0f, s / 50.0f);
    h.lr = 3e-3f * warm * (0.1f + 0.9f * 0.5f * (1.0f + std::cos(3.14159265f * s / steps)));
    h.weight_decay = 0.0f;
    h.step = s;
    adamw_step_avx2(m.params(), m.grads(), mo.data(), ve.data(), m.num_params(), h);
    if (s % 20 == 0 || s == 1) std::fprintf(stderr, "step %d loss %.4f\n", s, l.sum / l.count);
  }
  const Status st = m.save_pretrained(out);
  if (!st.is_ok()) {
    std::fprintf(stderr, "%s\n", st.to_string().c_str());
    return 1;
  }
  std::fprintf(stderr, "saved %s\n", out.c_str());
  return 0;
}
