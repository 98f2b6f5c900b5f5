// marketlm eval perplexity: perplexity of a GPT model directory (any weight
// format) on a text file, through the KV-cached forward.
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/compress_common.h"
#include "cli/output.h"

namespace marketlm::cli {
namespace {

struct PerplexityOpts : ModelEvalOpts {
  std::string format;
};

int run_perplexity(const PerplexityOpts& o) {
  const std::string cmd = "eval perplexity";
  ThreadPool pool(o.threads);
  auto ctx = compress_context(&pool);
  if (!ctx.is_ok()) return report_error(cmd, ctx.status());
  auto model = GptModel::from_pretrained(o.model, *ctx);
  if (!model.is_ok()) return report_error(cmd, model.status());
  GptModel& m = **model;
  if (!o.format.empty()) {
    auto fmt = kernels::parse_weight_format(o.format);
    if (!fmt.is_ok()) return report_error(cmd, fmt.status());
    if (*fmt != m.weight_format()) {
      const Status st = m.set_weight_format(*fmt);
      if (!st.is_ok()) return report_error(cmd, st);
    }
  }
  auto tokens = tokenize_for_model(o.model, o.tokenizer, m.config().vocab_size, o.data);
  if (!tokens.is_ok()) return report_error(cmd, tokens.status());
  auto r = perplexity_json(m, *tokens, o.window, o.max_tokens, !o.json);
  if (!r.is_ok()) return report_error(cmd, r.status());
  (*r)["model"] = o.model;
  (*r)["data"] = o.data;
  (*r)["isa"] = kernels::isa_name(ctx->isa);
  if (o.json) {
    print_json(*r);
  } else {
    std::cout << "perplexity " << (*r)["perplexity"].get<double>() << " (" << (*r)["format"].get<std::string>()
              << ", " << (*r)["tokens"].get<int64_t>() << " tokens, "
              << (*r)["tokens_per_second"].get<double>() << " tokens/s)\n";
  }
  return 0;
}

}  // namespace

void register_eval_perplexity(CLI::App& eval, CliState& state) {
  auto o = std::make_shared<PerplexityOpts>();
  auto* c = eval.add_subcommand("perplexity", "Perplexity of a GPT model on a text file");
  c->add_option("--model", o->model, "Model directory (f32, bf16 or int8)")->required();
  c->add_option("--data", o->data, "Text file")->required();
  c->add_option("--format", o->format, "Run with this weight format (f32 | bf16 | int8; default: the model's)");
  add_model_eval_options(c, *o);
  c->callback([o, &state] { state.exit_code = run_perplexity(*o); });
}

}  // namespace marketlm::cli
