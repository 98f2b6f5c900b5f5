// The quality / size side of compression on one model and one text, in one
// run: perplexity, parameters, model.safetensors bytes and bytes read per
// decode step for f32, bf16, int8 per channel and per group (32 / 64 / 128),
// and structured MLP-neuron pruning (removed, smaller n_inner) at 30 % and
// 50 %, alone and followed by int8. The same library calls as `marketlm
// quantize` / `prune` / `eval perplexity` (docs/compression.md); speed is in
// gpt_infer_bench. Byte-level models only (one id per byte).
//   compress_eval MODEL_DIR TEXT [max_tokens=0 (all)] [threads=2] [out_root=/tmp/compress_eval]
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "marketlm/core/file_io.h"
#include "marketlm/core/thread_pool.h"
#include "marketlm/models/gpt/gpt_compress.h"

using namespace marketlm;

namespace {

struct Setup {
  std::string model_dir, out_root;
  std::vector<int32_t> tokens;
  int64_t max_tokens = 0;
  kernels::KernelContext ctx;
};

// Scores m, saves it under out_root/name and prints one table row.
bool report(const Setup& s, const std::string& name, GptModel& m, double f32_ppl) {
  auto ppl = gpt_perplexity(m, s.tokens, 0, s.max_tokens);
  if (!ppl.is_ok()) {
    std::fprintf(stderr, "%s: %s\n", name.c_str(), ppl.status().to_string().c_str());
    return false;
  }
  const std::string dir = s.out_root + "/" + name;
  const Status st = m.save_pretrained(dir);
  if (!st.is_ok()) {
    std::fprintf(stderr, "%s: %s\n", name.c_str(), st.to_string().c_str());
    return false;
  }
  const auto bytes = std::filesystem::file_size(dir + "/model.safetensors");
  const double p = ppl->perplexity();
  std::printf("| %-22s | %7d | %9zu | %10.4f | %+7.3f %% | %11ju | %11jd |\n", name.c_str(), m.config().mlp_hidden(),
              m.num_params(), p, f32_ppl > 0 ? 100.0 * (p - f32_ppl) / f32_ppl : 0.0,
              static_cast<uintmax_t>(bytes), static_cast<intmax_t>(m.decode_weight_bytes()));
  std::fflush(stdout);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: compress_eval MODEL_DIR TEXT [max_tokens] [threads] [out_root]\n");
    return 2;
  }
  Setup s;
  s.model_dir = argv[1];
  s.max_tokens = argc > 3 ? std::atoll(argv[3]) : 0;
  const int threads = argc > 4 ? std::atoi(argv[4]) : 2;
  s.out_root = argc > 5 ? argv[5] : "/tmp/compress_eval";
  auto text = read_file(argv[2]);
  if (!text.is_ok()) {
    std::fprintf(stderr, "%s\n", text.status().to_string().c_str());
    return 1;
  }
  for (unsigned char ch : *text) s.tokens.push_back(ch);
  ThreadPool pool(threads);
  s.ctx = kernels::KernelContext{&pool, kernels::best_isa()};
  auto load = [&]() { return GptModel::from_pretrained(s.model_dir, s.ctx); };
  auto base = load();
  if (!base.is_ok() || (*base)->config().vocab_size != 256) {
    std::fprintf(stderr, "%s: needs a byte-level (vocab 256) model: %s\n", s.model_dir.c_str(),
                 base.is_ok() ? "vocab differs" : base.status().to_string().c_str());
    return 1;
  }
  auto f32 = gpt_perplexity(**base, s.tokens, 0, s.max_tokens);
  if (!f32.is_ok()) return 1;
  const double ref = f32->perplexity();
  std::printf("# %s on %s: %jd tokens scored, %d threads, ISA %s\n", s.model_dir.c_str(), argv[2],
              static_cast<intmax_t>(f32->predicted), threads, kernels::isa_name(s.ctx.isa));
  std::printf("| setting | n_inner | parameters | perplexity | vs f32 | file bytes | decode bytes |\n");
  std::printf("|---|---|---|---|---|---|---|\n");
  if (!report(s, "f32", **base, ref)) return 1;
  struct Q {
    const char* name;
    kernels::WeightFormat f;
    int group;
  };
  for (const Q& q : {Q{"bf16", kernels::WeightFormat::kBF16, 0}, Q{"int8 per channel", kernels::WeightFormat::kInt8, 0},
                     Q{"int8 g128", kernels::WeightFormat::kInt8, 128}, Q{"int8 g64", kernels::WeightFormat::kInt8, 64},
                     Q{"int8 g32", kernels::WeightFormat::kInt8, 32}}) {
    auto m = load();
    if (!m.is_ok() || !(*m)->set_weight_format(q.f, q.group).is_ok()) return 1;
    std::string name = q.name;
    for (char& ch : name) ch = ch == ' ' ? '-' : ch;
    if (!report(s, name, **m, ref)) return 1;
  }
  for (double amount : {0.3, 0.5}) {
    auto m = load();
    if (!m.is_ok()) return 1;
    if (!gpt_prune(**m, PruneMethod::kNeurons, amount).is_ok()) return 1;
    auto removed = gpt_least_important_neurons(**m, amount);
    if (!removed.is_ok()) return 1;
    auto small = gpt_remove_neurons(**m, *removed);
    if (!small.is_ok()) return 1;
    const std::string tag = "neurons-" + std::to_string(static_cast<int>(amount * 100));
    if (!report(s, tag + "-masked", **m, ref)) return 1;
    if (!report(s, tag + "-removed", **small, ref)) return 1;
    if (!(*small)->set_weight_format(kernels::WeightFormat::kInt8, 32).is_ok()) return 1;
    if (!report(s, tag + "-removed-int8-g32", **small, ref)) return 1;
  }
  return 0;
}
