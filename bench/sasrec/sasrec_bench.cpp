// SASRec speed on a real data set: training time per epoch (measured over the
// first --batches batches of a shuffled epoch, extrapolated to the whole
// epoch) and full-ranking scoring throughput (users/s: scores of every item
// for the last position, batches of 128 users). Each is measured twice: the
// shipped path (training packed by length, scoring without padding and with
// the last block for the final row only) and the plain padded path (every
// row at maxlen, all positions scored), which is what the PyTorch reference
// computes. Pair: sasrec_bench.py runs the PyTorch reference on the same
// config; run_sasrec.sh prints both.
//
//   sasrec_bench DATA [batches=40] [score_users=2048] [threads=1] [loss=bce|softmax]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "marketlm/apps/recsys/data.h"
#include "marketlm/apps/recsys/seq_windows.h"
#include "marketlm/apps/recsys/split.h"
#include "marketlm/kernels/adamw.h"
#include "marketlm/models/sasrec/sasrec_model.h"

using namespace marketlm;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: sasrec_bench DATA [batches] [score_users] [threads]\n");
    return 2;
  }
  const int batches = argc > 2 ? std::atoi(argv[2]) : 40;
  const int score_users = argc > 3 ? std::atoi(argv[3]) : 2048;
  const int threads = argc > 4 ? std::atoi(argv[4]) : 1;
  const std::string loss_name = argc > 5 ? argv[5] : "bce";
  const sasrec::SasrecLoss loss = loss_name == "softmax" ? sasrec::SasrecLoss::kFullSoftmax : sasrec::SasrecLoss::kBce;
  auto data = recsys::load_sequences(argv[1], recsys::DataFormat::kAuto, Logger{});
  if (!data.is_ok()) {
    std::fprintf(stderr, "%s\n", data.status().to_string().c_str());
    return 1;
  }
  auto split = recsys::leave_one_out(*data);
  const char* isa_env = std::getenv("MARKETLM_ISA");
  auto isa = kernels::resolve_isa(isa_env != nullptr ? isa_env : "");
  if (!isa.is_ok()) return 1;
  ThreadPool pool(threads);
  const kernels::KernelContext ctx{&pool, *isa};
  sasrec::SasrecConfig cfg;
  cfg.n_items = split.n_items;
  cfg.dropout = 0.2f;
  // One timed pass over the first `run` batches from the same initial state.
  std::vector<int32_t> users;
  for (size_t u = 0; u < split.train.size(); ++u)
    if (split.train[u].size() >= 2) users.push_back(static_cast<int32_t>(u));
  const int B = 128;
  const int n_batches = static_cast<int>((users.size() + B - 1) / B);
  const int run = std::min(batches, n_batches);
  auto train_seconds = [&](bool packed) {
    sasrec::SasrecModel model(cfg);
    Rng rng(42), drop(43);
    model.init(rng);
    std::vector<int32_t> order = users;
    for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
    const size_t n = model.num_params();
    std::vector<float> m(n, 0.0f), v(n, 0.0f);
    sasrec::SasrecWorkspace ws;
    recsys::SeqWindows win;
    const auto t0 = std::chrono::steady_clock::now();
    for (int bi = 0; bi < run; ++bi) {
      const size_t b0 = static_cast<size_t>(bi) * B, b1 = std::min(order.size(), b0 + B);
      if (!recsys::make_training_windows(split.train, std::span(order).subspan(b0, b1 - b0), split.n_items,
                                         cfg.maxlen, rng, &win).is_ok())
        return -1.0;
      int64_t count = 0;
      for (int32_t p : win.pos) count += p != 0;
      model.prepare(ws, static_cast<int>(win.batch), true);
      model.zero_grads();
      sasrec::SasrecBatch batch{win.input.data(), win.pos.data(), win.neg.data(), static_cast<int>(win.batch), 1};
      const float scale = 1.0f / static_cast<float>(count);
      if (packed) {
        model.forward_backward_packed(ws, batch, loss, scale, true, &drop, ctx);
      } else {
        model.forward_backward(ws, batch, loss, scale, true, &drop, ctx);
      }
      AdamWHyper h;
      h.beta2 = 0.98f;
      h.step = bi + 1;
      adamw_step(kernels::best_isa(), &pool, model.params(), model.grads(), m.data(), v.data(), n, h);
    }
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  const double train_s = train_seconds(true);
  const double train_padded_s = train_seconds(false);
  if (train_s < 0 || train_padded_s < 0) return 1;
  // Scoring: windows of the users' training sequences, full item scores.
  sasrec::SasrecModel model(cfg);
  Rng init(42);
  model.init(init);
  const int U = std::min<int>(score_users, static_cast<int>(split.train.size()));
  std::vector<int32_t> seqs;
  for (int u = 0; u < U; ++u) {
    auto w = recsys::make_inference_window(split.train[static_cast<size_t>(u)], cfg.maxlen);
    seqs.insert(seqs.end(), w.begin(), w.end());
  }
  std::vector<float> scores(static_cast<size_t>(B) * split.n_items);
  auto score_seconds = [&](bool fast, double* checksum) {
    const auto t1 = std::chrono::steady_clock::now();
    for (int u0 = 0; u0 < U; u0 += B) {
      const int nb = std::min(B, U - u0);
      const int32_t* w = seqs.data() + static_cast<size_t>(u0) * cfg.maxlen;
      if (fast) {
        model.score_last(w, nb, scores.data(), ctx);
      } else {
        model.score_last_padded(w, nb, scores.data(), ctx);
      }
      *checksum += scores[0];
    }
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
  };
  double checksum = 0, checksum_padded = 0;
  const double score_s = score_seconds(true, &checksum);
  const double score_padded_s = score_seconds(false, &checksum_padded);
  std::printf("{\"impl\": \"marketlm\", \"isa\": \"%s\", \"threads\": %d, \"loss\": \"%s\", \"batches\": %d, "
              "\"epoch_batches\": %d, \"epoch_s\": %.2f, \"epoch_s_padded\": %.2f, \"score_users_per_s\": %.1f, "
              "\"score_users_per_s_padded\": %.1f, \"checksum\": %.4f, \"checksum_padded\": %.4f}\n",
              kernels::isa_name(*isa), threads, loss_name.c_str(), run, n_batches, train_s / run * n_batches,
              train_padded_s / run * n_batches, U / score_s, U / score_padded_s, checksum, checksum_padded);
  return 0;
}
